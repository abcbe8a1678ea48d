"""Preflight: what a print shop checks before a PDF goes to press.

``publish preflight FILE.pdf`` reports, page by page, the boxes, the fonts, the
colour spaces, the most ink anywhere (from a rendered separation), how text is
inked and the resolution of each image at its placed size, and fails (exit 1,
one ``file: page N: rule: message`` line each) when one of them is not what
PDF/X-4 and the print condition ask for. Every ``publish build --print-shop``
runs it on its own output and writes nothing when it fails.

What it checks and what it does not (veraPDF is not available here) is listed in
docs/printing.md. The content streams are read with pikepdf; the ink is measured
on Ghostscript's ``tiffsep`` rendering (one 8-bit image per ink, 255 = no ink).
"""

from __future__ import annotations

import io
import math
import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from PIL import Image, ImageMath

from publish import ghostscript
from publish.errors import PublishError
from publish.render.pdf_editions import PRINT_CONDITIONS

DEFAULT_INK_LIMIT = 300
"""Total ink (%) when the output intent names no condition of ``PRINT_CONDITIONS``."""
MIN_PPI = 300
"""Images print sharp at 300 pixels per inch of their placed size."""
INK_RESOLUTION = 72
"""Rendering resolution of the separations (dpi). Ghostscript's separations are not
anti-aliased, so a pixel carries the ink of the object under its centre: areas keep
their full ink at any resolution, and 72 dpi keeps the preflight under a second."""
MM = 25.4 / 72
TEXT_SHOW = frozenset({"Tj", "TJ", "'", '"'})
RGB_FAMILIES = frozenset({"/DeviceRGB"})


class PreflightError(PublishError):
    """The file cannot be preflighted at all (unreadable, encrypted)."""


@dataclass(frozen=True)
class Failure:
    """One thing a print shop would reject; ``page`` is None for the whole file."""

    page: int | None
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"page {self.page}: " if self.page is not None else ""
        return f"{where}{self.rule}: {self.message}"


@dataclass
class PageReport:
    """What one page holds, as the report prints it."""

    number: int
    boxes: dict[str, tuple[float, ...]] = field(default_factory=dict)
    fonts: dict[str, bool] = field(default_factory=dict)
    """Font name → embedded."""
    colour_spaces: set[str] = field(default_factory=set)
    text_inks: set[str] = field(default_factory=set)
    """How text is inked: "K", "CMYK", "RGB" … (one entry per kind seen)."""
    images: list[tuple[str, float]] = field(default_factory=list)
    """(image name, effective ppi at its placed size)."""
    max_ink: float = 0.0

    def lines(self) -> Iterator[str]:
        """The human-readable report of this page."""
        yield f"page {self.number}:"
        for name, box in self.boxes.items():
            width, height = (box[2] - box[0]) * MM, (box[3] - box[1]) * MM
            yield f"  {name:<9} {width:6.1f} × {height:6.1f} mm"
        fonts = ", ".join(f"{n} ({'embedded' if e else 'NOT embedded'})"
                          for n, e in sorted(self.fonts.items()))
        yield f"  fonts     {fonts or 'none'}"
        yield f"  colour    {', '.join(sorted(self.colour_spaces)) or 'none'}"
        yield f"  text ink  {', '.join(sorted(self.text_inks)) or 'no text'}"
        yield f"  max ink   {self.max_ink:.0f} %"
        images = ", ".join(f"{n} {ppi:.0f} ppi" for n, ppi in self.images)
        yield f"  images    {images or 'none'}"


@dataclass
class Report:
    """The whole file: its condition, ink limit, pages and failures."""

    condition: str | None
    ink_limit: int
    pages: list[PageReport]
    failures: list[Failure]

    def lines(self) -> Iterator[str]:
        yield (f"output intent: {self.condition or 'none'}; "
               f"total ink limit {self.ink_limit} %")
        for page in self.pages:
            yield from page.lines()


