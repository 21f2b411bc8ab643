"""RFC 3464 delivery-status fields, in a message/delivery-status part or pasted as text.

The body is a per-message group of header-like fields, then one group per recipient, groups
separated by blank lines (RFC 3464 §2.1). Real reports sometimes omit the blank lines, so a
field that repeats also starts a new group.
RFC 6533 §3 (message/global-delivery-status) uses the same fields with UTF-8 allowed.
"""
import re

from .addresses import ADDRESS
from .findings import Finding
from .lines import iter_lines
from .replies import find_status, is_generic, parse_diagnostic

MAX_FOLDED_LINES = 200  # a folded Diagnostic-Code of a multi-line reply is rarely over 20 lines
_FIELD = re.compile(r"([A-Za-z][A-Za-z0-9-]{0,62})[ \t]*:[ \t]*")
_RECIPIENT_FIELDS = ("final-recipient", "original-recipient")
# RFC 3464 §2.2: the fields of the per-message group, which names no recipient.
_PER_MESSAGE = frozenset(("original-envelope-id", "reporting-mta", "dsn-gateway", "received-from-mta", "arrival-date"))
# Fields that only a delivery-status body has: one of these lines starts a DSN block in text.
DSN_START = re.compile(r"(?:final-recipient|original-recipient|reporting-mta)[ \t]*:", re.I)


class _Field:
    """A field's value (folded lines kept as a list until read) and where it stands in the text."""
    __slots__ = ("pieces", "start", "end")

    def __init__(self, value, start, end):
        self.pieces, self.start, self.end = [value], start, end

    @property
    def value(self):
        return " ".join(self.pieces)


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
            if len(field.pieces) < MAX_FOLDED_LINES:
                field.pieces.append(line.strip())
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
        if name in group:
            # A field that repeats starts the next group: some reports omit the blank line.
            groups.append(group)
            group = {}
        group[name] = _Field(line[match.end():].strip(), offset + match.end(), offset + len(line))
    if group:
        groups.append(group)
    return groups, stop


def findings_from_groups(groups, text):
    """One Finding per recipient group; `text` is Report.text when the field offsets index into it."""
    findings = []
    for group in groups:
        recipient = _recipient(group)
        if recipient is None and ("action" not in group and "status" not in group or _PER_MESSAGE.intersection(group)):
            continue  # the per-message group (some put an Action in it), or junk
        findings.append(_finding(group, recipient, text))
    return findings


def _recipient(group):
    """Final-Recipient, unless it is no mailbox address, or an internal one, and Original-Recipient
    is (RFC 3464 §2.3.1-2).

    Original-Recipient is the address the sender gave (the ORCPT parameter, RFC 3461 §4.2);
    Final-Recipient is the one the reporting MTA delivered to, which after a gateway or an
    Exchange organisation may be an X.400 address or a mailbox on an internal host.
    """
    values = [group[name].value for name in _RECIPIENT_FIELDS if name in group]
    if not values:
        return None  # the per-message group
    read = [address_of(v) for v in values]
    direct = [a for v, a in zip(values, read) if not _is_source_routed(v)]
    # Each address once (the two fields often name the same one), those not source-routed first.
    addresses = [a for a in dict.fromkeys(direct + read) if a]
    mailboxes = [a for a in addresses if is_mailbox(a)]
    public = [a for a in mailboxes if not is_internal(a) and not _on_a_host_inside(a, mailboxes)]
    return (public or mailboxes or addresses or [None])[0]


def _on_a_host_inside(address, others):
    """Where the organisation's own routing delivered another address, not what the sender wrote:
    a host inside that one's domain (bob@mbx1.example.org beside user@example.org), or the same
    user on a single-label host (Sun Messaging Server's channel: bob@ims-ms-daemon)."""
    local, _, domain = address.rpartition("@")
    for other in others:
        other_local, _, other_domain = other.rpartition("@")
        if domain.endswith("." + other_domain) or ("." not in domain and "." in other_domain and local == other_local):
            return True
    return False


