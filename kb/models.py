from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from kb import codes


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
    slug = models.SlugField(unique=True, help_text="Short name used in URLs and fixtures.")
    name = models.CharField(max_length=100, help_text="e.g. “Gmail / Google Workspace”.")
    website = models.URLField(blank=True, help_text="The provider's own page about its errors, if any.")

    objects = SlugNaturalKeyManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class CodeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def of_class(self, digit):
        return self.filter(code__startswith=digit)

    def of_kind(self, kind):
        enhanced = Q(code__contains=".")
        return self.filter(enhanced if kind == codes.ENHANCED else ~enhanced)

    def search(self, q):
        """Published entries matching q, best first. Words match code, title and summary."""
        results = self.published()
        for word in q.split():
            results = results.filter(
                Q(code__icontains=word) | Q(title__icontains=word) | Q(summary__icontains=word)
            )
        return results

    def get_by_natural_key(self, code):
        return self.get(code=code)


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
    categories = models.ManyToManyField(Category, blank=True, related_name="codes")
    published = models.BooleanField(default=True, help_text="Unpublished entries are drafts: hidden from the site.")
    updated = models.DateTimeField(default=timezone.now, editable=False)

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
        return reverse("code_detail", args=[self.code])

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
    notes = models.TextField(blank=True, help_text="Markdown. Optional remarks, e.g. what the provider means.")

    class Meta(CodeItem.Meta):
        default_related_name = "examples"
        verbose_name_plural = "example replies"
        constraints = [models.UniqueConstraint(fields=["code", "position"], name="unique_example_position")]

    def __str__(self):
        return f"{self.code.code} example {self.position}"
