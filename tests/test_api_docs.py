"""The header's "API" link opens a page for people, whose sample answers have the real answers' shape."""

import html
import json
import re

from tests.helpers import KnowledgeBaseTestCase

SAMPLE = re.compile(r'<pre data-sample="([^"]+)"><code>(.*?)</code></pre>', re.S)
REPLY = "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in local recipient table"


def shape(value):
    """The keys of a JSON answer, nested, with lists read from their first item."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None


class ApiDocsTests(KnowledgeBaseTestCase):
    def test_the_header_links_to_a_page_for_people(self):
        response = self.client.get("/")
        self.assertContains(response, '<a href="/api/">API</a>', html=True)
        page = self.client.get("/api/")
        self.assertEqual(page["Content-Type"], "text/html; charset=utf-8")
        for endpoint in ["/api/v1/codes/&lt;code&gt;/", "/api/v1/codes/", "/api/v1/suggest", "/api/v1/analyze",
                         "/api/v1/providers/", "/api/v1/providers/&lt;slug&gt;/"]:
            self.assertContains(page, f"<code>GET {endpoint}</code>" if "analyze" not in endpoint else f"<code>POST {endpoint}</code>")
        self.assertContains(page, "curl ", count=7)
        for status in ("400", "404", "413", "429", "503"):
            self.assertContains(page, f"<td>{status}</td>")

    def test_every_sample_answer_has_the_shape_of_the_real_answer(self):
        samples = SAMPLE.findall(self.client.get("/api/").content.decode())
        self.assertEqual(len(samples), 4)
        for url, text in samples:
            with self.subTest(url):
                documented = json.loads(html.unescape(text))
                if url.endswith("/analyze"):
                    real = self.client.post(url, REPLY, content_type="text/plain")
                else:
                    real = self.client.get(url)
                self.assertEqual(real.status_code, 200)
                self.assertEqual(shape(documented), shape(real.json()))
