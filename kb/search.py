"""What a search box query means, and how entries are indexed for words.

`read(text)` finds the codes in what a support person typed, however they
wrote them (5726, 5.7.26, 550-5.7.26, 550 5.7.26, 5.7.), and keeps the rest
as words; `ranking()` orders the entries for it. Both are pure Python, the
same on every database; `CodeQuerySet.search()` feeds them from the database.

The word index is derived state, rebuilt explicitly (`Code.objects.rebuild_search_index()`),
never in save() or signals, which `loaddata` skips. Each entry becomes one
document of three weighted parts, the same on both databases:
  heading  code, title and problem categories              (PostgreSQL weight A)
  summary  summary                                         (B)
  body     causes, steps, example replies, their providers
           and the references                              (C)
PostgreSQL keeps it as a tsvector column with a GIN index; SQLite, which has
no tsvector, in an FTS5 table ranked by bm25 with matching column weights.
"""

import difflib
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from kb import codes

# Longer input is a pasted bounce, which /analyze/ reads properly; a search
# box only needs the first few words of it.
MAX_WORDS = 12
# Words are respelled only in a short query of words alone ("mialbox ful");
# in a pasted reply line the codes carry the meaning and unknown words are
# names and hosts, not typos.
MAX_RESPELLED_WORDS = 4

# Words that say nothing about which entry is meant ("what does 550 mean").
# PostgreSQL's english configuration drops most of them anyway; dropping
# them here keeps SQLite's results the same.
STOP_WORDS = frozenset(
    """a an and are as at be by can code codes do does error errors for from get gets getting got
    how i if in is it its me mean meaning means my of on or smtp the this to was what whats when
    why with""".split()
)

# Document weights: PostgreSQL's ts_rank weights A, B, C are 1.0, 0.4 and 0.2;
# bm25 on SQLite gets the same proportions.
SQLITE_COLUMN_WEIGHTS = (10.0, 4.0, 2.0)

_ENHANCED = re.compile(r"([245xX])\.(\d{1,3})\.(\d{1,3})")
# 5.7. or 5.7 or 5.7.x: a subject family; 5. or 5.x.x: a whole class.
_ENHANCED_FAMILY = re.compile(r"([245])\.(?:(\d{1,3})(?:\.[xX*]{0,3})?|(?:[xX*]{1,3}(?:\.[xX*]{0,3})?)?)")
_BASIC = re.compile(r"[1-5]\d\d")
# 5xx or 55x: basic codes of a class or of a class and subject.
_BASIC_FAMILY = re.compile(r"([1-5])(\d?)[xX*]{1,2}")
# 5726 or 57509: an enhanced code typed without its dots. The subject is one
# digit (RFC 3463 §3 defines subjects 0 to 7), the rest is the detail.
_LOOSE_ENHANCED = re.compile(r"([245])([0-7])(\d{1,3})")
# 550-5.7.26, the continuation form of a multi-line reply (RFC 5321 §4.2.1).
_PAIR = re.compile(r"([1-5]\d\d)-(\S+)")
_TOKEN_SEPARATORS = re.compile(r"[\s,;]+")
_PUNCTUATION = "\"'()[]{}<>:!?#"
_WORD = re.compile(r"[^\W_]+")
_PLAIN_WORD = re.compile(r"[^\W\d_][^\W_]{2,}")
_MARKDOWN_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_DOTTED_WORDS = re.compile(r"(?<=[^\W\d_])\.(?=[^\W\d_])")


@dataclass(frozen=True)
class Family:
    """Codes sharing a prefix: enhanced 5.7. (a subject) or basic 55 (55x)."""

    prefix: str
    kind: str

    def matches(self, code):
        return code.startswith(self.prefix) and (self.kind == codes.ENHANCED or "." not in code)

    def __str__(self):
        if self.kind == codes.BASIC:
            return self.prefix + "x" * (3 - len(self.prefix))
        return self.prefix + "x"


