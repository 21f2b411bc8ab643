"""Reports that are not bounces: abuse feedback, read receipts and auto-replies give no findings."""
import unittest

from kb.bounce import BounceError, parse
from tests.test_bounce_support import sample


def report(report_type, part_type, fields):
    return ("From: reports@example.net\nTo: alice@example.net\nSubject: Report\nMIME-Version: 1.0\n"
            f'Content-Type: multipart/report; report-type={report_type}; boundary="B"\n\n'
            "--B\nContent-Type: text/plain\n\nA report about your message.\n"
            f"--B\nContent-Type: {part_type}\n\n{fields}\n--B--\n")


class NotABounceTests(unittest.TestCase):
    def test_an_arf_feedback_report_has_kind_feedback_and_no_findings(self):
        result = parse(sample("maildir__bsd__arf-14.eml"))
        self.assertEqual((result.kind, result.findings), ("feedback", []))

    def test_a_feedback_report_quoting_smtp_codes_still_has_no_findings(self):
        text = report("feedback-report", "message/feedback-report",
                      "Feedback-Type: abuse\nUser-Agent: x/1\nVersion: 1\nOriginal-Rcpt-To: bob@example.org\n"
                      "Diagnostic-Code: smtp; 550 5.7.1 spam\n")
        self.assertEqual(parse(text).findings, [])

    def test_a_read_receipt_has_kind_read_receipt(self):
        text = report("disposition-notification", "message/disposition-notification",
                      "Final-Recipient: rfc822; bob@example.org\nDisposition: manual-action/MDN-sent-manually; displayed\n")
        result = parse(text)
        self.assertEqual((result.kind, result.findings), ("read-receipt", []))

    def test_an_rfc_3834_auto_reply_has_kind_auto_reply(self):
        result = parse(sample("maildir__bsd__rfc3834-01.eml"))
        self.assertEqual((result.kind, result.findings), ("auto-reply", []))

    def test_a_vacation_message_without_headers_saying_so(self):
        text = "From: bob@example.org\nTo: alice@example.net\nSubject: Out of office\n\nI am away until Monday.\n"
        self.assertEqual(parse(text).kind, "auto-reply")

    def test_an_ordinary_message_is_refused_with_a_reason(self):
        with self.assertRaises(BounceError) as caught:
            parse("From: bob@example.org\nTo: alice@example.net\nSubject: Hello\n\nbob@example.org\n")
        self.assertIn("not a bounce", str(caught.exception))


def forwarded(attached):
    return (b"From: bob@example.net\nTo: helpdesk@example.net\nSubject: Fwd: why?\nMIME-Version: 1.0\n"
            b'Content-Type: multipart/mixed; boundary="F"\n\n--F\nContent-Type: text/plain\n\nCan you look at this?\n'
            b"--F\nContent-Type: message/rfc822\n\n" + attached + b"\n--F--\n")


class ForwardedBounceTests(unittest.TestCase):
    def test_a_bounce_forwarded_as_an_attachment_is_read_in_place(self):
        report = parse(forwarded(sample("maildir__bsd__lhost-exim-02.eml")))
        self.assertEqual(report.kind, "exim")
        for finding in report.findings:
            self.assertEqual(report.text[finding.span[0]:finding.span[1]], finding.diagnostic)

    def test_an_attached_message_that_is_no_bounce_is_not_read(self):
        attached = b"From: carol@example.org\nTo: bob@example.net\nSubject: notes\n\n550 5.1.1 is the code we saw\n"
        with self.assertRaises(BounceError):
            parse(forwarded(attached))


