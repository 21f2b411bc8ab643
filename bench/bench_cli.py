"""`manage.py analyze_bounce --jsonl` over the whole corpus in one process, side by side with Sisimai.

Target (issue 3): no slower than Sisimai 4.25 (Debian package libsisimai-perl) on the same files,
both including interpreter start-up. The two take turns for N rounds and each one's best round
counts; CPU time (user + system of the child) is the measure, since wall time on a shared
machine is noisy. Also prints the accuracy of our output against the corpus's reference answers.

    .venv/bin/python bench/bench_cli.py [--rounds N]
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import ROOT, corpus_dir  # noqa: E402

# One JSON line per bounced recipient, as our CLI prints: the same kind of work.
SISIMAI = """
use Sisimai;
for my $file (@ARGV) {
    my $results = Sisimai->make($file, delivered => 1) || [];
    print $_->dump('json'), "\\n" for @$results;
}
"""


def run(command):
    """(CPU seconds, wall seconds, stdout) of one run of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, errors="replace")
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"{command[0]} failed: {result.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, result.stdout


def score(corpus, output):
    scorer = corpus.parent / "score.py"
    if not scorer.exists():
        return "accuracy: scorer not found next to the corpus"
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as handle:
        handle.write(output)
    result = subprocess.run([sys.executable, str(scorer), str(corpus), handle.name], capture_output=True, text=True)
    os.unlink(handle.name)
    return "accuracy: " + result.stdout.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    corpus = corpus_dir()
    files = sorted(str(path) for path in (corpus / "emails").iterdir())
    commands = {
        "analyze_bounce --jsonl": [sys.executable, "manage.py", "analyze_bounce", "--jsonl", *files],
        "Sisimai 4.25": ["perl", "-e", SISIMAI, *files],
    }
    best = {name: (float("inf"), float("inf"), "") for name in commands}
    for _ in range(args.rounds):
        for name, command in commands.items():
            cpu, wall, output = run(command)
            best[name] = min(best[name], (cpu, wall, output))
    for name, (cpu, wall, _) in best.items():
        print(f"{name:24} {len(files)} files: {cpu:.2f} s CPU, {wall:.2f} s wall (best of {args.rounds})")
    ours, theirs = best["analyze_bounce --jsonl"][0], best["Sisimai 4.25"][0]
    print(f"ratio ours/Sisimai (CPU): {ours / theirs:.2f} (target <= 1.00)")
    print(score(corpus, best["analyze_bounce --jsonl"][2]))
    return 0 if ours <= theirs else 1


if __name__ == "__main__":
    sys.exit(main())
