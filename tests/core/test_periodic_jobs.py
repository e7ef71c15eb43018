"""Every recurring job runs from the worker's one registry, each on its own configurable
interval, each leaving a heartbeat that /readyz shows."""

from __future__ import annotations

from datetime import timedelta

from core.clock import utcnow
from core.db import db
from core.jobs import periodic, worker
from core.jobs.models import PeriodicRun
from core.readiness import check_periodic_jobs

EVERY_RECURRING_JOB = {
    "expire_holds", "reminders_24h", "reminders_2h", "prune_idempotency_keys",
    "prune_finished_jobs", "send_queued_mail", "prune_sent_mail", "licence_expiry",
    "calendar_sync", "budget_periods", "ledger_check", "payments_reconcile", "audit_prune",
    "park_expire_offers", "care_expire_unpaid"}


def test_every_recurring_job_is_in_the_workers_registry(app):
    assert set(periodic.registered(app)) >= EVERY_RECURRING_JOB
    assert app.config["JOB_LICENCE_EXPIRY_SECONDS"] == 3600
    assert periodic.registered(app)["calendar_sync"].interval(app) == 900


def test_one_round_of_the_worker_runs_them_all_and_each_leaves_a_heartbeat(app):
    now = utcnow()
    done = worker.tick(now)
    assert set(done) >= EVERY_RECURRING_JOB
    assert all(count >= 0 for count in done.values()), done
    runs = {r.name: r for r in db.session.query(PeriodicRun)}
    assert runs["licence_expiry"].succeeded and runs["licence_expiry"].started_at == now
    check = check_periodic_jobs(app)
    assert check["status"] == "ok" and check["late_or_failed"] == []


def test_a_job_runs_again_only_once_its_interval_has_passed(app):
    ran = []
    app.config["JOB_TEST_SECONDS"] = 600
    periodic.register(app, "test_counting", lambda now: ran.append(now) or 1,
                      setting="JOB_TEST_SECONDS", default_seconds=60)
    now = utcnow()
    worker.tick(now)
    worker.tick(now + timedelta(seconds=30))  # the next round: not due yet
    assert len(ran) == 1
    assert "test_counting" in worker.tick(now + timedelta(seconds=600))
    assert len(ran) == 2
    assert "budget_periods" not in worker.tick(now + timedelta(seconds=630))  # hourly


def test_a_failing_job_is_recorded_and_readiness_names_it_while_the_others_run(app):
    def broken(now):
        raise RuntimeError("boom")

    periodic.register(app, "test_broken", broken)
    done = worker.tick(utcnow())
    assert done["test_broken"] == -1 and done["expire_holds"] >= 0
    run = db.session.get(PeriodicRun, "test_broken")
    assert run.succeeded is False and run.error == "RuntimeError"
    check = check_periodic_jobs(app)
    assert check["status"] == "warn" and check["late_or_failed"] == ["test_broken"]


def test_a_job_that_has_not_run_for_three_intervals_is_late_and_a_negative_one_is_off(app):
    now = utcnow()
    worker.tick(now - timedelta(hours=4))
    app.config["JOB_AUDIT_PRUNE_SECONDS"] = -1
    later = periodic.heartbeats(app, now=now)
    assert later["ledger_check"]["ok"] is False  # hourly, last started four hours ago
    assert later["audit_prune"] == {"every_seconds": None, "disabled": True, "ok": True}
    assert "audit_prune" not in worker.tick(now + timedelta(days=2))
