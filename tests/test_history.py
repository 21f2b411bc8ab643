"""Edit history in the admin: recorded with the editor, shown as diffs, reverted after a confirmation."""

from django.contrib.auth.models import User
from django.db import connection
from django.test import SimpleTestCase, TestCase
from django.test.utils import CaptureQueriesContext
from reversion.models import Version

from kb import history
from kb.models import Category, Cause, Code, ExampleReply, Provider, ResolutionStep
from tests.helpers import add_inline, admin_form_data, entry_change_form, make_code, page_text

SUMMARY = "The address does not exist.\nCheck its spelling.\nAsk the recipient for another one."


class EntryHistoryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = User.objects.create_superuser("alice", "alice@example.org", "pw")
        cls.gmail = Provider.objects.create(slug="gmail", name="Gmail")
        cls.mailbox = Category.objects.create(slug="recipient-unknown", name="Recipient unknown")
        cls.policy = Category.objects.create(slug="policy", name="Policy")
        cls.entry = make_code("5.1.1", title="Bad destination mailbox", summary=SUMMARY)
        cls.entry.categories.add(cls.mailbox)
        Cause.objects.create(code=cls.entry, position=1, text="A typo in the part before the @.")
        ResolutionStep.objects.create(code=cls.entry, position=1, text="Check the address.", audience="sender")
        ResolutionStep.objects.create(code=cls.entry, position=2, text="Ask the recipient for a new address.")
        ExampleReply.objects.create(code=cls.entry, position=1, text="550 5.1.1 User unknown",
                                    provider=cls.gmail, source="https://example.org/a")

    def setUp(self):
        self.client.force_login(self.editor)

    def edit(self, changes=None, entry=None):
        entry = entry or self.entry
        response = self.client.post(f"/admin/kb/code/{entry.pk}/change/", entry_change_form(entry, changes))
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])

    def history_page(self):
        response = self.client.get(f"/admin/kb/code/{self.entry.pk}/history/")
        self.assertEqual(response.status_code, 200)
        return response

    def versions(self):
        return list(Version.objects.get_for_object(self.entry).select_related("revision__user"))

    def revert_to(self, version):
        return self.client.post(f"/admin/kb/code/{self.entry.pk}/history/{version.pk}/")

    def test_an_admin_edit_is_recorded_with_its_editor_and_what_the_admin_says_changed(self):
        self.edit({"title": "Recipient address does not exist"})
        newest = self.versions()[0].revision
        self.assertEqual(newest.user, self.editor)
        self.assertIn("Changed Title", newest.comment)

    def test_the_first_edit_records_the_entry_as_it_was_before_it(self):
        self.edit({"title": "Recipient address does not exist"})
        edit, before = self.versions()
        self.assertIsNone(before.revision.user)
        self.assertEqual(before.revision.comment, history.BEFORE_FIRST_EDIT)
        self.assertEqual(before.field_dict["title"], "Bad destination mailbox")
        self.assertEqual(edit.field_dict["title"], "Recipient address does not exist")

    def test_a_change_made_outside_the_admin_is_recorded_before_the_next_edit_not_taken_for_it(self):
        self.edit({"title": "Recipient address does not exist"})
        Code.objects.filter(pk=self.entry.pk).update(summary="Reloaded from a fixture.")
        self.edit({"title": "Mailbox does not exist"})
        edit, outside, _, _ = self.versions()
        self.assertEqual(outside.revision.comment, history.CHANGED_OUTSIDE)
        self.assertEqual(outside.field_dict["summary"], "Reloaded from a fixture.")
        self.assertEqual(edit.revision.user, self.editor)

    def test_an_edit_after_an_edit_records_nothing_in_between(self):
        self.edit({"title": "Recipient address does not exist", "categories": [self.policy.pk, self.mailbox.pk]})
        self.edit({"title": "Mailbox does not exist"})
        self.assertEqual(len(self.versions()), 3)

    def test_each_version_holds_the_whole_entry_with_its_parts(self):
        self.edit({"title": "Recipient address does not exist"})
        revision = self.versions()[0].revision
        held = {version.content_type.model_class() for version in revision.version_set.all()}
        self.assertEqual(held, {Code, Cause, ResolutionStep, ExampleReply})

    def test_the_history_page_shows_who_changed_a_field_from_what_to_what(self):
        self.edit({"title": "Recipient address does not exist"})
        text = page_text(self.history_page())
        self.assertIn("alice", text)
        self.assertIn("<del>Bad destination mailbox</del> → <ins>Recipient address does not exist</ins>", text)

    def test_the_history_page_shows_a_long_text_change_as_a_line_diff(self):
        self.edit({"summary": SUMMARY.replace("spelling", "orthography")})
        response = self.history_page()
        self.assertContains(response, '<span class="kb-sign" aria-hidden="true">-</span>Check its <del>spelling</del>.')
        self.assertContains(response, '<span class="kb-sign" aria-hidden="true">+</span>Check its <ins>orthography</ins>.')
        # One unchanged line either side, as context.
        self.assertContains(response, '<span class="kb-sign" aria-hidden="true"> </span>The address does not exist.')

    def test_the_history_page_leaves_out_changes_of_line_endings_only(self):
        self.edit({"summary": SUMMARY.replace("\n", "\r\n"), "title": "Recipient address does not exist"})
        self.assertNotContains(self.history_page(), "<dt>Summary</dt>")

    def test_the_history_page_shows_changes_to_causes_steps_examples_and_categories(self):
        data = entry_change_form(self.entry, {"causes-0-text": "A typo in the address.", "steps-1-DELETE": "on",
                                              "categories": [self.policy.pk]})
        add_inline(data, "examples", position="2", text="550 5.1.1 No such user", source="https://example.org/b",
                   provider=self.gmail.pk)
        self.client.post(f"/admin/kb/code/{self.entry.pk}/change/", data)
        text = page_text(self.history_page())
        self.assertIn("<strong>Cause 1</strong> changed", text)
        self.assertIn("<strong>Resolution step 2</strong> removed", text)
        self.assertIn("<strong>Example reply 2</strong> added", text)
        self.assertIn("550 5.1.1 No such user", text)
        self.assertIn("<ins>+ Policy</ins>; <del>− Recipient unknown</del>", text)

    def test_an_example_edited_on_its_own_page_shows_in_its_entrys_history(self):
        example = self.entry.examples.get()
        data = {"code": self.entry.pk, "position": "1", "text": "550 5.1.1 The user does not exist",
                "provider": self.gmail.pk, "source": "https://example.org/a", "notes": ""}
        self.assertEqual(self.client.post(f"/admin/kb/examplereply/{example.pk}/change/", data).status_code, 302)
        self.assertIn("<strong>Example reply 1</strong> changed", page_text(self.history_page()))
        self.assertRedirects(self.client.get(f"/admin/kb/examplereply/{example.pk}/history/"),
                             f"/admin/kb/code/{self.entry.pk}/history/")

    def test_an_example_moved_to_another_entry_leaves_the_history_of_both(self):
        other = make_code("5.1.2", title="Bad destination system address")
        example = self.entry.examples.get()
        data = {"code": other.pk, "position": "1", "text": example.text, "provider": self.gmail.pk,
                "source": example.source, "notes": ""}
        self.client.post(f"/admin/kb/examplereply/{example.pk}/change/", data)
        self.assertIn("<strong>Example reply 1</strong> removed", page_text(self.history_page()))
        other_history = self.client.get(f"/admin/kb/code/{other.pk}/history/")
        self.assertIn("<strong>Example reply 1</strong> added", page_text(other_history))

    def test_reverting_shows_what_would_change_and_changes_nothing_until_confirmed(self):
        self.edit({"title": "Recipient address does not exist"})
        before = self.versions()[-1]
        response = self.client.get(f"/admin/kb/code/{self.entry.pk}/history/{before.pk}/")
        self.assertContains(response, "<del>Recipient address does not exist</del> → <ins>Bad destination mailbox</ins>",
                            html=False)
        self.assertContains(response, "Yes, revert")
        self.entry.refresh_from_db()
        self.assertEqual(self.entry.title, "Recipient address does not exist")
        self.assertEqual(len(self.versions()), 2)

    def test_reverting_restores_the_entry_its_parts_and_its_categories(self):
        data = entry_change_form(self.entry, {"title": "Recipient address does not exist",
                                              "causes-0-text": "A typo in the address.", "steps-1-DELETE": "on",
                                              "categories": [self.policy.pk]})
        add_inline(data, "examples", position="2", text="550 5.1.1 No such user", source="https://example.org/b")
        self.client.post(f"/admin/kb/code/{self.entry.pk}/change/", data)

        self.assertRedirects(self.revert_to(self.versions()[-1]), f"/admin/kb/code/{self.entry.pk}/history/")
        entry = Code.objects.get(pk=self.entry.pk)
        self.assertEqual(entry.title, "Bad destination mailbox")
        self.assertEqual([c.text for c in entry.causes.all()], ["A typo in the part before the @."])
        self.assertEqual([(s.position, s.text) for s in entry.steps.all()],
                         [(1, "Check the address."), (2, "Ask the recipient for a new address.")])
        self.assertEqual([e.text for e in entry.examples.all()], ["550 5.1.1 User unknown"])
        self.assertEqual(list(entry.categories.all()), [self.mailbox])
        self.assertGreater(entry.updated, self.entry.updated)

    def test_reverting_a_swap_of_two_steps_puts_them_back_in_their_old_order(self):
        first, second = self.entry.steps.all()
        # Positions are unique per entry, so a swap takes three edits: first 1 -> 3, second 2 -> 1, first 3 -> 2.
        self.edit({"steps-0-position": "3"})
        self.edit({"steps-0-position": "1"})
        self.edit({"steps-1-position": "2"})
        self.assertEqual([(s.pk, s.position) for s in self.entry.steps.all()], [(second.pk, 1), (first.pk, 2)])
        self.revert_to(self.versions()[-1])
        self.assertEqual([(s.pk, s.position) for s in self.entry.steps.all()], [(first.pk, 1), (second.pk, 2)])

    def test_a_revert_is_itself_recorded_and_can_be_reverted(self):
        self.edit({"title": "Recipient address does not exist"})
        self.revert_to(self.versions()[-1])
        reverted, edit, _ = self.versions()
        self.assertEqual(reverted.revision.user, self.editor)
        self.assertTrue(reverted.revision.comment.startswith("Reverted to the version of "))
        self.assertIn("<del>Recipient address does not exist</del> → <ins>Bad destination mailbox</ins>",
                      page_text(self.history_page()))
        self.revert_to(edit)
        self.assertEqual(Code.objects.get(pk=self.entry.pk).title, "Recipient address does not exist")

    def test_after_a_revert_the_public_page_and_search_show_the_reverted_text(self):
        self.edit({"summary": SUMMARY.replace("spelling", "orthography")})
        self.assertEqual(list(Code.objects.search("orthography")), [self.entry])
        self.revert_to(self.versions()[-1])
        page = self.client.get("/codes/5.1.1/")
        self.assertContains(page, "Check its spelling.")
        self.assertNotContains(page, "orthography")
        self.assertEqual(list(Code.objects.search("orthography")), [])
        self.assertEqual(list(Code.objects.search("spelling")), [self.entry])

    def test_the_history_page_needs_the_same_queries_however_long_the_history(self):
        def queries():
            with CaptureQueriesContext(connection) as captured:
                self.history_page()
            return len(captured)

        self.edit({"title": "One"})
        short = queries()
        for title in ("Two", "Three", "Four", "Five"):
            self.edit({"title": title, "causes-0-text": f"Cause {title}"})
        self.assertEqual(len(self.versions()), 6)
        self.assertEqual(queries(), short)

    def test_a_long_history_is_paged_and_each_edit_diffed_against_the_version_before_it(self):
        for n in range(25):
            self.edit({"title": f"Title {n}"})
        self.assertEqual(len(self.versions()), 26)
        # The oldest edit on the first page, whose version before it is on the second.
        self.assertIn("<del>Bad destination mailbox</del> → <ins>Title 0</ins>", page_text(self.history_page()))
        older = self.client.get(f"/admin/kb/code/{self.entry.pk}/history/", {"p": 2})
        self.assertContains(older, history.BEFORE_FIRST_EDIT)
        self.assertNotContains(older, "Title 0")

    def test_a_deleted_entry_can_be_recovered_with_its_parts(self):
        response = self.client.post(f"/admin/kb/code/{self.entry.pk}/delete/", {"post": "yes"})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Code.objects.filter(pk=self.entry.pk).exists())
        self.assertContains(self.client.get("/admin/kb/code/recover/"), "Bad destination mailbox")
        # django-reversion's recover page: the entry's change form as it was, saved to recover it.
        url = f"/admin/kb/code/recover/{self.versions()[0].pk}/"
        self.assertEqual(self.client.post(url, admin_form_data(self.client.get(url))).status_code, 302)
        entry = Code.objects.get(pk=self.entry.pk)
        self.assertEqual([entry.causes.count(), entry.steps.count(), entry.examples.count()], [1, 2, 1])
        self.assertEqual(list(Code.objects.search("destination")), [entry])


class OtherModelHistoryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = User.objects.create_superuser("alice", "alice@example.org", "pw")
        cls.provider = Provider.objects.create(slug="gmail", name="Gmail")

    def setUp(self):
        self.client.force_login(self.editor)

    def test_a_provider_keeps_a_history_that_can_be_reverted(self):
        url = f"/admin/kb/provider/{self.provider.pk}/"
        self.client.post(f"{url}change/", {"slug": "gmail", "name": "Google Mail", "website": ""})
        self.assertContains(self.client.get(f"{url}history/"), "<del>Gmail</del> → <ins>Google Mail</ins>", html=False)
        before = Version.objects.get_for_object(self.provider).last()
        self.client.post(f"{url}history/{before.pk}/")
        self.assertEqual(Provider.objects.get(pk=self.provider.pk).name, "Gmail")

    def test_a_category_keeps_a_history(self):
        category = Category.objects.create(slug="size", name="Size")
        self.client.post(f"/admin/kb/category/{category.pk}/change/", {"slug": "size", "name": "Message size",
                                                                      "description": ""})
        self.assertEqual(Version.objects.get_for_object(category).count(), 2)


class OutsideTheAdminTests(TestCase):
    # Loading the fixtures records nothing either: tests/test_project.py's FixtureTests, which loads them anyway.
    def test_saving_outside_the_admin_records_no_history(self):
        entry = make_code("550")
        entry.title = "Changed in the shell"
        entry.save()
        self.assertFalse(Version.objects.exists())


class LineDiffTests(SimpleTestCase):
    def test_it_marks_the_words_changed_within_a_line(self):
        lines = history.line_diff("Check the spelling.", "Check its spelling.")
        self.assertEqual([line.sign for line in lines], ["-", "+"])
        self.assertEqual([text for changed, text in lines[0].segments if changed], ["the"])
        self.assertEqual([text for changed, text in lines[1].segments if changed], ["its"])

    def test_it_leaves_out_unchanged_lines_far_from_a_change(self):
        old = "\n".join(f"line {n}" for n in range(10))
        lines = history.line_diff(old, old.replace("line 1\n", "line one\n").replace("line 8", "line eight"))
        self.assertEqual([line.sign for line in lines], [" ", "-", "+", " ", "…", " ", "-", "+", " "])

    def test_it_is_empty_when_only_line_endings_changed(self):
        self.assertEqual(history.line_diff("One.\nTwo.\n", "One.\r\nTwo."), [])
