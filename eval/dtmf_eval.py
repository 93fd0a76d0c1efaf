#!/usr/bin/env python3
"""DTMF accuracy of VoiceGate against spandsp on the labelled corpus (see ../shared/corpus/README.md).

    python3 eval/dtmf_eval.py --corpus /tmp/corpus-1002 --voicegate .build/release/voicegate [--json]

Per SNR (clean/20/10/5/0) and noise type it prints, for VoiceGate (`voicegate dtmf`, all files in one
invocation), spandsp with its defaults and spandsp relaxed (-t 10 -r 8 -l -36):
  - in-spec: fraction of in-spec DTMF files (tone >= 40 ms, level >= -26 dBm0, twist -8..+4 dB,
    deviation <= 1.5%) whose digit string is exactly right;
  - out-spec: the same on the other DTMF files (reported, not required);
  - false: total digits reported on talkoff, keyword, distractor and silence files.
The spandsp harness eval/spandsp_dtmf.c is compiled into eval/out/ on first use.
"""
import argparse
import collections
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "out")
NONDTMF = ("talkoff", "keyword", "distractor", "silence")


def build_spandsp():
    exe = os.path.join(OUT, "spandsp_dtmf")
    src = os.path.join(HERE, "spandsp_dtmf.c")
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
        os.makedirs(OUT, exist_ok=True)
        flags = subprocess.run(["pkg-config", "--cflags", "--libs", "spandsp"], check=True,
                               capture_output=True, text=True).stdout.split()
        subprocess.run(["gcc", "-O2", "-o", exe, src] + flags, check=True)
    return exe


def in_spec(d):
    return (d["tone_ms"] >= 40 and d["level_dbm0"] >= -26 and -8 <= d["twist_db"] <= 4
            and abs(d["freq_dev_pct"]) <= 1.5)


def run_voicegate(binary, paths):
    res = subprocess.run([binary, "dtmf"] + paths, capture_output=True, text=True)
    if res.returncode != 0:
        sys.stderr.write(res.stderr)
        raise SystemExit("voicegate dtmf failed (exit %d)" % res.returncode)
    out = {}
    for line in res.stdout.splitlines():
        obj = json.loads(line)
        out[obj["file"]] = obj["digits"]
    return out


def run_spandsp(exe, args, paths):
    res = subprocess.run([exe] + args + paths, capture_output=True, text=True)
    if res.returncode != 0:
        sys.stderr.write(res.stderr)
        raise SystemExit("spandsp_dtmf failed")
    out = {}
    for line in res.stdout.splitlines():
        f, _, digits = line.partition("\t")
        out[f] = digits
    return out


def cond_key(lab):
    return ("clean" if lab["snr_db"] is None else "%d dB" % lab["snr_db"]), lab["noise"]


def score(labels, found):
    """Per (snr, noise) and per snr: counts for in-spec, out-spec, false digits."""
    table = collections.defaultdict(lambda: dict(in_ok=0, in_n=0, out_ok=0, out_n=0, false=0, nondtmf=0,
                                                 speech_false=0))
    for lab in labels:
        got = found.get(lab["path"], "")
        snr, noise = cond_key(lab)
        for key in ((snr, noise), (snr, "all"), ("all", "all")):
            row = table[key]
            if lab["kind"] == "dtmf":
                if in_spec(lab["dtmf"]):
                    row["in_n"] += 1
                    row["in_ok"] += got == lab["dtmf"]["digits"]
                else:
                    row["out_n"] += 1
                    row["out_ok"] += got == lab["dtmf"]["digits"]
            elif lab["kind"] in NONDTMF:
                row["nondtmf"] += 1
                row["false"] += len(got)
                if lab["kind"] != "silence":
                    row["speech_false"] += len(got)
    return table


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--voicegate", required=True, help="path to the voicegate binary")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    ap.add_argument("--show-errors", action="store_true", help="list VoiceGate's wrong in-spec files")
    a = ap.parse_args()

    labels = [json.loads(l) for l in open(os.path.join(a.corpus, "labels.jsonl"))]
    for lab in labels:
        lab["path"] = os.path.join(a.corpus, lab["file"])
    paths = [lab["path"] for lab in labels if lab["kind"] == "dtmf" or lab["kind"] in NONDTMF]

    exe = build_spandsp()
    systems = collections.OrderedDict()
    systems["voicegate"] = run_voicegate(a.voicegate, paths)
    systems["spandsp-default"] = run_spandsp(exe, [], paths)
    systems["spandsp-relaxed"] = run_spandsp(exe, ["-t", "10", "-r", "8", "-l", "-36"], paths)
    tables = {name: score(labels, found) for name, found in systems.items()}

    if a.json:
        out = {name: {"%s/%s" % k: v for k, v in t.items()} for name, t in tables.items()}
        print(json.dumps(dict(corpus=a.corpus, results=out), indent=1, sort_keys=True))
    else:
        keys = sorted(next(iter(tables.values())).keys(),
                      key=lambda k: (["clean", "20 dB", "10 dB", "5 dB", "0 dB", "all"].index(k[0]),
                                     k[1] != "all", k[1]))
        print("corpus %s" % a.corpus)
        print("%-8s %-6s | %-30s | %-30s | %-30s" % ("snr", "noise", *["%s in/out/false" % n for n in systems]))
        for k in keys:
            cells = []
            for name in systems:
                r = tables[name][k]
                ins = "%.2f(%d)" % (r["in_ok"] / r["in_n"], r["in_n"]) if r["in_n"] else "-"
                outs = "%.2f(%d)" % (r["out_ok"] / r["out_n"], r["out_n"]) if r["out_n"] else "-"
                cells.append("%-10s %-10s %4d/%-4d" % (ins, outs, r["false"], r["nondtmf"]))
            print("%-8s %-6s | %-30s | %-30s | %-30s" % (k[0], k[1], *cells))
        print("in = in-spec digit strings right (n), out = out-of-spec right (n), false = false digits/files "
              "(talkoff+keyword+distractor+silence)")
    if a.show_errors:
        for lab in labels:
            if lab["kind"] == "dtmf":
                got = systems["voicegate"].get(lab["path"], "")
                if got != lab["dtmf"]["digits"]:
                    d = lab["dtmf"]
                    print("%s %s want=%s got=%s ms=%d lvl=%d tw=%d dev=%.2f snr=%s %s" % (
                        "IN " if in_spec(d) else "out", lab["file"], d["digits"], got, d["tone_ms"],
                        d["level_dbm0"], d["twist_db"], d["freq_dev_pct"], lab["snr_db"], lab["noise"]),
                        file=sys.stderr)
            elif lab["kind"] in NONDTMF and systems["voicegate"].get(lab["path"]):
                print("FALSE %s %s got=%s snr=%s %s" % (lab["file"], lab["kind"], systems["voicegate"][lab["path"]],
                                                       lab["snr_db"], lab["noise"]), file=sys.stderr)


if __name__ == "__main__":
    main()
