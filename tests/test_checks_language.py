"""Checks that read the guide's language: notation of doses, sentence ends, reading level."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from publish.checks import run_checks
from publish.checks.readability import figures_report, prepared, reading_figures
from publish.checks.text import Sentence, split_sentences
from publish.labels import labels_for
from publish.notation import amounts, read_number, rewritten
from publish.parse import parse

# --- numbers as each language writes them ---------------------------------------------


@pytest.mark.parametrize(("lang", "written", "value", "wrong", "safe"), [
    ("en", "4.5", "4.5", "", "4.5"), ("en", "4,500", "4500", "", "4,500"),
    ("en", "4,5", "4.5", ",", "4.5"), ("en", ".5", "0.5", "", "0.5"),
    ("es", "4,5", "4.5", "", "4,5"), ("es", "4.500", "4500", "", "4.500"),
    ("es", "4.5", "4.5", ".", "4,5"), ("es", "1.000,50", "1000.50", "", "1.000,5"),
    ("es-MX", "4.5", "4.5", "", "4.5"), ("fr", "1 000", "1000", "", "1 000"),
    ("fr", "1\u202f000", "1000", "", "1\u202f000"), ("ru", "4,50", "4.50", "", "4,5"),
    ("ar", "٤٫٥", "4.5", "", "٤٫٥"), ("ar", "٤.٥", "4.5", ".", "٤٫٥"),
    ("ar", "4.5", "4.5", "", "4.5"), ("ar", "٫٥", "0.5", "", "٠٫٥"),
    ("fa", "۴٫۵۰", "4.50", "", "۴٫۵"), ("hi", "४.५", "4.5", "", "४.५"),
    ("bn", "৪.৫০", "4.50", "", "৪.৫"),
])
def test_a_number_is_read_in_its_language(lang: str, written: str, value: str, wrong: str,
                                          safe: str) -> None:
    reading = read_number(written, labels_for(lang).numbers)
    assert (reading.value, reading.wrong_separator, reading.safe()) == \
        (Decimal(value), wrong, safe)


@pytest.mark.parametrize(("lang", "text", "found"), [
    ("en", "Take 1.5–4.5 mg, not 2 500 mg; B12 mcg.", ["1.5 mg", "4.5 mg", "500 mg"]),
    ("es", "Tome 4,5 mg o 1,5–4,5 miligramos.", ["4.5 mg", "1.5 mg", "4.5 mg"]),
    ("fr", "Jamais 1 000 mg.", ["1000 mg"]),
    ("ru", "Принимайте 4,5 мг, 2026 г.", ["4.5 mg"]),
    ("ar", "تناول ٤٫٥ ملغ أو 4.5 mg", ["4.5 mg", "4.5 mg"]),
    ("zh-Hans", "每天服用4.5毫克，共3克。", ["4.5 mg", "3 g"]),
    ("ko", "하루 4.5 mg을, 3밀리그램을", ["4.5 mg", "3 mg"]),
    ("bn", "৪.৫ মিলিগ্রামের বেশি", ["4.5 mg"]),
    ("hi", "रोज़ ४.५ मिलीग्राम", ["4.5 mg"]),
])
def test_amounts_use_the_table_s_unit_words(lang: str, text: str, found: list[str]) -> None:
    """Unit words end where their word ends in cased scripts ("мгновенно" is no мг) and
    may run on in Chinese, Korean and Bengali (unit_boundary: false)."""
    assert [f"{a.value} {a.unit}" for a in amounts(text, labels_for(lang))] == found


def test_a_started_translation_writes_doses_the_target_s_way() -> None:
    en, fr, es = labels_for("en"), labels_for("fr"), labels_for("es")
    assert rewritten("Take 1.5–4.5 mg or 1,000 mg; p = 0.27.", en, fr) == \
        "Take 1,5–4,5 mg or 1000 mg; p = 0.27."
    assert rewritten("Tome 4,5 mg o 1.000 mg.", es, en) == "Tome 4.5 mg o 1000 mg."


# --- sentences ----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "parts"), [
    ("每天服用4.5毫克。不要多吃！为什么？因为。",
     ["每天服用4.5毫克。", "不要多吃！", "为什么？", "因为。"]),
    ("تناول الدواء. ثم استرح؟ نعم.", ["تناول الدواء.", "ثم استرح؟", "نعم."]),
    ("اسے روز لیں۔ پھر آرام کریں۔", ["اسے روز لیں۔", "پھر آرام کریں۔"]),
    ("यह दवा है। इसे रोज़ लें।", ["यह दवा है।", "इसे रोज़ लें।"]),
    ("এটি ওষুধ। রোজ খান।", ["এটি ওষুধ।", "রোজ খান।"]),
    ("እዚ መድሃኒት እዩ። ኩሉ መዓልቲ ውሰዶ።", ["እዚ መድሃኒት እዩ።", "ኩሉ መዓልቲ ውሰዶ።"]),
    ("¿Qué es? ¡Es LDN! Tome 4,5 mg. Después, descanse.",
     ["¿Qué es?", "¡Es LDN!", "Tome 4,5 mg.", "Después, descanse."]),
    ("Il dit « oui ». Puis il part.", ["Il dit « oui ».", "Puis il part."]),
    ("The usual dose is 1.5 mg to 4.5 mg once a day, e.g. at bedtime.",
     ["The usual dose is 1.5 mg to 4.5 mg once a day, e.g. at bedtime."]),
])
def test_sentences_end_at_every_script_s_marks(text: str, parts: list[str]) -> None:
    assert split_sentences(text) == parts


def test_textstat_sees_one_full_stop_per_sentence_in_any_script() -> None:
    text = prepared([Sentence("每天服用4.5毫克。", None, ""), Sentence("ثم استرح؟", None, ""),
                     Sentence("यह दवा है।", None, "")])
    assert text == "每天服用45毫克. ثم استرح. यह दवा है."


# --- reading level -------------------------------------------------------------------------

def _guide(tmp_path: Path, lang: str, body: str) -> Path:
    path = tmp_path / "guide.md"
    path.write_text(f"---\ntitle: T\nlang: {lang}\n---\n# T\n\n{body}\n", encoding="utf-8")
    return path


SPANISH = ("La naltrexona en dosis bajas es un medicamento. Se toma una vez al día, por la "
           "noche. Hable con su médico antes de empezar. ") * 8


def test_spanish_is_measured_with_szigriszt_pazos(tmp_path: Path) -> None:
    doc = parse(_guide(tmp_path, "es", SPANISH))
    body = reading_figures(doc)[-1]
    assert set(body.scores) == {"szigriszt_pazos"} and body.words >= 100
    assert body.scores["szigriszt_pazos"] >= 55
    assert not [d for d in run_checks(doc) if d.rule == "reading-level"]
    report = figures_report(doc)
    assert report.startswith("Reading level (textstat): Szigriszt-Pazos (INFLESZ) at least 55")
    assert "Flesch" not in report


@pytest.mark.parametrize(("lang", "formula"), [
    ("fr", "flesch_reading_ease"), ("ru", "flesch_reading_ease"), ("pl", "gunning_fog"),
    ("ar", "osman"),
])
def test_each_language_s_own_formula(tmp_path: Path, lang: str, formula: str) -> None:
    text = {"fr": "Prenez le médicament le soir. Parlez à votre médecin.",
            "ru": "Принимайте лекарство вечером. Поговорите с врачом.",
            "pl": "Bierz lek wieczorem. Porozmawiaj z lekarzem.",
            "ar": "تناول الدواء في المساء. تحدث إلى طبيبك."}[lang]
    figures = reading_figures(parse(_guide(tmp_path, lang, text)))
    assert list(figures[-1].scores) == [formula]


@pytest.mark.parametrize("lang", ["pt-BR", "tr", "vi", "uk", "hi", "ko", "ti"])
def test_a_language_without_a_formula_says_so(tmp_path: Path, lang: str) -> None:
    doc = parse(_guide(tmp_path, lang, "Text."))
    assert reading_figures(doc) == []
    report = figures_report(doc)
    assert report.startswith(f"Reading level: not measured for '{lang}'")
    assert "textstat 0.7.8 has no" in report and "grade" not in report


def test_chinese_sentence_length_is_not_counted_in_words(tmp_path: Path) -> None:
    doc = parse(_guide(tmp_path, "zh-Hans", "这是一个非常长的句子" * 20 + "。"))
    assert not [d for d in run_checks(doc) if d.rule == "sentence-long"]
    assert "Sentence length: not measured for 'zh-Hans'" in figures_report(doc)
