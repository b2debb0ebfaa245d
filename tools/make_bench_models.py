"""Make the benchmark model: a random-weight GPT-2 of GPT-2-small's shape in Hub folder layout.

12 layers x 12 heads, d_model 768, 1024 positions, with the tiny-gpt2 fixture's byte-level BPE (310 ids) so the
embedding stays small and onnx/model.onnx is about 345 MB instead of GPT-2's 500 MB. Weights are transformers'
initialisation (std 0.02) under a fixed seed, so a rerun writes the same model. `npm run bench` runs this when
bench-models/gpt2-small-random/ is missing; bench-models/ is not committed.

Usage: /usr/bin/python3 tools/make_bench_models.py [--out bench-models]
"""

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
import hf_files  # noqa: E402
from bpe import Tokenizer  # noqa: E402
from export_model import export_onnx, write_tokenizer  # noqa: E402
from modeling import GPT2Config, GPT2LMHeadModel, hub_config  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NAME = "gpt2-small-random"
SEED = 20240601
TOKENIZER_SOURCE = ROOT / "tests" / "fixtures" / "models" / "tiny-gpt2" / "tokenizer.json"


def fixture_tokenizer() -> Tokenizer:
    """The byte-level BPE stored in the fixture's tokenizer.json (special tokens are its added_tokens)."""
    data = json.loads(TOKENIZER_SOURCE.read_text(encoding="utf-8"))
    specials = [token["content"] for token in data["added_tokens"]]
    return Tokenizer(data["model"]["vocab"], [tuple(merge) for merge in data["model"]["merges"]], specials)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(ROOT / "bench-models"), help="folder that gets gpt2-small-random/")
    args = ap.parse_args()
    torch.set_num_threads(1)  # the machine is shared; one thread also keeps the float results reproducible

    tok = fixture_tokenizer()
    special_id = tok.vocab[tok.special_tokens[0]]
    config = GPT2Config(vocab_size=len(tok.vocab), n_positions=1024, n_embd=768, n_layer=12, n_head=12,
                        bos_token_id=special_id, eos_token_id=special_id)
    torch.manual_seed(SEED)
    model = GPT2LMHeadModel(config).eval()

    folder = Path(args.out) / NAME
    # Written aside and renamed at the end, so an interrupted run never leaves a folder that looks complete.
    partial = folder.with_name(NAME + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    started = time.monotonic()
    hf_files.write_config(partial, hub_config(config))
    write_tokenizer(partial, "gpt2", tok, config.n_positions)
    export_onnx("gpt2", model, config, partial / "onnx" / "model.onnx")
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    size = (folder / "onnx" / "model.onnx").stat().st_size
    print(f"{folder}: onnx/model.onnx {size / 1e6:.0f} MB, {sum(p.numel() for p in model.parameters()) / 1e6:.1f} M "
          f"parameters, {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