class Entry(NamedTuple):
    """A published entry as a search reads it: what ranking needs, and what a
    page of results shows of it. Only a search for words reads the summary,
    and rank says how well the words match (higher is better)."""

    code: str
    standing: str
    title: str
    summary: str | None = None
    rank: float = 0.0


@dataclass(frozen=True)
class Query:
    """A search box query, understood.

    codes: canonical codes, best first (a pair's enhanced code before its basic one),
        with the other readings of a code (550 may be 5.5.0 typed without dots).
    typed: the codes as the person wrote them, without the other readings.
    target: the one entry a query of nothing but one code, or one basic and
        enhanced pair, points at; the search page may go straight to it.
    families: prefixes that restrict the results (5.7. lists only 5.7.x).
    words: everything else, lower case, for full-text search.
    corrections: (typed, used) pairs when words were respelled to find anything.
    match_all: whether every word must match (False: any word may, best first).
    matches: the entries the words match, {id: Entry}, when
        CodeQuerySet.understand() has looked them up (None when not yet).
    """

    text: str = ""
    codes: tuple = ()
    typed: tuple = ()
    target: str | None = None
    families: tuple = ()
    words: tuple = ()
    corrections: tuple = ()
    match_all: bool = True
    matches: dict | None = field(default=None, compare=False, repr=False)

    def __bool__(self):
        return bool(self.codes or self.families or self.words)

    @property
    def terms(self):
        """The words and codes a result may show highlighted."""
        return self.words + self.codes

    @property
    def may_respell(self):
        return not self.codes and len(self.words) <= MAX_RESPELLED_WORDS

    def respelled(self, corrections):
        if not corrections:
            return self
        words = tuple(dict.fromkeys(corrections.get(word, word) for word in self.words))
        return replace(self, words=words, corrections=tuple(corrections.items()), matches=None)

    def with_any_word(self):
        return replace(self, match_all=False, matches=None)

    def matching(self, matches):
        return replace(self, matches=matches)


def read(text):
    """Read codes, code families and words out of what someone typed."""
    found, typed, targets, families, words = [], [], [], [], []
    tokens = [token.strip(_PUNCTUATION) for token in _TOKEN_SEPARATORS.split(text)]
    tokens = [token for token in tokens if token]
    i = 0
    while i < len(tokens):
        token = tokens[i]
        code = _pair(token)
        if code is None and i + 1 < len(tokens) and _BASIC.fullmatch(token):
            code = _pair(f"{token}-{tokens[i + 1]}")
            i += code is not None
        code = code or _code(token) or _code(token.rstrip("."))
        family = None if code else _family(token)
        if code:
            readings, as_typed, target = code
            found.extend(readings)
            typed.extend(as_typed)
            targets.append(target)
        elif family:
            families.append(family)
        elif "@" in token or "://" in token:
            pass  # an address or a link in a pasted reply says nothing about the code
        else:
            words.extend(word for word in _WORD.findall(token.lower()) if len(word) > 1 and word not in STOP_WORDS)
        i += 1
    only_one_code = len(targets) == 1 and not families and not words
    return Query(
        text=text,
        codes=tuple(dict.fromkeys(found)),
        typed=tuple(dict.fromkeys(typed)),
        target=targets[0] if only_one_code else None,
        families=tuple(dict.fromkeys(families)),
        words=tuple(dict.fromkeys(words))[:MAX_WORDS],
    )


# Each reader returns (readings, as typed, target) for a token, or None:
# the codes it may mean, most likely first; those it names as written; and
# the entry it points at on its own.


def _pair(token):
    """550-5.7.26 (or 550 5.7.26, joined by the caller): the enhanced code first, then the basic."""
    match = _PAIR.fullmatch(token)
    if not match:
        return None
    enhanced = _enhanced(match.group(2).rstrip(".")) or _loose_enhanced(match.group(2))
    if not enhanced:
        return None
    return [enhanced, match.group(1)], [enhanced, match.group(1)], enhanced


