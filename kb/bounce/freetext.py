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
from collections import deque

from . import dsn
from .findings import Finding
from .lines import LoweredGated, compiled, iter_lines
from .recipients import (
    after_leading_address, introduces_sender, logged_recipient, mail_from, named_address, rcpt_to,
    recipient_at_start)
from .replies import find_reply, find_status, is_generic, parse_diagnostic

# Lines that change what follows, told apart by one anchored match: a marker before the
# returned message, RFC 3464 fields, or the start of a sendmail SMTP session (sendmail deliver.c).
# Microsoft 365's "Original Message Details" heads the notice's own summary, before its
# "Error Details": no returned message starts there. The leading marks are taken possessively: the
# words after them start with a letter, and giving spaces back to `[\w ]{0,30}` only costs time.
_SPECIAL_LINE = LoweredGated(re.compile(
    r"(?P<report>" + dsn.DSN_START.pattern + ")"
    r"|(?P<session>[ \t.]*while talking to )"
    r"|(?P<returned>[-=*_|> \t]*+(?:(?:original|unsent|returned|undelivered|rejected)\s+message(?!\s+details)"
    r"|(?:[\w ]{0,30}\s)?copy\s+of\s+(?:the|your)\s+(?:original\s+)?message"
    r"|below\s+this\s+line\s+is\s+a\s+copy"
    r"|message\s+(?:text\s+|headers?\s+)?follows?"
    r"|original\s+message\s+headers"
    r"|(?:the\s+)?headers?\s+of\s+the\s+original\s+message))",
), "recipient", "reporting", "talking", "message", "copy")
# The command a reply answered: Postfix `(in reply to RCPT TO command)`, Exim `after RCPT TO:`
# or `after pipelined MAIL FROM:`, sendmail `>>> DATA`, Postfix smtpd `In: DATA`, Yahoo `[RCPT_TO]`.
# `in:` is checked for a word before it after the fact (`\bin:` first would make the regex engine
# try every position; this way it skips to the first letters of the branches: 3 times faster).
_COMMAND = LoweredGated(re.compile(
    r"(?:in\s+reply\s+to|after|>>>|in:(?<!\win:)|our\s+final|\[)[ \t]*(?:end\s+of\s+|pipelined\s+)?"
    r"(rcpt|mail|data|helo|ehlo|lhlo|starttls|auth|quit)(?![a-z])",
), "rcpt", "mail", "data", "helo", "ehlo", "lhlo", "starttls", "auth", "quit")
_COMMAND_LINE = re.compile(r"[ \t]*(RCPT TO|MAIL FROM|DATA|EHLO|HELO|LHLO|QUIT|STARTTLS|AUTH)\b")
# Words for a failure before any command, at connection time (the greeting is refused).
_CONNECTION_STAGE = LoweredGated(re.compile(
    r"initial\s+connection|server\s+greeting|refused\s+to\s+talk\s+to\s+me|\bconnect\s+to\s+\S+:\s"),
    "initial", "greeting", "refused", "connect")
# qmail-remote's own words for the stage that failed (qmail 1.03 qmail-remote.c).
_QMAIL_STAGES = (
    ("does not like recipient", "RCPT"),
    ("but sender was rejected", "MAIL"),
    ("but my name was rejected", "HELO"),
    ("failed on DATA command", "DATA"),
    ("failed after I sent the message", "DATA"),
)
# A line of an SMTP transcript: a command or a reply, never a wrapped diagnostic.
_TRANSCRIPT_LINE = re.compile(r"[ \t]*(?:>>>|<<<|in:|out:)", re.I)
# The server a reply came from: Postfix `host mx.example.org[192.0.2.1] said:`, Exim
# `host mx.example.org [192.0.2.1]:`, sendmail `... while talking to mx.example.org.:`.
_REMOTE_HOST = LoweredGated(compiled(
    r"(?:\bhost|\bwhile talking to)[ \t]+([a-z0-9][\w-]{0,62}(?:\.[\w-]{1,63}){1,10})\.?(?=[ \t]*[\[:]|:)"),
    "host", "talking")
