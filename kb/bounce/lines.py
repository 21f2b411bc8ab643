"""Line iteration over text with any line ending (LF, CRLF or a bare CR), keeping offsets; a
cheap gate for the case-insensitive patterns tried on every line; and `compiled`, which writes a
pattern's word boundaries so that the regex engine can skip ahead to its first letters."""
import re

_NEWLINE = re.compile(r"\r\n|\r|\n")
# A word boundary before a letter or digit, that letter or digit not repeated.
_BOUNDARY_FIRST = re.compile(r"\\b([a-z0-9])(?![?*+{])")
# Lines longer than this are only searched in their first part: real reply lines are short
# (RFC 5321 §4.5.3.1.5 allows 512 octets) and a bound keeps every search linear.
MAX_LINE = 2000
# Only the first part of a huge part is searched: a notice states its errors near the top,
# and this keeps the cost of a hostile paste bounded.
MAX_SCAN = 512 * 1024


def iter_lines(text, start=0, end=None):
    """Yield (offset, line) for each line of text[start:end] (at most MAX_SCAN), breaks removed."""
    end = min(len(text) if end is None else end, start + MAX_SCAN)
    chunk = text[start:end]
    separator = _only_separator(chunk)
    if separator is None:
        yield from _iter_mixed_lines(text, start, end)
        return
    lines = chunk.split(separator)
    if not lines[-1]:
        lines.pop()  # the break that ends the last line starts no line
    step = len(separator)
    for line in lines:
        yield start, line[:MAX_LINE]
        start += len(line) + step


def _only_separator(chunk):
    """The one line ending a text uses throughout, or None when it mixes them."""
    if "\r" not in chunk:
        return "\n"
    if "\n" not in chunk:
        return "\r"
    crlf = chunk.count("\r\n")
    return "\r\n" if crlf == chunk.count("\r") == chunk.count("\n") else None


def _iter_mixed_lines(text, start, end):
    pos = start
    for match in _NEWLINE.finditer(text, start, end):
        yield pos, text[pos:min(match.start(), pos + MAX_LINE)]
        pos = match.end()
    if pos < end:
        yield pos, text[pos:min(end, pos + MAX_LINE)]


def compiled(pattern):
    """pattern compiled with each `\\b` before a letter or digit moved behind it as a lookbehind
    (`\\bspam` as `s(?<=\\bs)pam`): the same matches, found sooner. A search for a pattern that
    starts with a letter skips at once to where that letter stands; one that starts with `\\b`
    is tried in full at every position (all of reasons.py's phrases, tried in order on 3,428
    diagnostics and example replies: 0.18 s before, 0.12 s after). For case-sensitive patterns
    only: with IGNORECASE the engine cannot skip ahead to a letter, and the look-behind costs
    more than it saves (1.5 times the time of `\\bsent by|\\bfrom` on the corpus's lines)."""
    return re.compile(_BOUNDARY_FIRST.sub(r"\1(?<=\\b\1)", pattern))


# The last text lowered and its lower-case form, one tuple so that threads never see half an
# update: the scanners try several gated patterns on each line in turn, and lowering it once
# saves 2.5% of a parse of the corpus (797 to 777 million instructions, counted with callgrind).
# Held in a list, not in a class attribute: setting one changes the class, and every attribute
# lookup on its instances then misses the interpreter's cache.
_LAST_LOWERED = [("", "")]


class Gated:
    """A case-insensitive pattern tried only on text holding one of its key words.

    Case-insensitive regexes cannot skip ahead to a literal, so most lines, which hold none
    of the words, are turned away by a few substring tests first.
    """
    __slots__ = ("pattern", "words")

    def __init__(self, pattern, *words):
        self.pattern, self.words = pattern, words

    def _admitted(self, text):
        """The text lowered when it holds one of the words, else None."""
        last = _LAST_LOWERED[0]
        if last[0] is text:
            lowered = last[1]
        else:
            lowered = text.lower()
            _LAST_LOWERED[0] = (text, lowered)
        for word in self.words:
            if word in lowered:
                return lowered
        return None

    def search(self, text, *bounds):
        return self.pattern.search(text, *bounds) if self._admitted(text) is not None else None

    def match(self, text):
        return self.pattern.match(text) if self._admitted(text) is not None else None


class LoweredGated(Gated):
    """A gated pattern written in lower case, matched case-sensitively against the lowered text:
    half the time of the same pattern with IGNORECASE on the corpus's lines. Its groups come out in
    lower case and its offsets may not index the text (str.lower lengthens U+0130), so it serves
    patterns read for their groups only."""
    __slots__ = ()

    def search(self, text):
        lowered = self._admitted(text)
        return None if lowered is None else self.pattern.search(lowered)

    def match(self, text):
        lowered = self._admitted(text)
        return None if lowered is None else self.pattern.match(lowered)
