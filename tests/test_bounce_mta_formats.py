"""Plain-text bounces of the common MTAs, read from real samples."""
import unittest

from kb.bounce import parse
from tests.test_bounce_support import rows, sample


class MtaFormatTests(unittest.TestCase):
    def test_exim_lists_each_failed_address_with_its_reply(self):
        self.assertEqual(rows("maildir__bsd__lhost-exim-02.eml"), ("exim", [
            ("kijitora@example.jp", "550", "5.1.1", "RCPT"), ("sabatora@example.jp", "550", "5.2.1", "RCPT")]))

    def test_exim_and_sendmail_name_the_remote_host(self):
        self.assertEqual([f.remote_mta for f in parse(sample("maildir__bsd__lhost-exim-02.eml")).findings], ["mx.example.jp"] * 2)
        self.assertEqual([(f.recipient, f.remote_mta) for f in parse(sample("maildir__bsd__lhost-v5sendmail-07.eml")).findings], [
            ("kijitora@example.org", "mailin1.example.org"), ("mikeneko@example.org", None),
            ("hachiware@example.edu", "smtp.example.edu")])

    def test_qmail_names_the_stage_in_its_own_words(self):
        self.assertEqual(rows("maildir__bsd__lhost-qmail-02.eml"), ("qmail", [
            ("userunknown@example.jp", "550", "5.1.1", "RCPT"), ("filtered@example.jp", "550", "5.2.1", "RCPT")]))

    def test_qmail_local_failures_carry_their_own_status(self):
        kind, found = rows("maildir__bsd__lhost-qmail-05.eml")
        self.assertEqual((kind, found), ("qmail", [("kijitora@example.net", None, "4.4.3", None)]))

    def test_yahoo_names_the_stage_in_brackets(self):
        self.assertEqual(rows("maildir__bsd__lhost-yahoo-01.eml"), ("yahoo", [("kijitora@example.org", "550", "5.1.1", "RCPT")]))

    def test_gmail_quotes_the_other_servers_reply(self):
        self.assertEqual(rows("maildir__bsd__lhost-gmail-01.eml"), ("gmail", [("userunknown@example.jp", "550", "5.1.1", None)]))

    def test_exchange_2003_lists_recipients_without_a_code(self):
        report = parse(sample("maildir__bsd__lhost-exchange2003-01.eml"))
        self.assertEqual(report.kind, "exchange")
        self.assertEqual(report.findings[0].recipient, "kijitora@example.jp")
        self.assertIn("The recipient name is not recognized", report.findings[0].diagnostic)

    def test_office_365_quotes_the_remote_reply_without_its_quotes(self):
        name = "maildir__bsd__lhost-office365-02.eml"
        self.assertEqual(rows(name), ("exchange", [("kijitora@example.onmicrosoft.com", "550", "5.1.1", None)]))
        self.assertEqual(parse(sample(name)).findings[0].diagnostic, "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found")

    def test_amazon_ses_writes_its_status_before_the_quoted_reply(self):
        finding = parse(sample("maildir__bsd__lhost-amazonses-02.eml")).findings[0]
        self.assertEqual((finding.reply_code, finding.status), ("550", "5.3.0"))

    def test_amazon_ses_json_notifications(self):
        report = parse(sample("maildir__bsd__lhost-amazonses-12.eml"))
        self.assertEqual(report.kind, "amazon-ses")
        finding = report.findings[0]
        self.assertEqual((finding.recipient, finding.action, finding.reply_code, finding.status),
                         ("success@simulator.amazonses.com", "delivered", "250", "2.6.0"))

    def test_mailmarshal_gives_the_reply_before_the_recipients_it_affected(self):
        self.assertEqual(rows("maildir__dos__lhost-mailmarshalsmtp-01.eml"), (
            "text", [("dummyuser@blabla.xxxxxxxxxxxx.com", "550", "5.1.1", None)]))

    def test_an_address_after_a_label_or_in_a_sentence(self):
        self.assertEqual(rows("maildir__bsd__lhost-imailserver-01.eml")[1], [("kijitora@example.com", None, None, None)])
        self.assertEqual(rows("maildir__bsd__lhost-trendmicro-02.eml")[1],
                         [("kijitora@neko.example.jp", None, None, None)])

    def test_exim_failed_recipients_header_names_a_recipient_the_text_does_not(self):
        self.assertEqual(rows("maildir__bsd__lhost-googlegroups-02.eml")[1], [("libsisimai@googlegroups.com", None, None, None)])

    def test_exim_names_the_sender_on_a_line_of_its_own_before_the_failures(self):
        self.assertEqual(rows("maildir__bsd__lhost-exim-08.eml")[1], [("kijitora@example.org", None, None, None)])

    def test_exim_names_the_address_a_pipe_was_generated_by(self):
        self.assertEqual(rows("maildir__bsd__lhost-exim-53.eml"), ("exim", [("kijitora@example.com", None, None, None)]))

    def test_zoho_writes_its_codes_after_labels(self):
        self.assertEqual(rows("maildir__bsd__lhost-zoho-02.eml")[1], [
            ("mikeneko@example.co.jp", "550", "5.2.1", None), ("sabineko@example.co.jp", "550", "5.2.2", None)])

    def test_a_notice_without_a_recipient_falls_back_to_the_returned_messages_to(self):
        self.assertEqual(rows("maildir__bsd__lhost-v5sendmail-01.eml")[1], [("kijitora@example.com", "421", None, None)])

    def test_the_bounces_own_addressee_is_never_a_failed_recipient(self):
        # mxlogic-03 quotes the original headers, where the sender's address starts a line.
        self.assertEqual(rows("maildir__bsd__lhost-mxlogic-03.eml")[1], [("kijitora@example.co.jp", "550", None, None)])


