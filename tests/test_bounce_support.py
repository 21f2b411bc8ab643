"""Shared helpers for the kb.bounce tests: where the sample bounces are. (No tests here.)"""
import os
from pathlib import Path

from kb.bounce import parse

DATA = Path(__file__).resolve().parent / "data" / "bounces"


def corpus_dir():
    """The Sisimai corpus: $SMTP_KB_CORPUS, else ../shared beside the repository, else /work/shared."""
    candidates = [os.environ.get("SMTP_KB_CORPUS"),
                  Path(__file__).resolve().parents[2] / "shared" / "corpus" / "sisimai",
                  "/work/shared/corpus/sisimai"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "emails").is_dir():
            return Path(candidate)
    raise FileNotFoundError("The bounce corpus is missing: set SMTP_KB_CORPUS to shared/corpus/sisimai.")


def sample(name):
    """Bytes of a bundled sample (tests/data/bounces) or, failing that, of a corpus email."""
    bundled = DATA / name
    if bundled.exists():
        return bundled.read_bytes()
    return (corpus_dir() / "emails" / name).read_bytes()


def answers(report):
    """The findings as plain tuples, for comparing two reports."""
    return [(f.recipient, f.action, f.reply_code, f.status, f.diagnostic, f.command) for f in report.findings]


def only_finding(testcase, data):
    report = parse(data)
    testcase.assertEqual(len(report.findings), 1, report.findings)
    return report.findings[0]


def rows(name):
    """A sample's kind and its findings as (recipient, reply code, status, command)."""
    report = parse(sample(name))
    return report.kind, [(f.recipient, f.reply_code, f.status, f.command) for f in report.findings]
