"""Advice per finding (kb/bounce/advice.py): the decision table, row by row."""
import unittest
from pathlib import Path

from kb.bounce import parse
from kb.bounce.advice import ACTIONS, ANY, DECISIONS, decide
from kb.bounce.reasons import REASONS

PERMANENCES = (True, False, None)


class DecisionTableTests(unittest.TestCase):
    def test_every_row_names_a_known_reason_a_known_action_and_says_why(self):
        for (reason, permanence), decision in DECISIONS.items():
            with self.subTest(reason=reason, permanence=permanence):
                self.assertIn(reason, REASONS)
                self.assertIn(permanence, (*PERMANENCES, ANY))
                self.assertIn(decision.action, ACTIONS)
                self.assertTrue(decision.why.endswith("."), decision.why)

    def test_each_row_is_what_decide_answers(self):
        for (reason, permanence), decision in DECISIONS.items():
            for asked in (PERMANENCES if permanence == ANY else (permanence,)):
                if permanence == ANY and (reason, asked) in DECISIONS:
                    continue  # a row of its own wins over the any-code row
                self.assertEqual(decide(reason, asked), decision, (reason, asked))

    def test_every_reason_and_permanence_has_a_row(self):
        for reason in REASONS:
            for permanence in PERMANENCES:
                self.assertTrue((reason, permanence) in DECISIONS or (reason, ANY) in DECISIONS, (reason, permanence))

    def test_a_gone_address_is_suppressed_and_a_full_mailbox_after_repeats(self):
        self.assertEqual(decide("userunknown", True).action, "suppress")
        self.assertEqual(decide("hostunknown", True).action, "suppress")
        self.assertEqual(decide("mailboxfull", True).action, "suppress-after-repeats")
        self.assertEqual(decide("suspend", True).action, "suppress-after-repeats")

    def test_a_transient_failure_is_retried_unless_the_cause_is_the_senders(self):
        self.assertEqual(decide("mailboxfull", False).action, "suppress-after-repeats")  # RFC 3463 X.2.2
        self.assertEqual(decide("userunknown", False).action, "retry")
        self.assertEqual(decide("blocked", False).action, "fix-sender")
        self.assertEqual(decide("toomanyconn", False).action, "retry")

    def test_the_senders_problems_are_fixed_there(self):
        for reason in ("blocked", "spamdetected", "policyviolation", "securityerror", "norelaying", "mesgtoobig"):
            self.assertEqual(decide(reason, True).action, "fix-sender", reason)

    def test_an_unknown_reason_is_investigated(self):
        self.assertEqual(decide("no-such-reason", True).action, "investigate")


class FindingAdviceTests(unittest.TestCase):
    def test_a_finding_carries_its_reason_advice_and_why(self):
        (finding,) = parse("550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in local "
                           "recipient table").findings
        self.assertEqual((finding.reason, finding.advice), ("userunknown", "suppress"))
        self.assertEqual(finding.advice_why, decide("userunknown", True).why)

    def test_a_reputation_block_is_for_the_sender_to_fix(self):
        (finding,) = parse("554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using "
                           "zen.spamhaus.org").findings
        self.assertEqual((finding.reason, finding.advice), ("blocked", "fix-sender"))


class ReadmeTableTests(unittest.TestCase):
    def test_the_readme_lists_every_row_of_the_table(self):
        readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
        words = {True: "permanent", False: "temporary", None: "no code", ANY: "any"}
        for (reason, permanence), decision in DECISIONS.items():
            self.assertIn(f"| `{reason}` | {words[permanence]} | `{decision.action}` | {decision.why} |", readme)
