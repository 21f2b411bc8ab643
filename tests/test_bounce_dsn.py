"""RFC 3464 delivery status notifications (multipart/report, RFC 6522; RFC 6533 global DSNs)."""
import unittest

from kb.bounce import parse
from tests.test_bounce_support import only_finding, rows, sample


def dsn(*recipient_groups, report_type="message/delivery-status", human="Your message could not be delivered.\n"):
    """A minimal multipart/report DSN with one per-recipient group per argument."""
    groups = "\n".join(recipient_groups)
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\n"
        "To: alice@example.net\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"\n'
        "\n--B1\nContent-Type: text/plain\n\n" + human +
        f"\n--B1\nContent-Type: {report_type}\n\n"
        "Reporting-MTA: dns; mx.example.net\n\n" + groups +
        "\n--B1\nContent-Type: message/rfc822\n\n"
        "From: alice@example.net\nTo: bob@example.org\nSubject: hi\n\n550 5.7.1 not a code of this bounce\n"
        "--B1--\n")


def group(recipient="bob@example.org", action="failed", status="5.1.1", diagnostic=None, extra=""):
    lines = [f"Final-Recipient: rfc822; {recipient}", f"Action: {action}", f"Status: {status}"]
    if diagnostic:
        lines.append(f"Diagnostic-Code: {diagnostic}")
    return "\n".join(lines) + "\n" + extra


class DeliveryStatusTests(unittest.TestCase):
    def test_a_postfix_dsn_gives_recipient_action_codes_and_remote_mta(self):
        report = parse(sample("maildir__bsd__lhost-postfix-05.eml"))
        self.assertEqual(report.kind, "dsn")
        finding = report.findings[0]
        self.assertEqual((finding.recipient, finding.action, finding.reply_code, finding.status, finding.command),
                         ("kijitora@example.org", "failed", "450", "4.1.1", "RCPT"))
        self.assertEqual(finding.remote_mta, "excalibur.example.org")
        self.assertTrue(finding.diagnostic.startswith("450 4.1.1 <kijitora@example.org>: Recipient address rejected"))

    def test_every_recipient_group_gives_a_finding(self):
        report = parse(dsn(group("bob@example.org", diagnostic="smtp; 550 5.1.1 no such user"),
                           group("carol@example.org", "delayed", "4.2.2", "smtp; 452 4.2.2 mailbox full")))
        self.assertEqual([(f.recipient, f.action, f.reply_code, f.status) for f in report.findings],
                         [("bob@example.org", "failed", "550", "5.1.1"), ("carol@example.org", "delayed", "452", "4.2.2")])

    def test_a_per_message_group_holding_an_action_names_no_one(self):
        # Some reporters (Boxbe's notices) put Action: beside Reporting-MTA in the per-message
        # group (RFC 3464 §2.2 has no Action there): it is no recipient of its own.
        text = dsn(group("bob@example.org", diagnostic="smtp; 550 5.1.1 no such user")).replace(
            "Reporting-MTA: dns; mx.example.net\n", "Reporting-MTA: dns; mx.example.net\nAction: failed\n"
            "Arrival-Date: Mon, 15 Nov 2010 05:34:29 -0800\n")
        self.assertEqual([f.recipient for f in parse(text).findings], ["bob@example.org"])

    def test_recipient_groups_without_blank_lines_between_them(self):
        text = dsn(group("bob@example.org", diagnostic="smtp; 550 5.1.1 no") + group("carol@example.org"))
        self.assertEqual([f.recipient for f in parse(text).findings], ["bob@example.org", "carol@example.org"])

    def test_a_global_dsn_with_a_utf8_recipient(self):
        # RFC 6533 §3: message/global-delivery-status allows UTF-8 in addresses.
        text = dsn(group("utf-8; j\u00f6rg@b\u00fccher.example", diagnostic="smtp; 550 5.1.1 unknown"),
                   report_type="message/global-delivery-status")
        finding = only_finding(self, text.encode())
        self.assertEqual((finding.recipient, finding.reply_code), ("j\u00f6rg@b\u00fccher.example", "550"))

    def test_a_utf8_address_written_with_embedded_unicode_escapes(self):
        # RFC 6533 §3: utf-8-addr-xtext writes non-ASCII characters as \x{HEXPOINT}.
        text = dsn(group("utf-8; j\\x{F6}rg@example.org", diagnostic="smtp; 550 5.1.1 unknown"))
        self.assertEqual(only_finding(self, text).recipient, "j\u00f6rg@example.org")

    def test_a_folded_diagnostic_code_is_unfolded(self):
        text = dsn(group(diagnostic="smtp; 550-5.1.1 The email account that you tried to reach does\n"
                                    "    not exist. 550 5.1.1 https://support.google.com/mail/?p=NoSuchUser"))
        finding = only_finding(self, text)
        self.assertEqual(finding.diagnostic, "550 5.1.1 The email account that you tried to reach does not exist. "
                                             "https://support.google.com/mail/?p=NoSuchUser")
        start, end = finding.span
        self.assertTrue(parse(text).text[start:end].startswith("550-5.1.1 The email"))

    def test_a_report_without_recipient_groups_names_the_returned_messages_addressee(self):
        # Postfix marks its bounces "Auto-Submitted: auto-replied" (RFC 3834 §5); a report whose
        # recipient groups are missing (Sisimai's lhost-postfix-64) is still no vacation reply.
        text = dsn("").replace("Subject:", "Auto-Submitted: auto-replied\nSubject:", 1)
        text = text.replace("Reporting-MTA: dns; mx.example.net\n\n\n", "Reporting-MTA: dns; mx.example.net\n\n")
        report = parse(text)
        self.assertEqual([(f.recipient, f.action) for f in report.findings], [("bob@example.org", "failed")])

    def test_delivered_recipients_are_reported_with_their_action(self):
        finding = only_finding(self, dsn(group(action="delivered", status="2.0.0", diagnostic="smtp; 250 2.0.0 Ok")))
        self.assertEqual((finding.action, finding.reply_code, finding.hard_bounce), ("delivered", "250", None))

    def test_the_returned_message_is_never_searched(self):
        finding = only_finding(self, dsn(group(status="5.1.1")))
        self.assertEqual((finding.reply_code, finding.status), (None, "5.1.1"))


