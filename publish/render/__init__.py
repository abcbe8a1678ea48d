"""Renderers, one per output format, behind one interface, and what each declares.

Renderers are imported only when their format is built, so a build of the
HTML alone never imports WeasyPrint. They never import each other: what one
output needs from another (the EPUB's page list needs the standard PDF's page
starts) passes through ``RenderContext.facts``.

Each format is one row of ``FORMATS``, a :class:`Format` that declares

* ``renderer``: where its class lives (``"module:Class"``), imported on first use;
* ``imports``: the heavy modules the renderer imports lazily;
* ``styles``: the files under ``styles/`` it reads, as patterns (stylesheet layers,
  fonts); reading any other file there during its render is an error
  (``publish.styles.reading``), so this list cannot silently fall behind the code;
* ``needs``: the facts it reads from ``RenderContext.facts``; ``provides``: the
  facts it puts there (and can compute alone, without writing its files, in
  ``facts(ctx)``);
* ``variants``: the option listing independent variants that may render aside in
  another process, and the one that stays because it provides facts;
* ``components``: the function (``"module:function"``) describing the system components
  outside Python it reads (liblouis and its tables, Ghostscript), for its cache key
  (``publish.components``).
* ``fonts``: it embeds subsets of the fonts the guide needs (the PDFs, the page and the
  fragment). When a build has such a format, its first stage (the worker that parses
  and checks the guide) cuts the subsets, so the processes that render the formats
  find them made (``publish.fonts.prepare``);
* ``lists_files``: it lists the files of the other formats of its build with their
  sizes and page counts ("Other formats", ``publish.offers``), so it renders after
  every format that does not, reads their files from ``OFFERED_FILES_FACT``, and its
  cache key includes theirs.

Everything else is derived from these rows, never kept by hand: the build order
(providers before the formats that need them, ``build_order``), the modules to
import before forking workers (``warm_imports``), the variants rendered aside
(``splits``), and which files under ``styles/`` enter each format's cache key
(``style_patterns``: its own, plus those of every format whose facts it needs).

**A new format** is one class and one row. The class has ``name`` and
``render(ctx) -> dict[str, bytes]`` (file name → bytes; nothing written), reads
its stylesheets through ``publish.styles`` and, if other formats need something
from it, ``facts(ctx) -> dict[str, Any]``. The row names the class, its lazy
imports, the style files it reads, and the facts it needs or provides; the
command line (``--format``), the build order, the workers and the cache follow.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from publish.render.base import RenderContext, Renderer, RenderOptions
from publish.render.pdf_editions import DIRECTIONS, PAPERS, STANDARD, VARIANTS

PAGE_STARTS_FACT = "pdf_page_starts"
"""``RenderContext.facts`` key: list[PageStart] for the standard PDF, set by the PDF renderer."""

PLANNED_FILES_FACT = "planned_files"
"""``RenderContext.facts`` key: list[publish.offers.Offer], every file a full build with
these options offers to readers, by name (set by the build for every renderer)."""

OFFERED_FILES_FACT = "offered_files"
"""``RenderContext.facts`` key: list[publish.offers.Offer], the files the formats rendered
so far in this build offer to readers, with sizes and pages (set by the build before a
``lists_files`` format)."""


@dataclass(frozen=True)
class Variants:
    """A format's independent variants: the ``RenderOptions`` field that lists them, and
    the variant that must render in the build's own process (it provides the facts)."""

    option: str
    here: str


@dataclass(frozen=True)
class Format:
    """What one format's renderer reads, imports, needs and provides (see the module)."""

    renderer: str
    imports: tuple[str, ...] = ()
    styles: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()
    variants: Variants | None = None
    components: str | None = None
    fonts: bool = False
    lists_files: bool = False

    @property
    def module(self) -> str:
        return self.renderer.split(":")[0]


SCREEN_STYLES = ("tokens.css", "fonts.css", "fonts/*", "html*.css")
"""The page's stylesheet: tokens, the fonts (inlined as data) and the screen layers."""

FORMATS: dict[str, Format] = {
    "html": Format("publish.render.html:HtmlRenderer", styles=SCREEN_STYLES, fonts=True,
                   lists_files=True),
    "embed": Format("publish.render.html:EmbedRenderer", imports=("publish.render.embed",),
                    styles=(*SCREEN_STYLES, "embed*.css"), fonts=True, lists_files=True),
    "pdf": Format("publish.render.pdf:PdfRenderer", imports=("publish.render.weasy",),
                  styles=("tokens.css", "fonts.css", "fonts/*",
                          *sorted({layer for v in VARIANTS.values() for layer in v.layers}
                                  | {layer for p in PAPERS.values() for layer in p}
                                  | {layer for d in DIRECTIONS.values() for layer in d})),
                  provides=(PAGE_STARTS_FACT,), fonts=True,
                  variants=Variants("pdf_variants", STANDARD),
                  components="publish.components:ghostscript"),
    "epub": Format("publish.render.epub:EpubRenderer", imports=("ebooklib.epub",),
                   styles=("tokens.css", "epub*.css"), needs=(PAGE_STARTS_FACT,)),
    "braille": Format("publish.render.braille:BrailleRenderer", needs=(PAGE_STARTS_FACT,),
                      components="publish.components:liblouis"),
}
"""Format name → declaration; ``--format`` offers these names, in this order."""

