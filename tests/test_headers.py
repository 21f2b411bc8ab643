"""Every kind of answer carries the browser policies: pages, errors, the API, the admin, 304s and outages."""

from unittest import mock

from django.contrib.auth.models import User
from django.db import OperationalError, connection
from django.test import TestCase, override_settings

from kb.models import Code
from tests.helpers import make_code

POLICY_HEADERS = ("Content-Security-Policy", "Permissions-Policy", "Cross-Origin-Opener-Policy")


class PolicyHeaderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.entry = make_code("550", title="Mailbox unavailable")
        Code.objects.rebuild_search_index()
        cls.editor = User.objects.create_superuser("editor", "editor@example.org", "pw")

    def assert_policies(self, response):
        for header in POLICY_HEADERS:
            self.assertTrue(response.has_header(header), f"{header} missing on {response.status_code} {response.get('Content-Type')}")
        csp = response["Content-Security-Policy"]
        script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
        self.assertNotIn("unsafe-inline", script_src)
        self.assertNotIn("unsafe-eval", script_src)
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertIn("camera=()", response["Permissions-Policy"])
        self.assertEqual(response["Cross-Origin-Opener-Policy"], "same-origin")

    def test_every_public_page_carries_them(self):
        pages = ["/", "/codes/", "/codes/?q=mailbox", "/codes/550/", "/codes/559/", "/codes/nonsense/", "/analyze/", "/reasons/",
                 "/api/", "/opensearch.xml", "/healthz", "/readyz", "/no-such-page/"]
        for path in pages:
            with self.subTest(path):
                self.assert_policies(self.client.get(path))

    def test_posted_analyses_and_the_api_carry_them(self):
        self.assert_policies(self.client.post("/analyze/", {"text": "550 5.1.1 user unknown"}))
        self.assert_policies(self.client.post("/api/v1/analyze", "550 5.1.1 user unknown", content_type="text/plain"))
        for path in ["/api/v1/codes/", "/api/v1/codes/550/", "/api/v1/codes/9.9.9/", "/api/v1/suggest?q=55"]:
            with self.subTest(path):
                self.assert_policies(self.client.get(path))

    def test_a_conditional_get_answered_304_carries_them(self):
        etag = self.client.get("/codes/550/")["ETag"]
        response = self.client.get("/codes/550/", HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(response.status_code, 304)
        self.assert_policies(response)

    def test_the_admin_carries_them(self):
        self.assert_policies(self.client.get("/admin/login/"))
        self.client.force_login(self.editor)
        for path in ["/admin/", "/admin/kb/code/", f"/admin/kb/code/{self.entry.pk}/change/", "/admin/kb/code/add/"]:
            with self.subTest(path):
                self.assert_policies(self.client.get(path))

    def test_the_outage_page_carries_them(self):
        with mock.patch.object(connection, "cursor", side_effect=OperationalError("connection refused")), \
                self.assertLogs("kb.middleware", "ERROR"), self.assertLogs("django.request", "ERROR"):
            response = self.client.get("/codes/550/")
        self.assertEqual(response.status_code, 503)
        self.assert_policies(response)

    def test_no_page_has_an_inline_script_or_style(self):
        # What makes the strict policy possible; the browser tests check the admin's own pages run under it.
        self.client.force_login(self.editor)
        for path in ["/", "/codes/550/", "/analyze/", "/api/", "/admin/", f"/admin/kb/code/{self.entry.pk}/change/"]:
            with self.subTest(path):
                html = self.client.get(path).content.decode()
                for tag in html.split("<script")[1:]:
                    self.assertIn("src=", tag.split(">")[0])
                self.assertNotIn("<style", html)
                self.assertNotIn(" style=", html)
                self.assertNotIn(" onclick=", html)

    def test_an_analysis_with_a_batch_summary_has_no_style_attribute(self):
        # Its bars are drawn by an SVG's width attribute, not a style="width: …" the policy would refuse.
        message = "Final-Recipient: rfc822; {0}\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 no such user\n"
        mbox = "".join(f"From MAILER-DAEMON Mon Jan  1 00:00:00 2024\nContent-Type: message/delivery-status\n\n{message.format(who)}\n"
                       for who in ("a@example.org", "b@example.org", "c@example.net"))
        response = self.client.post("/analyze/", {"text": mbox})
        self.assertContains(response, "batch-summary")
        self.assertContains(response, '<svg class="bar"')
        self.assertNotIn(" style=", response.content.decode())


class ReportOnlyTests(TestCase):
    @override_settings(CSP_REPORT_ONLY=True, CSP_REPORT_URI="/csp-reports")
    def test_report_only_sends_the_same_policy_without_enforcing_it(self):
        response = self.client.get("/healthz")
        self.assertFalse(response.has_header("Content-Security-Policy"))
        policy = response["Content-Security-Policy-Report-Only"]
        self.assertIn("script-src 'self'", policy)
        self.assertTrue(policy.endswith("report-uri /csp-reports"))

    def test_by_default_the_policy_is_enforced(self):
        response = self.client.get("/healthz")
        self.assertTrue(response.has_header("Content-Security-Policy"))
        self.assertFalse(response.has_header("Content-Security-Policy-Report-Only"))


class FaviconTests(TestCase):
    def test_the_icon_browsers_ask_for_on_the_admin_is_the_sites(self):
        response = self.client.get("/favicon.ico")
        self.assertEqual(response.status_code, 301)
        self.assertTrue(response["Location"].endswith("kb/favicon.svg"))
