from django.test import TestCase

from kb.models import Cause, Code, ExampleReply, Provider, ResolutionStep
from tests.helpers import KnowledgeBaseTestCase, make_code

DETAIL_KEYS = {"code", "kind", "class", "severity", "standing", "title", "summary", "causes", "steps",
               "examples", "related", "categories", "url"}


class CodeDetailApiTests(KnowledgeBaseTestCase):

    def test_every_published_entry_is_in_the_api_with_the_contract_fields(self):
        for entry in Code.objects.published():
            with self.subTest(code=entry.code):
                data = self.client.get(f"/api/v1/codes/{entry.code}/").json()
                self.assertEqual(set(data), DETAIL_KEYS)
                self.assertEqual(data["code"], entry.code)
                self.assertEqual(data["severity"], entry.severity)
                self.assertEqual(data["class"], entry.code[0])
                self.assertTrue(data["url"].endswith(f"/codes/{entry.code}/"))
                self.assertEqual(len(data["causes"]), entry.causes.count())

    def test_an_unknown_code_is_a_json_404(self):
        response = self.client.get("/api/v1/codes/599/")
        self.assertEqual(response.status_code, 404)
        self.assertIn("error", response.json())


class CodeDetailShapeTests(TestCase):
    def test_items_come_in_order_with_audience_and_provider(self):
        entry = make_code("5.1.1")
        gmail = Provider.objects.create(slug="gmail", name="Gmail")
        Cause.objects.create(code=entry, position=2, text="second")
        Cause.objects.create(code=entry, position=1, text="first")
        ResolutionStep.objects.create(code=entry, position=1, text="Check", audience="sender")
        ExampleReply.objects.create(code=entry, position=1, text="550 5.1.1 no", provider=gmail, source="x.eml")
        entry.related.add(make_code("550"))
        data = self.client.get("/api/v1/codes/5.1.1/").json()
        self.assertEqual(data["causes"], [{"text": "first"}, {"text": "second"}])
        self.assertEqual(data["steps"], [{"text": "Check", "audience": "sender"}])
        self.assertEqual(data["examples"], [{"text": "550 5.1.1 no", "provider": "Gmail", "source": "x.eml"}])
        self.assertEqual(data["related"], ["550"])
        self.assertEqual(data["kind"], "enhanced")


class CodeListApiTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        for number in range(500, 530):
            make_code(str(number))

    def test_it_pages_with_the_contract_fields(self):
        data = self.client.get("/api/v1/codes/").json()
        self.assertEqual(set(data), {"count", "next", "previous", "results"})
        self.assertEqual(data["count"], 30)
        self.assertIsNone(data["previous"])
        self.assertIn("page=2", data["next"])
        self.assertEqual(set(data["results"][0]), {"code", "kind", "title", "severity", "url"})
        second = self.client.get(data["next"]).json()
        self.assertIsNone(second["next"])
        self.assertEqual(len(data["results"]) + len(second["results"]), 30)

    def test_a_page_out_of_range_is_a_json_404(self):
        response = self.client.get("/api/v1/codes/", {"page": 99})
        self.assertEqual(response.status_code, 404)
        self.assertIn("error", response.json())