def check(pdf: bytes | Path, *, resolution: int = INK_RESOLUTION) -> Report:
    """Preflight one PDF (its bytes or its path)."""
    data = pdf.read_bytes() if isinstance(pdf, Path) else pdf
    try:
        doc = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise PreflightError("the file is encrypted: PDF/X forbids encryption") from None
    except pikepdf.PdfError as exc:
        reason = str(exc).rsplit(": ", 1)[-1]  # without qpdf's name for the byte stream
        raise PreflightError(f"not a readable PDF ({reason})") from None
    with doc:
        failures: list[Failure] = []
        intent, profile = _output_intent(doc, failures)
        row = next((c for c in PRINT_CONDITIONS.values() if c.identifier == intent), None)
        limit = row.ink_limit if row else DEFAULT_INK_LIMIT
        _document_rules(doc, failures)
        pages = [_page(doc, number, page, failures)
                 for number, page in enumerate(doc.pages, start=1)]
    for page, ink in zip(pages, _max_inks(data, pages, profile, resolution), strict=True):
        page.max_ink = ink
        if ink > limit + 0.5:
            failures.append(Failure(page.number, "total-ink",
                                    f"{ink:.0f} % of ink in one place; the limit is {limit} %"))
    failures.sort(key=lambda f: (f.page or 0))
    return Report(intent, limit, pages, failures)


# --------------------------------------------------------------------------------------
# The file
# --------------------------------------------------------------------------------------


def _output_intent(doc: pikepdf.Pdf, failures: list[Failure]) -> tuple[str | None, bytes | None]:
    """The GTS_PDFX output intent's condition identifier and its CMYK profile."""
    intents = [i for i in doc.Root.get("/OutputIntents", []) if i.get("/S") == "/GTS_PDFX"]
    if len(intents) != 1:
        failures.append(Failure(None, "output-intent",
                                f"{len(intents)} GTS_PDFX output intents; PDF/X needs one"))
        return None, None
    intent = intents[0]
    identifier = str(intent.get("/OutputConditionIdentifier", "")) or None
    if identifier is None:
        failures.append(Failure(None, "output-intent", "no OutputConditionIdentifier"))
    profile = intent.get("/DestOutputProfile")
    if not isinstance(profile, pikepdf.Stream):
        failures.append(Failure(None, "output-intent",
                                "no embedded DestOutputProfile (PDF/X-4 embeds it)"))
        return identifier, None
    if int(profile.get("/N", 0)) != 4:
        failures.append(Failure(None, "output-intent",
                                f"the output profile has {profile.get('/N')} channels, not 4 "
                                "(CMYK)"))
        return identifier, None
    return identifier, profile.read_bytes()


def _document_rules(doc: pikepdf.Pdf, failures: list[Failure]) -> None:
    """PDF/X-4 identification, Trapped, the required metadata, forbidden features."""
    info = doc.trailer.get("/Info", pikepdf.Dictionary())
    xmp = doc.Root.get("/Metadata")
    packet = xmp.read_bytes().decode("utf-8", "replace") if isinstance(xmp, pikepdf.Stream) \
        else ""
    if str(info.get("/GTS_PDFXVersion", "")) != "PDF/X-4":
        failures.append(Failure(None, "pdfx-version",
                                "Info has no GTS_PDFXVersion of PDF/X-4"))
    if not re.search(r"GTS_PDFXVersion(?:>|=\")PDF/X-4\b", packet):
        failures.append(Failure(None, "pdfx-version", "XMP has no pdfxid:GTS_PDFXVersion "
                                "of PDF/X-4"))
    trapped = str(info.get("/Trapped", ""))
    if trapped not in ("/True", "/False"):
        failures.append(Failure(None, "trapped", "Info Trapped must be True or False"))
    else:
        match = re.search(r"Trapped(?:>|=\")(\w+)", packet)
        if not match or match.group(1) != trapped[1:]:
            failures.append(Failure(None, "trapped", "XMP pdf:Trapped must say what Info "
                                    "says"))
    for key in ("/Title", "/CreationDate", "/ModDate"):
        if not str(info.get(key, "")):
            failures.append(Failure(None, "metadata", f"Info has no {key[1:]}"))
    if not packet:
        failures.append(Failure(None, "metadata", "no XMP metadata stream"))
    if float(doc.pdf_version) > 1.6:
        failures.append(Failure(None, "pdf-version",
                                f"PDF {doc.pdf_version}; PDF/X-4 is PDF 1.6 at most"))
    for key in ("/OpenAction", "/AA", "/AcroForm"):
        if key in doc.Root:
            failures.append(Failure(None, "forbidden", f"the catalog has {key[1:]}"))
    names = doc.Root.get("/Names", {})
    for key in ("/JavaScript", "/EmbeddedFiles"):
        if key in names:
            failures.append(Failure(None, "forbidden", f"the name tree has {key[1:]}"))


# --------------------------------------------------------------------------------------
# One page: boxes, then a walk through its content for fonts, colours, text, images
# --------------------------------------------------------------------------------------


