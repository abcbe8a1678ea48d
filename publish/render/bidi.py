"""Text direction inside a guide: left-to-right runs kept whole in right-to-left text.

An Arabic, Farsi or Urdu guide still carries Latin text: doses ("4.5 mg"), DOIs,
URLs, an English source title. Left to the Unicode bidi algorithm inside a
right-to-left paragraph, "4.5 mg" reads "mg 4.5" and a title's closing bracket or
full stop lands at the wrong end. Each such run is wrapped in ``<bdi dir="ltr">``,
which browsers and reading systems lay out as one isolated left-to-right unit, and
which WeasyPrint (which orders an element's boxes as units) prints the same way.

An element whose ``lang`` is written in the other direction gets that ``dir``, so an
English quotation in an Arabic guide is laid out left to right as a whole.

Only a right-to-left guide is changed: a left-to-right guide's tree is returned as it
was, so its outputs stay byte-identical.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from lxml.html import HtmlElement

from publish.frontmatter import direction_of
from publish.render.common import element

ISOLATE_TAG = "bdi"
"""The element that isolates a run (``dir="ltr"`` on it, never ``auto``)."""

NO_WRAP_IN = frozenset({"bdi", "bdo", "style", "script", "title", "head", "meta"})
"""Elements whose text is left alone: already isolated, or not text a reader sees."""

_STRONG_OR_DIGIT = frozenset({"L", "EN"})
"""Bidi classes a run starts and ends with: a Latin letter or a European digit."""

_INSIDE = frozenset({"L", "EN", "ES", "ET", "CS", "WS", "ON", "NSM", "BN"})
"""Bidi classes a run may hold between its ends: spaces and neutral punctuation."""

_OPEN, _CLOSE = "([{", ")]}"


def apply_direction(root: HtmlElement, direction: str) -> HtmlElement:
    """Isolate the left-to-right runs in a right-to-left tree (in place; returns ``root``).

    ``direction`` is the guide's (``Metadata.dir``). Elements with a ``lang`` of the
    other direction get ``dir``; every other run of Latin letters, digits and the
    punctuation between them becomes ``<bdi dir="ltr">``.
    """
    if direction != "rtl":
        return root
    for el in root.iter():
        if isinstance(el.tag, str) and el.get("lang") and not el.get("dir"):
            own = direction_of(el.get("lang", ""))
            if own != direction:
                el.set("dir", own)
    for owner, slot in list(_text_slots(root)):
        _wrap_runs(owner, slot)
    return root


def ltr_runs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each left-to-right run in ``text`` that needs isolating.

    A run starts and ends with a Latin letter or digit, holds at least one letter
    (a bare number already reads left to right), and keeps its brackets paired: a
    closing bracket opened before the run, or an opening one closed after it, stays
    outside, where it pairs with its partner in the surrounding text.
    """
    runs: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        if unicodedata.bidirectional(text[i]) not in _STRONG_OR_DIGIT:
            i += 1
            continue
        end = i
        while end < n and unicodedata.bidirectional(text[end]) in _INSIDE:
            end += 1
        span = _balanced(text, i, end)
        if span is not None:
            start, stop = span
            if any(unicodedata.bidirectional(c) == "L" for c in text[start:stop]):
                runs.append(span)
            i = max(stop, i + 1)
        else:
            i = end
    return runs


def _balanced(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The longest part of ``text[start:end]`` from ``start`` with paired brackets,
    ending on a letter, a digit or a closing bracket; None if there is none."""
    depth = 0
    last_good: int | None = None
    opened_at: list[int] = []
    for k in range(start, end):
        char = text[k]
        if char in _OPEN:
            opened_at.append(k)
            depth += 1
        elif char in _CLOSE:
            if depth == 0:
                break
            depth -= 1
            opened_at.pop()
        if depth == 0 and (char in _CLOSE or
                           unicodedata.bidirectional(char) in _STRONG_OR_DIGIT):
            last_good = k + 1
    if last_good is None:
        return None
    return start, last_good


def _text_slots(el: HtmlElement) -> Iterator[tuple[HtmlElement, str]]:
    """(owner, "text" | "tail") for every piece of text a reader sees under ``el``."""
    if not isinstance(el.tag, str) or el.tag in NO_WRAP_IN:
        return
    yield el, "text"
    for child in list(el):
        yield from _text_slots(child)
        yield child, "tail"


def _wrap_runs(owner: HtmlElement, slot: str) -> None:
    """Replace the runs in ``owner.text`` or ``owner.tail`` with ``<bdi dir="ltr">``."""
    text = getattr(owner, slot)
    if not text:
        return
    runs = ltr_runs(text)
    if not runs:
        return
    setattr(owner, slot, text[:runs[0][0]] or None)
    parent = owner if slot == "text" else owner.getparent()
    index = 0 if slot == "text" else parent.index(owner) + 1
    for k, (start, stop) in enumerate(runs):
        isolate = element(ISOLATE_TAG, text[start:stop], dir="ltr")
        following = runs[k + 1][0] if k + 1 < len(runs) else len(text)
        isolate.tail = text[stop:following] or None
        parent.insert(index, isolate)
        index += 1