# `returned '550 5.1.1 ...'`, `[554 5.4.6 ...]`, Exchange's `#550 5.1.1 ... ##`: the closing
# mark is no part of the reply.
_CLOSERS = {"'": "'", '"': '"', "[": "]", "(": ")", "<": ">", "#": "##"}
_QMAIL_STATUS_LINE = re.compile(r"[.\s]*\(#([45]\.[0-9]{1,3}\.[0-9]{1,3})\)\.?")
MAX_CONTEXT_LINES = 8
_RULE = re.compile(r"[-=_*]{10,}\s*$")
COMMAND_LOOKBACK = 3


class Draft:
    """A recipient being read: the reply lines and the text that came with it."""
    __slots__ = ("recipient", "reply", "lines", "context", "command", "status", "closer", "remote_mta",
                 "context_closed")

    def __init__(self, recipient):
        self.recipient = recipient
        self.reply = None       # replies.Reply of the first line
        self.lines = []         # (offset, line) of the reply, from its code on
        self.context = []       # (offset, line) of text that came with the recipient
        self.command = None
        self.status = None      # a status code standing alone (`#5.1.1`, `(#4.4.3)`)
        self.closer = None      # the quote or bracket the reply was written in, if any
        self.remote_mta = None  # the host that sent the reply, where the text names it
        self.context_closed = False  # a rule came before any text: what follows is no part of it


def scan(text, start=0, end=None, spans=False):
    """Read a text part; return (findings, DSN field groups found in it, where a returned message starts).

    `spans` says whether offsets in `text` index Report.text (the part is there as written).
    """
    scanner = _Scanner()
    skip_until = -1
    for offset, line in iter_lines(text, start, end):
        if offset < skip_until:
            continue
        special = _SPECIAL_LINE.match(line)
        if special is None:
            scanner.feed(offset, line)
        elif special.lastgroup == "returned":
            return scanner.findings(spans), scanner.groups, offset
        elif special.lastgroup == "report":
            # RFC 3464 fields pasted as text (or sent as text/plain) are read as a DSN.
            groups, skip_until = dsn.read_groups(text, offset, end, stop_at_text=True)
            scanner.groups.extend(groups)
        else:
            scanner.new_session(line)
    return scanner.findings(spans), scanner.groups, None


