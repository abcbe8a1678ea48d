"""The EPUB 3 e-book: our own XHTML and navigation, packaged by EbookLib.

EbookLib writes the package document, the NCX and the zip. Content documents
and the navigation document are ``EpubItem``s we serialise ourselves, because
``EpubHtml`` re-parses its content as HTML and drops what we need on
``<html>``/``<body>``. The package gets ``xml:lang`` in a last pass over the
zip, which also makes it byte-identical for the same source (fixed entry dates,
``mimetype`` first and stored).

The page list names the pages of the printed leaflet (``guide.pdf``): the PDF
layout says which block starts each page (``PAGE_STARTS_FACT``) and a
page-break marker is put exactly there, so "page 3 of the leaflet" is one
jump away in a reading system.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from ebooklib import epub
from lxml import etree
from lxml.html import HtmlElement

from publish import styles
from publish.model import HEADING_TAGS as HEADINGS
from publish.model import Document
from publish.render import PAGE_STARTS_FACT
from publish.render.base import RenderContext
from publish.render.bidi import apply_direction
from publish.render.common import (
    PageStart,
    add_other_formats_to_details,
    draft_banner,
    element,
    mark_decorative,
    place_at_page_starts,
    resolve_images,
    toc_list,
)
from publish.render.words import mark_keep_words

CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
XHTML_NS = "http://www.w3.org/1999/xhtml"
OPS_NS = "http://www.idpf.org/2007/ops"
EPUB_TYPE = f"{{{OPS_NS}}}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CSS_FILE = "style/guide.css"
NAV_FILE = "nav.xhtml"


NOTE_SEMANTICS: dict[str, str] = {"doc-noteref": "noteref", "doc-backlink": "backlink"}
"""ARIA role the model already sets → the matching ``epub:type`` for reading systems."""


@dataclass(frozen=True)
class Part:
    """One content document: its file, its ``<title>`` and its top-level nodes."""

    file_name: str
    title: str
    nodes: list[HtmlElement]


class EpubRenderer:
    """Renders ``guide.epub``."""

    name: ClassVar[str] = "epub"

    def render(self, ctx: RenderContext) -> dict[str, bytes]:
        return {f"{ctx.stem}.epub": self.package(ctx)}

    def package(self, ctx: RenderContext) -> bytes:
        doc = ctx.doc
        meta = doc.meta
        body = doc.body_copy()
        # First, while block indexes still match the PDF's (see PageStart).
        pages = place_page_breaks(body, ctx.facts.get(PAGE_STARTS_FACT, ()))
        add_other_formats_to_details(ctx, body, own=(f"{ctx.stem}.epub",))
        mark_decorative(body)
        mark_notes(body)

        book = epub.EpubBook()
        book.set_identifier(meta.identifier)
        book.set_title(meta.title)
        book.set_language(meta.lang)
        book.set_direction(meta.dir)
        self.describe(book, ctx, print_pages=bool(pages))
        book.add_item(epub.EpubItem(uid="style", file_name=CSS_FILE, media_type="text/css",
                                    content=epub_css().encode("utf-8")))
        self.add_images(book, doc, body)

        parts = split(body, doc)
        location = {el.get("id"): part.file_name for part in parts for node in part.nodes
                    for el in node.iter() if isinstance(el.tag, str) and el.get("id")}
        nav_nodes = self.nav_nodes(doc, body, location, pages)
        items = []
        for index, part in enumerate(parts, start=1):
            nodes = list(part.nodes)
            banner = draft_banner(doc)
            if banner is not None:
                nodes.insert(0, banner)
            for node in nodes:
                relink(node, location, part.file_name)
            items.append(epub.EpubItem(uid=f"part{index:02d}", file_name=part.file_name,
                                       media_type="application/xhtml+xml",
                                       content=xhtml_document(part.title, nodes, doc)))
        nav = epub.EpubItem(uid="nav", file_name=NAV_FILE, media_type="application/xhtml+xml",
                            content=xhtml_document(doc.labels["contents"],
                                                   nav_nodes, doc))
        nav.properties = ["nav"]
        for item in (*items, nav):
            book.add_item(item)
        # Title and key facts first (the safety messages), then the contents.
        book.spine = [items[0], nav, *items[1:]]
        book.toc = ncx_toc(doc.outline, location)
        book.add_item(epub.EpubNcx())

        buffer = io.BytesIO()
        epub.write_epub(buffer, book, {
            "epub3_pages": False,  # EbookLib's page list is wrong; ours is in nav.xhtml
            "epub3_landmark": False, "epub2_guide": False, "play_order": {"enabled": False},
            "raise_exceptions": True, "mtime": ctx.build_date,
            "spine_direction": True, "package_direction": True,
        })
        return finish_zip(buffer.getvalue(), meta.lang)

    def describe(self, book: epub.EpubBook, ctx: RenderContext, *, print_pages: bool) -> None:
        """Bibliographic and EPUB Accessibility 1.1 metadata, claiming only what exists."""
        doc = ctx.doc
        meta = doc.meta
        for person in meta.authors:
            book.add_author(person.name)
        if meta.publisher:
            book.add_metadata("DC", "publisher", meta.publisher)
        if meta.description:
            book.add_metadata("DC", "description", meta.description)
        if meta.published:
            book.add_metadata("DC", "date", meta.published.isoformat())
        for prop, value in accessibility_metadata(doc, print_pages=print_pages):
            book.add_metadata(None, "meta", value, {"property": prop})
        if print_pages:
            # Where the page numbers come from: the printed leaflet built with this e-book.
            # pageBreakSource is the W3C's newer property (EPUBCheck 5 and Ace know it);
            # dc:source refined by source-of=pagination is the EPUB 3.0 way to say the same.
            edition = f"{ctx.stem}.pdf: {meta.title}, {doc.labels['version']} {meta.version}"
            book.add_metadata("DC", "source", edition, {"id": "print-source"})
            book.add_metadata(None, "meta", "pagination",
                              {"refines": "#print-source", "property": "source-of"})
            book.add_metadata(None, "meta", edition, {"property": "pageBreakSource"})

    def add_images(self, book: epub.EpubBook, doc: Document, body: HtmlElement) -> None:
        """Copy each (confined) image once into the book and point its <img> at the copy."""
        names: dict[str, str] = {}
        for img, path, mime in resolve_images(doc, body):
            if str(path) not in names:
                names[str(path)] = f"images/{len(names) + 1:02d}{path.suffix}"
                book.add_item(epub.EpubItem(uid=f"img{len(names):02d}",
                                            file_name=names[str(path)], media_type=mime,
                                            content=path.read_bytes()))
            img.set("src", names[str(path)])

    def nav_nodes(self, doc: Document, body: HtmlElement, location: dict[str, str],
                  pages: Sequence[tuple[int, str]]) -> list[HtmlElement]:
        """Our navigation document: toc (every heading), landmarks and the page list.

        Landmarks and page list are ``hidden``: reading systems offer them in their
        own menus, and read in order they would be a list of bare numbers.
        """
        words = doc.labels
        nodes = [b for b in [draft_banner(doc)] if b is not None]
        toc = nav_element("toc", "doc-toc", words["contents"], doc.labels_lang)
        toc.append(toc_list(doc.outline, max_level=6))
        nodes.append(toc)

        landmarks = nav_element("landmarks", "navigation", words["landmarks"], doc.labels_lang,
                                hidden=True)
        marks = [("toc", f"{NAV_FILE}#toc", words["contents"])]
        if doc.outline:
            marks.append(("bodymatter", f"#{doc.outline[0].id}", doc.meta.title))
        notes = next((s for s in body.iter("section") if s.get(EPUB_TYPE) == "endnotes"), None)
        if notes is not None and notes.get("aria-labelledby"):
            heading = next(notes.iterchildren(*HEADINGS))
            marks.append(("endnotes", f"#{notes.get('aria-labelledby')}",
                          heading.text_content().strip()))
        landmarks.append(link_list(marks))
        nodes.append(landmarks)

        if pages:
            page_list = nav_element("page-list", "doc-pagelist", words["print_pages"],
                                    doc.labels_lang, hidden=True)
            page_list.append(link_list([(None, f"#{marker}", str(page))
                                        for page, marker in pages]))
            nodes.append(page_list)
        for node in nodes:
            relink(node, location, NAV_FILE)
        return nodes


def accessibility_metadata(doc: Document, *, print_pages: bool) -> list[tuple[str, str]]:
    """EPUB Accessibility 1.1 properties and values: only features this book really has."""
    has_images = any(not i.decorative for i in doc.images)
    features = ["structuralNavigation", "tableOfContents", "readingOrder",
                "displayTransformability"]
    if has_images:
        features.append("alternativeText")
    if print_pages:
        features += ["pageBreakMarkers", "pageNavigation"]
    return [
        ("schema:accessMode", "textual"),
        *([("schema:accessMode", "visual")] if has_images else []),
        ("schema:accessModeSufficient", "textual"),
        *(("schema:accessibilityFeature", f) for f in features),
        ("schema:accessibilityHazard", "none"),
        ("schema:accessibilitySummary", doc.accessibility_summary),
        ("dcterms:conformsTo", CONFORMS_TO),
    ]


def place_page_breaks(body: HtmlElement, starts: Iterable[PageStart]) -> list[tuple[int, str]]:
    """Put a page-break marker where each printed page starts; return (page, marker id)."""
    taken = {el.get("id") for el in body.iter() if isinstance(el.tag, str) and el.get("id")}
    placed: list[tuple[int, str]] = []

    def marker(start: PageStart) -> HtmlElement:
        marker_id = unique_id(f"page-{start.page}", taken)
        span = element("span", role="doc-pagebreak", id=marker_id, aria_label=str(start.page))
        span.set(EPUB_TYPE, "pagebreak")
        placed.append((start.page, marker_id))
        return span

    place_at_page_starts(body, starts, marker)
    return placed


def unique_id(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3`` … if a heading already uses it."""
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate)
    return candidate


