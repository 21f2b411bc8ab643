"""Real gunicorn servers, as production runs them: two sharing one database and one Redis, and
servers whose database or Redis is unreachable.

On PostgreSQL the two servers share the test database; on SQLite they share a
database file made for the test (SQLite serves several processes of one machine).
Both use the real Redis at 127.0.0.1:6379. Every wait is bounded: a server has
30 s to answer /healthz, a request 20 s.
"""

import http.cookiejar
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from html.parser import HTMLParser
from pathlib import Path

from django.db import connection
from django.test import TransactionTestCase

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
REDIS = "redis://127.0.0.1:6379/13"
START_SECONDS = 30
REQUEST_SECONDS = 20
PASSWORD = "a-long-test-password-0815"
REPLY = b"550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in local recipient table"

# Run by `manage.py shell` in the servers' environment: an editor and one entry.
SETUP = f"""
from django.contrib.auth.models import User
from kb.models import Code
User.objects.create_superuser("editor", "editor@example.org", {PASSWORD!r})
Code.objects.create(code="5.1.1", title="Recipient address does not exist", standing="rfc", summary="No such mailbox.")
Code.objects.rebuild_search_index()
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url():
    """The test database as a DATABASE_URL, for PostgreSQL; None for SQLite (in memory in tests)."""
    if connection.vendor != "postgresql":
        return None
    s = connection.settings_dict
    credentials = urllib.parse.quote(s["USER"] or "") + (f":{urllib.parse.quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
    return f"postgres://{credentials}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=120,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


class Server:
    """gunicorn kb.wsgi with 2 workers on a free loopback port; ready() waits for its /healthz."""

    def __init__(self, env):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # --preload: the workers fork from a master that imported the site once, so they start sooner.
        self.process = subprocess.Popen(
            [GUNICORN, "kb.wsgi", "--workers", "2", "--preload", "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def ready(self):
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if self.request("/healthz")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise AssertionError(f"gunicorn on port {self.port} did not answer /healthz within {START_SECONDS} s")

    def request(self, path, data=None, headers=None):
        """(status, headers, body text); 4xx and 5xx are answers too, not exceptions."""
        request = urllib.request.Request(self.url + path, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=REQUEST_SECONDS) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def post_form(self, path, fields):
        return self.request(path, urllib.parse.urlencode(fields, doseq=True).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def sign_in(self):
        form = FormReader.read(self.request("/admin/login/")[2])
        status, _, body = self.post_form("/admin/login/?next=/admin/", {**form, "username": "editor", "password": PASSWORD})
        assert status == 200 and "Log out" in body, f"could not sign in: {status}"

    def stop(self):
        """gunicorn's quick shutdown (TERM would wait for the workers to finish); stopped() waits for it."""
        self.process.send_signal(signal.SIGINT)

    def stopped(self):
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


