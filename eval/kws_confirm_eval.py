#!/usr/bin/env python3
"""Keyword spotting in a confirmation node: only yes / no / agent live (DESIGN.md section 6).

    python3 eval/kws_confirm_eval.py --voicegate .build/debug/voicegate var/corpus-1001 [var/corpus-2001 ...]

kws_eval.py measures the main case, every menu phrase live. A node that listens for fewer
intents gives the live ones a larger share of the posterior (the softmax runs over the live
units and "none"), so out-of-vocabulary speech passes the threshold more often there. This
measures that: `voicegate spot` endpoints each file as a call would (its "segments"), the numpy
copy of the spotter in kws_diagnose.py scores each utterance with only the confirmation node's
intents live, and it prints, per threshold, the yes/no/agent keyword files recognised and the
other speech (keyword files of other intents and distractors) taken for yes/no/agent.
"""
import argparse
import os
import sys

import numpy as np
from scipy.io import wavfile

sys.path.insert(0, os.path.dirname(__file__))
from kws_diagnose import Spotter  # noqa: E402
from kws_eval import load, run_voicegate  # noqa: E402

NODE = ("yes", "no", "agent")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--voicegate", required=True)
    ap.add_argument("--model", default="Models/keywords-en.json")
    ap.add_argument("--thresholds", default="0.3,0.35,0.4")
    ap.add_argument("corpora", nargs="+")
    args = ap.parse_args()
    spotter = Spotter(args.model, "en", intents=NODE)
    thresholds = [float(t) for t in args.thresholds.split(",")]
    right = dict.fromkeys(thresholds, 0)
    accepted = dict.fromkeys(thresholds, 0)
    n_node = n_other = 0
    for corpus in args.corpora:
        labels = [l for l in load(corpus) if l["kind"] in ("keyword", "distractor")]
        spot = run_voicegate(args.voicegate, corpus, labels, ["--keyword-model", args.model])[0]
        segments = {name: o["segments"] for name, o in spot.items()}
        for l in labels:
            rate, x = wavfile.read(os.path.join(corpus, l["file"]))
            x = x.astype(np.float64) / 32768.0
            tops = [spotter.best(x[int(a * rate): int(b * rate)]) for a, b in segments[l["file"]]]
            tops = [t for t in tops if t is not None]
            in_node = l["kind"] == "keyword" and l["intent"] in NODE
            n_node += in_node
            n_other += not in_node
            for t in thresholds:
                passed = [top for top in tops if top[1] >= t]
                best = max(passed, key=lambda top: top[1]) if passed else None
                if in_node:
                    right[t] += best is not None and best[0] == l["intent"]
                else:
                    accepted[t] += best is not None
    print("confirmation node (%s live), %d corpora" % ("/".join(NODE), len(args.corpora)))
    print("| threshold | yes/no/agent files right | other speech taken for yes/no/agent |")
    print("|---|---|---|")
    for t in thresholds:
        print("| %.2f | %.3f (%d/%d) | %.3f (%d/%d) |" % (t, right[t] / max(n_node, 1), right[t], n_node,
                                                         accepted[t] / max(n_other, 1), accepted[t], n_other))


if __name__ == "__main__":
    main()
