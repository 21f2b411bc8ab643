"""Provider pages, the provider API, naming the provider of a reply, and the provider content checks."""
import json
import unittest
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from django.urls import reverse

from kb import content_checks, providers, registry
from kb.models import Code, ExampleReply, Provider
from tests.helpers import KnowledgeBaseTestCase, make_code

CORPUS = Path(__file__).resolve().parent / "data" / "sisimai" / "emails"


class _Provider:
    def __init__(self, slug, hosts=(), signatures=()):
        self.slug, self._hosts, self._signatures = slug, list(hosts), list(signatures)

    def host_list(self):
        return self._hosts

    def signature_list(self):
        return self._signatures


class IdentifyTests(unittest.TestCase):
    gmail = _Provider("gmail", ["google.com"], ["gsmtp"])
    exchange = _Provider("exchange", signatures=["RESOLVER."])
    microsoft = _Provider("microsoft", ["outlook.com", "protection.outlook.com"], ["prod.outlook.com"])
    every = providers.Directory([gmail, exchange, microsoft])

    def test_a_host_under_a_providers_domain_names_it(self):
        self.assertIs(self.every.identify("550 no", "mx.google.com"), self.gmail)

    def test_the_host_decides_before_the_text(self):
        self.assertIs(self.every.identify("... gsmtp", "eur.olc.protection.outlook.com"), self.microsoft)

    def test_the_longest_signature_wins(self):
        text = "550 5.1.10 RESOLVER.ADR.RecipientNotFound [AM0PR01MB.eurprd01.prod.outlook.com]"
        self.assertIs(self.every.identify(text, None), self.microsoft)
        self.assertIs(self.every.identify("550 5.1.1 RESOLVER.ADR.RecipNotFound; not found", None),
                      self.exchange)

    def test_a_look_alike_host_is_no_match(self):
        self.assertIsNone(self.every.identify("550 no", "notgoogle.com.example"))
        self.assertIsNone(self.every.identify("", ""))


