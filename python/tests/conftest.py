"""Django settings for the tests: the package is tested against Django's own engine."""

import django
from django.conf import settings


def pytest_configure() -> None:
    if not settings.configured:
        settings.configure(
            USE_TZ=True,
            TIME_ZONE="UTC",
            USE_I18N=True,
            LANGUAGE_CODE="en-us",
            INSTALLED_APPS=[],
            TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}],
        )
        django.setup()
