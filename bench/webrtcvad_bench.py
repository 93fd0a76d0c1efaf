#!/usr/bin/env python3
"""Per-frame cost of WebRTC VAD (webrtcvad-wheels) on the same audio as `voicegate bench`.

WebRTC VAD is C code called through Python, so each call carries interpreter overhead. We
report the raw cost and the cost minus a baseline loop that makes an equally shaped call
to a trivial C builtin (len() of the same frame), which is
our best estimate of the C code alone. Two 10 ms calls make one 20 ms frame.
Usage: webrtcvad_bench.py FILE.wav [--passes N] [--mode M]
"""
import argparse, json, statistics, sys, time, wave

import webrtcvad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("wav")
    ap.add_argument("--passes", type=int, default=9)
    ap.add_argument("--mode", type=int, default=3)
    a = ap.parse_args()
    with wave.open(a.wav) as w:
        if w.getframerate() != 8000 or w.getnchannels() != 1 or w.getsampwidth() != 2:
            sys.exit(f"{a.wav}: need 8 kHz mono PCM16")
        data = w.readframes(w.getnframes())
    frames = [data[i:i + 160] for i in range(0, len(data) - 159, 160)]  # 10 ms = 80 samples
    vad = webrtcvad.Vad(a.mode)

    def run_vad():
        f = vad.is_speech
        for fr in frames:
            f(fr, 8000)

    def run_baseline():
        g = len
        for fr in frames:
            g(fr)

    def median_ns(fn):
        fn()
        times = []
        for _ in range(a.passes):
            t = time.perf_counter_ns(); fn(); times.append(time.perf_counter_ns() - t)
        return statistics.median(times)

    raw = median_ns(run_vad) / len(frames) * 2
    base = median_ns(run_baseline) / len(frames) * 2
    print(json.dumps({"webrtcvad_ns_per_20ms_frame_raw": round(raw, 1),
                      "python_call_baseline_ns": round(base, 1),
                      "webrtcvad_ns_per_20ms_frame_est": round(max(raw - base, 0), 1),
                      "frames_20ms": len(frames) // 2, "mode": a.mode}))


if __name__ == "__main__":
    main()
