"""Measure a trained checkpoint: validation figures next to a unigram baseline, and head findings.

- GPT-2: validation loss / perplexity; BERT: masked-token top-1 accuracy (same masks for model and
  baseline). The baseline predicts every token from its training-split frequency (add-one smoothed).
- Previous-token head: mean attention from position i to i-1 on held-out text, per layer and head.
- GPT-2 induction: random token sequences repeated twice; mean attention from each second-copy token
  to the token after its first occurrence, against chance (uniform attention over the causal prefix).
- Position embeddings: their spread next to the word embeddings', and how alike neighbouring positions are.

Usage: /usr/bin/python3 tools/evaluate.py tools/data/gpt2.pt --out static/models/<name>/metrics.json
"""

import argparse
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import torch

sys.path.insert(0, str(Path(__file__).parent))
from bpe import Tokenizer  # noqa: E402
from train import MaskedBatches, encode_documents, evaluate, load_checkpoint, specials, window_length  # noqa: E402

HELD_OUT_WINDOWS = 32  # validation windows used for the head statistics
HELD_OUT_LENGTH = 128
INDUCTION_SEQUENCES = 32
INDUCTION_LENGTH = 50  # random tokens per copy


class Unigram(torch.nn.Module):
    """Predicts the same distribution at every position: the training-split token frequencies."""

    def __init__(self, train_stream: torch.Tensor, vocab_size: int):
        super().__init__()
        counts = torch.bincount(train_stream, minlength=vocab_size).double() + 1.0
        self.log_probs = (counts / counts.sum()).log().float()

    def forward(self, input_ids, **_):
        return SimpleNamespace(logits=self.log_probs.expand(*input_ids.shape, -1))


def round_all(d: dict, digits: int = 4) -> dict:
    return {k: round(v, digits) if isinstance(v, float) else v for k, v in d.items()}


@torch.no_grad()
def attentions(model, input_ids: torch.Tensor) -> torch.Tensor:
    """[batch, layers, heads, queries, keys] softmax outputs."""
    output = model(input_ids=input_ids, attention_mask=torch.ones_like(input_ids), output_attentions=True)
    return torch.stack(output.attentions, dim=1)


def rounded(matrix: torch.Tensor) -> list:
    return [[round(float(v), 4) for v in row] for row in matrix]


def best_head(scores: torch.Tensor, min_layer: int = 0) -> dict:
    masked = scores.clone()
    masked[:min_layer] = -1
    layer, head = divmod(int(masked.argmax()), scores.shape[1])
    return {"layer": layer, "head": head, "score": round(float(scores[layer, head]), 4)}


def held_out_inputs(kind: str, stream: torch.Tensor, vocab: dict) -> torch.Tensor:
    """Consecutive validation windows; BERT's get [CLS] ... [SEP] like the app's inputs."""
    body = HELD_OUT_LENGTH - (2 if kind == "bert" else 0)
    rows = torch.stack([stream[i * body : (i + 1) * body] for i in range(HELD_OUT_WINDOWS)])
    if kind == "bert":
        n = rows.shape[0]
        rows = torch.cat([torch.full((n, 1), vocab["[CLS]"]), rows, torch.full((n, 1), vocab["[SEP]"])], dim=1)
    return rows


def previous_token_scores(model, inputs: torch.Tensor) -> torch.Tensor:
    """[layers, heads] mean attention from each position i >= 1 to i - 1."""
    att = attentions(model, inputs)
    s = inputs.shape[1]
    return att[..., torch.arange(1, s), torch.arange(0, s - 1)].mean(dim=(0, 3))


def induction_scores(model, first_regular: int, vocab_size: int, separator: int) -> tuple[torch.Tensor, float]:
    """[layers, heads] induction scores and the chance level, on [separator] r r with r random tokens."""
    gen = torch.Generator().manual_seed(0)
    n = INDUCTION_LENGTH
    # Distinct tokens per sequence, so each second-copy token has exactly one earlier occurrence.
    randoms = torch.stack([torch.randperm(vocab_size - first_regular, generator=gen)[:n] + first_regular
                           for _ in range(INDUCTION_SEQUENCES)])
    inputs = torch.cat([torch.full((INDUCTION_SEQUENCES, 1), separator), randoms, randoms], dim=1)
    att = attentions(model, inputs)
    queries = torch.arange(1 + n, 1 + 2 * n)  # second copy
    keys = queries - n + 1  # the token after the first occurrence
    scores = att[..., queries, keys].mean(dim=(0, 3))
    chance = float((1.0 / (queries + 1).double()).mean())
    return scores, chance


