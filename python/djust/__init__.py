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
    main,
    render_template,
)
from djust.exceptions import (
    TemplateDoesNotExist,
    TemplateError,
    TemplateRenderError,
    TemplateSyntaxError,
)

__all__ = [
    "PATCH_PROTOCOL_VERSION",
    "Engine",
    "LiveViewRenderer",
    "Template",
    "TemplateDoesNotExist",
    "TemplateError",
    "TemplateRenderError",
    "TemplateSyntaxError",
    "__version__",
    "check",
    "diff_html",
    "main",
    "render_template",
]
