"""``publish new``: a new guide that builds at once, and never over an existing file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from publish.cli import cli
from publish.frontmatter import FIELDS


@pytest.fixture
def started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PUBLISH_CACHE_DIR", str(tmp_path / "cache"))
    result = CliRunner().invoke(cli, ["new", "guides/metformin"])
    assert result.exit_code == 0, result.output
    assert "Created guides/metformin.md and guides/metformin.rules.yaml" in result.stderr
    return tmp_path / "guides" / "metformin.md"


def test_a_new_guide_passes_every_check_and_builds(started: Path, tmp_path: Path) -> None:
    check = CliRunner().invoke(cli, ["check", "--strict", str(started)])
    assert check.exit_code == 0, check.output
    build = CliRunner().invoke(cli, ["build", str(started), "--out", str(tmp_path / "out"),
                                     "-f", "html", "-f", "pdf", "--jobs", "1"])
    assert build.exit_code == 0, build.output
    assert {"metformin.html", "metformin.pdf"} <= {p.name for p in (tmp_path / "out").iterdir()}


def test_every_field_is_there_and_the_optional_ones_are_explained(started: Path) -> None:
    front = started.read_text(encoding="utf-8").split("---\n")[1].splitlines()
    for field in FIELDS:
        [line] = [x for x in front if x.lstrip("# ").startswith(f"{field.name}:")]
        if field.required:
            assert not line.startswith("#"), line
        else:
            assert line.startswith("# ") and field.doc in line, line


def test_the_rules_file_is_empty_with_examples(started: Path) -> None:
    rules = started.with_name("metformin.rules.yaml").read_text(encoding="utf-8")
    assert all(not line.strip() or line.startswith("#") for line in rules.splitlines())
    for key in ("sections:", "safety-blocks:", "claims:"):
        assert f"# {key}" in rules


def test_it_never_overwrites(started: Path) -> None:
    started.write_text("edited by hand", encoding="utf-8")
    again = CliRunner().invoke(cli, ["new", "guides/metformin.md"])
    assert again.exit_code == 1
    assert again.stderr.strip() == ("guides/metformin.md: new-exists: already exists; publish "
                                    "new never overwrites a file, so choose another name or "
                                    "move it away")
    assert started.read_text(encoding="utf-8") == "edited by hand"
