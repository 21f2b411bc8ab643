#!/usr/bin/env python3
"""Agreement of our reason per recipient with Sisimai 4.25's, on a corpus with expected.jsonl.

    python3 bench/score_reasons.py [CORPUS_DIR] [--min 0.85] [--show N]

Rows counted: Sisimai's rows with a recipient and a reason other than feedback, vacation,
delivered and undefined (the issue's rule). A row whose recipient we do not find counts as a
disagreement. `--show N` prints N disagreements grouped by (Sisimai's reason, ours).
"""
import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import corpus_dir  # noqa: E402
from kb.bounce import BounceError, parse  # noqa: E402

LEFT_OUT = {None, "feedback", "vacation", "delivered", "undefined"}


def _norm(address):
    return (address or "").strip().strip("<>").lower()


def our_reasons(path):
    """{recipient: Finding} for one file (empty when it is no bounce)."""
    try:
        report = parse(path.read_bytes())
    except BounceError:
        return {}
    return {_norm(f.recipient): f for f in report.findings}


def score(corpus):
    expected = [json.loads(line) for line in open(corpus / "expected.jsonl", encoding="utf-8")]
    cache, agree, total, pairs = {}, 0, 0, Counter()
    for row in expected:
        if row["reason"] in LEFT_OUT or not row["recipient"]:
            continue
        if row["file"] not in cache:
            cache[row["file"]] = our_reasons(corpus / "emails" / row["file"])
        finding = cache[row["file"]].get(_norm(row["recipient"]))
        ours = finding.reason if finding else "(not found)"
        total += 1
        agree += ours == row["reason"]
        if ours != row["reason"]:
            pairs[(row["reason"], ours)] += 1
            pairs.setdefault(("examples", row["reason"], ours), []).append((row["file"], finding))
    return agree, total, pairs


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=None)
    parser.add_argument("--min", type=float, default=0.0)
    parser.add_argument("--show", type=int, default=0)
    args = parser.parse_args(argv)
    agree, total, pairs = score(args.corpus or corpus_dir())
    rate = agree / total if total else 1.0
    if args.show:
        counts = sorted(((n, k) for k, n in pairs.items() if k[0] != "examples"), reverse=True)
        for n, (theirs, ours) in counts[:args.show]:
            print(f"{n:4}  sisimai {theirs:16} ours {ours}")
            for name, finding in pairs[("examples", theirs, ours)][:3]:
                detail = f"{finding.reply_code} {finding.status} {(finding.diagnostic or '')[:150]!r}" if finding else ""
                print(f"        {name}  {detail}")
    print(f"reason agreement {agree}/{total} = {rate:.3f}")
    return 0 if rate >= args.min else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
