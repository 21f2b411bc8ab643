"""SendGrid (Twilio) Event Webhook: an array of events, each with `event`, `email` and `sg_*` ids.

Delivery events: `bounce` (with `type` bounce or blocked, the remote `reason` and `status`),
`deferred` (the remote `response`), `dropped` (SendGrid's own `reason`: never sent),
`delivered`. Engagement events (open, click, spamreport, unsubscribe...) report no delivery.
"""
from .event import Outcome

NAME, LABEL = "sendgrid", "SendGrid"
_IDS = ("sg_event_id", "sg_message_id", "smtp-id")


def read(event):
    value = event.value
    if not ("event" in value and "email" in value and any(k in value for k in _IDS)):
        return None
    name = event.text("event")
    outcome = _outcome(event, name)
    return [outcome.finding()] if outcome else []


def _outcome(event, name):
    common = dict(esp=NAME, label=LABEL, event=event, name=name, recipient=event.get("email"))
    if name == "bounce":
        # `type` tells a bounce (the address failed) from a block (the message was refused).
        kind = event.text("type")
        return Outcome(action="failed", permanent=True if kind == "bounce" else None,
                       bounce_type=event.text("bounce_classification") or kind,
                       maybe_reply=("reason",), status=event.get("status"), **common)
    if name == "deferred":
        return Outcome(action="delayed", permanent=False, reply=("response",), **common)
    if name == "dropped":
        return Outcome(action="failed", detail=("reason",), **common)
    if name == "delivered":
        return Outcome(action="delivered", reply=("response",), **common)
    return None
