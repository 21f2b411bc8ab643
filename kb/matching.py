"""Findings -> knowledge-base entries, with the reason, the closest example and warnings.

The order of evidence: the exact enhanced status code, then the basic reply code,
then the enhanced code's family (X.Y.0), and only when the bounce carries no
usable code, the real example reply (or entry title) whose words are most like
the diagnostic. The entries come from a per-process copy of the published
content (`Content`), read again only when the content token changes.
"""

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch

from kb import providers, registry, search_index
from kb.bounce import esp, wordings
from kb.bounce.replies import hard_bounce as code_permanence
from kb.words import tokens
from kb.models import Code, ExampleReply, Provider

# Below this cosine similarity, words alone are too weak to name an entry.
MIN_TEXT_SIMILARITY = 0.3
# Within an entry, an example this similar to the diagnostic is "the one".
MIN_EXAMPLE_SIMILARITY = 0.2

_NOISE = re.compile(
    r"\S+@\S+|https?://\S+|\[[^\]]*\]|\b\d[\d.:/-]*\b|#?[245]\.\d{1,3}\.\d{1,3}",
    re.ASCII,
)


@dataclass
class Match:
    finding: object
    entry: Code | None = None
    example: ExampleReply | None = None
    why: str = ""  # why this entry explains the finding, for a person
    similarity: float | None = None
    warnings: list = field(default_factory=list)
    # The provider whose server generated the reply (kb/providers.py), None when nothing says.
    provider: Provider | None = None

    @property
    def hard_bounce(self):
        return self.finding.hard_bounce


def without_entries(findings):
    """Matches that name no entry, for when the knowledge base cannot be read (its database is down)."""
    why = "The knowledge base is unavailable for a moment, so no entry is shown; the codes above are read from the bounce itself."
    return [Match(finding, why=why, warnings=warnings_for(finding)) for finding in findings]


def words(text):
    """The words of a reply that carry meaning: no addresses, hosts, numbers or codes."""
    return [word for word in tokens(_NOISE.sub(" ", text or "")) if word.isalpha() and len(word) > 1]


class Content:
    """What matching reads of the knowledge base: every published entry with its examples,
    and the providers. Kept per process and content token (search_index.derived), so a
    request reads none of it while the content stays the same; it holds content only."""

    def __init__(self, using="default"):
        examples = Prefetch("examples", queryset=ExampleReply.objects.using(using).select_related("provider"))
        self.entries = {entry.code: entry for entry in Code.objects.using(using).published().prefetch_related(examples)}
        self.providers = providers.Directory(list(Provider.objects.using(using).all()))
        self.vectors = {}  # {code: [(word vector, example)]}, filled as entries are matched

    def example_vectors(self, entry):
        if entry.code not in self.vectors:
            self.vectors[entry.code] = [(unit_vector(Counter(words(ex.text))), ex) for ex in entry.examples.all()]
        return self.vectors[entry.code]


def current_content(using="default"):
    return search_index.derived(using, "matching", lambda: Content(using))


