"""One ESP event: its fields by name, where each stands in the pasted text, and its finding."""
import json
import re

from ..addresses import clean
from ..dsn import address_of, better_status
from ..findings import EspVerdict, Finding
from ..replies import find_reply, parse_diagnostic
from . import jsontext

# RFC 5321 §4.2: a reply code is three digits, the first 2 to 5. ESPs also put their own
# numbers in the same field (Mailgun's 605 "not delivering to a previously bounced address").
_REPLY_CODE = re.compile(r"[2-5][0-9][0-9]")
# RFC 3463 §2: class.subject.detail.
_STATUS = re.compile(r"[245]\.[0-9]{1,3}\.[0-9]{1,3}")


class Source:
    """A JSON text and how its indexes map to the pasted text (a string inside it, decoded)."""

    def __init__(self, text, offsets=None, outer=None):
        self.text, self._offsets, self._outer = text, offsets, outer

    def pasted_index(self, index):
        if self._outer is None:
            return index
        return self._outer.pasted_index(self._offsets[index])


class Event:
    """A JSON object of an ESP payload, at `start` in `source.text`."""

    def __init__(self, value, source, start):
        self.value, self.source, self.start = value, source, start

    def get(self, *path):
        """The value at `path` (member names, list indexes), or None when it is missing."""
        value = self.value
        for step in path:
            if isinstance(step, int) and isinstance(value, list) and -len(value) <= step < len(value):
                value = value[step]
            elif isinstance(step, str) and isinstance(value, dict):
                value = value.get(step)
            else:
                return None
        return value

    def list(self, *path):
        """The list at `path`, or an empty one when there is no list there."""
        value = self.get(*path)
        return value if isinstance(value, list) else []

    def text(self, *path):
        """The string at `path`, stripped, or None when it is missing, empty or no string."""
        value = self.get(*path)
        return value.strip() or None if isinstance(value, str) else None

    def child(self, *path):
        """The object at `path` as an Event; an empty one when there is none (it has no strings to point at)."""
        value = self.get(*path)
        if not isinstance(value, dict):
            return Event({}, self.source, None)
        return Event(value, self.source, self._locate(path))

    def children(self, *path):
        """The objects of the list at `path`, each as an Event."""
        values = self.get(*path)
        if not isinstance(values, list):
            return []
        starts = jsontext.element_starts(self.source.text, self._locate(path))
        return [Event(v, self.source, s) for v, s in zip(values, starts) if isinstance(v, dict)]

    def embedded(self, *path):
        """The JSON document held in the string at `path` (an SNS `Message`), as an Event."""
        at = self._locate(path)
        decoded = self.get(*path)
        source = Source(decoded, jsontext.string_offsets(self.source.text, at), self.source)
        return Event(json.loads(decoded), source, jsontext.skip_blank(decoded, 0))

    def span(self, path, start, end):
        """Where characters start:end of the string at `path` stand in the pasted text."""
        offsets = jsontext.string_offsets(self.source.text, self._locate(path))
        return self.source.pasted_index(offsets[start]), self.source.pasted_index(offsets[end])

    def _locate(self, path):
        return jsontext.locate(self.source.text, self.start, path)


class Outcome:
    """What an ESP's event says of one recipient, in the ESP's own fields.

    `reply` is the path of the field holding the receiving server's reply; `maybe_reply` a
    field holding either that reply or the ESP's own words (only a reply code or an enhanced
    status makes it a reply); `detail` the ESP's own words. `code` and `status` are the values
    of the ESP's separate code fields, when it has them.
    """

    def __init__(self, esp, label, event, name, action, recipient, permanent=None, bounce_type=None,
                 reply=None, maybe_reply=None, detail=None, code=None, status=None, remote_mta=None):
        self.esp, self.label, self.event, self.name, self.action = esp, label, event, name, action
        self.recipient, self.permanent, self.bounce_type = recipient, permanent, bounce_type
        self.reply, self.maybe_reply, self.detail = reply, maybe_reply, detail
        self.code, self.status, self.remote_mta = code, status, remote_mta

    def finding(self):
        code = _code_text(self.code)
        own_number = code is not None and not _REPLY_CODE.fullmatch(code)
        path = None if own_number else self._reply_path()
        detail = self.event.text(*self.detail) if self.detail else None
        if path is None and (own_number or self.maybe_reply):
            # The reply field holds the ESP's own words (a suppression, its own error number).
            detail = detail or self.event.text(*(self.reply or self.maybe_reply))
        reply_code, status, diagnostic, span = self._read_reply(path)
        field_status = str(self.status) if self.status and _STATUS.fullmatch(str(self.status)) else None
        verdict = EspVerdict(self.esp, self.name, self.permanent, self.bounce_type, detail)
        return Finding(
            recipient=_address(self.recipient),
            action=self.action,
            reply_code=None if own_number else code or reply_code,
            status=better_status(field_status, status),
            diagnostic=diagnostic,
            remote_mta=self.remote_mta,
            span=span,
            esp=verdict,
            note=None if diagnostic else self._no_reply_note(detail, None if own_number else code),
        )

    def _reply_path(self):
        if self.reply and self.event.text(*self.reply):
            return self.reply
        value = self.event.text(*self.maybe_reply) if self.maybe_reply else None
        if value and (find_reply(" ".join(value.split())) or _STATUS.search(value)):
            return self.maybe_reply
        return None

    def _read_reply(self, path):
        if path is None:
            return None, None, None, None
        value = self.event.get(*path)
        reply_code, status, diagnostic = parse_diagnostic(value)
        start, end = _reply_bounds(value)
        return reply_code, status, diagnostic, self.event.span(path, start, end)

    def _no_reply_note(self, detail, code):
        said = f" {self.label}'s own words: “{detail}”." if detail else ""
        if code:
            return (f"This {self.label} “{self.name}” event gives the reply code {code} but not the text of the "
                    f"reply, so only the code can be read.{said}")
        return (f"This {self.label} “{self.name}” event carries no SMTP reply from the recipient's server, "
                f"so there is no reply text to read.{said}")


def _code_text(value):
    """A code field as text: ESPs send 550, "550" or 550.0."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    return str(value).strip() or None


def _address(value):
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    if not isinstance(value, str) or not value.strip():
        return None
    return clean(address_of(value) or value.strip())


def _reply_bounds(value):
    """Where the reply starts and ends in `value`: after a label such as `smtp;`, blanks trimmed."""
    collapsed = " ".join(value.split())
    reply = find_reply(collapsed)
    skip = len(collapsed[:reply.start].replace(" ", "")) if reply else 0
    start = 0
    while start < len(value) and (value[start].isspace() or skip):
        skip -= not value[start].isspace()
        start += 1
    return start, len(value.rstrip())
