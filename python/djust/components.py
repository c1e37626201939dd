"""Components: reusable pieces of a LiveView's page, each a class and a template.

A **stateless** :class:`Component` renders its template from the props it is given,
every time the page renders::

    class Badge(Component):
        template_name = "shop/badge.html"

    {% component "shop.components.Badge" label="New" %}

A :class:`LiveComponent` is **stateful**: the LiveView keeps one instance per ``id``
between renders. ``mount(**props)`` runs when it first appears, ``update(**props)`` when
the parent renders it with different props, and its ``@event_handler`` methods receive
the events sent from inside its root element (the client sends the component's id, set
as ``dj-component`` on that element). ``send_parent(event, **params)`` calls the parent
LiveView's handler::

    class Cart(LiveComponent):
        template_name = "shop/cart.html"

        def mount(self, items=(), **props):
            self.items = list(items)

        @event_handler
        def remove(self, index: int = 0, **kwargs):
            del self.items[int(index)]
            self.send_parent("cart_changed", count=len(self.items))

    {% live_component "shop.components.Cart" id="cart" items=items %}

A live component's public attributes are its state and its template's context
(validated as a LiveView's, :mod:`djust.state`), with ``component`` (the instance) and
``id``. Its HTML is part of the LiveView's page, so the diff of an event that changes
only the component touches only the component's elements. A component the last render
did not reach is dropped, as a Phoenix ``live_component`` is when its parent stops
rendering it. ``dj-model`` binds the LiveView's own state, also inside a component.

Both tags are always available in djust templates (no ``{% load %}``); the engine
parses them and calls :func:`render_tag`.
"""

from __future__ import annotations

import contextvars
import functools
import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils.module_loading import import_string

from djust import state
from djust.decorators import handlers


class ComponentError(Exception):
    """A component tag that cannot render: a path that does not import, a class of
    the wrong kind, a missing or repeated ``id``, a template without a root element."""


class Component:
    """A stateless component (see the module documentation): ``Badge(**props)``
    renders ``template_name`` with ``get_context_data()``."""

    #: The template, found by djust's template backend.
    template_name: str | None = None

    def __init__(self, **props: Any) -> None:
        self.props = props

    def get_context_data(self) -> dict[str, Any]:
        """The template's context: the props, plus ``component`` (the instance)."""
        context = dict(self.props)
        context.setdefault("component", self)
        return context

    def render(self, request: Any = None) -> str:
        """The component's HTML; ``request`` adds the context processors' values."""
        return _template(self).render(self.get_context_data(), request)


class LiveComponent:
    """A stateful component kept by its LiveView under ``id`` (see the module
    documentation). Created by the ``{% live_component %}`` tag, never directly."""

    #: The template, found by djust's template backend. It must render one root element.
    template_name: str | None = None

    def __init__(self, parent: Any, component_id: str) -> None:
        self._parent = parent
        #: The id the template gave it, unique on the page.
        self.id = component_id

    @property
    def parent(self) -> Any:
        """The LiveView that renders this component."""
        return self._parent

    def mount(self, **props: Any) -> None:
        """The first render: by default every prop becomes an attribute (state)."""
        for name, value in props.items():
            setattr(self, name, value)

    def update(self, **props: Any) -> None:
        """The parent rendered the component with props that differ from the last
        ones: by default every prop is set again (state the component changed itself
        and that is not a prop stays)."""
        for name, value in props.items():
            setattr(self, name, value)

    def get_context_data(self) -> dict[str, Any]:
        """The template's context: the validated public state, plus ``component``."""
        context = state.validate(self)
        context.setdefault("component", self)
        return context

    def render(self, request: Any = None) -> str:
        """The component's HTML, without the ``dj-component`` marker."""
        return _template(self).render(self.get_context_data(), request)

    def push_event(self, event: str, payload: dict[str, Any] | None = None) -> None:
        """Push ``event`` with ``payload`` to the browser, through the parent LiveView
        (:meth:`djust.LiveView.push_event`)."""
        self._parent.push_event(event, payload)

    def send_parent(self, event: str, **params: Any) -> Any:
        """Tell the parent LiveView: its ``@event_handler`` named ``event`` runs with
        ``params``, as if the page had sent it; without one, its ``handle_info(event,
        **params)`` (Phoenix's name for a LiveView's inbox). Raises
        :class:`ComponentError` when the parent has neither."""
        method = handlers(type(self._parent)).get(event)
        if method is not None:
            return getattr(self._parent, method)(**params)
        inbox = getattr(self._parent, "handle_info", None)
        if inbox is None:
            raise no_receiver(self._parent, event)
        return inbox(event, **params)

    @classmethod
    def event_handlers(cls) -> dict[str, str]:
        """Event name → method name, for the methods marked with ``@event_handler``."""
        return handlers(cls)


def no_receiver(parent: Any, event: str) -> ComponentError:
    """The error for a ``send_parent(event)`` that ``parent`` does not handle."""
    return ComponentError(
        f"send_parent({event!r}): {type(parent).__name__} has no @event_handler {event!r} and no "
        "handle_info(). Define one of them on the LiveView that renders this component."
    )


