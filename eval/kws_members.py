#!/usr/bin/env python3
"""Compare keyword networks and ensembles of them on several corpus draws (tuning draws only).

    python3 eval/kws_members.py --voicegate .build/debug/voicegate --corpus var/corpus-1001 \
        --corpus var/corpus-2001 ... A.json B.json A.json+B.json

Each file is endpointed once per corpus by `voicegate spot` (its "segments": the utterances'
audio extents); every network is then run on each utterance by the numpy copy of the spotter in
kws_diagnose.py, once, and kept (per utterance: each class's maximum over time and the mean of
"none"), so an ensemble ("A.json+B.json": the mean of the networks' posteriors, as the Swift
spotter averages an ensemble file's members) costs nothing more. `--post` lengthens every
utterance by that many seconds of the audio after it (a longer endpointer post-roll without a
rebuild; the Swift run is the one to report). Every English menu phrase is live, as in
kws_eval.py. Prints, per model and threshold, the pooled intent accuracy per SNR and the
distractor false accepts (pooled, and the worst draw).
"""
import argparse
import os
import sys

import numpy as np
from scipy.io import wavfile

sys.path.insert(0, os.path.dirname(__file__))
from kws_diagnose import Spotter  # noqa: E402
from kws_eval import load, run_voicegate  # noqa: E402


def pooled_scores(spotter, audio, segs, post):
    """file -> per utterance long enough to score, `spotter.evidence` of it (per network)."""
    out = {}
    for name, x in audio.items():
        dur, utterances, ss = len(x) / 8000.0, [], segs[name]
        for i, (a, b) in enumerate(ss):
            end = min(dur, b + post, ss[i + 1][0] if i + 1 < len(ss) else dur)
            evidence = spotter.evidence(x[int(round(a * 8000)): int(round(end * 8000))])
            if evidence is not None:
                utterances.append(evidence)
        out[name] = utterances
    return out


def decide(spotters, scores, name, threshold):
    """The intent the ensemble of `spotters` reports for file `name`, or None."""
    best = None
    for k in range(len(scores[0][name])):
        # Every network of every model file, averaged as one ensemble.
        intent, posterior = spotters[0].decide([net for sc in scores for net in sc[name][k]])
        if posterior >= threshold and (best is None or posterior > best[1]):
            best = (intent, posterior)
    return best[0] if best else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--voicegate", required=True)
    ap.add_argument("--corpus", action="append", required=True)
    ap.add_argument("--post", type=float, default=0.0, help="seconds added after each utterance")
    ap.add_argument("--thresholds", default="0.25,0.3,0.35,0.4,0.5")
    ap.add_argument("models", nargs="+", help="model files; A.json+B.json averages their posteriors")
    args = ap.parse_args()
    thresholds = [float(t) for t in args.thresholds.split(",")]
    draws = []
    for corpus in args.corpus:
        labels = load(corpus)
        audio = {l["file"]: wavfile.read(os.path.join(corpus, l["file"]))[1].astype(np.float64) / 32768.0
                 for l in labels}
        spot = run_voicegate(args.voicegate, corpus, labels, [])[0]
        draws.append((labels, audio, {name: o["segments"] for name, o in spot.items()}))
    spotters, cache = {}, {}
    for spec in args.models:
        paths = spec.split("+")
        for p in paths:
            if p not in spotters:
                spotters[p] = Spotter(p)
                cache[p] = [pooled_scores(spotters[p], audio, segs, args.post) for _, audio, segs in draws]
        for t in thresholds:
            right, n, worst = {}, {}, 0.0
            for d, (labels, _, _) in enumerate(draws):
                sc = [cache[p][d] for p in paths]
                fa = nd = 0
                for l in labels:
                    got = decide([spotters[p] for p in paths], sc, l["file"], t)
                    if l["kind"] == "keyword":
                        key = "clean" if l["snr_db"] is None else "%d dB" % l["snr_db"]
                        right[key] = right.get(key, 0) + (got == l["intent"])
                        n[key] = n.get(key, 0) + 1
                    elif l["kind"] == "distractor":
                        fa += got is not None
                        nd += 1
                right["FA"] = right.get("FA", 0) + fa
                n["FA"] = n.get("FA", 0) + nd
                worst = max(worst, fa / max(nd, 1))
            cells = " ".join("%s %.3f" % (k, right[k] / n[k]) for k in ("clean", "20 dB", "10 dB", "5 dB", "0 dB", "FA"))
            print("%s post+%.2f t=%.2f: %s (worst draw %.3f), %d draws" % (spec, args.post, t, cells, worst, len(draws)),
                  flush=True)


if __name__ == "__main__":
    main()
