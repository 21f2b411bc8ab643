"""Read bounces: which recipients failed, with which SMTP reply, and why.

`parse(data)` takes a whole bounce email (bytes or text, any line ending; an mbox file of one
or more messages; a bounce forwarded as an attachment), the human-readable part of one, an SMTP
transcript, MTA log lines or a bare reply line, and returns a `Report`:

- `kind`: what the input is.
    - `"dsn"`: an RFC 3464/6522 delivery status notification (message/delivery-status or
      message/global-delivery-status, RFC 6533), whoever sent it;
    - an MTA name for its plain-text bounce: `"postfix"`, `"exim"`, `"sendmail"`, `"qmail"`,
      `"exchange"`, `"gmail"`, `"yahoo"`, `"amazon-ses"`, `"courier"`, `"opensmtpd"`,
      `"dragonfly"`, `"domino"`, `"messagingserver"` (see formats.SIGNATURES);
    - `"transcript"`: an SMTP session transcript (`>>> RCPT TO:<...>` / `<<< 550 ...`);
    - `"log"`: MTA log lines (Postfix, sendmail: `to=<...>, ..., dsn=5.1.1, status=bounced (...)`);
    - `"reply"`: a bare reply line or multi-line reply;
    - `"text"`: a bounce notice in a wording not recognised, read by its shape;
    - `"feedback"` (an ARF report, RFC 5965), `"read-receipt"` (an MDN, RFC 8098),
      `"auto-reply"` (RFC 3834, vacation notices, also those that only say so in a subject, in
      any language of wordings.py), `"challenge-response"` (Boxbe and the like: the message
      waits for its sender to confirm) and `"content-notice"` (a virus or spam notice sent to
      a sender who was probably forged): not bounces, so their `findings` are always empty.
      A delay warning is a bounce whose findings have `action` "delayed".
    - `"list-server"`: a mailing-list manager's refusal of a post (fml: "You are not a member
      of this mailing list <list@...>"): the list address failed;
    - `"sieve-reject"`: an MDN (RFC 8098) by which a mail store's filter reports a message
      it deleted unread (a Sieve `reject`, RFC 5429 §2.2.2: Dovecot, Cyrus); its reason is
      the notice's text;
    - `"esp:<name>"` (`"esp:sendgrid"`, `"esp:amazon-ses"`...): an ESP's webhook event posted as
      JSON, read by field name (see esp/);
- `findings`: one `Finding` per recipient (see findings.Finding);
- `text`: the input decoded to text; `Finding.span` indexes into it.

Unusable input raises `BounceError` (a ValueError) with a message for a person; nothing else
escapes `parse`.
"""
import re
from dataclasses import replace

from . import combine, dsn, esp, formats, freetext, htmltext, listserver, mdn
from .esp import amazon_ses
from .findings import BounceError, EspVerdict, Finding, Report
from .mime import DELIVERY_STATUS_TYPES, decode_input, decode_words, parse_message, split_mailbox
from .replies import find_reply

__all__ = ["parse", "Report", "Finding", "EspVerdict", "BounceError"]

_LINE_END = re.compile(r"[\r\n]")
_BLANKS = re.compile(r"[\r\n \t]*")
# A line of an SMTP session: `>>> RCPT TO:<...>`, `<<< 550 ...`, or a bare command.
_TRANSCRIPT = re.compile(r"^[ \t]*(?:>>>|<<<|(?:MAIL FROM|RCPT TO):|(?:EHLO|HELO|DATA)\b)", re.M | re.I)
# A Postfix or sendmail log line about a delivery.
_MTA_LOG = re.compile(r"\bto=<[^<>\s]{1,320}>,.{0,400}?\bdsn=")
MAX_FORWARDED = 10  # attached messages tried when the message itself reports nothing
MAX_HTML = 1 << 20  # an HTML notice states its errors in its first megabyte
_NOT_A_BOUNCE = "This looks like an ordinary email, not a bounce: no delivery status report and no SMTP error reply found."


