"""The pipeline: parse once, check, render each format, write atomically.

Markdown and the checks are imported only when a guide is parsed (``prepare``),
which may happen in a worker process (``publish.workers.prepare``).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from publish import fonts, manifest
from publish.cache import BuildCache, Plan
from publish.diagnostics import Diagnostic, blocking
from publish.errors import ContentError
from publish.model import Document
from publish.offers import Offer, offers, planned
from publish.output import interrupt_safe, write_outputs
from publish.render import (
    FORMATS,
    OFFERED_FILES_FACT,
    PLANNED_FILES_FACT,
    RenderContext,
    RenderOptions,
    build_order,
    embeds_fonts,
    left_out,
    render,
    supply_facts,
)
from publish.workers import Aside, prepare

Progress = Callable[[str, list[str], float], None]


@dataclass
class BuildResult:
    """What a build wrote, and the warnings it let through."""

    doc: Document
    warnings: list[Diagnostic]
    written: list[Path] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)
    """Formats rendered (with a cache, only those whose inputs changed)."""
    unchanged: list[Path] = field(default_factory=list)
    """Outputs already on disk exactly as the cache recorded them; not rewritten."""
    left_out: dict[str, str] = field(default_factory=dict)
    """Format → why this guide cannot have it (only in builds that named no format)."""


def check(source: Path, *, strict: bool = False) -> tuple[Document, list[Diagnostic]]:
    """Parse and run every check; raise ContentError when the build must stop."""
    from publish.parse import parse

    doc = parse(source)
    return doc, verify(doc, strict=strict)


def verify(doc: Document, *, strict: bool = False) -> list[Diagnostic]:
    """Every check's findings; raise ContentError when the build must stop."""
    from publish.checks import run_checks

    findings = run_checks(doc)
    stops = blocking(findings, strict=strict)
    if stops:
        raise ContentError(stops)
    return findings


def checked_and_rendered(source: Path, options: RenderOptions, formats: Iterable[str],
                         wanted: Iterable[str] = ()
                         ) -> tuple[Document, list[Diagnostic], dict[str, dict[str, bytes]]]:
    """Parse and check the guide, make its font subsets, then render ``formats``: the first
    stage of a build (``formats`` are the light ones; ``wanted``, every format of it)."""
    doc, findings = check(source, strict=options.strict)
    if embeds_fonts(wanted):
        fonts.prepare(doc)
    ctx = RenderContext(doc, options)
    return doc, findings, {name: render(name, ctx) for name in build_order(formats)}


def offered(files: dict[str, bytes], plan: Plan | None, out_dir: Path,
            doc: Document) -> list[Offer]:
    """The files of this build offered to readers: rendered, restored from the cache, or
    left on disk by it as they were (the cache vouched for their bytes)."""
    fresh = {name: (out_dir / name).read_bytes()
             for names in (plan.fresh.values() if plan else ()) for name in names}
    return offers({**fresh, **files}, doc.path.stem)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for one build, and on again after it.

    Laying out a leaflet allocates about a million objects (WeasyPrint's boxes), so
    the collector would run some 400 times per build, walking every live object
    each time it reaches the older generations, to find almost nothing: what a
    build makes lives until the build ends. Off, a cold build of the shipped guide
    is ≈ 0.1 s faster and its peak memory the same (docs/performance.md). The
    workers a build forks inherit the setting; a process that goes on (``publish
    watch``, a library build) collects as usual between builds.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@interrupt_safe
def build(source: Path, out_dir: Path, formats: Iterable[str] = tuple(FORMATS), *,
          options: RenderOptions | None = None,
          progress: Progress | None = None, cache: BuildCache | None = None,
          jobs: int = 1, plan: Plan | None = None) -> BuildResult:
    """Build the selected formats of one guide into ``out_dir``.

    Nothing is written unless every check and every renderer succeeds. With a
    ``cache``, only formats whose inputs changed are rendered (the checks always
    run; ``plan`` is the cache's plan if the caller made it already); with
    ``jobs`` > 1, the work is spread over worker processes (``publish.workers``).
    """
    with _collector_paused():
        return _build(source, out_dir, formats, options=options, progress=progress,
                      cache=cache, jobs=jobs, plan=plan)


def _build(source: Path, out_dir: Path, formats: Iterable[str], *,
           options: RenderOptions | None, progress: Progress | None,
           cache: BuildCache | None, jobs: int, plan: Plan | None) -> BuildResult:
    options = options or RenderOptions()
    formats = tuple(formats)
    if cache is not None and plan is None:
        plan = cache.plan(source, out_dir, formats, options)
    files: dict[str, bytes] = {}
    wanted = set(formats)
    if plan is not None:  # render what changed; restore recorded outputs someone altered
        wanted = set(plan.render)
        files.update(plan.restored_files())
    started = time.perf_counter()
    doc, checked, rendered = prepare(source, options, wanted, jobs, checked_and_rendered)
    ctx = RenderContext(doc, options)
    ctx.facts[PLANNED_FILES_FACT] = planned(ctx)
    for name, produced in rendered.items():
        files.update(produced)
        if progress:
            progress(name, list(produced), time.perf_counter() - started)
    # Variants start rendering in workers now; when the checks have not run yet they
    # run meanwhile here, and nothing is written unless they pass.
    aside = Aside(ctx, wanted, jobs, checked=checked is not None)
    try:
        findings = checked if checked is not None else verify(doc, strict=options.strict)
        waiting: dict[str, float] = {}

        def collect(name: str) -> None:
            """Wait for the variants of ``name`` rendered aside."""
            rendered[name].update(aside.collect(name))
            files.update(rendered[name])
            if progress:
                progress(name, list(rendered[name]), time.perf_counter() - waiting.pop(name))

        for name in build_order(wanted):  # each after the formats whose facts it needs
            if name in rendered:
                continue
            if FORMATS[name].lists_files:  # after every other format's files are here
                for other in list(waiting):
                    collect(other)
                ctx.facts[OFFERED_FILES_FACT] = offered(files, plan, out_dir, doc)
            started = time.perf_counter()
            if not left_out(name, ctx):  # no page layout for a format left out
                supply_facts(name, ctx)  # facts of formats not rendered in this build
            rendered[name] = render(name, aside.context(name))
            files.update(rendered[name])
            if aside.renders(name):  # collected last: this process goes on meanwhile
                waiting[name] = started
            elif progress:
                progress(name, list(rendered[name]), time.perf_counter() - started)
        for name in list(waiting):
            collect(name)
    finally:
        aside.close()
    unchanged = [out_dir / n for names in (plan.fresh.values() if plan else ()) for n in names]
    built = ctx.build_date.strftime("%Y-%m-%dT%H:%M:%SZ")
    written = write_outputs(out_dir, files, last=lambda: manifest.render(  # manifest last
        out_dir, doc, built, files, unchanged))
    if cache is not None and plan is not None:
        cache.record(plan, source, options, rendered, findings)
    left = {name: why for name, produced in rendered.items()
            if not produced and (why := left_out(name, ctx))}
    return BuildResult(doc, findings, written, [n for n in rendered if n not in left],
                       unchanged, left)
