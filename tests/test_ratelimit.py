from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, SimpleTestCase, override_settings

from kb import ratelimit
from kb.settings import cache_config

REDIS_URL = "redis://127.0.0.1:6379/15"


class ParseRateTests(SimpleTestCase):
    def test_it_reads_count_and_period(self):
        self.assertEqual(ratelimit.parse_rate("30/m"), (30, 60))
        self.assertEqual(ratelimit.parse_rate(" 5/S "), (5, 1))
        self.assertEqual(ratelimit.parse_rate("100/h"), (100, 3600))

    def test_zero_or_empty_means_no_limit(self):
        for text in ("0", "", "0/m"):
            self.assertIsNone(ratelimit.parse_rate(text))

    def test_a_malformed_rate_is_a_clear_configuration_error(self):
        for text in ("30", "thirty/m", "30/week", "-1/m"):
            with self.subTest(text=text), self.assertRaisesMessage(ImproperlyConfigured, "RATE_LIMIT_ANALYZE"):
                ratelimit.parse_rate(text)


class CacheConfigTests(SimpleTestCase):
    def test_cache_url_picks_the_backend(self):
        self.assertEqual(cache_config(REDIS_URL)["BACKEND"], "kb.cache.ForgivingRedisCache")
        self.assertEqual(cache_config("dummy://")["BACKEND"], "django.core.cache.backends.dummy.DummyCache")
        self.assertEqual(cache_config("locmem://")["BACKEND"], "django.core.cache.backends.locmem.LocMemCache")


@override_settings(CACHES={"default": cache_config(REDIS_URL)}, RATE_LIMIT_ANALYZE="3/m")
class SharedLimitTests(SimpleTestCase):
    """Against the real Redis server this machine kind starts, as several app servers would share it."""

    def setUp(self):
        caches["default"].clear()

    def test_the_budget_is_counted_in_the_shared_cache(self):
        request = RequestFactory().post("/analyze/", REMOTE_ADDR="192.0.2.7")
        self.assertEqual([ratelimit.allow(request) for _ in range(4)], [True, True, True, False])
        other = RequestFactory().post("/analyze/", REMOTE_ADDR="192.0.2.8")
        self.assertTrue(ratelimit.allow(other))

    def test_no_client_address_is_stored_in_the_clear(self):
        ratelimit.allow(RequestFactory().post("/analyze/", REMOTE_ADDR="192.0.2.7"))
        client = caches["default"]._cache.get_client(write=False)
        keys = [key.decode() for key in client.keys("*")]
        self.assertTrue(keys)
        self.assertFalse(any("192.0.2.7" in key for key in keys))
