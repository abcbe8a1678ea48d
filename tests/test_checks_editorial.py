"""Editorial rules: each rule fires on its fixture, with its name and line, and on nothing else.

Fixtures live in tests/fixtures/editorial/: each failing one says what it must
produce in a comment, ``# expect: <rule> <line>``; ``good.md`` and
``approved.md`` must pass. The tests also pin the edges the brief names (doses
that are fine, negated claims), the injectable "today" of the review-date
rule, textstat working offline, the reading figures of the shipped guide and
the draft marking in the real outputs.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import re
import shutil
import socket
import subprocess
import zipfile
from pathlib import Path

import pytest
import textstat
from click.testing import CliRunner
from lxml import etree
from lxml import html as lxml_html

from publish.build import build, check
from publish.checks import run_checks
from publish.checks.editorial import dose_problems, editorial, negated, phrase_hits, review_today
from publish.checks.readability import prepared, reading_figures
from publish.checks.ruledata import general_rules, load_guide_rules
from publish.checks.text import Sentence, sentences, split_sentences
from publish.cli import cli
from publish.errors import ContentError, SourceError
from publish.labels import labels_for
from publish.parse import parse
from tests.conftest import ROOT, SHIPPED_GUIDE

EDITORIAL = ROOT / "tests" / "fixtures" / "editorial"
SHIPPED_RULES = SHIPPED_GUIDE.with_name("guide.rules.yaml")
EXPECT = re.compile(r"# expect: (\S+) (\d+)")
FIXED_TODAY = dt.date(2026, 6, 1)
DRAFT_MARK = "Draft — not for clinical use"

FAILING = sorted(p for p in EDITORIAL.glob("*.md") if EXPECT.search(p.read_text("utf-8")))
TRANSLATION_FAILING = sorted(p for p in (ROOT / "tests" / "fixtures" / "translation" / "bad")
                             .glob("*.md") if EXPECT.search(p.read_text("utf-8")))
"""The translation rules' fixtures (tests/test_translation.py runs them)."""
PASSING = [EDITORIAL / "good.md", EDITORIAL / "approved.md"]


