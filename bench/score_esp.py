#!/usr/bin/env python3
"""Score kb.bounce on ESP webhook events against their answers (reference.jsonl).

    .venv/bin/python bench/score_esp.py [CORPUS_DIR] [SHOW]

CORPUS_DIR holds events/ and reference.jsonl (default tests/data/esp-events). For each event
file it calls kb.bounce.parse() and checks:
  kind        Report.kind starts with "esp:"
  recipients  every expected recipient is a finding's recipient
  reply       a finding has the expected reply code (where the payload carries one)
  status      a finding has the expected enhanced status (where the payload carries one)
  diagnostic  a finding's diagnostic is the SMTP reply text, with no JSON punctuation around it
  permanent   a finding's hard_bounce is the expected permanence (where the answer gives one)
It prints up to SHOW misses (default 10) and the counts, and exits 1 unless each reaches 0.95.
"""
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kb.bounce import BounceError, parse  # noqa: E402

TARGET = 0.95
JSONISH = re.compile(r'"\s*:|\{"|"\s*,\s*"|\\"')
CHECKS = ("kind", "recipients", "reply", "status", "diagnostic", "permanent")


def norm(text):
    return " ".join((text or "").split()).lower()


def checks(expected, kind, findings):
    """(check, passed, what was found) for each check that applies to this event."""
    yield "kind", kind.startswith("esp:"), kind
    if expected.get("recipients"):
        have = {norm(f.recipient) for f in findings}
        yield "recipients", {norm(a) for a in expected["recipients"]} <= have, sorted(have)[:2]
    if expected.get("reply_code"):
        yield "reply", any(f.reply_code == str(expected["reply_code"]) for f in findings), None
    if expected.get("status"):
        yield "status", any(f.status == expected["status"] for f in findings), None
    if expected.get("diagnostic"):
        want = norm(expected["diagnostic"])
        yield "diagnostic", any(f.diagnostic and not JSONISH.search(f.diagnostic)
                                and (norm(f.diagnostic) in want or want in norm(f.diagnostic)) for f in findings), \
            [(f.diagnostic or "")[:60] for f in findings][:1]
    if expected.get("permanent") is not None:
        yield "permanent", any(f.hard_bounce is expected["permanent"] for f in findings), \
            [f.hard_bounce for f in findings][:2]


def score(corpus):
    counts, misses = {name: [0, 0] for name in CHECKS}, []
    for line in (corpus / "reference.jsonl").read_text().splitlines():
        expected = json.loads(line)
        try:
            report = parse((corpus / "events" / expected["file"]).read_bytes())
            kind, findings = report.kind, report.findings
        except BounceError as error:
            kind, findings = f"BounceError: {error}", []
        for name, passed, found in checks(expected, kind, findings):
            counts[name][0] += passed
            counts[name][1] += 1
            if not passed:
                misses.append(f"{expected['file']}: {name}, found {found}")
    return counts, misses


def main(arguments):
    corpus = Path(arguments[0]) if arguments else ROOT / "tests" / "data" / "esp-events"
    show = int(arguments[1]) if len(arguments) > 1 else 10
    counts, misses = score(corpus)
    for miss in misses[:show]:
        print("miss", miss)
    print("ESP events: " + ", ".join(f"{name} {good}/{total}" for name, (good, total) in counts.items()))
    return 0 if all(good >= TARGET * total for good, total in counts.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
