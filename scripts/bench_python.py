"""Benchmark djust's engine from Python against Django's engine and upstream djust.

    python scripts/bench_python.py [--repeats 7] [--rounds 1] [--stat min|median]
                                   [--upstream 1.2.6] [--no-upstream]

One run measures, on the same templates and the same contexts:

- **render**: a 100- and a 1,000-row product table (Decimal prices, datetimes,
  filters), a page with three levels of ``{% extends %}`` and 24 ``{% include %}``s,
  and a form page — with djust (``djust.Engine``), Django's ``django.template.Engine``
  and upstream djust (``djust._rust.render_template_with_dirs`` from PyPI);
- **a project's tag library**: the 1,000-row table through a Python
  ``@register.filter`` and ``simple_tag`` (``{% load benchtags %}``), through the
  template backends: djust's ``DjustTemplates`` against Django's ``DjangoTemplates``
  with the same ``OPTIONS["libraries"]`` (upstream djust has no backend for it);
- **event cycle** on the 1,000-row table: change one row, update the state, render
  and diff — djust's ``LiveViewRenderer`` against upstream's ``RustLiveView``
  (``update_state`` + ``render_with_diff``; djust's with ``html=False``, as its
  consumer asks for an event: the reply is the patches);
- **``diff_html``** of two documents: the 1,000-row table before and after the event,
  and arbitrary HTML: misnested formatting elements and text fostered out of a
  table (which the streaming builder models) and a block inside a misnested
  formatting element (which it hands to html5ever) — djust's ``diff_html`` against
  upstream's;
- **memory**: the resident growth per mounted 1,000-row session (40 sessions, each
  with its own copy of the context, rendered once), djust against upstream.

Every engine's render output is compared with Django's, byte for byte, before any
timing; djust must match (the script exits 1 otherwise), upstream's mismatches are
reported. Upstream djust installs into its own virtualenv (``bench-out/upstream-venv``,
``pip install djust==VERSION``; both packages are called ``djust``) and runs in a child
process of this run, started by this script with ``--worker``. Times are the best of
``--repeats`` batches (each at least 50 ms), as ``timeit`` advises: on a shared
machine the other batches measure its other load, which differs between the two
processes (``--stat median`` gives medians instead); the table goes to stdout as
Markdown.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# -- the pages ------------------------------------------------------------------------

TEMPLATES = {
    "products.html": """<div dj-root dj-view="shop.views.Products"><table class="products">
<thead><tr><th>Name</th><th>SKU</th><th>Price</th><th>Updated</th><th>Stock</th></tr></thead>
<tbody>{% for p in products %}
<tr dj-key="{{ p.id }}" class="{% if p.stock %}in-stock{% else %}sold-out{% endif %}">
<td><a href="/products/{{ p.id }}/">{{ p.name }}</a></td><td>{{ p.sku|upper }}</td>
<td>${{ p.price|floatformat:2 }}</td><td>{{ p.updated|date:"Y-m-d H:i" }}</td>
<td>{% if p.stock %}{{ p.stock }}{% else %}sold out{% endif %}</td></tr>{% endfor %}
</tbody></table><p>{{ products|length }} product{{ products|length|pluralize }}</p></div>""",
    "base.html": """<!DOCTYPE html><html><head><title>{% block title %}Shop{% endblock %}</title></head>
<body>{% include "nav.html" %}<main>{% block main %}{% endblock %}</main>{% include "footer.html" %}</body></html>""",
    "layout.html": """{% extends "base.html" %}{% block title %}{{ title }} · {{ block.super }}{% endblock %}
{% block main %}<div dj-root dj-view="shop.views.Page"><aside>{% block aside %}{% endblock %}</aside>
<section>{% block content %}{% endblock %}</section></div>{% endblock %}""",
    "page.html": """{% extends "layout.html" %}
{% block aside %}{% for c in categories %}{% include "category.html" with category=c %}{% endfor %}{% endblock %}
{% block content %}<h1>{{ title }}</h1>{% for card in cards %}{% include "card.html" %}{% endfor %}{% endblock %}""",
    "nav.html": """<nav>{% for link in links %}<a href="{{ link.url }}"{% if link.active %} class="active"{% endif %}>"""
    """{{ link.label }}</a>{% endfor %}</nav>""",
    "footer.html": """<footer>&copy; {{ year }} Harbor Supply</footer>""",
    "category.html": """<a class="category" href="/c/{{ category.slug }}/">{{ category.name|title }}</a>""",
    "card.html": """<article class="card"><h2>{{ card.title }}</h2><p>{{ card.body|truncatechars:60 }}</p>"""
    """<span>${{ card.price|floatformat:2 }}</span></article>""",
    "form.html": """<div dj-root dj-view="shop.views.Signup"><form method="post" novalidate>