def parse(data, one_message=False):
    """Read a bounce (bytes or str) and return a Report; raise BounceError for unusable input.

    `one_message` says the input is known to be one message (as batch.mbox_messages hands
    them over): it is not searched for the "From " lines of further mbox messages.
    """
    if not isinstance(data, (bytes, bytearray, str)):
        raise BounceError("The input must be text or bytes.")
    if not data.strip():
        raise BounceError("The input is empty.")
    text, codec = decode_input(bytes(data) if isinstance(data, bytearray) else data)
    try:
        if esp.looks_like_json(text):
            return esp.read(text)
        messages = [(0, len(text))] if one_message else split_mailbox(text)
        return _read(text, codec) if len(messages) == 1 else _read_mailbox(text, codec, messages)
    except (RecursionError, MemoryError) as error:
        raise BounceError("This input is too large or too deeply nested to read.") from error


class _Reading:
    """What the parts of one message said."""

    def __init__(self):
        self.reported = []   # findings of machine-readable reports (RFC 3464 fields, SES notifications)
        self.noted = []      # findings of the human-readable text
        self.texts = []      # the human-readable texts, for the MTA's name and the bounce wording
        self.ses_kind = None


def _read(text, codec, outermost=True):
    message = parse_message(text, codec)
    headers = _decoded_subject(message.headers)
    if formats.is_feedback(message):
        return Report("feedback", [], text)
    if formats.is_read_receipt(message):
        rejected = mdn.rejections(message, text)
        return Report("sieve-reject", rejected, text) if rejected else Report("read-receipt", [], text)
    reading = _read_parts(message, text)
    if reading.ses_kind == "complaint":
        return Report("feedback", [], text)
    not_a_bounce = _not_a_bounce(headers, reading)
    if not_a_bounce:
        return Report(not_a_bounce, [], text)
    if reading.reported:
        findings = combine.merge(reading.reported, reading.noted)
    else:
        findings = combine.keep_text_findings(reading.noted, message, reading.texts)
        findings = combine.with_failed_recipients(findings, headers, reading.texts)
        findings = combine.with_local_names(findings, message, reading.texts)
    if not findings:
        forwarded = _forwarded_bounce(message, text, codec) if outermost else None
        if forwarded is not None:
            return forwarded
        # A report names its failures, even with no recipient group left (Postfix marks its
        # bounces `Auto-Submitted: auto-replied` too, as RFC 3834 §5 asks of any automatic reply).
        if not _carries_report(message) and formats.is_auto_reply(headers, reading.texts):
            return Report("auto-reply", [], text)
        refused = listserver.refusals(message, reading.texts)
        if refused:
            return Report("list-server", refused, text)
        findings = combine.returned_recipient(message, reading.texts)
        if not findings:
            raise BounceError(_NOT_A_BOUNCE)
    if reading.reported:
        kind = "amazon-ses" if reading.ses_kind else "dsn"
    else:
        kind = _text_kind(message, reading.texts)
        findings = combine.with_actions(findings, kind, message, reading.texts)
    return Report(kind, combine.with_fallback_recipient(findings, message), text)


def _carries_report(message):
    return any(part.content_type in DELIVERY_STATUS_TYPES for part in message.parts)


def _not_a_bounce(headers, reading):
    """"challenge-response" or "content-notice" for a message that reports no delivery at all:
    no reply or status code in its text, and no RFC 3464 report of an SMTP failure.

    Challenge-response systems may dress their request as a report (Boxbe: `Diagnostic-Code:
    X-Boxbe-Notice; Sender not pre-approved`, no SMTP reply): such a report is no failure.
    """
    if any(f.reply_code or f.status for f in reading.noted):
        return None
    if reading.reported:
        if any(f.reply_code or f.diagnostic_type in (None, "smtp") for f in reading.reported):
            return None
        return formats.challenge_or_content_notice(headers, reading.texts, challenge_only=True)
    return formats.challenge_or_content_notice(headers, reading.texts)


def _read_mailbox(text, codec, messages):
    """An mbox file of several messages: the findings of each bounce in it, in order."""
    reports = []
    for start, end in messages:
        try:
            reports.append((start, _read(text[start:end], codec)))
        except BounceError:
            continue
    if not reports:
        raise BounceError(_NOT_A_BOUNCE)
    kind = next((report.kind for _, report in reports if report.findings), reports[0][1].kind)
    return Report(kind, [f for start, report in reports for f in _moved(report.findings, start)], text)


