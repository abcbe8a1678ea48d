"""Worker processes a build starts, talks to and stops: nothing else.

A guide build uses a second core in two stages (see ``publish.build``). First a
worker parses and checks the guide (and renders the light formats, the HTML page
and fragment) while this process imports WeasyPrint (``prepare``). Then the
independent variants of a format (the large-print PDF beside the standard one)
render in workers while this process renders the rest (``Aside``). A library
build (``publish.library``) runs whole guides in workers.

Every worker here is a :class:`Worker`: a ``multiprocessing`` process this module
started, with a pipe to it. Its work is given as arguments when it starts
(``fn(*shared, *task)`` for each task), so nothing passes through module globals,
and stopping it is ``Process.terminate`` on a process we started ourselves.

Workers are forked while this process runs a single thread, so they inherit the
imported renderers and the parsed document without pickling; once any thread
runs (``publish watch`` serves files from one, and watchfiles keeps its own),
forking could copy a lock another thread holds, so workers come from
multiprocessing's fork server instead and their arguments are pickled.

This module imports nothing of the pipeline above it: ``prepare`` is handed the
function that checks and renders (``publish.build.checked_and_rendered``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import os
import signal
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from publish.diagnostics import Diagnostic
from publish.errors import ContentError, PublishError
from publish.render import FORMATS, Variants, build_order, splits, warm_imports

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from publish.model import Document
    from publish.render.base import RenderContext, RenderOptions

SPLITS: dict[str, Variants] = splits()
"""Format → its independent variants (the option listing them, and the one that stays
in this process because other outputs read facts from it: the EPUB page list comes
from the standard PDF). Every other variant may render in a worker. Derived from the
renderers' declarations (``publish.render.FORMATS``)."""

WARM_IMPORTS: dict[str, tuple[str, ...]] = {name: warm_imports(name) for name in FORMATS}
"""Modules each format's build imports lazily, derived from the declarations; imported
before forking so that workers inherit them instead of each importing them again."""

HEAVY_IMPORT = "publish.render.weasy"
"""The import a ``prepare`` worker hides: this process imports it meanwhile."""


def default_jobs() -> int:
    """The CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def warm(formats: Iterable[str]) -> None:
    """Import what the given formats' renderers need (before forking workers)."""
    for fmt in formats:
        for module in WARM_IMPORTS.get(fmt, ()):
            importlib.import_module(module)


def in_worker() -> bool:
    """Whether this process is itself a worker (workers start no workers)."""
    import multiprocessing  # here, not above: a build the cache answers starts no worker

    return multiprocessing.current_process().daemon


def _threads() -> int:
    """Threads of this process, the ones Python did not start included (watchfiles)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:  # not Linux
        import threading

        return threading.active_count()


def start_method() -> str:
    """``fork`` while this process runs one thread; the fork server once it runs more."""
    return "fork" if _threads() == 1 else "forkserver"


class WorkerFailed(RuntimeError):
    """A worker died or raised something its function does not return as data: a bug."""


def _serve(conn: Connection, fn: Callable[..., Any], shared: tuple[Any, ...],
           tasks: list[tuple[Any, ...]], inherited: list[Connection]) -> None:
    """A worker's life: the tasks it was started with, then tasks from the pipe until None.

    Ctrl+C goes to every process of the terminal's group: the parent alone decides
    what it means (it stops its workers, then reports one line). SIGTERM from the
    parent's ``stop`` ends the worker, or the build it runs (which cleans up first);
    then the parent's end of the pipe is closed, and the worker ends too. For that
    the parent's ends that a fork copied here (``inherited``) are closed first.
    """
    import traceback

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # blocked by ``Worker``
    for other in inherited:
        other.close()
    pending: list[tuple[Any, ...] | None] = list(tasks)
    try:
        while True:
            task = pending.pop(0) if pending else conn.recv()
            if task is None:
                return
            try:
                reply: tuple[str, Any] = ("ok", fn(*shared, *task))
            except Exception:  # reported to the parent, which raises it
                reply = ("crash", traceback.format_exc())
            conn.send(reply)
    except (EOFError, OSError):  # the parent closed its end: stopped, nobody is listening
        return


class Worker:
    """One process running ``fn(*shared, *task)`` for each task, in order."""

    def __init__(self, fn: Callable[..., Any], shared: tuple[Any, ...] = (),
                 tasks: Sequence[tuple[Any, ...]] = (), *, preload: Iterable[str] = (),
                 siblings: Iterable[Worker] = ()) -> None:
        """``tasks`` start at once; ``send`` adds more. ``preload``: modules a fork-server
        worker imports before it starts (a forked one inherits them). ``siblings``: the
        workers started before this one and still running (see ``_serve``)."""
        import multiprocessing

        method = start_method()
        context = multiprocessing.get_context(method)
        if method == "forkserver":
            context.set_forkserver_preload([__name__, *preload])
        self.conn, theirs = context.Pipe()
        inherited = [self.conn, *(s.conn for s in siblings)] if method == "fork" else []
        self.process = context.Process(target=_serve, daemon=True, name="publish-worker",
                                       args=(theirs, fn, shared, list(tasks), inherited))
        # Ctrl+C between the fork and the worker's own handler would kill the worker with a
        # traceback: the signal is held back meanwhile (in this process it is delivered
        # right after; the worker ignores it from then on).
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self.process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        theirs.close()
        self.pending = len(tasks)

    def send(self, task: tuple[Any, ...]) -> None:
        self.conn.send(task)
        self.pending += 1

    def receive(self) -> Any:
        """The next task's return value (blocks until it is done)."""
        try:
            kind, value = self.conn.recv()
        except EOFError:
            raise WorkerFailed(f"worker {self.process.pid} ended with exit code "
                               f"{self.process.exitcode}") from None
        self.pending -= 1
        if kind == "crash":
            raise WorkerFailed(value)
        return value

    def close(self) -> None:
        """Let the worker finish: no more tasks; wait until it has exited."""
        with contextlib.suppress(OSError):  # it may have exited already
            self.conn.send(None)
        self.process.join()
        self.conn.close()

    def stop(self) -> None:
        """End the worker now, whatever it is doing; wait until it is gone.

        SIGTERM lets a build in the worker remove its temporary files (``publish.output``);
        closing the pipe ends a worker that went on to wait for its next task.
        """
        stop_all([self])


