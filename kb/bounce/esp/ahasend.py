"""AhaSend webhooks: `type` "message.<kind>", `timestamp`, the message in `data` (`recipient`)."""
from .event import Outcome

NAME, LABEL = "ahasend", "AhaSend"
# type: (action, permanent); a plain "bounced" does not say which.
_TYPES = {"message.bounced": ("failed", None), "message.failed": ("failed", True),
          "message.transient_error": ("delayed", False), "message.suppressed": ("failed", None),
          "message.delivered": ("delivered", None)}


def read(event):
    value = event.value
    name = event.text("type") or ""
    data = value.get("data")
    if not (name.startswith("message.") and isinstance(data, dict) and "recipient" in data):
        return None
    if name not in _TYPES:
        return []
    action, permanent = _TYPES[name]
    return [Outcome(NAME, LABEL, event.child("data"), name, action, data.get("recipient"), permanent).finding()]