def _code(token):
    """550 is the basic code, but also what 5.5.0 looks like typed without dots,
    so both are read, the basic one first. x.7.26 means every class."""
    if _BASIC.fullmatch(token):
        loose = _loose_enhanced(token)
        return [token, loose] if loose else [token], [token], token
    match = _ENHANCED.fullmatch(token)
    if match and match.group(1) in "xX":
        every_class = [_enhanced(f"{k}.{match.group(2)}.{match.group(3)}") for k in "542"]
        every_class = [code for code in every_class if code]
        return (every_class, every_class, None) if every_class else None
    enhanced = _enhanced(token) or _loose_enhanced(token)
    return ([enhanced], [enhanced], enhanced) if enhanced else None


def _enhanced(token):
    """5.07.026 -> 5.7.26: one code, one spelling (RFC 3463 §2 allows the zeros; we do not)."""
    code = codes.canonical(token) if _ENHANCED.fullmatch(token) else None
    return code if code and codes.kind_of(code) == codes.ENHANCED else None


def _loose_enhanced(token):
    match = _LOOSE_ENHANCED.fullmatch(token)
    return _enhanced(".".join(match.groups())) if match else None


def family_of(code):
    """The family a code without an entry is shown with: 5.1.99 -> 5.1.x, 559 -> 55x."""
    if codes.kind_of(code) == codes.ENHANCED:
        return Family(code[: code.index(".", 2) + 1], codes.ENHANCED)
    return Family(code[:2], codes.BASIC)


def _family(token):
    match = _ENHANCED_FAMILY.fullmatch(token)
    if match and (match.group(2) is not None or token != match.group(1)):
        klass, subject = match.group(1), match.group(2)
        prefix = f"{klass}.{int(subject)}." if subject is not None else f"{klass}."
        return Family(prefix, codes.ENHANCED)
    match = _BASIC_FAMILY.fullmatch(token)
    if match:
        return Family(match.group(1) + match.group(2), codes.BASIC)
    return None


# Words match standard and non-standard entries alike ("mailbox full" is in
# the titles of 5.2.2, of Microsoft's 5.2.251 and of the list-only 422); the
# standard entry is what a reader needs first, and the others link to it.
STANDING_WEIGHT = {"rfc": 1.0, "registry": 0.8, "vendor": 0.8, "folklore": 0.7}


# RFC 3463 §3: a detail of 0 is "other or undefined": such an entry lists
# many cases in passing (5.0.0 names "user unknown" as one of the words a
# server may add), so among equal matches the specific entry comes first.
UNSPECIFIED_WEIGHT = 0.8


def _specificity(code):
    return UNSPECIFIED_WEIGHT if code.endswith(".0") else 1.0


def ranking(query, entries, text_ranks, related):
    """The ids of the entries for query, best first: the one place ranking lives.

    entries: {id: (code, standing)} of every published entry; text_ranks:
    {id: rank} of those matching the words (higher is better); related: ids
    of the entries related to those with the codes of the query.
    1. the codes of the query, in its order (550 5.7.26: 5.7.26, then 550);
    2. entries matching the words, by rank, standard codes first among
       equals (STANDING_WEIGHT);
    3. entries related to the codes;
    4. for a code typed without an entry (5.1.99), its family (5.1.x).
    A family in the query (5.7.) keeps only its own codes, and alone lists
    them all. Ties go in code order.
    """
    if not query:
        return []
    exact = {code: n for n, code in enumerate(query.codes)}
    known = {code for code, _ in entries.values()}
    nearby = [family_of(code) for code in query.typed if code not in known]
    listing = not (query.codes or query.words)
    keys = {}
    for pk, (code, standing) in entries.items():
        if query.families and not any(family.matches(code) for family in query.families):
            continue
        if code in exact:
            tier = (exact[code], 0.0)
        elif pk in text_ranks:
            tier = (len(exact), -text_ranks[pk] * STANDING_WEIGHT.get(standing, 1.0) * _specificity(code))
        elif pk in related:
            tier = (len(exact) + 1, 0.0)
        elif listing or any(family.matches(code) for family in nearby):
            tier = (len(exact) + 2, 0.0)
        else:
            continue
        keys[pk] = (*tier, codes.sort_key(code))
    return sorted(keys, key=keys.get)


