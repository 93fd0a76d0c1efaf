"""What the Mandarin keyword model listens for, and the sentences it is trained on.

Same shape as vocabulary.py (the English one); train.py and synth.py take `--language zh`.
Sentences are written in characters for training (none is copied from an evaluation set)
and read to espeak-ng as tone-numbered pinyin (`spoken`), because espeak-ng's `cmn` voice
has no dictionary for most characters (it spells unknown ones out) while `cmn-latn-pinyin`
reads pinyin well, tone sandhi included.

Units are matched on characters at run time (Swift: KeywordModel.unit(for:)): Chinese is
written without spaces, so a menu phrase is served by the longest unit phrase it contains
("账户余额" -> "余额", "转人工" -> "人工", "银行卡丢了" -> "卡丢了").
"""

import re

LANGUAGE = "zh"

# Unit name -> phrases spoken for it in training (the first is the unit's phrase).
UNITS = {
    "余额": ["余额"],
    "转账": ["转账"],
    "汇款": ["汇款"],
    "挂失": ["挂失"],
    "卡丢了": ["卡丢了"],
    "冻结": ["冻结"],
    "账单": ["账单"],
    "贷款": ["贷款"],
    "房贷": ["房贷"],
    "人工": ["人工"],
    "客服": ["客服"],
    "投诉": ["投诉"],
    "重复": ["重复"],
    "再说一遍": ["再说一遍"],
    "主菜单": ["主菜单"],
    "返回": ["返回"],
    "是": ["是", "是的"],
    "对": ["对", "对的"],
    "不是": ["不是"],
    "不对": ["不对"],
    "中文": ["中文"],
    "普通话": ["普通话"],
}
NONE = "none"
CLASSES = list(UNITS) + [NONE]

# Longer phrases of the menu's own kind that contain a unit.
EXTENDED = {
    "余额": ["查余额", "账户余额", "查一下余额"],
    "人工": ["人工服务", "转人工"],
    "冻结": ["冻结银行卡"],
    "卡丢了": ["银行卡丢了", "我的卡丢了"],
    "账单": ["信用卡账单"],
    "投诉": ["我要投诉"],
}

# Carrier frames: "{}" is the keyword. Frames never contain another unit (no 是, 对).
FRAMES = [
    "{}", "{}", "{}", "嗯，{}", "那个，{}", "{}，谢谢", "你好，{}", "我要{}", "我想问一下{}",
    "麻烦你，{}", "喂，{}", "我打电话来问{}", "关于{}", "请问{}", "我想办{}", "{}，麻烦了",
    "嗯嗯，{}吧", "帮我看看{}", "你好，我想咨询{}", "那个，我要办理{}",
]
UNIT_FRAMES = {
    "余额": ["查{}", "查一下{}", "我想查{}", "账户{}", "我的{}", "{}还有多少", "查询{}",
             "卡里{}多少", "{}", "{}", "你好，查{}"],
    "转账": ["我要{}", "我想{}", "{}给我妈妈", "怎么{}", "给朋友{}", "办理{}", "{}", "{}",
             "我想网上{}", "喂，我要{}"],
    "汇款": ["我要{}", "我想{}", "{}到国外", "怎么{}", "给家里{}", "{}", "{}", "办一下{}"],
    "挂失": ["我要{}", "银行卡{}", "帮我{}", "信用卡要{}", "我想{}一张卡", "{}", "{}",
             "快点帮我{}", "{}银行卡"],
    "卡丢了": ["我的{}", "银行{}", "不好意思，我的{}", "{}怎么办", "昨天{}", "我的信用{}",
               "我{}", "{}", "哎呀，{}"],
    "冻结": ["{}银行卡", "我要{}账户", "请{}我的卡", "帮我{}一下", "马上{}", "{}", "{}信用卡"],
    "账单": ["查{}", "信用卡{}", "这个月的{}", "我的{}", "{}有问题", "电话{}", "{}", "{}"],
    "贷款": ["我想{}", "申请{}", "{}利率多少", "我要还{}", "我的{}", "{}", "{}", "汽车{}"],
    "房贷": ["我想{}", "申请{}", "{}利率多少", "我要还{}", "我的{}", "{}", "{}"],
    "人工": ["转{}", "{}服务", "我要{}", "找{}", "请转{}", "接{}", "{}", "{}", "转{}服务"],
    "客服": ["我要找{}", "转{}", "{}在吗", "我想跟{}说", "{}", "{}"],
    "投诉": ["我要{}", "我想{}", "{}一下", "我要{}你们", "{}电话", "{}", "{}"],
    "重复": ["请{}", "{}一下", "麻烦{}", "能不能{}", "你{}一下", "{}", "{}"],
    "再说一遍": ["请你{}", "麻烦{}", "能{}吗", "{}好吗", "没听清，{}", "{}", "{}"],
    "主菜单": ["回到{}", "我要回{}", "去{}", "{}", "{}", "{}吧"],
    "返回": ["{}", "{}", "请{}", "{}上一级", "我要{}", "{}吧", "{}开始"],
    "是": ["{}", "{}", "{}的", "{}啊", "嗯，{}", "{}，没错", "{}的，谢谢", "{}呀", "嗯{}的"],
    "对": ["{}", "{}", "{}的", "{}啊", "嗯{}", "{}，没错", "{}呀", "{}的，谢谢"],
    "不是": ["{}", "{}", "{}的", "{}啊", "{}，错了", "嗯，{}", "{}这个", "{}，谢谢"],
    "不对": ["{}", "{}", "{}啊", "{}，错了", "嗯，{}", "{}呀", "{}，谢谢"],
    "中文": ["{}", "我要{}", "请说{}", "{}服务", "讲{}", "用{}", "{}吧"],
    "普通话": ["{}", "我要{}", "请说{}", "{}服务", "讲{}", "用{}", "我会说{}"],
}

