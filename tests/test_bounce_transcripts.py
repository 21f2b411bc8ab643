"""SMTP session transcripts: the reply to a recipient's RCPT, and the session's own errors."""
import unittest

from kb.bounce import parse
from kb.bounce.freetext import command_in
from tests.test_bounce_support import sample

SESSION = """\
>>> MAIL FROM:<alice@example.net> SIZE=1234
<<< 250 2.1.0 Ok
>>> RCPT TO:<bob@example.org>
<<< 550-5.1.1 The email account that you tried to reach does not exist.
<<< 550 5.1.1 Please check the address.
>>> RCPT TO:<carol@example.org>
<<< 452 4.2.2 <carol@example.org>: mailbox full
>>> DATA
<<< 503 5.5.1 Need RCPT (recipient)
"""


class TranscriptTests(unittest.TestCase):
    def test_each_recipient_gets_the_reply_to_its_rcpt_command(self):
        report = parse(SESSION)
        self.assertEqual(report.kind, "transcript")
        self.assertEqual([(f.recipient, f.reply_code, f.status, f.command, f.action) for f in report.findings], [
            ("bob@example.org", "550", "5.1.1", "RCPT", "failed"),
            ("carol@example.org", "452", "4.2.2", "RCPT", "delayed")])
        self.assertEqual(report.findings[0].diagnostic,
                         "550 5.1.1 The email account that you tried to reach does not exist. Please check the address.")

    def test_positive_replies_and_follow_on_errors_are_no_failures(self):
        statuses = [f.status for f in parse(SESSION).findings]
        self.assertNotIn("2.1.0", statuses)
        self.assertNotIn("5.5.1", statuses)

    def test_a_sendmail_session_error_goes_to_the_recipients_it_names_next(self):
        report = parse(sample("maildir__bsd__lhost-v5sendmail-07.eml"))
        self.assertEqual(report.kind, "sendmail")
        self.assertEqual([(f.recipient, f.reply_code, f.command) for f in report.findings], [
            ("kijitora@example.org", "501", "MAIL"),     # the server refused MAIL FROM for this session
            ("mikeneko@example.org", "550", None),       # sendmail's 554 quoting the DNS answer 550
            ("hachiware@example.edu", "550", "RCPT")])

    def test_a_sendmail_dsn_with_its_transcript(self):
        finding = parse(sample("maildir__bsd__lhost-sendmail-07.eml")).findings[0]
        self.assertEqual((finding.recipient, finding.reply_code, finding.status, finding.command),
                         ("kijitora@example.org", "554", "5.7.1", "RCPT"))

    def test_a_postfix_smtpd_transcript_names_the_failed_stage(self):
        finding = parse(sample("maildir__bsd__lhost-postfix-75.eml")).findings[0]
        self.assertEqual((finding.recipient, finding.reply_code, finding.status, finding.command),
                         ("kijitora@libsisimai.net", "451", "4.3.0", "DATA"))
        self.assertEqual(finding.diagnostic, "451 4.3.0 Error: queue file write error")


class CommandTests(unittest.TestCase):
    def test_the_failed_stage_in_each_mtas_words(self):
        for text, command in (("(in reply to RCPT TO command)", "RCPT"), ("(in reply to end of DATA command)", "DATA"),
                              ("SMTP error from remote mail server after pipelined MAIL FROM:<a@b.example>", "MAIL"),
                              ("did not like our final DATA:", "DATA"), ("User Unknown [RCPT_TO]", "RCPT"),
                              (">>> HELO mx.example.net", "HELO"), ("Connected to 192.0.2.1 but sender was rejected.", "MAIL"),
                              ("SMTP error from remote mail server after initial connection:", "CONN"),
                              ("connect to mx.example.org[192.0.2.1]:25: Connection refused", "CONN"),
                              ("Mailbox full, please try again later", None)):
            with self.subTest(text=text):
                self.assertEqual(command_in(text), command)


class MtaLogTests(unittest.TestCase):
    POSTFIX = ("Nov 27 10:00:00 mx postfix/smtp[123]: 3F1A2: to=<bob@example.org>, relay=mx.example.org[192.0.2.1]:25, "
               "delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.1.1, status=bounced (host mx.example.org[192.0.2.1] said: "
               "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown (in reply to RCPT TO command))")
    SENDMAIL = ("Nov 27 10:00:00 mx sm-mta[123]: x1: to=<carol@example.org>, delay=00:00:01, mailer=esmtp, "
                "relay=mx.example.org. [192.0.2.1], dsn=4.4.1, stat=Deferred: Connection refused by mx.example.org.")

    def test_a_postfix_log_line_gives_the_reply_it_quotes(self):
        report = parse(self.POSTFIX)
        finding = report.findings[0]
        self.assertEqual((report.kind, finding.recipient, finding.action, finding.reply_code, finding.status,
                          finding.command, finding.remote_mta),
                         ("log", "bob@example.org", "failed", "550", "5.1.1", "RCPT", "mx.example.org"))
        self.assertTrue(finding.diagnostic.endswith("(in reply to RCPT TO command)"))

    def test_a_sendmail_log_line_gives_its_dsn_status_and_reason(self):
        finding = parse(self.SENDMAIL).findings[0]
        self.assertEqual((finding.recipient, finding.action, finding.reply_code, finding.status, finding.hard_bounce),
                         ("carol@example.org", "delayed", None, "4.4.1", False))
        self.assertEqual(finding.diagnostic, "Deferred: Connection refused by mx.example.org.")

    def test_bare_client_commands_make_a_transcript(self):
        report = parse("RCPT TO:<bob@example.org>\n550 5.1.1 User unknown\n")
        self.assertEqual((report.kind, report.findings[0].command), ("transcript", "RCPT"))


class PipelinedTranscriptTests(unittest.TestCase):
    """RFC 2920 §3.1: replies come in order, so after `>>> DATA` the RCPT TO replies come first."""

    def _finding(self, name):
        (finding,) = parse(sample(name)).findings
        return finding

    def test_a_reply_followed_by_datas_own_answered_rcpt(self):
        # ">>> DATA" / "<<< 550 5.0.0 <...>... User unknown" / "<<< 503 5.0.0 Need RCPT (recipient)"
        self.assertEqual(self._finding("maildir__bsd__lhost-sendmail-27.eml").command, "RCPT")

    def test_the_only_reply_after_data_answered_data(self):
        # "(reason: 554 delivery error: dd This user doesn't have a yahoo.com account ...)", then the
        # transcript's ">>> DATA" / "<<< 554 delivery error: dd ...": Yahoo refused at end of data.
        finding = self._finding("maildir__bsd__lhost-sendmail-41.eml")
        self.assertEqual((finding.command, finding.reason), ("DATA", "filtered"))
