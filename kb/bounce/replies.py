"""SMTP reply lines (RFC 5321 §4.2) and enhanced status codes (RFC 3463, RFC 2034).

A reply is `code[ -][enhanced code ]text`; a multi-line reply repeats `code-` on every line but
the last (RFC 5321 §4.2.1). In free text the same digits also occur in IPv4 addresses, dates,
times, sizes and version numbers, so a code only counts where a reply can start: at the start
of a line or right after a colon, semicolon, quote, bracket or `#`.
Every pattern here is anchored or bounded so that matching stays linear.
"""
import re

from kb.codes import hard_bounce_of

from .lines import compiled

# RFC 5321 §4.2: three digits, the first 2-5; the second is the category (0-5 in the RFC, but
# servers also send 571 and the like).
# The first digit comes before the look-behind, so that the regex engine skips ahead to a 2, 4 or 5.
_CODE = re.compile(r"([245](?<![\w.,/@=+*-][245])[0-9][0-9])(?=[ \t,-]|:[ \t]|$)")
# RFC 3463 §2: class.subject.detail, subject and detail of 1-3 digits. `#` is the Exchange and
# qmail way of writing one (`#5.1.1`). Not followed by another `.digit` (an IPv4 address).
_STATUS_AFTER_CODE = re.compile(r"[ \t-]{1,3}#?([245]\.[0-9]{1,3}\.[0-9]{1,3})(?![\w]|\.[0-9])")
# The look-behind follows the first digit, for the same reason (`#` stands outside it, so `#5.1.1`
# counts wherever the `#` is).
_STATUS = re.compile(r"([245](?<![\w.=/-][245])\.[0-9]{1,3}\.[0-9]{1,3})(?![\w]|\.[0-9]|-[0-9])")
# Postfix and sendmail log the enhanced status of a delivery as `dsn=5.1.1`.
_LOGGED_STATUS = compiled(r"\bdsn=([245]\.[0-9]{1,3}\.[0-9]{1,3})\b")

# What may stand right before a reply code on its line, besides nothing at all.
_REPLY_LEADERS = tuple(":;'\"#([<>`")
_REPLY_LEADER_WORDS = ("said", "returned", "reply", "response", "error", "was")


class Reply:
    """A reply found in a line: where it starts, its code and its enhanced status (or None)."""
    __slots__ = ("start", "code", "status", "multiline")

    def __init__(self, start, code, status, multiline):
        self.start, self.code, self.status, self.multiline = start, code, status, multiline


def find_reply(line, pos=0):
    """The first reply in `line` at or after `pos` that stands where a reply can start."""
    if "2" not in line and "4" not in line and "5" not in line:
        return None  # most lines of prose: no regex needed
    for match in _CODE.finditer(line, pos):
        if _can_start_reply(line, match.start()):
            status = _STATUS_AFTER_CODE.match(line, match.end())
            multiline = line.startswith("-", match.end())
            return Reply(match.start(), match.group(1), status and status.group(1), multiline)
    return None


def _can_start_reply(line, start):
    if line.startswith(("-'", '-"'), start + 3):
        return True  # a quoted reply, as Amazon SES and WorkMail quote one: `550-'5.1.1 ...'`
    before = line[:start].rstrip()
    if not before:
        return True
    if before[-1] in _REPLY_LEADERS:
        return True
    return before.lower().endswith(_REPLY_LEADER_WORDS)


def find_status(text):
    """The first enhanced status code standing on its own in `text` (or logged as `dsn=5.1.1`)."""
    match = _STATUS.search(text) or (_LOGGED_STATUS.search(text) if "dsn=" in text else None)
    return match.group(1) if match else None


def parse_diagnostic(text, smtp=True):
    """Split a diagnostic (one reply, possibly several lines joined) into its parts.

    Returns (reply code or None, enhanced status or None, cleaned text): the continuation
    prefixes `550-5.1.1 ` of a multi-line reply are dropped and white space is collapsed.
    With `smtp=False` (a Diagnostic-Code of another type, RFC 3464 §2.3.6) a leading
    number is an exit status or such, not a reply: only a reply quoted later counts.
    """
    text = " ".join(text.split())
    reply = find_reply(text)
    if reply is not None and reply.start == 0 and not smtp:
        reply = find_reply(text, 1)
    if reply is None:
        return None, find_status(text), text
    if reply.code[0] == "2" and (later := _later_error_code(text, reply.start + 3)):
        # A greeting or an earlier success quoted before the error (`220-host 421 4.2.1 ...`).
        return parse_diagnostic(text[later:])
    body = text[reply.start:]
    if reply.multiline:
        body = strip_continuations(body, reply.code, reply.status)
    code, status = reply.code, reply.status
    inner = _inner_reply(body)
    if inner is not None:
        code, status = inner.code, inner.status or (status if status and status[0] == inner.code[0] else None)
    if status is None:
        # Amazon SES writes the status first: `5.3.0 - Other mail system problem 550-'...'`.
        status = find_status(body[3:]) or find_status(text[:reply.start])
    # What stands before the code ("smtp;", "host x said:") is a label, no part of the reply.
    return code, status, body


def _later_error_code(text, pos):
    for match in _CODE.finditer(text, pos):
        if match.group(1)[0] in "45":
            return match.start()
    return None


# Sendmail writes `554 5.0.0 <user@example.org>... 550 Host unknown`: its own code, the
# address, "... ", then the reason, which may be the remote server's reply.
_SENDMAIL_SUBJECT = re.compile(r"[^ ]{1,300}(?: \(\w{1,20}\))?\.\.\. ")


def _inner_reply(body):
    after = _STATUS_AFTER_CODE.match(body, 3)
    pos = after.end() if after else 3
    subject = _SENDMAIL_SUBJECT.match(body, pos + 1)
    if subject is None:
        return None
    inner = find_reply(body[subject.end():])
    return inner if inner is not None and inner.start == 0 else None


def strip_continuations(body, code, status):
    """Drop the `code-status ` prefixes that a joined multi-line reply repeats (RFC 5321 §4.2.1)."""
    prefix = re.escape(code) + r"[ -]" + (r"#?" + re.escape(status) + r" ?" if status else "")
    pattern = re.compile(r"(?<=\s)" + prefix)
    first, rest = body[:len(code) + 1], body[len(code) + 1:]
    return " ".join((first.replace("-", " ") + pattern.sub("", rest)).split())


def hard_bounce(reply_code, status):
    """True for a permanent failure, False for a transient one, None when neither is known.

    RFC 5321 §4.2.1: the first digit of the reply decides (a 4yz reply is a deferral whatever
    its text says); the class of the enhanced status (RFC 3463 §3.1) only when there is no reply.
    """
    for code in (reply_code, status):
        if code:
            return hard_bounce_of(code)
    return None


def is_generic(status):
    """X.0.0 says only 'failed' or 'delayed' (RFC 3463 §3.1): a more specific code should win."""
    return status is None or status.endswith(".0.0")
