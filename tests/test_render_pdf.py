"""The PDF leaflets: PDF/UA-1 tagging, clear and large print, print shop, page starts.

Every check reads a real PDF back (pikepdf for the catalog, structure tree and
content streams; poppler's ``pdfinfo -struct-text`` and ``pdftotext`` for text;
pdfminer.six for text sizes and fonts), on the shipped guide and the full fixture.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from lxml import etree
from lxml import html as lxml_html
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTComponent

from publish.build import build
from publish.cli import cli
from publish.errors import RenderError
from publish.labels import labels_for
from publish.parse import parse
from publish.render import PAGE_STARTS_FACT, RenderContext, RenderOptions
from publish.render.common import BLOCK_TAGS, PageStart, block_elements
from publish.render.pdf import VARIANTS, PdfRenderer
from publish.render.pdf_pages import page_starts
from publish.render.pdf_tags import TaggingError, repair
from publish.render.words import WORD_CLASS, overflowing_words
from tests.conftest import GOOD, ROOT, SHIPPED_GUIDE

A4 = (595.276, 841.89)
A5 = (419.528, 595.276)
BLEED = 3 / 25.4 * 72  # 3 mm in points
#: Operators that put text, images or paths on a page (path building and clipping do not).
PAINTING = {"Tj", "TJ", "'", '"', "Do", "BI", "sh", "f", "F", "f*", "S", "s", "B", "B*", "b",
            "b*"}
XMP_TITLE = "{http://purl.org/dc/elements/1.1/}title"
XMP_UA_PART = "{http://www.aiim.org/pdfua/ns/id/}part"


# --------------------------------------------------------------------------------------
# Reading a PDF back
# --------------------------------------------------------------------------------------


def normalise(text: str) -> str:
    return " ".join(text.split())


def page_text(path: Path, page: int | None = None) -> str:
    """Text poppler extracts (every page, or one), white space collapsed."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", *pages, str(path), "-"],
                            capture_output=True, text=True, check=True)
    return normalise(result.stdout)


def page_count(path: Path) -> int:
    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


@dataclasses.dataclass
class Node:
    """One structure element as ``pdfinfo -struct-text`` prints it, with its text."""

    role: str
    texts: list[str] = dataclasses.field(default_factory=list)

    @property
    def text(self) -> str:
        return normalise(" ".join(self.texts))


def struct_nodes(path: Path) -> list[Node]:
    """Every structure element in reading order, from poppler's view of the tree."""
    out = subprocess.run(["pdfinfo", "-struct-text", str(path)], capture_output=True,
                         text=True, check=True).stdout
    nodes: list[Node] = []
    stack: list[tuple[int, Node]] = []
    for line in out.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        content = line.strip()
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if content.startswith('"'):
            for _, node in stack:
                node.texts.append(content.strip('"'))
        else:
            node = Node(content.split()[0])
            nodes.append(node)
            stack.append((indent, node))
    return nodes


def struct_headings(path: Path) -> list[tuple[int, str]]:
    return [(int(n.role[1]), n.text) for n in struct_nodes(path)
            if re.fullmatch(r"H[1-6]", n.role)]


def kids(element: pikepdf.Dictionary) -> list:
    k = element.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def walk(element: pikepdf.Dictionary) -> Iterator[pikepdf.Dictionary]:
    """Structure elements under ``element`` in reading order."""
    for kid in kids(element):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from walk(kid)


def role(element: pikepdf.Dictionary) -> str:
    return str(element.S)[1:]


def ancestors(element: pikepdf.Dictionary) -> Iterator[pikepdf.Dictionary]:
    parent = element.get("/P")
    while isinstance(parent, pikepdf.Dictionary) and "/S" in parent:
        yield parent
        parent = parent.get("/P")


@dataclasses.dataclass
class PageContent:
    """What one page's content stream paints, and how it is marked."""

    mcids: list[int]  # in painting order
    unmarked: int  # painting operators outside any marked content
    pagination_artifacts: int  # /Artifact <</Type /Pagination>> sequences
    sequences: list[tuple[str, tuple[str, ...]]]  # (tag, operators) of each sequence


