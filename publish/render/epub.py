"""The EPUB 3 e-book, through EbookLib, with our own navigation document.

One content document per top-level section; accessibility metadata for
EPUB Accessibility 1.1; a byte-identical zip for the same source (stable
identifier, modified date from the guide, fixed zip entry dates).
"""

from __future__ import annotations

import io
import zipfile
from typing import ClassVar

from ebooklib import epub
from lxml.html import HtmlElement

from publish import styles
from publish.labels import labels_for
from publish.model import Document, Heading
from publish.render.base import RenderContext
from publish.render.common import (
    draft_banner,
    element,
    mark_decorative,
    resolve_images,
    to_xhtml,
)

CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class EpubRenderer:
    """Renders ``guide.epub``."""

    name: ClassVar[str] = "epub"

    def render(self, ctx: RenderContext) -> dict[str, bytes]:
        return {f"{ctx.stem}.epub": self.package(ctx)}

    def package(self, ctx: RenderContext) -> bytes:
        doc = ctx.doc
        meta = doc.meta
        words = labels_for(meta.lang)
        book = epub.EpubBook()
        book.set_identifier(meta.identifier)
        book.set_title(meta.title)
        book.set_language(meta.lang)
        book.set_direction(meta.dir)
        for person in meta.authors:
            book.add_author(person.name)
        if meta.publisher:
            book.add_metadata("DC", "publisher", meta.publisher)
        if meta.description:
            book.add_metadata("DC", "description", meta.description)
        self.accessibility_metadata(book, doc)

        css = epub.EpubItem(uid="style", file_name="style/guide.css", media_type="text/css",
                            content=styles.resolve_tokens(styles.stylesheet("epub.css")
                                                          .replace(styles.read_layer(
                                                              "fonts.css"), "")).encode())
        book.add_item(css)

        body = doc.body_copy()
        images: dict[str, str] = {}
        for img, path, mime in resolve_images(doc, body):
            name = images.setdefault(str(path), f"images/{len(images) + 1:02d}{path.suffix}")
            if name not in {i.file_name for i in book.get_items()}:
                book.add_item(epub.EpubItem(uid=f"img{len(images):02d}", file_name=name,
                                            media_type=mime, content=path.read_bytes()))
            img.set("src", name)
        mark_decorative(body)

        chapters = self.split(body, doc)
        location: dict[str, str] = {}
        items = []
        for index, (title, nodes) in enumerate(chapters, start=1):
            file_name = f"part{index:02d}.xhtml"
            container = element("div")
            if index == 1:
                banner = draft_banner(doc)
                if banner is not None:
                    container.append(banner)
            for node in nodes:
                container.append(node)
            for el in container.iter():
                if isinstance(el.tag, str) and el.get("id"):
                    location[el.get("id")] = file_name
            item = epub.EpubHtml(uid=f"part{index:02d}", title=title, file_name=file_name,
                                 lang=meta.lang, direction=meta.dir)
            item.add_item(css)
            items.append((item, container))
        for item, container in items:
            self.relink(container, location, item.file_name)
            item.content = "<html><body>" + "".join(
                to_xhtml(child) for child in container) + "</body></html>"
            book.add_item(item)

        nav = epub.EpubHtml(uid="nav", title=words["contents"], file_name="nav.xhtml",
                            lang=meta.lang, direction=meta.dir)
        nav.properties.append("nav")
        nav.add_item(css)
        nav.content = self.nav_document(doc, location, items[0][0].file_name)
        book.add_item(nav)
        book.spine = [item for item, _ in items[:1]] + [nav] + [i for i, _ in items[1:]]
        book.toc = self.ncx_toc(doc.outline, location, items[0][0].file_name)
        book.add_item(epub.EpubNcx())

        buffer = io.BytesIO()
        epub.write_epub(buffer, book, {
            "epub3_pages": False, "epub3_landmark": False, "play_order": {"enabled": False},
            "raise_exceptions": True, "mtime": ctx.build_date, "spine_direction": False,
        })
        return _stable_zip(buffer.getvalue())

    def accessibility_metadata(self, book: epub.EpubBook, doc: Document) -> None:
        """EPUB Accessibility 1.1 metadata, claiming only what the book has."""
        meta = doc.meta
        has_images = any(not i.decorative for i in doc.images)
        modes = ["textual", *(["visual"] if has_images else [])]
        features = ["structuralNavigation", "tableOfContents", "readingOrder",
                    "displayTransformability"]
        if has_images:
            features.append("alternativeText")
        if doc.tables:
            features.append("table")
        entries = [("schema:accessMode", m) for m in modes]
        entries += [("schema:accessModeSufficient", "textual")]
        entries += [("schema:accessibilityFeature", f) for f in features]
        entries += [("schema:accessibilityHazard", "none"),
                    ("schema:accessibilitySummary", meta.accessibility_summary)]
        for prop, value in entries:
            book.add_metadata(None, "meta", value, {"property": prop})
        book.add_metadata(None, "meta", CONFORMS_TO, {"property": "dcterms:conformsTo"})

    def split(self, body: HtmlElement, doc: Document) -> list[tuple[str, list[HtmlElement]]]:
        """One chapter per top-level section; the title and intro go with the first."""
        chapters: list[tuple[str, list[HtmlElement]]] = []
        current: list[HtmlElement] = []
        title = doc.meta.title
        for child in list(body):
            if child.tag == "section" and current and any(
                    c.tag == "section" for c in current):
                chapters.append((title, current))
                current = []
            if child.tag == "section":
                heading = child.find("./*")
                title = heading.text_content().strip() if heading is not None else title
            current.append(child)
        if current:
            chapters.append((title if chapters else doc.meta.title, current))
        return chapters

    def ncx_toc(self, headings: list[Heading], location: dict[str, str],
                first: str) -> list:
        """The same outline for the EPUB 2 NCX (ids prefixed: NCX ids cannot start with a digit)."""
        toc: list = []
        for h in headings:
            link = epub.Link(f"{location.get(h.id, first)}#{h.id}", h.text, f"ncx-{h.id}")
            toc.append((epub.Section(h.text, link.href), self.ncx_toc(h.children, location,
                                                                      first))
                       if h.children else link)
        return toc

    def relink(self, container: HtmlElement, location: dict[str, str], here: str) -> None:
        """Point in-book links at the content document that now holds their target."""
        for a in container.iter("a"):
            href = a.get("href", "")
            if href.startswith("#") and location.get(href[1:], here) != here:
                a.set("href", f"{location[href[1:]]}{href}")

    def nav_document(self, doc: Document, location: dict[str, str], first: str) -> str:
        """Our own nav: a nested toc of every heading and the landmarks."""
        words = labels_for(doc.meta.lang)

        def entries(headings: list[Heading]) -> str:
            out = "<ol>"
            for h in headings:
                target = location.get(h.id, first)
                out += f'<li><a href="{target}#{h.id}">{_escape(h.text)}</a>'
                if h.children:
                    out += entries(h.children)
                out += "</li>"
            return out + "</ol>"

        first_section = next((h for h in doc.headings if h.level == 2), None)
        body_target = f"{location.get(first_section.id, first)}#{first_section.id}" \
            if first_section else first
        return (
            "<html><body>"
            f'<nav epub:type="toc" role="doc-toc" id="toc" aria-labelledby="toc-title">'
            f'<h2 id="toc-title">{_escape(words["contents"])}</h2>'
            f"{entries(doc.outline)}</nav>"
            f'<nav epub:type="landmarks" id="landmarks" aria-labelledby="landmarks-title" '
            f'hidden="hidden"><h2 id="landmarks-title">{_escape(words["landmarks"])}</h2><ol>'
            f'<li><a epub:type="toc" href="nav.xhtml#toc">{_escape(words["contents"])}</a></li>'
            f'<li><a epub:type="bodymatter" href="{body_target}">'
            f'{_escape(doc.meta.title)}</a></li>'
            "</ol></nav></body></html>"
        )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _stable_zip(data: bytes) -> bytes:
    """Rewrite the zip with fixed entry dates; ``mimetype`` first and stored."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        names = sorted(source.namelist(), key=lambda n: (n != "mimetype", n))
        for name in names:
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" \
                else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            target.writestr(info, source.read(name))
    return out.getvalue()
