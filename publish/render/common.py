"""Building blocks several renderers share (not a renderer itself).

Each renderer still decides its own document shape; these helpers keep the
draft marking, image resolution and serialisation the same everywhere.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement

from publish.errors import RenderError
from publish.labels import labels_for
from publish.model import Document, Heading
from publish.resources import ResourceRefused, allowed_roots, confined_path, image_type

BLOCK_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "dt", "dd", "table", "tr",
              "pre", "blockquote", "figure", "img")
"""Elements a printed page can start at, in document order (see ``block_elements``)."""



@dataclass(frozen=True)
class PageStart:
    """Where a page of the standard printed PDF begins, in terms of the shared body.

    ``block`` indexes ``block_elements(doc.body_copy())``; ``text_offset`` is how many
    characters of that block's text were printed on earlier pages (0: the page starts
    with the block itself). The EPUB uses this to place its page-break markers.
    """

    page: int
    block: int
    text_offset: int = 0


def block_elements(body: HtmlElement) -> list[HtmlElement]:
    """Block elements in document order; both the PDF and EPUB index into this list."""
    return list(body.iter(*BLOCK_TAGS))


def element(tag: str, text: str = "", **attrs: str) -> HtmlElement:
    """A new element; ``aria_label='x'`` becomes ``aria-label="x"``, ``cls`` → class."""
    names = {"cls": "class", "for_": "for"}
    el = lxml_html.Element(tag, {names.get(k, k.replace("_", "-")): v
                                 for k, v in attrs.items()})
    el.text = text or None
    return el


def draft_banner(doc: Document, tag: str = "p") -> HtmlElement | None:
    """The visible 'Draft — not for clinical use' marking, or None when approved."""
    if not doc.meta.is_draft:
        return None
    words = labels_for(doc.meta.lang)
    banner = element(tag, cls="draft-banner")
    strong = element("strong", words["draft_banner"])
    strong.tail = f". {words['draft_explainer']}"
    banner.append(strong)
    return banner


def resolve_images(doc: Document, body: HtmlElement) -> Iterator[tuple[HtmlElement, Path, str]]:
    """Each <img> with the confined real file it names and its media type."""
    roots = allowed_roots(doc.source_dir)
    for img in body.iter("img"):
        src = img.get("src", "")
        try:
            path = confined_path(src, doc.source_dir, roots)
            mime = image_type(path)
        except ResourceRefused as exc:
            line = next((i.line for i in doc.images if i.src == src), None)
            raise RenderError("image", str(exc), doc.path, line) from None
        yield img, path, mime


def data_uri(path: Path, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def mark_decorative(body: HtmlElement) -> None:
    """Decorative images: empty alt and presentation role, so AT skips them."""
    for img in body.iter("img"):
        if "decorative" in (img.get("class") or "").split():
            img.set("alt", "")
            img.set("role", "presentation")


def wrap_tables(body: HtmlElement, label_prefix: str = "") -> None:
    """Put each table in a focusable, labelled scroll region (reflow at 320 px)."""
    for table in list(body.iter("table")):
        caption = table.find("caption")
        label = caption.text_content().strip() if caption is not None else "Table"
        wrapper = element("div", cls=f"{label_prefix}table-wrap", role="region",
                          tabindex="0", aria_label=label)
        table.addprevious(wrapper)
        wrapper.append(table)


def toc_list(headings: list[Heading], href: str = "#{id}", max_level: int = 3,
             cls: str = "") -> HtmlElement:
    """A nested <ol> of links for headings below the title, up to ``max_level``."""
    root = element("ol", cls=cls) if cls else element("ol")
    for heading in headings:
        if heading.level > max_level:
            continue
        li = element("li")
        li.append(element("a", heading.text, href=href.format(id=heading.id)))
        children = [h for h in heading.children if h.level <= max_level]
        if children:
            li.append(toc_list(children, href, max_level))
        root.append(li)
    return root


def to_html(el: HtmlElement) -> str:
    return lxml_html.tostring(el, encoding="unicode")


def to_xhtml(el: HtmlElement) -> str:
    return etree.tostring(el, encoding="unicode", method="xml")
