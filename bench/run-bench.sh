#!/usr/bin/env bash
# make bench: the front end's cost per 20 ms frame, and the C anchors on the same audio.
# Usage: bench/run-bench.sh VOICEGATE_BINARY
set -euo pipefail
bin=$(realpath "$1")
py=var/venv/bin/python
mkdir -p bench/out
audio=bench/out/call.wav
echo "== VoiceGate front end (generated 60 s call; median of passes) =="
"$bin" bench --passes 15 --save-audio "$audio" | tee bench/out/voicegate.json
echo "== keyword spotter while listening (front end every frame + spotter per utterance) =="
"$bin" bench spotter --passes 15 | tee bench/out/spotter.json
gcc -O2 -o bench/out/spandsp_dtmf eval/spandsp_dtmf.c $(pkg-config --cflags --libs spandsp)
echo "== spandsp dtmf_rx, same audio =="
bench/out/spandsp_dtmf --bench 15 "$audio" | tee bench/out/spandsp.txt
echo "== WebRTC VAD (webrtcvad-wheels), same audio =="
"$py" bench/webrtcvad_bench.py "$audio" --passes 15 | tee bench/out/webrtcvad.json
"$py" - <<'PY'
import json
vg = json.load(open("bench/out/voicegate.json"))["ns_per_frame"]
sp = float(next(l.split()[1] for l in open("bench/out/spandsp.txt") if l.startswith("ns_per_20ms_frame")))
wr = json.load(open("bench/out/webrtcvad.json"))
print("== ratios (per 20 ms frame) ==")
print(f"DTMF: VoiceGate {vg['dtmf']:.0f} ns vs spandsp {sp:.0f} ns  -> spandsp/VoiceGate = {sp / vg['dtmf']:.2f}")
print(f"VAD:  VoiceGate {vg['vad_endpointer']:.0f} ns vs WebRTC {wr['webrtcvad_ns_per_20ms_frame_est']:.0f} ns (est., raw {wr['webrtcvad_ns_per_20ms_frame_raw']:.0f})"
      f"  -> WebRTC/VoiceGate = {wr['webrtcvad_ns_per_20ms_frame_est'] / vg['vad_endpointer']:.2f}")
print(f"Front end (PCMU decode + VAD + DTMF): {vg['front_end_pcmu']:.0f} ns per frame = {20e6 / vg['front_end_pcmu']:.0f} calls per core in real time")
PY
