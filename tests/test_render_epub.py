"""The EPUB renderer: structure, accessibility metadata, page list, determinism.

Unit tests run the renderer on the fixture guides with hand-made page starts;
the validator tests (EPUBCheck, DAISY Ace) and the page-list test run on real
builds, where the page starts come from the PDF layout.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import subprocess
import sys
import unicodedata
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pikepdf
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lxml_html

from publish.build import build, check
from publish.labels import labels_for
from publish.model import Document
from publish.render import PAGE_STARTS_FACT, RenderContext, RenderOptions
from publish.render.common import PageStart, block_elements, insert_at_character
from publish.render.epub import CONFORMS_TO, EpubRenderer, place_page_breaks
from tests import validators as v
from tests.conftest import GOOD, ROOT, SHIPPED_GUIDE

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


# --------------------------------------------------------------------------------------
# Reading an EPUB back
# --------------------------------------------------------------------------------------


class Book:
    """A built EPUB, read back: package document, spine documents, nav."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        container = etree.fromstring(self.zip.read("META-INF/container.xml"))
        self.opf_name = container.xpath("//*[local-name()='rootfile']/@full-path")[0]
        self.base = self.opf_name.rsplit("/", 1)[0] + "/"
        self.opf = etree.fromstring(self.zip.read(self.opf_name))
        manifest = {i.get("id"): i for i in self.opf.xpath("//opf:item", namespaces=NS)}
        self.spine = [manifest[r.get("idref")].get("href")
                      for r in self.opf.xpath("//opf:itemref", namespaces=NS)]
        self.nav_name = self.opf.xpath("//opf:item[@properties='nav']/@href", namespaces=NS)[0]

    def doc(self, href: str) -> etree._Element:
        return etree.fromstring(self.zip.read(self.base + href))

    def meta(self, prop: str) -> list[str]:
        return [m.text for m in self.opf.xpath(f"//opf:meta[@property='{prop}']",
                                               namespaces=NS)]

    def nav(self, kind: str) -> etree._Element:
        found = self.doc(self.nav_name).xpath(f"//x:nav[@epub:type='{kind}']", namespaces=NS)
        assert len(found) == 1, kind
        return found[0]

    def target(self, href: str) -> etree._Element:
        """The element a nav link points at (``file#id``, relative to the nav)."""
        name, _, frag = href.partition("#")
        found = self.doc(name).xpath(f"//*[@id='{frag}']")
        assert len(found) == 1, href
        return found[0]


def render(doc: Document, starts: list[PageStart] | None = None) -> Book:
    ctx = RenderContext(doc, RenderOptions())
    if starts is not None:
        ctx.facts[PAGE_STARTS_FACT] = starts
    return Book(EpubRenderer().render(ctx)[f"{doc.path.stem}.epub"])


@pytest.fixture(scope="module")
def full() -> Document:
    return check(GOOD / "full.md")[0]


@pytest.fixture(scope="module")
def minimal() -> Document:
    return check(GOOD / "minimal.md")[0]


def hand_made_starts(doc: Document) -> list[PageStart]:
    """A page at the h1, one inside the intro, one at each h2 and one at a table row."""
    blocks = block_elements(doc.body_copy())
    starts = [PageStart(1, 0), PageStart(2, 1, 10)]
    for i, block in enumerate(blocks):
        if block.tag == "h2" or (block.tag == "tr" and block.getparent().tag == "tbody"):
            starts.append(PageStart(len(starts) + 1, i))
    return starts


@pytest.fixture(scope="module")
def full_book(full: Document) -> Book:
    return render(full, hand_made_starts(full))


# --------------------------------------------------------------------------------------
# Page-break markers
# --------------------------------------------------------------------------------------


def fragment(markup: str) -> lxml_html.HtmlElement:
    return lxml_html.fragment_fromstring(markup, create_parent="div")


