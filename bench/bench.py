"""``make bench``: ParkWell's throughput and latency on a large seeded park, against the
limits of the machine it runs on. Writes ``bench/results.json`` and ``bench/results.md``.

For each data size (``BENCH_SCALE`` and half of it): a fresh PostgreSQL database seeded with
``flask seed-scale``, the app under gunicorn with the production settings of
``gunicorn.conf.py``, and these scenarios driven by wrk (``bench/lua/requests.lua``):

- ceiling_http: ``GET /healthz`` (the framework's limit under the same server settings),
  run first and again after the read scenarios: the faster of the two is the ceiling;
- ceiling_sql_booking: the booking transaction issued directly with psycopg
  (``bench/sql_ceiling.py``) at the same concurrency (the database's limit);
- booking: contended ``POST /api/v1/bookings`` over a pool of free slots;
- search: catalogue searches with mixed filters;
- slots: 30 days of availability of a service;
- ics: the flagship provider's feed (~1,000 events), and its 304 path;
- report: the usage report of the largest enterprise's programme;
- rss: the memory of each gunicorn worker after the load;
- rush_event: a registration rush (``bench/rush.py``): an event session of 200 places opens
  and 2,000 employees (a token each) try to register within a minute over 64 connections;
  exactly 200 must be registered, with no error;
- rush_slot: the same employees try to book one slot of a group class of 20 places; exactly
  20 must be booked. ``ceiling_rush`` is ``GET /healthz`` driven the same way, for the ratio;
- announcement (full data only, last): the park committee posts an announcement to every
  employee (20,000 at scale 1.0) through ``POST /api/v1/parks/<id>/announcements``; the
  time the request takes to return (it only queues the mail), then how long a running
  ``flask worker`` takes to deliver every message to a local SMTP sink
  (``bench/smtp_sink.py``), over how many SMTP connections, and messages per second.

Then, with both sizes, the growth phase (issue 22's fourth target: doubling the park raises
no p95 by more than 20 %): both parks served at once on two ports, and each read scenario and
booking run on the half park and straight after on the full one (or the other way round),
under load and from one connection, for several rounds; the growth of a scenario is the
median of its rounds' full ÷ half p95. Runs minutes apart differ by more than 20 % on a
shared machine whatever the data; runs seconds apart, repeated, do not.

Settings (environment): BENCH_SCALE (1.0), BENCH_DURATION seconds per scenario (20),
BENCH_WARMUP seconds of the same load before each (5, not counted),
BENCH_CONNECTIONS (16), BENCH_THREADS of wrk (2), BENCH_PORT (5130), BENCH_DB_PREFIX
(parkwell_scale_bench), BENCH_PG (postgresql+psycopg://postgres@127.0.0.1:5432),
BENCH_KEEP_DB=1 (reuse a seeded database of the same name), BENCH_SIZES ("full,half"),
BENCH_SOLO_DURATION seconds of each read scenario again from one connection (5; 0 skips),
GUNICORN_WORKERS / GUNICORN_THREADS (from gunicorn.conf.py: CPU count),
BENCH_SCENARIOS ("all"; "no-mail": all but the announcement; "announcement" runs only the
mail scenario, on the first size, and merges its figures into the existing results),
BENCH_MAIL_TIMEOUT seconds to wait for the worker to deliver everything (1800),
MAIL_BATCH_SIZE of the worker (200), BENCH_EMPLOYEES (that many employees whatever the
scale: bench/prepare.py), BENCH_GROWTH_ROUNDS (5; 0 skips the growth phase, and the sizes'
own runs decide the growth check), BENCH_GROWTH_DURATION seconds under load (5) and
BENCH_GROWTH_SOLO_DURATION from one connection (2) per scenario, park and round.

Every figure is also written as a ratio to the trivial endpoint of the same run
(``x_ceiling``: requests per second over ``ceiling_http``'s, or over ``ceiling_rush``'s for a
rush), the load average is printed before each scenario, and each run appends one line to
``bench/history.jsonl`` (BENCH_HISTORY) so that a regression shows. BENCH_SCENARIOS=rush runs
only the two rushes (CI's smoke: ``.ci/bench-smoke``). Rush settings:
BENCH_RUSH_PEOPLE (2000), BENCH_RUSH_PLACES (200), BENCH_RUSH_SLOT_PLACES (20),
BENCH_RUSH_CONNECTIONS (64), BENCH_RUSH_WINDOW seconds (60).

A quick run of the mail scenario alone on a small park (1,000 employees; a few minutes,
mostly seeding):

    BENCH_SCALE=0.05 BENCH_SIZES=full BENCH_SCENARIOS=announcement make bench
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(os.path.abspath(__file__)).parent.parent  # not resolve(): keep symlinks
BENCH = ROOT / "bench"
PY = sys.executable
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

SCALE = float(os.environ.get("BENCH_SCALE", "1.0"))
DURATION = int(os.environ.get("BENCH_DURATION", "20"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WRK_THREADS = int(os.environ.get("BENCH_THREADS", "2"))
PORT = int(os.environ.get("BENCH_PORT", "5130"))
PG = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
PREFIX = os.environ.get("BENCH_DB_PREFIX", "parkwell_scale_bench")
KEEP = os.environ.get("BENCH_KEEP_DB") == "1"
SIZES = os.environ.get("BENCH_SIZES", "full,half").split(",")
#: Seconds of each read scenario again with one connection (0: skip): the time one request
#: takes when it has the machine to itself, beside its latency under the 16-way load.
SOLO_DURATION = int(os.environ.get("BENCH_SOLO_DURATION", "5"))
SCENARIOS = os.environ.get("BENCH_SCENARIOS", "all")
MAIL_TIMEOUT = int(os.environ.get("BENCH_MAIL_TIMEOUT", "1800"))
RUSH_CONNECTIONS = int(os.environ.get("BENCH_RUSH_CONNECTIONS", "64"))
RUSH_WINDOW = float(os.environ.get("BENCH_RUSH_WINDOW", "60"))
HISTORY = Path(os.environ.get("BENCH_HISTORY", str(BENCH / "history.jsonl")))
SOLO = ("ceiling_http", "search", "slots", "ics", "ics_304", "report")
#: The growth phase (both sizes only): rounds, and seconds of each scenario per round under
#: load and from one connection (BENCH_GROWTH_ROUNDS=0 skips it).
GROWTH_ROUNDS = int(os.environ.get("BENCH_GROWTH_ROUNDS", "5"))
GROWTH_DURATION = int(os.environ.get("BENCH_GROWTH_DURATION", "5"))
GROWTH_SOLO_DURATION = int(os.environ.get("BENCH_GROWTH_SOLO_DURATION", "2"))
GROWTH = ("ceiling_http", "search", "slots", "ics", "ics_304", "report", "booking")
#: Issue 22's goals: throughput as a share of the trivial endpoint's in the same run.
TARGETS = {"search_ratio": 0.5, "slots_ratio": 0.5, "report_ratio": 0.5, "booking_ratio": 0.25,
           "search_p95_ms": 50, "rush_p95_ms": 1000, "rss_mb": 200, "growth": 0.20}
#: Searches with mixed filters, as the catalogue page sends them.
SEARCHES = ["", "q=推拿", "q=tuina", "category=tcm", "category=counselling&sort=price_asc",
            "q=massage&price_max_minor=10000", "delivery_mode=online",
            "sort=rating", "q=康复&page=2", "price_min_minor=5000&price_max_minor=20000",
            "category=culture&sort=price_desc", "q=stress"]
APP_ENV = {"PARKWELL_ENV": "production", "SECRET_KEY": "bench-secret-key-not-for-production",
           "HEALTH_DATA_KEYS": "", "LOGIN_RATE_LIMIT": "100000 per minute",
           "BOOKING_RATE_LIMIT": "100000 per minute", "SIGNUP_RATE_LIMIT": "100000 per minute",
           "EXPORT_RATE_LIMIT": "100000 per minute", "GUNICORN_ACCESS_LOG": "",
           "GUNICORN_LOG_LEVEL": "warning", "FORCE_HTTPS": "0", "MAIL_SUPPRESS_SEND": "1",
           # Production refuses per-process limits: share them as production would, and
           # the workers share what they remember (core.memo) through the same Redis.
           "RATELIMIT_STORAGE_URI": os.environ.get("BENCH_REDIS_URL",
                                                   "redis://127.0.0.1:6379/11"),
           "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")}


def log(message: str) -> None:
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"[bench {datetime.now(UTC):%H:%M:%S} load {load}] {message}", flush=True)


def psql(sql: str) -> None:
    base = PG.replace("postgresql+psycopg://", "postgresql://")
    subprocess.run(["psql", "-q", f"{base}/postgres", "-c", sql], check=True)


def database(label: str) -> str:
    return f"{PREFIX}_{label}"


def health_key() -> str:
    from cryptography.fernet import Fernet
    return Fernet.generate_key().decode()


def prepare(label: str, scale: float, env: dict) -> dict:
    name, out = database(label), BENCH / "work" / label
    url = f"{PG}/{name}"
    targets_file = out / "targets.json"
    if not KEEP:
        psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    exists = subprocess.run(
        ["psql", "-Atq", PG.replace("postgresql+psycopg://", "postgresql://") + "/postgres",
         "-c", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True, text=True, check=True).stdout.strip() == "1"
    if not exists:
        psql(f'CREATE DATABASE "{name}"')
    log(f"{label}: schema, seed-scale --scale {scale} and targets (database {name})")
    started = time.monotonic()
    args = [PY, str(BENCH / "prepare.py"), "--url", url, "--scale", str(scale), "--out", str(out)]
    if os.environ.get("BENCH_SCHEMA", "migrate") == "create_all":
        args.append("--create-all")
    subprocess.run(args, check=True, env=env, cwd=ROOT)
    targets = json.loads(targets_file.read_text())
    targets["seed_seconds"] = round(time.monotonic() - started, 1)
    targets["url"] = url
    return targets


class Server:
    def __init__(self, env: dict, port: int = PORT) -> None:
        self.env, self.port = env, port
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(
            [str(Path(PY).parent / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"),
             "--bind", f"127.0.0.1:{self.port}", "wsgi:app"], cwd=ROOT, env=self.env,
            start_new_session=True)
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz",
                                            timeout=2):
                    return self
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("gunicorn did not start")

    def worker_rss_mb(self) -> list[float]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        sizes = []
        for pid in children.read_text().split():
            status = Path(f"/proc/{pid}/status").read_text()
            kb = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
            sizes.append(round(kb / 1024, 1))
        return sizes

    def __exit__(self, *_exc) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


def _drain(port: int = PORT) -> None:
    """Wait until the server answers promptly again: requests still queued from the last
    scenario must not be counted in the next one."""
    for _ in range(60):
        began = time.monotonic()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30):
            pass
        if time.monotonic() - began < 0.5:
            return
        time.sleep(1)


def requests_file(label: str, name: str) -> Path:
    """Where a size's requests of one scenario are kept (the growth phase replays them)."""
    return BENCH / "work" / label / f"{name}.tsv"


