"""Building one guide or a library of guides, using the cache and every core.

A publisher keeps many leaflets and rebuilds all of them when a style or a
fact changes. Each guide builds in its own worker process (a fork of this one,
so the heavy renderer libraries are imported once, before forking), a failing
guide does not stop the others, and one summary comes at the end.

A single guide uses the cores differently, in two stages. First a forked worker
parses and checks the guide (and renders the HTML page and fragment) while this
process imports WeasyPrint (``prepare``). Then independent variants of one
format (the large-print PDF beside the standard one) render in a worker forked
from this warm process while it renders the rest (``Aside``). The standard PDF
always stays here, because other outputs read facts from its layout (the EPUB
page list).

Heavy modules are imported only when something must be rendered: an
up-to-date guide is answered from the cache without Markdown or WeasyPrint.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from publish.cache import BuildCache, Plan, sha256
from publish.diagnostics import Diagnostic, blocking
from publish.errors import ContentError, PublishError, SourceError
from publish.output import BuildInterrupted, interrupt_safe, write_outputs
from publish.render import FORMATS, Variants, build_order, splits, warm_imports

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from publish.build import Progress
    from publish.model import Document
    from publish.render.base import RenderContext, RenderOptions

SPLITS: dict[str, Variants] = splits()
"""Format → its independent variants (the option listing them, and the one that stays
in this process because other outputs read facts from it: the EPUB page list comes
from the standard PDF). Every other variant may render in a forked worker. Derived
from the renderers' declarations (``publish.render.FORMATS``)."""

WARM_IMPORTS: dict[str, tuple[str, ...]] = {name: warm_imports(name) for name in FORMATS}
"""Modules each format's build imports lazily, derived from the declarations; imported
before forking so that workers inherit them instead of each importing them again."""

HEAVY_IMPORT = "publish.render.weasy"
"""The import a forked ``prepare`` worker hides: this process imports it meanwhile."""


def default_jobs() -> int:
    """The CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def warm(formats: Iterable[str]) -> None:
    """Import the build pipeline and what the given formats' renderers need."""
    importlib.import_module("publish.build")
    for fmt in formats:
        for module in WARM_IMPORTS.get(fmt, ()):
            importlib.import_module(module)


def _light(fmt: str) -> bool:
    """Whether ``fmt`` can render in the ``prepare`` worker: no heavy import, no facts
    from another format."""
    return HEAVY_IMPORT not in WARM_IMPORTS[fmt] and not FORMATS[fmt].needs


def prepare(source: Path, options: RenderOptions, formats: Iterable[str], jobs: int
            ) -> tuple[Document, list[Diagnostic] | None, dict[str, dict[str, bytes]]]:
    """Parse the guide, and where a worker does it, check it and render the light formats.

    Importing WeasyPrint costs ≈ 0.3 s: when the build needs it and may use a
    second core, a forked worker parses, checks and renders the light formats
    (the HTML page and fragment) while this process imports WeasyPrint, and sends
    the document back pickled (``Document`` carries its tree as XML). Otherwise
    (one core, no PDF, or WeasyPrint already loaded as in ``publish watch``) the
    guide is only parsed here: the caller starts the workers for the PDF variants
    and runs the checks while they work, and renders every format.
    Returns the document, the findings (None: not checked yet) and what was rendered.
    """
    import multiprocessing

    order = build_order(formats)
    light = [f for f in order if _light(f)]
    heavy = [f for f in order if not _light(f)]
    if jobs < 2 or not heavy or HEAVY_IMPORT in sys.modules \
            or multiprocessing.current_process().daemon:
        from publish.parse import parse

        return parse(source), None, {}
    pool = _forked_pool(1)
    try:
        future = pool.submit(_prepared, source, options, light)
        warm(heavy)
        kind, payload = future.result()
    except BaseException:  # an error, or Ctrl+C: the worker's result is of no use now
        _stop(pool)
        raise
    pool.shutdown()
    if kind == "content":
        raise ContentError(payload)
    if kind == "error":
        raise PublishError(payload)
    return payload


def _prepared(source: Path, options: RenderOptions, formats: list[str]) -> tuple[str, Any]:
    """``prepare``'s work in the worker; errors as data (click exceptions do not pickle)."""
    from publish.build import checked_and_rendered

    try:
        return "ok", checked_and_rendered(source, options, formats)
    except ContentError as exc:
        return "content", exc.diagnostics
    except PublishError as exc:
        return "error", exc.format_message()


@dataclass
class GuideReport:
    """What building one guide did; picklable, so workers can return it."""

    source: Path
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)
    """Formats rendered; empty when everything came from the cache."""
    warnings: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None
    """The one-line-per-problem message when the guide failed."""


