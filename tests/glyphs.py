"""Which glyph each character drawn in a PDF really is: the test that sees boxes.

A character that no font covers still extracts as the right text (``pdftotext``,
pdfminer and every validator read the ToUnicode map, not the outlines), but a
reader sees an empty box: WeasyPrint then draws a glyph id the embedded font
does not have. This helper follows each text-showing operator of every page
(and of the form XObjects it paints) to its font, maps each code to a glyph id
the way a viewer does — through ``/CIDToGIDMap`` for a CID font, through the
embedded font's own ``cmap`` for a simple TrueType font — and calls it a box
when that id is 0 (``.notdef``) or at or past the embedded font's glyph count.

Helpers, not tests (see ``test_glyphs.py``); the language tests run
:func:`boxes` over every fixture PDF. Built on pikepdf, fontTools (WeasyPrint's
own dependency) and pdfminer.six's ToUnicode parser.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pikepdf
from fontTools.cffLib import CFFFontSet
from fontTools.ttLib import TTFont
from pdfminer.cmapdb import CMapParser, FileUnicodeMap

_SUBSET_PREFIX = re.compile(r"^[A-Z]{6}\+")
# pdfminer reads ToUnicode maps but not code → CID maps (cidchar, cidrange): these do.
_CID_CHARS = re.compile(rb"begincidchar(.*?)endcidchar", re.DOTALL)
_CID_CHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*(\d+)")
_CID_RANGES = re.compile(rb"begincidrange(.*?)endcidrange", re.DOTALL)
_CID_RANGE = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\d+)")


@dataclass(frozen=True)
class Drawn:
    """One glyph a page draws: the code in the content stream and what it becomes."""

    page: int
    font: str
    """The embedded font's name without its subset prefix (``Atkinson-Hyperlegible``)."""
    code: int
    glyph: int
    text: str
    """What the ToUnicode map says the code stands for ('' when it says nothing)."""
    glyph_count: int

    @property
    def is_box(self) -> bool:
        """Glyph 0 is ``.notdef``; an id past the font's end has no outline at all."""
        return self.glyph == 0 or self.glyph >= self.glyph_count

    def __str__(self) -> str:
        chars = " ".join(f"U+{ord(c):04X}" for c in self.text) or "no text"
        return (f"page {self.page}: {self.text!r} ({chars}) drawn as glyph {self.glyph} "
                f"of {self.font}, which has {self.glyph_count} glyphs")


class _Font:
    """A font resource: how its codes become glyph ids, and how many glyphs it has."""

    def __init__(self, font: pikepdf.Dictionary) -> None:
        self.font = font
        self.subtype = str(font.get("/Subtype"))
        self.descendant = font.DescendantFonts[0] if self.subtype == "/Type0" else font
        name = str(self.descendant.get("/BaseFont", font.get("/BaseFont", "")))
        self.name = _SUBSET_PREFIX.sub("", name.lstrip("/"))
        if self.subtype not in ("/Type0", "/TrueType"):
            raise NotImplementedError(f"{self.name}: {self.subtype} fonts are not read here")

    @cached_property
    def cids(self) -> dict[int, int] | None:
        """Code → CID from an embedded CMap (None: Identity-H, the code is the CID).

        WeasyPrint embeds one when a font lacks a glyph, mapping that code to CID 0;
        a code the CMap leaves out is CID 0 too, as in a viewer.
        """
        encoding = self.font.get("/Encoding")
        if isinstance(encoding, pikepdf.Name):
            if str(encoding) != "/Identity-H":
                raise NotImplementedError(f"{self.name}: encoding {encoding} is not read here")
            return None
        data = encoding.read_bytes()
        if b"<0000> <ffff>" not in data.lower():
            raise NotImplementedError(f"{self.name}: a CMap without two-byte codes")
        cids: dict[int, int] = {}
        for block in _CID_CHARS.findall(data):
            cids.update((int(code, 16), int(cid)) for code, cid in _CID_CHAR.findall(block))
        for block in _CID_RANGES.findall(data):
            for start, end, cid in _CID_RANGE.findall(block):
                cids.update((code, int(cid) + code - int(start, 16))
                            for code in range(int(start, 16), int(end, 16) + 1))
        return cids

    @cached_property
    def program(self) -> tuple[str, bytes]:
        descriptor = self.descendant.FontDescriptor
        for key in ("/FontFile2", "/FontFile3", "/FontFile"):
            if key in descriptor:
                stream = descriptor[key]
                return str(stream.get("/Subtype", key)), stream.read_bytes()
        raise AssertionError(f"{self.name} is not embedded")

    @cached_property
    def _sfnt(self) -> TTFont | None:
        kind, data = self.program
        return TTFont(io.BytesIO(data)) if kind in ("/FontFile2", "/OpenType") else None

    @cached_property
    def _cff(self) -> CFFFontSet | None:
        kind, data = self.program
        if kind in ("/CIDFontType0C", "/Type1C"):
            cff = CFFFontSet()
            cff.decompile(io.BytesIO(data), None)
            return cff
        if self._sfnt is not None and "CFF " in self._sfnt:
            return self._sfnt["CFF "].cff
        return None

    @cached_property
    def glyph_count(self) -> int:
        if self._sfnt is not None:
            return self._sfnt["maxp"].numGlyphs
        assert self._cff is not None
        return len(self._cff[self._cff.fontNames[0]].charset)

    @cached_property
    def to_unicode(self) -> dict[int, str]:
        if "/ToUnicode" not in self.font:
            return {}
        cmap = FileUnicodeMap()
        CMapParser(cmap, io.BytesIO(self.font.ToUnicode.read_bytes())).run()
        return dict(cmap.cid2unichr)

    def codes(self, data: bytes) -> Iterator[int]:
        """The codes a string operand shows: two bytes each in a CID font, else one."""
        if self.subtype == "/Type0":
            yield from (int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2))
        else:
            yield from data

    def glyph(self, code: int) -> int:
        """The glyph id a viewer draws for this code."""
        if self.subtype == "/Type0":
            cid = code if self.cids is None else self.cids.get(code, 0)
            return self._cid_glyph(cid)
        sfnt = self._sfnt
        assert sfnt is not None, f"{self.name}: simple font without a TrueType program"
        for table in sfnt["cmap"].tables:  # (3,0) symbol fonts map F000+code, (1,0) the code
            key = code + 0xF000 if (table.platformID, table.platEncID) == (3, 0) else code
            if (table.platformID, table.platEncID) in ((3, 0), (1, 0), (3, 1)) \
                    and key in table.cmap:
                return sfnt.getGlyphID(table.cmap[key])
        return 0

    def _cid_glyph(self, cid: int) -> int:
        mapping = self.descendant.get("/CIDToGIDMap")
        if str(self.descendant.Subtype) == "/CIDFontType2":
            if mapping is None or str(mapping) == "/Identity":
                return cid
            table = mapping.read_bytes()
            if 2 * cid + 2 > len(table):
                return 0
            return int.from_bytes(table[2 * cid:2 * cid + 2], "big")
        cff = self._cff  # CIDFontType0: a CID-keyed CFF maps CIDs through its charset
        assert cff is not None
        top = cff[cff.fontNames[0]]
        if not hasattr(top, "ROS"):
            return cid  # not CID-keyed: CIDs are glyph ids
        try:
            return top.charset.index(f"cid{cid:05d}")
        except ValueError:
            return 0