def page_content(page: pikepdf.Page) -> PageContent:
    stack: list[tuple[str, list[str]]] = []
    found = PageContent([], 0, 0, [])
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op in ("BDC", "BMC"):
            tag = str(operands[0])
            props = operands[1] if len(operands) > 1 else None
            if isinstance(props, pikepdf.Dictionary) and "/MCID" in props:
                found.mcids.append(int(props.MCID))
            if tag == "/Artifact" and isinstance(props, pikepdf.Dictionary) and \
                    props.get("/Type") == pikepdf.Name.Pagination:
                found.pagination_artifacts += 1
            stack.append((tag, []))
        elif op == "EMC":
            tag, ops = stack.pop()
            found.sequences.append((tag, tuple(ops)))
        else:
            for _, ops in stack:
                ops.append(op)
            if op in PAINTING and not stack:
                found.unmarked += 1
    return found


def chars(path: Path) -> list[tuple[float, str]]:
    """(size in pt, font name without subset prefix) of every visible character (pdfminer)."""
    found: list[tuple[float, str]] = []

    def visit(item: LTComponent) -> None:
        if isinstance(item, LTChar):
            if item.get_text().strip():
                found.append((round(item.size, 1), item.fontname.split("+")[-1]))
        elif hasattr(item, "__iter__"):
            for child in item:
                visit(child)

    for layout in extract_pages(path):
        visit(layout)
    return found


def char_sizes(path: Path) -> Counter[float]:
    return Counter(size for size, _ in chars(path))


def char_fonts(path: Path) -> Counter[str]:
    return Counter(font for _, font in chars(path))


# --------------------------------------------------------------------------------------
# Builds
# --------------------------------------------------------------------------------------

EDITIONS = [("shipped_build", "guide.pdf"), ("shipped_build", "guide-large-print.pdf"),
            ("full_build", "full.pdf"), ("full_build", "full-large-print.pdf")]
EDITION_IDS = ["shipped", "shipped-large", "full", "full-large"]


@pytest.fixture(params=EDITIONS, ids=EDITION_IDS)
def edition(request: pytest.FixtureRequest) -> tuple[Path, Path]:
    """(source guide, built PDF) for each edition of each guide."""
    fixture, name = request.param
    out = request.getfixturevalue(fixture)
    source = SHIPPED_GUIDE if fixture == "shipped_build" else GOOD / "full.md"
    return source, out / name


@pytest.fixture(scope="module")
def print_shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped guide's print-shop file (the only PDF in this build)."""
    out = tmp_path_factory.mktemp("print-shop")
    build(SHIPPED_GUIDE, out, ["pdf"], options=RenderOptions(pdf_variants=("print-shop",)))
    return out / "guide-print-shop.pdf"


DECORATED = """
![](images/moon.svg){: .decorative }

A paragraph after a decorative image.
"""


