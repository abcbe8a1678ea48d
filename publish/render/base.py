"""The interface every renderer implements, and what it receives."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from publish.clock import source_date
from publish.render.pdf_editions import DEFAULT_PRINT_CONDITION, DEFAULT_VARIANTS

if TYPE_CHECKING:
    from publish.model import Document


@dataclass(frozen=True)
class RenderOptions:
    """Choices from the command line that change outputs."""

    heading_base: int = 1
    pdf_variants: tuple[str, ...] = DEFAULT_VARIANTS
    paper: str = "A4"  # a key of publish.render.pdf.PAPERS; A4 unless asked (UKAAF)
    print_condition: str = DEFAULT_PRINT_CONDITION  # print-shop file: a PRINT_CONDITIONS key
    strict: bool = False
    braille_grade: int | None = None  # 1 or 2; None: the language's usual (UEB: 2)
    braille_page: str = "40x25"  # a key of publish.render.braille_tables.PAGE_SIZES (default)
    leave_out_unavailable: bool = False
    """True when no format was asked for by name (``publish build`` without ``--format``):
    a format this guide cannot have (braille in a language liblouis has no table for) is
    then left out with a note, not an error; asked for by name, it stops the build."""
    base_url: str = ""
    """Where the fragment's links to the other formats point (``--base-url``): the
    partner site's copy of the output folder; empty: beside the fragment."""


@dataclass
class RenderContext:
    """Per-build state shared by renderers: options, the build date, cross-output facts."""

    doc: Document
    options: RenderOptions
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def stem(self) -> str:
        """Output files are named after the source: guide.md → guide.html, guide.pdf …"""
        return self.doc.path.stem

    @property
    def build_date(self) -> dt.datetime:
        """The date written into outputs: SOURCE_DATE_EPOCH, else the guide's own date.

        Never the clock, so the same source gives the same bytes.
        """
        fixed = source_date()
        if fixed is not None:
            return fixed
        day = self.doc.meta.modified or dt.date(2000, 1, 1)
        return dt.datetime(day.year, day.month, day.day)


class Renderer(Protocol):
    """Turns the document model into the files of one format."""

    name: ClassVar[str]

    def render(self, ctx: RenderContext) -> dict[str, bytes]:
        """Return file name → content; nothing is written to disk here."""
        ...
