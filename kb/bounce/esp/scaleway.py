"""Scaleway Transactional Email webhooks: `type` "email_<kind>", `email_to`, the reply fields.

`email_response_code` and `email_response_message` hold the remote reply (the older
`email_error` holds it with its code); `email_blocklisted` means Scaleway did not send, for
the `blocklist_type` and `blocklist_reason` it gives.
"""
from .event import Outcome

NAME, LABEL = "scaleway", "Scaleway"
# type: (action, permanent), from Scaleway's descriptions of its event types.
_TYPES = {
    "email_dropped": ("failed", True),
    "email_mailbox_not_found": ("failed", True),
    "email_deferred": ("delayed", False),
    "email_blocklisted": ("failed", None),
    "email_spam": ("failed", None),
    "email_delivered": ("delivered", None),
}


def read(event):
    value = event.value
    name = event.text("type") or ""
    if not (name.startswith("email_") or name.startswith("blocklist_")) or "email_to" not in value:
        return None
    if name not in _TYPES:
        return []
    action, permanent = _TYPES[name]
    reply = ("email_error",) if event.text("email_error") else ("email_response_message",)
    return [Outcome(NAME, LABEL, event, name, action, value.get("email_to"), permanent,
                    event.text("blocklist_type"), reply=reply, detail=("blocklist_reason",),
                    code=event.get("email_response_code")).finding()]
