"""Atomic output: a failed build leaves the previous outputs untouched."""

from __future__ import annotations

import errno
import io
import os
import shutil
from pathlib import Path

import pytest

import publish.output
from publish.build import build
from publish.errors import PublishError, SourceError
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


def _built_once(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    """A guide built into out/ (the previous outputs), then changed."""
    guide = tmp_path / "guide.md"
    shutil.copy(GOOD / "minimal.md", guide)
    out = tmp_path / "out"
    build(guide, out, ["html"])
    guide.write_text(guide.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    return guide, out, {p.name: p.read_bytes() for p in out.iterdir()}


@pytest.mark.parametrize(("where", "error", "words"), [
    ("mkstemp", PermissionError(errno.EACCES, "Permission denied"), "Permission denied"),
    ("write", OSError(errno.ENOSPC, "No space left on device"), "No space left on device"),
    ("fsync", OSError(errno.ENOSPC, "No space left on device"), "No space left on device"),
], ids=["read-only folder", "disk full while writing", "disk full on flush"])
def test_an_unwritable_folder_is_one_line_and_the_outputs_stay(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, error: OSError,
        words: str) -> None:
    """A read-only folder (simulated: the tests may run as root, whom permissions do not
    stop) and a full disk: one ``output-unwritable`` line, the previous outputs unchanged,
    no temporary file left."""
    guide, out, before = _built_once(tmp_path)
    if where == "mkstemp":
        def refuse(*_args: object, **_kwargs: object) -> None:
            raise error
        monkeypatch.setattr(publish.output.tempfile, "mkstemp", refuse)
    elif where == "fsync":
        def full(_fd: int) -> None:
            raise error
        monkeypatch.setattr(publish.output.os, "fsync", full)
    else:
        real_fdopen = os.fdopen

        class Full(io.BufferedWriter):
            def write(self, _data: object) -> int:
                raise error

        def fdopen(fd: int, mode: str = "r", *args: object, **kwargs: object) -> object:
            return Full(io.FileIO(fd, "w")) if "w" in mode else real_fdopen(fd, mode)
        monkeypatch.setattr(publish.output.os, "fdopen", fdopen)
    with pytest.raises(SourceError) as caught:
        build(guide, out, ["html"])
    assert caught.value.diagnostic.rule == "output-unwritable"
    assert str(caught.value.diagnostic).endswith(
        "out: output-unwritable: cannot write the outputs in this folder "
        f"({words}); free space or choose another --out")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_an_output_folder_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    """Not simulated: --out names an existing file."""
    guide = tmp_path / "guide.md"
    shutil.copy(GOOD / "minimal.md", guide)
    (tmp_path / "out").write_bytes(b"a file")
    with pytest.raises(SourceError) as caught:
        build(guide, tmp_path / "out", ["html"])
    assert caught.value.diagnostic.rule == "output-unwritable"
    assert (tmp_path / "out").read_bytes() == b"a file"
