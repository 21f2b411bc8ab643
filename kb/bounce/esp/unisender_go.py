"""Unisender Go callbacks: `events_by_user[].events[]`, each `event_name` + `event_data`.

A `transactional_email_status` event gives the `email`, its `status` (hard_bounced,
soft_bounced, delivered...) and `delivery_info` with Unisender's `delivery_status`
(err_user_unknown...) and the remote `destination_response`; an `err_` delivery status
marks a failure whatever the status says. The flat form (the fields beside `event_name`)
is read too.
"""
from .event import Outcome

NAME, LABEL = "unisender-go", "Unisender Go"
_STATUSES = {"hard_bounced": ("failed", True), "soft_bounced": ("delayed", False), "delivered": ("delivered", None)}


def read(event):
    value = event.value
    if isinstance(value.get("events_by_user"), list):
        return [f for user in event.children("events_by_user") for item in user.children("events")
                for f in _read_one(item)]
    if isinstance(value.get("event_name"), str) and ("event_data" in value or "delivery_info" in value):
        return _read_one(event)
    return None


def _read_one(event):
    if event.get("event_name") != "transactional_email_status":
        return []
    data = event.child("event_data") if isinstance(event.get("event_data"), dict) else event
    status, delivery = data.text("status"), data.text("delivery_info", "delivery_status") or ""
    if status in _STATUSES:
        action, permanent = _STATUSES[status]
    elif delivery.startswith("err_"):
        # A status such as "sent" whose delivery failed: Unisender's error code says so.
        action, permanent = ("delayed" if delivery == "err_will_retry" else "failed"), None
    else:
        return []
    return [Outcome(NAME, LABEL, data, status, action, data.get("email"), permanent, delivery or None,
                    reply=("delivery_info", "destination_response")).finding()]
