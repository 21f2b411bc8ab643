"""The pages in a real headless Chromium (Debian's `chromium`; `make test` installs it)."""

import os

from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from playwright.sync_api import sync_playwright

from kb.models import ExampleReply
from tests.helpers import make_code

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REPLY = "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in local recipient table"


class BrowserTests(StaticLiveServerTestCase):

    @classmethod
    def setUpClass(cls):
        # Playwright's sync API runs an event loop in this thread; the test's own database
        # calls are still synchronous, so Django's async-safety guard does not apply.
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        super().setUpClass()
        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]

    def setUp(self):
        # A live-server test empties the database after each test: a few entries load faster than all.
        entry = make_code("441", title="Exchange could not reach the next server", summary="Transient. " * 30)
        ExampleReply.objects.create(code=entry, position=1, source="https://example.org/" + "long-path/" * 20,
                                    text="441 4.4.1 https://example.org/" + "x" * 300)
        make_code("550", title="Mailbox unavailable or message refused", summary="Permanent. " * 30)
        make_code("5.1.1", title="Recipient address does not exist", summary="Permanent. " * 30)
        self.context = self.browser.new_context()
        self.page = self.context.new_page()
        self.errors = []
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def tearDown(self):
        self.context.close()

    def open(self, path):
        self.page.goto(f"{self.live_server_url}{path}")

    def test_slash_focuses_the_search_box_and_a_search_finds_a_code(self):
        self.open("/")
        self.page.keyboard.press("/")
        self.assertEqual(self.page.evaluate("document.activeElement.name"), "q")
        self.page.keyboard.type("441")
        self.page.keyboard.press("Enter")
        self.page.wait_for_load_state()
        self.assertIn("441", self.page.text_content("main"))
        self.assertEqual(self.errors, [])

    def test_slash_typed_inside_a_text_field_stays_in_the_field(self):
        self.open("/analyze/")
        self.page.click("textarea")
        self.page.keyboard.type("a/b")
        self.assertEqual(self.page.input_value("textarea"), "a/b")

    def test_pasting_a_reply_shows_the_recipient_and_the_highlighted_example(self):
        self.open("/analyze/")
        self.page.fill("textarea", REPLY)
        self.page.click("button:has-text('Analyse')")
        self.page.wait_for_selector(".finding")
        self.assertIn("bob@example.org", self.page.text_content(".finding h3"))
        self.assertIn("Hard bounce", self.page.text_content(".finding"))
        self.assertEqual(self.errors, [])

    def test_an_entry_fits_a_phone_screen(self):
        phone = self.browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
        page = phone.new_page()
        page.goto(f"{self.live_server_url}/codes/441/")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        phone.close()
        self.assertLessEqual(overflow, 0)

    def test_the_first_tab_reaches_the_skip_link(self):
        self.open("/codes/550/")
        self.page.keyboard.press("Tab")
        self.assertEqual(self.page.evaluate("document.activeElement.textContent"), "Skip to content")
