"""WSGI entry point: `gunicorn kb.wsgi` serves the site, static files included."""

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
application = get_wsgi_application()

# Management commands may run without a key; serving in production may not.
if not settings.DEBUG and not os.environ.get("SECRET_KEY"):
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random string "
        "before serving in production, or set DEBUG=1 for a local development server."
    )