@pytest.fixture(scope="module")
def decorated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full fixture with a decorative image added, built to a standard PDF."""
    folder = tmp_path_factory.mktemp("decorated")
    shutil.copytree(GOOD / "images", folder / "images")
    text = (GOOD / "full.md").read_text(encoding="utf-8")
    text = text.replace("## About this guide", DECORATED + "\n## About this guide")
    (folder / "guide.md").write_text(text, encoding="utf-8")
    build(folder / "guide.md", folder / "out", ["pdf"],
          options=RenderOptions(pdf_variants=("standard",)))
    return folder / "out" / "guide.pdf"


# --------------------------------------------------------------------------------------
# PDF/UA-1: catalog, metadata, structure
# --------------------------------------------------------------------------------------


def test_catalog_and_metadata_say_pdf_ua(edition: tuple[Path, Path]) -> None:
    source, path = edition
    meta = parse(source).meta
    with pikepdf.open(path) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert "/StructTreeRoot" in pdf.Root
        assert str(pdf.Root.Lang) == meta.lang
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert len(pdf.trailer.ID) == 2 and all(len(bytes(i)) >= 16 for i in pdf.trailer.ID)
        xmp = pdf.open_metadata()
        assert xmp[XMP_TITLE] == meta.title
        assert xmp[XMP_UA_PART] == "1"
        assert all(page.obj.Tabs == pikepdf.Name.S for page in pdf.pages)


def test_heading_tags_follow_the_source_outline(edition: tuple[Path, Path]) -> None:
    source, path = edition
    doc = parse(source)
    expected = [(h.level, normalise(h.text)) for h in doc.headings]
    found = struct_headings(path)
    assert found == expected
    assert found[0][0] == 1
    assert all(b[0] <= a[0] + 1 for a, b in itertools.pairwise(found))


def test_bookmarks_nest_like_the_headings(edition: tuple[Path, Path]) -> None:
    source, path = edition
    doc = parse(source)

    def tree(headings: list) -> list:
        return [(normalise(h.text), tree(h.children)) for h in headings]

    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
        def marks(items: list) -> list:
            return [(normalise(i.title), marks(i.children)) for i in items]
        assert marks(outline.root) == tree(doc.outline)


def test_all_marked_content_is_in_the_structure_tree(edition: tuple[Path, Path]) -> None:
    _source, path = edition
    with pikepdf.open(path) as pdf:
        root = pdf.Root.StructTreeRoot
        reachable = {e.objgen for e in walk(root)}
        owners = pikepdf.NumberTree(root.ParentTree)
        for number, page in enumerate(pdf.pages, start=1):
            content = page_content(page)
            assert content.unmarked == 0, f"page {number}: content outside marked content"
            assert content.mcids, f"page {number}: nothing tagged"
            table = owners[int(page.obj.StructParents)]
            for mcid in content.mcids:
                owner = table[mcid]
                assert isinstance(owner, pikepdf.Dictionary), (number, mcid)
                assert owner.objgen in reachable, f"page {number}: MCID {mcid} is orphaned"


def test_running_header_footer_and_page_numbers_are_artifacts(
        edition: tuple[Path, Path]) -> None:
    source, path = edition
    meta = parse(source).meta
    pages = page_count(path)
    tagged = normalise(" ".join(n.text for n in struct_nodes(path)))
    for number in range(1, pages + 1):
        text = page_text(path, number)
        assert f"Page {number} of {pages}" in text
        assert f"Version {meta.version}" in text
        assert ("Draft — not for clinical use" in text) == meta.is_draft
    assert f"Page 1 of {pages}" not in tagged
    assert f"· Version {meta.version}" not in tagged
    with pikepdf.open(path) as pdf:
        running = 3 if meta.is_draft else 2  # header (draft), footer, page number
        for page in pdf.pages:  # (a footer that wraps is two sequences)
            assert page_content(page).pagination_artifacts >= running


def test_figures_have_alt_and_tables_have_header_cells(edition: tuple[Path, Path]) -> None:
    source, path = edition
    doc = parse(source)
    with pikepdf.open(path) as pdf:
        elements = list(walk(pdf.Root.StructTreeRoot))
        figures = [e for e in elements if role(e) == "Figure"]
        tables = [e for e in elements if role(e) == "Table"]
        assert len(figures) == len([i for i in doc.images if not i.decorative])
        assert [str(f.Alt) for f in figures] == [i.alt for i in doc.images if not i.decorative]
        assert len(tables) == len(doc.tables)  # one Table each: never split over pages
        for table in tables:
            cells = [role(e) for e in walk(table)]
            assert "TH" in cells and "TD" in cells


def assert_one_element_per_source_element(path: Path, source: Path) -> None:
    """Sections, lists and paragraphs broken by a page break are one element each."""
    doc = parse(source)
    with pikepdf.open(path) as pdf:
        roles = Counter(role(e) for e in walk(pdf.Root.StructTreeRoot))
    banner = 1 if doc.meta.is_draft else 0  # the draft notice is a paragraph of its own
    assert roles["Sect"] == len(doc.body.xpath("//section"))
    assert roles["L"] == len(doc.body.xpath("//ul | //ol | //dl"))
    assert roles["P"] == len(doc.body.xpath("//p")) + banner


def test_page_breaks_do_not_split_structure_elements(edition: tuple[Path, Path]) -> None:
    source, path = edition
    assert_one_element_per_source_element(path, source)


def test_links_are_tagged_with_their_text(edition: tuple[Path, Path]) -> None:
    _source, path = edition
    with pikepdf.open(path) as pdf:
        links = [e for e in walk(pdf.Root.StructTreeRoot) if role(e) == "Link"]
        assert links
        for link in links:
            objects = [k for k in kids(link) if isinstance(k, pikepdf.Dictionary)
                       and k.get("/Type") == pikepdf.Name.OBJR]
            assert objects and any(isinstance(k, int) for k in kids(link))
            for obj in objects:
                description = str(obj.Obj.Contents)
                assert description and not description.startswith(("source-", "cite-"))
    texts = [n.text for n in struct_nodes(path) if n.role == "Link"]
    assert all(texts)


def test_full_fixture_link_description_is_its_text(full_build: Path) -> None:
    with pikepdf.open(full_build / "full.pdf") as pdf:
        descriptions = {str(a.Contents) for page in pdf.pages for a in page.get("/Annots", [])}
    assert "link to the example site" in descriptions
    assert "Source 1" in descriptions  # a citation link says what it points to


def test_fonts_are_embedded_and_the_body_font_is_atkinson(edition: tuple[Path, Path]) -> None:
    _source, path = edition
    with pikepdf.open(path) as pdf:
        fonts = {}
        for page in pdf.pages:
            for name, font in page.Resources.get("/Font", {}).items():
                fonts[name] = font
        assert fonts
        for font in fonts.values():
            descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            descriptor = descendant.FontDescriptor
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), \
                str(font.BaseFont)
            # Atkinson draws the guide; the only other font allowed is the project's own
            # Arabic companion, for the Arabic translation's title among the languages.
            name = str(font.BaseFont)
            assert "Atkinson-Hyperlegible" in name or "Noto-Naskh-Arabic" in name, name
    used = char_fonts(path)
    assert used.most_common(1)[0][0] == "Atkinson-Hyperlegible"
    assert not [f for f in used if "Italic" in f or "Oblique" in f]


def test_decorative_image_is_an_artifact(decorated: Path) -> None:
    with pikepdf.open(decorated) as pdf:
        figures = [e for e in walk(pdf.Root.StructTreeRoot) if role(e) == "Figure"]
        assert [str(f.Alt) for f in figures] == ["A blue circle that stands for the moon"]
        drawn = [page_content(p) for p in pdf.pages]
    assert all(c.unmarked == 0 for c in drawn)
    sequences = [seq for c in drawn for seq in c.sequences]
    # Both images are the same file: the described one is a Figure, and the very same
    # drawing appears once more, as an artifact.
    pictures = [ops for tag, ops in sequences if tag == "/Figure"]
    assert len(pictures) == 1
    assert ("/Artifact", pictures[0]) in sequences
    assert "A paragraph after a decorative image." in " ".join(
        n.text for n in struct_nodes(decorated))


# --------------------------------------------------------------------------------------
# Clear print and large print
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "smallest", "body"),
                         [("guide.pdf", 12, 14), ("guide-large-print.pdf", 16, 18)])
def test_text_sizes(shipped_build: Path, name: str, smallest: float, body: float) -> None:
    sizes = char_sizes(shipped_build / name)
    assert min(sizes) >= smallest
    assert sizes.most_common(1)[0][0] == body  # the body text, reflowed (never scaled)
    with pikepdf.open(shipped_build / name) as pdf:
        box = [float(x) for x in pdf.pages[0].MediaBox]
    assert (round(box[2] - box[0], 1), round(box[3] - box[1], 1)) == (595.3, 841.9)


def test_full_fixture_large_print_text_sizes(full_build: Path) -> None:
    assert min(char_sizes(full_build / "full-large-print.pdf")) >= 16
    assert min(char_sizes(full_build / "full.pdf")) >= 12


def test_clear_print_style_on_every_piece_of_text() -> None:
    """Left aligned, no hyphenation, no italics, line spacing ≥ 1.5 outside headings."""
    from weasyprint.formatting_structure import boxes

    ctx = RenderContext(parse(SHIPPED_GUIDE), RenderOptions())
    for name in ("standard", "large-print"):
        layout = PdfRenderer().layout(ctx, VARIANTS[name])
        seen = 0
        for page in layout.document.pages:
            body = page._page_box.children[0]  # the margin boxes follow it
            for box in body.descendants():
                if not isinstance(box, boxes.TextBox) or box.element_tag is None:
                    continue
                style = box.style
                seen += 1
                assert style["text_align_all"] in ("left", "start"), box.element_tag
                assert style["hyphens"] == "none", box.element_tag
                assert style["font_style"] == "normal", box.element_tag
                if not re.fullmatch(r"h[1-6]", box.element_tag):
                    assert style["line_height"] >= 1.5, box.element_tag
        assert seen > 100


def test_key_facts_are_on_page_1(edition: tuple[Path, Path]) -> None:
    source, path = edition
    body = parse(source).body
    facts = body.xpath("//section[contains(@class, 'key-facts')]//li")
    assert facts
    first = page_text(path, 1)
    if "large-print" not in path.name:
        for fact in facts:  # the whole block, unsplit
            assert normalise(fact.text_content()) in first
    else:  # at 18 pt the block starts on page 1 and may continue
        assert normalise(facts[0].text_content()) in first


def assert_no_heading_ends_a_page(path: Path) -> None:
    """The last tagged content of every page but the last is not (in) a heading."""
    with pikepdf.open(path) as pdf:
        owners = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
        for number, page in enumerate(pdf.pages[:-1], start=1):
            last = page_content(page).mcids[-1]
            owner = owners[int(page.obj.StructParents)][last]
            roles = [role(owner), *(role(a) for a in ancestors(owner))]
            assert not [r for r in roles if re.fullmatch(r"H[1-6]", r)], \
                f"{path.name}: page {number} ends with a heading"


def test_no_heading_ends_a_page(edition: tuple[Path, Path]) -> None:
    assert_no_heading_ends_a_page(edition[1])


def test_page_counts_of_the_shipped_guide(shipped_build: Path) -> None:
    standard = page_count(shipped_build / "guide.pdf")
    large = page_count(shipped_build / "guide-large-print.pdf")
    assert standard <= 8  # issue 8: the standard leaflet prints on at most 8 A4 pages
    assert large > standard


# --------------------------------------------------------------------------------------
# Print shop and paper
# --------------------------------------------------------------------------------------


def test_print_shop_file_has_trim_and_bleed_boxes(print_shop: Path) -> None:
    with pikepdf.open(print_shop) as pdf:
        for page in pdf.pages:
            trim = [float(x) for x in page.TrimBox]
            bleed = [float(x) for x in page.BleedBox]
            media = [float(x) for x in page.MediaBox]
            assert trim[2] - trim[0] == pytest.approx(A4[0], abs=0.01)
            assert trim[3] - trim[1] == pytest.approx(A4[1], abs=0.01)
            assert bleed[0] == pytest.approx(trim[0] - BLEED, abs=0.01)
            assert bleed[1] == pytest.approx(trim[1] - BLEED, abs=0.01)
            assert bleed[2] == pytest.approx(trim[2] + BLEED, abs=0.01)
            assert bleed[3] == pytest.approx(trim[3] + BLEED, abs=0.01)
            assert media[0] <= bleed[0] and media[2] >= bleed[2]
        # A production file (PDF/X-4, issue 16), not an accessible edition: its structure
        # is in tests/test_print_production.py.
        assert pdf.Root.OutputIntents[0].S == "/GTS_PDFX"


def test_print_shop_is_never_a_default_download(shipped_build: Path) -> None:
    assert not list(shipped_build.glob("*print-shop*"))
    assert sorted(p.name for p in shipped_build.glob("*.pdf")) == [
        "guide-large-print.pdf", "guide.pdf"]


def test_cli_print_shop_and_a5(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [
        "build", str(GOOD / "full.md"), "--out", str(out), "--format", "pdf", "--no-cache",
        "--variant", "standard", "--print-shop", "--paper", "a5", "--quiet"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("*.pdf")) == ["full-print-shop.pdf", "full.pdf"]
    with pikepdf.open(out / "full.pdf") as pdf:
        box = [float(x) for x in pdf.pages[0].MediaBox]
        assert (box[2] - box[0], box[3] - box[1]) == pytest.approx(A5, abs=0.01)
    with pikepdf.open(out / "full-print-shop.pdf") as pdf:
        trim = [float(x) for x in pdf.pages[0].TrimBox]
        bleed = [float(x) for x in pdf.pages[0].BleedBox]
        assert (trim[2] - trim[0], trim[3] - trim[1]) == pytest.approx(A5, abs=0.01)
        assert bleed[2] - bleed[0] == pytest.approx(A5[0] + 2 * BLEED, abs=0.01)
    first = page_text(out / "full.pdf", 1)
    for fact in parse(GOOD / "full.md").body.xpath("//section[contains(@class, 'key-facts')]//li"):
        assert normalise(fact.text_content()) in first


# --------------------------------------------------------------------------------------
# Determinism and errors
# --------------------------------------------------------------------------------------


def test_two_builds_are_byte_identical(shipped_build: Path, tmp_path: Path) -> None:
    """A second build in another process gives the same bytes (post-pass included)."""
    out = tmp_path / "again"
    subprocess.run([sys.executable, "-m", "publish", "build", str(SHIPPED_GUIDE), "--out",
                    str(out), "--format", "pdf", "--no-cache", "--quiet"],
                   cwd=ROOT, check=True)
    for name in ("guide.pdf", "guide-large-print.pdf"):
        assert (out / name).read_bytes() == (shipped_build / name).read_bytes(), name


def test_missing_language_or_title_is_a_build_error() -> None:
    doc = parse(GOOD / "full.md")
    for field, value in (("lang", ""), ("title", " ")):
        broken = dataclasses.replace(doc, meta=dataclasses.replace(doc.meta, **{field: value}))
        ctx = RenderContext(broken, RenderOptions(pdf_variants=("standard",)))
        with pytest.raises(RenderError) as caught:
            PdfRenderer().render(ctx)
        message = caught.value.format_message()
        assert "render-pdf" in message
        assert "full.md" in message
        assert ("lang" in message) if field == "lang" else ("title" in message)


def test_repair_refuses_a_pdf_without_title_or_language() -> None:
    import weasyprint

    untitled = weasyprint.HTML(string="<html lang=en><p>Text</p></html>").write_pdf(
        pdf_variant="pdf/ua-1")
    with pytest.raises(TaggingError) as caught:
        repair(untitled)
    assert caught.value.field == "title"
    titled = weasyprint.HTML(string="<title>T</title><p>Text</p>").write_pdf(
        pdf_variant="pdf/ua-1")
    with pytest.raises(TaggingError) as caught:
        repair(titled)
    assert caught.value.field == "lang"


# --------------------------------------------------------------------------------------
# Page starts for the EPUB page list
# --------------------------------------------------------------------------------------


def check_page_starts(starts: list[PageStart], pdf: Path, source: Path) -> None:
    """Each page's text begins with the block text at the recorded offset."""
    doc = parse(source)
    blocks = block_elements(doc.body_copy())
    words = labels_for(doc.meta.lang)
    running = words["draft_banner"] if doc.meta.is_draft else ""
    banner = f"{words['draft_banner']}. {words['draft_explainer']}" if running else ""
    assert [s.page for s in starts] == list(range(1, page_count(pdf) + 1))
    assert starts[0] == PageStart(1, 0, 0)
    positions = [(s.block, s.text_offset) for s in starts]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    for start in starts:
        text = normalise(blocks[start.block].text_content()[start.text_offset:])
        assert text, start
        top = page_text(pdf, start.page).removeprefix(running).strip()
        top = top.removeprefix(banner).strip()
        snippet = text[:30]
        assert snippet in top[:len(snippet) + 12], (start, snippet, top[:80])


