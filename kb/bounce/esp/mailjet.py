"""Mailjet event API: one event or an array, with `event`, `email` and `mj_*` or `MessageID`.

A `bounce` says `hard_bounce` true or false, Mailjet's classification in `error_related_to`
and `error` ("user unknown", "greylisted"...) and, in `comment`, the remote server's reply
when Mailjet kept it. A `blocked` event: Mailjet did not send. `sent` carries the
`smtp_reply`.
"""
from .event import Outcome

NAME, LABEL = "mailjet", "Mailjet"
_IDS = ("mj_campaign_id", "mj_contact_id", "mj_message_id", "Message_GUID")


def read(event):
    value = event.value
    if not ("event" in value and "email" in value and any(k in value for k in _IDS)):
        return None
    name = event.text("event")
    classified = ": ".join(t for t in (event.text("error_related_to"), event.text("error")) if t) or None
    common = dict(esp=NAME, label=LABEL, event=event, name=name, recipient=value.get("email"), bounce_type=classified)
    if name == "bounce":
        hard = value.get("hard_bounce")
        return [Outcome(action="failed", permanent=hard if isinstance(hard, bool) else None,
                        maybe_reply=("comment",), detail=("error",), **common).finding()]
    if name == "blocked":
        return [Outcome(action="failed", maybe_reply=("comment",), detail=("error",), **common).finding()]
    if name == "sent":
        return [Outcome(action="delivered", reply=("smtp_reply",), **common).finding()]
    return []
