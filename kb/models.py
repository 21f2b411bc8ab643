import functools

from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Q
from django.db.models.functions import Lower
from django.db.models.expressions import RawSQL
from django.urls import get_script_prefix, reverse
from django.utils import timezone, translation

from kb import codes, search, search_index


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

    def get_absolute_url(self):
        return reverse("provider_detail", args=[self.slug])

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

    def search_index(self):
        """The kb.search.Index of the published entries, kept per process until the content changes."""
        return search_index.current_index(self.db)

    def understand(self, q):
        """q read as a kb.search.Query, mistyped words of a short query respelled."""
        return self.search_index().understand(q)

    def ranked(self, q):
        """[kb.search.Result] of the published entries for q (text, or a Query from understand()), best first."""
        index = self.search_index()
        return index.ranked(q if isinstance(q, search.Query) else index.understand(q))

    def search(self, q):
        """Published entries for q, best first (ranked()), as a queryset that keeps its order through further filters."""
        ids = [result.entry.id for result in self.ranked(q)]
        return self.filter(pk__in=ids).order_by(_in_order_of(ids, connections[self.db])) if ids else self.none()

    def rebuild_search_index(self):
        """Tell every process that the content changed, so that search reads it anew (kb/search_index.py).

        Runs after loaddata (kb's loaddata command calls it), after every save
        in the admin, and from `manage.py rebuild_search_index`.
        """
        search_index.rebuild(self.db)

    def close_to(self, text):
        """Published entries whose codes look like the numbers in text (5.7.62: 5.7.26), for empty results."""
        known = [entry.code for entry in self.search_index().entries]
        return self.published().filter(code__in=search.close_codes(text, known)).in_code_order()

    def get_by_natural_key(self, code):
        return self.get(code=code)


def _in_order_of(ids, connection):
    """An ORDER BY that keeps the order of ids. One parameter, where a CASE
    with a branch per id would cost more to build than the search."""
    if connection.vendor == "postgresql":
        return RawSQL('array_position(%s::bigint[], "kb_code"."id")', [list(ids)])
    return RawSQL("""instr(%s, ',' || "kb_code"."id" || ',')""", ["," + ",".join(map(str, ids)) + ","])


# A code's URL changes only with the prefix the site is served under. reverse()
# costs a search page of 20 results about half a millisecond, a tenth of it (bench_search).
@functools.lru_cache(maxsize=4096)
def _code_url(script_prefix, code):
    return reverse("code_detail", args=[code])


def entry_url(code):
    """The URL of a code's entry page."""
    return _code_url(get_script_prefix(), code)


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

    objects = CodeQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(code__startswith=codes.NOT_A_REPLY_CLASS) | Q(standing="folklore"),
                name="only_folklore_codes_start_with_1",
                violation_error_message="Codes starting with 1 are no SMTP replies: mark them as folklore.",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def natural_key(self):
        return (self.code,)

    def get_absolute_url(self):
        return entry_url(self.code)

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

    @property
    def language_name(self):
        """The English name of the reply's language ("German" for de, "Portuguese" for pt-BR); None if unknown."""
        try:
            return translation.get_language_info(self.language)["name"] if self.language else None
        except KeyError:
            return None


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


class IndexBuild(models.Model):
    """The content's token (one row), written anew after every change (kb/search_index.py).

    Derived state, written by Code.objects.rebuild_search_index(); never edited.
    A process keeps what it derives from the content (the search index) with
    the token it read first, and derives it anew when the token has changed.
    In the database, unlike a counter in the default per-process cache, the
    token is the same for every app process and server, and changes in the
    same transaction as the content.
    """

    token = models.CharField(max_length=32, unique=True)
    built = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-built"]

    def __str__(self):
        return f"search index built {self.built:%Y-%m-%d %H:%M:%S}"


class Feedback(models.Model):
    """What a visitor chose to tell the editors: a wrong match, or whether an entry helped.

    Holds only what the visitor saw and sent (kb/feedback.py): the reply line
    after kb.redact, the codes, the entry shown and why, and a comment. Never
    the rest of a paste, an IP address, a cookie or a user agent.
    """

    class Kind(models.TextChoices):
        MATCH = "match", "Wrong or no match"
        ENTRY = "entry", "Did the entry help?"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN, help_text="Done once an editor has acted on it."
    )
    entry = models.ForeignKey(
        Code, on_delete=models.SET_NULL, null=True, blank=True, related_name="feedback",
        help_text="The entry the visitor was shown, if any.",
    )
    helpful = models.BooleanField(null=True, blank=True, help_text="The visitor's yes or no, for an entry.")
    text = models.TextField(blank=True, help_text="The server's reply as the visitor confirmed it, redacted.")
    reply_code = models.CharField(max_length=3, blank=True)
    status_code = models.CharField(max_length=11, blank=True, verbose_name="enhanced status code")
    reason = models.CharField(max_length=40, blank=True, help_text="The analyser's reason for the bounce (a Sisimai name, /reasons/).")
    advice = models.CharField(max_length=30, blank=True, help_text="What the analyser advised: suppress, retry, fix-sender…")
    comment = models.TextField(blank=True, help_text="The visitor's own words, redacted.")
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created"]
        verbose_name_plural = "feedback"
        indexes = [
            # The queue's default view and the entry page's counts for editors: open items of an entry.
            models.Index(fields=["entry", "status"], name="feedback_entry_status"),
        ]

    def __str__(self):
        about = self.entry.code if self.entry_id else (self.status_code or self.reply_code or "no code")
        return f"{self.get_kind_display()}: {about}, {self.created:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("admin:kb_feedback_change", args=[self.pk])
