import functools
import uuid

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.db.models.expressions import RawSQL
from django.urls import get_script_prefix, reverse
from django.utils import timezone

from kb import codes, search


def validate_code(value):
    if codes.kind_of(value) is None:
        raise ValidationError(
            "“%(value)s” is not a well-formed code. Write a basic reply code as three digits "
            "(550) or an enhanced status code as class.subject.detail (5.1.1), where the class "
            "is 2, 4 or 5 and subject and detail have no leading zeros.",
            code="malformed_code",
            params={"value": value},
        )


class SlugNaturalKeyManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Category(models.Model):
    slug = models.SlugField(unique=True, help_text="Short name used in URLs and fixtures.")
    name = models.CharField(max_length=80, help_text="Shown on pages, e.g. “Mailbox full”.")
    description = models.TextField(blank=True, help_text="One or two sentences for the browse page.")

    objects = SlugNaturalKeyManager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("code_list") + f"?category={self.slug}"


class Provider(models.Model):
    """A mailbox provider, an ESP, mail software or a filtering service whose replies we quote."""

    class Kind(models.TextChoices):
        MAILBOX = "mailbox", "Mailbox provider"
        ESP = "esp", "Email service provider"
        SOFTWARE = "software", "Mail server software"
        FILTER = "filter", "Filtering or security service"
        ISP = "isp", "Internet or hosting provider"

    slug = models.SlugField(unique=True, help_text="Short name used in URLs and fixtures.")
    name = models.CharField(max_length=100, help_text="e.g. “Gmail / Google Workspace”.")
    kind = models.CharField(max_length=10, choices=Kind.choices, blank=True, help_text="What sort of sender of replies this is.")
    website = models.URLField(blank=True, help_text="The provider's own page about its errors, if any.")
    summary = models.TextField(blank=True, help_text="Markdown. Who they are, in two or three sentences.")
    recognise = models.TextField(
        blank=True,
        help_text="Markdown. How their replies look, and how to tell that they generated one (gsmtp, RESOLVER.*, [TSS04]).",
    )
    twists = models.TextField(
        blank=True, help_text="Markdown. Where they give a standard code a meaning of their own (Microsoft's 5.1.10)."
    )
    links = models.TextField(
        blank=True,
        help_text="Their postmaster and documentation pages, one per line: the URL, a space, then its title.",
    )
    hosts = models.TextField(
        blank=True,
        help_text="Domains of their mail servers, one per line (google.com): a reply from a host under one is theirs.",
    )
    signatures = models.TextField(
        blank=True,
        help_text="Text that only their replies carry, one per line (gsmtp, RESOLVER.ADR.): matched ignoring case.",
    )

    objects = SlugNaturalKeyManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    def link_list(self):
        """[(url, title)] of the links field."""
        lines = (line.strip().split(None, 1) for line in self.links.splitlines() if line.strip())
        return [(parts[0], parts[1] if len(parts) > 1 else parts[0]) for parts in lines]

    def host_list(self):
        return _lines(self.hosts)

    def signature_list(self):
        return _lines(self.signatures)


def _lines(text):
    return [line.strip() for line in text.splitlines() if line.strip()]


# codes.sort_key in SQL: class, basic before enhanced (a basic code has three
# characters, an enhanced one at least five), then numerically. Subjects are
# one digit (RFC 3463 §3 defines 0 to 7), so an enhanced code's first three
# characters hold class and subject, and a shorter detail is a smaller
# number: 5.1.2 before 5.1.10. Plain SQL that SQLite and PostgreSQL share:
# the same ORM expressions cost every list of codes half a millisecond more.
CODE_ORDER = [
    RawSQL("substr(kb_code.code, 1, 1)", ()),
    RawSQL("length(kb_code.code) > 3", ()),
    RawSQL("substr(kb_code.code, 1, 3)", ()),
    RawSQL("length(kb_code.code)", ()),
    "code",
]


class CodeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def of_class(self, digit):
        return self.filter(code__startswith=digit)

    def of_kind(self, kind):
        enhanced = Q(code__contains=".")
        return self.filter(enhanced if kind == codes.ENHANCED else ~enhanced)

    def in_code_order(self):
        return self.order_by(*CODE_ORDER)

    def understand(self, q):
        """Read q (kb.search.read) and settle how its words are matched.

        Every word must match. When that finds nothing, in a short query of
        words alone, words the entries never use are respelled to the closest
        word they do use (a typo: "mialbox ful"); when that still finds
        nothing, any word may match.
        The matches found on the way go with the query, for search().
        """
        query = search.read(q)
        if not query.words:
            return query
        connection = connections[self.db]
        matches = _text_matches(query, connection)
        if matches:
            return query.matching(matches)
        if query.may_respell:
            query = query.respelled(SearchWord.objects.using(self.db).respellings(query.words))
            matches = _text_matches(query, connection) if query.corrections else {}
            if matches:
                return query.matching(matches)
        query = query.with_any_word()
        return query.matching(_text_matches(query, connection))

    def ranked(self, q):
        """[(id, kb.search.Entry)] of the published entries for q (text, or a
        kb.search.Query from understand()), best first.

        The ranking itself is kb.search.ranking(), in Python, so that it is the
        same on every database; the databases only say which entries match
        q's words and how well. It takes at most two small queries, none for
        words that understand() has matched.
        """
        query = q if isinstance(q, search.Query) else self.understand(q)
        if not query:
            return []
        matches = {}
        if query.words:
            matches = query.matches if query.matches is not None else _text_matches(query, connections[self.db])
        entries = matches
        if query.codes or query.families:
            entries = {**self.published_codes(), **matches}
        text_ranks = {pk: match.rank for pk, match in matches.items()}
        codes = {pk: (entry.code, entry.standing) for pk, entry in entries.items()}
        ids = search.ranking(query, codes, text_ranks, self._related(codes, query.codes))
        return [(pk, entries[pk]) for pk in ids]

    def search(self, q):
        """Published entries for q, best first (ranked()), as a queryset that keeps
        its order through further filters."""
        ids = [pk for pk, _ in self.ranked(q)]
        # Every id is of a published entry: the matches and the codes ranked are.
        return self.filter(pk__in=ids).order_by(_in_order_of(ids, connections[self.db])) if ids else self.none()

    def published_codes(self):
        """{id: kb.search.Entry} of every published entry, without summaries: what a search by code ranks.

        Plain SQL, as in has_published(): searches by code are half of all
        searches, and the ORM takes longer to build these two queries than
        the database takes to answer them.
        """
        with connections[self.db].cursor() as cursor:
            cursor.execute(f"SELECT id, code, standing, title FROM {Code._meta.db_table} WHERE published")
            return {pk: search.Entry(*entry) for pk, *entry in cursor.fetchall()}

    def has_published(self, code):
        """Whether code has a published entry."""
        with connections[self.db].cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {Code._meta.db_table} WHERE code = %s AND published", [code])
            return cursor.fetchone() is not None

    def _related(self, entries, code_list):
        """Ids of the entries related to those with these codes, either way round."""
        exact = [pk for pk, (code, _) in entries.items() if code in code_list]
        if not exact:
            return set()
        links = Code.related.through.objects.using(self.db)
        pairs = links.filter(Q(from_code__in=exact) | Q(to_code__in=exact)).values_list("from_code", "to_code")
        return {pk for pair in pairs for pk in pair} - set(exact)

    def rebuild_search_index(self):
        """Rebuild the word index of every published entry, and the spelling vocabulary.

        Runs after loaddata (kb's loaddata command calls it), after every save
        in the admin, and from `manage.py rebuild_search_index`. It reads all
        entries in six queries, writes the index in one statement and the
        vocabulary anew, in one transaction, and with them a new IndexBuild
        token, which tells every process to read anew what it derived from them.
        """
        documents = self.model.objects.using(self.db).published().search_documents()
        words = search.vocabulary(documents.values())
        connection = connections[self.db]
        with transaction.atomic(using=self.db), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                search.postgres_write(cursor, documents)
            else:
                search.sqlite_write(cursor, documents)
            SearchWord.objects.using(self.db).all().delete()
            SearchWord.objects.using(self.db).bulk_create(
                SearchWord(word=word, entries=n) for word, n in words.items() if len(word) <= SearchWord.MAX_LENGTH
            )
            IndexBuild.objects.using(self.db).all().delete()
            IndexBuild.objects.using(self.db).create(token=uuid.uuid4().hex)

    def search_documents(self):
        """{pk: kb.search.Document} for these entries: what the word index holds."""
        entries = self.prefetch_related(
            "categories",
            "causes",
            "steps",
            "phrases",
            models.Prefetch("examples", ExampleReply.objects.select_related("provider")),
        )
        documents = {}
        for entry in entries:
            body = [item.text for item in (*entry.causes.all(), *entry.steps.all())]
            for example in entry.examples.all():
                body += [example.text, example.notes, example.provider.name if example.provider else ""]
            documents[entry.pk] = search.Document(
                heading=search.plain(" ".join([entry.code, entry.title, *(c.name for c in entry.categories.all()),
                                               *(p.text for p in entry.phrases.all())])),
                summary=search.plain(entry.summary),
                body=search.plain(" ".join([*body, entry.references])),
            )
        return documents

    def close_to(self, text):
        """Published entries whose codes look like the numbers in text (5.7.62: 5.7.26), for empty results."""
        close = search.close_codes(text, self.published().values_list("code", flat=True))
        return self.published().filter(code__in=close).in_code_order()

    def get_by_natural_key(self, code):
        return self.get(code=code)


