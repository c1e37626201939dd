"""Run Django's own template tests through djust's template backend and count what passes.

    python scripts/django_conformance.py [--django 5.2.19] [--write docs/conformance.md]
                                         [--min-passed N] [--verbose] [--reference]

Fetches the Django sdist with ``pip download`` (cached in ``target/django-sdist/``),
imports ``tests/template_tests/filter_tests`` and ``tests/template_tests/syntax_tests``
from it, and replaces their ``setup`` decorator (``template_tests.utils.setup``, which
builds a ``django.template.Engine``) with one that builds djust's backend,
``DjustTemplates``, with exactly the options Django's ``setup`` passes: the test
class's ``libraries``, the cached ``locmem`` loader over the test's templates, and
``string_if_invalid="INVALID"`` or ``debug=True`` for the later runs. The test bodies
are Django's, unchanged; every render goes through djust's Rust engine.

Counted: every test method decorated with ``setup`` (a test that renders through the
engine), run as Django runs it — twice with the defaults, twice with
``string_if_invalid="INVALID"`` and twice with ``debug=True``. A passing test is
"native" unless one of its tags was compiled by Django's parser (a ``@register.tag``
compile function, ``djust.template.library.Host``): then it passes "via Python
nodes". Tests without ``setup`` (which call Django's Python filter functions
directly) are not counted.

Exits 1 when fewer than ``--min-passed`` tests pass (a regression guard for CI).
``--reference`` routes the same tests through Django's own ``DjangoTemplates`` backend
instead: what a backend cannot pass whichever engine renders (a bare ``Engine``
writes ``as var`` into the caller's dict; a backend also has the installed apps'
libraries).
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import subprocess
import sys
import tarfile
import time
import unittest
from functools import wraps
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "target" / "django-sdist"
SUITES = ("template_tests.filter_tests", "template_tests.syntax_tests")


def fetch_tests(version: str) -> Path:
    """The ``tests/`` folder of the Django ``version`` sdist (downloaded once)."""
    folder = CACHE / f"django-{version}"
    tests = folder / "tests"
    if (tests / "template_tests" / "utils.py").exists():
        return tests
    CACHE.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps"]
        + ["--no-binary", ":all:", f"django=={version}", "-d", str(CACHE)],
        check=True,
    )
    archive = next(p for p in CACHE.iterdir() if p.name.lower() == f"django-{version}.tar.gz")
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if "/tests/" in m.name or m.name.endswith("/tests")]
        tar.extractall(CACHE, members=members, filter="data")
    return tests


def configure_django() -> None:
    """Settings close to those Django's ``runtests.py`` gives its template tests."""
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="django-conformance",
        USE_TZ=False,
        USE_I18N=True,
        LANGUAGE_CODE="en",
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "django.contrib.staticfiles",
            "template_tests",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        ROOT_URLCONF="template_tests.urls",
        STATIC_URL="/static/",
        MEDIA_URL="/media/",
        TEMPLATES=[],
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    )
    # A settings module makes Django set the process's time zone to TIME_ZONE (its
    # default, America/Chicago); `settings.configure()` does not, and the tests'
    # `datetime.now()` expects it (`test_timeuntil10`).
    os.environ["TZ"] = settings.TIME_ZONE
    time.tzset()
    django.setup()


#: The backend class the tests go through: djust's, or Django's with ``--reference``.
BACKEND = "djust.template.backends.DjustTemplates"


class DjustEngine:
    """What the tests use of ``django.template.Engine``, on djust's backend."""

    def __init__(self, templates: dict[str, str], libraries: dict[str, str], **options) -> None:
        from django.utils.module_loading import import_string

        backend_class = import_string(BACKEND)
        self.string_if_invalid = options.get("string_if_invalid", "")
        self.debug = options.get("debug", False)
        loaders = [
            ("django.template.loaders.cached.Loader", [("django.template.loaders.locmem.Loader", templates)]),
        ]
        self.backend = backend_class(
            {
                "NAME": "djust",
                "DIRS": [],
                "APP_DIRS": False,
                "OPTIONS": {"libraries": libraries, "loaders": loaders, **options},
            }
        )

    def render_to_string(self, name: str, context=None) -> str:
        return self.backend.get_template(name).render(flat(context))

    def get_template(self, name: str) -> DjustTemplate:
        return DjustTemplate(self.backend.get_template(name))

    def from_string(self, source: str) -> DjustTemplate:
        return DjustTemplate(self.backend.from_string(source))


class DjustTemplate:
    def __init__(self, template) -> None:
        self.template = template

    def render(self, context=None) -> str:
        return self.template.render(flat(context))


