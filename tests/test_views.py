from django.test import TestCase
from django.utils.html import escape
from django.urls import reverse

from kb.models import Code
from tests.helpers import KB_FIXTURES, make_code, page_text


class PublishedEntryPagesTests(TestCase):
    fixtures = KB_FIXTURES

    def test_every_published_entry_renders_with_its_sections(self):
        for entry in Code.objects.published():
            with self.subTest(code=entry.code):
                response = self.client.get(entry.get_absolute_url())
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, escape(entry.title))
                if entry.causes.exists():
                    self.assertContains(response, "Why it happens")
                if entry.steps.exists():
                    self.assertContains(response, "What to do")

    def test_the_home_page_offers_search_and_classes(self):
        response = self.client.get(reverse("home"))
        self.assertContains(response, 'name="q"')
        self.assertContains(response, "Browse by class")
        self.assertContains(response, "5xx")

    def test_the_code_list_shows_every_published_entry_across_its_pages(self):
        listed, page = "", 1
        while True:
            response = self.client.get(reverse("code_list"), {"page": page})
            self.assertEqual(response.status_code, 200)
            listed += response.content.decode()
            if 'rel="next"' not in response.content.decode():
                break
            page += 1
        for entry in Code.objects.published():
            self.assertIn(f'href="{entry.get_absolute_url()}"', listed)

    def test_a_search_query_does_not_break_the_list(self):
        response = self.client.get(reverse("code_list"), {"q": "mailbox full"})
        self.assertEqual(response.status_code, 200)
        response = self.client.get(reverse("code_list"), {"q": "<script>"})
        self.assertNotContains(response, "<script>")

    def test_441_says_it_is_transient_and_not_a_mailbox_error(self):
        page = page_text(self.client.get(reverse("code_detail", args=["441"])))
        self.assertIn("Transient · soft bounce", page)
        self.assertIn("not an unknown recipient", page)
        self.assertIn("Exchange", page)


class EntryPageTests(TestCase):
    def test_markdown_in_an_entry_is_rendered_and_sanitised(self):
        make_code("550", summary="**Bold** <script>alert(1)</script>")
        response = self.client.get(reverse("code_detail", args=["550"]))
        self.assertContains(response, "<strong>Bold</strong>", html=True)
        self.assertNotContains(response, "<script>alert")

    def test_an_unpublished_entry_is_not_shown(self):
        make_code("551", published=False, title="Draft title")
        response = self.client.get(reverse("code_detail", args=["551"]))
        self.assertEqual(response.status_code, 404)
        self.assertNotContains(response, "Draft title", status_code=404)

    def test_a_code_with_stray_zeros_redirects_to_its_canonical_address(self):
        response = self.client.get("/codes/5.01.001/")
        self.assertRedirects(response, "/codes/5.1.1/", status_code=301, target_status_code=404)


class MissingEntryTests(TestCase):
    def test_a_well_formed_code_without_entry_gets_a_helpful_404(self):
        make_code("5.1.1", title="Bad destination mailbox address")
        make_code("5.1.2", title="Bad destination system address")
        response = self.client.get(reverse("code_detail", args=["5.1.99"]))
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "Permanent failure", status_code=404)
        self.assertContains(response, "Addressing status", status_code=404)
        self.assertContains(response, "/codes/5.1.1/", status_code=404)
        self.assertContains(response, "/codes/5.1.2/", status_code=404)

    def test_an_unknown_basic_code_points_to_its_neighbours(self):
        make_code("550")
        response = self.client.get(reverse("code_detail", args=["559"]))
        self.assertContains(response, "Permanent negative completion", status_code=404)
        self.assertContains(response, "/codes/550/", status_code=404)

    def test_a_malformed_code_gets_a_404_that_explains_the_syntax(self):
        response = self.client.get(reverse("code_detail", args=["hello"]))
        self.assertContains(response, "is not an SMTP code", status_code=404)


class HealthzTests(TestCase):
    def test_it_answers_ok_without_touching_the_database(self):
        with self.assertNumQueries(0):
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"ok")
