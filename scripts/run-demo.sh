#!/usr/bin/env bash
# make run (until the SIP gateway lands): one demo call through `voicegate simulate` on the embedded
# defaults. A generated caller says "I'd like to check my balance", then types the demo customer's
# account digits and PIN; VoiceGate's real front end and dialog engine answer.
set -euo pipefail
bin=$(realpath "$1")
mkdir -p var/demo
caller=var/demo/caller.wav
# Caller audio: 2.5 s of line silence, a spoken request, then room for the DTMF schedule.
espeak-ng -v en-us -s 150 -w var/demo/speech-raw.wav "I'd like to check my balance"
sox -q -n -r 8000 -c 1 -b 16 var/demo/lead.wav trim 0 9.0
sox -q var/demo/speech-raw.wav -r 8000 -c 1 -b 16 var/demo/speech.wav
sox -q var/demo/lead.wav var/demo/speech.wav var/demo/lead.wav var/demo/lead.wav var/demo/lead.wav "$caller"
"$bin" simulate --caller "$caller" \
  --dtmf "1@9.0,1@16.0,2@16.3,3@16.6,4@16.9,4@21.0,3@21.3,2@21.6,1@21.9,#@22.2" \
  --heard var/demo/heard.wav --trace var/demo/trace.jsonl --summary
echo "demo: the caller heard var/demo/heard.wav (play it with: play var/demo/heard.wav); trace in var/demo/trace.jsonl" >&2
