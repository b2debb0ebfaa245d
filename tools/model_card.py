"""Write static/models/<name>/README.md (the model card) from metrics.json, config.json and the corpus record.

Usage: /usr/bin/python3 tools/model_card.py --name attnscope-gpt2-kjv
"""

import argparse
import json
from pathlib import Path

import torch

from evaluate import HELD_OUT_LENGTH

ROOT = Path(__file__).resolve().parent.parent

ARCHITECTURE = {
    "gpt2": ("GPT-2 causal language model (transformers' GPT2LMHeadModel layout, pre-LayerNorm, learned positions, "
             "tied input/output embeddings)", "n_layer", "n_head", "n_embd", "n_inner", "n_positions"),
    "bert": ("BERT masked language model (transformers' BertForMaskedLM layout, post-LayerNorm, no pooler, tied "
             "input/output embeddings)", "num_hidden_layers", "num_attention_heads", "hidden_size",
             "intermediate_size", "max_position_embeddings"),
}


def data_section(sources: dict) -> list[str]:
    split = sources["split"]
    lines = ["## Data", "", "| source | Debian package | licence | documents | characters |", "|---|---|---|---|---|"]
    for info in (v for k, v in sources.items() if k != "split"):
        lines.append(f"| {info['title']} | {info['package']} | {info['licence']} | {info['documents']} | {info['chars']:,} |")
    lines += ["", "Left out on purpose: GCIDE (dict-gcide, GPL-2+) and the fortune files (quotations of many authors "
              "with no stated licence), so that the weights derive from public-domain text only.", "",
              f"Cleaning (tools/corpus.py): KJV verse numbers and chapter headings removed, one document per chapter; "
              f"dictionary entries with cross-reference braces, underscores and pronunciation lines removed, typographic "
              f"quotes made ASCII, wrapped lines joined. Documents shuffled deterministically (seed {split['seed']}) and "
              f"split {split['train_documents']} train / {split['valid_documents']} validation documents "
              f"({split['train_chars']:,} / {split['valid_chars']:,} characters)."]
    return lines


def architecture_section(kind: str, config: dict, metrics: dict, onnx_bytes: int) -> list[str]:
    title, layers, heads, width, inner, positions = ARCHITECTURE[kind]
    return ["## Architecture", "", title + ".", "",
            f"{config[layers]} layers × {config[heads]} heads, hidden size {config[width]} (head size "
            f"{config[width] // config[heads]}), MLP {config[inner]}, {config[positions]} positions, vocabulary "
            f"{config['vocab_size']}: {metrics['training']['params']:,} parameters, float32. "
            f"onnx/model.onnx is {onnx_bytes / 1e6:.2f} MB (opset 14, the tied embedding stored once).", "",
            "Tokenizer: byte-level BPE (GPT-2 pre-tokenisation and byte alphabet) trained on the training split by "
            "tools/bpe.py; special tokens take the first ids. Any unicode text round-trips."]


def stages(training: dict) -> list[dict]:
    """The chain of runs, first first: a run started with --init records its parent's training record."""
    chain = [training]
    while "init" in chain[0]:
        chain.insert(0, chain[0]["init"])
    return chain


def share(command: str, flag: str) -> str:
    """A fraction option (--repeat-fraction, --synthetic-fraction) of a training command as a percentage, or ''."""
    words = command.split()
    if flag not in words:
        return ""
    return f"{float(words[words.index(flag) + 1]):.0%}"


def training_section(metrics: dict, note: str) -> list[str]:
    runs = stages(metrics["training"])
    lines = ["## Training", "", "```"] + [t["command"] for t in runs] + ["```", ""]
    for i, t in enumerate(runs, 1):
        kept = t.get("kept_step", t["steps"])
        repeated = share(t["command"], "--repeat-fraction")
        synthetic = share(t["command"], "--synthetic-fraction")
        lines.append(f"{'Stage ' + str(i) + ': ' if len(runs) > 1 else ''}{t['steps']} steps of {t['batch']} windows × "
                     f"{t['context']} tokens ({t['train_tokens_seen']:,} tokens seen) in {t['wall_s'] / 60:.1f} min"
                     + (f"; the weights kept are those of step {kept}, the best validation loss." if kept < t["steps"] else ".")
                     + (f" {repeated} of its windows open with a passage that comes twice (train.py repeat_prefixes), "
                        "as quoted text does: this teaches copying from context (induction)." if repeated else "")
                     + (f" {synthetic} of its windows open with <|endoftext|> and a run of 8–96 uniformly random "
                        "tokens written twice (train.py synthetic_repeats), then the text goes on: only copying from "
                        "the first run predicts the second, which trains a previous-token head and an induction head "
                        "reading it. The head tests below use other random runs (evaluate.py) and held-out text."
                        if synthetic else ""))
    total = sum(t["wall_s"] for t in runs) / 60
    lines += ["", "AdamW (β 0.9/0.98, weight decay 0.01 on matrices), linear warm-up, then cosine decay to 10% of the "
              "peak over the run (over the wall-clock budget when --time-budget is given), gradient clipping 1.0, no "
              "dropout; a stage with --init starts from the previous stage's weights with a fresh optimizer. "
              f"Total wall time {total:.1f} min on a 2-core CPU (PyTorch {torch.__version__})"
              + (f": {note}" if note else ".")]
    return lines


