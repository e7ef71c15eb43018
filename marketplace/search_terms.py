"""What people type, turned into what the catalogue looks for: the vocabulary (synonyms
across Chinese and English, symptoms and the categories that help with them) and the
normalisation of a query into terms. Pure: no database, no requests.

A query is cut into words (full-width letters folded, punctuation dropped, known phrases
such as "back pain" kept whole, Chinese runs split at known words: 颈椎按摩 → 颈椎, 按摩).
Each word becomes a ``Term``: the texts that count as a match (the word and its synonyms,
found in a service's titles, descriptions, need tags or provider names) and the pinyin keys
(``providers.search_keys``) it may match when typed in Latin letters. When nothing is
found, ``close_terms`` offers the nearest vocabulary word for a typo (rapidfuzz) and the
sound of a Chinese word typed with the wrong characters (按魔 sounds like 按摩).

Synonyms are expanded here, when searching, rather than stored with each service: the
vocabulary can grow without rewriting 5,000 services.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from marketplace.vocabulary_sounds import SOUNDS
from providers.search_keys import HAN, initials, pinyin

MAX_TERMS = 8
#: How alike a typed word and a vocabulary word must be (rapidfuzz ratio, 0-100) to be
#: offered as what was meant: "massge" → massage (92), "insomina" → insomnia (88).
TYPO_SCORE = 80
#: Latin words shorter than this are too short to correct or to match full pinyin inside.
MIN_FUZZY = 4


@dataclass(frozen=True)
class Concept:
    """Words that mean the same thing to someone searching; a symptom names the
    categories (``ProviderCategory`` values) that help with it."""

    key: str
    words: tuple[str, ...]
    categories: tuple[str, ...] = ()


#: The maintained vocabulary: lower case; a word may belong to several concepts.
CONCEPTS: tuple[Concept, ...] = (
    # What services are
    Concept("massage", ("massage", "按摩", "推拿", "tuina", "acupressure", "指压", "揉背")),
    Concept("counselling", ("counselling", "counseling", "counsellor", "counselor",
                            "心理咨询", "心理", "心理健康", "psychological", "psychologist",
                            "mental health", "therapist", "咨询师", "谈心")),
    Concept("rehabilitation", ("rehabilitation", "rehab", "康复", "康复训练", "physiotherapy",
                               "physio", "physical therapy", "理疗", "复健")),
    Concept("acupuncture", ("acupuncture", "针灸", "针刺", "扎针")),
    Concept("moxibustion", ("moxibustion", "moxa", "艾灸")),
    Concept("tcm", ("tcm", "中医", "chinese medicine", "traditional chinese medicine",
                    "中医调理", "调理")),
    Concept("checkup", ("checkup", "check up", "health check", "体检", "健康检查",
                        "medical examination")),
    Concept("childcare", ("childcare", "child care", "daycare", "托育", "托管", "带娃",
                          "看孩子", "babysitting")),
    Concept("eldercare", ("eldercare", "elder care", "elderly", "养老", "老人", "长者",
                          "照护", "陪护")),
    Concept("qigong", ("baduanjin", "八段锦", "qigong", "气功", "tai chi", "taichi", "太极",
                       "晨练")),
    Concept("wellness_trip", ("wellness trip", "retreat", "康养", "疗愈", "forest therapy",
                              "森林疗愈", "森林浴")),
    Concept("paper_cutting", ("paper cutting", "papercut", "剪纸")),
    # Symptoms, and where help is found
    Concept("insomnia", ("insomnia", "失眠", "sleep", "睡眠", "睡不着", "sleepless",
                         "多梦"), categories=("counselling", "tcm")),
    Concept("neck", ("颈椎", "neck", "cervical", "颈肩", "颈部", "落枕", "颈椎病",
                     "neck pain", "脖子"), categories=("tcm", "rehabilitation")),
    Concept("back_pain", ("腰疼", "腰痛", "back pain", "lower back", "backache", "腰背",
                          "背痛", "腰椎", "lumbar", "back_pain", "腰肌劳损"),
            categories=("rehabilitation", "tcm")),
    Concept("shoulder", ("肩周炎", "肩膀", "shoulder", "frozen shoulder", "肩颈", "肩痛"),
            categories=("tcm", "rehabilitation")),
    Concept("stress", ("stress", "压力", "减压", "anxiety", "焦虑", "burnout", "倦怠",
                       "紧张"), categories=("counselling",)),
    Concept("depression", ("depression", "抑郁", "low mood", "情绪低落", "心情不好"),
            categories=("counselling",)),
    Concept("fatigue", ("fatigue", "tired", "exhausted", "疲劳", "乏力", "亚健康"),
            categories=("tcm", "health_checkup")),
    Concept("headache", ("headache", "migraine", "头疼", "头痛", "偏头痛"),
            categories=("tcm",)),
    Concept("sports_injury", ("sports injury", "sprain", "扭伤", "运动损伤", "拉伤"),
            categories=("rehabilitation",)),
    Concept("after_surgery", ("post-operative", "postoperative", "after surgery", "术后",
                              "手术后"), categories=("rehabilitation",)),
    Concept("blood_pressure", ("hypertension", "blood pressure", "高血压", "血压"),
            categories=("health_checkup", "tcm")),
    Concept("weight", ("weight", "overweight", "obesity", "减肥", "减重", "体重", "肥胖"),
            categories=("health_checkup", "tcm")),
)

_TOKEN = re.compile(r"[^\W_]+")
_LATIN = re.compile(r"[a-z]+")


def _fold(text: str) -> str:
    """Full-width letters and digits to half-width, lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def words_of(text: str) -> list[str]:
    """The words of ``text``: letters, digits and Chinese; punctuation and ``_`` separate."""
    return _TOKEN.findall(_fold(text))


