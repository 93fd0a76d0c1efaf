"""Train a keyword model and export it for the Swift engine (Models/keywords-<language>.json).

    python scripts/keywords/train.py --speech var/keywords/speech.npz --out Models/keywords-en.json
    python scripts/keywords/train.py --language zh --speech var/keywords/speech-zh.npz --out Models/keywords-zh.json

Model (mirrored by VoiceGateSpeech.KeywordNetwork): normalised log-mel (40 x T) -> conv k5
stride 2 -> 4 residual dilated convs (k5, dilation 1, 2, 4, 8) -> 1x1 conv to one logit per
class per 20 ms step. A keyword class scores its maximum over time (where its evidence
peaks); "none" scores its mean over time. Batch norm is folded into the convs at export.
Each epoch draws fresh noise (white, pink, brown, babble of held-out sentences), SNR, level,
silence around the speech and a G.711 μ-law round trip; noise-only clips are added as "none".
SNRs lean on 5-12 dB (--snr-focus) and babble is drawn as often as the other noises together.
Frame slips (--slip): a jitter buffer that conceals or discards a packet shifts the audio mid-
utterance, so some clips lose or repeat a 10-30 ms chunk, or get a short zero gap, at random points.
"""
import argparse
import base64
import importlib
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import features as FE

# The vocabulary module of the language being trained (set in main; English by default).
V = importlib.import_module("vocabulary")

FS = 8000
CH = 64
DILATIONS = [1, 2, 4, 8]


