"""The filters and pages of the code list, shared by the page and the API."""

from dataclasses import dataclass

import django_filters
from django import forms

from kb import codes, search, search_index
from kb.models import Category, Code, ExampleReply, Provider

# Long enough for a pasted reply line; longer text belongs in /analyze/.
MAX_QUERY_LENGTH = 500
# Ranked results carry an excerpt each, and the first few are the ones that
# matter; plain lists of codes and titles show more at a time. The API pages
# like the plain list.
RESULTS_PER_PAGE = 10
LIST_PAGE_SIZE = 20


class SearchField(forms.CharField):
    """Free text, cleaned into a kb.search.Query: its codes, families and (respelled) words.

    The page shows what was understood (respellings, the code it points at),
    so understanding happens once, here, and the filter reuses it.
    """

    def clean(self, value):
        text = super().clean(value)
        return Code.objects.understand(text) if text else text


class SearchFilter(django_filters.CharFilter):
    field_class = SearchField


class SlugField(forms.CharField):
    """A category or provider by its slug, checked against the current list of them.

    Not a ChoiceField: Django copies a form's fields, choices and all, for every
    form, and these lists are long (bench_search: a millisecond of every search page).
    """

    def __init__(self, *, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value and value not in dict(search_index.slugs_and_names(self.model)):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})


class SlugFilter(django_filters.CharFilter):
    field_class = SlugField

    def __init__(self, *args, empty_label, **kwargs):
        super().__init__(*args, **kwargs)
        self.empty_label = empty_label

    def choices(self):
        return [("", self.empty_label), *search_index.slugs_and_names(self.extra["model"])]


class CodeFilter(django_filters.FilterSet):
    q = SearchFilter(
        method="search",
        label="Search",
        max_length=MAX_QUERY_LENGTH,
        strip=True,
        error_messages={"max_length": "Search for at most %(limit_value)d characters: a code or a few words."},
    )
    code_class = django_filters.ChoiceFilter(
        label="Class",
        method="filter_class",
        empty_label="Any class",
        choices=[(digit, f"{digit}xx / {digit}.x.x") if digit in "245" else (digit, f"{digit}xx") for digit in "12345"],
        error_messages={"invalid_choice": "“%(value)s” is no class: a class is one digit from 1 to 5."},
    )
    kind = django_filters.ChoiceFilter(
        label="Kind",
        method="filter_kind",
        empty_label="Any kind",
        choices=[(codes.BASIC, "Basic reply code (550)"), (codes.ENHANCED, "Enhanced status code (5.1.1)")],
        error_messages={"invalid_choice": "“%(value)s” is no kind of code: choose basic or enhanced."},
    )
    category = SlugFilter(
        label="Problem",
        field_name="categories__slug",
        model=Category,
        empty_label="Any problem",
        error_messages={"invalid_choice": "There is no problem category “%(value)s”."},
    )
    provider = SlugFilter(
        label="Provider",
        method="filter_provider",
        model=Provider,
        empty_label="Any provider",
        error_messages={"invalid_choice": "There is no provider “%(value)s”."},
    )
    severity = django_filters.ChoiceFilter(
        label="Severity",
        method="filter_severity",
        empty_label="Any severity",
        choices=[(severity, severity.capitalize()) for severity in codes.SEVERITY_BY_CLASS.values()],
        error_messages={"invalid_choice": "“%(value)s” is no severity: choose success, intermediate, transient or permanent."},
    )
    standing = django_filters.ChoiceFilter(
        label="Standing",
        choices=Code.Standing.choices,
        empty_label="Any standing",
        error_messages={"invalid_choice": "“%(value)s” is no standing: choose rfc, registry, vendor or folklore."},
    )

    class Meta:
        model = Code
        fields = []

    def search(self, queryset, name, query):
        return queryset.search(query)

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

    def selects(self):
        """(bound field, [(value, label)]) of each choice filter, for kb/_filter_select.html."""
        return [
            (self.form[name], filter.choices() if isinstance(filter, SlugFilter) else list(self.form.fields[name].choices))
            for name, filter in self.filters.items()
            if name != "q"
        ]

    @classmethod
    def narrows(cls, data):
        """Whether data (a query string) sets a filter other than the search."""
        return any(data.get(name) for name in cls.base_filters if name != "q")

    @property
    def narrowed(self):
        return self.narrows(self.data)


# "class" is a Python keyword, so the filter is declared as code_class and
# given its URL parameter name here, in its place.
CodeFilter.base_filters = {
    "class" if name == "code_class" else name: filter for name, filter in CodeFilter.base_filters.items()
}


@dataclass
class Listing:
    """What the search page and the API list for a query string."""

    query: search.Query | None  # None when the filters are not valid
    entries: object  # search.Entry list (no filters) or a Code queryset (filters), best first
    filterset: object  # the CodeFilter, or None where the index alone answered


def listing(data):
    """The entries for a query string, ranked by the index and narrowed by its filters.

    Without filters the index alone answers, without a form or a query
    (bench_search: a third of a search page's time); filters are questions
    for the database (categories, providers), so it narrows the ranked list.
    """
    index = Code.objects.search_index()
    text = data.get("q", "").strip()
    if not CodeFilter.narrows(data) and len(text) <= MAX_QUERY_LENGTH:
        query = index.understand(text) if text else search.Query()
        entries = [result.entry for result in index.ranked(query)] if query else index.in_code_order()
        return Listing(query, entries, None)
    filterset = CodeFilter(data, queryset=Code.objects.published().in_code_order())
    if not filterset.is_valid():
        return Listing(None, [], filterset)
    query = filterset.form.cleaned_data["q"] or search.Query()
    return Listing(query, filterset.qs.only("code", "title"), filterset)
