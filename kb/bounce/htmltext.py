"""HTML parts as plain text, for notices sent only as HTML (Exchange Online, some gateways)."""
import html
import re

# Bounded tag lengths keep this linear; block-level tags become line breaks so that
# "<td>user@example.org</td>" still reads as an address on its own line.
_BLOCK_TAG = re.compile(r"<(?:br|p|div|tr|li|h[1-6]|table|/p|/div|/tr|/li|/h[1-6]|/table|/td)\b[^<>]{0,2000}>", re.I)
_ANY_TAG = re.compile(r"<[^<>]{0,2000}>")
_HIDDEN = re.compile(r"<(style|script|head)\b[^<>]{0,2000}>.{0,200000}?</\1\s*>", re.I | re.S)


def to_text(markup):
    """The visible text of an HTML body, one block element a line."""
    markup = _HIDDEN.sub("", markup)
    markup = _BLOCK_TAG.sub("\n", markup)
    return html.unescape(_ANY_TAG.sub("", markup))
