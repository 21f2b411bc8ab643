#!/usr/bin/env python3
"""Does kb.bounce.parse cost grow linearly with adversarial input? Prints a ratio per input.

    python3 bench/bench_linear.py [--small N] [--rounds R]

For each input family, ten times the input (N characters, then 10 N) should cost about ten times
the time. The ratio printed is (time for 10 N) / (10 x time for N): 1.0 is linear, 10 would be
quadratic. Target: every ratio at most 2.5 (timings on a shared machine are noisy; quadratic work
shows up as 10 or more). Each side's best of R rounds counts. Moved here from the test suite: a
timing is a benchmark, not a test.
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kb.bounce import BounceError, parse  # noqa: E402

TARGET = 2.5

INPUTS = {
    "digits and dots": lambda n: ("1234.5678.90.550 5.1.1.1 " * n)[:n],
    "continuation lines": lambda n: ("550-5.1.1 x\n" * n)[:n],
    "transcript markers": lambda n: ("<<<" * n)[:n],
    "transcript replies": lambda n: ("<<< 550 5.1.1 <a@b.example>\n" * n)[:n],
    "address characters": lambda n: ("a.b-c" * n)[:n] + "@example.org",
    "at signs": lambda n: ("a@" * n)[:n],
    "folded header": lambda n: "Subject: x\n" + (" y\n" * n)[:n] + "\n550 5.1.1 x",
    "folded diagnostic": lambda n: ("Content-Type: message/delivery-status\n\nFinal-Recipient: rfc822; a@b.example\n"
                                    "Diagnostic-Code: smtp; 550 5.1.1" + (" x\n" * n)[:n]),
    "unclosed html elements": lambda n: "Content-Type: text/html\n\n" + ("<style>" * n)[:n],
    "html tags": lambda n: "Content-Type: text/html\n\n" + ("<td " * n)[:n],
    "mbox separators": lambda n: ("From a Thu Apr 29 23:34:45 2010\n\n550 5.1.1 <a@b.example> x\n\n" * n)[:n],
    "boundaries": lambda n: 'Content-Type: multipart/mixed; boundary="b"\n\n' + ("--b\n\n" * n)[:n],
}


def best_time(data, rounds):
    """The best of `rounds` parses, the reason of each finding included (the reader's full cost)."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        try:
            for finding in parse(data).findings:
                finding.advice
        except BounceError:
            pass
        best = min(best, time.perf_counter() - start)
    return best


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    worst = 0.0
    for name, make in INPUTS.items():
        small, large = best_time(make(args.small), args.rounds), best_time(make(10 * args.small), args.rounds)
        ratio = large / (10 * small) if small else 0.0
        worst = max(worst, ratio)
        print(f"{name:24} {small * 1000:8.1f} ms  {large * 1000:9.1f} ms  ratio {ratio:5.2f}")
    print(f"worst ratio {worst:.2f} (target <= {TARGET})")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
