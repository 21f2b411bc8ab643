"""What a search box query means, and which entries answer it best. Pure Python, no Django.

`read(text)` finds the codes in what a support person typed, however they wrote
them (5726, 5.7.26, 550-5.7.26, 550 5.7.26, 5.7.), and keeps the rest as words.
`Index` holds what search knows of the published entries (kb/search_index.py
builds it from the database) and `Index.ranked(query)` orders them: the one
ranking function, so that SQLite and PostgreSQL give the same answer.

How words rank, as a person would:
- a query that holds every word of one of an entry's search phrases, in order,
  puts that entry first ("promoted"; a longer phrase before a shorter one);
- otherwise each word counts by how rare it is (idf) times where the entry has
  it: a title, a search phrase or a real reply weigh more than the summary,
  which weighs more than causes and steps; a sentence that links to another
  code is a passing mention and weighs little;
- the words side by side, in order, in one title, reply or sentence count again;
- an entry with only some of the words is worth the square of the share it has;
- among equals, standard codes before list-only ones, specific before X.Y.0.
"""

import bisect
import difflib
import functools
import itertools
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from kb import codes, words

# Longer input is a pasted bounce, which /analyze/ reads properly; a search
# box only needs the first few words of it.
MAX_WORDS = 12
# Words are respelled only in a short query of words alone ("mialbox ful");
# in a pasted reply line the codes carry the meaning and unknown words are
# names and hosts, not typos.
MAX_RESPELLED_WORDS = 4

# How much a word weighs where an entry has it (see the module docstring).
FIELD_WEIGHTS = {
    "title": 10.0,
    "phrase": 10.0,
    "reply": 5.0,
    "category": 5.0,
    "lead": 4.0,  # the summary's first paragraph: what the entry is about
    "provider": 3.0,  # the provider of a real reply: "gmail spf"
    "summary": 2.0,
    "cause": 2.0,
    "step": 1.5,
    "note": 1.5,
    "mention": 0.3,  # a sentence that links to another code, a reference line
}
# Fields whose words a long entry has many of in passing: their weight shrinks with length.
PROSE = frozenset({"summary", "cause", "step", "note", "mention"})
PROSE_LENGTH_EFFECT = 0.5
# The query's words side by side in one item count this much more, times the item's weight.
ADJACENCY_WEIGHT = 1.0
# Words may stand this many words apart and still count as side by side ("relay access is denied").
ADJACENCY_SLACK = 1
# Further items with a word add a little: log(1 + n) times this.
REPEAT_WEIGHT = 0.3
# A title or phrase that is mostly the query's words ("Mailbox full" for "mailbox full", not
# "Mailbox full or message too large") says the entry is about it: this much more, times the share.
FOCUS_WEIGHT = 0.5
FOCUSED_FIELDS = ("title", "phrase")

# Words match standard and non-standard entries alike ("mailbox full" is in
# the titles of 5.2.2, of Microsoft's 5.2.251 and of the list-only 422); the
# standard entry is what a reader needs first, and the others link to it.
STANDING_WEIGHT = {"rfc": 1.0, "registry": 0.8, "vendor": 0.8, "folklore": 0.7}
# RFC 3463 §3: a detail of 0 is "other or undefined": such an entry lists
# many cases in passing, so among equal matches the specific entry comes first.
UNSPECIFIED_WEIGHT = 0.8

# How close a word must be to be respelled, by difflib's ratio: "mialbox" and
# "mailbox" score 0.86, "gmial" and "gmail" 0.8, but "script" and "security" 0.71.
SPELLING_CUTOFF = 0.8
LOOSE_SPELLING_CUTOFF = 0.65
# A typed word only one entry uses is respelled to a close word at least this many entries use.
COMMON_WORD_ENTRIES = 10

