"""djust's Django system checks: the Rust analyzer of ``djust check`` run on the project,
its findings reported as Django ``CheckMessage``s with ids ``djust.<code>``
(``djust.V006``, ``djust.T002``, ...). Registered under the tag ``djust`` by the app
(:mod:`djust.apps`); ``SILENCED_SYSTEM_CHECKS = ["djust.V006"]`` silences a rule as
for any Django check. The analyzer reads files only: it never imports the project.

The project root is ``settings.DJUST_CHECK_ROOT`` if set, else ``settings.BASE_DIR``,
else the current directory; the configuration is the one ``djust check`` finds there
(``pyproject.toml`` ``[tool.djust]``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks as django_checks

from djust import _rust

TAG = "djust"

_LEVELS = {
    "error": django_checks.Error,
    "warning": django_checks.Warning,
    "info": django_checks.Info,
}


def project_root() -> Path:
    root = getattr(settings, "DJUST_CHECK_ROOT", None) or getattr(settings, "BASE_DIR", None)
    return Path(root) if root else Path.cwd()


def to_message(finding: dict[str, Any]) -> django_checks.CheckMessage:
    """One analyzer finding as a Django check message (``obj`` is ``file:line:column``)."""
    level = _LEVELS.get(finding["severity"], django_checks.Warning)
    location = finding["location"]
    return level(
        finding["message"],
        hint=finding.get("help"),
        obj=f"{finding['filename']}:{location['row']}:{location['column']}",
        id=f"djust.{finding['code']}",
    )


def run(app_configs: Any = None, **kwargs: Any) -> list[django_checks.CheckMessage]:
    """The check function: every finding of ``djust check`` on the project root."""
    root = project_root()
    try:
        findings = _rust.check(["."], cwd=root)
    except (OSError, ValueError) as exc:
        return [
            django_checks.Error(
                f"djust could not check {root}: {exc}",
                hint="Set settings.DJUST_CHECK_ROOT to the project directory, or fix [tool.djust].",
                id="djust.E000",
            )
        ]
    return [to_message(f) for f in findings]


def profile_endpoint(app_configs: Any = None, **kwargs: Any) -> list[django_checks.CheckMessage]:
    """``djust.W101`` (a deploy check): the profile endpoint is routed and would be
    served without a token (with DEBUG on, to loopback clients)."""
    from django.urls import NoReverseMatch, reverse

    from djust import conf

    try:
        path = reverse("djust-profile")
    except NoReverseMatch:
        return []
    if conf.profile_token() is not None or not settings.DEBUG:
        return []
    return [
        django_checks.Warning(
            f"The djust profile endpoint ({path}) is served without a token: DEBUG is on, so loopback clients "
            "(and anything proxied through localhost) can read every event's timings, SQL and tracebacks.",
            hint="Turn DEBUG off in production, or set DJUST_PROFILE_TOKEN (at least 16 characters) so that "
            "only `djust profile --token` can read it.",
            id="djust.W101",
        )
    ]


def register() -> None:
    django_checks.register(run, TAG)
    django_checks.register(profile_endpoint, TAG, django_checks.Tags.security, deploy=True)
