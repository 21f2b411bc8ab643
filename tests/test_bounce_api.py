"""The public face of kb.bounce: parse, Report, Finding, BounceError."""
import dataclasses
import inspect
import subprocess
import sys
import unittest
from pathlib import Path

from kb.bounce import BounceError, Finding, Report, parse
from tests.test_bounce_support import sample

REPO = Path(__file__).resolve().parents[1]


class ImportTests(unittest.TestCase):
    def test_importing_the_package_loads_no_django(self):
        code = "import sys, kb.bounce; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
        result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
        self.assertEqual(result.stdout.strip(), "[]")


class FindingTests(unittest.TestCase):
    def finding(self, reply_code=None, status=None):
        return Finding("bob@example.org", "failed", reply_code, status, "text")

    def test_a_finding_is_frozen(self):
        with self.assertRaises(dataclasses.FrozenInstanceError):
            self.finding().status = "5.1.1"

    def test_its_own_init_takes_the_fields_in_order_with_their_defaults(self):
        # Finding writes its __init__ by hand (one dict update): it must stay the dataclass's.
        parameters = list(inspect.signature(Finding).parameters.values())
        self.assertEqual([(p.name, p.default) for p in parameters],
                         [(f.name, inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default)
                          for f in dataclasses.fields(Finding)])
        values = {f.name: f"value of {f.name}" for f in dataclasses.fields(Finding)}
        finding = Finding(**values)
        self.assertEqual(dataclasses.asdict(finding), values)
        self.assertEqual(dataclasses.replace(finding, status="5.1.1"), Finding(**values | {"status": "5.1.1"}))

    def test_hard_bounce_follows_the_reply_class(self):
        self.assertIs(self.finding("550", "5.1.1").hard_bounce, True)
        self.assertIs(self.finding("450", "4.2.2").hard_bounce, False)

    def test_a_4yz_reply_is_a_deferral_whatever_its_enhanced_code_says(self):
        # RFC 5321 §4.2.1: the first digit of the reply decides.
        self.assertIs(self.finding("451", "5.7.1").hard_bounce, False)

    def test_hard_bounce_falls_back_to_the_status_class_without_a_reply(self):
        self.assertIs(self.finding(None, "5.1.1").hard_bounce, True)
        self.assertIs(self.finding(None, "4.4.7").hard_bounce, False)
        self.assertIsNone(self.finding(None, None).hard_bounce)
        self.assertIsNone(self.finding("250", "2.1.5").hard_bounce)


class ReportTests(unittest.TestCase):
    def test_report_text_is_exactly_the_text_given(self):
        text = "\r\n550 5.1.1 <bob@example.org>: Recipient address rejected\r\n"
        self.assertIs(parse(text).text, text)

    def test_bytes_are_decoded_as_utf8_when_they_can_be(self):
        report = parse("550 5.1.1 <jos\u00e9@example.org>: no such user".encode())
        self.assertEqual(report.findings[0].recipient, "jos\u00e9@example.org")

    def test_bytes_that_are_not_utf8_are_read_byte_for_character(self):
        data = b"550 5.1.1 Mailbox unavailable: caf\xe9"
        self.assertEqual(parse(data).text, data.decode("latin-1"))

    def test_the_span_marks_the_diagnostic_in_report_text(self):
        report = parse(sample("maildir__bsd__lhost-exim-02.eml"))
        for finding in report.findings:
            start, end = finding.span
            self.assertEqual(report.text[start:end], finding.diagnostic)

    def test_the_span_covers_every_line_of_a_multiline_reply(self):
        text = "550-5.1.1 The email account does not exist.\n550 5.1.1 Please check the address.\n"
        finding = parse(text).findings[0]
        self.assertEqual(finding.span, (0, len(text) - 1))
        self.assertEqual(finding.diagnostic, "550 5.1.1 The email account does not exist. Please check the address.")

    def test_a_report_lists_findings_in_the_order_of_the_bounce(self):
        report = parse(sample("maildir__bsd__lhost-exim-02.eml"))
        self.assertIsInstance(report, Report)
        self.assertEqual([f.recipient for f in report.findings], ["kijitora@example.jp", "sabatora@example.jp"])


class BounceErrorTests(unittest.TestCase):
    def assert_refused(self, data, words):
        with self.assertRaises(BounceError) as caught:
            parse(data)
        self.assertIn(words, str(caught.exception))
        self.assertIsInstance(caught.exception, ValueError)

    def test_empty_input_is_refused(self):
        self.assert_refused(b"", "The input is empty.")
        self.assert_refused(" \r\n\t", "The input is empty.")

    def test_input_that_is_not_text_or_bytes_is_refused(self):
        self.assert_refused(None, "text or bytes")

    def test_an_ordinary_email_is_not_a_bounce(self):
        mail = "From: alice@example.org\nTo: bob@example.org\nSubject: lunch\n\nSee you at 12:30 in room 550.\n"
        self.assert_refused(mail, "This looks like an ordinary email, not a bounce")

    def test_prose_without_a_reply_is_not_a_bounce(self):
        self.assert_refused("Version 5.1.1 was released on 2024-05-01 at 10.0.0.1.", "not a bounce")