_ENHANCED = re.compile(r"([245xX])\.(\d{1,3})\.(\d{1,3})")
# 5.7. or 5.7 or 5.7.x: a subject family; 5. or 5.x.x: a whole class.
_ENHANCED_FAMILY = re.compile(r"([245])\.(?:(\d{1,3})(?:\.[xX*]{0,3})?|(?:[xX*]{1,3}(?:\.[xX*]{0,3})?)?)")
_BASIC = re.compile(r"[1-5]\d\d")
# 5xx or 55x: basic codes of a class or of a class and subject.
_BASIC_FAMILY = re.compile(r"([1-5])(\d?)[xX*]{1,2}")
# 550-5.7.26, the continuation form of a multi-line reply (RFC 5321 §4.2.1).
_PAIR = re.compile(r"([1-5]\d\d)-(\S+)")
_TOKEN_SEPARATORS = re.compile(r"[\s,;]+")
_PUNCTUATION = "\"'()[]{}<>:!?#"
# What a pasted reply line has that a search seldom does: an address or a host in brackets.
_PASTED_REPLY_SIGNS = re.compile(r"<[^<>\s]+@[^<>\s]+>|\[[\d.:a-fA-F]{7,}\]|\bsaid:|\bsmtp;", re.IGNORECASE)


@dataclass(frozen=True)
class Query:
    """A search box query, understood.

    codes: canonical codes, best first (a pair's enhanced code before its basic one),
        with the other readings of a code (550 may be 5.5.0 typed without dots).
    typed: the codes as the person wrote them, without the other readings.
    target: the one entry a query of nothing but one code, or one basic and
        enhanced pair, points at; the search page may go straight to it.
    families: prefixes that restrict the results (5.7. lists only 5.7.x).
    words: everything else, lower case, as typed (respelled where corrected).
    corrections: (typed, used) pairs when words were respelled.
    """

    text: str = ""
    codes: tuple = ()
    typed: tuple = ()
    target: str | None = None
    families: tuple = ()
    words: tuple = ()
    corrections: tuple = ()

    def __bool__(self):
        return bool(self.codes or self.families or self.words)

    @property
    def terms(self):
        """The words as search compares them (kb.words.terms), each once."""
        return tuple(dict.fromkeys(words.stem(word) for word in self.words))

    @property
    def highlighted(self):
        """The words and codes a result may show highlighted."""
        return self.words + self.codes

    @property
    def may_respell(self):
        return not self.codes and len(self.words) <= MAX_RESPELLED_WORDS

    @property
    def looks_like_a_reply(self):
        """Whether this looks like a pasted reply line, which /analyze/ reads better than search."""
        reply_code = bool(self.typed) and _BASIC.match(self.text.strip()) is not None
        return bool(_PASTED_REPLY_SIGNS.search(self.text)) or (reply_code and len(self.words) >= 3)

    def respelled(self, corrections):
        if not corrections:
            return self
        respelled = tuple(dict.fromkeys(corrections.get(word, word) for word in self.words))
        return replace(self, words=respelled, corrections=tuple(corrections.items()))


def read(text):
    """Read codes, code families and words out of what someone typed."""
    found, typed, targets, families, plain = [], [], [], [], []
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
            plain.extend(word for word in words.tokens(token) if len(word) > 1 and word not in words.STOP_WORDS)
        i += 1
    only_one_code = len(targets) == 1 and not families and not plain
    return Query(
        text=text,
        codes=tuple(dict.fromkeys(found)),
        typed=tuple(dict.fromkeys(typed)),
        target=targets[0] if only_one_code else None,
        families=tuple(dict.fromkeys(families)),
        words=tuple(dict.fromkeys(plain))[:MAX_WORDS],
    )


# Each reader returns (readings, as typed, target) for a token, or None:
# the codes it may mean, most likely first; those it names as written; and
# the entry it points at on its own.


def _pair(token):
    """550-5.7.26 (or 550 5.7.26, joined by the caller): the enhanced code first, then the basic."""
    match = _PAIR.fullmatch(token)
    if not match:
        return None
    enhanced = _enhanced(match.group(2).rstrip(".")) or codes.loose_enhanced(match.group(2))
    if not enhanced:
        return None
    return [enhanced, match.group(1)], [enhanced, match.group(1)], enhanced


