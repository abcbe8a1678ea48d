"""Translations stay true to their source: each rule on its fixture, with its line.

Fixtures live in tests/fixtures/translation/: ``good/`` holds a small English
source with a Spanish translation (decimal commas) and an Arabic one
(Arabic-Indic digits, its own unit words); ``bad/`` holds the same source with one
broken translation per rule, each saying ``# expect: <rule> <line>``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from publish.build import check
from publish.checks import run_checks
from publish.checks.translation import amounts, normalise_number
from publish.cli import cli
from publish.errors import ContentError
from publish.parse import parse
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "translation"
GOOD = FIXTURES / "good"
EXPECT = re.compile(r"# expect: (\S+) (\d+)")
FAILING = sorted(p for p in (FIXTURES / "bad").glob("*.md") if EXPECT.search(p.read_text()))


@pytest.mark.parametrize("path", FAILING, ids=lambda p: p.stem)
def test_fixture_fails_with_its_rule_and_line(path: Path) -> None:
    match = EXPECT.search(path.read_text("utf-8"))
    assert match
    rule, line = match.group(1), int(match.group(2))
    findings = run_checks(parse(path))
    assert (rule, line) in [(d.rule, d.line) for d in findings], [str(d) for d in findings]
    with pytest.raises(ContentError) as caught:  # --strict: warnings stop it too
        check(path, strict=True)
    assert f"{path.name}:{line}: " in caught.value.format_message()


def test_every_translation_rule_has_a_failing_fixture() -> None:
    rules = {"translation-source", "translation-stale", "translation-structure",
             "translation-numbers", "translation-review", "translation-safety-unchecked"}
    covered = {EXPECT.search(p.read_text()).group(1) for p in FAILING}  # type: ignore[union-attr]
    assert covered == rules


@pytest.mark.parametrize("name", ["leaflet.es.md", "leaflet.ar.md"])
def test_good_translations_pass_strict(name: str) -> None:
    doc, findings = check(GOOD / name, strict=True)
    assert doc.meta.translation_of == "leaflet.md"
    assert not [d for d in findings if d.rule.startswith("translation")]


def test_a_source_version_bump_makes_translations_stale(tmp_path: Path) -> None:
    shutil.copytree(GOOD, tmp_path / "set")
    source = tmp_path / "set" / "leaflet.md"
    source.write_text(source.read_text().replace('version: "1.2.0"', 'version: "1.3.0"'))
    for name in ("leaflet.es.md", "leaflet.ar.md"):
        with pytest.raises(ContentError) as caught:
            check(tmp_path / "set" / name)
        message = caught.value.format_message()
        assert f"{name}:7: translation-stale: " in message
        assert "1.2.0" in message and "1.3.0" in message


def test_eight_hundred_where_the_source_says_four_hundred(tmp_path: Path) -> None:
    shutil.copytree(GOOD, tmp_path / "set")
    source = tmp_path / "set" / "leaflet.md"
    source.write_text(source.read_text().replace("Take 4.5 mg", "Take 400 mg"))
    spanish = tmp_path / "set" / "leaflet.es.md"
    spanish.write_text(spanish.read_text().replace("Tome 4,5 mg", "Tome 800 mg"))
    found = [d for d in run_checks(parse(spanish)) if d.rule == "translation-numbers"]
    assert any("'800 mg'" in d.message and "400 mg" in d.message and d.line == 29
               for d in found), [str(d) for d in found]


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("1.5 mg to 4.5 mg", "en", [("1.5", "mg"), ("4.5", "mg")]),
    ("de 1,5 mg a 4,5 mg", "es", [("1.5", "mg"), ("4.5", "mg")]),
    ("٤٫٥ ملغ", "ar", [("4.5", "mg")]),
    ("من ٧ إلى ١٠ أيام", "ar", [("7", "day"), ("10", "day")]),
    ("7 to 10 days", "en", [("7", "day"), ("10", "day")]),
    ("4.50 mg", "en", [("4.5", "mg")]),
    ("page 3 of the leaflet", "en", []),
    ("每天4.5毫克，连续12周", "zh-Hans", [("4.5", "mg"), ("12", "week")]),  # no spaces
    ("하루 4.5mg, 12주 동안", "ko", [("4.5", "mg"), ("12", "week")]),
])
def test_amounts_normalise_digits_separators_and_units(text: str, lang: str,
                                                       expected: list[tuple[str, str]]) -> None:
    assert [a.key for a in amounts(text, (lang,))] == expected


@pytest.mark.parametrize(("number", "value"), [
    ("4,5", "4.5"), ("۴٫۵", "4.5"), ("४.५", "4.5"), ("৪.৫", "4.5"), ("050", "50"), ("1.50", "1.5"),
])
def test_numbers_in_every_script(number: str, value: str) -> None:
    assert normalise_number(number) == value


# --- publish translate -----------------------------------------------------------------

def test_translate_starts_a_translation_that_checks_against_its_source(tmp_path: Path) -> None:
    shutil.copytree(GOOD, tmp_path / "set")
    source = tmp_path / "set" / "leaflet.md"
    result = CliRunner().invoke(cli, ["translate", str(source), "--to", "fr"])
    assert result.exit_code == 0, result.output
    started = tmp_path / "set" / "leaflet.fr.md"
    text = started.read_text("utf-8")
    assert "translation_of: leaflet.md" in text and 'source_version: "1.2.0"' in text
    assert "lang: fr" in text and "status: draft" in text
    assert "<!-- en-GB:\n- The usual dose is 1.5 mg to 4.5 mg once a day.\n- **Do not" in text
    assert "<!-- en-GB: Take 4.5 mg at bedtime. Ask your prescriber if you miss a dose. -->" \
        in text
    assert "## Key facts {#key-facts}" in text and "(images/moon.svg)" in text
    doc, findings = check(started)  # builds at once; only the unchecked safety block warns
    assert [h.id for h in doc.headings if h.line] == \
        [h.id for h in parse(source).headings if h.line]
    assert {d.rule for d in findings} == {"translation-safety-unchecked"}
    assert "<!--" not in parse(started).body.text_content()


def test_translate_never_overwrites(tmp_path: Path) -> None:
    shutil.copytree(GOOD, tmp_path / "set")
    existing = tmp_path / "set" / "leaflet.es.md"
    before = existing.read_bytes()
    result = CliRunner().invoke(cli, ["translate", str(tmp_path / "set" / "leaflet.md"),
                                      "--to", "es"])
    assert result.exit_code == 1
    assert "leaflet.es.md: translate: leaflet.es.md exists already" in result.output
    assert existing.read_bytes() == before


@pytest.mark.parametrize(("name", "lang", "says"), [
    ("leaflet.es.md", "fr", "is itself a translation"),
    ("leaflet.md", "en-US", "is already in en-GB"),
    ("leaflet.md", "not a tag!", "is not a BCP 47 language tag"),
])
def test_translate_refuses(tmp_path: Path, name: str, lang: str, says: str) -> None:
    shutil.copytree(GOOD, tmp_path / "set")
    result = CliRunner().invoke(cli, ["translate", str(tmp_path / "set" / name), "--to", lang])
    assert result.exit_code == 1 and says in result.output, result.output
    assert "Traceback" not in result.output


def test_the_languages_of_a_guide_are_found_from_either_side() -> None:
    for name in ("leaflet.md", "leaflet.es.md", "leaflet.ar.md"):
        doc = parse(GOOD / name)
        assert [(v.lang, v.stem, v.is_source) for v in doc.languages] == [
            ("en-GB", "leaflet", True), ("ar", "leaflet.ar", False),
            ("es", "leaflet.es", False)]


def test_the_cache_notices_a_changed_source(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A translation whose own file did not change still goes stale when its source does."""
    monkeypatch.setenv("PUBLISH_CACHE_DIR", str(tmp_path / "cache"))
    shutil.copytree(GOOD, tmp_path / "set")
    spanish = tmp_path / "set" / "leaflet.es.md"
    args = ["build", str(spanish), "-f", "html", "--out", str(tmp_path / "out")]
    assert CliRunner().invoke(cli, args).exit_code == 0
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0 and "up to date" in again.output, again.output
    source = tmp_path / "set" / "leaflet.md"
    source.write_text(source.read_text().replace('version: "1.2.0"', 'version: "1.3.0"'))
    stale = CliRunner().invoke(cli, args)
    assert stale.exit_code == 1 and "translation-stale" in stale.output, stale.output


