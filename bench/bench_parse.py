#!/usr/bin/env python3
"""Time kb.bounce.parse over a corpus against the bare `email` parse of the same files.

    python3 bench/bench_parse.py [EMAILS_DIR] [--rounds N]

Files are read into memory first; the two sides take turns for N rounds and each one's best
round counts.
Prints both times and the ratio (target: parse <= 1.5 x the email package's parse).
"""
import argparse
import email
import email.policy
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import corpus_dir  # noqa: E402
from kb.bounce import BounceError, parse  # noqa: E402

TARGET_RATIO = 1.5


def parse_all(messages):
    for data in messages:
        try:
            parse(data)
        except BounceError:
            pass


def email_parse_all(messages):
    for data in messages:
        email.message_from_bytes(data, policy=email.policy.compat32)


def best_times(functions, messages, rounds):
    """Best time of each function; rounds alternate so that machine noise hits both alike."""
    best = [float("inf")] * len(functions)
    for _ in range(rounds):
        for index, function in enumerate(functions):
            start = time.process_time()
            function(messages)
            best[index] = min(best[index], time.process_time() - start)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    folder = args.corpus or corpus_dir() / "emails"
    messages = [p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()]
    ours, theirs = best_times((parse_all, email_parse_all), messages, args.rounds)
    size = sum(map(len, messages))
    print(f"files: {len(messages)}, {size / 1e6:.2f} MB, best of {args.rounds} rounds")
    print(f"kb.bounce.parse:          {ours * 1000:8.1f} ms")
    print(f"email.message_from_bytes: {theirs * 1000:8.1f} ms")
    print(f"ratio: {ours / theirs:.2f} (target <= {TARGET_RATIO})")
    return 0 if ours / theirs <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
