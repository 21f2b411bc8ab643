"""The database or the cache unreachable: the site says so clearly and keeps doing what it can.

A refused database connection is simulated where every query starts, at the
connection's cursor(); tests/test_app_servers.py runs a real server against a
database port nobody listens on. Redis is the real one at 127.0.0.1:6379 and an
unreachable port.
"""

import json
import socket
import uuid
from unittest import mock

import redis

from django.core.cache import caches
from django.db import OperationalError, connection
from django.test import TestCase, override_settings

from kb import ratelimit
from kb.models import Code
from kb.settings import cache_config
from tests.helpers import make_code

REPLY = "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in local recipient table"


def database_down():
    return mock.patch.object(connection, "cursor", side_effect=OperationalError("connection to server refused"))


def closed_port():
    """A loopback port nobody listens on: bound, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class DatabaseDownTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_code("5.1.1", title="Recipient address does not exist")
        Code.objects.rebuild_search_index()

    def get(self, path):
        with database_down(), self.assertLogs("kb.middleware", "ERROR"), self.assertLogs("django.request", "ERROR"):
            return self.client.get(path)

    def assert_outage_page(self, response):
        self.assertEqual(response.status_code, 503)
        self.assertGreater(int(response["Retry-After"]), 0)
        self.assertIn("no-store", response["Cache-Control"])
        self.assertContains(response, "The knowledge base is unavailable for a moment", status_code=503)
        self.assertContains(response, 'class="site-header"', status_code=503)

    def test_pages_answer_503_with_retry_after_and_the_sites_own_page(self):
        for path in ["/", "/codes/", "/codes/?q=mailbox", "/codes/5.1.1/"]:
            with self.subTest(path):
                self.assert_outage_page(self.get(path))

    def test_the_admin_answers_503_to_a_signed_in_editor(self):
        from django.contrib.auth.models import User

        self.client.force_login(User.objects.create_superuser("editor", "editor@example.org", "pw"))
        self.assert_outage_page(self.get("/admin/kb/code/"))

    def test_the_api_answers_a_json_503(self):
        for path in ["/api/v1/codes/", "/api/v1/codes/5.1.1/", "/api/v1/suggest?q=5"]:
            with self.subTest(path):
                response = self.get(path)
                self.assertEqual(response.status_code, 503)
                self.assertEqual(response["Content-Type"], "application/json")
                self.assertIn("unavailable", response.json()["error"])
                self.assertGreater(int(response["Retry-After"]), 0)

    def test_the_analyser_still_reads_the_bounce_and_says_entries_are_unavailable(self):
        with database_down():
            response = self.client.post("/analyze/", {"text": REPLY})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<code>550</code>")
        self.assertContains(response, "<code>5.1.1</code>")
        self.assertContains(response, "bob@example.org")
        self.assertContains(response, "The knowledge base is unavailable for a moment")
        self.assertNotContains(response, "Recipient address does not exist")

    def test_with_the_database_up_the_analyser_names_the_entry(self):
        response = self.client.post("/analyze/", {"text": REPLY})
        self.assertContains(response, "Recipient address does not exist")
        self.assertNotContains(response, "The knowledge base is unavailable")

    def test_healthz_never_reads_the_database(self):
        with database_down():
            response = self.client.get("/healthz")
        self.assertEqual((response.status_code, response.content), (200, b"ok"))

    def test_readyz_checks_the_database(self):
        self.assertEqual(self.client.get("/readyz").content, b"ok")
        with database_down(), self.assertLogs("django.request", "ERROR"):
            response = self.client.get("/readyz")
        self.assertEqual(response.status_code, 503)
        self.assertIn(b"database", response.content)
        self.assertNotIn(b"cache", response.content)

    def test_other_database_errors_stay_server_errors(self):
        # A bug in a query is no outage: it must not hide behind "try again later".
        from django.db import ProgrammingError

        self.client.raise_request_exception = False
        with mock.patch.object(connection, "cursor", side_effect=ProgrammingError("no such column")), \
                self.assertLogs("django.request", "ERROR"):
            response = self.client.get("/codes/5.1.1/")
        self.assertEqual(response.status_code, 500)


# Not 15, which tests/test_ratelimit.py empties before each of its tests.
REDIS_UP = "redis://127.0.0.1:6379/14"


def redis_at(url):
    return override_settings(CACHES={"default": cache_config(url)})


class RedisTests(TestCase):
    """The real Redis, then the same configuration pointed at a port nobody listens on."""

    @classmethod
    def setUpTestData(cls):
        make_code("5.1.1", title="Recipient address does not exist")
        Code.objects.rebuild_search_index()

    def setUp(self):
        self.down = f"redis://127.0.0.1:{closed_port()}/0"

    def tearDown(self):
        caches["default"].close()

    def test_with_redis_up_pages_are_kept_in_it(self):
        with redis_at(REDIS_UP):
            self.client.get("/codes/5.1.1/")
            self.assertEqual(self.client.get("/codes/5.1.1/").status_code, 200)
            client = redis.Redis.from_url(REDIS_UP)
            keys = client.keys("*page:*code_detail:5.1.1")
            client.close()
        self.assertTrue(keys)

    def test_with_redis_down_every_page_is_still_served(self):
        with redis_at(self.down), self.assertLogs("kb.cache", "WARNING"):
            for path in ["/", "/codes/", "/codes/5.1.1/", "/codes/?q=recipient", "/api/v1/codes/5.1.1/"]:
                with self.subTest(path):
                    self.assertEqual(self.client.get(path).status_code, 200)
            self.assertContains(self.client.get("/codes/5.1.1/"), "Recipient address does not exist")

    def test_readyz_names_the_cache_when_redis_is_down(self):
        with redis_at(REDIS_UP):
            self.assertEqual(self.client.get("/readyz").content, b"ok")
        with redis_at(self.down), self.assertLogs("django.request", "ERROR"):
            response = self.client.get("/readyz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.content, b"unavailable: cache")


@override_settings(RATE_LIMIT_ANALYZE="2/m")
class RateLimitStoreTests(TestCase):
    """The documented choice (kb/ratelimit.py): with its store down, the limit lets analyses through."""

    def setUp(self):
        # A fresh client address per test, so runs sharing the real Redis never share a budget.
        self.address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"

    def tearDown(self):
        caches["default"].close()

    def post(self):
        return self.client.post("/api/v1/analyze", REPLY, content_type="text/plain", REMOTE_ADDR=self.address)

    def test_with_redis_up_the_limit_is_kept(self):
        with redis_at(REDIS_UP):
            statuses = [self.post().status_code for _ in range(3)]
        self.assertEqual(statuses, [200, 200, 429])

    def test_with_redis_down_analyses_are_allowed_and_a_warning_logged(self):
        with redis_at(f"redis://127.0.0.1:{closed_port()}/0"), self.assertLogs("kb.ratelimit", "WARNING") as logs:
            statuses = [self.post().status_code for _ in range(3)]
        self.assertEqual(statuses, [200, 200, 200])
        self.assertIn("allowing", logs.output[0])

    def test_the_limit_helper_itself_allows_when_the_store_is_down(self):
        request = mock.Mock(META={"REMOTE_ADDR": self.address})
        with redis_at(f"redis://127.0.0.1:{closed_port()}/0"), self.assertLogs("kb.ratelimit", "WARNING"):
            self.assertTrue(all(ratelimit.allow(request) for _ in range(5)))