def _text_matches(query, connection):
    """{id: kb.search.Entry} of the published entries matching query's words."""
    matches = search.postgres_matches if connection.vendor == "postgresql" else search.sqlite_matches
    with connection.cursor() as cursor:
        rows = matches(cursor, query.words, query.match_all)
    return {pk: search.Entry(*entry) for pk, *entry in rows}


def _in_order_of(ids, connection):
    """An ORDER BY that keeps the order of ids. One parameter, where a CASE
    with a branch per id would cost more to build than the search."""
    if connection.vendor == "postgresql":
        return RawSQL('array_position(%s::bigint[], "kb_code"."id")', [list(ids)])
    return RawSQL("""instr(%s, ',' || "kb_code"."id" || ',')""", ["," + ",".join(map(str, ids)) + ","])


# reverse() costs more than the rest of a search result's row, and a code's
# URL changes only with the prefix the site is served under (or the URLconf).
@functools.lru_cache(maxsize=4096)
def _code_url(script_prefix, code):
    return reverse("code_detail", args=[code])


class Code(models.Model):
    """One entry: a basic reply code (550) or an enhanced status code (5.1.1).

    Kind, class and severity are read from the code itself, never stored, so
    they cannot contradict it.
    """

    class Standing(models.TextChoices):
        RFC = "rfc", "Defined by an RFC"
        REGISTRY = "registry", "In the IANA registry only"
        VENDOR = "vendor", "Vendor-specific"
        FOLKLORE = "folklore", "Unofficial folklore"

    code = models.CharField(
        max_length=11,
        unique=True,
        validators=[validate_code],
        help_text="550 for a basic reply code, 5.1.1 for an enhanced status code.",
    )
    title = models.CharField(max_length=200, help_text="A short plain-words meaning, e.g. “Mailbox unavailable”.")
    summary = models.TextField(
        help_text="Markdown. What the code means, whether to retry, and who can fix it, in plain words."
    )
    standing = models.CharField(
        max_length=10,
        choices=Standing.choices,
        help_text="Who defines this code: an RFC, only the IANA registry, one vendor, or nobody.",
    )
    references = models.TextField(
        blank=True,
        help_text="One per line, e.g. “RFC 5321 §4.2.3” or “RFC 3463 §3.2”, optionally followed by a note.",
    )
    related = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="related_from",
        help_text="Codes a reader should look at next, e.g. 550 ↔ 5.1.1.",
    )
    range_end = models.CharField(
        max_length=11,
        blank=True,
        validators=[validate_code],
        help_text="Only for an entry that explains a documented range (5.7.606 to 5.7.649): its last code.",
    )
    categories = models.ManyToManyField(Category, blank=True, related_name="codes")
    published = models.BooleanField(default=True, help_text="Unpublished entries are drafts: hidden from the site.")
    updated = models.DateTimeField(default=timezone.now, editable=False)
    # Derived from the entry and its items by Code.objects.rebuild_search_index(),
    # on PostgreSQL only (SQLite keeps its word index in an FTS5 table). Its
    # GIN index, created by migration 0002 on PostgreSQL, serves the @@ match
    # of CodeQuerySet.search().
    search_vector = SearchVectorField(null=True, editable=False)

    objects = CodeQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(code__startswith="1") | Q(standing="folklore"),
                name="only_folklore_codes_start_with_1",
                violation_error_message="Codes starting with 1 are no SMTP replies: mark them as folklore.",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def natural_key(self):
        return (self.code,)

    def get_absolute_url(self):
        return _code_url(get_script_prefix(), self.code)

    @property
    def kind(self):
        return codes.kind_of(self.code)

    @property
    def code_class(self):
        return codes.class_of(self.code)

    @property
    def severity(self):
        return codes.severity_of(self.code)

    @property
    def hard_bounce(self):
        return codes.hard_bounce_of(self.code)

    @property
    def sort_key(self):
        return codes.sort_key(self.code)

    def reference_list(self):
        return [line.strip() for line in self.references.splitlines() if line.strip()]


