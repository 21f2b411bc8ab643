"""A light, lazy MIME walk: just enough of RFC 5322 and RFC 2045-2047 to reach a bounce's parts.

The `email` package builds a full object tree and runs its policy machinery on every header; a
bounce parser needs only the top headers, the part boundaries and the decoded text of a few parts.
Parts are slices of one decoded string, so a part that needs no transfer or charset decoding keeps
its offset into that string (for highlighting); decoded parts get `offset=None`.
"""
import binascii
import codecs
import re
from dataclasses import dataclass, field

# Bounds that keep the walk linear and cheap on hostile input.
MAX_PARTS = 64
MAX_DEPTH = 8
MAX_HEADER_FIELDS = 500
MAX_RETURNED_HEADERS = 16384

_NEWLINE = re.compile(r"\r\n|\r|\n")
# One header field with its folded lines (RFC 5322 §2.2: the name is printable ASCII but the
# colon; a line starting with white space continues the field). Each repetition starts at a
# line break, so matching is linear.
_FIELD = re.compile(r"([!-9;-~]{1,76}):[ \t]*([^\r\n]*(?:(?:\r\n|\r|\n)[ \t][^\r\n]*)*)(?:\r\n|\r|\n|$)")
_FOLD = re.compile(r"[ \t]*(?:\r\n|\r|\n)[ \t]*")
_PARAM = re.compile(r';\s*([\w.*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]*)')
# A blank line, then an mbox "From " line: `From MAILER-DAEMON  Thu Apr 29 23:34:45 2015`.
_MBOX_SEPARATOR = re.compile(r"(?:\r\n|\r|\n)(?:\r\n|\r|\n)(From [^\r\n ]+ +[A-Z][a-z]{2} [A-Z][a-z]{2} +\d{1,2} \d{1,2}:\d{2})")
_DECLARED_CHARSET = re.compile(rb'charset[ \t]*=[ \t]*"?([A-Za-z0-9_.:-]{1,40})', re.I)
_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,40})\?([bBqQ])\?([^?\s]*)\?=")
_BETWEEN_ENCODED_WORDS = re.compile(r"(\?=)[ \t\r\n]+(?==\?)")

# Parts that carry the returned original message: never searched for codes (RFC 3462 §2/RFC 6522).
RETURNED_MESSAGE_TYPES = frozenset({
    "message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers",
    "message/partial", "message/external-body",
})


# Fields that only a message's own header has (RFC 5322 §3.6, RFC 2045 §3): one of them tells a
# message from pasted text whose first line also reads "Name: value".
_MESSAGE_FIELDS = frozenset({
    "from", "to", "subject", "date", "sender", "message-id", "received", "return-path",
    "delivered-to", "mime-version", "content-type",
})
# The header fields whose values the parser reads.
READ_FIELDS = frozenset({
    "content-type", "content-transfer-encoding", "subject", "from", "to", "auto-submitted",
    "x-autoreply", "x-autorespond", "x-failed-recipients",
})
DELIVERY_STATUS_TYPES = ("message/delivery-status", "message/global-delivery-status")
_TRACE_FIELD = re.compile(r"(?:return-path|received):", re.I)


@dataclass
class Part:
    """One leaf of the MIME tree, with its body already transfer- and charset-decoded."""
    content_type: str
    params: dict
    headers: dict
    body: str
    offset: int | None  # where `body` starts in the input text, or None if it was decoded


@dataclass
class Message:
    headers: dict
    codec: str | None  # how the input text maps back to bytes (see decode_input)
    parts: list = field(default_factory=list)
    # (text, start, end) of each returned message's header block, read only when needed
    returned: list = field(default_factory=list)


def decode_input(data):
    """Return (text, codec): the input as text, and the codec that maps it back to bytes.

    UTF-8 when the bytes are valid UTF-8; else the first charset the message declares, when
    the bytes are valid in it (an 8-bit Shift_JIS or latin-1 notice reads as written); else
    latin-1, which maps every byte to one character. In each case a part declared in another
    charset can be re-encoded to its bytes and decoded again.
    """
    if isinstance(data, str):
        return data, None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for match in _DECLARED_CHARSET.finditer(data, 0, 65536):
        codec = _codec(match.group(1).decode("ascii"))
        if codec not in (None, "utf-8", "ascii"):
            try:
                return data.decode(codec), codec
            except (UnicodeError, LookupError):
                pass
            break
    return data.decode("latin-1"), "latin-1"


