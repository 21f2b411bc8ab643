"""Shared helpers for the kb.bounce tests: where the sample bounces are. (No tests here.)"""
from pathlib import Path

from kb.bounce import parse

DATA = Path(__file__).resolve().parent / "data"
# sisimai/set-of-emails, bundled with its licence (tests/data/sisimai/README.md).
CORPUS = DATA / "sisimai"
# ESP webhook payloads from symfony/symfony and django-anymail (tests/data/esp-events/SOURCE.txt).
ESP_EVENTS = DATA / "esp-events"


def sample(name):
    """Bytes of a corpus email, by its name under tests/data/sisimai/emails."""
    return (CORPUS / "emails" / name).read_bytes()


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
