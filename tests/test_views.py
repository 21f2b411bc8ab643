import re

from django.test import RequestFactory, TestCase
from django.utils.html import escape
from django.urls import reverse
from django.views.defaults import server_error

from kb.models import Code, ExampleReply, Provider, ResolutionStep
from tests.helpers import KnowledgeBaseTestCase, make_code, page_text


class PublishedEntryPagesTests(KnowledgeBaseTestCase):

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


class EntryAtAGlanceTests(TestCase):
    def glance(self, code):
        html = self.client.get(reverse("code_detail", args=[code])).content.decode()
        return " ".join(html[html.index('<section class="glance'):html.index("</section>", html.index('class="glance'))].split())

    def test_it_says_hard_or_soft_and_whether_to_retry_for_each_class(self):
        for code, badge, retry in [("550", "Permanent · hard bounce", "<strong>No.</strong>"),
                                   ("421", "Transient · soft bounce", "<strong>Automatically.</strong>"),
                                   ("250", "Success", "<strong>Nothing to retry.</strong>"),
                                   ("354", "Intermediate", "<strong>Not yet.</strong>"),
                                   ("101", "Not an SMTP reply", "<strong>Depends on the program.</strong>")]:
            with self.subTest(code=code):
                make_code(code, standing=Code.Standing.FOLKLORE if code == "101" else Code.Standing.RFC)
                glance = self.glance(code)
                self.assertIn(badge, glance)
                self.assertIn(retry, glance)

    def test_who_can_fix_it_links_to_each_audience_in_the_editors_order(self):
        entry = make_code("5.7.26")
        for position, audience in enumerate(["sender-admin", "sender", "sender-admin"], start=1):
            ResolutionStep.objects.create(code=entry, position=position, audience=audience, text="Do it.")
        glance = self.glance("5.7.26")
        self.assertIn('<dt>Who can fix it</dt><dd><ul class="inline-list"><li><a href="#for-sender-admin">The sending mail admin</a></li>'
                      '<li><a href="#for-sender">The sender</a></li></ul>', glance)

    def test_who_can_fix_it_is_left_out_without_steps(self):
        make_code("550")
        self.assertNotIn("Who can fix it", self.glance("550"))


class EntryStepsTests(TestCase):
    def test_steps_keep_the_editors_order_in_runs_per_audience_numbered_throughout(self):
        entry = make_code("550")
        for position, audience in enumerate(["sender", "sender-admin", "sender-admin", "sender"], start=1):
            ResolutionStep.objects.create(code=entry, position=position, audience=audience, text=f"Step {position}.")
        html = self.client.get(reverse("code_detail", args=["550"])).content.decode()
        headings = re.findall(r'<h3 class="audience[^"]*"(?: id="([\w-]+)")?>([^<]+)</h3>', html)
        self.assertEqual(headings, [("for-sender", "For the sender"), ("for-sender-admin", "For the sending mail admin"),
                                    ("", "For the sender")])
        self.assertEqual(re.findall(r'<ol class="steps" start="(\d+)">', html), ["1", "2", "4"])
        self.assertLess(html.index("Step 3."), html.index("Step 4."))

    def test_steps_without_an_audience_get_no_heading(self):
        entry = make_code("550")
        ResolutionStep.objects.create(code=entry, position=1, text="Step for anyone.")
        html = self.client.get(reverse("code_detail", args=["550"])).content.decode()
        self.assertIn("Step for anyone.", html)
        self.assertNotIn('<h3 class="audience', html)


