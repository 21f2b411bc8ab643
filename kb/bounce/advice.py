"""What to do about one failed recipient: the decision table from reason and permanence to an action.

One table, DECISIONS, written down in the README too and tested row by row. The actions:

- `suppress`: the address is gone (no such mailbox, no such domain): stop sending to it now.
- `suppress-after-repeats`: the mailbox exists but cannot take mail (full, disabled, filtered):
  keep it, and suppress it when it keeps failing for several days.
- `retry`: a transient problem; the sending server retries on its own, nothing to do yet.
- `fix-sender`: the cause is on the sending side (authentication, reputation, content, rate,
  relay configuration): fix it there; the address itself is fine.
- `investigate`: the bounce does not say enough to decide.

Permanence is the finding's `hard_bounce` (permanence.py: the reply class of RFC 5321 §4.2.1,
with RFC 3463's persistent transient statuses and a reply's own "try again later" read as soft):
True permanent, False soft, None unknown. Pure Python, no Django.
"""
from dataclasses import dataclass

SUPPRESS = "suppress"
SUPPRESS_AFTER_REPEATS = "suppress-after-repeats"
RETRY = "retry"
FIX_SENDER = "fix-sender"
INVESTIGATE = "investigate"
ACTIONS = (SUPPRESS, SUPPRESS_AFTER_REPEATS, RETRY, FIX_SENDER, INVESTIGATE)

ANY = "any"  # the row holds whatever the permanence


@dataclass(frozen=True)
class Decision:
    action: str
    why: str


def _sender(why):
    return Decision(FIX_SENDER, why)


# (reason, permanence) -> Decision. Permanence: True (5xx), False (4xx), None (no code), or ANY.
# A reason that depends on the recipient is suppressed only when permanent; the sending side's
# problems are fixed there whatever the code says, since retrying unchanged fails the same way.
DECISIONS = {
    ("userunknown", True): Decision(SUPPRESS, "The mailbox does not exist: sending again cannot work."),
    ("userunknown", None): Decision(SUPPRESS, "The mailbox does not exist: sending again cannot work."),
    ("userunknown", False): Decision(RETRY, "The server says the user is unknown, but only for now "
                                            "(a 4xx reply): it may be a directory outage. Suppress it if "
                                            "it turns permanent."),
    ("hostunknown", True): Decision(SUPPRESS, "The domain does not exist or receives no mail."),
    ("hostunknown", None): Decision(SUPPRESS, "The domain does not exist or receives no mail."),
    ("hostunknown", False): Decision(RETRY, "A DNS lookup failed for now; the sending server retries."),
    ("notaccept", ANY): Decision(SUPPRESS, "The domain says it accepts no mail at all (null MX)."),
    ("hasmoved", ANY): Decision(SUPPRESS, "The mailbox has moved without forwarding: ask the person "
                                          "for the new address."),
    # RFC 3463 X.2.2: a full mailbox is a persistent transient failure whatever the class: it
    # takes mail again once emptied, and a 4xx one is retried until the queue lifetime ends.
    ("mailboxfull", ANY): Decision(SUPPRESS_AFTER_REPEATS, "The mailbox is full: it takes mail again once "
                                                           "emptied; suppress it if it stays full for days."),
    ("suspend", ANY): Decision(SUPPRESS_AFTER_REPEATS, "The mailbox is disabled or inactive: suppress it "
                                                       "if it stays so."),
    ("filtered", True): Decision(SUPPRESS_AFTER_REPEATS, "The recipient's own filter or settings refuse "
                                                         "this mail: suppress if it keeps refusing."),
    ("filtered", None): Decision(SUPPRESS_AFTER_REPEATS, "The recipient's own filter or settings refuse "
                                                         "this mail: suppress if it keeps refusing."),
    ("filtered", False): Decision(RETRY, "The mailbox refused the message for now."),
    ("exceedlimit", ANY): _sender("The message exceeds the mailbox's size limit: send a smaller one."),
    ("mesgtoobig", ANY): _sender("The message is too large for the receiving system: send a smaller one "
                                 "(a link instead of an attachment)."),
    ("blocked", ANY): _sender("The receiving server refused the sending server (IP reputation, a blocklist, "
                              "reverse DNS, SPF or DKIM): fix the sending side and ask for delisting."),
    ("spamdetected", ANY): _sender("The message was judged to be spam: review its content, links and the "
                                   "sending reputation."),
    ("virusdetected", ANY): _sender("The message carried what looks like malware: check its attachments."),
    ("policyviolation", ANY): _sender("The message breaks the receiver's policy (DMARC alignment, a closed "
                                      "list, content rules): fix the sending setup or the message."),
    ("contenterror", ANY): _sender("The message's format is invalid (headers, MIME, encoding): fix the "
                                   "program that builds it."),
    ("securityerror", ANY): _sender("Authentication or encryption failed (SMTP AUTH, TLS): fix the "
                                    "sending server's configuration."),
    ("rejected", ANY): _sender("The sender's address or domain was refused: check the envelope sender "
                               "and that its domain resolves."),
    ("norelaying", ANY): _sender("The server refused to relay: the message went to the wrong server, or "
                                 "the sending server's relay settings are wrong."),
    ("syntaxerror", ANY): _sender("The sending server sent a command the receiver could not parse."),
    ("toomanyconn", True): _sender("A rate limit was hit: send more slowly or to fewer recipients at once."),
    ("toomanyconn", None): _sender("A rate limit was hit: send more slowly or to fewer recipients at once."),
    ("toomanyconn", False): Decision(RETRY, "A rate limit for now; the sending server retries later."),
    ("networkerror", True): Decision(INVESTIGATE, "The servers could not talk and the failure is permanent: "
                                                  "check the recipient's domain and routing."),
    ("networkerror", None): Decision(RETRY, "A network or DNS failure; the sending server retries."),
    ("networkerror", False): Decision(RETRY, "A network or DNS failure; the sending server retries."),
    ("systemerror", True): Decision(INVESTIGATE, "The receiving system failed: send again later, and "
                                                 "ask its postmaster if it persists."),
    ("systemerror", None): Decision(RETRY, "The receiving system failed for now; the sending server retries."),
    ("systemerror", False): Decision(RETRY, "The receiving system failed for now; the sending server retries."),
    ("systemfull", ANY): Decision(RETRY, "The receiving system is full for now."),
    ("mailererror", ANY): Decision(INVESTIGATE, "The recipient's delivery program failed: only its "
                                                "postmaster can fix it."),
    ("expired", ANY): Decision(SUPPRESS_AFTER_REPEATS, "The sending server retried until it gave up: if "
                                                       "the same address expires again, suppress it."),
    ("onhold", ANY): Decision(INVESTIGATE, "The bounce does not say why: read the diagnostic."),
    ("undefined", ANY): Decision(INVESTIGATE, "The bounce does not say why: read the diagnostic."),
    ("delivered", ANY): Decision(INVESTIGATE, "This is no failure: the message was delivered."),
    ("feedback", ANY): Decision(SUPPRESS, "The recipient complained: stop sending to them."),
    ("vacation", ANY): Decision(INVESTIGATE, "An automatic reply: the message was delivered."),
}


def decide(reason, hard_bounce):
    """The Decision for a reason (reasons.REASONS) and a permanence (True, False or None)."""
    return DECISIONS.get((reason, hard_bounce)) or DECISIONS.get((reason, ANY)) or DECISIONS[("undefined", ANY)]