class Net(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.conv0 = nn.Conv1d(FE.NMEL, CH, 5, stride=2, padding=2)
        self.bn0 = nn.BatchNorm1d(CH)
        self.convs = nn.ModuleList([nn.Conv1d(CH, CH, 5, dilation=d, padding=2 * d) for d in DILATIONS])
        self.bns = nn.ModuleList([nn.BatchNorm1d(CH) for _ in DILATIONS])
        self.head = nn.Conv1d(CH, classes, 1)
        self.drop = nn.Dropout(0.1)

    def steps(self, x):
        h = F.relu(self.bn0(self.conv0(x)))
        for conv, bn in zip(self.convs, self.bns):
            h = h + F.relu(bn(conv(self.drop(h))))
        return self.head(h)                                  # (B, C, T')

    def forward(self, x, mask):
        """mask: (B, T') True where the step is real (not batch padding)."""
        s = self.steps(x)
        neg = torch.finfo(s.dtype).min / 4
        kw = s[:, :-1].masked_fill(~mask[:, None, :], neg).amax(dim=2)
        none = (s[:, -1] * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1)
        return torch.cat([kw, none[:, None]], dim=1)


def out_len(t):
    return (t + 4 - 5) // 2 + 1


# ---------------------------------------------------------------- augmentation (numpy)
def mulaw(x):
    """G.711 μ-law round trip (companding with 8-bit codes), x in [-1, 1)."""
    x = np.clip(x, -1.0, 1.0)
    y = np.sign(x) * np.log1p(255.0 * np.abs(x)) / np.log(256.0)
    q = np.round(y * 127.0) / 127.0
    return np.sign(q) * ((1.0 + 255.0) ** np.abs(q) - 1.0) / 255.0


def bandlimit(z):
    spec = np.fft.rfft(z)
    f = np.fft.rfftfreq(len(z), 1.0 / FS)
    spec[(f < 300) | (f > 3400)] = 0
    return np.fft.irfft(spec, len(z))


def noise_bank(rng, babble, seconds=60):
    """Long unit-power noise tracks (white, pink, brown, babble of 3-7 talkers) sliced per
    utterance, so an epoch's augmentation costs no FFTs."""
    n = seconds * FS
    bank = {}
    for kind in ("white", "pink", "brown"):
        spec = np.fft.rfft(rng.standard_normal(n))
        f = np.fft.rfftfreq(n, 1.0 / FS)
        f[0] = f[1]
        shape = {"white": 1.0, "pink": np.sqrt(f), "brown": f}[kind]
        bank[kind] = np.fft.irfft(spec / shape, n)
    for k in range(3):
        z = np.zeros(n)
        for _ in range(3 + 2 * k):
            z += np.roll(np.resize(babble, n), int(rng.integers(0, len(babble))))
        bank["babble%d" % k] = z
    for kind in bank:
        z = bandlimit(bank[kind])
        bank[kind] = z / np.sqrt(np.mean(z ** 2))
    return bank


def take(bank, rng, n):
    kinds = list(bank)
    babble = [k for k in kinds if k.startswith("babble")]
    if babble and rng.random() < 0.5:
        kind = babble[int(rng.integers(len(babble)))]
    else:
        kind = kinds[int(rng.integers(len(kinds)))]
    z = bank[kind]
    off = int(rng.integers(0, len(z) - n))
    return z[off: off + n]


def slip(x, rng, chances):
    """Up to `chances` jitter-buffer slips at random points: a 10-30 ms chunk dropped or
    repeated, or a short zero gap (concealment by silence) inserted or written over the audio."""
    for _ in range(chances):
        if rng.random() >= 0.5 or len(x) < 2000:
            continue
        n = int(rng.integers(80, 241))
        at = int(rng.integers(400, len(x) - 400))
        kind = rng.random()
        if kind < 0.35:
            x = np.concatenate([x[:at], x[at + n:]])
        elif kind < 0.7:
            x = np.concatenate([x[:at + n], x[at: at + n], x[at + n:]])
        elif kind < 0.85:
            x = np.concatenate([x[:at], np.zeros(n), x[at:]])
        else:
            x = x.copy()
            x[at: at + n] = 0
    return x


def augment(clean, rng, bank, noise_only=False, slip_rate=0.0, snr_focus=0.0):
    """Silence around the speech, a random level, noise at a random SNR (or alone), μ-law,
    and with probability `slip_rate` frame slips; `snr_focus` of noisy clips at 5-12 dB."""
    lead, trail = rng.uniform(0.05, 0.5), rng.uniform(0.05, 0.4)
    if noise_only:
        sp = np.zeros(int(rng.uniform(0.3, 2.5) * FS))
    else:
        sp = clean * (10 ** (rng.uniform(-36, -14) / 20))
    x = np.concatenate([np.zeros(int(lead * FS)), sp, np.zeros(int(trail * FS))])
    if noise_only:
        x += take(bank, rng, len(x)) * 10 ** (rng.uniform(-60, -25) / 20)
    elif rng.random() > 0.25:
        snr = rng.uniform(5, 12) if rng.random() < snr_focus else rng.uniform(-3, 25)
        x += take(bank, rng, len(x)) * np.sqrt(np.mean(sp ** 2)) * 10 ** (-snr / 20)
    else:
        x += rng.standard_normal(len(x)) * 10 ** (-75 / 20)
    x = mulaw(x)
    if not noise_only and rng.random() < slip_rate:
        x = slip(x, rng, 2)
    return (np.round(x * 32767) / 32768.0).astype(np.float32)


def epoch_audio(audio, rng, bank, noise_extra, slip_rate=0.0, snr_focus=0.0):
    none = V.CLASSES.index(V.NONE)
    xs = [augment(clean, rng, bank, slip_rate=slip_rate, snr_focus=snr_focus) for clean, _ in audio]
    ys = [label for _, label in audio]
    for _ in range(noise_extra):
        xs.append(augment(None, rng, bank, noise_only=True))
        ys.append(none)
    return xs, np.array(ys)


WINDOW_T = torch.tensor(FE.WINDOW, dtype=torch.float32)
FBANK_T = torch.tensor(FE.FBANK.T, dtype=torch.float32)          # (129, 40)


# Per-utterance normalisation of the features (features.py NORMALISERS; set in main).
NORMALISE = "mean"


def torch_logmel(wave, frames):
    """Batched features.py logmel + normalise: wave (B, N) float, frames (B,) valid counts."""
    fr = wave.unfold(1, FE.FRAME, FE.HOP) * WINDOW_T                 # (B, T, 200)
    spec = torch.fft.rfft(fr, n=FE.NFFT)
    power = spec.real ** 2 + spec.imag ** 2
    feats = torch.log(power @ FBANK_T + FE.FLOOR)                    # (B, T, 40)
    t = feats.shape[1]
    valid = (torch.arange(t)[None, :] < frames[:, None]).float()[:, :, None]
    count = frames[:, None, None].clamp(min=1)
    mean = (feats * valid).sum(1, keepdim=True) / count
    centred = (feats - mean) * valid
    if NORMALISE == "mean and variance":
        std = torch.sqrt((centred ** 2).sum(1, keepdim=True) / count + FE.VAR_FLOOR)
        centred = centred / std
    return centred.transpose(1, 2)                                   # (B, 40, T)


def batches(xs, labels, rng, size):
    order = np.argsort([len(x) + rng.uniform(0, 3000) for x in xs])   # similar lengths together
    groups = [order[i: i + size] for i in range(0, len(order), size)]
    rng.shuffle(groups)
    for g in groups:
        n = max(len(xs[i]) for i in g)
        w = np.zeros((len(g), n), dtype=np.float32)
        frames = np.zeros(len(g), dtype=np.int64)
        for j, i in enumerate(g):
            w[j, : len(xs[i])] = xs[i]
            frames[j] = (len(xs[i]) - FE.FRAME) // FE.HOP + 1
        fr = torch.from_numpy(frames)
        x = torch_logmel(torch.from_numpy(w), fr)
        t = x.shape[2]
        m = torch.arange(out_len(t))[None, :] < torch.tensor([out_len(int(f)) for f in frames])[:, None]
        yield x, m, torch.from_numpy(labels[g])


# ---------------------------------------------------------------- export
def fold(conv, bn):
    w = conv.weight.detach().numpy().astype(np.float64)
    b = conv.bias.detach().numpy().astype(np.float64)
    scale = bn.weight.detach().numpy() / np.sqrt(bn.running_var.numpy() + bn.eps)
    return w * scale[:, None, None], (b - bn.running_mean.numpy()) * scale + bn.bias.detach().numpy()


def b64(a):
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode()


def export(net, path, meta):
    net.eval()
    layers = []
    w, b = fold(net.conv0, net.bn0)
    layers.append(dict(input=FE.NMEL, output=CH, kernel=5, stride=2, dilation=1, residual=False, relu=True,
                       weights=b64(w), bias=b64(b)))
    for conv, bn, d in zip(net.convs, net.bns, DILATIONS):
        w, b = fold(conv, bn)
        layers.append(dict(input=CH, output=CH, kernel=5, stride=1, dilation=d, residual=True, relu=True,
                           weights=b64(w), bias=b64(b)))
    hw = net.head.weight.detach().numpy()
    layers.append(dict(input=CH, output=len(V.CLASSES), kernel=1, stride=1, dilation=1, residual=False,
                       relu=False, weights=b64(hw), bias=b64(net.head.bias.detach().numpy())))
    doc = dict(format="voicegate-keywords/1", language=meta.pop("language", "en"),
               note="weights: base64 little-endian float32, [output][input][kernel] row-major; "
                    "'same' padding of dilation*(kernel-1)/2 zeros; see scripts/keywords/train.py",
               features=dict(sample_rate=FE.FS, frame=FE.FRAME, hop=FE.HOP, fft=FE.NFFT, mels=FE.NMEL,
                             fmin=FE.FMIN, fmax=FE.FMAX, floor=FE.FLOOR,
                             normalise="per-band " + NORMALISE, variance_floor=FE.VAR_FLOOR),
               classes=V.CLASSES, units=V.UNITS, none_pooling="mean", keyword_pooling="max",
               threshold=meta.pop("threshold", 0.5), layers=layers, training=meta)
    with open(path, "w") as fh:
        json.dump(doc, fh, separators=(",", ":"))


def main():
    global V, CH, NORMALISE
    ap = argparse.ArgumentParser()
    ap.add_argument("--speech", default="var/keywords/speech.npz")
    ap.add_argument("--out", default="Models/keywords-en.json")
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--epochs", type=int, default=18)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--language", default="en", help="en (vocabulary.py) or zh (vocabulary_zh.py)")
    ap.add_argument("--slip", type=float, default=0.3, help="share of clips with frame slips")
    ap.add_argument("--snr-focus", type=float, default=0.4, help="share of noisy clips at 5-12 dB")
    ap.add_argument("--channels", type=int, default=CH, help="width of the convolutions")
    ap.add_argument("--normalise", default="mean", choices=sorted(FE.NORMALISERS),
                    help="per-band normalisation over the utterance: mean, or mean and variance")
    args = ap.parse_args()
    CH, NORMALISE = args.channels, args.normalise
    V = importlib.import_module("vocabulary" if args.language == "en" else "vocabulary_" + args.language)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng([args.seed, 9])
    d = np.load(args.speech)
    if "language" in d and str(d["language"]) != args.language:
        sys.exit("train: %s is %s speech, not %s" % (args.speech, d["language"], args.language))
    bounds = np.concatenate([[0], np.cumsum(d["lengths"])])
    every, classes = d["audio"], d["labels"]     # each npz access decompresses: read once
    audio = [(every[bounds[i]: bounds[i + 1]].astype(np.float64), int(classes[i]))
             for i in range(len(bounds) - 1)]
    babble = d["babble"].astype(np.float64)
    bank = noise_bank(rng, babble)
    net = Net(len(V.CLASSES))
    opt = torch.optim.AdamW(net.parameters(), lr=3e-3, weight_decay=1e-4)
    total = args.epochs
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=total * (len(audio) // 32 + 20),
                                                pct_start=0.15)
    noise_extra = len(audio) // 12
    for epoch in range(total):
        t0 = time.time()
        xs, labels = epoch_audio(audio, rng, bank, noise_extra, args.slip, args.snr_focus)
        t1 = time.time()
        net.train()
        loss_sum, right, n = 0.0, 0, 0
        for x, m, y in batches(xs, labels, rng, 32):
            logits = net(x, m)
            loss = F.cross_entropy(logits, y, label_smoothing=0.05)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if sched.last_epoch < sched.total_steps - 1:
                sched.step()
            loss_sum += loss.item() * len(y)
            right += (logits.argmax(1) == y).sum().item()
            n += len(y)
        print("epoch %2d loss %.3f train acc %.3f (augment %.0fs, train %.0fs)" % (
            epoch, loss_sum / n, right / n, t1 - t0, time.time() - t1), flush=True)
        # Exported after every epoch so a long run can be inspected (the last one is final).
        os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
        export(net, args.out, dict(seed=args.seed, epochs=epoch + 1, utterances=len(audio),
                                   noise_only_per_epoch=noise_extra, threshold=args.threshold,
                                   language=args.language, slip=args.slip, snr_focus=args.snr_focus,
                                   channels=CH, normalise=NORMALISE,
                                   command="train.py " + " ".join(sys.argv[1:]),
                                   excluded_variants=["m1", "m3", "f2", "f4"]))
        net.train()
    torch.save(net.state_dict(), os.path.splitext(args.speech)[0] + ".pt")
    print("wrote", args.out)


if __name__ == "__main__":
    main()
