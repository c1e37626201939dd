"""The pages of scripts/bench_python.py render byte-identical with djust and Django (the
benchmark checks this before timing; here it is a test), and a LiveView session on the
1,000-row table turns the benchmark's event into two patches."""

import importlib.util
import json
from pathlib import Path

import django.template
import pytest

import djust

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench_python.py"
spec = importlib.util.spec_from_file_location("bench_python", SCRIPT)
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench-pages")
    bench.write_templates(path)
    return path


@pytest.mark.parametrize("case", sorted(bench.RENDER_CASES))
def test_bench_pages_render_like_django(case, folder) -> None:
    name = bench.RENDER_CASES[case]
    ctx = bench.context(case)
    expected = django.template.Engine(dirs=[str(folder)]).get_template(name).render(django.template.Context(ctx))
    assert djust.Engine(dirs=[str(folder)], django=True).get_template(name).render(ctx) == expected


def test_bench_event_is_one_row_of_patches(folder) -> None:
    ctx = bench.context("products_1000")
    renderer = djust.LiveViewRenderer(djust.Engine(dirs=[str(folder)]).get_template("products.html"))
    renderer.update_state(ctx)
    renderer.render_with_diff()
    bench.change_row(ctx, 1)
    renderer.update_state(ctx)
    ops = json.loads(renderer.render_with_diff()[1])["patches"]
    assert sorted(op["op"] for op in ops) == ["attrs", "text"], ops
    assert renderer.reused_fragments >= 999


def test_bench_library_page_renders_like_django(folder, monkeypatch) -> None:
    """The project-library page (a Python filter and simple tag on 1,000 rows) through
    both backends with the same `OPTIONS["libraries"]`."""
    from django.template.backends.django import DjangoTemplates

    from djust.template.backends import DjustTemplates

    (folder / "benchtags.py").write_text(bench.LIBRARY)
    monkeypatch.syspath_prepend(str(folder))
    params = {"DIRS": [str(folder)], "APP_DIRS": False, "OPTIONS": {"libraries": {"benchtags": "benchtags"}}}
    ctx = bench.context("products_1000")
    ours = DjustTemplates({"NAME": "a", **params}).get_template("products_lib.html").render(ctx)
    theirs = DjangoTemplates({"NAME": "b", **params}).get_template("products_lib.html").render(ctx)
    assert ours == theirs
    assert "<td>$1.00</td><td>EUR 1.00</td>" in ours and "<td>sold out</td>" in ours and "low" in ours
