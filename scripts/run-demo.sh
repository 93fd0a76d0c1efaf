#!/usr/bin/env bash
# make demo: one whole call offline through `voicegate simulate` on the
# embedded defaults (Config/menu.yaml, Prompts/, the SQLite demo bank in var/).
# The generated caller says "I'd like to check my balance" during the greeting (heard, but
# not yet understood: keyword spotting is a later issue), then presses 1 for balances,
# types the demo account's last four digits (1234) and PIN (4321#), and listens.
set -euo pipefail
bin=$(realpath "$1")
mkdir -p var/demo
espeak-ng -v en-us -s 150 -w var/demo/speech-22k.wav "I'd like to check my balance"
sox -q var/demo/speech-22k.wav -r 8000 -c 1 -b 16 var/demo/speech.wav
sox -q -n -r 8000 -c 1 -b 16 var/demo/pause.wav trim 0 1.5
sox -q var/demo/pause.wav var/demo/speech.wav var/demo/caller.wav
"$bin" check-config >/dev/null
"$bin" simulate --caller var/demo/caller.wav \
  --dtmf "1@4.0,1@6.0,2@6.3,3@6.6,4@6.9,4@9.0,3@9.3,2@9.6,1@9.9,#@10.2" \
  --heard var/demo/heard.wav --trace var/demo/trace.jsonl --summary
echo >&2
echo "What happened (var/demo/trace.jsonl):" >&2
python3 - <<'PY' >&2
import json
for line in open("var/demo/trace.jsonl"):
    e = json.loads(line)
    if e["type"] in ("node", "lookup"):
        continue
    detail = {k: v for k, v in e.items() if k not in ("t", "type", "node", "play", "context")}
    print(f"  {e['t']:7.2f}s  {e.get('node') or '-':<18} {e['type']:<8} {detail}")
PY
echo "The caller heard var/demo/heard.wav (play it: 'play var/demo/heard.wav', or open it in any audio player)." >&2
