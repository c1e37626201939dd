"""Query planning (issue 22, point 4) on Django's own models: what a template's paths
make of a QuerySet (joins for forward relations, prefetches for many-valued ones and
what follows them), what is left alone (evaluated, sliced, ``.values()``, paths through
non-relations), the setting that turns it off, and the queries and HTML of a render.
On the example project's ticket list: tests/security/test_query_planning.py."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from djust import _rust
from djust.query_planning import plan, plan_for

TEMPLATE = (
    "{% for p in perms %}{{ p.codename }} {{ p.content_type.app_label }}"
    "{% for g in p.group_set.all %}[{{ g.name }}{% for u in g.user_set.all %} {{ u.username }}{% endfor %}]{% endfor %}"
    "{% endfor %}"
)


def template(source: str = TEMPLATE) -> _rust.Template:
    return _rust.Engine(templates={"perms.html": source}).get_template("perms.html")


def test_paths_become_joins_and_prefetches() -> None:
    assert plan_for(Permission, [["content_type", "app_label"], ["codename"]]) == (["content_type"], [])
    assert plan_for(Permission, [["group_set", "all", "[]", "user_set", "all", "[]", "username"]]) == (
        [],
        ["group_set", "group_set__user_set"],
    )
    # A join, then a many-valued relation of the joined model: prefetched through it.
    assert plan_for(User, [["groups", "all"], ["user_permissions", "all", "[]", "content_type", "model"]]) == (
        [],
        ["groups", "user_permissions", "user_permissions__content_type"],
    )
    # Non-relations stop the walk: a property, a method, a plain field, an unknown name.
    assert plan_for(Permission, [["natural_key"], ["content_type", "model_class", "x"], ["nope", "x"]]) == (
        ["content_type"],
        [],
    )


@pytest.fixture
def perms(database: None) -> None:
    for i in range(5):
        group = Group.objects.create(name=f"g{i}")
        group.permissions.set(Permission.objects.all()[i * 3 : i * 3 + 3])
        User.objects.create_user(f"u{i}").groups.add(group)


def render(context: dict) -> tuple[str, int]:
    t = template()
    with CaptureQueriesContext(connection) as ctx:
        html = t.render(plan(context, t))
    return html, len(ctx.captured_queries)


def test_a_render_costs_a_constant_number_of_queries_with_the_same_html(perms: None) -> None:
    queryset = Permission.objects.filter(group__isnull=False).order_by("id")
    planned, queries = render({"perms": queryset})
    with override_settings(DJUST={"QUERY_PLANNING": False}):
        unplanned, naive = render({"perms": queryset})
    assert planned == unplanned and "[g0 u0]" in planned
    assert queries == 3  # the permissions with their content types, the groups, the users
    assert naive > 15 * 2, naive  # per permission: its content type and its groups, and more


def test_what_planning_leaves_alone(perms: None) -> None:
    t = template()
    evaluated = Permission.objects.all()
    list(evaluated)
    for value in (evaluated, Permission.objects.all()[:3], Permission.objects.values("codename"), [1, 2]):
        assert plan({"perms": value}, t)["perms"] is value
    # What the QuerySet asks for already is kept (no duplicate prefetch error).
    asked = Permission.objects.prefetch_related("group_set").select_related("content_type")
    html, _ = render({"perms": asked})
    assert "[g1 u1]" in html
