"""Older and rarer bounce formats, read by their structure.

Every notice here is CONSTRUCTED, with example.org addresses, from the fixed wording of the
software that writes it (Exim 3's and sendmail 8's templates, qmail's QSBMF and the intros its
forks use, Lotus Notes / Domino, Novell GroupWise, Microsoft SMTPSVC and Exchange 5.5, old
Yahoo, AOL, CompuServe and T-Online notices, as Mailman's and Sisimai's bounce detectors document them); the
senders are neutral (`postmaster@`, a system name) so that the structure, not the sender,
makes them bounces.
"""
import unittest

from kb.bounce import BounceError, parse
from tests.test_bounce_support import sample

HEAD = "From: {sender}\nTo: alice@example.net\nSubject: {subject}\n{extra}\n"

# name: (sender, subject, body, [(recipient, reply code, status)])
NOTICES = {
    "exim 3": ("Mail Delivery System <Mailer-Daemon@mx.example.net>", "Mail delivery failed: returning message to sender", """\
This message was created automatically by mail delivery software.

A message that you sent could not be delivered to all of its recipients. The
following address(es) failed:

  bob@example.org:
    SMTP error from remote mailer after RCPT TO:<bob@example.org>:
    host mx.example.org [192.0.2.1]: 550 5.1.1 User unknown

------ This is a copy of the message, including all the headers. ------
""", [("bob@example.org", "550", "5.1.1")]),
    "sendmail 8 without enhanced codes": ("Mail Delivery Subsystem <postmaster@example.net>", "Returned mail: User unknown", """\
The original message was received at Mon, 1 Jan 2001 10:00:00 GMT
from host.example.net [192.0.2.9]

   ----- The following addresses had permanent fatal errors -----
bob@example.org

   ----- Transcript of session follows -----
... while talking to mx.example.org.:
>>> RCPT To:<bob@example.org>
<<< 550 <bob@example.org>... User unknown
550 bob@example.org... User unknown

   ----- Original message follows -----
""", [("bob@example.org", "550", None)]),
    "qmail fork with its own intro": ("postmaster@example.org", "failure notice", """\
Hi. The MTA program at mx.example.org was unable to deliver your message to the following addresses.

<bob@example.org>:
192.0.2.1 does not like recipient.
Remote host said: 550 5.1.1 <bob@example.org>: Recipient address rejected
Giving up on 192.0.2.1.

--- Below this line is a copy of the message.
""", [("bob@example.org", "550", "5.1.1")]),
    "qmail with its status after the remote's line break": ("MAILER-DAEMON@mx.example.net", "failure notice", """\
Hi. This is the qmail-send program at mx.example.net.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<bob@example.org>:
Remote host 192.0.2.1 said: 550 Unknown user bob@example.org
. (#5.5.0)

--- Below this line is a copy of the message.
""", [("bob@example.org", "550", "5.5.0")]),
    "exim with an undisclosed address": ("Mail Delivery System <Mailer-Daemon@mx.example.net>", "Mail delivery failed: returning message to sender", """\
This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  an undisclosed address
    (generated from bob@example.org)

------ This is a copy of the message, including all the headers. ------
""", [("bob@example.org", None, None)]),
    "exim local_scan rejection naming the mailbox in its words": ("Mail Delivery System <Mailer-Daemon@mx.example.net>", "Mail delivery failed", """\
A message that you sent was rejected by the local scanning code that
checks incoming messages on this system. The following error was given:

  Message was not accepted -- invalid mailbox.
 Local mailbox bob@example.org is unavailable: user not found

------ This is a copy of your message, including all the headers.
""", [("bob@example.org", None, None)]),
    "mailenable with an exchange proxy address": ("Delivery Subsystem <POSTMASTER@mx.example.net>", "Message Delivery Failure", """\
MailEnable: Message could not be delivered to some recipients.
The following recipient(s) could not be reached:

\tRecipient: [SMTP:bob@example.org]
\tReason: Remote SMTP Server Returned: 550 Requested action not taken: mailbox unavailable or not local.

Message headers follow:
""", [("bob@example.org", "550", None)]),
    "exchange 5.5 naming an x.400 recipient": ("System Administrator <postmaster@example.net>", "Undeliverable: news", """\
Your message

  To:      news@example.net
  Subject: news

did not reach the following recipient(s):

c=US;a= ;p=Example;o=Site1;dda:SMTP=bob@example.org; on Fri, 4 Oct 2002 17:12:28 -0400
    The recipient name is not recognized
""", [("bob@example.org", None, None)]),
    "hotpop with a system contact": ("postmaster@mx.example.net", "Returned mail", """\
Undeliverable Address: bob@example.org

Reason: The email you sent to the address specified above has been returned because the recipient is over disk quota.

System Contact: postmaster@example.net
""", [("bob@example.org", None, None)]),
    "domino": ("Postmaster@example.org", "DELIVERY FAILURE: User bob (bob@example.org) not listed in Domino Directory", """\
Your message

  Subject: hello

was not delivered to:

  bob@example.org

because:

  User bob (bob@example.org) not listed in Domino Directory
""", [("bob@example.org", None, None)]),
    "lotus notes": ("Postmaster@example.org", "Undeliverable message", """\
------- Failure Reasons  --------

User not listed in public Name & Address Book
bob@example.org

------- Returned Message --------
""", [("bob@example.org", None, None)]),
    "groupwise": ("postmaster@example.org", "Message status - undeliverable", """\
The message that you sent was undeliverable to the following:
        bob (bob@example.org)

Possible causes of this problem include:
""", [("bob@example.org", None, None)]),
    # GroupWise naming a user of its own system only, with the reason in parentheses and a blank
    # line after its lead-in (the shape of t/corpus/novell-no-rhs.msg of Mail::DeliveryStatus::BounceParser).
    "groupwise without a domain": ("Mailer-Daemon@gw.example.org", "Message status - undeliverable", """\
The message that you sent was undeliverable to the following:

\tbob (User account is expired)


""", [("bob@gw.example.org", None, None)]),
    "smtpsvc": ("postmaster@example.org", "Delivery Status Notification (Failure)", """\
This is an automatically generated Delivery Status Notification.

Delivery to the following recipients failed.

       bob@example.org
""", [("bob@example.org", None, None)]),
    "exchange 5.5": ("System Administrator <postmaster@example.org>", "Undeliverable: hello", """\
Your message

  To:      Bob
  Subject: hello
  Sent:    Mon, 1 Jan 2001 10:00:00 +0100

did not reach the following recipient(s):

bob@example.org on Mon, 1 Jan 2001 10:00:05 +0100
    The recipient name is not recognized
    The MTS-ID of the original message is: c=us;a= ;p=example;l=SRV0101010900-1
    MSEXCH:IMS:Example:SITE:SRV 0 (000C05A6) Unknown Recipient
""", [("bob@example.org", None, None)]),
    "exchange 5.5 proxy address": ("System Administrator <postmaster@example.org>", "Undeliverable: hello", """\
did not reach the following recipient(s):

Bob Example on Mon, 1 Jan 2001 10:00:05 +0100
    SMTP=bob@example.org; on Mon, 1 Jan 2001 10:00:05 +0100
    The recipient name is not recognized
""", [("bob@example.org", None, None)]),
    "old yahoo": ("MAILER-DAEMON@yahoo.example", "failure delivery", """\
Message from  yahoo.example.
Unable to deliver message to the following address(es).

<bob@example.org>:
Sorry your message to bob@example.org cannot be delivered. This account has been disabled or discontinued [#102].

--- Original message follows.
""", [("bob@example.org", None, None)]),
    "smail / t-online": ("Mail Delivery System <system@example.net>", "mail failed, returning to sender", """\
|------------------------- Failed addresses follow: ---------------------|
 <bob@example.de> ... unknown user
|------------------------- Message text follows: ------------------------|
""", [("bob@example.de", None, None)]),
    "aol screen names": ("Mail Delivery Subsystem <MAILER-DAEMON@aol.example>", "Undeliverable: hello", """\
Your mail to the following recipients could not be delivered because they are not accepting mail from alice@example.net:
	screenname
""", [("screenname@aol.example", None, None)]),
    "compuserve user ids": ("CompuServe Postmaster <postmaster@compuserve.example>", "Undeliverable Message", """\
Receiver not found: 70000.1234

Your message could not be delivered as addressed.
""", [("70000.1234@compuserve.example", None, None)]),
    "a sentence that names the address": ("system@example.net", "Mail System Error - Returned Mail", """\
Your message has encountered delivery problems addressed to bob@example.org
""", [("bob@example.org", None, None)]),
    "addresses listed without any code": ("system@example.net", "Undeliverable mail", """\
The following addresses were not valid:

bob@example.org
carol@example.org
""", [("bob@example.org", None, None), ("carol@example.org", None, None)]),
}


