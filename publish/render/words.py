"""Words kept whole at line ends, in the languages whose tables say so (``keep_words``).

Korean puts spaces between words (eojeol) and breaks lines only there: a line that
ends between two syllables of one word reads as broken text. The Unicode line
breaking rules that browsers and WeasyPrint follow by default allow a break between
any two Hangul syllables (they treat them like Chinese characters). Which languages
keep their words whole is data: ``text: keep_words`` in the language's table
(``publish.labels``), looked up for the guide's language and for every element with a
``lang`` of its own, so a Korean quotation in an English guide is kept whole too, and
an English or Chinese passage in a Korean guide is not.

* Screen and EPUB (:func:`mark_keep_words`): CSS Text 3 has the property, ``word-break:
  keep-all``. The element where such a language starts gets the class
  :data:`KEEP_WORDS_CLASS` (the root, for a Korean guide), and an element in another
  language inside it :data:`NORMAL_WORDS_CLASS`; html.css and epub.css set the property.
  ``overflow-wrap`` still breaks a word longer than the line.
* PDF (:func:`wrap_words`): WeasyPrint 70 accepts only ``normal`` and ``break-all`` for
  ``word-break``. Each word holding a letter a line may break after (a wide letter:
  Hangul, CJK, kana) becomes ``<span class="kept-word">``, which print.css sets
  ``white-space: nowrap``: the line can only break between the spans, at the spaces. A
  word wider than its line would then run off the page, so the PDF renderer lays the
  edition out again with those words left breakable (:func:`overflowing_words`).

A word runs on across an inline element without spaces inside (a citation link after
its word, ``<strong>`` around one syllable): that element is kept inside the word's span.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from lxml.html import HtmlElement

from publish.labels import has_table, labels_for
from publish.model import Document, lang_if_other
from publish.render.common import element

KEEP_WORDS_CLASS = "keep-words"
"""Screen and EPUB: the element where text in a language that keeps words whole starts."""

NORMAL_WORDS_CLASS = "normal-words"
"""Screen and EPUB: an element in another language inside one that keeps words whole."""

WORD_CLASS = "kept-word"
"""PDF: one word that must not break across lines (print.css: ``white-space: nowrap``)."""

WORD_ATTRIBUTE = "data-word"
"""PDF: the word's number, by which the layout names the words too wide for their line
(WeasyPrint writes no HTML attribute into the PDF)."""

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

NOT_TEXT = frozenset({"head", "title", "meta", "style", "script"})
"""Elements whose text no reader sees laid out."""

INLINE = frozenset({"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn",
                    "em", "i", "ins", "kbd", "mark", "q", "s", "samp", "small", "span",
                    "strong", "sub", "sup", "time", "u", "var"})
"""Elements a word may run on across (when they hold no space themselves)."""

_SPACES = re.compile(r"(\s+)")


def keeps_words(doc: Document, tag: str) -> bool:
    """Whether text in ``tag`` keeps its words whole: the guide's own table for the
    guide's language (it may have brought it), else the shipped table, if there is one."""
    if not tag:
        return False
    if not lang_if_other(tag, doc.labels.lang):
        return doc.labels.text.keep_words
    return _shipped_keeps_words(tag)


@lru_cache(maxsize=64)
def _shipped_keeps_words(tag: str) -> bool:
    return has_table(tag) and labels_for(tag).text.keep_words


def keeps_any(doc: Document) -> bool:
    """Whether any text of the guide is in a language that keeps words whole."""
    return keeps_words(doc, doc.meta.lang) or any(
        keeps_words(doc, el.get("lang", "")) for el in doc.body.iter()
        if isinstance(el.tag, str) and el.get("lang"))


def _lang(el: Any) -> str:
    return el.get("lang") or el.get(XML_LANG) or ""


def mark_keep_words(root: Any, doc: Document) -> Any:
    """Class the elements where keeping words whole starts and stops (screen, EPUB; in
    place, returns ``root``). A guide with no such language is returned unchanged."""
    def visit(el: Any, keeping: bool) -> None:
        lang = _lang(el)
        here = keeps_words(doc, lang) if lang else keeping
        if here != keeping:
            _add_class(el, KEEP_WORDS_CLASS if here else NORMAL_WORDS_CLASS)
        for child in el:
            if isinstance(child.tag, str):
                visit(child, here)

    visit(root, False)
    return root


def wrap_words(root: HtmlElement, doc: Document, *,
               breakable: frozenset[int] = frozenset()) -> HtmlElement:
    """Wrap each word of the text in a language that keeps words whole in a
    ``<span class="kept-word">`` (the print document; in place, returns ``root``).

    Words are numbered in document order (``data-word``); those in ``breakable`` (found
    too wide for their line) keep their span, so the numbers stay the same, but not the
    class: the line may break inside them.
    """
    counter = itertools.count()

    def visit(el: HtmlElement, keeping: bool) -> None:
        if el.tag in NOT_TEXT:
            return
        lang = _lang(el)
        here = keeps_words(doc, lang) if lang else keeping
        if here:
            _wrap_children(el, counter, breakable)
        for child in list(el):
            if isinstance(child.tag, str) and WORD_ATTRIBUTE not in child.attrib:
                visit(child, here)

    visit(root, False)
    return root