def _text_operands(operator: str, operands: list[object]) -> Iterator[bytes]:
    if operator in ("Tj", "'"):
        yield bytes(operands[0])
    elif operator == '"':
        yield bytes(operands[2])
    elif operator == "TJ":
        yield from (bytes(item) for item in operands[0] if isinstance(item, pikepdf.String))


def _walk(contents: pikepdf.Page | pikepdf.Object, resources: pikepdf.Dictionary, page: int,
          fonts: dict[tuple[int, int], _Font], seen: set[tuple[int, int]]) -> Iterator[Drawn]:
    """Every glyph drawn by one content stream and the forms it paints."""
    state: list[_Font | None] = [None]
    font_resources = resources.get("/Font", {})
    xobjects = resources.get("/XObject", {})
    for operands, operator in pikepdf.parse_content_stream(contents):
        op = str(operator)
        if op == "q":
            state.append(state[-1])
        elif op == "Q" and len(state) > 1:
            state.pop()
        elif op == "Tf":
            resource = font_resources[str(operands[0])]
            key = resource.objgen
            if key not in fonts:
                fonts[key] = _Font(resource)
            state[-1] = fonts[key]
        elif op == "Do":
            xobject = xobjects[str(operands[0])]
            if str(xobject.get("/Subtype")) == "/Form" and xobject.objgen not in seen:
                seen.add(xobject.objgen)
                yield from _walk(xobject, xobject.get("/Resources", resources), page,
                                 fonts, seen)
                seen.discard(xobject.objgen)
        else:
            for data in _text_operands(op, operands):
                font = state[-1]
                assert font is not None, f"page {page}: text shown before any Tf"
                for code in font.codes(data):
                    yield Drawn(page, font.name, code, font.glyph(code),
                                font.to_unicode.get(code, ""), font.glyph_count)


def drawn(path: Path) -> Iterator[Drawn]:
    """Every glyph every page of the PDF at ``path`` draws, in content-stream order."""
    fonts: dict[tuple[int, int], _Font] = {}
    with pikepdf.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            yield from _walk(page, page.Resources, number, fonts, set())


def boxes(path: Path) -> list[Drawn]:
    """The drawn glyphs a reader sees as boxes (empty: every character has its glyph)."""
    return [glyph for glyph in drawn(path) if glyph.is_box]


def embedded_fonts(path: Path) -> set[str]:
    """Names of the fonts the PDF's pages draw with, subset prefixes removed."""
    return {glyph.font for glyph in drawn(path)}