def stop_all(workers: Iterable[Worker]) -> None:
    """``Worker.stop`` for several at once: every one is told before any is waited for."""
    workers = list(workers)
    for worker in workers:
        if worker.process.exitcode is None:
            worker.process.terminate()
    for worker in workers:
        worker.conn.close()
    for worker in workers:
        worker.process.join()


def run_all(fn: Callable[..., Any], shared: tuple[Any, ...], tasks: Sequence[tuple[Any, ...]],
            workers: int, *, preload: Iterable[str] = ()) -> Iterable[tuple[int, Any]]:
    """Run ``fn(*shared, *task)`` for every task on up to ``workers`` processes.

    Yields (index of the task, its return value) as tasks finish; each worker takes
    the next task when it is done with one. Every worker is gone when this ends,
    also after an error or Ctrl+C (stopped at once then, with its task).
    """
    from multiprocessing.connection import wait

    queue = list(enumerate(tasks))
    started: list[Worker] = []
    busy: dict[Any, tuple[Worker, int]] = {}
    try:
        for _ in range(min(workers, len(queue))):
            index, task = queue.pop(0)
            worker = Worker(fn, shared, [task], preload=preload, siblings=started)
            started.append(worker)
            busy[worker.conn] = (worker, index)
        while busy:
            for conn in wait(list(busy)):
                worker, index = busy.pop(conn)
                result = worker.receive()
                if queue:
                    index_next, task = queue.pop(0)
                    worker.send(task)
                    busy[worker.conn] = (worker, index_next)
                yield index, result
    except BaseException:
        stop_all(started)
        raise
    for worker in started:
        worker.close()


def _light(fmt: str) -> bool:
    """Whether ``fmt`` can render in the ``prepare`` worker: no heavy import, no facts
    or files from another format."""
    return HEAVY_IMPORT not in WARM_IMPORTS[fmt] and not FORMATS[fmt].needs \
        and not FORMATS[fmt].lists_files


Prepared = tuple["Document", list[Diagnostic] | None, dict[str, dict[str, bytes]]]
CheckAndRender = Callable[[Path, "RenderOptions", list[str], list[str]], Prepared]
"""(source, options, the light formats to render, every format of the build) → Prepared."""


def prepare(source: Path, options: RenderOptions, formats: Iterable[str], jobs: int,
            check_and_render: CheckAndRender) -> Prepared:
    """Parse the guide, and where a worker does it, check it and render the light formats.

    Importing WeasyPrint takes a noticeable share of a cold build
    (docs/performance.md): when the build needs it and may use a second core, a
    worker runs ``check_and_render`` for the light formats (the HTML page and
    fragment) while this process imports WeasyPrint, and sends the document back
    pickled (``Document`` carries its tree as XML). Otherwise (one core, no PDF,
    or WeasyPrint already loaded as in ``publish watch``) the guide is only parsed
    here: the caller starts the workers for the PDF variants and runs the checks
    while they work, and renders every format.
    Returns the document, the findings (None: not checked yet) and what was rendered.
    """
    order = build_order(formats)
    light = [f for f in order if _light(f)]
    heavy = [f for f in order if not _light(f)]
    if jobs < 2 or not heavy or HEAVY_IMPORT in sys.modules or in_worker():
        from publish.parse import parse

        return parse(source), None, {}
    worker = Worker(_prepared, (check_and_render,), [(source, options, light, order)])
    try:
        warm(heavy)
        kind, payload = worker.receive()
    except BaseException:  # an error, or Ctrl+C: the worker's result is of no use now
        worker.stop()
        raise
    worker.close()
    if kind == "content":
        raise ContentError(payload)
    if kind == "error":
        raise PublishError(payload)
    return payload


