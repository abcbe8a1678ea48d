"""The A5 booklet: the A5 edition imposed two-up on A4 landscape, saddle-stitch order.

Printed double-sided with "flip on short edge", the sheets stacked in order,
folded down the middle and stapled on the fold, they give an A5 booklet whose
pages read 1, 2, 3 … A booklet has a multiple of four pages: the missing ones
are blank and come last (inside back cover, back cover), never between pages
of text.

The file is an imposition for printers, not a reading edition: each half-sheet
is the A5 page drawn as a form XObject (pikepdf), without the page's tags or
links. The accessible editions are the PDF/UA files; docs/printing.md says so.
"""

from __future__ import annotations

import io

import pikepdf

from publish.render.base import RenderContext

A4_LANDSCAPE = (841.8898, 595.2756)
"""The sheet, in points (297 × 210 mm)."""


def page_order(pages: int, *, rtl: bool = False) -> list[tuple[int | None, int | None]]:
    """(left, right) page numbers of each sheet side, front then back, sheet by sheet.

    ``pages`` A5 pages are padded with blanks (None) to a multiple of four; the blanks
    are the last pages. Sheet ``s`` (from 0) of a booklet of ``n`` pages carries
    n-2s | 2s+1 on its front and 2s+2 | n-2s-1 on its back: the outer sheet holds
    the covers, and turning a sheet over its short edge puts page 2 behind page 1.
    A right-to-left booklet is bound on the right: every side is mirrored.
    """
    total = -(-pages // 4) * 4

    def real(number: int) -> int | None:
        return number if number <= pages else None

    sides = []
    for sheet in range(total // 4):
        sides.append((real(total - 2 * sheet), real(2 * sheet + 1)))
        sides.append((real(2 * sheet + 2), real(total - 2 * sheet - 1)))
    return [(right, left) for left, right in sides] if rtl else sides


def finish(pdf: bytes, ctx: RenderContext) -> bytes:
    """The A5 edition's PDF imposed as a booklet (``PdfVariant.finish == "booklet"``)."""
    meta = ctx.doc.meta
    return impose(pdf, title=meta.title, lang=meta.lang, rtl=meta.dir == "rtl",
                  date=ctx.build_date.strftime("D:%Y%m%d%H%M%SZ"))


def impose(pdf: bytes, *, title: str, lang: str, date: str, rtl: bool = False) -> bytes:
    """Two A5 pages side by side on each A4 landscape side, meeting at the fold."""
    width, height = A4_LANDSCAPE
    with pikepdf.open(io.BytesIO(pdf)) as source, pikepdf.new() as booklet:
        pages = list(source.pages)
        for left, right in page_order(len(pages), rtl=rtl):
            sheet = booklet.add_blank_page(page_size=A4_LANDSCAPE)
            forms = pikepdf.Dictionary()
            drawing = []
            for number, at_left in ((left, True), (right, False)):
                if number is None:
                    continue
                page = pages[number - 1]
                x0, y0, x1, y1 = (float(v) for v in page.mediabox)
                x = width / 2 - (x1 - x0) if at_left else width / 2
                y = (height - (y1 - y0)) / 2
                name = f"/Page{number}"  # named, not random: the same bytes every build
                forms[name] = booklet.copy_foreign(page.as_form_xobject())
                drawing.append(f"q 1 0 0 1 {x - x0:.4f} {y - y0:.4f} cm {name} Do Q")
            sheet.obj.Resources = pikepdf.Dictionary(XObject=forms)
            sheet.obj.Contents = booklet.make_stream("\n".join(drawing).encode("ascii"))
        booklet.Root.Lang = pikepdf.String(lang)
        # Print dialogs read these: both sides, turned on the short edge, at 100 %.
        booklet.Root.ViewerPreferences = pikepdf.Dictionary(
            Duplex=pikepdf.Name.DuplexFlipShortEdge, PrintScaling=pikepdf.Name("/None"),
            DisplayDocTitle=True)
        booklet.trailer.Info = booklet.make_indirect(pikepdf.Dictionary(
            Title=pikepdf.String(f"{title} (A5 booklet for printing)"),
            Creator=pikepdf.String("publish"), Producer=pikepdf.String("publish (pikepdf)"),
            CreationDate=pikepdf.String(date), ModDate=pikepdf.String(date)))
        out = io.BytesIO()
        booklet.save(out, deterministic_id=True, fix_metadata_version=False, compress_streams=True,
                     object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()
