"""Atomic output: a failed build leaves the previous outputs untouched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from publish.build import build
from publish.errors import PublishError
from publish.output import write_outputs
from tests.conftest import GOOD


def test_failed_build_keeps_previous_outputs(tmp_path: Path) -> None:
    guide = tmp_path / "guide.md"
    shutil.copy(GOOD / "minimal.md", guide)
    out = tmp_path / "out"
    build(guide, out, ["html"])
    before = (out / "guide.html").read_bytes()
    guide.write_text(guide.read_text(encoding="utf-8") + "\n### Skipped\n", encoding="utf-8")
    with pytest.raises(PublishError):
        build(guide, out, ["html"])
    assert (out / "guide.html").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["guide.html", "index.html",
                                                     "manifest.json", "opds.xml"]


def test_stale_temporaries_are_removed(tmp_path: Path) -> None:
    (tmp_path / ".publish-guide.html.abc.tmp").write_bytes(b"half")
    write_outputs(tmp_path, {"guide.html": b"x"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["guide.html"]


def test_error_while_staging_leaves_no_temporaries(tmp_path: Path) -> None:
    class Boom(bytes):
        def __len__(self) -> int:
            raise OSError("disk full")

    (tmp_path / "guide.html").write_bytes(b"old")
    with pytest.raises(TypeError):
        write_outputs(tmp_path, {"a.html": b"new", "guide.html": object()})  # type: ignore
    assert sorted(p.name for p in tmp_path.iterdir()) == ["guide.html"]
    assert (tmp_path / "guide.html").read_bytes() == b"old"
