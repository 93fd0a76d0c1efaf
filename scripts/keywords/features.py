"""Log-mel features, computed exactly as VoiceGateDSP.LogMelFeatures does (parity-tested).

8 kHz samples scaled to [-1, 1); 25 ms frames (200 samples) every 10 ms (80), periodic Hann
window, 256-point FFT, power spectrum, 40 triangular mel bands (HTK mel, 100-3800 Hz, weights
from each bin's exact frequency), natural log of band energy + 1e-6. A frame k covers samples
[80k, 80k+200); there are max(0, (n - 200) // 80 + 1) frames.
"""
import numpy as np

FS, FRAME, HOP, NFFT, NMEL, FMIN, FMAX, FLOOR = 8000, 200, 80, 256, 40, 100.0, 3800.0, 1e-6
# Per-utterance normalisations (the model file's features.normalise, "per-band " + one of these);
# VAR_FLOOR keeps a flat band (digital silence) from being blown up by the variance division.
NORMALISERS = ("mean", "mean and variance")
VAR_FLOOR = 1e-2


def mel(f):
    return 2595.0 * np.log10(1.0 + f / 700.0)


def hz(m):
    return 700.0 * (10.0 ** (m / 2595.0) - 1.0)


def filterbank():
    edges = hz(np.linspace(mel(FMIN), mel(FMAX), NMEL + 2))
    f = np.arange(NFFT // 2 + 1) * FS / NFFT
    w = np.zeros((NMEL, NFFT // 2 + 1))
    for m in range(NMEL):
        lo, c, hi = edges[m], edges[m + 1], edges[m + 2]
        w[m] = np.maximum(0.0, np.minimum((f - lo) / (c - lo), (hi - f) / (hi - c)))
    return w


WINDOW = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(FRAME) / FRAME)
FBANK = filterbank()


def logmel(x):
    """x: float samples in [-1, 1) at 8 kHz -> (frames, 40) float32."""
    n = (len(x) - FRAME) // HOP + 1
    if n <= 0:
        return np.zeros((0, NMEL), dtype=np.float32)
    idx = np.arange(FRAME)[None, :] + HOP * np.arange(n)[:, None]
    spec = np.fft.rfft(x[idx] * WINDOW, NFFT)
    power = spec.real ** 2 + spec.imag ** 2
    return np.log(power @ FBANK.T + FLOOR).astype(np.float32)


def normalise(f, kind="mean"):
    """Per-band mean over the utterance removed (level and channel independence); with
    "mean and variance", each band also divided by its standard deviation over the utterance
    (the speech's contrast over the noise floor no longer depends on the SNR)."""
    if not len(f):
        return f
    f = f - f.mean(axis=0, keepdims=True)
    if kind == "mean and variance":
        f = f / np.sqrt((f ** 2).mean(axis=0, keepdims=True) + VAR_FLOOR)
    return f
