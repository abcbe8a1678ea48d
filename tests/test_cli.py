"""The command line: exit codes, one-line errors, no tracebacks, progress."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from publish import __version__
from publish.cli import cli
from tests.conftest import BAD, GOOD, ROOT


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "publish", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=120, check=False)


def test_skipped_heading_is_one_line_exit_1() -> None:
    result = run("check", str(BAD / "heading-skip.md"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].endswith("heading-skip.md:10: heading-skip: 'Jumped to three' is a "
                             "level-3 heading after a level-1 heading; use level 2 (##) so "
                             "no level is skipped")


def test_missing_source_exit_1(tmp_path: Path) -> None:
    result = run("build", str(tmp_path / "nope.md"), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "source-missing" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_usage_error_exit_2() -> None:
    result = CliRunner().invoke(cli, ["build", "--format", "docx"])
    assert result.exit_code == 2


def test_version_and_help() -> None:
    runner = CliRunner()
    assert __version__ in runner.invoke(cli, ["--version"]).output
    for command in ([], ["build"], ["check"]):
        result = runner.invoke(cli, [*command, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


def test_build_one_format_quietly(tmp_path: Path) -> None:
    result = run("build", str(GOOD / "minimal.md"), "--out", str(tmp_path), "-f", "html",
                 "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html", "manifest.json",
                                                          "minimal.html", "opds.xml"]


def test_check_writes_nothing(tmp_path: Path) -> None:
    result = run("check", str(GOOD / "full.md"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_strict_turns_warnings_into_errors(tmp_path: Path) -> None:
    guide = tmp_path / "g.md"
    guide.write_text("---\ntitle: T\nlang: en\n---\n# T\n\n<u>underlined</u>\n",
                     encoding="utf-8")
    assert run("check", str(guide)).returncode == 0
    strict = run("check", str(guide), "--strict")
    assert strict.returncode == 1
    assert "g.md:7: warning: raw-html:" in strict.stderr
