"""End to end: a build writes every output, and all of them share one outline.

The heading outline is read back from each real file — HTML headings, PDF
bookmarks, the PDF structure tree (via poppler) and the EPUB navigation
document — and must equal the document model's outline.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest
from lxml import etree
from lxml import html as lxml_html

from publish.parse import parse
from tests.conftest import GOOD, SHIPPED_GUIDE

Outline = list[tuple[int, str]]
XHTML = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}


def model_outline(source: Path) -> Outline:
    return [(h.level, h.text) for h in parse(source).headings]


def html_outline(path: Path) -> Outline:
    tree = lxml_html.fromstring(path.read_bytes())
    main = tree.find(".//main")
    return [(int(h.tag[1]), " ".join(h.text_content().split()))
            for h in main.iter("h1", "h2", "h3", "h4", "h5", "h6")]


def bookmark_outline(path: Path) -> Outline:
    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
        found: Outline = []

        def walk(items, level: int) -> None:
            for item in items:
                found.append((level, " ".join(str(item.title).split())))
                walk(item.children, level + 1)

        walk(outline.root, 1)
        return found


def structure_outline(path: Path) -> Outline:
    """Headings of the tagged structure tree, with their text, from pdfinfo.

    A heading that wraps is printed as one span per line, without the space
    at the break, so spans are joined with a space.
    """
    text = subprocess.run(["pdfinfo", "-struct-text", str(path)], capture_output=True,
                          text=True, check=True).stdout
    found: Outline = []
    current: tuple[int, int, list[str]] | None = None
    for line in text.splitlines():
        indent = len(line) - len(line.lstrip())
        match = re.match(r"\s*H([1-6])\b", line)
        if current and indent <= current[0] and not line.strip().startswith('"'):
            found.append((current[1], " ".join(" ".join(current[2]).split())))
            current = None
        if match:
            current = (indent, int(match.group(1)), [])
        elif current and line.strip().startswith('"'):
            current[2].append(line.strip()[1:-1])
    if current:
        found.append((current[1], " ".join(" ".join(current[2]).split())))
    return found


def epub_nav_outline(path: Path) -> Outline:
    with zipfile.ZipFile(path) as epub:
        opf_name = next(n for n in epub.namelist() if n.endswith(".opf"))
        opf = etree.fromstring(epub.read(opf_name))
        nav_href = opf.xpath("//*[local-name()='item'][contains(@properties,'nav')]/@href")[0]
        base = opf_name.rsplit("/", 1)[0]
        nav = etree.fromstring(epub.read(f"{base}/{nav_href}"))
    toc = nav.xpath("//x:nav[@epub:type='toc']", namespaces=XHTML)[0]
    found: Outline = []

    def walk(ol, level: int) -> None:
        for li in ol.xpath("x:li", namespaces=XHTML):
            link = li.xpath("x:a|x:span", namespaces=XHTML)[0]
            found.append((level, " ".join("".join(link.itertext()).split())))
            for child in li.xpath("x:ol", namespaces=XHTML):
                walk(child, level + 1)

    walk(toc.xpath("x:ol", namespaces=XHTML)[0], 1)
    return found


@pytest.fixture(params=["full", "shipped"])
def built(request: pytest.FixtureRequest) -> tuple[Path, Path]:
    if request.param == "full":
        return GOOD / "full.md", request.getfixturevalue("full_build")
    return SHIPPED_GUIDE, request.getfixturevalue("shipped_build")


def test_every_output_is_written(built: tuple[Path, Path]) -> None:
    source, out = built
    stem = source.stem
    for name in (f"{stem}.html", f"{stem}.pdf", f"{stem}-large-print.pdf", f"{stem}.epub"):
        assert (out / name).stat().st_size > 1000, name


def test_outline_is_the_same_in_every_output(built: tuple[Path, Path]) -> None:
    source, out = built
    expected = model_outline(source)
    assert len(expected) > 3
    assert html_outline(out / f"{source.stem}.html") == expected
    assert bookmark_outline(out / f"{source.stem}.pdf") == expected
    assert structure_outline(out / f"{source.stem}.pdf") == expected
    assert structure_outline(out / f"{source.stem}-large-print.pdf") == expected
    assert epub_nav_outline(out / f"{source.stem}.epub") == expected


def page_list_length(path: Path) -> int:
    with zipfile.ZipFile(path) as epub:
        nav_name = next(n for n in epub.namelist() if n.endswith("nav.xhtml"))
        nav = etree.fromstring(epub.read(nav_name))
    return len(nav.xpath("//x:nav[@epub:type='page-list']//x:li", namespaces=XHTML))


def test_epub_page_list_follows_the_standard_pdf_even_when_it_is_not_built(
        tmp_path: Path, full_build: Path) -> None:
    from publish.build import build
    from publish.render import RenderOptions

    build(GOOD / "full.md", tmp_path, ["pdf", "epub"],
          options=RenderOptions(pdf_variants=("large-print",)))
    assert not (tmp_path / "full.pdf").exists()
    with pikepdf.open(full_build / "full.pdf") as standard:
        pages = len(standard.pages)
    assert page_list_length(tmp_path / "full.epub") == pages == \
        page_list_length(full_build / "full.epub")