def evaluation_section(kind: str, metrics: dict) -> list[str]:
    v = metrics["validation"]
    m, u = v["model"], v["unigram_baseline"]
    lines = ["## Evaluation (tools/evaluate.py, figures in metrics.json)", ""]
    if kind == "gpt2":
        lines += ["| on the validation split | this model | unigram baseline |", "|---|---|---|",
                  f"| cross-entropy (nats/token) | {m['loss']:.3f} | {u['loss']:.3f} |",
                  f"| perplexity | {m['perplexity']:.1f} | {u['perplexity']:.1f} |",
                  "", f"{m['tokens']:,} predicted tokens in non-overlapping 256-token windows."]
    else:
        lines += ["| on the validation split | this model | unigram baseline |", "|---|---|---|",
                  f"| masked-token top-1 accuracy | {m['top1']:.1%} | {u['top1']:.1%} |",
                  f"| masked-token cross-entropy (nats) | {m['loss']:.3f} | {u['loss']:.3f} |",
                  "", f"{m['tokens']:,} masked tokens (15%, 80/10/10 rule, fixed seed) in non-overlapping windows; "
                  "the baseline always predicts the most frequent training token."]
    lines += ["", "The unigram baseline predicts every token from its training-split frequency (add-one smoothed)."]
    return lines


def heads_section(kind: str, metrics: dict) -> list[str]:
    p = metrics["previous_token"]
    best = p["best"]
    lines = ["## Heads (measured in PyTorch on held-out text)", "",
             f"- Previous-token head: layer {best['layer']}, head {best['head']} (0-based) puts on average "
             f"{best['score']:.3f} of its attention on the previous token ({p['text']})."
             + previous_token_verdict(kind, best["score"]) + positions_note(metrics.get("positions"))]
    if kind == "gpt2":
        i = metrics["induction"]
        b = i["best_layer_ge_1"]
        lines.append(f"- Induction: on {i['text']}, layer {b['layer']}, head {b['head']} attends from second-copy "
                     f"tokens to the token after their first occurrence with mean weight {b['score']:.3f} "
                     f"(chance, uniform over the prefix: {i['chance']:.3f})."
                     + induction_verdict(b["score"], i["chance"]))
    lines += ["", "Per-head score matrices ([layer][head]) are in metrics.json."]
    return lines


def previous_token_verdict(kind: str, score: float) -> str:
    if score > 0.5:
        return " A clear previous-token head."
    # What uniform attention would put on the previous token in the held-out windows (evaluate.py).
    length = HELD_OUT_LENGTH
    uniform = 1 / length if kind == "bert" else sum(1 / (i + 1) for i in range(1, length)) / (length - 1)
    shape = ("still uniform: the attention does not depend on the tokens yet" if score < 1.5 * uniform else
             "spread over several recent tokens (and the token itself) rather than focused on the previous one")
    return (f" That is below the 0.5 a clear previous-token head shows (uniform attention would give {uniform:.3f}): "
            f"the heads of this short training are {shape}.")


def positions_note(positions: dict | None) -> str:
    """What the position embeddings say about why the heads are (or are not) positional."""
    if not positions:
        return ""
    figures = (f"standard deviation {positions['position_std']:.3f} against the word embeddings' "
               f"{positions['word_std']:.3f}; neighbouring positions have mean cosine {positions['cosine_next']:.2f}, "
               f"positions 10 apart {positions['cosine_10_apart']:.2f}")
    if positions["cosine_next"] - positions["cosine_10_apart"] < 0.2:
        return (f" The learned position embeddings are weak and barely local ({figures}), so a query cannot yet single "
                "out the token before it.")
    return f" Position embeddings: {figures}."


def induction_verdict(score: float, chance: float) -> str:
    ratio = score / chance
    if ratio > 3:
        return f" That is {ratio:.0f} times chance: an induction head."
    if ratio > 1.5:
        return f" That is {ratio:.1f} times chance: a weak induction signal, not a clear induction head."
    return " That is chance level: no induction head has formed."


def render(name: str, note: str) -> str:
    folder = ROOT / "static" / "models" / name
    metrics = json.loads((folder / "metrics.json").read_text())
    config = json.loads((folder / "config.json").read_text())
    sources = json.loads((ROOT / "tools" / "data" / "sources.json").read_text())
    kind = metrics["model"]
    onnx_bytes = (folder / "onnx" / "model.onnx").stat().st_size
    purpose = "next-token prediction" if kind == "gpt2" else "masked-token prediction"
    lines = [f"# {name}", "",
             f"A small {kind.upper() if kind == 'bert' else 'GPT-2'} ({purpose}) trained by the attnscope project on "
             "public-domain English (King James Bible, The Devil's Dictionary, The Jargon File), bundled with the app "
             "so attention can be shown offline. It is a teaching and visualisation model: its text is "
             "archaic and often wrong; do not use it for anything else.", ""]
    lines += data_section(sources) + [""] + architecture_section(kind, config, metrics, onnx_bytes) + [""]
    lines += training_section(metrics, note) + [""] + evaluation_section(kind, metrics) + [""]
    lines += heads_section(kind, metrics) + [""]
    lines += ["## Files", "",
              "config.json, tokenizer.json, tokenizer_config.json (loaded by @huggingface/transformers), onnx/model.onnx, "
              "reference.json (attention of the PyTorch model for three texts, which the app's engine must reproduce), "
              "metrics.json.", "",
              "## Reproduce", "", "`tools/make_bundled_models.sh` (see tools/README.md, section Bundled models).", ""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--name", required=True)
    ap.add_argument("--note", default="", help="how the training run went, e.g. the load on the machine")
    args = ap.parse_args()
    path = ROOT / "static" / "models" / args.name / "README.md"
    path.write_text(render(args.name, args.note))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
