"""Azure Communication Services email delivery reports, as Event Grid or CloudEvents events.

`eventType` (Event Grid) or `type` (CloudEvents) "Microsoft.Communication.EmailDeliveryReportReceived";
`data` names the `recipient`, the `status` (Delivered; anything else is a failure: Bounced,
Suppressed, FilteredSpam, Quarantined, Failed) and `deliveryStatusDetails`
(`statusMessage`, `recipientMailServerHostName`).
"""
from .event import Outcome

NAME, LABEL = "azure", "Azure Communication Services"
_REPORT = "Microsoft.Communication.EmailDeliveryReportReceived"


def read(event):
    value = event.value
    kind = value.get("eventType") or value.get("type")
    if not (isinstance(kind, str) and kind.startswith("Microsoft.") and isinstance(value.get("data"), dict)):
        return None
    if kind != _REPORT:
        return []  # subscription validation, engagement tracking: no delivery failure
    data = event.child("data")
    status = data.text("status")
    if status in ("Expanded", None):
        return []
    action = "delivered" if status == "Delivered" else "failed"
    return [Outcome(NAME, LABEL, data, status, action, data.get("recipient"), True if status == "Bounced" else None,
                    maybe_reply=("deliveryStatusDetails", "statusMessage"),
                    remote_mta=data.text("deliveryStatusDetails", "recipientMailServerHostName")).finding()]
