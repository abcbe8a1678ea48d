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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from publish.labels import LanguageTable
    from publish.render.base import RenderContext


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
    fmt: str
    """The format (``publish.render.FORMATS``) whose renderer writes it."""
    variant: str = ""
    """For a format with variants (the PDF editions), the variant that writes it."""


PDF = "application/pdf"
KINDS: tuple[Kind, ...] = (
    Kind("web", ".html", "HTML", "text/html", "kind_web", "html"),
    Kind("leaflet", ".pdf", "PDF", PDF, "kind_leaflet", "pdf", "standard"),
    Kind("large-print", "-large-print.pdf", "PDF", PDF, "kind_large_print", "pdf",
         "large-print"),
    Kind("booklet", "-booklet.pdf", "PDF", PDF, "kind_booklet", "pdf", "booklet"),
    Kind("ebook", ".epub", "EPUB", "application/epub+zip", "kind_ebook", "epub"),
    Kind("braille", ".brf", "BRF", "text/plain", "kind_braille_brf", "braille"),
    Kind("braille-pef", ".pef", "PEF", "application/x-pef+xml", "kind_braille_pef",
         "braille"),
    Kind("print-shop", "-print-shop.pdf", "PDF", PDF, "kind_print_shop", "pdf", "print-shop"),
)
"""Kinds offered to readers, in the order they are listed. Files of a guide that match
no row (the embeddable fragment and its stylesheet, which are for partner sites) are
not offered."""


@dataclass(frozen=True)
class Offer:
    """One output file of a guide as a reader is offered it."""

    file: str
    kind: Kind
    size: int | None = None
    """None when the file does not exist yet (see ``for_output``)."""
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


def planned(ctx: RenderContext) -> list[Offer]:
    """Every file a full build of this guide with these options offers, by name: each
    format of the registry the guide can have (not braille in a language without a
    braille table: the renderer's ``unavailable``), and of a format with variants the
    variants the options ask for (``--variant``, ``--print-shop``, ``--booklet``)."""
    from publish.render import FORMATS, renderer

    found = []
    possible: dict[str, bool] = {}
    for kind in KINDS:
        fmt = FORMATS.get(kind.fmt)
        if fmt is None:
            continue
        if kind.variant and fmt.variants is not None \
                and kind.variant not in getattr(ctx.options, fmt.variants.option):
            continue
        if kind.fmt not in possible:
            unavailable = getattr(renderer(kind.fmt), "unavailable", None)
            possible[kind.fmt] = not (unavailable and unavailable(ctx))
        if possible[kind.fmt]:
            found.append(Offer(ctx.stem + kind.suffix, kind))
    return found


def for_output(ctx: RenderContext, own: Iterable[str] = ()) -> list[Offer]:
    """What an output lists under "Other formats": the offered files except its ``own``.

    A format that lists the others' files (``Format.lists_files``: the web page and
    the fragment) renders after every other format of its build and lists the files
    this build really has, with their sizes and page counts, so every link resolves.
    The others (the PDFs, the EPUB) render before some of those files exist: they
    name the files a full build with their options makes, by kind and file name only.
    A size or page count of a file that names this one in turn could never be stated
    truthfully, nor reproducibly; and an EPUB built alone stays the same bytes as one
    built with the PDF.
    """
    from publish.render import OFFERED_FILES_FACT, PLANNED_FILES_FACT

    found = ctx.facts.get(OFFERED_FILES_FACT)
    if found is None:
        found = ctx.facts.get(PLANNED_FILES_FACT)
    if found is None:  # a renderer called outside a build
        found = planned(ctx)
    skip = set(own)
    return [o for o in found if o.file not in skip]


def sort(found: Iterable[Offer]) -> list[Offer]:
    order = {k.key: i for i, k in enumerate(KINDS)}
    return sorted(found, key=lambda o: (order[o.kind.key], o.file))


def human_size(size: int, words: LanguageTable) -> str:
    """"53 KB", "1.2 MB" (1 KB = 1024 bytes, as GOV.UK publication pages count)."""
    if size < 1024 * 1024:
        return words["size_kb"].format(n=max(1, round(size / 1024)))
    return words["size_mb"].format(n=f"{size / (1024 * 1024):.1f}")


def details(offer: Offer, words: LanguageTable, *, size: bool = True) -> str:
    """"PDF, 8 pages, 53 KB": what a reader wants to know before opening a file."""
    parts = [offer.kind.file_format]
    if offer.pages:
        parts.append(words["pages_one"] if offer.pages == 1
                     else words["pages_other"].format(n=offer.pages))
    if size and offer.size is not None:
        parts.append(human_size(offer.size, words))
    return ", ".join(parts)


def caption(offer: Offer, words: LanguageTable, *, size: bool = True) -> str:
    """"Printable leaflet (PDF, 8 pages, 53 KB)", in the words of ``words``."""
    return f"{words[offer.kind.label]} ({details(offer, words, size=size)})"
