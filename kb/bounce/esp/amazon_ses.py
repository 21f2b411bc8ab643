"""Amazon SES event notifications: bare, in an SNS envelope, from EventBridge, or by email.

An event names its type in `notificationType` (SNS notifications) or `eventType` (event
publishing), and carries an object of the same name in lower camel case: `bounce` lists
`bouncedRecipients` (`emailAddress`, `action`, `status`, `diagnosticCode`) under its
`bounceType` Permanent / Transient / Undetermined; `deliveryDelay` lists `delayedRecipients`;
`reject` gives SES's own `reason` for the `mail.destination` it refused to send to (as
`failure.errorMessage` does for a Rendering Failure);
`delivery` gives the `smtpResponse`. A suppression-list bounce carries SES's own sentence
in `diagnosticCode`, no reply: it becomes the ESP's detail, not a diagnostic.
"""
import json
import re
from dataclasses import replace

from ..findings import BounceError
from .event import Event, Outcome, Source

NAME, LABEL = "amazon-ses", "Amazon SES"
_TYPE_FIELDS = ("notificationType", "eventType")
_PERMANENT = {"Permanent": True, "Transient": False}
# Events of a message SES did not send, and the field of its reason: a virus (Reject), a
# template that did not render (Rendering Failure).
_NOT_SENT = {"Reject": ("reject", "reason"), "Rendering Failure": ("failure", "errorMessage")}
# An SES notification as the body of an email: the JSON object opens with its type, or it is
# the SNS envelope that an "email-json" subscription sends, the notification escaped in "Message".
_MAIL_START = re.compile(r'\{\s*"(?:notificationType|eventType)"\s*:\s*"(\w+)"|\{\s*"Type"\s*:\s*"Notification"')
_ESCAPED_TYPE = re.compile(r'\\"(?:notificationType|eventType)\\"\s*:\s*\\"(\w+)')
# sendmail splits a line longer than its delivery agent's limit (L=, 990 for SMTP) by ending it
# with "!"; the rest follows on the next line (here after one space). JSON has no "!" at the end
# of a line outside a string, and no line break inside one.
_SENDMAIL_SPLIT = re.compile(r"!(?:\r\n|\r|\n)[ \t]?")
MAX_JSON = 1 << 20


def read(event):
    value = event.value
    if value.get("Type") == "SubscriptionConfirmation" and "SubscribeURL" in value:
        raise BounceError("This is an Amazon SNS subscription confirmation, not an event: "
                          "confirm the subscription, then paste the notifications it sends.")
    if value.get("Type") == "Notification" and isinstance(value.get("Message"), str):
        return _sns_message(event)
    if value.get("source") == "aws.ses" and isinstance(value.get("detail"), dict):
        return read(event.child("detail"))  # EventBridge wraps the same event in `detail`
    kind = next((value[f] for f in _TYPE_FIELDS if isinstance(value.get(f), str)), None)
    if kind is None or not isinstance(value.get("mail"), dict):
        return None
    return _findings(event, kind)


def _sns_message(event):
    try:
        inner = event.embedded("Message")
    except ValueError:
        raise BounceError("This Amazon SNS notification's Message is no JSON: it is no SES event.") from None
    if not isinstance(inner.value, dict):
        return None
    return read(inner)


def _findings(event, kind):
    if kind == "Bounce":
        bounce = event.child("bounce")
        permanent = _PERMANENT.get(bounce.text("bounceType"))
        kinds = "/".join(t for t in (bounce.text("bounceType"), bounce.text("bounceSubType")) if t) or None
        return [_outcome(bounce, r, kind, r[1].get("action") or "failed", permanent, kinds)
                for r in _listed(bounce, "bouncedRecipients")]
    if kind == "DeliveryDelay":
        delay = event.child("deliveryDelay")
        return [_outcome(delay, r, kind, "delayed", False, delay.text("delayType"))
                for r in _listed(delay, "delayedRecipients")]
    if kind in _NOT_SENT:  # SES did not send: its own reason, no reply
        return [Outcome(NAME, LABEL, event, kind, "failed", address, detail=_NOT_SENT[kind]).finding()
                for address in event.list("mail", "destination") if isinstance(address, str)]
    if kind == "Delivery":
        return [Outcome(NAME, LABEL, event, kind, "delivered", address, reply=("delivery", "smtpResponse")).finding()
                for address in event.list("delivery", "recipients") if isinstance(address, str)]
    return []  # Send, Open, Click, Complaint, Subscription...: no delivery failure


def _listed(part, field):
    return [(index, entry) for index, entry in enumerate(part.list(field)) if isinstance(entry, dict)]


def _outcome(part, indexed, kind, action, permanent, bounce_type):
    index, entry = indexed
    field = "bouncedRecipients" if kind == "Bounce" else "delayedRecipients"
    return Outcome(NAME, LABEL, part, kind, str(action).lower(), entry.get("emailAddress"), permanent, bounce_type,
                   maybe_reply=(field, index, "diagnosticCode"), status=entry.get("status")).finding()


def notification_type(text):
    """'bounce', 'delivery', 'complaint'..., or None when the text holds no SES notification."""
    match = _MAIL_START.search(text, 0, 65536)
    if match is None:
        return None
    if match.group(1):
        return match.group(1).lower()
    escaped = _ESCAPED_TYPE.search(text, match.end(), match.end() + MAX_JSON)  # inside an SNS envelope
    return escaped.group(1).lower() if escaped else None


def findings_in_mail(text):
    """The findings of an SES notification sent as the body of an email."""
    match = _MAIL_START.search(text, 0, 65536)
    if not match:
        return []
    source = text[match.start():match.start() + MAX_JSON]
    value = _json_object(source)
    if value is not None:
        return read(Event(value, Source(text), match.start())) or []
    mended = _SENDMAIL_SPLIT.sub("", source)
    value = _json_object(mended)
    if value is None:
        return []  # a mail client cut the line: the text readers get their turn
    # Read from the mended copy: its spans index no text the reader has.
    return [replace(finding, span=None) for finding in read(Event(value, Source(mended), 0)) or []]


def _json_object(source):
    """The JSON object that source starts with, or None."""
    try:
        value, _ = json.JSONDecoder().raw_decode(source)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