def _code(token):
    """550 is the basic code, but also what 5.5.0 looks like typed without dots,
    so both are read, the basic one first. x.7.26 means every class."""
    if _BASIC.fullmatch(token):
        loose = codes.loose_enhanced(token)
        return [token, loose] if loose else [token], [token], token
    match = _ENHANCED.fullmatch(token)
    if match and match.group(1) in "xX":
        every_class = [_enhanced(f"{k}.{match.group(2)}.{match.group(3)}") for k in "542"]
        every_class = [code for code in every_class if code]
        return (every_class, every_class, None) if every_class else None
    enhanced = _enhanced(token) or codes.loose_enhanced(token)
    return ([enhanced], [enhanced], enhanced) if enhanced else None


def _enhanced(token):
    """5.07.026 -> 5.7.26: one code, one spelling (RFC 3463 §2 allows the zeros; we do not)."""
    code = codes.canonical(token) if _ENHANCED.fullmatch(token) else None
    return code if code and codes.kind_of(code) == codes.ENHANCED else None


def _family(token):
    match = _ENHANCED_FAMILY.fullmatch(token)
    if match and (match.group(2) is not None or token != match.group(1)):
        klass, subject = match.group(1), match.group(2)
        prefix = f"{klass}.{int(subject)}." if subject is not None else f"{klass}."
        return codes.Family(prefix, codes.ENHANCED)
    match = _BASIC_FAMILY.fullmatch(token)
    if match:
        return codes.Family(match.group(1) + match.group(2), codes.BASIC)
    return None


# The index -------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A piece of an entry's text that words may match: its title, a phrase, a reply, a sentence."""

    field: str  # a key of FIELD_WEIGHTS
    text: str
    label: str = ""  # what the page says it is: "Real reply from Gmail"


@dataclass(frozen=True)
class Entry:
    """A published entry as search knows it."""

    id: int
    code: str
    standing: str
    title: str
    summary: str = ""
    range_end: str = ""
    related: tuple = ()  # codes of the entries related to it, either way round
    items: tuple = ()

    def covers(self, code):
        """Whether code is this entry's, or inside the documented range it explains."""
        if code == self.code:
            return True
        if not self.range_end or codes.kind_of(code) != codes.kind_of(self.code):
            return False
        return codes.sort_key(self.code) <= codes.sort_key(code) <= codes.sort_key(self.range_end)


@dataclass
class Result:
    """An entry found, why, and the item that shows it best (None for a code found by its code)."""

    entry: Entry
    score: float = 0.0
    item: Item | None = None
    phrase: str | None = None  # the search phrase that promoted it
    every_word: bool = True


