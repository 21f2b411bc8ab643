"""Patterns written for speed (a word boundary or look-behind moved behind the first letter, a
possessive run) match exactly where their plain forms do, on every line of the corpus."""
import re
import unittest

from kb.bounce import freetext, mime, reasons, replies
from kb.bounce.lines import compiled
from tests.test_bounce_support import CORPUS


def _corpus_lines():
    emails = sorted((CORPUS / "emails").glob("*.eml"))[::3]
    return [line for email in emails for line in email.read_bytes().decode("utf-8", "replace").splitlines()]


class BoundaryFirstTests(unittest.TestCase):
    def test_a_boundary_still_bounds_the_word(self):
        pattern = compiled(r"\bspam\b|\b8-?bit\b|\bheaders?\b")
        for text in ("spam", "marked as spam.", "8bit", "8-bit data", "bad header", "headers"):
            self.assertIsNotNone(pattern.search(text), text)
        for text in ("antispam", "spammer", "x8bit", "subheader"):
            self.assertIsNone(pattern.search(text), text)

    def test_a_boundary_before_a_group_or_a_digit(self):
        self.assertEqual(compiled(r"\bdsn=\d").pattern, r"d(?<=\bd)sn=\d")
        self.assertIsNone(compiled(r"\bdsn=").search("xdsn=5.1.1"))
        self.assertEqual(compiled(r"(?:\bhost|\b(?:a))").pattern, r"(?:h(?<=\bh)ost|\b(?:a))")


class SameMatchesTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lines = _corpus_lines()
        cls.lowered = [line.lower() for line in cls.lines]

    def assertSameSpans(self, fast, plain, texts, group=0, label=""):
        for text in texts:
            self.assertEqual([m.span(group) for m in fast.finditer(text)],
                             [m.span(group) for m in plain.finditer(text)], f"{label}: {text!r}")

    def test_every_phrase_matches_where_its_plain_pattern_does(self):
        texts = self.lowered[::4]
        for (reason, plain), (_, fast) in zip(reasons._PHRASES, reasons._PHRASE_RES):
            self.assertSameSpans(fast, re.compile(plain), texts, label=reason)

    def test_reply_and_status_codes(self):
        self.assertSameSpans(replies._CODE, re.compile(r"(?<![\w.,/@=+*-])([245][0-9][0-9])(?=[ \t,-]|:[ \t]|$)"),
                             self.lines, group=1, label="code")
        self.assertSameSpans(replies._STATUS,
                             re.compile(r"(?<![\w.=/-])#?([245]\.[0-9]{1,3}\.[0-9]{1,3})(?![\w]|\.[0-9]|-[0-9])"),
                             self.lines, group=1, label="status")
        self.assertEqual(replies.find_status("x#5.1.1 and (#4.4.1)"), "5.1.1")

    def test_the_remote_host(self):
        fast = freetext._REMOTE_HOST.pattern
        plain = re.compile(fast.pattern.replace("(?:h(?<=\\bh)ost|w(?<=\\bw)hile talking to)",
                                                r"\b(?:host|while talking to)"))
        self.assertNotEqual(plain.pattern, fast.pattern)
        self.assertSameSpans(fast, plain, self.lowered, group=1, label="host")

    def test_the_command_and_the_special_lines(self):
        command = freetext._COMMAND.pattern
        self.assertSameSpans(command, re.compile(command.pattern.replace(r"in:(?<!\win:)", r"\bin:")),
                             self.lowered, label="command")
        special = freetext._SPECIAL_LINE.pattern
        plain = re.compile(special.pattern.replace("]*+", "]*"))
        self.assertNotEqual(plain.pattern, special.pattern)
        for text in self.lowered:
            found, expected = special.match(text), plain.match(text)
            self.assertEqual(found and (found.lastgroup, found.end()), expected and (expected.lastgroup, expected.end()),
                             text)

    def test_noise_is_taken_out_as_one_pattern_did(self):
        plain = re.compile(r"<?[^\s<>@:;,()\[\]]{1,64}@[^\s<>]{1,255}>?|protect our users from spam|"
                           r"reduce the amount of spam", re.I)
        for text in self.lines + ["To best protect our users from spam, mail to <a@example.org> was refused"]:
            self.assertEqual(reasons._without_noise(text), plain.sub(" ", text), text)

    def test_a_folded_value_is_unfolded_as_the_fold_pattern_did(self):
        fold = re.compile(r"[ \t]*(?:\r\n|\r|\n)[ \t]*")
        for value in ("multipart/report;\r\n\treport-type=delivery-status;\r\n boundary=\"b\"",
                      "a \n\t b", "a\n \n b", "a\r\rb", "x\r\n", "\n lead", "a\x0b\nb  "):
            self.assertEqual(mime._unfolded(value), fold.sub(" ", value).strip(), repr(value))

    def test_content_type_parameters(self):
        plain = re.compile(r';\s*([\w.*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]*)')
        texts = [line for line in self.lines if ";" in line] + ['text/plain; name="a \\"b\\" c"; x="open']
        for text in texts:
            self.assertEqual(mime._PARAM.findall(text), plain.findall(text), text)


class HeaderFieldsTests(unittest.TestCase):
    """The header reader that finds line breaks with str.find reads what the field pattern reads."""

    def assertSameFields(self, text, start=0):
        by_pattern = mime._fields_by_pattern(text, start, len(text))
        by_line_breaks = mime._fields_by_line_breaks(text, start, len(text))
        self.assertEqual(by_line_breaks, by_pattern, repr(text[:200]))

    def test_the_corpus_header_blocks_with_lf_and_crlf(self):
        for email in sorted((CORPUS / "emails").glob("*.eml")):
            text = email.read_bytes().decode("utf-8", "replace")
            lf = text.replace("\r\n", "\n").replace("\r", "\n")
            for variant in (lf, lf.replace("\n", "\r\n")):
                start = mime._skip_mbox_from_line(variant)
                self.assertSameFields(variant, start)
                # Each part's header block too: after every boundary line.
                for at in [m.end() for m in re.finditer(r"\n--[^\r\n]+\r?\n", variant)][:8]:
                    self.assertSameFields(variant, at)

    def test_edges_of_folds_and_line_ends(self):
        for text in ("A: 1\n b\n\tc\nB: 2", "A:\n folded\n\nbody", "A: 1\n", "A: 1\n ", "A: x\r\n y\r\nB: z\r\n\r\n",
                     "A: 1\nB: 2\r\nC: 3\n\n", "A: x \t\n\nB: y", "Not a field\nA: 1", "A: 1\nbroken line\nB: 2",
                     "A:1\nB:2", "A: 1\n\n"):
            self.assertSameFields(text)

    def test_a_bare_cr_is_left_to_the_pattern(self):
        for text in ("A: 1\rB: 2\n\n", "A: 1\r\n b\r c\r\n\r\n", "A: x\r\r\nB: y"):
            self.assertIsNone(mime._fields_by_line_breaks(text, 0, len(text)))
            self.assertEqual(mime.read_headers(text, 0)[0].keys(),
                             {name.lower() for name, _, _ in mime._fields_by_pattern(text, 0, len(text))[0]})
