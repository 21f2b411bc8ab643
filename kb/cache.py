"""The shared cache (CACHE_URL=redis://…) as a cache should be: when Redis is down, the site still serves.

Reads miss and writes are dropped, so kept pages (kb/page_cache.py) and cached
fragments are rendered afresh while Redis is away. add() and incr() are not
forgiven: they count, and only the counter knows what a lost count means
(kb/ratelimit.py decides).
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError, TimeoutError

logger = logging.getLogger(__name__)

# What redis-py raises when the server refuses, drops or does not answer a connection.
STORE_DOWN = (ConnectionError, TimeoutError)


class ForgivingRedisCache(RedisCache):
    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except STORE_DOWN as error:
            logger.warning("Cache unavailable, reading %r as a miss: %s", key, error)
            return default

    def set(self, key, value, timeout=None, version=None):
        try:
            super().set(key, value, timeout, version)
        except STORE_DOWN as error:
            logger.warning("Cache unavailable, not keeping %r: %s", key, error)
