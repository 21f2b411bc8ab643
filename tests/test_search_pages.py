"""The search page, its filters and the search API."""

from django.test import TestCase
from django.urls import reverse

from kb.models import Category, Code, ExampleReply, Provider
from tests.helpers import KnowledgeBaseTestCase, make_code, page_text


class SearchPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        full = Category.objects.create(slug="mailbox-full", name="Mailbox full")
        gmail = Provider.objects.create(slug="gmail", name="Gmail")
        cls.code_550 = make_code("550", title="Mailbox unavailable", summary="The address is wrong, or **policy**.")
        cls.code_511 = make_code("5.1.1", title="Recipient address does not exist")
        cls.code_522 = make_code("5.2.2", title="Mailbox full", summary="The mailbox is over its quota & more.")
        cls.code_422 = make_code("4.2.2", title="Mailbox full, will retry")
        cls.code_511.related.add(cls.code_550)
        cls.code_522.categories.add(full)
        ExampleReply.objects.create(code=cls.code_522, position=1, text="552 5.2.2 mailbox is full", provider=gmail, source="x")
        Code.objects.rebuild_search_index()

    def get(self, **params):
        return self.client.get(reverse("code_list"), params)

    def test_one_code_however_typed_goes_straight_to_its_entry(self):
        for q in ["5.1.1", " 5.1.1 ", "5.01.001", "(5.1.1)"]:
            with self.subTest(q=q):
                self.assertRedirects(self.get(q=q), "/codes/5.1.1/")

    def test_a_basic_and_enhanced_pair_goes_to_the_enhanced_entry(self):
        self.assertRedirects(self.get(q="550 5.1.1"), "/codes/5.1.1/")
        self.assertRedirects(self.get(q="550-5.1.1"), "/codes/5.1.1/")

    def test_a_code_searched_with_a_filter_stays_on_the_list(self):
        response = self.get(q="5.1.1", **{"class": "5"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "/codes/5.1.1/")

    def test_a_code_without_entry_points_to_its_digits_and_lists_its_family(self):
        response = self.get(q="5.1.99")
        self.assertContains(response, "has no entry yet")
        self.assertContains(response, 'href="/codes/5.1.99/"')
        self.assertContains(response, 'href="/codes/5.1.1/"')

    def test_words_find_entries_with_the_words_marked(self):
        response = self.get(q="mailbox full")
        self.assertContains(response, "<mark>Mailbox</mark> <mark>full</mark>", html=False)
        self.assertContains(response, "2 entries")

    def test_a_mistyped_search_says_what_it_searched_for(self):
        response = self.get(q="mialbox ful")
        self.assertContains(response, "these are the results for <strong>mailbox full</strong>")
        self.assertContains(response, "/codes/5.2.2/")

    def test_a_hostile_query_is_escaped_and_marks_never_break_entities(self):
        response = self.get(q='<script>alert("x")</script> amp quota')
        body = response.content.decode()
        self.assertNotIn("<script>alert", body)
        self.assertIn("&lt;script&gt;", body)
        self.assertNotIn("&<mark>", body)
        self.assertIn("<mark>quota</mark> &amp; more", body)

    def test_filters_narrow_the_results(self):
        self.assertContains(self.get(q="mailbox", **{"class": "4"}), "/codes/4.2.2/")
        self.assertNotContains(self.get(q="mailbox", **{"class": "4"}), "/codes/5.2.2/")
        self.assertContains(self.get(category="mailbox-full"), "1 entry")
        self.assertContains(self.get(provider="gmail"), "/codes/5.2.2/")
        self.assertContains(self.get(kind="basic"), "/codes/550/")
        self.assertNotContains(self.get(kind="basic"), "/codes/5.1.1/")
        self.assertNotContains(self.get(severity="transient"), "/codes/5.2.2/")
        self.assertContains(self.get(standing="rfc"), "/codes/550/")

    def test_invalid_filter_values_list_nothing_and_say_why(self):
        response = self.get(q="mailbox", **{"class": "9", "provider": "nope", "kind": "<b>"})
        self.assertEqual(response.status_code, 200)
        page = page_text(response)
        self.assertIn("“9” is no class", page)
        self.assertIn("There is no provider “nope”", page)
        self.assertNotIn("/codes/5.2.2/", page)
        self.assertNotContains(response, "<b>")

    def test_an_oversized_query_is_refused_politely(self):
        response = self.get(q="x" * 501)
        self.assertContains(response, "Search for at most 500 characters")

    def test_nothing_found_suggests_a_spelling_and_close_codes(self):
        # Too far from "mailbox" to be respelled on its own, close enough to suggest.
        response = self.get(q="mallbx")
        self.assertContains(response, "Nothing matches “mallbx”")
        self.assertContains(response, 'Did you mean <a href="/codes/?q=mailbox">mailbox</a>?')
        page = page_text(self.get(q="5.9.11"))
        self.assertIn("Codes that look alike", page)
        self.assertIn("5.1.1", page)

    def test_filters_survive_paging(self):
        for number in range(30):
            make_code(f"4.7.{number + 100}", title=f"Vendor code {number}", standing=Code.Standing.VENDOR)
        Code.objects.rebuild_search_index()
        response = self.get(q="4.7.", standing="vendor")
        self.assertContains(response, "page=2")
        self.assertContains(response, "standing=vendor")
        self.assertContains(response, "q=4.7.")

    def test_a_pasted_reply_line_is_offered_to_the_analyser(self):
        reply = "550 5.1.1 <bob@example.org>: Recipient address rejected: mailbox full"
        response = self.get(q=reply)
        self.assertContains(response, 'action="/analyze/#outcome" method="post"')
        self.assertContains(response, f'<input type="hidden" name="text" value="{reply.replace("<", "&lt;").replace(">", "&gt;")}">')
        analysed = self.client.post(reverse("analyze"), {"text": reply})
        self.assertContains(analysed, "bob@example.org")

    def test_words_alone_are_not_offered_to_the_analyser(self):
        for q in ["mailbox full", "550 mailbox", "5.7.26 gmail"]:
            with self.subTest(q=q):
                self.assertNotContains(self.get(q=q), 'action="/analyze/')

    def test_the_search_box_keeps_the_query_and_takes_the_slash_key(self):
        response = self.get(q="mailbox full")
        self.assertContains(response, 'value="mailbox full"')
        self.assertContains(response, 'data-focus-key="/"')

    def test_a_word_search_costs_a_fixed_number_of_queries(self):
        self.get(q="mailbox full")  # the first search of a process builds its index and reads the filters' options
        # Without filters the index answers: the content's token (1) alone.
        for params in [{"q": "mailbox full"}, {"q": "mialbox full"}, {"q": "5.2.2 4.2.2"}]:
            with self.subTest(**params), self.assertNumQueries(1):
                self.get(**params)
        # Filters ask the database: the token (1), how many entries (1), and the page of them (1).
        for params in [{"q": "mailbox full", "severity": "permanent"}, {"q": "mailbox", "category": "mailbox-full"}]:
            with self.subTest(**params), self.assertNumQueries(3):
                self.get(**params)
        # One code goes straight to its entry: the token alone.
        with self.assertNumQueries(1):
            self.get(q="5.1.1")

    def test_browsing_costs_a_fixed_number_of_queries_whatever_the_page(self):
        self.get(kind="basic")  # the first page of a process reads the filters' options, kept until a change
        # The content's token (and with a filter, how many entries and the page of them);
        # then the token alone, for the page kept in the cache with it (kb/page_cache.py).
        for params, queries in [({}, 1), ({"page": 2}, 1), ({"category": "mailbox-full", "page": 1}, 3)]:
            with self.subTest(**params), self.assertNumQueries(queries):
                self.get(**params)
            with self.subTest(**params), self.assertNumQueries(1):
                self.get(**params)


class SearchApiTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_code("550", title="Mailbox unavailable")
        make_code("5.1.1", title="Recipient address does not exist")
        make_code("5.2.2", title="Mailbox full")
        make_code("4.2.2", title="Mailbox full, will retry")
        Code.objects.rebuild_search_index()

    def get(self, **params):
        return self.client.get(reverse("api_code_list"), params)

    def test_it_ranks_like_the_page_and_never_redirects(self):
        data = self.get(q="550 5.1.1").json()
        self.assertEqual([r["code"] for r in data["results"]], ["5.1.1", "550"])
        self.assertEqual(set(data), {"count", "next", "previous", "results"})
        self.assertEqual(set(data["results"][0]), {"code", "kind", "title", "severity", "url"})

    def test_words_and_filters_work_as_on_the_page(self):
        data = self.get(q="mailbox full", severity="permanent").json()
        self.assertEqual([r["code"] for r in data["results"]], ["5.2.2"])

    def test_invalid_filters_are_a_json_400_naming_them(self):
        response = self.get(q="mailbox", **{"class": "7"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("class", response.json()["errors"])

    def test_a_search_costs_a_fixed_number_of_queries(self):
        self.get(q="mailbox")  # the first search of a process builds its search index
        # Without filters the index answers: the content's token alone, searching or browsing.
        with self.assertNumQueries(1):
            self.get(q="mailbox full")
        with self.assertNumQueries(1):
            self.get()
        # A filter asks the database too: how many entries, the page of them.
        with self.assertNumQueries(3):
            self.get(q="mailbox", kind="basic")


class PublishedSearchPagesTests(KnowledgeBaseTestCase):

    def test_the_home_page_search_box_finds_any_code_however_typed(self):
        home = self.client.get(reverse("home"))
        self.assertContains(home, 'action="/codes/"')
        for q, entry in [("5726", "5.7.26"), ("550 5.7.26", "5.7.26"), ("550-5.7.26", "5.7.26"), ("5.7.509", "5.7.509")]:
            with self.subTest(q=q):
                self.assertRedirects(self.client.get(reverse("code_list"), {"q": q}), f"/codes/{entry}/")

    def test_the_issue_examples_list_the_right_entry_first(self):
        for q, first in [("5.7.", "5.7.0"), ("gmail spf", "5.7.27")]:
            with self.subTest(q=q):
                body = self.client.get(reverse("code_list"), {"q": q}).content.decode()
                self.assertIn(f'href="/codes/{first}/"', body.split('class="result"')[1])


class OpenSearchTests(TestCase):
    def test_every_page_offers_the_site_as_a_search_engine(self):
        response = self.client.get(reverse("home"))
        self.assertContains(response, 'rel="search" type="application/opensearchdescription+xml"')

    def test_the_description_points_at_the_search_page(self):
        response = self.client.get(reverse("opensearch"))
        self.assertEqual(response["Content-Type"], "application/opensearchdescription+xml")
        self.assertContains(response, 'template="http://testserver/codes/?q={searchTerms}"')


class SuggestApiTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_code("550", title="Mailbox unavailable")
        make_code("5.7.25", title="Reverse DNS validation failed")
        make_code("5.7.26", title="Unauthenticated email")
        make_code("5.2.2", title="Mailbox full")
        make_code("5.9.9", title="Mailbox draft", published=False)
        for number in range(12):
            make_code(f"4.4.{number + 10}", title=f"Network trouble {number}")
        Code.objects.rebuild_search_index()

    def suggest(self, q):
        response = self.client.get(reverse("api_suggest"), {"q": q})
        self.assertEqual(response.status_code, 200)
        return [s["code"] for s in response.json()["suggestions"]]

    def test_a_code_prefix_suggests_its_codes_in_order(self):
        self.assertEqual(self.suggest("5.7.2"), ["5.7.25", "5.7.26"])
        self.assertEqual(self.suggest("5726"), ["5.7.26"])

    def test_title_words_suggest_entries_drafts_left_out(self):
        self.assertEqual(self.suggest("mailbox"), ["550", "5.2.2"])
        self.assertEqual(self.suggest("mailbox fu"), ["5.2.2"])

    def test_it_suggests_at_most_eight_with_their_titles_and_links(self):
        response = self.client.get(reverse("api_suggest"), {"q": "4.4."}).json()
        self.assertEqual(len(response["suggestions"]), 8)
        self.assertEqual(response["suggestions"][0], {"code": "4.4.10", "title": "Network trouble 0", "url": "/codes/4.4.10/"})

    def test_nothing_or_nonsense_suggests_nothing(self):
        self.assertEqual(self.suggest(""), [])
        self.assertEqual(self.suggest("<script>"), [])

    def test_a_suggestion_costs_one_query(self):
        self.suggest("mail")
        with self.assertNumQueries(1):
            self.suggest("mailbox")
