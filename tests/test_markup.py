from django.test import SimpleTestCase

from kb.markup import render_markdown


class RenderMarkdownTests(SimpleTestCase):
    def test_it_renders_ordinary_markdown(self):
        html = render_markdown("Use **550** with `5.1.1`; see [RFC 5321](https://www.rfc-editor.org/rfc/rfc5321).")
        self.assertIn("<strong>550</strong>", html)
        self.assertIn("<code>5.1.1</code>", html)
        self.assertIn('href="https://www.rfc-editor.org/rfc/rfc5321"', html)

    def test_it_strips_scripts_and_event_handlers(self):
        html = render_markdown('<script>alert(1)</script><img src=x onerror="alert(2)"><b onclick="x()">hi</b>')
        self.assertNotIn("<script", html)
        self.assertNotIn("onerror", html)
        self.assertNotIn("onclick", html)
        self.assertNotIn("<img", html)

    def test_it_drops_javascript_links(self):
        html = render_markdown("[click](javascript:alert(1)) and <a href='data:text/html,x'>y</a>")
        self.assertNotIn("javascript:", html)
        self.assertNotIn("data:text", html)

    def test_links_get_nofollow(self):
        self.assertIn('rel="nofollow noopener"', render_markdown("[x](https://example.org/)"))

    def test_empty_text_renders_nothing(self):
        self.assertEqual(render_markdown(""), "")
        self.assertEqual(render_markdown(None), "")

    def test_raw_style_and_iframe_are_removed(self):
        html = render_markdown("<style>body{display:none}</style><iframe src='https://evil.example'></iframe>ok")
        self.assertNotIn("<style", html)
        self.assertNotIn("<iframe", html)
        self.assertIn("ok", html)