class FormReader(HTMLParser):
    """What a browser would post, unchanged, for the form of that id, else for the first form that posts."""

    @classmethod
    def read(cls, html, form_id=None):
        reader = cls(form_id)
        reader.feed(html)
        return reader.fields

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.fields, self._in_form, self._done, self._textarea, self._select = form_id, {}, False, False, None, None

    def _add(self, name, value):
        if name and "__prefix__" not in name:  # the inlines' empty templates
            self.fields.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self._done:
            wanted = attrs.get("id") == self.form_id if self.form_id else attrs.get("method", "").lower() == "post"
            self._in_form = wanted
        if not self._in_form:
            return
        if tag == "input" and attrs.get("type", "text") not in ("submit", "button", "file", "image", "reset"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self._add(attrs.get("name"), attrs.get("value", "on" if attrs.get("type") == "checkbox" else ""))
        elif tag == "textarea":
            self._textarea = attrs.get("name")
            self._add(self._textarea, "")
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value", ""))

    def handle_data(self, data):
        if self._textarea and self._textarea in self.fields:
            self.fields[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self._in_form:
            self._in_form, self._done = False, True


class AppServerTests(TransactionTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.workdir = tempfile.TemporaryDirectory()
        cls.base_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CACHE_URL"))},
            "DEBUG": "0", "HTTPS": "0", "SECRET_KEY": uuid.uuid4().hex * 2, "ALLOWED_HOSTS": "127.0.0.1",
            "STATIC_ROOT": str(Path(cls.workdir.name, "static")), "DJANGO_SETTINGS_MODULE": "kb.settings",
        }
        manage(cls.base_env, "collectstatic", "--noinput")

    @classmethod
    def tearDownClass(cls):
        cls.workdir.cleanup()
        super().tearDownClass()

    def setUp(self):
        self.servers = []

    def tearDown(self):
        for server in self.servers:
            server.stop()
        for server in self.servers:
            server.stopped()

    def start(self, *envs, content=None):
        """One server per environment, started side by side; meanwhile the database of
        content (a DATABASE_URL) is migrated and given an editor and one entry."""
        servers = [Server({**self.base_env, **env}) for env in envs]
        self.servers += servers
        if content:
            env = {**self.base_env, "DATABASE_URL": content}
            if connection.vendor != "postgresql":
                manage(env, "migrate", "--noinput")
            manage(env, "shell", "-c", SETUP)
        return [server.ready() for server in servers]

    def shared_database(self):
        """The database servers share: the test database on PostgreSQL, a new file on SQLite."""
        return database_url() or f"sqlite:///{Path(self.workdir.name, f'{uuid.uuid4().hex}.sqlite3')}"

    def test_an_edit_through_one_server_shows_at_once_on_the_other(self):
        env = {"DATABASE_URL": self.shared_database(), "CACHE_URL": REDIS, "RATE_LIMIT_ANALYZE": "0"}
        one, other = self.start(env, env, content=env["DATABASE_URL"])
        status, headers, body = other.request("/codes/5.1.1/")
        self.assertEqual(status, 200)
        self.assertIn("Recipient address does not exist", body)
        self.assertEqual(other.request("/codes/5.1.1/")[1]["ETag"], headers["ETag"])  # kept, in Redis

        one.sign_in()
        change = self.change_url(one)
        form = FormReader.read(one.request(change)[2], "code_form")
        form["title"] = ["Mailbox unknown here quuxfrob"]
        status, _, body = one.post_form(change, {**form, "_save": "Save"})
        self.assertEqual(status, 200)
        self.assertIn("was changed successfully", body)

        status, after, body = other.request("/codes/5.1.1/")
        self.assertIn("Mailbox unknown here quuxfrob", body)
        self.assertNotEqual(after["ETag"], headers["ETag"])
        found = json.loads(other.request("/api/v1/codes/?q=quuxfrob")[2])
        self.assertEqual([result["code"] for result in found["results"]], ["5.1.1"])

    def change_url(self, server):
        """The admin change page of 5.1.1, found as an editor would, from the list."""
        body = server.request("/admin/kb/code/?q=5.1.1")[2]
        start = body.index("/admin/kb/code/", body.index('id="result_list"'))
        return body[start:body.index('"', start)].split("?")[0]

    def test_the_rate_limit_is_shared_by_both_servers(self):
        env = {"DATABASE_URL": self.shared_database(), "CACHE_URL": REDIS, "RATE_LIMIT_ANALYZE": "3/m",
               "TRUSTED_PROXIES": "127.0.0.1"}
        one, other = self.start(env, env, content=env["DATABASE_URL"])
        # A client address of its own, so that no other run sharing this Redis shares its budget.
        client = {"X-Forwarded-For": f"198.51.100.{uuid.uuid4().int % 250}, 2001:db8::{uuid.uuid4().hex[:4]}",
                  "Content-Type": "text/plain"}
        statuses = [server.request("/api/v1/analyze", REPLY, client)[0] for server in (one, other, one, other)]
        self.assertEqual(statuses, [200, 200, 200, 429])

    def test_with_the_database_unreachable_pages_say_so_and_the_analyser_still_reads(self):
        [server] = self.start({"DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/gone", "CACHE_URL": REDIS})
        self.assertEqual(server.request("/healthz")[:1], (200,))
        status, _, body = server.request("/readyz")
        self.assertEqual((status, body), (503, "unavailable: database"))

        status, headers, body = server.request("/codes/5.1.1/")
        self.assertEqual(status, 503)
        self.assertEqual(headers["Retry-After"], "30")
        self.assertIn("The knowledge base is unavailable for a moment", body)
        status, headers, body = server.request("/api/v1/codes/5.1.1/")
        self.assertEqual((status, headers["Content-Type"]), (503, "application/json"))
        self.assertIn("error", json.loads(body))

        form = FormReader.read(server.request("/analyze/")[2])
        status, _, body = server.post_form("/analyze/", {**form, "text": REPLY.decode()})
        self.assertEqual(status, 200)
        self.assertIn("<code>5.1.1</code>", body)
        self.assertIn("bob@example.org", body)
        self.assertIn("The knowledge base is unavailable for a moment", body)

    def test_with_redis_unreachable_the_site_keeps_serving(self):
        database = self.shared_database()
        [server] = self.start({"DATABASE_URL": database, "CACHE_URL": f"redis://127.0.0.1:{free_port()}/0"}, content=database)
        for path in ["/", "/codes/", "/codes/5.1.1/", "/api/v1/codes/5.1.1/"]:
            with self.subTest(path):
                self.assertEqual(server.request(path)[0], 200)
        self.assertEqual(server.request("/readyz")[:1], (503,))
        status, _, _ = server.request("/api/v1/analyze", REPLY, {"Content-Type": "text/plain"})
        self.assertEqual(status, 200)
