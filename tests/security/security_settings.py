"""Settings for the security suite: the example project as deployed (DEBUG off), a
throwaway SQLite database, two extra LiveViews (security_views) and an ASGI
application that does NOT wrap the socket in Channels' origin validator, so that the
consumer's own checks are what is tested."""

import os
from pathlib import Path

from config.settings import *

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "security_urls"
ASGI_APPLICATION = "security_asgi.application"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["DJUST_SECURITY_DB"]}}
_HERE = Path(__file__).resolve().parent / "templates"
for _engine in TEMPLATES:
    _engine["DIRS"] = [_HERE, *_engine["DIRS"]]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"djust": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
DJUST = {"EVENT_RATE_LIMIT": {"rate": 20, "burst": 40}}
if os.environ.get("DJUST_SECURITY_REDIS"):
    # Several server processes sharing one channel layer (test_profile_workers.py) and
    # the LiveView state backend (test_state_workers.py).
    DJUST = {**DJUST, "STATE_BACKEND": "redis", "STATE_REDIS_URL": os.environ["DJUST_SECURITY_REDIS"]}
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [os.environ["DJUST_SECURITY_REDIS"]]},
        }
    }