def flat(context):
    """A dict from a dict or a ``django.template.Context``."""
    if context is None:
        return {}
    if hasattr(context, "flatten"):
        flat_context = context.flatten()
        # A RequestContext's request is an attribute, not a variable; djust's engine
        # reads it from the `request` variable, as its template backend passes it.
        if getattr(context, "request", None) is not None:
            flat_context.setdefault("request", context.request)
        return flat_context
    return context


def djust_setup(templates, *args, test_once=False):
    """``template_tests.utils.setup`` on djust's engine (same runs, same templates)."""
    for arg in args:
        templates.update(arg)
    templates["inclusion.html"] = "{{ result }}"

    def decorator(func):
        from django.test.utils import override_settings

        @override_settings(TEMPLATES=None)
        @wraps(func)
        def inner(self):
            libraries = getattr(self, "libraries", {})
            runs = [{}] if test_once else [{}, {"string_if_invalid": "INVALID"}, {"debug": True}]
            for options in runs:
                self.engine = DjustEngine(templates, libraries, **options)
                func(self)
                if not test_once:
                    func(self)

        inner.renders_through_engine = True
        return inner

    return decorator


def run(version: str, verbose: bool):
    tests_dir = fetch_tests(version)
    sys.path.insert(0, str(tests_dir))
    os.environ.pop("DJANGO_SETTINGS_MODULE", None)
    configure_django()
    import template_tests.utils

    template_tests.utils.setup = djust_setup  # before the test modules import it

    loader = unittest.TestLoader()
    suite = unittest.TestSuite(
        loader.discover(str(tests_dir / name.replace(".", "/")), top_level_dir=str(tests_dir)) for name in SUITES
    )
    counted = []

    def flatten(s):
        for t in s:
            if isinstance(t, unittest.TestSuite):
                yield from flatten(t)
            else:
                yield t

    for test in flatten(suite):
        if isinstance(test, unittest.loader._FailedTest):
            counted.append(test)
            continue
        method = getattr(type(test), test._testMethodName, None)
        if getattr(method, "renders_through_engine", False):
            counted.append(test)

    from djust.template.library import Host

    result = unittest.TestResult()
    via_python: dict[str, set[str]] = {}
    # Each class's `setUpClass` runs around its tests, as a suite would run it: Django's
    # class-level `@override_settings` (e.g. `DEBUG=True` on `DebugTests`) lives there.
    by_class: dict[type, list] = {}
    for test in counted:
        by_class.setdefault(type(test), []).append(test)
    for cls, tests in by_class.items():
        set_up = not isinstance(tests[0], unittest.loader._FailedTest)
        if set_up:
            cls.setUpClass()
        try:
            for test in tests:
                before = Host.compiled
                Host.compiled_by.clear()
                test.run(result)
                if Host.compiled > before:
                    via_python[test.id()] = set(Host.compiled_by)
        finally:
            if set_up:
                cls.tearDownClass()
    # A failing subtest fails its test; one entry per test, its first failure.
    failed: dict[str, str] = {}
    for t, tb in result.failures + result.errors:
        failed.setdefault(getattr(t, "test_case", t).id(), tb)
    # A test skipped by Django's own conditions counts as not passing.
    for t, why in result.skipped:
        failed.setdefault(getattr(t, "test_case", t).id(), f"skipped: {why}")
    if verbose:
        for name, tb in sorted(failed.items()):
            print(f"--- {name}\n{tb}\n")
    rows: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for t in counted:
        module = t.id().split(".")[2]
        rows[module]["tests"] += 1
        if t.id() in failed:
            rows[module]["failing"] += 1
        elif t.id() in via_python:
            rows[module]["via_python"] += 1
        else:
            rows[module]["native"] += 1
        if getattr(t, "libraries", None):
            rows[module]["libraries"] += 1
    return rows, failed, {t: tags for t, tags in via_python.items() if t not in failed}


