"""Django settings for the tests: the package is tested against Django's own engine."""

from pathlib import Path

import django
from django.conf import settings

TEMPLATES = Path(__file__).resolve().parent / "templates"


def pytest_configure() -> None:
    if not settings.configured:
        settings.configure(
            USE_TZ=True,
            TIME_ZONE="UTC",
            USE_I18N=True,
            LANGUAGE_CODE="en-us",
            INSTALLED_APPS=["django.contrib.staticfiles", "djust"],
            ROOT_URLCONF="djust_test_urls",
            STATIC_URL="/static/",
            MEDIA_URL="/media/",
            SECRET_KEY="djust-tests",
            TEMPLATES=[
                {
                    "NAME": "django",
                    "BACKEND": "django.template.backends.django.DjangoTemplates",
                    "DIRS": [TEMPLATES],
                    "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
                },
                {
                    "NAME": "djust",
                    "BACKEND": "djust.template.backends.DjustTemplates",
                    "DIRS": [TEMPLATES],
                    "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
                },
            ],
        )
        django.setup()
