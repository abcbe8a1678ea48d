"""Right to left: direction of a guide, isolated Latin runs, mirrored print layout.

Unit tests of ``publish.render.bidi`` on small trees, then the Arabic fixture guide
built to every output: ``dir`` on each document, the EPUB spine's page progression,
doses kept whole, and in the PDF the lines sharing their right edge and the footer
mirrored (measured with ``pdftotext -bbox-layout``). The English fixture is the
control: the same measurements must find the opposite there.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

from publish.build import build
from publish.frontmatter import direction_of
from publish.render.bidi import apply_direction, ltr_runs
from tests.conftest import GOOD, ROOT

LANGUAGES = ROOT / "tests" / "fixtures" / "languages"
MM = 72 / 25.4
MARGIN_LEFT = MARGIN_RIGHT = 18 * MM  # print.css @page margin (A4)
MARGIN_BOTTOM = 24 * MM


@pytest.mark.parametrize(("lang", "expected"), [
    ("ar", "rtl"), ("fa-IR", "rtl"), ("ur", "rtl"), ("en-GB", "ltr"), ("zh-Hans", "ltr"),
    ("pa", "ltr"), ("pa-Arab", "rtl"), ("ku-Latn", "ltr"), ("he", "rtl"),
])
def test_direction_comes_from_the_language_and_its_script(lang: str, expected: str) -> None:
    assert direction_of(lang) == expected


@pytest.mark.parametrize(("text", "runs"), [
    ("الجرعة 4.5\u00a0mg مرة.", ["4.5\u00a0mg"]),
    # The full stop after the run ends the Arabic sentence: it stays outside.
    ("Low-dose naltrexone (LDN): review. Medical Sciences (Basel), 2018. ",
     ["Low-dose naltrexone (LDN): review. Medical Sciences (Basel), 2018"]),
    # Brackets opened outside the run stay outside, paired with their partner.
    ("تناول (LDN) 4.5 mg", ["LDN", "4.5 mg"]),
    ("doi:10.1016/S2665-9913(23)00278-3", ["doi:10.1016/S2665-9913(23)00278-3"]),
    ("ABC (DEF ش", ["ABC", "DEF"]),
    # A bare number already reads left to right.
    ("في عام 2018 نشر", []),
    ("فقط نص عربي", []),
])
def test_ltr_runs(text: str, runs: list[str]) -> None:
    assert [text[a:b] for a, b in ltr_runs(text)] == runs


def _tree(markup: str) -> lxml_html.HtmlElement:
    return lxml_html.fragment_fromstring(markup, create_parent="div")


def test_a_right_to_left_tree_isolates_latin_runs() -> None:
    root = _tree('<p>الجرعة 4.5 mg مرة <strong>واحدة</strong> (LDN).</p>'
                 '<p lang="en">An English quotation.</p><style>p{}</style>')
    apply_direction(root, "rtl")
    assert lxml_html.tostring(root, encoding="unicode") == (
        '<div><p>الجرعة <bdi dir="ltr">4.5 mg</bdi> مرة <strong>واحدة</strong> '
        '(<bdi dir="ltr">LDN</bdi>).</p>'
        '<p lang="en" dir="ltr"><bdi dir="ltr">An English quotation</bdi>.</p>'
        '<style>p{}</style></div>')


def test_a_left_to_right_tree_is_left_alone() -> None:
    markup = '<p>Take 4.5 mg (LDN). <span lang="ar">عربي</span></p>'
    root = _tree(markup)
    apply_direction(root, "ltr")
    assert lxml_html.tostring(root, encoding="unicode") == f"<div>{markup}</div>"


# --------------------------------------------------------------------------------------
# The Arabic fixture built to every output
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def arabic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("arabic")
    build(LANGUAGES / "ar.md", out)
    return out


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("english")
    build(GOOD / "full.md", out, formats=("pdf",))
    return out


def test_page_and_fragment_are_right_to_left(arabic: Path) -> None:
    page = lxml_html.fromstring((arabic / "ar.html").read_bytes())
    assert (page.get("lang"), page.get("dir")) == ("ar", "rtl")
    fragment = lxml_html.fragment_fromstring((arabic / "ar.embed.html").read_text("utf-8"))
    assert (fragment.get("lang"), fragment.get("dir")) == ("ar", "rtl")
    for tree in (page, fragment):
        doses = [b.text for b in tree.iter("bdi") if "mg" in (b.text or "")]
        assert doses == ["1.5\u00a0mg", "4.5\u00a0mg", "4.5\u00a0mg"]
        assert all(b.get("dir") == "ltr" for b in tree.iter("bdi"))


def test_every_epub_document_is_right_to_left(arabic: Path) -> None:
    with zipfile.ZipFile(arabic / "ar.epub") as epub:
        names = [n for n in epub.namelist() if n.endswith(".xhtml")]
        roots = {n: etree.fromstring(epub.read(n)) for n in names}
        opf = etree.fromstring(epub.read(next(n for n in epub.namelist()
                                              if n.endswith(".opf"))))
    assert len(names) >= 2  # the content and the navigation document
    for name, root in roots.items():
        assert root.get("dir") == "rtl", name
    spine = opf.find("{http://www.idpf.org/2007/opf}spine")
    assert spine.get("page-progression-direction") == "rtl"


@dataclass(frozen=True)
class Line:
    """One line of text on a PDF page, from ``pdftotext -bbox-layout``."""

    page: int
    x_min: float
    x_max: float
    y_min: float
    words: tuple[str, ...]


def pdf_lines(pdf: Path) -> tuple[list[Line], float, float]:
    """Every line of ``pdf`` with its box, and the page width and height (points)."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True,
                         check=True).stdout
    root = etree.fromstring(re.sub(rb"<!DOCTYPE[^>]*>", b"", xml))
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    lines, width, height = [], 0.0, 0.0
    for number, page in enumerate(root.iterfind(".//x:page", ns), start=1):
        width, height = float(page.get("width")), float(page.get("height"))
        for line in page.iterfind(".//x:line", ns):
            lines.append(Line(number, float(line.get("xMin")), float(line.get("xMax")),
                              float(line.get("yMin")),
                              tuple(w.text or "" for w in line.iterfind("x:word", ns))))
    return lines, width, height