# No keyword at all.
PLAIN = [
    "今天天气很好", "你们几点开门", "我在开车", "请等一下", "喂，有人吗", "我不太清楚",
    "我想想", "谢谢你", "再见", "你好", "我刚刚搬家了", "我在机场", "孩子们很吵",
    "明天去海边", "我打错电话了", "哪里有邮局", "声音太小了", "能听到我吗", "好的好的",
    "嗯嗯", "等一等", "我有一个问题", "外面下雨了", "火车晚点了", "多少钱",
    "我手机快没电了", "商店六点关门", "我考虑一下", "听起来不错", "打印机坏了",
    "我点了一份外卖", "在哪里签字", "我朋友让我打电话", "我晚点再打", "太慢了",
    "我要去医院看病", "我哥哥在医院工作", "我忘了要说什么", "稍等一下",
    "这个要多久", "我刚下班", "猫在沙发上睡觉", "音乐太吵了", "我们周末去爬山",
    "你叫什么名字", "我住在北京", "请慢一点", "好吧", "啊，知道了",
]
# Sharing syllables with keywords, but not keywords (own sentences). No 是/对 characters:
# every sentence here is labelled "none".
NEAR_MISS = [
    "我喜欢吃鱼", "鱼在水里游", "额头很烫", "我饿了", "多余的东西", "语言很难学",
    "他转身走了", "前面转弯", "我的账号忘了", "涨价了", "帐篷很大",
    "开会到几点", "汇报工作", "这个款式很新", "房间很宽敞",
    "挂号在哪里", "先挂电话吧", "我很失望", "老师来了", "衣服湿了",
    "我的钥匙丢了", "手机丢了", "卡车开过去了", "喝杯咖啡", "门卡住了",
    "冬天很冷", "动物园", "他们结婚了", "冻得发抖",
    "菜单上有什么", "很简单", "我有点担心", "单位在哪里",
    "口袋里有钱", "代表大会", "宽带坏了", "带走吧",
    "房子很大", "这个方法不错", "房间号多少",
    "工人在修路", "人口很多", "工作很忙", "公园里人很多", "他很认真",
    "客人来了", "这件衣服很好看", "课本在桌子上", "很舒服",
    "头发太长了", "投资有风险", "告诉我", "速度太快", "我头疼",
    "这个很重要", "重新开始", "复习功课", "很幸福",
    "再见了", "他说得很快", "我再想想", "一遍又一遍",
    "主要问题", "他做菜很好吃", "好主意",
    "去饭馆吃饭", "我要回家", "发烧了",
    "十个人", "时间不够", "有事情", "实在太累", "事情办完了",
    "队伍很长", "一堆东西", "兑换外币",
    "不要", "不好", "不行", "不知道", "不用了",
    "中午吃什么", "在中间", "文件在哪里", "这个话题", "打电话", "中国很大", "普通的问题",
    "余下的时间", "账户", "服务员", "菜很好吃",
]
# Babble sources (background talkers): never spoken as training sentences themselves.
BABBLE = [
    "会议改到星期五下午了", "春天的销量上去了", "记得给鱼喂食", "去城里的车八点出发",
    "我们把篱笆刷成白色", "孩子们跑过田野", "下了一整夜的雪", "她把外套忘在公司了",
    "图书馆九点开门", "他点了咖啡和蛋糕", "足球比赛很精彩", "街角新开了一家面包店",
]


def has_phrase(text, phrase):
    """Character containment (Chinese has no spaces between words)."""
    return phrase in text


def spoken(text):
    """The text as espeak-ng's cmn-latn-pinyin voice reads it: tone-numbered pinyin."""
    from pypinyin import Style, lazy_pinyin
    pieces = [p for p in re.split(r"[，。、？！,.?! ]+", text) if p]
    return ", ".join(" ".join(lazy_pinyin(p, style=Style.TONE3, neutral_tone_with_five=True,
                                          tone_sandhi=True, errors="ignore")) for p in pieces)


def check():
    """Negative sentences contain no unit phrase (else they would teach the model to miss)."""
    phrases = [p for ps in UNITS.values() for p in ps]
    for s in PLAIN + NEAR_MISS + BABBLE:
        bad = [p for p in phrases if has_phrase(s, p)]
        assert not bad, (s, bad)


check()
