#!/usr/bin/env python3
"""A held-out Mandarin keyword set in the corpus's format (labels.jsonl + WAV files), scored
by eval/kws_eval.py --language zh (the labelled corpus of ../shared/corpus is English only).

Voices: espeak-ng's Mandarin voice (cmn-latn-pinyin) in the variants m1, m3, f2, f4, which
scripts/keywords/synth.py never uses for training; sentences written here, none copied from
scripts/keywords/vocabulary_zh.py's training sentences. Keyword files say a zh menu phrase of
Config/menu.yaml in a carrier sentence; distractors are plain sentences and near-misses
(syllables shared with keywords); silence files are noise alone. SNR rows: clean, 20, 10, 5,
0 dB with white, pink or Mandarin babble noise; telephone band, 8 kHz, μ-law round trip.

    var/kws-venv/bin/python eval/make_zh_set.py --out var/zh-set-7 --seed 7
    python3 eval/kws_eval.py --corpus var/zh-set-7 --voicegate .build/release/voicegate --language zh
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
from scipy.io import wavfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts", "keywords"))
import synth  # noqa: E402  (telephone channel)
import train  # noqa: E402  (μ-law)
import vocabulary_zh as V  # noqa: E402  (pinyin)

FS = 8000
VOICES = ["cmn-latn-pinyin+m1", "cmn-latn-pinyin+m3", "cmn-latn-pinyin+f2", "cmn-latn-pinyin+f4"]
# (intent, sentence): each says one zh menu phrase.
KEYWORD = [
    ("balance", "您好，我想知道余额"), ("balance", "帮忙查余额"), ("balance", "我要看账户余额"),
    ("transfer", "我今天想转账"), ("transfer", "请问汇款怎么弄"), ("transfer", "转账"),
    ("card", "我的银行卡丢了"), ("card", "我想挂失"), ("card", "请冻结银行卡"), ("card", "卡丢了"),
    ("bill", "我想看信用卡账单"), ("bill", "账单"), ("bill", "上个月的账单"),
    ("loan", "我想了解贷款"), ("loan", "房贷怎么还"), ("loan", "贷款"),
    ("agent", "人工服务"), ("agent", "我要转人工"), ("agent", "请给我接客服"), ("agent", "人工"),
    ("complaint", "我要投诉"), ("complaint", "投诉"), ("complaint", "我必须投诉这件事"),
    ("repeat", "再说一遍"), ("repeat", "请您重复"), ("repeat", "刚才没听到，再说一遍"),
    ("main_menu", "主菜单"), ("main_menu", "我想回主菜单"), ("main_menu", "返回"),
    ("yes", "是的"), ("yes", "是"), ("yes", "对"),
    ("no", "不是"), ("no", "不对"), ("no", "不是这样"),
    ("language_zh", "中文"), ("language_zh", "我说普通话"), ("language_zh", "普通话"),
]
PLAIN = [
    "明天我要去上海", "这家餐厅的面条很好吃", "我的狗在院子里跑", "请问现在几点了",
    "我在等公交车", "周末我们去看电影", "他正在开会", "老板今天不在",
    "我买了一本新书", "楼下有人在唱歌", "我刚吃完午饭", "天快黑了",
]
NEAR_MISS = [
    "我们去钓鱼吧", "额外的费用", "转过身来", "张先生来了", "开汇报会", "这个款很贵",
    "挂在墙上", "丢了一把伞", "冬天结冰了", "菜单拿来", "代驾来了", "房东很好",
    "认真工作", "客厅很大", "投票开始了", "充分准备", "主持人来了", "回来了",
    "十点见", "不去了", "中央电视台", "普通人",
]
BABBLE = ["大家早上好欢迎来到会议", "这条路晚上很安静", "我姐姐在学校教数学", "超市的水果很新鲜",
          "下个月我们去旅行", "昨天晚上下了大雨"]
SNRS = [None, 20, 10, 5, 0]
NOISES = ["white", "pink", "babble"]


def say(text, voice, rate, pitch):
    return synth.channel(*synth.synth(V.spoken(text), voice, rate, pitch)).astype(np.float64)


def noise(kind, n, rng, babble):
    if kind == "babble":
        z = sum(np.roll(np.resize(babble, n), int(rng.integers(len(babble)))) for _ in range(4))
    else:
        spec = np.fft.rfft(rng.standard_normal(n))
        if kind == "pink":
            f = np.arange(len(spec), dtype=np.float64)
            f[0] = 1
            spec /= np.sqrt(f)
        z = np.fft.irfft(spec, n)
    z = train.bandlimit(z)
    return z / (np.sqrt(np.mean(z ** 2)) + 1e-12)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--silence", type=int, default=20)
    args = ap.parse_args()
    for _, s in KEYWORD:
        assert any(p in s for ps in V.UNITS.values() for p in ps), s
    for s in PLAIN + NEAR_MISS:
        assert not any(p in s for ps in V.UNITS.values() for p in ps), s
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.out, exist_ok=True)
    babble = np.concatenate([say(s, VOICES[i % 4], 170, 50) for i, s in enumerate(BABBLE)])
    jobs = []   # (kind, style, intent, text, snr, noise kind)
    for snr in SNRS:
        for intent, text in KEYWORD:
            jobs.append(("keyword", None, intent, text, snr, NOISES[int(rng.integers(3))]))
    for snr in (None, 10):
        for style, texts in (("plain", PLAIN), ("near_miss", NEAR_MISS)):
            for text in texts:
                jobs.append(("distractor", style, None, text, snr, NOISES[int(rng.integers(3))]))
    for _ in range(args.silence):
        jobs.append(("silence", None, None, "", None, NOISES[int(rng.integers(3))]))
    with open(os.path.join(args.out, "labels.jsonl"), "w") as labels:
        for i, (kind, style, intent, text, snr, nk) in enumerate(jobs):
            voice = VOICES[int(rng.integers(len(VOICES)))]
            if kind == "silence":
                sp = np.zeros(int(rng.uniform(1.0, 3.0) * FS))
                level = 0.0
            else:
                sp = say(text, voice, int(rng.integers(120, 201)), int(rng.integers(30, 71)))
                level = 10 ** (rng.uniform(-30, -20) / 20)
                sp = sp * level
            x = np.concatenate([np.zeros(int(0.6 * FS)), sp, np.zeros(int(0.8 * FS))])
            if kind == "silence":
                x += noise(nk, len(x), rng, babble) * 10 ** (rng.uniform(-50, -30) / 20)
            elif snr is not None:
                x += noise(nk, len(x), rng, babble) * np.sqrt(np.mean(sp ** 2)) * 10 ** (-snr / 20)
            x = train.mulaw(x)
            name = "zh-%04d.wav" % i
            wavfile.write(os.path.join(args.out, name), FS, np.round(np.clip(x, -1, 1) * 32767).astype(np.int16))
            labels.write(json.dumps(dict(file=name, kind=kind, style=style, intent=intent, text=text,
                                         voice=voice if kind != "silence" else None, snr_db=snr,
                                         noise=nk if (snr is not None or kind == "silence") else None,
                                         # where the (channel-trimmed) speech lies, for eval/kws_diagnose.py
                                         speech_segments=[] if kind == "silence" else
                                         [[0.6, round(0.6 + len(sp) / FS, 3)]],
                                         duration_s=round(len(x) / FS, 3)), ensure_ascii=False) + "\n")
    print("zh set: %d files in %s" % (len(jobs), args.out))


if __name__ == "__main__":
    main()