def _prepared(check_and_render: CheckAndRender, source: Path, options: RenderOptions,
              formats: list[str], wanted: list[str]) -> tuple[str, Any]:
    """``prepare``'s work in the worker; errors as data (click exceptions do not pickle)."""
    try:
        return "ok", check_and_render(source, options, formats, wanted)
    except ContentError as exc:
        return "content", exc.diagnostics
    except PublishError as exc:
        return "error", exc.format_message()


def _render_variant(ctx: RenderContext, checked: bool, fmt: str, option: str,
                    value: Any) -> tuple[str, Any]:
    """One variant of ``fmt``, rendered in a worker from the build's context."""
    from publish.render import RenderContext, render

    ctx = RenderContext(ctx.doc, dataclasses.replace(ctx.options, **{option: (value,)}),
                        dict(ctx.facts))
    if not checked:  # the checks run meanwhile; whatever they find, the files must be safe
        from publish.checks import safe_to_render

        if not safe_to_render(ctx.doc):
            return "unsafe", None  # the parent's checks report why; never collected
    try:
        return "ok", render(fmt, ctx)
    except PublishError as exc:  # click exceptions do not survive pickling
        return "error", exc.format_message()


def _split(options: RenderOptions, fmt: str) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The variants of ``fmt`` to render here (one) and aside (the rest), in order."""
    values = tuple(getattr(options, SPLITS[fmt].option))
    if not values:
        return (), ()
    here = SPLITS[fmt].here if SPLITS[fmt].here in values else values[0]
    return (here,), tuple(v for v in values if v != here)


class Aside:
    """Variants of a format rendered in workers while this process goes on."""

    def __init__(self, ctx: RenderContext, formats: Iterable[str], jobs: int, *,
                 checked: bool = True) -> None:
        """``checked``: whether the checks passed already; if not, each worker runs the
        guards (``publish.checks.safe_to_render``) before it renders."""
        self.ctx = ctx
        self.workers: list[Worker] = []
        self.tasks: dict[str, list[tuple[Worker, int]]] = {}
        """Format → (worker, its turn) of each variant rendered aside, in variant order."""
        self.results: dict[Worker, list[Any]] = {}
        work = [(fmt, split.option, value) for fmt, split in SPLITS.items() if fmt in formats
                for value in _split(ctx.options, fmt)[1]]
        if jobs < 2 or not work or in_worker():
            return
        formats_aside = {fmt for fmt, _, _ in work}
        warm(formats_aside)
        preload = sorted({m for fmt in formats_aside for m in WARM_IMPORTS[fmt]})
        count = min(jobs - 1, len(work))
        try:
            for first in range(count):  # every variant starts now; a worker does its share in turn
                worker = Worker(_render_variant, (ctx, checked), work[first::count],
                                preload=preload, siblings=self.workers)
                self.workers.append(worker)
                self.results[worker] = []
        except BaseException:
            self.close()
            raise
        for i, (fmt, _option, _value) in enumerate(work):
            self.tasks.setdefault(fmt, []).append((self.workers[i % count], i // count))

    def renders(self, fmt: str) -> bool:
        """Whether variants of ``fmt`` are being rendered in workers (``collect`` them)."""
        return fmt in self.tasks

    def context(self, fmt: str) -> RenderContext:
        """The context this process renders ``fmt`` with: without the variants aside."""
        if fmt not in self.tasks:
            return self.ctx
        from publish.render import RenderContext

        kept = _split(self.ctx.options, fmt)[0]
        return RenderContext(self.ctx.doc, dataclasses.replace(
            self.ctx.options, **{SPLITS[fmt].option: kept}), self.ctx.facts)

    def collect(self, fmt: str) -> dict[str, bytes]:
        """Wait for the variants of ``fmt`` rendered aside; their files in variant order."""
        files: dict[str, bytes] = {}
        for worker, turn in self.tasks.pop(fmt, []):
            while len(self.results[worker]) <= turn:  # a worker answers in its share's order
                self.results[worker].append(worker.receive())
            kind, payload = self.results[worker][turn]
            self.results[worker][turn] = None  # the bytes are the caller's now
            if kind == "unsafe":  # the checks passed here, so this cannot happen
                raise PublishError(f"{self.ctx.doc.path}: a {fmt} variant was not rendered: "
                                   "the guide's images failed the checks in its worker")
            if kind == "error":
                raise PublishError(payload)
            files.update(payload)
        return files

    def close(self) -> None:
        """Let finished workers exit; after an error or Ctrl+C (results never collected),
        stop them at once rather than wait for work nobody will use."""
        stop_all(w for w in self.workers if w.pending)
        for worker in self.workers:
            if not worker.pending:
                worker.close()
        self.workers = []
