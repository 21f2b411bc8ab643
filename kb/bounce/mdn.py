"""Message disposition notifications (RFC 8098): a read receipt, or a mail store's refusal.

Most MDNs say a person saw a message. A Sieve `reject` (RFC 5429 §2.2.2) answers with an MDN
too when the refusal comes after the message was accepted (Dovecot's LDA and LMTP, Cyrus): its
disposition is `automatic-action/MDN-sent-automatically; deleted` and its human-readable part
gives the reason (`Your message to <x> was automatically rejected:` / `Quota exceeded`). That
one is a bounce: the message was deleted before anyone read it.
"""
import re

from . import dsn
from .findings import Finding

MDN_TYPE = "message/disposition-notification"
# RFC 8098 §3.2.6: disposition-field = action-mode "/" sending-mode ";" disposition-type.
_AUTOMATIC_DELETION = re.compile(r"\s*automatic-action\s*/[^;]*;\s*deleted\b", re.I)
# Where a refusal's lead-in ends and its reason starts: Pigeonhole's "... was automatically rejected:".
_LEAD_IN = re.compile(r".{0,300}?\brejected\s*:\s*", re.I | re.S)
_PARAGRAPH_END = re.compile(r"\r?\n[ \t]*\r?\n|\r[ \t]*\r")


def rejections(message, text):
    """Findings of an MDN that reports a message deleted unread by a filter; [] for a receipt."""
    findings = []
    for part in message.parts:
        if part.content_type != MDN_TYPE:
            continue
        groups, _ = dsn.read_groups(part.body)
        fields = {name: field for group in groups for name, field in group.items()}
        disposition = fields.get("disposition")
        if disposition is None or not _AUTOMATIC_DELETION.match(disposition.value):
            continue
        recipients = [fields[name].value for name in ("final-recipient", "original-recipient") if name in fields]
        recipient = dsn.address_of(recipients[0]) if recipients else None
        diagnostic, span = _reason(message, text)
        findings.append(Finding(recipient=recipient, action="failed", reply_code=None, status=None,
                                diagnostic=diagnostic, span=span))
    return findings


def _reason(message, text):
    """(the human-readable part's first paragraph, its span in text or None)."""
    for part in message.parts:
        if part.content_type != "text/plain" or not part.body.strip():
            continue
        body = part.body
        start = len(body) - len(body.lstrip())
        end_match = _PARAGRAPH_END.search(body, start)
        end = end_match.start() if end_match else len(body.rstrip())
        lead = _LEAD_IN.match(body, start, end)
        if lead and lead.end() < end:
            start = lead.end()
        paragraph = body[start:end]
        diagnostic = " ".join(paragraph.split()) or None
        span = (part.offset + start, part.offset + end) if part.offset is not None and diagnostic else None
        return diagnostic, span
    return None, None
