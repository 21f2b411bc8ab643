"""JSON API, version 1: the same data as the pages (contracts in docs/contracts.md)."""

from dataclasses import asdict

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from kb import codes, page_cache, ratelimit
from kb.bounce import BounceError, batch, parse
from kb.filters import LIST_PAGE_SIZE, MAX_QUERY_LENGTH, listing
from kb.forms import MAX_REQUEST_BYTES, MAX_UPLOAD_BYTES, WEB_LIMITS, AnalyzeForm
from kb.matching import Matcher
from kb.models import Code, ExampleReply, Provider, entry_url


def _error(message, status):
    return JsonResponse({"error": message}, status=status)


@require_GET
def code_list(request):
    """Ranked and filtered exactly like the search page (kb/filters.py), without its redirect."""
    found = listing(request.GET)
    if found.query is None:
        # Unlike the page, a program needs to tell a bad parameter from no results.
        errors = {name: list(messages) for name, messages in found.filterset.form.errors.items()}
        return JsonResponse({"error": "Some filter values are not valid.", "errors": errors}, status=400)
    try:
        page = Paginator(found.entries, LIST_PAGE_SIZE).page(request.GET.get("page", 1))
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


# The answers of one entry or provider are the same for everyone: kept like public pages.
@require_GET
def code_detail(request, code):
    return page_cache.serve(request, f"api:code:{code}", lambda: _code_detail(request, code))


def _code_detail(request, code):
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


@require_GET
def provider_list(request):
    return page_cache.serve(request, "api:providers", lambda: _provider_list(request))


def _provider_list(request):
    return JsonResponse({"results": [_provider_summary(request, p) for p in Provider.objects.all()]})


@require_GET
def provider_detail(request, slug):
    return page_cache.serve(request, f"api:provider:{slug}", lambda: _provider_detail(request, slug))


def _provider_detail(request, slug):
    provider = Provider.objects.filter(slug=slug).first()
    if provider is None:
        return _error(f"No provider “{slug}”.", 404)
    examples = sorted(
        ExampleReply.objects.filter(provider=provider, code__published=True).select_related("code"),
        key=lambda example: (example.code.sort_key, example.position),
    )
    return JsonResponse({
        **_provider_summary(request, provider),
        "kind": provider.kind or None,
        "summary": provider.summary,
        "recognise": provider.recognise,
        "twists": provider.twists,
        "links": [{"url": url, "title": title} for url, title in provider.link_list()],
        "hosts": provider.host_list(),
        "signatures": provider.signature_list(),
        "examples": [{"entry": ex.code.code, "text": ex.text, "source": ex.source, "language": ex.language or None}
                     for ex in examples],
    })


def _provider_summary(request, provider):
    return {"slug": provider.slug, "name": provider.name,
            "url": request.build_absolute_uri(reverse("api_provider_detail", args=[provider.slug]))}


# Enough for a list under a search box; more is a search.
MAX_SUGGESTIONS = 8


@require_GET
def suggest(request):
    """Codes and titles for what is typed so far in a search box: a code's start or title words."""
    text = request.GET.get("q", "")[:MAX_QUERY_LENGTH]
    entries = Code.objects.search_index().suggest(text, MAX_SUGGESTIONS)
    return JsonResponse({
        "q": text,
        "suggestions": [{"code": e.code, "title": e.title, "url": entry_url(e.code)} for e in entries],
    })


def _summary(request, entry):
    return {
        "code": entry.code,
        "kind": codes.kind_of(entry.code),
        "title": entry.title,
        "severity": codes.severity_of(entry.code),
        "url": request.build_absolute_uri(entry_url(entry.code)),
    }


def _page_url(request, number):
    query = request.GET.copy()
    query["page"] = number
    return request.build_absolute_uri(f"{reverse('api_code_list')}?{query.urlencode()}")


@csrf_exempt
@require_POST
@sensitive_post_parameters()
def analyze(request):
    """The bounce as the raw body, or as a multipart `file`; nothing from it is stored or logged."""
    if not ratelimit.allow(request):
        return _error("Too many analyses from your address; wait a minute and try again.", 429)
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_REQUEST_BYTES:
        return _error("The input is larger than 10 MB.", 413)
    if request.content_type == "multipart/form-data":
        form = AnalyzeForm(request.POST, request.FILES)
        if not form.is_valid():
            message = " ".join(error for errors in form.errors.values() for error in errors)
            return _error(message, 413 if form.is_too_large() else 400)
        result = form.result
    else:
        if len(request.body) > MAX_UPLOAD_BYTES:
            return _error("The input is larger than 10 MB.", 413)
        try:
            result = _read_body(request.body)
        except batch.BatchLimitError as error:
            return _error(str(error), 413)
        except BounceError as error:
            return _error(str(error), 400)
    return JsonResponse(_analysis(request, result))


def _read_body(body):
    """A raw body: one message, an mbox or an archive, read as the form reads uploads."""
    if not (batch.is_mbox(body) or batch.is_archive(body)):
        return batch.Result([("body", parse(body))], [], None, [])
    result = batch.read_all(batch.messages("body", body, WEB_LIMITS))
    if not result.reports:
        raise BounceError(f"None of the {len(result.unreadable)} messages could be read as a bounce.")
    return result


def _analysis(request, result):
    """One report keeps the single-message shape; a batch adds each finding's message and a summary."""
    matcher, findings = Matcher(), []
    several = len(result.reports) > 1
    for name, report in result.reports:
        for match in matcher.match_all(report.findings):
            findings.append(_finding(request, match) | ({"message": name} if several else {}))
    answer = {"kind": result.reports[0][1].kind if not several else "batch", "findings": findings}
    if several or result.unreadable or result.notes:
        answer.update(summary=result.summary.as_dict(), notes=result.notes,
                      unreadable=[{"message": name, "error": error} for name, error in result.unreadable])
    return answer


def _finding(request, match):
    finding, entry, example = match.finding, match.entry, match.example
    return {
        "recipient": finding.recipient,
        "action": finding.action,
        "reply_code": finding.reply_code,
        "status": finding.status,
        "diagnostic": finding.diagnostic,
        "span": list(finding.span) if finding.span else None,
        "remote_mta": finding.remote_mta,
        "command": finding.command,
        "esp": asdict(finding.esp) if finding.esp else None,
        "note": finding.note,
        "entry": {
            "code": entry.code,
            "title": entry.title,
            "url": request.build_absolute_uri(entry.get_absolute_url()),
        } if entry else None,
        "example": {
            "text": example.text,
            "provider": example.provider.name if example.provider else None,
        } if example else None,
        "matched_because": match.why,
        "provider": {
            "slug": match.provider.slug,
            "name": match.provider.name,
            "url": request.build_absolute_uri(match.provider.get_absolute_url()),
        } if match.provider else None,
        "hard_bounce": match.hard_bounce,
        "hard_bounce_why": finding.hard_bounce_why,
        "reason": finding.reason,
        "advice": finding.advice,
        "advice_why": finding.advice_why,
        "warnings": match.warnings,
    }
