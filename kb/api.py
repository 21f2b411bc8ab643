"""JSON API, version 1: the same data as the pages (contracts in DESIGN.md)."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from kb.models import Code

PAGE_SIZE = 20


def _error(message, status):
    return JsonResponse({"error": message}, status=status)


@require_GET
def code_list(request):
    q = request.GET.get("q", "").strip()
    entries = Code.objects.search(q) if q else Code.objects.published()
    entries = sorted(entries.only("code", "title"), key=lambda c: c.sort_key)
    try:
        page = Paginator(entries, PAGE_SIZE).page(request.GET.get("page", 1))
    except (EmptyPage, PageNotAnInteger):
        return _error("That page does not exist.", 404)
    return JsonResponse(
        {
            "count": page.paginator.count,
            "next": _page_url(request, page.next_page_number()) if page.has_next() else None,
            "previous": _page_url(request, page.previous_page_number()) if page.has_previous() else None,
            "results": [_summary(request, entry) for entry in page],
        }
    )


@require_GET
def code_detail(request, code):
    entry = (
        Code.objects.published()
        .filter(code=code)
        .prefetch_related("causes", "steps", "examples__provider", "categories", "related", "related_from")
        .first()
    )
    if entry is None:
        return _error(f"No entry for the code “{code}”.", 404)
    related = {c.code: c for c in [*entry.related.all(), *entry.related_from.all()] if c.published}
    return JsonResponse(
        {
            **_summary(request, entry),
            "class": entry.code_class,
            "standing": entry.standing,
            "summary": entry.summary,
            "causes": [{"text": cause.text} for cause in entry.causes.all()],
            "steps": [{"text": step.text, "audience": step.audience or None} for step in entry.steps.all()],
            "examples": [
                {"text": ex.text, "provider": ex.provider.name if ex.provider else None, "source": ex.source}
                for ex in entry.examples.all()
            ],
            "related": sorted(related, key=lambda c: related[c].sort_key),
            "categories": [category.name for category in entry.categories.all()],
        }
    )


def _summary(request, entry):
    return {
        "code": entry.code,
        "kind": entry.kind,
        "title": entry.title,
        "severity": entry.severity,
        "url": request.build_absolute_uri(entry.get_absolute_url()),
    }


def _page_url(request, number):
    query = request.GET.copy()
    query["page"] = number
    return request.build_absolute_uri(f"{reverse('api_code_list')}?{query.urlencode()}")
