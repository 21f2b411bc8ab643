"""Findings as rows: the `analyze_bounce --jsonl` contract (docs/contracts.md), and the same rows as CSV.

One home for the row's fields, used by the command line and by the analyse page's downloads.
"""
import csv
import io
import json

FIELDS = ["file", "recipient", "action", "reply_code", "status", "diagnostic", "entry", "hard_bounce",
          "hard_bounce_why", "reason", "advice", "warnings", "provider"]


def record(name, match):
    """One row for (file, recipient); `match` None gives the row of a file with no finding."""
    finding = match.finding if match else None
    return {
        "file": name,
        "recipient": finding.recipient if finding else None,
        "action": finding.action if finding else None,
        "reply_code": finding.reply_code if finding else None,
        "status": finding.status if finding else None,
        "diagnostic": finding.diagnostic if finding else None,
        "entry": match.entry.code if match and match.entry else None,
        "hard_bounce": match.hard_bounce if match else None,
        "hard_bounce_why": finding.hard_bounce_why if finding else None,
        "reason": finding.reason if finding else None,
        "advice": finding.advice if finding else None,
        "warnings": match.warnings if match else [],
        # The slug of the provider whose server generated the reply (kb/providers.py), if anything says.
        "provider": match.provider.slug if match and match.provider else None,
    }


def records(name, matches):
    return [record(name, match) for match in matches] or [record(name, None)]


# One encoder for every row: json.dumps with an option builds a new one per call.
_JSON = json.JSONEncoder(ensure_ascii=False)


def jsonl_line(row):
    return _JSON.encode(row)


def csv_row(row):
    """The CSV cells of a row: empty for None, warnings joined by " | "."""
    row = dict(row, warnings=" | ".join(row.get("warnings") or []))
    return ["" if row.get(name) is None else row[name] for name in FIELDS]


def csv_text(rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    writer.writerows(csv_row(row) for row in rows)
    return out.getvalue()


def jsonl_text(rows):
    return "".join(jsonl_line(row) + "\n" for row in rows)
