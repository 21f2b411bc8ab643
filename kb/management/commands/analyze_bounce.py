import gc
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from kb.bounce import BounceError, parse
from kb.matching import Matcher


class Command(BaseCommand):
    help = "Analyse bounce files (or - for standard input): failed recipients, codes and matching entries."
    # A command-line tool run on many files: skip the project-wide system checks at start-up.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="bounce files; - reads one message from standard input")
        parser.add_argument("--jsonl", action="store_true", help="print one JSON object per (file, recipient)")

    def handle(self, *args, files, jsonl, **options):
        # The objects made at start-up live until exit: keep the cyclic collector from
        # re-scanning them after every batch of parsed files.
        gc.freeze()
        matcher = Matcher()
        if len(files) > 1:
            matcher.preload()
        failures = 0
        for path in files:
            try:
                data = sys.stdin.buffer.read() if path == "-" else _read(path)
                report = parse(data)
            except (BounceError, OSError) as error:
                failures += 1
                self._print_error(path, error, jsonl)
                continue
            matches = matcher.match_all(report.findings, with_examples=not jsonl)
            if jsonl:
                self.stdout.write("\n".join(_jsonl_lines(path, matches)))
            else:
                self._print_report(path, report, matches)
        if failures and not jsonl and failures == len(files):
            raise CommandError("No file could be read as a bounce.")

    def _print_error(self, path, error, jsonl):
        if jsonl:
            self.stdout.write(json.dumps(_record(path, None) | {"error": str(error)}, ensure_ascii=False))
        else:
            self.stderr.write(f"{path}: {error}")

    def _print_report(self, path, report, matches):
        self.stdout.write(f"{path}: {report.kind}, {len(matches)} recipient(s)")
        for match in matches:
            finding = match.finding
            soft_hard = {True: "hard", False: "soft", None: "unknown"}[match.hard_bounce]
            entry = f"{match.entry.code} {match.entry.title}" if match.entry else "no entry"
            self.stdout.write(f"  {finding.recipient or '(recipient not named)'}: "
                              f"{finding.reply_code or '-'} {finding.status or '-'} ({soft_hard}) -> {entry}")
            if finding.diagnostic:
                self.stdout.write(f"    {finding.diagnostic[:200]}")
            for warning in match.warnings:
                self.stdout.write(f"    warning: {warning}")


def _read(path):
    with open(path, "rb") as handle:
        return handle.read()


def _record(path, match):
    """One line of the --jsonl contract (docs/contracts.md)."""
    finding = match.finding if match else None
    return {
        "file": path,
        "recipient": finding.recipient if finding else None,
        "action": finding.action if finding else None,
        "reply_code": finding.reply_code if finding else None,
        "status": finding.status if finding else None,
        "diagnostic": finding.diagnostic if finding else None,
        "entry": match.entry.code if match and match.entry else None,
        "hard_bounce": match.hard_bounce if match else None,
        "warnings": match.warnings if match else [],
    }


def _jsonl_lines(path, matches):
    records = [_record(path, match) for match in matches] or [_record(path, None)]
    return [json.dumps(record, ensure_ascii=False) for record in records]
