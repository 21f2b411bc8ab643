"""What kind of message this is: a non-bounce report, an auto-reply, or which MTA wrote the bounce.

The MTA names only label a report (`Report.kind`); the findings come from the same scanners
whatever wrote the text. The phrases are the fixed wording of each MTA's bounce template.
"""
import re

from . import wordings
from .mdn import MDN_TYPE

# (kind, phrase) in the order they are tried; matched case-insensitively in the notice's text.
SIGNATURES = (
    ("qmail", "this is the qmail-send program"),
    ("postfix", "this is the mail system at host"),
    ("postfix", "the postfix program"),
    ("exim", "this message was created automatically by mail delivery software"),
    ("exim", "could not be delivered to one or more of its"),
    ("courier", "this is a delivery status notification"),
    ("opensmtpd", "this is the mailer-daemon, please do not reply"),
    ("dragonfly", "this is the dragonfly mail agent"),
    ("gmail", "delivery to the following recipient"),
    ("gmail", "the error that the other server returned was"),
    ("gmail", "the response from the remote server was"),
    ("gmail", "** address not found **"),
    ("gmail", "** message not delivered **"),
    ("exchange", "delivery has failed to these recipients"),
    ("exchange", "did not reach the following recipient"),
    ("exchange", "did not reach some or all of the intended recipients"),
    ("exchange", "the following recipient(s) cannot be reached"),
    ("exchange", "diagnostic information for administrators"),
    ("exchange", "couldn't be delivered"),
    ("yahoo", "sorry, we were unable to deliver your message"),
    ("amazon-ses", "an error occurred while trying to deliver the mail"),
    ("sendmail", "----- transcript of session follows -----"),
    ("sendmail", "----- the following addresses had permanent fatal errors -----"),
    ("domino", "not listed in domino directory"),
    ("google-groups", "the group you tried to contact"),
    ("messagingserver", "this report relates to a message you sent with the following header fields"),
) + tuple(("exchange", heading) for heading in wordings.EXCHANGE_HEADINGS)
_SIGNATURE_SCAN_LIMIT = 8192
_LOCALISED_SCAN_LIMIT = 2048  # a localised notice says what failed in its first lines

_BOUNCE_SENDERS = re.compile(r"mailer-daemon|mail-daemon|postmaster|mail delivery|mdaemon|mailer_daemon", re.I)
_BOUNCE_WORDS = re.compile(
    r"undeliver|delivery (?:status|failure|failed|notification|has failed|problem)"
    r"|returned mail|failure notice|mail delivery|non.?delivery|(?:could|can)\s?not be delivered|not delivered"
    r"|unable to deliver|wasn't able to deliver|permanent(?:ly)? (?:error|fail)|failed permanently"
    r"|user unknown|unknown user|did not reach|cannot be reached|retry timeout|unrouteable address"
    r"|failed recipient|failed address|delivery errors?|failure reasons?|malformed address|no valid recipient"
    r"|invalid (?:final delivery )?(?:recipient|user|address)|not listed in"
    r"|mailbox (?:is )?(?:full|unavailable)|rejected|bounce|delayed|warning: message",
    re.I,
)
# Microsoft's JMRP complaints: "complaint about message from 192.0.2.1" with the message attached.
_COMPLAINT_SUBJECTS = re.compile(r"\s*(?:complaint about message|abuse report)", re.I)
_AUTO_REPLY_SUBJECTS = re.compile(
    r"\b(?:auto(?:matic)?[ -]?(?:reply|response)|out of (?:the )?office|vacation|abwesen)", re.I)
# What an absent person's automatic reply says, in its subject or first lines (lower case).
_AWAY_WORDS = re.compile(
    r"thanks? (?:you )?for your (?:e-?mail|message|mail)|out of (?:the )?office|away from (?:the|my) (?:office|desk)|"
    r"(?:i am|i'm|i will be) (?:currently )?(?:away|on (?:annual |parental |sick )?leave|on holiday|travelling)|"
    r"(?:reply|respond|get back) to (?:you|your (?:e-?mail|message)) as soon as|"
    r"(?:reply|respond) as soon as (?:possible|i can)|limited access to (?:my )?e-?mail")
