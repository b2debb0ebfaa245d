#!/usr/bin/env bash
# Rebuild the bundled models from scratch: corpus -> tokenizer -> training -> ONNX export + reference attention
# (checked in transformers.js and onnxruntime-node) -> evaluation -> model card. About an hour on 2 CPU cores.
# Needs Debian's python3-torch, python3-onnx, python3-regex and the packages bible-kjv dict-devil dict-jargon.
# Usage: tools/make_bundled_models.sh            (intermediate files go to tools/data/, which git ignores)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
GPT2_NAME=attnscope-gpt2-kjv
BERT_NAME=attnscope-bert-kjv
COMMON=(--layers 4 --heads 4 --d-model 128 --context 256 --batch 16 --seed 1234)

$PY tools/corpus.py
$PY tools/bpe.py --vocab-size 4096 --special '<|endoftext|>' --out tools/data/bpe-gpt2.json
$PY tools/bpe.py --vocab-size 4096 --special '[PAD]' --special '[UNK]' --special '[CLS]' --special '[SEP]' \
  --special '[MASK]' --out tools/data/bpe-bert.json

build() {  # kind name train-args...
  local kind=$1 name=$2
  shift 2
  rm -f "tools/data/train-$kind.jsonl"
  $PY tools/train.py "$kind" "${COMMON[@]}" "$@"
  $PY tools/export_model.py "tools/data/$kind.pt" --name "$name"
  $PY tools/evaluate.py "tools/data/$kind.pt" --out "static/models/$name/metrics.json"
  $PY tools/model_card.py --name "$name"
}

build gpt2 "$GPT2_NAME" --steps 450 --warmup 30 --lr 2e-3 --eval-every 150
build bert "$BERT_NAME" --steps 400 --warmup 40 --lr 1e-3 --eval-every 200
