"""Train the bundled models: a GPT-2 causal LM or a BERT masked LM on the corpus of tools/corpus.py.

Usage:
  /usr/bin/python3 tools/train.py gpt2 --steps 3000 --out tools/data/gpt2.pt
  /usr/bin/python3 tools/train.py bert --steps 3000 --out tools/data/bert.pt
  python3 tools/train.py gpt2 --device cuda ...   (any PyTorch >= 1.13; the checkpoint is saved with CPU tensors)
The checkpoint holds the model config, the state dict and the training record used by the model card.
"""

import argparse
import copy
import dataclasses
import json
import math
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).parent))
from bpe import Tokenizer  # noqa: E402
from modeling import MODEL_CLASSES  # noqa: E402

GPT2_SPECIALS = ["<|endoftext|>"]
BERT_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def specials(kind: str) -> list[str]:
    return GPT2_SPECIALS if kind == "gpt2" else BERT_SPECIALS


def model_config(kind: str, args, vocab_size: int) -> dict:
    """Hub-style config.json fields for the two architectures."""
    if kind == "gpt2":
        return {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "vocab_size": vocab_size,
                "n_positions": args.context, "n_embd": args.d_model, "n_layer": args.layers, "n_head": args.heads,
                "n_inner": 4 * args.d_model, "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5,
                "resid_pdrop": args.dropout, "embd_pdrop": args.dropout, "attn_pdrop": args.dropout,
                "initializer_range": 0.02, "bos_token_id": 0, "eos_token_id": 0, "tie_word_embeddings": True}
    return {"model_type": "bert", "architectures": ["BertForMaskedLM"], "vocab_size": vocab_size,
            "max_position_embeddings": args.context, "hidden_size": args.d_model, "num_hidden_layers": args.layers,
            "num_attention_heads": args.heads, "intermediate_size": 4 * args.d_model, "hidden_act": "gelu",
            "hidden_dropout_prob": args.dropout, "attention_probs_dropout_prob": args.dropout, "type_vocab_size": 2,
            "layer_norm_eps": 1e-12, "initializer_range": 0.02, "pad_token_id": 0, "tie_word_embeddings": True}


def build_model(config: dict) -> torch.nn.Module:
    """The modeling.py class for a Hub-style config dict (keys the dataclass lacks are Hub-only)."""
    config_cls, model_cls = MODEL_CLASSES[config["model_type"]]
    names = {f.name for f in dataclasses.fields(config_cls)}
    return model_cls(config_cls(**{k: v for k, v in config.items() if k in names}))


def encode_documents(tok: Tokenizer, path: str, separator: int | None) -> torch.Tensor:
    """Token stream of a corpus file; documents are separated by a blank line (and by `separator`)."""
    ids: list[int] = []
    for doc in Path(path).read_text(encoding="utf-8").split("\n\n"):
        if doc.strip():
            ids += tok.encode(doc.strip())
            if separator is not None:
                ids.append(separator)
    return torch.tensor(ids, dtype=torch.long)


class MaskedBatches:
    """BERT inputs: [CLS] window [SEP], 15% of window tokens chosen; of those 80% [MASK], 10% random, 10% kept."""

    def __init__(self, vocab: dict[str, int], vocab_size: int):
        self.cls, self.sep, self.mask = vocab["[CLS]"], vocab["[SEP]"], vocab["[MASK]"]
        self.first_regular = len(BERT_SPECIALS)
        self.vocab_size = vocab_size

    def __call__(self, windows: torch.Tensor, gen: torch.Generator) -> dict[str, torch.Tensor]:
        b = windows.shape[0]
        ids = torch.cat([torch.full((b, 1), self.cls), windows, torch.full((b, 1), self.sep)], dim=1)
        chosen = torch.rand(ids.shape, generator=gen) < 0.15
        chosen[:, 0] = chosen[:, -1] = False
        labels = torch.where(chosen, ids, torch.full_like(ids, -100))
        roll = torch.rand(ids.shape, generator=gen)
        random_ids = torch.randint(self.first_regular, self.vocab_size, ids.shape, generator=gen)
        inputs = torch.where(chosen & (roll < 0.8), torch.full_like(ids, self.mask), ids)
        inputs = torch.where(chosen & (roll >= 0.8) & (roll < 0.9), random_ids, inputs)
        return {"input_ids": inputs, "attention_mask": torch.ones_like(ids),
                "token_type_ids": torch.zeros_like(ids), "labels": labels}


