"""Worker processes: started, answered and stopped through public APIs only."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import publish.workers
from publish.render import RenderOptions
from publish.watch import watch
from publish.workers import Worker, WorkerFailed, run_all, start_method
from tests.conftest import ROOT
from tests.test_cache import full_guide_in


def test_fork_only_while_single_threaded() -> None:
    """Forking copies one thread and every lock the others hold: a fresh process forks,
    one running another thread (a server, watchfiles) uses the fork server."""
    fresh = subprocess.run([sys.executable, "-c", "from publish.workers import start_method; "
                            "print(start_method())"], cwd=ROOT, capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert fresh.stdout.strip() == "fork"
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert start_method() == "forkserver"
    finally:
        release.set()
        other.join()


def test_a_worker_returns_results_in_order_and_exits() -> None:
    worker = Worker(pow, (2,), [(3,), (10,)])
    worker.send((0,))
    assert [worker.receive() for _ in range(3)] == [8, 1024, 1]
    worker.close()
    assert worker.process.exitcode == 0


def test_stop_ends_a_busy_worker_at_once() -> None:
    """``stop`` ends the process this module started (SIGTERM), mid-task."""
    worker = Worker(time.sleep, (), [(600,)])
    worker.stop()
    assert worker.process.exitcode == -signal.SIGTERM


def test_a_crash_in_a_worker_is_raised_here() -> None:
    worker = Worker(int, (), [("not a number",)])
    with pytest.raises(WorkerFailed, match="ValueError"):
        worker.receive()
    worker.close()


def test_run_all_answers_every_task_and_leaves_no_worker() -> None:
    results = dict(run_all(pow, (3,), [(n,) for n in range(7)], 2))
    assert results == {n: 3 ** n for n in range(7)}
    assert not [p for p in __import__("multiprocessing").active_children()
                if p.name == "publish-worker"]


def test_watch_serve_never_forks_while_threads_run(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """``watch --serve`` runs a server thread (and watchfiles its own): its PDF variant
    workers must not be forked from it."""
    forks: list[int] = []
    threads_before = publish.workers._threads()
    real_fork = os.fork

    def checked_fork() -> int:
        forks.append(publish.workers._threads())
        return real_fork()

    monkeypatch.setattr(os, "fork", checked_fork)
    stop = threading.Event()
    lines: list[str] = []

    def echo(line: str) -> None:
        lines.append(line)
        if "first build" in line:
            stop.set()

    out = tmp_path / "out"
    watch(full_guide_in(tmp_path / "src"), out, ["pdf"], RenderOptions(), jobs=2, port=0,
          echo=echo, stop=stop)
    assert any("first build → Built" in line for line in lines), lines
    assert {"guide.pdf", "guide-large-print.pdf"} <= {p.name for p in out.iterdir()}
    assert [n for n in forks if n > 1] == []
    assert publish.workers._threads() == threads_before  # the server thread ended too
