"""The PDF leaflets, through WeasyPrint with the PDF/UA-1 variant.

Variants (standard, large print, …) are rows of ``VARIANTS``: a file name and
the stylesheet layers that change tokens; the renderer code is the same.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from publish import styles
from publish.errors import RenderError
from publish.labels import labels_for
from publish.render.base import RenderContext
from publish.render.common import draft_banner, element, mark_decorative, resolve_images, to_html
from publish.resources import ResourceRefused, allowed_roots, confined_path


@dataclass(frozen=True)
class PdfVariant:
    """One PDF edition: its file name suffix, its extra stylesheet layers, its PDF flavour."""

    suffix: str
    layers: tuple[str, ...]
    pdf_variant: str = "pdf/ua-1"


VARIANTS: dict[str, PdfVariant] = {
    "standard": PdfVariant(".pdf", ("print.css",)),
    "large-print": PdfVariant("-large-print.pdf", ("print.css", "print-large.css")),
}


class _Counter(logging.Handler):
    """Collects WeasyPrint's ERROR records (missing alt, missing lang) to fail the build."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@lru_cache(maxsize=1)
def _weasy() -> Any:
    """Import WeasyPrint once, only when a PDF is built."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class Refused(FatalURLFetchingError):
        """Stops rendering at the first reference outside the allowed folders."""

    class ConfinedFetcher(URLFetcher):
        """Serves data: URLs and files inside the allowed folders; nothing else."""

        def __init__(self, roots: tuple[Path, ...]) -> None:
            super().__init__(allowed_protocols={"data", "file"})
            self.roots = roots

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            try:
                path = confined_path(url, self.roots[0], self.roots)
            except ResourceRefused as exc:
                raise Refused(str(exc)) from None
            return super().fetch(path.as_uri(), headers)

    weasyprint.ConfinedFetcher = ConfinedFetcher  # type: ignore[attr-defined]
    weasyprint.Refused = Refused  # type: ignore[attr-defined]
    weasyprint.FONT_CONFIG = FontConfiguration()  # type: ignore[attr-defined]
    return weasyprint


class PdfRenderer:
    """Renders one PDF per selected variant."""

    name: ClassVar[str] = "pdf"

    def render(self, ctx: RenderContext) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        for name in ctx.options.pdf_variants:
            variant = VARIANTS[name]
            files[f"{ctx.stem}{variant.suffix}"] = self.render_variant(ctx, variant)
        return files

    def layout_facts(self, ctx: RenderContext) -> dict[str, Any]:
        """Facts other outputs need from the PDF layout, without writing a PDF.

        Sets ``PAGE_STARTS_FACT`` (see ``publish.render.common.PageStart``).
        Not yet implemented: returns no page starts.
        """
        return {}

    def document_html(self, ctx: RenderContext) -> str:
        """The print document: metadata for WeasyPrint, draft marking, the body."""
        doc = ctx.doc
        meta = doc.meta
        body = doc.body_copy()
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
        return "<!DOCTYPE html>\n" + to_html(html)

    def running_css(self, ctx: RenderContext) -> str:
        """Footer (title, version, 'Page N of M') and the draft mark on every page."""
        meta = ctx.doc.meta
        words = labels_for(meta.lang)
        before, _, after = words["page_of"].partition("{page}")
        middle, _, end = after.partition("{pages}")
        footer = f"{meta.title} · {words['version']} {meta.version}"
        css = (f"@page {{ @bottom-left {{ content: {_css_string(footer)}; }}\n"
               f"  @bottom-right {{ content: {_css_string(before)} counter(page) "
               f"{_css_string(middle)} counter(pages) {_css_string(end)}; }} }}\n")
        if meta.is_draft:
            css += f"@page {{ @top-center {{ content: {_css_string(words['draft_banner'])}; }} }}\n"
        return css

    def render_variant(self, ctx: RenderContext, variant: PdfVariant) -> bytes:
        weasyprint = _weasy()
        doc = ctx.doc
        css = styles.resolve_tokens(
            styles.only_font_format(styles.stylesheet(*variant.layers), "truetype")
            + self.running_css(ctx))
        roots = allowed_roots(doc.source_dir)
        fetcher = weasyprint.ConfinedFetcher(roots)
        counter = _Counter()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(counter)
        try:
            html = weasyprint.HTML(string=self.document_html(ctx),
                                   base_url=str(doc.source_dir) + "/", url_fetcher=fetcher)
            stylesheet = weasyprint.CSS(string=css, base_url=str(styles.STYLES_DIR) + "/",
                                        url_fetcher=fetcher,
                                        font_config=weasyprint.FONT_CONFIG)
            pdf = html.write_pdf(stylesheets=[stylesheet], font_config=weasyprint.FONT_CONFIG,
                                 pdf_variant=variant.pdf_variant, pdf_identifier=True,
                                 uncompressed_pdf=False)
        except weasyprint.Refused as exc:
            raise RenderError("pdf", str(exc), doc.path) from None
        finally:
            logger.removeHandler(counter)
        if counter.messages:
            raise RenderError("pdf", "; ".join(dict.fromkeys(counter.messages)), doc.path)
        return pdf


def _css_string(text: str) -> str:
    """A CSS string literal: quotes, backslashes and line breaks escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
    return f'"{escaped}"'