# CONSTRUCTED notices, in the wording of each kind of system (Boxbe's guest list, a TMDA-style
# confirmation request, amavis's virus alert to the sender, localised out-of-office subjects).
NOT_BOUNCES = {
    "challenge-response": [
        "From: Bob via Boxbe <notification@boxbe.example>\nTo: alice@example.net\nSubject: Request to join Bob's "
        "Guest List (Re: hello)\n\nYour message to bob@example.org was waitlisted. Please add yourself to my "
        "Guest List so your messages will be delivered to my Inbox.\n",
        "From: bob-confirm@example.org\nTo: alice@example.net\nSubject: Please confirm your message\n\n"
        "Your message to bob@example.org has been held. Reply to confirm that you are a real sender; "
        "otherwise it could not be delivered.\n",
        # Bluebottle's wording (t/corpus/bluebottle.msg of Mail::DeliveryStatus::BounceParser's corpus).
        "From: Bluebottle <verification@bluebottle.example>\nTo: alice@example.net\nSubject: Re: BLAH\n\n"
        "Your message was received at Thu, 20 Aug 2009 12:15:39 +0000:\n\nTo: bob@bluebottle.example\n"
        "Subject: BLAH\n\nThis account is protected by Bluebottle.  Please click on the following link to "
        "have your address added to the recipient's allowed list and to ensure delivery of your email.\n",
    ],
    "content-notice": [
        "From: MAILER-DAEMON@mx.example.org\nTo: alice@example.net\nSubject: VIRUS (Eicar-Test-Signature) IN MAIL "
        "FROM YOU\n\nOur content checker found\n    virus: Eicar-Test-Signature\nin an email from probably "
        "faked sender:\n    <alice@example.net>\nto:\n    <bob@example.org>\n",
        "From: postmaster@example.org\nTo: alice@example.net\nSubject: Virus found in message sent by you\n\n"
        "The message you sent to bob@example.org contained a virus and was not delivered.\n"
        "It was probably sent by a virus using a forged sender address.\n",
    ],
    "auto-reply": [
        "From: Bob <bob@example.org>\nTo: alice@example.net\nSubject: Réponse automatique : hello\n\n"
        "Je suis absent du bureau. Pour toute urgence, contactez carol@example.org.\n",
        "From: Bob <bob@example.org>\nTo: alice@example.net\nSubject: =?UTF-8?B?6Ieq5YuV5b+c562U?=\n\n"
        "carol@example.org\n",
        # Exchange's Latvian "Automatic reply:", accents dropped on the way, an English body.
        "From: <bob@example.org>\nTo: <alice@example.net>\nSubject: Arpus biroja atrasanas automatiska atbilde: hi\n\n"
        "Thank you for your email.\n\nI am out of office and will be back on Tuesday.\n",
        "From: <bob@example.org>\nTo: <alice@example.net>\nSubject: Automaattinen vastaus: hi\n\nOlen lomalla.\n",
    ],
}


class OtherNotBounceTests(unittest.TestCase):
    def test_each_gives_its_own_kind_and_no_failed_recipient(self):
        for kind, texts in NOT_BOUNCES.items():
            for text in texts:
                with self.subTest(kind=kind, text=text[:60]):
                    result = parse(text)
                    self.assertEqual((result.kind, result.findings), (kind, []))

    def test_a_server_that_refused_a_virus_with_a_reply_is_a_bounce(self):
        text = ("From: MAILER-DAEMON@mx.example.net\nTo: alice@example.net\nSubject: Undelivered Mail: virus found\n\n"
                "<bob@example.org>: host mx.example.org[192.0.2.1] said: 554 5.7.1 Virus found: the message was "
                "probably sent by a virus using a forged sender address\n")
        result = parse(text)
        self.assertEqual([(f.recipient, f.reply_code, f.status) for f in result.findings],
                         [("bob@example.org", "554", "5.7.1")])

    def test_a_delay_warning_is_delayed_never_failed(self):
        text = ("From: postmaster@example.com\nTo: alice@example.net\nSubject: Delivery Status Notification (Delay)\n\n"
                "THIS IS A WARNING MESSAGE ONLY.\n\nDelivery to the following recipients has been delayed.\n\n"
                "       bob@example.org\n")
        self.assertEqual([(f.recipient, f.action) for f in parse(text).findings], [("bob@example.org", "delayed")])


def mdn(disposition, human):
    """An RFC 8098 MDN as Dovecot's Pigeonhole sends it (multipart/report, disposition-notification)."""
    return ("From: Mail Delivery Subsystem <postmaster@mail.example.org>\nTo: <alice@example.net>\n"
            "Subject: Rejected: hello\nAuto-Submitted: auto-replied (rejected)\nMIME-Version: 1.0\n"
            'Content-Type: multipart/report; report-type=disposition-notification; boundary="M"\n\n'
            f"--M\nContent-Type: text/plain; charset=utf-8\n\n{human}\n"
            "--M\nContent-Type: message/disposition-notification\n\n"
            "Reporting-UA: mail.example.org; Dovecot Mail Delivery Agent\n"
            "Final-Recipient: rfc822; bob@example.org\nOriginal-Message-ID: <1@example.net>\n"
            f"Disposition: {disposition}\n\n--M\nContent-Type: message/rfc822\n\n"
            "From: alice@example.net\nTo: bob@example.org\nSubject: hello\n\nhi\n--M--\n")