def test_page_starts_of_the_shipped_leaflet(tmp_path: Path) -> None:
    ctx = RenderContext(parse(SHIPPED_GUIDE), RenderOptions(pdf_variants=("standard",)))
    files = PdfRenderer().render(ctx)
    (tmp_path / "guide.pdf").write_bytes(files["guide.pdf"])
    starts = ctx.facts[PAGE_STARTS_FACT]
    check_page_starts(starts, tmp_path / "guide.pdf", SHIPPED_GUIDE)
    # The EPUB-only path lays out the same pages without writing a PDF.
    alone = RenderContext(parse(SHIPPED_GUIDE), RenderOptions())
    assert PdfRenderer().facts(alone) == {PAGE_STARTS_FACT: starts}


LONG = """---
title: A long paragraph
lang: en-GB
---
# A long paragraph

## Key facts {#key-facts}

- One short fact.

## The long part {#long}

{sentences}

- A list item after it.

## A long table {#long-table}

Table: Many rows

| Row | Dose |
|-----|------|
{rows}

## About this guide {#about}

Written for the tests.
"""


def test_long_paragraph_and_table(tmp_path: Path) -> None:
    """A paragraph broken across pages: the next page starts at a character offset.

    A table taller than a page cannot stay whole: it starts under its heading and
    caption and breaks between rows, instead of leaving the heading alone on a page.
    """
    sentences = " ".join(f"Sentence number {n} is here to fill the page with words."
                         for n in range(1, 160))
    rows = "\n".join(f"| Row {n} | {n} mg |" for n in range(1, 90))
    source = tmp_path / "long.md"
    source.write_text(LONG.replace("{sentences}", sentences).replace("{rows}", rows),
                      encoding="utf-8")
    for name in ("standard", "large-print"):
        ctx = RenderContext(parse(source), RenderOptions(pdf_variants=(name,)))
        renderer = PdfRenderer()
        layout = renderer.layout(ctx, VARIANTS[name], mark=True)
        starts = page_starts(layout.document, layout.root, ctx.doc.body_copy())
        pdf = tmp_path / f"{name}.pdf"
        pdf.write_bytes(renderer.write(ctx, VARIANTS[name], layout))
        assert any(s.text_offset > 0 for s in starts), starts
        check_page_starts(starts, pdf, source)
        assert_no_heading_ends_a_page(pdf)
        assert_one_element_per_source_element(pdf, source)
        with pikepdf.open(pdf) as opened:
            tables = [e for e in walk(opened.Root.StructTreeRoot) if role(e) == "Table"]
            assert len(tables) > 1  # split over pages, each part with its header row
            assert all("TH" in [role(e) for e in walk(t)] for t in tables)


