"""Mailtrap Email Sending webhooks: `{"events": [...]}`, each with `event`, `email`, `message_id`.

`bounce` and `soft bounce` carry the remote `response`, its `response_code` and Mailtrap's
`bounce_category`; `suspension` and `reject` mean Mailtrap did not send (its `reason`).
"""
from .event import Outcome

NAME, LABEL = "mailtrap", "Mailtrap"


def read(event):
    value = event.value
    if isinstance(value.get("events"), list) and all(_is_event(v) for v in value["events"]):
        return [f for item in event.children("events") for f in _read_one(item)]
    if _is_event(value) and "event_id" in value:
        return _read_one(event)
    return None


def _is_event(value):
    return isinstance(value, dict) and "event" in value and "email" in value and "message_id" in value


def _read_one(event):
    name = event.text("event")
    category = event.text("bounce_category")
    common = dict(esp=NAME, label=LABEL, event=event, name=name, recipient=event.get("email"), bounce_type=category)
    if name == "bounce":
        return [Outcome(action="failed", permanent=True if category == "hard" else None, reply=("response",),
                        code=event.get("response_code"), **common).finding()]
    if name == "soft bounce":
        return [Outcome(action="delayed", permanent=False, reply=("response",), code=event.get("response_code"),
                        **common).finding()]
    if name in ("suspension", "reject"):
        return [Outcome(action="failed", detail=("reason",), **common).finding()]
    if name == "delivery":
        return [Outcome(action="delivered", reply=("response",), **common).finding()]
    return []