class SieveRejectTests(unittest.TestCase):
    # RFC 5429 §2.2.2: a Sieve reject after the message was accepted is sent as an MDN whose
    # disposition is "deleted"; the human part is Pigeonhole's rejection template, "Your message
    # to <%t> was automatically rejected:%n%r" (its documented default), with the script's reason.
    def test_a_sieve_reject_is_a_failure_with_its_reason(self):
        report = parse(mdn("automatic-action/MDN-sent-automatically; deleted",
                           "Your message to <bob@example.org> was automatically rejected:\n"
                           "Quota exceeded (mailbox for user is full)"))
        self.assertEqual(report.kind, "sieve-reject")
        [finding] = report.findings
        self.assertEqual((finding.recipient, finding.action, finding.diagnostic, finding.reason),
                         ("bob@example.org", "failed", "Quota exceeded (mailbox for user is full)", "mailboxfull"))
        self.assertEqual(report.text[finding.span[0]:finding.span[1]], finding.diagnostic)

    def test_a_message_a_person_deleted_is_a_read_receipt(self):
        report = parse(mdn("manual-action/MDN-sent-manually; deleted", "Your message was deleted without being read."))
        self.assertEqual((report.kind, report.findings), ("read-receipt", []))


class DressedUpNotBounceTests(unittest.TestCase):
    # The structure of Boxbe's notice as kept in Mail::DeliveryStatus::BounceParser's test corpus
    # (t/corpus/boxbe-cr.msg): a multipart/report whose report names the waiting sender with its
    # own diagnostic type and no SMTP reply. CONSTRUCTED, with example.org addresses.
    BOXBE = ("From: noreply@boxbe.example\nReply-To: bob@example.org\nTo: alice@example.net\n"
             "Subject: Re: hello (Action Required)\nMIME-Version: 1.0\n"
             'Content-Type: multipart/report; report-type=delivery-status; boundary="X"\n\n'
             "--X\nContent-Type: text/plain\n\nHello Alice,\n\nYour message about \"hello\" has been waitlisted.\n"
             "Please add yourself to my Guest List so your messages will go to my Inbox.\n"
             "--X\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; boxbe.example\n"
             "Action: failed\n\nFinal-Recipient: rfc822; bob@example.org\n"
             "Diagnostic-Code: X-Boxbe-Notice; Sender not pre-approved.  Follow instructions in above notice\n"
             "Status: 4.7.0\n\n--X--\n")

    def test_a_challenge_dressed_as_a_delivery_report_is_a_challenge(self):
        self.assertEqual((parse(self.BOXBE).kind, parse(self.BOXBE).findings), ("challenge-response", []))

    def test_a_report_with_an_smtp_reply_stays_a_bounce_whatever_its_words(self):
        text = self.BOXBE.replace("X-Boxbe-Notice; Sender not pre-approved.", "smtp; 550 5.7.1 Sender not pre-approved.")
        self.assertEqual([(f.recipient, f.reply_code) for f in parse(text).findings], [("bob@example.org", "550")])

    # An out-of-office reply without RFC 3834's Auto-Submitted, as older responders send them:
    # a null Return-Path and Precedence: bulk say it is automatic, its words that it answers for
    # someone away (the shape of t/corpus/autoreply.msg of the same corpus). CONSTRUCTED.
    AWAY = ("Return-Path: <>\nFrom: Bob <bob@example.org>\nTo: <alice@example.net>\n"
            "Subject: Thank you for your e-mail\nPrecedence: bulk\n\n"
            "Thank you for your e-mail.\nI will endeavour to reply as soon as possible.\n\nBob\nbob@example.org\n")

    def test_an_away_reply_sent_as_automatic_mail_is_an_auto_reply(self):
        self.assertEqual((parse(self.AWAY).kind, parse(self.AWAY).findings), ("auto-reply", []))

    def test_the_same_words_from_a_person_are_no_auto_reply(self):
        text = self.AWAY.replace("Return-Path: <>\n", "").replace("Precedence: bulk\n", "")
        with self.assertRaises(BounceError):
            parse(text)
