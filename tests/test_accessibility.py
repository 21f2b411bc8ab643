"""Accessibility checks that need no browser: the structure of every kind of page, and the colours."""

import re
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.test import RequestFactory, SimpleTestCase, TestCase
from django.urls import reverse
from django.views.defaults import server_error

from kb.models import Cause, ExampleReply, ResolutionStep
from tests.helpers import make_code

CSS = Path(settings.BASE_DIR, "static", "kb", "site.css").read_text()
REPLY = "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in local recipient table"
TWO_RECIPIENTS = f"""Final-Recipient: rfc822; bob@example.org
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; {REPLY}

Final-Recipient: rfc822; carol@example.org
Action: delayed
Status: 4.2.2
Diagnostic-Code: smtp; 452 4.2.2 Mailbox full
"""


class PageOutline(HTMLParser):
    """What the checks need from a page: headings, controls and labels, ids, links, tables."""

    CONTROLS = {"input", "select", "textarea"}
    UNLABELLED_INPUTS = {"hidden", "submit", "button", "reset", "image"}

    def __init__(self, html):
        super().__init__()
        self.lang = None
        self.headings, self.ids, self.controls, self.label_for = [], [], [], set()
        self.references = []  # ids named by aria-describedby and aria-labelledby
        self.links, self.tables, self.landmarks = [], [], []
        self._label_depth = 0
        self._heading = None
        self._link = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        for name in ("aria-describedby", "aria-labelledby"):
            self.references += (attrs.get(name) or "").split()
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag in ("main", "header", "footer", "nav"):
            self.landmarks.append((tag, attrs))
        elif re.fullmatch(r"h[1-6]", tag):
            self._heading = [int(tag[1]), ""]
        elif tag == "label":
            self._label_depth += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        elif tag in self.CONTROLS and attrs.get("type") not in self.UNLABELLED_INPUTS:
            self.controls.append((attrs, self._label_depth > 0))
        elif tag == "a" and "href" in attrs:
            self._link = [attrs, ""]
        elif tag == "table":
            self.tables.append({"th": [], "caption": False})
        elif tag == "th" and self.tables:
            self.tables[-1]["th"].append(attrs.get("scope"))
        elif tag == "caption" and self.tables:
            self.tables[-1]["caption"] = True

    def handle_endtag(self, tag):
        if self._heading and tag == f"h{self._heading[0]}":
            self.headings.append((self._heading[0], " ".join(self._heading[1].split())))
            self._heading = None
        elif tag == "label":
            self._label_depth -= 1
        elif tag == "a" and self._link:
            self.links.append((self._link[0], " ".join(self._link[1].split())))
            self._link = None

    def handle_data(self, data):
        if self._heading:
            self._heading[1] += data
        if self._link:
            self._link[1] += data


class PageStructureTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        entry = make_code("5.1.1", title="Recipient address does not exist", references="RFC 3463 §3.2",
                          summary="The address is unknown.\n\nSecond paragraph.")
        related = make_code("550", title="Mailbox unavailable")
        entry.related.add(related)
        Cause.objects.create(code=entry, position=1, text="A typo.")
        for position, audience in enumerate(["sender", "sender-admin", "recipient-admin"], start=1):
            ResolutionStep.objects.create(code=entry, position=position, audience=audience, text="Check it.")
        ExampleReply.objects.create(code=entry, position=1, source="https://example.org/bounce", text=REPLY)
        make_code("4.2.2", title="Mailbox full")
        make_code("101", title="Network is unreachable", standing="folklore")

    def pages(self):
        """(name, response) for every kind of page a visitor meets."""
        yield "home", self.client.get(reverse("home"))
        yield "entry", self.client.get(reverse("code_detail", args=["5.1.1"]))
        yield "folklore entry", self.client.get(reverse("code_detail", args=["101"]))
        yield "missing code", self.client.get(reverse("code_detail", args=["5.1.99"]))
        yield "malformed code", self.client.get(reverse("code_detail", args=["hello"]))
        yield "not found", self.client.get("/no/such/page/")
        yield "search", self.client.get(reverse("code_list"), {"q": "mailbox"})
        yield "analyse", self.client.get(reverse("analyze"))
        yield "analyse results", self.client.post(reverse("analyze"), {"text": TWO_RECIPIENTS})
        yield "analyse error", self.client.post(reverse("analyze"), {"text": " "})
        yield "server error", server_error(RequestFactory().get("/"))

    def test_every_page_has_one_h1_first_and_no_skipped_heading_level(self):
        for name, response in self.pages():
            with self.subTest(page=name):
                levels = [level for level, _ in PageOutline(response.content.decode()).headings]
                self.assertEqual(levels[:1], [1])
                self.assertEqual(levels.count(1), 1)
                for before, after in zip(levels, levels[1:]):
                    self.assertLessEqual(after, before + 1, levels)

    def test_every_form_control_has_a_label(self):
        for name, response in self.pages():
            with self.subTest(page=name):
                page = PageOutline(response.content.decode())
                for attrs, wrapped in page.controls:
                    labelled = wrapped or attrs.get("id") in page.label_for or attrs.get("aria-label")
                    self.assertTrue(labelled, attrs)

    def test_every_page_has_a_language_landmarks_a_skip_link_and_unique_ids(self):
        for name, response in self.pages():
            with self.subTest(page=name):
                page = PageOutline(response.content.decode())
                self.assertEqual(page.lang, "en")
                self.assertEqual([tag for tag, _ in page.landmarks].count("main"), 1)
                self.assertIn("main", page.ids)
                self.assertEqual(page.links[0], ({"class": "skip-link", "href": "#main"}, "Skip to content"))
                self.assertEqual(len(page.ids), len(set(page.ids)), sorted(page.ids))
                for tag, attrs in page.landmarks:
                    if tag == "nav":  # several navigations: each needs a name
                        self.assertTrue(attrs.get("aria-label") or attrs.get("aria-labelledby"), attrs)

    def test_every_aria_reference_names_an_element_of_the_page(self):
        for name, response in self.pages():
            with self.subTest(page=name):
                page = PageOutline(response.content.decode())
                self.assertEqual(set(page.references) - set(page.ids), set())

    def test_links_make_sense_out_of_context_and_in_page_links_have_targets(self):
        vague = {"here", "click here", "more", "read more", "link", "this"}
        for name, response in self.pages():
            with self.subTest(page=name):
                page = PageOutline(response.content.decode())
                for attrs, text in page.links:
                    self.assertNotIn(text.lower(), vague)
                    self.assertTrue(text, attrs)
                    if attrs["href"].startswith("#"):
                        self.assertIn(attrs["href"][1:], page.ids)

    def test_data_tables_have_a_caption_and_scoped_headers(self):
        page = PageOutline(self.client.post(reverse("analyze"), {"text": TWO_RECIPIENTS}).content.decode())
        self.assertEqual(len(page.tables), 1)
        for table in page.tables:
            self.assertTrue(table["caption"])
            self.assertTrue(table["th"])
            self.assertTrue(all(scope in ("col", "row") for scope in table["th"]), table["th"])