def test_an_unchecked_translation_says_so_in_its_own_language(tmp_path: Path) -> None:
    """Until translation_reviewers is recorded, the draft marking says the translation has
    not been checked, in the translation's words; once it is, it no longer does."""
    from publish.build import build
    from publish.labels import labels_for

    shutil.copytree(GOOD, tmp_path / "set")
    spanish = tmp_path / "set" / "leaflet.es.md"
    unchecked = labels_for("es")["translation_unreviewed"]
    build(spanish, tmp_path / "out", ["html", "epub"])
    assert unchecked in (tmp_path / "out" / "leaflet.es.html").read_text("utf-8")
    spanish.write_text(spanish.read_text().replace(
        "translators:", "translation_reviewers:\n  - {name: \"R\", role: \"Traductora\", "
        "reviewed: 2026-01-10}\ntranslators:"))
    build(spanish, tmp_path / "out2", ["html"])
    assert unchecked not in (tmp_path / "out2" / "leaflet.es.html").read_text("utf-8")


# --- links between languages ------------------------------------------------------------

SHIPPED = ("guide.md", "guide.es.md", "guide.ar.md")
NAMES = {"en-GB": "English", "es": "Español", "ar": "العربية"}


@pytest.fixture(scope="module")
def shipped_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped guide and its two translations, built together (pages and fragments)."""
    from publish.library import build_library
    from publish.render import RenderOptions

    out = tmp_path_factory.mktemp("set")
    reports = build_library([ROOT / "source" / n for n in SHIPPED], out, ["html", "embed"],
                            RenderOptions())
    assert not [r.error for r in reports if r.error]
    return out


@pytest.mark.parametrize("stem", ["guide", "guide.es", "guide.ar"])
def test_every_page_links_its_other_languages(shipped_set: Path, stem: str) -> None:
    from lxml import html as lxml_html

    page = lxml_html.document_fromstring((shipped_set / f"{stem}.html").read_text("utf-8"))
    alternates = {link.get("hreflang"): link.get("href")
                  for link in page.iter("link") if link.get("rel") == "alternate"}
    expected = {lang: f"{s}.html" for lang, s in
                (("en-GB", "guide"), ("es", "guide.es"), ("ar", "guide.ar")) if s != stem}
    assert alternates == {**expected, "x-default": "guide.html"}
    for target in alternates.values():
        assert (shipped_set / target).is_file()
    for name in (f"{stem}.html", f"{stem}.embed.html"):
        root = lxml_html.document_fromstring((shipped_set / name).read_text("utf-8"))
        switcher = root.xpath("//nav[contains(@class, 'languages')]")
        assert len(switcher) == 1, name
        named = {el.get("lang"): el.text_content().strip() for el in switcher[0].iter("a", "span")
                 if el.get("lang")}
        assert named == NAMES, name
        links = {a.get("hreflang"): a.get("href") for a in switcher[0].iter("a")}
        assert links == {lang: href for lang, href in expected.items()}, name


def test_the_switcher_is_accessible_in_chromium(shipped_set: Path) -> None:
    """axe-core finds nothing in the Arabic page's header (the switcher), and each link's
    text is spoken in its own language: its ``lang`` is the language it names."""
    from tests.validators import axe_run, axe_summary, browser_page

    with browser_page(shipped_set / "guide.ar.html", width=320) as page:
        violations = axe_run(page, context="nav.languages")
        langs = page.eval_on_selector_all(
            "nav.languages a", "links => links.map(a => [a.lang, a.hreflang, a.textContent])")
    assert violations == [], axe_summary(violations)
    assert sorted(langs) == [["en-GB", "en-GB", "English"], ["es", "es", "Español"]]
