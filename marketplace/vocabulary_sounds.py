"""The pinyin of the search vocabulary's Chinese words (``marketplace.search_terms``),
written ahead so that a process answering searches need not load pypinyin (56 MB) to
build its index. Written by ``write()``::

    .venv/bin/python -c "from marketplace.vocabulary_sounds import write; write()"

and ``tests/marketplace/test_vocabulary_sounds.py`` fails when the vocabulary moved on.
"""

from __future__ import annotations

from pathlib import Path

#: Chinese word → (full pinyin, initials), as ``providers.search_keys`` computes them.
SOUNDS: dict[str, tuple[str, str]] = {
    "中医": ("zhongyi", "zy"),
    "中医调理": ("zhongyitiaoli", "zytl"),
    "乏力": ("fali", "fl"),
    "亚健康": ("yajiankang", "yjk"),
    "体检": ("tijian", "tj"),
    "体重": ("tizhong", "tz"),
    "倦怠": ("juandai", "jd"),
    "偏头痛": ("piantoutong", "ptt"),
    "健康检查": ("jiankangjiancha", "jkjc"),
    "八段锦": ("baduanjin", "bdj"),
    "养老": ("yanglao", "yl"),
    "减压": ("jianya", "jy"),
    "减肥": ("jianfei", "jf"),
    "减重": ("jianzhong", "jz"),
    "剪纸": ("jianzhi", "jz"),
    "压力": ("yali", "yl"),
    "咨询师": ("zixunshi", "zxs"),
    "复健": ("fujian", "fj"),
    "多梦": ("duomeng", "dm"),
    "太极": ("taiji", "tj"),
    "失眠": ("shimian", "sm"),
    "头疼": ("touteng", "tt"),
    "头痛": ("toutong", "tt"),
    "带娃": ("daiwa", "dw"),
    "康养": ("kangyang", "ky"),
    "康复": ("kangfu", "kf"),
    "康复训练": ("kangfuxunlian", "kfxl"),
    "心情不好": ("xinqingbuhao", "xqbh"),
    "心理": ("xinli", "xl"),
    "心理健康": ("xinlijiankang", "xljk"),
    "心理咨询": ("xinlizixun", "xlzx"),
    "情绪低落": ("qingxudiluo", "qxdl"),
    "手术后": ("shoushuhou", "ssh"),
    "扎针": ("zhazhen", "zz"),
    "托管": ("tuoguan", "tg"),
    "托育": ("tuoyu", "ty"),
    "扭伤": ("niushang", "ns"),
    "抑郁": ("yiyu", "yy"),
    "拉伤": ("lashang", "ls"),
    "指压": ("zhiya", "zy"),
    "按摩": ("anmo", "am"),
    "推拿": ("tuina", "tn"),
    "揉背": ("roubei", "rb"),
    "晨练": ("chenlian", "cl"),
    "术后": ("shuhou", "sh"),
    "森林浴": ("senlinyu", "sly"),
    "森林疗愈": ("senlinliaoyu", "slly"),
    "气功": ("qigong", "qg"),
    "焦虑": ("jiaolv", "jl"),
    "照护": ("zhaohu", "zh"),
    "理疗": ("liliao", "ll"),
    "疗愈": ("liaoyu", "ly"),
    "疲劳": ("pilao", "pl"),
    "看孩子": ("kanhaizi", "khz"),
    "睡不着": ("shuibuzhe", "sbz"),
    "睡眠": ("shuimian", "sm"),
    "紧张": ("jinzhang", "jz"),
    "老人": ("laoren", "lr"),
    "肥胖": ("feipang", "fp"),
    "肩周炎": ("jianzhouyan", "jzy"),
    "肩痛": ("jiantong", "jt"),
    "肩膀": ("jianbang", "jb"),
    "肩颈": ("jianjing", "jj"),
    "背痛": ("beitong", "bt"),
    "脖子": ("bozi", "bz"),
    "腰椎": ("yaozhui", "yz"),
    "腰疼": ("yaoteng", "yt"),
    "腰痛": ("yaotong", "yt"),
    "腰肌劳损": ("yaojilaosun", "yjls"),
    "腰背": ("yaobei", "yb"),
    "艾灸": ("aijiu", "aj"),
    "落枕": ("laozhen", "lz"),
    "血压": ("xueya", "xy"),
    "调理": ("tiaoli", "tl"),
    "谈心": ("tanxin", "tx"),
    "运动损伤": ("yundongsunshang", "ydss"),
    "针刺": ("zhenci", "zc"),
    "针灸": ("zhenjiu", "zj"),
    "长者": ("zhangzhe", "zz"),
    "陪护": ("peihu", "ph"),
    "颈椎": ("jingchui", "jc"),
    "颈椎病": ("jingchuibing", "jcb"),
    "颈肩": ("jingjian", "jj"),
    "颈部": ("jingbu", "jb"),
    "高血压": ("gaoxueya", "gxy"),
}


def computed() -> dict[str, tuple[str, str]]:
    """The sounds of the vocabulary's Chinese words as pypinyin gives them now."""
    from marketplace.search_terms import CONCEPTS
    from providers.search_keys import HAN, initials, pinyin

    words = sorted({w for c in CONCEPTS for w in c.words if HAN.fullmatch(w)})
    return {word: (pinyin(word), initials(word)) for word in words}


def write() -> None:
    path = Path(__file__)
    text = path.read_text(encoding="utf-8")
    head, rest = text.split("SOUNDS: dict[str, tuple[str, str]] = {\n", 1)
    tail = rest[rest.index("}\n"):]
    rows = "".join(f'    "{word}": ("{full}", "{letters}"),\n'
                   for word, (full, letters) in computed().items())
    path.write_text(f"{head}SOUNDS: dict[str, tuple[str, str]] = {{\n{rows}{tail}",
                    encoding="utf-8")

