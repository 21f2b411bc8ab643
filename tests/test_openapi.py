"""/api/v1/openapi.json is valid OpenAPI 3.1 and describes every API answer exactly (kb/openapi.py)."""

import functools
import json
import re
from pathlib import Path
from unittest import mock

from django.db import OperationalError, connection
from django.test import override_settings
from django.urls import URLPattern
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator

from kb import urls
from kb.forms import MAX_REQUEST_BYTES
from kb.models import Code, Provider
from tests.helpers import KnowledgeBaseTestCase

DATA = Path(__file__).resolve().parent / "data"
REPLY = "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in local recipient table"
# Every tenth sample of each corpus: DSNs, MTA formats, ESP events; the family, not one file.
BOUNCES = sorted((DATA / "sisimai" / "emails").iterdir())[::10]
ESP_EVENTS = sorted((DATA / "esp-events" / "events").rglob("*.json"))[::5]


class OpenApiTests(KnowledgeBaseTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.document = json.loads(cls.client_class().get("/api/v1/openapi.json").content)

    def assert_documented(self, template, response, method="get"):
        """The answer's JSON validates against the schema the document gives for this path, method and status."""
        operation = self.document["paths"][template][method]
        self.assertIn(str(response.status_code), operation["responses"], f"{template}: {response.status_code}")
        validator = self.validator(template, method, str(response.status_code))
        errors = [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(response.json())]
        self.assertEqual(errors, [], f"{template} ({response.status_code})")

    @functools.cache
    def validator(self, template, method, status):
        schema = self.document["paths"][template][method]["responses"][status]["content"]["application/json"]["schema"]
        return Draft202012Validator({**schema, "components": self.document["components"]})

    def test_the_document_is_valid_openapi_3_1(self):
        self.assertEqual(self.document["openapi"], "3.1.0")
        OpenAPIV31SpecValidator(self.document).validate()

    def test_it_describes_every_api_url_with_its_method(self):
        routes = {p.pattern._route for p in urls.urlpatterns if isinstance(p, URLPattern)}
        api = {re.sub(r"<\w+:(\w+)>", r"{\1}", "/" + route) for route in routes if route.startswith("api/v1/")}
        self.assertEqual(api - {"/api/v1/openapi.json"}, set(self.document["paths"]))
        self.assertEqual(set(self.document["paths"]["/api/v1/analyze"]), {"post"})

    def test_it_is_cached_per_release_and_linked_from_the_reference_page(self):
        response = self.client.get("/api/v1/openapi.json")
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertIn("public", response["Cache-Control"])
        again = self.client.get("/api/v1/openapi.json", HTTP_IF_NONE_MATCH=response["ETag"])
        self.assertEqual(again.status_code, 304)
        self.assertContains(self.client.get("/api/"), '<a href="/api/v1/openapi.json">')

    def test_every_entry_answers_as_documented(self):
        for code in Code.objects.published().values_list("code", flat=True):
            with self.subTest(code):
                self.assert_documented("/api/v1/codes/{code}/", self.client.get(f"/api/v1/codes/{code}/"))
        self.assert_documented("/api/v1/codes/{code}/", self.client.get("/api/v1/codes/9.9.9/"))

    def test_searches_and_their_errors_answer_as_documented(self):
        provider = Provider.objects.first().slug
        for query in ["", "?q=mailbox+full", "?q=5.7.&page=2", "?kind=enhanced&severity=transient",
                      f"?provider={provider}", "?standing=vendor&class=5", "?class=9", "?kind=odd&standing=x",
                      "?page=999", "?q=" + "x" * 600]:
            with self.subTest(query):
                self.assert_documented("/api/v1/codes/", self.client.get("/api/v1/codes/" + query))
        for prefix in ["5", "5.7.2", "mailbox f", "zzzz", ""]:
            with self.subTest(prefix):
                self.assert_documented("/api/v1/suggest", self.client.get("/api/v1/suggest", {"q": prefix}))

    def test_every_provider_answers_as_documented(self):
        self.assert_documented("/api/v1/providers/", self.client.get("/api/v1/providers/"))
        for slug in Provider.objects.values_list("slug", flat=True):
            with self.subTest(slug):
                self.assert_documented("/api/v1/providers/{slug}/", self.client.get(f"/api/v1/providers/{slug}/"))
        self.assert_documented("/api/v1/providers/{slug}/", self.client.get("/api/v1/providers/no-such-one/"))

    @override_settings(RATE_LIMIT_ANALYZE="0")
    def test_analyses_of_real_bounces_answer_as_documented(self):
        for path in [*BOUNCES, *ESP_EVENTS]:
            with self.subTest(path.name):
                response = self.client.post("/api/v1/analyze", path.read_bytes(), content_type="message/rfc822")
                self.assert_documented("/api/v1/analyze", response, "post")
        files = [open(path, "rb") for path in BOUNCES[:3]]  # a batch: each finding names its message
        try:
            response = self.client.post("/api/v1/analyze", {"file": files})
        finally:
            for file in files:
                file.close()
        self.assertIn("summary", response.json())
        self.assert_documented("/api/v1/analyze", response, "post")

    def test_analyse_errors_answer_as_documented(self):
        self.assert_documented("/api/v1/analyze", self.client.post("/api/v1/analyze", "", content_type="text/plain"), "post")
        too_large = self.client.post("/api/v1/analyze", b"x" * (MAX_REQUEST_BYTES + 1), content_type="text/plain")
        self.assertEqual(too_large.status_code, 413)
        self.assert_documented("/api/v1/analyze", too_large, "post")
        with override_settings(RATE_LIMIT_ANALYZE="1/h"):
            answers = [self.client.post("/api/v1/analyze", REPLY, content_type="text/plain") for _ in range(2)]
        self.assertEqual(answers[-1].status_code, 429)
        self.assert_documented("/api/v1/analyze", answers[-1], "post")

    def test_outages_answer_as_documented(self):
        down = mock.patch.object(connection, "cursor", side_effect=OperationalError("connection to server refused"))
        for template, method, path in [("/api/v1/codes/", "get", "/api/v1/codes/"),
                                       ("/api/v1/codes/{code}/", "get", "/api/v1/codes/550/"),
                                       ("/api/v1/providers/{slug}/", "get", "/api/v1/providers/gmail/"),
                                       ("/api/v1/analyze", "post", "/api/v1/analyze")]:
            with self.subTest(path), down, self.assertLogs("kb.middleware", "ERROR"), self.assertLogs("django.request", "ERROR"):
                if method == "post":
                    response = self.client.post(path, REPLY, content_type="text/plain")
                else:
                    response = self.client.get(path)
                self.assertEqual(response.status_code, 503)
                self.assert_documented(template, response, method)

    def test_an_undocumented_field_fails_the_check(self):
        # The check itself can fail: a field the document does not list is caught.
        response = self.client.get("/api/v1/providers/")
        answer = {**response.json(), "extra": 1}
        response.json = lambda: answer
        with self.assertRaises(AssertionError):
            self.assert_documented("/api/v1/providers/", response)
