"""``publish watch``: an edit rebuilds, a broken edit shows the error and keeps the outputs.

The watcher runs as the real command in a subprocess; every wait is bounded.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import watchfiles
from click.testing import CliRunner

import publish.watch
from publish.cli import cli
from publish.output import BuildInterrupted
from publish.render import RenderOptions
from publish.watch import _Changes, describe, missed, snapshot
from tests.conftest import ROOT
from tests.test_cache import full_guide_in

WAIT = 90.0
"""Seconds any one step may take; a rebuild takes about a second on an idle machine."""


class Watcher:
    """``publish watch`` in a subprocess, its stderr read line by line."""

    def __init__(self, *args: str, cache: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PUBLISH_CACHE_DIR": str(cache)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "publish", "watch", *args], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str) -> str:
        """The next line containing ``text``; fails after WAIT seconds."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                assert self.process.poll() is None, "\n".join(self.seen)
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"no line with {text!r} in {WAIT} s:\n" + "\n".join(self.seen))

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=WAIT)
            raise


@pytest.fixture
def guide(tmp_path: Path) -> Path:
    return full_guide_in(tmp_path / "src")


@pytest.fixture
def watcher(guide: Path, tmp_path: Path) -> Iterator[Watcher]:
    running = Watcher(str(guide), "--out", str(tmp_path / "out"), "--serve", "--port", "0",
                      cache=tmp_path / "cache")
    yield running
    if running.process.poll() is None:
        running.process.kill()
        running.process.wait(timeout=WAIT)


def outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.iterdir()}


def test_edit_rebuilds_broken_edit_keeps_outputs(watcher: Watcher, guide: Path,
                                                 tmp_path: Path) -> None:
    out = tmp_path / "out"
    url = watcher.wait_for("Serving ").split(" at ")[1]
    assert "first build → Built" in watcher.wait_for("first build")
    watcher.wait_for("Watching")
    first = outputs(out)
    assert {"guide.html", "guide.pdf", "guide-large-print.pdf", "guide.epub"} <= set(first)

    text = guide.read_text(encoding="utf-8")
    edited = text.replace("stands for the moon", "stands for the Moon")
    guide.write_text(edited, encoding="utf-8")
    line = watcher.wait_for("guide.md changed →")
    assert "guide.md changed → Built" in line
    rendered = set(re.search(r"rendered ([\w, ]+);", line).group(1).split(", "))  # type: ignore[union-attr]
    assert {"html", "embed", "pdf", "epub"} <= rendered, line
    second = outputs(out)
    changed = {name for name in first if second[name] != first[name]}
    assert {"guide.html", "guide.pdf", "guide-large-print.pdf", "guide.epub"} <= changed
    assert b"stands for the Moon" in second["guide.html"]
    with urllib.request.urlopen(url, timeout=WAIT) as page:  # --serve shows the new page
        assert page.read() == second["guide.html"]

    guide.write_text(edited + "\n# A second title\n", encoding="utf-8")
    error = watcher.wait_for("heading-h1")
    assert "guide.md:" in error and "Traceback" not in "\n".join(watcher.seen)
    assert "not built" in watcher.wait_for("guide.md changed →")
    assert outputs(out) == second  # the last good outputs stay

    guide.write_text(edited, encoding="utf-8")  # fixed: builds again
    line = watcher.wait_for("guide.md changed →")
    assert "not built" not in line
    assert outputs(out) == second
    assert watcher.stop() == 0
    assert "Stopped watching." in watcher.wait_for("Stopped")


def test_builds_own_files_are_not_changes(tmp_path: Path) -> None:
    out = tmp_path / "src" / "out"
    keep = _Changes([out, tmp_path / "cache"])
    added = watchfiles.Change.added
    assert keep(added, str(tmp_path / "src" / "guide.md"))
    assert not keep(added, str(out / "guide.html"))
    assert not keep(added, str(tmp_path / "src" / ".publish-guide.html.x.tmp"))
    assert not keep(added, str(tmp_path / "cache" / "blobs" / "ab"))
    assert not keep(added, str(tmp_path / "src" / "guide.md.swp"))


def test_editor_temporaries_are_not_reported(tmp_path: Path) -> None:
    saved, temp = str(tmp_path / "guide.md"), str(tmp_path / "sedAb12")
    changes = {(watchfiles.Change.modified, saved), (watchfiles.Change.added, temp),
               (watchfiles.Change.deleted, temp)}
    assert describe(changes).endswith("guide.md")


def test_saves_before_the_watch_starts_are_caught_up(tmp_path: Path) -> None:
    """A save while the first build runs, before the OS watch exists, still rebuilds."""
    (tmp_path / "guide.md").write_text("one", encoding="utf-8")
    (tmp_path / "old.svg").write_text("<svg/>", encoding="utf-8")
    keep = _Changes([tmp_path / "out"])
    before = snapshot([tmp_path], keep)
    (tmp_path / "guide.md").write_text("one two", encoding="utf-8")
    (tmp_path / "old.svg").unlink()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "guide.html").write_text("built", encoding="utf-8")
    assert missed(before, snapshot([tmp_path], keep)) == {
        (watchfiles.Change.modified, str(tmp_path / "guide.md")),
        (watchfiles.Change.deleted, str(tmp_path / "old.svg"))}


def test_a_missing_folder_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["watch", str(tmp_path / "nowhere" / "guide.md"),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.output.strip().endswith(
        "guide.md: source-missing: its folder does not exist; pass the path of a guide (.md)")
    assert len(result.output.strip().splitlines()) == 1


def test_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    guide = full_guide_in(tmp_path / "src")
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        result = CliRunner().invoke(cli, ["watch", str(guide), "--out", str(tmp_path / "out"),
                                          "--serve", "--port", str(taken.getsockname()[1])])
    finally:
        taken.close()
    assert result.exit_code == 1
    assert result.output.strip().startswith("cannot serve on 127.0.0.1:")
    assert not (tmp_path / "out" / "guide.html").exists()  # stopped before building


def test_ctrl_c_during_a_rebuild_stops_watching(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl+C while a build runs ends the watch like Ctrl+C while it waits: no error."""
    def interrupted(source: Path, *_args: object, **_kwargs: object) -> None:
        raise BuildInterrupted(f"{source}: interrupted")

    monkeypatch.setattr(publish.watch, "build_guide", interrupted)
    lines: list[str] = []
    publish.watch.watch(full_guide_in(tmp_path / "src"), tmp_path / "out", ["html"],
                        RenderOptions(), echo=lines.append)
    assert lines == ["Stopped watching."]