@interrupt_safe  # Ctrl+C before the pipeline starts gets the same one line as during it
def build_guide(source: Path, out_dir: Path, formats: Iterable[str], options: RenderOptions,
                *, cache: BuildCache | None = None, jobs: int = 1,
                progress: Progress | None = None) -> GuideReport:
    """Build one guide; answered from the cache alone when nothing it reads changed.

    Raises PublishError (one line per problem) when the guide has errors.
    """
    started = time.perf_counter()
    formats = list(dict.fromkeys(formats))
    plan = cache.plan(source, out_dir, formats, options) if cache else None
    if plan is not None and plan.nothing_to_render and plan.findings is not None \
            and _listed(out_dir, plan):
        stops = blocking(plan.findings, strict=options.strict)
        if stops:
            raise ContentError(stops)
        restored = plan.restored_files()
        written = write_outputs(out_dir, restored) if restored else []
        unchanged = [out_dir / name for files in plan.fresh.values() for name in files]
        return GuideReport(source, written, unchanged, [], plan.findings,
                           time.perf_counter() - started)
    from publish.build import build

    result = build(source, out_dir, formats, options=options, progress=progress, cache=cache,
                   jobs=jobs, plan=plan)
    return GuideReport(source, result.written, result.unchanged, result.rendered,
                       [d for d in result.warnings if not d.is_error],
                       time.perf_counter() - started)


def _listed(out_dir: Path, plan: Plan) -> bool:
    """Whether ``manifest.json`` vouches for every output the cache would leave or restore.

    When it does not (deleted, or rewritten while a file was damaged), the full
    build runs, because only it can describe the outputs again.
    """
    from publish import manifest

    listed = {e["file"]: e.get("sha256") for e in manifest.read(out_dir)}
    for fmt, names in plan.fresh.items():
        record = plan.recorded[fmt]
        if any(listed.get(name) != record[name] for name in names):
            return False
    return all(listed.get(name) == sha256(data)
               for files in plan.restore.values() for name, data in files.items())


def summary(report: GuideReport, out_dir: Path) -> str:
    """One line saying what a build of one guide did and how long it took."""
    took = f"{report.seconds:.2f} s"
    if report.error:
        return f"failed ({took})"
    if not report.rendered and not report.written:
        return (f"up to date: {len(report.unchanged)} files in {out_dir}/, nothing changed "
                f"({took})")
    kept = f", {len(report.unchanged)} unchanged" if report.unchanged else ""
    how = f"rendered {', '.join(report.rendered)}" if report.rendered else "restored from cache"
    return f"Built {len(report.written)} files in {out_dir}/ ({how}{kept}; {took})"


def _guarded(source: Path, out_dir: Path, formats: list[str], options: RenderOptions,
             cache: BuildCache | None) -> GuideReport:
    """One guide of a library: its errors are reported, not raised."""
    started = time.perf_counter()
    try:
        return build_guide(source, out_dir, formats, options, cache=cache)
    except PublishError as exc:
        return GuideReport(source, seconds=time.perf_counter() - started,
                           error=exc.format_message())


def _distinct_names(sources: list[Path]) -> None:
    """Outputs are named after their source, so two guides must not share a name."""
    stems = Counter(s.stem for s in sources)
    for source in sources:
        if stems[source.stem] > 1:
            others = ", ".join(str(s) for s in sources if s.stem == source.stem)
            raise SourceError("output-name", f"several guides would write {source.stem}.* "
                              f"({others}); rename them or build them into different "
                              "--out folders", source)


def build_library(sources: Iterable[Path], out_dir: Path, formats: Iterable[str],
                  options: RenderOptions, *, cache: BuildCache | None = None, jobs: int = 1,
                  done: Callable[[GuideReport], None] | None = None) -> list[GuideReport]:
    """Build many guides into ``out_dir``, up to ``jobs`` at a time; reports in input order.

    Guides the cache answers are handled here without starting any worker.
    """
    unique = list(dict.fromkeys(Path(s) for s in sources))
    _distinct_names(unique)
    formats = list(dict.fromkeys(formats))
    reports: dict[Path, GuideReport] = {}

    def finish(report: GuideReport) -> None:
        reports[report.source] = report
        if done:
            done(report)

    pending = []
    for source in unique:
        plan = cache.plan(source, out_dir, formats, options) if cache else None
        if plan is not None and plan.nothing_to_render:
            finish(_guarded(source, out_dir, formats, options, cache))
        else:
            pending.append(source)
    if jobs <= 1 or len(pending) <= 1:
        for source in pending:
            finish(_guarded(source, out_dir, formats, options, cache))
    elif pending:
        from concurrent.futures import as_completed

        warm(formats)
        pool = _forked_pool(min(jobs, len(pending)))
        try:
            futures = [pool.submit(_guarded, s, out_dir, formats, options, cache)
                       for s in pending]
            for future in as_completed(futures):
                finish(future.result())
        except KeyboardInterrupt:  # Ctrl+C: stop now, not after the queued guides
            _stop(pool)
            raise BuildInterrupted(str(Diagnostic(
                "interrupted", f"the build was stopped after {len(reports)} of "
                f"{len(unique)} guides; each guide's outputs are all new or all as they "
                "were; run the build again"))) from None
        except BaseException:
            _stop(pool)
            raise
        pool.shutdown()
    return [reports[s] for s in unique]


