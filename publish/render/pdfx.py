"""PDF/X-4 (ISO 15930-7) for a print shop, made from the laid-out print-shop edition.

WeasyPrint lays the edition out with ``print-shop.css``: text and rules in
``device-cmyk(0 0 0 1)`` (black ink only, written as DeviceCMYK) and 3 mm bleed.
Then, here:

1. every neutral RGB fill or stroke (grey text, SVG line art) becomes DeviceGray,
   which prints on the black plate alone instead of in four inks (near-black as
   100 % K);
2. Ghostscript's pdfwrite converts what is left in RGB (colours, images, SVG) to
   CMYK through the print condition's ICC profile, and leaves DeviceCMYK and
   DeviceGray as they are;
3. pikepdf adds what PDF/X-4 asks for: the output intent with the embedded profile,
   ``GTS_PDFXVersion`` and ``Trapped`` in Info and XMP, crop marks outside the bleed
   box on a larger media box, and removes what it forbids or a press cannot use
   (links, RGB blending spaces).

The result is written only if ``publish.preflight`` finds nothing wrong with it.
Ghostscript runs through ``publish.ghostscript``, with a profile folder in which
``default_cmyk.icc`` is the condition's profile (pdfwrite's only CMYK target).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import pikepdf

from publish import ghostscript
from publish.errors import RenderError
from publish.render.base import RenderContext
from publish.render.pdf_editions import PRINT_CONDITIONS, VARIANTS, PrintCondition

PDFX_VERSION = "PDF/X-4"
MM = 72 / 25.4
MARK_GAP = 1 * MM
"""Crop marks start this far outside the bleed box, so no trim tolerance ever shows them."""
MARK_LENGTH = 5 * MM
MARGIN = 1 * MM
"""Between the end of the marks and the edge of the media box."""
NEAR_BLACK = 0.15
"""A neutral this dark (the design's #1a1a1a "black" is 0.10) prints as 100 % K."""

@dataclass(frozen=True)
class DocumentInfo:
    """What the Info dictionary and the XMP packet say about the document."""

    title: str
    lang: str
    authors: tuple[str, ...]
    subject: str
    date: dt.datetime


def finish(pdf: bytes, ctx: RenderContext) -> bytes:
    """The print-shop edition as PDF/X-4, or RenderError with every preflight failure.

    Nothing is written when the preflight fails: the build stops with one line
    per failure (``page N: rule: message``).
    """
    from publish import preflight

    condition = PRINT_CONDITIONS[ctx.options.print_condition]
    meta = ctx.doc.meta
    info = DocumentInfo(meta.title, meta.lang, tuple(p.name for p in meta.authors),
                        meta.description or "", ctx.build_date)
    try:
        result = make_pdfx(pdf, condition, info)
        failures = preflight.check(result).failures
    except (ghostscript.GhostscriptError, preflight.PreflightError) as exc:
        raise RenderError("pdf", str(exc), ctx.doc.path) from None
    if failures:
        name = f"{ctx.stem}{VARIANTS['print-shop'].suffix}"
        raise RenderError("pdf", "the print-shop file fails the preflight:\n"
                          + "\n".join(f"{name}: {f}" for f in failures), ctx.doc.path)
    return result


def make_pdfx(pdf: bytes, condition: PrintCondition, info: DocumentInfo) -> bytes:
    """The laid-out print-shop PDF as PDF/X-4 for ``condition``."""
    converted = _to_cmyk(_neutrals_to_grey(pdf), condition)
    return _finish(converted, condition, info)


def _to_cmyk(pdf: bytes, condition: PrintCondition) -> bytes:
    """Ghostscript pdfwrite: RGB to CMYK through the condition's profile, nothing else."""
    with tempfile.TemporaryDirectory(prefix="publish-pdfx-") as tmp:
        work = Path(tmp)
        (work / "in.pdf").write_bytes(pdf)
        ghostscript.run([
            "-sDEVICE=pdfwrite", "-dCompatibilityLevel=1.6",
            "-sProcessColorModel=DeviceCMYK", "-sColorConversionStrategy=CMYK",
            # Reproducible: no clock, no random ID, no XMP of Ghostscript's (ours is added).
            "-dOmitInfoDate", "-dOmitID", "-dOmitXMP",
            "-dAutoRotatePages=/None", "-dEmbedAllFonts=true", "-dSubsetFonts=true",
            # Images keep their pixels: no downsampling, no new lossy compression.
            "-dDownsampleColorImages=false", "-dDownsampleGrayImages=false",
            "-dDownsampleMonoImages=false", "-dAutoFilterColorImages=false",
            "-dColorImageFilter=/FlateEncode", "-dAutoFilterGrayImages=false",
            "-dGrayImageFilter=/FlateEncode",
            f"-sOutputFile={work / 'out.pdf'}", str(work / "in.pdf")],
            profiles=ghostscript.profile_folder(condition.profile_path, work),
            what="convert the print-shop file to CMYK")
        return (work / "out.pdf").read_bytes()


def _neutrals_to_grey(pdf: bytes) -> bytes:
    """Neutral ``rg``/``RG`` colours (r = g = b) become ``g``/``G``: black ink only.

    Through a CMYK profile a dark grey becomes a four-ink black; as DeviceGray it
    prints on the black plate alone, at the same lightness, and a near-black
    (``NEAR_BLACK``) as solid black.
    """
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        seen: set[tuple[int, int]] = set()
        for page in doc.pages:
            _grey_stream(doc, page.obj, page.obj.get("/Resources"), seen)
        out = io.BytesIO()
        doc.save(out, deterministic_id=True, fix_metadata_version=False)
    return out.getvalue()


def _grey_stream(doc: pikepdf.Pdf, holder: pikepdf.Object, resources: pikepdf.Object | None,
                 seen: set[tuple[int, int]]) -> None:
    """Rewrite one content stream (page or form), then the forms it draws."""
    instructions = pikepdf.parse_content_stream(holder)
    changed = False
    rewritten = []
    for item in instructions:
        operands, operator = item.operands, str(item.operator)
        if operator in ("rg", "RG") and len({float(v) for v in operands}) == 1:
            operator = "g" if operator == "rg" else "G"
            operands = [0 if float(operands[0]) <= NEAR_BLACK else operands[0]]
            changed = True
        if isinstance(item, pikepdf.ContentStreamInlineImage):
            rewritten.append(item)
        else:
            rewritten.append(pikepdf.ContentStreamInstruction(operands,
                                                              pikepdf.Operator(operator)))
    if changed:
        data = pikepdf.unparse_content_stream(rewritten)
        if isinstance(holder, pikepdf.Stream):
            holder.write(data)
        else:
            holder.Contents = pikepdf.Stream(doc, data)
    for xobject in (resources or {}).get("/XObject", {}).values():
        if xobject.get("/Subtype") == "/Form" and xobject.objgen not in seen:
            seen.add(xobject.objgen)
            _grey_stream(doc, xobject, xobject.get("/Resources", resources), seen)


def _finish(pdf: bytes, condition: PrintCondition, info: DocumentInfo) -> bytes:
    """Output intent, metadata, boxes and crop marks; links and RGB blending removed."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        producer = str(doc.docinfo.get("/Producer", "Ghostscript"))
        registration = _registration_colour(doc)
        for page in doc.pages:
            for key in ("/Annots", "/CropBox", "/ArtBox"):
                if key in page.obj:
                    del page.obj[key]
            _add_crop_marks(doc, page, registration)
        for obj in doc.objects:
            if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream) \
                    and obj.get("/S") == "/Transparency" and obj.get("/CS") == "/DeviceRGB":
                obj.CS = pikepdf.Name.DeviceCMYK
        root = doc.Root
        for key in ("/Names", "/OpenAction", "/AA", "/AcroForm", "/Outlines"):
            if key in root:
                del root[key]
        root.Lang = pikepdf.String(info.lang)
        profile = condition.profile_path.read_bytes()
        root.OutputIntents = pikepdf.Array([doc.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFX,
            OutputConditionIdentifier=pikepdf.String(condition.identifier),
            OutputCondition=pikepdf.String(condition.condition),
            RegistryName=pikepdf.String("http://www.color.org"),
            Info=pikepdf.String(condition.condition),
            DestOutputProfile=doc.make_stream(profile, N=4)))])
        stamp = info.date.strftime("D:%Y%m%d%H%M%SZ")
        doc.trailer.Info = doc.make_indirect(pikepdf.Dictionary(
            Title=pikepdf.String(info.title), Author=pikepdf.String("; ".join(info.authors)),
            Subject=pikepdf.String(info.subject), Creator=pikepdf.String("publish"),
            Producer=pikepdf.String(producer), CreationDate=pikepdf.String(stamp),
            ModDate=pikepdf.String(stamp), Trapped=pikepdf.Name("/False"),
            GTS_PDFXVersion=pikepdf.String(PDFX_VERSION)))
        document_id = uuid.uuid5(uuid.NAMESPACE_URL,
                                 "publish:" + hashlib.sha256(pdf).hexdigest())
        root.Metadata = doc.make_stream(_xmp(info, producer, document_id).encode("utf-8"),
                                        Type=pikepdf.Name.Metadata,
                                        Subtype=pikepdf.Name.XML)
        out = io.BytesIO()
        doc.save(out, deterministic_id=True, fix_metadata_version=False, force_version="1.6",
                 compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _registration_colour(doc: pikepdf.Pdf) -> pikepdf.Array:
    """The ``/All`` separation: marks that print on every plate, to register them."""
    tint = pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0],
                              C1=[1, 1, 1, 1], N=1)
    return doc.make_indirect(pikepdf.Array([
        pikepdf.Name.Separation, pikepdf.Name.All, pikepdf.Name.DeviceCMYK,
        doc.make_indirect(tint)]))


def _add_crop_marks(doc: pikepdf.Pdf, page: pikepdf.Page, registration: pikepdf.Array) -> None:
    """Grow the media box and draw the eight crop marks, in line with the trim box edges,
    outside the bleed box."""
    x0, y0, x1, y1 = (float(v) for v in page.obj.TrimBox)
    b0, c0, b1, c1 = (float(v) for v in page.obj.get("/BleedBox", page.obj.TrimBox))
    near = max(x0 - b0, y0 - c0, b1 - x1, c1 - y1) + MARK_GAP
    far = near + MARK_LENGTH
    slug = far + MARGIN
    page.obj.MediaBox = pikepdf.Array([round(v, 4) for v in
                                       (x0 - slug, y0 - slug, x1 + slug, y1 + slug)])
    lines = []
    for x, dx in ((x0, -1), (x1, 1)):
        for y, dy in ((y0, -1), (y1, 1)):
            lines.append(f"{x + dx * near:.3f} {y:.3f} m {x + dx * far:.3f} {y:.3f} l S")
            lines.append(f"{x:.3f} {y + dy * near:.3f} m {x:.3f} {y + dy * far:.3f} l S")
    resources = page.obj.Resources
    if "/ColorSpace" not in resources:
        resources.ColorSpace = pikepdf.Dictionary()
    resources.ColorSpace.PublishRegistration = registration
    marks = ("q /PublishRegistration CS 1 SCN 0.25 w 0 J\n" + "\n".join(lines) + "\nQ\n")
    page.contents_add(doc.make_stream(marks.encode("ascii")), prepend=False)


def _xmp(info: DocumentInfo, producer: str, document_id: uuid.UUID) -> str:
    """The XMP packet: Dublin Core, dates, Trapped and the PDF/X version, as Info says."""
    date = info.date.strftime("%Y-%m-%dT%H:%M:%SZ")
    creators = "".join(f"<rdf:li>{escape(a)}</rdf:li>" for a in info.authors)
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(info.title)}</rdf:li></rdf:Alt>
   </dc:title>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(info.subject)}</rdf:li>
   </rdf:Alt></dc:description>
   <dc:creator><rdf:Seq>{creators}</rdf:Seq></dc:creator>
   <dc:language><rdf:Bag><rdf:li>{escape(info.lang)}</rdf:li></rdf:Bag></dc:language>
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <xmp:MetadataDate>{date}</xmp:MetadataDate>
   <xmp:CreatorTool>publish</xmp:CreatorTool>
   <pdf:Producer>{escape(producer)}</pdf:Producer>
   <pdf:Trapped>False</pdf:Trapped>
   <xmpMM:DocumentID>uuid:{document_id}</xmpMM:DocumentID>
   <xmpMM:VersionID>1</xmpMM:VersionID>
   <xmpMM:RenditionClass>default</xmpMM:RenditionClass>
   <pdfxid:GTS_PDFXVersion>{PDFX_VERSION}</pdfxid:GTS_PDFXVersion>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
