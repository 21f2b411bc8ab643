"""The filters and pages of the code list, shared by the page and the API."""

import copy

import django_filters
from django import forms
from django.core.paginator import Paginator
from django.db import connections
from django_filters.constants import EMPTY_VALUES

from kb import codes
from kb.models import Category, Code, ExampleReply, Provider

# Long enough for a pasted reply line; longer text belongs in /analyze/.
MAX_QUERY_LENGTH = 500


def slugs_and_names(model):
    """The (slug, name) options of the category or provider filter: one query,
    where model choices would make an instance of every option."""
    return model.objects.values_list("slug", "name")


def _category_and_provider_options(using):
    """(slug, name, "category" or "provider") rows, by name.

    Plain SQL: built with the ORM (a union of two querysets) this query costs
    six times what it takes to run, on every page of the list.
    """
    sql = (
        f"SELECT slug, name, 'category' FROM {Category._meta.db_table} "
        f"UNION ALL SELECT slug, name, 'provider' FROM {Provider._meta.db_table} ORDER BY 2"
    )
    with connections[using].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


class CopiedShallowly:
    """A filter or form field whose copies share what the original holds.

    django-filter deep-copies every filter for each FilterSet, and Django
    every field for each form, choices and messages included: a quarter of a
    millisecond on each search. What a copy shares is never changed here: a
    filter's copy gets a parent and model of its own (and with them its own
    method, which looks the parent up), and the fields only clean values.
    """

    def __deepcopy__(self, memo):
        copied = copy.copy(self)
        if isinstance(self, django_filters.Filter) and self.method is not None:
            copied.method = self.method
        return copied


class ChoiceField(CopiedShallowly, django_filters.fields.ChoiceField):
    pass


class ChoiceFilter(CopiedShallowly, django_filters.ChoiceFilter):
    field_class = ChoiceField


class SearchField(CopiedShallowly, forms.CharField):
    """Free text, cleaned into a kb.search.Query: its codes, families and (respelled) words.

    The page shows what was understood (respellings, the code it points at),
    so understanding happens once, here, and the filter reuses it.
    """

    def clean(self, value):
        text = super().clean(value)
        return Code.objects.understand(text) if text else text


class SearchFilter(CopiedShallowly, django_filters.CharFilter):
    field_class = SearchField


