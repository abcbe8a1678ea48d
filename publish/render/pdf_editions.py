"""The PDF editions, paper sizes and print conditions, as data: one row each.

Kept apart from ``publish.render.pdf`` so that the command line can list the
names without importing WeasyPrint, pikepdf or lxml.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PdfVariant:
    """One PDF edition: its file name suffix, its stylesheet layers, its PDF flavour.

    ``paper`` fixes the paper size whatever ``--paper`` says (the booklet is A5 by
    nature). ``finish`` names what is done to the laid-out PDF before it is written:
    ``"pdf/x-4"`` (``publish.render.pdfx``: CMYK for the print condition, checked by
    ``publish.preflight``) or ``"booklet"`` (``publish.render.booklet``: imposed
    two-up for saddle stitching); ``None`` writes the PDF/UA file as laid out.
    """

    suffix: str
    layers: tuple[str, ...]
    pdf_variant: str = "pdf/ua-1"
    paper: str | None = None
    finish: str | None = None


STANDARD = "standard"
"""The edition whose pages other outputs refer to (the EPUB page list, braille print page
numbers) and whose first page carries the draft marking."""

VARIANTS: dict[str, PdfVariant] = {
    # Clear print (RNIB): 14 pt body, nothing under 12 pt. The default download.
    STANDARD: PdfVariant(".pdf", ("print.css",)),
    # UKAAF large print: reflowed, never scaled, with every piece of text at least 16 pt.
    "large-print": PdfVariant("-large-print.pdf", ("print.css", "print-large.css")),
    # For a print shop only: PDF/X-4 in CMYK for the print condition (--print-condition),
    # 3 mm bleed and crop marks, text and rules in black ink only. Not tagged (a
    # production file; the accessible editions are the two above).
    "print-shop": PdfVariant("-print-shop.pdf", ("print.css", "print-shop.css"),
                             finish="pdf/x-4"),
    # For an office duplex printer: the A5 edition imposed two-up on A4 landscape in
    # saddle-stitch order (print both sides, flip on the short edge, fold, staple).
    "booklet": PdfVariant("-booklet.pdf", ("print.css",), paper="A5", finish="booklet"),
}
"""PDF editions by name (``publish build --variant NAME``)."""

DEFAULT_VARIANTS: tuple[str, ...] = (STANDARD, "large-print")
"""What a plain ``publish build`` makes; the print-shop file is never a default."""

PAPERS: dict[str, tuple[str, ...]] = {
    "A4": (),  # print.css is A4: UKAAF asks for A4 unless there is a reason for another size
    "A5": ("print-a5.css",),
}
"""Paper sizes by name (``--paper``): layers added after each edition's own."""

DIRECTIONS: dict[str, tuple[str, ...]] = {
    "ltr": (),
    "rtl": ("print-rtl.css",),  # the running footer mirrored: title right, page number left
}
"""Layers added last for the guide's writing direction (its ``dir``)."""

ICC_DIR = Path(__file__).resolve().parent.parent / "icc"
"""The CMYK output profiles (made by scripts/make-icc-profiles.sh; see icc/README.md)."""


@dataclass(frozen=True)
class PrintCondition:
    """A characterised printing condition: what a PDF/X output intent names.

    ``identifier`` is the OutputConditionIdentifier print shops recognise (the
    characterisation's name in the ICC registry); ``profile`` the file in ``ICC_DIR``
    embedded as the DestOutputProfile and used for the conversion to CMYK;
    ``ink_limit`` the total area coverage (C+M+Y+K, %) the press accepts, which the
    profile was made to respect and the preflight measures.
    """

    identifier: str
    condition: str
    profile: str
    ink_limit: int = 300

    @property
    def profile_path(self) -> Path:
        return ICC_DIR / self.profile


PRINT_CONDITIONS: dict[str, PrintCondition] = {
    # Sheet-fed offset on coated paper (ISO 12647-2 paper type 1 or 2): the usual default.
    "FOGRA39": PrintCondition(
        "FOGRA39", "Offset printing, ISO 12647-2:2004/Amd 1, coated paper (type 1 or 2), "
        "screen 60/cm", "FOGRA39L-TAC300.icc"),
    # Offset on uncoated paper (ISO 12647-2 paper type 4): office and letterhead stock.
    "FOGRA29": PrintCondition(
        "FOGRA29", "Offset printing, ISO 12647-2:2004, uncoated white paper (type 4), "
        "screen 60/cm", "FOGRA29L-TAC300.icc"),
}
"""Print conditions by name (``--print-condition``)."""

DEFAULT_PRINT_CONDITION = "FOGRA39"
