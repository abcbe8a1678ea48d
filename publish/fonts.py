"""Which font draws each character of a guide, and only those fonts in its outputs.

A character no font has is drawn as an empty box, yet every text-based check
still reads it correctly; and a font found through fontconfig is whatever the
machine happens to have. So every font a guide may use is a row of
``styles/fonts/fonts.yaml``, pinned by SHA-256, tried in the table's order for
the guide's language (the first font that has a character draws it, as
WeasyPrint and browsers do with the ``font-family`` list):

- :func:`check` is the ``font-coverage`` rule: a character that no font of the
  table has stops the build, with its line and Unicode name, before anything
  is rendered;
- :func:`stylesheet` gives the ``@font-face`` rules and the ``--font-body``
  family list of one guide: each font beyond the always-loaded Atkinson
  Hyperlegible (``styles/fonts.css``) is subset to the characters the guide
  uses, under a family name of its own — so WeasyPrint and the HTML page see
  a small font, never the 19 MB CJK collection, and a guide written only in
  Latin gets nothing new at all.

Subsets are made with HarfBuzz (``uharfbuzz``: ≈ 0.1 s for a face of the CJK
collection, where fontTools takes seconds), one per face for the PDFs and the
page, and kept in the build cache (``fonts/`` under
``publish.cache.cache_dir()``) by font hash and character set.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import os
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import yaml

from publish import cache
from publish.diagnostics import Diagnostic
from publish.errors import PublishError, SourceError
from publish.styles import FONTS_DIR, tokens

if TYPE_CHECKING:
    from publish.model import Document

TABLE = FONTS_DIR / "fonts.yaml"
SUBSET_SCHEME = "hb-subset; all layout features; all names; CID = glyph id; v3"
"""Part of every subset's cache key: change it when the way subsets are made changes."""
URL_PREFIX = "publish-font:"
"""How a stylesheet of :func:`stylesheet` names a subset (see :func:`font_file`)."""
CACHED_FILES = 64
"""Font files the build cache keeps (newest first; a CJK guide makes four, ≈ 2.5 MB), and
this process in memory."""

GENERATED = " .0123456789•–·"
"""Characters the stylesheets and renderers draw without their being in any text: list
markers and numbers (``styles/fonts.css`` gives nested lists markers the fonts have),
page numbers and the footer's separator. Each subset keeps those its font has, so the
font that draws a guide's text draws them too."""

Kind = Literal["truetype", "woff"]
"""``truetype``: the subset as it is (sfnt, for WeasyPrint); ``woff``: compressed for the
HTML page (zlib WOFF 1: brotli's WOFF 2 takes seconds on a CJK subset)."""

