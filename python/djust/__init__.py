"""djust: Phoenix-LiveView-style server-rendered interactivity for Django.

The template engine and the VDOM are Rust (``djust._rust``); this package is the
Python side.
"""

from djust._rust import (
    PATCH_PROTOCOL_VERSION,
    Engine,
    LiveViewRenderer,
    Template,
    __version__,
    check,
    diff_html,
    dumps,
    main,
    render_template,
)
from djust.exceptions import (
    TemplateDoesNotExist,
    TemplateError,
    TemplateRenderError,
    TemplateSyntaxError,
)


def __getattr__(name: str) -> object:
    # LiveView needs Django; importing it lazily keeps `import djust` Django-free.
    if name == "LiveView":
        from djust.live_view import LiveView

        return LiveView
    if name in ("LiveComponent", "Component"):
        from djust import components

        return getattr(components, name)
    raise AttributeError(f"module 'djust' has no attribute {name!r}")


__all__ = [
    "PATCH_PROTOCOL_VERSION",
    "Component",
    "Engine",
    "LiveComponent",
    "LiveView",
    "LiveViewRenderer",
    "Template",
    "TemplateDoesNotExist",
    "TemplateError",
    "TemplateRenderError",
    "TemplateSyntaxError",
    "__version__",
    "check",
    "diff_html",
    "dumps",
    "main",
    "render_template",
]
