"""The request owns the transaction (core.web): a change the database refuses only at the
commit, after the view has answered, is a translated 409, on a page as in the API."""

from __future__ import annotations

import pytest

from core.accounts.models import Park
from core.db import db


@pytest.fixture
def same_code_twice(app, make):
    """A view that adds a park with a code already taken, without flushing: the unique
    constraint refuses it at the request's commit."""
    taken = make.park().code
    db.session.commit()

    @app.route("/test/park-again")
    def park_again():
        db.session.add(Park(code=taken, name_zh="又一个园区", name_en="Another park",
                            created_at=make.now))
        return "added"

    return taken


def test_a_page_whose_commit_breaks_a_constraint_says_409_and_keeps_nothing(
        client, same_code_twice):
    response = client.get("/test/park-again", headers={"Accept-Language": "en"})
    assert response.status_code == 409
    assert "text/html" in response.content_type
    assert db.session.query(Park).filter_by(code=same_code_twice).count() == 1