def expectation(path: Path) -> tuple[str, int]:
    match = EXPECT.search(path.read_text("utf-8"))
    assert match, f"{path.name} has no '# expect: rule line' comment"
    return match.group(1), int(match.group(2))


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Review dates are judged against a fixed day, so no fixture expires."""
    epoch = dt.datetime(FIXED_TODAY.year, FIXED_TODAY.month, FIXED_TODAY.day,
                        tzinfo=dt.UTC).timestamp()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(epoch)))


# --- every rule has a failing fixture -------------------------------------------------

@pytest.mark.parametrize("path", FAILING, ids=lambda p: p.stem)
def test_fixture_fires_its_rule_only(path: Path) -> None:
    rule, line = expectation(path)
    findings = run_checks(parse(path))
    assert (rule, line) in [(d.rule, d.line) for d in findings], [str(d) for d in findings]
    assert {d.rule for d in findings} == {rule}, [str(d) for d in findings]
    with pytest.raises(ContentError) as caught:
        check(path, strict=True)
    assert f"{path.name}:{line}: " in caught.value.format_message()
    assert f": {rule}: " in caught.value.format_message()


def test_every_general_rule_has_a_failing_fixture() -> None:
    rules = {name for name, settings in general_rules().settings.items()
             if "severity" in settings}
    covered = {expectation(p)[0] for p in FAILING + TRANSLATION_FAILING}
    assert rules == covered


@pytest.mark.parametrize("path", PASSING, ids=lambda p: p.stem)
def test_good_fixture_passes_strict(path: Path) -> None:
    _doc, findings = check(path, strict=True)
    assert findings == []


def test_severities_are_data() -> None:
    """Long sentences only warn (a build goes on); the others stop a build."""
    rules = general_rules()
    assert rules.severity("sentence-long") == "warning"
    _doc, findings = check(EDITORIAL / "sentence-long.md")
    assert [d.rule for d in findings] == ["sentence-long"]
    for name in ("dose-notation", "claim", "leftover", "promotion", "safety-block",
                 "citation-unknown", "source-uncited", "review-overdue", "reading-level"):
        assert rules.severity(name) == "error"


# --- rules files ----------------------------------------------------------------------

def test_broken_rules_file_names_its_own_line() -> None:
    with pytest.raises(SourceError) as caught:
        check(EDITORIAL / "rules-file.md")
    assert caught.value.format_message().startswith("tests/fixtures/editorial/"
                                                    "broken.rules.yaml:3: rules-file: ")


def test_missing_rules_file_is_reported_at_the_rules_field(tmp_path: Path) -> None:
    guide = tmp_path / "guide.md"
    guide.write_text("---\ntitle: T\nlang: en\nrules: nowhere.yaml\n---\n# T\n\nText.\n")
    with pytest.raises(SourceError) as caught:
        check(guide)
    assert caught.value.diagnostic.line == 4
    assert caught.value.diagnostic.rule == "rules-file"


def test_rules_file_beside_the_guide_is_found_by_its_name(tmp_path: Path) -> None:
    guide = tmp_path / "leaflet.md"
    guide.write_text("---\ntitle: T\nlang: en\n---\n# T\n\nText.\n")
    assert run_checks(parse(guide)) == []
    (tmp_path / "leaflet.rules.yaml").write_text("sections:\n  required: [storage]\n")
    assert [d.rule for d in run_checks(parse(guide))] == ["section-required"]


def test_guide_without_rules_file_gets_general_rules_only(tmp_path: Path) -> None:
    """Another leaflet or a translation brings its own rules, or none."""
    guide = tmp_path / "other.md"
    guide.write_text("---\ntitle: T\nlang: en\n---\n# T\n\n4.5 mg treats alcohol "
                     "dependence. Take 4.50 mg.\n")
    assert [d.rule for d in run_checks(parse(guide))] == ["dose-notation"]


def test_shipped_rules_require_the_guide_sections_in_order() -> None:
    rules = load_guide_rules(SHIPPED_RULES)
    assert rules.sections == ("key-facts", "what-it-is", "before-you-take", "how-to-take",
                              "side-effects", "storage", "research", "faq", "get-help",
                              "about")
    assert rules.first_section == "key-facts"


# --- dose notation --------------------------------------------------------------------

ENGLISH = labels_for("en")


@pytest.mark.parametrize("text", [
    "In 2024 one trial reported p = 0.27.", "Pain was scored on a 0–10 scale.",
    "The difference was −0.34 points.", "More side effects than placebo (IRR 1.4).",
    "Usually 1.5–4.5 mg a day.", "The usual dose is 1.5 mg to 4.5 mg once a day.",
    "The dose for that is 50 mg a day.", "They took 6 mg or a placebo.",
    "Take 10 mg.", "Take 0.5 mg at first.", "It is a licensed 50 mg tablet.",
])
def test_dose_rule_leaves_correct_numbers_alone(text: str) -> None:
    assert list(dose_problems(text, ENGLISH)) == []


@pytest.mark.parametrize(("text", "fix"), [
    ("Naltrexone 4.50mg", "'4.5 mg'"), ("Take 4.5mg.", "'4.5 mg'"),
    ("Take 4.50 mg.", "'4.5 mg'"), ("Take 5.0 ml.", "'5 ml'"),
    ("Start with .5 mg.", "'0.5 mg'"), ("Take 4.5 mg. at night", "'4.5 mg'"),
    ("Use 1.50–4.5 mg a day.", "'1.5–4.5 mg'"), ("A value of .27 was found.", "'0.27'"),
])
def test_dose_rule_gives_the_correct_form(text: str, fix: str) -> None:
    problems = list(dose_problems(text, ENGLISH))
    assert len(problems) == 1
    assert f"write {fix}" in problems[0]


@pytest.mark.parametrize(("lang", "text"), [
    ("es", "Tome 4,5 mg al día; al principio 0,5 mg."), ("es", "Entre 1,5–4,5 mg."),
    ("es", "Hasta 4.500 mg en total."), ("es-MX", "Tome 4.5 mg al día."),
    ("pl", "Przyjmuj 4,5 mg."), ("fr", "Prenez 4,5 mg, jamais 1 000 mg."),
    ("pt-BR", "Tome 4,5 mg."), ("ro", "Luați 4,5 mg."), ("tr", "Günde 4,5 mg alın."),
    ("ru", "Принимайте 4,5 мг в день."), ("uk", "Приймайте 4,5 мг."),
    ("en", "Up to 4,500 mg in all."), ("ar", "تناول ٤٫٥ ملغ يوميًا، أو 4.5 mg."),
    ("fa", "روزانه ۴٫۵ میلی‌گرم بخورید."), ("hi", "रोज़ ४.५ मिलीग्राम लें।"),
    ("zh-Hans", "每天服用4.5毫克。"), ("zh-Hant", "每天服用 4.5 mg。"),
    ("ko", "하루 4.5 mg을 드세요."), ("bn", "প্রতিদিন ৪.৫ মিলিগ্রাম খান।"),
])
def test_dose_rule_reads_each_language_s_notation(lang: str, text: str) -> None:
    """Decimal commas, native digits and the unit words of each language's table."""
    assert list(dose_problems(text, labels_for(lang))) == []


