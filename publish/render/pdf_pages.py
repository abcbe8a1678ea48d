"""Reading WeasyPrint's layout: where each page begins, what would not stay whole.

Page starts (``PageStart`` facts): the EPUB's page list must point at the places
the printed leaflet's pages begin. The print HTML marks every element of
``block_elements`` with ``data-block="N"`` (:data:`BLOCK_ATTRIBUTE`); after layout,
the first laid-out text (or image) on each page names its nearest marked ancestor,
and the characters of that block printed on earlier pages give the offset.
Attributes never reach the PDF (WeasyPrint writes no HTML attributes), so marking
blocks changes neither the layout nor the tags.

Elements too tall for a page (:func:`split_unbreakables`): what print.css asks to
keep whole but the layout had to split.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from lxml.html import HtmlElement

from publish.render.common import PageStart, block_elements

BLOCK_ATTRIBUTE = "data-block"

TOO_TALL_CLASS = "too-tall"
"""Class print.css lets break across pages: elements found taller than a page."""

Unbreakable = tuple[str, int]
"""An element by tag and index among the elements with that tag, in document order:
the same in our tree and in the tree WeasyPrint parses from it."""


def mark_blocks(body: HtmlElement) -> None:
    """Number the block elements of a fresh body copy, before any other transform."""
    for index, block in enumerate(block_elements(body)):
        block.set(BLOCK_ATTRIBUTE, str(index))


def page_starts(document: Any, root: Any, body: HtmlElement) -> list[PageStart]:
    """One PageStart per page of a rendered WeasyPrint ``document``.

    ``root`` is the parsed HTML tree WeasyPrint laid out (its boxes point into it);
    ``body`` is an unmarked ``doc.body_copy()``, whose block texts the offsets count in.
    """
    from weasyprint.formatting_structure import boxes

    parents = {child: parent for parent in root.iter() for child in parent}
    chains: dict[Any, tuple[int, ...]] = {}

    def blocks_around(element: Any) -> tuple[int, ...]:
        """Indices of the marked elements containing ``element``, nearest first."""
        if element not in chains:
            parent = parents.get(element)
            outer = blocks_around(parent) if parent is not None else ()
            own = element.get(BLOCK_ATTRIBUTE)
            chains[element] = (int(own), *outer) if own is not None else outer
        return chains[element]

    printed: dict[int, int] = defaultdict(int)  # non-blank characters per block so far
    starts: list[PageStart] = []
    texts = [block.text_content() for block in block_elements(body)]
    last = (0, 0)
    repeated: set[Any] = set()
    for number, page in enumerate(document.pages, start=1):
        first: tuple[int, int] | None = None
        for box in _content_boxes(page._page_box, repeated):
            if box.element is None or "::" in (box.element_tag or ""):
                continue  # list markers and generated content are not in the source text
            chain = blocks_around(box.element)
            if not chain:
                continue
            if isinstance(box, boxes.TextBox):
                size = len("".join(box.text.split()))
                if not size:
                    continue
            elif isinstance(box, boxes.ReplacedBox):
                size = 0
            else:
                continue
            if first is None:
                first = (chain[0], printed[chain[0]])
            for index in chain:
                printed[index] += size
        block, count = first if first is not None else last
        starts.append(PageStart(number, block, _offset(texts[block], count)))
        last = (block, printed[block])
    return starts


def continued_elements(document: Any) -> list[tuple[str, ...]]:
    """For each page after the first: the tags of the elements it continues, outermost first.

    They are the elements on the page's first branch of boxes (down to its first text)
    that also had boxes on the page before: a section, list or paragraph broken by the
    page break. WeasyPrint tags each page's part as a structure element of its own; the
    PDF/UA post-pass joins them again (``pdf_tags.repair``).
    """
    from weasyprint.formatting_structure import boxes

    pages = [page._page_box for page in document.pages]
    chains: list[tuple[str, ...]] = []
    for before, page in itertools.pairwise(pages):
        seen = {box.element for box in _content_boxes(before) if box.element is not None}
        chain: list[tuple[str, Any]] = []
        box = next((b for b in page.children if not isinstance(b, boxes.MarginBox)), None)
        while box is not None and not isinstance(box, boxes.TextBox | boxes.ReplacedBox):
            element = box.element
            if element is not None and element.tag not in ("html", "body") and \
                    box.element_tag == element.tag and (not chain or chain[-1][1] is not element):
                if element not in seen:
                    break
                chain.append((element.tag, element))
            children = getattr(box, "children", ())
            box = children[0] if children else None
        chains.append(tuple(tag for tag, _ in chain))
    return chains


def split_unbreakables(document: Any, root: Any) -> set[Unbreakable]:
    """Elements asked to stay whole (``break-inside: avoid``) that the layout split."""
    pages_of: dict[Any, set[int]] = defaultdict(set)
    for number, page in enumerate(document.pages):
        for box in _content_boxes(page._page_box):
            if box.element is not None and box.element_tag == box.element.tag and \
                    box.style["break_inside"] in ("avoid", "avoid-page"):
                pages_of[box.element].add(number)
    split = {element for element, pages in pages_of.items() if len(pages) > 1}
    found: set[Unbreakable] = set()
    for tag in {element.tag for element in split}:
        found.update((tag, index) for index, element in enumerate(root.iter(tag))
                     if element in split)
    return found


def _content_boxes(page_box: Any, repeated: set[Any] | None = None) -> Iterator[Any]:
    """Boxes of the page body in order, leaving out the margin boxes (footer, header).

    With ``repeated`` (a set kept across pages), table header and footer rows that
    WeasyPrint repeats on each page of a split table are left out after their first
    appearance: the page starts at the first row that is new.
    """
    from weasyprint.formatting_structure import boxes

    def walk(box: Any) -> Iterator[Any]:
        if repeated is not None and isinstance(box, boxes.TableRowGroupBox) and \
                (box.is_header or box.is_footer):
            if box.element in repeated:
                return
            repeated.add(box.element)
        yield box
        for child in getattr(box, "children", ()):
            yield from walk(child)

    for child in page_box.children:
        if not isinstance(child, boxes.MarginBox):
            yield from walk(child)


def _offset(text: str, count: int) -> int:
    """The index in ``text`` after ``count`` non-blank characters and the blanks after.

    Layout collapses white space, so counting only non-blank characters keeps the
    printed text and the source text in step.
    """
    if count == 0:
        return 0
    seen = 0
    for index, char in enumerate(text):
        if seen == count and not char.isspace():
            return index
        if not char.isspace():
            seen += 1
    return len(text)