def report(version: str, rows: dict, failed: dict, via_python: dict) -> str:
    total = collections.Counter()
    for row in rows.values():
        total.update(row)
    lines = [
        "# Conformance with Django's template tests",
        "",
        f"Django {version}'s own `template_tests.filter_tests` and `template_tests.syntax_tests`, run",
        "through djust's template backend (`DjustTemplates`) by `scripts/django_conformance.py`: the",
        "test bodies are Django's; their `setup` decorator builds the backend with exactly the options",
        "Django's `setup` passes its `Engine` (the test class's `libraries`, the cached `locmem` loader,",
        '`string_if_invalid="INVALID"`, `debug=True`), and every render goes through the Rust engine.',
        "Each test runs as Django runs it: twice with the defaults, twice with `string_if_invalid`,",
        "twice with `debug`.",
        "",
        "```sh",
        "python scripts/django_conformance.py --write docs/conformance.md",
        "```",
        "",
        (
            f"**{total['native'] + total['via_python']} of {total['tests']} tests pass**: "
            f"{total['native']} native, {total['via_python']} via Python nodes (a `@register.tag` compile"
        ),
        f"function run by Django's parser, its node rendered by Django), {total['failing']} failing.",
        f"{total['libraries']} of the tests register custom tag libraries (Python `@register.filter`,",
        "`simple_tag`, `inclusion_tag`, `simple_block_tag` and `tag` code, which the engine calls).",
        "Tests without `setup`, which call Django's Python filter functions directly, are not counted.",
        "",
        "| module | tests | native | via Python nodes | failing |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for module in sorted(rows):
        r = rows[module]
        lines.append(f"| `{module}` | {r['tests']} | {r['native']} | {r['via_python']} | {r['failing']} |")
    lines += [
        "",
        "## Via Python nodes",
        "",
        "Each test that passes through a `@register.tag` compile function, with the functions: the",
        "test suite's own tags (arbitrary Python parsing). Every tag of Django's own libraries",
        "(`defaulttags`, `loader_tags`, `i18n`, `static`, `cache`, `tz`, `l10n`) is native; the run",
        "fails if one goes through Django's parser.",
        "",
    ]
    for name, tags in sorted(via_python.items()):
        lines.append(f"- `{name.split('.', 2)[2]}`: {', '.join(f'`{t}`' for t in sorted(tags))}")
    lines += ["", "## Failing tests", ""]
    if failed:
        lines.append(
            "Each with the last line of its failure (`--verbose` prints them all); why each fails is in "
            "`scripts/conformance_known_failures.txt`, and any other failing test fails `scripts/test.sh`:"
        )
        lines.append("")
        for name, tb in sorted(failed.items()):
            lines.append(f"- `{name.split('.', 2)[2]}`: {summary(tb)}")
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"


def summary(traceback: str) -> str:
    """The exception line of a traceback (first line of its message), for a table cell."""
    lines = traceback.strip().splitlines()
    found = next(
        (ln for ln in lines if re.match(r"^[A-Za-z_.]*(Error|Exception|DoesNotExist|Failure)\b", ln)), lines[-1]
    )
    found = found.replace("|", "\\|").replace("`", "'")
    return found if len(found) <= 160 else found[:157] + "..."


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--django", default="5.2.19", help="the Django sdist version (default 5.2.19)")
    parser.add_argument("--write", type=Path, help="write the Markdown report here")
    parser.add_argument("--min-passed", type=int, default=0, help="exit 1 when fewer tests pass")
    parser.add_argument("--verbose", action="store_true", help="print every failure")
    parser.add_argument(
        "--reference", action="store_true", help="route the tests through Django's DjangoTemplates instead"
    )
    parser.add_argument(
        "--known-failures",
        type=Path,
        help="a file of test ids (one per line, '#' comments) that may fail: any other failure exits 1",
    )
    args = parser.parse_args()
    if args.reference:
        global BACKEND
        BACKEND = "django.template.backends.django.DjangoTemplates"
    rows, failed, via_python = run(args.django, args.verbose)
    text = report(args.django, rows, failed, via_python)
    if args.write:
        args.write.write_text(text)
    total = collections.Counter()
    for row in rows.values():
        total.update(row)
    passed = total["native"] + total["via_python"]
    print(
        f"{passed} of {total['tests']} tests pass ({total['native']} native, "
        f"{total['via_python']} via Python nodes), {total['failing']} failing"
    )
    if passed < args.min_passed:
        print(f"fewer than --min-passed {args.min_passed}", file=sys.stderr)
        return 1
    djangos = sorted({t for tags in via_python.values() for t in tags if t.startswith("django.")})
    if djangos and not args.reference:
        print(f"Django's own tags went through Django's parser: {', '.join(djangos)}", file=sys.stderr)
        return 1
    if args.known_failures:
        known = {
            line.split("#", 1)[0].strip()
            for line in args.known_failures.read_text().splitlines()
            if line.split("#", 1)[0].strip()
        }
        new_failures = sorted(set(failed) - known)
        for name in new_failures:
            print(f"failing and not in {args.known_failures}: {name}", file=sys.stderr)
        if new_failures:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
