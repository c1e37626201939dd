"""djust.check: the analyzer of `djust check`, from Python, reports exactly what the
binary reports on the bundled example project."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import djust

ROOT = Path(__file__).resolve().parents[2]


def key(f: dict) -> tuple:
    return (f["code"], f["filename"], f["location"]["row"], f["location"]["column"], f["message"])


def test_check_reports_what_the_binary_reports() -> None:
    ours = djust.check(["examples"], cwd=ROOT)
    # The binary `cargo test` built (DJUST_BIN in scripts/test.sh), else a cargo build.
    binary = os.environ.get("DJUST_BIN")
    command = [binary] if binary else ["cargo", "run", "--quiet", "--locked", "-p", "djust-cli", "--"]
    run = subprocess.run(
        [*command, "check", "--output-format", "json", "examples"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1, run.stderr  # the example project has findings on purpose
    theirs = json.loads(run.stdout)
    assert sorted(map(key, ours)) == sorted(map(key, theirs))
    codes = {f["code"] for f in ours}
    assert {"V006", "V007", "T002"} <= codes
    v006 = next(f for f in ours if f["code"] == "V006" and f["filename"].endswith("cart/views.py"))
    assert v006["location"]["row"] == 40


def test_check_a_snippet_directory(v007_project: Path) -> None:
    findings = djust.check([v007_project])
    assert [f["code"] for f in findings] == ["V007"]
    assert findings[0]["location"] == {"row": 6, "column": 9}


def test_a_missing_path_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        djust.check([tmp_path / "nope"])


def test_the_console_script_runs_the_same_cli() -> None:
    script = Path(sys.executable).parent / "djust"
    run = subprocess.run(
        [script, "check", "--output-format", "json", "examples"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert run.returncode == 1, run.stderr
    assert sorted(map(key, json.loads(run.stdout))) == sorted(map(key, djust.check(["examples"], cwd=ROOT)))
    rule = subprocess.run([script, "rule", "V006"], capture_output=True, text=True, check=False)
    assert rule.returncode == 0
    assert "What it does" in rule.stdout
    bad = subprocess.run([script, "check", "--no-such-flag"], capture_output=True, text=True, check=False)
    assert bad.returncode == 2
    assert "--no-such-flag" in bad.stderr
    # And in-process, with explicit arguments.
    assert djust.main(["rule", "V007"]) == 0
