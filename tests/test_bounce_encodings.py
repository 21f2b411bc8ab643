"""Line endings, transfer encodings and charsets: the same bounce gives the same answers."""
import base64
import quopri
import unittest

from kb.bounce import parse
from tests.test_bounce_support import DATA, answers, only_finding, sample

NOTICE = ("This is the mail system at host mx.example.net.\n\n"
          "<bob@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1\n"
          "    <bob@example.org>: Recipient address rejected: {reason} (in reply to RCPT TO command)\n")


def mail(body, charset="us-ascii", encoding="7bit", subject="Undelivered Mail Returned to Sender"):
    head = ("From: MAILER-DAEMON@mx.example.net\nTo: alice@example.net\n"
            f"Subject: {subject}\nMIME-Version: 1.0\n"
            f'Content-Type: text/plain; charset="{charset}"\nContent-Transfer-Encoding: {encoding}\n\n')
    return head.encode("ascii") + body


class LineEndingTests(unittest.TestCase):
    def test_crlf_and_bare_cr_give_the_answers_of_lf(self):
        for path in sorted(DATA.glob("*.eml")):
            lf = path.read_bytes().replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            expected = answers(parse(lf))
            for ending in (b"\r\n", b"\r"):
                with self.subTest(sample=path.name, ending=ending):
                    self.assertEqual(answers(parse(lf.replace(b"\n", ending))), expected)

    def test_spans_follow_the_line_endings_of_the_input(self):
        data = sample("maildir__bsd__lhost-exim-02.eml").replace(b"\n", b"\r\n")
        report = parse(data)
        for finding in report.findings:
            start, end = finding.span
            self.assertEqual(report.text[start:end], finding.diagnostic)

    def test_an_mbox_file_of_two_bounces_gives_the_findings_of_both(self):
        report = parse(sample("maildir__bsd__rfc3464-28.eml"))
        self.assertEqual([(f.recipient, f.action, f.reply_code) for f in report.findings], [
            ("kijitora@neko.example.jp", "deliverable", "250"), ("info@neko.example.jp", "deliverable", "250")])
        for finding in report.findings:
            self.assertTrue(report.text.startswith("250 2.1.5 Ok", finding.span[0]))

    def test_a_body_line_starting_with_from_does_not_split_a_message(self):
        data = (b"From MAILER-DAEMON Thu Apr 29 23:34:45 2010\n" + sample("maildir__bsd__lhost-exim-02.eml")
                + b"\nFrom the desk of Bob\n\nFrom here on, nothing.\n")
        self.assertEqual(len(parse(data).findings), 2)

    def test_an_mbox_file_starting_with_a_from_line(self):
        data = b"From MAILER-DAEMON Thu Apr 29 23:34:45 2010\n" + sample("maildir__bsd__lhost-exim-02.eml")
        self.assertEqual(answers(parse(data)), answers(parse(sample("maildir__bsd__lhost-exim-02.eml"))))


class TransferEncodingTests(unittest.TestCase):
    def test_a_quoted_printable_body(self):
        body = NOTICE.format(reason="User unknown in virtual alias table and a long line that is wrapped softly").encode()
        finding = only_finding(self, mail(quopri.encodestring(body), encoding="quoted-printable"))
        self.assertEqual((finding.recipient, finding.reply_code, finding.status), ("bob@example.org", "550", "5.1.1"))
        self.assertIn("User unknown in virtual alias table and a long line", finding.diagnostic)
        self.assertIsNone(finding.span)  # decoded text is not in Report.text as written

    def test_a_base64_body(self):
        body = base64.encodebytes(NOTICE.format(reason="User unknown").encode())
        finding = only_finding(self, mail(body, encoding="base64"))
        self.assertEqual((finding.recipient, finding.reply_code, finding.command), ("bob@example.org", "550", "RCPT"))
        self.assertIsNone(finding.span)


class CharsetTests(unittest.TestCase):
    REASON = "\u5b9b\u5148\u304c\u898b\u3064\u304b\u308a\u307e\u305b\u3093"  # "the recipient is not found"

    def test_japanese_charsets_are_decoded(self):
        for charset, encoding in (("iso-2022-jp", "7bit"), ("shift_jis", "8bit"), ("euc-jp", "8bit")):
            with self.subTest(charset=charset):
                finding = only_finding(self, mail(NOTICE.format(reason=self.REASON).encode(charset), charset, encoding))
                self.assertEqual((finding.recipient, finding.reply_code), ("bob@example.org", "550"))
                self.assertIn(self.REASON, finding.diagnostic)

    def test_an_8bit_notice_in_its_declared_charset_keeps_its_spans(self):
        for charset in ("shift_jis", "euc-jp"):
            with self.subTest(charset=charset):
                report = parse(mail(NOTICE.format(reason=self.REASON).encode(charset), charset, "8bit"))
                finding = report.findings[0]
                self.assertIn(self.REASON, report.text)
                self.assertIn(self.REASON, report.text[finding.span[0]:finding.span[1]])

    def test_latin1_text(self):
        finding = only_finding(self, mail(NOTICE.format(reason="Empf\u00e4nger unbekannt").encode("latin-1"), "iso-8859-1", "8bit"))
        self.assertIn("Empf\u00e4nger unbekannt", finding.diagnostic)

    def test_a_charset_python_cannot_decode_with_falls_back(self):
        for charset in ("undefined", "hex", "x-unknown", "a\x00b", "unicode_escape"):
            with self.subTest(charset=charset):
                finding = only_finding(self, mail(NOTICE.format(reason="caf\u00e9").encode(), charset, "8bit"))
                self.assertEqual(finding.reply_code, "550")
                self.assertIn("caf\u00e9", finding.diagnostic)

    def test_a_real_iso_2022_jp_notice(self):
        finding = parse(sample("maildir__bsd__lhost-kddi-01.eml")).findings[0]
        self.assertEqual(finding.recipient, "kijitora@x0000000000000.dion.ne.jp")

    def test_an_encoded_word_subject_is_decoded(self):
        # RFC 2047: "Undeliverable" in an encoded word still marks a bounce.
        subject = "=?utf-8?B?" + base64.b64encode("Undeliverable: \u732b".encode()).decode() + "?="
        body = b"Delivery failed for these recipients:\n\n  bob@example.org\n"
        finding = only_finding(self, mail(body, subject=subject))
        self.assertEqual((finding.recipient, finding.action), ("bob@example.org", "failed"))


class UnlabelledJisTests(unittest.TestCase):
    def test_a_delivery_status_part_in_unlabelled_iso_2022_jp_is_read_as_japanese(self):
        # Lotus Domino writes its Japanese Diagnostic-Code in ISO-2022-JP and labels no charset
        # (as in Sisimai's set-of-emails lhost-domino-02); the wording is Domino's Japanese
        # "not listed in the Domino Directory". CONSTRUCTED around it with example.org names.
        words = "ユーザー Bob (bob@example.org) は Domino ディレクトリには見つかりません。".encode("iso-2022-jp")
        data = (b"From: Postmaster@example.org\nTo: alice@example.net\nSubject: DELIVERY FAILURE\n"
                b'MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
                b"--B\nContent-Type: text/plain\n\nYour message was not delivered to bob@example.org.\n"
                b"--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns;mx.example.org\n\n"
                b"Final-Recipient: rfc822;bob@example.org\nAction: failed\nStatus: 5.0.0\n"
                b"Diagnostic-Code: X-Notes; " + words + b"\n\n--B--\n")
        finding = only_finding(self, data)
        self.assertIn("Domino ディレクトリには見つかりません", finding.diagnostic)
        self.assertEqual(finding.reason, "userunknown")
