"""Feedback from visitors: nothing kept before Send, only redacted text, CSRF and a rate limit."""

from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.test import Client, TestCase, override_settings

from kb.models import Code, Feedback
from tests.helpers import make_code
from tests.test_redact import LEAKY, SECRETS

VISITOR = {"REMOTE_ADDR": "198.51.100.77", "HTTP_USER_AGENT": "Mozilla/5.0 (SecretBrowser 99)"}
REPLY = "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in local recipient table"


def analysed_feedback(client, text):
    """The hidden fields of the first finding's "Wrong or no match?" form on the analyse page."""
    response = client.post("/analyze/", {"text": text}, **VISITOR)
    return response, response.context["results"][0]["feedback"]


@override_settings(RATE_LIMIT_FEEDBACK="3/m", RATE_LIMIT_ANALYZE="0")
class FeedbackTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.entry = make_code("5.1.1", title="Bad destination mailbox")
        make_code("550", title="Mailbox unavailable")
        Code.objects.rebuild_search_index()

    def setUp(self):
        cache.clear()

    def test_the_entry_page_asks_with_a_get_form_and_stays_cacheable(self):
        response = self.client.get("/codes/5.1.1/")
        self.assertContains(response, 'method="get" action="/feedback/"')
        self.assertNotContains(response, "csrfmiddlewaretoken")
        self.assertIn("public", response["Cache-Control"])

    def test_answering_yes_shows_what_would_be_kept_and_stores_nothing(self):
        response = self.client.get("/feedback/", {"entry": "5.1.1", "helpful": "yes"}, **VISITOR)
        self.assertContains(response, "Nothing has been sent yet")
        self.assertContains(response, "csrfmiddlewaretoken")
        self.assertIn("no-store", response["Cache-Control"])  # a page with a CSRF token is never kept
        self.assertFalse(Feedback.objects.exists())

    def test_send_stores_the_answer_and_the_comment(self):
        self.client.post("/feedback/", {"kind": "entry", "entry": "5.1.1", "helpful": "no", "comment": "Nothing about Exchange",
                                        "step": "send"}, **VISITOR)
        item = Feedback.objects.get()
        self.assertEqual((item.kind, item.entry, item.helpful, item.comment, item.status),
                         ("entry", self.entry, False, "Nothing about Exchange", "open"))

    def test_the_analysis_offers_only_the_redacted_reply_line_never_the_paste(self):
        paste = f"Received: from mx.example.net (192.0.2.1)\nSubject: secret plans\n\n{REPLY}\n"
        response, fields = analysed_feedback(self.client, paste)
        self.assertContains(response, "Wrong or no match?")
        self.assertEqual(fields["text"], "550 5.1.1 <[email]>: Recipient address rejected: User unknown in local recipient table")
        self.assertEqual((fields["reply_code"], fields["status"], fields["entry"], fields["reason"], fields["advice"]),
                         ("550", "5.1.1", "5.1.1", "userunknown", "suppress"))
        self.assertNotIn("secret plans", str(fields))
        self.assertFalse(Feedback.objects.exists())

    def test_a_wrong_match_is_reviewed_then_sent_in_two_steps(self):
        _, fields = analysed_feedback(self.client, REPLY)
        review = self.client.post("/feedback/", {**fields, "step": "review"}, **VISITOR)
        self.assertContains(review, "Send to the editors")
        self.assertContains(review, "[email]")
        self.assertFalse(Feedback.objects.exists())
        sent = self.client.post("/feedback/", {**fields, "comment": "Expected 5.1.10", "step": "send"}, **VISITOR)
        self.assertContains(sent, "Thank you")
        item = Feedback.objects.get()
        self.assertEqual((item.kind, item.text, item.status_code, item.entry, item.reason, item.advice),
                         ("match", fields["text"], "5.1.1", self.entry, "userunknown", "suppress"))

    def test_nothing_identifying_reaches_the_database_whatever_is_sent(self):
        # A visitor edits the text and the comment, pasting addresses back in, and sends twice.
        data = {"kind": "match", "text": LEAKY, "reply_code": "550", "status": "5.1.1", "entry": "5.1.1",
                "reason": "userunknown", "advice": "suppress", "comment": f"my address is bob@example.org, {LEAKY}", "step": "send"}
        first = self.client.post("/feedback/", data, **VISITOR)
        self.assertContains(first, "we replaced addresses")
        self.assertFalse(Feedback.objects.exists())  # shown again to confirm, not stored
        confirmed = {name: first.context["form"][name].value() for name in data if name != "step"}
        self.client.post("/feedback/", {**confirmed, "step": "send"}, **VISITOR)
        item = Feedback.objects.get()
        stored = " ".join(str(value) for value in Feedback.objects.values().get().values())
        for secret in [*SECRETS, VISITOR["REMOTE_ADDR"], "SecretBrowser", self.client.cookies["csrftoken"].value]:
            with self.subTest(secret):
                self.assertNotIn(secret, stored)
        self.assertIn("Recipient address rejected", item.text)

    def test_it_refuses_a_post_without_the_csrf_token(self):
        client = Client(enforce_csrf_checks=True)
        response = client.post("/feedback/", {"kind": "entry", "entry": "5.1.1", "helpful": "yes", "step": "send"})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Feedback.objects.exists())

    def test_it_limits_each_client(self):
        data = {"kind": "entry", "entry": "5.1.1", "helpful": "yes", "step": "send"}
        statuses = [self.client.post("/feedback/", data, **VISITOR).status_code for _ in range(4)]
        self.assertEqual(statuses, [200, 200, 200, 429])
        self.assertEqual(Feedback.objects.count(), 3)
        other = self.client.post("/feedback/", data, REMOTE_ADDR="192.0.2.99")
        self.assertEqual(other.status_code, 200)

    def test_nonsense_is_refused_with_a_reason(self):
        for data in ({"kind": "entry", "entry": "5.1.1", "step": "send"}, {"kind": "entry", "entry": "9.9.9", "helpful": "yes"},
                     {"kind": "match", "step": "send"}, {"kind": "match", "status": "x", "text": "a"},
                     {"kind": "match", "text": "a", "reason": "not-a-reason"}):
            with self.subTest(data):
                response = self.client.post("/feedback/", data)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, "cannot be sent", status_code=400)
        self.assertFalse(Feedback.objects.exists())

    def test_editors_see_the_counts_on_the_entry_page_and_visitors_do_not(self):
        Feedback.objects.create(kind="entry", entry=self.entry, helpful=True)
        Feedback.objects.create(kind="entry", entry=self.entry, helpful=False, status="done")
        self.assertNotContains(self.client.get("/codes/5.1.1/"), "For editors")
        editor = User.objects.create_user("erin", password="pw", is_staff=True)
        editor.groups.add(Group.objects.get(name="Editors"))
        self.client.force_login(editor)
        response = self.client.get("/codes/5.1.1/")
        self.assertContains(response, "For editors")
        self.assertEqual(response.context["feedback_counts"], {"yes": 1, "no": 1, "open": 1})

    def test_the_review_pages_query_counts(self):
        with self.assertNumQueries(1):  # the entry
            self.client.get("/feedback/", {"entry": "5.1.1", "helpful": "yes"})
        with self.assertNumQueries(2):  # the entry, the insert
            self.client.post("/feedback/", {"kind": "entry", "entry": "5.1.1", "helpful": "yes", "step": "send"})
