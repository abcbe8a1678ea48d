"""Label tables: one per language, found by BCP 47 tag, complete, never an English fallback."""

from __future__ import annotations

import datetime as dt
import pickle
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.numbers import get_decimal_symbol

from publish.checks import run_checks
from publish.checks.ruledata import general_rules
from publish.diagnostics import Diagnostic
from publish.errors import SourceError
from publish.frontmatter import RTL_LANGUAGES
from publish.labels import LANGUAGES_DIR, labels_for, load_table, shipped_tags, table_file
from publish.parse import parse
from publish.render.base import RenderOptions
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "labels"
LANGUAGES = ["en", "es", "pt", "fr", "pl", "ro", "tr", "so", "vi", "tl", "ht", "uk", "ru", "ar",
             "fa", "ur", "hi", "bn", "pa", "gu", "ti", "zh-Hans", "zh-Hant", "ko"]
"""The languages of the language issue (#12): every one ships a table."""
ENGLISH = load_table(LANGUAGES_DIR / "en.yaml")


def test_every_language_of_the_issue_ships_a_table() -> None:
    assert sorted(LANGUAGES) == shipped_tags()


@pytest.mark.parametrize("tag", LANGUAGES)
def test_table_is_complete_and_honest(tag: str) -> None:
    """Every English label, translated (not copied), with its placeholders; every dose unit
    of the dose-notation rule; only English claims a fluent speaker's review."""
    table = load_table(LANGUAGES_DIR / f"{tag}.yaml")
    assert table.lang == tag
    assert set(table.labels) == set(ENGLISH.labels)
    assert set(table.units) == set(general_rules().option("dose-notation", "units"))
    assert set(table.other_units) == set(general_rules().option("translation-numbers", "units"))
    assert table.reviewed is (tag == "en")
    assert table.direction == ("rtl" if tag.split("-")[0] in RTL_LANGUAGES else "ltr")
    if tag != "en":
        same = [k for k, v in table.labels.items() if v == ENGLISH[k]]
        # Words that are the same in both languages (or international), and nothing else.
        assert set(same) <= {"sources", "version", "status", "print_pages", "citation",
                             "size_kb", "size_mb", "kind_braille_pef", "kind_ebook",
                             "kind_web", "file_name", "pages_one", "formats", "pages_other",
                             "braille_page"}, same
        assert table.name != "English"
    assert table.date(dt.date(2026, 12, 6))
    assert table.format("page_of", page=1, pages=2)


@pytest.mark.parametrize("tag", LANGUAGES)
def test_decimal_separators_are_cldr_s(tag: str) -> None:
    """The separators the checks use agree with CLDR (through Babel), region by region."""
    table = load_table(LANGUAGES_DIR / f"{tag}.yaml")
    assert table.numbers.decimal_separator == get_decimal_symbol(table.locale)
    if table.numbers.native_digits:
        assert all(c.isdecimal() for c in table.numbers.native_digits)
        assert [int(c) for c in table.numbers.native_digits] == list(range(10))


@pytest.mark.parametrize(("tag", "table", "decimal"), [
    ("en-GB", "en", "."), ("en-US", "en", "."), ("es", "es", ","), ("es-ES", "es", ","),
    ("es-MX", "es", "."), ("es-419", "es", "."), ("pt-BR", "pt", ","), ("fr-CA", "fr", ","),
    ("zh", "zh-Hans", "."), ("zh-CN", "zh-Hans", "."), ("zh-SG", "zh-Hans", "."),
    ("zh-TW", "zh-Hant", "."), ("zh-HK", "zh-Hant", "."), ("zh-Hant-HK", "zh-Hant", "."),
    ("zh-Hans-HK", "zh-Hans", "."), ("ar-EG", "ar", "."), ("ar-MA", "ar", ","),
    ("fil", None, None), ("tl-PH", "tl", "."), ("pa-IN", "pa", "."),
    ("pa-Arab", None, None), ("pa-PK", None, None), ("de", None, None), ("sr-Latn", None, None),
])
def test_lookup_by_bcp47_tag(tag: str, table: str | None, decimal: str | None) -> None:
    """Regions share their language's table (with their own number style); a script the
    table is not written in (Shahmukhi Punjabi) has no table: no silent fallback."""
    if table is None:
        assert table_file(tag) is None
        with pytest.raises(SourceError) as caught:
            labels_for(tag)
        assert caught.value.diagnostic.rule == "labels-missing"
        return
    found = labels_for(tag)
    assert found.lang == table
    assert found.numbers.decimal_separator == decimal


