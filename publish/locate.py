"""Finding source lines for elements of the parsed tree.

Python-Markdown keeps no line numbers, so the parser asks this map instead:
the n-th heading of the tree is the n-th heading line of the source, the
n-th table is the n-th pipe table, and images and links are found by their
address, searching forward from the previous one. Fenced code is skipped.

Which lines are fenced code is defined once, here (``fenced_code_lines``), exactly
as Python-Markdown's ``fenced_code`` extension finds them; the body limits
(``publish.frontmatter.check_body_limits``) use the same answer.
"""

from __future__ import annotations

import re
from bisect import bisect_right

_ATX = re.compile(r"^ {0,3}#{1,6}(\s|$)")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_HTML_HEADING = re.compile(r"^\s*<h[1-6][\s>]", re.IGNORECASE)
_FENCE_OPEN = re.compile(
    r"^(?P<fence>~{3,}|`{3,})[ ]*"
    r"(?:\{(?P<attrs>[^\n]*)\}|(?:\.?[\w#.+-]*[ ]*)?(?:hl_lines=(\"|').*?\3[ ]*)?)$")
"""An opening fence as Python-Markdown's ``FENCED_BLOCK_RE`` reads one: at the very start
of a line (not indented, not in a quote), then a language or ``{attrs}``."""
_FENCE_CLOSE = re.compile(r"^(~{3,}|`{3,})[ ]*$")


def fenced_code_lines(lines: list[str]) -> list[bool]:
    """For each line, whether Python-Markdown treats it as part of a fenced code block.

    A fence is code only when it is closed: an opening line, then the first later line
    made of exactly the same fence. An unclosed fence, an indented one or one inside a
    quote is text, and Markdown parses what follows it. One pass, so that no input can
    make finding the fences slow.
    """
    lines = [line.expandtabs(4) for line in lines]  # as Markdown's NormalizeWhitespace
    closers: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        match = _FENCE_CLOSE.match(line)
        if match:
            closers.setdefault(match.group(1), []).append(i)
    flags = [False] * len(lines)
    i = 0
    while i < len(lines):
        match = _FENCE_OPEN.match(lines[i])
        candidates = closers.get(match.group("fence"), []) if match else []
        after = bisect_right(candidates, i)
        if match and after < len(candidates) and _valid_attrs(match.group("attrs")):
            end = candidates[after]
            flags[i:end + 1] = [True] * (end + 1 - i)
            i = end + 1
        else:
            i += 1
    return flags


def _valid_attrs(attrs: str | None) -> bool:
    """``{attrs}`` Python-Markdown accepts on a fence (otherwise the fence is text)."""
    if attrs is None:
        return True
    from markdown.extensions.attr_list import get_attrs_and_remainder

    return not get_attrs_and_remainder(attrs)[1]
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_RAW_TABLE = re.compile(r"<table[\s>]", re.IGNORECASE)
_LIST_OR_QUOTE = re.compile(r"^\s*([-*+>]|\d+\.)\s")


class SourceMap:
    """Line lookups over a Markdown body whose first line is ``first_line``."""

    def __init__(self, body: str, first_line: int) -> None:
        self.text = body
        self.lines = body.split("\n")
        self.first_line = first_line
        self.in_code = self._code_lines()
        self.heading_lines = self._headings()
        self.table_lines = self._tables()
        self._cursor: dict[str, int] = {}

    def _code_lines(self) -> list[bool]:
        return fenced_code_lines(self.lines)

    def _headings(self) -> list[int]:
        found = []
        for i, text in enumerate(self.lines):
            if self.in_code[i]:
                continue
            if _ATX.match(text) or _HTML_HEADING.match(text):
                found.append(i)
            elif (_SETEXT.match(text) and i > 0 and self.lines[i - 1].strip()
                  and not self.in_code[i - 1] and not _ATX.match(self.lines[i - 1])
                  and not _LIST_OR_QUOTE.match(self.lines[i - 1])
                  and "|" not in self.lines[i - 1]):
                found.append(i - 1)
        return sorted(set(found))

    def _tables(self) -> list[int]:
        """Header lines of pipe tables and lines that open a raw HTML table."""
        found = []
        for i, text in enumerate(self.lines):
            if self.in_code[i]:
                continue
            if _RAW_TABLE.search(text):
                found.append(i)
            elif i > 0 and "|" in text + self.lines[i - 1] and _TABLE_RULE.match(text):
                found.append(i - 1)
        return found

    def _line(self, index: int) -> int:
        return self.first_line + index

    def heading(self, n: int) -> int | None:
        """Line of the n-th heading (0-based) in source order."""
        return self._line(self.heading_lines[n]) if n < len(self.heading_lines) else None

    def table(self, n: int) -> int | None:
        """Line of the header row of the n-th pipe table (0-based)."""
        return self._line(self.table_lines[n]) if n < len(self.table_lines) else None

    def find(self, kind: str, *needles: str) -> int | None:
        """Line of the first needle found after the previous find of this kind.

        Each find moves the cursor past what it found, so the same text twice
        on a line or in a row gives each occurrence its own place.
        """
        start = self._cursor.get(kind, 0)
        for needle in needles:
            if not needle:
                continue
            for begin in (start, 0):
                position = self.text.find(needle, begin)
                while position != -1 and self.in_code[self.text.count("\n", 0, position)]:
                    position = self.text.find(needle, position + 1)
                if position != -1:
                    self._cursor[kind] = position + len(needle)
                    return self._line(self.text.count("\n", 0, position))
        return None
