"""The folder catalogue: several guides built into one folder give one ``index.html``
and one ``opds.xml`` that list them all, read from ``manifest.json``.

The page goes through axe-core (320 and 1280 CSS px) and the Nu Html Checker; the
feed through feedparser, an Atom parser independent of ours (no OPDS 1.2 schema can
be installed from PyPI, npm or Debian); every link must resolve and every page count
must be the one ``pdfinfo`` reads from the PDF.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import feedparser
import pytest
from lxml import html as lxml_html

import publish.cache
import publish.resources
import publish.styles
from publish.build import build
from publish.cache import BuildCache
from publish.library import build_guide, build_library
from publish.manifest import MANIFEST_NAME, verify
from publish.render import FORMATS, RenderOptions
from publish.watch import forget_file_contents
from tests import validators as v
from tests.conftest import GOOD, ROOT, SHIPPED_GUIDE

GUIDES = (SHIPPED_GUIDE, GOOD / "full.md", GOOD / "minimal.md")
CATALOGUE = ("index.html", "opds.xml")
OPEN_ACCESS = "http://opds-spec.org/acquisition/open-access"


@pytest.fixture(scope="module")
def shelf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every output of three guides, built into one folder one after the other."""
    v.require("pdfinfo")  # and liblouis, for the braille edition the default build makes
    out = tmp_path_factory.mktemp("shelf")
    reports = build_library(GUIDES, out, list(FORMATS), RenderOptions())
    assert [r.error for r in reports] == [None] * len(GUIDES)
    return out


def manifest(out: Path) -> dict:
    return json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))


def pdfinfo_pages(path: Path) -> int:
    v.require("pdfinfo")
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1))


def test_index_lists_every_guide_with_working_links(shelf: Path) -> None:
    page = lxml_html.fromstring((shelf / "index.html").read_bytes())
    listed = manifest(shelf)
    assert {g["source"] for g in listed["guides"]} == {g.name for g in GUIDES}
    titles = {h.text_content(): h.get("lang") for h in page.iter("h2")}
    assert titles == {g["title"]: g["lang"] for g in listed["guides"]}
    hrefs = [a.get("href") for a in page.iter("a")]
    for href in hrefs:
        if href.startswith("#"):
            assert page.get_element_by_id(href[1:]) is not None, href
        else:
            assert (shelf / href).is_file(), href
    offered = {e["file"] for e in listed["outputs"] if e.get("kind")}
    assert offered <= set(hrefs)
    assert {"guide.pdf", "full-large-print.pdf", "minimal.epub", "guide.html"} <= offered
    assert not {n for n in hrefs if ".embed." in n}  # the fragment is for partner sites
    assert all(line.startswith("OK ") for line in verify(shelf))
    assert {e["file"] for e in listed["outputs"] if e.get("collection")} == set(CATALOGUE)


def test_page_counts_are_the_pdfs_own(shelf: Path) -> None:
    """The index says "(PDF, 8 pages, …)" with the count pdfinfo reads from the file."""
    page = lxml_html.fromstring((shelf / "index.html").read_bytes())
    pdfs = [a for a in page.iter("a") if a.get("href").endswith(".pdf")]
    assert len(pdfs) == 2 * len(GUIDES)
    for link in pdfs:
        pages = pdfinfo_pages(shelf / link.get("href"))
        said = re.search(r"PDF, (\d+) pages?,", link.text_content())
        assert said and int(said.group(1)) == pages, link.text_content()
        entry = next(e for e in manifest(shelf)["outputs"] if e["file"] == link.get("href"))
        assert entry["pages"] == pages


