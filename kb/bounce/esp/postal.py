"""Postal (open-source mail server) webhooks: `event`, `payload`, `uuid`.

`MessageDeliveryFailed` (status HardFail / SoftFail), `MessageDelayed` and `MessageHeld`
carry the remote server's `output` and Postal's own `details`; `MessageBounced` reports a
bounce message that came back (`original_message`, `bounce`), with no reply of its own.
Events about messages Postal received (`direction` "incoming") are no bounces of ours.
"""
from .event import Outcome

NAME, LABEL = "postal", "Postal"
_STATUS = {"HardFail": True, "SoftFail": False}


def read(event):
    payload = event.get("payload")
    name = event.text("event") or ""
    if not (name.startswith("Message") and isinstance(payload, dict)):
        return None
    payload_event = event.child("payload")
    message = payload.get("message") if isinstance(payload.get("message"), dict) else payload.get("original_message")
    recipient = message.get("to") if isinstance(message, dict) else None
    if isinstance(message, dict) and message.get("direction") == "incoming":
        return []  # a message Postal received: its "failure" is a webhook of the receiving side, no bounce
    common = dict(esp=NAME, label=LABEL, event=payload_event, name=name, recipient=recipient,
                  reply=("output",), detail=("details",))
    if name == "MessageDeliveryFailed":
        status = payload_event.text("status")
        return [Outcome(action="failed", permanent=_STATUS.get(status), bounce_type=status, **common).finding()]
    if name == "MessageDelayed":
        return [Outcome(action="delayed", permanent=False, **common).finding()]
    if name in ("MessageHeld", "MessageBounced"):
        return [Outcome(action="failed", **common).finding()]
    if name == "MessageSent":
        return [Outcome(action="delivered", **common).finding()]
    return []
