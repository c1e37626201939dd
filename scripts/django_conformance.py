"""Run Django's own template tests against djust's engine and count what passes.

    python scripts/django_conformance.py [--django 5.2.19] [--write docs/conformance.md]
                                         [--min-passed N] [--verbose]

Fetches the Django sdist with ``pip download`` (cached in ``target/django-sdist/``),
imports ``tests/template_tests/filter_tests`` and ``tests/template_tests/syntax_tests``
from it, and replaces their ``setup`` decorator (``template_tests.utils.setup``, which
builds a ``django.template.Engine`` on an in-memory loader) with one that builds a
``djust.Engine`` on the same templates. The test bodies are Django's, unchanged; every
render goes through djust's Rust engine, and nothing falls back to Django's Python
node classes.

Counted: every test method decorated with ``setup`` (a test that renders through the
engine), run as Django runs it — twice with the defaults, twice with
``string_if_invalid="INVALID"`` and twice with ``debug=True``. Tests whose class
registers custom tag libraries (``libraries = {...}``, Python template tags) are
listed apart: they exercise Python code djust does not run. Tests without ``setup``
(which call Django's Python filter functions directly) are not counted.

Exits 1 when fewer than ``--min-passed`` tests pass (a regression guard for CI).
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import subprocess
import sys
import tarfile
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
    django.setup()


class DjustEngine:
    """What the tests use of ``django.template.Engine``, on ``djust.Engine``."""

    def __init__(self, templates: dict[str, str], *, string_if_invalid: str = "", debug: bool = False) -> None:
        import djust

        self.string_if_invalid = string_if_invalid
        self.debug = debug
        self.engine = djust.Engine(templates=templates, string_if_invalid=string_if_invalid, django=True)

    def render_to_string(self, name: str, context=None) -> str:
        return self.engine.get_template(name).render(flat(context))

    def get_template(self, name: str) -> DjustTemplate:
        return DjustTemplate(self.engine.get_template(name))

    def from_string(self, source: str) -> DjustTemplate:
        return DjustTemplate(self.engine.from_string(source))


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
            runs = [{}] if test_once else [{}, {"string_if_invalid": "INVALID"}, {"debug": True}]
            for options in runs:
                self.engine = DjustEngine(dict(templates), **options)
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
    counted, skipped_libraries = [], []

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
        if not getattr(method, "renders_through_engine", False):
            continue
        (skipped_libraries if getattr(test, "libraries", None) else counted).append(test)

    result = unittest.TestResult()
    unittest.TestSuite(counted).run(result)
    # A failing subtest fails its test; one entry per test, its first failure.
    failed: dict[str, str] = {}
    for t, tb in result.failures + result.errors:
        failed.setdefault(getattr(t, "test_case", t).id(), tb)
    skipped_ids = {getattr(t, "test_case", t).id() for t, _ in result.skipped}
    passed = [t for t in counted if t.id() not in failed and t.id() not in skipped_ids]
    by_module = collections.Counter(t.id().split(".")[2] for t in counted)
    failed_by_module = collections.Counter(name.split(".")[2] for name in failed)
    # A test skipped by Django's own conditions counts as not passing.
    failed_by_module.update(name.split(".")[2] for name in skipped_ids if name not in failed)
    if verbose:
        for name, tb in sorted(failed.items()):
            print(f"--- {name}\n{tb}\n")
    return counted, passed, failed, skipped_libraries, by_module, failed_by_module, len(result.skipped)


def report(version, counted, passed, failed, libraries, by_module, failed_by_module, skipped) -> str:
    share = f"{100 * len(passed) / max(1, len(counted)):.1f}%"
    lines = [
        "# Conformance with Django's template tests",
        "",
        f"Django {version}'s own `template_tests.filter_tests` and `template_tests.syntax_tests`, run",
        "against djust's Rust engine by `scripts/django_conformance.py` (the test bodies are Django's;",
        "their `setup` decorator builds a `djust.Engine` instead of Django's, so every render goes",
        "through djust, with no fallback to Django's Python node classes). Each test runs as Django",
        'runs it: twice with the defaults, twice with `string_if_invalid="INVALID"`, twice with',
        "`debug=True`.",
        "",
        "```sh",
        "python scripts/django_conformance.py --write docs/conformance.md",
        "```",
        "",
        f"**{len(passed)} of {len(counted)} tests that render through the engine pass** ({share}).",
        "",
        f"Not counted: {len(libraries)} tests whose class registers custom tag libraries (Python",
        "`@register.simple_tag`/`inclusion_tag` code, which djust's engine does not run), and the tests",
        "without `setup` that call Django's Python filter functions directly."
        + (f" {skipped} counted tests were skipped by Django's own conditions." if skipped else ""),
        "",
        "| module | tests | pass | fail or skipped |",
        "| --- | ---: | ---: | ---: |",
    ]
    for module in sorted(by_module):
        n, f = by_module[module], failed_by_module.get(module, 0)
        lines.append(f"| `{module}` | {n} | {n - f} | {f} |")
    lines += ["", "## Failing tests", ""]
    if failed:
        lines.append("Each with the last line of its failure (`--verbose` prints them all):")
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
    args = parser.parse_args()
    counted, passed, failed, libraries, by_module, failed_by_module, skipped = run(args.django, args.verbose)
    text = report(args.django, counted, passed, failed, libraries, by_module, failed_by_module, skipped)
    if args.write:
        args.write.write_text(text)
    print(f"{len(passed)} of {len(counted)} engine tests pass; {len(libraries)} custom-library tests not counted")
    if len(passed) < args.min_passed:
        print(f"fewer than --min-passed {args.min_passed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
