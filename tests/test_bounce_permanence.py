"""Hard or soft (kb/bounce/permanence.py): the reply class, read further as the reason is."""
import unittest

from kb.bounce import parse
from kb.bounce.findings import EspVerdict, Finding
from tests.test_bounce_support import sample


def finding(reply_code, status, diagnostic, esp=None):
    return Finding("a@example.org", "failed", reply_code, status, diagnostic, esp=esp)


class PermanenceTests(unittest.TestCase):
    def test_the_reply_class_decides_first(self):
        hard = finding("550", "5.1.1", "550 5.1.1 User unknown")
        soft = finding("450", "4.2.0", "450 4.2.0 Mailbox busy")
        self.assertEqual((hard.hard_bounce, soft.hard_bounce), (True, False))
        self.assertIn("RFC 5321", hard.hard_bounce_why)

    def test_a_status_decides_when_there_is_no_reply(self):
        self.assertIs(finding(None, "5.1.1", "User unknown").hard_bounce, True)
        self.assertIs(finding(None, None, "User unknown").hard_bounce, None)

    def test_a_full_mailbox_is_soft_whatever_its_class(self):
        # RFC 3463 X.2.2: a persistent transient failure; Sisimai 4.25 reads it so too.
        full = finding("552", "5.2.2", "552 5.2.2 Mailbox full")
        self.assertIs(full.hard_bounce, False)
        self.assertIn("X.2.2", full.hard_bounce_why)
        self.assertEqual(full.advice, "suppress-after-repeats")
        (corpus,) = parse(sample("maildir__bsd__lhost-amazonses-03.eml")).findings
        self.assertEqual((corpus.reply_code, corpus.status, corpus.hard_bounce), ("550", "5.2.2", False))

    def test_a_5xx_that_says_for_now_is_soft_unless_the_address_is_gone(self):
        self.assertIs(finding("550", "5.7.1", "550 5.7.1 Greylisted, please try again later").hard_bounce, False)
        self.assertIs(finding("550", "5.1.1", "550 5.1.1 User unknown, try again later").hard_bounce, True)

    def test_an_esp_event_without_smtp_data_takes_the_esps_verdict(self):
        verdict = EspVerdict("mailjet", "bounce", True, "domain: invalid domain", "invalid domain")
        event = finding(None, None, None, esp=verdict)
        self.assertIs(event.hard_bounce, True)
        self.assertIn("mailjet", event.hard_bounce_why)
        self.assertEqual(event.reason, "hostunknown")
        self.assertIs(finding(None, None, None, esp=EspVerdict("resend", "email.bounced")).hard_bounce, None)

    def test_an_esps_own_list_names_no_reason(self):
        # Brevo's "blacklist user" is the sender's own suppression list, no receiving-side blocklist.
        blocked = finding(None, None, None, esp=EspVerdict("brevo", "blocked", None, None,
                                                             "blocked : due to blacklist user"))
        self.assertEqual(blocked.reason, "onhold")

    def test_smtp_data_wins_over_the_esps_verdict(self):
        verdict = EspVerdict("sendgrid", "bounce", False)
        self.assertIs(finding("550", "5.1.1", "550 5.1.1 User unknown", esp=verdict).hard_bounce, True)
