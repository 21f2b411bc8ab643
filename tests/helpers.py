"""Shared test helpers: the published knowledge base and small builders."""

from django.test import TestCase

from kb.models import Code


class KnowledgeBaseTestCase(TestCase):
    """A TestCase that reads the published knowledge base, as `make db` loads it.

    The test runner (kb/test_runner.py) loads it once for all such classes and
    runs them in savepoints of that transaction: never load the fixtures here.
    """

    uses_knowledge_base = True


def make_code(code, title="A title", standing=Code.Standing.RFC, **fields):
    fields.setdefault("summary", f"What {code} means.")
    return Code.objects.create(code=code, title=title, standing=standing, **fields)


def page_text(response):
    """The response body with runs of whitespace collapsed, for asserting on wrapped prose."""
    return " ".join(response.content.decode().split())


# The inlines of the entry change form: prefix, related name, fields.
ENTRY_INLINES = [
    ("causes", ["position", "text"]),
    ("steps", ["position", "text", "audience"]),
    ("examples", ["position", "text", "provider", "source", "language", "notes"]),
    ("phrases", ["position", "text", "shared"]),
]


def entry_change_form(entry, changes=None):
    """What the admin's change form of entry posts when saved unchanged, with changes
    ({"title": …, "causes-0-text": …, "steps-1-DELETE": "on"}) applied."""
    data = {"code": entry.code, "range_end": entry.range_end, "title": entry.title, "standing": entry.standing, "summary": entry.summary,
            "references": entry.references, "categories": [c.pk for c in entry.categories.all()],
            "related": [c.pk for c in entry.related.all()]}
    if entry.published:
        data["published"] = "on"
    for prefix, fields in ENTRY_INLINES:
        items = list(getattr(entry, prefix).order_by("position"))
        data.update({f"{prefix}-TOTAL_FORMS": str(len(items)), f"{prefix}-INITIAL_FORMS": str(len(items)),
                     f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
        for n, item in enumerate(items):
            data.update({f"{prefix}-{n}-id": item.pk, f"{prefix}-{n}-code": entry.pk})
            for name in fields:
                value = getattr(item, f"{name}_id" if name == "provider" else name)
                data[f"{prefix}-{n}-{name}"] = "" if value is None else value
    data.update(changes or {})
    return data


def add_inline(data, prefix, **fields):
    """Add a new item to a change form built by entry_change_form."""
    n = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(n + 1)
    data.update({f"{prefix}-{n}-{name}": value for name, value in fields.items()})
    return data


def admin_form_data(response):
    """What submitting the admin change form in response unchanged would post."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if isinstance(value, list):
                data[field.html_name] = [str(v) for v in value]
            elif value is True:
                data[field.html_name] = "on"
            elif value is not None and value is not False:
                data[field.html_name] = str(value)
    return data