def mark_notes(body: HtmlElement) -> None:
    """``epub:type`` for citations, back links and the generated source list.

    The model already has the ARIA roles; reading systems that pop up notes look
    for ``epub:type``. The source list becomes the book's endnotes.
    """
    for a in body.iter("a"):
        kind = NOTE_SEMANTICS.get(a.get("role", ""))
        if kind:
            a.set(EPUB_TYPE, kind)
    for section in body.iter("section"):
        if "sources" in (section.get("class") or "").split():
            section.set(EPUB_TYPE, "endnotes")
            section.set("role", "doc-endnotes")


def split(body: HtmlElement, doc: Document) -> list[Part]:
    """One content document per top-level section; the title, intro and first section
    (the key facts) share the first, so the safety messages open the book."""
    groups: list[list[HtmlElement]] = [[]]
    for child in body:
        if child.tag == "section" and any(n.tag == "section" for n in groups[-1]):
            groups.append([])
        groups[-1].append(child)
    parts = []
    for index, nodes in enumerate(groups, start=1):
        heading = next(nodes[0].iterchildren(*HEADINGS), None)
        title = heading.text_content().strip() if index > 1 and heading is not None \
            else doc.meta.title
        parts.append(Part(f"part{index:02d}.xhtml", title, nodes))
    return parts