def test_block_numbers_change_nothing_in_the_pdf() -> None:
    """The data-block marks used for page starts never reach the PDF."""
    ctx = RenderContext(parse(GOOD / "full.md"), RenderOptions())
    renderer = PdfRenderer()
    variant = VARIANTS["standard"]
    marked = renderer.write(ctx, variant, renderer.layout(ctx, variant, mark=True))
    plain = renderer.write(ctx, variant, renderer.layout(ctx, variant, mark=False))
    assert marked == plain
    assert b"data-block" not in marked


def test_editions_of_one_build_decode_each_image_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """One image cache per build: the large-print edition reuses the standard one's images."""
    from publish.render.pdf import _weasy

    weasyprint = _weasy()
    fetched: Counter[str] = Counter()
    fetch = weasyprint.ConfinedFetcher.fetch

    def counted(self: object, url: str, headers: object = None) -> object:
        fetched[url] += 1
        return fetch(self, url, headers)

    monkeypatch.setattr(weasyprint.ConfinedFetcher, "fetch", counted)
    doc = parse(GOOD / "full.md")
    files = PdfRenderer().render(RenderContext(doc, RenderOptions()))
    assert len(files) == 2
    images = {url: n for url, n in fetched.items() if "/images/" in url}
    assert images and set(images.values()) == {1}, fetched