def _read(name, extra=""):
    sender, subject, body, _ = NOTICES[name]
    return parse(HEAD.format(sender=sender, subject=subject, extra=extra) + body)


class OlderFormatTests(unittest.TestCase):
    def test_each_notice_gives_its_failed_recipients_and_codes(self):
        for name, (_, _, _, expected) in NOTICES.items():
            with self.subTest(notice=name):
                report = _read(name)
                self.assertEqual([(f.recipient, f.reply_code, f.status) for f in report.findings], expected)
                self.assertEqual({f.action for f in report.findings}, {"failed"})

    def test_a_footer_after_a_rule_is_no_reason(self):
        # A gateway appends its disclaimer below a rule (as in t/corpus/warning-1.msg of
        # Mail::DeliveryStatus::BounceParser's corpus): it says nothing of the recipient.
        text = HEAD.format(sender="postmaster@example.org", subject="Delivery Status Notification (Failure)", extra="") + (
            "Delivery to the following recipients failed.\n\n       bob@example.org\n\n\n"
            + "_" * 72 + "\n**** This email has been scanned for all viruses by a gateway ****\n")
        [finding] = parse(text).findings
        self.assertEqual((finding.recipient, finding.diagnostic), ("bob@example.org", None))

    def test_a_listed_name_keeps_its_reason(self):
        [finding] = _read("groupwise without a domain").findings
        self.assertEqual((finding.diagnostic, finding.reason), ("User account is expired", "suspend"))

    def test_a_signature_in_a_sentence_about_someone_else_names_no_recipient(self):
        text = HEAD.format(sender="postmaster@example.net", subject="Undeliverable", extra="") + (
            "Your message could not be delivered to bob@example.org.\n\n"
            "For further assistance, please contact <postmaster@example.net>\n")
        self.assertEqual([f.recipient for f in parse(text).findings], ["bob@example.org"])

    def test_a_sentence_about_the_sender_names_no_recipient(self):
        text = HEAD.format(sender="postmaster@example.net", subject="Undeliverable", extra="") + (
            "A message from alice@example.net could not be delivered.\n\n  bob@example.org\n")
        self.assertEqual([f.recipient for f in parse(text).findings], ["bob@example.org"])

    def test_x_failed_recipients_alone_names_the_recipient(self):
        text = HEAD.format(sender="system@example.net", subject="Mail delivery failed",
                           extra="X-Failed-Recipients: bob@example.org\n") + "Something went wrong.\n"
        self.assertEqual([(f.recipient, f.action) for f in parse(text).findings], [("bob@example.org", "failed")])