def _box(obj: pikepdf.Object) -> tuple[float, ...]:
    x0, y0, x1, y1 = (float(v) for v in obj)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _inside(inner: tuple[float, ...], outer: tuple[float, ...]) -> bool:
    return (inner[0] >= outer[0] - 0.01 and inner[1] >= outer[1] - 0.01
            and inner[2] <= outer[2] + 0.01 and inner[3] <= outer[3] + 0.01)


def _page(doc: pikepdf.Pdf, number: int, page: pikepdf.Page,
          failures: list[Failure]) -> PageReport:
    report = PageReport(number)
    for key in ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox"):
        value = page.obj.get(key)
        if value is None and key == "/MediaBox":
            value = page.MediaBox  # inherited
        if value is not None:
            report.boxes[key[1:]] = _box(value)
    boxes = report.boxes
    if ("TrimBox" in boxes) == ("ArtBox" in boxes):
        failures.append(Failure(number, "boxes", "a page has a TrimBox or an ArtBox, not "
                                + ("both" if "TrimBox" in boxes else "neither")))
    else:
        trim = boxes.get("TrimBox", boxes.get("ArtBox"))
        bleed = boxes.get("BleedBox", trim)
        outer = boxes.get("CropBox", boxes["MediaBox"])
        if not _inside(bleed, boxes["MediaBox"]) or not _inside(bleed, outer):
            failures.append(Failure(number, "boxes", "the BleedBox reaches outside the "
                                    "MediaBox or CropBox"))
        if not _inside(trim, bleed):
            failures.append(Failure(number, "boxes", "the TrimBox reaches outside the "
                                    "BleedBox"))
    kinds = Counter(str(a.get("/Subtype", "/unknown"))[1:] for a in page.obj.get("/Annots", [])
                    if a.get("/Subtype") not in ("/PrinterMark", "/TrapNet"))
    for kind, count in sorted(kinds.items()):
        failures.append(Failure(number, "annotations", f"{count} {kind} annotation(s); a "
                                "print file has only PrinterMark or TrapNet annotations"))
    walker = _Walker(report)
    walker.walk(page.obj, page.obj.get("/Resources", pikepdf.Dictionary()),
                (1.0, 0.0, 0.0, 1.0, 0.0, 0.0))
    for name, embedded in sorted(report.fonts.items()):
        if not embedded:
            failures.append(Failure(number, "fonts", f"{name} is not embedded"))
    for space in sorted(report.colour_spaces & RGB_FAMILIES):
        failures.append(Failure(number, "colour-space", f"{space[1:]} is used; a CMYK "
                                "print file has CMYK, grey, spot or ICC-based colour only"))
    for ink in walker.rich_black:
        failures.append(Failure(number, "black-text", f"text in four-colour black ({ink}); "
                                "black and grey text must be black ink (K) only"))
    for name, ppi in report.images:
        if ppi < MIN_PPI - 0.5:
            failures.append(Failure(number, "image-resolution",
                                    f"{name} is {ppi:.0f} ppi at its placed size; "
                                    f"at least {MIN_PPI} ppi prints sharp"))
    return report


Matrix = tuple[float, float, float, float, float, float]


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """m × n (PDF order: m applied first)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s,
            e * p + f * r + t, e * q + f * s + u)


def _family(space: pikepdf.Object, resources: pikepdf.Object) -> str:
    """The family name of a colour space (a resource name is looked up first)."""
    if isinstance(space, pikepdf.Name) and str(space) not in (
            "/DeviceGray", "/DeviceRGB", "/DeviceCMYK", "/Pattern", "/G", "/RGB", "/CMYK"):
        space = resources.get("/ColorSpace", {}).get(str(space), space)
    if isinstance(space, pikepdf.Array):
        return str(space[0])
    return {"/G": "/DeviceGray", "/RGB": "/DeviceRGB", "/CMYK": "/DeviceCMYK"}.get(
        str(space), str(space))


def _spaces_within(space: pikepdf.Object, resources: pikepdf.Object) -> Iterator[str]:
    """A colour space's family and those it is built on (Indexed base, alternates)."""
    if isinstance(space, pikepdf.Name):
        space = resources.get("/ColorSpace", {}).get(str(space), space)
    yield _family(space, resources)
    if isinstance(space, pikepdf.Array) and len(space) > 1:
        family = str(space[0])
        if family == "/Indexed":
            yield from _spaces_within(space[1], resources)
        elif family in ("/Separation", "/DeviceN"):
            yield from _spaces_within(space[2], resources)
        elif family == "/ICCBased":
            yield f"/ICCBased/{int(space[1].get('/N', 0))}"


