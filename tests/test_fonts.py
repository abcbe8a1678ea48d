"""Fonts: every character drawn with a real glyph from the project's own fonts, or no build.

The font table (``styles/fonts/fonts.yaml``) is checked against the files it pins;
each language's characters against the fonts its guides use; one fixture guide
with a sentence in every script is built and every glyph its PDFs draw is looked
up in the embedded font (``tests/glyphs.py``); a private-use character stops the
build with its line and nothing written.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from collections import OrderedDict
from pathlib import Path

import pytest
from click.testing import CliRunner

from publish import fonts
from publish.build import build
from publish.cli import cli
from publish.parse import parse
from publish.render.base import RenderOptions
from publish.styles import STYLES_DIR
from tests import glyphs
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "fonts"


def _vietnamese() -> str:
    """Every Vietnamese vowel with every tone, both cases, and đ."""
    tones = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
    vowels = "aăâeêioôơuưy"
    letters = {unicodedata.normalize("NFC", v + t) for v in vowels + vowels.upper()
               for t in tones}
    return "Đây là một câu thử nghiệm: " + "".join(sorted(letters)) + " đĐ"


# Language → (text with the letters and punctuation special to it, the fonts that must
# draw it). The sentences only exercise letters; they say nothing medical.
LANGUAGES: dict[str, tuple[str, set[str]]] = {
    "en": ("The quick brown fox jumps over the lazy dog — “quoted” ‘text’… 4.5 mg",
           {"atkinson-hyperlegible"}),
    "es": ("¿Qué? ¡Sí! Año, niño, pingüino, acción, él, búho. ÁÉÍÓÚÜÑ 4,5 mg",
           {"atkinson-hyperlegible"}),
    "pt": ("Não, ação, coração, avó, você, três, à. ÃÕÇÁÀÂÊÔ", {"atkinson-hyperlegible"}),
    "fr": ("Où est-ce\u202f? « Élève », garçon, cœur, Noël, naïf, août, ÿ, æ, Œ, Ÿ.",
           {"atkinson-hyperlegible"}),
    "pl": ("Zażółć gęślą jaźń. ĄĆĘŁŃÓŚŹŻ „cytat”", {"atkinson-hyperlegible"}),
    "ro": ("Această propoziție: ș ț ă â î Ș Ț Ă Â Î „citat”", {"atkinson-hyperlegible"}),
    "tr": ("İlaç, ığdır, şeker, çay, göz, üzüm: İ ı Ğ Ş Ç Ö Ü",
           {"atkinson-hyperlegible", "atkinson-hyperlegible-next"}),
    "so": ("Waa jumlad tijaabo ah: dhakhtarka, caafimaadka, xanuun, ’", {"atkinson-hyperlegible"}),
    "vi": (_vietnamese(), {"noto-sans"}),
    "tl": ("Ito ay isang pangungusap na pagsubok: Ñiño, ñ.", {"atkinson-hyperlegible"}),
    "ht": ("Sa se yon fraz tès: è, ò, à, È, Ò.", {"atkinson-hyperlegible"}),
    "uk": ("Це тестове речення: ґ є і ї Ґ Є І Ї ’ 4,5 мг",
           {"atkinson-hyperlegible", "noto-sans"}),
    "ru": ("Это тестовое предложение: ё ъ ы э Ё «цитата» 4,5 мг",
           {"atkinson-hyperlegible", "noto-sans"}),
    "ar": ("هذه جملة للاختبار، ٤٫٥ ملغ؟ 4.5 mg", {"atkinson-hyperlegible", "noto-naskh-arabic"}),
    "fa": ("این یک جملهٔ آزمایشی است که می\u200cخواهم بنویسم؛ ۴٫۵ میلی\u200cگرم؟ گ چ پ ژ",
           {"noto-naskh-arabic"}),
    "ur": ("یہ ایک آزمائشی جملہ ہے۔ ٹ ڈ ڑ ں ھ ے ۴٫۵", {"noto-nastaliq-urdu"}),
    "hi": ("यह एक परीक्षण वाक्य है। ४.५ मिलीग्राम", {"atkinson-hyperlegible",
                                                   "noto-sans-devanagari"}),
    "bn": ("এটি একটি পরীক্ষামূলক বাক্য। ৪.৫ মিলিগ্রাম", {"atkinson-hyperlegible",
                                                      "noto-sans-bengali"}),
    "pa": ("ਇਹ ਇੱਕ ਟੈਸਟ ਵਾਕ ਹੈ। ੪.੫", {"atkinson-hyperlegible", "noto-sans-gurmukhi"}),
    "gu": ("આ એક પરીક્ષણ વાક્ય છે. ૪.૫", {"atkinson-hyperlegible", "noto-sans-gujarati"}),
    "ti": ("እዚ ናይ ፈተነ ሓረግ እዩ። ፣ ፤ 4.5", {"atkinson-hyperlegible", "noto-sans-ethiopic"}),
    "zh-Hans": ("这是一个测试句子。剂量：4.5毫克，“引号”！", {"atkinson-hyperlegible",
                                                   "noto-sans-cjk-sc"}),
    "zh-Hant": ("這是一個測試句子。劑量：4.5毫克，「引號」！", {"atkinson-hyperlegible",
                                                   "noto-sans-cjk-tc"}),
    "ko": ("이것은 시험 문장입니다. 용량: 4.5 mg.", {"atkinson-hyperlegible", "noto-sans-cjk-kr"}),
}


def test_every_pinned_font_file_is_the_one_the_table_names() -> None:
    for font in fonts.table().fonts.values():
        for face in font.faces:
            assert face.path.is_file(), f"{font.key}: {face.path} is missing"
            digest = hashlib.sha256(face.path.read_bytes()).hexdigest()
            assert digest == face.sha256, f"{face.path}: not the pinned file"
            assert face.path.is_relative_to(fonts.FONTS_DIR) == font.installed, font.key


def test_every_shipped_font_has_its_licence_beside_it() -> None:
    for font in fonts.table().fonts.values():
        if font.installed:
            licence = re.search(r"\((\S+\.txt)\)", font.licence)
            assert licence and (fonts.FONTS_DIR / licence.group(1)).is_file(), font.key
            assert "Open Font License" in (fonts.FONTS_DIR / licence.group(1)).read_text()


def test_what_the_table_claims_a_font_has_it_has() -> None:
    """``known`` lets plain-Latin guides skip reading font files: it must be true."""
    for font in fonts.table().fonts.values():
        for face in font.faces:
            cmap = fonts._cmap(face.path, face.index)
            assert font.known <= cmap, f"{font.key} lacks {sorted(font.known - cmap)[:5]}"


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_every_character_of_each_language_has_a_font(lang: str) -> None:
    text, expected = LANGUAGES[lang]
    found = fonts.plan(lang, set(text))
    assert not found.uncovered, [fonts.unicode_name(c) for c in found.uncovered]
    assert set(found.drawn_by) == expected


def test_the_language_tag_picks_the_han_forms_and_the_arabic_style() -> None:
    def script_font(lang: str, char: str) -> str:
        return next(k for k, chars in fonts.plan(lang, {char}).drawn_by.items() if char in chars)

    assert script_font("zh", "说") == "noto-sans-cjk-sc"
    assert script_font("zh-Hans-CN", "说") == "noto-sans-cjk-sc"
    assert script_font("zh-TW", "說") == "noto-sans-cjk-tc"
    assert script_font("ja", "説") == "noto-sans-cjk-jp"
    assert script_font("pa-Arab", "ب") == "noto-nastaliq-urdu"
    assert script_font("pa", "ਪ") == "noto-sans-gurmukhi"
    assert script_font("en", "ب") == "noto-naskh-arabic"


def test_a_guide_in_plain_latin_reads_no_font_file_and_gets_no_new_css() -> None:
    """English builds stay as they were: Atkinson Hyperlegible from styles/fonts.css only.
    (Not the shipped guide: it names its Arabic translation, which needs Arabic glyphs.)"""
    fonts._cmap.cache_clear()
    doc = parse(ROOT / "tests" / "fixtures" / "guides" / "good" / "full.md")
    assert not doc.languages
    assert fonts.check(doc) == []
    assert fonts.stylesheet(doc, "truetype") == fonts.stylesheet(doc, "woff") == ""
    assert fonts._cmap.cache_info().currsize == 0


@pytest.mark.parametrize("guide", sorted((ROOT / "tests" / "fixtures" / "languages").glob("*.md")),
                         ids=lambda path: path.stem)
def test_every_language_fixture_has_a_font_for_every_character(guide: Path) -> None:
    assert fonts.check(parse(guide)) == []


def test_a_debian_font_that_is_not_installed_is_named_with_its_package(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = fonts.table()
    cjk = real.fonts["noto-sans-cjk-sc"]
    gone = dataclasses.replace(cjk, faces=tuple(
        dataclasses.replace(face, path=tmp_path / face.path.name) for face in cjk.faces))
    monkeypatch.setattr(fonts, "table", lambda: dataclasses.replace(
        real, fonts={**real.fonts, cjk.key: gone}))
    found = fonts.check(parse(FIXTURES / "scripts.md"))
    assert [d.rule for d in found] == ["font-missing"]
    assert re.search(r"U\+3002 IDEOGRAPHIC FULL STOP \('。'\) and \d+ other characters are "
                     r"in none of the installed fonts, and Noto Sans CJK SC, which may have "
                     r"them, is not installed: install the Debian package "
                     r"fonts-noto-cjk=1:20220127\+repack1-1", found[0].message)
    assert found[0].line == 34


def test_the_names_of_characters_in_messages() -> None:
    assert fonts.unicode_name("\ue000") == "U+E000 <private use>"
    assert fonts.unicode_name("İ") == "U+0130 LATIN CAPITAL LETTER I WITH DOT ABOVE"
    assert not fonts.needs_glyph("\u200c") and not fonts.needs_glyph("\u202f")
    assert fonts.needs_glyph("\ue000")


def test_a_private_use_character_stops_the_build_at_its_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(FIXTURES / "private-use.md"),
                                       "--out", str(out), "--no-cache"])
    assert result.exit_code == 1
    assert re.search(r"private-use\.md:10: font-coverage: U\+E000 <private use> is in none "
                     r"of the fonts for lang 'en-GB' \(Atkinson Hyperlegible, ", result.output)
    assert "Traceback" not in result.output
    assert not out.exists()


def test_subsets_are_the_same_bytes_every_time(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    font = fonts.table().fonts["noto-naskh-arabic"]
    made = []
    for run in ("a", "b"):
        monkeypatch.setenv("PUBLISH_CACHE_DIR", str(tmp_path / run))
        monkeypatch.setattr(fonts, "_FILES", OrderedDict())
        made.append(fonts.font_file(fonts.URL_PREFIX + fonts.subset(
            font, font.faces[0], frozenset("هذه جملة"))))
    assert made[0] == made[1] and made[0][:4] == b"\0\1\0\0"


@pytest.mark.parametrize(("formats", "made"), [(["html", "pdf"], True), (["epub"], False)])
def test_the_first_stage_cuts_the_subsets_the_renderers_then_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, formats: list[str],
        made: bool) -> None:
    """The worker that parses and checks a guide leaves its font subsets in the build cache
    (docs/performance.md); a build whose formats embed no font cuts none."""
    from publish.build import checked_and_rendered

    monkeypatch.setenv("PUBLISH_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(fonts, "_FILES", OrderedDict())
    fonts._stylesheet.cache_clear()
    checked_and_rendered(ROOT / "source" / "guide.ar.md", RenderOptions(), [], formats)
    cut = sorted(p.suffix for p in (tmp_path / "fonts").glob("*")) \
        if (tmp_path / "fonts").is_dir() else []
    assert cut == ([".sfnt", ".sfnt"] if made else [])


@pytest.fixture(scope="module")
def scripts_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture with a sentence in every script: page, fragment and both PDFs."""
    out = tmp_path_factory.mktemp("scripts")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PUBLISH_CACHE_DIR", str(out / "cache"))
        build(FIXTURES / "scripts.md", out / "out", ("html", "embed", "pdf"),
              options=RenderOptions())
    return out / "out"


