"""The database's limit for the booking transaction: the statements the booking engine
runs to take a place (lock the practitioner, lock the client, count what is taken, insert
the booking and its first transition, commit), issued directly with psycopg from as many
threads as the HTTP scenario has connections, against its own pool of free slots.

    python bench/sql_ceiling.py --url postgresql://… --targets targets.json \
        --connections 16 --duration 20
"""

from __future__ import annotations

import argparse
import json
import random
import threading
import time
from datetime import UTC, datetime, timedelta

import psycopg

LIVE = "(status = 'confirmed' OR (status = 'held' AND hold_expires_at > %(now)s))"
BOOK = [
    "SELECT id FROM practitioners WHERE id = %(practitioner)s FOR UPDATE",
    "SELECT id FROM users WHERE id = %(client)s FOR UPDATE",
    "SELECT coalesce(sum(seats), 0) FROM bookings WHERE practitioner_id = %(practitioner)s"
    f" AND service_id = %(service)s AND starts_at = %(starts)s AND {LIVE}",
    "SELECT count(*) FROM bookings WHERE practitioner_id = %(practitioner)s"
    " AND busy_from < %(busy_until)s AND busy_until > %(busy_from)s"
    f" AND NOT (service_id = %(service)s AND starts_at = %(starts)s) AND {LIVE}",
    "SELECT count(*) FROM bookings WHERE client_id = %(client)s AND starts_at < %(ends)s"
    f" AND ends_at > %(starts)s AND {LIVE}",
]
INSERT = (
    "INSERT INTO bookings (service_id, practitioner_id, provider_id, client_id, status,"
    " starts_at, ends_at, busy_from, busy_until, seats, hold_expires_at, price_minor, currency,"
    " free_cancel_hours, late_cancel_fee_percent, reschedule_count, created_at, updated_at)"
    " SELECT %(service)s, %(practitioner)s, s.provider_id, %(client)s, 'held', %(starts)s,"
    " %(ends)s, %(busy_from)s, %(busy_until)s, 1, %(expires)s, s.price_minor, s.currency,"
    " s.free_cancel_hours, s.late_cancel_fee_percent, 0, %(now)s, %(now)s"
    " FROM services s WHERE s.id = %(service)s RETURNING id")
TRANSITION = ("INSERT INTO booking_transitions (booking_id, from_status, to_status, actor_id,"
              " at, reason, note) VALUES (%(booking)s, NULL, 'held', %(client)s, %(now)s,"
              " 'booked', '')")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def run(url: str, pool: list[dict], clients: list[int], connections: int,
        duration: float) -> dict:
    url = url.replace("postgresql+psycopg://", "postgresql://")
    stop = time.monotonic() + duration
    latencies: list[float] = []
    outcomes = {"booked": 0, "refused": 0, "errors": 0}
    lock = threading.Lock()

    def worker(n: int) -> None:
        rng = random.Random(n)
        mine, done = [], {"booked": 0, "refused": 0, "errors": 0}
        with psycopg.connect(url) as conn:
            while time.monotonic() < stop:
                slot, client = rng.choice(pool), rng.choice(clients)
                now = datetime.now(UTC)
                params = {"practitioner": slot["practitioner_id"], "client": client,
                          "service": slot["service_id"],
                          "starts": datetime.fromisoformat(slot["starts_at"]),
                          "ends": datetime.fromisoformat(slot["ends_at"]),
                          "busy_from": datetime.fromisoformat(slot["busy_from"]),
                          "busy_until": datetime.fromisoformat(slot["busy_until"]),
                          "now": now, "expires": now + timedelta(minutes=10)}
                began = time.perf_counter()
                try:
                    with conn.transaction(), conn.cursor() as cursor:
                        taken = []
                        for statement in BOOK:
                            cursor.execute(statement, params)
                            taken.append(cursor.fetchone()[0])
                        if taken[2] < 1 and taken[3] == 0 and taken[4] == 0:
                            cursor.execute(INSERT, params)
                            params["booking"] = cursor.fetchone()[0]
                            cursor.execute(TRANSITION, params)
                            done["booked"] += 1
                        else:
                            done["refused"] += 1
                except psycopg.Error:
                    done["errors"] += 1
                mine.append(time.perf_counter() - began)
        with lock:
            latencies.extend(mine)
            for key, value in done.items():
                outcomes[key] += value

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {"requests": len(latencies), "duration_s": round(elapsed, 2),
            "rps": round(len(latencies) / elapsed, 1),
            "p50_ms": round(percentile(latencies, 50) * 1000, 2),
            "p95_ms": round(percentile(latencies, 95) * 1000, 2),
            "p99_ms": round(percentile(latencies, 99) * 1000, 2), **outcomes}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--targets", required=True)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=20)
    args = parser.parse_args()
    targets = json.loads(open(args.targets).read())  # noqa: SIM115
    result = run(args.url, targets["sql_pool"], targets["employee_ids"], args.connections,
                 args.duration)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