def window_length(kind: str, context: int) -> int:
    # GPT-2 predicts token t+1 from a context of `context` tokens; BERT adds [CLS] and [SEP].
    return context + 1 if kind == "gpt2" else context - 2


def sample_windows(stream: torch.Tensor, n: int, length: int, gen: torch.Generator) -> torch.Tensor:
    starts = torch.randint(0, len(stream) - length, (n,), generator=gen)
    return stream[starts.unsqueeze(1) + torch.arange(length)]


def repeat_prefixes(windows: torch.Tensor, fraction: float, gen: torch.Generator) -> torch.Tensor:
    """In about `fraction` of the windows, the first m tokens (16 <= m <= half the window) come twice, then the text
    goes on: passages quoted again later, as text often does, from which a model learns to copy (induction heads)."""
    out = windows.clone()
    length = windows.shape[1]
    chosen = torch.rand(len(windows), generator=gen) < fraction
    prefix_lengths = torch.randint(16, length // 2 + 1, (len(windows),), generator=gen)
    for row in torch.nonzero(chosen).flatten().tolist():
        m = int(prefix_lengths[row])
        out[row, m:] = windows[row, : length - m]
    return out


def synthetic_repeats(windows: torch.Tensor, fraction: float, separator: int, first_regular: int, vocab_size: int,
                      gen: torch.Generator) -> torch.Tensor:
    """In about `fraction` of the windows, the opening becomes <|endoftext|> r r with r a run of 8..96 uniformly random
    tokens, then the text goes on. Only in-context copying predicts the second r, so these windows teach what text
    alone teaches slowly: a previous-token head and an induction head reading it."""
    out = windows.clone()
    chosen = torch.rand(len(windows), generator=gen) < fraction
    run_lengths = torch.randint(8, 97, (len(windows),), generator=gen)
    for row in torch.nonzero(chosen).flatten().tolist():
        m = int(run_lengths[row])
        run = torch.randint(first_regular, vocab_size, (m,), generator=gen)
        out[row, 0] = separator
        out[row, 1 : 1 + m] = run
        out[row, 1 + m : 1 + 2 * m] = run
    return out


def head_findings(model, valid_stream: torch.Tensor, vocab: dict, kind: str, device: str) -> dict:
    """Best previous-token and (GPT-2) induction head, as evaluate.py measures them (on the CPU), to watch them form."""
    from evaluate import best_head, held_out_inputs, induction_scores, previous_token_scores

    probe = copy.deepcopy(model).cpu().eval()
    found = {"previous_token": best_head(previous_token_scores(probe, held_out_inputs(kind, valid_stream, vocab)))}
    if kind == "gpt2":
        scores, chance = induction_scores(probe, len(specials(kind)), len(vocab), vocab["<|endoftext|>"])
        found["induction"] = {**best_head(scores, min_layer=1), "chance": round(chance, 4)}
    return found


def loss_on(kind: str, model, windows: torch.Tensor, masker, gen, device: str = "cpu") -> tuple[torch.Tensor, int, int]:
    """Mean loss, number of predicted tokens and number of correct top-1 predictions."""
    if kind == "gpt2":
        windows = windows.to(device)
        logits = model(input_ids=windows[:, :-1]).logits
        labels = windows[:, 1:]
    else:
        batch = {name: t.to(device) for name, t in masker(windows, gen).items()}
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                       token_type_ids=batch["token_type_ids"]).logits
        labels = batch["labels"]
    flat, target = logits.reshape(-1, logits.shape[-1]), labels.reshape(-1)
    loss = F.cross_entropy(flat, target, ignore_index=-100)
    predicted = target != -100
    correct = int((flat.argmax(-1)[predicted] == target[predicted]).sum())
    return loss, int(predicted.sum()), correct


