#!/usr/bin/env python3
"""Run every benchmark (bench/bench_*.py) in turn and report which missed its target.

`make bench` runs this. Each benchmark exits non-zero when it misses a target.
Other scripts in bench/ are no benchmarks (score_corpus.py feeds the accuracy
scorer, corpus.py is a helper); they are listed as not run, never skipped silently.
"""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
NOT_SCRIPTS = {"__init__.py", "run_all.py"}


def main():
    benchmarks = sorted(BENCH.glob("bench_*.py"))
    others = sorted(p.name for p in BENCH.glob("*.py") if p not in benchmarks and p.name not in NOT_SCRIPTS)
    if not benchmarks:
        print("run_all: no bench/bench_*.py to run")
        return 1
    failed = []
    for script in benchmarks:
        print(f"== {script.name}", flush=True)
        if subprocess.run([sys.executable, str(script)], cwd=BENCH.parent).returncode != 0:
            failed.append(script.name)
    print(f"== run_all: {len(benchmarks) - len(failed)} of {len(benchmarks)} benchmarks met their targets")
    for name in others:
        print(f"   not run, no benchmark: {name}")
    if failed:
        print(f"   FAILED: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
