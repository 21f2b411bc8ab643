"""The Editors group (migration kb 0003): exactly the rights the people who write the knowledge base need."""

from django.contrib.auth.models import Group, Permission, User
from django.test import TestCase
from reversion.models import Version

from tests.helpers import entry_change_form, make_code

CONTENT_MODELS = ["code", "cause", "resolutionstep", "examplereply", "searchphrase", "provider", "category"]
# Feedback comes from visitors: editors read it, mark it done and delete it, never write it.
FEEDBACK_RIGHTS = {"kb.view_feedback", "kb.change_feedback", "kb.delete_feedback"}


def staff_user(username, *groups):
    user = User.objects.create_user(username, f"{username}@example.org", "pw", is_staff=True)
    user.groups.set(groups)
    return user


class EditorsGroupTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editors = Group.objects.get(name="Editors")
        cls.editor = staff_user("erin", cls.editors)
        cls.entry = make_code("5.1.1", title="Bad destination mailbox")

    def setUp(self):
        self.client.force_login(self.editor)

    def test_the_group_has_exactly_the_rights_editors_need(self):
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in self.editors.permissions.all()}
        content = {f"kb.{action}_{model}" for model in CONTENT_MODELS for action in ("view", "add", "change", "delete")}
        self.assertEqual(granted, content | FEEDBACK_RIGHTS | {"reversion.view_version"})

    def test_an_editor_can_change_a_code(self):
        response = self.client.post(f"/admin/kb/code/{self.entry.pk}/change/",
                                    entry_change_form(self.entry, {"title": "Recipient address does not exist"}))
        self.assertEqual(response.status_code, 302)
        self.entry.refresh_from_db()
        self.assertEqual(self.entry.title, "Recipient address does not exist")

    def test_an_editor_can_see_the_history_and_revert_a_bad_edit(self):
        self.client.post(f"/admin/kb/code/{self.entry.pk}/change/", entry_change_form(self.entry, {"title": "Oops"}))
        self.assertContains(self.client.get(f"/admin/kb/code/{self.entry.pk}/history/"), "erin")
        before = Version.objects.get_for_object(self.entry).last()
        self.client.post(f"/admin/kb/code/{self.entry.pk}/history/{before.pk}/")
        self.entry.refresh_from_db()
        self.assertEqual(self.entry.title, "Bad destination mailbox")

    def test_an_editor_cannot_open_users_groups_or_permissions(self):
        for url in ("/admin/auth/user/", "/admin/auth/group/", f"/admin/auth/user/{self.editor.pk}/change/"):
            with self.subTest(url):
                self.assertEqual(self.client.get(url).status_code, 403)
        self.assertFalse(self.editor.has_perm("sessions.view_session"))
        self.assertFalse(self.editor.has_perm("auth.change_permission"))

    def test_staff_outside_the_group_cannot_see_history_even_with_the_content_rights(self):
        content_rights = Permission.objects.filter(content_type__app_label="kb")
        outsider = staff_user("oscar")
        outsider.user_permissions.set(content_rights)
        self.client.force_login(outsider)
        self.assertEqual(self.client.get(f"/admin/kb/code/{self.entry.pk}/change/").status_code, 200)
        self.assertEqual(self.client.get(f"/admin/kb/code/{self.entry.pk}/history/").status_code, 403)
