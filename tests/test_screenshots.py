"""Screenshots of the main pages for the README, taken in Chromium.

UPDATE_SCREENSHOTS=1 writes them into docs/screenshots/; otherwise into a
temporary folder, so that a test run never changes the repository. Either way
each page must render without a console error or a refused resource, and each
file must be a PNG of the viewport, small enough to commit.
"""

import os
import struct
import tempfile
from pathlib import Path

from django.contrib.auth.models import User
from django.core.management import call_command

from kb.models import Code
from tests.test_browser import ChromiumTestCase

DOCS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
BOUNCE = Path(__file__).resolve().parent / "data" / "sisimai" / "emails" / "maildir__bsd__lhost-postfix-02.eml"
VIEWPORT = {"width": 1120, "height": 700}
MAX_BYTES = 150_000
PASSWORD = "a-long-screenshot-password"
# What the README shows; an old picture of a page no longer shot would linger unnoticed.
NAMES = ["home", "search", "entry", "provider", "analyze", "admin"]


def png_size(path):
    """(width, height) from a PNG's header; fails on anything that is not a PNG."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is no PNG"
    return struct.unpack(">II", head[16:24])


class ScreenshotTests(ChromiumTestCase):
    def setUp(self):
        super().setUp()
        call_command("load_kb", verbosity=0)  # the real knowledge base: the pictures show real entries
        self.page.set_viewport_size(VIEWPORT)
        if os.environ.get("UPDATE_SCREENSHOTS") == "1":
            self.folder = DOCS
        else:
            self.folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.folder.mkdir(parents=True, exist_ok=True)

    def shoot(self, name):
        path = self.folder / f"{name}.png"
        self.page.screenshot(path=path)
        self.assertEqual(self.page.evaluate("window.__cspViolations"), [], name)
        self.assertEqual((self.errors, self.failed), ([], []), name)
        self.assertEqual(png_size(path), (VIEWPORT["width"], VIEWPORT["height"]))
        self.assertLessEqual(path.stat().st_size, MAX_BYTES, name)
        return path

    def visit(self, path):
        response = self.page.goto(f"{self.live_server_url}{path}")
        self.assertEqual(response.status, 200, path)

    def test_the_main_pages_render_cleanly_and_make_small_screenshots(self):
        self.visit("/")
        self.shoot("home")
        self.visit("/codes/?q=mailbox+full")
        self.assertGreater(self.page.locator(".results .result").count(), 0)
        self.shoot("search")
        self.visit("/codes/5.1.1/")
        self.shoot("entry")
        self.visit("/providers/gmail/")
        self.shoot("provider")
        self.visit("/analyze/")
        self.page.fill("textarea", BOUNCE.read_text(errors="replace"))
        self.page.click("form.analyze-form button[type=submit]")
        self.page.wait_for_selector("article.finding")
        self.shoot("analyze")
        User.objects.create_superuser("editor", "editor@example.org", PASSWORD)
        self.visit("/admin/login/")
        self.page.fill("#id_username", "editor")
        self.page.fill("#id_password", PASSWORD)
        self.page.click("input[type=submit]")
        self.page.wait_for_selector("#user-tools")
        self.visit(f"/admin/kb/code/{Code.objects.get(code='5.1.1').pk}/change/")
        self.page.wait_for_selector("#id_categories_from")  # the admin's scripts have run
        self.shoot("admin")
        self.assertEqual(sorted(path.stem for path in self.folder.glob("*.png")), sorted(NAMES))
