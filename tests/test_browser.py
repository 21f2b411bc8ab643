"""The pages in a real headless Chromium (Debian's `chromium`; `make test` installs it)."""

import os

from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.test import tag
from playwright.sync_api import sync_playwright

from kb.models import Code, ExampleReply, ResolutionStep
from tests.helpers import make_code

# Records what the Content-Security-Policy blocks (or would block, report-only), before any page script runs.
CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REPLY = "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in local recipient table"
LONG_ADDRESS = "a.really.long.mailbox.name.for.testing." * 3 + "x@subdomain.example-company.co.uk"
TWO_RECIPIENTS = f"""Final-Recipient: rfc822; bob@example.org
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; {REPLY}

Final-Recipient: rfc822; {LONG_ADDRESS}
Action: delayed
Status: 4.4.1
Diagnostic-Code: smtp; 441 4.4.1 Error encountered while communicating with primary target IP address {"y" * 200}
"""


@tag("browser")
class ChromiumTestCase(StaticLiveServerTestCase):
    """A live server and one headless Chromium per class; self.page is a fresh tab per test."""

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
        self.context = self.browser.new_context()
        self.page = self.context.new_page()
        self.errors = []
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("response", lambda response: response.status >= 400 and self.failed.append(f"{response.status} {response.url}"))
        self.failed = []
        self.page.add_init_script(CSP_WATCH)

    def tearDown(self):
        self.context.close()

    def open(self, path):
        self.page.goto(f"{self.live_server_url}{path}")

    def wait_until(self, expression, tries=50):
        """Poll an expression from here: Playwright's wait_for_function evaluates strings in the
        page, which the site's Content-Security-Policy (no 'unsafe-eval') rightly refuses."""
        for _ in range(tries):
            if self.page.evaluate(expression):
                return
            self.page.wait_for_timeout(100)
        self.fail(f"never true: {expression}")