DSN = """\
From: postmaster@gw.example.org
To: alice@example.net
Subject: Delivery Status Notification (Failure)
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b"

--b
Content-Type: text/plain

{text}

--b
Content-Type: message/delivery-status

Reporting-MTA: dns; gw.example.org

{fields}
Action: failed
Status: 5.1.1

--b--
"""


class InternalRecipientTests(unittest.TestCase):
    """RFC 3464 §2.3.1-2: Original-Recipient is the address the sender used."""

    def _recipients(self, fields, text="Your message could not be delivered."):
        return [f.recipient for f in parse(DSN.format(fields=fields, text=text)).findings]

    def test_an_x400_final_recipient_gives_way_to_the_original_one(self):
        self.assertEqual(self._recipients(
            "Original-Recipient: rfc822;bob@example.org\nFinal-Recipient: x400; /C=DE/ADMD= /PRMD=EXAMPLE/O=EXAMPLE/S=Bob/"),
            ["bob@example.org"])

    def test_a_mailbox_on_an_internal_host_gives_way_to_the_original_one(self):
        self.assertEqual(self._recipients(
            "Original-Recipient: rfc822;bob@example.org\nFinal-Recipient: rfc822;bob.smith@mbx01.corp.example.local"),
            ["bob@example.org"])

    def test_an_exchange_encapsulated_address_gives_way_to_the_one_the_text_names(self):
        self.assertEqual(self._recipients(
            "Final-Recipient: rfc822;IMCEAEX-_O=EXAMPLE_OU=FIRST_CN=RECIPIENTS_CN=BOB@example.org",
            text="Delivery has failed to these recipients or groups:\n\nbob@example.org"), ["bob@example.org"])

    def test_a_mailbox_on_a_channel_or_a_host_inside_the_original_domain_gives_way_to_it(self):
        # Sun Messaging Server (Mailman's dsn_01 and dsn_04): Final-Recipient names its channel
        # or the organisation's own mail host.
        for final in ("bob@ims-ms-daemon", "BOB@mbx1.mail.example.org"):
            with self.subTest(final=final):
                self.assertEqual(self._recipients(
                    f"Original-Recipient: rfc822;bob@example.org\nFinal-Recipient: rfc822;{final}"), ["bob@example.org"])

    def test_another_user_on_a_single_label_host_keeps_the_final_recipient(self):
        # An alias the organisation expanded to a local user (Sisimai's lhost-postfix-79: procmail on mailhub0).
        self.assertEqual(self._recipients(
            "Original-Recipient: rfc822;sales@example.org\nFinal-Recipient: rfc822;bob@mailhub0"), ["bob@mailhub0"])

    def test_two_public_mailboxes_keep_the_final_recipient(self):
        # An alias expanded to another public mailbox: the report's own answer stands.
        self.assertEqual(self._recipients(
            "Original-Recipient: rfc822;list@example.org\nFinal-Recipient: rfc822;bob@example.com"), ["bob@example.com"])


