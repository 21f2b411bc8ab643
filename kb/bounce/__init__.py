"""Read bounces: which recipients failed, with which SMTP reply, and why.

`parse(data)` takes a whole bounce email (bytes or text, any line ending, an mbox file too), the
human-readable part of one, an SMTP transcript or a bare reply line, and returns a `Report`:

- `kind`: what the input is.
    - `"dsn"`: an RFC 3464/6522 delivery status notification (message/delivery-status or
      message/global-delivery-status, RFC 6533), whoever sent it;
    - an MTA name for its plain-text bounce: `"postfix"`, `"exim"`, `"sendmail"`, `"qmail"`,
      `"exchange"`, `"gmail"`, `"yahoo"`, `"amazon-ses"`, `"courier"`, `"opensmtpd"`,
      `"dragonfly"`, `"domino"`, `"messagingserver"` (see formats.SIGNATURES);
    - `"transcript"`: an SMTP session transcript (`>>> RCPT TO:<...>` / `<<< 550 ...`);
    - `"reply"`: a bare reply line or multi-line reply;
    - `"text"`: a bounce notice in a wording not recognised, read by its shape;
    - `"feedback"` (an ARF report, RFC 5965), `"read-receipt"` (an MDN, RFC 8098) and
      `"auto-reply"` (RFC 3834, vacation notices): not bounces, so their `findings` are
      always empty.
- `findings`: one `Finding` per recipient (see findings.Finding);
- `text`: the input decoded to text; `Finding.span` indexes into it.

Unusable input raises `BounceError` (a ValueError) with a message for a person; nothing else
escapes `parse`.
"""
import re
from dataclasses import replace

from . import amazon_ses, dsn, formats, freetext, htmltext
from .addresses import ADDRESS, clean
from .findings import BounceError, Finding, Report
from .mime import DELIVERY_STATUS_TYPES, decode_input, decode_words, parse_message, returned_headers
from .replies import find_reply, is_generic, parse_diagnostic

__all__ = ["parse", "Report", "Finding", "BounceError"]

_LINE_END = re.compile(r"[\r\n]")
_BLANKS = re.compile(r"[\r\n \t]*")
_NOT_A_BOUNCE = "This looks like an ordinary email, not a bounce: no delivery status report and no SMTP error reply found."


def parse(data):
    """Read a bounce (bytes or str) and return a Report; raise BounceError for unusable input."""
    if not isinstance(data, (bytes, bytearray, str)):
        raise BounceError("The input must be text or bytes.")
    if not data.strip():
        raise BounceError("The input is empty.")
    text, codec = decode_input(bytes(data) if isinstance(data, bytearray) else data)
    try:
        return _read(text, codec)
    except (RecursionError, MemoryError) as error:
        raise BounceError("This input is too large or too deeply nested to read.") from error


def _read(text, codec):
    message = parse_message(text, codec)
    headers = message.headers
    if "subject" in headers:
        headers["subject"] = decode_words(headers["subject"])
    if formats.is_feedback(message):
        return Report("feedback", [], text)
    if formats.is_read_receipt(message):
        return Report("read-receipt", [], text)
    report_findings, texts = [], []
    text_findings, drafts_seen = [], False
    for part in message.parts:
        if part.content_type in DELIVERY_STATUS_TYPES:
            source = text if part.offset is not None else None
            groups, _ = dsn.read_groups(source or part.body, part.offset or 0, (part.offset or 0) + len(part.body))
            report_findings += dsn.findings_from_groups(groups, source)
    ses_kind = None
    for body, source, start, end in _readable_texts(message, text):
        texts.append(body[start:end])
        ses_kind = ses_kind or amazon_ses.notification_type(texts[-1])
        if ses_kind:
            report_findings += amazon_ses.findings(texts[-1])
            continue
        drafts, groups, returned_at = freetext.scan(body, start, end)
        if returned_at is not None:
            message.returned.append(_inline_returned_message(body, returned_at, end))
        report_findings += dsn.findings_from_groups(groups, source)
        text_findings += [_finding_of(draft, body, source) for draft in drafts]
        drafts_seen = drafts_seen or bool(drafts)
    if ses_kind == "complaint":
        return Report("feedback", [], text)
    has_report = bool(report_findings)
    if has_report:
        findings = _merge(report_findings, text_findings)
    else:
        findings = _with_failed_recipients(_keep_text_findings(text_findings, message, texts), headers)
    if not findings:
        if formats.is_auto_reply(headers):
            return Report("auto-reply", [], text)
        raise BounceError(_NOT_A_BOUNCE)
    kind = "amazon-ses" if ses_kind else "dsn" if has_report else _text_kind(message, texts, findings)
    if not has_report:
        findings = _with_actions(findings, kind, message, texts)
    findings = _with_fallback_recipient(findings, message)
    return Report(kind, findings, text)


def _readable_texts(message, text):
    """(string, Report.text or None, start, end) for each human-readable part, plain text first."""
    parts = [p for p in message.parts if p.content_type not in DELIVERY_STATUS_TYPES]
    plain = [p for p in parts if p.content_type != "text/html"]
    for part in plain or parts:
        if part.content_type == "text/html":
            yield htmltext.to_text(part.body), None, 0, None
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