def test_a_language_without_a_table_fails_and_says_how_to_add_one() -> None:
    with pytest.raises(SourceError) as caught:
        parse(FIXTURES / "no-table.md")
    d = caught.value.diagnostic
    assert (d.rule, d.line) == ("labels-missing", 3)
    assert "'de'" in d.message and "no-table.labels.yaml" in d.message
    assert "labels:" in d.message and "reviewed: false" in d.message


@pytest.mark.parametrize("name", ["own-table", "named-table"])
def test_a_guide_brings_its_own_table(name: str) -> None:
    """Beside the guide (<stem>.labels.yaml) or named in the front matter (labels:)."""
    doc = parse(FIXTURES / f"{name}.md")
    assert doc.labels.lang == "de" and doc.labels_lang == ""
    text = doc.body.text_content()
    assert "Angaben zum Leitfaden" in text and "Guide details" not in text
    assert "Dieser Leitfaden hat eine klare Gliederung" in doc.accessibility_summary


def test_a_source_title_in_another_language_carries_it() -> None:
    doc = parse(FIXTURES / "own-table.md")
    span = doc.body.find(".//li[@id='source-S1']/span")
    assert span is not None
    assert (span.get("lang"), span.text) == ("en", "A study written in English")


def test_words_in_another_language_than_the_guide_carry_their_lang() -> None:
    """A German guide with an English table: every generated label is marked lang="en";
    the guide's own values (version, names) are not."""
    doc = parse(FIXTURES / "foreign-table.md")
    assert doc.labels_lang == "en"
    marked = {el.text for el in doc.body.iter() if el.get("lang") == "en"}
    assert {"Guide details", "Status", "Sources", "Back to text", "Version"} <= marked
    details = doc.body.find(".//section[@aria-labelledby='guide-details']")
    assert all(dd.get("lang") in (None, "en") for dd in details.iter("dd"))


@pytest.mark.parametrize(("name", "rule", "line", "words"), [
    ("incomplete", "labels-incomplete", 12, ["landmarks", "table"]),
    ("placeholder", "labels-invalid", 37, ["page_of", "{page}, {pages}"]),
    ("outside", "labels-missing", 4, ["outside the guide's folder"]),
])
def test_a_broken_table_is_named_with_its_line(name: str, rule: str, line: int,
                                               words: list[str]) -> None:
    with pytest.raises(SourceError) as caught:
        parse(FIXTURES / f"{name}.md")
    d = caught.value.diagnostic
    assert (d.rule, d.line) == (rule, line), str(d)
    assert all(w in d.message for w in words), d.message


def test_a_formula_textstat_lacks_is_named_with_its_line(tmp_path: Path) -> None:
    """Loading a table does not import textstat (docs/performance.md); the reading-level
    check, which uses the formulas, names the one textstat has not got, at its line."""
    table = (ROOT / "publish" / "languages" / "en.yaml").read_text(encoding="utf-8")
    assert table.count("formula: flesch_reading_ease") == 1
    (tmp_path / "g.labels.yaml").write_text(
        table.replace("formula: flesch_reading_ease", "formula: flesch_reading_easy"),
        encoding="utf-8")
    line = table.splitlines().index("    - formula: flesch_reading_ease") + 1
    (tmp_path / "g.md").write_text("---\ntitle: A guide\nlang: en\n---\n# A guide\n\n"
                                   + "Take one tablet at night. " * 30 + "\n",
                                   encoding="utf-8")
    doc = parse(tmp_path / "g.md")
    d = _invalid_table(lambda: run_checks(doc), "g.labels.yaml", line)
    assert "flesch_reading_easy" in d.message


def _invalid_table(call: Callable[[], object], name: str, line: int) -> Diagnostic:
    """The ``labels-invalid`` error ``call`` raises, after checking its file and line."""
    with pytest.raises(SourceError) as caught:
        call()
    d = caught.value.diagnostic
    assert (d.rule, d.path.name, d.line) == ("labels-invalid", name, line), str(d)
    return d


def test_every_table_says_whether_it_keeps_words_whole() -> None:
    """``text: keep_words`` is written out in every shipped table (as in en.yaml); only
    Korean breaks lines at spaces alone (Japanese, which would not, has no table)."""
    import yaml

    for tag in LANGUAGES:
        text = yaml.safe_load((LANGUAGES_DIR / f"{tag}.yaml").read_text(encoding="utf-8"))["text"]
        assert text["keep_words"] is (tag == "ko"), tag
        assert load_table(LANGUAGES_DIR / f"{tag}.yaml").text.keep_words is (tag == "ko")
    assert "ja" not in shipped_tags()


