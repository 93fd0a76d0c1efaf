#!/usr/bin/env python3
"""VAD accuracy on the labelled corpus (../shared/corpus/make_corpus.py).

Compares three detectors on 10 ms frames:
  voicegate  -- `voicegate vad` (all files in one invocation; segments -> frames)
  webrtc     -- WebRTC VAD (webrtcvad-wheels), modes 0-3 on 10 ms frames; the best mode
                (highest F1) is reported per row, and its mode number is shown
  fixed-40   -- a naive fixed threshold: frame energy > -40 dBFS

Frame precision/recall/F1 are computed on the files that contain speech (kind keyword,
distractor, talkoff) against `speech_segments`. False alarms (FA) are the fraction of frames
flagged speech in the noise-only files (kind silence) of the row. DTMF files are not scored
(tones are not speech; the DTMF detector owns them). An utterance (labelled segment) is missed
when no frame inside it is flagged. Onset latency = first flagged frame in
[label start - 100 ms, label end) minus the label start, over detected utterances
("on"); for voicegate also the time the onset was confirmed in real time ("cf": the first
confirmation in [start - 100 ms, end + 100 ms) minus the label start), which is what
barge-in waits for.

Usage:
  python3 eval/vad_eval.py --corpus /tmp/corpus-1001 --voicegate .build/release/voicegate
  ... --json               machine-readable output instead of the table
  ... --vg-args "--hangover-ms 200"   extra options for `voicegate vad` (tuning sweeps)
"""
import argparse
import json
import os
import shlex
import subprocess
import sys

import numpy as np
from scipy.io import wavfile

FRAME_S = 0.01
SPEECH_KINDS = ("keyword", "distractor", "talkoff")
SNR_ROWS = [("clean", None), ("20 dB", 20), ("10 dB", 10), ("5 dB", 5), ("0 dB", 0)]
NOISES = ("white", "pink", "babble")


def load_corpus(corpus):
    labels = []
    with open(os.path.join(corpus, "labels.jsonl")) as f:
        for line in f:
            lab = json.loads(line)
            if lab["kind"] not in SPEECH_KINDS and lab["kind"] != "silence":
                continue
            sr, x = wavfile.read(os.path.join(corpus, lab["file"]))
            if x.dtype != np.int16:
                raise SystemExit("%s: expected 16-bit PCM" % lab["file"])
            lab["sr"] = sr
            lab["pcm"] = x
            n = len(x) // (sr // 100)
            lab["nframes"] = n
            truth = np.zeros(n, dtype=bool)
            for a, b in lab["speech_segments"]:
                truth[int(round(a / FRAME_S)):int(round(b / FRAME_S))] = True
            lab["truth"] = truth
            labels.append(lab)
    return labels


def segments_to_mask(segments, n):
    m = np.zeros(n, dtype=bool)
    for a, b in segments:
        m[int(round(a / FRAME_S)):int(round(b / FRAME_S))] = True
    return m


def run_voicegate(binary, corpus, labels, extra):
    paths = [os.path.join(corpus, lab["file"]) for lab in labels]
    cmd = [binary, "vad", "--frames"] + shlex.split(extra) + paths
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit("voicegate vad failed with exit code %d" % out.returncode)
    by_file = {}
    for line in out.stdout.splitlines():
        obj = json.loads(line)
        by_file[obj["file"]] = obj
    masks = {lab["file"]: segments_to_mask(by_file[p]["segments"], lab["nframes"]) for lab, p in zip(labels, paths)}
    onsets = {lab["file"]: by_file[p].get("onsets") for lab, p in zip(labels, paths)}
    return masks, onsets


def run_webrtc(labels, mode):
    import webrtcvad
    vad = webrtcvad.Vad(mode)
    res = {}
    for lab in labels:
        n, fl = lab["nframes"], lab["sr"] // 100
        pcm = lab["pcm"]
        res[lab["file"]] = np.array([vad.is_speech(pcm[k * fl:(k + 1) * fl].tobytes(), lab["sr"])
                                     for k in range(n)], dtype=bool)
    return res


def run_fixed(labels, threshold_db=-40.0):
    res = {}
    for lab in labels:
        n, fl = lab["nframes"], lab["sr"] // 100
        fr = lab["pcm"][: n * fl].astype(np.float64).reshape(n, fl) / 32768.0
        e = 10 * np.log10(np.mean(fr ** 2, axis=1) + 1e-12)
        res[lab["file"]] = e > threshold_db
    return res