class _Walker:
    """Follows a page's content: graphics state, fonts, colours, text, images."""

    def __init__(self, report: PageReport) -> None:
        self.report = report
        self.rich_black: list[str] = []
        self.seen_fonts: set[tuple[int, int]] = set()

    def walk(self, holder: pikepdf.Object, resources: pikepdf.Object, ctm: Matrix) -> None:
        state = {"ctm": ctm, "fill": "/DeviceGray", "colour": (0.0,)}
        stack: list[dict] = []
        self._resource_spaces(resources)
        for item in pikepdf.parse_content_stream(holder):
            if isinstance(item, pikepdf.ContentStreamInlineImage):
                self._inline_image(item, resources, state["ctm"])
                continue
            op, args = str(item.operator), item.operands
            if op == "q":
                stack.append(dict(state))
            elif op == "Q" and stack:
                state = stack.pop()
            elif op == "cm":
                state["ctm"] = _multiply(tuple(float(a) for a in args), state["ctm"])
            elif op in ("g", "rg", "k"):
                state["fill"] = {"g": "/DeviceGray", "rg": "/DeviceRGB",
                                 "k": "/DeviceCMYK"}[op]
                state["colour"] = tuple(float(a) for a in args)
                self.report.colour_spaces.add(state["fill"])
            elif op in ("G", "RG", "K"):
                self.report.colour_spaces.add({"G": "/DeviceGray", "RG": "/DeviceRGB",
                                               "K": "/DeviceCMYK"}[op])
            elif op in ("cs", "CS"):
                families = list(_spaces_within(args[0], resources))
                self.report.colour_spaces.update(families)
                if op == "cs":
                    state["fill"] = families[0]
            elif op in ("sc", "scn"):  # a pattern's name may follow the components
                state["colour"] = tuple(float(a) for a in args
                                        if not isinstance(a, pikepdf.Name))
            elif op == "Tf":
                self._font(str(args[0]), resources)
            elif op in TEXT_SHOW:
                self._text(state["fill"], state["colour"])
            elif op == "Do":
                self._xobject(str(args[0]), resources, state["ctm"])
            elif op == "sh":
                shading = resources.get("/Shading", {}).get(str(args[0]))
                if shading is not None:
                    self.report.colour_spaces.update(
                        _spaces_within(shading.ColorSpace, resources))

    def _resource_spaces(self, resources: pikepdf.Object) -> None:
        """Transparency groups' blending spaces count as colour spaces used."""
        for gs in resources.get("/ExtGState", {}).values():
            mask = gs.get("/SMask")
            if isinstance(mask, pikepdf.Dictionary) and "/G" in mask:
                group = mask.G.get("/Group", {})
                if "/CS" in group:
                    self.report.colour_spaces.update(_spaces_within(group.CS, resources))

    def _font(self, name: str, resources: pikepdf.Object) -> None:
        font = resources.get("/Font", {}).get(name)
        if font is None or (font.objgen in self.seen_fonts and font.objgen != (0, 0)):
            return
        self.seen_fonts.add(font.objgen)
        base = str(font.get("/BaseFont", name))[1:]
        if font.get("/Subtype") == "/Type3":
            self.report.fonts[base] = True
            return
        target = font.DescendantFonts[0] if font.get("/Subtype") == "/Type0" else font
        descriptor = target.get("/FontDescriptor", {})
        self.report.fonts[base] = any(k in descriptor
                                      for k in ("/FontFile", "/FontFile2", "/FontFile3"))

    def _text(self, family: str, colour: tuple[float, ...]) -> None:
        ink = _text_ink(family, colour)
        self.report.text_inks.add(ink)
        if ink.startswith("four-colour black"):
            shown = " ".join(f"{v * 100:.0f}" for v in colour)
            label = f"{'CMYK' if family == '/DeviceCMYK' else family[1:]} {shown} %"
            if label not in self.rich_black:
                self.rich_black.append(label)

    def _xobject(self, name: str, resources: pikepdf.Object, ctm: Matrix) -> None:
        xobject = resources.get("/XObject", {}).get(name)
        if xobject is None:
            return
        subtype = xobject.get("/Subtype")
        if subtype == "/Image":
            self._image(name[1:], xobject, resources, ctm)
        elif subtype == "/Form":
            matrix = tuple(float(v) for v in xobject.get("/Matrix", [1, 0, 0, 1, 0, 0]))
            group = xobject.get("/Group", {})
            if "/CS" in group:
                self.report.colour_spaces.update(_spaces_within(group.CS, resources))
            self.walk(xobject, xobject.get("/Resources", resources),
                      _multiply(matrix, ctm))

    def _image(self, name: str, image: pikepdf.Object, resources: pikepdf.Object,
               ctm: Matrix) -> None:
        if image.get("/ImageMask") is True:
            return  # a stencil: painted in the fill colour, its pixels carry no colour
        if "/ColorSpace" in image:
            self.report.colour_spaces.update(_spaces_within(image.ColorSpace, resources))
        self._placed(name, int(image.Width), int(image.Height), ctm)

    def _inline_image(self, item: pikepdf.ContentStreamInlineImage,
                      resources: pikepdf.Object, ctm: Matrix) -> None:
        image = item.iimage
        space = image.obj.get("/ColorSpace", image.obj.get("/CS"))
        if space is not None:
            self.report.colour_spaces.update(_spaces_within(space, resources))
        self._placed("inline image", int(image.width), int(image.height), ctm)

    def _placed(self, name: str, width: int, height: int, ctm: Matrix) -> None:
        """Pixels per inch: the image's unit square is mapped by the CTM onto the page."""
        a, b, c, d, _, _ = ctm
        placed_w, placed_h = math.hypot(a, b) / 72, math.hypot(c, d) / 72
        if placed_w <= 0 or placed_h <= 0:
            return
        self.report.images.append((name, min(width / placed_w, height / placed_h)))


