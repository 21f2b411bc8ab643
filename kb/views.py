from collections import Counter
from itertools import groupby
from urllib.parse import quote

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, OperationalError, connection
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.html import escape, format_html
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import etag

from kb import codes, exports, feedback, openapi, page_cache, ratelimit, registry, search, search_index
from kb.bounce import advice
from kb.bounce.reasons import REASONS
from kb.bounce.summary import GROUPS
from kb.filters import LIST_PAGE_SIZE, MAX_QUERY_LENGTH, RESULTS_PER_PAGE, CodeFilter, listing
from kb.forms import MAX_REQUEST_BYTES, AnalyzeForm
from kb.cache import STORE_DOWN
from kb.matching import Matcher, without_entries
from kb.sitemaps import SITEMAPS
from kb.models import Category, Code, ExampleReply, Feedback, Provider, entry_url

# Above this, the analyse page shows excerpts around each finding instead of the whole text.
FULL_TEXT_LIMIT = 200_000
# Recipients shown as cards on the analyse page; the summary and the downloads hold them all.
MAX_CARDS = 100
# Shown on the home page: the first of the codes support staff look up most.
COMMON_CODES = registry.most_looked_up()[:10]


@never_cache
def healthz(request):
    """Liveness for load balancers: the process answers. Never reads the database or the cache."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def readyz(request):
    """Readiness: 200 when the database and the cache both answer, else 503 naming what does not."""
    checks = {"database": _database_answers(), "cache": _cache_answers()}
    failing = [name for name, ok in checks.items() if not ok]
    body = "ok" if not failing else "unavailable: " + ", ".join(failing)
    return HttpResponse(body, content_type="text/plain", status=503 if failing else 200)


def _database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        return False


def _cache_answers():
    """A round trip through the cache; the cache's own get() would read a Redis that is down as a miss."""
    try:
        cache.add("readyz", "ok", timeout=60)  # add(), not set(): kb.cache does not forgive it
        return cache.get("readyz") == "ok"
    except STORE_DOWN:
        return False


def home(request):
    return page_cache.serve(request, "home", lambda: _home(request))


def _home(request):
    published = Code.objects.published()
    categories = Category.objects.annotate(n=Count("codes", filter=Q(codes__published=True))).filter(n__gt=0)
    common = sorted(published.filter(code__in=COMMON_CODES), key=lambda c: COMMON_CODES.index(c.code))
    return render(
        request,
        "kb/home.html",
        {"classes": _class_rows(published), "categories": categories, "common": common},
    )


def code_list(request):
    """Search, and the list of codes; without a search the list is the same for everyone."""
    if request.GET.get("q", "").strip():
        return _code_list(request)
    return page_cache.serve(request, f"code_list?{request.GET.urlencode()}", lambda: _code_list(request))


def _code_list(request):
    # A search for one code, however written (5726, 550 5.7.26), goes straight
    # to its entry: half of all searches, so before any filter is built.
    index = Code.objects.search_index()
    text = request.GET.get("q", "").strip()
    narrowed = CodeFilter.narrows(request.GET)
    target = search.read(text[:MAX_QUERY_LENGTH]).target
    target_entry = index.entry_for(target) if target else None
    if target_entry and not narrowed:
        return redirect("code_detail", target_entry.code)
    found = listing(request.GET)
    # The filters' options are rendered once per content version: the form only on a miss.
    filterset = found.filterset or SimpleLazyObject(lambda: CodeFilter(request.GET))
    context = {"filterset": filterset, "q": text, "narrowed": narrowed, **_filter_cache_key(request.GET)}
    if found.query is None:
        # A hand-edited or stale URL: say what is wrong instead of failing or ignoring it.
        return render(request, "kb/code_list.html", {**context, "errors": _filter_errors(filterset)})
    query = found.query
    per_page = RESULTS_PER_PAGE if query.words else LIST_PAGE_SIZE
    page = Paginator(found.entries, per_page).get_page(request.GET.get("page"))
    ranked = {result.entry.id: result for result in index.ranked(query)} if query.words else {}
    context.update(
        query=query,
        q=query.text or text,
        page=page,
        results=[_result_row(entry, ranked.get(entry.id)) for entry in page],
        some_words_only=bool(ranked) and not next(iter(ranked.values())).every_word,
        missing_code=target if target and not target_entry else None,
    )
    if not page.object_list and query:
        context["close_codes"] = Code.objects.close_to(query.text)
        context["spelling"] = _respelled(query, index)
    return render(request, "kb/code_list.html", context)