@pytest.mark.parametrize(("lang", "text", "fix", "why"), [
    ("es", "Tome 4,50 mg.", "'4,5 mg'", "trailing zero"),
    ("es", "Tome 4.5 mg.", "'4,5 mg'", "decimal comma ','"),
    ("es", "Empiece con ,5 mg.", "'0,5 mg'", "zero before the decimal comma"),
    ("es", "Tome 4,5mg.", "'4,5 mg'", "a space"),
    ("pl", "Przyjmuj 4.5 mg.", "'4,5 mg'", "Polish writes decimals"),
    ("fr", "Prenez 4,50 mg.", "'4,5 mg'", "trailing zero"),
    ("ru", "Принимайте 4,50 мг.", "'4,5 мг'", "trailing zero"),
    ("en", "Take 4,5 mg.", "'4.5 mg'", "decimal point '.'"),
    ("es-MX", "Tome 4,5 mg.", "'4.5 mg'", "decimal point"),
    ("ar", "تناول ٤٫٥٠ ملغ.", "'٤٫٥ ملغ'", "trailing zero"),
    ("ar", "تناول ٤.٥ ملغ.", "'٤٫٥ ملغ'", "decimal separator '٫'"),
    ("hi", "रोज़ ४.५० मिलीग्राम लें।", "'४.५ मिलीग्राम'", "trailing zero"),
    ("zh-Hans", "每天服用4.50毫克。", "'4.5毫克'", "trailing zero"),
    ("ko", "하루 4.5mg을 드세요.", "'4.5 mg'", "a space"),
])
def test_dose_rule_catches_each_language_s_errors(lang: str, text: str, fix: str,
                                                  why: str) -> None:
    problems = list(dose_problems(text, labels_for(lang)))
    assert len(problems) == 1, problems
    assert f"write {fix}" in problems[0] and why in problems[0], problems[0]


# --- claims and negation (the shipped LDN rules) --------------------------------------

def _claims(text: str) -> list[str]:
    rules = general_rules()
    cues, breaks = rules.words("negation", "cues", "en"), rules.words("negation", "breaks", "en")
    return [found for _p, found in
            phrase_hits(text, load_guide_rules(SHIPPED_RULES).claims, cues, breaks)]


@pytest.mark.parametrize("text", [
    "LDN is not a treatment for alcohol or opioid dependence.",
    "4.5 mg does not treat addiction.",
    "LDN does not treat alcohol problems.",
    "There is no cure for fibromyalgia.",
    "There is no evidence that it stops any illness getting worse.",
    "We found no trials that show LDN helps arthritis, cancer or mental health.",
    "At the standard dose, it is a licensed 50 mg tablet.",
    "It treats alcohol dependence.",  # the 50 mg tablet, in the guide's own context
    "Do not take LDN if you take opioids.",
    "If you need help with alcohol or opioids, talk to your doctor.",
    "LDN is not licensed at this dose.",
    "Is LDN safe during pregnancy?",
    "People who took a placebo had fewer side effects.",
])
def test_negated_or_unrelated_sentences_pass(text: str) -> None:
    assert _claims(text) == []


@pytest.mark.parametrize("text", [
    "4.5 mg treats alcohol dependence.",
    "Naltrexone 4.5 mg is used for alcohol dependence and opioid relapse.",
    "LDN is not licensed, but it treats alcohol dependence.",
    "Alcohol dependence can be treated with 4.5 mg naltrexone.",
    "LDN can help reduce reliance on opioids.",
    "LDN cures fibromyalgia.",
    "LDN slows disease progression in MS.",
    "LDN has no side effects.",
    "It has minimal side effects, fewer than other medications.",
    "Missed doses can lead to relapse.",
    "LDN may help fight cancer.",
    "LDN is neuroprotective.",
    "LDN is FDA approved.",
])
def test_claims_from_the_seed_are_caught(text: str) -> None:
    assert _claims(text)


