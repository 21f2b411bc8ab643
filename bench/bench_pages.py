#!/usr/bin/env python3
"""Public pages under load: entry pages, the home page and the list of codes, against /healthz.

Serves the knowledge base with gunicorn (2 workers) as production does and
drives it with wrk (16 connections) on loopback, as bench_search.py does.
Fails unless each kind of page reaches 40% of /healthz's requests per second
in the same run and entry pages keep p99 <= 30 ms. Entry pages rotate over
the codes people look up most, 550 with its many examples among them; the
pages come from the page cache (kb/page_cache.py), which is the point.

    .venv/bin/python bench/bench_pages.py [--database-url postgres://...]
"""

import json
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_search import (  # noqa: E402
    LUA, OUT, arguments, check, free_port, prepare_database, run_wrk, server_env, start_gunicorn,
)

MIN_RATIO = 0.40
MAX_ENTRY_P99_MS = 30.0
ENTRY_CODES = ["550", "5.1.1", "5.7.26", "554", "552", "5.2.2", "421", "451", "450", "5.7.1", "4.7.0", "5.4.1"]
PAGES = {
    "entry pages": [f"/codes/{code}/" for code in ENTRY_CODES],
    "home page": ["/"],
    "code list": ["/codes/", "/codes/?page=2", "/codes/?class=5", "/codes/?kind=enhanced&page=3"],
}


def main():
    args = arguments(__doc__, rounds=3)
    database_url, env = server_env("bench_pages", args)
    prepare_database(env, fresh_sqlite=not args.database_url)
    scripts = {}
    for name, paths in PAGES.items():
        scripts[name] = OUT / f"pages-{name.replace(' ', '-')}.lua"
        scripts[name].write_text(LUA % ("{" + ", ".join(json.dumps(path) for path in paths) + "}"))

    port = free_port()
    server = start_gunicorn(env, port)
    base = f"http://127.0.0.1:{port}"
    rounds = {"/healthz": [], **{name: [] for name in PAGES}}
    try:
        for paths in PAGES.values():
            for path in paths:  # every page answers, and both workers' caches hold it
                for _ in range(2):
                    check(base + path)
        run_wrk(base + "/healthz", 2, args.connections)
        for _ in range(args.rounds):
            rounds["/healthz"].append(run_wrk(base + "/healthz", args.duration, args.connections))
            for name in PAGES:
                rounds[name].append(run_wrk(base + "/", args.duration, args.connections, scripts[name]))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    best = {name: max(results, key=lambda result: result["rps"]) for name, results in rounds.items()}
    health = best["/healthz"]["rps"]
    label = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(f"bench_pages on {label}: {args.connections} connections, 2 gunicorn workers, "
          f"best of {args.rounds} rounds of {args.duration} s each")
    failures = []
    for name, result in best.items():
        ratio = result["rps"] / health if health else 0.0
        print(f"  {name:12} {result['rps']:9.1f} requests/s  {ratio:6.1%} of /healthz  p99 {result['p99']:.1f} ms   "
              f"rounds: {_rounds(rounds[name])}")
        if name != "/healthz" and ratio < MIN_RATIO:
            failures.append(f"{name} reach {ratio:.1%} of /healthz < {MIN_RATIO:.0%}")
        failures += [f"{r['url']}: {r['errors']}" for r in rounds[name] if r["errors"]]
    if best["entry pages"]["p99"] > MAX_ENTRY_P99_MS:
        failures.append(f"entry pages p99 {best['entry pages']['p99']:.1f} ms > {MAX_ENTRY_P99_MS:.0f} ms")
    if failures:
        print("FAILED: " + "; ".join(failures))
        return 1
    print("OK: every target met")
    return 0


def _rounds(results):
    return ", ".join(f"{result['rps']:.0f}/s" for result in results)


if __name__ == "__main__":
    sys.exit(main())
