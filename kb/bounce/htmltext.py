"""HTML parts as plain text, for notices sent only as HTML (Exchange Online, some gateways)."""
import html
import re

# Bounded tag lengths keep this linear; block-level tags become line breaks so that
# "<td>user@example.org</td>" still reads as an address on its own line.
_BLOCK_TAG = re.compile(r"<(?:br|p|div|tr|li|h[1-6]|table|/p|/div|/tr|/li|/h[1-6]|/table|/td)\b[^<>]{0,2000}>", re.I)
_ANY_TAG = re.compile(r"<[^<>]{0,2000}>")
_HIDDEN_START = re.compile(r"<(style|script|head)\b", re.I)


def to_text(markup):
    """The visible text of an HTML body, one block element a line."""
    markup = _BLOCK_TAG.sub("\n", _without_hidden_elements(markup))
    return html.unescape(_ANY_TAG.sub("", markup))


def _without_hidden_elements(markup):
    """Drop <style>, <script> and <head> elements; each one's end is found by one forward search."""
    lowered = None
    kept, pos = [], 0
    while True:
        start = _HIDDEN_START.search(markup, pos)
        if start is None:
            break
        lowered = lowered if lowered is not None else markup.lower()
        close = lowered.find("</" + start.group(1).lower(), start.end())
        kept.append(markup[pos:start.start()])
        if close < 0:
            return "".join(kept)  # an element never closed hides the rest, as in a browser
        pos = lowered.find(">", close)
        pos = len(markup) if pos < 0 else pos + 1
    kept.append(markup[pos:])
    return "".join(kept)
