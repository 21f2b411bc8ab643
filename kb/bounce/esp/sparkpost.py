"""SparkPost (now Bird) webhooks: an array of `{"msys": {"<class>_event": {...}}}`.

Message events of type `bounce`, `out_of_band` (a bounce after acceptance), `delay`,
`policy_rejection`, and generation events (`generation_failure`, `generation_rejection`)
carry `rcpt_to`, the full reply in `raw_reason` (`reason` is the same, redacted), its
`error_code` and SparkPost's `bounce_class`.
"""
from .event import Outcome

NAME, LABEL = "sparkpost", "SparkPost"
_FAILED = ("bounce", "out_of_band", "policy_rejection", "generation_failure", "generation_rejection")
# SparkPost's bounce classes whose category it documents as Hard or Soft (Block, Admin and
# Undetermined classes say neither).
_HARD = {"10", "30", "90"}
_SOFT = {"20", "21", "22", "23", "24", "40", "60", "70", "100"}


def read(event):
    msys = event.get("msys")
    if not isinstance(msys, dict):
        return None
    found = []
    for key in msys:
        if key.endswith("_event") and isinstance(msys[key], dict):
            found += _read_one(event.child("msys", key))
    return found


def _read_one(event):
    name = event.text("type")
    if name in _FAILED or name == "delay":
        bounce_class = str(event.get("bounce_class") or "") or None
        permanent = False if name == "delay" else True if bounce_class in _HARD else False if bounce_class in _SOFT else None
        field = "raw_reason" if event.text("raw_reason") else "reason"
        return [Outcome(NAME, LABEL, event, name, "delayed" if name == "delay" else "failed",
                        event.get("rcpt_to") or event.get("raw_rcpt_to"), permanent,
                        bounce_class and f"bounce class {bounce_class}", reply=(field,),
                        code=event.get("error_code")).finding()]
    if name == "delivery":
        return [Outcome(NAME, LABEL, event, name, "delivered", event.get("rcpt_to"), reply=("raw_reason",)).finding()]
    return []