class LeadInTests(unittest.TestCase):
    """A paragraph that only leads in to the reason gives way to the reason after it."""

    def _finding(self, name):
        (finding,) = parse(sample(name)).findings
        return finding

    def test_the_reason_after_a_colon_ended_lead_in_is_the_diagnostic(self):
        for name, diagnostic, reason in (
                ("maildir__bsd__lhost-domino-01.eml", "User some.name (kijitora@example.jp) not listed in Domino "
                                                      "Directory", "userunknown"),
                ("maildir__dos__lhost-einsundeins-01.eml", "Mail size limit exceeded. For explanation visit "
                                                           "http://postmaster.1and1.com/en/error-messages?ip=%1s",
                 "mesgtoobig")):
            with self.subTest(name=name):
                finding = self._finding(name)
                self.assertEqual((finding.diagnostic, finding.reason), (diagnostic, reason))

    def test_exims_framed_heading_names_the_pipe_that_failed(self):
        finding = self._finding("maildir__bsd__lhost-exim-53.eml")
        self.assertTrue(finding.diagnostic.startswith("pipe to |/usr/local/neko/bin/cat"), finding.diagnostic)
        self.assertIn("Failed to read response template", finding.diagnostic)
        self.assertEqual(finding.reason, "mailererror")

    def test_a_google_groups_notice_gives_its_reason_to_the_failed_recipient(self):
        finding = self._finding("maildir__bsd__lhost-googlegroups-02.eml")
        self.assertEqual(finding.recipient, "libsisimai@googlegroups.com")
        self.assertIn("you may not have permission to post messages to the group", finding.diagnostic)
        self.assertIn("You may need to join the group before receiving permission to post.", finding.diagnostic)
        self.assertEqual(finding.reason, "rejected")

    def test_a_rule_of_dashes_ends_the_reason_before_the_returned_headers(self):
        finding = self._finding("maildir__bsd__lhost-ezweb-01.eml")
        self.assertEqual(finding.diagnostic, "Each of the following recipients was rejected by a remote mail server.")


class Microsoft365NoticeTests(unittest.TestCase):
    # The layout of Microsoft 365's notice as its body reaches a sender (the text part only):
    # the bare code under "More Info for Email Admins", then "Original Message Details" (the
    # notice's own summary, no returned message), then the reply under "Error Details".
    NOTICE = (
        "Your message to bob@example.org couldn't be delivered.\n"
        "bob wasn't found at example.org.\n\n"
        "More Info for Email Admins\nStatus code: 550 5.1.10\n\n"
        "This error occurs because the sender sent a message to an email address hosted by Office 365.\n\n"
        "Original Message Details\nCreated Date:   11/23/2023 6:57:39 PM\n"
        "Sender Address: alice@example.net\nRecipient Address:      bob@example.org\nSubject:        Hello\n\n"
        "Error Details\n"
        "Error:  550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient bob@example.org not found by SMTP address lookup\n"
        "Message rejected by:    mx.example.org\n")

    def test_the_reply_with_its_words_wins_over_the_bare_code(self):
        [finding] = parse(self.NOTICE).findings
        self.assertEqual((finding.recipient, finding.reply_code, finding.status), ("bob@example.org", "550", "5.1.10"))
        self.assertTrue(finding.diagnostic.startswith("550 5.1.10 RESOLVER.ADR.RecipientNotFound"))
        self.assertEqual(finding.reason, "userunknown")


class DragonFlyNoticeTests(unittest.TestCase):
    def test_the_reason_follows_the_sentence_that_names_the_recipient(self):
        # The DragonFly Mail Agent's bounce template (dma's mail.c): the sentence naming the
        # recipient, then the reason in its own paragraph, then "Message headers follow.".
        text = ("From: MAILER-DAEMON@mx.example.net\nTo: alice@example.net\nSubject: Mail delivery failed\n\n"
                "This is the DragonFly Mail Agent v0.13 at mx.example.net.\n\n"
                "There was an error delivering your mail to <bob@example.org>.\n\n"
                "DNS lookup failure: host example.org not found\n\nMessage headers follow.\n\nTo: bob@example.org\n")
        [finding] = parse(text).findings
        self.assertEqual((finding.recipient, finding.diagnostic, finding.reason),
                         ("bob@example.org", "DNS lookup failure: host example.org not found", "hostunknown"))