def _project_family(embedded: str) -> str:
    """``Noto-Sans-CJK-SC-58560b47-Bold`` → ``Noto Sans CJK SC``."""
    name = re.sub(r"-Bold$", "", embedded)
    name = re.sub(r"-[0-9a-f]{8}$", "", name)
    return name.replace("-", " ")


@pytest.mark.parametrize("pdf", ["scripts.pdf", "scripts-large-print.pdf"])
def test_every_glyph_of_every_script_is_drawn_from_the_project_fonts(
        scripts_build: Path, pdf: str) -> None:
    path = scripts_build / pdf
    assert glyphs.boxes(path) == []
    families = {_project_family(name) for name in glyphs.embedded_fonts(path)}
    expected = {f.family for f in fonts.table().fonts.values()} - {
        "Noto Nastaliq Urdu", "Noto Sans CJK TC", "Noto Sans CJK KR", "Noto Sans CJK JP"}
    assert families == expected


def test_the_page_inlines_each_font_it_needs_as_data(scripts_build: Path) -> None:
    for name in ("scripts.html", "scripts.embed.css"):
        css = (scripts_build / name).read_text(encoding="utf-8")
        assert fonts.URL_PREFIX not in css
        faces = re.findall(r'font-family: "(?:pg-)?([^"]+?) [0-9a-f]{8}"; font-style: normal; '
                           r"font-weight: (\d+); src: url\(data:font/woff;base64,", css)
        assert len(faces) == 2 * 9, faces  # nine fonts beyond Atkinson, two weights each


