"""MailerSend activity webhooks: `type` "activity.<kind>", the activity in `data`.

Two shapes. The first puts the recipient in `data.email.recipient.email` and the bounce
`reason` in `data.morph` (object "recipient_bounce"); the second (v2) gives `data.recipient`
and `data.meta` with `bounce_reason`, `bounce_code` and `bounce_type`. The kind
(hard_bounced, soft_bounced...) is the part of `type` after "activity.". The reason is
MailerSend's summary unless it quotes the reply.
"""
from .event import Outcome

NAME, LABEL = "mailersend", "MailerSend"
_BOUNCES = {"hard_bounced": True, "soft_bounced": False}


def read(event):
    value = event.value
    name = event.text("type") or ""
    data = value.get("data")
    if not (name.startswith("activity.") and isinstance(data, dict)
            and (isinstance(data.get("email"), dict) or "recipient" in data)):
        return None
    activity = event.child("data")
    kind = name.partition(".")[2]
    recipient = activity.get("email", "recipient", "email") or activity.get("recipient")
    if kind in _BOUNCES:
        v2 = isinstance(activity.get("meta"), dict)
        return [Outcome(NAME, LABEL, activity, kind, "failed", recipient, _BOUNCES[kind],
                        activity.text("meta", "bounce_type") if v2 else None,
                        maybe_reply=("meta", "bounce_reason") if v2 else ("morph", "reason"),
                        code=activity.get("meta", "bounce_code") if v2 else None).finding()]
    if kind == "delivered":
        return [Outcome(NAME, LABEL, activity, kind, "delivered", recipient).finding()]
    return []
