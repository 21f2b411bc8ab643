"""Brevo (formerly Sendinblue) transactional and marketing webhooks.

One event per post: `event`, `email`, `message-id` (or a campaign's `camp_id`), timestamps
`ts`, `ts_event`, `ts_epoch`. Bounces (`hard_bounce`, `soft_bounce`) and `deferred` carry
the remote reply in `reason`; for `blocked`, `invalid_email` and `error` Brevo did not send
and `reason`, when present, is its own.
"""
from .event import Outcome

NAME, LABEL = "brevo", "Brevo"
_MARKS = ("message-id", "ts_epoch", "ts_event", "camp_id")
# event: (action, permanent, reason is the remote server's reply)
_EVENTS = {
    "hard_bounce": ("failed", True, True),
    "soft_bounce": ("failed", False, True),
    "deferred": ("delayed", False, True),
    "blocked": ("failed", None, False),
    "invalid_email": ("failed", None, False),
    "error": ("failed", None, False),
    "delivered": ("delivered", None, True),
}


def read(event):
    value = event.value
    if not ("event" in value and "email" in value and any(k in value for k in _MARKS)):
        return None
    name = event.text("event")
    if name not in _EVENTS:
        return []
    action, permanent, remote = _EVENTS[name]
    reply = {"reply": ("reason",)} if remote else {"detail": ("reason",)}
    return [Outcome(NAME, LABEL, event, name, action, value.get("email"), permanent, **reply).finding()]