def test_negation_is_cut_by_a_contrast() -> None:
    cues, breaks = ["not", "n't", "no"], ["but", ";"]
    assert negated("LDN is not", cues, breaks)
    assert negated("LDN doesn't", cues, breaks)
    assert not negated("LDN is not licensed, but it", cues, breaks)
    assert not negated("LDN is not licensed; it", cues, breaks)


def test_generated_sections_are_not_judged(tmp_path: Path) -> None:
    """Source titles are quotations: 'cures' in one is not the guide's claim."""
    guide = tmp_path / "guide.md"
    guide.write_text(
        "---\ntitle: T\nlang: en\nrules: rules.yaml\nsources:\n  - id: S1\n"
        "    title: Does 4.50mg LDN cure pain? Buy now\n---\n# T\n\nOne trial [@S1].\n")
    (tmp_path / "rules.yaml").write_text(
        "claims:\n  - pattern: '\\b(?P<claim>cures?)\\b'\n    message: no cure\n")
    doc = parse(guide)
    assert "Sources" in doc.body.text_content()
    assert [s.text for s in sentences(doc)] == ["T", "One trial."]
    assert run_checks(doc) == []


def test_description_is_judged(tmp_path: Path) -> None:
    guide = tmp_path / "guide.md"
    guide.write_text("---\ntitle: T\nlang: en\ndescription: Buy LDN online.\n---\n# T\n\n"
                     "Text.\n")
    findings = run_checks(parse(guide))
    assert [(d.rule, d.line) for d in findings] == [("promotion", 4)]


# --- sources (PIF TICK) ---------------------------------------------------------------

def test_draft_lists_incomplete_sources_for_its_reviewer_instead_of_failing() -> None:
    """The same incomplete source that stops an approved guide is a reviewer question in a
    draft, so `--strict` passes and the reviewer sees what to complete."""
    approved = EDITORIAL / "source-incomplete.md"
    text = approved.read_text("utf-8").replace("status: approved", "status: draft")
    draft = approved.with_name("draft-source-incomplete.md")
    try:
        draft.write_text(text, encoding="utf-8")
        doc, findings = check(draft, strict=True)
    finally:
        draft.unlink()
    assert findings == []
    questions = [li.text_content() for li in doc.body.xpath(
        "//section[contains(@class, 'review-notes')]//li")]
    assert questions == ["Sources to complete before approval (PIF TICK): "
                         "S2: no year, URL or DOI."]


def test_reviewer_question_groups_sources_missing_the_same_parts(tmp_path: Path) -> None:
    guide = tmp_path / "guide.md"
    guide.write_text(
        "---\ntitle: T\nlang: en\nsources:\n"
        "  - {id: A1, title: One, year: 2020}\n"
        "  - {id: A2, title: Two, publisher: P, year: 2021, url: 'https://example.org/2'}\n"
        "  - {id: A3, title: Three, year: 2022}\n  - {id: A4, title: Four, publisher: P}\n"
        "---\n# T\n\nText [@A1; @A2; @A3; @A4].\n")
    doc = parse(guide)
    (question,) = [li.text_content() for li in doc.body.xpath(
        "//section[contains(@class, 'review-notes')]//li")]
    assert question == ("Sources to complete before approval (PIF TICK): A1, A3: no "
                        "publisher or journal, URL or DOI; A4: no year, URL or DOI.")
    assert run_checks(doc) == []


def test_approved_guide_names_every_incomplete_source() -> None:
    findings = run_checks(parse(EDITORIAL / "source-incomplete.md"))
    assert [(d.rule, d.line) for d in findings] == [("source-incomplete", 24)]
    assert "source S2 lacks a year and a web address (url) or DOI" in findings[0].message


@pytest.mark.parametrize(("field", "value", "ok"), [
    ("doi", "10.1002/ana.22006", True), ("doi", "10.1016/S2665-9913(23)00278-3", True),
    ("doi", "doi:10.1002/ana.22006", False), ("doi", "https://doi.org/10.1002/x", False),
    ("doi", "10.12/short-prefix", False), ("doi", "CD010410.pub3", False),
    ("url", "https://yellowcard.mhra.gov.uk", True), ("url", "http://example.org/a?b=1", True),
    ("url", "https://localhost/page", False), ("url", "https://example.org:x/page", False),
])
def test_source_address_shapes(tmp_path: Path, field: str, value: str, ok: bool) -> None:
    guide = tmp_path / "guide.md"
    guide.write_text(f"---\ntitle: T\nlang: en\nsources:\n  - id: S1\n    title: One\n"
                     f"    {field}: '{value}'\n---\n# T\n\nText [@S1].\n")
    doc = parse(guide)
    assert [(d.rule, d.line) for d in run_checks(doc)] == ([] if ok else [("source-address", 5)])