def wrk(name: str, lines: list[str], *, connections: int = CONNECTIONS,
        duration: int = DURATION, warmup: int = WARMUP, label: str = "",
        port: int = PORT) -> dict:
    requests = requests_file(label, name)
    requests.parent.mkdir(parents=True, exist_ok=True)
    requests.write_text("\n".join(lines) + "\n")
    _drain(port)
    if warmup:  # every worker process warms its caches and connections; not counted
        subprocess.run(
            ["wrk", f"-t{min(WRK_THREADS, connections)}", f"-c{connections}",
             f"-d{warmup}s", "--timeout", "30s", "-s", str(BENCH / "lua" / "requests.lua"),
             f"http://127.0.0.1:{port}"], capture_output=True, text=True, check=True,
            env={**os.environ, "BENCH_REQUESTS": str(requests)})
        _drain(port)
    out = subprocess.run(
        ["wrk", f"-t{min(WRK_THREADS, connections)}", f"-c{connections}", f"-d{duration}s",
         "--timeout", "10s", "-s", str(BENCH / "lua" / "requests.lua"),
         f"http://127.0.0.1:{port}"], capture_output=True, text=True, check=True,
        env={**os.environ, "BENCH_REQUESTS": str(requests)})
    line = next(line for line in out.stdout.splitlines() if line.startswith("BENCH_JSON"))
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = raw["duration_us"] / 1e6
    return {"requests": raw["requests"], "rps": round(raw["requests"] / seconds, 1),
            "p50_ms": round(raw["p50_us"] / 1000, 2), "p95_ms": round(raw["p95_us"] / 1000, 2),
            "p99_ms": round(raw["p99_us"] / 1000, 2), "max_ms": round(raw["max_us"] / 1000, 2),
            "statuses": raw["statuses"], "socket_errors": raw["socket_errors"]}


