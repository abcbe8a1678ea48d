"""The pipeline: parse once, check, render each format, write atomically."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from publish import manifest
from publish.cache import BuildCache
from publish.checks import run_checks
from publish.diagnostics import Diagnostic, blocking
from publish.errors import ContentError
from publish.library import Aside
from publish.model import Document
from publish.output import interrupt_safe, write_outputs
from publish.parse import parse
from publish.render import FORMATS, RenderContext, RenderOptions, renderer

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


def check(source: Path, *, strict: bool = False) -> tuple[Document, list[Diagnostic]]:
    """Parse and run every check; raise ContentError when the build must stop."""
    doc = parse(source)
    findings = run_checks(doc)
    stops = blocking(findings, strict=strict)
    if stops:
        raise ContentError(stops)
    return doc, findings


@interrupt_safe
def build(source: Path, out_dir: Path, formats: Iterable[str] = tuple(FORMATS), *,
          options: RenderOptions | None = None,
          progress: Progress | None = None, cache: BuildCache | None = None,
          jobs: int = 1) -> BuildResult:
    """Build the selected formats of one guide into ``out_dir``.

    Nothing is written unless every check and every renderer succeeds. With a
    ``cache``, only formats whose inputs changed are rendered (the checks always
    run); with ``jobs`` > 1, independent variants render in forked workers.
    """
    options = options or RenderOptions()
    plan = cache.plan(source, out_dir, formats, options) if cache else None
    doc, findings = check(source, strict=options.strict)
    ctx = RenderContext(doc, options)
    files: dict[str, bytes] = {}
    wanted = set(formats)
    if plan is not None:  # render what changed; restore recorded outputs someone altered
        wanted = set(plan.render)
        files.update(plan.restored_files())
    rendered: dict[str, dict[str, bytes]] = {}
    if "epub" in wanted and ("pdf" not in wanted or "standard" not in options.pdf_variants):
        # The EPUB page list names the pages of the standard printed leaflet: when that
        # edition is not being rendered, lay it out without writing it.
        ctx.facts.update(renderer("pdf").layout_facts(ctx))
    aside = Aside(ctx, wanted, jobs)
    try:
        for name in FORMATS:  # FORMATS order is the build order
            if name not in wanted:
                continue
            started = time.perf_counter()
            produced = renderer(name).render(aside.context(name))
            produced.update(aside.collect(name))
            rendered[name] = produced
            files.update(produced)
            if progress:
                progress(name, list(produced), time.perf_counter() - started)
    finally:
        aside.close()
    unchanged = [out_dir / n for names in (plan.fresh.values() if plan else ()) for n in names]
    built = ctx.build_date.strftime("%Y-%m-%dT%H:%M:%SZ")
    written = write_outputs(out_dir, files, last=lambda: manifest.render(  # manifest last
        out_dir, doc, built, files, unchanged))
    if cache is not None and plan is not None:
        cache.record(plan, source, options, rendered, findings)
    return BuildResult(doc, findings, written, list(rendered), unchanged)