def score(labels, pred, onsets=None):
    tp = fp = fn = 0
    fa_frames = fa_total = 0
    missed = utts = 0
    lat = []
    dlat = []
    for lab in labels:
        p, t = pred[lab["file"]], lab["truth"]
        if lab["kind"] == "silence":
            fa_frames += int(p.sum())
            fa_total += len(p)
            continue
        tp += int(np.sum(p & t))
        fp += int(np.sum(p & ~t))
        fn += int(np.sum(~p & t))
        for a, b in lab["speech_segments"]:
            fa, fb = int(round(a / FRAME_S)), int(round(b / FRAME_S))
            utts += 1
            if not p[fa:fb].any():
                missed += 1
                continue
            lo = max(0, fa - 10)
            first = lo + int(np.argmax(p[lo:fb]))
            lat.append((first - fa) * FRAME_S * 1000)
            if onsets is not None and onsets.get(lab["file"]) is not None:
                conf = [t for t in onsets[lab["file"]] if a - 0.1 <= t < b + 0.1]
                if conf:
                    dlat.append((conf[0] - a) * 1000)
    prec = tp / (tp + fp) if tp + fp else float("nan")
    rec = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * prec * rec / (prec + rec) if tp else 0.0 if (tp + fp + fn) else float("nan")
    return dict(precision=prec, recall=rec, f1=f1,
                false_alarm=(fa_frames / fa_total) if fa_total else float("nan"),
                missed=missed, utterances=utts,
                onset_p50_ms=float(np.percentile(lat, 50)) if lat else float("nan"),
                onset_p90_ms=float(np.percentile(lat, 90)) if lat else float("nan"),
                confirm_p50_ms=float(np.percentile(dlat, 50)) if dlat else float("nan"),
                confirm_p90_ms=float(np.percentile(dlat, 90)) if dlat else float("nan"))


def rows(labels):
    out = [("overall", labels)]
    for name, snr in SNR_ROWS:
        out.append((name, [l for l in labels if l["snr_db"] == snr]))
    for nz in NOISES:
        out.append((nz, [l for l in labels if l["noise"] == nz]))
    for name, snr in SNR_ROWS[1:]:
        for nz in NOISES:
            out.append(("%s %s" % (name, nz), [l for l in labels if l["snr_db"] == snr and l["noise"] == nz]))
    return out


def fmt(v, pct=False):
    if v != v:
        return "   -  "
    return "%5.1f%%" % (100 * v) if pct else "%6.3f" % v


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--voicegate", required=True, help="path to the voicegate binary")
    ap.add_argument("--vg-args", default="", help="extra options for `voicegate vad`")
    ap.add_argument("--json", action="store_true", help="print JSON instead of the table")
    ap.add_argument("--only-voicegate", action="store_true", help="skip the anchors (tuning)")
    args = ap.parse_args()

    labels = load_corpus(args.corpus)
    vg_masks, vg_onsets = run_voicegate(args.voicegate, args.corpus, labels, args.vg_args)
    systems = {"voicegate": vg_masks}
    webrtc = {} if args.only_voicegate else {m: run_webrtc(labels, m) for m in range(4)}
    if not args.only_voicegate:
        systems["fixed-40"] = run_fixed(labels)

    result = []
    for name, subset in rows(labels):
        entry = dict(row=name, files=len(subset))
        for sysname, pred in systems.items():
            entry[sysname] = score(subset, pred, vg_onsets if sysname == "voicegate" else None)
        if webrtc:
            scored = {m: score(subset, webrtc[m]) for m in webrtc}
            best = max(scored, key=lambda m: (scored[m]["f1"] if scored[m]["f1"] == scored[m]["f1"] else -1,
                                              -scored[m]["false_alarm"] if scored[m]["false_alarm"] == scored[m]["false_alarm"] else 0))
            entry["webrtc"] = dict(scored[best], mode=best)
            entry["webrtc_all_modes"] = scored
        result.append(entry)

    if args.json:
        print(json.dumps(dict(corpus=os.path.abspath(args.corpus), vg_args=args.vg_args, rows=result), indent=1))
        return
    order = ["voicegate", "webrtc", "fixed-40"]
    print("corpus %s  (frames 10 ms; FA = flagged frames in noise-only files; latency = detected - labelled onset)"
          % args.corpus)
    print("%-17s %-11s %6s %6s %6s %7s %8s %7s %7s %7s %7s" % ("row", "system", "P", "R", "F1", "FA", "missed",
                                                          "on p50", "on p90", "cf p50", "cf p90"))
    for e in result:
        for s in order:
            if s not in e:
                continue
            m = e[s]
            label = s if s != "webrtc" else "webrtc m%d" % m["mode"]
            print("%-17s %-11s %s %s %s %7s %4d/%-3d %7.0f %7.0f %7.0f %7.0f" % (
                e["row"] + " (%d)" % e["files"] if s == "voicegate" else "", label,
                fmt(m["precision"]), fmt(m["recall"]), fmt(m["f1"]), fmt(m["false_alarm"], True),
                m["missed"], m["utterances"], m["onset_p50_ms"], m["onset_p90_ms"],
                m["confirm_p50_ms"], m["confirm_p90_ms"]))


if __name__ == "__main__":
    main()