class _Scanner:
    def __init__(self):
        self.drafts = []
        self.groups = []
        self.by_recipient = {}
        self.current = None
        self.in_reply = False     # the last line belonged to a reply
        self.multiline_open = False  # the reply in hand has more `code-` lines to come
        self.reply_indent = 0
        self.recent = deque(maxlen=COMMAND_LOOKBACK)  # the last lines, where the failed command is named
        self.senders = set()      # MAIL FROM addresses of a transcript: never a failed recipient
        self.listing = None       # the drafts of addresses listed alone on the last lines
        self.listings = []
        self.sent = None          # the command of the transcript's last `>>>` line
        self.answered_data = []   # drafts given a reply read as the answer to that `>>> DATA`

    def feed(self, offset, line):
        stripped = line.strip()
        if not stripped:
            self.in_reply = False
            if self.current and self.current.context:
                self.current.context.append(None)  # a paragraph ends
            return
        introduced_by = self.recent[-1] if self.recent else ""
        self.recent.append(line)
        if stripped.startswith(">>>"):
            self.sent, self.answered_data = _command_line(stripped[3:]), []
        if self.in_reply:
            start = self._continuation(line)
            if start is not None:
                self.current.lines.append((offset + start, line[start:]))
                return
            alone = _QMAIL_STATUS_LINE.fullmatch(stripped)
            if alone and self.current.status is None:
                # qmail puts its own status after the remote's words; a reply that ended with a
                # line break leaves it alone on the next line (`. (#5.5.0)`).
                self.current.status = alone.group(1)
                return
        self.in_reply = False
        if "@" not in line:
            # No address, so no recipient, log line or command names one here: a reply or text.
            self._note_listing(False)
            self._read_reply_or_context(offset, line)
            return
        recipient, rest = recipient_at_start(line)
        if recipient and introduces_sender(introduced_by):
            self.senders.add(recipient)  # Exim: "A message sent by" / "  <sender@example.org>"
            return
        if recipient:
            self._take(recipient)
            self._note_listing(not rest.strip(" \t:"))
            line_rest_offset = offset + len(line) - len(rest)
            self._read_reply_or_context(line_rest_offset, rest)
            return
        self._note_listing(False)
        logged, reason_at = logged_recipient(line)
        if logged:
            # An MTA log line: the reply or the reason follows on the line, the status in `dsn=`.
            self._take(logged)
            self.current.status = self.current.status or find_status(line)
            reason = line[reason_at:].rstrip()
            if line[reason_at - 1:reason_at] == "(" and reason.endswith(")"):
                reason = reason[:-1]  # Postfix: `status=bounced (reason)`
            self._read_reply_or_context(offset + reason_at, reason)
            return
        sender = mail_from(line)
        if sender:
            self.senders.add(sender)
        rcpt = rcpt_to(line)
        if rcpt and find_reply(line) is None:
            self._take(rcpt)
            self.current.command = self.current.command or "RCPT"
            return
        self._read_reply_or_context(offset, line)

    def _note_listing(self, address_alone):
        """Group addresses listed alone on consecutive lines: what follows them is said of all.

        Exim writes `  a@example.org` / `  b@example.org` / `    retry timeout exceeded`; Gmail
        lists several recipients before one technical detail.
        """
        if not address_alone:
            self.listing = None
        elif self.listing is None or self.current in self.listing:
            self.listing = [self.current]
            self.listings.append(self.listing)
        else:
            self.listing.append(self.current)

    def new_session(self, line):
        """A new SMTP session: its replies await the recipient they will name."""
        self.current, self.in_reply = None, False
        self.sent, self.answered_data = None, []
        self.recent.append(line)  # it names the remote host

    def _recent_command(self):
        """The SMTP command named on the reply's line or just before it (`>>> DATA`)."""
        for line in reversed(self.recent):
            command = command_in(line) or _command_line(line)
            if command:
                return command
        return None

    def _transcript_command(self, line, draft):
        """The command a transcript's `<<<` reply answered, as far as it is known yet."""
        if not (self.sent and line.lstrip().startswith("<<<")):
            return None
        if self.sent == "DATA" and draft not in self.answered_data:
            self.answered_data.append(draft)
        return self.sent

    def _reply_given_before(self, line, start):
        """The draft whose reply this transcript line repeats word for word, or None."""
        if not (self.sent and line.lstrip().startswith("<<<")):
            return None
        text = line[start:].strip()
        return next((d for d in self.drafts if d.lines and d.lines[0][1].strip().rstrip(")") == text), None)

    def _pipelined_reply(self):
        """Another reply after `>>> DATA`: the ones before it answered pipelined RCPT TOs.

        RFC 2920 §3.1: a client that pipelines sends RCPT TO and DATA together and reads the
        replies in order, so sendmail writes `>>> DATA` before the replies to its RCPT TOs; the
        last reply is DATA's own (`503 5.0.0 Need RCPT`, `554 5.5.1 no valid recipients`).
        """
        for draft in self.answered_data:
            if draft.command == "DATA":
                draft.command = "RCPT"
        self.answered_data = []

    def _take(self, recipient):
        draft = self.by_recipient.get(recipient) if recipient else None
        if draft is None:
            draft = Draft(recipient)
            if recipient:
                self.by_recipient[recipient] = draft
            self.drafts.append(draft)
        self.current = draft

    def findings(self, spans):
        return [finding_of(draft, spans) for draft in self.settled_drafts()]

    def settled_drafts(self):
        """The drafts, once replies that came before their recipients are handed on.

        Some notices give the reply first and list the recipients it affected after it
        (MailMarshal: `Could not be delivered because of` / `550 5.1.1 User unknown` /
        `The following recipients were affected:`). An unnamed reply is dropped once
        every recipient has its own.
        """
        for listing in self.listings:
            donor = next((d for d in listing if d.reply is not None or d.status), None)
            donor = donor or next((d for d in listing if d.context), None)
            for draft in listing:
                if donor is not None and draft.reply is None and not draft.status and not draft.context:
                    _share(donor, draft)
        named = [d for d in self.drafts if d.recipient]
        unnamed = [d for d in self.drafts if not d.recipient and d.reply is not None]
        waiting = [d for d in named if d.reply is None and d.status is None]
        if len(unnamed) == 1 and waiting:
            for draft in waiting:
                _share(unnamed[0], draft)
        return named if named else self.drafts

    def _read_reply_or_context(self, offset, line):
        reply = find_reply(line)
        if reply is not None and self.sent == "DATA" and line.lstrip().startswith("<<<"):
            self._pipelined_reply()
        if reply is None or reply.code[0] in "23":
            # A positive reply (a transcript's `250 2.1.5 Ok`) is no failure.
            self._read_context(offset, line)
            return
        copied = self._reply_given_before(line, reply.start)
        if copied is not None:
            # The transcript's copy of a reply a summary gave (sendmail's `(reason: 554 ...)`,
            # then `>>> DATA` / `<<< 554 ...`): it names the command the reply answered.
            copied.command = copied.command or self._transcript_command(line, copied)
            return
        draft = self._owner_of_reply(line, reply.start)
        if draft.reply is not None and not _replaces(draft, reply, line):
            return  # a follow-on error after the first one
        draft.reply, draft.lines = reply, [(offset + reply.start, line[reply.start:])]
        draft.closer = _closer(line[:reply.start])
        draft.command = self._transcript_command(line, draft) or self._recent_command() or draft.command
        draft.remote_mta = _remote_host(self.recent)
        self.in_reply = True
        self.multiline_open = reply.multiline
        self.reply_indent = len(line) - len(line.lstrip(" \t"))

    def _owner_of_reply(self, line, start):
        """The recipient in hand, unless it already has a reply and this one names another.

        A reply with no recipient in hand belongs to the address it names, or else to one
        named earlier on its line (`... permanent errors: user@example.org. Reason: [550 ...`).
        A session's reply that named nobody goes to the next recipient named (sendmail's
        `554 <user@example.org>... reason` summary after the transcript).
        """
        named = named_address(line, start)
        named = None if named in self.senders else named
        current = self.current
        if current is not None and current.recipient is None and current.reply is not None and named:
            current.recipient = named
            self.by_recipient.setdefault(named, current)
            return current
        if current is None or (current.reply is not None and named and named != current.recipient):
            self._take(named)
        return self.current

    def _read_context(self, offset, line):
        current = self.current
        if current is None or current.reply is not None or current.context_closed:
            return
        text = line.lstrip(" \t:;,.")  # what followed an address: "<user@example.org>: reason"
        if _RULE.match(text):
            # A rule of dashes ends the paragraph (au's notice, then headers); one before any text
            # ends the notice itself (a gateway's footer follows: "scanned for all viruses").
            if any(current.context):
                current.context.append(None)
            else:
                current.context_closed = True
            return
        if text and len(current.context) < MAX_CONTEXT_LINES:
            current.context.append((offset + len(line) - len(text), text))
        status = find_status(line) if current.status is None and "." in line else None
        if status and status[0] in "45":
            current.status = status

    def _continuation(self, line):
        """Where a line continuing the reply in hand starts its text, or None if it does not.

        It continues a multi-line reply (`550-...` lines up to the `550 ...` one, RFC 5321
        §4.2.1), or wraps the reply onto an indented line (Postfix and Exim wrap long replies).
        An address alone on a line, or one indented less than the reply, starts a new recipient.
        """
        code = self.current.reply.code
        lead = len(line) - len(line.lstrip(" \t<>"))
        if self.multiline_open and line.startswith((code + "-", code + " "), lead):
            self.multiline_open = line[lead + 3] == "-"
            return lead
        if line[0] not in " \t" or _TRANSCRIPT_LINE.match(line) or find_reply(line):
            return None
        indent = len(line) - len(line.lstrip(" \t"))
        if "@" in line:
            rest = after_leading_address(line)
            if rcpt_to(line) or rest is not None and (indent < self.reply_indent or not rest.strip(" \t:")):
                return None
        return indent