def _encoded(query: str) -> str:
    return urllib.parse.urlencode(urllib.parse.parse_qsl(query))


def bearer(token: str) -> str:
    return f"Authorization: Bearer {token}"


def feed_304_lines(targets: dict, port: int = PORT) -> list[str]:
    """The feed asked for again with the ETag it has now: it shows 30 days back, and a
    booking that slipped out of that window since the last read changed it (rightly)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{targets['feed_path']}") as answer:
        etag = answer.headers["ETag"]
    return [f"GET\t{targets['feed_path']}\tIf-None-Match: {etag}\t"]


def scenarios(targets: dict, server: Server) -> dict:
    tokens = targets["employee_tokens"]
    measure = functools.partial(wrk, label=targets["label"])
    results: dict[str, dict] = {}
    log("ceiling_http")
    results["ceiling_http"] = measure("ceiling_http", ["GET\t/healthz\t\t"])
    log("ceiling_sql_booking")
    out = subprocess.run(
        [PY, str(BENCH / "sql_ceiling.py"), "--url", targets["url"], "--targets",
         str(BENCH / "work" / targets["label"] / "targets.json"), "--connections",
         str(CONNECTIONS), "--duration", str(DURATION)], capture_output=True, text=True,
        check=True)
    results["ceiling_sql_booking"] = json.loads(out.stdout.strip().splitlines()[-1])
    log("booking")
    lines = []
    for n, slot in enumerate(targets["booking_pool"] * 4):
        body = json.dumps({"service_id": slot["service_id"],
                           "practitioner_id": slot["practitioner_id"],
                           "starts_at": slot["starts_at"]})
        lines.append(f"POST\t/api/v1/bookings\t{bearer(tokens[(n * 37) % len(tokens)])}\t{body}")
    results["booking"] = measure("booking", lines)
    log("search")
    results["search"] = measure("search", [
        f"GET\t/api/v1/catalog/search?{_encoded(query)}\t{bearer(tokens[n % len(tokens)])}\t"
        for n, query in enumerate(SEARCHES * 10)])
    log("slots")
    results["slots"] = measure("slots", [
        f"GET\t/api/v1/services/{sid}/slots?from={targets['slot_from'].replace('+', '%2B')}"
        f"&to={targets['slot_to'].replace('+', '%2B')}\t{bearer(tokens[n % len(tokens)])}\t"
        for n, sid in enumerate(targets["slot_services"])])
    log("ics")
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{targets['feed_path']}") as answer:
        body = answer.read()
    results["ics"] = measure("ics", [f"GET\t{targets['feed_path']}\t\t"])
    results["ics"]["events"] = body.count(b"BEGIN:VEVENT")
    results["ics_304"] = measure("ics_304", feed_304_lines(targets))
    log("report")
    results["report"] = measure("report", [
        f"GET\t{targets['report_path']}\t{bearer(targets['admin_token'])}\t"])
    # The trivial endpoint again after the others: on a shared virtual machine it moved by
    # 3× between runs (a run whose first scenario met a slow spell flattered every ratio),
    # so the ratios are to the faster of its two runs.
    log("ceiling_http, again")
    first, again = results["ceiling_http"], measure("ceiling_http", ["GET\t/healthz\t\t"])
    results["ceiling_http"] = max(first, again, key=lambda run: run["rps"]) | {
        "runs_rps": [first["rps"], again["rps"]]}
    results |= rushes(targets)
    sizes = server.worker_rss_mb()
    results["rss"] = {"workers_mb": sizes, "max_mb": max(sizes)}
    if SOLO_DURATION:
        log("the read scenarios again, one connection each")
        results["solo"] = {}
        for name in SOLO:
            lines = requests_file(targets["label"], name).read_text().splitlines()
            results["solo"][name] = measure(f"{name}_solo", lines, connections=1,
                                        duration=SOLO_DURATION, warmup=0)
    return results


def growth(prepared: dict[str, dict], env: dict) -> dict:
    """Issue 22's growth target measured so that the machine's drift cancels out: both parks
    served at once (the full one on BENCH_PORT, the half one on the next port), each scenario
    run on one park and straight after on the other, under load and from one connection, in
    GROWTH_ROUNDS rounds that alternate which park goes first. A scenario's growth is the
    median of its rounds' full-to-half p95 ratios. (Each size's own runs are minutes apart,
    and this machine moved a p95 by more than 20 % between runs whatever the data.)"""
    ports = {"half": PORT + 1, "full": PORT}
    modes = {"under_load": (CONNECTIONS, GROWTH_DURATION, 2),
             "one_connection": (1, GROWTH_SOLO_DURATION, 0)}
    p95s: dict[str, dict[str, dict[str, list[float]]]] = {
        mode: {name: {label: [] for label in ports} for name in GROWTH
               if mode == "under_load" or name in SOLO} for mode in modes}
    with contextlib.ExitStack() as servers:
        for label, port in ports.items():
            servers.enter_context(Server({**env, "DATABASE_URL": prepared[label]["url"]}, port))
            requests_file(label, "ics_304").write_text(
                "\n".join(feed_304_lines(prepared[label], port)) + "\n")
        for number in range(GROWTH_ROUNDS):
            order = list(ports) if number % 2 == 0 else list(reversed(ports))
            log(f"growth, round {number + 1} of {GROWTH_ROUNDS}: {' then '.join(order)}")
            for name in GROWTH:
                for mode, (connections, duration, warmup) in modes.items():
                    if name not in p95s[mode]:
                        continue
                    for label in order:
                        lines = requests_file(label, name).read_text().splitlines()
                        run = wrk(name, lines, label=label, port=ports[label],
                                  connections=connections, duration=duration, warmup=warmup)
                        p95s[mode][name][label].append(run["p95_ms"])
    return {"rounds": GROWTH_ROUNDS, "duration_s": GROWTH_DURATION,
            "solo_duration_s": GROWTH_SOLO_DURATION,
            **{mode: {name: paired_growth(runs["half"], runs["full"])
                      for name, runs in by_name.items()}
               for mode, by_name in p95s.items()}}


def paired_growth(half: list[float], full: list[float]) -> dict:
    """The median of each round's full ÷ half p95, minus one: a pair measured seconds apart
    shares the machine's mood of the moment, which the median of the pairs then ignores."""
    ratios = [f / max(h, 0.01) - 1 for h, f in zip(half, full, strict=True)]
    return {"half_p95_ms": half, "full_p95_ms": full,
            "growth": round(statistics.median(ratios), 3)}


