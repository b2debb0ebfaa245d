"""Export a trained checkpoint as a bundled model folder in Hub layout, with reference attention.

Writes static/models/<name>/{config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx,
reference.json}, then runs tools/check_fixtures.mjs on static/models: transformers.js must tokenize
the reference texts to the same ids and onnxruntime-node must reproduce the PyTorch attention.

Usage: /usr/bin/python3 tools/export_model.py tools/data/gpt2.pt --name attnscope-gpt2-kjv
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import onnx
import torch

sys.path.insert(0, str(Path(__file__).parent))
import hf_files  # noqa: E402
import onnx_export  # noqa: E402
from bpe import Tokenizer  # noqa: E402
from make_fixtures import reference_attention, with_attention_outputs  # noqa: E402
from modeling import hub_config  # noqa: E402
from train import load_checkpoint  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "static" / "models"

# Short, medium and about 60 tokens; the first is the page's sample text (src/lib/models.ts).
REFERENCE_TEXTS = [
    "In the beginning God created the heaven and the earth.",
    "And God said, Let there be light: and there was light. The hacker said unto them, Read the source.",
    "CYNIC, n. A blackguard whose faulty vision sees things as they are, not as they ought to be. "
    "And the kludge was a crock, yet it ran; and the wizard looked upon the code, and behold, it was good.",
]

TOKENIZER_SETTINGS = {
    "gpt2": {"tokenizer_class": "GPT2Tokenizer",
             "roles": {"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>"}},
    "bert": {"tokenizer_class": "BertTokenizer",
             "roles": {"pad_token": "[PAD]", "unk_token": "[UNK]", "cls_token": "[CLS]", "sep_token": "[SEP]",
                       "mask_token": "[MASK]"},
             "prefix": ["[CLS]"], "suffix": ["[SEP]"]},
}


def write_tokenizer(folder: Path, kind: str, tok: Tokenizer, max_length: int) -> None:
    settings = TOKENIZER_SETTINGS[kind]
    hf_files.write_tokenizer(folder, tok.vocab, tok.merges, tok.special_tokens,
                             tokenizer_class=settings["tokenizer_class"], roles=settings["roles"],
                             model_max_length=max_length, prefix=settings.get("prefix", ()),
                             suffix=settings.get("suffix", ()))


def encode(kind: str, tok: Tokenizer, text: str) -> list[int]:
    """The ids transformers.js produces: BERT's post-processor adds [CLS] and [SEP]."""
    ids = tok.encode(text)
    return [tok.vocab["[CLS]"], *ids, tok.vocab["[SEP]"]] if kind == "bert" else ids


def compact(value: float) -> float:
    # 9 significant digits represent a float32 exactly and keep reference.json about half the size.
    return float(f"{value:.9g}")


def reference_cases(kind: str, model, tok: Tokenizer) -> list[dict]:
    cases = []
    for text in REFERENCE_TEXTS:
        ids = encode(kind, tok, text)
        attention = reference_attention(model, ids)
        nested = [[[[compact(v) for v in row] for row in head] for head in layer] for layer in attention.tolist()]
        cases.append({"text": text, "input_ids": ids, "attention": nested})
    return cases


def export_onnx(kind: str, model, config, path: Path) -> onnx.ModelProto:
    torch.manual_seed(0)  # the tracing inputs
    if kind == "gpt2":
        return onnx_export.export_decoder(model, path, config.n_layer, config.n_head, config.n_embd // config.n_head)
    return onnx_export.export_encoder(model, path)


def check_in_engines(name: str, model: onnx.ModelProto) -> None:
    """Tokens in transformers.js and attention in onnxruntime-node against reference.json."""
    with tempfile.TemporaryDirectory() as tmp:
        # check_fixtures.mjs checks every model folder under its root: give it one holding only this model.
        root = Path(tmp) / "models"
        root.mkdir()
        (root / name).symlink_to(BUNDLED / name)
        onnx.save(with_attention_outputs(model), str(Path(tmp) / f"{name}.onnx"))
        check = ["node", str(ROOT / "tools" / "check_fixtures.mjs"), str(root), "--instrumented", tmp]
        subprocess.run(check, check=True, cwd=ROOT)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("checkpoint")
    ap.add_argument("--name", required=True, help="folder under static/models/")
    ap.add_argument("--tokenizer", help="default tools/data/bpe-<kind>.json")
    args = ap.parse_args()
    torch.set_num_threads(1)  # reproducible float results, as for the fixtures

    checkpoint, model = load_checkpoint(args.checkpoint)
    kind, config = checkpoint["kind"], model.config
    tok = Tokenizer.load(args.tokenizer or f"tools/data/bpe-{kind}.json")
    folder = BUNDLED / args.name
    max_length = config.n_positions if kind == "gpt2" else config.max_position_embeddings

    hf_files.write_config(folder, hub_config(config))
    write_tokenizer(folder, kind, tok, max_length)
    # Compact JSON: indented, the nested attention arrays would double the file.
    reference = json.dumps({"cases": reference_cases(kind, model, tok)}, separators=(",", ":"))
    (folder / "reference.json").write_text(reference + "\n", encoding="utf-8")
    exported = export_onnx(kind, model, config, folder / "onnx" / "model.onnx")
    duplicates = onnx_export.duplicated_initializers(exported)
    assert not duplicates, f"duplicated initializers {duplicates}"
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    print(f"{folder}: {size / 1e6:.2f} MB, ops {dict(onnx_export.op_histogram(exported))}")
    check_in_engines(args.name, exported)


if __name__ == "__main__":
    main()