def test_feed_is_atom_with_every_required_element(shelf: Path) -> None:
    feed = feedparser.parse((shelf / "opds.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.id.startswith("urn:uuid:") and feed.feed.title and feed.feed.updated
    self_link = next(link for link in feed.feed.links if link.rel == "self")
    assert self_link.href == "opds.xml"
    assert "profile=opds-catalog;kind=acquisition" in self_link.type
    guides = {g["identifier"]: g for g in manifest(shelf)["guides"]}
    assert {e.id for e in feed.entries} == set(guides)
    for entry in feed.entries:
        guide = guides[entry.id]
        assert entry.title == guide["title"]
        assert entry.title_detail.language == guide["lang"]  # xml:lang of the entry
        # feedparser names the OPDS 1.2 Dublin Core terms (purl.org/dc/terms) dcterms_*
        assert entry.dcterms_identifier == guide["identifier"]
        assert entry.dcterms_language == guide["lang"]
        assert entry.get("dcterms_publisher", "") == guide["publisher"]
        assert entry.updated == guide["modified"]
        assert entry.get("summary", "") == guide["summary"]
        assert entry.get("author") or feed.feed.author
        takes = [link for link in entry.links if link.rel == OPEN_ACCESS]
        assert [t.type for t in takes][:1] == ["application/epub+zip"]  # the EPUB first
        assert "application/pdf" in {t.type for t in takes}
        for link in takes:
            target = shelf / link.href  # relative to the feed, which is in the folder
            assert target.is_file() and int(link.length) == target.stat().st_size


def test_index_passes_axe_and_the_nu_checker(shelf: Path) -> None:
    index = shelf / "index.html"
    for width in (320, 1280):
        violations = v.axe_page(index, width=width, tags=(*v.WCAG_TAGS, "best-practice"))
        assert violations == [], f"{width} px: {v.axe_summary(violations)}"
    messages = v.vnu(index)  # errors, as for the guide's page (vnu's CSP warnings ignore
    # style hashes: it warns about the style element whose hash the policy allows)
    assert messages == [], v.vnu_summary(messages)


def test_index_reflows_at_320_px(shelf: Path) -> None:
    with v.browser_page(shelf / "index.html", width=320) as page:
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 320


def test_builds_accumulate_and_replace_only_their_own_guide(tmp_path: Path) -> None:
    """A second guide built later joins the first; rebuilding one guide replaces its own
    description and keeps the other's; a guide whose files are gone leaves the list."""
    src = tmp_path / "src"
    shutil.copytree(GOOD, src)
    out = tmp_path / "out"
    build(src / "minimal.md", out, ["html"])
    build(src / "full.md", out, ["html"])
    assert {g["source"] for g in manifest(out)["guides"]} == {"minimal.md", "full.md"}
    text = (src / "full.md").read_text(encoding="utf-8").replace('"1.2.0"', '"1.3.0"')
    (src / "full.md").write_text(text, encoding="utf-8")
    build(src / "full.md", out, ["html"])
    guides = {g["source"]: g for g in manifest(out)["guides"]}
    assert guides["full.md"]["version"] == "1.3.0" and "minimal.md" in guides
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "1.3.0" in index and "1.2.0" not in index and "A minimal guide" in index
    (out / "minimal.html").unlink()
    build(src / "full.md", out, ["html"])
    assert [g["source"] for g in manifest(out)["guides"]] == ["full.md"]
    assert "A minimal guide" not in (out / "index.html").read_text(encoding="utf-8")


def test_catalogue_is_byte_identical_whatever_the_order(shelf: Path, tmp_path: Path) -> None:
    """Built again in the opposite order, in two processes at once: the same bytes."""
    again = tmp_path / "again"
    reports = build_library(GUIDES[::-1], again, list(FORMATS),
                            RenderOptions(), jobs=2)
    assert [r.error for r in reports] == [None] * len(GUIDES)
    for name in (*CATALOGUE, MANIFEST_NAME):
        assert (again / name).read_bytes() == (shelf / name).read_bytes(), name


def page_counts_said(page: Path) -> dict[str, int]:
    """File → the page count the "Other formats" links of a page or fragment state."""
    tree = lxml_html.fromstring(page.read_bytes())
    found = {}
    for link in tree.xpath("//nav[contains(@class, 'other-formats')]//a"):
        said = re.search(r"PDF, (\d+) pages?,", link.text_content())
        if said:
            found[link.get("href").rsplit("/", 1)[-1]] = int(said.group(1))
    return found


def test_every_page_links_its_formats_with_the_pdfs_page_counts(shelf: Path) -> None:
    for guide in GUIDES:
        stem = guide.stem
        for page in (shelf / f"{stem}.html", shelf / f"{stem}.embed.html"):
            tree = lxml_html.fromstring(page.read_bytes())
            links = tree.xpath("//nav[contains(@class, 'other-formats')]//a/@href")
            expected = {e["file"] for e in manifest(shelf)["outputs"]
                        if e.get("source") == guide.name and e.get("kind")} - {f"{stem}.html"}
            assert {f"{stem}.pdf", f"{stem}-large-print.pdf", f"{stem}.epub",
                    f"{stem}.brf"} <= expected
            assert set(links) == expected, page.name
            assert all((shelf / href).is_file() for href in links)
            counts = page_counts_said(page)
            assert counts == {n: pdfinfo_pages(shelf / n) for n in expected
                              if n.endswith(".pdf")}, page.name


def test_pdfs_and_epub_name_the_other_formats(shelf: Path) -> None:
    """In "Guide details" of "About this guide": the others by kind, never themselves."""
    v.require("pdfinfo")
    braille = "Braille, ready to emboss (BRF); Braille (PEF)"
    for name, others in (("full.pdf", "Web page (HTML); Large print (PDF); E-book (EPUB)"),
                         ("full-large-print.pdf",
                          "Web page (HTML); Printable leaflet (PDF); E-book (EPUB)")):
        text = subprocess.run(["pdftotext", str(shelf / name), "-"],
                              capture_output=True, text=True, check=True).stdout
        text = re.sub(r"-\s+", "-", " ".join(text.split()))  # "E-" at a line end
        assert f"Other formats {others}; {braille} " in text, name
    with zipfile.ZipFile(shelf / "full.epub") as book:
        xhtml = b"".join(book.read(n) for n in book.namelist() if n.endswith(".xhtml"))
    assert ("<dt>Other formats</dt><dd>Web page (HTML); Printable leaflet (PDF); "
            f"Large print (PDF); {braille}</dd>").encode() in xhtml


def test_fragment_links_under_its_base_url(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(GOOD / "minimal.md", out, ["html", "embed", "epub"],
          options=RenderOptions(base_url="https://partner.example/guides/"))
    tree = lxml_html.fromstring((out / "minimal.embed.html").read_bytes())
    assert tree.xpath("//nav[contains(@class, 'other-formats')]//a/@href") == [
        "https://partner.example/guides/minimal.epub"]
    page = lxml_html.fromstring((out / "minimal.html").read_bytes())
    assert page.xpath("//nav[contains(@class, 'other-formats')]//a/@href") == ["minimal.epub"]
    build(GOOD / "minimal.md", out, ["html"])  # nothing else in this build: nothing listed
    page = lxml_html.fromstring((out / "minimal.html").read_bytes())
    assert page.xpath("//nav[contains(@class, 'other-formats')]") == []


def test_cache_renders_the_page_again_when_a_pdf_changes_length(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A print style change lengthens the PDF: the page, which reads no print style, is
    rendered again and states the new page count."""
    styles_copy = tmp_path / "styles"
    shutil.copytree(publish.styles.STYLES_DIR, styles_copy)
    for module in (publish.styles, publish.cache, publish.resources):
        monkeypatch.setattr(module, "STYLES_DIR", styles_copy)
    monkeypatch.setattr(publish.styles, "FONTS_DIR", styles_copy / "fonts")
    cache = BuildCache(tmp_path / "cache")
    out = tmp_path / "out"
    formats = ["html", "pdf"]
    options = RenderOptions(pdf_variants=("standard",))
    build_guide(GOOD / "full.md", out, formats, options, cache=cache)
    before = page_counts_said(out / "full.html")
    assert before == {"full.pdf": pdfinfo_pages(out / "full.pdf")}
    with (styles_copy / "print.css").open("a", encoding="utf-8") as css:
        css.write("\nh2 { break-before: page; }\n")
    forget_file_contents()  # as publish watch does after a save
    report = build_guide(GOOD / "full.md", out, formats, options, cache=cache)
    assert sorted(report.rendered) == ["html", "pdf"]
    after = page_counts_said(out / "full.html")
    assert after == {"full.pdf": pdfinfo_pages(out / "full.pdf")} != before


def test_an_up_to_date_guide_writes_a_lost_catalogue_again(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path / "cache")
    out = tmp_path / "out"
    build_guide(GOOD / "minimal.md", out, ["html"], RenderOptions(), cache=cache)
    before = {name: (out / name).read_bytes() for name in CATALOGUE}
    (out / "index.html").unlink()
    (out / "opds.xml").write_text("changed", encoding="utf-8")
    report = build_guide(GOOD / "minimal.md", out, ["html"], RenderOptions(), cache=cache)
    assert report.rendered == []  # from the cache; only the catalogue is written again
    assert {name: (out / name).read_bytes() for name in CATALOGUE} == before
    assert all(line.startswith("OK ") for line in verify(out))


def test_translations_are_listed_under_their_source_in_their_language(tmp_path: Path) -> None:
    """One entry per guide; each language titled in itself, marked with its language.
    The PDFs name the other languages in "Guide details" (the pages have the switcher)."""
    src = tmp_path / "src"
    shutil.copytree(ROOT / "tests" / "fixtures" / "translation" / "good", src)
    out = tmp_path / "out"
    reports = build_library(sorted(src.glob("leaflet*.md")), out, ["html", "pdf"],
                            RenderOptions(pdf_variants=("standard",)))
    assert [r.error for r in reports] == [None] * 3
    index = lxml_html.fromstring((out / "index.html").read_bytes())
    (entry,) = index.xpath("//article")
    assert [h.get("lang") for h in entry.iter("h3")] == ["en-GB", "ar", "es"]
    titles = {p.get("lang"): p.text_content() for p in entry.xpath(".//p[@lang]")
              if "edition-title" in p.get("class", "")}
    assert titles["es"] == "Cómo tomar con seguridad un medicamento en dosis baja"
    assert {g["translation_of"] for g in manifest(out)["guides"]} == {"", "leaflet.md"}
    page = lxml_html.fromstring((out / "leaflet.es.html").read_bytes())
    assert page.xpath("//nav[contains(@class, 'other-formats')]//a/@href") == [
        "leaflet.es.pdf"]
    text = subprocess.run(["pdftotext", str(out / "leaflet.es.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "Taking a low-dose medicine safely" in text  # the English edition, by its title


def _inlined_fonts_cover(css: str) -> set[int]:
    """Every code point some font inlined in ``css`` (as a data URL) has a glyph for."""
    import base64
    import io

    from fontTools.ttLib import TTFont

    covered: set[int] = set()
    for data in re.findall(r"url\(data:font/[\w-]+;base64,([A-Za-z0-9+/=]+)\)", css):
        font = TTFont(io.BytesIO(base64.b64decode(data)))
        covered |= set(font.getBestCmap())
    return covered


def test_the_index_draws_every_title_from_inlined_fonts(tmp_path: Path) -> None:
    """The catalogue lists an Arabic edition's title and language name: like the guides'
    pages, it inlines the subsets that draw them, never leaving them to the machine."""
    from publish.fonts import needs_glyph

    src = tmp_path / "src"
    shutil.copytree(ROOT / "tests" / "fixtures" / "translation" / "good", src)
    out = tmp_path / "out"
    reports = build_library(sorted(src.glob("leaflet*.md")), out, ["html"], RenderOptions())
    assert [r.error for r in reports] == [None] * 3
    page = lxml_html.fromstring((out / "index.html").read_bytes())
    text = "".join(page.find("body").itertext()) + page.findtext(".//title")
    arabic = {c for c in text if "\u0600" <= c <= "\u06ff"}
    assert arabic, "the fixture's Arabic edition is listed"
    covered = _inlined_fonts_cover(page.findtext(".//style"))
    missing = sorted({c for c in text if needs_glyph(c) and ord(c) not in covered})
    assert missing == [], [f"U+{ord(c):04X}" for c in missing]
