"""Key rotation covers every encrypted column: the columns are found in the models (not in a
hand-written list), every one of them holds a row in this story, and after the documented
steps (NEW,OLD → rotate → NEW alone) every row reads with the new key alone and the care
pages still answer."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Integer, Text, column, select, table

from booking import services as booking_services
from care import plans
from core.db import db
from health import services
from health.cli import encrypted_columns, rotate_keys
from health.crypto import EncryptedJSON, Keyring, development_key, init_keyring
from tests.booking.factories import BookingKit
from tests.care.factories import CareKit


def _every_encrypted_column_in_the_models() -> set[tuple[str, str]]:
    """Found independently of ``health.cli``: every mapped class's columns."""
    found = set()
    for mapper in db.Model.registry.mappers:
        for col in mapper.columns:
            if isinstance(col.type, EncryptedJSON):
                found.add((col.table.name, col.name))
    return found


@pytest.fixture
def story(make):
    """One person with something in every encrypted column: profile, check-up,
    questionnaire, a family member and their check-up, a family-physician agreement with a
    plan, a home measurement and a message, and a child's childcare with a pick-up person."""
    kit = CareKit(make)
    now = kit.now
    person = kit.employee()
    services.update_profile(person, sex="female", birth_year=1990, smoking="never",
                            activity_minutes_per_week=90, sleep_hours=7, goals=[], now=now)
    services.record_checkup(person, measured_on=now.date() - timedelta(days=3), source="Lab",
                            readings={"systolic": (131, None), "diastolic": (84, None)},
                            now=now)
    services.submit_questionnaire(person, kind="gad7", answers=[1] * 7, now=now)
    mother = services.add_dependant(person, name="妈妈", birth_date=date(1955, 3, 1),
                                    relation="parent", needs=[], now=now)
    services.save_checkup(person, now.date() - timedelta(days=2), "Lab",
                          {"systolic": 150, "diastolic": 92}, now, dependant=mother)
    db.session.commit()
    agreement = kit.sign(person, dependant_ids=[mother.id])
    plans.set_plan(agreement, actor=kit.physician, goals=[{
        "kind": "blood_pressure", "target": [135, 85], "alert_above": [160, 100],
        "due_on": kit.today() + timedelta(days=60)}], now=now, today=kit.today())
    plans.log_measurement(agreement, actor=person, kind="blood_pressure",
                          values={"systolic": 128, "diastolic": 82}, now=now)
    plans.post_message(agreement, actor=person, body="早上头晕", now=now)
    db.session.commit()
    child = services.add_dependant(person, name="朵朵", birth_date=date(2022, 5, 1),
                                   relation="child", needs=[], now=now)
    booking_kit = BookingKit(make)
    childcare = booking_kit.service(category="childcare", allows_dependants=True)
    booking_services.hold_slot(childcare, practitioner_id=booking_kit.practitioner.id,
                               starts_at=booking_kit.slot(), actor=person, now=now,
                               dependant_id=child.id, pickup_persons=[
                                   {"name": "王秀英", "relation": "外婆",
                                    "phone": "13800138000"}])
    db.session.commit()
    return kit, person, agreement


def _raw_tokens(table_name: str, column_name: str) -> list[str]:
    raw = table(table_name, column("id", Integer), column(column_name, Text))
    return [t for t in db.session.scalars(select(raw.c[column_name])) if t is not None]


def test_rotation_finds_every_encrypted_column_of_the_models():
    found = {(t.name, c.name) for t, c in encrypted_columns()}
    assert found == _every_encrypted_column_in_the_models()
    # the ones the hand-written list used to miss
    assert {("health_checkups", "data"), ("care_plans", "data"),
            ("care_measurements", "data"), ("care_messages", "data")} <= found


def test_after_the_documented_rotation_every_row_reads_with_the_new_key_alone(
        app, client, runner, story):
    kit, person, agreement = story
    columns = sorted(_every_encrypted_column_in_the_models())
    before = {tc: _raw_tokens(*tc) for tc in columns}
    empty = [tc for tc, tokens in before.items() if not tokens]
    assert not empty, f"give these encrypted columns a row in this story: {empty}"

    # 1. NEW first, OLD kept  2. rotate  3. NEW alone
    old_key = development_key(app.config["SECRET_KEY"])
    new_key = Fernet.generate_key().decode()
    app.config["HEALTH_DATA_KEYS"] = f"{new_key},{old_key}"
    init_keyring(app)
    db.session.commit()
    result = runner.invoke(args=["health", "rotate-keys"])  # the documented command
    assert result.exit_code == 0, result.output
    assert f"Re-encrypted {sum(len(t) for t in before.values())} values" in result.output
    app.config["HEALTH_DATA_KEYS"] = new_key
    init_keyring(app)

    only_new = Keyring([new_key])
    for tc in columns:
        after = _raw_tokens(*tc)
        assert len(after) == len(before[tc])
        for token in after:
            assert only_new.decrypt(token), tc  # raises InvalidToken if it were still OLD
    db.session.expire_all()
    assert services.list_checkups(person)[0].readings["systolic"] == 131
    assert plans.messages_of(agreement)[0].body == "早上头晕"
    assert rotate_keys() == 0

    # the pages that used to answer 500 after step 3
    for user in (person, kit.physician):
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        page = client.get(f"/care/agreements/{agreement.id}", headers={"Accept-Language": "en"})
        assert page.status_code == 200, user
        assert "早上头晕" in page.text
    with client.session_transaction() as session:
        session["_user_id"] = person.get_id()
    assert client.get("/me/health/dependants").status_code == 200
