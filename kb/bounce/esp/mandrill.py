"""Mandrill (Mailchimp Transactional) webhooks: events with `event` and a `msg` object.

Posted as `mandrill_events` (a JSON array, sent as a form field, hence sometimes a string
holding the array) or as the array itself. `hard_bounce` and `soft_bounce` carry the remote
reply in `msg.diag` and Mandrill's reading in `msg.bounce_description`; a `deferral` lists
the delivery attempts in `msg.smtp_events`, each with its `diag`; `reject` means Mandrill
did not send at all.
"""
from .event import Outcome

NAME, LABEL = "mandrill", "Mandrill"
_BOUNCES = {"hard_bounce": True, "soft_bounce": False}


def read(event):
    value = event.value
    events = value.get("mandrill_events")
    if isinstance(events, str):
        try:
            event = event.embedded("mandrill_events")
        except ValueError:
            return None
        return [f for item in _items(event.value, event) for f in _read_one(item)]
    if isinstance(events, list):
        return [f for item in event.children("mandrill_events") for f in _read_one(item)]
    if "event" in value and isinstance(value.get("msg"), dict) and "email" in value["msg"]:
        return _read_one(event)
    return None


def _items(value, event):
    return event.children() if isinstance(value, list) else [event] if isinstance(value, dict) else []


def _read_one(event):
    name, msg = event.text("event"), event.child("msg") if isinstance(event.get("msg"), dict) else None
    if msg is None:
        return []
    common = dict(esp=NAME, label=LABEL, event=msg, name=name, recipient=msg.get("email"),
                  bounce_type=msg.text("bounce_description"))
    if name in _BOUNCES:
        return [Outcome(action="failed", permanent=_BOUNCES[name], reply=("diag",), **common).finding()]
    if name == "deferral":
        attempts = msg.list("smtp_events")
        last = ("smtp_events", len(attempts) - 1, "diag") if attempts else None
        return [Outcome(action="delayed", permanent=False, reply=last, **common).finding()]
    if name == "reject":
        return [Outcome(action="failed", **common).finding()]
    return []