class EntryLinkAndExamplesTests(TestCase):
    def test_the_entry_gives_its_full_address_to_copy_and_as_canonical(self):
        make_code("5.1.1")
        response = self.client.get("/codes/5.1.1/")
        self.assertContains(response, '<link rel="canonical" href="http://testserver/codes/5.1.1/">', html=True)
        self.assertContains(response, '<a href="http://testserver/codes/5.1.1/" data-copy-link>http://testserver/codes/5.1.1/</a>',
                            html=True)

    def test_the_page_lists_only_the_sections_it_has(self):
        entry = make_code("550", references="RFC 5321 §4.2.3")
        ResolutionStep.objects.create(code=entry, position=1, text="Do it.")
        html = self.client.get(reverse("code_detail", args=["550"])).content.decode()
        toc = html[html.index('<nav class="toc"'):html.index("</nav>", html.index('<nav class="toc"'))]
        self.assertEqual(re.findall(r'href="#([\w-]+)"', toc), ["steps", "references"])

    def test_replies_of_named_providers_come_first_with_an_index_when_there_are_many(self):
        entry = make_code("550")
        ExampleReply.objects.create(code=entry, position=1, source="x", text="550 from an unnamed server")
        for position, name in enumerate(["Yahoo", "Gmail", "Mail.ru"], start=2):
            provider = Provider.objects.create(slug=name.lower().replace(".", ""), name=name)
            ExampleReply.objects.create(code=entry, position=position, source="x", text=f"550 from {name}", provider=provider)
        html = self.client.get(reverse("code_detail", args=["550"])).content.decode()
        order = [html.index(f"550 from {name}") for name in ["Gmail", "Mail.ru", "Yahoo", "an unnamed server"]]
        self.assertEqual(order, sorted(order))
        self.assertIn('<nav class="provider-index"', html)
        self.assertIn('href="#from-mailru"', html)
        self.assertIn('id="from-mailru"', html)

    def test_a_long_source_is_a_link_only_when_it_is_a_url(self):
        entry = make_code("550")
        ExampleReply.objects.create(code=entry, position=1, source="https://example.org/a", text="550 one")
        ExampleReply.objects.create(code=entry, position=2, source="corpus/bsd/x.eml", text="550 two")
        response = self.client.get(reverse("code_detail", args=["550"]))
        self.assertContains(response, '<a href="https://example.org/a">https://example.org/a</a>', html=True)
        self.assertNotContains(response, 'href="corpus/bsd/x.eml"')


    def test_a_localised_reply_says_its_language_and_is_marked_for_screen_readers(self):
        entry = make_code("550")
        ExampleReply.objects.create(code=entry, position=1, source="x", text="550 Benutzer unbekannt", language="de")
        ExampleReply.objects.create(code=entry, position=2, source="x", text="550 User unknown")
        html = page_text(self.client.get(reverse("code_detail", args=["550"])))
        self.assertIn('<pre lang="de"><code>550 Benutzer unbekannt</code></pre>', html)
        self.assertIn('<span class="example-language">In German</span>', html)
        self.assertEqual(html.count("example-language"), 1)

    def test_an_unknown_language_tag_is_shown_as_written(self):
        entry = make_code("550")
        ExampleReply.objects.create(code=entry, position=1, source="x", text="550 nope", language="xx-yy")
        self.assertContains(self.client.get(reverse("code_detail", args=["550"])),
                            '<span class="example-language">In xx-yy</span>', html=True)


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


class ErrorPageTests(TestCase):
    def test_a_missing_page_offers_a_search_and_the_site_navigation(self):
        response = self.client.get("/no/such/page/")
        self.assertContains(response, "Page not found", status_code=404)
        self.assertContains(response, '<form class="big-search" role="search"', status_code=404)
        self.assertContains(response, 'aria-label="Main"', status_code=404)

    def test_the_server_error_page_has_the_site_frame_and_a_way_on(self):
        response = server_error(RequestFactory().get("/"))
        self.assertEqual(response.status_code, 500)
        html = response.content.decode()
        self.assertIn('<link rel="stylesheet"', html)
        self.assertIn('role="search"', html)
        self.assertIn(f'href="{reverse("analyze")}"', html)

    def test_a_missing_code_offers_a_search_filled_with_it(self):
        response = self.client.get(reverse("code_detail", args=["5.1.99"]))
        self.assertContains(response, 'value="5.1.99 "', status_code=404)


class HealthzTests(TestCase):
    def test_it_answers_ok_without_touching_the_database(self):
        with self.assertNumQueries(0):
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"ok")
