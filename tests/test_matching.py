from django.test import TestCase

from kb.bounce import Finding
from kb.matching import Matcher, warnings_for, words
from kb.models import Code, ExampleReply, Provider
from tests.helpers import make_code


def finding(reply_code=None, status=None, diagnostic=None, recipient="bob@example.org"):
    return Finding(recipient=recipient, action="failed", reply_code=reply_code, status=status, diagnostic=diagnostic)


class MatchingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        qmail = Provider.objects.create(slug="qmail", name="qmail")
        cls.e550 = make_code("550", title="Mailbox unavailable")
        cls.e511 = make_code("5.1.1", title="Recipient address does not exist")
        cls.e570 = make_code("5.7.0", title="Other security or policy status")
        cls.e522 = make_code("5.2.2", title="Mailbox full")
        ExampleReply.objects.create(code=cls.e511, position=1, provider=qmail, source="x.eml",
                                    text="550 sorry, no mailbox here by that name (#5.1.1 - chkusr)")
        ExampleReply.objects.create(code=cls.e511, position=2, source="y.eml",
                                    text="550 5.1.1 <a@example.org>: Recipient address rejected: User unknown in local recipient table")
        ExampleReply.objects.create(code=cls.e522, position=1, source="z.eml",
                                    text="552 5.2.2 Mailbox is full: quota exceeded for this recipient")

    def test_the_enhanced_code_wins_over_the_reply_code(self):
        match = Matcher().match(finding("550", "5.1.1", "User unknown in local recipient table"))
        self.assertEqual(match.entry, self.e511)
        self.assertIn("5.1.1 has its own entry", match.why)

    def test_a_status_of_the_other_class_is_read_through_its_twin_in_the_reply_class(self):
        make_code("5.7.1", title="Delivery not authorized")
        make_code("4.7.1", title="Delivery not authorized (temporary)")
        match = Matcher().match(finding("554", "4.7.1", "Access denied"))
        self.assertEqual(match.entry.code, "5.7.1")
        self.assertIn("twin of 4.7.1", match.why)
        self.assertIs(match.hard_bounce, True)

    def test_without_a_twin_the_status_entry_still_answers(self):
        match = Matcher().match(finding("451", "5.1.1", "User unknown"))
        self.assertEqual(match.entry, self.e511)

    def test_the_closest_example_of_the_entry_is_chosen(self):
        match = Matcher().match(finding("550", "5.1.1", "<c@example.net>: Recipient address rejected: User unknown in local recipient table"))
        self.assertEqual(match.example.position, 2)
        self.assertGreater(match.similarity, 0.5)

    def test_the_reply_code_is_used_when_the_status_has_no_entry(self):
        match = Matcher().match(finding("550", "5.1.7", "Bad sender"))
        self.assertEqual(match.entry, self.e550)
        self.assertIn("5.1.7 has no entry", match.why)

    def test_the_family_entry_is_the_last_code_based_resort(self):
        match = Matcher().match(finding(None, "5.7.999", "Denied by policy"))
        self.assertEqual(match.entry, self.e570)
        self.assertIn("covers its family", match.why)

    def test_a_bounce_without_codes_is_matched_by_its_words(self):
        match = Matcher().match(finding(None, None, "Sorry, no mailbox here by that name. (#5.1.1)"))
        self.assertEqual(match.entry, self.e511)
        self.assertEqual(match.example.provider.slug, "qmail")
        self.assertIn("no code", match.why)

    def test_a_localised_notice_without_codes_is_matched_by_what_its_words_mean(self):
        for diagnostic in ("Postfach voll", "Boîte aux lettres pleine", "邮箱已满"):
            with self.subTest(diagnostic=diagnostic):
                match = Matcher().match(finding(diagnostic=diagnostic))
                self.assertEqual(match.entry, self.e522)
                self.assertIn("own language", match.why)

    def test_words_match_entry_titles_too(self):
        match = Matcher().match(finding(None, None, "The recipient's mailbox is full"))
        self.assertEqual(match.entry, self.e522)

    def test_unrelated_words_match_nothing(self):
        match = Matcher().match(finding(None, None, "Lorem ipsum dolor sit amet"))
        self.assertIsNone(match.entry)
        self.assertIn("not close enough", match.why)

    def test_matching_many_findings_takes_a_bounded_number_of_queries(self):
        findings = [finding("550", "5.1.1", "User unknown")] * 20 + [finding("552", "5.2.2", "full")] * 20
        with self.assertNumQueries(4):  # the token, the entries, their examples and the providers, once per Matcher
            matches = Matcher().match_all(findings)
        self.assertEqual({m.entry.code for m in matches}, {"5.1.1", "5.2.2"})

    def test_the_content_is_read_once_per_process_until_it_changes(self):
        Code.objects.rebuild_search_index()
        Matcher().match(finding("552", "5.2.2", "full"))
        with self.assertNumQueries(1):  # the token only
            self.assertEqual(Matcher().match(finding("552", "5.2.2", "full")).entry, self.e522)
        self.e522.title = "Mailbox over its quota"
        self.e522.save()
        Code.objects.rebuild_search_index()
        self.assertEqual(Matcher().match(finding("552", "5.2.2", "full")).entry.title, "Mailbox over its quota")

    def test_unpublished_entries_are_never_matched(self):
        Code.objects.filter(code="5.1.1").update(published=False)
        match = Matcher().match(finding("550", "5.1.1", "User unknown"))
        self.assertEqual(match.entry, self.e550)


