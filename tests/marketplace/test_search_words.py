"""Search finds what people type (issue 18): an employee on the phone types 按摩 or
massage, pinyin without choosing characters, a symptom, or a typo, and finds the demo
park's services; a search it cannot run says why. On SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.accounts.models import User
from core.clock import utcnow
from core.db import db
from core.i18n import park_today
from demo.seed import DEMO_PASSWORD, seed_demo
from marketplace import catalogue
from marketplace.catalogue import MAX_QUERY, CatalogueQuery
from marketplace.errors import InvalidSearch
from providers.models import Service

#: What the employee types → a demo service it must find (and one it must not).
WORDS = [
    ("massage", "Neck and shoulder tuina", "Individual counselling (video)"),
    ("按摩", "Lower-back tuina", "Individual counselling (video)"),
    ("推拿", "Neck and shoulder tuina", "Morning Baduanjin"),
    ("tuina", "Lower-back tuina", "Morning Baduanjin"),
    ("anmo", "Neck and shoulder tuina", "Paper-cutting class"),
    ("am", "Lower-back tuina", "Paper-cutting class"),
    ("失眠", "Individual counselling (video)", "Paper-cutting class"),
    ("insomnia", "TCM constitution assessment", "Paper-cutting class"),
    ("counseling", "Individual counselling (video)", "Lower-back tuina"),
    ("counselling", "Stress management session", "Lower-back tuina"),
    ("心理咨询", "Individual counselling (video)", "Lower-back tuina"),
    ("xinli", "Individual counselling (video)", "Lower-back tuina"),
    ("xlzx", "Individual counselling (video)", "Lower-back tuina"),
    ("kangfu", "Post-operative rehabilitation", "Individual counselling (video)"),
    ("rehab", "Post-operative rehabilitation", "Individual counselling (video)"),
    ("康复", "Sports injury assessment", "Individual counselling (video)"),
    ("颈椎", "Neck and shoulder tuina", "Individual counselling (video)"),
    ("neck", "Neck and shoulder tuina", "Individual counselling (video)"),
    ("cervical", "Neck and shoulder tuina", "Individual counselling (video)"),
    ("腰疼", "Lower-back tuina", "Individual counselling (video)"),
    ("back pain", "Lower-back tuina", "Individual counselling (video)"),
    ("颈椎按摩", "Neck and shoulder tuina", "Lower-back tuina"),
    ("ＡＮＭＯ", "Neck and shoulder tuina", "Paper-cutting class"),  # full-width letters
    # Typos and homophones: found by the nearest word when nothing matches as typed.
    ("massge", "Neck and shoulder tuina", "Individual counselling (video)"),
    ("insomina", "Individual counselling (video)", "Paper-cutting class"),
    ("councelling", "Individual counselling (video)", "Lower-back tuina"),
    ("按魔", "Neck and shoulder tuina", "Individual counselling (video)"),
    ("心里咨询", "Individual counselling (video)", "Lower-back tuina"),
]


def _employee() -> User:
    return db.session.scalar(select(User).where(User.email == "employee@parkwell.demo"))


def _find(user: User, q: str, **filters) -> catalogue.CataloguePage:
    return catalogue.search(user, CatalogueQuery(q=q, per_page=50, **filters), now=utcnow(),
                            today=park_today(), timezone="Asia/Shanghai")


@pytest.fixture
def demo(app):
    seed_demo(now=utcnow())
    db.session.commit()
    return _employee()


def test_each_word_an_employee_types_finds_the_right_demo_service(demo):
    missed = {}
    for words, wanted, unwanted in WORDS:
        found = [card.service.title_en for card in _find(demo, words).cards]
        if wanted not in found or unwanted in found:
            missed[words] = found
    assert missed == {}


def test_a_typo_says_what_was_searched_instead(demo):
    page = _find(demo, "massge")
    assert page.total and page.close_to == "massage"
    exact = _find(demo, "massage")
    assert exact.close_to is None


def test_a_symptom_leads_to_the_categories_that_help(demo):
    assert _find(demo, "失眠").related == [("失眠", ("counselling", "tcm"))]
    assert _find(demo, "back pain").related == [("back pain", ("rehabilitation", "tcm"))]
    assert _find(demo, "按摩").related == []


def test_the_pinyin_keys_follow_the_chinese_title(app, make):
    from tests.booking.factories import BookingKit

    service = BookingKit(make).service(title_zh="心理咨询", title_en="Talk")
    db.session.commit()
    assert db.session.get(Service, service.id).search_keys == "xinlizixun ^xlzx ^lzx ^zx"
    service.title_zh = "康复训练"
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Service, service.id).search_keys.startswith("kangfuxunlian ^kfxl")


def test_a_query_it_cannot_run_says_why(demo):
    with pytest.raises(InvalidSearch) as too_long:
        _find(demo, "按" * (MAX_QUERY + 1))
    assert too_long.value.code == "query_too_long"
    assert str(MAX_QUERY) in too_long.value.fields["q"]
    with pytest.raises(InvalidSearch) as punctuation:
        _find(demo, "！？…%_")
    assert punctuation.value.code == "query_without_words"
    with pytest.raises(InvalidSearch) as both:
        _find(demo, "x" * (MAX_QUERY + 1), sort="random")
    assert both.value.code == "invalid_search" and set(both.value.fields) == {"q", "sort"}
    everything = _find(demo, "   ")
    assert everything.total == _find(demo, "").total > 10


def test_the_catalogue_page_explains_refusals_and_links_symptoms_to_categories(demo, client,
                                                                               auth):
    auth.login("employee@parkwell.demo", DEMO_PASSWORD)
    long = client.get("/catalogue", query_string={"q": "按摩" * 60})
    assert long.status_code == 422
    assert "最多 100 个字" in long.text and "部分搜索条件无效" not in long.text
    only_marks = client.get("/catalogue", query_string={"q": "？！"})
    assert only_marks.status_code == 422 and "标点" in only_marks.text
    found = client.get("/catalogue", query_string={"q": "失眠"})
    assert found.status_code == 200
    assert "与“失眠”相关的类别" in found.text
    assert "/catalogue?category=counselling" in found.text
    typo = client.get("/catalogue", query_string={"q": "massge"})
    assert "颈肩推拿" in typo.text and "“massage”" in typo.text


def test_the_api_search_has_stable_codes_and_declares_its_bounds(demo, make, client):
    headers = {"Authorization": f"Bearer {make.token(demo)}"}
    found = client.get("/api/v1/catalog/search", query_string={"q": "anmo"},
                       headers=headers).get_json()
    assert "Neck and shoulder tuina" in [item["title_en"] for item in found["items"]]
    symptom = client.get("/api/v1/catalog/search", query_string={"q": "insomnia"},
                         headers=headers).get_json()
    assert symptom["related_categories"] == [{"word": "insomnia",
                                              "categories": ["counselling", "tcm"]}]
    typo = client.get("/api/v1/catalog/search", query_string={"q": "massge"},
                      headers=headers).get_json()
    assert typo["close_to"] == "massage" and typo["items"]
    for q, code in (("a" * (MAX_QUERY + 1), "query_too_long"),
                    ("...", "query_without_words")):
        refused = client.get("/api/v1/catalog/search", query_string={"q": q},
                             headers=headers)
        assert refused.status_code == 422
        assert refused.get_json()["error"]["code"] == code
    document = client.get("/api/v1/openapi.json").get_json()
    parameters = document["paths"]["/api/v1/catalog/search"]["get"]["parameters"]
    q = next(p for p in parameters if p["name"] == "q")
    assert q["schema"]["maxLength"] == MAX_QUERY
    assert "query_too_long" in q.get("description", "") + q["schema"].get("description", "")