class Matcher:
    def __init__(self):
        # One Matcher serves one request or one CLI run: the content is read once, and a
        # bounce text's words are looked up once (a night's mbox repeats its servers' wordings
        # with other addresses, which words() drops). What the texts gave dies with the Matcher.
        self._content = None
        self._index = None
        self._similar = {}

    @property
    def content(self):
        if self._content is None:
            self._content = current_content()
        return self._content

    def match_all(self, findings, with_examples=True):
        return [self.match(finding, with_examples) for finding in findings]

    def match(self, finding, with_example=True):
        """The entry for a finding; with_example=False skips choosing the closest example reply."""
        match = Match(finding, warnings=warnings_for(finding), provider=self.provider_of(finding))
        for code, why in _code_candidates(finding):
            entry = self._entry(code)
            if entry is not None:
                match.entry, match.why = entry, why
                if with_example:
                    match.example, match.similarity = self._closest_example(finding.diagnostic, entry)
                return match
        self._match_by_text(match)
        return match

    def provider_of(self, finding):
        """Who generated the reply: by the remote server's host, else by what the text carries."""
        return self.content.providers.identify(finding.diagnostic, finding.remote_mta)

    def _entry(self, code):
        return self.content.entries.get(code)

    def _closest_example(self, diagnostic, entry):
        examples = self.content.example_vectors(entry)
        if not examples or not diagnostic:
            return None, None
        # Plain word counts: within one entry, every example shares the topic, so no IDF is needed.
        query = unit_vector(Counter(words(diagnostic)))
        score, best = max(((cosine(query, vector), example) for vector, example in examples), key=lambda pair: pair[0])
        if score < MIN_EXAMPLE_SIMILARITY:
            return None, None
        return best, round(score, 2)

    def _most_similar(self, text):
        if text not in self._similar:
            if self._index is None:
                self._index = Code.objects.search_index()
            self._similar[text] = self._index.most_similar(text)
        return self._similar[text]

    def _match_by_text(self, match):
        diagnostic = match.finding.diagnostic
        if not diagnostic:
            match.why = "The bounce carries no reply code, no status code and no diagnostic text to go on."
            return
        if self._match_by_wording(match):
            return
        score, found, item = self._most_similar(" ".join(words(diagnostic)))
        if found is None or score < MIN_TEXT_SIMILARITY:
            match.why = "The bounce carries no code, and its words are not close enough to any entry we have."
            return
        match.entry = self._entry(found.code)
        match.similarity = round(score, 2)
        if item.field == "reply":
            match.example = next((ex for ex in match.entry.examples.all() if ex.text == item.text), None)
            match.why = (
                f"The bounce carries no code; its text is most like a real reply filed under "
                f"{found.code} (similarity {match.similarity:.2f})."
            )
        else:
            match.why = (
                f"The bounce carries no code; its text is most like the title of {found.code} "
                f"(similarity {match.similarity:.2f})."
            )


    def _match_by_wording(self, match):
        """A notice in another language (or an old wording) that names its failure in words:
        "Postfach voll", "ユーザが存在しません" (kb/bounce/wordings.py). Our examples are mostly
        English, so the words' meaning goes first."""
        meaning = wordings.meaning(match.finding.diagnostic)
        entry = self._entry(wordings.STATUS_OF_MEANING[meaning]) if meaning else None
        if entry is None:
            return False
        match.entry = entry
        match.why = (f"The bounce carries no code; its words say what {entry.code} means "
                        f"({entry.title.lower()}), in the notice's own language.")
        return True


def _code_candidates(finding):
    """The codes to try, most specific first, each with the reason to give if it matches."""
    status, reply = finding.status, finding.reply_code
    if status and reply and reply[0] in "45" and status[0] in "45" and reply[0] != status[0]:
        # RFC 5321 §4.2.1: the reply code decides; "554 4.7.1" is a permanent refusal,
        # best explained by the status's twin in the reply's class.
        twin = reply[0] + status[1:]
        yield twin, (f"The reply code {reply} makes this {'permanent' if reply[0] == '5' else 'temporary'}, "
                     f"so the entry for {twin}, the twin of {status} in that class, explains it.")
    if status:
        yield status, f"The enhanced status code {status} has its own entry."
    if reply:
        detail = f" ({status} has no entry of its own)" if status else ""
        yield reply, f"Matched on the reply code {reply}{detail}."
    if status:
        family = ".".join(status.split(".")[:2]) + ".0"
        if family != status:
            yield family, f"{status} has no entry of its own; {family} covers its family."


def warnings_for(finding):
    """Contradictions a reader should know about. Warnings, not errors: providers do this."""
    status, reply = finding.status, finding.reply_code
    warnings = []
    if status and reply and status[0] != reply[0] and reply[0] in "245":
        warnings.append(
            f"The reply code {reply} and the status {status} disagree about the class. "
            f"The reply code decides (RFC 5321 §4.2.1): this is "
            f"{'a permanent failure' if reply[0] == '5' else 'a temporary failure, retried' if reply[0] == '4' else 'a success'}."
        )
    if status and reply and registry.is_associated(reply, status) is False:
        listed = registry.enhanced_registry()[registry.registry_key(status)]["associated"]
        warnings.append(
            f"The IANA registry pairs X{status[1:]} with {', '.join(listed)}, not with {reply}. "
            "Servers often combine codes this way; read the text too."
        )
    if status and registry.registry_key(status) not in registry.enhanced_registry():
        warnings.append(f"{status} is not in the IANA registry: its detail number is private to the vendor that sent it.")
    if finding.action == "failed" and code_permanence(finding.reply_code, finding.status) is False:
        warnings.append(
            "The sending server gave up (Action: failed) although the code is temporary: "
            "it retried until its time limit ran out. The cause may be gone now, so sending again later can work."
        )
    if reply and reply[0] not in "2345":
        warnings.append(f"{reply} is not an SMTP reply code: mail servers only send codes starting with 2 to 5.")
    if disagreement := esp.verdict_warning(finding):
        warnings.append(disagreement)
    return warnings


def unit_vector(weights):
    norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
    return {word: v / norm for word, v in weights.items()}


def cosine(a, b):
    """Cosine similarity of two unit vectors held as {word: weight}."""
    if len(a) > len(b):
        a, b = b, a
    return sum(weight * b.get(word, 0.0) for word, weight in a.items())