@pytest.mark.parametrize("url", ["www.example.org/page", "file:///etc/passwd",
                                 "javascript:alert(1)"])
def test_source_url_that_is_no_web_address_is_refused_when_read(tmp_path: Path,
                                                                 url: str) -> None:
    """It would become a link in every output, so it never reaches the checks."""
    guide = tmp_path / "guide.md"
    guide.write_text(f"---\ntitle: T\nlang: en\nsources:\n  - id: S1\n    title: One\n"
                     f"    url: '{url}'\n---\n# T\n\nText [@S1].\n")
    with pytest.raises(SourceError) as caught:
        parse(guide)
    assert caught.value.diagnostic.rule == "front-matter-field"


def test_review_note_source_names_the_note_line_and_knows_ids(tmp_path: Path) -> None:
    guide = tmp_path / "guide.md"
    guide.write_text(
        "---\ntitle: T\nlang: en\nreview_notes:\n  - 'Fine: NCT04739995, CD010410, "
        "10.1136/bmjopen-2021-055351, 50 mg, [@S1].'\n  - >-\n    A folded note that\n"
        "    names T5 and S1–S3.\nsources:\n  - {id: S1, title: One}\n"
        "  - {id: S3, title: Three}\n---\n# T\n\nText [@S1; @S3].\n")
    findings = run_checks(parse(guide))
    assert [(d.rule, d.line) for d in findings] == [("review-note-source", 6)]
    assert "names source T5" in findings[0].message


def test_shipped_guide_names_only_listed_sources_in_its_review_notes() -> None:
    """Review notes and sources agree, and the draft's reviewer questions list the sources
    the brief gives no year or address for, instead of inventing them."""
    doc = parse(SHIPPED_GUIDE)
    listed = {s.id for s in doc.meta.sources}
    assert {"S30", "S36", "S37"} <= listed
    notes = " ".join(doc.meta.review_notes)
    assert set(re.findall(r"\bS\d+\b", notes)) <= listed
    questions = doc.body.xpath("//section[contains(@class, 'review-notes')]//li")
    assert "S37: no publisher or journal, year, URL or DOI" in questions[-1].text_content()


# --- review dates ---------------------------------------------------------------------

def test_overdue_is_judged_against_an_injected_today() -> None:
    doc = parse(EDITORIAL / "approved.md")
    due = doc.meta.next_review
    assert due is not None
    assert editorial(doc, today=due) == []
    late = editorial(doc, today=due + dt.timedelta(days=1))
    assert [d.rule for d in late] == ["review-overdue"]


def test_today_comes_from_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1893456000")  # 2030-01-01
    assert review_today() == dt.date(2030, 1, 1)
    with pytest.raises(ContentError) as caught:
        check(EDITORIAL / "approved.md")
    assert "review-overdue" in caught.value.format_message()
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    before = dt.date.today()
    assert review_today() in {before, dt.date.today()}  # a run may cross midnight


def test_drafts_are_not_overdue() -> None:
    doc = parse(EDITORIAL / "good.md")
    assert editorial(doc, today=dt.date(2100, 1, 1)) == []


@pytest.mark.parametrize(("last", "following", "ok"), [
    ("2026-01-10", "2029-01-10", True), ("2026-01-10", "2029-01-11", False),
    ("2024-02-29", "2027-02-28", True), ("2026-01-10", "2026-01-10", False),
])
def test_review_interval_is_at_most_three_years(tmp_path: Path, last: str, following: str,
                                                ok: bool) -> None:
    guide = tmp_path / "guide.md"
    guide.write_text(f"---\ntitle: T\nlang: en\nlast_reviewed: {last}\n"
                     f"next_review: {following}\n---\n# T\n\nText.\n")
    rules = [d.rule for d in run_checks(parse(guide))]
    assert rules == ([] if ok else ["review-interval"])


# --- reading level --------------------------------------------------------------------

