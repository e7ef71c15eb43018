"""What one request costs, in the process: the bench's reads replayed through Flask's test
client on a seeded scale database, one at a time, with the CPU time of each (``process_time``:
the Python side only, PostgreSQL's own work is not in it) beside its wall time.

    python bench/request_cost.py --url postgresql+psycopg://…/parkwell_scale_bench_full \
        --targets bench/work/full/targets.json [--rounds 5] [--cprofile search]

The same database and the same requests before and after a change: the machine's other
work moves wall times, CPU time much less. ``--cprofile NAME`` prints the top of a cProfile
of that scenario's requests.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(os.path.abspath(__file__)).parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench import APP_ENV, SEARCHES  # noqa: E402


def requests(targets: dict) -> dict[str, list[tuple[str, str]]]:
    tokens = targets["employee_tokens"]
    slot_window = (f"from={urllib.parse.quote(targets['slot_from'])}"
                   f"&to={urllib.parse.quote(targets['slot_to'])}")
    return {
        "ceiling_http": [("/healthz", "")],
        "search": [(f"/api/v1/catalog/search?{urllib.parse.urlencode(urllib.parse.parse_qsl(q))}",
                    tokens[n % len(tokens)]) for n, q in enumerate(SEARCHES)],
        "slots": [(f"/api/v1/services/{sid}/slots?{slot_window}", tokens[n % len(tokens)])
                  for n, sid in enumerate(targets["slot_services"][:12])],
        "report": [(targets["report_path"], targets["admin_token"])],
        # The booking scenario's attempts: free slots tried again and again by different
        # people. The warming round books them (201); the measured ones are refused (409),
        # as most attempts are under wrk once the pool is taken.
        "booking": [("/api/v1/bookings", tokens[(n * 37) % len(tokens)],
                     {key: slot[key] for key in ("service_id", "practitioner_id", "starts_at")})
                    for n, slot in enumerate(targets["booking_pool"][:30] * 2)],
        # The flagship provider's calendar feed, and a poll that finds nothing changed (its
        # ETag is read by ``main`` just before).
        "ics": [(targets["feed_path"], "")],
        "ics_304": [(targets["feed_path"], "", None, {"If-None-Match": ""})],
    }


def forget(app) -> None:
    """``--cold``: the memories of core.memo emptied before each request, so that
    every request works its answer out (the first request after a change)."""
    for memory in app.extensions.get("memos", {}).values():
        memory.clear()


class StatementCount:
    """SQL statements sent by the app's engine (each request's, one at a time)."""

    def __init__(self, engine) -> None:
        from sqlalchemy import event
        self.total = 0
        event.listen(engine, "before_cursor_execute", self._one)

    def _one(self, *_args) -> None:
        self.total += 1


def measure(client, calls, rounds: int, cold: bool = False,
            statements: StatementCount | None = None) -> dict:
    cpu, wall, sent = [], [], []
    for _ in range(max(rounds, -(-rounds * 12 // len(calls)))):  # as many requests each
        for path, token, *rest in calls:
            body, extra = [*rest, None, None][:2]
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            headers.update(extra or {})
            if cold:
                forget(client.application)
            before = statements.total if statements else 0
            began_cpu, began = time.process_time(), time.perf_counter()
            answer = (client.post(path, headers=headers, json=body) if body
                      else client.get(path, headers=headers))
            cpu.append((time.process_time() - began_cpu) * 1000)
            wall.append((time.perf_counter() - began) * 1000)
            sent.append((statements.total if statements else 0) - before)
            expected = (201, 409) if body else (304,) if "If-None-Match" in headers else (200,)
            if answer.status_code not in expected:
                raise SystemExit(f"{path}: HTTP {answer.status_code} {answer.data[:300]!r}")
    return {"cpu_ms_median": round(statistics.median(cpu), 2),
            "cpu_ms_mean": round(statistics.fmean(cpu), 2),
            "wall_ms_median": round(statistics.median(wall), 2),
            "wall_ms_p95": round(sorted(wall)[int(len(wall) * 0.95) - 1], 2),
            "statements_median": statistics.median(sent), "requests": len(cpu)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--targets", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cprofile")
    parser.add_argument("--cold", action="store_true",
                        help="forget what the catalogue remembers before each request")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.url
    for key, value in APP_ENV.items():  # the bench's production settings
        os.environ.setdefault(key, value)
    import logging

    from marketplace import create_app
    logging.getLogger("parkwell.access").setLevel(logging.WARNING)

    app = create_app()
    targets = json.loads(Path(args.targets).read_text())
    client = app.test_client()
    with app.app_context():
        from core.db import db
        statements = StatementCount(db.engine)
    result = {}
    for name, calls in requests(targets).items():
        if name == "ics_304":
            etag = client.get(targets["feed_path"]).headers["ETag"]
            calls = [(path, token, body, {"If-None-Match": etag})
                     for path, token, body, _headers in calls]
        measure(client, calls, 1)  # warm: caches, connections, imports
        if name == args.cprofile:
            profiler = cProfile.Profile()
            profiler.enable()
            result[name] = measure(client, calls, args.rounds, args.cold, statements)
            profiler.disable()
            order = os.environ.get("PROFILE_SORT", "cumulative")  # or tottime
            pstats.Stats(profiler).sort_stats(order).print_stats(45)
            if os.environ.get("PROFILE_DUMP"):
                profiler.dump_stats(os.environ["PROFILE_DUMP"])
        else:
            result[name] = measure(client, calls, args.rounds, args.cold, statements)
        print(f"{name:14} {result[name]}", flush=True)
    print(json.dumps({"load_average": os.getloadavg(), "results": result}))


if __name__ == "__main__":
    main()