def _finding_of(draft, body, source):
    """Turn a freetext.Draft into a Finding."""
    if draft.reply is not None:
        lines = draft.lines
        last_offset, last_line = lines[-1]
        last_line = last_line.rstrip()
        if draft.closer and last_line.endswith(draft.closer):
            last_line = last_line[:-1]
        joined = " ".join([line for _, line in lines[:-1]] + [last_line])
        reply_code, status, diagnostic = parse_diagnostic(joined)
        span = (lines[0][0], last_offset + len(last_line)) if source is not None else None
    else:
        context = freetext.context_text(draft)
        reply_code, status = None, None
        diagnostic = " ".join(" ".join(line.split()) for _, line in context) or None
        span = (context[0][0], context[-1][0] + len(context[-1][1].rstrip())) if context and source is not None else None
    if status is None or (is_generic(status) and draft.status):
        status = draft.status or status
    command = (draft.reply is not None and freetext.command_in(diagnostic)) or draft.command
    return Finding(
        recipient=draft.recipient, action=None, reply_code=reply_code, status=status,
        diagnostic=diagnostic, command=command, span=span,
    )


def _merge(report_findings, text_findings):
    """DSN findings, completed from the human-readable text where the report is silent.

    A report with one recipient and a text with one other finding describe the same failure;
    the text's recipient wins when the report's is no mailbox (`@relay`, a bare local part).
    """
    reported = {f.recipient for f in report_findings}
    by_recipient = {f.recipient: f for f in text_findings if f.recipient}
    others = [f for f in text_findings if f.recipient not in reported and (f.reply_code or f.recipient)]
    merged, seen = [], set()
    for finding in report_findings:
        if finding.recipient in seen:
            continue
        seen.add(finding.recipient)
        extra = by_recipient.get(finding.recipient)
        if extra is None and len(report_findings) == 1 and len(others) == 1:
            extra = others[0]
            if extra.recipient and not dsn.is_mailbox(finding.recipient or ""):
                finding = replace(finding, recipient=extra.recipient)
        merged.append(_complete(finding, extra))
    return merged


def _complete(finding, extra):
    changes = {}
    if extra is not None and extra.reply_code and not finding.reply_code:
        changes.update(reply_code=extra.reply_code, diagnostic=extra.diagnostic, span=extra.span)
        if is_generic(finding.status) and extra.status:
            changes["status"] = extra.status
    if not finding.command:
        changes["command"] = (extra and extra.command) or freetext.command_in(finding.diagnostic or "")
    if not finding.diagnostic and extra is not None and extra.diagnostic:
        changes.update(diagnostic=extra.diagnostic, span=extra.span)
    return replace(finding, **changes) if changes else finding


def _keep_text_findings(findings, message, texts):
    """Findings from text alone: those with a code, or in a message that is clearly a bounce."""
    bounce = formats.looks_like_bounce(message.headers, texts)
    # A bounce goes back to the original sender: its To: address failed nowhere.
    sender = {clean(a) for a in ADDRESS.findall(message.headers.get("to", ""))}
    kept = []
    for finding in findings:
        if finding.recipient in sender and not (finding.reply_code or finding.status):
            continue
        coded = finding.reply_code or finding.status
        if coded and (finding.reply_code or bounce or finding.recipient):
            kept.append(finding)
        elif finding.recipient and bounce:
            kept.append(finding)
    return kept


def _with_failed_recipients(findings, headers):
    """Exim and Google list the failed addresses in an X-Failed-Recipients header field.

    An address there that the text never tied to a reply gets the one unnamed finding,
    or a finding of its own.
    """
    listed = [clean(a) for a in ADDRESS.findall(headers.get("x-failed-recipients", ""))]
    named = {f.recipient for f in findings}
    unnamed = [f for f in findings if f.recipient is None]
    for address in listed:
        if address in named:
            continue
        if len(unnamed) == 1 and len(listed) == 1:
            findings = [replace(f, recipient=address) if f is unnamed[0] else f for f in findings]
        else:
            findings.append(Finding(address, None, None, None, None))
        named.add(address)
    return findings


def _text_kind(message, texts, findings):
    kind = formats.mta_kind(texts)
    if kind:
        return kind
    if not message.headers:
        if any(">>>" in t or "<<<" in t for t in texts):
            return "transcript"
        if find_reply(texts[0].lstrip()) is not None and find_reply(texts[0].lstrip()).start == 0:
            return "reply"
    return "text"


def _with_actions(findings, kind, message, texts):
    """Plain-text bounces have no Action field: a notice is a failure unless it warns of a delay."""
    if kind in ("reply", "transcript"):
        return [replace(f, action=_action_of_code(f)) for f in findings]
    action = "delayed" if formats.is_delay_notice(message.headers, texts[0] if texts else "") else "failed"
    return [replace(f, action=action) for f in findings]


def _action_of_code(finding):
    code = finding.reply_code or finding.status or ""
    return {"5": "failed", "4": "delayed"}.get(code[:1])


def _with_fallback_recipient(findings, message):
    """A notice that never names the recipient: the returned message's To: field names it."""
    if len(findings) != 1 or findings[0].recipient:
        return findings
    for headers in returned_headers(message):
        to = headers.get("to", "")
        addresses = ADDRESS.findall(to)
        if len(addresses) == 1:
            return [replace(findings[0], recipient=addresses[0].lower())]
    return findings