def test_textstat_is_the_pinned_offline_version(monkeypatch: pytest.MonkeyPatch) -> None:
    assert importlib.metadata.version("textstat") == "0.7.8"

    def no_network(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("textstat tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    # Words no earlier test has looked up, so nothing comes from a cache.
    assert textstat.syllable_count("dihydrocodeine buprenorphine anaesthetist") >= 10
    figures = reading_figures(parse(EDITORIAL / "good.md"))
    assert figures[-1].part == "body"
    assert figures[-1].words > 50


def test_decimals_do_not_split_sentences() -> None:
    """textstat alone counts '1.5 mg to 4.5 mg' as three sentences; prepared text as one."""
    text = "The usual dose is 1.5 mg to 4.5 mg once a day, e.g. at bedtime."
    assert split_sentences(text) == [text]
    assert textstat.sentence_count(text) == 3
    assert textstat.sentence_count(prepared([Sentence(text, None, "")])) == 1


def test_parts_under_the_minimum_sample_are_not_judged(tmp_path: Path) -> None:
    """Formulas need about 100 words: three hard words are figures, not a finding."""
    guide = tmp_path / "guide.md"
    guide.write_text("---\ntitle: T\nlang: en\n---\n# T\n\nPharmacological "
                     "characterisation necessitates consultation.\n")
    doc = parse(guide)
    assert reading_figures(doc)[-1].scores["flesch_kincaid_grade"] > 8
    assert run_checks(doc) == []


def test_shipped_guide_passes_strict_with_its_reading_figures() -> None:
    """Done when: the shipped guide passes `publish check --strict` within the limits."""
    doc, findings = check(SHIPPED_GUIDE, strict=True)
    assert findings == []
    figures = {f.part: f for f in reading_figures(doc)}
    assert figures["body"].scores["flesch_kincaid_grade"] <= 8
    assert figures["body"].scores["flesch_reading_ease"] >= 60
    assert figures["key-facts"].scores["flesch_kincaid_grade"] <= 6
    assert figures["body"].words > 500


def test_check_command_prints_figures_per_section() -> None:
    result = CliRunner().invoke(cli, ["check", "--strict", str(SHIPPED_GUIDE)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Reading level (textstat): Flesch–Kincaid grade at most 8")
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:]}
    for part in ("key-facts", "what-it-is", "side-effects", "faq", "about", "body"):
        words, count, grade, ease = rows[part]
        assert int(words) > 0 and int(count) > 0
        assert float(grade) <= 8 and float(ease) >= 60


def test_check_command_fails_with_file_line_rule() -> None:
    result = CliRunner().invoke(cli, ["check", str(EDITORIAL / "claim.md")])
    assert result.exit_code == 1
    assert "claim.md:18: claim: " in result.stderr
    assert "Traceback" not in result.output


# --- draft marking in the real outputs ------------------------------------------------

def _pdf_pages(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def _first_epub_document(path: Path) -> str:
    with zipfile.ZipFile(path) as book:
        container = etree.fromstring(book.read("META-INF/container.xml"))
        opf_path = container.find(".//{*}rootfile").get("full-path")
        opf = etree.fromstring(book.read(opf_path))
        first = opf.find(".//{*}spine/{*}itemref").get("idref")
        href = opf.find(f".//{{*}}manifest/{{*}}item[@id='{first}']").get("href")
        base = opf_path.rsplit("/", 1)[0] + "/" if "/" in opf_path else ""
        return lxml_html.fromstring(book.read(base + href)).text_content()


def _marks(out: Path) -> dict[str, list[bool]]:
    """Per output file: whether the draft mark is there (per page for PDFs)."""
    marks = {p.name: [DRAFT_MARK in lxml_html.fromstring(p.read_text("utf-8")).text_content()]
             for p in sorted(out.glob("*.html"))}
    marks.update({p.name: [DRAFT_MARK in page for page in _pdf_pages(p)]
                  for p in sorted(out.glob("*.pdf"))})
    marks.update({p.name: [DRAFT_MARK in _first_epub_document(p)]
                  for p in sorted(out.glob("*.epub"))})
    return marks


@pytest.fixture(scope="module")
def approved_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("approved-build")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1780272000")  # 2026-06-01, before next_review
        build(EDITORIAL / "approved.md", out)
    return out


def test_draft_is_marked_in_every_output(full_build: Path) -> None:
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed"
    marks = _marks(full_build)
    assert {"full.html", "full.pdf", "full.epub"} <= set(marks)
    for name, pages in marks.items():
        assert pages and all(pages), f"{name}: draft mark missing on {pages}"
    assert len(marks["full.pdf"]) >= 2


def test_approved_guide_carries_no_draft_mark(approved_build: Path) -> None:
    marks = _marks(approved_build)
    assert {"approved.html", "approved.pdf", "approved.epub"} <= set(marks)
    for name, pages in marks.items():
        assert pages and not any(pages), f"{name}: an approved guide says draft"
