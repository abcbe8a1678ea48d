"""What each output file is to a reader: its kind, file format, size and page count.

One row per kind of file (data, not code): the "Other formats" list of every
guide, the manifest and the folder's catalogue (``index.html``, ``opds.xml``)
all name a file from the same row, so they never disagree. A new output (a
braille file, a booklet) is one more row here and one label in
``publish.labels``.

Everything here is worked out from a file's name and bytes, so it can be said
of a file rendered in this build, restored from the cache or already on disk.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from publish.labels import labels_for


@dataclass(frozen=True)
class Kind:
    """A kind of output, recognised by what follows the guide's stem in its file name."""

    key: str
    suffix: str
    file_format: str
    """The short format name readers know: PDF, EPUB, HTML, BRF."""
    media_type: str
    label: str
    """``publish.labels`` key of the reader-facing name ("Printable leaflet")."""


KINDS: tuple[Kind, ...] = (
    Kind("web", ".html", "HTML", "text/html", "kind_web"),
    Kind("leaflet", ".pdf", "PDF", "application/pdf", "kind_leaflet"),
    Kind("large-print", "-large-print.pdf", "PDF", "application/pdf", "kind_large_print"),
    Kind("booklet", "-booklet.pdf", "PDF", "application/pdf", "kind_booklet"),
    Kind("ebook", ".epub", "EPUB", "application/epub+zip", "kind_ebook"),
    Kind("braille", ".brf", "BRF", "text/plain", "kind_braille_brf"),
    Kind("braille-pef", ".pef", "PEF", "application/x-pef+xml", "kind_braille_pef"),
    Kind("print-shop", "-print-shop.pdf", "PDF", "application/pdf", "kind_print_shop"),
)
"""Kinds offered to readers, in the order they are listed. Files of a guide that match
no row (the embeddable fragment and its stylesheet, which are for partner sites) are
not offered."""


@dataclass(frozen=True)
class Offer:
    """One output file of a guide as a reader is offered it."""

    file: str
    kind: Kind
    size: int
    pages: int | None = None


def kind_of(name: str, stem: str) -> Kind | None:
    """The kind of output file ``name`` of the guide ``stem``, or None if not offered."""
    return next((k for k in KINDS if name == stem + k.suffix), None)


def page_count(data: bytes) -> int | None:
    """Pages of a PDF (its page tree), or None when the bytes are not a readable PDF."""
    import pikepdf  # only when a PDF is described

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages)
    except pikepdf.PdfError:
        return None


def describe(name: str, data: bytes, stem: str) -> Offer | None:
    """The offer of one output file, or None for files not offered to readers."""
    kind = kind_of(name, stem)
    if kind is None:
        return None
    pages = page_count(data) if kind.file_format == "PDF" else None
    return Offer(name, kind, len(data), pages)


def offers(files: Mapping[str, bytes], stem: str) -> list[Offer]:
    """The offered files among ``files`` (name → bytes), in ``KINDS`` order."""
    found = [o for name, data in files.items() if (o := describe(name, data, stem))]
    return sort(found)


def sort(found: Iterable[Offer]) -> list[Offer]:
    order = {k.key: i for i, k in enumerate(KINDS)}
    return sorted(found, key=lambda o: (order[o.kind.key], o.file))


def human_size(size: int, lang: str) -> str:
    """"53 KB", "1.2 MB" (1 KB = 1024 bytes, as GOV.UK publication pages count)."""
    words = labels_for(lang)
    if size < 1024 * 1024:
        return words["size_kb"].format(n=max(1, round(size / 1024)))
    return words["size_mb"].format(n=f"{size / (1024 * 1024):.1f}")


def details(offer: Offer, lang: str, *, size: bool = True) -> str:
    """"PDF, 8 pages, 53 KB": what a reader wants to know before opening a file."""
    words = labels_for(lang)
    parts = [offer.kind.file_format]
    if offer.pages:
        parts.append(words["pages_one"] if offer.pages == 1
                     else words["pages_other"].format(n=offer.pages))
    if size:
        parts.append(human_size(offer.size, lang))
    return ", ".join(parts)


def caption(offer: Offer, lang: str, *, size: bool = True) -> str:
    """"Printable leaflet (PDF, 8 pages, 53 KB)"."""
    return f"{labels_for(lang)[offer.kind.label]} ({details(offer, lang, size=size)})"
