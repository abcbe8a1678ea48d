"""The standalone, accessible HTML page (``guide.html``).

One self-contained file: CSS, fonts and images inlined, no script, and a
Content-Security-Policy that forbids loading anything from anywhere.
"""

from __future__ import annotations

from typing import ClassVar

from lxml.html import HtmlElement

from publish import styles
from publish.labels import labels_for
from publish.render.base import RenderContext
from publish.render.common import (
    data_uri,
    draft_banner,
    element,
    mark_decorative,
    resolve_images,
    to_html,
    toc_list,
    wrap_tables,
)

PAGE_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
            "base-uri 'none'; form-action 'none'")


class HtmlRenderer:
    """Renders ``guide.html``."""

    name: ClassVar[str] = "html"

    def render(self, ctx: RenderContext) -> dict[str, bytes]:
        return {f"{ctx.stem}.html": self.page(ctx).encode("utf-8")}

    def page(self, ctx: RenderContext) -> str:
        doc = ctx.doc
        meta = doc.meta
        words = labels_for(meta.lang)
        body = doc.body_copy()
        for img, path, mime in resolve_images(doc, body):
            img.set("src", data_uri(path, mime))
        mark_decorative(body)
        wrap_tables(body)

        html = element("html", lang=meta.lang, dir=meta.dir)
        head = element("head")
        html.append(head)
        head.append(element("meta", charset="utf-8"))
        head.append(element("meta", name="viewport", content="width=device-width, "
                            "initial-scale=1"))
        head.append(element("meta", http_equiv="Content-Security-Policy", content=PAGE_CSP))
        head.append(element("title", meta.title))
        if meta.description:
            head.append(element("meta", name="description", content=meta.description))
        head.append(element("meta", name="dcterms.modified",
                            content=ctx.build_date.date().isoformat()))
        css = styles.inline_fonts(styles.only_font_format(styles.stylesheet("html.css"),
                                                          "woff2"))
        head.append(element("style", css))

        page = element("body")
        html.append(page)
        page.append(element("a", words["skip_to_content"], href="#main", cls="skip-link"))
        header = element("header", cls="page-header")
        banner = draft_banner(doc)
        if banner is not None:
            header.append(banner)
        if meta.publisher:
            header.append(element("p", meta.publisher, cls="publisher"))
        page.append(header)

        nav = element("nav", cls="toc", aria_labelledby="toc-title")
        nav.append(element("p", words["contents"], id="toc-title", cls="toc-title"))
        title_children = doc.outline[0].children if doc.outline and \
            doc.outline[0].level == 1 else doc.outline
        nav.append(toc_list(title_children))
        page.append(nav)

        main = element("main", id="main", tabindex="-1")
        main.text = body.text
        for child in list(body):
            main.append(child)
        page.append(main)
        page.append(self.footer(ctx))
        return "<!DOCTYPE html>\n" + to_html(html) + "\n"

    def footer(self, ctx: RenderContext) -> HtmlElement:
        meta = ctx.doc.meta
        words = labels_for(meta.lang)
        footer = element("footer", cls="page-footer")
        parts = [f"{words['version']} {meta.version}"]
        if meta.last_reviewed:
            parts.append(f"{words['last_reviewed']}: {meta.last_reviewed.isoformat()}")
        if meta.next_review:
            parts.append(f"{words['next_review']}: {meta.next_review.isoformat()}")
        footer.append(element("p", " · ".join(parts)))
        return footer