def test_the_glyph_check_sees_a_box(tmp_path: Path) -> None:
    """The helper must fail on a missing glyph, or the tests above prove nothing."""
    from publish.render.weasy import weasyprint

    pdf = tmp_path / "box.pdf"
    weasyprint.HTML(string='<p lang="en">A box: \ue000.</p>').write_pdf(pdf)
    found = glyphs.boxes(pdf)
    assert [g.text for g in found] == ["\ue000"]


def test_the_shipped_guide_draws_every_glyph(shipped_build: Path) -> None:
    """English text in Atkinson Hyperlegible; the one Arabic run (the Arabic translation's
    title among the other languages) in the project's Noto Naskh Arabic, never a
    machine font."""
    for pdf in ("guide.pdf", "guide-large-print.pdf"):
        assert glyphs.boxes(shipped_build / pdf) == []
        embedded = glyphs.embedded_fonts(shipped_build / pdf)
        assert {"Atkinson-Hyperlegible", "Atkinson-Hyperlegible-Bold"} <= embedded
        assert {re.sub(r"-[0-9a-f]{8}$", "", name) for name in embedded} <= {
            "Atkinson-Hyperlegible", "Atkinson-Hyperlegible-Bold", "Noto-Naskh-Arabic",
            "Noto-Naskh-Arabic-Bold"}, embedded