class ProviderPagesTests(KnowledgeBaseTestCase):

    def test_the_list_links_every_provider(self):
        response = self.client.get(reverse("provider_list"))
        self.assertEqual(response.status_code, 200)
        for provider in Provider.objects.all():
            self.assertContains(response, provider.get_absolute_url())

    def test_a_provider_page_lists_its_replies_by_entry_and_its_links(self):
        gmail = Provider.objects.get(slug="gmail")
        response = self.client.get(gmail.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        example = gmail.examples.filter(code__published=True).first()
        self.assertContains(response, example.code.get_absolute_url())
        for url, _ in gmail.link_list():
            self.assertContains(response, url)
        self.assertContains(response, "gsmtp")

    def test_an_unknown_provider_is_a_404(self):
        self.assertEqual(self.client.get("/providers/no-such-provider/").status_code, 404)

    def test_an_entry_links_to_the_providers_it_quotes(self):
        entry = Code.objects.get(code="5.1.1")
        response = self.client.get(entry.get_absolute_url())
        for provider in Provider.objects.filter(examples__code=entry).distinct():
            self.assertContains(response, provider.get_absolute_url())

    def test_every_provider_with_replies_has_a_page_that_shows_them(self):
        for provider in Provider.objects.filter(examples__isnull=False).distinct():
            with self.subTest(provider=provider.slug):
                response = self.client.get(provider.get_absolute_url())
                self.assertContains(response, "Real replies (")
                self.assertNotContains(response, "We hold no real reply")


class ProviderApiTests(KnowledgeBaseTestCase):

    def test_the_list_names_every_provider(self):
        data = self.client.get(reverse("api_provider_list")).json()
        self.assertEqual({row["slug"] for row in data["results"]}, set(Provider.objects.values_list("slug", flat=True)))

    def test_a_provider_has_its_replies_with_their_entries(self):
        data = self.client.get(reverse("api_provider_detail", args=["microsoft"])).json()
        self.assertEqual(data["name"], Provider.objects.get(slug="microsoft").name)
        self.assertTrue(data["links"] and data["hosts"] and data["examples"])
        self.assertTrue(all({"entry", "text", "source"} <= set(example) for example in data["examples"]))

    def test_an_unknown_provider_is_a_json_404(self):
        response = self.client.get(reverse("api_provider_detail", args=["nope"]))
        self.assertEqual(response.status_code, 404)
        self.assertIn("error", response.json())

    def test_analyse_names_the_provider_that_generated_the_reply(self):
        raw = (CORPUS / "maildir__bsd__rhost-google-03.eml").read_bytes()
        data = self.client.post(reverse("api_analyze"), raw, content_type="message/rfc822").json()
        self.assertEqual([finding["provider"]["slug"] for finding in data["findings"]], ["gmail"])

    def test_the_analyse_page_names_the_provider_too(self):
        raw = (CORPUS / "maildir__bsd__rhost-google-03.eml").read_text(errors="replace")
        response = self.client.post(reverse("analyze"), {"text": raw})
        self.assertContains(response, "Reply generated by")
        self.assertContains(response, Provider.objects.get(slug="gmail").get_absolute_url())


class CommandLineProviderTests(KnowledgeBaseTestCase):

    def test_jsonl_names_the_provider_of_each_reply(self):
        out = StringIO()
        call_command("analyze_bounce", "--jsonl", str(CORPUS / "maildir__bsd__rhost-google-03.eml"), stdout=out)
        self.assertEqual([json.loads(line)["provider"] for line in out.getvalue().splitlines()], ["gmail"])


class ProviderContentTests(KnowledgeBaseTestCase):

    def test_every_code_in_the_providers_tables_has_an_entry(self):
        entries = list(Code.objects.published())
        self.assertEqual(list(content_checks.provider_code_problems(entries)), [])
        self.assertGreater(len(registry.provider_enhanced_codes()), 100)

    def test_a_range_entry_covers_the_codes_inside_it(self):
        entry = Code.objects.get(code="5.7.700")
        self.assertTrue(content_checks._covers(entry, "5.7.705"))
        self.assertFalse(content_checks._covers(entry, "5.7.751"))

    def test_a_missing_provider_code_is_reported(self):
        entries = [entry for entry in Code.objects.published() if entry.code != "5.7.57"]
        problems = list(content_checks.provider_code_problems(entries))
        self.assertIn(("5.7.57", "missing: a provider's table documents this code but no published entry explains it"),
                      problems)

    def test_a_reply_filed_twice_is_reported(self):
        entry = make_code("5.9.9", standing=Code.Standing.VENDOR)
        for position, text in ((1, "550 5.9.9  Same reply"), (2, "550 5.9.9 same REPLY")):
            ExampleReply.objects.create(code=entry, position=position, text=text, source="x.eml")
        problems = list(content_checks.duplicate_example_problems([entry]))
        self.assertEqual(problems, [("5.9.9", "example 2 repeats example 1 of 5.9.9")])

    def test_the_knowledge_base_holds_500_real_replies_each_with_a_source(self):
        self.assertGreaterEqual(ExampleReply.objects.count(), 500)
        self.assertFalse(ExampleReply.objects.filter(source="").exists())


class ExampleSourceTests(KnowledgeBaseTestCase):

    @classmethod
    def setUpTestData(cls):
        cls.entry = make_code("5.9.8", standing=Code.Standing.VENDOR)

    def _problems(self, source):
        ExampleReply.objects.update_or_create(code=self.entry, position=1,
                                              defaults={"text": "550 5.9.8 no", "source": source})
        return list(content_checks.example_problems(self.entry))

    def test_a_source_must_say_where_to_find_the_reply(self):
        self.assertEqual(len(self._problems("a public log fixture somewhere")), 1)

    def test_a_language_must_be_a_language_tag(self):
        ExampleReply.objects.update_or_create(code=self.entry, position=1, defaults={
            "text": "550 5.9.8 nein", "source": "https://example.org/a", "language": "german"})
        self.assertEqual(list(content_checks.example_problems(self.entry)),
                         [("5.9.8", "example 1: “german” is not a language tag (de, fr, pt-BR)")])
        for tag in ("de", "pt-BR", "zh-hans"):
            with self.subTest(tag=tag):
                ExampleReply.objects.filter(code=self.entry).update(language=tag)
                self.assertEqual(list(content_checks.example_problems(self.entry)), [])

    def test_urls_and_repository_paths_are_places(self):
        for source in ("https://github.com/mailcow/mailcow-dockerized/issues/2532",
                       "github.com/sisimai/set-of-emails maildir/bsd/lhost-postfix-01.eml",
                       "learn.microsoft.com/en-us/answers/questions/174866"):
            with self.subTest(source=source):
                self.assertEqual(self._problems(source), [])
