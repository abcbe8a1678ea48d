"""Building blocks several renderers share (not a renderer itself).

Each renderer still decides its own document shape; these helpers keep the
draft marking, image resolution and serialisation the same everywhere.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement

from publish.errors import RenderError
from publish.model import HEADING_TAGS, Document, Heading
from publish.resources import ResourceRefused, allowed_roots, confined_path, image_type

if TYPE_CHECKING:
    from publish.render.base import RenderContext

BLOCK_TAGS = (*HEADING_TAGS, "p", "li", "dt", "dd", "table", "tr",
              "pre", "blockquote", "figure", "img")
"""Elements a printed page can start at, in document order (see ``block_elements``)."""

NO_TEXT_INSIDE = frozenset({"ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr",
                            "colgroup"})
"""Elements whose own text slots are not phrasing content: no marker may go there."""


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


def place_at_page_starts(body: HtmlElement, starts: Iterable[PageStart],
                         marker: Callable[[PageStart], HtmlElement]) -> None:
    """Put ``marker(start)`` where each printed page starts (call before other changes,
    while block indexes still match the PDF's).

    A page that starts with a block gets its marker just before it; one that starts
    inside a block (``text_offset`` > 0) gets it at that character, splitting the
    text. Blocks whose parent takes no text (list items, rows) get it as their
    first content instead.
    """
    blocks = block_elements(body)
    for start in starts:
        mark = marker(start)
        block = blocks[start.block]
        parent = block.getparent()
        if start.text_offset == 0 and block.tag not in NO_TEXT_INSIDE and \
                parent is not None and parent.tag not in NO_TEXT_INSIDE:
            mark.tail = None
            block.addprevious(mark)
        else:
            insert_at_character(block, start.text_offset, mark)


def insert_at_character(block: HtmlElement, offset: int, marker: HtmlElement) -> None:
    """Insert ``marker`` before character ``offset`` of ``block.text_content()``.

    Walks the text slots in reading order (an element's text, then its children,
    then its tail) and splits the one holding that character, so the marker never
    lands in an empty slot such as an image's. Slots inside elements that take no
    text (white space between rows or list items) are skipped to the next slot
    that does. An offset past the end puts the marker after the last character.
    """
    remaining = offset
    last: tuple[HtmlElement, str] | None = None
    for event, el in etree.iterwalk(block, events=("start", "end")):
        if event == "end" and el is block:
            break
        slot = "text" if event == "start" and isinstance(el.tag, str) else "tail"
        if event == "start" and slot == "tail":
            continue  # comments and processing instructions: only their tail is text
        container = el if slot == "text" else el.getparent()
        chunk = getattr(el, slot) or ""
        if container.tag in NO_TEXT_INSIDE:
            remaining = max(remaining - len(chunk), 0)
            continue
        if chunk and remaining < len(chunk):
            split_slot(el, slot, remaining, marker)
            return
        remaining -= len(chunk)
        if chunk:
            last = (el, slot)
    if last is None:
        block.append(marker)  # a block without any text
    else:
        el, slot = last
        split_slot(el, slot, len(getattr(el, slot) or ""), marker)


def split_slot(el: HtmlElement, slot: str, at: int, marker: HtmlElement) -> None:
    """Split ``el.text`` or ``el.tail`` at ``at`` and put ``marker`` in between."""
    chunk = getattr(el, slot) or ""
    setattr(el, slot, chunk[:at] or None)
    marker.tail = chunk[at:] or None
    if slot == "text":
        el.insert(0, marker)
    else:
        el.addnext(marker)


def element(tag: str, text: str = "", **attrs: str) -> HtmlElement:
    """A new element; ``aria_label='x'`` becomes ``aria-label="x"``, ``cls`` → class."""
    names = {"cls": "class", "for_": "for"}
    el = lxml_html.Element(tag, {names.get(k, k.replace("_", "-")): v
                                 for k, v in attrs.items()})
    el.text = text or None
    return el


def draft_explainer(doc: Document) -> str:
    """What the draft marking says after its headline: not yet approved, and for a
    translation nobody has checked yet, that too (in the translation's language)."""
    words = doc.labels
    parts = [words["draft_explainer"]]
    if doc.meta.is_translation and not doc.meta.translation_reviewers:
        parts.append(words["translation_unreviewed"])
    return words.sentences(*parts)


def draft_banner(doc: Document, tag: str = "p") -> HtmlElement | None:
    """The visible 'Draft — not for clinical use' marking, or None when approved.

    An approved guide never needs it: an approved translation must have its
    translation review (``translation-review``), so it has nothing more to say.
    """
    if not doc.meta.is_draft:
        return None
    words = doc.labels
    banner = labelled(doc, element(tag, cls="draft-banner"))
    strong = element("strong", words["draft_banner"])
    strong.tail = words.text.full_stop + words.text.sentence_space + draft_explainer(doc)
    banner.append(strong)
    return banner


def labelled(doc: Document, el: HtmlElement) -> HtmlElement:
    """Mark an element that holds the pipeline's words with their language when it is
    not the guide's (a guide that brings, say, an English table): WCAG 3.1.2."""
    if doc.labels_lang:
        el.set("lang", doc.labels_lang)
    return el


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


def wrap_tables(body: HtmlElement, fallback: str, label_prefix: str = "") -> None:
    """Put each table in a focusable, labelled scroll region (reflow at 320 px); a table
    without a caption is labelled ``fallback`` (the label table's word for "Table")."""
    for table in list(body.iter("table")):
        caption = table.find("caption")
        label = caption.text_content().strip() if caption is not None else fallback
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


@dataclass(frozen=True)
class Elsewhere:
    """One thing "Other formats" lists: another file of the guide or another language."""

    text: str
    file: str
    media_type: str = ""
    lang: str = ""
    """Set for another language: the language its text is in."""


def elsewhere(ctx: RenderContext, own: Iterable[str]) -> tuple[list[Elsewhere],
                                                               list[Elsewhere]]:
    """The other files of the guide (``publish.offers.for_output``, without ``own``) and
    its other languages (``Document.languages``, each by its title, in its language)."""
    from publish.offers import caption, for_output

    files = [Elsewhere(caption(o, ctx.doc.labels), o.file, o.kind.media_type)
             for o in for_output(ctx, own)]
    languages = [Elsewhere(v.title, f"{v.stem}.html", "text/html", v.lang)
                 for v in ctx.doc.languages if v.stem != ctx.stem]
    return files, languages


def other_formats_nav(ctx: RenderContext, *, own: Iterable[str] = (),
                      base_url: str = "") -> HtmlElement | None:
    """The screen outputs' "Other formats": a navigation list like the contents, with a
    link to each file (relative to the page, or under ``base_url``); None when there is
    nothing to list. The other languages are the language switcher's
    (``publish.render.html.language_switcher``)."""
    files, _languages = elsewhere(ctx, own)
    if not files:
        return None
    nav = labelled(ctx.doc, element("nav", cls="other-formats",
                                    aria_labelledby="other-formats-title"))
    nav.append(element("p", ctx.doc.labels["other_formats"], cls="other-formats-title",
                       id="other-formats-title"))
    ul = element("ul")
    for item in files:
        href = f"{base_url.rstrip('/')}/{item.file}" if base_url else item.file
        li = element("li")
        li.append(element("a", item.text, href=href, type=item.media_type))
        ul.append(li)
    nav.append(ul)
    return nav


def add_other_formats_to_details(ctx: RenderContext, body: HtmlElement, *,
                                 own: Iterable[str] = ()) -> None:
    """The print and e-book outputs' "Other formats": terms of "Guide details" in "About
    this guide": the other files by kind, on one line ("Web page (HTML); Large print
    (PDF); E-book (EPUB)": a file name or a size means nothing on paper, and the
    leaflet must stay within its pages), then each other language by its title."""
    files, languages = elsewhere(ctx, own)
    if not files and not languages:
        return
    words = ctx.doc.labels
    details = next((s for s in body.iter("section")
                    if "guide-details" in (s.get("class") or "").split()), None)
    dl = details.find("dl") if details is not None else None
    if dl is None:
        dl = element("dl")
        body.append(dl)
    if files:
        dl.append(labelled(ctx.doc, element("dt", words["other_formats"])))
        dl.append(labelled(ctx.doc, element("dd", "; ".join(item.text for item in files))))
    if languages:
        dl.append(labelled(ctx.doc, element("dt", words["other_languages"])))
        for item in languages:
            dd = element("dd")
            dd.append(element("span", item.text, lang=item.lang))
            dl.append(dd)
