import ipaddress
import os
from unittest import mock

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


def request_from(peer, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().post("/analyze/", REMOTE_ADDR=peer, **extra)


def proxies(*items):
    return override_settings(TRUSTED_PROXIES=[ipaddress.ip_network(item) for item in items])


class ClientAddressTests(SimpleTestCase):
    """Whose X-Forwarded-For is believed (TRUSTED_PROXIES), and how far."""

    def test_without_trusted_proxies_the_peer_is_the_client_whatever_it_claims(self):
        with proxies():
            self.assertEqual(ratelimit.client_address(request_from("198.51.100.9", "203.0.113.1")), "198.51.100.9")

    def test_a_trusted_proxy_is_believed_about_its_peer(self):
        with proxies("10.0.0.0/8"):
            self.assertEqual(ratelimit.client_address(request_from("10.1.2.3", "203.0.113.1")), "203.0.113.1")

    def test_a_spoofed_address_written_by_the_client_is_ignored(self):
        # The client sent "X-Forwarded-For: 1.2.3.4"; the load balancer appended the real peer.
        with proxies("10.0.0.0/8"):
            request = request_from("10.1.2.3", "1.2.3.4, 203.0.113.1")
            self.assertEqual(ratelimit.client_address(request), "203.0.113.1")

    def test_a_chain_of_trusted_proxies_is_walked_from_the_right(self):
        with proxies("10.0.0.0/8", "192.168.0.5"):
            request = request_from("10.0.0.1", "1.2.3.4, 203.0.113.1, 192.168.0.5, 10.9.9.9")
            self.assertEqual(ratelimit.client_address(request), "203.0.113.1")

    def test_an_untrusted_peer_cannot_pass_for_a_proxy(self):
        with proxies("10.0.0.0/8"):
            self.assertEqual(ratelimit.client_address(request_from("198.51.100.9", "10.1.1.1")), "198.51.100.9")

    def test_a_garbled_header_is_answered_for_by_the_last_trusted_hop(self):
        with proxies("10.0.0.0/8"):
            self.assertEqual(ratelimit.client_address(request_from("10.1.2.3", "not-an-address")), "10.1.2.3")
            self.assertEqual(ratelimit.client_address(request_from("10.1.2.3", "")), "10.1.2.3")

    def test_ipv6_addresses_and_ranges_work_too(self):
        with proxies("fd00::/8"):
            self.assertEqual(ratelimit.client_address(request_from("fd00::1", "2001:db8::7")), "2001:db8::7")

    @override_settings(CACHES={"default": cache_config("locmem://")}, RATE_LIMIT_ANALYZE="2/m")
    def test_spoofing_the_header_does_not_buy_a_new_budget(self):
        caches["default"].clear()
        with proxies("10.0.0.0/8"):
            allowed = [ratelimit.allow(request_from("10.0.0.1", f"192.0.2.{n}, 203.0.113.50")) for n in range(4)]
        self.assertEqual(allowed, [True, True, False, False])

    @override_settings(CACHES={"default": cache_config("locmem://")}, RATE_LIMIT_ANALYZE="2/m")
    def test_clients_behind_one_trusted_proxy_have_budgets_of_their_own(self):
        caches["default"].clear()
        with proxies("10.0.0.0/8"):
            allowed = [ratelimit.allow(request_from("10.0.0.1", f"203.0.113.{n}")) for n in range(4)]
        self.assertEqual(allowed, [True] * 4)


class TrustedProxiesSettingTests(SimpleTestCase):
    def test_addresses_and_ranges_are_read_and_nonsense_stops_start_up(self):
        from kb.settings import envnetworks

        with mock.patch.dict(os.environ, {"TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8,fd00::/8"}):
            self.assertEqual([str(n) for n in envnetworks("TRUSTED_PROXIES")], ["127.0.0.1/32", "10.0.0.0/8", "fd00::/8"])
        with mock.patch.dict(os.environ, {"TRUSTED_PROXIES": "10.0.0.0/8, lb.example"}), \
                self.assertRaisesMessage(ImproperlyConfigured, "TRUSTED_PROXIES"):
            envnetworks("TRUSTED_PROXIES")

    def test_only_the_rate_limit_reads_the_client_address(self):
        from pathlib import Path

        readers = [path.name for path in Path(ratelimit.__file__).parent.rglob("*.py")
                   if "REMOTE_ADDR" in path.read_text() or "X_FORWARDED_FOR" in path.read_text()]
        self.assertEqual(readers, ["ratelimit.py"])


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=[],
                   SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
class ForwardedProtoTests(SimpleTestCase):
    """Only a trusted proxy may say the visitor came over HTTPS; anyone else is redirected to it."""

    def get(self, peer):
        return self.client.get("/healthz", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR=peer, secure=False)

    def test_a_trusted_proxy_saying_https_is_believed(self):
        with proxies("10.0.0.0/8"):
            self.assertEqual(self.get("10.1.2.3").status_code, 200)

    def test_a_client_claiming_https_over_plain_http_is_redirected(self):
        with proxies("10.0.0.0/8"):
            response = self.get("198.51.100.9")
        self.assertEqual(response.status_code, 301)
        self.assertTrue(response["Location"].startswith("https://"))
