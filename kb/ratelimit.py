"""Per-client limits, counted in the shared cache: RATE_LIMIT_ANALYZE for analysing, RATE_LIMIT_FEEDBACK for feedback (e.g. "30/m")."""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

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


def allow(request, scope="analyze"):
    """Count this request against the client's budget; False once the budget is spent."""
    setting = f"RATE_LIMIT_{scope.upper()}"
    rate = parse_rate(getattr(settings, setting), setting)
    if rate is None:
        return True
    limit, period = rate
    # A hash, so the cache never holds client addresses in the clear.
    client = hashlib.sha256(request.META.get("REMOTE_ADDR", "").encode()).hexdigest()[:16]
    key = f"ratelimit:{scope}:{client}:{int(time.time() // period)}"
    if cache.add(key, 1, timeout=period + 1):
        return True
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr
        return True