def position_table(model, kind: str) -> dict:
    """How strong and how local the learned positions are: a head can only single out the previous token when
    position i's embedding differs from i+1's by more than it differs from far positions'."""
    words, positions = (model.transformer.wte, model.transformer.wpe) if kind == "gpt2" else (
        model.bert.embeddings.word_embeddings, model.bert.embeddings.position_embeddings)
    unit = torch.nn.functional.normalize(positions.weight.detach(), dim=1)

    def mean_cosine(offset: int) -> float:
        return round(float((unit[:-offset] * unit[offset:]).sum(dim=1).mean()), 4)

    return {"position_std": round(float(positions.weight.std()), 4), "word_std": round(float(words.weight.std()), 4),
            "cosine_next": mean_cosine(1), "cosine_10_apart": mean_cosine(10)}


def measure(checkpoint_path: str, tokenizer_path: str, train_path: str, valid_path: str) -> dict:
    checkpoint, model = load_checkpoint(checkpoint_path)
    kind = checkpoint["kind"]
    torch.manual_seed(0)
    tok = Tokenizer.load(tokenizer_path)
    vocab_size = len(tok.vocab)
    separator = tok.vocab["<|endoftext|>"] if kind == "gpt2" else None
    valid_stream = encode_documents(tok, valid_path, separator)
    length = window_length(kind, checkpoint["training"]["context"])
    masker = MaskedBatches(tok.vocab, vocab_size) if kind == "bert" else None
    unigram = Unigram(encode_documents(tok, train_path, separator), vocab_size)

    metric = "loss" if kind == "gpt2" else "top1"
    keep = ["loss", "perplexity", "tokens"] if kind == "gpt2" else ["top1", "loss", "tokens"]
    model_figures = evaluate(kind, model, valid_stream, length, masker)
    unigram_figures = evaluate(kind, unigram, valid_stream, length, masker)
    result = {
        "model": kind,
        "validation": {
            "metric": "cross-entropy (nats/token) and perplexity" if kind == "gpt2" else "masked-token top-1 accuracy",
            "model": round_all({k: model_figures[k] for k in keep}),
            "unigram_baseline": round_all({k: unigram_figures[k] for k in keep}),
            "better_than_baseline": (model_figures[metric] < unigram_figures[metric]) == (metric == "loss"),
        },
        "training": checkpoint["training"],
    }

    prev = previous_token_scores(model, held_out_inputs(kind, valid_stream, tok.vocab))
    result["previous_token"] = {"text": f"{HELD_OUT_WINDOWS} validation windows of {HELD_OUT_LENGTH} tokens",
                                "best": best_head(prev), "scores": rounded(prev)}
    result["positions"] = position_table(model, kind)
    if kind == "gpt2":
        ind, chance = induction_scores(model, len(specials(kind)), vocab_size, separator)
        result["induction"] = {
            "text": f"{INDUCTION_SEQUENCES} sequences: <|endoftext|> + {INDUCTION_LENGTH} distinct random tokens, twice",
            "best_layer_ge_1": best_head(ind, min_layer=1), "chance": round(chance, 4),
            "scores": rounded(ind)}
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("checkpoint")
    ap.add_argument("--tokenizer", help="default tools/data/bpe-<kind>.json")
    ap.add_argument("--train", default="tools/data/train.txt")
    ap.add_argument("--valid", default="tools/data/valid.txt")
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    kind = torch.load(args.checkpoint, map_location="cpu")["kind"]
    metrics = measure(args.checkpoint, args.tokenizer or f"tools/data/bpe-{kind}.json", args.train, args.valid)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(metrics, indent=2) + "\n")
    summary = {"validation": metrics["validation"], "previous_token": metrics["previous_token"]["best"]}
    if "induction" in metrics:
        summary["induction"] = {k: metrics["induction"][k] for k in ("best_layer_ge_1", "chance")}
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