def _replaces(draft, reply, line):
    """Whether a reply takes the place of the one a draft holds: that one was the bare code
    (Microsoft 365's `Status code: 550 5.1.10`) and this one gives the same code with its words
    (`Error: 550 5.1.10 RESOLVER.ADR.RecipientNotFound; ...`)."""
    held = draft.reply
    if len(draft.lines) != 1 or held.code != reply.code or held.status != reply.status:
        return False
    return _bare(draft.lines[0][1], held) and not _bare(line[reply.start:], reply)


def _bare(reply_text, reply):
    """Whether a reply's line (from its code on) holds its codes and nothing else."""
    rest = reply_text[len(reply.code):].lstrip(" \t-#")
    if reply.status:
        rest = rest.removeprefix(reply.status)
    return not rest.strip(" \t.;:-'\")]")


def _share(donor, draft):
    """Give a draft the reply, status and text another one got."""
    for name in ("reply", "lines", "command", "closer", "remote_mta", "status", "context"):
        setattr(draft, name, getattr(donor, name))


def _closer(before):
    """The mark that will close a reply written after `before`: a quote or bracket right before
    it, or a parenthesis still open on its line (sendmail's `(reason: 550 ...)`)."""
    closer = _CLOSERS.get(before[-1:])
    if closer is None and before.count("(") > before.count(")"):
        closer = ")"
    return closer


