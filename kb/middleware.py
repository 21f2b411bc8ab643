"""Site-wide response policies: what a browser or a CDN may keep, what a browser may run,
and what a visitor sees when the database is unreachable."""

import logging

from django.conf import settings
from django.db import OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers, patch_cache_control

from kb import page_cache, ratelimit

logger = logging.getLogger(__name__)


class ForwardedProtoMiddleware:
    """X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER) counts only when a trusted proxy sent it.

    Otherwise any client could claim HTTPS over plain HTTP, and Django would skip the
    redirect and treat the connection as secure. First in MIDDLEWARE, before anything asks
    request.is_secure().
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "HTTP_X_FORWARDED_PROTO" in request.META and not ratelimit.from_trusted_proxy(request):
            del request.META["HTTP_X_FORWARDED_PROTO"]
        return self.get_response(request)


class CachePolicyMiddleware:
    """A page with a form that posts (it holds a CSRF token) is never kept anywhere; other
    public GET answers that say nothing themselves may be kept briefly, as kb/page_cache.py's are.

    Placed after CsrfViewMiddleware, so that it sees the response before the CSRF
    middleware has set its cookie and cleared the flag that a token was used.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            add_never_cache_headers(response)
        elif request.method in ("GET", "HEAD") and not response.has_header("Cache-Control") and response.status_code < 500:
            patch_cache_control(
                response, public=True, max_age=page_cache.MAX_AGE, stale_while_revalidate=page_cache.STALE_WHILE_REVALIDATE
            )
        return response


class BrowserPolicyMiddleware:
    """Content-Security-Policy and Permissions-Policy on every answer (kb/settings.py says which);
    Cross-Origin-Opener-Policy comes from Django's SecurityMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response
        policy = settings.CONTENT_SECURITY_POLICY
        if settings.CSP_REPORT_URI:
            policy += f"; report-uri {settings.CSP_REPORT_URI}"
        self.csp = policy
        self.csp_header = "Content-Security-Policy-Report-Only" if settings.CSP_REPORT_ONLY else "Content-Security-Policy"

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault(self.csp_header, self.csp)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


# Asked to come back after this many seconds when the database is unreachable.
RETRY_AFTER_SECONDS = 30


class DatabaseOutageMiddleware:
    """The database unreachable: the site's own 503 page, or a JSON 503 for the API, with Retry-After.

    OperationalError is what a refused or lost connection raises (psycopg's and
    sqlite3's, wrapped by Django); a bug in a query raises other DatabaseErrors,
    which stay the 500 they are. /healthz never reads the database; /readyz says so.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError):
            return None
        logger.error("Database unreachable: %s", exception)
        if request.path.startswith("/api/"):
            response = JsonResponse({"error": "The knowledge base is unavailable for a moment; try again shortly."}, status=503)
        else:
            response = HttpResponse(render_to_string("503.html", request=request), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        add_never_cache_headers(response)
        return response
