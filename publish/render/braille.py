"""The braille edition: ``guide.brf`` to emboss and ``guide.pef`` for displays and services.

liblouis translates (``braille_louis``; the table per language and the page
sizes are rows of ``braille_tables``); this module lays the braille out the way
transcribers do, following BANA *Braille Formats* (2016), as DAISY Pipeline 2
and Dotify do:

- a title page (title, "Braille edition", version, the draft notice, where to get
  other formats), then the contents with braille page numbers and guide dots;
  these preliminary pages are numbered p1, p2 … so the body starts on page 1;
- headings set apart by level: the title and level-2 headings centred with a
  blank line before and after, level 3 from cell 5 and deeper levels from cell 7
  (blocked, a blank line before);
- paragraphs in 3-1 format (first line from cell 3, runover from cell 1); list
  items with a hanging indent (1-3, nested 3-5), a blank line around each list;
- tables in columns when every row fits on one line, otherwise listed: each row
  under its first cell, every other cell with its column heading;
- links as their text; images as their alt text in a transcriber's note (7-5);
- the braille page number at the bottom right of every page, and a print page
  change indicator (a line of dots 3-6 ending with the page number) wherever a
  page of the printed leaflet (``guide.pdf``) begins, from the same page starts
  the EPUB page list uses (``PAGE_STARTS_FACT``).

The BRF is North American braille ASCII, upper case, CR LF line ends and a form
feed between pages; the PEF 1.0 file holds the same pages in Unicode braille.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape
from typing import ClassVar

from lxml.html import HtmlElement

from publish.errors import RenderError
from publish.model import HEADING_TAGS as HEADINGS
from publish.render import PAGE_STARTS_FACT
from publish.render import braille_louis as louis
from publish.render.base import RenderContext
from publish.render.braille_tables import DEFAULT_PAGE, PAGE_SIZES, BrailleCode, code_for, label
from publish.render.common import PageStart, draft_explainer, element, place_at_page_starts

BRF_CELLS = " A1B'K2L@CIF/MSP\"E3H9O6R^DJG>NTQ,*5<-U8V.%[$+X!&;:4\\0Z7(_?W]#Y)="
"""North American braille ASCII: the character for cell U+2800 + n is BRF_CELLS[n]."""

BLANK = "\u2800"
PAGE_LINE = "\u2824"  # dots 3-6: the print page change indicator's line
GUIDE_DOT = "\u2810"  # dot 5: guide dots in the contents
SEPARATOR = "\u2812"  # dots 2-5: the line under column headings
PRINT_PAGE = "data-print-page"
PEF_NS = "http://www.daisy.org/ns/2008/pef"
CONTAINERS = frozenset({"section", "div", "article", "main", "header", "footer", "aside",
                        "nav", "figure", "thead", "tbody", "tfoot"})
HIDDEN = frozenset({"script", "style", "template"})


def cells(dots: str) -> str:
    """One braille cell from its dot numbers ("126" → ⠣)."""
    return chr(0x2800 + sum(1 << (int(d) - 1) for d in dots))


Run = tuple[str, bool]
"""Print text and whether it is bold."""


@dataclass
class Block:
    """One braille paragraph-like unit before translation: runs and its format.

    ``first``/``runover`` are the cells left blank on the first and later lines
    (BANA's 3-1 is first=2, runover=0). ``print_page`` makes it a print page
    change indicator instead.
    """

    runs: list[Run] = field(default_factory=list)
    first: int = 0
    runover: int = 0
    before: bool = False
    after: bool = False
    centred: bool = False
    keep: bool = False
    print_page: int | None = None
    anchor: tuple[int, str] | None = None  # (level, heading text) for the contents
    opening: str = ""
    closing: str = ""
    braille: str = ""
    table: Table | None = None


@dataclass
class Table:
    """Rows of a table, translated both ways; the layout picks columns or a list.

    A table in which printed pages begin is cut into parts at those rows (the
    indicator goes between them); ``group`` holds every part, so all parts take
    the same form.
    """

    headers: list[list[Run]]
    rows: list[list[list[Run]]]
    group: list[Table] = field(default_factory=list)
    header_braille: list[str] = field(default_factory=list)
    row_braille: list[list[str]] = field(default_factory=list)
    listed_braille: list[list[str]] = field(default_factory=list)


class BrailleRenderer:
    """Renders ``guide.brf`` and ``guide.pef``."""

    name: ClassVar[str] = "braille"

    def unavailable(self, ctx: RenderContext) -> str | None:
        """Why this guide can have no braille edition (None: it can): its language has
        no liblouis table publish knows (docs/braille.md lists them)."""
        if code_for(ctx.doc.meta.lang) is not None:
            return None
        return (f"no braille table for language {ctx.doc.meta.lang!r} (liblouis has none "
                "publish knows; see docs/braille.md)")

    def render(self, ctx: RenderContext) -> dict[str, bytes]:
        doc = ctx.doc
        code = code_for(doc.meta.lang)
        if code is None:
            raise RenderError("braille", f"{self.unavailable(ctx)}; build the other formats "
                              "with --format, or add a row to "
                              "publish/render/braille_tables.py", doc.path,
                              doc.meta.lines.get("lang"))
        table = code.table(ctx.options.braille_grade)
        size = PAGE_SIZES[ctx.options.braille_page or DEFAULT_PAGE]
        try:
            pages = Edition(ctx, code, table, size.cells, size.lines).pages()
        except louis.LouisUnavailable as exc:
            raise RenderError("braille", str(exc), doc.path) from None
        return {f"{ctx.stem}.brf": brf(pages),
                f"{ctx.stem}.pef": pef(ctx, pages, size.cells, size.lines)}


class Edition:
    """One braille edition of one guide: blocks → translated → laid out in pages."""

    def __init__(self, ctx: RenderContext, code: BrailleCode, table: str,
                 width: int, height: int) -> None:
        self.ctx = ctx
        self.doc = ctx.doc
        self.code = code
        self.table = table
        self.width = width
        self.height = height
        self.words = ctx.doc.labels

    def pages(self) -> list[list[str]]:
        """Every page as its lines of Unicode braille (the last line holds the page number)."""
        front = self.front_blocks()
        body = self.body_blocks()
        self.translate(front + body)
        laid = Pager(self.width, self.height - 1)
        laid.flow(body)
        preliminary = Pager(self.width, self.height - 1)
        preliminary.flow(front)
        self.contents(preliminary, laid.anchors)
        numbers = self.numbers([f"p{n}" for n in range(1, len(preliminary.pages) + 1)]
                               + [str(n) for n in range(1, len(laid.pages) + 1)])
        return [self.numbered(page, number)
                for page, number in zip(preliminary.pages + laid.pages, numbers, strict=True)]

    # -- what the edition says ----------------------------------------------------------

    def front_blocks(self) -> list[Block]:
        """The title page: title, "Braille edition", version, draft notice, other formats."""
        meta = self.doc.meta
        words = self.words
        blocks = [Block([(meta.title, False)], centred=True, after=True),
                  Block([(words["braille_edition"], False)], centred=True),
                  Block([(f"{words['version']} {meta.version}", False)], centred=True,
                        after=True)]
        if meta.is_draft:
            blocks.append(Block([(f"{words['draft_banner']}. {draft_explainer(self.doc)}",
                                  False)], before=True, after=True))
        blocks.append(Block([(words["braille_other_formats"], False)], before=True))
        if meta.publisher:
            publisher = f"{words['publisher']}: {meta.publisher}"
            if meta.publisher_url:
                publisher += f", {meta.publisher_url}"
            blocks.append(Block([(publisher, False)], before=True))
        return blocks

    def body_blocks(self) -> list[Block]:
        body = self.doc.body_copy()
        # First, while block indexes still match the PDF's (see PageStart).
        place_at_page_starts(body, self.ctx.facts.get(PAGE_STARTS_FACT, ()), page_marker)
        collector = Collector(self.code, self.words)
        collector.container(body, 0)
        return collector.blocks

    def contents(self, pager: Pager, anchors: list[tuple[int, str, int]]) -> None:
        """The contents: level-2 entries from cell 1, level-3 from cell 3, runovers in
        cell 5, guide dots to the braille page number at the right margin."""
        entries = [(level, text, page) for level, text, page in anchors if level in (2, 3)]
        if not entries:
            return  # a guide without sections: the title page is enough
        title, label, *texts = louis.translate(
            self.table, [self.words["contents"], self.words["braille_page"],
                         *(clean(text) for _, text, _ in entries)])
        numbers = self.numbers([str(page) for _, _, page in entries])
        pager.new_page()
        pager.add_lines(wrap(title, self.width, 0, 0, centred=True))
        pager.add_lines([BLANK * (self.width - len(label)) + label], before=True)
        room = max((len(n) for n in numbers), default=1) + 4
        for (level, _, _), text, number in zip(entries, texts, numbers, strict=True):
            lines = wrap(text, self.width - room, 2 * (level - 2), 4)
            last = lines[-1]
            dots = self.width - len(last) - len(number) - 2
            lines[-1] = f"{last}{BLANK}{GUIDE_DOT * dots}{BLANK}{number}" if dots >= 2 else \
                f"{last}{BLANK * (self.width - len(last) - len(number))}{number}"
            pager.add_lines(lines, keep=len(lines))

    def numbered(self, lines: list[str], number: str) -> list[str]:
        """A page padded to its text lines, with the page number on the last line."""
        body = lines + [""] * (self.height - 1 - len(lines))
        return [*body, BLANK * (self.width - len(number)) + number]

    def numbers(self, texts: list[str]) -> list[str]:
        return louis.translate(self.table, texts)

    # -- translation ----------------------------------------------------------------------

    def translate(self, blocks: list[Block]) -> None:
        """All the edition's text in one batch through liblouis."""
        texts: list[str] = []
        forms: list[list[int] | None] = []

        def add(runs: list[Run]) -> int:
            text, form = flatten(runs)
            texts.append(text)
            forms.append(form if self.code.bold and any(form) else None)
            return len(texts) - 1

        slots: list[tuple[Block, object]] = []
        for block in blocks:
            if block.table is not None:
                t = block.table
                slots.append((block, (
                    [add(h) for h in t.headers],
                    [[add(c) for c in row] for row in t.rows],
                    [[add(cell) if i == 0 or i >= len(t.headers) else
                      add([*t.headers[i], (": ", False), *cell])
                      for i, cell in enumerate(row)] for row in t.rows])))
            elif block.print_page is not None:
                slots.append((block, add([(str(block.print_page), False)])))
            else:
                slots.append((block, add(block.runs)))
        out = louis.translate(self.table, texts, forms)
        for index, text in enumerate(out):
            if any(not ("\u2800" <= c <= "\u283f") for c in text):
                self.untranslatable(texts[index])
        for block, slot in slots:
            if block.table is not None:
                heads, rows, listed = slot  # type: ignore[misc]
                block.table.header_braille = [out[i] for i in heads]
                block.table.row_braille = [[out[i] for i in row] for row in rows]
                block.table.listed_braille = [[out[i] for i in row] for row in listed]
            else:
                block.braille = block.opening + out[slot] + block.closing  # type: ignore[index]

    def untranslatable(self, text: str) -> None:
        """Name the first character the table has no six-dot braille for, and its line."""
        for char in dict.fromkeys(text):
            braille = louis.translate(self.table, [char])[0]
            if any(not ("\u2800" <= c <= "\u283f") for c in braille):
                line = next((n for n, source in enumerate(
                    self.doc.path.read_text(encoding="utf-8").splitlines(), start=1)
                    if char in source), None)
                raise RenderError("braille", f"{char!r} (U+{ord(char):04X}) has no six-dot "
                                  f"braille in the liblouis table {label(self.table)}; write it "
                                  "another way", self.doc.path, line)
        raise RenderError("braille", f"liblouis table {label(self.table)} wrote eight-dot braille, "
                          "which a BRF cannot hold", self.doc.path)


def page_marker(start: PageStart) -> HtmlElement:
    marker = element("span")
    marker.set(PRINT_PAGE, str(start.page))
    return marker


class Collector:
    """Walks the body copy and turns it into blocks, in reading order."""

    def __init__(self, code: BrailleCode, words: dict[str, str]) -> None:
        self.code = code
        self.words = words
        self.blocks: list[Block] = []

    def container(self, el: HtmlElement, indent: int) -> None:
        for child in el:
            if isinstance(child.tag, str):
                self.block(child, indent)

    def block(self, el: HtmlElement, indent: int) -> None:
        tag = el.tag
        if el.get(PRINT_PAGE):
            self.blocks.append(Block(print_page=int(el.get(PRINT_PAGE))))
        elif tag in HIDDEN:
            return
        elif tag in CONTAINERS:
            self.container(el, indent)
        elif tag in HEADINGS:
            level = int(tag[1])
            text = el.text_content()
            if level <= 2:
                fmt = Block(centred=True, before=True, after=True)
            else:
                cell = 4 if level == 3 else 6
                fmt = Block(first=cell, runover=cell, before=True)
            fmt.keep = True
            fmt.anchor = (level, text)
            self.inline(el, fmt)
        elif tag in ("ul", "ol"):
            self.list(el, 0, list_depth(el))
        elif tag == "dl":
            self.definitions(el)
        elif tag == "table":
            self.table(el)
        elif tag == "blockquote":
            self.container(el, indent + 2)
        elif tag == "img":
            self.image(el)
        elif tag == "hr":
            return
        else:  # p, pre, figcaption, and anything else with text
            self.inline(el, Block(first=indent + 2, runover=indent))

    def inline(self, el: HtmlElement, fmt: Block, *, skip_blocks: bool = False) -> None:
        """One block from ``el``'s text; a print page start or an image inside it
        splits it there (the rest continues at the runover indent)."""
        current = _copy(fmt)
        emitted = False
        prefix = len(fmt.runs)  # a list item's number is not content of its own

        def content(block: Block) -> bool:
            return any(text.strip() for text, _ in block.runs[prefix if not emitted else 0:])

        def flush() -> None:
            nonlocal current, emitted
            if content(current):
                if emitted:
                    current.first = current.runover
                    current.before = False
                self.blocks.append(current)
                emitted = True
            current = _copy(fmt, rest=True)

        for kind, value, bold in events(el, skip_blocks=skip_blocks):
            if kind == "text":
                current.runs.append((value, bold))
            elif kind == "page":
                if content(current):
                    flush()
                self.blocks.append(Block(print_page=int(value)))
            elif kind == "img":
                flush()
                self.note(value)
        if content(current):
            if emitted:
                current.first = current.runover
                current.before = False
            self.blocks.append(current)
        elif fmt.after and self.blocks:
            self.blocks[-1].after = True

    def list(self, el: HtmlElement, depth: int, deepest: int) -> None:
        """Items in 1-3 format (nested 3-5 …): runovers two cells past the deepest level."""
        runover = 2 * deepest + 2
        start = int(el.get("start", "1")) if (el.get("start") or "1").isdigit() else 1
        items = [li for li in el if li.tag == "li"]
        first_index = len(self.blocks)
        for number, li in enumerate(items, start=start):
            prefix = [(f"{number}. ", False)] if el.tag == "ol" else []
            fmt = Block(list(prefix), first=2 * depth, runover=runover)
            self.inline(li, fmt, skip_blocks=True)
            for child in li:
                if child.tag in ("ul", "ol"):
                    self.list(child, depth + 1, deepest)
                elif child.tag in ("p", "div", "table", "dl", "blockquote"):
                    self.block(child, 2 * depth + 2)
        if depth == 0 and len(self.blocks) > first_index:
            self.blocks[first_index].before = True
            self.blocks[-1].after = True

    def definitions(self, el: HtmlElement) -> None:
        """Term and description on one entry: the term, a colon, then the description."""
        first_index = len(self.blocks)
        term: HtmlElement | None = None
        for child in el:
            if child.tag == "dt":
                term = child
            elif child.tag == "dd":
                fmt = Block(first=0, runover=2)
                if term is not None:
                    for kind, value, bold in events(term):
                        if kind == "page":
                            self.blocks.append(Block(print_page=int(value)))
                        elif kind == "text":
                            fmt.runs.append((value, bold))
                    fmt.runs.append((": ", False))
                term = None
                self.inline(child, fmt)
        if len(self.blocks) > first_index:
            self.blocks[first_index].before = True
            self.blocks[-1].after = True

    def table(self, el: HtmlElement) -> None:
        caption = el.find("caption")
        if caption is not None:
            self.inline(caption, Block(before=True, keep=True))  # with the first row
        headers: list[list[Run]] = []
        group: list[Table] = []
        part = Table([], [], group)
        group.append(part)
        parts = [Block(table=part, before=caption is None, after=True)]
        for tr in el.iter("tr"):
            found = [c for c in tr if c.tag in ("th", "td")]
            texts = [[(v, b) for k, v, b in events(c) if k == "text"] for c in found]
            starts = [int(v) for c in found for k, v, _ in events(c) if k == "page"]
            for page in starts:  # a printed page begins in this row: a new part after it
                parts.append(Block(print_page=page))
                part = Table([], [], group)
                group.append(part)
                parts.append(Block(table=part, after=True))
            parent = tr.getparent()
            if not headers and all(c.tag == "th" for c in found) and \
                    parent is not None and parent.tag in ("thead", "table"):
                headers = texts
            else:
                part.rows.append(texts)
        for member in group:
            member.headers = headers
        self.blocks.extend(b for b in parts if b.table is None or b.table.rows or
                           b.table is group[0])

    def image(self, el: HtmlElement) -> None:
        alt = (el.get("alt") or "").strip()
        if alt and el.get("role") != "presentation" and \
                "decorative" not in (el.get("class") or "").split():
            self.note(alt)

    def note(self, alt: str) -> None:
        """An image as its alt text in a transcriber's note, 7-5 format."""
        text = f"{self.words['transcriber_note']}: " \
               f"{self.words['braille_picture'].format(alt=alt)}"
        self.blocks.append(Block([(text, False)], first=6, runover=4,
                                 opening="".join(cells(d) for d in self.code.note_open),
                                 closing="".join(cells(d) for d in self.code.note_close)))


def _copy(fmt: Block, *, rest: bool = False) -> Block:
    """A block in ``fmt``'s format; ``rest``: the part after a split (no prefix, no
    contents entry)."""
    return Block([] if rest else list(fmt.runs), fmt.first, fmt.runover, fmt.before,
                 fmt.after, fmt.centred, fmt.keep, None, None if rest else fmt.anchor)


def list_depth(el: HtmlElement) -> int:
    """How deep lists nest inside this list (0: no nested list)."""
    nested = [list_depth(child) + 1 for li in el if li.tag == "li"
              for child in li if child.tag in ("ul", "ol")]
    return max(nested, default=0)


def events(el: HtmlElement, *, skip_blocks: bool = False, bold: bool = False
           ) -> Iterator[tuple[str, str, bool]]:
    """Reading-order content of ``el``: ("text", text, bold), ("page", number, _),
    ("img", alt, _). Back links ("Back to text") are dropped: braille has no links.
    With ``skip_blocks``, nested lists and paragraphs are left to the caller."""
    if el.text:
        yield "text", el.text, bold
    for child in el:
        if not isinstance(child.tag, str):
            pass
        elif child.get(PRINT_PAGE):
            yield "page", child.get(PRINT_PAGE), bold
        elif skip_blocks and child.tag in ("ul", "ol", "p", "div", "table", "dl",
                                           "blockquote"):
            continue  # its tail is white space between blocks
        elif child.get("role") == "doc-backlink" or child.tag in HIDDEN:
            pass
        elif child.tag == "img":
            alt = (child.get("alt") or "").strip()
            if alt and child.get("role") != "presentation":
                yield "img", alt, bold
        elif child.tag == "br":
            yield "text", " ", bold
        else:
            yield from events(child, bold=bold or child.tag in ("strong", "b"))
        if child.tail:
            yield "text", child.tail, bold


def clean(text: str) -> str:
    """Collapse white space; drop format characters (ZWNJ, soft hyphen) braille has no
    cells for."""
    return " ".join("".join(c for c in text if unicodedata.category(c) != "Cf").split())


def flatten(runs: list[Run]) -> tuple[str, list[int]]:
    """One string and its per-character emphasis (liblouis typeform), white space collapsed."""
    chars: list[str] = []
    form: list[int] = []
    for text, bold in runs:
        for char in text:
            if unicodedata.category(char) == "Cf":
                continue
            if char.isspace():
                if not chars or chars[-1] == " ":
                    continue
                char = " "
            chars.append(char)
            form.append(louis.BOLD if bold and char != " " else 0)
    while chars and chars[-1] == " ":
        chars.pop()
        form.pop()
    return "".join(chars), form


def wrap(braille: str, width: int, first: int, runover: int, *,
         centred: bool = False) -> list[str]:
    """Break translated text at braille spaces into lines of at most ``width`` cells.

    Centred lines keep three blank cells each side (BANA); a word longer than a
    line (a web address) is divided at the margin.
    """
    limit = width - 6 if centred else width
    words = [w for w in braille.split(BLANK) if w]
    lines: list[str] = []
    line = ""
    for word in words:
        indent = (first if not lines else runover) if not centred else 0
        room = limit - indent
        candidate = f"{line}{BLANK}{word}" if line else word
        if len(candidate) <= room:
            line = candidate
            continue
        if line:
            lines.append(BLANK * indent + line)
            indent = runover if not centred else 0
            room = limit - indent
        while len(word) > room:
            cut = division(word, room)
            lines.append(BLANK * indent + word[:cut])
            word = word[cut:]
            indent = runover if not centred else 0
            room = limit - indent
        line = word
    if line or not lines:
        indent = (first if not lines else runover) if not centred else 0
        lines.append(BLANK * indent + line)
    if centred:
        lines = [BLANK * ((width - len(text)) // 2) + text for text in lines]
    return lines


DIVISIONS = ("\u2838\u280c", "\u2824")
"""Where a sequence longer than a line (a web address, a DOI) is best divided: after a
slash (dots 4-5-6, 3-4) or a hyphen (dots 3-6)."""


def division(word: str, room: int) -> int:
    """How many cells of ``word`` go on this line: up to the last slash or hyphen in the
    second half of the line, else the whole line."""
    for cut in range(room, room // 2, -1):
        if word[:cut].endswith(DIVISIONS):
            return cut
    return room


class Pager:
    """Fills pages of ``height`` text lines, keeping BANA's blank-line and keep rules:
    no blank line at the top of a page or after a print page indicator, a heading
    kept with two lines of what follows, an indicator never last on a page."""

    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.height = height
        self.pages: list[list[str]] = [[]]
        self.blank_wanted = False
        self.anchors: list[tuple[int, str, int]] = []
        """(heading level, heading text, braille page) of each heading laid out."""

    @property
    def page(self) -> list[str]:
        return self.pages[-1]

    def new_page(self) -> None:
        if self.page:
            self.pages.append([])
        self.blank_wanted = False

    def room(self) -> int:
        return self.height - len(self.page)

    def _blank(self, before: bool) -> bool:
        """Whether a blank line goes before the next line here."""
        return (before or self.blank_wanted) and bool(self.page) and self.page[-1] != "" \
            and not self.page[-1].startswith(PAGE_LINE * 3)

    def add_lines(self, lines: list[str], *, keep: int = 0, before: bool = False) -> int:
        """Add lines; the first ``keep`` of them go to a new page rather than be split.
        Returns the (1-based) page the first line is on."""
        blank = self._blank(before)
        if (keep and min(keep, self.height) + blank > self.room()) or \
                (blank and self.room() < 2):
            self.new_page()
            blank = False
        if blank:
            self.page.append("")
        self.blank_wanted = False
        first = 0
        for line in lines:
            if self.room() <= 0:
                self.new_page()
            self.page.append(line)
            first = first or len(self.pages)
        return first

    def flow(self, blocks: list[Block]) -> None:
        for index, block in enumerate(blocks):
            if block.print_page is not None:
                number = block.braille
                self.add_lines([PAGE_LINE * (self.width - len(number)) + number], keep=2)
                continue
            groups = self.groups(block)
            if not groups:
                continue
            lines = groups[0]
            keep = len(lines) if block.table is not None else 0
            if block.keep:
                follow = next((self.layout(b) for b in blocks[index + 1:index + 3]
                               if b.print_page is None), [])
                keep = len(lines) + (1 if block.after else 0) + min(2, len(follow))
            page = self.add_lines(lines, keep=keep, before=block.before)
            for group in groups[1:]:  # table rows: each kept whole when it fits a page
                self.add_lines(group, keep=len(group))
            if block.anchor:
                self.anchors.append((block.anchor[0], block.anchor[1], page))
            self.blank_wanted = block.after

    def groups(self, block: Block) -> list[list[str]]:
        """The block's lines, in groups not to be split across pages (table rows)."""
        if block.table is not None:
            return table_lines(block.table, self.width)
        if not block.braille:
            return []
        return [wrap(block.braille, self.width, block.first, block.runover,
                     centred=block.centred)]

    def layout(self, block: Block) -> list[str]:
        return [line for group in self.groups(block) for line in group]


def table_lines(table: Table, width: int) -> list[list[str]]:
    """Columns when every row of the whole table fits on one line (BANA: a separation
    line of dots 2-5 under the headings), otherwise the listed format. One group per
    row (the column headings go with the first)."""
    rows = [table.header_braille, *(r for part in table.group for r in part.row_braille)]
    columns = max(len(r) for r in rows)
    widths = [max((len(r[i]) for r in rows if i < len(r)), default=0) for i in range(columns)]
    if sum(widths) + 2 * (columns - 1) <= width:
        def row(texts: list[str]) -> str:
            return (BLANK * 2).join(t + BLANK * (widths[i] - len(t))
                                    for i, t in enumerate(texts)).rstrip(BLANK)
        groups = [[row(r)] for r in table.row_braille] or [[]]
        if table.header_braille:
            groups[0][:0] = [row(table.header_braille),
                             (BLANK * 2).join(SEPARATOR * w for w in widths)]
        return [g for g in groups if g]
    return [wrap(head, width, 0, 4) + [line for cell in rest for line in wrap(cell, width, 2, 4)]
            for head, *rest in table.listed_braille]


def brf(pages: list[list[str]]) -> bytes:
    """Braille ASCII: CR LF after every line, a form feed between pages."""
    text = "\f".join("".join(to_ascii(line).rstrip(" ") + "\r\n" for line in page)
                     for page in pages)
    return text.encode("ascii")


TO_ASCII = {0x2800 + n: c for n, c in enumerate(BRF_CELLS)}


def to_ascii(line: str) -> str:
    return line.translate(TO_ASCII)


def pef(ctx: RenderContext, pages: list[list[str]], width: int, height: int) -> bytes:
    """PEF 1.0: the same pages in Unicode braille, with Dublin Core metadata."""
    meta = ctx.doc.meta
    dc = [("format", "application/x-pef+xml"), ("identifier", meta.identifier),
          ("title", meta.title), ("language", meta.lang),
          ("date", ctx.build_date.strftime("%Y-%m-%d"))]
    dc += [("creator", person.name) for person in meta.authors]
    if meta.description:
        dc.append(("description", meta.description))
    if meta.publisher:
        dc.append(("publisher", meta.publisher))
    head = "".join(f"      <dc:{name}>{escape(value, quote=False)}</dc:{name}>\n"
                   for name, value in dc)
    body = "".join(
        "        <page>\n"
        + "".join(f"          <row>{line.rstrip(BLANK)}</row>\n" if line.rstrip(BLANK)
                  else "          <row/>\n" for line in page)
        + "        </page>\n" for page in pages)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<pef version="2008-1" xmlns="{PEF_NS}">\n'
            f'  <head>\n    <meta xmlns:dc="http://purl.org/dc/elements/1.1/">\n{head}'
            f'    </meta>\n  </head>\n  <body>\n'
            f'    <volume cols="{width}" rows="{height}" rowgap="0" duplex="false">\n'
            f'      <section>\n{body}      </section>\n    </volume>\n  </body>\n</pef>\n'
            ).encode()