def _remote_host(lines):
    for line in reversed(lines):
        match = _REMOTE_HOST.search(line)
        if match:
            return match.group(1).lower()
    return None


def _command_line(line):
    # A client command alone on a transcript line, as clients send them: `RCPT TO:<...>`, `DATA`.
    match = _COMMAND_LINE.match(line)
    return match.group(1).split()[0] if match else None


def command_in(text):
    """The SMTP command a text says a reply answered (`in reply to RCPT TO command`), or None."""
    match = _COMMAND.search(text)
    if match:
        return match.group(1).upper()
    for words, command in _QMAIL_STAGES:
        if words in text:
            return command
    return "CONN" if _CONNECTION_STAGE.search(text) else None


def finding_of(draft, spans):
    """The Finding a draft comes to; `spans` says whether its offsets index Report.text."""
    if draft.reply is not None:
        lines = draft.lines
        last_offset, last_line = lines[-1]
        last_line = last_line.rstrip()
        if draft.closer and last_line.endswith(draft.closer):
            last_line = last_line[:-len(draft.closer)].rstrip()
        elif draft.closer in ("'", '"') and draft.closer in last_line:
            # A localised wrapper goes on after the quote: `Remoteserver hat '550 ...' zurückgegeben`.
            last_line = last_line[:last_line.rindex(draft.closer)].rstrip()
        joined = " ".join([line for _, line in lines[:-1]] + [last_line])
        reply_code, status, diagnostic = parse_diagnostic(joined)
        span = (lines[0][0], last_offset + len(last_line)) if spans else None
    else:
        context = context_text(draft)
        reply_code, status = None, None
        diagnostic = " ".join(" ".join(line.split()) for _, line in context) or None
        span = (context[0][0], context[-1][0] + len(context[-1][1].rstrip())) if context and spans else None
    if status is None or (is_generic(status) and draft.status):
        status = draft.status or status
    command = command_in(diagnostic or "") or draft.command
    return Finding(
        recipient=draft.recipient, action=None, reply_code=reply_code, status=status,
        diagnostic=diagnostic, remote_mta=draft.remote_mta, command=command, span=span,
    )


def context_text(draft):
    """The free text that came with a recipient, up to the end of its first paragraph.

    A paragraph that only leads in to the reason (Domino's `because:`, Exim's `The following
    text was generated during the delivery attempt:`, 1&1's `For the following reason:`) gives
    way to the paragraph after it. A heading framed in dashes (Exim's `------ pipe to |prog
    ... ------`) names what failed: its words stay, before the paragraph after it.
    """
    kept, lead_in, heading = [], None, []
    for item in draft.context:
        if item is not None:
            kept.append(item)
        elif kept and _framed(kept):
            heading, kept = _unframed(kept), []
        elif kept and _leads_in(kept, draft.recipient):
            lead_in, kept = lead_in or kept, []
        elif kept:
            break
    if kept and _leads_in(kept, draft.recipient):
        lead_in, kept = lead_in or kept, []
    return heading + kept if kept else (lead_in or heading)


def _leads_in(paragraph, recipient):
    """A paragraph that ends in a colon, or the one sentence that ends by naming the recipient
    (DragonFly's `There was an error delivering your mail to <x>.`): the reason comes after."""
    last = paragraph[-1][1].rstrip()
    if last.endswith(":"):
        return True
    return len(paragraph) == 1 and bool(recipient) and last.rstrip(".>)").lower().endswith(recipient)


def _framed(paragraph):
    return paragraph[0][1].startswith("---") and paragraph[-1][1].rstrip().endswith("---")


def _unframed(paragraph):
    """A framed heading's lines without the dashes around them."""
    (first_at, first), *rest = paragraph
    words = first.lstrip("- ")
    lines = [(first_at + len(first) - len(words), words)] + rest
    last_at, last = lines[-1]
    lines[-1] = (last_at, last.rstrip().rstrip("- "))
    return [line for line in lines if line[1]]
