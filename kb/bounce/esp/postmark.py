"""Postmark: the bounce webhook (`RecordType` "Bounce") and the bounces API record.

Both have `Email`, `Type` (HardBounce, SoftBounce, Transient, DnsError, Blocked...), its
`TypeCode`, Postmark's `Description` of the type and, in `Details`, the remote server's reply
when there was one. The API lists records under `Bounces`.
"""
from .event import Outcome

NAME, LABEL = "postmark", "Postmark"
# Postmark's bounce types whose permanence its documentation states.
_PERMANENT = {"HardBounce": True, "BadEmailAddress": True, "SoftBounce": False, "Transient": False, "DnsError": False}


def read(event):
    value = event.value
    if isinstance(value.get("Bounces"), list) and "TotalCount" in value:
        return [f for record in event.children("Bounces") for f in _read_one(record)]
    kind = value.get("RecordType")
    if kind == "Bounce" or (kind is None and "TypeCode" in value and "Email" in value and "BouncedAt" in value):
        return _read_one(event)  # a webhook, or a record of the bounces API (which has no RecordType)
    if kind == "Delivery" and "Recipient" in value:
        return [Outcome(NAME, LABEL, event, kind, "delivered", value.get("Recipient"), reply=("Details",)).finding()]
    if isinstance(kind, str) and "MessageID" in value:
        return []  # Open, Click, SpamComplaint, SubscriptionChange: no delivery failure
    return None


def _read_one(event):
    kind = event.text("Type")
    return [Outcome(NAME, LABEL, event, event.text("RecordType") or "Bounce",
                    "delayed" if kind == "Transient" else "failed", event.get("Email"), _PERMANENT.get(kind), kind,
                    reply=("Details",), detail=("Description",)).finding()]