class CodeItemManager(models.Manager):
    def get_by_natural_key(self, code, position):
        return self.get(code__code=code, position=position)


class CodeItem(models.Model):
    """An ordered markdown item of one entry; position keeps the editor's order."""

    code = models.ForeignKey(Code, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")

    objects = CodeItemManager()

    class Meta:
        abstract = True
        ordering = ["code", "position"]

    def natural_key(self):
        return (self.code.code, self.position)

    natural_key.dependencies = ["kb.code"]


class Cause(CodeItem):
    text = models.TextField(help_text="Markdown. One reason this code is sent, in plain words.")

    class Meta(CodeItem.Meta):
        default_related_name = "causes"
        constraints = [models.UniqueConstraint(fields=["code", "position"], name="unique_cause_position")]

    def __str__(self):
        return f"{self.code.code} cause {self.position}"


class ResolutionStep(CodeItem):
    class Audience(models.TextChoices):
        SENDER = "sender", "The sender"
        SENDER_ADMIN = "sender-admin", "The sending mail admin"
        RECIPIENT = "recipient", "The recipient"
        RECIPIENT_ADMIN = "recipient-admin", "The recipient's mail admin"

    text = models.TextField(help_text="Markdown. One thing to do, starting with a verb.")
    audience = models.CharField(
        max_length=20, choices=Audience.choices, blank=True, help_text="Whom this step is for, where that matters."
    )

    class Meta(CodeItem.Meta):
        default_related_name = "steps"
        constraints = [models.UniqueConstraint(fields=["code", "position"], name="unique_step_position")]

    def __str__(self):
        return f"{self.code.code} step {self.position}"


class ExampleReply(CodeItem):
    text = models.TextField(help_text="The exact reply a real server sent, as seen. Never invented.")
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, null=True, blank=True, related_name="examples"
    )
    source = models.CharField(max_length=300, help_text="Where this reply was seen: a URL or a corpus path.")
    language = models.CharField(
        max_length=12, blank=True, help_text="The reply's language as a BCP 47 tag (de, ja, pt-BR); empty for English."
    )
    notes = models.TextField(blank=True, help_text="Markdown. Optional remarks, e.g. what the provider means.")

    class Meta(CodeItem.Meta):
        default_related_name = "examples"
        verbose_name_plural = "example replies"
        constraints = [models.UniqueConstraint(fields=["code", "position"], name="unique_example_position")]

    def __str__(self):
        return f"{self.code.code} example {self.position}"


