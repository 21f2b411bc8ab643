"""What changed: the published entries' edits, read from the edit history (kb/history.py).

No second record: each revision that holds an entry is compared with the
entry's revision before it, and named by the parts that differ (summary,
causes, steps, examples, phrases, details). Listed are the changes to entries
that are published now, made while they were published (and the edit that
published them); drafts' edits, "as it was before its first edit" records
and editors' names are not.

The list is derived from the content, so each process keeps it until the
content token changes (search_index.derived), and the pages are served from
the page cache like the other public pages: every save and revert in the admin
writes a new token, so every process and server shows a change at its next request.
"""

from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from reversion.models import Revision

from kb import history, page_cache, search_index
from kb.models import Cause, Code, ExampleReply, ResolutionStep, SearchPhrase

CHANGES_PER_PAGE = 30
FEED_ITEMS = 30
# How /changes/ names an entry's parts, in the order it lists them.
PART_NAMES = [(Cause, "causes"), (ResolutionStep, "steps"), (ExampleReply, "examples"), (SearchPhrase, "phrases")]
SUMMARY, DETAILS, NEW, PUBLISHED = "summary", "details", "new entry", "published"


@dataclass
class PublishedChange:
    entry: Code  # as it is now
    date: object
    parts: list
    revision_id: int

    @property
    def anchor(self):
        return f"change-{self.revision_id}-{self.entry.pk}"


def published_changes(using="default"):
    """[PublishedChange] of the published entries, newest first."""
    return search_index.derived(using, "changes", lambda: _read_changes(using))


def _read_changes(using):
    entries = Code.objects.using(using).published().only("code", "title").in_bulk()
    snapshots = history.snapshots_in()
    revisions = Revision.objects.using(using).in_bulk({revision_id for revision_id, _, _ in snapshots})
    by_entry = {}
    for (revision_id, model, pk), snapshot in snapshots.items():
        if model is Code and pk in entries:
            by_entry.setdefault(pk, []).append((revisions[revision_id], snapshot))
    rows = []
    for pk, recorded in by_entry.items():
        before = None
        for revision, snapshot in sorted(recorded, key=lambda pair: (pair[0].date_created, pair[0].pk)):
            parts = [] if revision.comment == history.BEFORE_FIRST_EDIT else changed_parts(before, snapshot)
            if parts and snapshot.fields["published"]:
                rows.append(PublishedChange(entries[pk], revision.date_created, parts, revision.pk))
            before = snapshot
    return sorted(rows, key=lambda row: (row.date, row.revision_id), reverse=True)


def changed_parts(before, after):
    """The names of the parts of an entry that differ from snapshot before to snapshot after."""
    if before is None:
        return [NEW]
    parts = [PUBLISHED] if not before.fields["published"] and after.fields["published"] else []
    if not _same(before.fields.get("summary"), after.fields.get("summary")):
        parts.append(SUMMARY)
    if any(not _same(before.fields.get(name), value) for name, value in after.fields.items() if name not in ("summary", "published")):
        parts.append(DETAILS)
    for model, name in PART_NAMES:
        if _parts_of(before, model) != _parts_of(after, model):
            parts.append(name)
    return parts


def _parts_of(snapshot, model):
    return {pk: {name: _lines(value) for name, value in fields.items()}
            for (part_model, pk), fields in snapshot.parts.items() if part_model is model}


def _same(a, b):
    return _lines(a) == _lines(b)


def _lines(value):
    """Text compared by its lines: a browser's CRLF or a form's stripped last newline is no change."""
    return tuple(value.strip().splitlines()) if isinstance(value, str) else value


def changes(request):
    return page_cache.serve(request, f"changes?{request.GET.urlencode()}", lambda: _changes(request))


def _changes(request):
    code = request.GET.get("code", "").strip()
    rows = published_changes()
    if code:
        rows = [row for row in rows if row.entry.code == code]
    page = Paginator(rows, CHANGES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "kb/changes.html", {"page": page, "code": code})


def changes_feed(request):
    return page_cache.serve(request, "changes_feed", lambda: ChangesFeed()(request))


class ChangesFeed(Feed):
    """The newest published changes as Atom. A new instance per request (changes_feed), so that it may keep the request."""

    feed_type = Atom1Feed
    title = "smtp-kb: what changed"
    subtitle = "Recent changes to the published entries of the SMTP reply code knowledge base."

    def get_object(self, request):
        self.request = request
        return None

    def link(self):
        return reverse("changes")

    def feed_url(self):
        return reverse("changes_feed")

    def items(self):
        return published_changes()[:FEED_ITEMS]

    def item_title(self, row):
        return f"{row.entry.code} {row.entry.title}: {', '.join(row.parts)}"

    def item_description(self, row):
        return f"{row.entry.code} {row.entry.title}. Changed: {', '.join(row.parts)}."

    def item_link(self, row):
        return row.entry.get_absolute_url()

    def item_guid(self, row):
        # Unique per change and stable: the change's place on /changes/.
        return self.request.build_absolute_uri(f"{reverse('changes')}#{row.anchor}")

    def item_guid_is_permalink(self, row):
        return False

    def item_updateddate(self, row):
        return row.date

    def item_pubdate(self, row):
        return row.date
