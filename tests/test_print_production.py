"""Print production: the PDF/X-4 print-shop file, the preflight, the A5 booklet.

The print-shop file and the booklet of the shipped guide are built twice (byte
for byte the same); the print-shop file is read back with pikepdf and rendered
to separations with Ghostscript's ``tiffsep`` at a low resolution; every
preflight rule is shown failing on a small hand-made PDF; the booklet's order
is read back with ``pdftotext`` crops of each half of each sheet side.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from PIL import Image

from publish import preflight
from publish.build import build
from publish.cli import cli
from publish.errors import RenderError
from publish.render import RenderOptions
from publish.render.booklet import A4_LANDSCAPE, page_order
from publish.render.pdf_editions import PRINT_CONDITIONS
from tests.conftest import GOOD, ROOT, SHIPPED_GUIDE

MM = 72 / 25.4
A4 = (595.276, 841.89)
FOGRA39 = PRINT_CONDITIONS["FOGRA39"]
FONT = ROOT / "styles" / "fonts" / "AtkinsonHyperlegible-Regular.ttf"
PAGE_OF = re.compile(r"Page (\d+) of (\d+)")


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two builds of the shipped guide's print-shop file and booklet, in two folders."""
    outs = []
    for name in ("first", "second"):
        out = tmp_path_factory.mktemp(name)
        build(SHIPPED_GUIDE, out, ["pdf"],
              options=RenderOptions(pdf_variants=("print-shop", "booklet")))
        outs.append(out)
    return outs[0], outs[1]


@pytest.fixture(scope="module")
def print_shop(builds: tuple[Path, Path]) -> Path:
    return builds[0] / "guide-print-shop.pdf"


@pytest.fixture(scope="module")
def booklet(builds: tuple[Path, Path]) -> Path:
    return builds[0] / "guide-booklet.pdf"


def test_rebuilds_are_byte_identical(builds: tuple[Path, Path]) -> None:
    for name in ("guide-print-shop.pdf", "guide-booklet.pdf"):
        assert (builds[0] / name).read_bytes() == (builds[1] / name).read_bytes(), name


# --------------------------------------------------------------------------------------
# PDF/X-4 structure
# --------------------------------------------------------------------------------------


def test_print_shop_file_is_pdfx4_for_fogra39(print_shop: Path) -> None:
    with pikepdf.open(print_shop) as pdf:
        assert pdf.pdf_version == "1.6"
        assert not pdf.is_encrypted
        [intent] = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX"
        assert str(intent.OutputConditionIdentifier) == "FOGRA39"
        profile = intent.DestOutputProfile
        assert int(profile.N) == 4
        icc = profile.read_bytes()
        assert icc == FOGRA39.profile_path.read_bytes()
        assert icc[12:20] == b"prtrCMYK"  # an output (printer) profile for CMYK
        info = pdf.trailer.Info
        assert str(info.GTS_PDFXVersion) == "PDF/X-4"
        assert info.Trapped == "/False"
        assert str(info.Title).startswith("Low-dose naltrexone")
        assert str(info.CreationDate) == str(info.ModDate)
        xmp = pdf.Root.Metadata.read_bytes().decode()
        assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
        assert "<pdf:Trapped>False</pdf:Trapped>" in xmp
        with pdf.open_metadata() as meta:
            assert meta["dc:title"] == str(info.Title)
        for page in pdf.pages:
            trim = [float(v) for v in page.TrimBox]
            bleed = [float(v) for v in page.BleedBox]
            media = [float(v) for v in page.MediaBox]
            assert (trim[2] - trim[0], trim[3] - trim[1]) == pytest.approx(A4, abs=0.01)
            assert [b - t for b, t in zip(bleed, trim, strict=True)] == pytest.approx(
                [-3 * MM, -3 * MM, 3 * MM, 3 * MM], abs=0.01)
            assert media[0] < bleed[0] and media[1] < bleed[1]  # room for the crop marks
            assert media[2] > bleed[2] and media[3] > bleed[3]
            assert "/Annots" not in page.obj


