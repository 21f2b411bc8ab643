from django.test.runner import DiscoverRunner
from django.test.utils import override_settings

PLAIN_STATIC = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}


class TestRunner(DiscoverRunner):
    """Pages render in tests without running `collectstatic` first.

    Production uses WhiteNoise's manifest storage, which needs collected files;
    tests/test_project.py checks that collecting works.
    """

    def setup_test_environment(self, **kwargs):
        super().setup_test_environment(**kwargs)
        from django.conf import settings

        self._plain_static = override_settings(
            STORAGES={**settings.STORAGES, "staticfiles": PLAIN_STATIC},
            STATIC_ROOT=None,
            WHITENOISE_USE_FINDERS=True,
        )
        self._plain_static.enable()

    def teardown_test_environment(self, **kwargs):
        self._plain_static.disable()
        super().teardown_test_environment(**kwargs)