class StatusPrecedenceTests(unittest.TestCase):
    def status_of(self, status, diagnostic):
        return only_finding(self, dsn(group(status=status, diagnostic=diagnostic))).status

    def test_a_specific_code_in_the_diagnostic_beats_a_generic_status(self):
        self.assertEqual(self.status_of("5.0.0", "smtp; 550 5.1.1 <bob@example.org>: unknown"), "5.1.1")

    def test_the_remote_servers_code_beats_the_reporting_mtas_summary(self):
        self.assertEqual(self.status_of("5.1.1", "smtp; 550 5.7.1 IP address blacklisted"), "5.7.1")

    def test_the_status_field_is_kept_when_the_classes_differ(self):
        # The reporting MTA decided whether to retry (RFC 3464 §2.3.4).
        self.assertEqual(self.status_of("4.5.0", "smtp; 550 5.5.0 Service refused, try later"), "4.5.0")

    def test_the_status_field_is_kept_when_the_diagnostic_only_repeats_its_subject(self):
        self.assertEqual(self.status_of("5.1.1", "smtp; 550 #5.1.0 Address rejected"), "5.1.1")

    def test_the_status_field_stays_when_only_the_notice_text_has_the_remotes_code(self):
        # A report without Diagnostic-Code (OpenSMTPD, CommuniGate Pro) and a notice quoting the
        # remote: the reply and its words complete the report, its own Status stays (RFC 3464 §2.3.4).
        text = dsn(group(status="5.0.0"), human="bob@example.org: 550 5.1.1 <bob@example.org>: User unknown\n")
        finding = only_finding(self, text)
        self.assertEqual((finding.status, finding.reply_code), ("5.0.0", "550"))
        self.assertEqual(finding.diagnostic, "550 5.1.1 <bob@example.org>: User unknown")
        self.assertEqual((finding.reason, finding.advice), ("userunknown", "suppress"))

    def test_the_reply_code_comes_from_the_diagnostic(self):
        finding = only_finding(self, dsn(group(status="5.4.7", diagnostic="smtp; 554 4.4.7 Message expired")))
        self.assertEqual((finding.reply_code, finding.status), ("554", "5.4.7"))


class RecipientFieldTests(unittest.TestCase):
    def test_a_source_routed_final_recipient_gives_way_to_the_original_recipient(self):
        text = dsn("Original-Recipient: rfc822;bob@example.org\n" + group("@smtp.example.net:bob@server"))
        self.assertEqual(only_finding(self, text).recipient, "bob@example.org")

    def test_a_quoted_local_part_keeps_its_quotes(self):
        # RFC 5321 §4.1.2: a local part with dots in a row must be a quoted string (Sisimai's
        # lhost-postfix-32 has one); quotes around the whole address are no part of it.
        for recipient, expected in (('"bob..smith"@example.org', '"bob..smith"@example.org'),
                                    ('"bob@example.org"', "bob@example.org")):
            with self.subTest(recipient=recipient):
                self.assertEqual(only_finding(self, dsn(group(recipient))).recipient, expected)

    def test_the_address_inside_an_exim_pipe_recipient(self):
        text = dsn(group("|/usr/local/bin/filter bob@example.org /home/bob/.filter", status="5.0.0"))
        self.assertEqual(only_finding(self, text).recipient, "bob@example.org")

    def test_a_number_in_a_non_smtp_diagnostic_is_no_reply_code(self):
        # RFC 3464 §2.3.6: only the "smtp" diagnostic type carries an SMTP reply.
        finding = only_finding(self, dsn(group(status="5.0.0", diagnostic="X-Unix; 255")))
        self.assertEqual((finding.reply_code, finding.diagnostic), (None, "255"))

    def test_a_report_without_a_diagnostic_is_completed_from_its_text(self):
        name = "maildir__bsd__lhost-exchange2007-01.eml"
        self.assertEqual(rows(name), ("dsn", [("mikeneko@example.co.jp", "550", "5.1.1", None)]))
        self.assertEqual(parse(sample(name)).findings[0].diagnostic, "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found")

    def test_delivery_status_fields_pasted_without_mime(self):
        text = ("Reporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; bob@example.org\n"
                "Action: failed\nStatus: 5.0.0\nDiagnostic-Code: smtp; 550 5.1.1 <bob@example.org>: unknown\n")
        report = parse(text)
        self.assertEqual(report.kind, "dsn")
        self.assertEqual((report.findings[0].recipient, report.findings[0].status), ("bob@example.org", "5.1.1"))
