"""The parser's results: Report, Finding and BounceError."""
from dataclasses import dataclass
from functools import cached_property

from . import advice, permanence, reasons


class BounceError(ValueError):
    """The input cannot be read as a bounce; the message says why, for a person."""


@dataclass(frozen=True)
class EspVerdict:
    """What an ESP's webhook event says of one recipient, kept beside our own reading.

    `esp` is the ESP's short name ("sendgrid"); `event` its own event name ("bounce",
    "dropped", "Permanent"); `permanent` its verdict (True permanent, False temporary, None
    not given); `bounce_type` its own classification ("Suppressed", "hard_bounce", ...);
    `detail` its own words about the failure when they are no SMTP reply.
    """
    esp: str
    event: str | None = None
    permanent: bool | None = None
    bounce_type: str | None = None
    detail: str | None = None


@dataclass(frozen=True, init=False)
class Finding:
    """One recipient's outcome, as a bounce reports it.

    `status` is the enhanced status code as written (RFC 3463); `reply_code` is the remote
    server's basic reply code (RFC 5321 §4.2); `diagnostic` is the reply or reason, one line,
    continuation prefixes dropped; `span` is (start, end) of the text it was read from in
    `Report.text` (its lines, with their prefixes and folds), or None when that text is not
    there as written (a base64 or quoted-printable part, another charset, HTML).
    `diagnostic_type` is the type of an RFC 3464 Diagnostic-Code ("x-unix": a local program's).
    `esp` is the ESP's own verdict when the input was an ESP webhook event; `note` is a
    remark of the parser for a person (e.g. that an event carries no SMTP reply at all).
    """
    recipient: str | None
    action: str | None
    reply_code: str | None
    status: str | None
    diagnostic: str | None
    remote_mta: str | None = None
    command: str | None = None
    span: tuple[int, int] | None = None
    esp: EspVerdict | None = None
    note: str | None = None
    diagnostic_type: str | None = None  # RFC 3464 §2.3.6, lower case ("smtp", "x-unix")

    def __init__(self, recipient, action, reply_code, status, diagnostic, remote_mta=None, command=None,
                 span=None, esp=None, note=None, diagnostic_type=None):
        # The fields set in one update of the instance's dict: a frozen dataclass's own __init__
        # sets each through object.__setattr__, 1.4% of the instructions of a pass over the benchmark's mbox.
        # tests/test_bounce_api.py checks that this signature lists the fields above, in order.
        self.__dict__.update(
            recipient=recipient, action=action, reply_code=reply_code, status=status, diagnostic=diagnostic,
            remote_mta=remote_mta, command=command, span=span, esp=esp, note=note, diagnostic_type=diagnostic_type)

    @property
    def hard_bounce(self):
        """True when permanent, False when soft, None when unknown (permanence.py says how)."""
        return self._permanence[0]

    @property
    def hard_bounce_why(self):
        """One sentence saying why hard or soft, for a person."""
        return self._permanence[1]

    @cached_property
    def _permanence(self):
        return permanence.of(self)

    @cached_property  # read several times per finding (advice, summary); the phrases cost most
    def reason(self):
        """Why it bounced, as a Sisimai 4.25 reason name (see reasons.REASONS)."""
        reason = reasons.reason_of(self.status, self.reply_code, self.diagnostic, self.action, self.command,
                                   self.diagnostic_type)
        if reason == "onhold" and self.esp and not (self.reply_code or self.status):
            return reasons.reason_of_esp(self.esp.bounce_type, self.esp.detail) or reason
        return reason

    @property
    def advice(self):
        """What to do about it: one of advice.ACTIONS (the table is advice.DECISIONS)."""
        return advice.decide(self.reason, self.hard_bounce).action

    @property
    def advice_why(self):
        """One sentence saying why that advice, for a person."""
        return advice.decide(self.reason, self.hard_bounce).why


@dataclass(frozen=True)
class Report:
    """What `parse` read: the kind of message, the findings, and the text spans index into."""
    kind: str
    findings: list
    text: str
