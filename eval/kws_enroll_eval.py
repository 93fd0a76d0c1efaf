"""Enrolled phrases against trained units: pretend two units are new and enroll them instead.

    python3 eval/kws_enroll_eval.py ../shared/corpus-dev2 [--voicegate .build/release/voicegate]

Makes a copy of Models/keywords-en.json without the units "statement" and "mortgage" (their
rows of the 1x1 head removed, in every network of an ensemble), runs `voicegate enroll-keywords` for it on a copy of Config/
(so "statement" and "mortgage" are enrolled from espeak-ng examples), then `voicegate spot`
over the corpus's keyword, distractor and silence files with (a) that model plus the enrolled
file and (b) the full trained model, and prints per setting: statement/mortgage files whose
intent is right, distractors and silence files where statement/mortgage is accepted, and other
keyword files taken for them. Tune on seed 1001, report on seed 1002.
"""
import argparse, base64, json, os, shutil, subprocess, sys, tempfile

ap = argparse.ArgumentParser()
ap.add_argument("corpus")
ap.add_argument("--voicegate", default=".build/debug/voicegate")
args = ap.parse_args()
NEW = ["statement", "mortgage"]
tmp = tempfile.mkdtemp(prefix="vg-enroll-eval-")
d = json.load(open("Models/keywords-en.json"))
keep = [i for i, c in enumerate(d["classes"]) if c not in NEW]
for network in [d] + d.get("ensemble", []):     # an ensemble model: every network's head
    head = network["layers"][-1]
    w, b = base64.b64decode(head["weights"]), base64.b64decode(head["bias"])
    row = head["input"] * head["kernel"] * 4
    head["weights"] = base64.b64encode(b"".join(w[i * row:(i + 1) * row] for i in keep)).decode()
    head["bias"] = base64.b64encode(b"".join(b[i * 4:(i + 1) * 4] for i in keep)).decode()
    head["output"] = len(keep)
d["classes"] = [d["classes"][i] for i in keep]
for u in NEW:
    d["units"].pop(u)
model = os.path.join(tmp, "model-without.json")
json.dump(d, open(model, "w"))
shutil.copytree("Config", os.path.join(tmp, "Config"))
subprocess.run([args.voicegate, "enroll-keywords", "--config", os.path.join(tmp, "Config"), "--model", model],
               check=True, stdout=subprocess.DEVNULL)

labels = [json.loads(l) for l in open(os.path.join(args.corpus, "labels.jsonl"))]
files = [l for l in labels if l["kind"] in ("keyword", "distractor", "silence")]


def spot(model, menu):
    out = subprocess.run([args.voicegate, "spot", "--menu", menu, "--prompts", "Prompts", "--keyword-model", model]
                         + [os.path.join(args.corpus, l["file"]) for l in files], capture_output=True, text=True).stdout
    return {os.path.basename(json.loads(x)["file"]): json.loads(x) for x in out.splitlines()}


for name, res in [("enrolled", spot(model, os.path.join(tmp, "Config", "menu.yaml"))),
                  ("trained units", spot("Models/keywords-en.json", "Config/menu.yaml"))]:
    def count(sel, ok):
        sel = list(sel)
        return "%d/%d" % (sum(ok(l, res[l["file"]]) for l in sel), len(sel))
    print("==", name)
    for kw in NEW:
        print("  %s files: intent right %s, phrase itself found %s" % (
            kw, count((l for l in files if l["keyword"] == kw), lambda l, r: r["intent"] == l["intent"]),
            count((l for l in files if l["keyword"] == kw), lambda l, r: r["keyword"] == kw)))
    for kind in ("distractor", "silence"):
        print("  %s: statement/mortgage accepted %s" % (
            kind, count((l for l in files if l["kind"] == kind), lambda l, r: r["keyword"] in NEW)))
    print("  other keyword files taken for statement/mortgage: %s" % count(
        (l for l in files if l["kind"] == "keyword" and l["keyword"] not in NEW), lambda l, r: r["keyword"] in NEW))
shutil.rmtree(tmp)
