"""Where our answer differs from Sisimai 4.25's reference answer, and the mail shows ours is right.

The corpus's expected.jsonl holds Sisimai's answers, with known gaps (see its README). Each test
names the sample and quotes the evidence in the mail; the accuracy bar counts these as misses.
"""
import json
import unittest

from kb.bounce import parse
from tests.test_bounce_support import CORPUS, sample


def sisimai(name):
    rows = (json.loads(line) for line in (CORPUS / "expected.jsonl").read_text().splitlines())
    return {row["recipient"]: row for row in rows if row["file"] == name}


def ours(name):
    return {f.recipient: f for f in parse(sample(name)).findings}


class SisimaiDisagreementTests(unittest.TestCase):
    def test_each_recipient_keeps_the_status_of_its_own_report_group(self):
        # Both DSN groups give their own codes, e.g. "Final-Recipient: rfc822; filtered@example.co.jp /
        # Status: 5.2.1 / Diagnostic-Code: smtp; 550 5.2.1 <filtered@example.co.jp>... User Unknown";
        # Sisimai gives the other recipient's 5.1.1 (or 5.2.1) to both.
        for name, address, status in (("maildir__bsd__lhost-postfix-02.eml", "filtered@example.co.jp", "5.2.1"),
                                      ("maildir__bsd__lhost-sendmail-02.eml", "userunknown@example.org", "5.1.1")):
            with self.subTest(name=name):
                self.assertNotEqual(sisimai(name)[address]["deliverystatus"], status)
                self.assertEqual(ours(name)[address].status, status)
                self.assertIn(status, ours(name)[address].diagnostic)

    def test_a_generic_status_gives_way_to_the_remote_servers_specific_code(self):
        # "Status: 5.0.0 (permanent failure)" but the remote said
        # "550-'5.1.1 <...>: Recipient address rejected: User unknown in virtual alias table'".
        name, address = "maildir__err__make-test-20.eml", "non-existent-blackberry-user-addr@docomo.blackberry.com"
        self.assertEqual(sisimai(name)[address]["deliverystatus"], "5.0.0")
        finding = ours(name)[address]
        self.assertEqual((finding.reply_code, finding.status), ("550", "5.1.1"))

    def test_the_final_recipient_field_names_the_recipient(self):
        # RFC 3464 §2.3.2: "Final-Recipient: rfc822;kijitora@neko.example.org"; Sisimai takes the
        # address of the Domino notice text (kijitora@neko.example.com) instead.
        name = "maildir__bsd__lhost-domino-03.eml"
        self.assertEqual(list(sisimai(name)), ["kijitora@neko.example.com"])
        self.assertEqual(list(ours(name)), ["kijitora@neko.example.org"])

    def test_the_final_recipient_field_wins_over_a_mailto_link(self):
        # "Final-Recipient: rfc822;otsu-sakaba-hunter-neko-nyaaaaaaan@ezweb.ne.jp"; Sisimai takes the
        # address of a mailto: link in the notice text, which differs.
        name = "maildir__bsd__lhost-office365-04.eml"
        self.assertEqual(list(sisimai(name)), ["otsu-sakaba-hunter-nyaaaaaaan@ezweb.ne.jp"])
        self.assertEqual(list(ours(name)), ["otsu-sakaba-hunter-neko-nyaaaaaaan@ezweb.ne.jp"])

