"""Where the bounce corpus is: $SMTP_KB_CORPUS, else the copy bundled with the tests (tests/data/sisimai)."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def corpus_dir():
    """The corpus directory (holding emails/ and expected.jsonl)."""
    folder = Path(os.environ.get("SMTP_KB_CORPUS") or ROOT / "tests" / "data" / "sisimai")
    if not (folder / "emails").is_dir():
        raise SystemExit(f"The bounce corpus is missing: {folder}/emails is no directory.")
    return folder
