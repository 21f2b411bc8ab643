"""What a code's digits say on their own, before any knowledge-base entry.

Basic reply codes: RFC 5321 §4.2 (the first digit decides; the second names a
subject). Enhanced status codes: RFC 3463 §2-3 (class.subject.detail). Pure
Python, shared by the models, the pages and the search.
"""

import re
from dataclasses import dataclass

# 1xx is no SMTP reply at all (RFC 5321 §4.2.1 allows only 2-5), but folklore
# lists carry 101 and 111, so entries for them may exist to say exactly that.
BASIC_RE = re.compile(r"[1-5][0-9][0-9]")
# RFC 3463 §2: subject and detail are 1-3 digits; we keep the canonical form
# without leading zeros so that one code has one address.
ENHANCED_RE = re.compile(r"[245]\.(?:0|[1-9][0-9]{0,2})\.(?:0|[1-9][0-9]{0,2})")

BASIC = "basic"
ENHANCED = "enhanced"

# RFC 5321 §4.2.1: replies start with 2 to 5. Entries for codes starting with 1 exist
# only to say that the folklore lists are wrong (Code's check constraint).
NOT_A_REPLY_CLASS = "1"

SEVERITY_BY_CLASS = {
    "2": "success",
    "3": "intermediate",
    "4": "transient",
    "5": "permanent",
}

BASIC_CLASSES = {
    "1": "Not an SMTP reply: no server sends a code starting with 1",
    "2": "Positive completion: the command succeeded",
    "3": "Positive intermediate: the server waits for more input",
    "4": "Transient negative completion: the command failed this time and may succeed if retried",
    "5": "Permanent negative completion: the command failed and repeating it unchanged will fail again",
}

# RFC 5321 §4.2.1: the second digit of a basic reply code.
BASIC_SUBJECTS = {
    "0": "syntax",
    "1": "information",
    "2": "connections",
    "3": "unspecified",
    "4": "unspecified",
    "5": "mail system",
}

ENHANCED_CLASSES = {
    "2": "Success: the action was completed",
    "4": "Persistent transient failure: the message is valid, and a later attempt may succeed",
    "5": "Permanent failure: sending the same message again will fail the same way",
}

# RFC 3463 §3: the subject (middle number) of an enhanced status code.
ENHANCED_SUBJECTS = {
    "0": "Other or undefined status",
    "1": "Addressing status: something about the sender's or recipient's address",
    "2": "Mailbox status: something about the recipient's mailbox",
    "3": "Mail system status: something about the receiving mail system",
    "4": "Network and routing status: connections, DNS and routing between servers",
    "5": "Mail delivery protocol status: the SMTP conversation itself",
    "6": "Message content or media status: the message's content or format",
    "7": "Security or policy status: authentication, filtering and policy",
}


def kind_of(code):
    """Return "basic", "enhanced" or None for text that is not a canonical code."""
    if BASIC_RE.fullmatch(code):
        return BASIC
    if ENHANCED_RE.fullmatch(code):
        return ENHANCED
    return None


def canonical(text):
    """The one spelling of a code written with stray spaces or zeros (5.07.026 -> 5.7.26), or None."""
    text = text.strip()
    parts = text.split(".")
    if len(parts) == 3 and all(part.isdigit() and len(part) <= 3 for part in parts):
        text = ".".join(str(int(part)) for part in parts)
    return text if kind_of(text) else None


# 5726 or 57509: an enhanced code typed without its dots. The subject is one
# digit (RFC 3463 §3 defines subjects 0 to 7), the rest is the detail.
_LOOSE_ENHANCED = re.compile(r"([245])([0-7])(\d{1,3})")


def loose_enhanced(text):
    """The enhanced code written without dots (5726 -> 5.7.26), or None."""
    match = _LOOSE_ENHANCED.fullmatch(text.strip())
    code = ".".join(match.groups()) if match else None
    return code if code and kind_of(code) == ENHANCED else None


@dataclass(frozen=True)
class Family:
    """Codes sharing a prefix: enhanced 5.7. (a subject) or basic 55 (55x)."""

    prefix: str
    kind: str

    def matches(self, code):
        return code.startswith(self.prefix) and (self.kind == ENHANCED or "." not in code)

    def __str__(self):
        if self.kind == BASIC:
            return self.prefix + "x" * (3 - len(self.prefix))
        return self.prefix + "x"


def family_of(code):
    """The family a code is shown with when it has no entry: 5.1.99 -> 5.1.x, 559 -> 55x."""
    if kind_of(code) == ENHANCED:
        return Family(code[: code.index(".", 2) + 1], ENHANCED)
    return Family(code[:2], BASIC)


def class_of(code):
    return code[:1]


def severity_of(code):
    """Success, intermediate, transient or permanent; None for the 1xx folklore."""
    return SEVERITY_BY_CLASS.get(class_of(code))


def hard_bounce_of(code):
    """RFC 5321 §4.2.1: a 5yz failure is permanent (hard), a 4yz transient (soft)."""
    return {"5": True, "4": False}.get(class_of(code))


def subject_of(code):
    if kind_of(code) == ENHANCED:
        return code.split(".")[1]
    return code[1:2]


def describe(code):
    """What the digits of a well-formed code mean, for pages about unknown codes."""
    kind = kind_of(code)
    if kind == ENHANCED:
        subject = code.split(".")[1]
        return {
            "class": ENHANCED_CLASSES[class_of(code)],
            "subject": ENHANCED_SUBJECTS.get(subject, "A subject the registry does not define"),
        }
    if kind == BASIC:
        return {
            "class": BASIC_CLASSES[class_of(code)],
            "subject": BASIC_SUBJECTS.get(subject_of(code), "A second digit RFC 5321 does not define"),
        }
    return None


def sort_key(code):
    """By class, basic codes before enhanced ones, then numerically (5.1.2 before 5.1.10)."""
    numbers = tuple(int(part) for part in code.split(".") if part.isdigit())
    return (class_of(code), kind_of(code) == ENHANCED, numbers)
