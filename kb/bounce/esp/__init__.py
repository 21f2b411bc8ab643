"""ESP webhook events (JSON) read by field name: one module per ESP family.

`read(text)` takes the body an ESP posts to a webhook (one event object, a JSON array of
them, one event per line, or the ESP's own wrapper: an SNS envelope, `{"events": [...]}`,
`mandrill_events`...) and returns a Report of kind `"esp:<name>"` with one finding per
failed, deferred or dropped recipient. Each ESP module's `read(event)` recognises its events
by their field structure and returns None for an event that is not its own.

The diagnostic is the reply of the recipient's server as the event carries it, and the span
points at it in the pasted text; the ESP's own verdict (permanent or not, its bounce type, its
words) is kept in `Finding.esp`; an event without a reply says so in `Finding.note`.
"""
import json
import re

from ..findings import BounceError, Report
from ..replies import hard_bounce
from . import (ahasend, amazon_ses, azure, brevo, mailersend, mailgun, mailjet, mailtrap, mandrill, postal,
               postmark, resend, scaleway, sendgrid, sparkpost, sweego, unisender_go)
from .event import Event, Source

# Most specific structure first: SendGrid, Mailjet, Brevo and Mailtrap all send "event" and
# "email"; each is told apart by fields of its own.
READERS = (amazon_ses, sparkpost, mailgun, mandrill, postmark, mailjet, sendgrid, mailtrap, brevo, postal,
           resend, mailersend, scaleway, sweego, unisender_go, ahasend, azure)
LABELS = {reader.NAME: reader.LABEL for reader in READERS} | {mailgun.MAILOMAT: mailgun.MAILOMAT_LABEL}
# A JSON object or array: `{"`, `{}`, `[{`, `[[`, `[]`. Text in square brackets (`[CS01] ...`)
# stays text.
_JSON_START = re.compile(r'[\ufeff \t\r\n]*(?:\{[ \t\r\n]*["}]|\[[ \t\r\n]*[\[{\]])')
_SHOWN_KEYS = 12
_LEADING = "\ufeff \t\r\n"  # a byte order mark, then white space


def looks_like_json(text):
    """True when the text starts as a JSON object or array does."""
    return _JSON_START.match(text) is not None


def read(text):
    """The findings of the ESP events in `text`; BounceError when they cannot be read."""
    events = _documents(text)
    findings, readers = [], []
    for number, event in enumerate(events, 1):
        reader, found = _read_event(event)
        if reader is None:
            raise BounceError(_unknown(event, number, len(events)))
        readers.append(reader)
        findings += found
    if not findings:
        raise BounceError(f"These {readers[0].LABEL} events report no bounce, deferral, block or drop "
                          "(only deliveries, opens, clicks or the like): there is nothing to analyse.")
    # The ESP of the first finding names the report (Mailomat is read by the Mailgun module).
    return Report(f"esp:{findings[0].esp.esp}", findings, text)


def verdict_warning(finding):
    """A warning when the ESP's verdict and the reply codes disagree about permanence, else None."""
    verdict, ours = finding.esp, hard_bounce(finding.reply_code, finding.status)
    if verdict is None or verdict.permanent is None or ours is None or verdict.permanent == ours:
        return None
    theirs = "a permanent failure" if verdict.permanent else "a temporary failure"
    named = f" ({verdict.bounce_type})" if verdict.bounce_type else ""
    code = finding.reply_code or finding.status
    return (f"{LABELS.get(verdict.esp, verdict.esp)} calls this {theirs}{named}, but the code {code} says "
            f"{'permanent' if ours else 'temporary'} (RFC 5321 §4.2.1). Check the reply before acting on either.")


def _read_event(event):
    for reader in READERS:
        found = reader.read(event)
        if found is not None:
            return reader, found
    return None, []


def _documents(text):
    """The events of a JSON document (object or array) or of JSON Lines, as Events."""
    start = len(text) - len(text.lstrip(_LEADING))
    try:
        value = json.loads(text[start:])
    except RecursionError:
        raise BounceError("This JSON is nested too deeply to read.") from None
    except ValueError as error:
        lines = _json_lines(text)
        if lines is None:
            raise BounceError(f"This looks like JSON but does not parse: {error.msg} at line {error.lineno}, "
                              f"column {error.colno}.") from None
        return lines
    root = Event(value, Source(text), start)
    return _objects(root)


def _objects(root):
    if isinstance(root.value, dict):
        return [root]
    if isinstance(root.value, list) and root.value and all(isinstance(v, dict) for v in root.value):
        return root.children()
    raise BounceError("This JSON holds no event: an ESP event is a JSON object, or an array of them.")


def _json_lines(text):
    """One event per line (JSON Lines), or None when the text is not that either."""
    events, at, source = [], 0, Source(text)
    for line in text.split("\n"):  # JSON strings may hold U+2028: only a line feed ends a line
        lead = len(line) - len(line.lstrip(_LEADING))
        if line.strip():
            try:
                value = json.loads(line[lead:])
            except ValueError:
                return None
            if not isinstance(value, dict):
                return None
            events.append(Event(value, source, at + lead))
        at += len(line) + 1
    return events if len(events) > 1 else None


def _unknown(event, number, count):
    keys = sorted(event.value)
    shown = ", ".join(keys[:_SHOWN_KEYS]) + (f" and {len(keys) - _SHOWN_KEYS} more" if len(keys) > _SHOWN_KEYS else "")
    where = f"Event {number} of {count}" if count > 1 else "This JSON"
    return (f"{where} is no ESP event this analyser knows (its keys: {shown or 'none'}). "
            f"It reads the webhook events of {', '.join(sorted(set(LABELS.values())))}.")
