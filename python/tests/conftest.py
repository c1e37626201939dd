"""Django settings for the tests: the package is tested against Django's own engine."""

import sys
from pathlib import Path

import django
import pytest
from django.conf import settings

TEMPLATES = Path(__file__).resolve().parent / "templates"

# tests/redis_server.py, shared with the security suite.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
from redis_server import redis_server


def pytest_configure() -> None:
    if not settings.configured:
        settings.configure(
            USE_TZ=True,
            TIME_ZONE="UTC",
            USE_I18N=True,
            LANGUAGE_CODE="en-us",
            INSTALLED_APPS=[
                "django.contrib.auth",
                "django.contrib.contenttypes",
                "django.contrib.sessions",
                "django.contrib.staticfiles",
                "django.contrib.humanize",
                "djust",
            ],
            ALLOWED_HOSTS=["testserver"],
            # Django's defaults for sessions, CSRF and authentication: a LiveView mount
            # over the socket passes through them as the page does. Signed-cookie
            # sessions need no database.
            MIDDLEWARE=[
                "django.contrib.sessions.middleware.SessionMiddleware",
                "django.middleware.csrf.CsrfViewMiddleware",
                "django.contrib.auth.middleware.AuthenticationMiddleware",
            ],
            SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
            ROOT_URLCONF="djust_test_urls",
            STATIC_URL="/static/",
            MEDIA_URL="/media/",
            SECRET_KEY="djust-tests",
            # LiveForm's model forms (test_forms.py) check uniqueness in a database.
            DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
            # Broadcast and presence (test_presence.py) in one process.
            CHANNEL_LAYERS={"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}},
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


@pytest.fixture
def v007_project(tmp_path: Path) -> Path:
    """A directory whose one view has a V007 finding (a handler without ``**kwargs``)
    at line 6, column 9."""
    (tmp_path / "views.py").write_text(
        "from djust import LiveView\n"
        "from djust.decorators import event_handler\n"
        "class V(LiveView):\n"
        '    template_name = "v.html"\n'
        "    @event_handler\n"
        "    def go(self):\n"
        "        pass\n"
        "    def mount(self, request, **kwargs):\n"
        "        pass\n"
    )
    return tmp_path


@pytest.fixture
def database(db: None) -> None:
    """A test database with Django's migrations applied (pytest-django's ``db``: each
    test in a transaction rolled back after it)."""


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory):
    """A real ``redis-server`` on a free loopback port, for the session: its URL."""
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url
