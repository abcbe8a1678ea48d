"""Front matter: reading the file, the schema, defaults and errors with lines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from publish.errors import SourceError
from publish.frontmatter import FIELDS, default_identifier, parse_front_matter, read_source
from tests.conftest import GOOD


def meta_of(tmp_path: Path, text: str):
    path = tmp_path / "g.md"
    path.write_text(text, encoding="utf-8")
    return parse_front_matter(read_source(path))


def test_minimal_draft_needs_only_title_and_lang(tmp_path: Path) -> None:
    meta = meta_of(tmp_path, "---\ntitle: T\nlang: en-GB\n---\n# T\n")
    assert (meta.title, meta.lang, meta.dir, meta.status, meta.version) == \
        ("T", "en-GB", "ltr", "draft", "0.1.0")
    assert meta.identifier == default_identifier("T", "en-GB")
    assert meta.identifier.startswith("urn:uuid:")
    assert meta.accessibility_summary == ""  # written from the document: see test_parse


def test_rtl_language_gets_rtl_direction(tmp_path: Path) -> None:
    assert meta_of(tmp_path, "---\ntitle: T\nlang: ar\n---\n# T\n").dir == "rtl"


def test_full_fixture_fields() -> None:
    meta = parse_front_matter(read_source(GOOD / "full.md"))
    assert meta.last_reviewed == dt.date(2026, 2, 1)
    assert [s.id for s in meta.sources] == ["S1", "S2"]
    assert meta.sources[0].link == "https://doi.org/10.1000/one"
    assert meta.sources[1].line == 23
    assert meta.publisher == "Fixture publisher"
    assert meta.review_notes == ("Check the second section.",)


def test_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "g.md"
    path.write_bytes(b"\xef\xbb\xbf---\r\ntitle: T\r\nlang: en\r\n---\r\n# T\r\n")
    src = read_source(path)
    assert src.body == "# T\n"
    assert src.body_line == 5


def test_identifier_is_stable() -> None:
    """Pinned: a change to how it is derived would give every published e-book a new
    identity."""
    assert default_identifier("A", "en") == "urn:uuid:a814936e-279b-5113-88c9-ef3eb4b7b071"
    assert default_identifier("A", "en") != default_identifier("A", "fr")


def _documented_fields() -> dict[str, str]:
    """The rows of the "Front matter fields" table in docs/writing.md: name -> Required."""
    page = (Path(__file__).resolve().parents[1] / "docs" / "writing.md").read_text(encoding="utf-8")
    table = page.split("## Front matter fields", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 3 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = cells[1]
    return rows


def test_every_field_is_a_row_of_the_documented_table() -> None:
    """Each field has exactly one row, no row names a field the schema lacks, and the
    Required column says what the schema enforces."""
    rows = _documented_fields()
    assert sorted(rows) == sorted(f.name for f in FIELDS)
    for f in FIELDS:
        expected = "yes" if f.required else "when approved" if f.required_if_approved else "no"
        assert rows[f.name] == expected, f.name


@pytest.mark.parametrize(("text", "rule", "line"), [
    ("---\ntitle: T\n---\n# T\n", "front-matter-field", 2),
    ("---\ntitle: T\nlang: en\nstatus: final\n---\n# T\n", "front-matter-field", 4),
    ("---\ntitle: T\nlang: en\nauthors: Me\n---\n# T\n", "front-matter-field", 4),
    ("---\ntitle: T\nlang: en\nsources:\n  - id: S1\n    title: x\n    pages: 3\n---\n# T\n",
     "front-matter-field", 4),
    ("---\ntitle: T\nlang: en\n", "front-matter-unclosed", 1),
    ("", "source-empty", 1),
])
def test_front_matter_errors(tmp_path: Path, text: str, rule: str, line: int) -> None:
    path = tmp_path / "g.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        parse_front_matter(read_source(path))
    assert caught.value.diagnostic.rule == rule
    assert caught.value.diagnostic.line == line


def test_yaml_is_parsed_by_libyaml_with_the_same_lines() -> None:
    """The C parser (docs/performance.md) is what the locked PyYAML wheel provides; its
    mappings keep the lines the error messages name."""
    import yaml

    from publish.yamldata import SafeLoader, load_with_lines, node_and_data

    assert SafeLoader is yaml.CSafeLoader
    data = load_with_lines("a: 1\nb:\n  c: [x, y]\n")
    assert (data.line, data.key_lines, data["b"].line) == (1, {"a": 1, "b": 2}, 3)
    node, plain = node_and_data("a: 1\nb:\n  - x\n  - y\n")
    assert plain == {"a": 1, "b": ["x", "y"]}
    assert [item.start_mark.line for item in node.value[1][1].value] == [2, 3]


@pytest.mark.parametrize(("text", "line"), [
    ("---\ntitle: T\nlang: [en\n---\n# T\n", 3),  # unclosed at the end: its last line
    ("---\ntitle: T\nlang: en\n  x: : y\nstatus: draft\n---\n# T\n", 4),
])
def test_yaml_errors_name_a_line_the_editor_sees(tmp_path: Path, text: str, line: int) -> None:
    path = tmp_path / "g.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        parse_front_matter(read_source(path))
    assert caught.value.diagnostic.rule == "front-matter-yaml"
    assert caught.value.diagnostic.line == line