def _text_ink(family: str, colour: tuple[float, ...]) -> str:
    """How text in this colour prints: black ink only, in colour, or four-colour black.

    Four-colour black is a dark colour (K at least 50 %, or C, M and Y all at least
    50 %) made of all three of C, M and Y within 35 points of each other (a neutral)
    plus K: the print shop's "rich black", which blurs on small text when the plates
    shift. An RGB or ICC neutral that is dark would become one at the press.
    """
    if family == "/DeviceGray" or family == "/Separation" or family == "/Pattern":
        return "K" if family == "/DeviceGray" else family[1:]
    if family == "/DeviceCMYK" and len(colour) == 4:
        c, m, y, k = colour
        if max(c, m, y) == 0:
            return "K"
        dark = k >= 0.5 or min(c, m, y) >= 0.5
        if dark and min(c, m, y) > 0.05 and max(c, m, y) - min(c, m, y) <= 0.35:
            return "four-colour black"
        return "CMYK colour"
    if len(colour) == 3 and max(colour) - min(colour) < 0.02 and max(colour) < 0.5:
        return "four-colour black (a dark RGB neutral)"
    return f"{family[1:]} colour"


# --------------------------------------------------------------------------------------
# Ink, measured on Ghostscript's separations
# --------------------------------------------------------------------------------------


def _max_inks(data: bytes, pages: list[PageReport], profile: bytes | None,
              resolution: int) -> list[float]:
    """Per page, the most ink (C+M+Y+K+spots, %) on one pixel inside the bleed box."""
    with tempfile.TemporaryDirectory(prefix="publish-preflight-") as tmp:
        work = Path(tmp)
        (work / "in.pdf").write_bytes(data)
        profiles = None
        if profile is not None:
            (work / "intent.icc").write_bytes(profile)
            profiles = ghostscript.profile_folder(work / "intent.icc", work)
        ghostscript.run(["-sDEVICE=tiffsep", f"-r{resolution}",
                         f"-sOutputFile={work / 'p%d.tif'}", str(work / "in.pdf")],
                        profiles=profiles, what="render the separations")
        return [_page_ink(work, page, resolution) for page in pages]


def _page_ink(work: Path, page: PageReport, resolution: int) -> float:
    separations = sorted(work.glob(f"p{page.number}(*).tif"))
    if not separations:
        return 0.0
    media = page.boxes["MediaBox"]
    area = page.boxes.get("BleedBox", page.boxes.get("TrimBox", media))
    scale = resolution / 72
    crop = (round((area[0] - media[0]) * scale), round((media[3] - area[3]) * scale),
            round((area[2] - media[0]) * scale), round((media[3] - area[1]) * scale))
    total = None
    for path in separations:
        with Image.open(path) as separation:
            ink = separation.crop(crop).convert("I")
        total = ink if total is None else ImageMath.lambda_eval(
            lambda a: a["x"] + a["y"], x=total, y=ink)
    low, _ = total.getextrema()  # 255 is no ink: the least sum is the most ink
    return round((len(separations) * 255 - low) / 255 * 100, 1)
