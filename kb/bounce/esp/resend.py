"""Resend webhooks: `type` ("email.bounced", "email.delivery_delayed"...), `created_at`, `data`.

`data` names the message (`email_id`) and its recipients (`to`); a bounce adds `bounce`
with Resend's `type` (Permanent, Transient, Undetermined), `subType` and `message`: Resend's
own explanation, unless it quotes the reply.
"""
from .event import Outcome

NAME, LABEL = "resend", "Resend"
_PERMANENT = {"Permanent": True, "Transient": False}


def read(event):
    value = event.value
    name = event.text("type") or ""
    if not (name.startswith("email.") and isinstance(value.get("data"), dict) and "email_id" in value["data"]):
        return None
    data = event.child("data")
    recipients = data.list("to") or [data.get("to")]
    if name == "email.bounced":
        kinds = "/".join(t for t in (data.text("bounce", "type"), data.text("bounce", "subType")) if t) or None
        return [Outcome(NAME, LABEL, data, name, "failed", r, _PERMANENT.get(data.text("bounce", "type")), kinds,
                        maybe_reply=("bounce", "message")).finding() for r in recipients]
    if name == "email.delivery_delayed":
        return [Outcome(NAME, LABEL, data, name, "delayed", r, False).finding() for r in recipients]
    if name == "email.failed":
        return [Outcome(NAME, LABEL, data, name, "failed", r, detail=("failed", "reason")).finding()
                for r in recipients]
    if name == "email.delivered":
        return [Outcome(NAME, LABEL, data, name, "delivered", r).finding() for r in recipients]
    return []