_FORKED: RenderContext | None = None
"""The build context a forked variant worker renders from (inherited, never pickled:
the document tree is an lxml tree)."""


def _render_variant(fmt: str, option: str, values: tuple[Any, ...],
                    checked: bool) -> tuple[str, Any]:
    from publish.render import RenderContext, render

    assert _FORKED is not None
    ctx = RenderContext(_FORKED.doc, dataclasses.replace(_FORKED.options, **{option: values}),
                        dict(_FORKED.facts))
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
    option, stays = SPLITS[fmt].option, SPLITS[fmt].here
    values = tuple(getattr(options, option))
    if not values:
        return (), ()
    here = stays if stays in values else values[0]
    return (here,), tuple(v for v in values if v != here)


class Aside:
    """Variants of a format rendered in forked workers while this process goes on."""

    def __init__(self, ctx: RenderContext, formats: Iterable[str], jobs: int, *,
                 checked: bool = True) -> None:
        """``checked``: whether the checks passed already; if not, each worker runs the
        guards (``publish.checks.safe_to_render``) before it renders."""
        import multiprocessing

        global _FORKED
        self.ctx = ctx
        self.futures: dict[str, list[Future[tuple[str, Any]]]] = {}
        self.pool: ProcessPoolExecutor | None = None
        work = [(fmt, split.option, value) for fmt, split in SPLITS.items() if fmt in formats
                for value in _split(ctx.options, fmt)[1]]
        if jobs < 2 or not work or multiprocessing.current_process().daemon:
            return
        warm({fmt for fmt, _, _ in work})
        _FORKED = ctx
        self.pool = _forked_pool(min(jobs - 1, len(work)))
        for fmt, option, value in work:
            self.futures.setdefault(fmt, []).append(
                self.pool.submit(_render_variant, fmt, option, (value,), checked))
        _FORKED = None

    def renders(self, fmt: str) -> bool:
        """Whether variants of ``fmt`` are being rendered in workers (``collect`` them)."""
        return fmt in self.futures

    def context(self, fmt: str) -> RenderContext:
        """The context this process renders ``fmt`` with: without the variants aside."""
        if fmt not in self.futures:
            return self.ctx
        from publish.render import RenderContext

        option = SPLITS[fmt].option
        kept = _split(self.ctx.options, fmt)[0]
        return RenderContext(self.ctx.doc, dataclasses.replace(self.ctx.options,
                                                               **{option: kept}),
                             self.ctx.facts)

    def collect(self, fmt: str) -> dict[str, bytes]:
        """Wait for the variants of ``fmt`` rendered aside; their files in variant order."""
        files: dict[str, bytes] = {}
        for future in self.futures.pop(fmt, []):
            kind, payload = future.result()
            if kind == "unsafe":  # the checks passed here, so this cannot happen
                raise PublishError(f"{self.ctx.doc.path}: a {fmt} variant was not rendered: "
                                   "the guide's images failed the checks in its worker")
            if kind == "error":
                raise PublishError(payload)
            files.update(payload)
        return files

    def close(self) -> None:
        """Shut the workers down; after an error or Ctrl+C (results never collected),
        stop them at once rather than wait for work nobody will use."""
        if self.pool is not None:
            if self.futures:
                _stop(self.pool)
            else:
                self.pool.shutdown(wait=True)
            self.pool = None


def _forked_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes forked from this one (they inherit what it imported and its
    document tree) that leave Ctrl+C to this process."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_leave_interrupts_to_parent)


def _leave_interrupts_to_parent() -> None:
    """Workers ignore Ctrl+C: the terminal sends it to every process of the build, and
    the parent alone decides (it stops its workers, then reports one line)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel queued work and terminate running workers; wait until they are gone.

    ``ProcessPoolExecutor`` has no public way to do this before Python 3.14
    (``terminate_workers``), so its worker table is read directly.
    """
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)
