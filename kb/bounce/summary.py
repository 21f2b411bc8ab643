"""Counts over many findings: recipients by reason, advice, recipient domain, reporting provider, code.

`Summary` is filled one report at a time (`add(report)`), so a streamed mbox of any size is
summarised in constant memory but for the counters. Pure Python, no Django.
"""
from collections import Counter
from dataclasses import dataclass, field

# The groups, in the order they are shown, with their headings.
GROUPS = {
    "reason": "By reason",
    "advice": "By advice",
    "domain": "By recipient domain",
    "provider": "By reporting provider",
    "code": "By code",
}
NO_VALUE = "(none)"


@dataclass
class Summary:
    messages: int = 0
    recipients: int = 0
    unreadable: int = 0        # messages that raised BounceError
    counts: dict = field(default_factory=lambda: {group: Counter() for group in GROUPS})
    grouped: bool = True       # False: count messages and recipients only (no summary is shown)

    def add(self, report):
        self.messages += 1
        for finding in report.findings:
            self.add_finding(finding, report.kind)

    def add_finding(self, finding, kind):
        self.recipients += 1
        if not self.grouped:
            return
        recipient = finding.recipient or ""
        values = {
            "reason": finding.reason,
            "advice": finding.advice,
            "domain": recipient.rpartition("@")[2].lower() if "@" in recipient else NO_VALUE,
            "provider": kind,
            "code": " ".join(c for c in (finding.reply_code, finding.status) if c) or NO_VALUE,
        }
        for group, value in values.items():
            self.counts[group][value] += 1

    def add_unreadable(self):
        self.messages += 1
        self.unreadable += 1

    def rows(self, group, limit=None):
        """[(value, count, share of recipients)] most common first."""
        total = self.recipients or 1
        return [(value, n, n / total) for value, n in self.counts[group].most_common(limit)]

    def as_dict(self, limit=None):
        return {
            "messages": self.messages,
            "recipients": self.recipients,
            "unreadable": self.unreadable,
            **{group: dict(self.counts[group].most_common(limit)) for group in GROUPS},
        }

    def lines(self, limit=20):
        """The summary as text lines, for a terminal."""
        out = [f"{self.messages} message(s), {self.recipients} recipient(s), {self.unreadable} not read as bounces"]
        for group, heading in GROUPS.items():
            out.append(f"{heading}:")
            out += [f"  {n:7d}  {share:6.1%}  {value}" for value, n, share in self.rows(group, limit)]
        return out