@pytest.mark.parametrize("value", ['"yes"', '"false"', "1"])
def test_keep_words_must_be_true_or_false(tmp_path: Path, value: str) -> None:
    """A quoted "false" would read as true: refused at its line."""
    table = (LANGUAGES_DIR / "ko.yaml").read_text(encoding="utf-8")
    line = next(n for n, text in enumerate(table.splitlines(), start=1)
                if text.startswith("  keep_words:"))
    broken = tmp_path / "ko.labels.yaml"
    broken.write_text(re.sub(r"(?m)^  keep_words: true", f"  keep_words: {value}", table),
                      encoding="utf-8")
    d = _invalid_table(lambda: load_table(broken), "ko.labels.yaml", line)
    assert "keep_words must be true or false" in d.message


def test_a_table_named_by_a_bare_language_is_in_its_likely_script() -> None:
    """``table_file`` answers a bare tag (``es``, ``ar``) from the file name without CLDR's
    likely scripts: true only while each such table is written in that script."""
    from publish.labels import likely_script

    bare = [tag for tag in shipped_tags() if "-" not in tag]
    assert {"en", "es", "ar", "pa", "ko"} <= set(bare)
    for tag in bare:
        assert labels_for(tag).script == likely_script(tag), tag
        assert table_file(tag) == LANGUAGES_DIR / f"{tag}.yaml"
    assert table_file("pa-PK") is None  # Shahmukhi: not the Gurmukhi table
    assert table_file("zh") == LANGUAGES_DIR / "zh-Hans.yaml"


def test_an_approved_guide_refuses_unreviewed_labels() -> None:
    found = [d for d in run_checks(parse(ROOT / "tests" / "fixtures" / "editorial" /
                                         "labels-unreviewed.md"))
             if d.rule == "labels-unreviewed"]
    assert [(d.line, d.is_error) for d in found] == [(5, True)]
    assert "Spanish" in found[0].message and "reviewed: true" in found[0].message


def test_a_draft_may_use_unreviewed_labels() -> None:
    doc = parse(FIXTURES / "draft-unreviewed.md")
    assert not [d for d in run_checks(doc) if d.rule == "labels-unreviewed"]
    details = doc.body.find(".//section[@aria-labelledby='guide-details']")
    assert details.findtext("h2") == "Datos de la guía"
    assert "6 de diciembre de 2026" in details.text_content()


def test_document_with_its_table_survives_pickling() -> None:
    doc = parse(FIXTURES / "own-table.md")
    assert pickle.loads(pickle.dumps(doc)).labels == doc.labels


def test_every_label_is_documented() -> None:
    docs = (ROOT / "docs" / "languages.md").read_text(encoding="utf-8")
    assert [key for key in ENGLISH.labels if f"`{key}`" not in docs] == []


def test_words_in_another_language_are_marked_in_every_output(tmp_path: Path) -> None:
    """HTML and EPUB: ``lang`` (and ``xml:lang``); PDF: ``/Lang`` on the structure
    element WeasyPrint makes for that element (it drops ``lang`` by itself)."""
    import zipfile

    import pikepdf
    from lxml import html as lxml_html

    from publish.build import build

    build(FIXTURES / "foreign-table.md", tmp_path, ("html", "pdf", "epub"),
          options=RenderOptions(pdf_variants=("standard",)))
    page = lxml_html.fromstring((tmp_path / "foreign-table.html").read_bytes())
    marked = {" ".join(el.text_content().split()) for el in page.iter() if el.get("lang") == "en"}
    assert {"Guide details", "Skip to main content", "Contents", "Back to text"} <= marked
    assert page.find(".//*[@class='draft-banner']").get("lang") == "en"

    with zipfile.ZipFile(tmp_path / "foreign-table.epub") as book:
        nav = book.read("EPUB/nav.xhtml").decode()
    assert 'lang="en" xml:lang="en">Contents</h2>' in nav

    with pikepdf.open(tmp_path / "foreign-table.pdf") as pdf:
        assert str(pdf.Root.Lang) == "de"
        langs = {str(el.get("/Lang")) for el in _struct_elements(pdf.Root.StructTreeRoot)
                 if "/Lang" in el}
    assert langs == {"en"}


def _struct_elements(node: object) -> list:
    """Every structure element below ``node`` (a pikepdf dictionary)."""
    import pikepdf

    found = []
    kids = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids else []):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            found.append(kid)
            found.extend(_struct_elements(kid))
    return found
