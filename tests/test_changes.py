"""/changes/ and its Atom feed: the published entries' edits, read from the edit history."""

import xml.etree.ElementTree as ET

import reversion

from django.contrib.auth.models import User
from django.test import TestCase
from reversion.models import Version

from kb.models import Cause, Code
from tests.helpers import add_inline, entry_change_form, make_code

ATOM = "{http://www.w3.org/2005/Atom}"


class ChangesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = User.objects.create_superuser("erin-the-editor", "erin@example.org", "pw")
        cls.entry = make_code("5.1.1", title="Bad destination mailbox")
        Cause.objects.create(code=cls.entry, position=1, text="A typo in the address.")
        cls.draft = make_code("5.7.99", title="A draft", standing="vendor", published=False)
        Code.objects.rebuild_search_index()

    def setUp(self):
        # The editor's own client; self.client stays a visitor's.
        self.editors = self.client_class()
        self.editors.force_login(self.editor)

    def edit(self, entry, changes=None, add=None):
        entry.refresh_from_db()
        data = entry_change_form(entry, changes)
        if add:
            add_inline(data, *add[:1], **add[1])
        response = self.editors.post(f"/admin/kb/code/{entry.pk}/change/", data)
        self.assertEqual(response.status_code, 302)

    def test_it_names_the_parts_an_edit_changed_and_no_editor(self):
        self.edit(self.entry, {"summary": "New words about 5.1.1."})
        self.edit(self.entry, add=("causes", {"position": "2", "text": "The mailbox was deleted."}))
        response = self.client.get("/changes/")
        rows = [row.parts for row in response.context["page"]]
        self.assertEqual(rows, [["causes"], ["summary"]])
        self.assertContains(response, 'href="/codes/5.1.1/"')
        self.assertNotContains(response, "erin")

    def test_the_first_record_of_an_entry_is_no_change(self):
        self.edit(self.entry)  # saved unchanged: recorded as it was, and once more
        self.assertEqual(list(self.client.get("/changes/").context["page"]), [])

    def test_a_drafts_edits_stay_out_until_it_is_published(self):
        self.edit(self.draft, {"title": "Still a draft"})
        self.assertNotContains(self.client.get("/changes/"), "5.7.99")
        self.edit(self.draft, {"published": "on"})
        rows = list(self.client.get("/changes/").context["page"])
        self.assertEqual([(row.entry.code, row.parts) for row in rows], [("5.7.99", ["published"])])

    def test_a_revert_is_a_change_and_shows_at_once(self):
        self.edit(self.entry, {"title": "Oops"})
        self.assertEqual(len(self.client.get("/changes/").context["page"]), 1)
        first = Version.objects.get_for_object(self.entry).last()
        self.editors.post(f"/admin/kb/code/{self.entry.pk}/history/{first.pk}/")
        self.assertEqual([row.parts for row in self.client.get("/changes/").context["page"]], [["details"], ["details"]])

    def test_a_change_saved_by_another_process_shows_at_the_next_request(self):
        self.edit(self.entry, {"title": "Recipient address does not exist"})
        self.assertEqual(len(self.client.get("/changes/").context["page"]), 1)
        # What another app server's admin does: a revision, then a new content token in the database.
        with reversion.create_revision():
            Cause.objects.filter(code=self.entry).update(text="A typo in the domain.")
            reversion.add_to_revision(Code.objects.get(pk=self.entry.pk))
        Code.objects.rebuild_search_index()
        self.assertEqual([row.parts for row in self.client.get("/changes/").context["page"]], [["causes"], ["details"]])

    def test_an_entry_links_its_own_changes(self):
        self.edit(self.entry, {"title": "Recipient address does not exist"})
        self.assertContains(self.client.get("/codes/5.1.1/"), 'href="/changes/?code=5.1.1"')
        self.assertEqual(len(self.client.get("/changes/?code=5.1.1").context["page"]), 1)
        self.assertEqual(len(self.client.get("/changes/?code=550").context["page"]), 0)

    def test_the_feed_is_valid_atom_and_linked_from_every_page(self):
        self.edit(self.entry, {"summary": "New words about 5.1.1."})
        self.edit(self.entry, {"title": "Recipient address does not exist"})
        response = self.client.get("/changes/feed/")
        self.assertEqual(response["Content-Type"], "application/atom+xml; charset=utf-8")
        feed = ET.fromstring(response.content)
        self.assertEqual(feed.tag, f"{ATOM}feed")
        for required in ("id", "title", "updated"):
            self.assertTrue(feed.findtext(f"{ATOM}{required}"), required)
        self.assertEqual(feed.find(f"{ATOM}link[@rel='self']").get("href"), "http://testserver/changes/feed/")
        entries = feed.findall(f"{ATOM}entry")
        self.assertEqual(len(entries), 2)
        ids = [entry.findtext(f"{ATOM}id") for entry in entries]
        self.assertEqual(len(set(ids)), 2)
        for entry in entries:
            self.assertTrue(entry.findtext(f"{ATOM}title").startswith("5.1.1 Recipient address does not exist: "))
            self.assertTrue(entry.findtext(f"{ATOM}updated"))
            self.assertEqual(entry.find(f"{ATOM}link").get("href"), "http://testserver/codes/5.1.1/")
        for url in ("/", "/codes/5.1.1/", "/analyze/"):
            self.assertContains(self.client.get(url), 'rel="alternate" type="application/atom+xml"')

    def test_the_pages_query_counts(self):
        self.edit(self.entry, {"summary": "New words about 5.1.1."})
        # The content token; the entries, the versions and the revisions once per content version.
        with self.assertNumQueries(4):
            self.client.get("/changes/")
        with self.assertNumQueries(1):  # the token: the page comes from the page cache
            self.client.get("/changes/")
        with self.assertNumQueries(1):
            self.client.get("/changes/feed/")