class HardBounceTests(TestCase):
    def test_the_reply_class_decides_hard_or_soft(self):
        self.assertIs(Matcher().match(finding("550", "5.1.1")).hard_bounce, True)
        self.assertIs(Matcher().match(finding("441", "5.1.1")).hard_bounce, False)
        self.assertIs(Matcher().match(finding(None, "4.2.2")).hard_bounce, False)
        self.assertIsNone(Matcher().match(finding(None, None, "something")).hard_bounce)


class WarningTests(TestCase):
    def test_a_4yz_reply_with_a_5xx_status_is_a_contradiction(self):
        warnings = warnings_for(finding("441", "5.1.1"))
        self.assertTrue(any("disagree about the class" in w and "temporary failure" in w for w in warnings))

    def test_a_pair_the_registry_does_not_associate_is_flagged(self):
        warnings = warnings_for(finding("550", "5.2.2"))
        self.assertTrue(any("pairs X.2.2 with 552, not with 550" in w for w in warnings))

    def test_a_pair_the_registry_associates_is_not_flagged(self):
        self.assertEqual(warnings_for(finding("550", "5.1.1")), [])
        self.assertEqual(warnings_for(finding("552", "5.2.2")), [])
        self.assertEqual(warnings_for(finding("250", "2.0.0")), [])

    def test_a_final_failure_with_a_temporary_code_says_the_retries_ran_out(self):
        expired = Finding(recipient="a@example.org", action="failed", reply_code="451", status="4.4.7", diagnostic="x")
        self.assertTrue(any("retried until its time limit ran out" in w for w in warnings_for(expired)))
        delayed = Finding(recipient="a@example.org", action="delayed", reply_code="451", status="4.4.7", diagnostic="x")
        self.assertFalse(any("time limit" in w for w in warnings_for(delayed)))

    def test_a_vendor_status_outside_the_registry_is_flagged(self):
        self.assertTrue(any("not in the IANA registry" in w for w in warnings_for(finding("550", "5.7.509"))))


class WordsTests(TestCase):
    def test_words_drop_addresses_numbers_hosts_and_codes(self):
        text = "550-5.1.1 <bob@example.org> User unknown [192.0.2.1] https://x.example/a 12345 #5.1.1"
        self.assertEqual(words(text), ["user", "unknown"])
