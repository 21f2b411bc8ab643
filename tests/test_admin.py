from django.contrib.auth.models import User
from django.test import TestCase

from kb.models import Cause, Code
from tests.helpers import ENTRY_INLINES, make_code


def inline_management(prefix, total=0):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


def code_form(**fields):
    data = {"code": "5.1.1", "title": "Bad destination mailbox", "standing": "rfc", "summary": "Unknown user.",
            "references": "RFC 3463 §3.2", "published": "on"}
    data.update(fields)
    for prefix, _ in ENTRY_INLINES:
        data.update(inline_management(prefix))
    return data


class CodeAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = User.objects.create_superuser("editor", "editor@example.org", "pw")

    def setUp(self):
        self.client.force_login(self.editor)

    def test_the_change_form_saves_a_new_title(self):
        entry = make_code("5.1.1", title="Old title")
        response = self.client.post(f"/admin/kb/code/{entry.pk}/change/", code_form(title="New title"))
        self.assertEqual(response.status_code, 302)
        entry.refresh_from_db()
        self.assertEqual(entry.title, "New title")

    def test_the_change_form_saves_causes_in_order(self):
        entry = make_code("5.1.1")
        data = code_form()
        data.update(inline_management("causes", total=2))
        data.update({"causes-0-position": "2", "causes-0-text": "Second", "causes-1-position": "1", "causes-1-text": "First"})
        self.client.post(f"/admin/kb/code/{entry.pk}/change/", data)
        self.assertEqual([c.text for c in entry.causes.all()], ["First", "Second"])

    def test_swapping_two_causes_in_one_save_keeps_both(self):
        entry = make_code("5.1.1")
        first = Cause.objects.create(code=entry, position=1, text="First")
        second = Cause.objects.create(code=entry, position=2, text="Second")
        data = code_form()
        data.update(inline_management("causes", total=2))
        data["causes-INITIAL_FORMS"] = "2"
        data.update({"causes-0-id": str(first.pk), "causes-0-code": str(entry.pk), "causes-0-position": "2",
                     "causes-0-text": "First", "causes-1-id": str(second.pk), "causes-1-code": str(entry.pk),
                     "causes-1-position": "1", "causes-1-text": "Second"})
        response = self.client.post(f"/admin/kb/code/{entry.pk}/change/", data)
        self.assertEqual(response.status_code, 302)
        self.assertEqual([c.text for c in entry.causes.all()], ["Second", "First"])

    def test_saving_marks_the_entry_as_updated(self):
        entry = make_code("5.1.1")
        before = entry.updated
        self.client.post(f"/admin/kb/code/{entry.pk}/change/", code_form())
        entry.refresh_from_db()
        self.assertGreater(entry.updated, before)

    def test_it_rejects_a_malformed_code_with_a_clear_message(self):
        response = self.client.post("/admin/kb/code/add/", code_form(code="5.1"))
        self.assertContains(response, "is not a well-formed code")
        self.assertFalse(Code.objects.exists())

    def test_it_suggests_dots_for_an_enhanced_code_written_without_them(self):
        response = self.client.post("/admin/kb/code/add/", code_form(code="5726"))
        self.assertContains(response, "Did you mean the enhanced code 5.7.26?")

    def test_it_rejects_a_1xx_code_unless_marked_as_folklore(self):
        response = self.client.post("/admin/kb/code/add/", code_form(code="101", standing="rfc"))
        self.assertContains(response, "Codes starting with 1 are no SMTP replies: mark them as folklore.")
        self.assertFalse(Code.objects.exists())

    def test_the_list_and_search_pages_work(self):
        make_code("550", title="Mailbox unavailable")
        self.assertContains(self.client.get("/admin/kb/code/"), "Mailbox unavailable")
        self.assertContains(self.client.get("/admin/kb/code/", {"q": "550"}), "Mailbox unavailable")
        self.assertContains(self.client.get("/admin/kb/code/", {"class": "5", "kind": "basic"}), "Mailbox unavailable")
        self.assertEqual(self.client.get("/admin/kb/examplereply/").status_code, 200)