class Index:
    """What search knows of the published entries, and the ranking over it."""

    def __init__(self, entries):
        self.entries = list(entries)
        self._by_code = {entry.code: n for n, entry in enumerate(self.entries)}
        self._ranges = [n for n, entry in enumerate(self.entries) if entry.range_end]
        self._item_terms = []  # [entry number][item number] -> [terms]
        # {first term: [(entry number, terms, text)]} of the search phrases: a query can only hold
        # a phrase whose first term it has, so ranking tries those alone (a third of its time
        # went to trying all 654 phrases of the published entries).
        self._phrases = defaultdict(list)
        self._prose_length = []
        entries_with = Counter()  # {term: number of entries holding it}
        stems = {}  # the content's words, stemmed once each
        for n, entry in enumerate(self.entries):
            per_item, prose = [], 0
            for item in entry.items:
                item_terms = words.terms(item.text, stems)
                per_item.append(item_terms)
                prose += len(item_terms) if item.field in PROSE else 0
                if item.field == "phrase" and item_terms:
                    needle = phrase_terms(item.text)
                    self._phrases[needle[0]].append((n, needle, item.text))
            self._item_terms.append(per_item)
            self._prose_length.append(prose)
            entries_with.update({term for item_terms in per_item for term in item_terms})
        self._average_prose = (sum(self._prose_length) / len(self.entries) if self.entries else 0.0) or 1.0
        self._idf = {
            term: math.log(1 + (len(self.entries) - count + 0.5) / (count + 0.5))
            for term, count in entries_with.items()
        }
        self._last = None

    @functools.cached_property
    def _terms(self):
        """{term: {entry number: [(item number, position)]}}, made on first use: ranking a query
        walks it, matching a bounce never does (a third of the time of building the index)."""
        places = defaultdict(lambda: defaultdict(list))
        for n, per_item in enumerate(self._item_terms):
            for i, item_terms in enumerate(per_item):
                for position, term in enumerate(item_terms):
                    places[term][n].append((i, position))
        return {term: dict(by_entry) for term, by_entry in places.items()}

    @functools.cached_property
    def vocabulary(self):
        """The words of the entries as written, for respelling a query; made on first use, since
        matching a bounce never respells (a sixth of the time of building the index)."""
        surface = Counter()
        for entry in self.entries:
            surface.update({word for item in entry.items for word in words.tokens(item.text) if len(word) > 2})
        return Vocabulary(surface)

    # Codes --------------------------------------------------------------------

    def entry_for(self, code):
        """The entry of a code, or of the documented range it is in (5.7.620 -> 5.7.606), or None."""
        n = self._by_code.get(code)
        if n is None:
            n = next((n for n in self._ranges if self.entries[n].covers(code)), None)
        return self.entries[n] if n is not None else None

    def in_code_order(self):
        """Every entry, as the list of all codes shows them."""
        if "_in_code_order" not in self.__dict__:
            self._in_code_order = sorted(self.entries, key=lambda entry: codes.sort_key(entry.code))
        return self._in_code_order

    # Ranking ------------------------------------------------------------------

    def ranked(self, query):
        """[Result] for query, best first: the one place ranking lives.

        1. the codes of the query, in its order (550 5.7.26: 5.7.26, then 550);
        2. entries promoted by a search phrase the query holds;
        3. entries matching the words, by score;
        4. entries related to the codes;
        5. for a code typed without an entry (5.1.99), its family (5.1.x).
        A family in the query (5.7.) keeps only its own codes, and alone lists
        them all. Ties go in code order.
        """
        if not query:
            return []
        # A page ranks its query twice (the filter, then the excerpts): keep the last answer.
        if self._last is not None and self._last[0] == query:
            return self._last[1]
        results = self._ranked(query)
        self._last = (query, results)
        return results

    def _ranked(self, query):
        exact = {}
        for code in query.codes:
            entry = self.entry_for(code)
            if entry is not None:
                exact.setdefault(entry.code, len(exact))
        by_words = self._by_words(query.terms) if query.terms else {}
        related = {code for entry_code in exact for code in self.entries[self._by_code[entry_code]].related}
        nearby = [codes.family_of(code) for code in query.typed if self.entry_for(code) is None]
        listing = not (query.codes or query.words)
        keys = {}
        for n, entry in enumerate(self.entries):
            if query.families and not any(family.matches(entry.code) for family in query.families):
                continue
            result = by_words.get(n)
            if entry.code in exact:
                key = (0, exact[entry.code])
            elif result is not None and result.phrase:
                key = (1, -len(phrase_terms(result.phrase)), -result.score)
            elif result is not None:
                key = (2, -result.score)
            elif entry.code in related:
                key = (3,)
            elif listing or any(family.matches(entry.code) for family in nearby):
                key = (4,)
            else:
                continue
            keys[n] = (key, codes.sort_key(entry.code))
        order = sorted(keys, key=keys.get)
        return [by_words.get(n) or Result(self.entries[n]) for n in order]

    def _by_words(self, terms):
        """{entry number: Result} of the entries that have any of the terms."""
        weights = {term: self._idf.get(term, 0.0) for term in terms}
        total = sum(weights.values()) or 1.0
        candidates = set()
        for term in terms:
            if term in self._terms:
                candidates |= self._terms[term].keys()
        promoted = self._promoting_phrases(terms)
        results = {}
        for n in candidates:
            entry = self.entries[n]
            score, found, best_item = 0.0, 0.0, None
            length = 1 + PROSE_LENGTH_EFFECT * (self._prose_length[n] / self._average_prose - 1)
            item_scores = Counter()
            having_all = None  # the items that have every term: only they can hold them side by side
            for term in terms:
                places = self._terms[term].get(n) if term in self._terms else None
                if not places:
                    having_all = set()
                    continue
                found += weights[term]
                items = {i for i, _ in places}
                having_all = items if having_all is None else having_all & items
                strongest = max(self._weight(entry.items[i], length) for i in items)
                score += weights[term] * (strongest + REPEAT_WEIGHT * math.log(1 + len(items)))
                for i in items:
                    item_scores[i] += weights[term] * self._weight(entry.items[i], length)
            if having_all:
                adjacent = [i for i in having_all if _side_by_side(terms, self._item_terms[n][i])] if len(terms) > 1 else []
                if adjacent:
                    best = max(self._weight(entry.items[i], length) for i in adjacent)
                    score += ADJACENCY_WEIGHT * total * best
                    for i in adjacent:
                        item_scores[i] += total * self._weight(entry.items[i], length)
                score += FOCUS_WEIGHT * total * self._focus(n, terms, having_all)
            share = found / total
            score *= share * share * STANDING_WEIGHT.get(entry.standing, 1.0)
            if entry.code.endswith(".0"):
                score *= UNSPECIFIED_WEIGHT
            if item_scores:
                best_item = entry.items[max(item_scores, key=lambda i: (item_scores[i], -i))]
            results[n] = Result(entry, score, best_item, promoted.get(n), share >= 1.0)
        for n, phrase in promoted.items():
            if n not in results:  # every word of a phrase is in the query, so the entry has them
                results[n] = Result(self.entries[n], 0.0, None, phrase)
        # Entries with only some of the words are listed only when no entry has them all.
        if any(result.every_word for result in results.values()):
            results = {n: r for n, r in results.items() if r.every_word or r.phrase}
        return results

    def _weight(self, item, length):
        weight = FIELD_WEIGHTS[item.field]
        return weight / length if item.field in PROSE and length > 0 else weight

    def _focus(self, n, terms, having_all):
        """The largest weight times share of query terms among entry n's titles and phrases that have them all."""
        best = 0.0
        for i in having_all:
            item, item_terms = self.entries[n].items[i], self._item_terms[n][i]
            if item.field in FOCUSED_FIELDS:
                best = max(best, FIELD_WEIGHTS[item.field] * len(set(terms)) / len(set(item_terms)))
        return best

    def _promoting_phrases(self, terms):
        """{entry number: phrase text} of the longest search phrase of each entry whose every word is in terms, in order."""
        promoted, longest = {}, {}
        for n, needle, text in (phrase for term in dict.fromkeys(terms) for phrase in self._phrases.get(term, ())):
            if _in_order(needle, terms) and len(needle) > longest.get(n, 0):
                promoted[n], longest[n] = text, len(needle)
        return promoted

    # Respelling ---------------------------------------------------------------

    def respellings(self, typed, cutoff=SPELLING_CUTOFF):
        """{word: respelled} for typed words that no entry uses, or one in passing, close to a word entries use.

        A word of a single entry is often a path, a host or a name in a real
        reply ("usr" of /usr/local/bin): typed, it is far likelier a typo of a
        common word ("usr unknown"), so it is respelled to one that many use.
        """
        unknown = [word for word in typed if words.stem(word) not in self._terms]
        rare = [word for word in typed if word.isalpha() and self._in_passing(words.stem(word))]
        return {**self.vocabulary.respellings(rare, cutoff, min_entries=COMMON_WORD_ENTRIES),
                **self.vocabulary.respellings(unknown, cutoff)}

    def _in_passing(self, term):
        """Whether only one entry has term, and not in a title or search phrase (which say what it is about)."""
        places = self._terms.get(term, {})
        if len(places) != 1:
            return False
        (n, found), = places.items()
        return all(self.entries[n].items[i].field not in ("title", "phrase") for i, _ in found)

    def understand(self, text):
        """read(text), with mistyped words of a short query respelled to words the entries use."""
        query = read(text)
        if query.words and query.may_respell:
            query = query.respelled(self.respellings(query.words))
        return query

    # Suggestions --------------------------------------------------------------

    def suggest(self, text, limit=8):
        """Up to limit entries for what is typed so far: a code's prefix, or title and phrase words."""
        text = " ".join(text.split())
        if not text:
            return []
        prefixes = _code_prefixes(text)
        if prefixes:
            found = [e for e in self.entries if e.code.startswith(tuple(prefixes))]
            return sorted(found, key=lambda e: (e.code != text, codes.sort_key(e.code)))[:limit]
        typed = [word for word in words.tokens(text) if word not in words.STOP_WORDS] or words.tokens(text)
        if not typed:
            return []
        complete, last = [words.stem(word) for word in typed[:-1]], typed[-1]
        best = {}  # entry number -> 0 for a title, 1 for a phrase
        for n, i in self._items_with_word_starting(last):
            if all(term in self._item_terms[n][i] for term in complete):
                rank = 0 if self.entries[n].items[i].field == "title" else 1
                best[n] = min(rank, best.get(n, rank))
        order = sorted(best, key=lambda n: (best[n], -STANDING_WEIGHT.get(self.entries[n].standing, 1.0),
                                            codes.sort_key(self.entries[n].code)))
        return [self.entries[n] for n in order[:limit]]

    def _items_with_word_starting(self, prefix):
        """{(entry number, item number)} of the titles and phrases with a word that starts with prefix."""
        if "_suggest_words" not in self.__dict__:
            by_word = defaultdict(set)
            for n, entry in enumerate(self.entries):
                for i, item in enumerate(entry.items):
                    if item.field in ("title", "phrase"):
                        for word in words.tokens(item.text):
                            by_word[word].add((n, i))
            self._suggest_words = sorted(by_word.items())
        found = set()
        start = bisect.bisect_left(self._suggest_words, (prefix,))
        for word, places in itertools.islice(self._suggest_words, start, None):
            if not word.startswith(prefix):
                break
            found |= places
        return found

    # Similar text (matching a bounce that carries no code) ---------------------

    def most_similar(self, text):
        """(similarity, entry, item) of the real reply or title most like text, by TF-IDF cosine; (0.0, None, None) if none."""
        query = Counter(words.terms(text))
        vector = _unit({term: count * self._idf[term] for term, count in query.items() if term in self._idf})
        scores = Counter()
        for term, weight in vector.items():
            for place, item_weight in self._reply_postings.get(term, ()):
                scores[place] += weight * item_weight
        if not scores:
            return 0.0, None, None
        # On a tie, the entry listed first, and within it the item shown first.
        (n, i), score = max(scores.items(), key=lambda pair: (pair[1], -pair[0][0], -pair[0][1]))
        return score, self.entries[n], self.entries[n].items[i]

    @functools.cached_property
    def _reply_postings(self):
        """{term: [((entry number, item number), weight of the term in the item's unit TF-IDF vector)]}
        of the real replies and titles, made on first use: a bounce without codes is compared with
        those alone, and walking every item of every entry holding a term took 1 ms a bounce."""
        postings = defaultdict(list)
        for n, entry in enumerate(self.entries):
            for i, item in enumerate(entry.items):
                if item.field in ("reply", "title"):
                    counts = Counter(self._item_terms[n][i])
                    weights = _unit({term: count * self._idf[term] for term, count in counts.items()})
                    for term, weight in weights.items():
                        postings[term].append(((n, i), weight))
        return dict(postings)


