"""Putting findings together: a report completed from its notice text, text-only findings
kept or dropped, recipients named by other means, and actions for notices without fields."""
from dataclasses import replace

from . import dsn, formats
from .addresses import ADDRESS, clean
from .findings import Finding
from .freetext import command_in
from .mime import returned_headers
from .recipients import local_names


def merge(report_findings, text_findings):
    """DSN findings, completed from the human-readable text where the report is silent.

    A report with one recipient and a text with one other finding describe the same failure;
    the text's recipient wins when the report's is no mailbox (`@relay`, a bare local part, an
    X.400 address) or a mailbox on an internal host: the text names the one the sender used.
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
            own = finding.recipient or ""
            if extra.recipient and (not dsn.is_mailbox(own) or dsn.is_internal(own)):
                finding = replace(finding, recipient=extra.recipient)
        merged.append(_complete(finding, extra))
    return merged


def _complete(finding, extra):
    """A report's finding, with what the text adds: the reply, a command, a diagnostic.

    The report's own Status field stays, generic or not (RFC 3464 §2.3.4: the reporting MTA's
    status for the recipient); the remote's words and codes come with the reply, in the diagnostic.
    """
    changes = {}
    if extra is not None and extra.reply_code and not finding.reply_code:
        changes.update(reply_code=extra.reply_code, diagnostic=extra.diagnostic, span=extra.span)
        if not finding.status and extra.status:
            changes["status"] = extra.status
    command = finding.command or (extra and extra.command) or command_in(finding.diagnostic or "")
    if command != finding.command:
        changes["command"] = command
    if not finding.diagnostic and extra is not None and extra.diagnostic:
        changes.update(diagnostic=extra.diagnostic, span=extra.span)
    return replace(finding, **changes) if changes else finding


def keep_text_findings(findings, message, texts):
    """Findings from text alone that say a delivery failed.

    A reply code is an SMTP error on its own; an enhanced status or a bare address counts in
    a message that reads as a bounce (or a status with an address). The bounce's own
    addressee is the original sender, who failed nowhere.
    """
    bounce = None  # asked only of a finding without a reply code: the wordings cost a scan
    addressee = {clean(a) for a in ADDRESS.findall(message.headers.get("to", ""))}
    kept = []
    for finding in findings:
        coded = finding.reply_code or finding.status
        if finding.recipient in addressee and not coded:
            continue
        if finding.reply_code or (finding.status and finding.recipient):
            kept.append(finding)
        elif coded or finding.recipient:
            bounce = formats.looks_like_bounce(message.headers, texts) if bounce is None else bounce
            if bounce:
                kept.append(finding)
    return kept


def with_failed_recipients(findings, headers, texts):
    """Exim and Google list the failed addresses in an X-Failed-Recipients header field.

    An address there that the text never tied to a reply gets the one unnamed finding,
    or a finding of its own, with the reason of a notice that names no address (Google Groups).
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
            findings.append(Finding(address, None, None, None, formats.unnamed_reason(texts)))
        named.add(address)
    return findings


def with_local_names(findings, message, texts):
    """Names listed without a domain (AOL, CompuServe), when nothing else names a recipient.

    They are users of the system that sent the notice: the domain of its From: address.
    """
    if any(f.recipient for f in findings):
        return findings
    senders = ADDRESS.findall(message.headers.get("from", ""))
    domain = clean(senders[0]).rpartition("@")[2] if senders else ""
    names = [name for text in texts for name in local_names(text)] if domain else []
    if not names or not formats.looks_like_bounce(message.headers, texts):
        return findings
    template = findings[0] if len(findings) == 1 else Finding(None, None, None, None, None)
    named = []
    for name, reason in names:
        finding = replace(template, recipient=f"{name}@{domain}")
        if reason and not finding.diagnostic:
            # The reason beside the name (GroupWise's parentheses), read from a line no span covers.
            finding = replace(finding, diagnostic=reason, span=None)
        named.append(finding)
    return named


def with_actions(findings, kind, message, texts):
    """Plain-text bounces have no Action field: a notice is a failure unless it warns of a delay."""
    if kind in ("reply", "transcript", "log"):
        return [replace(f, action=_action_of_code(f)) for f in findings]
    action = "delayed" if formats.is_delay_notice(message.headers, texts[0] if texts else "") else "failed"
    return [replace(f, action=action) for f in findings]


def _action_of_code(finding):
    code = finding.reply_code or finding.status or ""
    return {"5": "failed", "4": "delayed"}.get(code[:1])


def returned_recipient(message, texts):
    """A notice that says a delivery failed and names no one: the returned message's one
    addressee (old Lotus Notes and localised notices quote only the message they returned)."""
    if not message.returned or not formats.looks_like_bounce(message.headers, texts):
        return []
    return with_fallback_recipient([Finding(None, None, None, None, None)], message)


def with_fallback_recipient(findings, message):
    """A notice that never names the recipient: the returned message's To: field names it."""
    if len(findings) != 1 or findings[0].recipient:
        return findings
    for headers in returned_headers(message):
        to = headers.get("to", "")
        addresses = ADDRESS.findall(to)
        if len(addresses) == 1:
            return [replace(findings[0], recipient=clean(addresses[0]))]
    return findings
