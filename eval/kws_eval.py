#!/usr/bin/env python3
"""Keyword spotting accuracy on the labelled corpus (../shared/corpus/make_corpus.py):
VoiceGate (`voicegate spot`) and raw PocketSphinx in the same run on the same files.

Scored files: keyword (is the intent right?), distractor (plain and near-miss: any intent is a
false accept), silence (noise only: any intent is a false accept) and talk-off. DTMF files are
not spoken and are skipped. Every English phrase of the menu is live for both engines.

PocketSphinx (the anchor): the `pocketsphinx` package's en-us model, audio 8 -> 16 kHz, a
closed JSGF grammar of every phrase (its best setting in ../shared/corpus/README.md); the
hypothesis maps to the intent whose phrase it is; an empty hypothesis is "none".

Cost: CPU seconds of `voicegate spot` (VAD + endpointer + spotter over whole files, one
process) divided by the audio's duration = real-time factor per active call.

Usage:
  python3 eval/kws_eval.py --corpus var/corpus-1002 --voicegate .build/release/voicegate
  ... --menu M.yaml    spot with that menu's per-phrase thresholds (voicegate tune-keywords; tuned on 1001)
  ... --sweep          also print accuracy / false accepts per threshold (tune on seed 1001 only)
  ... --no-anchor      skip PocketSphinx
  ... --language zh    a Mandarin set (eval/make_zh_set.py): zh phrases live, the zh model, no anchor
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np
from scipy import signal
from scipy.io import wavfile

SNR_ROWS = [("clean", None), ("20 dB", 20), ("10 dB", 10), ("5 dB", 5), ("0 dB", 0)]
NOISES = ("white", "pink", "babble")
INTENTS = {  # DESIGN.md section 6 / Config/menu.yaml English phrases, for the anchor's grammar
    "balance": ["balance", "account balance", "check my balance"],
    "transfer": ["transfer", "transfer money", "send money"],
    "card": ["lost card", "stolen card", "block my card", "lost my card"],
    "bill": ["bill", "statement", "credit card bill"],
    "loan": ["loan", "mortgage"],
    "agent": ["agent", "representative", "operator", "speak to a person"],
    "complaint": ["complaint", "file a complaint"],
    "repeat": ["repeat", "say that again"],
    "main_menu": ["main menu", "go back"],
    "yes": ["yes", "yeah"],
    "no": ["no", "nope"],
    "language_zh": ["chinese", "mandarin"],
}


def load(corpus):
    out = []
    with open(os.path.join(corpus, "labels.jsonl")) as fh:
        for line in fh:
            lab = json.loads(line)
            if lab["kind"] in ("keyword", "distractor", "silence", "talkoff"):
                out.append(lab)
    return out


def run_voicegate(binary, corpus, labels, extra, threshold=0.0):
    paths = [os.path.join(corpus, l["file"]) for l in labels]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    res = subprocess.run([binary, "spot", "--keyword-threshold", repr(threshold)] + extra + paths,
                         capture_output=True, text=True)
    wall = time.time() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if res.returncode != 0:
        sys.exit("voicegate spot failed: " + res.stderr[-2000:])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    by_file = {}
    for line in res.stdout.splitlines():
        o = json.loads(line)
        by_file[os.path.basename(o["file"])] = o
    return by_file, cpu, wall


def run_pocketsphinx(corpus, labels):
    from pocketsphinx import Decoder
    import tempfile
    phrases = sorted({p for ps in INTENTS.values() for p in ps})
    with tempfile.NamedTemporaryFile("w", suffix=".gram", delete=False) as g:
        g.write("#JSGF V1.0;\ngrammar menu;\npublic <cmd> = %s;\n" % " | ".join(phrases))
    dec = Decoder(jsgf=g.name, samprate=16000, logfn=os.devnull)
    phrase_intent = {p: i for i, ps in INTENTS.items() for p in ps}
    out = {}
    t0 = time.process_time()
    for lab in labels:
        sr, x = wavfile.read(os.path.join(corpus, lab["file"]))
        y = signal.resample_poly(x.astype(np.float64), 2, 1) if sr == 8000 else x.astype(np.float64)
        pcm = np.clip(np.round(y), -32768, 32767).astype("<i2").tobytes()
        dec.start_utt()
        dec.process_raw(pcm, full_utt=True)
        dec.end_utt()
        hyp = dec.hyp().hypstr.strip() if dec.hyp() else ""
        out[lab["file"]] = phrase_intent.get(hyp)
    return out, time.process_time() - t0


def predicted(o, threshold):
    b = o.get("best")
    return b["intent"] if b and b["confidence"] >= threshold else None


def tables(labels, pred, name):
    """pred: file -> intent or None. Returns printable lines and a summary dict."""
    lines = []
    kw = [l for l in labels if l["kind"] == "keyword"]

    def acc(rows):
        return (sum(pred[l["file"]] == l["intent"] for l in rows) / len(rows), len(rows)) if rows else (float("nan"), 0)

    def fa(rows):
        return (sum(pred[l["file"]] is not None for l in rows) / len(rows), len(rows)) if rows else (float("nan"), 0)

    lines.append("%s: intent accuracy on keyword files" % name)
    lines.append("| SNR | all | white | pink | babble |")
    lines.append("|---|---|---|---|---|")
    summary = {}
    for label, snr in SNR_ROWS:
        rows = [l for l in kw if l["snr_db"] == snr]
        a, n = acc(rows)
        summary[label] = a
        cells = ["%.2f (%d)" % (a, n)]
        for nz in NOISES:
            r = [l for l in rows if l["noise"] == nz]
            cells.append("%.2f (%d)" % acc(r) if r else "-")
        lines.append("| %s | %s |" % (label, " | ".join(cells)))
    a, n = acc(kw)
    summary["all"] = a
    lines.append("| all | %.2f (%d) | | | |" % (a, n))
    lines.append("")
    lines.append("%s: false accepts (any intent reported)" % name)
    lines.append("| files | rate |")
    lines.append("|---|---|")
    groups = [("distractors, plain", [l for l in labels if l["kind"] == "distractor" and l["style"] == "plain"]),
              ("distractors, near-miss", [l for l in labels if l["kind"] == "distractor" and l["style"] == "near_miss"]),
              ("distractors, all", [l for l in labels if l["kind"] == "distractor"]),
              ("noise only", [l for l in labels if l["kind"] == "silence"]),
              ("talk-off (2-3 sentences)", [l for l in labels if l["kind"] == "talkoff"])]
    for g, rows in groups:
        r, n = fa(rows)
        summary["fa " + g] = r
        lines.append("| %s | %.2f (%d) |" % (g, r, n))
    return lines, summary


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--voicegate", required=True)
    ap.add_argument("--threshold", type=float, default=None, help="default: the model's tuned threshold")
    ap.add_argument("--model", default=None, help="default: Models/keywords-<language>.json")
    ap.add_argument("--language", default="en", help="the speech's language (en, zh)")
    ap.add_argument("--menu", default=None,
                    help="menu for `voicegate spot` (e.g. one tuned by `voicegate tune-keywords`): its per-phrase "
                         "thresholds apply, so the intent is spot's own decision (--threshold for the other phrases)")
    ap.add_argument("--sweep", action="store_true")
    ap.add_argument("--no-anchor", action="store_true")
    ap.add_argument("--errors", action="store_true", help="list the files VoiceGate got wrong")
    args = ap.parse_args()
    if args.model is None:
        args.model = "Models/keywords-%s.json" % args.language
    if args.language != "en":
        args.no_anchor = True     # the anchor's grammar and model are English
    labels = load(args.corpus)
    threshold = args.threshold
    if threshold is None:
        with open(args.model) as fh:
            threshold = json.load(fh)["threshold"]
    extra = ["--keyword-model", args.model, "--language", args.language]
    if args.menu:
        # spot decides with the menu's per-phrase thresholds and `threshold` for the rest.
        vg, cpu, wall = run_voicegate(args.voicegate, args.corpus, labels, extra + ["--menu", args.menu], threshold)
        pred = {l["file"]: vg[l["file"]]["intent"] for l in labels}
        name = "VoiceGate (%s: per-phrase thresholds, else %.2f)" % (args.menu, threshold)
    else:
        vg, cpu, wall = run_voicegate(args.voicegate, args.corpus, labels, extra)
        pred = {l["file"]: predicted(vg[l["file"]], threshold) for l in labels}
        name = "VoiceGate (threshold %.2f)" % threshold
    audio_s = sum(l["duration_s"] for l in labels)
    lines, _ = tables(labels, pred, name)
    print("\n".join(lines))
    print("\nVoiceGate cost: %.1f s CPU for %.1f s of audio (%d files): real-time factor %.4f per active call "
          "(wall %.1f s)" % (cpu, audio_s, len(labels), cpu / audio_s, wall))
    if args.errors:
        for l in labels:
            if pred[l["file"]] != (l["intent"] if l["kind"] == "keyword" else None):
                b = vg[l["file"]].get("best") or {}
                print("  %s %-10s snr=%-4s %-6s said=%r got=%s best=%s %.2f" % (
                    l["file"], l["kind"], l["snr_db"], l["noise"], l["text"], pred[l["file"]],
                    b.get("intent"), b.get("confidence", 0)))
    if args.sweep:
        print("\nthreshold sweep: | t | accuracy all | clean | 10 dB | FA distractors | FA noise |")
        for t in [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95]:
            p = {l["file"]: predicted(vg[l["file"]], t) for l in labels}
            _, s = tables(labels, p, "")
            print("| %.2f | %.3f | %.3f | %.3f | %.3f | %.3f |" % (
                t, s["all"], s["clean"], s["10 dB"], s["fa distractors, all"], s["fa noise only"]))
    if not args.no_anchor:
        ps, ps_cpu = run_pocketsphinx(args.corpus, labels)
        print()
        lines, _ = tables(labels, ps, "PocketSphinx (closed grammar of the phrases, 8 -> 16 kHz)")
        print("\n".join(lines))
        print("\nPocketSphinx cost: real-time factor %.4f" % (ps_cpu / audio_s))


if __name__ == "__main__":
    main()
