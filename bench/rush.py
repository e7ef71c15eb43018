"""A rush: many people try the same thing within a short window, each once, over many
connections (``make bench``'s registration rush and hot slot). wrk replays a list for a
duration; a rush needs each attempt exactly once, at its own moment, and every answer
counted, so it has its own small driver.

Each attempt is given a moment spread evenly over ``window`` seconds (in a shuffled order);
``connections`` threads, each with its own keep-alive connection, send the attempts whose
moment has come. Latency is from the moment the request is sent to the full answer.
"""

from __future__ import annotations

import http.client
import json
import queue
import random
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Attempt:
    method: str
    path: str
    token: str = ""
    body: dict | None = None


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def run(port: int, attempts: list[Attempt], *, connections: int, window: float,
        seed: int = 22, timeout: float = 30.0) -> dict:
    """Send every attempt once; the statuses, the errors (5xx, refused or broken
    connections) and the latency percentiles in ms."""
    order = list(attempts)
    random.Random(seed).shuffle(order)
    step = window / max(1, len(order))
    work: queue.Queue = queue.Queue()
    for n, attempt in enumerate(order):
        work.put((n * step, attempt))
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors: list[str] = []
    lock = threading.Lock()
    began = time.monotonic()

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        while True:
            try:
                at, attempt = work.get_nowait()
            except queue.Empty:
                break
            delay = began + at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            headers = {"Content-Type": "application/json"}
            if attempt.token:
                headers["Authorization"] = f"Bearer {attempt.token}"
            body = json.dumps(attempt.body) if attempt.body is not None else None
            sent = time.monotonic()
            try:
                connection.request(attempt.method, attempt.path, body=body, headers=headers)
                answer = connection.getresponse()
                answer.read()
                status = str(answer.status)
                if answer.will_close:
                    connection.close()
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
                status = f"error:{type(error).__name__}"
            took = (time.monotonic() - sent) * 1000
            with lock:
                latencies.append(took)
                statuses[status] = statuses.get(status, 0) + 1
                if not status.isdigit() or status.startswith("5"):
                    errors.append(status)
        connection.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - began
    return {"attempts": len(order), "connections": connections, "window_s": window,
            "duration_s": round(seconds, 2), "rps": round(len(order) / seconds, 1),
            "p50_ms": round(_percentile(latencies, 0.50), 2),
            "p95_ms": round(_percentile(latencies, 0.95), 2),
            "p99_ms": round(_percentile(latencies, 0.99), 2),
            "max_ms": round(max(latencies, default=0.0), 2),
            "statuses": dict(sorted(statuses.items())), "errors": len(errors)}
