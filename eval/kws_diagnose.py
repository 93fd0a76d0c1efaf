#!/usr/bin/env python3
"""Why keyword files go wrong: the endpointer, a low score, or a wrong unit (tuning seed only).

    python3 eval/kws_diagnose.py --corpus var/corpus-1001 --voicegate .build/debug/voicegate [--verbose]

Runs `voicegate spot` (as a call: VAD + endpointer + spotter; its "segments" are the utterances'
audio extents) and scores the same files with a numpy copy of the spotter (NeuralKeywordSpotter:
same features, network, pooling and posteriors; ensemble members averaged) on (1) the corpus's
labelled speech (`speech_segments`) +- 0.3 s, "oracle", and (2) the whole file. Per SNR it prints
the keyword files right each way, how the endpointer cut the labelled speech (one utterance,
ended before the labelled end, missed, split, onset clipped) and why each endpointed error
happened: (a) the segmentation (the oracle segment is right), (b) the right unit on top but under
the threshold, (c) a wrong unit on top. Every menu phrase of the language is live, as in
kws_eval.py (`--language zh`: a Mandarin set of eval/make_zh_set.py, Config/menu.yaml's zh phrases).
"""
import argparse
import base64
import collections
import json
import os
import re
import sys

import numpy as np
from scipy.io import wavfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts", "keywords"))
import features as FE  # noqa: E402
from kws_eval import INTENTS, load, run_voicegate  # noqa: E402

SNRS = [None, 20, 10, 5, 0]


def floats(text):
    return np.frombuffer(base64.b64decode(text), dtype="<f4")


def menu_phrases(language, menu="Config/menu.yaml"):
    """intent -> its `language` phrases in the menu's `intents:` (English: kws_eval.INTENTS)."""
    if language == "en":
        return INTENTS
    out, intent = {}, None
    for line in open(menu, encoding="utf-8"):
        if re.match(r"^\S", line):
            intent = None
            section = line.strip()
        m = re.match(r'^  "?([a-z_]+)"?:\s*$', line)
        if m and section == "intents:":
            intent = m.group(1)
        m = re.match(r"^    %s: \[(.*)\]" % language, line)
        if m and intent:
            out[intent] = [p.strip().strip('"') for p in m.group(1).split(",")]
    return out


def unit_for(phrase, units):
    """KeywordModel.unit(for:): the unit with this phrase, else the one whose phrase is the longest
    contained in it (as words; on characters in Chinese); None when no unit serves it."""
    exact = [u for u, ps in enumerate(units) if phrase in ps]
    if exact:
        return exact[0]
    best, length = None, 0
    for u, ps in enumerate(units):
        for v in ps:
            ideographic = any("\u4e00" <= c <= "\u9fff" for c in v)
            inside = v in phrase.replace(" ", "") if ideographic else (" %s " % v) in (" %s " % phrase)
            if inside and len(v) > length:
                best, length = u, len(v)
    return best


class Spotter:
    """numpy mirror of NeuralKeywordSpotter.score for one model file (ensembles included)."""

    def __init__(self, path, language="en", intents=None):
        """`intents`: only these intents' phrases are live (a node's vocabulary); default all."""
        doc = json.load(open(path))
        self.classes = doc["classes"]
        self.networks = []
        for member in [doc] + doc.get("ensemble", []):
            layers = []
            for l in member["layers"]:
                w = floats(l["weights"]).reshape(l["output"], l["input"], l["kernel"])
                layers.append((l, w, floats(l["bias"])))
            self.networks.append((member["features"]["normalise"].replace("per-band ", ""), layers))
        # Live units: those serving a phrase of an intent (KeywordModel.unit(for:)), as intents.
        # Live units as NeuralKeywordSpotter.liveKeywords: each unit goes to the first intent
        # (menu order) with a phrase it serves.
        units = [doc["units"].get(c, [c]) for c in self.classes[:-1]]
        self.intent = {}
        for intent, phrases in menu_phrases(language).items():
            if intents is not None and intent not in intents:
                continue
            for p in phrases:
                u = unit_for(p, units)
                if u is not None and u not in self.intent:
                    self.intent[u] = intent
        self.live = sorted(self.intent)

    @staticmethod
    def logits(layers, x):
        h = x.astype(np.float32)
        for l, w, b in layers:
            k, d, s = l["kernel"], l["dilation"], l["stride"]
            pad = d * (k - 1) // 2
            steps = (h.shape[1] + 2 * pad - d * (k - 1) - 1) // s + 1
            hp = np.pad(h, ((0, 0), (pad, pad)))
            cols = np.stack([hp[:, j * d: j * d + (steps - 1) * s + 1: s] for j in range(k)], axis=1)
            y = np.einsum("oik,ikt->ot", w, cols) + b[:, None]
            if l["relu"]:
                y = np.maximum(y, 0)
            if l["residual"]:
                y = y + h
            h = y
        return h

    def evidence(self, samples):
        """Per network, for `samples` (float, 8 kHz): each class's maximum logit over time and the
        mean logit of "none"; None when the audio is shorter than a few frames."""
        mel = FE.logmel(samples)
        if len(mel) < 8:
            return None
        out = []
        for normalise, layers in self.networks:
            lg = self.logits(layers, FE.normalise(mel, normalise).T)
            out.append((lg[:-1].max(axis=1), lg[-1].mean()))
        return out

    def decide(self, evidence):
        """(intent, posterior) of the best live unit: each network's softmax over the live units'
        maxima and "none", averaged over the networks in `evidence` (an ensemble's)."""
        post = np.zeros(len(self.live) + 1)
        for maxima, none in evidence:
            z = np.concatenate([maxima[self.live], [none]])
            z = np.exp(z - z.max())
            post += z / z.sum() / len(evidence)
        i = int(post[:-1].argmax())
        return self.intent[self.live[i]], float(post[i])

    def best(self, samples):
        """(intent, posterior) of the best live unit in `samples` (float, 8 kHz), or None."""
        evidence = self.evidence(samples)
        return None if evidence is None else self.decide(evidence)