def relink(node: HtmlElement, location: dict[str, str], here: str) -> None:
    """Point in-book ``#id`` links at the content document that now holds the target."""
    for a in node.iter("a"):
        href = a.get("href", "")
        if href.startswith("#") and location.get(href[1:], here) != here:
            a.set("href", f"{location[href[1:]]}{href}")


def nav_element(kind: str, role: str, label: str, label_lang: str = "", *,
                hidden: bool = False) -> HtmlElement:
    """A ``<nav>`` with its ``epub:type``, ARIA role and a heading that labels it
    (marked ``label_lang`` when the pipeline's words are not in the book's language)."""
    nav = element("nav", id=kind, role=role, aria_labelledby=f"{kind}-title")
    nav.set(EPUB_TYPE, kind)
    if hidden:
        nav.set("hidden", "hidden")
    heading = element("h2", label, id=f"{kind}-title")
    if label_lang:
        heading.set("lang", label_lang)
    nav.append(heading)
    return nav


def link_list(entries: Iterable[tuple[str | None, str, str]]) -> HtmlElement:
    """An ``<ol>`` of links from (epub:type or None, href, text)."""
    ol = element("ol")
    for kind, href, text in entries:
        a = element("a", text, href=href)
        if kind:
            a.set(EPUB_TYPE, kind)
        li = element("li")
        li.append(a)
        ol.append(li)
    return ol