def markers(body: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    return [el for el in body.iter("span") if el.get(EPUB_TYPE) == "pagebreak"]


def test_marker_goes_before_a_block_that_starts_a_page() -> None:
    body = fragment("<h1 id='t'>Title</h1><p>One</p><p>Two</p>")
    placed = place_page_breaks(body, [PageStart(1, 0), PageStart(2, 2)])
    assert placed == [(1, "page-1"), (2, "page-2")]
    found = markers(body)
    assert [m.getnext().text for m in found] == ["Title", "Two"]
    for marker, page in zip(found, ("1", "2"), strict=True):
        assert marker.get("role") == "doc-pagebreak"
        assert marker.get("aria-label") == page
        assert marker.text is None and len(marker) == 0 and not marker.tail


def test_marker_splits_a_paragraph_at_the_character_the_page_starts_with() -> None:
    body = fragment("<p>Take <strong>one tablet</strong> at bedtime.</p>")
    before = body.text_content()
    place_page_breaks(body, [PageStart(4, 0, 9)])
    (marker,) = markers(body)
    assert marker.getparent().tag == "strong"
    assert body.text_content() == before
    text_before = "".join(body.xpath("//span[@id='page-4']/preceding::text()"))
    assert text_before == "Take one "


def test_marker_in_a_list_item_or_table_row_stays_valid() -> None:
    body = fragment("<ul><li>First</li><li>Second</li></ul>"
                    "<table><tbody><tr><td>A</td><td>B</td></tr></tbody></table>")
    blocks = block_elements(body)
    li = blocks.index(body.xpath("//li")[1])
    tr = blocks.index(body.xpath("//tr")[0])
    place_page_breaks(body, [PageStart(2, li), PageStart(3, tr)])
    first, second = markers(body)
    assert first.getparent().tag == "li" and first.tail == "Second"
    assert second.getparent().tag == "td" and second.tail == "A"


def test_marker_never_goes_inside_an_image() -> None:
    body = fragment("<p>ab<img src='x.svg' alt='A picture'>cd</p>")
    place_page_breaks(body, [PageStart(2, 0, 2)])
    (marker,) = markers(body)
    assert marker.getparent().tag == "p" and marker.getprevious().tag == "img"
    assert marker.tail == "cd"


def test_marker_id_never_takes_an_id_already_in_the_guide() -> None:
    body = fragment("<h2 id='page-1'>Page 1</h2><p>Text</p>")
    assert place_page_breaks(body, [PageStart(1, 0)]) == [(1, "page-1-2")]


text_pieces = st.lists(st.text(alphabet="ab \n", max_size=4), min_size=1, max_size=5)


@given(text_pieces, st.data())
def test_marker_is_placed_at_exactly_that_character(pieces: list[str], data) -> None:
    """Whatever the inline markup, the text before the marker is text_content()[:offset]."""
    markup = "<p>" + "".join(f"{t}<b>{t}</b>" if i % 2 else t
                             for i, t in enumerate(pieces)) + "</p>"
    body = fragment(markup)
    p = body[0]
    full_text = p.text_content()
    offset = data.draw(st.integers(min_value=0, max_value=max(len(full_text) - 1, 0)))
    marker = lxml_html.Element("span", id="m")
    insert_at_character(p, offset, marker)
    assert p.text_content() == full_text
    assert "".join(p.xpath("//span[@id='m']/preceding::text()")) == full_text[:offset]


# --------------------------------------------------------------------------------------
# Package and content documents
# --------------------------------------------------------------------------------------


def test_languages_and_direction_everywhere(full_book: Book) -> None:
    assert full_book.opf.get(XML_LANG) == "en-GB"
    assert full_book.opf.xpath("//dc:language/text()", namespaces=NS) == ["en-GB"]
    for href in full_book.spine:
        root = full_book.doc(href)
        assert root.get("lang") == root.get(XML_LANG) == "en-GB", href
        assert root.get("dir") == "ltr", href


def test_korean_book_keeps_words_whole() -> None:
    """Every document of a Korean book breaks lines only between words: its root carries
    the class the EPUB stylesheet gives ``word-break: keep-all``."""
    from publish.render.words import KEEP_WORDS_CLASS

    book = render(check(ROOT / "tests" / "fixtures" / "languages" / "ko.md")[0])
    assert {book.doc(h).get("class") for h in book.spine} == {KEEP_WORDS_CLASS}
    css = book.zip.read(book.base + "style/guide.css").decode()
    assert re.search(rf"\.{KEEP_WORDS_CLASS} {{ word-break: keep-all; }}", css)


def test_right_to_left_guide_says_so(full: Document) -> None:
    rtl = dataclasses.replace(full, meta=dataclasses.replace(full.meta, lang="ar", dir="rtl"))
    book = render(rtl)
    assert book.opf.get("dir") == "rtl" and book.opf.get(XML_LANG) == "ar"
    assert book.opf.xpath("//opf:spine/@page-progression-direction", namespaces=NS) == ["rtl"]
    assert {book.doc(h).get("dir") for h in book.spine} == {"rtl"}


def test_one_content_document_per_top_level_section(full: Document, full_book: Book) -> None:
    top = [s for s in full.body if s.tag == "section"]
    parts = [h for h in full_book.spine if h != full_book.nav_name]
    # The first section (key facts) shares the first document with the title.
    assert len(parts) == len(top) == 3
    assert full_book.spine.index(full_book.nav_name) == 1
    firsts = [full_book.doc(p).xpath("//x:h1|//x:h2", namespaces=NS)[0].get("id")
              for p in parts]
    assert firsts == [full.outline[0].id, *(s.get("aria-labelledby") for s in top[1:])]
    titles = [full_book.doc(p).findtext("{*}head/{*}title") for p in parts]
    assert titles == ["Full fixture guide", "What it is", "About this guide"]


def test_draft_marking_in_every_spine_document(full_book: Book) -> None:
    for href in full_book.spine:
        banner = full_book.doc(href).xpath("//x:body/*[1]", namespaces=NS)[0]
        assert banner.get("class") == "draft-banner", href
        assert "Draft — not for clinical use" in "".join(banner.itertext())


def test_approved_guide_has_no_draft_marking(full: Document) -> None:
    approved = dataclasses.replace(full, meta=dataclasses.replace(full.meta,
                                                                  status="approved"))
    book = render(approved)
    for href in book.spine:
        assert not book.doc(href).xpath("//*[@class='draft-banner']"), href


def test_citations_and_sources_carry_note_semantics(full_book: Book) -> None:
    docs = [full_book.doc(h) for h in full_book.spine]
    refs = [a for d in docs for a in d.xpath("//x:a[@role='doc-noteref']", namespaces=NS)]
    assert len(refs) == 3
    for a in refs:
        assert a.get(EPUB_TYPE) == "noteref"
        assert full_book.target(a.get("href")).tag.endswith("li")
    (notes,) = [s for d in docs for s in d.xpath("//x:section[@role='doc-endnotes']",
                                                 namespaces=NS)]
    assert notes.get(EPUB_TYPE) == "endnotes"
    back = notes.xpath(".//x:a[@role='doc-backlink']", namespaces=NS)
    assert len(back) == 2 and {a.get(EPUB_TYPE) for a in back} == {"backlink"}
    for a in back:
        assert full_book.target(a.get("href")).get("role") == "doc-noteref"


def test_table_and_image_survive(full_book: Book) -> None:
    docs = [full_book.doc(h) for h in full_book.spine]
    (table,) = [t for d in docs for t in d.xpath("//x:table", namespaces=NS)]
    assert table.findtext("{*}caption") == "Two things compared"
    assert len(table.xpath(".//x:thead//x:th", namespaces=NS)) == 2
    (img,) = [i for d in docs for i in d.xpath("//x:img", namespaces=NS)]
    assert img.get("alt") == "A blue circle that stands for the moon"
    assert full_book.zip.read(full_book.base + img.get("src")).startswith(b"<svg")


def test_nav_toc_lists_every_heading_nested(full: Document, full_book: Book) -> None:
    toc = full_book.nav("toc")
    assert toc.get("role") == "doc-toc"

    def walk(ol: etree._Element, level: int) -> list[tuple[int, str, str]]:
        found = []
        for li in ol.xpath("x:li", namespaces=NS):
            a = li.find("{*}a")
            found.append((level, a.text, full_book.target(a.get("href")).get("id")))
            for child in li.xpath("x:ol", namespaces=NS):
                found += walk(child, level + 1)
        return found

    assert walk(toc.find("{*}ol"), 1) == [(h.level, h.text, h.id) for h in full.headings]


def test_each_nav_has_a_role_and_a_unique_label(full_book: Book) -> None:
    navs = full_book.doc(full_book.nav_name).xpath("//x:nav", namespaces=NS)
    assert [n.get(EPUB_TYPE) for n in navs] == ["toc", "landmarks", "page-list"]
    assert [n.get("role") for n in navs] == ["doc-toc", "navigation", "doc-pagelist"]
    labels = []
    for nav in navs:
        (label,) = nav.xpath(f"//*[@id='{nav.get('aria-labelledby')}']")
        labels.append("".join(label.itertext()).strip())
    assert len(set(labels)) == 3 and all(labels)
    assert [n.get("hidden") for n in navs] == [None, "hidden", "hidden"]


def test_landmarks_point_at_what_they_name(full: Document, full_book: Book) -> None:
    links = full_book.nav("landmarks").xpath(".//x:a", namespaces=NS)
    kinds = {a.get(EPUB_TYPE): full_book.target(a.get("href")) for a in links}
    assert set(kinds) == {"toc", "bodymatter", "endnotes"}
    assert kinds["toc"].get(EPUB_TYPE) == "toc"
    assert kinds["bodymatter"].get("id") == full.outline[0].id
    assert kinds["endnotes"].getparent().get("role") == "doc-endnotes"


def test_page_list_points_at_the_markers_in_order(full: Document, full_book: Book) -> None:
    starts = hand_made_starts(full)
    links = full_book.nav("page-list").xpath(".//x:a", namespaces=NS)
    assert [a.text for a in links] == [str(s.page) for s in starts]
    for a in links:
        marker = full_book.target(a.get("href"))
        assert marker.get(EPUB_TYPE) == "pagebreak" and marker.get("role") == "doc-pagebreak"
        assert marker.get("aria-label") == a.text
    # Reading order: markers appear in the spine in page order.
    in_spine = [m.get("aria-label") for h in full_book.spine if h != full_book.nav_name
                for m in full_book.doc(h).xpath("//*[@epub:type='pagebreak']", namespaces=NS)]
    assert in_spine == [a.text for a in links]


def test_no_page_facts_no_page_list(minimal: Document) -> None:
    book = render(minimal)
    assert not book.doc(book.nav_name).xpath("//x:nav[@epub:type='page-list']",
                                             namespaces=NS)
    assert not book.meta("pageBreakSource")
    assert "pageBreakMarkers" not in book.meta("schema:accessibilityFeature")


# --------------------------------------------------------------------------------------
# Metadata
# --------------------------------------------------------------------------------------


def test_accessibility_metadata_claims_what_the_book_has(full: Document,
                                                         full_book: Book) -> None:
    assert full_book.meta("schema:accessMode") == ["textual", "visual"]
    assert full_book.meta("schema:accessModeSufficient") == ["textual"]
    assert set(full_book.meta("schema:accessibilityFeature")) == {
        "structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability",
        "alternativeText", "pageBreakMarkers", "pageNavigation"}
    assert full_book.meta("schema:accessibilityHazard") == ["none"]
    assert full_book.meta("schema:accessibilitySummary") == [full.accessibility_summary]
    assert full_book.meta("dcterms:conformsTo") == [CONFORMS_TO]
    assert CONFORMS_TO == "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"


def test_no_images_no_alternative_text_claim(minimal: Document) -> None:
    book = render(minimal)
    assert book.meta("schema:accessMode") == ["textual"]
    assert "alternativeText" not in book.meta("schema:accessibilityFeature")
    (summary,) = book.meta("schema:accessibilitySummary")
    assert "image" not in summary and "tables with header cells" not in summary
    assert "heading structure" in summary


def test_summary_comes_from_front_matter(full: Document) -> None:
    said = "Written for screen readers first."
    doc = dataclasses.replace(full, meta=dataclasses.replace(
        full.meta, accessibility_summary=said))
    assert render(doc).meta("schema:accessibilitySummary") == [said]


def test_print_source_is_declared(full_book: Book) -> None:
    (source,) = full_book.meta("pageBreakSource")
    assert source.startswith("full.pdf: Full fixture guide") and "1.2.0" in source
    (dc_source,) = full_book.opf.xpath("//dc:source", namespaces=NS)
    assert dc_source.text == source
    refine = full_book.opf.xpath(f"//opf:meta[@refines='#{dc_source.get('id')}']",
                                 namespaces=NS)
    assert [(m.get("property"), m.text) for m in refine] == [("source-of", "pagination")]


def test_bibliographic_metadata(full: Document, full_book: Book) -> None:
    def dc(name: str) -> list[str]:
        return full_book.opf.xpath(f"//dc:{name}/text()", namespaces=NS)

    uid = full_book.opf.get("unique-identifier")
    # A literal: derived from the title and language, it must never change between builds
    # or versions of publish (reading systems key their bookmarks and notes to it).
    assert full_book.opf.xpath(f"//dc:identifier[@id='{uid}']/text()", namespaces=NS) == \
        ["urn:uuid:2325df41-ad22-5183-b2cf-d13966215042"]
    assert dc("title") == ["Full fixture guide"]
    assert dc("publisher") == ["Fixture publisher"]
    assert dc("creator") == ["Fixture editorial team"]
    assert full_book.meta("dcterms:modified") == ["2026-02-01T00:00:00Z"]


def test_modified_date_follows_source_date_epoch(full: Document,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert render(full).meta("dcterms:modified") == ["2026-01-01T00:00:00Z"]


# --------------------------------------------------------------------------------------
# The zip
# --------------------------------------------------------------------------------------


def test_zip_is_stable_and_mimetype_comes_first(full_book: Book) -> None:
    infos = full_book.zip.infolist()
    assert infos[0].filename == "mimetype"
    assert infos[0].compress_type == zipfile.ZIP_STORED and not infos[0].extra
    assert full_book.zip.read("mimetype") == b"application/epub+zip"
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert not any(n.startswith("/") or ".." in n for n in full_book.zip.namelist())


def test_same_document_same_bytes(full: Document, full_book: Book) -> None:
    assert render(full, hand_made_starts(full)).data == full_book.data


def test_every_file_in_the_zip_is_in_the_manifest(full_book: Book) -> None:
    listed = {full_book.base + h for h in full_book.opf.xpath("//opf:item/@href",
                                                               namespaces=NS)}
    assert set(full_book.zip.namelist()) == listed | {
        "mimetype", "META-INF/container.xml", full_book.opf_name}


def test_stylesheet_has_plain_values_and_start_alignment(full_book: Book) -> None:
    css = full_book.zip.read(full_book.base + "style/guide.css").decode("utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    assert "var(" not in css and "@font-face" not in css and "--" not in css
    assert "text-align: left" not in css and "text-align: start" in css
    assert ".draft-banner" in css


def test_epub_is_small(full_book: Book) -> None:
    # No embedded fonts: reading systems let the reader choose the typeface.
    assert len(full_book.data) < 20_000
    assert not [n for n in full_book.zip.namelist() if n.endswith((".ttf", ".woff2"))]


# --------------------------------------------------------------------------------------
# Real builds: EPUBCheck, DAISY Ace, the page list against the printed PDF
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def minimal_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("minimal-build")
    build(GOOD / "minimal.md", out)
    return out


LONG_GUIDE = """---
title: A long guide
lang: en-GB
---
# A long guide

## A long paragraph {{#long-paragraph}}

{sentences}

## A long list {{#long-list}}

{items}

## A long table {{#long-table}}

Table: Many rows

| Row | Dose |
|-----|------|
{rows}
"""


@pytest.fixture(scope="module")
def long_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A guide whose printed pages start inside a paragraph, a list and a table."""
    source = tmp_path_factory.mktemp("long-guide") / "long.md"
    source.write_text(LONG_GUIDE.format(
        sentences=" ".join(f"This is sentence number {i} of the long part."
                           for i in range(1, 400)),
        items="\n".join(f"- List item number {i} is here." for i in range(1, 120)),
        rows="\n".join(f"| Row {i} | {i} mg |" for i in range(1, 120))), encoding="utf-8")
    build(source, source.parent / "out", ["pdf", "epub"])
    return source.parent / "out"


@pytest.fixture(scope="module")
def builds(full_build: Path, shipped_build: Path, minimal_build: Path,
           long_build: Path) -> dict[str, Path]:
    """The EPUB and the standard PDF of each guide, built by the real pipeline."""
    return {"full": full_build / "full", "shipped": shipped_build / SHIPPED_GUIDE.stem,
            "minimal": minimal_build / "minimal", "long": long_build / "long"}


@pytest.fixture(scope="module")
def validated(builds: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """EPUBCheck and Ace on every real EPUB, two tools at a time (2 cores)."""
    reports = tmp_path_factory.mktemp("ace")
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {(name, "epubcheck"): pool.submit(v.epubcheck, stem.with_suffix(".epub"))
                   for name, stem in builds.items()}
        futures |= {(name, "ace"): pool.submit(v.ace, stem.with_suffix(".epub"), reports / name)
                    for name, stem in builds.items()}
        return {key: f.result() for key, f in futures.items()}


@pytest.mark.parametrize("name", ["full", "shipped", "minimal"])
def test_epubcheck_finds_nothing(validated: dict, name: str) -> None:
    r = validated[name, "epubcheck"]
    assert (r["fatal"], r["error"], r["warning"]) == (0, 0, 0), v.epubcheck_summary(r)
    assert r["checker"].get("checkerVersion", "").startswith("5.")


@pytest.mark.parametrize("name", ["full", "shipped", "minimal"])
def test_ace_finds_no_violation(validated: dict, builds: dict[str, Path], name: str) -> None:
    r = validated[name, "ace"]
    book = Book(builds[name].with_suffix(".epub").read_bytes())
    # axe ran on every content document of the spine, the navigation document included.
    assert sorted(r["documents"]) == sorted(book.spine)
    assert r["violations"] == [], v.ace_summary(r)
    assert r["outcome"] == "pass"
    assert not r["a11y_metadata"]["empty"]


def squash(text: str) -> str:
    """Text without any white space, compatibility characters folded (ligatures)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def pdf_page_text(pdf: Path, page: int, lang: str) -> str:
    """The body text of one printed page: running header and draft notice removed."""
    words = labels_for(lang)
    text = squash(subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf),
                                  "-"], capture_output=True, text=True, check=True).stdout)
    for running in (words["draft_banner"],
                    f"{words['draft_banner']}. {words['draft_explainer']}"):
        if text.startswith(squash(running)):
            text = text[len(squash(running)):]
    # List markers are not in the items' text.
    return re.sub(r"^\d+\.", "", text.replace("•", ""))


@pytest.mark.parametrize("name", ["full", "shipped", "minimal", "long"])
def test_page_list_is_the_printed_pages(builds: dict[str, Path], name: str) -> None:
    """One page-list entry per PDF page, in order, at the text that page starts with."""
    stem = builds[name]
    book = Book(stem.with_suffix(".epub").read_bytes())
    lang = book.opf.get(XML_LANG)
    with pikepdf.open(stem.with_suffix(".pdf")) as pdf:
        pages = len(pdf.pages)
    links = book.nav("page-list").xpath(".//x:a", namespaces=NS)
    assert [a.text for a in links] == [str(n) for n in range(1, pages + 1)]
    inside: set[str] = set()
    for number, a in enumerate(links, start=1):
        marker = book.target(a.get("href"))
        inside.add(etree.QName(marker.getparent()).localname)
        assert marker.get(EPUB_TYPE) == "pagebreak" and marker.get("aria-label") == a.text
        after = squash("".join(marker.xpath("following::text()")))[:24]
        printed = pdf_page_text(stem.with_suffix(".pdf"), number, lang)
        # A table that goes on to this page repeats its header row first.
        header = marker.xpath("ancestor::x:table[1]/x:thead", namespaces=NS)
        if header and not marker.xpath("ancestor::x:thead", namespaces=NS):
            printed = printed.removeprefix(squash("".join(header[0].itertext())))
        assert len(after) >= min(12, len(printed)), number
        assert printed.startswith(after), (number, after, printed[:60])
    (source,) = book.meta("pageBreakSource")
    assert source.startswith(f"{stem.name}.pdf")
    if name == "long":  # its pages really do start inside a paragraph, a list and a table
        assert {"p", "li", "td"} <= inside, inside


def test_epub_alone_matches_epub_built_with_the_pdf(full_build: Path, tmp_path: Path) -> None:
    """Built alone (page starts from a PDF layout only) or with the PDF, in fresh
    processes with different hash seeds: the same bytes."""
    made = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        env.pop("SOURCE_DATE_EPOCH", None)
        subprocess.run([sys.executable, "-m", "publish", "build", str(GOOD / "full.md"),
                        "--out", str(out), "--format", "epub", "--quiet", "--no-cache"],
                       check=True, env=env, cwd=ROOT, timeout=180)
        assert not list(out.glob("*.pdf"))  # the PDF was laid out, not written
        made.append((out / "full.epub").read_bytes())
    assert made[0] == made[1] == (full_build / "full.epub").read_bytes()