<input type="hidden" name="csrfmiddlewaretoken" value="{{ csrf }}">
{% for f in fields %}<div class="field{% if f.error %} has-error{% endif %}"><label for="id_{{ f.name }}">{{ f.label }}</label>
{% if f.choices %}<select id="id_{{ f.name }}" name="{{ f.name }}">{% for value, label in f.choices %}
<option value="{{ value }}"{% if value == f.value %} selected{% endif %}>{{ label }}</option>{% endfor %}</select>
{% else %}<input id="id_{{ f.name }}" name="{{ f.name }}" type="{{ f.type|default:'text' }}" value="{{ f.value|default:'' }}">
{% endif %}{% if f.error %}<p class="error">{{ f.error }}</p>{% endif %}</div>{% endfor %}
<button type="submit">Sign up</button></form></div>""",
}


def products(n: int) -> list[dict]:
    start = datetime.datetime(2026, 1, 1, 8, 30)
    return [
        {
            "id": i,
            "name": f"Product {i} <{i % 7}>",
            "sku": f"hs-{i:05d}",
            "price": Decimal(f"{(i * 37) % 5000 / 100 + 1:.2f}"),
            "stock": (i * 13) % 9,
            "updated": start + datetime.timedelta(hours=i * 5, minutes=i),
        }
        for i in range(n)
    ]


def context(case: str) -> dict:
    if case == "products_100":
        return {"products": products(100)}
    if case == "products_1000":
        return {"products": products(1000)}
    if case == "extends_includes":
        return {
            "title": "Deck & hardware",
            "year": 2026,
            "links": [{"url": f"/{n}/", "label": n.title(), "active": n == "shop"} for n in ("home", "shop", "help")],
            "categories": [{"slug": f"c{i}", "name": f"category {i}"} for i in range(12)],
            "cards": [
                {"title": f"Card {i}", "body": "Rope, shackles & fenders " * 4, "price": Decimal(f"{i}.5")}
                for i in range(12)
            ],
        }
    if case == "form":
        countries = [(f"c{i}", f"Country {i}") for i in range(40)]
        return {
            "csrf": "x" * 64,
            "fields": [
                {"name": "username", "label": "Username", "value": "sailor", "error": ""},
                {"name": "email", "label": "Email", "type": "email", "value": "bad", "error": "Enter a valid email."},
                {"name": "password", "label": "Password", "type": "password", "value": "", "error": ""},
                {"name": "country", "label": "Country", "value": "c7", "choices": countries, "error": ""},
            ],
        }
    raise ValueError(case)


# A project's own tag library (written next to the templates, imported by name).
LIBRARY = """from django import template

register = template.Library()


@register.filter
def money(value, currency="$"):
    return f"{currency}{value:.2f}"


@register.simple_tag
def stock_label(stock, low=5):
    return "sold out" if not stock else ("low" if stock < low else "in stock")
"""

TEMPLATES["products_lib.html"] = """{% load benchtags %}<table class="products">{% for p in products %}
<tr><td>{{ p.name }}</td><td>{{ p.price|money }}</td><td>{{ p.price|money:"EUR " }}</td>
<td>{% stock_label p.stock %}</td><td>{% stock_label p.stock low=2 %}</td></tr>{% endfor %}</table>"""

RENDER_CASES = {
    "products_100": "products.html",
    "products_1000": "products.html",
    "extends_includes": "page.html",
    "form": "form.html",
}


def change_row(ctx: dict, step: int) -> None:
    """One event: toggle one row's stock (a class attribute and a cell change)."""
    rows = ctx["products"]
    row = rows[(step * 7919) % len(rows)]
    row["stock"] = 0 if row["stock"] else 5


