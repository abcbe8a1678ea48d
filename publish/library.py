"""Building one guide or a library of guides, using the cache and every core.

A publisher keeps many leaflets and rebuilds all of them when a style or a
fact changes. Each guide builds in its own worker process (``publish.workers``;
forked after the heavy renderer libraries are imported once), a failing guide
does not stop the others, and one summary comes at the end. How one guide uses
a second core is ``publish.workers``' business too.

Heavy modules are imported only when something must be rendered: an
up-to-date guide is answered from the cache without Markdown or WeasyPrint.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from publish.cache import BuildCache, Plan
from publish.diagnostics import Diagnostic, blocking
from publish.errors import ContentError, PublishError, SourceError
from publish.hashing import sha256
from publish.output import BuildInterrupted, interrupt_safe, write_outputs
from publish.workers import run_all, warm

if TYPE_CHECKING:
    from publish.build import Progress
    from publish.render.base import RenderOptions


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
    left_out: dict[str, str] = field(default_factory=dict)
    """Format → why this guide cannot have it (a build that named no format)."""


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
            and _listed(out_dir, plan, source):
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
                       time.perf_counter() - started, left_out=result.left_out)


def _listed(out_dir: Path, plan: Plan, source: Path) -> bool:
    """Whether ``manifest.json`` vouches for every output the cache would leave or restore,
    and the folder's catalogue lists the guide as the manifest recorded it.

    When it does not (deleted, or rewritten while a file was damaged), the full
    build runs, because only it can describe the outputs again.
    """
    from publish import manifest

    if not manifest.catalogued(out_dir, source.name):
        return False
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


def _guarded(out_dir: Path, formats: list[str], options: RenderOptions,
             cache: BuildCache | None, source: Path) -> GuideReport:
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
            finish(_guarded(out_dir, formats, options, cache, source))
        else:
            pending.append(source)
    if jobs <= 1 or len(pending) <= 1:
        for source in pending:
            finish(_guarded(out_dir, formats, options, cache, source))
    elif pending:
        import publish.build  # noqa: F401 - imported once here, inherited by every worker

        warm(formats)
        try:
            for _index, report in run_all(_guarded, (out_dir, formats, options, cache),
                                         [(s,) for s in pending], jobs,
                                         preload=["publish.build"]):
                finish(report)
        except KeyboardInterrupt:  # Ctrl+C: stop now, not after the queued guides
            raise BuildInterrupted(str(Diagnostic(
                "interrupted", f"the build was stopped after {len(reports)} of "
                f"{len(unique)} guides; each guide's outputs are all new or all as they "
                "were; run the build again"))) from None
    return [reports[s] for s in unique]
