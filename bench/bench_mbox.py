"""A 10,000-message mbox: `manage.py analyze_bounce --jsonl` against Sisimai 4.25, memory, linearity.

The mbox is built from the corpus (the LF samples, each written as an mbox entry, body lines
starting "From " quoted as ">From ", RFC 4155), cycled to N messages, in bench/out/. Targets
(issue 9): at least 2.5x Sisimai's messages per second (CPU time of each child, start-up
included, best of R rounds), peak memory (maximum resident set) of ours at most 300 MB, and a
cost per message at 10k within 1.2x of that at 1k. The two take their turns in alternation, so
that a slow minute of the machine falls on both. Sisimai is skipped, and said to be, where
`perl -MSisimai` is not installed (Debian: libsisimai-perl). Needs a database with the fixtures
(`make db`).

    .venv/bin/python bench/bench_mbox.py [--messages N] [--rounds R]
"""
import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import ROOT, corpus_dir  # noqa: E402

OUT = ROOT / "bench" / "out"
SISIMAI = """
use Sisimai;
my $results = Sisimai->make($ARGV[0], delivered => 1) || [];
print $_->dump('json'), "\\n" for @$results;
"""
TARGET_SPEED, TARGET_MB, TARGET_LINEAR = 2.5, 300, 1.2


def build_mbox(count, path):
    """An mbox of `count` messages cycled from the corpus's LF samples."""
    samples = []
    for sample in sorted((corpus_dir() / "emails").glob("maildir__bsd__*.eml")):
        body = sample.read_bytes()
        if body.startswith(b"From "):
            body = body.split(b"\n", 1)[1]
        lines = [b">" + line if line.startswith(b"From ") else line for line in body.split(b"\n")]
        samples.append(b"From MAILER-DAEMON Thu Apr 29 23:34:45 2010\n" + b"\n".join(lines).rstrip(b"\n") + b"\n\n")
    with open(path, "wb") as handle:
        for number in range(count):
            handle.write(samples[number % len(samples)])
    return path


def run(command):
    """(CPU seconds, peak resident MB, lines printed) of one child, measured by wait4."""
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    lines = sum(1 for _ in child.stdout)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"{command[0]} failed with {child.returncode}")
    cpu = usage.ru_utime + usage.ru_stime
    return cpu, usage.ru_maxrss / 1024, lines, time.perf_counter() - started


def has_sisimai():
    return subprocess.run(["perl", "-MSisimai", "-e", "1"], capture_output=True).returncode == 0


def best(command, rounds):
    return min(run(command) for _ in range(rounds))


def ours(path):
    return [sys.executable, "manage.py", "analyze_bounce", "--jsonl", str(path)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    # Five rounds, as bench_cli takes: this machine kind's speed moves by a third between minutes.
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    large = build_mbox(args.messages, OUT / f"bounces-{args.messages}.mbox")
    small = build_mbox(args.messages // 10, OUT / f"bounces-{args.messages // 10}.mbox")
    ok = True
    sisimai = ["perl", "-e", SISIMAI, str(large)] if has_sisimai() else None
    # Turns taken in alternation, best round each: a machine that slows for a minute slows both.
    runs = {"ours": [], "sisimai": []}
    for _ in range(args.rounds):
        runs["ours"].append(run(ours(large)))
        if sisimai:
            runs["sisimai"].append(run(sisimai))
    cpu, peak, lines, wall = min(runs["ours"])
    speed = args.messages / cpu
    print(f"best of {args.rounds} rounds each")
    print(f"ours     {args.messages} messages: {cpu:.2f} s CPU ({wall:.2f} s wall), {speed:.0f} messages/s, "
          f"{lines} lines, peak {peak:.0f} MB (target <= {TARGET_MB})")
    ok &= peak <= TARGET_MB
    small_cpu = best(ours(small), args.rounds)[0]
    linear = (cpu / args.messages) / (small_cpu / (args.messages // 10))
    print(f"ours     per message at {args.messages} vs {args.messages // 10}: {linear:.2f}x "
          f"(target <= {TARGET_LINEAR}; start-up is in both)")
    ok &= linear <= TARGET_LINEAR
    if sisimai:
        their_cpu, their_peak, their_lines, their_wall = min(runs["sisimai"])
        their_speed = args.messages / their_cpu
        print(f"Sisimai  {args.messages} messages: {their_cpu:.2f} s CPU ({their_wall:.2f} s wall), "
              f"{their_speed:.0f} messages/s, {their_lines} lines, peak {their_peak:.0f} MB")
        print(f"speed ratio ours/Sisimai: {speed / their_speed:.2f} (target >= {TARGET_SPEED})")
        ok &= speed / their_speed >= TARGET_SPEED
    else:
        print("Sisimai not installed (perl -MSisimai): no speed ratio measured")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
