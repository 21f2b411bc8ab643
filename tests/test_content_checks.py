"""check_content: the search phrases, and the published knowledge base as a whole."""

from django.test import TestCase

from kb import content_checks, registry, search
from kb.models import Code, Provider, SearchPhrase
from tests.helpers import KnowledgeBaseTestCase, make_code


def phrase_problems_of(*entries):
    entries = Code.objects.filter(pk__in=[e.pk for e in entries]).prefetch_related("phrases")
    return list(content_checks.phrase_problems(entries))


def add_phrases(entry, *texts, shared=False):
    start = entry.phrases.count()
    for n, text in enumerate(texts, start + 1):
        SearchPhrase.objects.create(code=entry, position=n, text=text, shared=shared)


class PhraseProblemTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.unknown = make_code("5.1.1", title="Recipient address does not exist")
        cls.full = make_code("5.2.2", title="Mailbox full")

    def test_a_phrase_on_two_entries_must_be_shared_on_each(self):
        add_phrases(self.unknown, "User unknown")
        add_phrases(self.full, "user unknown")
        problems = phrase_problems_of(self.unknown, self.full)
        self.assertEqual([code for code, _ in problems], ["5.1.1", "5.2.2"])
        self.assertIn("mark it shared", problems[0][1])

    def test_a_phrase_shared_on_purpose_by_every_holder_is_fine(self):
        add_phrases(self.unknown, "over quota", shared=True)
        add_phrases(self.full, "Over quota", shared=True)
        self.assertEqual(phrase_problems_of(self.unknown, self.full), [])

    def test_phrases_are_compared_as_search_compares_them(self):
        # "is" is a filler word and "full" the same term either way: one phrase to search.
        add_phrases(self.unknown, "Mailbox is full")
        add_phrases(self.full, "mailbox full")
        self.assertEqual(len(phrase_problems_of(self.unknown, self.full)), 2)

    def test_an_entry_change_page_warns_of_a_phrase_another_entry_words_differently(self):
        # The admin checks one entry: another entry's "Mailbox is full" is its "mailbox full".
        add_phrases(self.unknown, "Mailbox is full")
        add_phrases(self.full, "mailbox full")
        problems = list(content_checks.entry_problems(self.full))
        self.assertTrue(any("also on 5.1.1" in problem for problem in problems), problems)

    def test_a_phrase_marked_shared_that_no_other_entry_has_is_reported(self):
        add_phrases(self.full, "over quota", shared=True)
        self.assertEqual(phrase_problems_of(self.full), [("5.2.2", "the search phrase “over quota” is marked shared, but no other entry has it")])

    def test_a_phrase_search_would_read_as_a_code_or_a_link_is_reported(self):
        add_phrases(self.unknown, "not a valid RFC 5321 address", "see https://example.org/help now")
        problems = phrase_problems_of(self.unknown)
        self.assertEqual(len(problems), 2)
        self.assertTrue(all("would not find its entry" in problem for _, problem in problems))

    def test_a_phrase_of_filler_words_only_is_reported(self):
        add_phrases(self.unknown, "what is this")
        self.assertIn("finds nothing", phrase_problems_of(self.unknown)[0][1])


class PhraseCountTests(TestCase):
    def problems(self, *entries):
        entries = Code.objects.filter(pk__in=[e.pk for e in entries]).prefetch_related("phrases")
        known = {entry.code for entry in entries}
        return [(code, problem) for code, problem in content_checks.phrase_count_problems(entries, known)]

    def test_every_entry_needs_a_phrase(self):
        entry = make_code("5.3.3", title="Requested feature not supported")
        self.assertIn(("5.3.3", "0 search phrases, needs at least 1"), self.problems(entry))
        add_phrases(entry, "System not capable of selected features")
        self.assertNotIn("5.3.3", [code for code, _ in self.problems(entry)])

    def test_an_entry_people_look_up_most_needs_five(self):
        code = registry.most_looked_up()[0]
        entry = make_code(code, title="Mailbox unavailable")
        add_phrases(entry, "one phrase", "two phrase", "three phrase", "four phrase")
        self.assertIn((code, "4 search phrases, needs at least 5"), self.problems(entry))
        add_phrases(entry, "five phrase")
        self.assertNotIn(code, [c for c, _ in self.problems(entry)])

    def test_a_looked_up_code_without_an_entry_is_reported(self):
        missing = [code for code, problem in self.problems() if "most_looked_up.json" in problem]
        self.assertEqual(missing, list(registry.most_looked_up()))