# The documents -----------------------------------------------------------


@dataclass
class Document:
    heading: str
    summary: str
    body: str


def plain(text):
    """Text as words for the index.

    Markdown link targets (/codes/5.1.1/) are no words a reader searches for.
    A dot between letters splits words: PostgreSQL's parser would keep
    gmail.com or RESOLVER.ADR.RecipNotFound as one token, which "gmail" or
    "recipnotfound" never matches (SQLite's tokenizer splits them anyway).
    Codes keep their dots: they have digits around them.
    """
    return _DOTTED_WORDS.sub(" ", _MARKDOWN_LINK_TARGET.sub("]", text))


def vocabulary(documents):
    """{word: number of documents} over every word of three or more letters."""
    counts = Counter()
    for document in documents:
        text = f"{document.heading} {document.summary} {document.body}".lower()
        counts.update(set(_PLAIN_WORD.findall(text)))
    return counts


def length_bounds(length, cutoff):
    """The lengths a word may have to reach cutoff with a word of this length.

    difflib's ratio is 2 * matches / (both lengths), and at most the shorter
    word's letters match.
    """
    return math.ceil(length * cutoff / (2 - cutoff)), math.floor(length * (2 - cutoff) / cutoff)


class Vocabulary:
    """The words published entries use ({word: number of entries}), indexed for respelling.

    A mistyped word nearly always keeps its first two or its last two
    letters right (one for a short word: "ful"); looking words up by
    either leaves a few percent of the vocabulary for difflib to compare.
    """

    def __init__(self, counts):
        self.counts = dict(counts)
        self._by_ends = defaultdict(list)
        for word, documents in self.counts.items():
            for end in (1, 2):
                self._by_ends["^" + word[:end]].append((word, documents))
                self._by_ends[word[-end:] + "$"].append((word, documents))

    def respellings(self, words, cutoff):
        """{word: respelled} for the words no entry uses that are close enough to one that entries use."""
        respelled = {}
        for word in sorted(set(words) - self.counts.keys()):
            if len(word) >= 3 and not word.isdigit():
                respelled[word] = closest_word(word, self._candidates(word, cutoff), cutoff)
        return {word: close for word, close in respelled.items() if close}

    def _candidates(self, word, cutoff):
        end = 2 if len(word) > 3 else 1
        shortest, longest = length_bounds(len(word), cutoff)
        near = {*self._by_ends["^" + word[:end]], *self._by_ends[word[-end:] + "$"]}
        return [(other, documents) for other, documents in near if shortest <= len(other) <= longest]


def closest_word(word, candidates, cutoff):
    """The candidate most like word by difflib's ratio; None if none reaches cutoff.

    candidates: (word, documents) pairs. Ties go to the word more entries use.
    """
    scored = []
    # As difflib.get_close_matches: seq2 is analysed once, and the quick
    # ratios, upper bounds of ratio(), rule most candidates out cheaply.
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    for candidate, documents in candidates:
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
            ratio = matcher.ratio()
            if ratio >= cutoff:
                scored.append((ratio, documents, candidate))
    return max(scored)[2] if scored else None


def close_codes(text, known, limit=5):
    """Known codes that look like the numbers in text: a digit left out or swapped (5.7.62 for 5.7.26)."""
    numbers = [token.strip(_PUNCTUATION) for token in _TOKEN_SEPARATORS.split(text) if any(c.isdigit() for c in token)]
    known = list(known)
    close = [code for number in numbers for code in difflib.get_close_matches(number, known, n=limit, cutoff=0.6)]
    return list(dict.fromkeys(close))[:limit]


# How close a word must be to be respelled, by difflib's ratio: "mialbox" and
# "mailbox" score 0.86, "gmial" and "gmail" 0.8, but "script" and "security" 0.71.
# Trigram similarity (pg_trgm) is too harsh on short words with swapped
# letters (0.2 for "gmial" and "gmail"); difflib decides on both databases,
# so both respell the same way.
SPELLING_CUTOFF = 0.8
LOOSE_SPELLING_CUTOFF = 0.65