def _edges(pdf: Path) -> tuple[int, int, list[Line], float]:
    """Body lines that start at the left margin and that end at the right margin,
    the footer lines, and the page width."""
    lines, width, height = pdf_lines(pdf)
    body = [ln for ln in lines if MARGIN_BOTTOM < ln.y_min < height - MARGIN_BOTTOM]
    left = sum(abs(ln.x_min - MARGIN_LEFT) < 1 for ln in body)
    right = sum(abs(ln.x_max - (width - MARGIN_RIGHT)) < 1 for ln in body)
    footer = [ln for ln in lines if ln.y_min > height - MARGIN_BOTTOM]
    return left, right, footer, width


@pytest.mark.parametrize("name", ["ar.pdf", "ar-large-print.pdf"])
def test_pdf_lines_share_their_right_edge(arabic: Path, english: Path, name: str) -> None:
    left, right, _, _ = _edges(arabic / name)
    assert right >= 8 and left < right / 4, (left, right)
    left, right, _, _ = _edges(english / "full.pdf")  # the control: left-aligned
    assert left >= 8 and right < left / 4, (left, right)


def _at(side: str, line: Line, width: float) -> bool:
    """Whether a footer line touches the page's left or right margin (and only that)."""
    if side == "left":
        return abs(line.x_min - MARGIN_LEFT) < 1 and line.x_max < width - MARGIN_RIGHT - 1
    return abs(line.x_max - (width - MARGIN_RIGHT)) < 1 and line.x_min > MARGIN_LEFT + 1


@pytest.mark.parametrize("name", ["ar.pdf", "ar-large-print.pdf"])
def test_pdf_footer_is_mirrored(arabic: Path, english: Path, name: str) -> None:
    """Title where a line starts (right in Arabic), "Page N of M" where it ends."""
    for pdf, direction, version in ((arabic / name, "rtl", "0.1.0"),
                                    (english / "full.pdf", "ltr", "1.2.0")):
        _, _, footer, width = _edges(pdf)
        pages = sorted({ln.page for ln in footer})
        assert pages, f"{pdf.name}: no footer"
        number_side, title_side = ("left", "right") if direction == "rtl" else ("right", "left")
        for page in pages:
            here = [ln for ln in footer if ln.page == page]
            numbers = [ln for ln in here if {str(page), str(len(pages))} <= set(ln.words)]
            assert len(numbers) == 1 and _at(number_side, numbers[0], width), (pdf.name, here)
            titles = [ln for ln in here if ln is not numbers[0]]
            assert titles and all(_at(title_side, ln, width) for ln in titles), (pdf.name, here)
            assert any(version in ln.words for ln in titles), (pdf.name, here)
