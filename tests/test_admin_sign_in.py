"""Admin sign-in that resists guessing: django-axes, per account and per client address."""

import ipaddress
import re

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db.models import F
from django.test import TestCase, override_settings

PASSWORD = "the-right-password"
PROXY = [ipaddress.ip_network("10.0.0.0/8")]


class AdminSignInTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = User.objects.create_superuser("editor", "editor@example.org", PASSWORD)

    def sign_in(self, password, username="editor", client_address=None):
        headers = {}
        if client_address:  # as our load balancer would say it (TRUSTED_PROXIES)
            headers = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": client_address}
        return self.client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, **headers)

    def fail(self, times, **who):
        for attempt in range(times):
            response = self.sign_in(f"guess-{attempt}", **who)
            self.assertIn(response.status_code, (200, 429))

    def assert_signed_in(self, response):
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)

    def assert_locked_out(self, response):
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Sign-in locked for 30 minutes", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def let_the_lockout_end(self):
        """Move the clock of the recorded failures back by the cool-off, instead of waiting it out."""
        AccessAttempt.objects.update(attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME)

    def test_nine_wrong_passwords_still_let_the_right_one_in(self):
        self.fail(9)
        self.assert_signed_in(self.sign_in(PASSWORD))

    def test_after_ten_wrong_passwords_even_the_right_one_is_refused_until_the_lockout_ends(self):
        self.fail(10)
        self.assert_locked_out(self.sign_in(PASSWORD))
        self.let_the_lockout_end()
        self.assert_signed_in(self.sign_in(PASSWORD))

    def test_a_right_password_clears_the_count(self):
        self.fail(9)
        self.assert_signed_in(self.sign_in(PASSWORD))
        self.client.logout()
        self.fail(9)
        self.assert_signed_in(self.sign_in(PASSWORD))

    @override_settings(TRUSTED_PROXIES=PROXY)
    def test_an_account_is_locked_whatever_addresses_the_guesses_come_from(self):
        for n in range(10):
            self.sign_in("guess", client_address=f"198.51.100.{n}")
        self.assert_locked_out(self.sign_in(PASSWORD, client_address="203.0.113.7"))

    @override_settings(TRUSTED_PROXIES=PROXY)
    def test_one_address_guessing_many_accounts_is_locked_and_others_are_not(self):
        for n in range(10):
            self.sign_in("guess", username=f"someone{n}", client_address="198.51.100.1")
        self.assert_locked_out(self.sign_in(PASSWORD, client_address="198.51.100.1"))
        self.assert_signed_in(self.sign_in(PASSWORD, client_address="203.0.113.7"))

    @override_settings(TRUSTED_PROXIES=PROXY)
    def test_the_address_counted_is_the_rate_limits_not_a_spoofed_header(self):
        # Not behind our proxy: whatever X-Forwarded-For says, the peer is the client.
        for n in range(10):
            self.client.post("/admin/login/", {"username": f"someone{n}", "password": "guess"},
                             REMOTE_ADDR="192.0.2.5", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        self.assertEqual(set(AccessAttempt.objects.values_list("ip_address", flat=True)), {"192.0.2.5"})

    def test_the_lockout_is_kept_in_the_database_that_every_app_server_shares(self):
        self.fail(10)
        cache.clear()  # nothing of it lives in a process or the cache
        self.assertTrue(AccessAttempt.objects.filter(username="editor", failures_since_start__gte=10).exists())
        self.assert_locked_out(self.sign_in(PASSWORD))

    def test_the_lockout_page_says_how_long_and_runs_under_the_policy(self):
        self.fail(10)
        response = self.sign_in(PASSWORD)
        self.assertContains(response, "until 30 minutes have passed since the last attempt", status_code=429)
        self.assertIn("script-src 'self'", response["Content-Security-Policy"])
        page = response.content.decode()
        self.assertIsNone(re.search(r"<script(?![^>]*\bsrc=)", page))  # no inline script
        self.assertNotIn("style=", page)

    def test_editors_signed_in_otherwise_are_not_affected(self):
        self.client.force_login(self.editor)
        self.assertEqual(self.client.get("/admin/").status_code, 200)
