"""Hard or soft: whether the address can take this mail later, read as the reason is read.

The reply class is the first reading (RFC 5321 §4.2.1: 5yz permanent, 4yz transient; without a
reply, the class of the enhanced status, RFC 3463 §3.1); kb/codes.py holds that rule. Three
readings go further, as the reason and the advice do:

- RFC 3463 calls X.2.2 (mailbox full), X.3.1 (mail system full) and X.4.5 (congestion)
  "persistent transient" failures: sent as 5.x.x they still clear up (the owner empties the
  mailbox), so they are soft.
- A permanent reply whose own words say the refusal is for now ("try again later",
  greylisting) is soft, unless its reason says the address is gone.
- An ESP event that carries no reply and no status: the ESP's own verdict decides.

`of(finding)` gives (hard, why): True, False or None, and one sentence for a person.
"""
import re

from .replies import hard_bounce as code_permanence

# RFC 3463 §3.3, §3.4, §3.5: the details "useful only as a persistent transient error" (X.3.1,
# X.4.5) or whose "general semantics implies that the recipient can delete messages" (X.2.2).
PERSISTENT_TRANSIENT = {"2.2", "3.1", "4.5"}
_FOR_NOW = re.compile(r"try (?:again )?later|greylist|temporarily (?:deferred|rejected|refused|blocked|unavailable)")
# Reasons that say the address itself is gone: no wording about "later" makes them soft.
_ADDRESS_GONE = {"userunknown", "hostunknown", "hasmoved", "notaccept"}
_READ_CHARS = 2000


def of(finding):
    """(hard_bounce, why) for a Finding."""
    code = finding.reply_code or finding.status
    if not code:
        return _of_esp(finding.esp)
    hard = code_permanence(finding.reply_code, finding.status)
    if not hard:
        return hard, _CLASS_WHY[hard]
    status = finding.status or ""
    if status[:1] in "45" and status[2:] in PERSISTENT_TRANSIENT:
        return False, (f"Soft although permanent by its class: RFC 3463 calls X.{status[2:]} a persistent "
                       "transient failure, which clears up (a mailbox that is emptied, a system that frees space).")
    words = (finding.diagnostic or "")[:_READ_CHARS].lower()
    if finding.reason not in _ADDRESS_GONE and _FOR_NOW.search(words):
        return False, "Soft although permanent by its class: the reply itself says the refusal is for now."
    return True, _CLASS_WHY[True]


def _of_esp(verdict):
    if verdict is None or verdict.permanent is None:
        return None, _CLASS_WHY[None]
    kind = "permanent" if verdict.permanent else "temporary"
    return verdict.permanent, f"The event carries no SMTP code; the ESP ({verdict.esp}) calls it {kind}."


_CLASS_WHY = {
    True: "A permanent failure (a 5xx reply or 5.x.x status, RFC 5321 §4.2.1): sending the same mail again fails.",
    False: "A transient failure (a 4xx reply or 4.x.x status, RFC 5321 §4.2.1): it may succeed later.",
    None: "Neither a reply code, a status nor the ESP says whether this failure is permanent.",
}