def test_the_build_cache_keys_fonts_by_their_pins_not_their_bytes() -> None:
    """The companions are verified against fonts.yaml when read, so the cache hashes that
    table instead of their megabytes; the fonts stylesheets load are hashed as before."""
    from publish import cache

    names = {p.relative_to(STYLES_DIR).as_posix()
             for p in cache._style_files(STYLES_DIR)}
    assert {"fonts/fonts.yaml", "fonts/AtkinsonHyperlegible-Regular.ttf",
            "fonts/AtkinsonHyperlegible-Bold.woff2", "fonts/OFL-Noto.txt"} <= names
    companions = {face.path.relative_to(STYLES_DIR).as_posix()
                  for font in fonts.table().fonts.values() if not font.stylesheet
                  for face in font.faces if face.path.is_relative_to(STYLES_DIR)}
    assert companions and not companions & names


def test_chromium_draws_the_page_with_its_inlined_fonts(scripts_build: Path) -> None:
    """The page's subsets load in a browser (a broken font is status 'error'), and each
    script's text is drawn from them: Chromium loads a face only when text needs it."""
    from tests import validators as v

    with v.browser_page(scripts_build / "scripts.html") as tab:
        faces = tab.evaluate("""async () => { await document.fonts.ready;
            return [...document.fonts].map(f => [f.family, f.weight, f.status]); }""")
    families = {family.strip('"') for family, _, _ in faces}
    assert [f for f in faces if f[2] == "error"] == []
    regular = {re.sub(r" [0-9a-f]{8}$", "", family) for family, weight, status in faces
               if weight == "400" and status == "loaded"}
    assert regular == {f.family for f in fonts.table().fonts.values()} - {
        "Noto Nastaliq Urdu", "Noto Sans CJK TC", "Noto Sans CJK KR", "Noto Sans CJK JP"}, (
        families)
