"""The whole Sisimai corpus: the accuracy bar, no crash, and the same answers for every line ending."""
import json
import unittest

from kb.bounce import BounceError, parse
from tests.test_bounce_support import CORPUS, answers


def parse_or_none(data):
    try:
        return parse(data)
    except BounceError:
        return None


def answers_or_none(data):
    report = parse_or_none(data)
    return answers(report) if report else None


class CorpusTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        corpus = CORPUS
        cls.files = sorted((corpus / "emails").iterdir())
        cls.reports = {path.name: parse_or_none(path.read_bytes()) for path in cls.files}
        cls.expected = [json.loads(line) for line in (corpus / "expected.jsonl").read_text().splitlines()]

    def found(self, row):
        report = self.reports[row["file"]]
        address = row["recipient"].strip("<>").lower()
        return next((f for f in report.findings if f.recipient == address), None) if report else None

    def rate(self, rows, check):
        return sum(1 for row in rows if check(row, self.found(row))) / len(rows)

    def test_bounced_recipients_are_found(self):
        rows = [r for r in self.expected if r["recipient"] and r["reason"] not in ("feedback", "vacation")]
        self.assertGreaterEqual(self.rate(rows, lambda row, f: f is not None), 0.99)

    def test_enhanced_status_codes_match_where_the_mail_carries_them(self):
        rows = [r for r in self.expected if r["deliverystatus_origin"] == "text"]
        self.assertGreaterEqual(self.rate(rows, lambda row, f: f is not None and f.status == row["deliverystatus"]), 0.98)

    def test_reply_codes_match_where_the_mail_carries_them(self):
        rows = [r for r in self.expected if r["replycode_origin"] == "text"]
        self.assertGreaterEqual(self.rate(rows, lambda row, f: f is not None and f.reply_code == str(row["replycode"])), 0.98)

    def test_reasons_agree_with_sisimai_on_most_failed_recipients(self):
        # The rows: a reason other than feedback, vacation, delivered and undefined. Measured
        # 0.790 (bench/score_reasons.py); the bar is below it so that a regression shows.
        rows = [r for r in self.expected if r["recipient"] and r["reason"] not in
                (None, "feedback", "vacation", "delivered", "undefined")]
        self.assertGreaterEqual(self.rate(rows, lambda row, f: f is not None and f.reason == row["reason"]), 0.77)

    def test_lf_crlf_and_cr_give_the_same_answers_for_every_sample(self):
        for path in self.files:
            lf = path.read_bytes().replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            expected = answers_or_none(lf)
            for ending in (b"\r\n", b"\r"):
                self.assertEqual(answers_or_none(lf.replace(b"\n", ending)), expected, f"{path.name} with {ending!r}")

    def test_every_span_starts_at_its_diagnostic(self):
        for name, report in self.reports.items():
            for finding in report.findings if report else []:
                if finding.span:
                    start, end = finding.span
                    self.assertLessEqual(0, start, name)
                    self.assertLess(start, end, name)
                    self.assertLessEqual(end, len(report.text), name)
                    head = finding.diagnostic.split(" ", 1)[0]
                    self.assertTrue(report.text.startswith(head, start), f"{name}: {finding.span} {head!r}")
