"""Public pages from the cache, with ETag and Last-Modified; what may never be kept."""

from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import TestCase

from kb.models import ExampleReply
from tests.helpers import entry_change_form, make_code


class EntryPageCacheTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.entry = make_code("5.2.2", title="Mailbox full", summary="The **mailbox** is full.")
        cls.other = make_code("5.1.1", title="Recipient unknown")
        for n in range(20):
            ExampleReply.objects.create(code=cls.other, position=n, text=f"550 5.1.1 user {n} unknown", source="x")
        cls.entry.related.add(cls.other)
        from kb.models import Code

        Code.objects.rebuild_search_index()

    def setUp(self):
        cache.clear()

    def test_an_entry_page_is_public_for_a_short_while_with_its_validators(self):
        response = self.client.get("/codes/5.2.2/")
        self.assertEqual(response.status_code, 200)
        self.assertIn("public", response["Cache-Control"])
        self.assertIn("max-age=60", response["Cache-Control"])
        self.assertIn("stale-while-revalidate=600", response["Cache-Control"])
        self.assertTrue(response["ETag"].startswith('"'))
        self.assertIn("GMT", response["Last-Modified"])

    def test_the_second_view_is_read_from_the_cache(self):
        first = self.client.get("/codes/5.1.1/")
        with self.assertNumQueries(1):  # the content's token
            second = self.client.get("/codes/5.1.1/")
        self.assertEqual(second.content, first.content)

    def test_a_conditional_get_is_answered_304_without_reading_the_page(self):
        etag = self.client.get("/codes/5.2.2/")["ETag"]
        with self.assertNumQueries(1):
            response = self.client.get("/codes/5.2.2/", headers={"if-none-match": etag})
        self.assertEqual(response.status_code, 304)
        self.assertEqual(response.content, b"")
        modified = self.client.get("/codes/5.2.2/")["Last-Modified"]
        self.assertEqual(self.client.get("/codes/5.2.2/", headers={"if-modified-since": modified}).status_code, 304)

    def test_an_edit_in_the_admin_shows_at_once_with_another_etag(self):
        before = self.client.get("/codes/5.2.2/")
        editor = User.objects.create_superuser("editor", "editor@example.org", "pw")
        self.client.force_login(editor)
        form = entry_change_form(self.entry, {"title": "Mailbox over quota"})
        self.assertEqual(self.client.post(f"/admin/kb/code/{self.entry.pk}/change/", form).status_code, 302)
        self.client.logout()
        after = self.client.get("/codes/5.2.2/", headers={"if-none-match": before["ETag"]})
        self.assertEqual(after.status_code, 200)
        self.assertContains(after, "Mailbox over quota")
        self.assertNotEqual(after["ETag"], before["ETag"])

    def test_the_api_answers_of_an_entry_and_of_providers_are_kept_and_validated_too(self):
        for path in ["/api/v1/codes/5.1.1/", "/api/v1/providers/"]:
            with self.subTest(path=path):
                first = self.client.get(path)
                self.assertIn("public", first["Cache-Control"])
                with self.assertNumQueries(1):  # the content's token
                    self.assertEqual(self.client.get(path).json(), first.json())
                self.assertEqual(self.client.get(path, headers={"if-none-match": first["ETag"]}).status_code, 304)
        type(self.entry).objects.filter(code="5.1.1").update(title="No such mailbox")
        type(self.entry).objects.rebuild_search_index()
        self.assertEqual(self.client.get("/api/v1/codes/5.1.1/").json()["title"], "No such mailbox")

    def test_related_pages_change_too_when_one_entry_changes(self):
        # 5.1.1 lists 5.2.2's title among its related codes: any change makes every kept page stale.
        self.assertContains(self.client.get("/codes/5.1.1/"), "Mailbox full")
        type(self.entry).objects.filter(pk=self.entry.pk).update(title="Quota exceeded")
        type(self.entry).objects.rebuild_search_index()
        self.assertContains(self.client.get("/codes/5.1.1/"), "Quota exceeded")

    def test_queries_do_not_grow_with_the_examples_of_an_entry(self):
        with self.assertNumQueries(7):
            self.client.get("/codes/5.2.2/")  # no examples
        with self.assertNumQueries(7):
            self.client.get("/codes/5.1.1/")  # twenty examples

    def test_a_signed_in_editor_gets_a_fresh_private_page(self):
        self.client.get("/codes/5.2.2/")
        self.client.force_login(User.objects.create_user("staff", password="pw", is_staff=True))
        response = self.client.get("/codes/5.2.2/")
        self.assertIn("private", response["Cache-Control"])
        self.assertIn("no-store", response["Cache-Control"])
        self.assertFalse(response.has_header("ETag"))

    def test_the_home_page_and_the_code_list_are_kept_too(self):
        for url in ["/", "/codes/", "/codes/?class=5"]:
            with self.subTest(url=url):
                self.client.get(url)
                with self.assertNumQueries(1):
                    response = self.client.get(url)
                self.assertTrue(response.has_header("ETag"))


class NeverKeptTests(TestCase):
    def test_pages_with_a_form_that_posts_are_never_kept(self):
        for response in [self.client.get("/analyze/"), self.client.post("/analyze/", {"text": "550 5.1.1 unknown"})]:
            with self.subTest(method=response.request["REQUEST_METHOD"]):
                self.assertIn("no-store", response["Cache-Control"])
                self.assertIn("private", response["Cache-Control"])

    def test_the_admin_is_never_kept(self):
        self.client.force_login(User.objects.create_superuser("editor", "editor@example.org", "pw"))
        self.assertIn("no-store", self.client.get("/admin/")["Cache-Control"])

    def test_health_checks_are_never_kept(self):
        self.assertIn("no-store", self.client.get("/healthz")["Cache-Control"])
