"""Checks that keep the published knowledge base complete and consistent.

Each check yields (code, problem) pairs; `manage.py check_content` prints them
and fails when there are any. The test suite runs it on the fixtures.
"""

import re

from kb import codes, registry, search
from kb.models import Code, Provider

MIN_SUMMARY = 200
MIN_CAUSES = 2
MIN_STEPS = 3
# Every entry is found by the words servers and people use for it; the entries
# people look up most (kb/reference/most_looked_up.json) by several of them.
MIN_PHRASES = 1
MIN_PHRASES_LOOKED_UP = 5
# A provider tag must bring its entry onto the first page of a search for it.
TAG_RESULTS = 10
INTERNAL_LINK = re.compile(r"/codes/([^/\s)\"'#?]+)/")
# Where a reply was seen must be a place a reader can go: a URL, a host and path
# (learn.microsoft.com/...), or a repository and path (github.com/sisimai/set-of-emails maildir/...).
SOURCE_PLACE = re.compile(r"https?://\S+|[\w-]+(?:\.[\w-]+)+/\S+|[\w.-]+/[\w./-]+")
# The reply code an example starts with, after any "Remote Server returned '"-style lead-in.
LEADING_BASIC = re.compile(r"(?<![\d.])([1-5][0-9][0-9])(?=[ -]|$)")
# Who defines a code, as an entry must say it: an RFC in its references; the registry; for a
# vendor's or a list's number, how it stands to the standards (outside the registry, no RFC).
NAMES_AN_RFC = re.compile(r"\bRFC \d+")
NAMES_THE_REGISTRY = re.compile(r"\bIANA\b|\bregistry\b", re.I)
NAMES_THE_STANDARDS = re.compile(r"\bIANA\b|\bregistry\b|\bRFCs?\b", re.I)


def all_problems(entries=None):
    entries = list(entries if entries is not None else _published_entries())
    known = {entry.code for entry in entries}
    yield from coverage_problems(known)
    yield from provider_code_problems(entries)
    yield from phrase_problems(entries)
    yield from phrase_count_problems(entries, known)
    yield from duplicate_example_problems(entries)
    vendors = vendor_names()
    for entry in entries:
        yield from section_problems(entry)
        yield from standing_problems(entry)
        yield from defined_by_problems(entry, vendors)
        yield from example_problems(entry)
        yield from link_problems(entry, known)


def entry_problems(entry):
    """The problems of one entry (saved, published or not), for its change page in the admin."""
    entry = Code.objects.prefetch_related(
        "causes", "steps", "examples", "phrases", "categories", "related", "related_from"
    ).get(pk=entry.pk)
    known = set(Code.objects.published().values_list("code", flat=True)) | {entry.code}
    phrase_holders = [entry, *_holders_of_same_phrases(entry)]
    for check in (section_problems, standing_problems, example_problems):
        yield from (problem for _, problem in check(entry))
    yield from (problem for _, problem in defined_by_problems(entry, vendor_names()))
    yield from (problem for _, problem in link_problems(entry, known))
    yield from (problem for code, problem in phrase_problems(phrase_holders) if code == entry.code)


def _holders_of_same_phrases(entry):
    """Published entries with a phrase that search reads as one of entry's ("Mailbox full" and
    "mailbox is full"), so that the admin warns as check_content does, not only on identical text."""
    mine = {search.phrase_terms(phrase.text) for phrase in entry.phrases.all()}
    others = Code.objects.published().exclude(pk=entry.pk).prefetch_related("phrases")
    return [other for other in others if any(search.phrase_terms(p.text) in mine for p in other.phrases.all())]


def _published_entries():
    return Code.objects.published().prefetch_related(
        "causes", "steps", "examples", "phrases", "categories", "related", "related_from"
    )


def coverage_problems(known):
    for code in sorted(registry.required_codes() - known, key=codes.sort_key):
        yield code, "missing: the reference files list this code but it has no published entry"


