#!/usr/bin/env bash
# make train-keywords: synthesise the espeak-ng training speech and train the keyword models,
# Models/keywords-en.json and Models/keywords-zh.json (fixed seeds). One language:
# KWS_LANGUAGES=zh make train-keywords.
#
# English is an ensemble (scripts/keywords/ensemble.py): networks trained by the same recipe on
# two independently synthesised speech sets (12,400 utterances each) with their own seeds, one
# with per-band mean normalisation and one with mean and variance; the spotter averages their
# posteriors. One network's accuracy in noise varies by several points from one training seed
# to the next; the average of two varies much less (BENCHMARKS.md, keyword spotting). On 2 idle cores: ~3 min of synthesis per set and ~6 min of training per network.
# The threshold is the one tuned on the corpus tuning draws (KWS_THRESHOLD to override).
# Mandarin is built the same way from its own speech sets.
# Adding a keyword: add the phrase to scripts/keywords/vocabulary.py (vocabulary_zh.py for
# Mandarin: UNITS, and sentences for it), run this, and commit the new model; menu phrases that
# contain a unit's phrase need no retraining.
set -euo pipefail
venv=var/kws-venv
if [ ! -f "$venv/.ok" ] || [ scripts/keywords/requirements.txt -nt "$venv/.ok" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r scripts/keywords/requirements.txt
  touch "$venv/.ok"
fi
mkdir -p var/keywords
cd scripts/keywords
py=../../$venv/bin/python
for lang in ${KWS_LANGUAGES:-en zh}; do
  case $lang in
    en)
      # One ensemble member per entry: speech seed:training seed:normalisation (mv = mean and
      # variance). The first member's trunk also makes enrolled phrases' templates.
      members=${KWS_EN_MEMBERS:-"20261126:20261124:mean 20261125:20261123:mv"}
      threshold=${KWS_THRESHOLD:-0.3}
      outs=() pids=()
      for member in $members; do
        IFS=: read -r speech seed norm <<<"$member"
        [ "$norm" = mv ] && norm="mean and variance"
        npz=../../var/keywords/speech-en-$speech.npz
        [ -f "$npz" ] || $py synth.py --language en --out "$npz" --seed "$speech" --per-unit 320 --negatives 4400
        out=../../var/keywords/keywords-en-$speech-$seed.json
        # One thread per network, both at once: the committed networks were trained this way,
        # and the thread count changes torch's arithmetic (bit-identical weights need the same).
        $py train.py --language en --speech "$npz" --out "$out" --seed "$seed" --epochs "${KWS_EPOCHS:-24}" \
          --normalise "$norm" --threshold "$threshold" --threads 1 > "$out.log" 2>&1 &
        pids+=($!)
        outs+=("$out")
      done
      for pid in "${pids[@]}"; do wait "$pid" || { echo "train-keywords: a $lang network failed (see var/keywords/*.log)" >&2; exit 1; }; done
      $py ensemble.py --out ../../Models/keywords-en.json --threshold "$threshold" \
        --note "best 10 dB intent accuracy with distractor false accepts <= 3% pooled and <= 5% on each of the corpus tuning draws 1001, 2001-2010 (BENCHMARKS.md)" \
        "${outs[@]}"
      ;;
    zh)
      # The same two-network recipe on Mandarin speech sets of 7,640 utterances, 12 epochs.
      members=${KWS_ZH_MEMBERS:-"20261126:20261124:mean 20261125:20261123:mv"}
      threshold=${KWS_THRESHOLD:-0.7}   # tuned on eval/make_zh_set.py seeds 8-11
      outs=() pids=()
      for member in $members; do
        IFS=: read -r speech seed norm <<<"$member"
        [ "$norm" = mv ] && norm="mean and variance"
        npz=../../var/keywords/speech-zh-$speech.npz
        [ -f "$npz" ] || $py synth.py --language zh --out "$npz" --seed "$speech" --per-unit 220 --negatives 2800
        out=../../var/keywords/keywords-zh-$speech-$seed.json
        # One thread per network, both at once: the committed networks were trained this way,
        # and the thread count changes torch's arithmetic (bit-identical weights need the same).
        $py train.py --language zh --speech "$npz" --out "$out" --seed "$seed" --epochs "${KWS_EPOCHS:-12}" \
          --normalise "$norm" --threshold "$threshold" --threads 1 > "$out.log" 2>&1 &
        pids+=($!)
        outs+=("$out")
      done
      for pid in "${pids[@]}"; do wait "$pid" || { echo "train-keywords: a $lang network failed (see var/keywords/*.log)" >&2; exit 1; }; done
      $py ensemble.py --out ../../Models/keywords-zh.json --threshold "$threshold" \
        --note "best 10 dB intent accuracy with distractor false accepts <= 3% pooled and <= 5% on each of the tuning sets of eval/make_zh_set.py seeds 8-11 (BENCHMARKS.md)" \
        "${outs[@]}"
      ;;
    *) echo "train-keywords: no vocabulary for language '$lang'" >&2; exit 2 ;;
  esac
done
