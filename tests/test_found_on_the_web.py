"""Found on the web: sitemap.xml, robots.txt, canonical links, meta descriptions and Open Graph tags."""

import re
from xml.etree import ElementTree

from django.core.cache import cache
from django.test import TestCase

from kb.models import Code, Provider
from tests.helpers import make_code

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def meta(response, attribute, name):
    """The content of <meta attribute="name" content="…">, or None."""
    found = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', response.content.decode())
    return found and found.group(1)


class FoundOnTheWebTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_code("5.2.2", title="Mailbox full", summary="The recipient's **mailbox** is over its quota & refuses mail.")
        make_code("5.7.99", title="A draft", published=False)
        Provider.objects.create(slug="gmail", name="Gmail", summary="Google's mail service, for people and *companies*.")
        Provider.objects.create(slug="exim", name="Exim")
        Code.objects.rebuild_search_index()

    def setUp(self):
        cache.clear()

    def sitemap_urls(self):
        response = self.client.get("/sitemap.xml")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/xml")
        tree = ElementTree.fromstring(response.content)
        return [loc.text for loc in tree.findall("s:url/s:loc", SITEMAP_NS)]

    def test_the_sitemap_lists_published_entries_providers_and_the_main_pages(self):
        urls = self.sitemap_urls()
        for path in ["/", "/codes/", "/providers/", "/analyze/", "/api/", "/codes/5.2.2/",
                     "/providers/gmail/", "/providers/exim/"]:
            self.assertIn(f"http://testserver{path}", urls)
        self.assertEqual(len(urls), len(set(urls)))

    def test_drafts_are_never_in_the_sitemap(self):
        self.assertNotIn("http://testserver/codes/5.7.99/", self.sitemap_urls())

    def test_a_published_change_shows_in_the_sitemap_at_once(self):
        self.sitemap_urls()  # kept in the page cache now
        Code.objects.filter(code="5.7.99").update(published=True)
        Code.objects.rebuild_search_index()
        self.assertIn("http://testserver/codes/5.7.99/", self.sitemap_urls())

    def test_the_sitemap_is_served_from_the_page_cache(self):
        self.client.get("/sitemap.xml")
        with self.assertNumQueries(1):  # the content's token, as for every kept page
            self.assertEqual(self.client.get("/sitemap.xml").status_code, 200)

    def test_robots_points_at_the_sitemap_and_keeps_crawlers_out_of_the_admin(self):
        response = self.client.get("/robots.txt")
        self.assertEqual(response["Content-Type"], "text/plain")
        lines = response.content.decode().splitlines()
        self.assertIn("Disallow: /admin/", lines)
        self.assertIn("Sitemap: http://testserver/sitemap.xml", lines)

    def test_an_entry_has_its_own_description_canonical_link_and_open_graph_tags(self):
        response = self.client.get("/codes/5.2.2/")
        description = meta(response, "name", "description")
        # The summary as plain text: no markdown, one escaping of the ampersand.
        self.assertEqual(description, "5.2.2: Mailbox full. The recipient&#x27;s mailbox is over its quota &amp; refuses mail.")
        self.assertContains(response, '<link rel="canonical" href="http://testserver/codes/5.2.2/">', html=True)
        self.assertEqual(meta(response, "property", "og:url"), "http://testserver/codes/5.2.2/")
        self.assertEqual(meta(response, "property", "og:title"), "5.2.2 Mailbox full")
        self.assertEqual(meta(response, "property", "og:description"), description)
        self.assertEqual(meta(response, "property", "og:type"), "article")
        self.assertEqual(meta(response, "property", "og:site_name"), "smtp-kb")

    def test_a_provider_page_has_its_description_and_canonical_link(self):
        response = self.client.get("/providers/gmail/")
        self.assertEqual(meta(response, "name", "description"), "Google&#x27;s mail service, for people and companies.")
        self.assertEqual(meta(response, "property", "og:url"), "http://testserver/providers/gmail/")
        self.assertEqual(meta(response, "property", "og:type"), "website")
        # Without a summary, a sentence naming the provider.
        self.assertIn("Exim", meta(self.client.get("/providers/exim/"), "name", "description"))

    def test_a_search_page_is_canonical_without_its_query(self):
        response = self.client.get("/codes/?q=mailbox+full")
        self.assertEqual(meta(response, "property", "og:url"), "http://testserver/codes/")

    def test_a_long_summary_is_cut_at_a_word(self):
        make_code("5.3.4", title="Too big", summary="word " * 100)
        Code.objects.rebuild_search_index()
        description = meta(self.client.get("/codes/5.3.4/"), "name", "description")
        self.assertTrue(description.endswith("word…"))
        self.assertLess(len(description), 200)
