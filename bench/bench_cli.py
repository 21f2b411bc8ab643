"""`manage.py analyze_bounce --jsonl` over the whole corpus in one process, side by side with Sisimai.

Target (issue 3): no slower than Sisimai 4.25 (Debian package libsisimai-perl) on the same
files, both including interpreter start-up, best of several rounds. Also prints the
accuracy of our output against the corpus's reference answers when the scorer is there.

    .venv/bin/python bench/bench_cli.py [--corpus DIR] [--rounds N]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = Path(os.environ.get("SMTP_KB_CORPUS", ROOT.parent / "shared" / "corpus" / "sisimai"))
# One JSON line per bounced recipient, as our CLI prints: the same kind of work.
SISIMAI = """
use Sisimai;
for my $file (@ARGV) {
    my $results = Sisimai->make($file, delivered => 1) || [];
    print $_->dump('json'), "\\n" for @$results;
}
"""


def best_time(command, rounds):
    best, output = None, ""
    for _ in range(rounds):
        started = time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, errors="replace")
        elapsed = time.perf_counter() - started
        if result.returncode != 0:
            sys.exit(f"{command[0]} failed: {result.stderr[-2000:]}")
        best, output = (elapsed, result.stdout) if best is None or elapsed < best else (best, output)
    return best, output


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
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    files = sorted(str(path) for path in (args.corpus / "emails").iterdir())
    ours, our_output = best_time([sys.executable, "manage.py", "analyze_bounce", "--jsonl", *files], args.rounds)
    theirs, _ = best_time(["perl", "-e", SISIMAI, *files], args.rounds)
    print(f"analyze_bounce --jsonl: {len(files)} files in {ours:.2f} s (best of {args.rounds})")
    print(f"Sisimai 4.25:           {len(files)} files in {theirs:.2f} s (best of {args.rounds})")
    print(f"ratio ours/Sisimai: {ours / theirs:.2f} (target <= 1.00)")
    print(score(args.corpus, our_output))
    return 0 if ours <= theirs else 1


if __name__ == "__main__":
    sys.exit(main())