def phrase_terms(text):
    """A search phrase's terms as a query of its words has them: each once, in order of first use
    (Query.terms), so that typing a phrase, or pasting the reply it comes from, finds it."""
    return tuple(dict.fromkeys(words.terms(text)))


def _in_order(needle, haystack):
    """Whether every term of needle is in haystack, in needle's order (others may stand between)."""
    rest = iter(haystack)
    return all(term in rest for term in needle)


def _side_by_side(terms, item_terms):
    """Whether terms occur in item_terms in order, each within ADJACENCY_SLACK words of the one before."""
    for start, term in enumerate(item_terms):
        if term != terms[0]:
            continue
        at, ok = start, True
        for wanted in terms[1:]:
            window = item_terms[at + 1 : at + 2 + ADJACENCY_SLACK]
            if wanted not in window:
                ok = False
                break
            at = at + 1 + window.index(wanted)
        if ok:
            return True
    return False


def _unit(weights):
    norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
    return {term: v / norm for term, v in weights.items()}


_CODE_PREFIX = re.compile(r"[1-5](?:\d{0,3}|\.\d{0,3}(?:\.\d{0,3})?)")


def _code_prefixes(text):
    """The starts of codes typed so far (5, 55, 5.7, 5.7.2); 5726 is also 5.7.26 typed without dots."""
    text = text.strip().rstrip("-")
    if not _CODE_PREFIX.fullmatch(text):
        return []
    prefixes = [text]
    if text.isdigit() and len(text) >= 3 and text[0] in "245" and text[1] in "01234567":
        prefixes.append(f"{text[0]}.{text[1]}.{text[2:]}")
    return prefixes


