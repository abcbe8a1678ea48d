"""The PDF leaflets, through WeasyPrint with the PDF/UA-1 variant.

Editions (standard, large print, print shop) are rows of ``VARIANTS`` and paper
sizes rows of ``PAPERS`` (``publish.render.pdf_editions``): a file name and the
stylesheet layers that change tokens or the page; the renderer code is the same.
Each edition is laid out once; the standard one also gives the page starts the
EPUB's page list needs (``PAGE_STARTS_FACT``), from the same layout it writes out.
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from publish import fonts, styles
from publish.errors import RenderError
from publish.render import PAGE_STARTS_FACT
from publish.render.base import RenderContext
from publish.render.bidi import apply_direction
from publish.render.common import (
    add_other_formats_to_details,
    draft_banner,
    element,
    mark_decorative,
    resolve_images,
    to_html,
)
from publish.render.pdf_editions import DIRECTIONS, PAPERS, STANDARD, VARIANTS, PdfVariant
from publish.render.pdf_pages import (
    TOO_TALL_CLASS,
    Unbreakable,
    continued_elements,
    mark_blocks,
    page_starts,
    split_unbreakables,
)
from publish.render.pdf_tags import (
    TaggingError,
    describe_links,
    repair,
    tag_actual_text,
    tag_languages,
)
from publish.render.words import keeps_any, overflowing_words, wrap_words
from publish.resources import ResourceRefused, allowed_roots, confined_path

FINISHES: dict[str, str] = {
    "pdf/x-4": "publish.render.pdfx:finish",
    "booklet": "publish.render.booklet:finish",
}
"""``PdfVariant.finish`` → the function that turns the PDF/UA file into that edition's."""


class _Counter(logging.Handler):
    """Collects WeasyPrint's ERROR records (missing alt, missing lang) to fail the build,
    and its warning that a character was drawn as an empty box (``.notdef``): the
    ``font-coverage`` check should have stopped that guide already.

    ``expected`` are messages that are not errors here: WeasyPrint logs every
    ``alt=""`` image, but a decorative image is meant to have no alt (the post-pass
    makes it an artifact).
    """

    BOX = ".notdef glyph rendered"

    def __init__(self, expected: frozenset[str] = frozenset()) -> None:
        super().__init__(logging.WARNING)
        self.expected = expected
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if (record.levelno >= logging.ERROR or message.startswith(self.BOX)) \
                and message not in self.expected:
            self.messages.append(message)


@dataclass
class _Layout:
    """One laid-out edition: WeasyPrint's Document and the HTML tree it laid out."""

    document: Any
    root: Any


@lru_cache(maxsize=1)
def _weasy() -> Any:
    """Import WeasyPrint once, only when a PDF is built (first: see weasy.py)."""
    from publish.render.weasy import weasyprint  # isort: skip
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class Refused(FatalURLFetchingError):
        """Stops rendering at the first reference outside the allowed folders."""

    class ConfinedFetcher(URLFetcher):
        """Serves data: URLs, files inside the allowed folders and the guide's font
        subsets (``publish.fonts``); nothing else."""

        def __init__(self, roots: tuple[Path, ...]) -> None:
            super().__init__(allowed_protocols={"data", "file"})
            self.roots = roots

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith(fonts.URL_PREFIX):
                return URLFetcherResponse(url, fonts.font_file(url))
            if url.startswith("data:"):
                return super().fetch(url, headers)
            try:
                path = confined_path(url, self.roots[0], self.roots)
            except ResourceRefused as exc:
                raise Refused(str(exc)) from None
            if path.is_relative_to(styles.STYLES_DIR.resolve()):
                styles.declared(path)  # fonts: part of the PDF's declared style files
            return super().fetch(path.as_uri(), headers)

    weasyprint.ConfinedFetcher = ConfinedFetcher  # type: ignore[attr-defined]
    weasyprint.Refused = Refused  # type: ignore[attr-defined]
    weasyprint.FONT_CONFIG = FontConfiguration()  # type: ignore[attr-defined]
    from weasyprint.pdf import stream, tags

    tag_languages(tags)
    tag_actual_text(stream)
    return weasyprint