class SearchPhrase(CodeItem):
    """Words that servers and people use for this entry: a search that has them finds it first."""

    text = models.CharField(
        max_length=200,
        help_text="As a server or a person writes it: “User unknown”, “Relay access denied”, “over quota”.",
    )
    shared = models.BooleanField(
        default=False,
        help_text="Tick when the phrase belongs to other entries too, on purpose: then each of them ranks for it.",
    )

    class Meta(CodeItem.Meta):
        default_related_name = "phrases"
        verbose_name = "search phrase"
        constraints = [
            models.UniqueConstraint(fields=["code", "position"], name="unique_phrase_position"),
            # Serves no query: one entry lists a phrase once.
            models.UniqueConstraint(Lower("text"), "code", name="unique_phrase_text"),
        ]

    def __str__(self):
        return f"{self.code.code} phrase {self.position}"


class SearchWordQuerySet(models.QuerySet):
    def respellings(self, words, loose=False):
        """{word: respelled} for the words no entry uses that are close to one that entries use.

        Strict when respelling a search on its own; loose for suggestions when
        nothing was found. The vocabulary is read once per process and rebuild
        of the index, and difflib picks among its words the same way on every database.
        """
        cutoff = search.LOOSE_SPELLING_CUTOFF if loose else search.SPELLING_CUTOFF
        vocabulary = derived_from_index(self.db, "vocabulary", lambda: search.Vocabulary(self.values_list("word", "entries")))
        return vocabulary.respellings(words, cutoff)


class SearchWord(models.Model):
    """A word that published entries use: what a mistyped search word is respelled to.

    Derived state, rebuilt with the search index; never edited.
    """

    MAX_LENGTH = 60

    word = models.CharField(max_length=MAX_LENGTH)
    entries = models.PositiveIntegerField(help_text="How many published entries use the word.")

    objects = SearchWordQuerySet.as_manager()

    class Meta:
        ordering = ["word"]
        constraints = [models.UniqueConstraint(fields=["word"], name="unique_search_word")]

    def __str__(self):
        return self.word


class IndexBuild(models.Model):
    """The last rebuild of the search index (one row): its token changes with every rebuild.

    Derived state, written by Code.objects.rebuild_search_index(); never edited.
    A process keeps what it reads of the index, such as the vocabulary that
    words are respelled to, with the token it read first, and reads it anew
    when the token has changed (derived_from_index()). In the database,
    unlike a counter in the default per-process cache, the token is the same
    for every app process and server, and changes in the same transaction as
    the index.
    """

    token = models.CharField(max_length=32, unique=True)
    built = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-built"]

    def __str__(self):
        return f"search index built {self.built:%Y-%m-%d %H:%M:%S}"


# {(database alias, name): (IndexBuild token, value)}, per process.
_derived = {}


def derived_from_index(using, name, read):
    """read(), once per process and rebuild of the search index.

    read() must read only what rebuild_search_index() writes. A call costs
    one small query, for the token, instead of what read() costs. The token
    is read before read() runs, so what a rebuild commits meanwhile is read
    again on the next call. Before the index is first built there is no
    token, and nothing is kept.
    """
    with connections[using].cursor() as cursor:
        # Plain SQL: the ORM would build this query in twice the time it takes to run.
        # Two rebuilds committed at once may leave two rows: the newest counts.
        cursor.execute(f"SELECT token FROM {IndexBuild._meta.db_table} ORDER BY id DESC LIMIT 1")
        row = cursor.fetchone()
    if row is None:
        return read()
    kept = _derived.get((using, name))
    if kept is None or kept[0] != row[0]:
        kept = _derived[(using, name)] = (row[0], read())
    return kept[1]