# Respelling --------------------------------------------------------------------


def length_bounds(length, cutoff):
    """The lengths a word may have to reach cutoff with a word of this length.

    difflib's ratio is 2 * matches / (both lengths), and at most the shorter
    word's letters match.
    """
    return math.ceil(length * cutoff / (2 - cutoff)), math.floor(length * (2 - cutoff) / cutoff)


class Vocabulary:
    """The words published entries use ({word: number of entries}), indexed for respelling.

    A mistyped word nearly always keeps its first two or its last two
    letters right (one for a short word: "ful"), or, with two letters
    swapped in its middle, its first and last ("fial"); looking words up
    by those leaves a few percent of the vocabulary for difflib to compare.
    """

    def __init__(self, counts):
        self.counts = dict(counts)
        self._by_ends = defaultdict(list)
        for word, documents in self.counts.items():
            for end in (1, 2):
                self._by_ends["^" + word[:end]].append((word, documents))
                self._by_ends[word[-end:] + "$"].append((word, documents))
            self._by_ends[_outer_letters(word)].append((word, documents))

    def respellings(self, typed, cutoff, min_entries=1):
        """{word: respelled} for the typed words close enough to another word that at least min_entries entries use."""
        respelled = {}
        for word in sorted(set(typed)):
            if len(word) >= 3 and not word.isdigit():
                candidates = [(other, n) for other, n in self._candidates(word, cutoff) if n >= min_entries and other != word]
                respelled[word] = closest_word(word, candidates, cutoff)
        return {word: close for word, close in respelled.items() if close}

    def _candidates(self, word, cutoff):
        end = 2 if len(word) > 3 else 1
        shortest, longest = length_bounds(len(word), cutoff)
        near = {*self._by_ends["^" + word[:end]], *self._by_ends[word[-end:] + "$"], *self._by_ends[_outer_letters(word)]}
        return [(other, documents) for other, documents in near if shortest <= len(other) <= longest]


