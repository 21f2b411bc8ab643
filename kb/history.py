"""Edit history: who changed what and when, as snapshots to compare and to go back to.

django-reversion keeps it. Each save in the admin is a Revision (who, when,
the admin's change message) holding a Version, a JSON copy, of every object
it saved. An entry (Code) and its parts (causes, steps, examples) follow
each other, so every revision that touches an entry holds all of it:
comparing two revisions compares two whole entries, and reverting restores
one. Providers and categories have histories of their own.

Only the admin records history (its views open the revisions). loaddata,
the shell and migrations record nothing, so loading the fixtures leaves no
history; before an edit, the admin records an object as it is if its
history does not say so yet (record_as_it_is), so that even a first edit
can be compared and undone.
"""

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field

import reversion
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import capfirst
from reversion.models import Version

from kb.models import Category, Cause, Code, ExampleReply, Provider, ResolutionStep, SearchPhrase

# The parts of an entry: recorded, shown and reverted with it.
PARTS = (Cause, ResolutionStep, ExampleReply, SearchPhrase)
# Derived from the entry, neither shown nor restored: rebuild_search_index()
# writes search_vector, and whatever changes an entry sets `updated`.
DERIVED = {"search_vector", "updated"}
BEFORE_FIRST_EDIT = "As it was before its first edit in the admin."
CHANGED_OUTSIDE = "Changed outside the admin (loaddata, the shell or SQL): as found before the next edit."
# Text fields shown as a line diff; the other fields as old → new.
LONG_TEXT = (models.TextField,)
# How many unchanged lines a line diff shows around each change.
CONTEXT_LINES = 1


def register():
    """Tell django-reversion what to record; KbConfig.ready() calls it once."""
    reversion.register(Category)
    reversion.register(Provider)
    reversion.register(Code, exclude=sorted(DERIVED), follow=["causes", "steps", "examples", "phrases"])
    for part in PARTS:
        reversion.register(part, follow=["code"])


def record_as_it_is(objects):
    """Record each object as it is now, unless its newest version already says so.

    The admin calls this before it saves or deletes anything. Content loaded
    from the fixtures has no history, and `make db`, the shell or SQL may
    have changed an object since its newest version: recorded first, such
    changes are neither taken for the editor's nor lost to a revert.
    """
    for obj in objects:
        newest = Version.objects.get_for_object(obj).first()
        if newest is None:
            comment = BEFORE_FIRST_EDIT
        elif snapshots(obj, [newest])[newest.revision_id] != current(obj):
            comment = CHANGED_OUTSIDE
        else:
            continue
        with reversion.create_revision():
            reversion.set_comment(comment)
            reversion.add_to_revision(obj)


def revert(version, user):
    """Put back everything in version's revision as it was; recorded as a new revision by user.

    Returns the comment recorded, "Reverted to the version of <date> by <editor>."

    An entry's parts are deleted and restored with their old ids rather
    than updated one by one: positions are unique per entry, so restoring
    a reordering step by step would collide with itself.
    """
    revision = version.revision
    by = f" by {revision.user.get_username()}" if revision.user else ""
    comment = f"Reverted to the version of {saved_at(revision)}{by}."
    with transaction.atomic(), reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment)
        entries = list(revision.version_set.get_for_model(Code).values_list("object_id", flat=True))
        for part in PARTS:
            part.objects.filter(code__in=entries).delete()
        revision.revert(delete=True)
        Code.objects.filter(pk__in=entries).update(updated=timezone.now())
    return comment


def saved_at(revision):
    return timezone.localtime(revision.date_created).strftime("%Y-%m-%d %H:%M:%S")


# Snapshots ---------------------------------------------------------------


@dataclass
class Snapshot:
    """An object's recorded fields ({attname: value}), and an entry's parts' ({(model, pk): fields})."""

    model: type
    fields: dict
    parts: dict = field(default_factory=dict)

    def objects(self):
        yield self.model, self.fields
        for (model, _), fields in self.parts.items():
            yield model, fields


def recorded_fields(model):
    """The fields a Version holds and a diff shows, in the model's order."""
    return [
        f for f in (*model._meta.concrete_fields, *model._meta.many_to_many)
        if not f.primary_key and f.name not in DERIVED
    ]


