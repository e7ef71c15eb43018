"""Build one benchmark database and pick the benchmark's targets (``make bench`` runs it).

    python bench/prepare.py --url postgresql+psycopg://…/parkwell_scale_bench_1 \
        --scale 1.0 --out bench/work/full

Creates the schema (Alembic migrations to every head, or ``--create-all``), runs
``seed-scale`` at ``--scale`` (unless the scale park exists: ``BENCH_KEEP_DB``), then writes
``targets.json``: API tokens for employees, the owner, the largest enterprise's admin and
the committee member (the announcement scenario), free slots to contend for (two disjoint
pools: one for the API, one for the driver-level ceiling), services for the availability
scenario, the flagship's feed URL, the report URL.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(os.path.abspath(__file__)).parent.parent  # not resolve(): keep symlinks
sys.path.insert(0, str(ROOT))

TOKENS = 400  #: employees taking part in the booking and search scenarios
SLOT_PRACTITIONERS = 40  #: practitioners whose free slots are contended for, per pool
SLOTS_PER_PRACTITIONER = 6
#: The registration rush: an event session of RUSH_PLACES places, tried by RUSH_PEOPLE
#: employees (each with a token of their own); the hot slot: a group class of
#: RUSH_SLOT_PLACES places that the same employees try to book.
RUSH_PEOPLE = int(os.environ.get("BENCH_RUSH_PEOPLE", "2000"))
RUSH_PLACES = int(os.environ.get("BENCH_RUSH_PLACES", "200"))
RUSH_SLOT_PLACES = int(os.environ.get("BENCH_RUSH_SLOT_PLACES", "20"))


def schema(url: str, *, create_all: bool) -> None:
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "wsgi.py"}
    if create_all:
        code = ("from marketplace import create_app\nfrom core.db import db\n"
                "from sqlalchemy import text\napp = create_app()\n"
                "with app.app_context():\n"
                "    db.session.execute(text('CREATE EXTENSION IF NOT EXISTS pg_trgm'))\n"
                "    db.session.commit()\n    db.create_all()\n")
        subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT)
    else:
        subprocess.run([str(Path(sys.executable).parent / "flask"), "db", "upgrade", "heads"],
                       check=True, env=env, cwd=ROOT)


def seed(url: str, scale: float) -> None:
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "wsgi.py"}
    # BENCH_EMPLOYEES: that many employees whatever the scale (the announcement scenario's
    # 20,000 recipients beside a small park: BENCH_SCALE=0.05 BENCH_EMPLOYEES=20000).
    employees = os.environ.get("BENCH_EMPLOYEES")
    extra = ["--employees", str(round(int(employees) / scale))] if employees else []
    subprocess.run([str(Path(sys.executable).parent / "flask"), "seed-scale",
                    "--scale", str(scale), *extra], check=True, env=env, cwd=ROOT)
    # seed-scale analyses what it writes; a kept database (BENCH_KEEP_DB) has had bookings
    # since, and the server may run without autovacuum: fresh statistics either way.
    subprocess.run(["psql", "-q", url.replace("postgresql+psycopg://", "postgresql://"),
                    "-c", "VACUUM (ANALYZE)"], check=True)


def targets(url: str) -> dict:
    os.environ["DATABASE_URL"] = url
    from sqlalchemy import func, select

    from core.accounts.models import Park, ProviderOrganisation, User
    from core.accounts.tokens import create_api_token
    from core.clock import to_zone, utcnow
    from core.db import db
    from demo.seed_scale import PARK_CODE
    from marketplace import create_app
    from providers import feeds, slots
    from providers.models import Practitioner, ProviderProfile, Service

    app = create_app({"API_TOKEN_MAX_DAYS": 30})
    with app.app_context():
        now = utcnow()
        park = db.session.scalar(select(Park).where(Park.code == PARK_CODE))
        employees = list(db.session.scalars(
            select(User).where(User.email.like("e%@scale.parkwell.demo"))
            .order_by(User.id).limit(TOKENS * 2 + 1)))[1::2][:TOKENS]

        def token(user) -> str:
            return create_api_token(user, name="bench", scopes=["read", "write"],
                                    expires_in_days=2, now=now)[1]

        providers = list(db.session.scalars(select(ProviderOrganisation).where(
            ProviderOrganisation.park_id == park.id).order_by(ProviderOrganisation.id)))
        flagship = providers[0]
        owner = db.session.scalar(select(User).where(
            User.email == "owner0001@scale.parkwell.demo"))
        profile = db.session.get(ProviderProfile, flagship.id)
        profile.feed_token_hash = None
        feed_token = feeds.issue_provider_feed(profile, actor=owner)
        enterprise = park.enterprises[0]
        committee = db.session.scalar(select(User).where(
            User.email == "committee@scale.parkwell.demo"))
        admin = db.session.scalar(select(User).join(User.memberships).where(
            User.memberships.any(enterprise_id=enterprise.id, role="enterprise_admin")))
        programme_id = db.session.execute(select(
            db.metadata.tables["budget_programmes"].c.id).where(
            db.metadata.tables["budget_programmes"].c.enterprise_id == enterprise.id)).scalar()
        # Free slots 3–5 days ahead of practitioners of the middle providers (not the
        # flagship, whose feed must stay still): one pool for the API, one for the driver.
        pools: dict[str, list[dict]] = {"api": [], "sql": []}
        middle = providers[len(providers) // 4:]
        start, end = now + timedelta(days=3), now + timedelta(days=5)
        for provider in middle:
            if all(len(p) >= SLOT_PRACTITIONERS * SLOTS_PER_PRACTITIONER
                   for p in pools.values()):
                break
            service = db.session.scalars(select(Service).where(
                Service.provider_id == provider.id, Service.price_minor > 0)
                .order_by(Service.id)).first()
            if service is None:
                continue
            for practitioner in service.practitioners:
                pool = "api" if len(pools["api"]) <= len(pools["sql"]) else "sql"
                free = [s for s, p in slots.service_slots(service, [practitioner], start=start,
                                                          end=end, now=now)]
                for slot in free[:SLOTS_PER_PRACTITIONER]:
                    pools[pool].append({"service_id": service.id,
                                        "practitioner_id": practitioner.id,
                                        "starts_at": slot.starts_at.isoformat(),
                                        "ends_at": slot.ends_at.isoformat(),
                                        "busy_from": (slot.starts_at - timedelta(
                                            minutes=service.buffer_before_minutes)).isoformat(),
                                        "busy_until": (slot.ends_at + timedelta(
                                            minutes=service.buffer_after_minutes)).isoformat(),
                                        "price_minor": service.price_minor})
        services = list(db.session.scalars(select(Service.id).where(
            Service.provider_id.in_([p.id for p in providers[1:]]))
            .order_by(func.random()).limit(50)))
        today = to_zone(now, park.timezone).date()
        rush = rush_targets(park, committee, providers, now=now, token=token)
        result = {
            "employee_tokens": [token(u) for u in employees],
            "employee_ids": [u.id for u in employees],
            "owner_token": token(owner),
            "admin_token": token(admin),
            # The announcement scenario: the committee posts to every employee of the park.
            "committee_token": token(committee),
            "park_id": park.id,
            "feed_path": f"/feeds/providers/{feed_token}.ics",
            "report_path": f"/api/v1/enterprises/{enterprise.id}/programmes/{programme_id}"
                           "/report",
            "slot_services": services,
            "slot_from": f"{today + timedelta(days=1)}T00:00:00+08:00",
            "slot_to": f"{today + timedelta(days=31)}T00:00:00+08:00",
            "booking_pool": pools["api"],
            "sql_pool": pools["sql"],
            "practitioners": sorted({s["practitioner_id"] for p in pools.values() for s in p}),
            **rush,
            "counts": {name: db.session.scalar(select(func.count()).select_from(model))
                       for name, model in (("employees", User), ("services", Service),
                                           ("practitioners", Practitioner))},
        }
        result["counts"]["bookings"] = db.session.scalar(select(func.count()).select_from(
            db.metadata.tables["bookings"]))
        db.session.commit()
        return result


def rush_targets(park, committee, providers, *, now, token) -> dict:
    """A free event open to every enterprise of the park, registration open now, with one
    session of RUSH_PLACES places in a week (a new one each run: a rush fills it); a group
    class of RUSH_SLOT_PLACES places and one of its free slots in a week; and RUSH_PEOPLE
    employees with a token each."""
    from sqlalchemy import func, select

    from core.accounts.models import User
    from core.db import db
    from park import services as park_services
    from park.models import EventKind
    from providers import slots
    from providers.models import Service

    stamp = now.strftime("%Y%m%d%H%M%S%f")
    venue = park_services.create_venue(
        park, actor=committee, name_zh=f"压测礼堂 {stamp}", name_en=f"Bench hall {stamp}",
        location="", capacity=max(RUSH_PLACES, 1), now=now)
    event = park_services.create_event(
        park, actor=committee, title_zh="压测讲座", title_en="Bench talk",
        description_zh="", description_en="", kind=EventKind.TALK,
        family_places=0, registration_opens_at=now - timedelta(minutes=1),
        registration_closes_at=now + timedelta(days=6), now=now)
    starts = now.replace(microsecond=0) + timedelta(days=7)
    session = park_services.add_session(event, actor=committee, venue_id=venue.id,
                                        starts_at=starts, ends_at=starts + timedelta(hours=1),
                                        capacity=RUSH_PLACES, now=now)
    park_services.publish_event(event, actor=committee, now=now)
    # The hot slot: the last provider's first service becomes a group class, and its
    # first free slot 8 days ahead (beyond the booking scenario's days) is the one.
    service = db.session.scalars(select(Service).where(
        Service.provider_id == providers[-1].id).order_by(Service.id)).first()
    service.capacity = RUSH_SLOT_PLACES
    db.session.flush()
    hot = None
    for slot, practitioner in slots.service_slots(
            service, service.practitioners, start=now + timedelta(days=8),
            end=now + timedelta(days=10), now=now):
        if slot.remaining == RUSH_SLOT_PLACES:
            hot = {"service_id": service.id, "practitioner_id": practitioner.id,
                   "starts_at": slot.starts_at.isoformat(), "places": RUSH_SLOT_PLACES}
            break
    people = list(db.session.scalars(
        select(User).where(User.email.like("e%@scale.parkwell.demo"))
        .order_by(func.random()).limit(RUSH_PEOPLE)))
    return {"rush_session_id": session.id, "rush_places": RUSH_PLACES, "rush_slot": hot,
            "rush_tokens": [token(u) for u in people]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--out", required=True)
    parser.add_argument("--create-all", action="store_true")
    args = parser.parse_args()
    schema(args.url, create_all=args.create_all)
    seed(args.url, args.scale)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data = targets(args.url)
    (out / "targets.json").write_text(json.dumps(data, indent=1))
    print(f"targets written to {out / 'targets.json'}: {data['counts']}")


if __name__ == "__main__":
    main()