def rushes(targets: dict) -> dict:
    """The registration rush and the hot slot, with ``GET /healthz`` driven the same way
    first (the same attempts, connections and window) for their ratios; what the database
    holds afterwards is the check: exactly the places, no error."""
    from rush import Attempt, run

    tokens, results = targets["rush_tokens"], {}
    log(f"ceiling_rush: {len(tokens)} × GET /healthz over {RUSH_CONNECTIONS} connections")
    results["ceiling_rush"] = run(PORT, [Attempt("GET", "/healthz")] * len(tokens),
                                  connections=RUSH_CONNECTIONS, window=RUSH_WINDOW)
    session = targets["rush_session_id"]
    log(f"rush_event: {len(tokens)} employees, {targets['rush_places']} places")
    out = run(PORT, [Attempt("POST", f"/api/v1/sessions/{session}/registrations", t, {})
                     for t in tokens], connections=RUSH_CONNECTIONS, window=RUSH_WINDOW)
    out["places"] = targets["rush_places"]
    out["taken"] = int(_sql(targets["url"], (
        "SELECT count(*) FROM park_registrations WHERE session_id = "
        f"{int(session)} AND status IN ('confirmed', 'held')")))
    out["places_taken"] = int(_sql(targets["url"], (
        f"SELECT places_taken FROM park_event_sessions WHERE id = {int(session)}")))
    out["exact"] = (out["taken"] == out["places_taken"]
                    == min(out["places"], len(tokens)) and out["errors"] == 0)
    results["rush_event"] = out
    slot = targets.get("rush_slot")
    if slot:
        log(f"rush_slot: {len(tokens)} employees, one slot of {slot['places']} places")
        body = {k: slot[k] for k in ("service_id", "practitioner_id", "starts_at")}
        out = run(PORT, [Attempt("POST", "/api/v1/bookings", t, body) for t in tokens],
                  connections=RUSH_CONNECTIONS, window=RUSH_WINDOW)
        out["places"] = slot["places"]
        out["taken"] = int(_sql(targets["url"], (
            "SELECT coalesce(sum(seats), 0) FROM bookings WHERE service_id = "
            f"{int(slot['service_id'])} AND practitioner_id = {int(slot['practitioner_id'])} "
            f"AND starts_at = '{slot['starts_at']}' AND status IN ('confirmed', 'held')")))
        out["exact"] = out["taken"] == min(slot["places"], len(tokens)) and out["errors"] == 0
        results["rush_slot"] = out
    return results


