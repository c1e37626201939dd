"""``{% load live_tags %}``: ``{% live_render "app.views.Widget" key=value %}`` embeds
another LiveView in a page (upstream djust's tag, Phoenix's ``live_render``).

On the page load the tag mounts the LiveView for the request (its ``login_required``
and ``check_permissions`` first: a view the user may not see renders nothing), renders
its root and signs a token for it (:func:`djust.mount.issue_embedded`): the class and
the tag's keyword arguments, for this browser. The client mounts it over the page's
one WebSocket, beside the page's own LiveView (each message carries its ``view_id``).
In the server's later renders of the page's LiveView the tag writes only a placeholder.

Put it outside the page's own LiveView root (in the layout, or next to the root): a
LiveView inside another's root is not supported yet. Keyword arguments must be JSON
values (they are signed into the token).
"""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe

from djust import mount as socket_mount

register = template.Library()


@register.simple_tag(takes_context=True)
def live_render(context: Any, view_path: str, **kwargs: Any) -> SafeString:
    """The embedded LiveView's root, with its token (see the module documentation).
    ``TemplateSyntaxError`` when ``view_path`` is not a LiveView or ``kwargs`` are not
    JSON values."""
    from djust import _rust
    from djust.live_view import LiveView, with_page_token

    try:
        cls = import_string(view_path)
    except ImportError as exc:
        raise template.TemplateSyntaxError(f"live_render: {view_path!r} cannot be imported: {exc}") from exc
    if not (isinstance(cls, type) and issubclass(cls, LiveView)):
        raise template.TemplateSyntaxError(f"live_render: {view_path!r} is not a LiveView")
    try:
        json.dumps(kwargs)
    except (TypeError, ValueError) as exc:
        raise template.TemplateSyntaxError(
            f"live_render({view_path!r}): keyword arguments must be JSON values"
        ) from exc
    request = context.get("request")
    if request is None:
        raise template.TemplateSyntaxError("live_render needs the request in the context (render with a request)")
    if getattr(request, "djust_mount", None) is not None:
        # A socket render of the page's own LiveView: the embedded one lives on its own.
        return format_html('<div dj-view="{}"></div>', socket_mount.class_path(cls))
    view = cls()
    view.setup(request)
    if not view.allowed(request):
        return mark_safe("")
    view._djust_embedded = True
    view.mount(request, **kwargs)
    html, _, _ = _rust.LiveViewRenderer(view.get_template().template).render_with_diff(view.render_context())
    token = socket_mount.issue_embedded(request, cls, kwargs)
    return mark_safe(with_page_token(html, token, socket_mount.class_path(cls)))