def _result_row(entry, result):
    """What a row of results shows: plain values, cheaper for the template than the objects."""
    item = result.item if result and result.item and result.item.field != "title" else None
    return {
        "url": entry_url(entry.code),
        "code": entry.code,
        "title": entry.title,
        "phrase": result.phrase if result else None,
        "label": item.label if item else None,
        "text": item.text if item else None,
    }


def _filter_cache_key(data):
    """What the rendered filter options depend on: the content and the values chosen."""
    values = [data.get(name, "") for name in CodeFilter.base_filters if name != "q"]
    return {"content_token": search_index.token(), "filter_values": values}


def _filter_errors(filterset):
    return [message for errors in filterset.form.errors.values() for message in errors]


def _respelled(query, index):
    """The query with every word replaced by a close word the entries use, if any is close."""
    typed = search.read(query.text).words
    close = index.respellings(typed, search.LOOSE_SPELLING_CUTOFF)
    if not close:
        return None
    respelled = [close.get(word, word) for word in typed]
    return " ".join([*query.typed, *map(str, query.families), *respelled])


def sitemap(request):
    """Every published entry, provider page and main page; kept like any public page (kb/page_cache.py)."""
    return page_cache.serve(request, "sitemap", lambda: sitemap_views.sitemap(request, SITEMAPS).render())