def section_problems(entry):
    """4xx/5xx and 1xx entries are fully written; success and intermediate ones need less."""
    if not entry.title.strip():
        yield entry.code, "no title"
    if not entry.reference_list():
        yield entry.code, "no references"
    if entry.severity in ("success", "intermediate"):
        if not entry.summary.strip():
            yield entry.code, "no summary"
        return
    if len(entry.summary.strip()) < MIN_SUMMARY:
        yield entry.code, f"summary has {len(entry.summary.strip())} characters, needs at least {MIN_SUMMARY}"
    causes, steps = list(entry.causes.all()), list(entry.steps.all())
    if len(causes) < MIN_CAUSES:
        yield entry.code, f"{len(causes)} causes, needs at least {MIN_CAUSES}"
    if len(steps) < MIN_STEPS:
        yield entry.code, f"{len(steps)} resolution steps, needs at least {MIN_STEPS}"
    for step in steps:
        if not step.audience:
            yield entry.code, f"step {step.position} does not say whom it is for"
    if not entry.categories.all():
        yield entry.code, "no category"
    if not (entry.related.all() or entry.related_from.all()):
        yield entry.code, "no related codes"


def standing_problems(entry):
    code, standing = entry.code, entry.standing
    if code in registry.rfc_basic_codes() and standing != Code.Standing.RFC:
        yield code, "an RFC defines this reply code: its standing must be “Defined by an RFC”"
    if entry.kind == codes.ENHANCED:
        in_registry = registry.registry_key(code) in registry.enhanced_registry()
        if in_registry and standing not in (Code.Standing.RFC, Code.Standing.REGISTRY):
            yield code, "this enhanced code is in the IANA registry: its standing must be RFC or registry"
        if not in_registry and standing in (Code.Standing.RFC, Code.Standing.REGISTRY):
            yield code, "this enhanced code is not in the IANA registry: it cannot be RFC or registry"
    elif code not in registry.basic_codes() and standing in (Code.Standing.RFC, Code.Standing.REGISTRY):
        yield code, "no RFC or registry defines this reply code: its standing must be vendor or folklore"


def defined_by_problems(entry, vendors):
    """The entry says who defines its code: an RFC, the registry, or one vendor (and that it is outside the standards)."""
    code, standing, summary = entry.code, entry.standing, entry.summary
    if standing == Code.Standing.RFC and not NAMES_AN_RFC.search(entry.references):
        yield code, "its standing is “Defined by an RFC” but its references name no RFC"
    if standing == Code.Standing.REGISTRY and not NAMES_THE_REGISTRY.search(summary + entry.references):
        yield code, "its standing is “registry” but neither its summary nor its references name the IANA registry"
    if standing in (Code.Standing.VENDOR, Code.Standing.FOLKLORE) and not NAMES_THE_STANDARDS.search(summary):
        yield code, "its summary does not say how the code stands to the RFCs and the IANA registry"
    if standing == Code.Standing.VENDOR and not any(name.search(summary) for name in vendors):
        yield code, "a vendor's code: its summary names no vendor of providers.yaml as the one that defines it"


def vendor_names():
    """How summaries name a provider: each part of its name ("Microsoft 365 / Exchange Online / Outlook.com"
    gives "Microsoft 365", "Microsoft", "Exchange Online", "Exchange", "Outlook.com"), as whole words."""
    names = set()
    for full in Provider.objects.values_list("name", flat=True):
        for part in re.split(r"\s*/\s*", full.split("(")[0]):
            names |= {part.strip(), part.split()[0]} if part.strip() else set()
    return [re.compile(rf"(?<!\w){re.escape(name)}(?!\w)") for name in sorted(names) if len(name) > 2]


def example_problems(entry):
    """An example's own codes must be the entry's: its reply code, or its enhanced code."""
    for example in entry.examples.all():
        if not example.source.strip():
            yield entry.code, f"example {example.position} has no source"
        elif not SOURCE_PLACE.search(example.source):
            yield entry.code, f"example {example.position}: its source names no URL or repository path to find it at"
        if example.language and example.language_name is None:
            yield entry.code, f"example {example.position}: “{example.language}” is not a language tag (de, fr, pt-BR)"
        found_enhanced = set(registry.ENHANCED_IN_TEXT.findall(example.text))
        leading = LEADING_BASIC.search(example.text)
        if entry.kind == codes.ENHANCED and found_enhanced and not any(_covers(entry, code) for code in found_enhanced):
            yield entry.code, f"example {example.position} carries {', '.join(sorted(found_enhanced))}, not {_name(entry)}"
        if entry.kind == codes.BASIC and leading and leading.group(1) != entry.code:
            yield entry.code, f"example {example.position} is a {leading.group(1)} reply, not {entry.code}"


