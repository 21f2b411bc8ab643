"""Per-client limits, counted in the shared cache: RATE_LIMIT_ANALYZE for analysing, RATE_LIMIT_FEEDBACK for
feedback (e.g. "30/m").

When the cache that counts is down (Redis unreachable), the request is allowed, not
refused: each analysis is bounded already (kb/forms.py's size limits, a parser
linear in its input), and turning every visitor away because a counter is missing
would make a cache outage a site outage. A warning is logged for each such request.

The client is the peer that connected, unless that peer is one of TRUSTED_PROXIES:
then X-Forwarded-For is read from the right, past every trusted proxy, and the
first address that is not one is the client. Whatever a client writes further
left in that header is its own claim and is ignored. The same trust decides whose
X-Forwarded-Proto says the visitor came over HTTPS (kb.middleware.ForwardedProtoMiddleware).
"""

import hashlib
import ipaddress
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from kb.cache import STORE_DOWN

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(text, setting="RATE_LIMIT_ANALYZE"):
    """"30/m" -> (30, 60); "0" or "" -> None (no limit)."""
    text = (text or "").strip().lower()
    if text in ("", "0"):
        return None
    count, _, unit = text.partition("/")
    if not count.isdigit() or unit not in PERIODS:
        raise ImproperlyConfigured(f"{setting} must look like 30/m (per s, m, h or d) or 0, not {text!r}.")
    return (int(count), PERIODS[unit]) if int(count) else None


def _address(text):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address):
    return address is not None and any(address in network for network in settings.TRUSTED_PROXIES)


def from_trusted_proxy(request):
    """Whether the peer that connected is one of TRUSTED_PROXIES (whose X-Forwarded-* headers count)."""
    return _trusted(_address(request.META.get("REMOTE_ADDR", "")))


def client_address(request):
    """The client's address as a string: the peer, or what trusted proxies say they were sent by."""
    peer = request.META.get("REMOTE_ADDR", "")
    hop = _address(peer)
    if not _trusted(hop):
        return peer
    for claimed in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(claimed)
        if address is None:
            # Garbled: nothing left of it can be believed; the last trusted hop answers for it.
            return str(hop)
        if not _trusted(address):
            return str(address)
        hop = address
    return str(hop)  # every hop a proxy of ours: the leftmost one is the client


def allow(request, scope="analyze"):
    """Count this request against the client's budget; False once the budget is spent."""
    setting = f"RATE_LIMIT_{scope.upper()}"
    rate = parse_rate(getattr(settings, setting), setting)
    if rate is None:
        return True
    limit, period = rate
    # A hash, so the cache never holds client addresses in the clear.
    client = hashlib.sha256(client_address(request).encode()).hexdigest()[:16]
    key = f"ratelimit:{scope}:{client}:{int(time.time() // period)}"
    try:
        if cache.add(key, 1, timeout=period + 1):
            return True
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr
        return True
    except STORE_DOWN as error:
        logger.warning("Rate limit store unavailable, allowing the request: %s", error)
        return True