# -- rendering ---------------------------------------------------------------------------

_COMPONENTS_ATTRIBUTE = "_djust_components"


class _Rendering:
    """The LiveView being rendered and the live component ids the render reached."""

    def __init__(self, view: Any) -> None:
        self.view = view
        self.seen: set[str] = set()


_current: contextvars.ContextVar[_Rendering | None] = contextvars.ContextVar("djust_rendering", default=None)


def live_components(view: Any) -> dict[str, LiveComponent]:
    """The live components ``view`` keeps, by id (empty before its first render)."""
    found = view.__dict__.get(_COMPONENTS_ATTRIBUTE)
    if found is None:
        found = view.__dict__[_COMPONENTS_ATTRIBUTE] = {}
    return found


@contextmanager
def rendering(view: Any) -> Iterator[None]:
    """Render ``view`` inside this block: its ``{% live_component %}`` tags find and
    keep their instances on it. After a render that succeeds, the components it did not
    reach are dropped."""
    current = _Rendering(view)
    token = _current.set(current)
    try:
        yield
    finally:
        _current.reset(token)
    kept = live_components(view)
    for gone in [cid for cid in kept if cid not in current.seen]:
        del kept[gone]


def render_tag(live: bool, component: Any, props: dict[str, Any]) -> str:
    """The HTML of ``{% live_component component **props %}`` (``live``) or ``{%
    component component **props %}``: ``component`` is a dotted path (or the class).
    Called by the template engine. Raises :class:`ComponentError` (see there)."""
    tag = "live_component" if live else "component"
    cls = _resolve(component, LiveComponent if live else Component, tag)
    current = _current.get()
    request = getattr(current.view, "request", None) if current is not None else None
    if not live:
        return cls(**props).render(request)
    if current is None:
        raise ComponentError(
            "{% live_component %} renders only in a LiveView's template: the LiveView keeps the "
            "component's state. Use {% component %} with a stateless Component elsewhere."
        )
    cid = props.pop("id", None)
    if isinstance(cid, bool) or not isinstance(cid, (str, int)) or str(cid) == "":
        raise ComponentError(
            f'{{% live_component "{_path(cls)}" %}} needs id="…", a string unique on the page, '
            "so that its state and its events find it across renders."
        )
    cid = str(cid)
    if cid in current.seen:
        raise ComponentError(
            f"two live components have the id {cid!r} on one page; give each its own "
            '(in a loop: id="item-"|add:item.pk).'
        )
    current.seen.add(cid)
    kept = live_components(current.view)
    instance = kept.get(cid)
    if type(instance) is not cls:
        instance = cls(current.view, cid)
        instance.mount(**props)
        kept[cid] = instance
    elif not _same(instance.__dict__.get("_djust_props"), props):
        instance.update(**props)
    instance.__dict__["_djust_props"] = props
    return _with_component_id(instance.render(request), cid, cls)


def _same(old: Any, new: dict[str, Any]) -> bool:
    """Whether the props are unchanged (values that cannot be compared count as changed)."""
    try:
        return bool(old == new)
    except (TypeError, ValueError):  # e.g. arrays, whose == is elementwise
        return False


@functools.lru_cache(maxsize=512)
def _import(path: str) -> Any:
    return import_string(path)


def _resolve(component: Any, base: type, tag: str) -> Any:
    if isinstance(component, str):
        try:
            cls = _import(component)
        except ImportError as exc:
            raise ComponentError(
                f"{{% {tag} %}} cannot import {component!r}: {exc}. Give the dotted path of the class, "
                "such as 'shop.components.Cart'."
            ) from exc
    else:
        cls = component
    if isinstance(cls, type) and issubclass(cls, base):
        return cls
    other = "component" if tag == "live_component" else "live_component"
    hint = (
        f" Use {{% {other} %}} for it." if isinstance(cls, type) and issubclass(cls, (Component, LiveComponent)) else ""
    )
    raise ComponentError(f"{{% {tag} %}} needs a djust.{base.__name__} subclass, not {component!r}.{hint}")


def _path(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


_FIRST_TAG = re.compile(r"\A(?:\s|<!--.*?-->)*<([A-Za-z][A-Za-z0-9-]*)", re.DOTALL)


def _with_component_id(markup: str, cid: str, cls: type) -> str:
    """``markup`` with ``dj-component="cid"`` on its first element, which must open it."""
    match = _FIRST_TAG.match(markup)
    if match is None:
        raise ComponentError(
            f"{cls.__name__}'s template ({cls.template_name}) must start with one root element "
            "(such as <div>) that holds everything it renders: events from inside it reach the component."
        )
    at = match.end(1)
    return f'{markup[:at]} dj-component="{html.escape(cid, quote=True)}"{markup[at:]}'


def _template(component: Any) -> Any:
    from djust.template import backend

    if not component.template_name:
        raise ComponentError(f"{type(component).__name__} has no template_name.")
    return backend().get_template(component.template_name)