def _outer_letters(word):
    """The first and last letters: what a swap in the middle of a short word keeps ("fial": "fail")."""
    return f"^{word[0]}…{word[-1]}$"


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
            # Two neighbouring letters swapped is the commonest typo, and one that difflib
            # scores poorly ("fial": "fail" 0.75, "final" 0.89): it counts as the closest.
            ratio = 1.0 if _swapped(word, candidate) else matcher.ratio()
            if ratio >= cutoff:
                scored.append((ratio, documents, candidate))
    return max(scored)[2] if scored else None


def _swapped(typed, word):
    """Whether typed is word with two neighbouring letters swapped."""
    if len(typed) != len(word):
        return False
    differ = [i for i, (a, b) in enumerate(zip(typed, word)) if a != b]
    return len(differ) == 2 and differ[1] == differ[0] + 1 and typed[differ[0]] == word[differ[1]] and typed[differ[1]] == word[differ[0]]


def close_codes(text, known, limit=5):
    """Known codes that look like the numbers in text: a digit left out or swapped (5.7.62 for 5.7.26)."""
    numbers = [token.strip(_PUNCTUATION) for token in _TOKEN_SEPARATORS.split(text) if any(c.isdigit() for c in token)]
    known = list(known)
    close = [code for number in numbers for code in difflib.get_close_matches(number, known, n=limit, cutoff=0.6)]
    return list(dict.fromkeys(close))[:limit]
