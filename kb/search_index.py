"""The search index: built from the published entries, kept by each process until the content changes.

kb.search ranks in Python over an Index of the published entries, the same on
every database. This module builds that Index from the models and keeps it per
process, together with anything else derived from the content (derived()),
until the content token changes.

The token (IndexBuild) is written anew by Code.objects.rebuild_search_index()
after every change: loaddata, every save, delete and revert in the admin,
`manage.py rebuild_search_index`. It lives in the database, so every app
process and server sees a change at its next request, in the same transaction
as the change. Reading it costs one small query per request.
"""

import contextvars
import datetime
import functools
import hashlib
import pathlib
import re
import sys
import uuid

from django.conf import settings
from django.core.cache import caches
from django.db import connections, models, transaction
from django.utils import timezone

from kb import search, words

# Markdown link targets and emphasis, dropped for the text search shows and compares.
_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")
_EMPHASIS = re.compile(r"[*_`#>]+")
_CODE_LINK = re.compile(r"\]\(/codes/([^/)\s]+)/\)")
_PARAGRAPHS = re.compile(r"\r?\n[ \t]*\r?\n")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(\[`*])")


def plain(markdown_text):
    """Markdown as the words a reader sees: link texts without targets, no emphasis marks."""
    return " ".join(_EMPHASIS.sub("", _LINK.sub(lambda m: m.group(1), markdown_text)).split())


def _sentences(markdown_text):
    return [s for s in _SENTENCE_END.split(" ".join(markdown_text.split())) if s]


def _prose_items(code, markdown_text, field, label):
    """A markdown text's sentences as items; one that links to another code is a passing mention of it."""
    items = []
    for sentence in _sentences(markdown_text):
        mentions = any(target != code for target in _CODE_LINK.findall(sentence))
        items.append(search.Item("mention" if mentions else field, plain(sentence), label))
    return items


def entry_items(entry):
    """The items of one entry (its parts prefetched), in the order a page shows them."""
    items = [search.Item("title", entry.title, "Title")]
    items += [search.Item("phrase", phrase.text, "Also searched as") for phrase in entry.phrases.all()]
    items += [search.Item("category", category.name, "Problem") for category in entry.categories.all()]
    paragraphs = [p for p in _PARAGRAPHS.split(entry.summary.strip()) if p.strip()]
    for n, paragraph in enumerate(paragraphs):
        items += _prose_items(entry.code, paragraph, "lead" if n == 0 else "summary", "Summary")
    for cause in entry.causes.all():
        items += _prose_items(entry.code, cause.text, "cause", "Cause")
    for step in entry.steps.all():
        items += _prose_items(entry.code, step.text, "step", "What to do")
    providers = []
    for example in entry.examples.all():
        name = example.provider.name if example.provider else ""
        items.append(search.Item("reply", example.text, f"Real reply from {name}" if name else "Real reply"))
        if example.notes:
            items += _prose_items(entry.code, example.notes, "note", "Note on a reply")
        if name and name not in providers:
            providers.append(name)
    items += [search.Item("provider", name, "Provider") for name in providers]
    items += [search.Item("mention", line, "Reference") for line in entry.reference_list()]
    return tuple(items)


def build_index(queryset):
    """A search.Index of the published entries of queryset, read in seven queries."""
    from kb.models import ExampleReply

    entries = queryset.published().prefetch_related(
        "categories", "causes", "steps", "phrases", "related", "related_from",
        models.Prefetch("examples", ExampleReply.objects.select_related("provider")),
    )
    return search.Index(
        search.Entry(
            id=entry.pk,
            code=entry.code,
            standing=entry.standing,
            title=entry.title,
            summary=entry.summary,
            range_end=entry.range_end,
            related=tuple(sorted({c.code for c in [*entry.related.all(), *entry.related_from.all()] if c.published})),
            items=entry_items(entry),
        )
        for entry in entries
    )


def rebuild(using):
    """Tell every process that the content changed: a new token, in the caller's transaction."""
    from kb.models import IndexBuild

    with transaction.atomic(using=using):
        IndexBuild.objects.using(using).all().delete()
        build = IndexBuild.objects.using(using).create(token=uuid.uuid4().hex)
    read_in_this_request = _request_versions.get()
    if read_in_this_request is not None:
        read_in_this_request[using] = (build.token, build.built)


# {database alias: (token, built)} read during the current request (ContentTokenMiddleware),
# so that one request reads the token once and sees one version of the content.
_request_versions = contextvars.ContextVar("content_versions", default=None)


def version(using="default"):
    """(token, time built) of the content as it is now, or None before the first rebuild."""
    from kb.models import IndexBuild

    read_in_this_request = _request_versions.get()
    if read_in_this_request is not None and using in read_in_this_request:
        return read_in_this_request[using]
    with connections[using].cursor() as cursor:
        # Plain SQL: the ORM would build this query in twice the time it takes to run.
        # Two rebuilds committed at once may leave two rows: the newest counts.
        cursor.execute(f"SELECT token, built FROM {IndexBuild._meta.db_table} ORDER BY id DESC LIMIT 1")
        row = cursor.fetchone()
    found = None
    if row is not None:
        built = row[1]
        if isinstance(built, str):  # SQLite's raw rows hold text, in UTC
            built = IndexBuild._meta.get_field("built").to_python(built)
        if timezone.is_naive(built):
            built = timezone.make_aware(built, datetime.timezone.utc)
        found = (row[0], built)
    if read_in_this_request is not None and found is not None:
        read_in_this_request[using] = found
    return found


def token(using="default"):
    """The content's current token, or None before the first rebuild."""
    current = version(using)
    return current[0] if current else None


class ContentTokenMiddleware:
    """Reads the content token at most once per request (token()); outside requests, every call reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        scope = _request_versions.set({})
        try:
            return self.get_response(request)
        finally:
            _request_versions.reset(scope)


# {(database alias, name): (token, value)}, per process.
_kept = {}


def derived(using, name, read, shared=False):
    """read(), once per process and content token: what a process derives from the content.

    read() must read only content. The token is read before read() runs, so
    what a rebuild commits meanwhile is read again on the next call. Before
    the first rebuild there is no token, and nothing is kept. `shared` values
    are also kept in the "derived" cache (settings.CACHES), so that the next
    process, a command line run or another app worker, reads them instead of
    deriving them again.
    """
    current = token(using)
    if current is None:
        return read()
    kept = _kept.get((using, name))
    if kept is None or kept[0] != current:
        value = _shared_read(using, name, current, read) if shared else read()
        kept = _kept[(using, name)] = (current, value)
    return kept[1]


@functools.cache
def _code_version():
    """A hash of the code that shapes a shared value, part of its key: an upgrade never reads what
    older code pickled. Read on first use, so a process that shares nothing reads no source."""
    sources = (pathlib.Path(module.__file__).read_bytes() for module in (search, words, sys.modules[__name__]))
    return hashlib.sha256(b"".join(sources)).hexdigest()[:16]


def _shared_read(using, name, current, read):
    if "derived" not in settings.CACHES:
        return read()  # settings without the shared cache (tests that replace CACHES)
    store = caches["derived"]
    key = f"{name}:{using}:{current}:{_code_version()}"
    try:
        value = store.get(key)
    except Exception:  # noqa: BLE001 - a cache entry that cannot be read (truncated, foreign) is a miss
        value = None
    if value is None:
        value = read()
        try:
            store.set(key, value)
        except OSError:
            pass  # a read-only or full disk: every process derives its own, as without the cache
    return value


def current_index(using="default"):
    """The search.Index of the published entries, as of the content's current token."""
    from kb.models import Code

    return derived(using, "index", lambda: build_index(Code.objects.using(using)), shared=True)


def slugs_and_names(model, using="default"):
    """[(slug, name)] of every category or provider, for the filters' options."""
    return derived(using, f"options:{model._meta.model_name}", lambda: list(model.objects.using(using).values_list("slug", "name")))
