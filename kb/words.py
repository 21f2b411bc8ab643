"""Words: how text is cut into the words that search and matching compare. The one home of it.

Pure Python. `tokens(text)` gives the words as written (lower case), `terms(text)`
the same words as search compares them: filler words dropped, accents dropped
("refusé" and "refuse" are one term), English endings stripped by the Snowball
stemmer ("bounced", "bounces" and "bouncing" are one term), so that a query and
an entry meet however either is inflected or accented.
"""

import re
import unicodedata

import Stemmer

# Letters and digits; "_" splits (OFR004_104 is two words, as a person would type it).
_TOKEN = re.compile(r"[^\W_]+")
# A dot between letters splits words (RESOLVER.ADR.RecipNotFound, gmail.com); codes keep theirs.
_DOTTED = re.compile(r"(?<=[^\W\d_])\.(?=[^\W\d_])")
# An apostrophe between letters joins them: "doesn't" and "doesnt", "Google's" and "Googles"
# are one word each, as people type them either way.
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])['’](?=[^\W\d_])")

# Words that say nothing about which entry is meant ("what does 550 mean").
STOP_WORDS = frozenset(
    """a an and are as at be by can code codes do does error errors for from get gets getting got
    has have how i if in is it its me mean meaning means my of on or smtp the this to was what whats
    when why with""".split()
)

# PyStemmer: the Snowball project's own C stemmer. No cache (0), here or around stem(): a
# cache kept per process would hold the words visitors type and paste, and stemming a word
# takes well under a microsecond.
_stemmer = Stemmer.Stemmer("english", 0)


def tokens(text):
    """The words of text, lower case, in order."""
    return _TOKEN.findall(_APOSTROPHE.sub("", _DOTTED.sub(" ", text.lower())))


def stem(word):
    word = _unaccented(word)
    # Digits and mixed tokens (tss04, as3150, 5xx) are names, not English words.
    return _stemmer.stemWord(word) if word.isalpha() else word


def _unaccented(word):
    """word without its accents: servers often drop them (Orange's "Mail rejete", "Boite"), people type them."""
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFD", word)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def terms(text, known=None):
    """The words of text as search compares them: no filler words or single letters, stemmed.

    `known` ({word: stem}) is a caller's memory of the words it has stemmed: building the index
    meets the same few thousand words of the content a hundred thousand times.
    """
    kept = [word for word in tokens(text) if len(word) > 1 and word not in STOP_WORDS]
    if known is None:
        return [stem(word) for word in kept]
    return [known[word] if word in known else known.setdefault(word, stem(word)) for word in kept]
