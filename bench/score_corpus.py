#!/usr/bin/env python3
"""Print kb.bounce's findings for a corpus as JSONL, in the `analyze_bounce --jsonl` contract.

    python3 bench/score_corpus.py [EMAILS_DIR_OR_FILES...] > /tmp/ours.jsonl
    then score /tmp/ours.jsonl against the corpus's expected.jsonl (tests/data/sisimai)

One line per (file, recipient); a file with no finding, or that raises BounceError, prints one
line with "recipient": null. "entry" is always null here (matching needs the Django app).
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import corpus_dir  # noqa: E402
from kb.bounce import BounceError, parse  # noqa: E402


def rows_for(path):
    """The contract's lines for one file."""
    empty = {"file": str(path), "recipient": None, "action": None, "reply_code": None, "status": None,
             "diagnostic": None, "entry": None, "hard_bounce": None, "warnings": []}
    try:
        report = parse(path.read_bytes())
    except BounceError:
        return [empty]
    rows = [dict(empty, recipient=f.recipient, action=f.action, reply_code=f.reply_code, status=f.status,
                 diagnostic=f.diagnostic, hard_bounce=f.hard_bounce) for f in report.findings]
    return rows or [empty]


def corpus_files(arguments):
    paths = [Path(a) for a in arguments] or [corpus_dir() / "emails"]
    for path in paths:
        yield from sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]


def main(arguments):
    for path in corpus_files(arguments):
        for row in rows_for(path):
            print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
