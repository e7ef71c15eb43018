"""The search vocabulary and normalisation, without a database: what each typed word is
taken to mean."""

from __future__ import annotations

import pytest

from marketplace.search_terms import (
    CONCEPTS,
    close_terms,
    parse,
    related_categories,
    words_of,
)
from providers.models import ProviderCategory
from providers.search_keys import keys_for


def _means(query: str) -> list[set[str]]:
    return [{c.key for c in term.concepts} for term in parse(query)]


@pytest.mark.parametrize(("typed", "concept"), [
    ("massage", "massage"), ("按摩", "massage"), ("推拿", "massage"), ("tuina", "massage"),
    ("anmo", "massage"), ("am", "massage"), ("Massages", "massage"),
    ("counselling", "counselling"), ("counseling", "counselling"), ("心理", "counselling"),
    ("心理咨询", "counselling"), ("xinli", "counselling"), ("xlzx", "counselling"),
    ("rehab", "rehabilitation"), ("康复", "rehabilitation"), ("kangfu", "rehabilitation"),
    ("insomnia", "insomnia"), ("失眠", "insomnia"), ("sleep", "insomnia"),
    ("颈椎", "neck"), ("neck", "neck"), ("cervical", "neck"),
    ("腰疼", "back_pain"), ("back pain", "back_pain"), ("Back-Pain", "back_pain"),
])
def test_synonyms_in_chinese_english_and_pinyin_mean_the_same(typed, concept):
    assert _means(typed) == [{concept}]


def test_a_query_is_cut_into_words_the_way_people_type_them():
    assert words_of("ＡＮＭＯ，推拿!  back_pain") == ["anmo", "推拿", "back", "pain"]
    assert [t.typed for t in parse("颈椎按摩")] == ["颈椎", "按摩"]
    assert [t.typed for t in parse("中医推拿理疗")] == ["中医", "推拿", "理疗"]
    assert [t.typed for t in parse("八段锦晨练")] == ["八段锦", "晨练"]
    assert [t.typed for t in parse("剪纸体验")] == ["剪纸", "体验"]
    assert parse("？！…%_") == [] and parse("   ") == []
    assert len(parse(" ".join(f"w{n}" for n in range(20)))) == 8


def test_two_letters_match_initials_not_english_text():
    (am,) = parse("am")
    assert "am" not in am.texts and am.keys == ("^am",)
    (anmo,) = parse("anmo")
    assert "anmo" in anmo.texts and anmo.keys == ("anmo",)


def test_pinyin_keys_hold_full_pinyin_and_initials_from_each_syllable():
    assert keys_for("中医按摩（小组）") == "zhongyianmo xiaozu ^zyam ^yam ^am ^xz"
    assert keys_for("Yoga") == ""


@pytest.mark.parametrize(("typed", "meant"), [
    ("massge", "massage"), ("insomina", "insomnia"), ("councelling", "counselling"),
    ("rehabilitaion", "rehabilitation"), ("按魔", "按摩"), ("心里", "心理"),
])
def test_a_typo_or_a_homophone_is_offered_its_nearest_word(typed, meant):
    close = close_terms(parse(typed))
    assert close is not None and close.shown_as == meant


def test_nothing_closer_to_try_for_known_or_far_words():
    assert close_terms(parse("massage")) is None
    assert close_terms(parse("zzzzqqq")) is None


def test_symptoms_name_categories_that_exist():
    assert related_categories(parse("失眠")) == [("失眠", ("counselling", "tcm"))]
    assert related_categories(parse("腰疼")) == [("腰疼", ("rehabilitation", "tcm"))]
    assert related_categories(parse("按摩")) == []
    known = {c.value for c in ProviderCategory}
    for concept in CONCEPTS:
        assert set(concept.categories) <= known, concept.key
        assert all(word == word.lower() for word in concept.words), concept.key