class MostLookedUpTests(TestCase):
    def test_the_list_holds_sixty_distinct_codes_and_the_home_page_shows_its_first_ten(self):
        from kb.views import COMMON_CODES

        looked_up = registry.most_looked_up()
        self.assertEqual((len(looked_up), len(set(looked_up))), (60, 60))
        self.assertEqual(tuple(COMMON_CODES), looked_up[:10])


class PublishedKnowledgeBaseTests(KnowledgeBaseTestCase):
    def test_the_published_knowledge_base_passes_every_check(self):
        self.assertEqual(list(content_checks.all_problems()), [])

    def test_every_phrase_typed_into_the_search_box_finds_its_entries_first(self):
        holders = {}
        phrases = list(SearchPhrase.objects.filter(code__published=True).select_related("code"))
        for phrase in phrases:
            holders.setdefault(search.phrase_terms(phrase.text), set()).add(phrase.code.code)
        for phrase in phrases:
            with self.subTest(code=phrase.code.code, phrase=phrase.text):
                # A shared phrase ranks every entry that shares it, before any other.
                expected = holders[search.phrase_terms(phrase.text)]
                first = Code.objects.search(phrase.text).values_list("code", flat=True)[: len(expected)]
                self.assertEqual(set(first), expected)


class DefinedByTests(TestCase):
    """Every entry says who defines its code: an RFC, the IANA registry, or one vendor outside them."""

    @classmethod
    def setUpTestData(cls):
        Provider.objects.create(slug="microsoft", name="Microsoft 365 / Exchange Online / Outlook.com")

    def problems(self, code, standing, summary, references="RFC 3463 §3.8"):
        entry = make_code(code, standing=standing, summary=summary, references=references)
        return [problem for _, problem in content_checks.defined_by_problems(entry, content_checks.vendor_names())]

    def test_a_vendor_entry_names_its_vendor_and_how_it_stands_to_the_registry(self):
        self.assertEqual(self.problems("5.7.64", Code.Standing.VENDOR,
                                       "Exchange Online's own detail; the IANA registry has no X.7.64."), [])

    def test_a_vendor_entry_that_names_no_vendor_is_reported(self):
        self.assertEqual(self.problems("5.7.64", Code.Standing.VENDOR, "A detail outside the IANA registry."),
                         ["a vendor's code: its summary names no vendor of providers.yaml as the one that defines it"])

    def test_a_vendor_entry_silent_about_the_standards_is_reported(self):
        self.assertEqual(self.problems("5.7.64", Code.Standing.VENDOR, "Microsoft sends it for relayed mail."),
                         ["its summary does not say how the code stands to the RFCs and the IANA registry"])

    def test_a_vendor_is_named_as_a_whole_word(self):
        # "Exchanger" is not Exchange Online; "Outlook.com" is named with its dot.
        self.assertEqual(len(self.problems("5.7.65", Code.Standing.VENDOR, "An Exchanger's detail, not the registry's.")), 1)
        self.assertEqual(self.problems("5.7.66", Code.Standing.VENDOR, "Outlook.com's detail, not the registry's."), [])

    def test_an_rfc_entry_names_an_rfc_and_a_folklore_one_says_no_rfc_defines_it(self):
        self.assertEqual(self.problems("5.1.1", Code.Standing.RFC, "Bad mailbox.", references="IANA registry"),
                         ["its standing is “Defined by an RFC” but its references name no RFC"])
        self.assertEqual(self.problems("441", Code.Standing.FOLKLORE, "No RFC defines 441."), [])
        self.assertEqual(len(self.problems("442", Code.Standing.FOLKLORE, "Popular lists carry it.")), 1)

    def test_a_registry_entry_names_the_registry(self):
        self.assertEqual(len(self.problems("5.7.21", Code.Standing.REGISTRY, "A DKIM failure.", references="")), 1)
        self.assertEqual(self.problems("5.7.22", Code.Standing.REGISTRY, "Listed in the IANA registry."), [])
