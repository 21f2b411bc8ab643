"""Mailgun webhooks (`event-data`), its Events API items, and Mailomat, which posts the same shape.

A `failed` event has a `severity` (permanent / temporary), Mailgun's `reason` (bounce,
generic, greylisted, suppress-bounce...) and a `delivery-status` with the remote server's
`code`, `enhanced-code` and `message` (or `description`), and the `mx-host`. Mailgun also
puts its own numbers in `code` (605: not delivering to a previously bounced address): those
are no reply. Mailomat wraps the same `delivery-status` in `payload`, with `eventType`
failure_perm / failure_temp at the top, or not_accepted with its own `reason`.
"""
from .event import Outcome

NAME, LABEL = "mailgun", "Mailgun"
MAILOMAT, MAILOMAT_LABEL = "mailomat", "Mailomat"


def read(event):
    value = event.value
    if isinstance(value.get("event-data"), dict):
        return _read_event(event.child("event-data"), NAME, LABEL)
    if isinstance(value.get("items"), list) and isinstance(value.get("paging"), dict):
        return [f for item in event.children("items") for f in _read_event(item, NAME, LABEL) or []]
    if "messageUuid" in value and isinstance(value.get("payload"), dict):
        return _read_mailomat(event)
    if isinstance(value.get("delivery-status"), dict) and "event" in value and "recipient" in value:
        return _read_event(event, NAME, LABEL)
    return None


def _read_event(event, esp, label):
    name = event.text("event")
    if name == "failed":
        permanent = event.text("severity") != "temporary"
        return [_outcome(event, esp, label, name, permanent, event.text("reason")).finding()]
    if name == "rejected":  # Mailgun refused to send: its own reason, no reply
        return [Outcome(esp, label, event, name, "failed", event.get("recipient"),
                        bounce_type=event.text("reject", "reason"), detail=("reject", "description")).finding()]
    if name == "delivered":
        return [_outcome(event, esp, label, name, None, None, action="delivered").finding()]
    return []


def _read_mailomat(event):
    name = event.text("eventType") or ""
    payload = event.child("payload")
    if name == "not_accepted":  # Mailomat refused the message itself (a quota, a policy)
        return [Outcome(MAILOMAT, MAILOMAT_LABEL, payload, name, "failed", event.get("recipient"),
                        detail=("reason",)).finding()]
    if not name.startswith("failure"):
        return []
    outcome = _outcome(payload, MAILOMAT, MAILOMAT_LABEL, name, "perm" in name, None)
    outcome.recipient = event.get("recipient") or payload.get("recipient")
    return [outcome.finding()]


def _outcome(event, esp, label, name, permanent, bounce_type, action=None):
    status = event.child("delivery-status") if isinstance(event.get("delivery-status"), dict) else event
    field = "message" if status.text("message") else "description"
    return Outcome(esp, label, status, name, action or ("failed" if permanent else "delayed"),
                   event.get("recipient"), permanent, bounce_type, reply=(field,), code=status.get("code"),
                   status=status.get("enhanced-code"),
                   remote_mta=status.text("mx-host") or status.text("remote", "mx"))