_REPORT_TYPE = re.compile(r"report-type\s*=\s*\"?([\w-]+)", re.I)
# Challenge-response systems (Boxbe, SpamArrest, TMDA, Mailinblack...) hold a message until its
# sender proves to be a person: the message is waiting, not refused.
_CHALLENGE_SENDERS = re.compile(r"boxbe|spamarrest|mailinblack|-confirm[+@-]|\bconfirm@|challenge", re.I)
# The patterns below run on lower-cased text: without re.I a pattern starts with a literal that
# the engine skips ahead to (the checks cost a third of what they did with re.I on the corpus).
_CHALLENGE_WORDS = re.compile(
    r"guest list|confirm (?:your|that you|you are)|verify (?:your|that you|you are)|prove you are|"
    r"(?:was|been|is) (?:waitlisted|held|quarantined pending)|sender verification|approved senders|"
    r"(?:recipient's|my) (?:allowed|approved|safe) (?:senders? )?list|have your (?:e-?mail )?address added")
# A virus or spam notice about a message that probably never came from its sender (a forged
# From:): amavis's "VIRUS (...) IN MAIL FROM YOU", "probably faked sender", "claiming to be from you".
_CONTENT_SUBJECTS = re.compile(r"\b(?:virus|infected|malware|worm|spam|banned|quarantined?)\b")
_CONTENT_WORDS = re.compile(
    r"(?:faked|forged|spoofed) (?:sender|address|from)|claiming to (?:be|come) from|sent by a virus"
    r"|our content checker|virus (?:alert|found|detected)|contained a virus|identified as spam|was quarantined")


def report_type(message):
    """The report-type of a multipart/report (RFC 6522 §3), lowercased, or ''."""
    for headers in [message.headers] + [part.headers for part in message.parts]:
        match = _REPORT_TYPE.search(headers.get("content-type", ""))
        if match:
            return match.group(1).lower()
    return ""


def is_feedback(message):
    """An ARF abuse report (RFC 5965), or a provider's complaint that only attaches the message."""
    if report_type(message) == "feedback-report" or any(
            part.content_type == "message/feedback-report" for part in message.parts):
        return True
    return bool(message.returned and _COMPLAINT_SUBJECTS.match(message.headers.get("subject", "")))


def is_read_receipt(message):
    """A message disposition notification (RFC 8098), not a bounce."""
    return report_type(message) == "disposition-notification" or any(
        part.content_type == MDN_TYPE for part in message.parts)


def is_auto_reply(headers, texts=()):
    """RFC 3834 §5: auto-replies say so in Auto-Submitted; older ones only in the subject, or
    in a reply sent the way automatic mail is (a null Return-Path, `Precedence: bulk`,
    Exchange's X-Auto-Response-Suppress) whose subject or first lines say they answer for
    someone away ("Thank you for your e-mail" / "I will reply as soon as possible")."""
    auto = headers.get("auto-submitted", "").lower()
    if auto.startswith("auto-replied"):
        return True
    if headers.get("x-autoreply") or headers.get("x-autorespond"):
        return True
    subject = headers.get("subject", "")
    if _AUTO_REPLY_SUBJECTS.search(subject) or wordings.says_auto_reply(subject):
        return True
    if not _sent_automatically(headers):
        return False
    heads = _heads(headers, texts)
    return any(_AWAY_WORDS.search(head) for head in heads) or any(wordings.says_auto_reply(h) for h in heads[1:])


def _sent_automatically(headers):
    """Header fields that automatic mail carries (RFC 3834 §3.3, §5; RFC 2076's Precedence)."""
    return (headers.get("return-path", "").replace(" ", "") == "<>"
            or headers.get("precedence", "").strip().lower() in ("bulk", "junk", "auto_reply")
            or "x-auto-response-suppress" in headers
            or headers.get("x-autogenerated", "").strip().lower() == "reply")


def challenge_or_content_notice(headers, texts, challenge_only=False):
    """"challenge-response" for a challenge-response system asking the sender to confirm (the
    message waits, no delivery failed); "content-notice" for a virus or spam notice sent to the
    (probably forged) sender; else None.

    Asked only of a notice that gives no reply or status code: a server that refused a
    message for its content answered with a reply, and that is a bounce. `challenge_only` asks
    only for the first, of a delivery report without an SMTP reply.
    """
    heads = _heads(headers, texts)
    if _CHALLENGE_SENDERS.search(headers.get("from", "")) or _found(_CHALLENGE_WORDS, _CHALLENGE_KEYS, heads):
        return "challenge-response"
    if not challenge_only and _found(_CONTENT_SUBJECTS, _CONTENT_KEYS, heads) and _found(_CONTENT_WORDS, _CONTENT_KEYS, heads):
        return "content-notice"
    return None