PROVIDERS: dict[str, str] = {fact: name for name, f in FORMATS.items() for fact in f.provides}
"""Fact → the format that provides it."""


def _suppliers(name: str) -> list[str]:
    """The formats whose facts ``name`` needs, directly or through another, nearest first."""
    found: list[str] = []
    todo = [PROVIDERS[fact] for fact in FORMATS[name].needs]
    while todo:
        supplier = todo.pop(0)
        if supplier not in found and supplier != name:
            found.append(supplier)
            todo.extend(PROVIDERS[fact] for fact in FORMATS[supplier].needs)
    return found


def build_order(formats: Iterable[str] = FORMATS) -> list[str]:
    """``formats`` in an order where each comes after the formats whose facts it needs."""
    wanted = set(formats)
    order: list[str] = []

    def visit(name: str) -> None:
        if name in order:
            return
        for supplier in _suppliers(name):
            visit(supplier)
        order.append(name)

    for name in FORMATS:  # registry order, unless a need says otherwise
        visit(name)
    # Formats that list the others' files come after all of them (stable otherwise).
    order.sort(key=lambda name: FORMATS[name].lists_files)
    return [name for name in order if name in wanted]


def warm_imports(name: str) -> tuple[str, ...]:
    """Modules a build of ``name`` imports: its renderer, its lazy imports, and those of
    the formats whose facts it needs (their renderer runs to provide them)."""
    modules: dict[str, None] = {}
    for fmt in (*_suppliers(name), name):
        modules.update(dict.fromkeys((FORMATS[fmt].module, *FORMATS[fmt].imports)))
    return tuple(modules)


def style_patterns(name: str) -> tuple[str, ...]:
    """Files under ``styles/`` that can change ``name``'s output: its own, and those of
    every format whose facts it reads (the EPUB page list follows the printed pages)."""
    patterns: dict[str, None] = {}
    for fmt in (name, *_suppliers(name)):
        patterns.update(dict.fromkeys(FORMATS[fmt].styles))
    return tuple(patterns)


def components(name: str, raw: bytes, options: RenderOptions) -> str:
    """What the system components ``name`` reads for this guide are (versions, digests;
    "" for none), from its row's ``components`` function: part of its cache key."""
    where = FORMATS[name].components if name in FORMATS else None
    if where is None:
        return ""
    module, function = where.split(":")
    return str(getattr(importlib.import_module(module), function)(raw, options))


def embeds_fonts(formats: Iterable[str]) -> bool:
    """Whether any of ``formats`` embeds font subsets (its row's ``fonts``)."""
    return any(FORMATS[name].fonts for name in formats if name in FORMATS)


def splits() -> dict[str, Variants]:
    """Format → its variants that may render aside (see ``publish.workers.Aside``)."""
    return {name: f.variants for name, f in FORMATS.items() if f.variants is not None}


def renderer(name: str) -> Renderer:
    """Import and instantiate the renderer for one format."""
    module, cls = FORMATS[name].renderer.split(":")
    return getattr(importlib.import_module(module), cls)()


def left_out(name: str, ctx: RenderContext) -> str | None:
    """Why ``name`` is left out of this build, or None: only when the user named no format
    (``RenderOptions.leave_out_unavailable``) and the renderer's ``unavailable(ctx)`` (an
    optional method) says this guide cannot have it."""
    if not ctx.options.leave_out_unavailable:
        return None
    unavailable = getattr(renderer(name), "unavailable", None)
    return unavailable(ctx) if unavailable else None


def render(name: str, ctx: RenderContext) -> dict[str, bytes]:
    """Render one format, allowed to read only the style files its row declares; no
    files when it is left out (``left_out``)."""
    from publish import styles

    if left_out(name, ctx):
        return {}
    with styles.reading(name, FORMATS[name].styles):
        return renderer(name).render(ctx)


def supply_facts(name: str, ctx: RenderContext) -> None:
    """Put into ``ctx.facts`` what ``name`` needs and no format rendered so far provided:
    each missing fact's provider computes it without writing its files."""
    from publish import styles

    for fact in FORMATS[name].needs:
        if fact not in ctx.facts:
            supplier = PROVIDERS[fact]
            supply_facts(supplier, ctx)
            with styles.reading(supplier, FORMATS[supplier].styles):
                provided: dict[str, Any] = renderer(supplier).facts(ctx)  # type: ignore[attr-defined]
            ctx.facts.update(provided)


__all__ = [
    "FORMATS",
    "OFFERED_FILES_FACT",
    "PAGE_STARTS_FACT",
    "PLANNED_FILES_FACT",
    "Format",
    "RenderContext",
    "RenderOptions",
    "Renderer",
    "Variants",
    "build_order",
    "components",
    "embeds_fonts",
    "left_out",
    "render",
    "renderer",
    "splits",
    "style_patterns",
    "supply_facts",
    "warm_imports",
]