def split_mailbox(text):
    """(start, end) of each message of an mbox file (RFC 4155), or of the one message given.

    Each message starts with a "From " line, holding the envelope sender and a ctime date, after
    a blank line; a body line starting "From " is written ">From " by the program that stores it.
    """
    if not text.startswith("From ") or ("\nFrom " not in text and "\rFrom " not in text):
        return [(0, len(text))]  # one message (mbox_messages hands them over one by one)
    # No cap on the count: each message is read once, so the cost stays linear in the input.
    starts = [0] + [match.start(1) for match in _MBOX_SEPARATOR.finditer(text)]
    return list(zip(starts, starts[1:] + [len(text)]))


def parse_message(text, codec=None):
    """Walk the MIME structure of `text` (a whole message or a pasted fragment)."""
    start = _skip_mbox_from_line(text)
    headers, body_start = read_headers(text, start)
    if not _MESSAGE_FIELDS.intersection(headers):
        headers = {}  # "Error: 550 ..." or "<user@example.org>: host ... said:" is pasted text
    message = Message(headers, codec and _codec(codec))
    if not headers:
        message.parts.append(Part("text/plain", {}, {}, text[start:], start))
        return message
    _walk(text, headers, body_start, len(text), message, 0)
    return message


def _skip_mbox_from_line(text):
    # An mbox file starts with an envelope line "From sender date" that is not a header.
    if text.startswith("From "):
        match = _NEWLINE.search(text)
        return match.end() if match else len(text)
    return 0


def read_headers(text, start, end=None):
    """Read an RFC 5322 header block; return ({lowercase name: unfolded value}, body start).

    Without a header-like first line the block is empty and the body starts at `start`;
    a line that is neither a field nor a fold ends a broken block early.
    The first occurrence of a name wins: bounces need single-valued fields only. Only the
    fields a bounce is read by (READ_FIELDS) are unfolded; the others (long DKIM signatures,
    Received traces) are kept as names with empty values.
    """
    end = len(text) if end is None else end
    headers = {}
    pos = start
    for _ in range(MAX_HEADER_FIELDS):
        field = _FIELD.match(text, pos, end)
        if field is None:
            break
        name = field.group(1).lower()
        if name not in headers and name not in READ_FIELDS:
            headers[name] = ""
        elif name not in headers:
            value = field.group(2)
            # RFC 5322 §2.2.3: unfolding removes the line breaks of a folded field.
            headers[name] = _FOLD.sub(" ", value).strip() if "\n" in value or "\r" in value else value.strip()
        pos = field.end()
    if not headers:
        return {}, start
    blank = _NEWLINE.match(text, pos, end)  # the empty line that ends the block
    return headers, blank.end() if blank else pos


def content_type(headers, default="text/plain"):
    """Split a Content-Type value into (lowercase type/subtype, {param: value})."""
    value = headers.get("content-type", "")
    main = value.split(";", 1)[0].strip().lower() or default
    params = {}
    for name, raw in _PARAM.findall(value):
        params.setdefault(name.lower(), raw[1:-1] if raw.startswith('"') else raw)
    return main, params


def _walk(text, headers, start, end, message, depth, after_report=False):
    ctype, params = content_type(headers)
    if len(message.parts) >= MAX_PARTS:
        return
    if after_report or ctype in RETURNED_MESSAGE_TYPES or _starts_with_trace_field(text, start, end, ctype):
        if headers.get("content-transfer-encoding", "").strip().lower() not in ("base64", "quoted-printable"):
            message.returned.append((text, start, end))
        return
    boundary = params.get("boundary")
    parts = list(_split_multipart(text, start, end, boundary)) if ctype.startswith("multipart/") and boundary else []
    if parts and depth < MAX_DEPTH:
        seen_report = False
        for part_start, part_end in parts:
            part_headers, body_start = read_headers(text, part_start, part_end)
            if not part_headers:
                part_headers = {"content-type": "text/plain"}
            _walk(text, part_headers, body_start, part_end, message, depth + 1, seen_report)
            # RFC 6522 §3: in a multipart/report, what follows the report is the returned message.
            seen_report = seen_report or (
                ctype == "multipart/report" and content_type(part_headers)[0] in DELIVERY_STATUS_TYPES)
        return
    if ctype.startswith(("text/", "message/", "multipart/")) or "/" not in ctype:
        # A multipart without delimiter lines is read as the plain text it then is.
        body, offset = _decode_body(text, start, end, headers, params, message)
        message.parts.append(Part(ctype, params, headers, body, offset))


def _starts_with_trace_field(text, start, end, ctype):
    # A text part that starts with a trace field is a copy of a message: RFC 5321 §4.4
    # puts Return-Path and Received at the top of every delivered message.
    return ctype == "text/plain" and _TRACE_FIELD.match(text, start, min(end, start + 20)) is not None


def returned_headers(message):
    """Header fields of each returned original message, read lazily and cheaply.

    The original message is never searched for codes; only its header block is read, so
    that a bounce that never names its recipient can fall back to the original's To: field.
    """
    for text, start, end in message.returned:
        yield read_headers(text, start, min(end, start + MAX_RETURNED_HEADERS))[0]