def _sql(url: str, sql: str) -> str:
    out = subprocess.run(["psql", "-Atq", url.replace("postgresql+psycopg://", "postgresql://"),
                          "-c", sql], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def announcement(targets: dict, env: dict) -> dict:
    """The committee mails every employee of the park: the request only queues the messages
    (one multi-row INSERT into ``mail_outbox``), a running ``flask worker`` delivers them in
    batches over reused SMTP connections to a local sink."""
    from smtp_sink import SmtpSink

    url, marker = targets["url"], f"bench-announcement-{time.time_ns()}"
    # Mail queued by earlier scenarios (booking confirmations) is not part of this measure.
    _sql(url, "UPDATE mail_outbox SET status = 'sent', sent_at = now() "
              "WHERE status = 'queued'")
    with SmtpSink(marker=marker.encode()) as sink:
        worker_env = {**env, "DATABASE_URL": url, "MAIL_SERVER": "127.0.0.1",
                      "MAIL_PORT": str(sink.port), "MAIL_USE_TLS": "0", "MAIL_USE_SSL": "0",
                      "MAIL_SUPPRESS_SEND": "0", "MAIL_DELIVERY": "queue"}
        worker = subprocess.Popen([str(Path(PY).parent / "flask"), "worker", "--interval",
                                   "3600"], cwd=ROOT, env=worker_env, start_new_session=True)
        try:
            # The worker is up when it has delivered a canary (after its first round of
            # timed jobs); every gunicorn worker has answered the park's API once.
            _sql(url, "INSERT INTO mail_outbox (\"to\", subject, body, attachments, status, "
                      "attempts, next_attempt_at, last_error, created_at) VALUES "
                      "('canary@bench.invalid', 'canary', 'canary', '[]', 'queued', 0, now(), "
                      "'', now())")
            if not sink.wait_for(0, timeout=300, messages=1):
                raise RuntimeError("the worker delivered nothing in 5 minutes")
            for _ in range(4 * CONNECTIONS):
                with urllib.request.urlopen(urllib.request.Request(
                        f"http://127.0.0.1:{PORT}/api/v1/parks/{targets['park_id']}"
                        "/announcements", headers={
                            "Authorization": f"Bearer {targets['committee_token']}"})):
                    pass
            before, connections_before = sink.messages, sink.connections
            request = urllib.request.Request(
                f"http://127.0.0.1:{PORT}/api/v1/parks/{targets['park_id']}/announcements",
                data=json.dumps({"title": "Bench: the park is closed on Friday",
                                 "body": f"All buildings close at 18:00. {marker}"}).encode(),
                method="POST", headers={"Authorization": f"Bearer {targets['committee_token']}",
                                        "Content-Type": "application/json"})
            began = time.monotonic()
            with urllib.request.urlopen(request, timeout=600) as answer:
                status = answer.status
            returned = time.monotonic()
            queued = int(_sql(url, "SELECT count(*) FROM mail_outbox "
                                   f"WHERE body LIKE '%{marker}'"))
            delivered_all = sink.wait_for(queued, timeout=MAIL_TIMEOUT)
            for _ in range(600):  # the worker records the last batch as sent
                sent_rows = int(_sql(url, "SELECT count(*) FROM mail_outbox WHERE body LIKE "
                                          f"'%{marker}' AND status = 'sent'"))
                if sent_rows >= queued or not delivered_all:
                    break
                time.sleep(0.1)
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=60)
        first, last = sink.first_marked_at or returned, sink.last_marked_at or returned
        deliver_s = last - returned
        return {
            "recipients": queued, "status": status,
            "request_ms": round((returned - began) * 1000, 1),
            "delivered": sink.marked, "delivered_all": delivered_all,
            "outbox_rows_sent": sent_rows,
            "first_message_after_s": round((sink.first_marked_at or returned) - returned, 2),
            "deliver_all_s": round(deliver_s, 1),
            "messages_per_s": round(sink.marked / max(deliver_s, 0.001), 1),
            "sending_messages_per_s": round(sink.marked / max(last - first, 0.001), 1),
            "smtp_connections": sink.connections - connections_before,
            "other_messages": sink.messages - before - sink.marked,
            "batch_size": int(env.get("MAIL_BATCH_SIZE", "200"))}


def overbooked(url: str, practitioners: list[int], env: dict) -> int:
    """Slots holding more than their places, read by an app built in this process (with the
    servers' health-data key: it would otherwise warn that it runs on the development key)."""
    os.environ.update(DATABASE_URL=url, HEALTH_DATA_KEYS=env["HEALTH_DATA_KEYS"])
    from core.clock import utcnow
    from demo.seed_scale import overbooked_slots
    from marketplace import create_app
    app = create_app()
    with app.app_context():
        return overbooked_slots(now=utcnow(), practitioner_ids=practitioners)