def ncx_toc(headings: Sequence, location: dict[str, str]) -> list:
    """The same outline for the EPUB 2 NCX (ids prefixed: NCX ids cannot start with a digit)."""
    toc: list = []
    for h in headings:
        link = epub.Link(f"{location.get(h.id, 'part01.xhtml')}#{h.id}", h.text, f"ncx-{h.id}")
        toc.append((epub.Section(h.text, link.href), ncx_toc(h.children, location))
                   if h.children else link)
    return toc


def xhtml_document(title: str, nodes: Iterable[HtmlElement], doc: Document) -> bytes:
    """A complete XHTML content document with ``lang``, ``xml:lang`` and ``dir``."""
    html = etree.Element(f"{{{XHTML_NS}}}html", nsmap={None: XHTML_NS, "epub": OPS_NS})
    html.set("lang", doc.meta.lang)
    html.set(XML_LANG, doc.meta.lang)
    html.set("dir", doc.meta.dir)
    head = etree.SubElement(html, f"{{{XHTML_NS}}}head")
    etree.SubElement(head, f"{{{XHTML_NS}}}meta", charset="utf-8")
    etree.SubElement(head, f"{{{XHTML_NS}}}title").text = title
    etree.SubElement(head, f"{{{XHTML_NS}}}link", rel="stylesheet", type="text/css",
                     href=CSS_FILE)
    body = etree.SubElement(html, f"{{{XHTML_NS}}}body")
    for node in nodes:
        body.append(apply_direction(node, doc.meta.dir))
    mark_keep_words(html, doc)
    for el in body.iter():
        if isinstance(el.tag, str) and not el.tag.startswith("{"):
            el.tag = f"{{{XHTML_NS}}}{el.tag}"
        if isinstance(el.tag, str) and el.get("lang"):
            el.set(XML_LANG, el.get("lang"))  # XHTML: both, the same (EPUB 3.3)
    return etree.tostring(html, xml_declaration=True, encoding="utf-8",
                          doctype="<!DOCTYPE html>")


def epub_css() -> str:
    """The EPUB layer with tokens resolved to plain values (not every reading system
    supports ``var()``); no font files, since readers choose their own typeface."""
    return styles.resolve_tokens(styles.read_layer("epub.css"))


def finish_zip(data: bytes, lang: str) -> bytes:
    """Rewrite EbookLib's zip: ``xml:lang`` on the package, fixed entry dates,
    ``mimetype`` first and stored."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in sorted(source.namelist(), key=lambda n: (n != "mimetype", n)):
            content = source.read(name)
            if name.endswith(".opf"):
                content = with_package_lang(content, lang)
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" \
                else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            target.writestr(info, content)
    return out.getvalue()


def with_package_lang(opf: bytes, lang: str) -> bytes:
    """EbookLib writes no ``xml:lang`` on ``<package>``; EPUB 3.3 and Ace want it."""
    root = etree.fromstring(opf)
    root.set(XML_LANG, lang)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")