def _moved(findings, offset):
    """Findings read from text[offset:...], with spans that index the whole text."""
    return [replace(f, span=(f.span[0] + offset, f.span[1] + offset)) if f.span else f for f in findings]


def _unplaced(findings):
    """Findings read from a decoded copy of a part: their spans index no text the reader has."""
    return [replace(f, span=None) for f in findings]


def _forwarded_bounce(message, text, codec):
    """Bounces forwarded as attachments (message/rfc822, RFC 2046 §5.2.1), read in place.

    Only an attached message that is itself a bounce (a mailer-daemon sender or a bounce
    subject) is read; its spans are moved to index the whole input. A message that forwards
    several bounces (a list owner's digest of them) reports the recipients of each, once.
    """
    kinds, findings, seen = [], [], set()
    for source, start, end in message.returned[:MAX_FORWARDED]:
        if source is not text:
            continue
        headers = parse_message(text[start:end], codec).headers
        if not headers or not formats.looks_like_bounce(_decoded_subject(headers), []):
            continue
        try:
            inner = _read(text[start:end], codec, outermost=False)
        except BounceError:
            continue
        kinds.append(inner.kind)
        for finding in _moved(inner.findings, start):
            if finding.recipient not in seen or finding.recipient is None:
                seen.add(finding.recipient)
                findings.append(finding)
    return Report(kinds[0], findings, text) if kinds else None


def _decoded_subject(headers):
    if "subject" in headers:
        headers["subject"] = decode_words(headers["subject"])  # RFC 2047
    return headers


def _read_parts(message, text):
    reading = _Reading()
    for part in message.parts:
        if part.content_type in DELIVERY_STATUS_TYPES:
            source = text if part.offset is not None else None
            start = part.offset or 0
            groups, _ = dsn.read_groups(source or part.body, start, start + len(part.body))
            reading.reported += dsn.findings_from_groups(groups, source)
    for body, source, start, end in _readable_texts(message, text):
        reading.texts.append(body[start:end])
        reading.ses_kind = reading.ses_kind or amazon_ses.notification_type(reading.texts[-1])
        if reading.ses_kind:
            found = amazon_ses.findings_in_mail(reading.texts[-1])
            reading.reported += _moved(found, start) if source is not None else _unplaced(found)
            continue
        found, groups, returned_at = freetext.scan(body, start, end, spans=source is not None)
        if returned_at is not None:
            message.returned.append(_inline_returned_message(body, returned_at, end))
        reading.reported += dsn.findings_from_groups(groups, source)
        reading.noted += found
    return reading


def _readable_texts(message, text):
    """(string, Report.text or None, start, end) for each human-readable part, plain text first."""
    parts = [p for p in message.parts if p.content_type not in DELIVERY_STATUS_TYPES]
    plain = [p for p in parts if p.content_type != "text/html"]
    for part in plain or parts:
        if part.content_type == "text/html":
            yield htmltext.to_text(part.body[:MAX_HTML]), None, 0, None
        elif part.offset is not None:
            yield text, text, part.offset, part.offset + len(part.body)
        else:
            yield part.body, None, 0, None


def _inline_returned_message(body, marker_at, end):
    # The original message quoted after a marker line: (text, start, end) of what follows.
    end = len(body) if end is None else end
    line_end = _LINE_END.search(body, marker_at, end)
    start = _BLANKS.match(body, line_end.start(), end).end() if line_end else end
    return body, start, end


def _text_kind(message, texts):
    kind = formats.mta_kind(texts)
    if kind:
        return kind
    if not message.headers:
        if any(_TRANSCRIPT.search(t, 0, 8192) for t in texts):
            return "transcript"
        if any(_MTA_LOG.search(t, 0, 8192) for t in texts):
            return "log"
        reply = find_reply(texts[0].lstrip())
        if reply is not None and reply.start == 0:
            return "reply"
    return "text"