# --------------------------------------------------------------------------------------
# Words kept whole (Korean: its table says keep_words)
# --------------------------------------------------------------------------------------

KOREAN = ROOT / "tests" / "fixtures" / "languages" / "ko.md"
HANGUL = "\uac00-\ud7a3"
LONG_WORD = "가나다라마바사아자차카타파하" * 4
"""A word of 56 syllables: wider than any line of any edition."""


@pytest.fixture(scope="module")
def korean_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Korean fixture's two default PDFs (standard and large print)."""
    out = tmp_path_factory.mktemp("korean")
    build(KOREAN, out, ["pdf"])
    return out


def pdf_lines(path: Path) -> list[str]:
    """Every line of text in ``path`` in reading order, its words joined by one space
    (``pdftotext -bbox-layout``: pages, blocks, lines, words with their boxes)."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True,
                         check=True).stdout
    root = etree.fromstring(re.sub(rb"<!DOCTYPE[^>]*>", b"", xml))
    ns = "{http://www.w3.org/1999/xhtml}"
    return [" ".join(w.text or "" for w in line.iter(f"{ns}word"))
            for line in root.iter(f"{ns}line")]


def printed_words(source: Path, variant: str) -> list[str]:
    """The words of the print document the PDF renderer lays out (every block ends a
    word): the text whose spaces are the only places a Korean line may break."""
    ctx = RenderContext(parse(source), RenderOptions(pdf_variants=(variant,)))
    tree = lxml_html.fromstring(PdfRenderer().document_html(ctx, variant=VARIANTS[variant]))
    for block in tree.iter(*BLOCK_TAGS, "dl", "ul", "ol", "div", "section", "caption"):
        block.tail = "\n" + (block.tail or "")
    return tree.find("body").text_content().split()


def words_broken_at_line_ends(lines: list[str], words: list[str]) -> list[str]:
    """Line ends inside a word: the end of one line and the start of the next, joined,
    are part of one word of the source (two Hangul runs, or the last and first words)."""
    broken = []
    for before, after in itertools.pairwise(lines):
        if not before or not after:
            continue
        joined = [before.split()[-1] + after.split()[0]]
        tail, head = re.search(f"[{HANGUL}]+$", before), re.match(f"[{HANGUL}]+", after)
        if tail and head:
            joined.append(tail.group() + head.group())
        if any(re.search(f"[{HANGUL}]", j) and any(j in word for word in words)
               for j in joined):
            broken.append(f"{before} / {after}")
    return broken


@pytest.mark.parametrize(("name", "variant"), [("ko-large-print.pdf", "large-print"),
                                               ("ko.pdf", "standard")])
def test_korean_lines_break_only_between_words(korean_build: Path, name: str,
                                               variant: str) -> None:
    """Korean breaks lines at the spaces between words (eojeol), never between two
    syllables of one: every line of the PDF ends where the source has a space."""
    lines = pdf_lines(korean_build / name)
    words = printed_words(KOREAN, variant)
    assert len(lines) > 20 and any(re.search(f"[{HANGUL}]{{2}}", w) for w in words)
    assert words_broken_at_line_ends(lines, words) == []


def test_line_ends_inside_words_are_found() -> None:
    """The check above can fail: the large-print title broken inside a word."""
    words = ["저용량", "날트렉손:", "약을", "안전하게", "복용하는", "방법"]
    assert words_broken_at_line_ends(["저용량 날트렉손: 약을 안전하게 복용하", "는 방법"],
                                     words) == ["저용량 날트렉손: 약을 안전하게 복용하 / 는 방법"]
    assert words_broken_at_line_ends(["저용량 날트렉손: 약을 안전하게", "복용하는 방법"],
                                     words) == []


def test_a_korean_word_wider_than_its_line_still_breaks(tmp_path: Path) -> None:
    """Kept whole, a word wider than its line would run off the page (WeasyPrint keeps a
    ``white-space: nowrap`` box whole past the margin, and a table widens its column past
    the page). The layout finds it and lays the edition out again with that word left
    breakable: in a heading, a paragraph and a table cell, nothing runs off the page,
    nothing is lost, and every other word stays whole."""
    shutil.copytree(KOREAN.parent / "images", tmp_path / "images")
    text = KOREAN.read_text(encoding="utf-8")
    for old, new in (("## 복용 방법 {#how-to-take}", f"## 복용 방법 {LONG_WORD} {{#how-to-take}}"),
                     ("약국 라벨을 읽으세요.", f"약국 라벨을 읽으세요 {LONG_WORD}입니다."),
                     ("| 용량 | 4.5 mg |", f"| 용량 | 4.5 mg {LONG_WORD} |")):
        assert old in text
        text = text.replace(old, new)
    source = tmp_path / "long.md"
    source.write_text(text, encoding="utf-8")
    ctx = RenderContext(parse(source), RenderOptions(pdf_variants=("large-print",)))
    renderer = PdfRenderer()
    variant = VARIANTS["large-print"]
    first = renderer._layout(ctx, variant, False, frozenset(), frozenset(), {})
    assert len(overflowing_words(first.document)) == 3  # the measurement the fix relies on
    layout = renderer.layout(ctx, variant)
    assert overflowing_words(layout.document) == set()
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(renderer.write(ctx, variant, layout))
    right = A4[0] - 18 * 72 / 25.4  # print.css: 18 mm side margins
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    ends = [float(x) for x in re.findall(r'xMax="([\d.]+)"', xml)]
    assert ends and max(ends) <= right + 1, max(ends)
    tagged = "".join(t for node in struct_nodes(pdf) if node.role in ("H2", "P", "TR")
                     for t in node.texts)  # the text a reader is given, without the footers
    assert "".join(tagged.split()).count(LONG_WORD) == 3
    broken = words_broken_at_line_ends(pdf_lines(pdf), printed_words(source, "large-print"))
    assert broken and all(LONG_WORD[:3] in line for line in broken), broken


KOREAN_TITLE = "저용량 날트렉손을 안전하게 복용하는 방법에 대한 환자 안내서"
MIXED = f"""---
title: "A guide"
lang: en
version: "0.1.0"
status: draft
sources:
  - id: S1
    title: "{KOREAN_TITLE}"
    year: 2026
    lang: ko
---

# A guide

Take one tablet at night [@S1].
"""


def test_words_are_kept_whole_by_the_language_of_the_text(tmp_path: Path) -> None:
    """Korean text in an English guide (a source title marked ``lang: ko``) keeps its
    words whole; the English around it is left as it was."""
    source = tmp_path / "guide.md"
    source.write_text(MIXED, encoding="utf-8")
    ctx = RenderContext(parse(source), RenderOptions())
    tree = lxml_html.fromstring(PdfRenderer().document_html(ctx))
    kept = [el.text for el in tree.iter("span") if el.get("class") == WORD_CLASS]
    assert kept == KOREAN_TITLE.split()
    assert all(el.getparent().get("lang") == "ko" for el in tree.find_class(WORD_CLASS))
