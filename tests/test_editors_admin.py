"""The admin made for this content: preview, checks, needs attention, the feedback queue."""

from django.contrib.auth.models import Group, User
from django.test import TestCase

from kb.models import Code, ExampleReply, Feedback, ResolutionStep, SearchPhrase
from tests.helpers import entry_change_form, make_code


def editor(username="erin"):
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


class PreviewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = editor()
        cls.draft = make_code("5.7.99", title="A vendor's draft", standing="vendor", published=False)
        cls.entry = make_code("5.1.1", title="Bad destination mailbox")
        ResolutionStep.objects.create(code=cls.entry, position=1, text="Check the address.", audience="sender")
        Code.objects.rebuild_search_index()

    def test_a_draft_is_hidden_from_the_public_everywhere(self):
        self.assertEqual(self.client.get("/codes/5.7.99/").status_code, 404)
        self.assertEqual(self.client.get("/api/v1/codes/5.7.99/").status_code, 404)
        self.assertNotContains(self.client.get("/codes/"), "5.7.99")
        self.assertNotContains(self.client.get("/codes/?q=vendor+draft"), "5.7.99")
        self.assertNotIn("5.7.99", str(self.client.get("/api/v1/codes/?q=draft").json()))
        self.assertEqual(self.client.get("/api/v1/suggest?q=5.7.9").json()["suggestions"], [])

    def test_the_preview_is_for_staff_only(self):
        response = self.client.get(f"/admin/kb/code/{self.draft.pk}/preview/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])

    def test_staff_preview_a_draft_as_its_page_will_be(self):
        self.client.force_login(self.editor)
        response = self.client.get(f"/admin/kb/code/{self.draft.pk}/preview/")
        self.assertContains(response, "A vendor&#x27;s draft")
        self.assertContains(response, "visitors cannot see this entry")
        self.assertIn("no-store", response["Cache-Control"])
        self.assertEqual(response["X-Robots-Tag"], "noindex")
        self.assertTemplateUsed(response, "kb/code_detail.html")

    def test_previewing_an_unsaved_change_saves_nothing(self):
        self.client.force_login(self.editor)
        data = entry_change_form(self.entry, {"title": "A new title", "steps-0-text": "Read the address aloud."})
        response = self.client.post(f"/admin/kb/code/{self.entry.pk}/preview/", data)
        self.assertContains(response, "A new title")
        self.assertContains(response, "Read the address aloud.")
        self.assertContains(response, "Unsaved changes to a published entry")
        self.entry.refresh_from_db()
        self.assertEqual(self.entry.title, "Bad destination mailbox")
        self.assertEqual(self.entry.steps.get().text, "Check the address.")
        self.assertEqual(self.client.get("/codes/5.1.1/").context["entry"].title, "Bad destination mailbox")

    def test_a_new_entry_is_previewed_from_its_add_form_and_not_created(self):
        self.client.force_login(self.editor)
        data = entry_change_form(self.draft, {"code": "5.7.98", "title": "Not yet written"})
        for prefix in ("causes", "steps", "examples", "phrases"):
            data[f"{prefix}-INITIAL_FORMS"] = "0"
        data.pop("published", None)
        response = self.client.post("/admin/kb/code/preview/", data)
        self.assertContains(response, "Not yet written")
        self.assertFalse(Code.objects.filter(code="5.7.98").exists())

    def test_a_form_with_errors_says_why_it_cannot_be_previewed(self):
        self.client.force_login(self.editor)
        response = self.client.post(f"/admin/kb/code/{self.entry.pk}/preview/", entry_change_form(self.entry, {"code": "5.1"}))
        self.assertContains(response, "cannot make a page yet", status_code=400)

    def test_the_change_form_has_preview_and_the_entrys_checks(self):
        self.client.force_login(self.editor)
        response = self.client.get(f"/admin/kb/code/{self.entry.pk}/change/")
        self.assertContains(response, f'formaction="/admin/kb/code/{self.entry.pk}/preview/"')
        self.assertContains(response, "1 resolution steps, needs at least 3")
        self.assertContains(response, "smtp-kb editors")
        self.assertContains(response, 'data-markdown-url="/admin/kb/code/markdown/"')

    def test_the_summary_preview_renders_sanitised_markdown(self):
        self.client.force_login(self.editor)
        response = self.client.post("/admin/kb/code/markdown/", {"text": "**Bold** <script>alert(1)</script>"})
        self.assertIn("<strong>Bold</strong>", response.json()["html"])
        self.assertNotIn("<script>", response.json()["html"])

    def test_needs_attention_lists_failing_entries_drafts_and_open_feedback(self):
        Feedback.objects.create(kind="match", entry=self.entry, text="550 5.1.1 User unknown")
        self.client.force_login(self.editor)
        with self.assertNumQueries(16):  # session, user, 2 permissions, the checks (9), feedback, drafts
            response = self.client.get("/admin/kb/code/needs-attention/")
        self.assertContains(response, "1 resolution steps, needs at least 3")
        self.assertContains(response, "A vendor&#x27;s draft")
        self.assertContains(response, f"entry__id__exact={self.entry.pk}")


class FeedbackQueueTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = editor()
        cls.entry = make_code("5.1.1", title="Bad destination mailbox")
        cls.item = Feedback.objects.create(kind="match", entry=cls.entry, text="550 5.1.1 <[email]>: User unknown", status_code="5.1.1",
                                           reason="userunknown", advice="suppress")
        cls.done = Feedback.objects.create(kind="entry", entry=cls.entry, helpful=True, status="done")

    def setUp(self):
        self.client.force_login(self.editor)

    def test_editors_filter_the_queue(self):
        response = self.client.get("/admin/kb/feedback/?status__exact=open")
        self.assertEqual(list(response.context["cl"].result_list), [self.item])
        response = self.client.get("/admin/kb/feedback/?reason=userunknown")
        self.assertEqual(list(response.context["cl"].result_list), [self.item])
        response = self.client.get(f"/admin/kb/feedback/?kind__exact=entry&entry__id__exact={self.entry.pk}")
        self.assertEqual(list(response.context["cl"].result_list), [self.done])

    def test_editors_mark_items_done_but_never_write_them(self):
        self.client.post("/admin/kb/feedback/", {"action": "mark_done", "_selected_action": [self.item.pk]})
        self.item.refresh_from_db()
        self.assertEqual(self.item.status, "done")
        self.assertEqual(self.client.get("/admin/kb/feedback/add/").status_code, 403)
        self.client.post(f"/admin/kb/feedback/{self.item.pk}/change/", {"status": "open", "text": "rewritten"})
        self.item.refresh_from_db()
        self.assertEqual((self.item.status, self.item.text), ("open", "550 5.1.1 <[email]>: User unknown"))

    def test_an_item_prefills_a_new_example_reply_for_its_entry(self):
        response = self.client.post("/admin/kb/feedback/", {"action": "new_example", "_selected_action": [self.item.pk]})
        form = self.client.get(response["Location"]).context["adminform"].form
        self.assertEqual((form.initial["code"], form.initial["text"], form.initial["position"]),
                         (str(self.entry.pk), self.item.text, 1))
        self.assertIn(f"Visitor feedback #{self.item.pk}", form.initial["source"])

    def test_an_item_prefills_a_new_search_phrase_and_saving_it_rebuilds_search(self):
        response = self.client.post("/admin/kb/feedback/", {"action": "new_phrase", "_selected_action": [self.item.pk]})
        self.assertIn("/admin/kb/searchphrase/add/", response["Location"])
        saved = self.client.post("/admin/kb/searchphrase/add/", {"code": self.entry.pk, "position": 1, "text": "user unknown"})
        self.assertEqual(saved.status_code, 302)
        self.assertEqual(SearchPhrase.objects.get().code, self.entry)
        self.assertEqual([e.code for e in Code.objects.search("user unknown")], ["5.1.1"])

    def test_an_action_needs_exactly_one_item_with_an_entry(self):
        response = self.client.post("/admin/kb/feedback/", {"action": "new_example", "_selected_action": [self.item.pk, self.done.pk]}, follow=True)
        self.assertContains(response, "Select one item")
        self.assertFalse(ExampleReply.objects.exists())

    def test_the_queue_query_counts(self):
        with self.assertNumQueries(12):  # session, user, 2 permissions, entry filter, 2 counts, the page, 2 date levels, reasons, advice
            self.client.get("/admin/kb/feedback/?status__exact=open")
