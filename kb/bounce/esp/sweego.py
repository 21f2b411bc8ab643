"""Sweego webhooks: `event_type`, `swg_uid`, `channel`, `recipient`, the remote `response_code`."""
from .event import Outcome

NAME, LABEL = "sweego", "Sweego"
_TYPES = {"hard_bounce": ("failed", True), "soft_bounce": ("delayed", False), "soft-bounce": ("delayed", False),
          "delivered": ("delivered", None)}


def read(event):
    value = event.value
    if not ("event_type" in value and "recipient" in value and ("swg_uid" in value or "channel" in value)):
        return None
    name = event.text("event_type")
    if name not in _TYPES:
        return []
    action, permanent = _TYPES[name]
    return [Outcome(NAME, LABEL, event, name, action, value.get("recipient"), permanent,
                    maybe_reply=("status",), code=value.get("response_code")).finding()]