class BrowserTests(ChromiumTestCase):

    def setUp(self):
        super().setUp()
        # A live-server test empties the database after each test: a few entries load faster than all.
        long_url = "https://example.org/" + "long-path/" * 20
        entry = make_code("441", title="Exchange could not reach the next server",
                          summary="Transient. " * 30 + f"\n\nSee [{long_url}]({long_url}) or <{long_url}>.")
        ExampleReply.objects.create(code=entry, position=1, source=long_url, notes=f"Seen at {long_url}.",
                                    text="441 4.4.1 https://example.org/" + "x" * 300)
        ResolutionStep.objects.create(code=entry, position=1, audience="sender-admin",
                                      text="Run `" + "nc -vz smtp.example.com 25 " * 3 + "` and read " + long_url)
        make_code("550", title="Mailbox unavailable or message refused", summary="Permanent. " * 30)
        make_code("5.1.1", title="Recipient address does not exist", summary="Permanent. " * 30)
        Code.objects.rebuild_search_index()

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

    def phone(self, **options):
        phone = self.browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, **options)
        self.addCleanup(phone.close)
        return phone.new_page()

    def overflow(self, page):
        return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")

    def test_an_entry_with_long_replies_urls_and_commands_fits_a_phone_screen(self):
        page = self.phone()
        page.goto(f"{self.live_server_url}/codes/441/")
        self.assertTrue(page.is_visible("text=Run"))  # the long step is there
        self.assertLessEqual(self.overflow(page), 0)

    def test_the_analysis_of_a_long_address_fits_a_phone_screen(self):
        page = self.phone()
        page.goto(f"{self.live_server_url}/analyze/")
        page.fill("textarea", TWO_RECIPIENTS)
        page.click("button:has-text('Analyse')")
        page.wait_for_selector(".summary-table")
        self.assertLessEqual(self.overflow(page), 0)
        table = page.eval_on_selector(".table-scroll", "el => el.scrollWidth - el.clientWidth")
        self.assertLessEqual(table, 0)  # the summary fits without sideways scrolling

    def test_copy_link_puts_the_entrys_address_on_the_clipboard(self):
        self.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=self.live_server_url)
        self.open("/codes/550/")
        self.assertFalse(self.page.is_visible("a[data-copy-link]"))
        self.page.click("button:has-text('Copy link')")
        self.page.wait_for_selector(".copy-status:has-text('Link copied')")
        self.assertEqual(self.page.evaluate("navigator.clipboard.readText()"), f"{self.live_server_url}/codes/550/")
        self.assertEqual(self.errors, [])

    def test_without_javascript_the_entry_shows_a_plain_permalink(self):
        context = self.browser.new_context(java_script_enabled=False)
        self.addCleanup(context.close)
        page = context.new_page()
        page.goto(f"{self.live_server_url}/codes/550/")
        self.assertEqual(page.locator("button:has-text('Copy link')").count(), 0)
        self.assertTrue(page.is_visible("a[data-copy-link]"))
        self.assertEqual(page.get_attribute("a[data-copy-link]", "href"), f"{self.live_server_url}/codes/550/")

    def test_the_summary_table_links_to_each_result_card(self):
        self.open("/analyze/")
        self.page.fill("textarea", TWO_RECIPIENTS)
        self.page.click("button:has-text('Analyse')")
        self.page.wait_for_selector(".summary-table")
        self.page.wait_for_load_state()
        self.assertEqual(self.page.evaluate("document.activeElement.id"), "outcome")
        self.page.click(".summary-table tbody tr:nth-child(2) th a")
        self.page.wait_for_url("**/analyze/#result-2")
        card = self.page.locator("#result-2")
        self.assertIn("really", card.locator("h3").text_content())
        self.wait_until("Math.abs(document.querySelector('#result-2').getBoundingClientRect().top) < 40")
        self.assertEqual(self.errors, [])

    def test_an_analyse_error_is_announced_and_takes_the_focus(self):
        self.open("/analyze/")
        self.page.click("button:has-text('Analyse')")
        self.page.wait_for_selector("[role=alert]")
        self.page.wait_for_load_state()
        focused = self.page.evaluate("[document.activeElement.getAttribute('role'), document.activeElement.textContent]")
        self.assertEqual(focused[0], "alert")
        self.assertIn("nothing to analyse", focused[1])
        self.page.click("[role=alert] a")
        self.assertEqual(self.page.evaluate("document.activeElement.tagName"), "TEXTAREA")

    def test_the_slash_hint_shows_only_where_there_is_a_keyboard(self):
        self.open("/")
        self.assertTrue(self.page.is_visible(".key-hint"))
        page = self.phone()
        page.goto(f"{self.live_server_url}/")
        self.assertFalse(page.is_visible(".key-hint"))

    def test_the_first_tab_reaches_the_skip_link(self):
        self.open("/codes/550/")
        self.page.keyboard.press("Tab")
        self.assertEqual(self.page.evaluate("document.activeElement.textContent"), "Skip to content")

    def test_suggestions_are_chosen_with_the_keyboard_and_escape_closes_them(self):
        self.open("/")
        box = self.page.locator("#q")
        box.type("recipient add")
        self.page.wait_for_selector("[role=listbox] [role=option]")
        self.assertEqual(box.get_attribute("aria-expanded"), "true")
        self.page.keyboard.press("Escape")
        self.assertEqual(box.get_attribute("aria-expanded"), "false")
        self.page.keyboard.press("ArrowDown")  # opens the list again
        self.page.keyboard.press("ArrowDown")  # the first suggestion
        option = self.page.locator("[role=option][aria-selected=true]")
        self.assertEqual(box.get_attribute("aria-activedescendant"), option.get_attribute("id"))
        self.page.keyboard.press("Enter")
        self.page.wait_for_url("**/codes/5.1.1/")
        self.assertEqual(self.errors, [])

    def test_without_a_chosen_suggestion_enter_searches(self):
        self.open("/")
        self.page.locator("#q").type("mailbox")
        self.page.wait_for_selector("[role=listbox] [role=option]")
        self.page.keyboard.press("Enter")
        self.page.wait_for_url("**/codes/?q=mailbox")

    def assert_nothing_refused(self):
        self.assertEqual(self.page.evaluate("window.__cspViolations"), [])
        self.assertEqual(self.errors, [], self.failed)

    def test_the_sites_scripts_run_under_the_policy(self):
        response = self.page.goto(f"{self.live_server_url}/")
        self.assertIn("script-src 'self'", response.headers["content-security-policy"])
        self.page.locator("#q").type("recipient add")
        self.page.wait_for_selector("[role=listbox] [role=option]")  # the suggestions' fetch and list
        self.assert_nothing_refused()
        self.open("/codes/441/")
        self.page.wait_for_selector("button.copy-button")  # made by site.js
        self.open("/analyze/")
        self.page.fill("textarea", REPLY)
        self.page.click("form.analyze-form button[type=submit]")
        self.page.wait_for_selector("article.finding")
        self.open("/api/")
        self.assert_nothing_refused()

    def test_the_admins_scripts_run_under_the_policy(self):
        from django.contrib.auth.models import User

        User.objects.create_superuser("editor", "editor@example.org", "a-long-test-password")
        self.open("/admin/login/")
        self.page.fill("#id_username", "editor")
        self.page.fill("#id_password", "a-long-test-password")
        self.page.click("input[type=submit]")
        self.page.wait_for_selector("#user-tools")
        entry = Code.objects.get(code="441")
        self.open(f"/admin/kb/code/{entry.pk}/change/")
        # Scripts of the admin at work: the two-box category chooser, "Add another" on an inline,
        # the provider autocomplete.
        self.page.wait_for_selector("#id_categories_from")
        self.page.click("#causes-group .add-row a")
        self.page.wait_for_selector("#id_causes-0-text")
        self.page.fill("#id_title", "Exchange could not reach the next server at all")
        self.page.click("input[name=_save]")
        self.page.wait_for_selector(".messagelist .success")
        self.open("/admin/kb/code/")
        self.page.wait_for_selector("#action-toggle")
        self.assert_nothing_refused()
        self.assertEqual(Code.objects.get(code="441").title, "Exchange could not reach the next server at all")