def test_print_shop_fonts_are_embedded(print_shop: Path) -> None:
    fonts = subprocess.run(["pdffonts", str(print_shop)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts
    for line in fonts:
        assert re.search(r"\byes yes\b", line), line  # embedded, subset


def test_print_shop_passes_its_preflight(print_shop: Path) -> None:
    report = preflight.check(print_shop)
    assert report.failures == []
    assert report.condition == "FOGRA39" and report.ink_limit == 300
    for page in report.pages:
        assert "/DeviceRGB" not in page.colour_spaces
        assert "K" in page.text_inks
        assert 0 < page.max_ink <= 300


def separations(pdf: Path, tmp_path: Path, resolution: int = 50) -> dict[int, dict[str, Image]]:
    """Ghostscript's tiffsep rendering: page → ink name → 8-bit image (255 = no ink)."""
    subprocess.run(["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=tiffsep",
                    f"-r{resolution}", f"-sOutputFile={tmp_path / 'p%d.tif'}", str(pdf)],
                   check=True)
    pages: dict[int, dict[str, Image]] = {}
    for path in tmp_path.glob("p*(*).tif"):
        match = re.fullmatch(r"p(\d+)\((\w+)\)\.tif", path.name)
        assert match, path.name
        with Image.open(path) as image:
            pages.setdefault(int(match.group(1)), {})[match.group(2)] = image.copy()
    return pages


def test_separations_black_text_is_black_ink_and_ink_stays_in_limit(
        print_shop: Path, tmp_path: Path) -> None:
    """Every pixel with 90 % black or more (text, rules) has no C, M or Y; the four inks
    never add up to more than 300 % inside the bleed box."""
    with pikepdf.open(print_shop) as pdf:
        boxes = [([float(v) for v in p.MediaBox], [float(v) for v in p.BleedBox])
                 for p in pdf.pages]
    pages = separations(print_shop, tmp_path)
    assert sorted(pages) == list(range(1, len(boxes) + 1))
    scale = 50 / 72
    for number, inks in pages.items():
        assert sorted(inks) == ["Black", "Cyan", "Magenta", "Yellow"]
        media, bleed = boxes[number - 1]
        crop = (round((bleed[0] - media[0]) * scale), round((media[3] - bleed[3]) * scale),
                round((bleed[2] - media[0]) * scale), round((media[3] - bleed[1]) * scale))
        planes = {name: image.crop(crop).tobytes() for name, image in inks.items()}
        black = 0
        for k, c, m, y in zip(planes["Black"], planes["Cyan"], planes["Magenta"],
                              planes["Yellow"], strict=True):
            if 255 - k >= 0.9 * 255:
                black += 1
                assert (c, m, y) == (255, 255, 255), f"page {number}: rich black pixel"
            assert 4 * 255 - (k + c + m + y) <= 3 * 255 + 2, f"page {number}: over 300 %"
        assert black > 100, f"page {number} has no black text"


def test_print_condition_is_a_row(tmp_path: Path) -> None:
    """--print-condition FOGRA29 embeds the uncoated profile and names that condition."""
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [
        "build", str(GOOD / "full.md"), "--out", str(out), "--format", "pdf", "--no-cache",
        "--variant", "standard", "--print-shop", "--print-condition", "fogra29", "--quiet"])
    assert result.exit_code == 0, result.output
    with pikepdf.open(out / "full-print-shop.pdf") as pdf:
        [intent] = pdf.Root.OutputIntents
        assert str(intent.OutputConditionIdentifier) == "FOGRA29"
        assert intent.DestOutputProfile.read_bytes() == \
            PRINT_CONDITIONS["FOGRA29"].profile_path.read_bytes()


PHOTO_GUIDE = """---
title: A guide with a photograph
lang: en
---
# A guide with a photograph

![A gradient from red to blue](images/photo.png)
"""


@pytest.mark.parametrize("width", [2400, 240])
def test_raster_images_are_converted_and_their_resolution_checked(
        tmp_path: Path, width: int) -> None:
    """An RGB PNG ends up CMYK in the print-shop file; one too small for 300 ppi at its
    placed size (WeasyPrint places 96 pixels per inch, at most the column's width)
    stops the build with the preflight's image-resolution line."""
    (tmp_path / "images").mkdir()
    photo = Image.linear_gradient("L").resize((width, width // 2))
    Image.merge("RGB", (photo, photo.rotate(180), Image.new("L", photo.size, 40))).save(
        tmp_path / "images" / "photo.png")
    guide = tmp_path / "photo.md"
    guide.write_text(PHOTO_GUIDE, encoding="utf-8")
    out = tmp_path / "out"
    options = RenderOptions(pdf_variants=("print-shop",))
    if width < 2000:
        with pytest.raises(RenderError, match=r"page 1: image-resolution: \w+ is 96 ppi"):
            build(guide, out, ["pdf"], options=options)
        return
    build(guide, out, ["pdf"], options=options)
    with pikepdf.open(out / "photo-print-shop.pdf") as pdf:
        images = [v for v in pdf.pages[0].Resources.XObject.values()
                  if v.get("/Subtype") == "/Image"]
        assert images and all(v.ColorSpace == "/DeviceCMYK" for v in images)
    [page] = preflight.check(out / "photo-print-shop.pdf").pages
    [(_, ppi)] = page.images
    assert ppi >= 300


def test_a_failed_preflight_writes_nothing(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The build stops with the preflight's lines; no file of the build is written."""
    failure = preflight.Failure(3, "total-ink", "320 % of ink in one place")
    monkeypatch.setattr(preflight, "check", lambda pdf: preflight.Report(
        "FOGRA39", 300, [], [failure]))
    out = tmp_path / "out"
    with pytest.raises(RenderError) as raised:
        build(GOOD / "full.md", out, ["pdf"], options=RenderOptions(
            pdf_variants=("standard", "print-shop")))
    assert "full-print-shop.pdf: page 3: total-ink: 320 % of ink in one place" in str(
        raised.value)
    assert not out.exists() or not any(out.iterdir())


# --------------------------------------------------------------------------------------
# Preflight: each rule fails on a hand-made PDF
# --------------------------------------------------------------------------------------


def _font(pdf: pikepdf.Pdf, embedded: bool = True) -> pikepdf.Dictionary:
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name("/Atkinson"), Flags=32,
        FontBBox=[0, -250, 1000, 900], ItalicAngle=0, Ascent=900, Descent=-250,
        CapHeight=700, StemV=80)
    if embedded:
        descriptor.FontFile2 = pdf.make_stream(FONT.read_bytes())
    return pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.TrueType,
        BaseFont=pikepdf.Name("/Atkinson"), FirstChar=32, LastChar=126,
        Widths=[500] * 95, Encoding=pikepdf.Name.WinAnsiEncoding,
        FontDescriptor=pdf.make_indirect(descriptor)))


GOOD_CONTENT = b"0 0 0 1 k BT /F1 24 Tf 72 700 Td (Black text) Tj ET\n"


def pdfx(content: bytes = GOOD_CONTENT, *, change=None) -> bytes:
    """A one-page PDF/X-4 file that passes the preflight, after ``change(pdf, page)``."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(A4[0] + 40, A4[1] + 40))
    page = pdf.pages[0]
    page.obj.MediaBox = [-20, -20, A4[0] + 20, A4[1] + 20]
    page.obj.BleedBox = [-3 * MM, -3 * MM, A4[0] + 3 * MM, A4[1] + 3 * MM]
    page.obj.TrimBox = [0, 0, A4[0], A4[1]]
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=_font(pdf)))
    page.obj.Contents = pdf.make_stream(content)
    pdf.Root.OutputIntents = [pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFX,
        OutputConditionIdentifier="FOGRA39",
        DestOutputProfile=pdf.make_stream(FOGRA39.profile_path.read_bytes(), N=4))]
    pdf.trailer.Info = pdf.make_indirect(pikepdf.Dictionary(
        Title="Test", CreationDate="D:20261206000000Z", ModDate="D:20261206000000Z",
        Trapped=pikepdf.Name("/False"), GTS_PDFXVersion="PDF/X-4"))
    pdf.Root.Metadata = pdf.make_stream(
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        b'rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" '
        b'xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/"><pdf:Trapped>False</pdf:Trapped>'
        b"<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion></rdf:Description>"
        b"</rdf:RDF></x:xmpmeta>", Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML)
    if change is not None:
        change(pdf, page)
    out = io.BytesIO()
    pdf.save(out, force_version="1.6", fix_metadata_version=False)
    return out.getvalue()


def _image(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
    """A 10 × 10 pixel CMYK image placed 100 pt wide: 72 ppi."""
    page.obj.Resources.XObject = pikepdf.Dictionary(Im1=pdf.make_stream(
        b"\x00\x00\x00\x80" * 100, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
        Width=10, Height=10, ColorSpace=pikepdf.Name.DeviceCMYK, BitsPerComponent=8))
    page.obj.Contents = pdf.make_stream(b"q 100 0 0 100 72 72 cm /Im1 Do Q\n" + GOOD_CONTENT)


def _unembedded(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
    page.obj.Resources.Font.F1 = _font(pdf, embedded=False)


def _link(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
    page.obj.Annots = [pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[72, 72, 144, 96]))]


def _set(where: str, key: str, value: object):
    def change(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
        target = {"info": pdf.trailer.Info, "root": pdf.Root, "page": page.obj}[where]
        if value is None:
            del target[key]
        else:
            target[key] = value
    return change


FAILING = {
    "output-intent": dict(change=_set("root", "/OutputIntents", None)),
    "pdfx-version": dict(change=_set("info", "/GTS_PDFXVersion", None)),
    "trapped": dict(change=_set("info", "/Trapped", pikepdf.Name("/Unknown"))),
    "metadata": dict(change=_set("info", "/Title", None)),
    "forbidden": dict(change=_set("root", "/OpenAction", pikepdf.Array([0]))),
    "boxes": dict(change=_set("page", "/TrimBox", None)),
    "boxes-both": dict(change=_set("page", "/ArtBox", pikepdf.Array([0, 0, 100, 100]))),
    "annotations": dict(change=_link),
    "fonts": dict(change=_unembedded),
    "colour-space": dict(content=b"1 0 0 rg 72 72 100 100 re f\n" + GOOD_CONTENT),
    "black-text": dict(content=b"0.7 0.6 0.6 1 k BT /F1 24 Tf 72 700 Td (Rich) Tj ET\n"),
    "total-ink": dict(content=b"1 1 1 1 k 72 72 100 100 re f\n" + GOOD_CONTENT),
    "image-resolution": dict(change=_image),
}


def test_the_hand_made_pdfx_passes() -> None:
    report = preflight.check(pdfx())
    assert report.failures == []
    [page] = report.pages
    assert page.fonts == {"Atkinson": True}
    assert page.text_inks == {"K"}
    assert page.max_ink == pytest.approx(100, abs=1)


@pytest.mark.parametrize("rule", sorted(FAILING))
def test_each_preflight_rule_fails_on_its_pdf(rule: str) -> None:
    failures = preflight.check(pdfx(**FAILING[rule])).failures
    assert rule.split("-both")[0] in {f.rule for f in failures}, [str(f) for f in failures]


def test_preflight_command_prints_one_line_per_failure(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(pdfx(b"1 1 1 1 k 72 72 100 100 re f\n"
                         b"0.7 0.6 0.6 1 k BT /F1 24 Tf 72 700 Td (Rich) Tj ET\n"))
    result = CliRunner().invoke(cli, ["preflight", "--quiet", str(bad)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"{bad}: page 1: total-ink: 400 % of ink in one place; the limit is 300 %" in lines
    assert any(line.startswith(f"{bad}: page 1: black-text: ") for line in lines), lines
    good = tmp_path / "good.pdf"
    good.write_bytes(pdfx())
    result = CliRunner().invoke(cli, ["preflight", str(good)])
    assert result.exit_code == 0, result.output
    assert "max ink   100 %" in result.output
    junk = tmp_path / "junk.pdf"
    junk.write_text("not a PDF")
    result = CliRunner().invoke(cli, ["preflight", "--quiet", str(junk), str(good)])
    assert result.exit_code == 1
    assert result.output.startswith(f"{junk}: not a readable PDF (")


# --------------------------------------------------------------------------------------
# The booklet
# --------------------------------------------------------------------------------------


def test_page_order_is_saddle_stitch_with_blanks_last() -> None:
    assert page_order(8) == [(8, 1), (2, 7), (6, 3), (4, 5)]
    assert page_order(5) == [(None, 1), (2, None), (None, 3), (4, 5)]
    assert page_order(15)[:2] == [(None, 1), (2, 15)]
    # Right to left: bound on the right, so page 1 is the right-hand half's mirror.
    assert page_order(8, rtl=True) == [(1, 8), (7, 2), (3, 6), (5, 4)]


def half_text(pdf: Path, side: int, left: bool) -> str:
    """The text of one half of one sheet side (pdftotext with a crop, in points)."""
    width, height = A4_LANDSCAPE
    x = 0 if left else round(width / 2)
    return subprocess.run(
        ["pdftotext", "-r", "72", "-f", str(side), "-l", str(side), "-x", str(x), "-y", "0",
         "-W", str(round(width / 2)), "-H", str(round(height)), str(pdf), "-"],
        capture_output=True, text=True, check=True).stdout


def test_booklet_reads_in_order_when_folded(booklet: Path) -> None:
    with pikepdf.open(booklet) as pdf:
        sides = len(pdf.pages)
        for page in pdf.pages:
            box = [float(v) for v in page.MediaBox]
            assert (box[2] - box[0], box[3] - box[1]) == pytest.approx(A4_LANDSCAPE, abs=0.01)
        assert pdf.Root.ViewerPreferences.Duplex == "/DuplexFlipShortEdge"
    found: list[tuple[int | None, int | None]] = []
    total = None
    for side in range(1, sides + 1):
        halves = []
        for left in (True, False):
            text = half_text(booklet, side, left)
            match = PAGE_OF.search(text)
            if match is None:
                assert not text.strip(), f"side {side}: text but no page number"
                halves.append(None)
                continue
            total = int(match.group(2))
            halves.append(int(match.group(1)))
        found.append((halves[0], halves[1]))
    assert total is not None and sides == 2 * -(-total // 4)
    assert found == page_order(total)
    blanks = {n for side in found for n in side if n is None}
    assert (total % 4 == 0) == (not blanks)
    # The blank pages are the last ones (the back cover is blank), never between texts.
    read = sorted(n for side in found for n in side if n is not None)
    assert read == list(range(1, total + 1))