# SQLite: an FTS5 table, rowid = kb_code.id ------------------------------

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE kb_code_fts USING fts5("
    "heading, summary, body, tokenize = 'porter unicode61 remove_diacritics 2')"
)
SQLITE_DROP = "DROP TABLE IF EXISTS kb_code_fts"


def sqlite_match(words, match_all):
    """An FTS5 query: each word a quoted string, so no input is FTS5 syntax.

    With every word required, the words as a phrase are added as an
    alternative: bm25 sums over the query's phrases, so entries that have
    the words side by side ("user unknown", as servers write it) rank higher.
    """
    if not match_all:
        return " OR ".join(f'"{word}"' for word in words)
    every_word = " AND ".join(f'"{word}"' for word in words)
    return f'{every_word} OR "{" ".join(words)}"' if len(words) > 1 else every_word


def sqlite_matches(cursor, words, match_all):
    """(kb_code.id, *Entry) of the published entries matching words, ranked by
    bm25 with the column weights, negated so that higher is better."""
    weights = ", ".join(map(str, SQLITE_COLUMN_WEIGHTS))
    cursor.execute(
        f"SELECT c.id, c.code, c.standing, c.title, c.summary, -bm25(kb_code_fts, {weights}) FROM kb_code_fts "
        "JOIN kb_code c ON c.id = kb_code_fts.rowid WHERE kb_code_fts MATCH %s AND c.published",
        [sqlite_match(words, match_all)],
    )
    return cursor.fetchall()


def sqlite_write(cursor, documents):
    cursor.execute("DELETE FROM kb_code_fts")
    cursor.executemany(
        "INSERT INTO kb_code_fts (rowid, heading, summary, body) VALUES (%s, %s, %s, %s)",
        [(pk, d.heading, d.summary, d.body) for pk, d in documents.items()],
    )


# PostgreSQL: a tsvector column -------------------------------------------


def postgres_matches(cursor, words, match_all):
    """As sqlite_matches, from the tsvector column.

    Every word required is plainto_tsquery of them all, any word an OR of
    one plainto_tsquery each. With every word required, the words as a
    phrase are added to what ranks them (not to what matches), as on SQLite.
    Cover density (ts_rank_cd) rewards the words close together, as a title
    or a reply line has them; plain ts_rank adds up every scattered mention,
    so long entries won on "spf check failed" over the entry titled so.
    Normalisation 1 divides by the log of the length.
    Plain SQL: the same query built with the ORM costs twice what it takes to run.
    """
    if match_all:
        matching, params = "plainto_tsquery('english', %s)", [" ".join(words)]
    else:
        matching, params = " || ".join(["plainto_tsquery('english', %s)"] * len(words)), list(words)
    ranked, rank_params = matching, params
    if match_all and len(words) > 1:
        ranked, rank_params = f"{matching} || phraseto_tsquery('english', %s)", [*params, " ".join(words)]
    cursor.execute(
        f"SELECT id, code, standing, title, summary, ts_rank_cd(search_vector, {ranked}, 1) FROM kb_code "
        f"WHERE published AND search_vector @@ ({matching})",
        [*rank_params, *params],
    )
    return cursor.fetchall()


# One UPDATE for every entry; entries without a document (unpublished ones)
# get NULL, which matches nothing. The english parser keeps a code such as
# 5.7.26 whole, as one unstemmed word.
POSTGRES_UPDATE = """
UPDATE kb_code SET search_vector = (
    SELECT setweight(to_tsvector('english', d.heading), 'A')
        || setweight(to_tsvector('english', d.summary), 'B')
        || setweight(to_tsvector('english', d.body), 'C')
    FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[]) AS d (id, heading, summary, body)
    WHERE d.id = kb_code.id
)
"""


def postgres_write(cursor, documents):
    ids = list(documents)
    cursor.execute(
        POSTGRES_UPDATE,
        [ids, *([getattr(documents[pk], part) for pk in ids] for part in ("heading", "summary", "body"))],
    )
