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
# Both trainings run at once, one thread each, for a fixed wall-clock budget (the LR schedule follows elapsed time), so
# the whole rebuild takes about an hour whatever else the machine is doing. The number of steps therefore depends on
# the machine; for a fixed-length run replace --time-budget with --steps N (the card records N).
COMMON=(--layers 4 --heads 4 --d-model 128 --context 256 --batch 8 --seed 1234 --warmup 30 --steps 5000
        --time-budget 2500 --eval-every 0 --threads 1)

$PY tools/corpus.py
$PY tools/bpe.py --vocab-size 4096 --special '<|endoftext|>' --out tools/data/bpe-gpt2.json
$PY tools/bpe.py --vocab-size 4096 --special '[PAD]' --special '[UNK]' --special '[CLS]' --special '[SEP]' \
  --special '[MASK]' --out tools/data/bpe-bert.json

rm -f tools/data/train-gpt2.jsonl tools/data/train-bert.jsonl
$PY tools/train.py gpt2 "${COMMON[@]}" --lr 2e-3 > tools/data/train-gpt2.log 2>&1 &
gpt2=$!
$PY tools/train.py bert "${COMMON[@]}" --lr 1e-3 > tools/data/train-bert.log 2>&1 &
bert=$!
wait $gpt2
wait $bert

publish() {  # kind name
  $PY tools/export_model.py "tools/data/$1.pt" --name "$2"
  $PY tools/evaluate.py "tools/data/$1.pt" --out "static/models/$2/metrics.json"
  $PY tools/model_card.py --name "$2"
}

publish gpt2 "$GPT2_NAME"
publish bert "$BERT_NAME"
