"""Writing outputs so that a failed, interrupted or killed build loses nothing.

Every file is rendered in memory first. Then, holding a lock on the output
folder (so builds running side by side never clean up or overwrite each
other's work), each file is written to a temporary file in the same folder,
flushed to disk, and only when all of them are on disk are they renamed over
the old ones, the manifest last.

- A failure or Ctrl-C (SIGINT) or SIGTERM before the renames deletes the
  temporary files and leaves the previous outputs byte-identical.
- SIGINT and SIGTERM arriving during the renames (microseconds) are held back
  until they are done, so a signal never leaves a mix of old and new files.
- SIGKILL cannot be caught: the previous outputs are still intact unless it
  lands inside the renames themselves, and any ``.publish-*.tmp`` file it
  leaves is deleted by the next build.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, ParamSpec, TypeVar

import click

from publish.diagnostics import Diagnostic
from publish.errors import SourceError

TEMP_PREFIX = ".publish-"
TEMP_SUFFIX = ".tmp"
HELD_SIGNALS = (signal.SIGINT, signal.SIGTERM)

P = ParamSpec("P")
R = TypeVar("R")


def remove_stale_temporaries(out_dir: Path) -> None:
    """Delete temporary files a killed build left behind (call with the folder locked)."""
    if out_dir.is_dir():
        for stale in out_dir.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                stale.unlink()


@contextlib.contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on the output folder (released when the process dies)."""
    fd = os.open(out_dir, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def _signals(during_commit: bool) -> Iterator[None]:
    """SIGTERM becomes KeyboardInterrupt (so temporary files are cleaned up); during the
    commit, SIGINT and SIGTERM are held back until every rename is done.

    Only the main thread can set handlers; elsewhere nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []

    def hold(signum: int, _frame: Any) -> None:
        held.append(signum)

    def interrupt(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    previous = {s: signal.getsignal(s) for s in HELD_SIGNALS}
    for s in HELD_SIGNALS:
        if previous[s] == signal.SIG_IGN:  # ignored by whoever started us (nohup, &)
            continue
        if during_commit:
            signal.signal(s, hold)
        elif s == signal.SIGTERM:
            signal.signal(s, interrupt)
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    if held:  # the outputs are complete; stop now, as the user asked
        raise KeyboardInterrupt


def write_outputs(out_dir: Path, files: dict[str, bytes], *,
                  last: Callable[[], dict[str, bytes]] | None = None) -> list[Path]:
    """Stage every file, then rename them all into place; return the final paths.

    ``last`` is called with the folder locked and its files are committed after
    the others: the manifest, which must describe what is on disk at that moment.
    """
    try:
        return _write(out_dir, files, last)
    except OSError as exc:  # disk full, read-only, not a folder: the user's to fix
        raise SourceError("output-unwritable", f"cannot write the outputs in this folder "
                          f"({exc.strerror or exc}); free space or choose another --out",
                          out_dir) from None


def _write(out_dir: Path, files: dict[str, bytes],
           last: Callable[[], dict[str, bytes]] | None) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    with locked(out_dir):
        remove_stale_temporaries(out_dir)
        files = {**files, **(last() if last else {})}
        staged: list[tuple[str, Path]] = []
        pending = staged
        try:
            with _signals(during_commit=False):
                for name, data in files.items():
                    fd, temp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{name}.",
                                                suffix=TEMP_SUFFIX, dir=out_dir)
                    staged.append((temp, out_dir / name))
                    with os.fdopen(fd, "wb") as handle:
                        handle.write(data)
                        handle.flush()
                        os.fsync(handle.fileno())
                    os.chmod(temp, 0o644)
            with _signals(during_commit=True):
                for done, (temp, final) in enumerate(staged):
                    pending = staged[done:]
                    os.replace(temp, final)
                pending = []
                _sync_folder(out_dir)
        except BaseException:
            for temp, _ in pending:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
            raise
    return [final for _, final in staged]


def _sync_folder(out_dir: Path) -> None:
    """Make the renames themselves durable (a power cut must not undo them)."""
    fd = os.open(out_dir, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class BuildInterrupted(click.ClickException):
    """Ctrl-C during a build: one line, exit code 1.

    Deliberately not a PublishError: a library build reports those guide by guide
    and carries on with the next guide, but Ctrl-C must stop everything.
    """

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.format_message(), file=file, err=True)


def interrupt_safe(build: Callable[P, R]) -> Callable[P, R]:
    """Turn Ctrl-C during a build into one clear line instead of a traceback.

    By then ``write_outputs`` has removed its temporary files, and outputs are
    either all from before or all from this build.
    """
    @functools.wraps(build)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return build(*args, **kwargs)
        except KeyboardInterrupt:
            source = args[0] if args and isinstance(args[0], Path) else None
            raise BuildInterrupted(str(Diagnostic(
                "interrupted", "the build was stopped; outputs are replaced all together or "
                "not at all, so none is half-written; run the build again", source))) from None

    return guarded