def current(obj):
    """obj as it is now, to compare with a recorded version."""
    parts = [part for model in PARTS for part in model.objects.filter(code=obj)] if isinstance(obj, Code) else []
    return Snapshot(type(obj), _live_fields(obj), {(type(part), part.pk): _live_fields(part) for part in parts})


def _live_fields(obj):
    return _comparable(type(obj), {f.attname: f.value_from_object(obj) for f in recorded_fields(type(obj))})


def _recorded(version):
    return _comparable(version.content_type.model_class(), version.field_dict)


def _comparable(model, values):
    """Field values as both a Version and a live object give them, the set fields as sets of ids."""
    # A Version holds the id too, and may leave out a set field that was empty.
    return {
        f.attname: frozenset(getattr(v, "pk", v) for v in values.get(f.attname, ())) if f.many_to_many
        else values.get(f.attname)
        for f in recorded_fields(model)
    }


def snapshots(obj, versions):
    """{revision id: Snapshot of obj} for the revisions of these versions of obj, read in one query."""
    found = snapshots_in({version.revision_id for version in versions})
    return {revision_id: snapshot for (revision_id, model, pk), snapshot in found.items()
            if model is type(obj) and pk == obj.pk}


def snapshots_in(revision_ids=None):
    """{(revision id, model, pk): Snapshot} of every object the revisions hold (every revision's, if None).

    An entry's snapshot carries the parts its revision holds. One query.
    """
    versions = Version.objects.select_related("content_type")
    if revision_ids is not None:
        versions = versions.filter(revision_id__in=revision_ids)
    found, parts = {}, defaultdict(dict)
    for version in versions:
        model = version.content_type.model_class()
        if model is None:  # a model since removed
            continue
        pk = model._meta.pk.to_python(version.object_id)
        if model in PARTS:
            parts[(version.revision_id, version.field_dict["code_id"])][(model, pk)] = _recorded(version)
        else:
            found[(version.revision_id, model, pk)] = Snapshot(model, _recorded(version))
    for (revision_id, model, pk), snapshot in found.items():
        if model is Code:
            snapshot.parts = parts.get((revision_id, pk), {})
    return found


# Diffs -------------------------------------------------------------------


@dataclass
class Line:
    """A line of a line diff: sign is "-", "+", " " (unchanged) or "…" (unchanged lines left out).

    segments: [(changed, text)], so that the words changed within a line stand out.
    """

    sign: str
    segments: list


@dataclass
class FieldChange:
    """A field's change: old → new, a line diff of long text, or the names added to and removed from a set."""

    name: str
    old: str = ""
    new: str = ""
    lines: list | None = None
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)


@dataclass
class Change:
    """What happened to the object itself or to one of its parts ("Cause 2")."""

    label: str
    action: str  # "changed", "added" or "removed"
    fields: list


@dataclass
class Edit:
    """One revision of an object, and what it changed; changes is None for the first one recorded."""

    revision: object
    version: object
    changes: list | None


class Names:
    """The names of the objects snapshots point at (providers, categories, related codes), one query per model."""

    def __init__(self, snapshots):
        wanted = defaultdict(set)
        for snapshot in snapshots:
            for model, values in snapshot.objects():
                for f in recorded_fields(model):
                    if f.is_relation and f.attname != "code_id" and values.get(f.attname) is not None:
                        wanted[f.related_model].update(values[f.attname] if f.many_to_many else [values[f.attname]])
        self._names = {
            model: {pk: str(obj) for pk, obj in model._default_manager.in_bulk(pks).items()}
            for model, pks in wanted.items()
        }

    def __call__(self, model, pk):
        return self._names.get(model, {}).get(pk) or f"{model._meta.verbose_name} #{pk}, since deleted"