def event_cycle(session, **render_options):
    """The benchmark's event on a LiveView session (djust's ``LiveViewRenderer`` or
    upstream's ``RustLiveView``: both have ``update_state`` and ``render_with_diff``):
    after a first render of the 1,000-row table, each call changes one row, updates the
    state, renders and diffs, and returns the patches (JSON). ``render_options`` go to
    each event's ``render_with_diff``: djust's consumer asks for the patches only
    (``html=False``: an event's reply carries no HTML); upstream's always writes both."""
    ctx = context("products_1000")
    session.update_state(ctx)
    session.render_with_diff()
    step = [0]

    def cycle():
        step[0] += 1
        change_row(ctx, step[0])
        session.update_state(ctx)
        return session.render_with_diff(**render_options)[1]

    return cycle


def diff_pairs(render) -> dict[str, tuple[str, str]]:
    """The ``diff_html`` cases: ``(old, new)`` documents. ``render(ctx)`` renders the
    1,000-row table; the others are arbitrary HTML: misnested formatting elements and
    text fostered out of a table, which the streaming builder models, and a block
    inside a misnested formatting element, which it leaves to html5ever."""
    ctx = context("products_1000")
    before = render(ctx)
    change_row(ctx, 1)
    after = render(ctx)
    cells = "".join(f"<p><b>row {i} <i>both</b> tail {i}</i></p>" for i in range(300))
    misnested = "<!DOCTYPE html><html><body><div dj-root>{}</div></body></html>"
    fostered = "<!DOCTYPE html><html><body><div dj-root><table>{}</table></div></body></html>"
    rows = "".join(f"<tr><td>{i}</td></tr>stray {i}" for i in range(300))
    blocks = "".join(f"<div><b>row {i} <p>para {i}</b> tail {i}</p></div>" for i in range(300))
    return {
        "1,000-row table, one row changed": (before, after),
        "misnested formatting, 300 paragraphs": (
            misnested.format(cells),
            misnested.format(cells.replace("tail 7<", "tail seven<")),
        ),
        "text fostered out of a 300-row table": (
            fostered.format(rows),
            fostered.format(rows.replace("stray 7<", "moved 7<")),
        ),
        "a block inside misnested formatting, 300 blocks (html5ever)": (
            misnested.format(blocks),
            misnested.format(blocks.replace("tail 7<", "tail seven<")),
        ),
    }


