"""The guide's own words as sentences, each with its section and source line.

Editorial rules (dose notation, claims, leftovers, promotion, reading level)
judge what a reader reads, so they work on the parsed tree, not the Markdown:
markup, link addresses and citation keys are gone, and the sections the
pipeline generates from the front matter ("Guide details", "Sources") are
left out — their words are not the author's and are not read as prose.

The tree has no line numbers for text, so each sentence is found again in the
Markdown body as a run of words (markup, link targets and ``[@key]`` stripped),
searching forward from the previous sentence. When that fails the sentence
keeps its section heading's line, so every message still points somewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml.html import HtmlElement

from publish.locate import SourceMap
from publish.model import HEADING_TAGS as HEADINGS
from publish.model import Document

BLOCKS = {"p", "li", "td", "th", "caption", "dt", "dd", "figcaption", *HEADINGS}
"""Elements whose own text is one unit of reading (split further into sentences)."""
CONTAINERS = {"ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr", "blockquote",
              "figure", "div", "section", "pre"}
"""Elements whose text belongs to the blocks inside them, not to the block around them."""
NOT_PROSE = {"pre", "code", "kbd", "script", "style"}

_WORD = re.compile(r"[^\W_]+")
_CITATION_LEFTOVER = re.compile(r"\s*\[[\s,?]*\]")
STOPS = ".!?。！？؟۔।॥።፧"
"""Marks that end a sentence in the 24 languages: . ! ? and the Chinese full-width
marks, the Arabic question mark, the Urdu full stop, the Devanagari (Bengali,
Gurmukhi) danda and the Ethiopic full stop and question mark."""
_FIRM = "。！？؟۔।॥።፧"
"""Marks that always end a sentence (no decimal or abbreviation uses them), even with
no space after them: Chinese sets none."""
_SENTENCE_END = re.compile(rf"[{re.escape(STOPS)}]+[\"”’'»)\]」』]*\s*")
_OPENERS = "\"“‘'(¿¡«„「『"
_ABBREVIATIONS = {"e.g", "i.e", "eg", "ie", "dr", "mr", "mrs", "ms", "prof", "st", "vs", "etc",
                  "approx", "no", "fig", "cf", "al"}
# Markdown that is not text a reader sees: citations, link and image targets, attribute
# lists, HTML tags and entities. Removed line by line before words are matched.
_NOT_TEXT = re.compile(
    r"\[@[^\]]*\]|!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|\{[:#.][^}]*\}|<[^>]+>|&#?\w+;")


@dataclass(frozen=True)
class Sentence:
    """One sentence of the guide as a reader sees it."""

    text: str
    line: int | None
    section: str
    """Id of the level-2 section it is in; '' for the title and introduction."""
    heading: bool = False


def _inline_text(el: HtmlElement) -> str:
    """Text of an inline element without citation numbers."""
    if "citation" in (el.get("class") or "").split():
        return ""
    if el.tag == "br":
        return " "
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str):
            parts.append(_inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _own_text(block: HtmlElement) -> str:
    """The block's text, leaving out nested blocks (a sub-list is read on its own)."""
    parts = [block.text or ""]
    for child in block:
        if isinstance(child.tag, str) and child.tag not in BLOCKS | CONTAINERS | NOT_PROSE:
            parts.append(_inline_text(child))
        parts.append(child.tail or "")
    text = _CITATION_LEFTOVER.sub("", "".join(parts))
    return " ".join(text.split())


def split_sentences(text: str) -> list[str]:
    """Split a block's text at the marks that end sentences (``STOPS``).

    。！？ ؟ ۔ । ። end a sentence wherever they are. A full stop, question or
    exclamation mark ends one only when whitespace follows, then a capital letter, a
    letter of a script without case (Arabic, Devanagari …), a digit or an opening
    quote, and the word before it is not a common abbreviation: so "4.5 mg",
    "p = 0.27" and "e.g. codeine" stay whole.
    """
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        marks = match.group(0).strip()
        if not any(c in _FIRM for c in marks):
            following = text[end:end + 1]
            before = text[start:match.start()].rsplit(None, 1)
            word = before[-1].lower().rstrip(".") if before else ""
            spaced = end > match.start() + len(match.group(0).rstrip())
            caseless = following.isalpha() and not following.islower() \
                and not following.isupper()
            if not spaced or not (following.isupper() or caseless or following.isdigit()
                                  or (following and following in _OPENERS)) \
                    or word in _ABBREVIATIONS:
                continue
        sentences.append(text[start:end].strip())
        start = end
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def words(text: str) -> list[str]:
    """Lower-case words (letters and digits) used to find text in the source."""
    return [w.lower() for w in _WORD.findall(text)]


class TextLocator:
    """Finds the source line where a run of words starts, in document order."""

    MATCH_WORDS = 8
    """Enough words to be unique in a guide, few enough to stay on nearby lines."""

    def __init__(self, smap: SourceMap | None) -> None:
        self.tokens: list[tuple[str, int]] = []
        if smap is not None:
            for index, text in enumerate(smap.lines):
                if smap.in_code[index]:
                    continue
                line = smap.first_line + index
                self.tokens.extend((w, line) for w in words(_NOT_TEXT.sub(" ", text)))
        self.cursor = 0

    def find(self, text: str) -> int | None:
        wanted = words(text)[: self.MATCH_WORDS]
        if not wanted:
            return None
        for begin in (self.cursor, 0):
            for i in range(begin, len(self.tokens) - len(wanted) + 1):
                if all(self.tokens[i + k][0] == w for k, w in enumerate(wanted)):
                    self.cursor = i + len(wanted)
                    return self.tokens[i][1]
        return None


def _blocks(parent: HtmlElement, section: str) -> Iterator[tuple[HtmlElement, str]]:
    for child in parent:
        if not isinstance(child.tag, str) or child.tag in NOT_PROSE:
            continue
        classes = (child.get("class") or "").split()
        if child.tag == "section":
            if "generated" in classes:
                continue
            inner = child.get("aria-labelledby", "") if "level-2" in classes else section
            yield from _blocks(child, inner)
            continue
        if child.tag in BLOCKS:
            yield child, section
        yield from _blocks(child, section)


def sentences(doc: Document) -> list[Sentence]:
    """Every sentence the author wrote, in reading order, with its source line."""
    locator = TextLocator(doc.source_map)
    found: list[Sentence] = []
    for block, section in _blocks(doc.body, ""):
        text = _own_text(block)
        if not text:
            continue
        is_heading = block.tag in HEADINGS
        fallback = doc.line_of(section) if section else None
        for sentence in split_sentences(text):
            line = locator.find(sentence)
            found.append(Sentence(sentence, line if line is not None else fallback, section,
                                  is_heading))
    return found
