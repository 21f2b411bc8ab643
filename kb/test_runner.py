from django.test.runner import DiscoverRunner
from django.test.utils import override_settings

PLAIN_STATIC = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}


class TestRunner(DiscoverRunner):
    """Tests run on plain HTTP and render pages without `collectstatic` first.

    Production uses WhiteNoise's manifest storage, which needs collected files,
    and redirects to HTTPS; tests/test_project.py checks both settings.
    """

    def setup_test_environment(self, **kwargs):
        super().setup_test_environment(**kwargs)
        from django.conf import settings

        self._test_settings = override_settings(
            STORAGES={**settings.STORAGES, "staticfiles": PLAIN_STATIC},
            STATIC_ROOT=None,
            WHITENOISE_USE_FINDERS=True,
            SECURE_SSL_REDIRECT=False,
        )
        self._test_settings.enable()

    def teardown_test_environment(self, **kwargs):
        self._test_settings.disable()
        super().teardown_test_environment(**kwargs)