# Substrings every match of the patterns above holds: a substring test skips most texts at
# once, where an alternation without a common prefix is tried at every position (the checks
# cost 34 million instructions a pass over the corpus without these keys and 12 million with
# them, counted with callgrind).
_CHALLENGE_KEYS = ("guest list", "confirm", "verif", "prove", "waitlist", "held", "quarantined", "approved",
                   "allowed", "safe", "added")
_CONTENT_KEYS = ("virus", "infected", "malware", "worm", "spam", "banned", "quarantin", "faked", "forged",
                 "spoofed", "claiming", "content checker")


def _found(pattern, keys, heads):
    return any(any(key in head for key in keys) and pattern.search(head) for head in heads)


def _heads(headers, texts):
    """The subject and the first lines of each text, lower-cased."""
    return [headers.get("subject", "").lower()] + [text[:_LOCALISED_SCAN_LIMIT].lower() for text in texts]


def looks_like_bounce(headers, texts):
    """Sent by a mail system about a delivery: a mailer-daemon sender, an MTA's bounce template
    or the words of a bounce."""
    subject = headers.get("subject", "")
    if _BOUNCE_SENDERS.search(headers.get("from", "")) or _BOUNCE_WORDS.search(subject):
        return True
    if mta_kind(texts) is not None or any(_BOUNCE_WORDS.search(text[:_SIGNATURE_SCAN_LIMIT]) for text in texts):
        return True
    # A localised notice (wordings.py): its subject or its first lines say so in its language.
    return wordings.says_undelivered(subject) or wordings.says_delayed(subject) or any(
        wordings.says_failure(text[:_LOCALISED_SCAN_LIMIT]) for text in texts)


_ASCII_SIGNATURES = tuple((kind, phrase) for kind, phrase in SIGNATURES if phrase.isascii())


def mta_kind(texts):
    """The MTA whose bounce template wrote these texts, or None."""
    for text in texts:
        head = text[:_SIGNATURE_SCAN_LIMIT].lower()
        for kind, phrase in _ASCII_SIGNATURES if head.isascii() else SIGNATURES:
            if phrase in head:
                return kind
    return None


# Notices whose text never names the failed address (an X-Failed-Recipients field does), by the
# words their reason starts with. Google Groups: "We're writing to let you know that the group you
# tried to contact (name) may not exist, or you may not have permission to post messages to the
# group. A few more details on why you weren't able to post:", then its details as `* ...` lines.
_UNNAMED_REASONS = tuple(phrase for phrases in wordings.GROUP_NOTICE.values() for phrase in phrases)
_MAX_DETAILS = 5


def unnamed_reason(texts):
    """The reason a notice gives without naming the recipient, as one line, or None."""
    for text in texts:
        head = text[:_SIGNATURE_SCAN_LIMIT]
        lowered = head.lower()
        for words in _UNNAMED_REASONS:
            at = lowered.find(words)
            if at >= 0:
                return _sentence_and_details(head, at)
    return None


def _sentence_and_details(text, at):
    start = max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1  # any line ending
    lines = text[start:].splitlines()
    kept = [lines[0].strip()]
    for line in lines[1:]:
        line = line.strip()
        if line.startswith("*") and len(kept) <= _MAX_DETAILS:
            kept.append(line.lstrip("* "))
        elif line:
            break
    return " ".join(kept)


def is_delay_notice(headers, text):
    """A warning that delivery is still being tried (Action: delayed in RFC 3464 terms)."""
    subject = headers.get("subject", "").lower()
    if "delay" in subject or subject.startswith("warning"):
        return True
    head = text[:_SIGNATURE_SCAN_LIMIT].lower()
    if "will be retried" in head or "has not yet been delivered" in head or "still trying" in head:
        return True
    return wordings.says_delayed(subject) and not wordings.says_undelivered(subject)
