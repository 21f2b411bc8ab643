"""The human-readable text of a bounce: which recipients failed, and the reply each one got.

MTAs word their notices differently, but they share a shape: the failed address stands at the
start of a line (Exim, qmail, Yahoo, Gmail, Exchange), after `RCPT TO:` (transcripts, Exim), or
inside the reply itself (`550 5.1.1 <user@example.org>... User unknown`), and the remote
server's reply follows it, after a label such as `host x said:`, `Remote host said:`,
`<<<` or `returned '`. The scanner walks the lines once, keeping the recipient in hand and
giving it the first error reply that follows; later replies for the same recipient are
follow-on errors (`503 5.0.0 Need RCPT`).
"""
import re

from . import dsn
from .lines import iter_lines
from .replies import find_reply, find_status

ADDRESS_CHARS = r"[\w.!#$%&'*+/=?^`{|}~-]"
# The lookbehind makes each run of address characters start a match only once: linear time.
ADDRESS = re.compile(r"(?<!" + ADDRESS_CHARS + r")" + ADDRESS_CHARS + r"{1,64}@[\w-][\w.-]{0,252}")
_LINE_ADDRESS = re.compile(r"[ \t]*[<\"'(\[]?(" + ADDRESS.pattern + r")[>\"')\]]?(?=[ \t:;,.]|$)")
_RCPT_TO = re.compile(r"\bRCPT[ \t]+TO:[ \t]*<?[ \t]*(" + ADDRESS.pattern + ")", re.I)
_RETURNED_MESSAGE = re.compile(
    r"[-=*_ \t]*(?:(?:original|unsent|returned|undelivered|rejected)\s+message"
    r"|(?:this\s+is\s+a\s+)?copy\s+of\s+(?:the|your)\s+message"
    r"|below\s+this\s+line\s+is\s+a\s+copy"
    r"|message\s+(?:headers?\s+)?follows?"
    r"|original\s+message\s+headers)",
    re.I,
)
_COMMAND = re.compile(
    r"(?:in\s+reply\s+to|after|>>>|our\s+final|\[)[ \t]*(?:end\s+of\s+)?"
    r"(RCPT|MAIL|DATA|HELO|EHLO|LHLO|STARTTLS|AUTH|QUIT)(?![a-z])",
    re.I,
)
# qmail-remote's own words for the stage that failed (qmail 1.03 qmail-remote.c).
_QMAIL_STAGES = (
    ("does not like recipient", "RCPT"),
    ("but sender was rejected", "MAIL"),
    ("but my name was rejected", "HELO"),
    ("failed on DATA command", "DATA"),
    ("failed after I sent the message", "DATA"),
)
MAX_CONTEXT_LINES = 8


class Draft:
    """A recipient being read: the reply lines and the text that came with it."""
    __slots__ = ("recipient", "reply", "lines", "context", "command", "status")

    def __init__(self, recipient):
        self.recipient = recipient
        self.reply = None       # replies.Reply of the first line
        self.lines = []         # (offset, line) of the reply, from its code on
        self.context = []       # (offset, line) of text that came with the recipient
        self.command = None
        self.status = None      # a status code standing alone (`#5.1.1`, `(#4.4.3)`)


def scan(text, start=0, end=None):
    """Read a text part; return (drafts, DSN field groups found in it, where a returned message starts)."""
    scanner = _Scanner()
    skip_until = -1
    for offset, line in iter_lines(text, start, end):
        if offset < skip_until:
            continue
        if _RETURNED_MESSAGE.match(line):
            return scanner.drafts, scanner.groups, offset
        if dsn.DSN_START.match(line):
            # RFC 3464 fields pasted as text (or sent as text/plain) are read as a DSN.
            groups, skip_until = dsn.read_groups(text, offset, end, stop_at_text=True)
            scanner.groups.extend(groups)
            continue
        scanner.feed(offset, line)
    return scanner.drafts, scanner.groups, None


class _Scanner:
    def __init__(self):
        self.drafts = []
        self.groups = []
        self.by_recipient = {}
        self.current = None
        self.in_reply = False     # the last line belonged to a reply
        self.command = None       # the last SMTP command the text mentioned

    def feed(self, offset, line):
        stripped = line.strip()
        if not stripped:
            self.in_reply = False
            if self.current and self.current.context:
                self.current.context.append(None)  # a paragraph ends
            return
        self._note_command(line)
        if self.in_reply and self._continues_reply(line):
            self.current.lines.append((offset, line))
            return
        self.in_reply = False
        recipient, rest = self._recipient_at_start(line)
        if recipient:
            self._take(recipient)
            line_rest_offset = offset + len(line) - len(rest)
            self._read_reply_or_context(line_rest_offset, rest)
            return
        rcpt = _RCPT_TO.search(line)
        if rcpt and find_reply(line) is None:
            self._take(rcpt.group(1).lower().rstrip("."))
            self.current.command = self.current.command or "RCPT"
            return
        self._read_reply_or_context(offset, line)

    def _note_command(self, line):
        match = _COMMAND.search(line)
        if match:
            self.command = match.group(1).upper()
        else:
            for words, command in _QMAIL_STAGES:
                if words in line:
                    self.command = command

    def _recipient_at_start(self, line):
        match = _LINE_ADDRESS.match(line)
        if not match:
            return None, line
        return match.group(1).lower().rstrip("."), line[match.end():]

    def _take(self, recipient):
        draft = self.by_recipient.get(recipient)
        if draft is None:
            draft = Draft(recipient)
            self.by_recipient[recipient] = draft
            self.drafts.append(draft)
        self.current = draft

    def _read_reply_or_context(self, offset, line):
        reply = find_reply(line)
        if reply is None:
            self._read_context(offset, line)
            return
        draft = self._owner_of_reply(line[reply.start:])
        if draft.reply is not None:
            return  # a follow-on error after the first one
        draft.reply = reply
        draft.lines.append((offset + reply.start, line[reply.start:]))
        draft.command = draft.command or command_in(line) or self.command
        self.in_reply = True

    def _owner_of_reply(self, reply_text):
        """The recipient in hand, unless it already has a reply and this one names another."""
        named = ADDRESS.search(reply_text)
        current = self.current
        if current is None or (current.reply is not None and named and named.group(0).lower() != current.recipient):
            self._take(named.group(0).lower().rstrip(".") if named else None)
        return self.current

    def _read_context(self, offset, line):
        current = self.current
        if current is None or current.reply is not None:
            return
        if len([c for c in current.context if c]) < MAX_CONTEXT_LINES and line.strip(" \t:"):
            current.context.append((offset, line))
        status = find_status(line)
        if status and status[0] in "45" and current.status is None:
            current.status = status

    def _continues_reply(self, line):
        """A continuation of a multi-line reply (`550-...`, `550 ...`) or a wrapped, indented line."""
        first = self.current.reply
        stripped = line.lstrip(" \t<>")
        if first.multiline:
            if stripped.startswith(first.code + "-"):
                return True
            if stripped.startswith(first.code + " "):
                self.in_reply = False
                first.multiline = False
                return True
        if line[0] not in " \t" or _LINE_ADDRESS.match(line) or find_reply(line) or _RCPT_TO.search(line):
            return False
        return True


def command_in(text):
    match = _COMMAND.search(text)
    return match.group(1).upper() if match else None


def context_text(draft):
    """The free text that came with a recipient, up to the end of its first paragraph."""
    kept = []
    for item in draft.context:
        if item is None:
            if kept:
                break
            continue
        kept.append(item)
    return kept
