"""The PDF editions and paper sizes, as data: one row each, no renderer code.

Kept apart from ``publish.render.pdf`` so that the command line can list the
names without importing WeasyPrint, pikepdf or lxml.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PdfVariant:
    """One PDF edition: its file name suffix, its stylesheet layers, its PDF flavour."""

    suffix: str
    layers: tuple[str, ...]
    pdf_variant: str = "pdf/ua-1"


VARIANTS: dict[str, PdfVariant] = {
    # Clear print (RNIB): 14 pt body, nothing under 12 pt. The default download.
    "standard": PdfVariant(".pdf", ("print.css",)),
    # UKAAF large print: reflowed, never scaled, with every piece of text at least 16 pt.
    "large-print": PdfVariant("-large-print.pdf", ("print.css", "print-large.css")),
    # For a print shop only: 3 mm bleed and crop marks around the same pages. Still
    # PDF/UA-1 (the marks are artifacts). Not PDF/X: that needs a CMYK output profile.
    "print-shop": PdfVariant("-print-shop.pdf", ("print.css", "print-shop.css")),
}
"""PDF editions by name (``publish build --variant NAME``)."""

DEFAULT_VARIANTS: tuple[str, ...] = ("standard", "large-print")
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
