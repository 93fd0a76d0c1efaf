#!/usr/bin/env bash
# Keyword spotting on the labelled corpus: VoiceGate and raw PocketSphinx on the same files.
# Usage: eval/run-kws-eval.sh VOICEGATE_BINARY SHARED_DIR SEED [kws_eval.py options, e.g. --menu M.yaml]
#        (report seed 1002; tune on 1001)
set -euo pipefail
bin=$(realpath "$1"); shared=$2; seed=${3:-1002}; shift $(( $# < 3 ? $# : 3 ))
py=var/venv/bin/python
corpus=var/corpus-$seed
if [ ! -f "$corpus/labels.jsonl" ]; then
  [ -f "$shared/corpus/make_corpus.py" ] || { echo "eval: $shared/corpus/make_corpus.py not found (set SHARED=...)" >&2; exit 2; }
  "$py" "$shared/corpus/make_corpus.py" --out "$corpus" --split dev --seed "$seed" >&2
fi
mkdir -p eval/out
echo "== Keywords (corpus seed $seed) =="
"$py" eval/kws_eval.py --corpus "$corpus" --voicegate "$bin" "$@" | tee eval/out/kws-$seed.txt