# Top-level names that never resolve in the public DNS: RFC 6762 (.local), RFC 8375 (home.arpa),
# and names that organisations use inside their networks.
_INTERNAL_SUFFIXES = (".local", ".localdomain", ".lan", ".internal", ".intranet", ".corp", ".home.arpa", ".private")
# Exchange's encapsulation of a non-SMTP address: `IMCEAEX-_O=ORG_OU=..._CN=BOB@example.org`.
_ENCAPSULATED = re.compile(r"imcea[a-z0-9]*-|/o=|/ou=|/cn=", re.I)


def is_internal(address):
    """An address of a mailbox inside an organisation, not one a sender could have written."""
    local, _, domain = address.rpartition("@")
    return domain.endswith(_INTERNAL_SUFFIXES) or _ENCAPSULATED.match(local) is not None


def _is_source_routed(value):
    # `rfc822; @relay.example:user@host`: an address as one relay saw it (RFC 5321 Appendix C).
    return value.partition(";")[2].strip().startswith("@")


def is_mailbox(address):
    """A local part and a domain: not a bare local name, a route or a pipe."""
    local, _, domain = address.rpartition("@")
    return bool(local) and bool(domain) and not local.startswith("@")


def address_of(value):
    """The address in a typed field value (`rfc822; <User@Example.org>`), lowercased.

    Exim names a pipe or file delivery by its command (`|/usr/bin/prog user@example.org`);
    the address inside it is the recipient's. A source route (`@relay:user@host`, RFC 5321
    §4.1.1.3 / Appendix C) is dropped.
    """
    value = value.split(";", 1)[1] if ";" in value else value
    value = value.strip().strip("<>").strip().lower()
    if len(value) > 1 and value[0] == value[-1] == '"':
        value = value[1:-1]  # a quoted address; a quoted local part ("a..b"@example.org, RFC 5321) keeps its quotes
    if "\\x{" in value:
        value = _EMBEDDED_UNICODE.sub(_unicode_char, value)
    if value[:1] in ("|", "/") or " " in value:
        inner = ADDRESS.findall(value)
        if inner:
            value = inner[0]
    if value.startswith("@") and ":" in value:
        value = value.split(":", 1)[1]
    return value or None


# RFC 6533 §3: a "utf-8" address type may write non-ASCII characters as \x{HEXPOINT}.
_EMBEDDED_UNICODE = re.compile(r"\\x\{([0-9a-f]{2,6})\}")


def _unicode_char(match):
    point = int(match.group(1), 16)
    return chr(point) if point <= 0x10FFFF and not 0xD800 <= point <= 0xDFFF else match.group(0)


def _finding(group, recipient, text):
    action = _value(group, "action")
    status = find_status(_value(group, "status") or "")
    diagnostic_field = group.get("diagnostic-code")
    reply_code = diagnostic = span = kind = None
    if diagnostic_field:
        typed = diagnostic_field.value
        # RFC 3464 §2.3.6: "type; text"; only the "smtp" type holds an SMTP reply.
        kind, _, value = typed.partition(";") if ";" in typed else ("smtp", "", typed)
        reply_code, diagnostic_status, diagnostic = parse_diagnostic(value, kind.strip().lower() == "smtp")
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
        diagnostic_type=kind.strip().lower() if kind else None,
    )


def better_status(field_status, diagnostic_status):
    """The remote server's own code (in the diagnostic) before the reporting MTA's summary.

    The Status field is the reporting MTA's reading of the failure (RFC 3464 §2.3.4); the
    code in the diagnostic is what the remote server said (dsn_fields.md), and wins unless
    it says less: the field is kept when its class differs (the reporting MTA decided
    whether to retry) or when the diagnostic only repeats its subject with detail 0.
    """
    if not diagnostic_status or not field_status:
        return diagnostic_status or field_status
    if is_generic(field_status):
        return diagnostic_status
    if field_status[0] != diagnostic_status[0]:
        return field_status
    if diagnostic_status.endswith(".0") and field_status.rsplit(".", 1)[0] == diagnostic_status.rsplit(".", 1)[0]:
        return field_status
    return diagnostic_status


def _value_span(text, field, diagnostic):
    # The diagnostic starts where its first word stands in the field value.
    start = text.find(diagnostic.split(" ", 1)[0], field.start, field.end)
    return (start, field.end) if start >= 0 else None


def _value(group, name):
    field = group.get(name)
    return field.value if field else None