_DEFAULT_IGNORABLE = ((0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C),
                      (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F),
                      (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F),
                      (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
                      (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
                      (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF))
"""Unicode's Default_Ignorable_Code_Point ranges (DerivedCoreProperties.txt): joiners,
direction marks and isolates, soft hyphens, variation selectors. Pango draws them as
nothing (no glyph), so no font needs them."""

_RANGE = re.compile(r"U\+([0-9A-Fa-f]{4,6})(?:-([0-9A-Fa-f]{4,6}))?")


def _code_points(ranges: str) -> frozenset[int]:
    """``"U+0020-007E U+00A0"`` → the code points it names."""
    points: set[int] = set()
    for start, end in _RANGE.findall(ranges):
        points.update(range(int(start, 16), int(end or start, 16) + 1))
    return frozenset(points)


@dataclass(frozen=True)
class Face:
    """One file (or one face of a collection) of a font, at one weight."""

    weight: int
    path: Path
    index: int
    sha256: str


@dataclass(frozen=True)
class Font:
    """One row of the font table (see the comments at the top of ``fonts.yaml``)."""

    key: str
    family: str
    faces: tuple[Face, ...]
    scripts: str
    version: str
    licence: str
    source: str
    package: str = ""
    stylesheet: str = ""
    known: frozenset[int] = frozenset()
    keep: frozenset[int] = frozenset()
    line_height: float | None = None

    @property
    def installed(self) -> bool:
        """Shipped in ``styles/fonts/`` (False: a Debian package installs it)."""
        return not self.package

    def install_hint(self) -> str:
        return (f"install the Debian package {self.package} (`sh scripts/install-build-deps.sh` "
                "does it)")


@dataclass(frozen=True)
class FontTable:
    fonts: dict[str, Font]
    order: tuple[str, ...]
    languages: dict[str, dict[str, object]]

    def stack(self, lang: str) -> tuple[Font, ...]:
        """The fonts a guide in ``lang`` may use, in the order they are tried."""
        row = self._row(lang)
        instead: dict[str, str] = row.get("instead", {})  # type: ignore[assignment]
        order = [instead.get(key, key) for key in self.order]
        first: list[str] = row.get("first", [])  # type: ignore[assignment]
        prefer: list[str] = row.get("prefer", [])  # type: ignore[assignment]
        keys = [*first, *order[:1], *prefer, *order[1:]]
        return tuple(self.fonts[key] for key in dict.fromkeys(keys))

    def _row(self, lang: str) -> dict[str, object]:
        parts = lang.lower().split("-")
        for end in range(len(parts), 0, -1):
            row = self.languages.get("-".join(parts[:end]))
            if row is not None:
                return row
        return {}


@lru_cache(maxsize=1)
def table() -> FontTable:
    """The font table in ``styles/fonts/fonts.yaml``."""
    # libyaml's parser when PyYAML has it: 1 ms here against 17 ms in pure Python.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(TABLE.read_text(encoding="utf-8"), Loader=loader)
    fonts = {}
    for key, row in data["fonts"].items():
        faces = tuple(Face(int(weight), FONTS_DIR / face["file"], int(face.get("index", 0)),
                           face["sha256"]) for weight, face in sorted(row["faces"].items()))
        fonts[key] = Font(key, row["family"], faces, row["scripts"], str(row["version"]),
                          row["licence"], row["source"], row.get("package", ""),
                          row.get("stylesheet", ""), _code_points(row.get("known", "")),
                          _code_points(row.get("keep", "")), row.get("line_height"))
    languages = {tag.lower(): row for tag, row in (data.get("languages") or {}).items()}
    return FontTable(fonts, tuple(data["order"]), languages)


# --- What a guide draws -------------------------------------------------------------


def needs_glyph(char: str) -> bool:
    """Whether drawing ``char`` takes a glyph from some font.

    Spaces keep the font of the text around them (Pango never picks a font for a
    space; HarfBuzz draws a space the font lacks as a sized ASCII space), and
    default-ignorable characters are drawn as nothing.
    """
    if unicodedata.category(char) in ("Zs", "Zl", "Zp", "Cc"):
        return False
    point = ord(char)
    return not any(start <= point <= end for start, end in _DEFAULT_IGNORABLE)


def drawn_text(doc: Document) -> str:
    """Every text the outputs draw: the guide's own words, the pipeline's for its language,
    and the guide's other languages, each named in itself and by its title (the language
    switcher, "Other formats"): an English leaflet that lists "العربية" draws Arabic."""
    meta = doc.meta
    parts = ["".join(doc.body.itertext()), meta.title, meta.version, meta.publisher]
    parts.extend(doc.labels.labels.values())
    for version in doc.languages:
        parts.extend((version.title, version.name))
    return "\n".join(parts)


def drawn(text: str) -> frozenset[str]:
    """The distinct characters of ``text``, controls (line breaks) left out."""
    return frozenset(c for c in set(text) if unicodedata.category(c) != "Cc")


def characters(doc: Document) -> frozenset[str]:
    """The distinct characters of :func:`drawn_text`, line breaks and controls left out.

    Spaces and joiners are in: they need no font of their own, but the font drawing
    the text around them must still have them (a subset without the space draws
    every space of an Arabic line as a box).
    """
    key = (doc.source_sha256, doc.meta.lang, tuple(v.title for v in doc.languages))
    if key not in _CHARACTERS:  # the PDF asks once per layout of each edition
        if len(_CHARACTERS) >= CACHED_FILES:
            _CHARACTERS.clear()
        _CHARACTERS[key] = drawn(drawn_text(doc))
    return _CHARACTERS[key]


_CHARACTERS: dict[tuple[str, str, tuple[str, ...]], frozenset[str]] = {}


def unicode_name(char: str) -> str:
    """``U+0130 LATIN CAPITAL LETTER I WITH DOT ABOVE``, or ``U+E000 <private use>``."""
    name = unicodedata.name(char, "")
    if not name:
        kinds = {"Co": "private use", "Cn": "unassigned", "Cs": "surrogate", "Cc": "control"}
        name = f"<{kinds.get(unicodedata.category(char), 'no name')}>"
    return f"U+{ord(char):04X} {name}"


# --- Fonts on disk -------------------------------------------------------------------


@lru_cache(maxsize=64)
def _cmap(path: Path, index: int) -> frozenset[int]:
    """The code points a font face has (reads the file; raises OSError when it is absent)."""
    import uharfbuzz as hb

    if not path.is_file():
        raise FileNotFoundError(path)
    return frozenset(hb.Face(hb.Blob.from_file_path(str(path)), index).unicodes)


@lru_cache(maxsize=32)
def _coverage(font: Font) -> frozenset[int]:
    """The code points every weight of ``font`` has (OSError: not installed)."""
    return frozenset.intersection(*(_cmap(face.path, face.index) for face in font.faces))


def covers(font: Font, char: str) -> bool:
    """Whether every weight of ``font`` has a glyph for ``char`` (OSError: not installed)."""
    point = ord(char)
    return point in font.known or point in _coverage(font)


@dataclass(frozen=True)
class Plan:
    """Which font draws which characters of one guide, and what no font has."""

    stack: tuple[Font, ...]
    drawn_by: dict[str, frozenset[str]]
    """Font key → the guide's characters it is first to have (fonts drawing none left out)."""
    uncovered: frozenset[str]
    unavailable: tuple[Font, ...]
    """Fonts that might have drawn an uncovered character but are not installed."""

    @property
    def fonts(self) -> tuple[Font, ...]:
        """The fonts the guide's outputs load: always the stylesheet fonts, then those needed."""
        return tuple(f for f in self.stack if f.stylesheet or f.key in self.drawn_by)


def plan(lang: str, chars: Iterable[str]) -> Plan:
    """Give each character to the first font of the language's stack that has it.

    Font files are read only for characters the fonts before them do not claim as
    ``known``: a guide in plain Latin reads none.
    """
    stack = table().stack(lang)
    remaining = {c for c in chars if needs_glyph(c)}
    drawn_by: dict[str, frozenset[str]] = {}
    unavailable: list[Font] = []
    for font in stack:
        if not remaining:
            break
        try:
            mine = frozenset(c for c in remaining if covers(font, c))
        except OSError:
            unavailable.append(font)
            continue
        if mine:
            drawn_by[font.key] = mine
            remaining -= mine
    return Plan(stack, drawn_by, frozenset(remaining), tuple(unavailable))


def check(doc: Document) -> list[Diagnostic]:
    """``font-coverage``: each character no font has, at the first line that uses it.

    A character only the pipeline writes (a label of the guide's language) points
    at the ``lang`` line of the front matter.
    """
    found = plan(doc.meta.lang, characters(doc))
    if not found.uncovered:
        return []
    lines = _first_lines(doc.path)
    fallback = doc.meta.lines.get("lang")
    uncovered = sorted(found.uncovered, key=lambda c: (lines.get(c, fallback) or 0, c))

    def described(char: str) -> str:
        shown = f" ('{char}')" if char.isprintable() else ""
        where = "" if char in lines else " (in the pipeline's own words for this language)"
        return f"{unicode_name(char)}{shown}{where}"

    if found.unavailable:  # one message: a whole script may be missing, not one character
        first, missing = uncovered[0], found.unavailable[0]
        others = f" and {len(uncovered) - 1} other characters" if len(uncovered) > 1 else ""
        return [Diagnostic(
            "font-missing", f"{described(first)}{others} are in none of the installed fonts, "
            f"and {missing.family}, which may have them, is not installed: "
            f"{missing.install_hint()}", doc.path, lines.get(first, fallback))]
    names = ", ".join(f.family for f in found.stack)
    return [Diagnostic(
        "font-coverage", f"{described(char)} is in none of the fonts for lang "
        f"'{doc.meta.lang}' ({names}) and would print as an empty box; replace it, or add "
        "a font that has it to styles/fonts/fonts.yaml (docs/languages.md, 'Scripts and "
        "fonts')", doc.path, lines.get(char, fallback)) for char in uncovered]


def _first_lines(path: Path) -> dict[str, int]:
    """Each character of the source file → the first line it is on."""
    first: dict[str, int] = {}
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return first
    for number, line in enumerate(text.split("\n"), start=1):
        for char in set(line):
            first.setdefault(char, number)
    return first


# --- Subsets and stylesheets ---------------------------------------------------------


def _pinned_bytes(font: Font, face: Face) -> bytes:
    """The file of a face, refused unless it is the pinned one."""
    try:
        data = face.path.read_bytes()
    except OSError:
        raise SourceError("font-missing", f"{font.family} ({face.path}) is not installed: "
                          f"{font.install_hint()}") from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != face.sha256:
        raise SourceError("font-missing", f"{face.path} is not the pinned {font.family} "
                          f"{font.version} (SHA-256 {digest[:12]}…, expected "
                          f"{face.sha256[:12]}…); "
                          + (font.install_hint() if font.package else
                             "restore it from the repository"))
    return data


_FILES: OrderedDict[str, bytes] = OrderedDict()
"""Font files this process made or read, newest last, by the name :data:`URL_PREFIX`
addresses them with; at most :data:`CACHED_FILES` (``publish watch`` runs for hours)."""


def _keep(name: str, data: bytes) -> None:
    _FILES[name] = data
    _FILES.move_to_end(name)
    while len(_FILES) > CACHED_FILES:
        _FILES.popitem(last=False)


def _cached(name: str, make: Callable[[], bytes]) -> str:
    """Keep the bytes ``make`` gives in the build cache (``fonts/<name>``) and in this
    process; returns ``name``. Made only when neither has them."""
    if name in _FILES:
        _FILES.move_to_end(name)
        return name
    path = cache.cache_dir() / "fonts" / name
    try:
        _keep(name, path.read_bytes())
        return name
    except OSError:
        pass
    data = make()
    _keep(name, data)
    with contextlib.suppress(OSError):  # a read-only cache only costs time
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{name}.{os.getpid()}")
        partial.write_bytes(data)
        os.replace(partial, path)
        _prune(path.parent)
    return name


def _prune(folder: Path) -> None:
    """Keep the newest :data:`CACHED_FILES` files: every edit of a guide that adds a
    character makes new subsets, and those of older versions are rarely wanted again."""
    entries = sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in entries[CACHED_FILES:]:
        with contextlib.suppress(OSError):
            stale.unlink()


def font_file(url: str) -> bytes:
    """The bytes of a font a stylesheet of this process names (``publish-font:…``)."""
    name = url.removeprefix(URL_PREFIX)
    if name not in _FILES:  # made long ago in this process: the build cache may have it
        _keep(name, (cache.cache_dir() / "fonts" / name).read_bytes())
    return _FILES[name]


def subset(font: Font, face: Face, chars: frozenset[str]) -> str:
    """The face cut down to ``chars`` (and all that shaping them needs): a file name.

    Every layout feature is kept, so Arabic joining, Indic conjuncts and CJK
    punctuation shape as in the full font; every name is kept, so the subset
    still carries its copyright and licence.
    """
    text = "".join(sorted(chars))
    key = hashlib.sha256(f"{SUBSET_SCHEME}\0{face.sha256}\0{face.index}\0{text}"
                         .encode()).hexdigest()

    def make() -> bytes:
        import uharfbuzz as hb

        wanted = hb.SubsetInput()
        for char in text:
            wanted.unicode_set.add(ord(char))
        for kind in (hb.SubsetInputSets.LAYOUT_FEATURE_TAG, hb.SubsetInputSets.NAME_ID,
                     hb.SubsetInputSets.NAME_LANG_ID):
            everything = wanted.sets(kind)
            everything.clear()  # the default set, inverted, would be all but the defaults
            everything.invert()
        cut = hb.subset(_source(font, face), wanted)
        if cut is None:
            raise PublishError(f"could not subset {face.path}")
        return _cids_are_glyph_ids(bytes(cut.blob.data))

    return _cached(f"{key}.sfnt", make)


def _source(font: Font, face: Face) -> object:
    """The pinned face as HarfBuzz reads it (once per subset: the page and the PDFs of a
    guide share each subset, and the CJK collection is 20 MB to keep in memory)."""
    import uharfbuzz as hb

    return hb.Face(hb.Blob(_pinned_bytes(font, face)), face.index)


def _cids_are_glyph_ids(sfnt: bytes) -> bytes:
    """The subset with the CIDs of a CID-keyed CFF font renumbered to its glyph ids.

    A PDF viewer finds a glyph of a CID-keyed CFF font (Noto Sans CJK) by its CID,
    through the font's charset, and WeasyPrint writes glyph ids as CIDs. In the full
    font each glyph's CID is its id; a subset numbers its glyphs anew but keeps their
    old CIDs, so CID 5 would name a glyph the subset has not got. The CIDs of an
    Adobe-Identity font mean nothing else, and every other table indexes glyphs by id,
    so only the charset changes: outlines and shaping stay as they were (tested).
    """
    if sfnt[:4] != b"OTTO":
        return sfnt
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(sfnt), recalcBBoxes=False, recalcTimestamp=False)
    top = font["CFF "].cff.topDictIndex[0]
    old = list(top.charset)
    new = [".notdef", *(f"cid{gid:05d}" for gid in range(1, len(old)))]
    if not hasattr(top, "ROS") or old == new:
        return sfnt
    strings = top.CharStrings
    strings.charStrings = {name: strings.charStrings[was]
                           for was, name in zip(old, new, strict=True)}
    top.charset = new
    font.setGlyphOrder(new)
    out = io.BytesIO()
    font.save(out, reorderTables=False)
    return out.getvalue()


def _woff(sfnt: str) -> str:
    """The same font as WOFF 1 (zlib), for the HTML page."""
    def make() -> bytes:
        from fontTools.ttLib import TTFont

        font = TTFont(io.BytesIO(font_file(URL_PREFIX + sfnt)), recalcTimestamp=False,
                      recalcBBoxes=False)
        font.flavor = "woff"
        out = io.BytesIO()
        font.save(out, reorderTables=False)
        return out.getvalue()

    return _cached(sfnt.replace(".sfnt", ".woff"), make)


def _quoted(family: str) -> str:
    return '"' + family.replace("\\", "\\\\").replace('"', '\\"') + '"'


@lru_cache(maxsize=16)
def _stylesheet(lang: str, chars: frozenset[str], kind: Kind) -> str:
    found = plan(lang, chars)
    subsets = [font for font in found.fonts if not font.stylesheet]
    if not subsets and found.stack[0].stylesheet:
        return ""  # the hand-written stylesheets already say everything
    rules, families = [], []
    for font in found.fonts:
        if font.stylesheet:
            families.append(_quoted(font.family))
            continue
        extra = {*GENERATED, *(chr(p) for p in font.keep)}
        mine = frozenset(c for c in chars | extra if covers(font, c))
        alias = f"{font.family} {hashlib.sha256(''.join(sorted(mine)).encode()).hexdigest()[:8]}"
        families.append(_quoted(alias))
        for face in font.faces:
            name = subset(font, face, mine)
            if kind == "woff":
                name, fmt = _woff(name), "woff"
            else:
                fmt = "opentype" if font_file(URL_PREFIX + name)[:4] == b"OTTO" else "truetype"
            rules.append(f"@font-face {{ font-family: {_quoted(alias)}; font-style: normal; "
                         f'font-weight: {face.weight}; src: url({URL_PREFIX}{name}) '
                         f'format("{fmt}"); }}')
    known = {f.family for f in table().fonts.values()}
    fallbacks = [name.strip() for name in tokens()["--font-body"].split(",")
                 if name.strip().strip("\"'") not in known]
    declarations = [f"--font-body: {', '.join(families + fallbacks)};"]
    heights = [font.line_height for font in found.fonts if font.line_height]
    if heights:
        height = max(heights)
        declarations += [f"--{medium}-line-height: {height};" for medium in ("screen", "print")]
    rules.append(":root { " + " ".join(declarations) + " }")
    return "\n".join(rules) + "\n"


def stylesheet(doc: Document, kind: Kind) -> str:
    """The fonts of one guide beyond ``styles/fonts.css``: '' for a guide in plain Latin.

    ``@font-face`` rules with each needed font subset, then ``--font-body``
    listing the guide's fonts in the order they are tried. The subsets are named
    ``publish-font:…`` URLs: the PDF renderer's fetcher serves them from memory
    (:func:`font_file`), the HTML renderers inline them as data last
    (:func:`inline`), after the stylesheet has been parsed and scoped — a CSS
    parser reads a data URL character by character (≈ 0.3 s for a CJK subset).
    Each subset gets a family name of its own (the font's name and a hash of its
    characters): WeasyPrint keeps the fonts of every guide a process builds, and a
    font installed on the machine under the same name must never stand in for it.
    """
    return _stylesheet(doc.meta.lang, characters(doc), kind)


def stylesheet_for(lang: str, text: str, kind: Kind) -> str:
    """:func:`stylesheet` for a page that is not one guide's (the folder's catalogue):
    the fonts that draw ``text`` on a page in ``lang``."""
    return _stylesheet(lang, drawn(text), kind)



def prepare(doc: Document) -> None:
    """Cut the guide's font subsets now, into the build cache.

    Called where the guide is parsed and checked (a worker, in a cold build with two
    cores, while the main process imports WeasyPrint): the processes that then render
    the two PDFs side by side read the subsets instead of each cutting them from the
    same fonts (≈ 0.2 s each for a Chinese guide; docs/performance.md). Their WOFF
    copies are made where the page renders: wrapping a CJK subset takes about as long
    again, and would hold up the PDFs.
    """
    stylesheet(doc, "truetype")


_URL = re.compile(r"url\(\s*[\"']?" + re.escape(URL_PREFIX) + r"([\w.]+)[\"']?\s*\)")


def inline(css: str) -> str:
    """Replace the ``publish-font:`` URLs of :func:`stylesheet` with data URLs."""
    def data(match: re.Match[str]) -> str:
        name = match.group(1)
        mime = "font/woff" if name.endswith(".woff") else "font/sfnt"
        encoded = base64.b64encode(font_file(URL_PREFIX + name)).decode("ascii")
        return f"url(data:{mime};base64,{encoded})"
    return _URL.sub(data, css)
