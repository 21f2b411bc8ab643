"""Amazon SES event notifications sent by email (SNS): a JSON object instead of a DSN.

The object has `notificationType` (or `eventType`) "Bounce", "Delivery" or "Complaint";
a bounce lists `bouncedRecipients` with `emailAddress`, `action`, `status` and
`diagnosticCode` (the remote reply as a DSN would type it, `smtp; 550 ...`); a delivery lists
`recipients` and the `smtpResponse`. Mail clients sometimes cut the long line, so a JSON
object that does not parse is read field by field.
"""
import json
import re

from .addresses import clean
from .dsn import address_of, better_status
from .findings import Finding
from .replies import parse_diagnostic

_START = re.compile(r'\{\s*"(?:notificationType|eventType)"\s*:\s*"(\w+)"')
_STRING_FIELD = r'"{name}"\s*:\s*"((?:[^"\\]|\\.){{0,2000}})"'
_RECIPIENT_OBJECT = re.compile(r'\{[^{}]{0,4000}\}')
MAX_JSON = 1 << 20


def notification_type(text):
    """'bounce', 'delivery', 'complaint'..., or None when the text holds no SES notification."""
    match = _START.search(text, 0, 65536)
    return match.group(1).lower() if match else None


def findings(text):
    """Findings for the recipients of an SES Bounce or Delivery notification."""
    match = _START.search(text, 0, 65536)
    if not match:
        return []
    kind = match.group(1).lower()
    try:
        event, _ = json.JSONDecoder().raw_decode(text[match.start():match.start() + MAX_JSON])
    except ValueError:
        event = None
    if kind == "bounce":
        return _bounce_findings(event, text[match.start():match.start() + MAX_JSON])
    if kind == "delivery":
        return _delivery_findings(event, text[match.start():match.start() + MAX_JSON])
    return []


def _bounce_findings(event, raw):
    if isinstance(event, dict) and isinstance(event.get("bounce"), dict):
        entries = [e for e in event["bounce"].get("bouncedRecipients") or [] if isinstance(e, dict)]
    else:
        entries = [_fields(m.group(0)) for m in _RECIPIENT_OBJECT.finditer(raw) if '"emailAddress"' in m.group(0)]
    return [_finding(str(e.get("emailAddress") or ""), e.get("action"), e.get("status"), e.get("diagnosticCode"))
            for e in entries if e.get("emailAddress")]


def _delivery_findings(event, raw):
    if isinstance(event, dict) and isinstance(event.get("delivery"), dict):
        delivery = event["delivery"]
        recipients, response = delivery.get("recipients") or [], delivery.get("smtpResponse")
    else:
        listed = re.search(r'"recipients"\s*:\s*\[([^\]]{0,20000})\]', raw)
        recipients = re.findall(r'"([^"]{1,320})"', listed.group(1)) if listed else []
        response = _fields(raw).get("smtpResponse")
    return [_finding(str(r), "delivered", None, response) for r in recipients if isinstance(r, str)]


def _fields(raw):
    names = ("emailAddress", "action", "status", "diagnosticCode", "smtpResponse")
    found = {}
    for name in names:
        match = re.search(_STRING_FIELD.format(name=name), raw)
        if match:
            found[name] = match.group(1)
    return found


def _finding(address, action, status, diagnostic):
    reply_code, diagnostic_status, text = parse_diagnostic(
        diagnostic.partition(";")[2] if diagnostic and ";" in diagnostic[:20] else str(diagnostic or ""))
    return Finding(
        recipient=clean(address_of(address) or address),
        action=str(action).lower() if action else None,
        reply_code=reply_code,
        status=better_status(str(status) if status else None, diagnostic_status),
        diagnostic=text or None,
    )
