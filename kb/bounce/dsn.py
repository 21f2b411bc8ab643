"""RFC 3464 delivery-status fields, in a message/delivery-status part or pasted as text.

The body is a per-message group of header-like fields, then one group per recipient, groups
separated by blank lines (RFC 3464 §2.1). Real reports sometimes omit the blank lines, so a
second Final-Recipient (or Original-Recipient) also starts a new recipient.
RFC 6533 §3 (message/global-delivery-status) uses the same fields with UTF-8 allowed.
"""
import re

from .addresses import ADDRESS
from .findings import Finding
from .lines import iter_lines
from .replies import find_status, is_generic, parse_diagnostic

_FIELD = re.compile(r"([A-Za-z][A-Za-z0-9-]{0,62})[ \t]*:[ \t]*")
_RECIPIENT_FIELDS = ("final-recipient", "original-recipient")
# Fields that only a delivery-status body has: one of these lines starts a DSN block in text.
DSN_START = re.compile(r"(?:final-recipient|original-recipient|reporting-mta)[ \t]*:", re.I)


class _Field:
    __slots__ = ("value", "start", "end")

    def __init__(self, value, start, end):
        self.value, self.start, self.end = value, start, end


def read_groups(text, start=0, end=None, stop_at_text=False):
    """Read field groups; return (list of {lowercase name: _Field}, where reading stopped).

    With `stop_at_text`, reading stops at the first line that is neither a field, a folded
    continuation nor blank (a DSN pasted inside other text).
    """
    groups, group, name = [], {}, None
    stop = end if end is not None else len(text)
    for offset, line in iter_lines(text, start, end):
        if not line.strip():
            if group:
                groups.append(group)
            group, name = {}, None
            continue
        if line[0] in " \t" and name:
            # RFC 3464 §2.1 / RFC 5322 §2.2.3: folded value.
            field = group[name]
            field.value += " " + line.strip()
            field.end = offset + len(line)
            continue
        match = _FIELD.match(line)
        if not match:
            if stop_at_text:
                stop = offset
                break
            name = None
            continue
        name = match.group(1).lower()
        if name in _RECIPIENT_FIELDS and any(f in group for f in (name, "final-recipient")):
            groups.append(group)
            group = {}
        if name not in group:
            group[name] = _Field(line[match.end():].strip(), offset + match.end(), offset + len(line))
        else:
            name = None
    if group:
        groups.append(group)
    return groups, stop


def findings_from_groups(groups, text):
    """One Finding per recipient group; `text` is Report.text when the field offsets index into it."""
    findings = []
    for group in groups:
        recipient = _recipient(group)
        if recipient is None and "action" not in group and "status" not in group:
            continue  # the per-message group, or junk
        findings.append(_finding(group, recipient, text))
    return findings


def _recipient(group):
    """Final-Recipient, unless it is no mailbox address and Original-Recipient is (RFC 3464 §2.3.1-2)."""
    addresses = [address_of(group[name].value) for name in _RECIPIENT_FIELDS if name in group]
    addresses = [a for a in addresses if a]
    for address in addresses:
        if is_mailbox(address):
            return address
    return addresses[0] if addresses else None


def is_mailbox(address):
    local, _, domain = address.rpartition("@")
    return bool(local) and "." in domain and not local.startswith("@")


def address_of(value):
    """The address in a typed field value (`rfc822; <User@Example.org>`), lowercased.

    Exim names a pipe or file delivery by its command (`|/usr/bin/prog user@example.org`);
    the address inside it is the recipient's. A source route (`@relay:user@host`, RFC 5321
    §4.1.1.3 / Appendix C) is dropped.
    """
    value = value.split(";", 1)[1] if ";" in value else value
    value = value.strip().strip("<>").strip().strip('"').lower()
    if value[:1] in ("|", "/") or " " in value:
        inner = ADDRESS.findall(value)
        if inner:
            value = inner[0]
    if value.startswith("@") and ":" in value:
        value = value.split(":", 1)[1]
    return value or None


def _finding(group, recipient, text):
    action = _value(group, "action")
    status = find_status(_value(group, "status") or "")
    diagnostic_field = group.get("diagnostic-code")
    reply_code = diagnostic = span = None
    if diagnostic_field:
        typed = diagnostic_field.value
        value = typed.partition(";")[2] if ";" in typed else typed  # RFC 3464 §2.3.6: "type; text"
        reply_code, diagnostic_status, diagnostic = parse_diagnostic(value)
        status = better_status(status, diagnostic_status)
        if text is not None and diagnostic:
            span = _value_span(text, diagnostic_field, diagnostic)
    remote_mta = _value(group, "remote-mta")
    return Finding(
        recipient=recipient,
        action=action.split()[0].lower() if action else None,
        reply_code=reply_code,
        status=status,
        diagnostic=diagnostic or None,
        remote_mta=address_of(remote_mta) if remote_mta else None,
        span=span,
    )


def better_status(field_status, diagnostic_status):
    """The Status field, unless it is generic (X.0.0) or absent and the diagnostic is specific."""
    if diagnostic_status and is_generic(field_status):
        return diagnostic_status
    return field_status


def _value_span(text, field, diagnostic):
    # The diagnostic starts where its first word stands in the field value.
    start = text.find(diagnostic.split(" ", 1)[0], field.start, field.end)
    return (start, field.end) if start >= 0 else None


def _value(group, name):
    field = group.get(name)
    return field.value if field else None