def _split_multipart(text, start, end, boundary):
    """Yield (start, end) of each body part between `--boundary` lines (RFC 2046 §5.1.1)."""
    delimiter = "--" + boundary
    positions = []
    pos = start
    while len(positions) <= MAX_PARTS:
        found = text.find(delimiter, pos, end)
        if found < 0:
            break
        at_line_start = found == start or text[found - 1] in "\r\n"
        pos = found + len(delimiter)
        if at_line_start:
            closing = text.startswith("--", pos)
            positions.append((found, pos, closing))
            if closing:
                break
    for (_, after, closing), following in zip(positions, positions[1:] + [None]):
        if closing:
            break
        line_end = _NEWLINE.search(text, after, end)
        part_start = line_end.end() if line_end else end
        part_end = _strip_line_break_before(text, following[0]) if following else end
        yield part_start, max(part_start, part_end)


def _strip_line_break_before(text, pos):
    # RFC 2046 §5.1.1: the line break before a delimiter belongs to the delimiter.
    if text[pos - 2:pos] == "\r\n":
        return pos - 2
    if text[pos - 1:pos] in ("\n", "\r"):
        return pos - 1
    return pos


def _decode_body(text, start, end, headers, params, message):
    encoding = headers.get("content-transfer-encoding", "").strip().lower()
    raw = text[start:end]
    charset = params.get("charset", "").strip().lower()
    if encoding == "base64":
        data = _decode_base64(raw)
    elif encoding == "quoted-printable":
        # binascii understands "=\n" and "=\r\n" soft breaks; bare CR ends are turned into LF first.
        data = binascii.a2b_qp(_NEWLINE.sub("\n", raw).encode(message.codec or "utf-8", "replace"))
    else:
        recoded = _recode(raw, charset, message)
        return (raw, start) if recoded is None else (recoded, None)
    return decode_bytes(data, charset), None


def _decode_base64(raw):
    compact = "".join(raw.split())
    compact = compact[:len(compact) - len(compact) % 4]
    try:
        return binascii.a2b_base64(compact.encode("ascii", "ignore"))
    except binascii.Error:
        return b""


def _recode(raw, charset, message):
    """Re-decode an unencoded body declared in another charset; None when it reads as it is."""
    codec = _codec(charset)
    if codec is None or codec in _READS_AS_IS or codec == message.codec:
        return None
    if raw.isascii() and codec not in _SEVEN_BIT_CODECS:
        return None
    try:
        data = raw.encode(message.codec or "ascii")
    except UnicodeEncodeError:
        return None  # text input already holds decoded characters
    return decode_bytes(data, charset)


_READS_AS_IS = frozenset({"utf-8", "ascii"})
# Charsets that write non-ASCII text as 7-bit escape sequences (RFC 1468), to be decoded even
# when the body is pure ASCII.
_SEVEN_BIT_CODECS = frozenset({"iso2022_jp", "iso2022_jp_1", "iso2022_jp_2", "iso2022_kr", "utf-7"})


# Codecs that Python's lookup accepts for a charset name but that are no charset of mail text.
_NOT_CHARSETS = frozenset({"undefined", "unicode-escape", "raw-unicode-escape", "idna", "punycode"})


def _codec(charset):
    """The normalised codec name of a declared charset, or None when it is no charset Python knows."""
    if not charset:
        return None
    try:
        name = codecs.lookup(charset).name
    except (LookupError, ValueError):
        return None
    return None if name in _NOT_CHARSETS else name


def decode_bytes(data, charset):
    """Decode bytes in the declared charset; else as UTF-8; else in the charset with replacements."""
    codec = _codec(charset)
    for name, errors in ((codec, "strict"), ("utf-8", "strict"), (codec, "replace")):
        if name:
            try:
                return data.decode(name, errors)
            except (UnicodeError, LookupError):
                pass  # LookupError: a codec that is no text encoding (e.g. "hex")
    return data.decode("latin-1")


def decode_words(value):
    """Decode RFC 2047 encoded words (`=?charset?B|Q?...?=`) in a header value."""
    if "=?" not in value:
        return value
    value = _BETWEEN_ENCODED_WORDS.sub(r"\1", value)  # RFC 2047 §6.2: space between words is dropped
    return _ENCODED_WORD.sub(_decode_word, value)


def _decode_word(match):
    charset, kind, payload = match.groups()
    charset = charset.split("*", 1)[0]  # RFC 2231 §5: a language tag may follow
    if kind in "bB":
        data = _decode_base64(payload + "=" * (-len(payload) % 4))
    else:
        data = binascii.a2b_qp(payload.encode("latin-1", "replace"), header=True)
    return decode_bytes(data, charset)
