"""Reply lines on their own: a pasted line, a multi-line reply, and digits that are no code."""
import unittest

from kb.bounce import parse
from kb.bounce.replies import find_reply, parse_diagnostic
from tests.test_bounce_support import only_finding


class SingleReplyTests(unittest.TestCase):
    def test_a_reply_line_gives_one_finding_with_its_recipient(self):
        report = parse("550 5.1.1 <bob@example.org>: Recipient address rejected")
        self.assertEqual(report.kind, "reply")
        finding = report.findings[0]
        self.assertEqual((finding.recipient, finding.reply_code, finding.status), ("bob@example.org", "550", "5.1.1"))
        self.assertEqual(finding.diagnostic, "550 5.1.1 <bob@example.org>: Recipient address rejected")
        self.assertEqual(finding.action, "failed")

    def test_a_reply_line_without_an_address_has_no_recipient(self):
        finding = only_finding(self, "421 4.7.0 Try again later, closing connection.")
        self.assertIsNone(finding.recipient)
        self.assertEqual((finding.reply_code, finding.status, finding.action), ("421", "4.7.0", "delayed"))
        self.assertIs(finding.hard_bounce, False)

    def test_a_reply_without_an_enhanced_code(self):
        finding = only_finding(self, "554 delivery error: dd This user doesn't have an account")
        self.assertEqual((finding.reply_code, finding.status), ("554", None))

    def test_an_enhanced_code_written_with_a_hash(self):
        finding = only_finding(self, "550 #5.1.0 Address rejected bob@example.org")
        self.assertEqual((finding.reply_code, finding.status), ("550", "5.1.0"))

    def test_a_recipient_address_is_lowercased(self):
        finding = only_finding(self, "550 5.1.1 <Bob.Smith@Example.ORG>... User unknown")
        self.assertEqual(finding.recipient, "bob.smith@example.org")

    def test_a_nonstandard_second_digit_is_still_a_reply(self):
        # dsn_fields.md: servers send 571 although RFC 5321 §4.2 uses 0-5 for the second digit.
        finding = only_finding(self, "SMTP error from remote mail server after initial connection:\n"
                                     "571 No PTR Record found. Reverse DNS required\n")
        self.assertEqual((finding.reply_code, finding.command), ("571", "CONN"))

    def test_the_parenthesis_a_reply_was_quoted_in_is_dropped(self):
        finding = only_finding(self, "<bob@example.org>\n    (reason: 550 5.1.1 <bob@example.org>... User unknown)\n")
        self.assertEqual(finding.diagnostic, "550 5.1.1 <bob@example.org>... User unknown")

    def test_a_4yz_reply_with_a_permanent_enhanced_code_stays_a_deferral(self):
        finding = only_finding(self, "451 5.7.1 Greylisted, please try again")
        self.assertEqual((finding.reply_code, finding.status), ("451", "5.7.1"))
        self.assertIs(finding.hard_bounce, False)


    def test_a_pasted_postfix_line_names_recipient_host_and_command(self):
        line = ("<bob@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 <bob@example.org>: "
                "Recipient address rejected: User unknown (in reply to RCPT TO command)")
        finding = only_finding(self, line)
        self.assertEqual((finding.recipient, finding.reply_code, finding.status, finding.remote_mta, finding.command),
                         ("bob@example.org", "550", "5.1.1", "mx.example.org", "RCPT"))
        self.assertEqual(line[finding.span[0]:finding.span[1]], finding.diagnostic)

    def test_a_label_before_the_reply_is_no_header_field(self):
        for line in ("Error: 550 5.1.1 <bob@example.org> unknown", "Reason: 550 5.1.1 <bob@example.org> unknown"):
            with self.subTest(line=line):
                finding = only_finding(self, line)
                self.assertEqual((finding.recipient, finding.reply_code), ("bob@example.org", "550"))


class MultilineReplyTests(unittest.TestCase):
    GMAIL = ("550-5.1.1 The email account that you tried to reach does not exist. Please try\n"
             "550-5.1.1 double-checking the recipient's email address for typos or\n"
             "550-5.1.1 unnecessary spaces. Learn more at\n"
             "550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1si123 - gsmtp\n")

    def test_continuation_lines_are_joined_and_their_prefixes_dropped(self):
        finding = only_finding(self, self.GMAIL)
        self.assertEqual((finding.reply_code, finding.status), ("550", "5.1.1"))
        self.assertEqual(finding.diagnostic, (
            "550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking "
            "the recipient's email address for typos or unnecessary spaces. Learn more at "
            "https://support.google.com/mail/?p=NoSuchUser a1si123 - gsmtp"))

    def test_a_joined_multiline_reply_in_one_line_is_cleaned_the_same_way(self):
        joined = " ".join(self.GMAIL.split("\n"))
        self.assertEqual(parse_diagnostic(joined)[2], only_finding(self, self.GMAIL).diagnostic)

    def test_a_multiline_reply_without_enhanced_codes(self):
        text = "550-Please turn on SMTP Authentication in your mail client.\n550 mx.example.org [192.0.2.1]:1234 is not permitted\n"
        finding = only_finding(self, text)
        self.assertEqual((finding.reply_code, finding.status), ("550", None))
        self.assertEqual(finding.diagnostic, "550 Please turn on SMTP Authentication in your mail client. "
                                             "mx.example.org [192.0.2.1]:1234 is not permitted")


class WhereARepliesCanStartTests(unittest.TestCase):
    def test_a_reply_after_a_label(self):
        for line in ("host mx.example.org[192.0.2.1] said: 550 5.1.1 unknown",
                     "Remote host said: 550 5.1.1 unknown",
                     "Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'",
                     "<<< 550 5.1.1 unknown", "(reason: 550 5.1.1 unknown)", "#550 5.1.1 unknown ##"):
            with self.subTest(line=line):
                reply = find_reply(line)
                self.assertEqual((reply.code, reply.status), ("550", "5.1.1"))

    def test_digits_in_addresses_dates_sizes_and_versions_are_no_reply(self):
        for line in ("Received: from mx (192.0.2.153) by 250.0.113.4 with Exim 4.72",
                     "Date: Thu, 29 Apr 2010 23:45:43 +0900", "Message size 400 KB exceeds the limit",
                     "id 0-550-00; version 5.1.1.2", "Please visit http://example.org/550 or 4.16.55.1"):
            with self.subTest(line=line):
                self.assertIsNone(find_reply(line))

    def test_a_greeting_before_the_error_is_skipped(self):
        code, status, text = parse_diagnostic("220-laposte 421 4.2.1 Service refuse. Veuillez essayer plus tard.")
        self.assertEqual((code, status), ("421", "4.2.1"))
        self.assertTrue(text.startswith("421 4.2.1 Service refuse."))

    def test_sendmail_quoting_the_remote_reply_gives_the_remote_code(self):
        # sendmail: its own code, the address, "... ", then what the remote server said.
        code, status, _ = parse_diagnostic("554 <kuroneko@example.or.jp>... 550 Host unknown")
        self.assertEqual((code, status), ("550", None))

    def test_a_status_written_before_a_quoted_reply(self):
        code, status, _ = parse_diagnostic("5.3.0 - Other mail system problem 550-'Unknown user bob@example.org'")
        self.assertEqual((code, status), ("550", "5.3.0"))
