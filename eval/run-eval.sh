#!/bin/bash
# make eval: generate the report corpus (if missing) and run the accuracy evaluations on it.
# usage: eval/run-eval.sh VOICEGATE_BINARY SHARED_DIR SEED
set -euo pipefail
bin=${1:?voicegate binary}; shared=${2:?shared dir}; seed=${3:?corpus seed}
py=var/venv/bin/python
corpus=var/corpus-$seed
if [ ! -f "$corpus/labels.jsonl" ]; then
  "$py" "$shared/corpus/make_corpus.py" --out "$corpus" --split dev --seed "$seed"
fi
mkdir -p eval/out
"$py" eval/vad_eval.py --corpus "$corpus" --voicegate "$bin" | tee eval/out/vad-$seed.txt
