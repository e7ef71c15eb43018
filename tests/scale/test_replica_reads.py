"""Reads that may be stale go to the read replica (``DATABASE_REPLICA_URL``); capacity,
authorisation and every write stay on the primary. The "replica" here is a copy of the
primary's SQLite file taken at one moment, so that what it answers is visibly behind."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from booking import services as booking_services
from booking.errors import SlotFull
from core.accounts.models import User
from core.clock import utcnow
from core.db import db, replica_reads
from core.i18n import park_today
from marketplace import catalogue, create_app
from marketplace.catalogue import CatalogueQuery
from providers.models import Service
from tests.benefits.factories import put_on_roster
from tests.booking.factories import BookingKit
from tests.conftest import base_config
from tests.factories import Factories


@pytest.fixture
def park_with_replica(tmp_path) -> Iterator[tuple]:
    primary, replica = tmp_path / "primary.sqlite", tmp_path / "replica.sqlite"
    app = create_app(base_config(f"sqlite:///{primary}")
                     | {"DATABASE_REPLICA_URL": f"sqlite:///{replica}"})
    with app.app_context():
        db.create_all()
        kit = BookingKit(Factories())
        kit.tuina = kit.service(title_zh="中医推拿", title_en="TCM tuina", capacity=1)
        kit.user = put_on_roster(kit.enterprise, kit.employee())
        kit.other = put_on_roster(kit.enterprise, kit.employee())
        db.session.commit()
        shutil.copyfile(primary, replica)  # the replica, as of now
        yield app, kit
        db.session.remove()
        db.engine.dispose()


def _titles(kit) -> list[str]:
    page = catalogue.search(kit.user, CatalogueQuery(q="tuina"), now=utcnow(),
                            today=park_today(), timezone="Asia/Shanghai")
    return [card.service.title_en for card in page.cards]


def test_the_catalogue_may_lag_behind_but_a_booking_never_does(park_with_replica):
    app, kit = park_with_replica
    # On the primary only: the one place of the slot is taken, and the service renamed.
    booking_services.hold_slot(kit.tuina, practitioner_id=kit.practitioner.id,
                               starts_at=kit.slot(), actor=kit.other, now=utcnow())
    db.session.get(Service, kit.tuina.id).title_en = "TCM tuina (renamed)"
    db.session.commit()
    db.session.expire_all()

    assert _titles(kit) == ["TCM tuina"]  # the replica's catalogue: a few seconds behind

    with replica_reads():
        shown = db.session.scalar(select(Service.title_en).where(Service.id == kit.tuina.id))
    assert shown == "TCM tuina"
    assert db.session.scalar(select(Service.title_en).where(
        Service.id == kit.tuina.id)) == "TCM tuina (renamed)"  # outside the block: primary

    client = app.test_client()
    token = Factories().token(kit.user)
    day = kit.slot().date()
    slots = client.get(f"/api/v1/services/{kit.tuina.id}/slots",
                       query_string={"from": f"{day}T00:00:00Z", "to": f"{day}T23:59:00Z"},
                       headers={"Authorization": f"Bearer {token}"}).get_json()["items"]
    taken = kit.slot().isoformat()
    assert any(s["starts_at"].replace("Z", "+00:00") == taken for s in slots)  # shown free

    with pytest.raises(SlotFull):  # but the booking engine counts on the primary
        booking_services.hold_slot(kit.tuina, practitioner_id=kit.practitioner.id,
                                   starts_at=kit.slot(), actor=kit.user, now=utcnow())
    db.session.rollback()


def test_writes_and_sign_ins_inside_a_stale_block_still_use_the_primary(park_with_replica):
    app, kit = park_with_replica
    with replica_reads():
        user = db.session.get(User, kit.user.id)
        user.display_name = "改名"
        db.session.commit()
    db.session.expire_all()
    assert db.session.get(User, kit.user.id).display_name == "改名"

    # A person switched off on the primary is refused at once, whatever the replica says.
    token = Factories().token(kit.user)
    db.session.get(User, kit.user.id).is_active = False
    db.session.commit()
    refused = app.test_client().get("/api/v1/catalog/search",
                                    headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401


def test_without_a_replica_everything_reads_the_primary(app, make):
    kit = BookingKit(make)
    kit.service(title_en="Cupping")
    with replica_reads():
        assert db.session.scalar(select(Service.title_en).where(
            Service.title_en == "Cupping")) == "Cupping"
