"""The reference facts in kb/reference/: which codes exist, and which belong together.

Pure Python. Used by `check_content` (coverage) and by matching (warnings about
pairs the IANA registry does not associate).
"""

import json
import re
from functools import cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
ENHANCED_IN_TEXT = re.compile(r"(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.])")


def _load(name):
    with open(REFERENCE_DIR / name, encoding="utf-8") as handle:
        return json.load(handle)


@cache
def basic_codes():
    """Basic codes an RFC defines, and those only the registry names: {code: record}."""
    data = _load("basic_codes.json")
    return {record["code"]: record for record in data["codes"] + data["registry_only_basic_codes"]}


@cache
def rfc_basic_codes():
    return {record["code"] for record in _load("basic_codes.json")["codes"]}


@cache
def nonstandard_codes():
    return {record["code"]: record for record in _load("nonstandard_codes.json")["codes"]}


@cache
def enhanced_registry():
    """The IANA registry, keyed by "X.1.1": {title, associated basic codes}."""
    return {
        record["code"]: {"title": record["registry_title"], "associated": record["associated_basic_codes"]}
        for record in _load("enhanced_codes.json")["codes"]
    }


@cache
def most_looked_up():
    """The codes support staff look up most, most looked-up first (our own list)."""
    return tuple(_load("most_looked_up.json")["codes"])


@cache
def provider_enhanced_codes():
    """Every enhanced code the providers' own tables document (kb/reference/provider_codes.json)."""
    return {code for listed in _load("provider_codes.json")["enhanced"].values() for code in listed}


@cache
def provider_tags():
    """[{tag, entry, provider, source}]: provider tags that are no SMTP codes, and the entry each comes with."""
    return _load("provider_codes.json")["tags"]


@cache
def provider_replies():
    with open(REFERENCE_DIR / "provider_replies.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def registry_key(enhanced):
    """5.1.1 -> X.1.1, the form the registry lists codes in."""
    return "X" + enhanced[1:]


def classes_in_use(associated):
    """The classes an enhanced code is used with, read from its associated basic codes.

    "Any" means every class; no associated code means the failure classes 4 and 5.
    """
    if "any" in associated:
        return {"2", "4", "5"}
    if not associated:
        return {"4", "5"}
    return {code[0] for code in associated}


def is_associated(basic, enhanced):
    """Whether the registry pairs this basic code with this enhanced code (None: not in the registry)."""
    record = enhanced_registry().get(registry_key(enhanced))
    if record is None:
        return None
    associated = record["associated"]
    if not associated or "any" in associated:
        return True
    return any(basic == code or (code.endswith("XX") and basic[0] == code[0]) for code in associated)


@cache
def required_codes():
    """Every code the knowledge base must have an entry for."""
    required = set(basic_codes()) | set(nonstandard_codes())
    for key, record in enhanced_registry().items():
        required |= {digit + key[1:] for digit in classes_in_use(record["associated"])}
    for reply in provider_replies():
        if reply.get("enhanced_code"):
            required.add(reply["enhanced_code"])
    return required
