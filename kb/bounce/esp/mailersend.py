"""MailerSend activity webhooks: `type` "activity.<kind>", the activity in `data`.

`data.type` is hard_bounced or soft_bounced for failures; the recipient is
`data.email.recipient.email`; `data.morph` (object "recipient_bounce") gives the `reason`,
MailerSend's summary unless it quotes the reply.
"""
from .event import Outcome

NAME, LABEL = "mailersend", "MailerSend"
_BOUNCES = {"hard_bounced": True, "soft_bounced": False}


def read(event):
    value = event.value
    name = event.text("type") or ""
    data = value.get("data")
    if not (name.startswith("activity.") and isinstance(data, dict) and isinstance(data.get("email"), dict)):
        return None
    activity = event.child("data")
    kind = activity.text("type")
    recipient = activity.get("email", "recipient", "email")
    if kind in _BOUNCES:
        return [Outcome(NAME, LABEL, activity, kind, "failed", recipient, _BOUNCES[kind],
                        maybe_reply=("morph", "reason")).finding()]
    if kind == "delivered":
        return [Outcome(NAME, LABEL, activity, kind, "delivered", recipient).finding()]
    return []
