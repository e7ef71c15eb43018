"""``core.web.refuse`` and ``@refuse_to``, on views made for the test: the half-done write is
gone before the page reads again, nothing is committed whatever the status, the person is
told why, and not-found stays an error page."""

from __future__ import annotations

import pytest
from flask import url_for

from core.accounts.models import Role, User
from core.db import db
from core.errors import Conflict, DomainError, NotFound
from core.web import refuse, refuse_to


@pytest.fixture
def person(make) -> User:
    user = make.user(Role.EMPLOYEE, display_name="Before")
    make.commit()
    return user


def _rename_then(user_id: int, error: DomainError) -> None:
    db.session.get(User, user_id).display_name = "Half-done"
    db.session.flush()
    raise error


@pytest.fixture
def views(app, person):
    @app.route("/_test/refuse-and-show", methods=["POST"])
    def refuse_and_show():
        try:
            _rename_then(person.id, Conflict())
        except DomainError as exc:
            refuse(exc)
        return db.session.get(User, person.id).display_name, 200

    @app.route("/_test/go-back/<int:code>", methods=["GET", "POST"])
    @refuse_to("accounts.login")
    def go_back(code: int):
        _rename_then(person.id, NotFound() if code == 404 else Conflict())

    return app


def _name(person: User) -> str:
    db.session.expire_all()
    return db.session.get(User, person.id).display_name


def _errors(client) -> list:
    with client.session_transaction() as session:
        return [m for category, m in session.get("_flashes", []) if category == "error"]


def test_the_page_after_a_refusal_never_sees_the_half_done_write_and_nothing_commits(
        views, client, person):
    response = client.post("/_test/refuse-and-show")
    assert (response.status_code, response.text) == (200, "Before")
    assert _name(person) == "Before"
    assert _errors(client)


def test_refuse_to_goes_back_says_why_and_writes_nothing(views, client, person):
    response = client.post("/_test/go-back/409")
    assert response.status_code == 302
    assert response.headers["Location"] == url_for("accounts.login", _external=False)
    assert _errors(client) and _name(person) == "Before"


def test_not_found_is_no_refusal_it_stays_an_error_page(views, client, person):
    assert client.post("/_test/go-back/404").status_code == 404
    assert not _errors(client) and _name(person) == "Before"


def test_a_get_is_not_sent_back_to_itself(views, client, person):
    assert client.get("/_test/go-back/409").status_code == 409
    assert _name(person) == "Before"