def timeline(obj, versions, base=None):
    """Edits of obj, newest first: versions (newest first) each with what it changed since the one before.

    base: the version before the oldest of versions, if any (a page of a
    long history). Reads the snapshots in one query and the names they
    point at in one query per model, however many versions there are.
    """
    versions = list(versions)
    with_base = versions + ([base] if base else [])
    found = snapshots(obj, with_base)
    names = Names(found.values())
    edits = []
    for version, older in zip(versions, with_base[1:] + [None]):
        before = found.get(older.revision_id) if older else None
        after = found[version.revision_id]
        edits.append(Edit(version.revision, version, compare(before, after, names) if before else None))
    return edits


def changes_back_to(obj, version):
    """What reverting obj to version would change, from obj as it is now."""
    target = snapshots(obj, [version])[version.revision_id]
    now = current(obj)
    return compare(now, target, Names([now, target]))


def compare(old, new, names):
    """The changes from snapshot old to snapshot new: the object itself first, then its parts in order."""
    changes = []
    fields = _field_changes(new.model, old.fields, new.fields, names)
    if fields:
        changes.append(Change(capfirst(new.model._meta.verbose_name), "changed", fields))
    order = {model: n for n, model in enumerate(PARTS)}

    def part_order(key):
        values = new.parts.get(key) or old.parts[key]
        return order[key[0]], values["position"], key[1]

    for key in sorted(old.parts.keys() | new.parts.keys(), key=part_order):
        model, before, after = key[0], old.parts.get(key), new.parts.get(key)
        action = "added" if before is None else "removed" if after is None else "changed"
        # An added or removed part's position is in its label already.
        skip = {"code_id"} if action == "changed" else {"code_id", "position"}
        fields = _field_changes(model, before or {}, after or {}, names, skip)
        if fields or action != "changed":
            label = f"{capfirst(model._meta.verbose_name)} {(after or before)['position']}"
            changes.append(Change(label, action, fields))
    return changes


def _field_changes(model, old, new, names, skip=()):
    changes = []
    for f in recorded_fields(model):
        if f.attname in skip:
            continue
        before, after = old.get(f.attname), new.get(f.attname)
        if f.many_to_many:
            before, after = before or frozenset(), after or frozenset()
        if before == after or (before in (None, "") and after in (None, "")):
            continue
        name = capfirst(f.verbose_name)
        if f.many_to_many:
            model_names = sorted(names(f.related_model, pk) for pk in after - before)
            changes.append(FieldChange(name, added=model_names, removed=sorted(names(f.related_model, pk) for pk in before - after)))
        elif isinstance(f, LONG_TEXT):
            lines = line_diff(before or "", after or "")
            # Only line endings changed, as when the admin first saves text loaded
            # from a fixture (browsers send CRLF, forms strip the last newline).
            if lines:
                changes.append(FieldChange(name, lines=lines))
        else:
            changes.append(FieldChange(name, old=_shown(f, before, names), new=_shown(f, after, names)))
    return changes


def _shown(f, value, names):
    if value is None or value == "":
        return "—"
    if f.is_relation:
        return names(f.related_model, value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


_WORDS = re.compile(r"\s+|\w+|[^\w\s]")


def line_diff(old, new, context=CONTEXT_LINES):
    """[Line] from text old to text new, with context unchanged lines around each change.

    Lines replaced one for one also mark the words that changed: causes and
    steps are single long lines, where a one-word fix is easy to miss.
    """
    a, b = old.splitlines(), new.splitlines()
    lines = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        if lines:
            lines.append(Line("…", []))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [Line(" ", [(False, text)]) for text in a[i1:i2]]
                continue
            removed, added = a[i1:i2], b[j1:j2]
            if len(removed) == len(added):
                pairs = [_word_diff(x, y) for x, y in zip(removed, added)]
                lines += [Line("-", old_segments) for old_segments, _ in pairs]
                lines += [Line("+", new_segments) for _, new_segments in pairs]
            else:
                lines += [Line("-", [(False, text)]) for text in removed]
                lines += [Line("+", [(False, text)]) for text in added]
    return lines


def _word_diff(old, new):
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    old_segments, new_segments = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        changed = tag != "equal"
        if i2 > i1:
            old_segments.append((changed, "".join(a[i1:i2])))
        if j2 > j1:
            new_segments.append((changed, "".join(b[j1:j2])))
    return old_segments, new_segments
