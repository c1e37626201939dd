"""WSGI entry point of [[project]] (plain HTTP only: LiveViews need ASGI, see asgi.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "[[project]].settings")

application = get_wsgi_application()