def rss_bytes() -> int:
    """This process's resident set size (Linux ``/proc/self/statm``)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def session_memory(make_session, sessions: int = 40) -> float:
    """Resident bytes per mounted 1,000-row LiveView session: ``sessions`` sessions made
    by ``make_session()``, each given its own copy of the context and rendered once
    (what a socket keeps between events), measured as the growth of the process."""
    import copy
    import gc

    ctx = context("products_1000")
    keep = []
    gc.collect()
    before = rss_bytes()
    for _ in range(sessions):
        session = make_session()
        state = copy.deepcopy(ctx)
        session.update_state(state)
        session.render_with_diff()
        keep.append((session, state))
    gc.collect()
    return (rss_bytes() - before) / sessions


def time_diffs(diff_html, render, repeats: int) -> dict[str, float]:
    """Seconds per ``diff_html(old, new)`` call for each case of :func:`diff_pairs`."""
    return {case: measure(lambda a=a, b=b: diff_html(a, b), repeats) for case, (a, b) in diff_pairs(render).items()}


# -- timing ---------------------------------------------------------------------------


#: How the batches of one measurement are summarised: ``"min"`` or ``"median"``.
STAT = "min"


def measure(fn, repeats: int, min_batch: float = 0.05) -> float:
    """Seconds per call of ``fn``: the best (``STAT``: or the median) of ``repeats``
    batches."""
    fn()
    calls = 1
    while True:
        t = time.perf_counter()
        for _ in range(calls):
            fn()
        if time.perf_counter() - t >= min_batch:
            break
        calls *= 2
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - t) / calls)
    return min(samples) if STAT == "min" else statistics.median(samples)


def write_templates(folder: Path) -> None:
    for name, source in TEMPLATES.items():
        (folder / name).write_text(source)


# -- the upstream worker (runs in upstream's virtualenv) --------------------------------


def worker(folder: Path, repeats: int) -> dict:
    from importlib.metadata import version

    from djust import _rust as upstream

    out: dict = {"version": version("djust"), "render": {}, "cycle": None}
    for case, name in RENDER_CASES.items():
        source = (folder / name).read_text()
        ctx = context(case)
        html = upstream.render_template_with_dirs(source, ctx, [str(folder)])
        out["render"][case] = {
            "html": html,
            "seconds": measure(
                lambda source=source, ctx=ctx: upstream.render_template_with_dirs(source, ctx, [str(folder)]), repeats
            ),
        }
    cycle = event_cycle(upstream.RustLiveView((folder / "products.html").read_text(), [str(folder)]))
    sample = cycle()
    out["cycle"] = {"seconds": measure(cycle, repeats), "sample_patches": sample}
    products = (folder / "products.html").read_text()
    out["session_bytes"] = session_memory(lambda: upstream.RustLiveView(products, [str(folder)]))
    out["diff_html"] = time_diffs(
        upstream.diff_html, lambda ctx: upstream.render_template_with_dirs(products, ctx, [str(folder)]), repeats
    )
    return out


# -- the driver -----------------------------------------------------------------------


def upstream_python(version: str) -> Path:
    venv = ROOT / "bench-out" / "upstream-venv"
    python = venv / "bin" / "python"
    probe = [
        str(python),
        "-c",
        "import importlib.metadata as m, sys; sys.exit(m.version('djust') != sys.argv[1])",
        version,
    ]
    if not python.exists() or subprocess.run(probe, check=False, capture_output=True).returncode != 0:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
            + [f"djust=={version}", "django>=5.2,<5.3"],
            check=True,
        )
    return python


def configure_django() -> None:
    import django
    from django.conf import settings

    settings.configure(USE_TZ=False, USE_I18N=True, LANGUAGE_CODE="en-us", TEMPLATES=[], INSTALLED_APPS=[])
    django.setup()


def fmt(seconds: float) -> str:
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--upstream", default="1.2.6", help="upstream djust version from PyPI")
    parser.add_argument("--no-upstream", action="store_true", help="skip upstream djust")
    parser.add_argument(
        "--rounds", type=int, default=1, help="rounds of the event cycle and diff_html, each side in turn"
    )
    parser.add_argument("--stat", choices=("min", "median"), default="min", help="how batches are summarised")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    global STAT
    STAT = args.stat

    if args.worker:
        configure_django()
        json.dump(worker(args.worker, args.repeats), sys.stdout)
        return 0

    configure_django()
    import django.template
    import djust

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_templates(folder)
        theirs = None
        python = None if args.no_upstream else upstream_python(args.upstream)

        def upstream_run() -> dict | None:
            if python is None:
                return None
            env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
            done = subprocess.run(
                [str(python), __file__, "--worker", str(folder), "--repeats", str(args.repeats), "--stat", args.stat],
                check=True,
                capture_output=True,
                text=True,
                cwd=str(ROOT / "bench-out"),
                env=env,
            )
            return json.loads(done.stdout)

        theirs = upstream_run()

        django_engine = django.template.Engine(dirs=[str(folder)])
        ours_engine = djust.Engine(dirs=[str(folder)], django=True)
        rows = []
        mismatch = False
        for case, name in RENDER_CASES.items():
            ctx = context(case)
            dj_t = django_engine.get_template(name)
            our_t = ours_engine.get_template(name)
            expected = dj_t.render(django.template.Context(ctx))
            ours = our_t.render(ctx)
            if ours != expected:
                print(f"djust's output differs from Django's on {case}", file=sys.stderr)
                mismatch = True
            t_django = measure(lambda t=dj_t, c=ctx: t.render(django.template.Context(c)), args.repeats)
            t_ours = measure(lambda t=our_t, c=ctx: t.render(c), args.repeats)
            up = theirs["render"][case] if theirs else None
            rows.append((case, t_ours, t_django, up and up["seconds"], up and up["html"] == expected))
        if mismatch:
            return 1

        (folder / "benchtags.py").write_text(LIBRARY)
        sys.path.insert(0, str(folder))
        from django.template.backends.django import DjangoTemplates
        from djust.template.backends import DjustTemplates

        params = {"DIRS": [str(folder)], "APP_DIRS": False, "OPTIONS": {"libraries": {"benchtags": "benchtags"}}}
        dj_t = DjangoTemplates({"NAME": "django", **params}).get_template("products_lib.html")
        our_t = DjustTemplates({"NAME": "djust", **params}).get_template("products_lib.html")
        ctx = context("products_1000")
        if our_t.render(ctx) != dj_t.render(ctx):
            print("djust's output differs from Django's on products_lib_1000", file=sys.stderr)
            return 1
        t_django = measure(lambda: dj_t.render(ctx), args.repeats)
        t_ours = measure(lambda: our_t.render(ctx), args.repeats)
        rows.append(("products_lib_1000", t_ours, t_django, None, None))

        cycle = event_cycle(djust.LiveViewRenderer(ours_engine.get_template("products.html")), html=False)
        sample = json.loads(cycle())["patches"]
        t_cycle = measure(cycle, args.repeats)
        products_t = ours_engine.get_template("products.html")
        t_diffs = time_diffs(djust.diff_html, products_t.render, args.repeats)
        # More rounds of the event cycle and diff_html, each side in turn (upstream's
        # whole worker again): each keeps its best round, so a busy minute of the
        # machine falls on both sides alike.
        for _ in range(args.rounds - 1):
            more = upstream_run()
            if theirs and more:
                theirs["cycle"]["seconds"] = min(theirs["cycle"]["seconds"], more["cycle"]["seconds"])
                theirs["diff_html"] = {k: min(v, more["diff_html"][k]) for k, v in theirs["diff_html"].items()}
            t_cycle = min(t_cycle, measure(cycle, args.repeats))
            again = time_diffs(djust.diff_html, products_t.render, args.repeats)
            t_diffs = {k: min(v, again[k]) for k, v in t_diffs.items()}
        session_bytes = session_memory(lambda: djust.LiveViewRenderer(products_t))

    print(f"Python {sys.version.split()[0]}, Django {django.get_version()}, djust {djust.__version__}", end="")
    print(f", upstream djust {theirs['version']}" if theirs else "", end="")
    print(f"; times: the {'best' if STAT == 'min' else 'median'} of {args.repeats} batches", end="")
    print(f", event cycle and diff_html the best of {args.rounds} rounds" if args.rounds > 1 else "")
    print()
    print("| render | djust | Django | upstream | × Django | × upstream | upstream = Django? |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for case, t_ours, t_django, t_up, same in rows:
        up = fmt(t_up) if t_up else "–"
        x_up = f"{t_up / t_ours:.1f}×" if t_up else "–"
        agree = ("yes" if same else "no") if t_up else "–"
        print(f"| {case} | {fmt(t_ours)} | {fmt(t_django)} | {up} | {t_django / t_ours:.1f}× | {x_up} | {agree} |")
    print()
    ops = sorted({p["op"] for p in sample})
    print("| event cycle, 1,000 rows (update state, render, diff) | djust | upstream | × upstream |")
    print("| --- | ---: | ---: | ---: |")
    if theirs:
        t_up = theirs["cycle"]["seconds"]
        print(
            f"| one row's stock toggled ({len(sample)} ops: {', '.join(ops)}) | {fmt(t_cycle)} | {fmt(t_up)} | "
            f"{t_up / t_cycle:.1f}× |"
        )
    else:
        print(f"| one row's stock toggled ({len(sample)} ops: {', '.join(ops)}) | {fmt(t_cycle)} | – | – |")
    print()
    up_bytes = theirs["session_bytes"] if theirs else None
    print("| resident memory per mounted 1,000-row session (state + last render) | djust | upstream |")
    print("| --- | ---: | ---: |")
    print(f"| 40 sessions, growth of the process ÷ 40 | {session_bytes / 1024:,.0f} KiB | ", end="")
    print(f"{up_bytes / 1024:,.0f} KiB |" if up_bytes else "– |")
    print()
    print("| `diff_html` (parse both, diff, JSON) | djust | upstream | × upstream |")
    print("| --- | ---: | ---: | ---: |")
    for case, t_ours in t_diffs.items():
        t_up = theirs["diff_html"][case] if theirs else None
        up, x_up = (fmt(t_up), f"{t_up / t_ours:.1f}×") if t_up else ("–", "–")
        print(f"| {case} | {fmt(t_ours)} | {up} | {x_up} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
