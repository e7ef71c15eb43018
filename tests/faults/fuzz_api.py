"""API fuzzing: schemathesis against ``/api/v1/openapi.json`` of a real gunicorn server on
a fresh PostgreSQL database (migrated, demo park seeded), once per demo role with that
role's API token and once anonymously, within a time box.

Checks: no 5xx (``not_a_server_error``), every status code declared in the document
(``status_code_conformance``), the declared content type (``content_type_conformance``)
and every body valid against its schema (``response_schema_conformance``).

    python -m tests.faults.fuzz_api [--seconds 120] [--port 5110] [--keep]

Exit status: 0 when every run passed, 1 otherwise. Reports go to
``test-artifacts/fuzz/`` (JUnit XML per role).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from tests.faults.world import (
    BIN,
    ROOT,
    Gunicorn,
    app_env,
    log,
    migrate,
    seed_demo_park,
    throwaway_database,
)

CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_schema_conformance")
#: Who the fuzzer acts as: each demo role (README.md, "Demo logins"), then nobody.
ROLES = ["employee@parkwell.demo", "hr@parkwell.demo", "provider@parkwell.demo",
         "committee@parkwell.demo", "admin@parkwell.demo", None]


def run_schemathesis(base: str, *, token: str | None, seconds: int, label: str,
                     seed: int | None) -> int:
    report_dir = ROOT / "test-artifacts" / "fuzz"
    report_dir.mkdir(parents=True, exist_ok=True)
    args = [str(BIN / "st"), "run", f"{base}/api/v1/openapi.json",
            "--checks", CHECKS, "--max-time", str(max(seconds, 5)),
            # One worker: with threads, hypothesis' lambda descriptions trip over Python
            # 3.11's ast recursion check now and then ("AST constructor recursion depth
            # mismatch"), a fault of the tool, not of the API.
            "--phases", "examples,coverage,fuzzing", "--workers", "1",
            "--request-timeout", "30", "--suppress-health-check", "all",
            "--report", "junit", "--report-junit-path",
            str(report_dir / f"{label}.xml"), "--no-color"]
    if seed is not None:
        args += ["--seed", str(seed)]
    if token:
        args += ["--header", f"Authorization: Bearer {token}"]
    started = time.monotonic()
    result = subprocess.run(args, cwd=ROOT, check=False, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0:
        print(result.stdout, flush=True)
    else:  # the summary: operations tested, phases, cases generated
        start = next((i for i, line in enumerate(lines) if "SUMMARY" in line), -12)
        print("\n".join(lines[start:]), flush=True)
    log(f"{label}: exit {result.returncode} in {time.monotonic() - started:.0f} s")
    return result.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int,
                        default=int(os.environ.get("FUZZ_SECONDS", "120")),
                        help="time box of the fuzzing itself (setup not counted)")
    parser.add_argument("--port", type=int, default=5110)
    parser.add_argument("--database", default="parkwell_faults_fuzz")
    parser.add_argument("--roles", default="all",
                        help="comma-separated logins (and 'anonymous'), or 'all'")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    options = parser.parse_args(argv)
    roles = ROLES if options.roles == "all" else [
        None if r == "anonymous" else r for r in options.roles.split(",")]

    started = time.monotonic()
    with throwaway_database(options.database, keep=options.keep) as url:
        env = app_env(url, REDIS_URL=os.environ.get("FAULTS_REDIS_URL",
                                                    "redis://127.0.0.1:6379/12"),
                      LOGIN_RATE_LIMIT="1000 per minute")
        log(f"migrating and seeding {options.database}")
        migrate(url)
        tokens = seed_demo_park(url, [r for r in roles if r])
        server = Gunicorn(env, options.port, workers=2,
                          logfile=ROOT / "test-artifacts" / "fuzz" / "gunicorn.log")
        (ROOT / "test-artifacts" / "fuzz").mkdir(parents=True, exist_ok=True)
        server.start()
        log(f"setup took {time.monotonic() - started:.0f} s; fuzzing for "
            f"{options.seconds} s as {len(roles)} callers")
        failed = []
        fuzz_started = time.monotonic()
        try:
            for index, login in enumerate(roles):
                left = options.seconds - (time.monotonic() - fuzz_started)
                share = int(left / (len(roles) - index))
                label = (login or "anonymous").split("@")[0]
                code = run_schemathesis(server.base, token=tokens.get(login), seconds=share,
                                        label=label, seed=options.seed)
                if code != 0:
                    failed.append(label)
        finally:
            server.stop()
    log(f"fuzzing done in {time.monotonic() - started:.0f} s; "
        f"{len(roles) - len(failed)} passed, {len(failed)} failed"
        + (f" ({', '.join(failed)})" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
