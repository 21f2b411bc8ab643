"""Public pages rendered once per version of the content, from the shared cache.

An entry page, the home page and the code list change only when the content
does, and every change writes a new content token (kb/search_index.py). So a
rendered page is kept in the cache (Redis when several app servers share one)
under its URL and the token: a change makes every kept page stale at once, on
every process and server, without deleting anything. The same token and the
release of the code make the ETag, so a browser or a CDN that asks again gets
a 304 without the page being rendered or even read.

Only pages that are the same for everyone are kept: a signed-in editor gets a
fresh page (it may show editors' counts), marked private. Pages with a form
that posts (a CSRF token) are never kept.
"""

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from kb import search_index

ROOT = Path(__file__).resolve().parent.parent
# A CDN or browser may keep a public page this long, then serve it stale while it asks again.
MAX_AGE = 60
STALE_WHILE_REVALIDATE = 600
# Kept pages outlive no content change (their key has the token); this bounds a shared cache's memory.
CACHE_SECONDS = 24 * 3600


def _release():
    """A digest of the code, templates and static files: pages change with a deploy too."""
    digest = hashlib.sha256()
    for folder, pattern in (("kb", "**/*.py"), ("templates", "**/*.html"), ("static", "**/*")):
        for path in sorted((ROOT / folder).glob(pattern)):
            if path.is_file() and "migrations" not in path.parts:
                digest.update(path.relative_to(ROOT).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


RELEASE = _release()


def is_editor(request):
    """Whether a staff member is signed in; cheap for visitors without a session cookie."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_staff


def serve(request, name, render):
    """render() once per content version: from the cache, as 304, or rendered and kept.

    render() returns an HttpResponse; only a 200 is kept. name must identify the
    page among all pages (the view and its arguments).
    """
    if is_editor(request):
        response = render()
        patch_cache_control(response, private=True, no_store=True)
        return response
    version = search_index.version()
    if version is None:  # no content loaded yet
        return render()
    token, built = version
    etag = f'"{RELEASE}-{token}-{hashlib.sha256(name.encode()).hexdigest()[:12]}"'
    key = f"page:{RELEASE}:{token}:{request.get_host()}:{name}"
    not_modified = get_conditional_response(request, etag=etag, last_modified=int(built.timestamp()))
    if not_modified is None:
        kept = cache.get(key)
        if kept is None:
            response = render()
            if response.status_code != 200:
                return response
            kept = (response.content, response["Content-Type"])
            cache.set(key, kept, CACHE_SECONDS)
        response = HttpResponse(kept[0], content_type=kept[1])
    else:
        response = not_modified
    response["ETag"] = etag
    response["Last-Modified"] = http_date(built.timestamp())
    patch_cache_control(response, public=True, max_age=MAX_AGE, stale_while_revalidate=STALE_WHILE_REVALIDATE)
    # An editor's session gets another page (is_editor()).
    patch_vary_headers(response, ["Cookie"])
    return response