def _wrap_children(el: HtmlElement, counter: Iterator[int], breakable: frozenset[int]) -> None:
    """Rebuild ``el``'s own text and tails with each word in a span (see wrap_words)."""
    pieces: list[str | HtmlElement] = [el.text or ""]
    for child in el:
        pieces += [child, child.tail or ""]
    tokens: list[str | HtmlElement] = []
    for piece in pieces:
        tokens += [t for t in _SPACES.split(piece) if t] if isinstance(piece, str) else [piece]
    words = _group(tokens)
    if not any(isinstance(w, list) for w in words):
        return
    el.text = None
    for child in list(el):
        child.tail = None
        el.remove(child)
    for word in words:
        if isinstance(word, list):
            number = next(counter)
            span = element("span", **{WORD_ATTRIBUTE: str(number)})
            if number not in breakable:
                span.set("class", WORD_CLASS)
            for token in word:
                _append(span, token)
            _append(el, span)
        else:
            _append(el, word)


def _group(tokens: list[str | HtmlElement]) -> list[str | HtmlElement | list[str | HtmlElement]]:
    """Tokens with each word to keep whole gathered in a list: a run of text and inline
    elements without spaces, holding a wide letter, at least two characters long."""
    out: list[str | HtmlElement | list[str | HtmlElement]] = []
    run: list[str | HtmlElement] = []

    def flush() -> None:
        text = "".join(t if isinstance(t, str) else t.text_content() for t in run)
        if len(text) > 1 and any(_wide_letter(c) for c in text):
            out.append(list(run))
        else:
            out.extend(run)
        run.clear()

    for token in tokens:
        if (isinstance(token, str) and not token.isspace()) or _attached(token):
            run.append(token)
        else:
            flush()
            out.append(token)
    flush()
    return out


def _attached(token: str | HtmlElement) -> bool:
    """An inline element a word runs on across: text, and no space inside."""
    if isinstance(token, str) or not isinstance(token.tag, str) or token.tag not in INLINE:
        return False
    text = token.text_content()
    return bool(text) and not any(c.isspace() for c in text) and \
        not any(d.tag == "img" for d in token.iter())


def _wide_letter(char: str) -> bool:
    """A letter the default line breaking lets a line end after (UAX #14 classes ID, H2,
    H3: Hangul, CJK ideographs, kana — the wide letters)."""
    return unicodedata.east_asian_width(char) in ("W", "F") and \
        unicodedata.category(char).startswith("L")


def _append(parent: HtmlElement, token: str | HtmlElement) -> None:
    """Append text or an element at the end of ``parent``'s content."""
    if isinstance(token, str):
        last = parent[-1] if len(parent) else None
        if last is None:
            parent.text = (parent.text or "") + token
        else:
            last.tail = (last.tail or "") + token
    else:
        parent.append(token)


def _add_class(el: Any, name: str) -> None:
    el.set("class", f"{el.get('class', '')} {name}".strip())


def overflowing_words(document: Any) -> set[int]:
    """Numbers of the kept words that stick out of their line in a WeasyPrint layout
    (``data-word``): kept whole, a word wider than the line runs off the page.

    Out of its block's content box, or out of the page's: a table widens a column to
    its widest unbreakable word, past the page if it must.
    """
    from weasyprint.formatting_structure import boxes

    found: set[int] = set()

    def walk(box: Any, left: float, right: float) -> None:
        if isinstance(box, boxes.BlockContainerBox):
            left = max(left, box.content_box_x())
            right = min(right, box.content_box_x() + box.width)
        element_ = getattr(box, "element", None)
        if isinstance(box, boxes.InlineBox) and element_ is not None \
                and box.element_tag == "span" and element_.get(WORD_ATTRIBUTE) is not None \
                and WORD_CLASS in (element_.get("class") or "").split():
            if box.position_x < left - _SLACK or \
                    box.position_x + box.margin_width() > right + _SLACK:
                found.add(int(element_.get(WORD_ATTRIBUTE)))
            return
        for child in getattr(box, "children", ()):
            walk(child, left, right)

    for page in document.pages:
        page_box = page._page_box
        left = page_box.content_box_x()
        for child in page_box.children:
            if not isinstance(child, boxes.MarginBox):
                walk(child, left, left + page_box.width)
    return found


_SLACK = 0.5
"""Points a kept word may stand past its box before it counts as running off (rounding)."""