def _build_index() -> dict[str, tuple[Concept, ...]]:
    index: dict[str, list[Concept]] = {}

    def add(word: str, concept: Concept) -> None:
        if word and concept not in index.setdefault(word, []):
            index[word].append(concept)

    for concept in CONCEPTS:
        for word in concept.words:
            add(" ".join(words_of(word)), concept)
            if HAN.fullmatch(word):  # typed as pinyin, in full or as initials
                sound, letters = SOUNDS.get(word) or (pinyin(word), initials(word))
                add(sound, concept)
                if len(word) >= 2:
                    add(letters, concept)
    return {word: tuple(concepts) for word, concepts in index.items()}


#: Every known word or phrase (and the pinyin of the Chinese ones) → its concepts.
INDEX = _build_index()
_PHRASES = {word for word in INDEX if " " in word}
_CHINESE = sorted((w for w in INDEX if HAN.fullmatch(w)), key=len, reverse=True)
_FUZZY = sorted(w for w in INDEX if _LATIN.fullmatch(w) and len(w) >= MIN_FUZZY)


@dataclass(frozen=True)
class Term:
    """One word of a query: a service matches it when one of ``texts`` is in its text,
    or one of ``keys`` in its pinyin keys."""

    typed: str
    texts: tuple[str, ...]
    keys: tuple[str, ...]
    concepts: tuple[Concept, ...] = ()


@dataclass(frozen=True)
class CloseMatch:
    """What a search that found nothing tries instead, and what it tells the person."""

    terms: list[Term]
    shown_as: str  #: the query as corrected ("massage"); the same words when only the sound


def _keys_for(word: str) -> tuple[str, ...]:
    """How a Latin word may match pinyin keys: in full pinyin or initials anywhere when it
    is long enough, at the start of a syllable when it is 2-3 letters (``am`` → ``^am``)."""
    if not _LATIN.fullmatch(word):
        return ()
    if len(word) >= MIN_FUZZY:
        return (word,)
    return (f"^{word}",) if len(word) >= 2 else ()


def term(word: str) -> Term:
    concepts = INDEX.get(word, ())
    if not concepts and _LATIN.fullmatch(word) and word.endswith("s"):
        concepts = INDEX.get(word[:-1], ())  # plurals: massages, headaches
    # Two Latin letters are pinyin initials, not a word to find inside English text
    # ("am" is in "programme").
    own = [] if _LATIN.fullmatch(word) and len(word) == 2 else [word]
    texts = dict.fromkeys([*own, *(w for c in concepts for w in c.words)])
    return Term(typed=word, texts=tuple(texts), keys=_keys_for(word), concepts=concepts)


def _split_chinese(word: str) -> list[str]:
    """A run of Chinese cut at the known words it holds (longest first); itself when it is
    a known word or holds none."""
    if word in INDEX or not HAN.fullmatch(word):
        return [word]
    parts, rest = [], word
    while rest:
        found = next((w for w in _CHINESE if rest.startswith(w)), None)
        if found:
            parts.append(found)
            rest = rest[len(found):]
            continue
        nxt = min((i for w in _CHINESE if (i := rest.find(w)) > 0), default=len(rest))
        parts.append(rest[:nxt])
        rest = rest[nxt:]
    return parts if any(p in INDEX for p in parts) else [word]


def parse(query: str) -> list[Term]:
    """The terms of ``query`` (at most ``MAX_TERMS``); a service must match each."""
    words = words_of(query)
    merged: list[str] = []
    i = 0
    while i < len(words):
        for size in (3, 2):
            phrase = " ".join(words[i:i + size])
            if len(words) - i >= size and phrase in _PHRASES:
                merged.append(phrase)
                i += size
                break
        else:
            merged.extend(_split_chinese(words[i]))
            i += 1
    return [term(word) for word in dict.fromkeys(merged)][:MAX_TERMS]


def close_terms(terms: list[Term]) -> CloseMatch | None:
    """For a search that found nothing: each unknown Latin word replaced by the nearest
    vocabulary word, each unknown Chinese word also matched by its sound (homophones typed
    by mistake); None when there is nothing closer to try."""
    changed, close = False, []
    for t in terms:
        if t.concepts:
            close.append(t)
            continue
        if _LATIN.fullmatch(t.typed) and len(t.typed) >= MIN_FUZZY:
            best = process.extractOne(t.typed, _FUZZY, scorer=fuzz.ratio,
                                      score_cutoff=TYPO_SCORE)
            if best:
                close.append(term(best[0]))
                changed = True
                continue
        if HAN.fullmatch(t.typed):
            sound = pinyin(t.typed)
            concepts = INDEX.get(sound, ())
            typed = next((w for c in concepts for w in c.words if HAN.fullmatch(w)
                          and pinyin(w) == sound), t.typed)
            texts = dict.fromkeys([t.typed, *(w for c in concepts for w in c.words)])
            close.append(Term(typed=typed, texts=tuple(texts), keys=(sound,),
                              concepts=concepts))
            changed = True
            continue
        close.append(t)
    if not changed:
        return None
    return CloseMatch(terms=close, shown_as=" ".join(t.typed for t in close))


def related_categories(terms: list[Term]) -> list[tuple[str, tuple[str, ...]]]:
    """For each symptom among the terms: the word typed and the categories that help."""
    related = []
    for t in terms:
        categories = tuple(dict.fromkeys(c for concept in t.concepts
                                         for c in concept.categories))
        if categories:
            related.append((t.typed, categories))
    return related
