"""Join keyword models trained on the same classes into one ensemble model file.

    python scripts/keywords/ensemble.py --out Models/keywords-en.json --threshold 0.35 A.json B.json

The first model's network stays the file's own (its trunk gives enrolled phrases' embeddings);
the others go into its "ensemble" list, each with its own features and layers. The Swift spotter
(NeuralKeywordSpotter) averages the networks' posteriors over the live keywords and "none".
Each member's "training" record is kept, so every member stays reproducible from its command.
An ensemble given as an input contributes only its own (first) network, with that network's
training record, so a member can be replaced without unpacking the file.

The English ensemble measured in BENCHMARKS.md (keyword spotting diagnosis; not adopted: it
did not hold on the report seed) is the committed network plus
`train.py --language en --seed 20261123 --epochs 20 --threshold 0.4 --normalise "mean and variance"`
on `make train-keywords`'s speech, joined with `--threshold 0.35`.
"""
import argparse
import json
import sys


def own_network(doc):
    """The model `doc` with only its own network (an ensemble's first member)."""
    if "ensemble" not in doc:
        return doc
    doc = {k: v for k, v in doc.items() if k != "ensemble"}
    doc["training"] = doc["training"]["members"][0]
    return doc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--threshold", type=float, required=True, help="posterior threshold of the ensemble")
    ap.add_argument("--note", default="", help="how the threshold was chosen (kept in the training record)")
    ap.add_argument("models", nargs="+")
    args = ap.parse_args()
    docs = [own_network(json.load(open(p))) for p in args.models]
    first = docs[0]
    for p, d in zip(args.models[1:], docs[1:]):
        if d["classes"] != first["classes"] or d["language"] != first["language"]:
            sys.exit("ensemble: %s has other classes or language than %s" % (p, args.models[0]))
    out = dict(first)
    out["ensemble"] = [dict(features=d["features"], layers=d["layers"], training=d["training"]) for d in docs[1:]]
    out["threshold"] = args.threshold
    out["training"] = dict(members=[d["training"] for d in docs], pooling="mean of the members' posteriors",
                           threshold=args.threshold, tuned_threshold=args.note,
                           command="ensemble.py " + " ".join(sys.argv[1:]))
    with open(args.out, "w") as fh:
        json.dump(out, fh, separators=(",", ":"))
    print("ensemble: %d networks -> %s" % (len(docs), args.out))


if __name__ == "__main__":
    main()
