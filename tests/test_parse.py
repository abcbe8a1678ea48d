"""Parsing: the document model the checks and renderers share."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from lxml import etree

from publish.labels import labels_for
from publish.parse import parse, slugify
from tests.conftest import GOOD, SHIPPED_GUIDE


def test_outline_and_lines() -> None:
    doc = parse(GOOD / "full.md")
    assert [(h.level, h.text, h.line) for h in doc.headings] == [
        (1, "Full fixture guide", 29),
        (2, "Key facts", 33),
        (2, "What it is", 38),
        (3, "A subsection", 42),
        (2, "About this guide", 55),
        (3, "Guide details", None),
        (3, "Questions for the clinical reviewer", None),
        (3, "Sources", None),
    ]
    assert [h.text for h in doc.outline[0].children] == [
        "Key facts", "What it is", "About this guide"]


def test_citations_are_numbered_by_first_use() -> None:
    doc = parse(GOOD / "full.md")
    assert [(c.key, c.line) for c in doc.citations] == [("S1", 31), ("S1", 40), ("S2", 40)]
    assert [s.id for s in doc.cited_sources] == ["S1", "S2"]
    links = doc.body.cssselect("a.citation")
    assert [a.text for a in links] == ["1", "1", "2"]
    assert links[0].get("href") == "#source-S1"
    sources = doc.body.cssselect("#sources + ol li, section.sources li")
    assert sources[0].get("id") == "source-S1"


def test_table_caption_images_links() -> None:
    doc = parse(GOOD / "full.md")
    assert [(t.caption, t.has_header_row, t.line) for t in doc.tables] == [
        ("Two things compared", True, 48)]
    assert not doc.body.xpath("//p[starts-with(., 'Table:')]")
    assert [(i.src, i.line) for i in doc.images] == [("images/moon.svg", 53)]
    assert [(link.href, link.line) for link in doc.links] == [
        ("https://example.org/page", 44)]


def test_sections_wrap_headings() -> None:
    doc = parse(GOOD / "full.md")
    key = doc.body.cssselect("section.key-facts")
    assert len(key) == 1 and key[0].get("aria-labelledby") == "key-facts"
    nested = doc.body.cssselect("section.level-2 > section.level-3 > h3")
    assert "A subsection" in [h.text for h in nested]


def test_raw_html_is_sanitised_and_reported(tmp_path) -> None:
    path = tmp_path / "g.md"
    path.write_text("---\ntitle: T\nlang: en\n---\n# T\n\n<script>alert(1)</script>\n\n"
                    '<p onclick="x()">Hi <a href="javascript:alert(1)">there</a></p>\n',
                    encoding="utf-8")
    doc = parse(path)
    html = doc.body.text_content() + "".join(str(v) for e in doc.body.iter()
                                             for v in e.attrib.values())
    assert "alert" not in html and "onclick" not in html
    assert [line for line, _ in doc.raw_html_removed] == [7, 9]


def test_slugify_never_starts_with_a_digit() -> None:
    assert slugify("4.5 mg dose", "-") == "s-4-5-mg-dose"
    assert slugify("Key facts", "-") == "key-facts"


def test_default_accessibility_summary_claims_only_what_the_guide_has() -> None:
    full = parse(GOOD / "full.md")
    assert "text descriptions of its images" in full.accessibility_summary
    assert "tables with header cells" in full.accessibility_summary
    minimal = parse(GOOD / "minimal.md")
    assert "image" not in minimal.accessibility_summary
    assert "tables with header cells" not in minimal.accessibility_summary
    assert "WCAG 2.2" in minimal.accessibility_summary


def test_number_and_unit_never_split_across_lines() -> None:
    doc = parse(GOOD / "full.md")
    cells = [td.text_content() for td in doc.body.iter("td")]
    assert "1\u00a0mg" in cells and "2\u00a0mg" in cells
    assert "1 mg" not in doc.body.text_content()


@pytest.mark.parametrize("unit", [*labels_for("en").unit_words(), "mm", "pt"])
def test_every_dose_unit_stays_with_its_number(unit: str, tmp_path: Path) -> None:
    """The units kept together are the English words for the dose-notation rule's units
    (one list, publish/languages/en.yaml) and MEASURES."""
    source = tmp_path / "guide.md"
    text = (GOOD / "minimal.md").read_text(encoding="utf-8")
    source.write_text(f"{text}\nTake 12 {unit} twice, not 3 apples.\n", encoding="utf-8")
    body = parse(source).body.text_content()
    assert f"12\u00a0{unit} twice" in body and "3 apples" in body


@pytest.mark.parametrize("source", [*sorted(GOOD.glob("*.md")), SHIPPED_GUIDE],
                         ids=lambda p: p.name)
def test_document_survives_pickling(source: Path) -> None:
    """A document parsed in a worker process comes back pickled: the same tree, the same
    fields (the body travels as XML, as lxml trees do not pickle)."""
    doc = parse(source)
    copy = pickle.loads(pickle.dumps(doc))
    assert etree.tostring(copy.body) == etree.tostring(doc.body)
    assert type(copy.body) is type(doc.body) and type(copy.body[0]) is type(doc.body[0])
    assert {k: v for k, v in vars(copy).items() if k not in ("body", "source_map")} == \
        {k: v for k, v in vars(doc).items() if k not in ("body", "source_map")}
    assert copy.source_map is not None and copy.source_map.lines == doc.source_map.lines