@torch.no_grad()
def evaluate(kind: str, model, stream: torch.Tensor, length: int, masker, batch: int = 16, device: str = "cpu") -> dict:
    """Loss over consecutive non-overlapping windows of the validation stream (fixed masking seed for BERT)."""
    model.eval()
    gen = torch.Generator().manual_seed(0)
    n = (len(stream) - 1) // length
    windows = stream[: n * length + (1 if kind == "gpt2" else 0)]
    total, count, correct = 0.0, 0, 0
    for i in range(0, n, batch):
        rows = [windows[j * length : j * length + length] for j in range(i, min(n, i + batch))]
        loss, k, c = loss_on(kind, model, torch.stack(rows), masker, gen, device)
        total, count, correct = total + float(loss) * k, count + k, correct + c
    model.train()
    return {"loss": total / count, "perplexity": math.exp(total / count), "top1": correct / count, "tokens": count}


def progress_at(step: int, elapsed: float, args) -> float:
    """Fraction of the run done: of the steps, or of the time budget when that runs out first."""
    fraction = step / args.steps
    if args.time_budget:
        fraction = max(fraction, elapsed / args.time_budget)
    return min(1.0, fraction)


def lr_at(step: int, progress: float, args) -> float:
    """Linear warm-up over the first steps, then cosine decay to 10% of the peak as progress goes to 1."""
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    return args.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def train(args) -> None:
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.backends.cuda.matmul.allow_tf32 = True
    tok = Tokenizer.load(args.tokenizer)
    separator = tok.vocab["<|endoftext|>"] if args.kind == "gpt2" else None
    train_stream = encode_documents(tok, args.train, separator)
    valid_stream = encode_documents(tok, args.valid, separator)
    config = model_config(args.kind, args, len(tok.vocab))
    model = build_model(config)
    parent = None
    if args.init:  # continue from an earlier run's weights (fresh optimizer and schedule)
        parent = torch.load(args.init, map_location="cpu")
        assert parent["config"] == config, "--init checkpoint has a different architecture"
        model.load_state_dict(parent["state_dict"])
    model.to(args.device)
    masker = MaskedBatches(tok.vocab, len(tok.vocab)) if args.kind == "bert" else None
    length = window_length(args.kind, args.context)
    n_params = sum(p.numel() for p in model.parameters())
    log(args, {"event": "start", "params": n_params, "train_tokens": len(train_stream),
               "valid_tokens": len(valid_stream), "config": config, "args": vars(args)})

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.98))
    gen = torch.Generator().manual_seed(args.seed)
    started = time.time()
    steps_done = 0
    best = None  # (validation loss, step, state dict) of the best evaluation so far
    for step in range(args.steps):
        progress = progress_at(step, time.time() - started, args)
        if progress >= 1.0:
            break
        lr = lr_at(step, progress, args)
        for group in opt.param_groups:
            group["lr"] = lr
        windows = sample_windows(train_stream, args.batch, length, gen)
        if args.repeat_fraction:
            windows = repeat_prefixes(windows, args.repeat_fraction, gen)
        if args.synthetic_fraction:
            windows = synthetic_repeats(windows, args.synthetic_fraction, separator, len(specials(args.kind)),
                                        len(tok.vocab), gen)
        loss, _, _ = loss_on(args.kind, model, windows, masker, gen, args.device)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        steps_done = step + 1
        if step % args.log_every == 0 or step == args.steps - 1:
            elapsed = time.time() - started
            log(args, {"step": step, "loss": round(float(loss), 4), "lr": round(lr, 6),
                       "elapsed_s": round(elapsed, 1),
                       "tokens_per_s": round((step + 1) * args.batch * length / elapsed, 1)})
        if args.eval_every and step and step % args.eval_every == 0:
            valid = evaluate(args.kind, model, valid_stream, length, masker, device=args.device)
            log(args, {"step": step, "valid": valid, "heads": head_findings(model, valid_stream, tok.vocab, args.kind, args.device)})
            if best is None or valid["loss"] < best[0]:
                best = (valid["loss"], step + 1, copy.deepcopy(model.state_dict()))

    wall = time.time() - started
    valid = evaluate(args.kind, model, valid_stream, length, masker, device=args.device)
    kept_step = steps_done
    if best is not None and best[0] < valid["loss"]:  # early stopping: keep the weights that generalised best
        _, kept_step, state = best
        model.load_state_dict(state)
        valid = evaluate(args.kind, model, valid_stream, length, masker, device=args.device)
    record = {"steps": steps_done, "kept_step": kept_step, "batch": args.batch, "context": args.context,
              "wall_s": round(wall, 1), "train_tokens_seen": steps_done * args.batch * length, "valid": valid,
              "params": n_params, "device": device_name(args.device), "torch": torch.__version__,
              "command": " ".join(["python3", "tools/train.py"] + sys.argv[1:])}
    if parent:
        record["init"] = parent["training"]
    log(args, {"event": "done", **record})
    state = {name: t.cpu() for name, t in model.state_dict().items()}
    torch.save({"kind": args.kind, "config": config, "state_dict": state, "training": record}, args.out)