def _luminance(hex_colour):
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b):
    """The WCAG 2 contrast ratio of two #rrggbb colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _tokens(block):
    return dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{6})\b", block))


def schemes():
    """{"light": tokens, "dark": tokens}: the dark scheme overrides the light one."""
    light = _tokens(CSS[CSS.index(":root {") : CSS.index("}", CSS.index(":root {"))])
    dark_at = CSS.index("@media (prefers-color-scheme: dark)")
    dark_block = CSS[dark_at : CSS.index("}", CSS.index(":root {", dark_at))]
    return {"light": light, "dark": {**light, **_tokens(dark_block)}}


# (text, background) as the stylesheet pairs them; every one needs 4.5:1 (WCAG 1.4.3).
TEXT_PAIRS = [
    ("--fg", "--bg"), ("--fg", "--bg-soft"), ("--bg", "--fg"),              # body, panels, skip link
    ("--fg-soft", "--bg"), ("--fg-soft", "--bg-soft"),                     # hints, labels, captions
    ("--fg-soft", "--accent-soft"), ("--fg", "--accent-soft"),             # entry card, notices
    ("--accent", "--bg"), ("--accent", "--bg-soft"), ("--accent", "--accent-soft"),  # links, codes
    ("--on-accent", "--accent"),                                           # buttons, brand mark
    ("--permanent", "--permanent-bg"), ("--transient", "--transient-bg"),  # severity badges
    ("--success", "--success-bg"),
    ("--permanent", "--bg"), ("--success", "--bg"),                        # field errors, "Link copied"
    ("--fg", "--permanent-bg"), ("--fg", "--transient-bg"),                # alerts, warnings
    ("--fg", "--mark"), ("--fg-soft", "--mark"), ("--accent", "--mark"),   # highlights in text, excerpts, codes
]
# Things that are not text need 3:1 against what is next to them (WCAG 1.4.11).
NON_TEXT_PAIRS = [
    ("--focus", "--bg"), ("--focus", "--bg-soft"),                         # focus ring
    ("--fg-soft", "--bg"),                                                 # text field borders
]


class ColourContrastTests(SimpleTestCase):
    def test_every_text_colour_pair_meets_aa_in_both_schemes(self):
        for scheme, tokens in schemes().items():
            for fg, bg in TEXT_PAIRS:
                with self.subTest(scheme=scheme, pair=(fg, bg)):
                    self.assertGreaterEqual(contrast(tokens[fg], tokens[bg]), 4.5)

    def test_focus_ring_and_field_borders_stand_out_in_both_schemes(self):
        for scheme, tokens in schemes().items():
            for fg, bg in NON_TEXT_PAIRS:
                with self.subTest(scheme=scheme, pair=(fg, bg)):
                    self.assertGreaterEqual(contrast(tokens[fg], tokens[bg]), 3)

    def test_colours_are_only_set_through_the_checked_tokens(self):
        # A colour written outside the token blocks would escape the checks above.
        outside = CSS[CSS.index("/* 2 Base */") :]
        self.assertEqual(re.findall(r"#[0-9a-fA-F]{3,8}\b", outside), [])

    def test_motion_is_only_added_for_those_who_do_not_ask_to_reduce_it(self):
        for rule in ("transition", "scroll-behavior: smooth", "animation"):
            for match in re.finditer(rule, CSS):
                opening = CSS.rfind("@media", 0, match.start())
                self.assertIn("prefers-reduced-motion: no-preference", CSS[opening : opening + 60], rule)
