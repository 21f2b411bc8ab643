"""Where the bounce corpus is: $SMTP_KB_CORPUS, else ../shared beside the repository, else /work/shared."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def corpus_dir():
    """The corpus directory (holding emails/ and expected.jsonl)."""
    candidates = [os.environ.get("SMTP_KB_CORPUS"), ROOT.parent / "shared" / "corpus" / "sisimai",
                  "/work/shared/corpus/sisimai"]
    for candidate in filter(None, candidates):
        if (Path(candidate) / "emails").is_dir():
            return Path(candidate)
    raise SystemExit("The bounce corpus is missing: set SMTP_KB_CORPUS to shared/corpus/sisimai.")