def derive(size: dict) -> None:
    """Every figure as a ratio to the trivial endpoint of the same run (``x_ceiling``:
    requests per second over the ceiling's; ``p95_x_ceiling``: p95 over the ceiling's), a
    rush to ``ceiling_rush`` (the same driver and connections), the rest to
    ``ceiling_http``; and one connection's figures to one connection's ``ceiling_http``."""
    s = size["scenarios"]
    if "booking" in s and "ceiling_sql_booking" in s:
        s["booking"]["ratio_to_ceiling_sql_booking"] = round(
            s["booking"]["rps"] / max(s["ceiling_sql_booking"]["rps"], 0.1), 3)
    if "search" in s and "ceiling_http" in s:
        s["search"]["ratio_to_ceiling_http"] = round(
            s["search"]["rps"] / max(s["ceiling_http"]["rps"], 0.1), 3)
    groups = [(s, "ceiling_http", "ceiling_rush")]
    if "solo" in s:
        groups.append((s["solo"], "ceiling_http", None))
    for figures, ceiling, rush_ceiling in groups:
        for name, figure in figures.items():
            base = figures.get(rush_ceiling if name.startswith("rush_") else ceiling)
            if base is None or not isinstance(figure, dict) or "rps" not in figure:
                continue
            figure["x_ceiling"] = round(figure["rps"] / max(base["rps"], 0.1), 3)
            figure["p95_x_ceiling"] = round(figure["p95_ms"] / max(base["p95_ms"], 0.01), 1)


