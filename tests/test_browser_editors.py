"""The editors' loop in a real Chromium: ordering steps by dragging and by keyboard, and visitors' feedback."""

import importlib
from types import SimpleNamespace

from django.apps import apps
from django.contrib.auth.models import Group, User
from django.db import connection

from kb.models import Code, Feedback, ResolutionStep
from tests.helpers import make_code
from tests.test_browser import REPLY, ChromiumTestCase

STEPS = ["Check the address for typos.", "Ask the recipient for a current address.", "Remove the address from your list."]


def restore_editors_group():
    """The Editors group as the migrations make it: a live-server test empties the database, the group too."""
    schema_editor = SimpleNamespace(connection=connection)
    importlib.import_module("kb.migrations.0003_editors").create_editors(apps, schema_editor)
    importlib.import_module("kb.migrations.0008_feedback").grant(apps, schema_editor)


class EditorBrowserTests(ChromiumTestCase):
    def setUp(self):
        super().setUp()
        self.entry = make_code("5.1.1", title="Bad destination mailbox", summary="Permanent. " * 30)
        make_code("550", title="Mailbox unavailable", summary="Permanent. " * 30)
        for position, text in enumerate(STEPS, 1):
            ResolutionStep.objects.create(code=self.entry, position=position, text=text, audience="sender")
        Code.objects.rebuild_search_index()

    def sign_in_as_editor(self):
        restore_editors_group()
        user = User.objects.create_user("erin", password="a long test password", is_staff=True)
        user.groups.add(Group.objects.get(name="Editors"))
        self.open("/admin/login/")
        self.page.fill("#id_username", "erin")
        self.page.fill("#id_password", "a long test password")
        self.page.click("input[type=submit]")
        self.page.wait_for_selector("#site-name")

    def public_steps(self):
        page = self.browser.new_page()  # a visitor: no session
        self.addCleanup(page.close)
        page.goto(f"{self.live_server_url}/codes/5.1.1/")
        return [text.strip() for text in page.locator("ol.steps li").all_text_contents()]

    def open_change_form(self):
        self.open(f"/admin/kb/code/{self.entry.pk}/change/")
        self.page.wait_for_load_state("load")  # sortable2 starts on window load
        return self.page.locator("#steps-group tr.has_original td.original p")

    def save(self):
        self.page.click("input[name=_continue]")
        self.page.wait_for_selector(".messagelist .success")

    def test_an_editor_drags_a_step_to_the_top_and_the_public_page_follows(self):
        self.assertEqual(self.public_steps(), STEPS)
        self.sign_in_as_editor()
        handles = self.open_change_form()
        handles.nth(2).drag_to(handles.nth(0), target_position={"x": 5, "y": 2})
        self.save()
        self.assertEqual(self.public_steps(), [STEPS[2], STEPS[0], STEPS[1]])
        self.assertEqual(self.errors, [])

    def test_an_editor_moves_a_step_with_the_keyboard(self):
        self.sign_in_as_editor()
        handles = self.open_change_form()
        handles.nth(0).focus()
        self.page.keyboard.press("ArrowDown")
        self.assertEqual(self.page.text_content("#kb-order-status"), "Moved to position 2 of 3.")
        self.assertEqual(self.page.evaluate("document.activeElement.closest('tr').id"), "steps-0")  # focus stays on it
        self.save()
        self.assertEqual(self.public_steps(), [STEPS[1], STEPS[0], STEPS[2]])

    def test_the_summary_preview_follows_typing(self):
        self.sign_in_as_editor()
        self.open_change_form()
        self.page.fill("#id_summary", "A **bold** claim.")
        self.page.wait_for_selector(".kb-markdown-preview strong:has-text('bold')")

    def test_a_visitor_reports_a_wrong_match_in_two_clicks_without_leaking_the_address(self):
        self.open("/analyze/")
        self.page.fill("textarea", f"Subject: private matters\n\n{REPLY}")
        self.page.click("button:has-text('Analyse')")
        self.page.click("button:has-text('Wrong or no match?')")                 # click 1
        shown = self.page.input_value("textarea[name=text]")
        self.assertIn("[email]", shown)
        self.assertNotIn("bob@example.org", self.page.content())
        self.assertEqual(Feedback.objects.count(), 0)
        self.page.click("button:has-text('Send to the editors')")                # click 2
        self.page.wait_for_selector("h1:has-text('Thank you')")
        item = Feedback.objects.get()
        self.assertEqual((item.text, item.status_code, item.entry), (shown, "5.1.1", self.entry))
        self.assertEqual(self.errors, [])

    def test_without_javascript_a_visitor_says_an_entry_did_not_help(self):
        context = self.browser.new_context(java_script_enabled=False)
        self.addCleanup(context.close)
        page = context.new_page()
        page.goto(f"{self.live_server_url}/codes/5.1.1/")
        page.click("form.helpful button:has-text('No')")
        page.fill("textarea[name=comment]", "Nothing about aliases")
        page.click("button:has-text('Send to the editors')")
        page.wait_for_selector("h1:has-text('Thank you')")
        item = Feedback.objects.get()
        self.assertEqual((item.kind, item.helpful, item.comment, item.entry), ("entry", False, "Nothing about aliases", self.entry))
