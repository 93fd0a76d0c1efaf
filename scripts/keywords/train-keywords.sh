#!/usr/bin/env bash
# make train-keywords: synthesise the espeak-ng training speech and train the English keyword
# model into Models/keywords-en.json (fixed seeds; ~10-30 min on 2 cores). Adding a keyword:
# add the phrase to scripts/keywords/vocabulary.py (UNITS, and sentences for it), run this,
# and commit the new model; menu phrases that contain a unit's phrase need no retraining.
set -euo pipefail
venv=var/kws-venv
seed=${KWS_SEED:-20261123}
if [ ! -f "$venv/.ok" ] || [ scripts/keywords/requirements.txt -nt "$venv/.ok" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r scripts/keywords/requirements.txt
  touch "$venv/.ok"
fi
mkdir -p var/keywords
cd scripts/keywords
../../$venv/bin/python synth.py --out ../../var/keywords/speech.npz --seed "$seed"
../../$venv/bin/python train.py --speech ../../var/keywords/speech.npz --out ../../Models/keywords-en.json \
  --seed "$seed" --epochs "${KWS_EPOCHS:-24}" --threshold "${KWS_THRESHOLD:-0.4}"