FORWARDED = """\
From: mailman@lists.example.net
To: owner@lists.example.net
Subject: Uncaught bounce notification
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="x"

--x
Content-Type: text/plain

The attached messages were received as bounces, but no member addresses could be extracted from them.

--x
Content-Type: message/rfc822

From: MAILER-DAEMON@mx.example.org
To: list-bounces@lists.example.net
Subject: Undelivered Mail Returned to Sender

This is the mail system at host mx.example.org.

<bob@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 User unknown (in reply to RCPT TO command)

--x
Content-Type: message/rfc822

From: postmaster@example.com
To: list-bounces@lists.example.net
Subject: Undeliverable: news

Delivery has failed to these recipients or groups:

carol@example.com
The e-mail address you entered couldn't be found.

--x--
"""


class ForwardedBouncesTests(unittest.TestCase):
    def test_a_message_forwarding_several_bounces_reports_the_recipients_of_each(self):
        report = parse(FORWARDED)
        self.assertEqual([(f.recipient, f.reply_code) for f in report.findings],
                         [("bob@example.org", "550"), ("carol@example.com", None)])
        for finding in report.findings:
            start, end = finding.span
            self.assertIn(finding.recipient.split("@")[0], report.text[start - 200:end].lower())


# CONSTRUCTED from the start lines that Mailman's detectors (flufl.bounce simplematch, smtp32,
# netscape) document for 1990s-2000s servers: each names the failed address its own way.
LISTING_SHAPES = {
    "after a label with an apostrophe": "User's mailbox is full: <bob@example.org>\nUnable to deliver mail.\n",
    "quoted in a sentence": "The message addressed to 'bob@example.org' could not be delivered.\n",
    "after MDaemon's > marks": ("The following addresses did NOT receive a copy of your message:\n\n"
                                ">    bob@example.org\n\n--- Session Transcript ---\n"),
    "after an SMTP32 label": "Delivery failed 1 attempts: bob@example.org\n\nOriginal message follows.\n",
    "after an LSMTP field": "--> Error description:\nError-for:  bob@example.org\nError-Text: No such user\n",
    "in Netscape's list, the contact left out": (
        "This Message was undeliverable due to the following reason:\n\nThe user(s) account is temporarily "
        "over quota.\n\n<bob@example.org>\n\nPlease reply to <postmaster@example.net>\nif you feel this "
        "message to be in error.\n"),
    "with its reason in parentheses": ("Message not delivered to the following addresses:\n"
                                       "   bob@example.org (User unknown)\n"),
}


class ListingShapeTests(unittest.TestCase):
    def test_each_shape_names_the_failed_address_alone(self):
        for shape, body in LISTING_SHAPES.items():
            with self.subTest(shape=shape):
                text = HEAD.format(sender="Mail System <system@mail.example.net>", subject="Undeliverable mail",
                                   extra="") + body
                self.assertEqual([f.recipient for f in parse(text).findings], ["bob@example.org"])


class ListServerRefusalTests(unittest.TestCase):
    def test_a_list_that_refuses_a_post_names_the_list_address(self):
        # fml's notice to a non-member (a real one: Sisimai's set-of-emails, lhost-fml-02).
        report = parse(sample("maildir__bsd__lhost-fml-02.eml"))
        self.assertEqual(report.kind, "list-server")
        self.assertEqual([(f.recipient, f.action, f.reason) for f in report.findings],
                         [("neko-nyaan@example.org", "failed", "rejected")])

    # fml's loop alert, in its wording ("Duplicated Message-ID in <list>."). CONSTRUCTED.
    LOOP = ("From: list-admin@example.org\nTo: list-admin@example.org\nSubject: Loop Alert: Duplicated Message-ID\n"
            "X-MLServer: fml [fml 4.0.3 release]\n\nDuplicated Message-ID in <list@example.org>.\n\n"
            "Original mail as follows:\n\n   From: alice@example.net\n")

    def test_a_loop_alert_names_the_list_and_a_system_error(self):
        [finding] = parse(self.LOOP).findings
        self.assertEqual((finding.recipient, finding.reason), ("list@example.org", "systemerror"))

    def test_a_list_message_from_a_person_is_no_refusal(self):
        text = self.LOOP.replace("From: list-admin@example.org", "From: carol@example.org")
        with self.assertRaises(BounceError):
            parse(text)