def _covers(entry, code):
    """Whether code is the entry's own, or inside the documented range it explains (5.7.700 to 5.7.750)."""
    if code == entry.code:
        return True
    if not entry.range_end or codes.kind_of(code) != codes.ENHANCED:
        return False
    return codes.sort_key(entry.code) <= codes.sort_key(code) <= codes.sort_key(entry.range_end)


def _name(entry):
    return f"{entry.code} to {entry.range_end}" if entry.range_end else entry.code


def duplicate_example_problems(entries):
    """A real reply is filed once: the same text twice (ignoring case and spacing) is a copy, not a second sighting."""
    first = {}
    for entry in entries:
        for example in entry.examples.all():
            key = " ".join(example.text.casefold().split())
            if key in first:
                yield entry.code, f"example {example.position} repeats example {first[key][1]} of {first[key][0]}"
            else:
                first[key] = (entry.code, example.position)


def provider_code_problems(entries):
    """Every code in the providers' own tables has an entry; every provider tag is found by a search, on its entry."""
    for code in sorted(registry.provider_enhanced_codes(), key=codes.sort_key):
        if not any(_covers(entry, code) for entry in entries):
            yield code, "missing: a provider's table documents this code but no published entry explains it"
    by_code = {entry.code: entry for entry in entries}
    for tag in registry.provider_tags():
        entry = by_code.get(tag["entry"])
        if entry is None:
            yield tag["entry"], f"the provider tag {tag['tag']} belongs to this entry, which is not published"
        elif tag["tag"].casefold() not in _entry_text(entry).casefold():
            yield entry.code, f"the provider tag {tag['tag']} ({tag['provider']}) is not explained on this entry"
        elif entry.code not in [result.entry.code for result in Code.objects.ranked(tag["tag"])[:TAG_RESULTS]]:
            yield entry.code, f"a search for the provider tag {tag['tag']} does not list this entry in its first {TAG_RESULTS}"


def _entry_text(entry):
    return "\n".join([entry.summary, *(c.text for c in entry.causes.all()), *(s.text for s in entry.steps.all()),
                      *(e.text for e in entry.examples.all()), *(e.notes for e in entry.examples.all())])


def link_problems(entry, known):
    texts = [entry.summary, *(c.text for c in entry.causes.all()), *(s.text for s in entry.steps.all()),
             *(e.notes for e in entry.examples.all())]
    for text in texts:
        for target in INTERNAL_LINK.findall(text):
            if target not in known:
                yield entry.code, f"links to /codes/{target}/, which has no published entry"
    for related in [*entry.related.all(), *entry.related_from.all()]:
        if related.code not in known:
            yield entry.code, f"related code {related.code} is not published"


def phrase_problems(entries):
    """A search phrase names one entry, unless every entry that has it marks it shared on purpose.

    Phrases are compared as search compares them (kb.search.phrase_terms): "Mailbox is
    full" and "mailbox full" are one phrase to search, so they are one phrase here.
    """
    by_terms = {}
    for entry in entries:
        for phrase in entry.phrases.all():
            terms = search.phrase_terms(phrase.text)
            if not terms:
                yield entry.code, f"the search phrase “{phrase.text}” has no words search compares: it finds nothing"
                continue
            if search.read(phrase.text).terms != terms:
                yield entry.code, (f"the search phrase “{phrase.text}” holds a code, an address, a link or more than "
                                   f"{search.MAX_WORDS} words: search reads those apart, so typed, it would not find its entry")
            by_terms.setdefault(terms, []).append((entry.code, phrase.shared, phrase.text))
    for terms, holders in sorted(by_terms.items()):
        codes_holding = sorted({code for code, _, _ in holders}, key=codes.sort_key)
        for code, shared, text in holders:
            if len(codes_holding) > 1 and not shared:
                others = ", ".join(codes_holding)
                yield code, f"the search phrase “{text}” is also on {others}: mark it shared on each, or keep it on one"
            if len(codes_holding) == 1 and shared:
                yield code, f"the search phrase “{text}” is marked shared, but no other entry has it"


def phrase_count_problems(entries, known):
    """Every entry has a search phrase; those people look up most have several."""
    looked_up = registry.most_looked_up()
    for code in looked_up:
        if code not in known:
            yield code, "listed in most_looked_up.json but has no published entry"
    for entry in entries:
        count = len(entry.phrases.all())
        needed = MIN_PHRASES_LOOKED_UP if entry.code in looked_up else MIN_PHRASES
        if count < needed:
            yield entry.code, f"{count} search phrases, needs at least {needed}"
