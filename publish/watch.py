"""``publish watch``: a warm process that rebuilds a guide every time it is saved.

An editor wants to see the leaflet change as they type. A new process pays for
Python, Markdown and WeasyPrint (docs/performance.md) before any work; this one pays once,
then each save costs only the work it causes: the build cache re-renders only
the formats whose inputs changed, and the PDF variants render side by side.

Errors in the guide are shown and the previous outputs stay in place (a build
writes nothing unless it fully succeeds); the next save that fixes them builds
again. ``--serve`` serves the output folder on 127.0.0.1 for a browser preview.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import watchfiles

from publish.cache import BuildCache
from publish.diagnostics import display_path
from publish.errors import PublishError, SourceError
from publish.library import build_guide, summary
from publish.output import TEMP_PREFIX, BuildInterrupted
from publish.styles import STYLES_DIR
from publish.workers import warm

if TYPE_CHECKING:
    from publish.render.base import RenderOptions

Echo = Callable[[str], None]

KEEP_CACHES = frozenset({"publish.render.pdf._weasy", "publish.cache._tool_digest"})
"""Memoised functions that hold no file contents a save can change (the imported
WeasyPrint and its font configuration; the digest of the code this process runs)
and so survive a save. Every other ``lru_cache`` in the package is cleared before
each rebuild, so no stylesheet is served from memory."""

READY_MS = 300
"""How often the watch loop wakes without changes; the first wake-up tells that the OS
watch is in place, and only then does ``watch`` say it is watching."""

STEP_MS = 50
"""How long the folder must stay quiet before a rebuild starts: editors write a
file in several steps (temporary file, rename), and one save is one rebuild."""


class _Changes(watchfiles.DefaultFilter):
    """Ignore what builds write themselves: the outputs, their temporaries, the cache."""

    def __init__(self, ignored: Iterable[Path]) -> None:
        self.ignored = tuple(p.resolve() for p in ignored)
        super().__init__()

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        real = Path(path).resolve()
        if real.name.startswith(TEMP_PREFIX) or any(
                real == root or root in real.parents for root in self.ignored):
            return False
        return super().__call__(change, path)


def forget_file_contents() -> None:
    """Clear memoised reads of files (stylesheets, tokens) so a save is seen."""
    for name, module in list(sys.modules.items()):
        if name != "publish" and not name.startswith("publish."):
            continue
        for attr, value in list(vars(module).items()):
            if hasattr(value, "cache_clear") and getattr(value, "__module__", "") == name \
                    and f"{name}.{attr}" not in KEEP_CACHES:
                value.cache_clear()


def serve(out_dir: Path, port: int) -> ThreadingHTTPServer:
    """Serve ``out_dir`` on 127.0.0.1 only (never on the network), in a daemon thread."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Requests are not news; the build lines are."""

    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port),
                                     functools.partial(Quiet, directory=str(out_dir)))
    except OSError as exc:  # the port is taken, or not ours to open
        raise PublishError(f"cannot serve on 127.0.0.1:{port} ({exc.strerror or exc}); "
                           "choose another --port, or --port 0 for any free one") from None
    threading.Thread(target=server.serve_forever, name="publish-serve", daemon=True).start()
    return server


def rebuild(source: Path, out_dir: Path, formats: list[str], options: RenderOptions,
            cache: BuildCache | None, jobs: int, echo: Echo, why: str) -> bool:
    """Build once and say what happened; an error in the guide is shown, not raised."""
    started = time.perf_counter()
    forget_file_contents()
    stamp = time.strftime("%H:%M:%S")
    try:
        report = build_guide(source, out_dir, formats, options, cache=cache, jobs=jobs)
    except BuildInterrupted:
        raise KeyboardInterrupt from None  # Ctrl+C during a build stops watching
    except PublishError as exc:
        echo(exc.format_message())
        echo(f"{stamp} {why} → not built ({time.perf_counter() - started:.2f} s); the last "
             f"good outputs in {out_dir}/ are kept. Fix the lines above and save again.")
        return False
    for warning in report.warnings:
        echo(str(warning))
    echo(f"{stamp} {why} → {summary(report, out_dir)}")
    return True


def watch(source: Path, out_dir: Path, formats: Iterable[str], options: RenderOptions, *,
          cache: BuildCache | None = None, jobs: int = 1, port: int | None = None,
          echo: Echo = print, stop: threading.Event | None = None) -> None:
    """Build ``source``, then rebuild it after every change until stopped (Ctrl+C)."""
    formats = list(dict.fromkeys(formats))
    folders = [source.resolve().parent, STYLES_DIR]
    if not folders[0].is_dir():
        raise SourceError("source-missing", "its folder does not exist; pass the path of a "
                          "guide (.md)", source)
    ignored = [out_dir] + ([cache.root] if cache else [])
    server = None
    try:
        warm(formats)
        if port is not None:
            server = serve(out_dir, port)
            echo(f"Serving {out_dir}/ at http://127.0.0.1:{server.server_address[1]}/"
                 f"{source.stem}.html")
        wanted = _Changes(ignored)
        before = snapshot(folders, wanted)
        rebuild(source, out_dir, formats, options, cache, jobs, echo, "first build")
        ready = False
        for changes in watchfiles.watch(*folders, watch_filter=wanted, step=STEP_MS,
                                        stop_event=stop, raise_interrupt=False,
                                        rust_timeout=READY_MS, yield_on_timeout=True):
            if not ready:  # the OS watch is in place only now: catch up on earlier saves
                ready = True
                changes = changes | missed(before, snapshot(folders, wanted))
                echo(f"Watching {', '.join(display_path(f) for f in folders)} "
                     "(Ctrl+C to stop)")
            if changes:
                rebuild(source, out_dir, formats, options, cache, jobs, echo,
                        f"{describe(changes)} changed")
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:  # its thread ends with the watch, not with the process
            server.shutdown()
            server.server_close()
    echo("Stopped watching.")


Snapshot = dict[str, tuple[int, int]]


def snapshot(folders: Iterable[Path], wanted: _Changes) -> Snapshot:
    """Size and modification time of every watched file (to notice saves made while
    the first build ran, before the OS watch existed)."""
    found: Snapshot = {}
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if wanted(watchfiles.Change.modified, f"{root}/{d}")]
            for name in files:
                path = os.path.join(root, name)
                if wanted(watchfiles.Change.modified, path):
                    with contextlib.suppress(OSError):
                        stat = os.stat(path)
                        found[path] = (stat.st_mtime_ns, stat.st_size)
    return found


def missed(before: Snapshot, after: Snapshot) -> set[tuple[watchfiles.Change, str]]:
    """The differences between two snapshots, as watchfiles would have reported them."""
    return ({(watchfiles.Change.modified, p) for p in before.keys() & after.keys()
             if before[p] != after[p]}
            | {(watchfiles.Change.added, p) for p in after.keys() - before.keys()}
            | {(watchfiles.Change.deleted, p) for p in before.keys() - after.keys()})


def describe(changes: set[tuple[watchfiles.Change, str]]) -> str:
    """The files a save touched, without editors' short-lived temporary files."""
    added = {path for change, path in changes if change == watchfiles.Change.added}
    deleted = {path for change, path in changes if change == watchfiles.Change.deleted}
    names = sorted({display_path(Path(path)) for _change, path in changes
                    if path not in added & deleted}) or ["a file"]
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
