"""Query planning: before a LiveView renders, each QuerySet in its context that has not
been evaluated gets the ``select_related`` and ``prefetch_related`` its template needs,
so a list that shows ``{{ order.customer.name }}`` for each row costs one query (or one
per prefetched relation), not one more per row.

The template says what it reads: :meth:`djust._rust.Template.variable_paths` lists the
paths a render can look up, through loop variables, ``{% with %}`` and the templates it
includes or extends (``orders.[].customer.name``: the ``customer`` then ``name`` of each
item of ``orders``). For a QuerySet ``orders`` of model ``Order``, each path after
``orders.[]`` is followed through the model's fields: a forward ``ForeignKey`` or
``OneToOneField`` (and a reverse one-to-one) joins (``select_related("customer")``), as
long as every step before it joined too; a many-to-many or a reverse foreign key
prefetches (``prefetch_related("lines")``), and what follows it through the related
model is prefetched with it (``lines__product``). A path through anything else (a
property, a method, a dict key) stops there. What the QuerySet already asks for is
kept, and one that is evaluated, sliced or from ``.values()`` is left alone, so the
rendered output is the same as without planning; only the queries differ.

``DJUST["QUERY_PLANNING"] = False`` turns it off. Source: the seed documents' "JIT
serialization" (upstream djust reads a template's variables to build its
``select_related``/``prefetch_related``); differences: paths come from the engine's own
parse, through includes and ``{% with %}``.
"""

from __future__ import annotations

from typing import Any

from djust._rust import Template

ITEM = "[]"
#: Segments that call a manager without changing what it returns.
MANAGER_CALLS = frozenset({"all"})


#: Paths by (template name, source), at most 512 templates.
_PATHS: dict[tuple[str | None, str], tuple[str, ...]] = {}


def _paths(template: Template) -> tuple[str, ...]:
    """The template's variable paths, computed once per template text (each load may
    wrap the engine's cached template in a new object). A template it includes that
    changes under ``auto_reload`` keeps the old plan until the process restarts: only
    the queries differ, never the output."""
    key = (template.name, template.source)
    found = _PATHS.get(key)
    if found is None:
        if len(_PATHS) >= 512:
            _PATHS.clear()
        found = _PATHS[key] = tuple(template.variable_paths())
    return found


def plan_for(model: Any, paths: list[list[str]]) -> tuple[list[str], list[str]]:
    """``(select_related, prefetch_related)`` lookups for a QuerySet of ``model`` whose
    items are read along ``paths`` (each a list of segments after the item)."""
    selects: set[str] = set()
    prefetches: set[str] = set()
    for path in paths:
        current = model
        joined: list[str] = []  # the select_related chain so far
        prefetched: list[str] | None = None  # the prefetch chain, once one started
        for segment in path:
            if segment in MANAGER_CALLS or segment == ITEM:
                continue
            field = _relation(current, segment)
            if field is None:
                break
            many = field.many_to_many or field.one_to_many
            if prefetched is None and not many:
                joined.append(segment)
                selects.add("__".join(joined))
            else:
                prefetched = [*(prefetched if prefetched is not None else joined), segment]
                prefetches.add("__".join(prefetched))
            current = field.related_model
    return sorted(selects), sorted(prefetches)


def _relation(model: Any, name: str) -> Any:
    """The relation field ``name`` of ``model`` (forward or reverse), else ``None``."""
    try:
        field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - FieldDoesNotExist, or not a model
        field = None
    if field is None:
        # A reverse relation is found by its accessor (``related_name`` or ``x_set``).
        for candidate in model._meta.related_objects:
            if candidate.get_accessor_name() == name:
                field = candidate
                break
    if field is None or not getattr(field, "is_relation", False) or field.related_model is None:
        return None
    if isinstance(field.related_model, str):  # an unresolved lazy reference
        return None
    return field


def plannable(value: Any) -> bool:
    """Whether ``value`` is a QuerySet planning may change: of model instances, not
    evaluated, not sliced."""
    from django.db.models import QuerySet
    from django.db.models.query import ModelIterable

    return (
        isinstance(value, QuerySet)
        and value._result_cache is None
        and value._iterable_class is ModelIterable
        and not value.query.is_sliced
    )


def wanted(context: dict[str, Any]) -> bool:
    """Whether planning is on and ``context`` holds a QuerySet it may change (so a
    render without one never looks at the template's paths)."""
    from djust import conf

    return conf.query_planning() and any(plannable(v) for v in context.values())


def plan(context: dict[str, Any], template: Template) -> dict[str, Any]:
    """``context`` with each plannable QuerySet replaced by one that fetches what
    ``template`` reads of its items (the dict is changed in place and returned)."""
    from djust import conf

    if not conf.query_planning():
        return context
    by_name: dict[str, list[list[str]]] = {}
    for path in _paths(template):
        name, _, rest = path.partition(".")
        if rest.startswith(ITEM + ".") and name in context:
            by_name.setdefault(name, []).append(rest.split(".")[1:])
    for name, paths in by_name.items():
        value = context[name]
        if not plannable(value):
            continue
        selects, prefetches = plan_for(value.model, paths)
        if selects:
            value = value.select_related(*selects)
        if prefetches:
            already = {p if isinstance(p, str) else p.prefetch_through for p in value._prefetch_related_lookups}
            missing = [p for p in prefetches if p not in already]
            if missing:
                value = value.prefetch_related(*missing)
        context[name] = value
    return context