def device_name(device: str) -> str:
    return torch.cuda.get_device_name(device) if device.startswith("cuda") else "CPU"


def load_checkpoint(path: str) -> tuple[dict, torch.nn.Module]:
    """The saved checkpoint dict and its model, in eval mode."""
    checkpoint = torch.load(path, map_location="cpu")
    model = build_model(checkpoint["config"])
    model.load_state_dict(checkpoint["state_dict"])
    return checkpoint, model.eval()


def log(args, entry: dict) -> None:
    line = json.dumps(entry)
    print(line, flush=True)
    if args.log:
        with open(args.log, "a") as f:
            f.write(line + "\n")


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("kind", choices=["gpt2", "bert"])
    ap.add_argument("--train", default="tools/data/train.txt")
    ap.add_argument("--valid", default="tools/data/valid.txt")
    ap.add_argument("--tokenizer", help="default tools/data/bpe-<kind>.json")
    ap.add_argument("--out", help="default tools/data/<kind>.pt")
    ap.add_argument("--log", help="JSON-lines log file (default tools/data/train-<kind>.jsonl)")
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--d-model", type=int, default=128)
    ap.add_argument("--context", type=int, default=256)
    ap.add_argument("--dropout", type=float, default=0.0)
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--time-budget", type=float, default=0,
                    help="seconds; when set, the LR schedule follows elapsed time too and training stops at the budget")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--init", help="checkpoint whose weights to start from (same architecture)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--log-every", type=int, default=20)
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    ap.add_argument("--repeat-fraction", type=float, default=0.0,
                    help="share of training windows whose opening passage is repeated (see repeat_prefixes)")
    ap.add_argument("--synthetic-fraction", type=float, default=0.0,
                    help="GPT-2: share of training windows that open with a random run repeated (see synthetic_repeats)")
    ap.add_argument("--eval-every", type=int, default=500,
                    help="steps between validation runs; the best validation loss's weights are the ones saved")
    args = ap.parse_args(argv)
    args.tokenizer = args.tokenizer or f"tools/data/bpe-{args.kind}.json"
    args.out = args.out or f"tools/data/{args.kind}.pt"
    args.log = args.log or f"tools/data/train-{args.kind}.jsonl"
    return args


if __name__ == "__main__":
    train(parse_args())
