import unittest

from django.core.management import call_command
from django.db import connections, transaction
from django.test.runner import DiscoverRunner
from django.test.utils import override_settings

PLAIN_STATIC = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# A second database for the test run only: SQLite in memory, whatever the suite runs on.
# The tests that ask for it (tests/test_search.py) load the knowledge base into it too and
# check that search gives the same answers there as on the suite's own database, which in
# CI is PostgreSQL. It is created only when a test class lists it in its `databases`.
SQLITE_ALIAS = "sqlite"
SQLITE_DATABASE = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}


class TestRunner(DiscoverRunner):
    """Tests run on plain HTTP, render pages without `collectstatic` first, hash
    passwords with MD5, and load the knowledge base once for the tests that read it.

    Production uses WhiteNoise's manifest storage, which needs collected files,
    redirects to HTTPS and hashes with PBKDF2 (200 ms a password, by design);
    tests/test_project.py checks those settings. The search index is not left in the shared
    "derived" cache. The run also has a second database,
    SQLite in memory (SQLITE_ALIAS), to compare search on both.
    """

    def setup_test_environment(self, **kwargs):
        super().setup_test_environment(**kwargs)
        from django.conf import settings

        if SQLITE_ALIAS not in connections.settings:
            connections.settings[SQLITE_ALIAS] = dict(SQLITE_DATABASE)
            connections.configure_settings(connections.settings)  # the defaults every alias has

        self._test_settings = override_settings(
            STORAGES={**settings.STORAGES, "staticfiles": PLAIN_STATIC},
            STATIC_ROOT=None,
            WHITENOISE_USE_FINDERS=True,
            SECURE_SSL_REDIRECT=False,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            # Each test's content has its own token: sharing the index it built with the next
            # process would only fill .cache/ (tests/test_search.py's SharedIndexTests use their own).
            CACHES={**settings.CACHES, "derived": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}},
        )
        self._test_settings.enable()

    def teardown_test_environment(self, **kwargs):
        self._test_settings.disable()
        super().teardown_test_environment(**kwargs)

    def run_suite(self, suite, **kwargs):
        return super().run_suite(PhasedSuite(suite), **kwargs)


def uses_knowledge_base(test):
    return getattr(type(test), "uses_knowledge_base", False)


class PhasedSuite:
    """The suite in three runs: the tests on their own data, then those that read the
    published knowledge base, then the live-server ones (which empty the database).

    Before the second run the knowledge base is loaded, once, and committed; each
    of its TestCase classes works in a transaction of its own that is rolled back,
    as always, so the 1,700 fixture records load once per run instead of once per
    class (2 s each). After it, the knowledge base is deleted again. Each run is a
    whole unittest run of its own, so every class is set up and torn down inside it.
    """

    def __init__(self, suite):
        tests = list(_flatten(suite))
        transactional = [t for t in tests if not _rolls_back(t)]
        knowledge_base = [t for t in tests if _rolls_back(t) and uses_knowledge_base(t)]
        plain = [t for t in tests if _rolls_back(t) and not uses_knowledge_base(t)]
        self.plain, self.knowledge_base, self.transactional = map(unittest.TestSuite, (plain, knowledge_base, transactional))

    def countTestCases(self):
        return sum(s.countTestCases() for s in (self.plain, self.knowledge_base, self.transactional))

    def __call__(self, result):
        for phase in (self.plain, self.knowledge_base, self.transactional):
            if phase is self.knowledge_base and phase.countTestCases():
                call_command("load_kb", verbosity=0)
                try:
                    phase(result)
                finally:
                    _delete_knowledge_base()
            else:
                phase(result)
            # A run tears down its last class itself; without this, unittest would tear
            # it down again when the next run starts (it remembers the class on the result).
            result._previousTestClass = None
        return result


def _delete_knowledge_base():
    from kb.models import Category, Code, IndexBuild, Provider

    with transaction.atomic():
        for model in (Code, Provider, Category, IndexBuild):  # entries first: their examples protect providers
            model.objects.all().delete()


def _flatten(suite):
    for test in suite:
        if isinstance(test, unittest.TestSuite):
            yield from _flatten(test)
        else:
            yield test


def _rolls_back(test):
    """Whether the test runs in a transaction rolled back after it (TestCase, SimpleTestCase, unittest)."""
    from django.test import TestCase, TransactionTestCase

    return isinstance(test, TestCase) or not isinstance(test, TransactionTestCase)
