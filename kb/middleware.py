"""Site-wide response policies: what a browser or a CDN may keep."""

from django.utils.cache import add_never_cache_headers, patch_cache_control

from kb import page_cache


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
