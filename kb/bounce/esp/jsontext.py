"""Where JSON values stand in the text they were parsed from.

`json.loads` gives values but not positions; a finding's span must point at its reply in the
pasted text. These helpers walk already-validated JSON text (RFC 8259) to the value at a path
and map the characters of a decoded string back to the text of its literal, escapes
included, so that a string holding JSON (an SNS `Message`) can be walked in turn. Every
pattern is linear: the alternatives of a string literal cannot overlap.
"""
import re

# RFC 8259 §7: a string is quotes around unescaped characters and backslash escapes.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*+"', re.S)
# What a walk over a container must see: strings (whose brackets do not count) and brackets.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*+"|[\[\]{}]', re.S)
_SCALAR = re.compile(r'[^\s,\]}]*')
_BLANK = re.compile(r'[ \t\r\n]*')
# The pieces of a string literal's body: a surrogate pair (one character once decoded),
# another \u escape, a one-character escape, or a run of plain characters.
_PIECE = re.compile(r'\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}|\\.|[^\\"]+', re.S)


def skip_blank(text, at):
    return _BLANK.match(text, at).end()


def value_end(text, at):
    """The end of the JSON value starting at `at`."""
    first = text[at]
    if first == '"':
        return _STRING.match(text, at).end()
    if first not in "[{":
        return _SCALAR.match(text, at).end()
    depth = 0
    for token in _TOKEN.finditer(text, at):
        mark = token.group()
        if mark in ("[", "{"):
            depth += 1
        elif mark in ("]", "}"):
            depth -= 1
            if depth == 0:
                return token.end()
    raise ValueError("unterminated JSON container")


def element_starts(text, at):
    """The start of each element of the array at `at`, in order."""
    at = skip_blank(text, at + 1)
    while text[at] != "]":
        yield at
        at = skip_blank(text, value_end(text, at))
        if text[at] == ",":
            at = skip_blank(text, at + 1)


def member_start(text, at, name):
    """The start of the value of member `name` in the object at `at`, or None.

    The last one when a name repeats: `json.loads` keeps the last (RFC 8259 §4 leaves it open).
    """
    found = None
    at = skip_blank(text, at + 1)
    while text[at] != "}":
        key_end = _STRING.match(text, at).end()
        value_at = skip_blank(text, skip_blank(text, key_end) + 1)  # past the colon
        if decode(text, at, key_end) == name:
            found = value_at
        at = skip_blank(text, value_end(text, value_at))
        if text[at] == ",":
            at = skip_blank(text, at + 1)
    return found


def locate(text, at, path):
    """The start of the value at `path` (member names and array indexes) from the value at `at`."""
    for step in path:
        if isinstance(step, int):
            at = next((s for i, s in enumerate(element_starts(text, at)) if i == step), None)
            if at is None:
                raise KeyError(step)
        else:
            at = member_start(text, at, step)
            if at is None:
                raise KeyError(step)
    return at


def decode(text, start, end):
    """The string a literal text[start:end] (quotes included) stands for."""
    return "".join(_decoded_piece(p.group()) for p in _PIECE.finditer(text, start + 1, end - 1))


def string_offsets(text, at):
    """For the string literal at `at`: the index in `text` of each decoded character.

    One entry more than the string has characters: the closing quote, where a span ending
    with the string ends.
    """
    offsets = []
    end = _STRING.match(text, at).end() - 1
    for piece in _PIECE.finditer(text, at + 1, end):
        if piece.group()[0] == "\\":
            offsets.append(piece.start())
        else:
            offsets.extend(range(piece.start(), piece.end()))
    offsets.append(end)
    return offsets


_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _decoded_piece(piece):
    if piece[0] != "\\":
        return piece
    if piece[1] == "u":
        if len(piece) == 12:  # RFC 8259 §7: a character outside the BMP as a surrogate pair
            high, low = int(piece[2:6], 16), int(piece[8:12], 16)
            return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        return chr(int(piece[2:6], 16))
    return _ESCAPES.get(piece[1], piece[1])
