"""Training speech for the keyword model: espeak-ng voices through the telephone channel.

Writes var/keywords/speech.npz (`--language zh`: Mandarin from vocabulary_zh.py, espeak-ng's
cmn-latn-pinyin voice with the same variants): clean 8 kHz telephone-band utterances (float32, unit peak
not normalised) with their class labels. Noise, level and the μ-law codec are added per epoch
by train.py, so one synthesis pass serves every epoch. Deterministic for a given --seed.

The evaluation corpus's voices (variants m1, m3, f2, f4) are excluded in every base voice, so
the reported numbers are on voice timbres the model never heard.
"""
import argparse
import importlib
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy import signal

FS = 8000
# Base voices per language: English accents; Mandarin is read as pinyin (vocabulary_zh.spoken).
BASES_BY_LANGUAGE = {"en": ["en", "en-us", "en-gb", "en-gb-x-rp", "en-gb-scotland", "en-gb-x-gbclan",
         "en-gb-x-gbcwmd", "en-029", "en-us-nyc"],
                     "zh": ["cmn-latn-pinyin"]}
RATES_BY_LANGUAGE = {"en": (120, 231), "zh": (110, 221)}
VARIANTS = ["", "m2", "m4", "m5", "m6", "m7", "m8", "f1", "f3", "f5", "klatt", "klatt2",
            "klatt3", "klatt4", "Andy", "annie", "aunty", "boris", "david", "ed", "grandma",
            "grandpa", "linda", "max", "michel", "norbert", "paul", "john", "adam", "belinda"]
EXCLUDED_VARIANTS = {"m1", "m3", "f2", "f4"}   # the evaluation corpus's voices
assert not EXCLUDED_VARIANTS & set(VARIANTS)


def vocabulary(language):
    """The vocabulary module of `language` (vocabulary.py for en, vocabulary_<lang>.py else)."""
    return importlib.import_module("vocabulary" if language == "en" else "vocabulary_" + language)


V = vocabulary("en")
BASES = BASES_BY_LANGUAGE["en"]


def voice(rng):
    b = BASES[int(rng.integers(len(BASES)))]
    v = VARIANTS[int(rng.integers(len(VARIANTS)))]
    return b + ("+" + v if v else "")


def synth(text, voice_name, rate, pitch):
    """espeak-ng to 22.05 kHz int16 on stdout; returns float samples and rate."""
    out = subprocess.run(["espeak-ng", "-v", voice_name, "-s", str(rate), "-p", str(pitch),
                          "--stdout", text], check=True, capture_output=True).stdout
    # WAV header of espeak-ng --stdout is 44 bytes; sample rate at bytes 24..28.
    sr = int.from_bytes(out[24:28], "little")
    x = np.frombuffer(out[44:], dtype="<i2").astype(np.float64) / 32768.0
    return x, sr


def channel(x, sr):
    """300-3400 Hz band-pass, resample to 8 kHz, trim synthesiser silence."""
    sos = signal.butter(6, [300.0, min(3400.0, 0.45 * sr)], btype="band", fs=sr, output="sos")
    y = signal.sosfiltfilt(sos, x)
    g = np.gcd(int(sr), FS)
    y = signal.resample_poly(y, FS // g, int(sr) // g)
    n = len(y) // 40
    if n == 0:
        return y.astype(np.float32)
    e = 10 * np.log10(np.mean(y[: n * 40].reshape(n, 40) ** 2, axis=1) + 1e-12)
    act = np.where(e > e.max() - 50)[0]
    a, b = max(act[0] - 4, 0) * 40, min((act[-1] + 5) * 40, len(y))
    y = y[a:b]
    return (y / (np.sqrt(np.mean(y ** 2)) + 1e-9)).astype(np.float32)


def plan(seed, per_unit, negatives):
    rng = np.random.default_rng([seed, 7])
    items = []   # (text, class index, kind)
    for ci, (unit, phrases) in enumerate(V.UNITS.items()):
        frames = V.UNIT_FRAMES.get(unit, V.FRAMES)
        ext = V.EXTENDED.get(unit, [])
        for k in range(per_unit):
            spoken = phrases[k % len(phrases)]
            if ext and rng.random() < 0.35:
                spoken = ext[int(rng.integers(len(ext)))]
            frame = frames[int(rng.integers(len(frames)))]
            if unit not in V.UNIT_FRAMES and rng.random() < 0.15:
                frame = V.FRAMES[0]
            items.append((frame.format(spoken), ci, "keyword"))
    none = V.CLASSES.index(V.NONE)
    sentences = [(s, "plain") for s in V.PLAIN] + [(s, "near_miss") for s in V.NEAR_MISS] * 2
    for k in range(negatives):
        s, kind = sentences[k % len(sentences)]
        items.append((s, none, kind))
    return items


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="var/keywords/speech.npz")
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--per-unit", type=int, default=160)
    ap.add_argument("--negatives", type=int, default=1800)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--language", default="en", choices=sorted(BASES_BY_LANGUAGE))
    args = ap.parse_args()
    global V, BASES
    V, BASES = vocabulary(args.language), BASES_BY_LANGUAGE[args.language]
    speak = getattr(V, "spoken", lambda text: text)
    items = plan(args.seed, args.per_unit, args.negatives)
    rng = np.random.default_rng([args.seed, 8])
    lo, hi = RATES_BY_LANGUAGE[args.language]
    specs = [(speak(t), voice(rng), int(rng.integers(lo, hi)), int(rng.integers(25, 81))) for t, _, _ in items]
    babble_specs = [(speak(t), voice(rng), int(rng.integers(140, 200)), int(rng.integers(30, 70)))
                    for t in V.BABBLE for _ in range(3)]

    def render(spec):
        return channel(*synth(*spec))

    with ThreadPoolExecutor(args.jobs) as ex:
        audio = list(ex.map(render, specs))
        babble = list(ex.map(render, babble_specs))
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    lengths = np.array([len(a) for a in audio])
    np.savez_compressed(args.out, audio=np.concatenate(audio), lengths=lengths,
                        labels=np.array([c for _, c, _ in items]),
                        kinds=np.array([k for _, _, k in items]),
                        texts=np.array([t for t, _, _ in items]),
                        voices=np.array([s[1] for s in specs]), language=args.language,
                        babble=np.concatenate(babble))
    print("synth: %d utterances (%.1f min), %d babble" % (len(audio), lengths.sum() / FS / 60, len(babble)))


if __name__ == "__main__":
    main()
