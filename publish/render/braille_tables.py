"""Braille data: which liblouis table writes each language, and the page sizes.

Rows, not code: a language gains braille by adding its row here (after
checking that the table exists in ``liblouis-data`` and writes six-dot braille,
which a BRF can hold). Table names are files in ``/usr/share/liblouis/tables``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SUPPLEMENTS_DIR = Path(__file__).resolve().parent / "braille_data"
"""publish's own liblouis tables: what a Debian table lacks (each file says where every
cell comes from), loaded after the base table as a liblouis table list."""


@dataclass(frozen=True)
class BrailleCode:
    """The tables of one language: uncontracted (grade 1) and contracted (grade 2).

    ``usual`` is the grade readers of that language are normally given: contracted
    UEB for English, uncontracted where contracted braille is little used or
    liblouis has no contracted table. ``note_open``/``note_close`` are the code's
    transcriber's-note indicators, as dot numbers (empty: the code has none that
    liblouis knows, and the note is set apart by its indent alone).
    """

    grade1: str
    grade2: str | None = None
    usual: int = 1
    note_open: tuple[str, ...] = ()
    note_close: tuple[str, ...] = ()
    bold: bool = False
    """Whether the table defines bold (liblouis emphasis class 3) to mark ``<strong>``."""
    extra: str | None = None
    """Our supplementary table in ``braille_data/`` for characters the base table lacks."""

    def table(self, grade: int | None) -> str:
        """The table list for ``grade`` (None: the usual one), as liblouis takes it: the
        base table, then our supplement if any. Grade 2 falls back to grade 1 for a
        language without a contracted table."""
        wanted = grade or self.usual
        base = self.grade2 if wanted == 2 and self.grade2 else self.grade1
        return f"{base},{SUPPLEMENTS_DIR / self.extra}" if self.extra else base


UEB = BrailleCode("en-ueb-g1.ctb", "en-ueb-g2.ctb", usual=2,
                  note_open=("4", "46", "126"), note_close=("4", "46", "345"), bold=True)
"""Unified English Braille; transcriber's note indicators from the Rules of UEB 3.27."""

CODES: dict[str, BrailleCode] = {
    "en": UEB,
    "es": BrailleCode("es-g1.ctb", "es-g2.ctb"),
    "pt": BrailleCode("pt-pt-g1.utb", "pt-pt-g2.ctb"),
    "fr": BrailleCode("fr-bfu-comp6.utb", "fr-bfu-g2.ctb"),
    "de": BrailleCode("de-g1.ctb", "de-g2.ctb"),
    "it": BrailleCode("it-it-comp6.utb"),
    "nl": BrailleCode("nl-NL-g0.utb"),
    "pl": BrailleCode("pl.tbl"),
    "tr": BrailleCode("tr-g1.ctb", "tr-g2.ctb"),
    "uk": BrailleCode("uk.utb"),
    "ru": BrailleCode("ru-litbrl.ctb"),
    "el": BrailleCode("el.ctb"),
    "ar": BrailleCode("ar-ar-g1.utb", "ar-ar-g2.ctb"),
    "fa": BrailleCode("fa-ir-g1.utb", extra="fa-extra.uti"),  # + Latin, hamza above
    "he": BrailleCode("he-IL.utb"),
    "hi": BrailleCode("hi-in-g1.utb"),
    "bn": BrailleCode("bn.tbl", extra="bn-extra.uti"),  # + danda, nukta
    "pa": BrailleCode("pa.tbl"),
    "gu": BrailleCode("gu-in-g1.utb", extra="gu-extra.uti"),  # + candra O, danda
    "mr": BrailleCode("mr-in-g1.utb"),
    "ta": BrailleCode("ta-ta-g1.ctb"),
    "te": BrailleCode("te-in-g1.utb"),
    "am": BrailleCode("ethio-g1.ctb"),  # Ethiopic script (it lacks Tigrinya's extra letters)
    "zh": BrailleCode("zh-chn.ctb"),  # mainland Chinese braille, either script
    "zh-tw": BrailleCode("zh-tw.ctb"),  # the region decides the braille system, not the script
    "zh-hk": BrailleCode("zh-hk.ctb"),  # Cantonese braille
    "ko": BrailleCode("ko-g1.ctb", "ko-g2.ctb"),
    "vi": BrailleCode("vi-vn-g1.ctb", "vi-vn-g2.ctb"),
    "sw": BrailleCode("sw-ke-g1.utb", "sw-ke-g2.ctb"),
    "cy": BrailleCode("cy-cy-g1.utb", "cy-cy-g2.ctb"),
}
"""Language tag (``zh-hant``) or primary subtag (``es`` of ``es-MX``) → its braille code.

Left out after trying them (liblouis 3.24): ``ro.ctb`` writes eight-dot computer
braille, ``ne.ctb`` has no braille for common vowel signs (ै), the Urdu tables none
for the decimal point of "4.5", ``ethio-g1.ctb`` none for Tigrinya's extra letters (ቐ).
Where a table lacks a few characters of a language's usual text (``bn.tbl`` the danda
"।", ``gu-in-g1.utb`` the vowel sign "ૉ", ``fa-ir-g1.utb`` six-dot Latin letters), its
row names a supplement of ours (``extra``). A guide in a language with no row is left
out of a default build's braille, and stops an explicit ``--format braille`` with a
``render-braille`` error, rather than getting a braille file with holes in it; so does
a character a table still lacks (``zh-tw.ctb`` has no Latin letters)."""


@dataclass(frozen=True)
class BraillePage:
    """An embosser page: braille cells per line and lines per page."""

    cells: int
    lines: int


PAGE_SIZES: dict[str, BraillePage] = {
    "40x25": BraillePage(40, 25),
    "38x27": BraillePage(38, 27),
    "34x25": BraillePage(34, 25),
    "32x28": BraillePage(32, 28),
    "28x25": BraillePage(28, 25),
}
"""Page sizes by name (cells × lines); ``40x25`` is the default, BANA's usual page."""

DEFAULT_PAGE = "40x25"


def code_for(lang: str) -> BrailleCode | None:
    """The braille code for a BCP 47 tag, or None when liblouis has no table for it: the
    longest prefix of the tag that has a row (``zh-Hant-TW`` → ``zh-hant``)."""
    parts = lang.lower().split("-")
    return next((CODES[tag] for n in range(len(parts), 0, -1)
                 if (tag := "-".join(parts[:n])) in CODES), None)


def label(tables: str) -> str:
    """A table list as messages name it: file names only (``fa-ir-g1.utb + fa-extra.uti``)."""
    return " + ".join(Path(table).name for table in tables.split(","))