def append_history(result: dict) -> None:
    """One line per run: when, which commit, the load, and each scenario's requests per
    second, p95 and ratios (and a rush's exactness), so that a regression shows."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    line = {"date": result["date"], "commit": commit, "settings": result["settings"],
            "load_average": [result["machine"]["load_average_at_start"],
                             result["machine"].get("load_average_at_end")],
            "sizes": {}}
    keep = ("rps", "p50_ms", "p95_ms", "x_ceiling", "p95_x_ceiling", "exact", "errors",
            "taken", "places")
    for label, size in result["sizes"].items():
        line["sizes"][label] = {name: {k: figure[k] for k in keep if k in figure}
                                for name, figure in size["scenarios"].items()
                                if isinstance(figure, dict) and "rps" in figure}
        if "solo" in size["scenarios"]:
            line["sizes"][label]["solo"] = {
                name: {k: figure[k] for k in keep if k in figure}
                for name, figure in size["scenarios"]["solo"].items()}
    if "growth" in result:
        line["growth"] = {mode: {name: figure["growth"] for name, figure in by_name.items()}
                          for mode, by_name in result["growth"].items()
                          if isinstance(by_name, dict)}
    HISTORY.parent.mkdir(parents=True, exist_ok=True)
    with HISTORY.open("a") as history:
        history.write(json.dumps(line, ensure_ascii=False) + "\n")


def verdicts(result: dict) -> dict:
    full = result["sizes"].get("full", next(iter(result["sizes"].values())))["scenarios"]
    half = result["sizes"].get("half")
    mail = ({"announcement: every message delivered": result["announcement"]["delivered_all"]}
            if "announcement" in result else {})
    checks = {**mail, "overbooked slots = 0": all(
        size["overbooked_slots"] == 0 for size in result["sizes"].values())}
    for name in ("search", "slots", "report", "booking"):
        if name in full:
            goal = TARGETS[f"{name}_ratio"]
            checks[f"{name} ≥ {goal}× ceiling_http"] = full[name]["x_ceiling"] >= goal
    if "search" in full:
        checks["search p95 ≤ 50 ms"] = full["search"]["p95_ms"] <= TARGETS["search_p95_ms"]
    for name in ("rush_event", "rush_slot"):
        if name in full:
            checks[f"{name}: exactly the places taken, 0 errors"] = full[name]["exact"]
            checks[f"{name} p95 ≤ 1 s"] = full[name]["p95_ms"] <= TARGETS["rush_p95_ms"]
    if "rss" in full:
        checks["worker RSS ≤ 200 MB"] = full["rss"]["max_mb"] <= TARGETS["rss_mb"]
    if half and "search" in full:
        growth = {name: round(full[name]["p95_ms"] / max(half["scenarios"][name]["p95_ms"], 0.01)
                              - 1, 3)
                  for name in ("search", "slots", "ics", "ics_304", "report", "booking",
                               "ceiling_http")}
        result["p95_growth_half_to_full"] = growth
        solo_full, solo_half = full.get("solo"), half["scenarios"].get("solo")
        if solo_full and solo_half:
            # What one request costs, without the queue of 16 connections in it.
            result["p95_growth_half_to_full_one_connection"] = {
                name: round(solo_full[name]["p95_ms"] / max(solo_half[name]["p95_ms"], 0.01)
                            - 1, 3) for name in solo_full if name in solo_half}
        if "growth" not in result:  # BENCH_GROWTH_ROUNDS=0: the sizes' own runs decide
            checks["doubling data raises no p95 by > 20%"] = all(
                g <= TARGETS["growth"] for g in growth.values())
    for mode, words in (("under_load", f"under {CONNECTIONS} connections"),
                        ("one_connection", "from one connection")):
        if mode in result.get("growth", {}):
            checks[f"doubling data raises no p95 by > 20% {words} (median of "
                   f"{result['growth']['rounds']} interleaved rounds)"] = all(
                figure["growth"] <= TARGETS["growth"]
                for figure in result["growth"][mode].values())
    return checks


def markdown(result: dict) -> str:
    machine = result["machine"]
    loads = " → ".join(", ".join(f"{v:.1f}" for v in machine[key])
                       for key in ("load_average_at_start", "load_average_at_end")
                       if key in machine)
    out = [f"# ParkWell benchmark — {result['date']}", "",
           f"Machine: {machine['cpus']} CPUs, {machine['platform']}, "
           f"Python {machine['python']}, PostgreSQL on the same host. "
           f"Settings: {result['settings']}.", "",
           f"Load average (1, 5, 15 min) at the start and the end: {loads}. Other work on "
           "the same CPUs during the run slows every scenario alike; compare runs with "
           "similar loads.", ""]
    for label, size in result["sizes"].items():
        out += [f"## {label} data (scale {size['scale']}: {size['counts']})", "",
                "| scenario | req/s | p50 ms | p95 ms | p99 ms | notes |",
                "| --- | ---: | ---: | ---: | ---: | --- |"]
        for name, s in size["scenarios"].items():
            if name in ("rss", "solo"):
                continue
            notes = []
            if "ratio_to_ceiling_sql_booking" in s:
                notes.append(f"ratio to ceiling_sql_booking {s['ratio_to_ceiling_sql_booking']}")
                notes.append(f"overbooked slots {size['overbooked_slots']}")
            if "ratio_to_ceiling_http" in s:
                notes.append(f"ratio to ceiling_http {s['ratio_to_ceiling_http']}")
            if "runs_rps" in s:
                notes.append("the faster of its runs before and after the others: "
                             + " and ".join(f"{rps} req/s" for rps in s["runs_rps"]))
            if "x_ceiling" in s:
                notes.append(f"{s['x_ceiling']}× ceiling req/s, p95 {s['p95_x_ceiling']}×")
            if "exact" in s:
                taken = s["taken"]
                notes.append(f"{s['attempts']} attempts, {taken} of {s['places']} places "
                             f"taken ({'exact' if s['exact'] else 'NOT EXACT'}), "
                             f"errors {s['errors']}")
            if "events" in s:
                notes.append(f"{s['events']} events")
            if "statuses" in s:
                notes.append("statuses " + ", ".join(f"{k}: {v}" for k, v in
                                                      sorted(s["statuses"].items())))
            if s.get("requests") == 0:
                notes.append("no request finished within wrk's 10 s timeout")
            if "booked" in s:
                notes.append(f"booked {s['booked']}, refused {s['refused']}, "
                             f"errors {s['errors']}")
            out.append(f"| {name} | {s['rps']} | {s['p50_ms']} | {s['p95_ms']} | "
                       f"{s['p99_ms']} | {'; '.join(notes)} |")
        solo = size["scenarios"].get("solo")
        if solo:
            out += ["", f"The same requests from one connection ({SOLO_DURATION} s each): "
                        "what one request costs when it has the machine to itself.", "",
                    "| scenario (1 connection) | req/s | p50 ms | p95 ms | p99 ms | statuses |",
                    "| --- | ---: | ---: | ---: | ---: | --- |"]
            out += [f"| {name} | {s['rps']} | {s['p50_ms']} | {s['p95_ms']} | {s['p99_ms']} | "
                    + ", ".join(f"{k}: {v}" for k, v in sorted(s["statuses"].items()))
                    + (f"; {s['x_ceiling']}× ceiling" if "x_ceiling" in s else "") + " |"
                    for name, s in solo.items()]
        rss = size["scenarios"].get("rss", {}).get("workers_mb")
        out += ["", f"Worker RSS after the load: {f'{rss} MB' if rss else 'not measured'} "
                    f"(seeding took {size['seed_seconds']} s; load average during the "
                    f"scenarios: {size.get('load_average', '?')}).", ""]
    if "p95_growth_half_to_full" in result:
        out += ["## p95 growth from half to full data", "",
                "Between the sizes' own runs above (minutes apart): " + ", ".join(
                    f"{k}: {v:+.0%}" for k, v in result["p95_growth_half_to_full"].items()),
                ""]
    if "p95_growth_half_to_full_one_connection" in result:
        out += ["From one connection (no queue): " + ", ".join(
            f"{k}: {v:+.0%}" for k, v in result["p95_growth_half_to_full_one_connection"].items()),
            ""]
    if "growth" in result:
        out += growth_markdown(result["growth"])
    mail = result.get("announcement")
    if mail:
        setting = (f", BENCH_EMPLOYEES={mail['employees_setting']}"
                   if mail.get("employees_setting") else "")
        out += [f"## Announcement to every employee (scale {mail['scale']}{setting}, "
                f"{mail['date']})", "",
                "The committee posts one announcement to the park's "
                f"{mail['recipients']:,} employees: the request only queues the messages; a "
                "running `flask worker` delivers them to a local SMTP sink "
                f"(batches of {mail['batch_size']}, one connection per batch). Load average "
                f"{mail['load_average']}.", "",
                "| request returned in | first message after | all delivered after | "
                "messages/s (from the post; while sending) | SMTP connections | delivered |",
                "| ---: | ---: | ---: | ---: | ---: | --- |",
                f"| {mail['request_ms']} ms (HTTP {mail['status']}) | "
                f"{mail['first_message_after_s']} s | {mail['deliver_all_s']} s | "
                f"{mail['messages_per_s']}; {mail['sending_messages_per_s']} | "
                f"{mail['smtp_connections']} | "
                f"{mail['delivered']:,} of {mail['recipients']:,} (outbox rows sent: "
                f"{mail['outbox_rows_sent']:,}; other mail in the window: "
                f"{mail['other_messages']}) |", ""]
    out += ["## Targets", ""] + [f"- {'✅' if ok else '❌'} {name}"
                                 for name, ok in result["targets"].items()]
    return "\n".join(out) + "\n"


def growth_markdown(growth: dict) -> list[str]:
    out = [f"Interleaved (the growth checks): both parks served at once, each scenario run on "
           f"one and straight after on the other, {growth['rounds']} rounds alternating which "
           f"goes first ({growth['duration_s']} s under load, {growth['solo_duration_s']} s "
           "from one connection); growth is the median of the rounds' full ÷ half p95.", "",
           "| scenario | p95 ms half, per round | p95 ms full, per round | growth |",
           "| --- | --- | --- | ---: |"]
    for mode, words in (("under_load", f"{CONNECTIONS} connections"),
                        ("one_connection", "1 connection")):
        out += [f"| {name} ({words}) | {', '.join(map(str, figure['half_p95_ms']))} | "
                f"{', '.join(map(str, figure['full_p95_ms']))} | {figure['growth']:+.0%} |"
                for name, figure in growth.get(mode, {}).items()]
    return [*out, ""]


def _merge_announcement(mail: dict, fresh: dict) -> int:
    """``BENCH_SCENARIOS=announcement``: the mail figures replace those of the last results,
    whose other figures stay as they were measured."""
    path = BENCH / "results.json"
    result = json.loads(path.read_text()) if path.exists() else fresh
    result["announcement"] = mail
    result["targets"] = {k: v for k, v in result.get("targets", {}).items()
                         if not k.startswith("announcement")}
    result["targets"]["announcement: every message delivered"] = mail["delivered_all"]
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    (BENCH / "results.md").write_text(markdown(result))
    print(markdown(result))
    return 0 if mail["delivered_all"] else 1


def main() -> int:
    (BENCH / "work").mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **APP_ENV, "FLASK_APP": "wsgi.py"}
    env["HEALTH_DATA_KEYS"] = env.get("BENCH_HEALTH_KEY") or health_key()
    result = {"date": datetime.now(UTC).isoformat(timespec="seconds"),
              "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                          "python": platform.python_version(),
                          "load_average_at_start": os.getloadavg()},
              "settings": {"scale": SCALE, "duration_s": DURATION, "connections": CONNECTIONS,
                           "wrk_threads": WRK_THREADS,
                           "gunicorn_workers": os.environ.get("GUNICORN_WORKERS", "2×CPU+1"),
                           "gunicorn_threads": os.environ.get("GUNICORN_THREADS", "4")},
              "sizes": {}}
    only_mail = SCENARIOS == "announcement"
    prepared: dict[str, dict] = {}
    for label in SIZES[:1] if only_mail else SIZES:
        scale = SCALE if label == "full" else SCALE / 2
        targets = prepare(label, scale, env)
        targets["label"] = label
        prepared[label] = targets
        app_env = {**env, "DATABASE_URL": targets["url"]}
        with Server(app_env) as server:
            log(f"{label}: gunicorn up on port {PORT}")
            load_before = os.getloadavg()[0]
            if only_mail:
                measured = {}
            elif SCENARIOS == "rush":
                measured = rushes(targets)
            else:
                measured = scenarios(targets, server)
            load_after = os.getloadavg()[0]
            if (label == "full" and SCENARIOS == "all") or only_mail:
                log(f"{label}: announcement to every employee, delivered by the worker")
                load = os.getloadavg()[0]
                mail = announcement(targets, env)
                mail.update(scale=scale, employees_setting=os.environ.get("BENCH_EMPLOYEES"),
                            date=datetime.now(UTC).isoformat(timespec="seconds"),
                            load_average=f"{load:.1f} → {os.getloadavg()[0]:.1f} (1 min)")
                result["announcement"] = mail
                log(f"announcement: {mail}")
        if only_mail:
            return _merge_announcement(result["announcement"], result)
        size = {"scale": scale, "counts": targets["counts"],
                "load_average": f"{load_before:.1f} → {load_after:.1f} (1 min)",
                "seed_seconds": targets["seed_seconds"], "scenarios": measured,
                # A rush checks its own slot's places; the booking pools were not used.
                "overbooked_slots": 0 if SCENARIOS == "rush" else overbooked(
                    targets["url"], targets["practitioners"], env)}
        derive(size)
        result["sizes"][label] = size
        log(f"{label}: done")
    if ({"full", "half"} <= set(result["sizes"]) and SCENARIOS in ("all", "no-mail")
            and GROWTH_ROUNDS):
        result["growth"] = growth(prepared, env)
    result["targets"] = verdicts(result)
    result["machine"]["load_average_at_end"] = os.getloadavg()
    append_history(result)
    results_dir = Path(os.environ.get("BENCH_RESULTS_DIR", str(BENCH)))
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / "results.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    (results_dir / "results.md").write_text(markdown(result))
    print(markdown(result))
    rushes_exact = all(figure["exact"] for size in result["sizes"].values()
                       for figure in size["scenarios"].values()
                       if isinstance(figure, dict) and "exact" in figure)
    return 0 if result["sizes"] and rushes_exact and all(
        s["overbooked_slots"] == 0 for s in result["sizes"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
