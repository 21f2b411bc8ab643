"""Notices written from each MTA's own template, with example.org addresses.

The corpus has few samples of some formats; these follow the wording each MTA writes, so that
the rules are checked on the format rather than on one sample.
"""
import unittest

from kb.bounce import parse

HEAD = "From: MAILER-DAEMON@mx.example.net\nTo: alice@example.net\nSubject: {subject}\n\n"

# name: (subject, body, kind, [(recipient, action, reply code, status, command)])
TEMPLATES = {
    "office 365": ("Undeliverable: hello", """\
Your message to bob@example.org couldn't be delivered.
bob wasn't found at example.org.

Diagnostic information for administrators:

Generating server: AM0PR01MB1234.eurprd01.prod.exchangelabs.com

bob@example.org
Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'

Original message headers:

Received: from mail.example.net (192.0.2.1) by mx.example.org with 550 5.7.1 nothing to read here
""", "exchange", [("bob@example.org", "failed", "550", "5.1.10", None)]),
    "exchange 2010": ("Undeliverable: test", """\
Delivery has failed to these recipients or groups:

Bob (bob@example.org)
The e-mail address you entered couldn't be found.

Diagnostic information for administrators:

Generating server: mail.example.com

bob@example.org
#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##
""", "exchange", [("bob@example.org", "failed", "550", "5.1.1", None)]),
    "exchange 2003": ("Undeliverable: test", """\
Your message did not reach some or all of the intended recipients.

The following recipient(s) cannot be reached:

      bob@example.org on 1/1/2010 10:00 AM
            The e-mail account does not exist at the organization this message was sent to.
            <mail.example.com #5.1.1>
""", "exchange", [("bob@example.org", "failed", None, "5.1.1", None)]),
    "gmail": ("Delivery Status Notification (Failure)", """\
** Address not found **

Your message wasn't delivered to bob@example.org because the address couldn't be found, or is unable to receive mail.

The response from the remote server was:
550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in virtual mailbox table
""", "gmail", [("bob@example.org", "failed", "550", "5.1.1", None)]),
    "postfix delay": ("Delayed Mail (still being retried)", """\
This is the mail system at host mail.example.net.

# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #

<bob@example.org>: connect to mx.example.org[203.0.113.5]:25: Connection timed
    out
""", "postfix", [("bob@example.org", "delayed", None, None, "CONN")]),
    "exim delay": ("Warning: message 1abcDE-000123-4X delayed 24 hours", """\
This message was created automatically by mail delivery software.
A message that you sent has not yet been delivered to one or more of its
recipients after more than 24 hours on the queue on mx.example.net.

The address to which the message has not yet been delivered is:

  bob@example.org
    host mx.example.org [203.0.113.5]
    Delay reason: SMTP error from remote mail server after RCPT TO:<bob@example.org>:
    451 4.7.1 Greylisting in action, please come back later
""", "exim", [("bob@example.org", "delayed", "451", "4.7.1", "RCPT")]),
    "exim, two addresses, one reason": ("Mail delivery failed: returning message to sender", """\
This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  bob@example.org
  carol@example.org
    host mx.example.org [203.0.113.5]
    SMTP error from remote mail server after end of data:
    554 5.7.1 Message rejected as spam
""", "exim", [("bob@example.org", "failed", "554", "5.7.1", "DATA"), ("carol@example.org", "failed", "554", "5.7.1", "DATA")]),
    "gmail, two recipients": ("Delivery Status Notification (Failure)", """\
Delivery to the following recipients failed permanently:

     bob@example.org
     carol@example.org

Technical details of permanent failure:
Google tried to deliver your message, but it was rejected by the server for the recipient domain example.org.

The error that the other server returned was:
550 5.1.1 No such user
""", "gmail", [("bob@example.org", "failed", "550", "5.1.1", None), ("carol@example.org", "failed", "550", "5.1.1", None)]),
    "courier": ("NOTICE: mail delivery status.", """\
This is a delivery status notification from mx.example.net,
running the Courier mail server, version 1.1.

Your message to the following recipients cannot be delivered:

<bob@example.org>:
    mx.example.org [203.0.113.5]:
>>> RCPT TO:<bob@example.org>
<<< 550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown
""", "courier", [("bob@example.org", "failed", "550", "5.1.1", "RCPT")]),
    "opensmtpd": ("Delivery status notification: error", """\
Hi!

This is the MAILER-DAEMON, please DO NOT REPLY to this email.

An error has occurred while attempting to deliver a message for
the following list of recipients:

bob@example.org: 550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown

Below is a copy of the original message:

To: carol@example.org
Subject: 550 5.2.2 not this one
""", "opensmtpd", [("bob@example.org", "failed", "550", "5.1.1", None)]),
    "qmail": ("failure notice", """\
Hi. This is the qmail-send program at mx.example.net.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<bob@example.org>:
Sorry, no mailbox here by that name. (#5.1.1)

--- Below this line is a copy of the message.
""", "qmail", [("bob@example.org", "failed", None, "5.1.1", None)]),
    "amazon ses": ("AWS Notification Message", """\
{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":[{"emailAddress":"bob@example.org",\
"action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"}],\
"reportingMTA":"dsn; a27-23.smtp-out.us-west-2.amazonses.com"},"mail":{"source":"alice@example.net"}}
""", "amazon-ses", [("bob@example.org", "failed", "550", "5.1.1", None)]),
    "yahoo": ("Failure Notice", """\
Sorry, we were unable to deliver your message to the following address.

<bob@example.org>:
554: delivery error: dd Sorry, your message to bob@example.org cannot be delivered. This mailbox is disabled (554.30).
""", "yahoo", [("bob@example.org", "failed", "554", None, None)]),
}


class TemplateTests(unittest.TestCase):
    def test_each_template_gives_its_recipients_codes_and_kind(self):
        for name, (subject, body, kind, expected) in TEMPLATES.items():
            with self.subTest(template=name):
                report = parse(HEAD.format(subject=subject) + body)
                self.assertEqual(report.kind, kind)
                self.assertEqual([(f.recipient, f.action, f.reply_code, f.status, f.command) for f in report.findings],
                                 expected)

    def test_the_notice_text_alone_gives_the_same_recipients_and_codes(self):
        # What a person pastes: the human-readable part, without the message header.
        for name, (subject, body, kind, expected) in TEMPLATES.items():
            with self.subTest(template=name):
                found = [(f.recipient, f.reply_code, f.status) for f in parse(body).findings]
                self.assertEqual(found, [(recipient, code, status) for recipient, _, code, status, _ in expected])

    def test_diagnostics_leave_out_the_marks_around_a_quoted_reply(self):
        for name in ("office 365", "exchange 2010"):
            with self.subTest(template=name):
                subject, body, _, _ = TEMPLATES[name]
                diagnostic = parse(HEAD.format(subject=subject) + body).findings[0].diagnostic
                self.assertFalse(diagnostic.endswith(("'", "#")), diagnostic)
