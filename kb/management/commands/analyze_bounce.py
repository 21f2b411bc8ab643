import csv
import gc
import sys

from django.core.management.base import BaseCommand, CommandError

from kb.bounce import BounceError, batch, parse, reasons
from kb.bounce.summary import Summary
from kb.exports import FIELDS, csv_row, jsonl_line, record, records
from kb.matching import Matcher

# The command line has no cap on messages or bytes: an mbox is streamed message by message.
NO_LIMITS = batch.Limits(max_messages=sys.maxsize, max_bytes=sys.maxsize)
# Reading a message leaves no reference cycles (3 unreachable objects over the benchmark's
# 10,000 messages), so the cyclic collector is paused while they stream, and run once every
# COLLECT_EVERY messages so that a cycle made somewhere can never pile up.
COLLECT_EVERY = 1000
# Output is written in blocks of this many characters, and after each message on a terminal.
BLOCK = 1 << 16


class Command(BaseCommand):
    help = "Analyse bounce files (or - for standard input): failed recipients, codes and matching entries."
    # A command-line tool run on many files: skip the project-wide system checks at start-up.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="bounce files; - reads one message from standard input")
        output = parser.add_mutually_exclusive_group()
        output.add_argument("--jsonl", action="store_true", help="print one JSON object per (file, recipient)")
        output.add_argument("--csv", action="store_true", help="print CSV, one row per (file, recipient)")
        parser.add_argument("--summary", action="store_true",
                            help="print counts by reason, advice, recipient domain, provider and code "
                                 "(after the findings with --jsonl or --csv, else alone)")

    def handle(self, *args, files, jsonl, csv, summary, **options):
        # The objects made at start-up live until exit: keep the cyclic collector from
        # re-scanning them after every batch of parsed files.
        gc.freeze()
        gc.disable()
        self.out = _Blocks(self.stdout)
        try:
            self._run(files, "jsonl" if jsonl else "csv" if csv else "summary" if summary else "text", summary)
        finally:
            self.out.flush()
            gc.enable()

    def _run(self, files, mode, summary):
        # Without --summary the totals only feed the progress line.
        self.matcher, self.totals, self.mode = Matcher(), Summary(grouped=summary), mode
        self.streamed = 0  # reports read, for the collector's turns
        self.progress = sys.stderr.isatty()
        self.interactive = self.stdout.isatty()  # each message's lines shown as soon as they are read
        if self.mode == "csv":
            self.csv = _csv_writer(self.out)
            self.csv.writerow(FIELDS)
        failures = 0
        with reasons.remembered():
            for path in files:
                try:
                    failures += not self._analyse_file(path)
                except (BounceError, OSError) as error:
                    failures += 1
                    self.totals.add_unreadable()
                    self._print_error(path, error)
        if self.progress:
            sys.stderr.write("\n")
        if summary:
            self.out.write("".join(line + "\n" for line in self.totals.lines()))
        if failures and self.mode == "text" and failures == len(files):
            raise CommandError("No file could be read as a bounce.")

    def _analyse_file(self, path):
        """Print the findings of one file (a message, an mbox or an archive); False if none read."""
        if path == "-":
            return self._analyse(path, [parse(sys.stdin.buffer.read())])
        with open(path, "rb") as handle:
            head = handle.read(5)
            handle.seek(0)
            if batch.is_mbox(head):
                return self._analyse(path, self._reports(batch.mbox_messages(handle)))
            data = handle.read()
        if batch.is_archive(data):
            items = batch.messages(path, data, NO_LIMITS).items
            return self._analyse(path, self._reports(body for _, body in items))
        return self._analyse(path, [parse(data)])

    def _reports(self, bodies):
        """The Report of each message that is a bounce; the others counted as unreadable."""
        for body in bodies:
            try:
                yield parse(body, one_message=True)
            except BounceError:
                self.totals.add_unreadable()

    def _analyse(self, path, reports):
        read = 0
        for report in reports:
            read += 1
            self.totals.add(report)
            self.streamed += 1
            if self.streamed % COLLECT_EVERY == 0:
                gc.collect()
            if self.progress and self.totals.messages % 100 == 0:
                sys.stderr.write(f"\r{self.totals.messages} messages, {self.totals.recipients} recipients")
            if self.mode == "summary":
                continue
            matches = self.matcher.match_all(report.findings, with_examples=self.mode == "text")
            if self.mode == "jsonl":
                self.out.write("".join(jsonl_line(row) + "\n" for row in records(path, matches)))
            elif self.mode == "csv":
                self.csv.writerows(csv_row(row) for row in records(path, matches))
            else:
                self._print_report(path, report, matches)
            if self.interactive:
                self.out.flush()
        if not read:
            raise BounceError("No message in it could be read as a bounce.")
        return True

    def _print_error(self, path, error):
        row = record(path, None) | {"error": str(error)}
        if self.mode == "jsonl":
            self.out.write(jsonl_line(row) + "\n")
        elif self.mode == "csv":
            self.csv.writerow(csv_row(row))
        else:
            self.out.flush()  # what came before it first, where stdout and stderr go to one place
            self.stderr.write(f"{path}: {error}")

    def _print_report(self, path, report, matches):
        say = self.out.line
        say(f"{path}: {report.kind}, {len(matches)} recipient(s)")
        for match in matches:
            finding = match.finding
            soft_hard = {True: "hard", False: "soft", None: "unknown"}[match.hard_bounce]
            entry = f"{match.entry.code} {match.entry.title}" if match.entry else "no entry"
            say(f"  {finding.recipient or '(recipient not named)'}: "
                f"{finding.reply_code or '-'} {finding.status or '-'} ({soft_hard}) -> {entry}")
            say(f"    {finding.reason}: {finding.advice} ({finding.advice_why})")
            if finding.diagnostic:
                say(f"    {finding.diagnostic[:200]}")
            if finding.note:
                say(f"    note: {finding.note}")
            for warning in match.warnings:
                say(f"    warning: {warning}")


class _Blocks:
    """Text gathered and written to a command's stdout in blocks: under PYTHONUNBUFFERED every
    write is a system call (10,000 messages piped on: 0.15 to 0.17 s of system time, 0.07 to 0.08 s in blocks)."""

    def __init__(self, stdout):
        self.stdout, self.parts, self.size = stdout, [], 0

    def write(self, text):
        self.parts.append(text)
        self.size += len(text)
        if self.size >= BLOCK:
            self.flush()

    def line(self, text):
        self.write(text + "\n")

    def flush(self):
        if self.parts:
            self.stdout.write("".join(self.parts), ending="")
            self.stdout.flush()
            self.parts, self.size = [], 0


def _csv_writer(stdout):
    # Rows end in "\n", so Django's OutputWrapper adds no line ending of its own.
    return csv.writer(stdout, lineterminator="\n")