class PdfRenderer:
    """Renders one PDF per selected edition, on the selected paper."""

    name: ClassVar[str] = "pdf"

    def render(self, ctx: RenderContext) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        images: dict[str, Any] = {}  # decoded once for every edition of this build
        for name in ctx.options.pdf_variants:
            variant = VARIANTS[name]
            with self._errors(ctx):
                layout = self.layout(ctx, variant, mark=name == STANDARD, images=images)
                if name == STANDARD:
                    ctx.facts[PAGE_STARTS_FACT] = self._page_starts(ctx, layout)
                files[f"{ctx.stem}{variant.suffix}"] = self.write(ctx, variant, layout)
        return files

    def facts(self, ctx: RenderContext) -> dict[str, Any]:
        """Facts other outputs need from the PDF layout, without writing a PDF.

        ``PAGE_STARTS_FACT``: where each page of the standard edition begins
        (see ``publish.render.common.PageStart``).
        """
        with self._errors(ctx):
            layout = self.layout(ctx, VARIANTS[STANDARD], mark=True)
        return {PAGE_STARTS_FACT: self._page_starts(ctx, layout)}

    def _page_starts(self, ctx: RenderContext, layout: _Layout) -> list[Any]:
        return page_starts(layout.document, layout.root, ctx.doc.body_copy())

    def layers(self, ctx: RenderContext, variant: PdfVariant) -> tuple[str, ...]:
        """Stylesheet layers of one edition on its paper (its own, else the chosen one), in
        the guide's direction."""
        return (*variant.layers, *PAPERS[variant.paper or ctx.options.paper],
                *DIRECTIONS[ctx.doc.meta.dir])

    def document_html(self, ctx: RenderContext, *, mark: bool = False,
                      too_tall: frozenset[Unbreakable] = frozenset(),
                      too_wide: frozenset[int] = frozenset(),
                      variant: PdfVariant = VARIANTS["standard"]) -> str:
        """The print document: metadata for WeasyPrint, draft marking, the body.

        ``mark`` numbers the block elements (``data-block``) so the layout can say
        where each page begins; it changes neither the layout nor the PDF.
        ``too_tall`` elements get the class that lets them break across pages.
        Words of a language that keeps them whole stay on one line
        (``publish.render.words``), except ``too_wide`` ones, wider than their line.
        "Other formats" names the build's other files (this ``variant``'s excluded);
        added after the marking, so the page starts index the guide's own blocks.
        """
        doc = ctx.doc
        meta = doc.meta
        body = doc.body_copy()
        if mark:
            mark_blocks(body)
        add_other_formats_to_details(ctx, body, own=(f"{ctx.stem}{variant.suffix}",))
        for img, path, _mime in resolve_images(doc, body):
            img.set("src", path.as_uri())
        mark_decorative(body)

        html = element("html", lang=meta.lang, dir=meta.dir)
        head = element("head")
        html.append(head)
        head.append(element("meta", charset="utf-8"))
        head.append(element("title", meta.title))
        stamp = ctx.build_date.strftime("%Y-%m-%dT%H:%M:%SZ")
        head.append(element("meta", name="dcterms.created", content=stamp))
        head.append(element("meta", name="dcterms.modified", content=stamp))
        if meta.authors:
            head.append(element("meta", name="author",
                                content="; ".join(p.name for p in meta.authors)))
        if meta.description:
            head.append(element("meta", name="description", content=meta.description))
        head.append(element("meta", name="generator", content="publish"))

        page = element("body")
        html.append(page)
        banner = draft_banner(doc)
        if banner is not None:
            page.append(banner)
        page.text = body.text
        for child in list(body):
            page.append(child)
        for tag, index in too_tall:
            tall = list(html.iter(tag))[index]
            tall.set("class", f"{tall.get('class', '')} {TOO_TALL_CLASS}".strip())
        html = wrap_words(apply_direction(html, meta.dir), doc, breakable=too_wide)
        return "<!DOCTYPE html>\n" + to_html(html)

    def running_tokens(self, ctx: RenderContext) -> dict[str, str]:
        """What the running header and footer say on every page, as CSS values.

        print.css places them (title, version and the draft mark; 'Page N of M');
        a direction layer mirrors the footer for a right-to-left guide.
        """
        meta = ctx.doc.meta
        words = ctx.doc.labels
        # "Page {page} of {pages}", "{pages}쪽 중 {page}쪽": the counters where the label puts them.
        page_of = " ".join(
            {"{page}": "counter(page)", "{pages}": "counter(pages)"}.get(part)
            or _css_string(part)
            for part in re.split(r"(\{pages?\})", words["page_of"]) if part)
        footer = f"{meta.title} · {words['version']} {meta.version}"
        return {
            "--running-title": _css_string(footer),
            "--running-page": page_of,
            "--running-draft": _css_string(words["draft_banner"]) if meta.is_draft else "none",
        }

    def layout(self, ctx: RenderContext, variant: PdfVariant, *, mark: bool = False,
               images: dict[str, Any] | None = None) -> _Layout:
        """Lay out one edition (WeasyPrint's ``render``); nothing is written yet.

        Tables, list items and the key facts are kept whole (``break-inside: avoid``),
        but WeasyPrint cannot honour that for an element taller than a page: it moves
        it to the next page and breaks it there anyway, leaving its heading alone on a
        page. Only when the layout shows such an element is the edition laid out again,
        with those elements allowed to break (their heading and first rows then stay
        together). Likewise a word kept whole (Korean, ``publish.render.words``) that is
        wider than its line would run off the page: laid out again, it may break. The
        layout returned is the one that is written.
        """
        too_tall: frozenset[Unbreakable] = frozenset()
        too_wide: frozenset[int] = frozenset()
        kept_words = keeps_any(ctx.doc)
        images = {} if images is None else images
        for _ in range(3):
            layout = self._layout(ctx, variant, mark, too_tall, too_wide, images)
            tall = too_tall | split_unbreakables(layout.document, layout.root)
            wide = (too_wide | overflowing_words(layout.document)) if kept_words else too_wide
            if (tall, wide) == (too_tall, too_wide):
                break
            too_tall, too_wide = frozenset(tall), frozenset(wide)
        return layout

    def _layout(self, ctx: RenderContext, variant: PdfVariant, mark: bool,
                too_tall: frozenset[Unbreakable], too_wide: frozenset[int],
                images: dict[str, Any]) -> _Layout:
        weasyprint = _weasy()
        doc = ctx.doc
        css = styles.resolve_tokens(
            styles.only_font_format(styles.stylesheet(*self.layers(ctx, variant)), "truetype")
            + fonts.stylesheet(doc, "truetype"),
            self.running_tokens(ctx))
        fetcher = weasyprint.ConfinedFetcher(allowed_roots(doc.source_dir))
        html = weasyprint.HTML(string=self.document_html(ctx, mark=mark, too_tall=too_tall,
                                                         too_wide=too_wide, variant=variant),
                               base_url=str(doc.source_dir) + "/", url_fetcher=fetcher)
        stylesheet = weasyprint.CSS(string=css, base_url=str(styles.STYLES_DIR) + "/",
                                    url_fetcher=fetcher, font_config=weasyprint.FONT_CONFIG)
        document = html.render(stylesheets=[stylesheet], font_config=weasyprint.FONT_CONFIG,
                               cache=images,
                               pdf_variant=variant.pdf_variant, pdf_identifier=True)
        return _Layout(document, html.etree_element)

    def write(self, ctx: RenderContext, variant: PdfVariant, layout: _Layout) -> bytes:
        """The PDF of a laid-out edition, with the PDF/UA repairs of ``pdf_tags``."""
        pdf = layout.document.write_pdf(finisher=describe_links,
                                        pdf_variant=variant.pdf_variant,
                                        pdf_identifier=True, uncompressed_pdf=False)
        try:
            pdf = repair(pdf, continued=continued_elements(layout.document))
        except TaggingError as exc:
            raise RenderError("pdf", str(exc), ctx.doc.path,
                              ctx.doc.meta.lines.get(exc.field)) from None
        if variant.finish is None:
            return pdf
        module, function = FINISHES[variant.finish].split(":")
        return getattr(importlib.import_module(module), function)(pdf, ctx)

    @contextmanager
    def _errors(self, ctx: RenderContext) -> Iterator[None]:
        """Turn a refused file and WeasyPrint's logged errors into one build error.

        WeasyPrint logs a missing alt or lang at ERROR and carries on; here they stop
        the build. ``Refused`` is a BaseException, so it is caught by name.
        """
        weasyprint = _weasy()
        decorative = frozenset(
            f'Image "{path.as_uri()}" has no required alt description'
            for img, path, _mime in resolve_images(ctx.doc, ctx.doc.body_copy())
            if "decorative" in (img.get("class") or "").split())
        counter = _Counter(decorative)
        logger = logging.getLogger("weasyprint")
        logger.addHandler(counter)
        try:
            yield
        except weasyprint.Refused as exc:
            raise RenderError("pdf", str(exc), ctx.doc.path) from None
        finally:
            logger.removeHandler(counter)
        if counter.messages:
            raise RenderError("pdf", "; ".join(dict.fromkeys(counter.messages)),
                              ctx.doc.path)


def _css_string(text: str) -> str:
    """A CSS string literal: quotes, backslashes and line breaks escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
    return f'"{escaped}"'