class CodeFilter(django_filters.FilterSet):
    q = SearchFilter(
        method="search",
        label="Search",
        max_length=MAX_QUERY_LENGTH,
        strip=True,
        error_messages={"max_length": "Search for at most %(limit_value)d characters: a code or a few words."},
    )
    code_class = ChoiceFilter(
        label="Class",
        method="filter_class",
        empty_label="Any class",
        choices=[(digit, f"{digit}xx / {digit}.x.x") if digit in "245" else (digit, f"{digit}xx") for digit in "12345"],
        error_messages={"invalid_choice": "“%(value)s” is no class: a class is one digit from 1 to 5."},
    )
    kind = ChoiceFilter(
        label="Kind",
        method="filter_kind",
        empty_label="Any kind",
        choices=[(codes.BASIC, "Basic reply code (550)"), (codes.ENHANCED, "Enhanced status code (5.1.1)")],
        error_messages={"invalid_choice": "“%(value)s” is no kind of code: choose basic or enhanced."},
    )
    category = ChoiceFilter(
        label="Problem",
        field_name="categories__slug",
        choices=lambda: slugs_and_names(Category),
        empty_label="Any problem",
        error_messages={"invalid_choice": "There is no problem category “%(value)s”."},
    )
    provider = ChoiceFilter(
        label="Provider",
        method="filter_provider",
        choices=lambda: slugs_and_names(Provider),
        empty_label="Any provider",
        error_messages={"invalid_choice": "There is no provider “%(value)s”."},
    )
    severity = ChoiceFilter(
        label="Severity",
        method="filter_severity",
        empty_label="Any severity",
        choices=[(severity, severity.capitalize()) for severity in codes.SEVERITY_BY_CLASS.values()],
        error_messages={"invalid_choice": "“%(value)s” is no severity: choose success, intermediate, transient or permanent."},
    )
    standing = ChoiceFilter(
        label="Standing",
        choices=Code.Standing.choices,
        empty_label="Any standing",
        error_messages={"invalid_choice": "“%(value)s” is no standing: choose rfc, registry, vendor or folklore."},
    )

    class Meta:
        model = Code
        fields = []

    def get_form_class(self):
        # django-filter builds a new form class, fields and all, on every
        # request; these filters' fields never change (the category and
        # provider choices are read when listed), so build it once.
        form_class = type(self).__dict__.get("_form_class")
        if form_class is None:
            form_class = type(self)._form_class = super().get_form_class()
        return form_class

    def options(self, name):
        """The (value, label) options of one filter, for listing them on the page.

        The category and provider options are read together, in one query,
        the first time either is asked for.
        """
        if name not in ("category", "provider"):
            return self.filters[name].extra["choices"]
        if not hasattr(self, "_lists"):
            self._lists = {"category": [], "provider": []}
            for slug, label, kind in _category_and_provider_options(self.queryset.db):
                self._lists[kind].append((slug, label))
        return self._lists[name]

    def search(self, queryset, name, query):
        return queryset.search(query)

    def rows(self, fields):
        """(id, *fields) of the entries found, in order; fields are in the model's order.

        A search with no other filter has them already, from what it read to
        rank (kb.search.Entry): the titles and summaries of the entries its
        words match, the titles of the published codes. That saves a query,
        a round trip to PostgreSQL, on most searches. Anything else, and a
        search for codes and words at once (whose codes come without
        summaries), reads them from the filtered entries.
        """
        query = self.form.cleaned_data["q"]
        others = [value for name, value in self.form.cleaned_data.items() if name != "q" and value not in EMPTY_VALUES]
        with_codes = query and (query.codes or query.families)
        if query and not others and not (with_codes and "summary" in fields):
            ranked = self.queryset.ranked(query)
            return [(pk, *(getattr(entry, name) for name in fields[1:])) for pk, entry in ranked]
        return list(self.qs.values_list(*fields))

    def filter_class(self, queryset, name, digit):
        return queryset.of_class(digit)

    def filter_kind(self, queryset, name, kind):
        return queryset.of_kind(kind)

    def filter_provider(self, queryset, name, slug):
        # A subquery rather than a join: an entry has several examples per provider.
        return queryset.filter(pk__in=ExampleReply.objects.filter(provider__slug=slug).values("code"))

    def filter_severity(self, queryset, name, severity):
        digit = next(digit for digit, value in codes.SEVERITY_BY_CLASS.items() if value == severity)
        return queryset.of_class(digit)


# "class" is a Python keyword, so the filter is declared as code_class and
# given its URL parameter name here, in its place.
CodeFilter.base_filters = {
    "class" if name == "code_class" else name: filter for name, filter in CodeFilter.base_filters.items()
}


class EntryPaginator(Paginator):
    """Pages of the entries a valid CodeFilter finds, from its rows(): the
    fields listed of every entry, in order, as plain rows; only the rows of
    the page asked for become entries.

    A plain Paginator would query twice, to count and for the page; a list
    of entries would build a model instance for every row, which costs more
    than the query on a long list.
    """

    def __init__(self, filterset, per_page, fields):
        # In the model's order of fields, which Model.from_db() expects.
        self.fields = [f.attname for f in Code._meta.concrete_fields if f.attname in ("id", *fields)]
        self.db = filterset.queryset.db
        super().__init__(filterset.rows(self.fields), per_page)

    def _get_page(self, rows, number, paginator):
        entries = [Code.from_db(self.db, self.fields, row) for row in rows]
        return super()._get_page(entries, number, paginator)