def robots(request):
    """Crawlers may read every public page; the admin is no page for them."""
    lines = ["User-agent: *", "Disallow: /admin/", f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain")


def opensearch(request):
    """OpenSearch description: lets a browser add the site as a search engine."""
    context = {
        "search_url": request.build_absolute_uri(reverse("code_list")),
        "api_url": request.build_absolute_uri(reverse("api_code_list")),
        "self_url": request.build_absolute_uri(reverse("opensearch")),
    }
    return render(request, "kb/opensearch.xml", context, content_type="application/opensearchdescription+xml")


def provider_list(request):
    return page_cache.serve(request, "provider_list", lambda: _provider_list(request))


def _provider_list(request):
    # Providers without a real reply are listed too: their page still says how to recognise them.
    found = Provider.objects.annotate(n=Count("examples", filter=Q(examples__code__published=True)))
    return render(request, "kb/provider_list.html", {"providers": found})


def provider_detail(request, slug):
    return page_cache.serve(request, f"provider_detail:{slug}", lambda: _provider_detail(request, slug))


def _provider_detail(request, slug):
    provider = Provider.objects.filter(slug=slug).first()
    if provider is None:
        return render(request, "kb/provider_unknown.html", {"slug": slug}, status=404)
    examples = sorted(
        ExampleReply.objects.filter(provider=provider, code__published=True).select_related("code"),
        key=lambda example: (example.code.sort_key, example.position),
    )
    groups = [(entry, list(group)) for entry, group in groupby(examples, lambda example: example.code)]
    return render(request, "kb/provider_detail.html", {"provider": provider, "groups": groups, "count": len(examples)})


def code_detail(request, code):
    canonical = codes.canonical(code)
    if canonical is None:
        return render(request, "kb/code_unknown.html", {"code": code, "malformed": True}, status=404)
    if canonical != code:
        return redirect("code_detail", canonical, permanent=True)
    return page_cache.serve(request, f"code_detail:{code}", lambda: _code_detail(request, code))


def _code_detail(request, code):
    entry = Code.objects.published().filter(code=code).prefetch_related("categories").first()
    if entry is None:
        # A code inside a documented range (5.7.620 of 5.7.606–5.7.649) has the range's entry.
        covering = Code.objects.search_index().entry_for(code)
        if covering is not None:
            return redirect("code_detail", covering.code)
        return _missing(request, code)
    return entry_page(request, entry)


def entry_page(request, entry, preview=False):
    """The page of entry, published or not: the public page, and the editors' preview (kb/admin.py)."""
    # Replies from named providers first, then those of other servers.
    examples = entry.examples.select_related("provider").order_by(
        F("provider__name").asc(nulls_last=True), "position"
    )
    step_groups = _step_groups(entry.steps.all())
    context = {
        "entry": entry,
        "permalink": request.build_absolute_uri(entry.get_absolute_url()),
        "causes": entry.causes.all(),
        "step_groups": step_groups,
        "audiences": [group for group in step_groups if group["anchor"]],
        "example_groups": [(provider, list(group)) for provider, group in groupby(examples, lambda e: e.provider)],
        "providers": sorted({e.provider for e in examples if e.provider}, key=lambda p: p.name),
        "related": _related(entry),
        "preview": preview,
        # Only editors see what visitors said (page_cache serves editors a page of their own).
        "feedback_counts": _feedback_counts(entry) if page_cache.is_editor(request) else None,
    }
    return render(request, "kb/code_detail.html", context)


def _feedback_counts(entry):
    return entry.feedback.aggregate(
        yes=Count("pk", filter=Q(helpful=True)),
        no=Count("pk", filter=Q(helpful=False)),
        open=Count("pk", filter=Q(status=Feedback.Status.OPEN)),
    )


def _step_groups(steps):
    """The steps in the editor's order, in runs for one audience each, numbered throughout.

    Runs rather than one group per audience: an editor may put a step for the
    sender after the admin's on purpose (first fix the server, then resend).
    The first run for each audience gets an anchor, for "who can fix it".
    """
    groups, seen, number = [], set(), 1
    for audience, run in groupby(steps, lambda step: step.audience):
        run = list(run)
        groups.append({
            "audience": audience,
            "label": run[0].get_audience_display() if audience else "",
            "anchor": f"for-{audience}" if audience and audience not in seen else None,
            "start": number,
            "steps": run,
        })
        seen.add(audience)
        number += len(run)
    return groups


def _missing(request, code):
    """A well-formed code without an entry: say what its digits mean and point nearby."""
    family = codes.family_of(code)
    nearby = Code.objects.published().of_kind(family.kind).filter(code__startswith=family.prefix)
    if family.kind == codes.BASIC and not nearby.exists():
        nearby = Code.objects.published().of_kind(codes.BASIC).of_class(code[0])
    nearby = sorted(nearby.only("code", "title"), key=lambda c: c.sort_key)
    context = {
        "code": code,
        "kind": codes.kind_of(code),
        "meaning": codes.describe(code),
        "severity": codes.severity_of(code),
        "nearby": nearby,
    }
    return render(request, "kb/code_unknown.html", context, status=404)


def _related(entry):
    related = Code.objects.published().filter(Q(related_from=entry) | Q(related=entry)).distinct()
    return sorted(related.only("code", "title"), key=lambda c: c.sort_key)


def _class_rows(entries):
    counts = Counter(code[0] for code in entries.values_list("code", flat=True))
    return [
        {"digit": digit, "meaning": codes.BASIC_CLASSES[digit], "count": counts[digit]}
        for digit in sorted(counts)
    ]


@sensitive_post_parameters()
def analyze(request):
    """Paste or upload bounces; nothing from them is stored or logged."""
    form, result, status = AnalyzeForm(), None, 200
    if request.method == "POST":
        form, status = _analyze_form(request)
        if form is not None and status == 200:
            result = form.result
    if form is None:
        form = AnalyzeForm()
    context = {"form": form, "too_large": status == 413, "rate_limited": status == 429}
    if result is not None:
        context.update(_analysis(result, getattr(form, "report", None), form.cleaned_data.get("page") or 1))
    return render(request, "kb/analyze.html", context, status=status)


def _analysis(result, report, page=1):
    """The page's view of a batch: the summary, one page of cards (MAX_CARDS each), the downloads."""
    summary = result.summary
    pages = max(1, -(-summary.recipients // MAX_CARDS))
    page = min(page, pages)
    first, last = (page - 1) * MAX_CARDS, page * MAX_CARDS
    matcher, results, rows, seen, entries_unavailable = Matcher(), [], [], 0, False
    for name, each in result.reports:
        on_page = seen < last and seen + len(each.findings) > first
        try:
            matches = matcher.match_all(each.findings, with_examples=on_page)
        except OperationalError:
            # The database is unreachable: the bounces are read all the same (kb.bounce needs
            # no database), and the page says which codes they carry but not their entries.
            matches, entries_unavailable = without_entries(each.findings), True
        rows += exports.records(name, matches) if each.findings else []
        for match in matches:
            if first <= seen < last:
                results.append(_result(match, each.text, None if report else name))
            seen += 1
    return {
        "report": report,
        "kind": report.kind if report else f"{summary.messages:,} messages",
        "results": results,
        "cards": {"page": page, "pages": pages, "first": first + 1, "last": first + len(results),
                  "previous": page - 1 if page > 1 else None, "next": page + 1 if page < pages else None},
        "recipients": summary.recipients,
        "summary": [(heading, summary.rows(group, 12)) for group, heading in GROUPS.items()]
        if summary.messages > 1 else None,  # one message's recipients are all in the table below
        "result": result,
        "entries_unavailable": entries_unavailable,
        "downloads": {
            "csv": "data:text/csv;charset=utf-8," + quote(exports.csv_text(rows)),
            "jsonl": "data:application/x-ndjson;charset=utf-8," + quote(exports.jsonl_text(rows)),
        } if rows else None,
        "full_text": _highlighted(report.text, [r["match"].finding.span for r in results])
        if report and len(report.text) <= FULL_TEXT_LIMIT else None,
    }


def reasons(request):
    """The reason vocabulary and the advice for each, from the one table (kb/bounce/advice.py)."""
    rows = [
        {"name": name, "meaning": meaning,
         "decisions": [(_PERMANENCE[key[1]], decision) for key, decision in advice.DECISIONS.items() if key[0] == name]}
        for name, meaning in REASONS.items()
    ]
    return render(request, "kb/reasons.html", {"reasons": rows, "actions": advice.ACTIONS})


_PERMANENCE = {True: "permanent (5xx)", False: "temporary (4xx)", None: "no code", advice.ANY: "any code"}


def _analyze_form(request):
    """(bound form or None, HTTP status) for a POST, with the limits checked before reading it."""
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_REQUEST_BYTES:
        return None, 413
    if not ratelimit.allow(request):
        # Not analysed, but the visitor keeps the pasted text to try again in a minute.
        return AnalyzeForm(initial={"text": request.POST.get("text", "")}), 429
    try:
        form = AnalyzeForm(request.POST, request.FILES)
        valid = form.is_valid()
    except RequestDataTooBig:
        return None, 413
    if valid:
        return form, 200
    return form, 413 if form.is_too_large() else 400


def _result(match, text, message=None):
    return {"match": match, "excerpt": _highlighted_excerpt(text, match.finding.span), "message": message,
            "feedback": feedback.initial_for_match(match)}


def _highlighted_excerpt(text, span, context=300):
    """The diagnostic in its surroundings: a few hundred characters either side, the span marked."""
    if not span:
        return None
    start, end = span
    before_at = max(0, text.rfind("\n", 0, max(0, start - context)) + 1)
    after_at = text.find("\n", min(len(text), end + context))
    after_at = len(text) if after_at < 0 else after_at
    return format_html(
        "{}{}<mark>{}</mark>{}{}",
        "…" if before_at > 0 else "",
        text[before_at:start],
        text[start:end],
        text[end:after_at],
        "…" if after_at < len(text) else "",
    )


def _highlighted(text, spans):
    """The whole text, escaped, with every diagnostic span marked."""
    pieces, at = [], 0
    for start, end in sorted({span for span in spans if span}):
        if start < at:
            continue
        pieces += [escape(text[at:start]), format_html("<mark>{}</mark>", text[start:end])]
        at = end
    pieces.append(escape(text[at:]))
    return mark_safe("".join(str(piece) for piece in pieces))


def api_docs(request):
    """The API's reference page, for people: endpoints, parameters, examples, limits and errors."""
    context = {"base": request.build_absolute_uri("/").rstrip("/"), "rate_limit": settings.RATE_LIMIT_ANALYZE}
    return render(request, "kb/api_docs.html", context)


@etag(lambda request: page_cache.RELEASE)
def openapi_json(request):
    """The API's OpenAPI 3.1 description (kb/openapi.py): it changes with the code only, so it is cached per release."""
    response = HttpResponse(openapi.document_json(), content_type="application/json")
    patch_cache_control(response, public=True, max_age=page_cache.MAX_AGE,
                        stale_while_revalidate=page_cache.STALE_WHILE_REVALIDATE)
    return response


def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's)."""
    return redirect(static("kb/favicon.svg"), permanent=True)
