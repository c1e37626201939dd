"""Django system checks (``manage.py check --tag djust``): the analyzer's findings as
Django check messages, the same as ``djust check`` reports, silenced as Django checks are."""

import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

from django.core import checks
from django.core.management import call_command
from django.test import override_settings

import djust

ROOT = Path(__file__).resolve().parents[2]


def test_manage_py_check_reports_what_djust_check_reports() -> None:
    run = subprocess.run(
        [sys.executable, "manage.py", "check", "--tag", "djust"],
        cwd=ROOT / "examples",
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr  # warnings do not fail `check` by default
    line = re.compile(r"^(\S+):(\d+):(\d+): \(djust\.(\w+)\) ", re.MULTILINE)
    reported = sorted((code, path, int(row), int(col)) for path, row, col, code in line.findall(run.stderr))
    expected = sorted(
        (f["code"], f["filename"].removeprefix("examples/"), f["location"]["row"], f["location"]["column"])
        for f in djust.check(["examples"], cwd=ROOT)
    )
    assert reported == expected
    assert len(expected) >= 5


def test_findings_are_check_messages_and_can_be_silenced(v007_project: Path) -> None:
    with override_settings(DJUST_CHECK_ROOT=v007_project):
        messages = checks.run_checks(tags=["djust"])
        assert [(m.id, m.obj, m.level) for m in messages] == [("djust.V007", "views.py:6:9", checks.WARNING)]
        assert "**kwargs" in messages[0].msg
        # The `check` command drops silenced messages (CheckMessage.is_silenced), as for
        # any Django check.
        with override_settings(SILENCED_SYSTEM_CHECKS=["djust.V007"]):
            assert all(m.is_silenced() for m in checks.run_checks(tags=["djust"]))
            out = StringIO()
            call_command("check", tags=["djust"], stdout=out, stderr=out)
            assert "djust.V007" not in out.getvalue()
            assert "1 silenced" in out.getvalue()


def test_a_missing_root_is_one_clear_error(tmp_path: Path) -> None:
    with override_settings(DJUST_CHECK_ROOT=tmp_path / "gone"):
        (message,) = checks.run_checks(tags=["djust"])
    assert message.id == "djust.E000" and "gone" in message.msg


def test_a_deeply_nested_file_is_one_check_message_not_a_crash(v007_project: Path) -> None:
    # Issue 16, item 4: this used to crash the interpreter (`manage.py check`, and so
    # `runserver`). The check runs in a child process so that a crash fails the test
    # instead of ending the run.
    (v007_project / "deep.py").write_text("x = a" + ".b" * 100_000 + "\n")
    (v007_project / "deeper.py").write_text("x = " + "not " * 100_000 + "y\n")
    code = (
        "import django; from django.conf import settings\n"
        f"settings.configure(INSTALLED_APPS=['djust'], DJUST_CHECK_ROOT={str(v007_project)!r})\n"
        "django.setup()\n"
        "from django.core import checks\n"
        "for m in checks.run_checks(tags=['djust']): print(m.id, m.obj)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert sorted(run.stdout.split("\n")) == sorted(
        ["djust.E001 deep.py:1:6004", "djust.E001 deeper.py:1:12001", "djust.V007 views.py:6:9", ""]
    ), run.stdout