def cut(label, segments):
    """How the endpointer's utterances cover the labelled speech."""
    s0, s1 = label["speech_segments"][0][0], label["speech_segments"][-1][1]
    over = [g for g in segments if g[1] > s0 and g[0] < s1]
    if not over:
        return "missed"
    if len(over) > 1:
        return "split"
    if over[0][0] > s0 + 0.02:
        return "onset clipped"
    if over[0][1] < s1 - 0.02:
        return "ended early"
    return "one utterance"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--voicegate", required=True)
    ap.add_argument("--language", default="en", help="en, or zh for a set of eval/make_zh_set.py")
    ap.add_argument("--model", default=None, help="default: Models/keywords-<language>.json")
    ap.add_argument("--threshold", type=float, default=None, help="default: the model's")
    ap.add_argument("--verbose", action="store_true", help="list the wrong 10 dB files")
    args = ap.parse_args()
    args.model = args.model or "Models/keywords-%s.json" % args.language
    threshold = args.threshold if args.threshold is not None else json.load(open(args.model))["threshold"]
    labels = [l for l in load(args.corpus) if l["kind"] == "keyword"]
    spot = run_voicegate(args.voicegate, args.corpus, labels, ["--keyword-model", args.model, "--language", args.language])[0]
    spotter = Spotter(args.model, args.language)
    print("keyword files right (threshold %.2f) and why the endpointed ones are wrong" % threshold)
    for snr in SNRS:
        rows = [l for l in labels if l["snr_db"] == snr]
        right = collections.Counter()
        cuts, why = collections.Counter(), collections.Counter()
        for l in rows:
            rate, x = wavfile.read(os.path.join(args.corpus, l["file"]))
            x = x.astype(np.float64) / 32768.0
            s0, s1 = l["speech_segments"][0][0], l["speech_segments"][-1][1]
            oracle = spotter.best(x[int(max(0.0, s0 - 0.3) * rate): int((s1 + 0.3) * rate)])
            whole = spotter.best(x)
            best = spot[l["file"]]["best"]
            ok = {"endpointed": best is not None and best["intent"] == l["intent"] and best["confidence"] >= threshold,
                  "oracle": oracle is not None and oracle[0] == l["intent"] and oracle[1] >= threshold,
                  "whole file": whole is not None and whole[0] == l["intent"] and whole[1] >= threshold}
            right.update(k for k, v in ok.items() if v)
            how = cut(l, spot[l["file"]]["segments"])
            cuts[how] += 1
            if ok["endpointed"]:
                continue
            if best is None:
                reason = "a: no utterance scored (%s)" % how
            elif ok["oracle"]:
                reason = "a: oracle segment right (%s)" % how
            elif best["intent"] == l["intent"]:
                reason = "b: right unit under the threshold"
            else:
                reason = "c: wrong unit on top (%s)" % ("accepted" if best["confidence"] >= threshold else "rejected")
            why[reason] += 1
            if args.verbose and snr == 10:
                print("   %s %-6s %-40r %-9s got %s, oracle %s, utterances %s, speech %.2f-%.2f" % (
                    l["file"], l["noise"], l["text"], l["intent"], best, oracle, spot[l["file"]]["segments"], s0, s1))
        print("%-5s (%d): endpointed %d, oracle %d, whole file %d | endpointer: %s" % (
            "clean" if snr is None else "%d dB" % snr, len(rows), right["endpointed"], right["oracle"],
            right["whole file"], ", ".join("%s %d" % kv for kv in sorted(cuts.items()))))
        for reason, n in sorted(why.items()):
            print("      %2d %s" % (n, reason))


if __name__ == "__main__":
    main()
