#!/usr/bin/env bash
# make train-keywords: synthesise the espeak-ng training speech and train the keyword models,
# Models/keywords-en.json and Models/keywords-zh.json (fixed seeds). One language:
# KWS_LANGUAGES=zh make train-keywords.
#
# Each model is an ensemble (scripts/keywords/ensemble.py): two networks trained by the same
# recipe on two independently synthesised speech sets with their own seeds, one over per-band
# mean-normalised features and one over mean-and-variance-normalised ones; the spotter averages
# their posteriors. One network's accuracy in noise varies by several points from one training
# seed to the next; the average of two varies much less (BENCHMARKS.md, keyword spotting).
# The first network's trunk also makes enrolled phrases' templates (voicegate enroll-keywords).
# On 2 idle cores: English ~3 min of synthesis per set and ~10 min of training (both networks
# at once), Mandarin about a third of that. The thresholds are the ones tuned on the tuning
# draws (KWS_THRESHOLD overrides); KWS_EN_MEMBERS / KWS_ZH_MEMBERS list the networks as
# "speech seed:training seed:normalisation" (mv = mean and variance).
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

# ensemble LANG "MEMBERS" SYNTH_ARGS EPOCHS THRESHOLD NOTE: Models/keywords-LANG.json.
ensemble() {
  local lang=$1 members=$2 synth_args=$3 epochs=$4 threshold=$5 note=$6
  local outs=() pids=() member speech seed norm npz out pid
  for member in $members; do
    IFS=: read -r speech seed norm <<<"$member"
    [ "$norm" = mv ] && norm="mean and variance"
    npz=../../var/keywords/speech-$lang-$speech.npz
    # shellcheck disable=SC2086  # synth_args is a list of options
    [ -f "$npz" ] || $py synth.py --language "$lang" --out "$npz" --seed "$speech" $synth_args
    out=../../var/keywords/keywords-$lang-$speech-$seed.json
    # One thread per network, both at once: the committed networks were trained this way, and
    # the thread count changes torch's arithmetic (bit-identical weights need the same count).
    $py train.py --language "$lang" --speech "$npz" --out "$out" --seed "$seed" --epochs "$epochs" \
      --normalise "$norm" --threshold "$threshold" --threads 1 > "$out.log" 2>&1 &
    pids+=($!)
    outs+=("$out")
  done
  for pid in "${pids[@]}"; do
    wait "$pid" || { echo "train-keywords: a $lang network failed (see var/keywords/keywords-$lang-*.log)" >&2; exit 1; }
  done
  $py ensemble.py --out "../../Models/keywords-$lang.json" --threshold "$threshold" --note "$note" "${outs[@]}"
}

rule="best 10 dB intent accuracy with distractor false accepts <= 3% pooled and <= 5% on each"
for lang in ${KWS_LANGUAGES:-en zh}; do
  case $lang in
    en) ensemble en "${KWS_EN_MEMBERS:-20261126:20261124:mean 20261125:20261123:mv}" \
          "--per-unit 320 --negatives 4400" "${KWS_EPOCHS:-24}" "${KWS_THRESHOLD:-0.3}" \
          "$rule of the corpus tuning draws 1001, 2001-2010 (BENCHMARKS.md)" ;;
    zh) ensemble zh "${KWS_ZH_MEMBERS:-20261126:20261124:mean 20261125:20261123:mv}" \
          "--per-unit 220 --negatives 2800" "${KWS_EPOCHS:-12}" "${KWS_THRESHOLD:-0.7}" \
          "$rule of the tuning sets of eval/make_zh_set.py seeds 8-11 (BENCHMARKS.md)" ;;
    *) echo "train-keywords: no vocabulary for language '$lang'" >&2; exit 2 ;;
  esac
done
