"""The pipeline's own words, per language, and how each language writes numbers.

Everything the pipeline writes into an output that the guide did not say — the
draft notice, "Guide details" and its field names, "Page N of M", contents,
landmarks, the default accessibility summary … — comes from a label table:
one YAML file per language in ``publish/languages/<tag>.yaml``. The same file
says how that language writes decimals, digits, dose units and sentence ends,
and which reading-level formula fits it, so the checks read one place too.

A guide gets its table by its ``lang`` (BCP 47: ``es-ES`` → ``es``, ``zh-TW`` →
``zh-Hant``); a guide may bring its own (the ``labels`` front matter field, or
``<stem>.labels.yaml`` beside it). There is no silent English fallback: a guide
whose language has no table fails with ``labels-missing`` and says how to add one.
English is the reference table: every other table must have its label keys, with
the same ``{placeholders}``. docs/languages.md explains the fields.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from publish.errors import SourceError
from publish.naming import LABELS_SUFFIX
from publish.resources import ResourceRefused, companion_file

LANGUAGES_DIR = Path(str(resources.files("publish") / "languages"))
REFERENCE = "en"
"""The table every other one is checked against (its label keys and placeholders)."""
TOP_KEYS = {"lang", "name", "english_name", "script", "direction", "reviewed", "locale",
            "labels", "dates", "numbers", "units", "other_units", "text", "reading_level"}
TEXT_KEYS = {"full_stop", "sentence_space", "sentence_ends", "colon", "list_separator",
             "list_last_separator", "list_group_separator", "word_spaces", "unit_boundary",
             "keep_words"}
TEXT_SWITCHES = ("word_spaces", "unit_boundary", "keep_words")
"""``text:`` fields that are true or false (a quoted "false" would read as true)."""
FORMULA_KEYS = {"formula", "title", "min", "max", "key_facts_min", "key_facts_max"}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


_Map = Any
"""A YAML mapping with ``line`` and ``key_lines`` (``publish.checks.ruledata``'s loader)."""


@dataclass(frozen=True)
class Numbers:
    """How numbers are written: separators, and the language's own digits if it has them.

    ``native_*`` apply to numbers written in ``native_digits`` (Arabic-Indic ٤٫٥);
    the plain ones to numbers in 0–9, which every language also uses.
    """

    decimal_separator: str
    group_separator: str
    native_digits: str = ""
    native_decimal_separator: str = ""
    native_group_separator: str = ""

    def separators(self, number: str) -> tuple[str, str]:
        """(decimal, group) separator for a number, by the digits it is written in."""
        if self.native_digits and any(c in self.native_digits for c in number):
            return self.native_decimal_separator, self.native_group_separator
        return self.decimal_separator, self.group_separator


@dataclass(frozen=True)
class TextRules:
    """How sentences and lists are written (used to join generated words, and by checks)."""

    full_stop: str = "."
    sentence_space: str = " "
    sentence_ends: str = ".!?"
    colon: str = ": "
    list_separator: str = ", "
    list_last_separator: str = " and "
    list_group_separator: str = "; "
    """Between groups of a list that are themselves lists ("S1, S2: no year; S3: no URL")."""
    word_spaces: bool = True
    """False where words are not separated by spaces (Chinese): word counts mean nothing."""
    unit_boundary: bool = True
    """False where a unit word may run on into the next word (Chinese, Korean particles,
    Bengali case endings): "4,5毫克每天" still ends the dose at 毫克."""
    keep_words: bool = False
    """True where a line may break only at the spaces between words, never between two
    letters of one word (Korean: a line break inside an eojeol reads as broken text).
    The screen and EPUB stylesheets say ``word-break: keep-all``; WeasyPrint lacks it, so
    the PDFs keep each word on one line (``publish.render.words``)."""


@dataclass(frozen=True)
class Formula:
    """One textstat reading-level formula and its limits (None: figures only, not judged)."""

    formula: str
    title: str
    min: float | None = None
    max: float | None = None
    key_facts_min: float | None = None
    key_facts_max: float | None = None
    line: int = 0
    """Its line in the table: the reading-level check, which imports textstat, says there
    when textstat has no such formula (loading a table does not import textstat)."""


@dataclass(frozen=True)
class ReadingLevel:
    """The language's own formulas, or why it has none (``none``)."""

    textstat_lang: str = ""
    formulas: tuple[Formula, ...] = ()
    none: str = ""


@dataclass(frozen=True)
class LanguageTable:
    """One language: its words, its notation and its reading-level formula."""

    lang: str
    name: str
    english_name: str
    script: str
    direction: str
    reviewed: bool
    locale: str
    labels: Mapping[str, str]
    numbers: Numbers
    units: Mapping[str, tuple[str, ...]]
    """Dose unit id (general.yaml, dose-notation: units) → this language's words."""
    other_units: Mapping[str, tuple[str, ...]]
    """Durations and percent (general.yaml, translation-numbers: units) → words."""
    text: TextRules
    reading_level: ReadingLevel
    months: tuple[str, ...] = ()
    date_format: str = ""
    path: Path | None = field(default=None, compare=False)

    def __getitem__(self, key: str) -> str:
        return self.labels[key]

    def format(self, key: str, **values: object) -> str:
        """A label with its ``{placeholders}`` filled in."""
        return self.labels[key].format(**values)

    def date(self, value: dt.date | None) -> str:
        """A date written the language's way (CLDR, through Babel): "6 de diciembre de 2026"."""
        if value is None:
            return ""
        if self.months:
            return self.date_format.format(day=value.day, month=self.months[value.month - 1],
                                           year=value.year)
        from babel.dates import format_date

        return format_date(value, "long", locale=self.locale)

    def join(self, items: list[str]) -> str:
        """A list in running text: "a, b and c" / "a、b和c"."""
        if len(items) < 2:
            return "".join(items)
        return (self.text.list_separator.join(items[:-1]) + self.text.list_last_separator
                + items[-1])

    def sentences(self, *parts: str) -> str:
        """Sentences joined the language's way; a part without an end gets a full stop."""
        ends = tuple(self.text.sentence_ends)
        return self.text.sentence_space.join(
            p if p.endswith(ends) else p + self.text.full_stop for p in parts)

    def unit_words(self) -> dict[str, str]:
        """Every word this language writes for a dose unit → the unit's id (mg, mcg …)."""
        return {word: unit for unit, words in self.units.items() for word in words}


def primary(tag: str) -> str:
    """The primary language subtag: en-GB → en, zh-Hant-TW → zh."""
    return tag.split("-")[0].lower()


def _subtags(tag: str) -> tuple[str, str, str]:
    """(language, script, region) of a BCP 47 tag, normalised (zh, Hant, TW)."""
    parts = tag.replace("_", "-").split("-")
    lang, script, region = parts[0].lower(), "", ""
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha() and not script and not region:
            script = part.title()
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            region = region or part.upper()
    return lang, script, region


@lru_cache(maxsize=64)
def likely_script(lang: str, region: str = "") -> str:
    """The script a language is written in when its tag does not say (CLDR likely
    subtags, through Babel): zh → Hans, zh-TW → Hant, pa-PK → Arab."""
    from babel.core import get_global

    likely = get_global("likely_subtags")
    for key in (f"{lang}_{region}" if region else "", lang):
        found = likely.get(key) if key else None
        if found:
            parts = found.split("_")
            return next((p for p in parts[1:] if len(p) == 4), "")
    return ""


def shipped_tags() -> list[str]:
    """Tags of the tables that ship with the pipeline, in name order."""
    return sorted(p.name.removesuffix(".yaml") for p in LANGUAGES_DIR.glob("*.yaml"))


def table_file(tag: str) -> Path | None:
    """The shipped table for a BCP 47 tag, or None.

    The tag's own script (or its likely script: zh-TW is Traditional) must match:
    ``zh-Hant`` for zh-TW/zh-HK, ``zh-Hans`` for zh and zh-CN; ``es-ES`` and
    ``es-MX`` both use ``es``; ``pa-Arab`` (Shahmukhi) does not get the Gurmukhi ``pa``.
    """
    lang, script, region = _subtags(tag)
    if not script and not region and (LANGUAGES_DIR / f"{lang}.yaml").is_file():
        # A table named by a bare language tag is written in that language's likely script
        # (tested for every shipped table): no need to load CLDR's data (≈ 30 ms a process)
        # to find it, as every renderer does for the ``lang`` of each element it draws.
        return LANGUAGES_DIR / f"{lang}.yaml"
    script = script or likely_script(lang, region)
    for name in (f"{lang}-{script}" if script else "", lang):
        path = LANGUAGES_DIR / f"{name}.yaml"
        if name and path.is_file():
            if name == lang and script and script != _file_script(path):
                return None
            return path
    return None


@lru_cache(maxsize=64)
def _file_script(path: Path) -> str:
    return str(_read(path).get("script", ""))


def labels_for(tag: str) -> LanguageTable:
    """The shipped table for a tag, with the tag's regional number style; no fallback.

    Raises ``labels-missing`` when the language has no table (callers that have a
    guide use its ``Document.labels``, which may be the guide's own table).
    """
    path = table_file(tag)
    if path is None:
        raise SourceError("labels-missing", f"no label table for '{tag}'; tables shipped: "
                          f"{', '.join(shipped_tags())} (docs/languages.md: adding a language)")
    return for_region(load_table(path), tag)


def has_table(tag: str) -> bool:
    """Whether a table ships for this tag (see :func:`table_file`)."""
    return table_file(tag) is not None


def language_name(tag: str) -> str:
    """A language's name in itself: its table's ``name``, else CLDR's (through Babel)
    for a language that brought its own table, else the tag."""
    if has_table(tag):
        return labels_for(tag).name
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(tag, sep="-").get_display_name() or tag
    except (UnknownLocaleError, ValueError):
        return tag


def for_region(table: LanguageTable, tag: str) -> LanguageTable:
    """The table with the number style of the tag's region (es-MX writes 4.5, es 4,5)."""
    _, _, region = _subtags(tag)
    if table.path is None or not region:
        return table
    regions = _read(table.path).get("numbers", {}).get("regions") or {}
    override = regions.get(region)
    numbers = replace(table.numbers, **override) if override else table.numbers
    return replace(table, numbers=numbers, locale=_regional_locale(table.locale, region))


@lru_cache(maxsize=64)
def _regional_locale(locale: str, region: str) -> str:
    """The CLDR locale for a region when Babel knows it (en_GB → en_US for en-US)."""
    from babel import Locale, UnknownLocaleError

    base = Locale.parse(locale)
    try:
        Locale(base.language, region, script=base.script)
    except (UnknownLocaleError, ValueError):
        return locale
    return "_".join(p for p in (base.language, base.script, region) if p)


def resolve(tag: str, guide: Path, named: str = "", line: int | None = None,
            lang_line: int | None = None) -> LanguageTable:
    """The label table of one guide: its own (``labels`` field or ``<stem>.labels.yaml``),
    else the shipped one for its language. Raises SourceError naming what is missing.

    ``line`` is the ``labels`` field's line, ``lang_line`` the ``lang`` field's.
    """
    try:
        own = companion_file(guide, named, LABELS_SUFFIX, "label table")
    except ResourceRefused as exc:
        raise SourceError("labels-missing", f"labels: {exc}", guide,
                          line if named else None) from None
    if own is not None:
        return for_region(load_table(own), tag)
    path = table_file(tag)
    if path is None:
        raise SourceError(
            "labels-missing", f"no label table for '{tag}': the words the pipeline writes "
            "into every output (draft notice, 'Guide details', 'Page N of M', contents …) "
            f"have no translation. Copy {LANGUAGES_DIR / (REFERENCE + '.yaml')} to "
            f"{guide.stem}{LABELS_SUFFIX} beside the guide (or name it in the front matter: "
            f"labels: file.yaml), set lang: {tag}, translate every label and set reviewed: "
            f"false until a fluent speaker has checked it. Tables shipped: "
            f"{', '.join(shipped_tags())}", guide, lang_line)
    return for_region(load_table(path), tag)


def load_table(path: Path) -> LanguageTable:
    """Read and validate one table; cached until the file changes."""
    stat = path.stat()
    return _load_table(path.resolve(), stat.st_mtime_ns, stat.st_size)


def _read(path: Path) -> _Map:
    """The raw mapping of one table file (SourceError ``labels-invalid`` if it is not one)."""
    return _read_cached(path.resolve(), path.stat().st_mtime_ns)


@lru_cache(maxsize=64)
def _read_cached(path: Path, _mtime_ns: int) -> _Map:
    # Imported here: a no-op rebuild reads no table and must not import PyYAML.
    from publish.yamldata import Mapping, YAMLError, load_with_lines, problem

    try:
        text = path.read_text(encoding="utf-8")
        data = load_with_lines(text)  # safe: no Python objects
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError("labels-invalid", f"cannot read the label table ({exc})",
                          path) from None
    except YAMLError as exc:
        what, line = problem(exc, text)
        raise SourceError("labels-invalid", f"invalid YAML: {what}", path, line + 1) from None
    if not isinstance(data, Mapping):
        raise SourceError("labels-invalid", "a label table is a mapping (lang:, labels:, "
                          "numbers: …); start from publish/languages/en.yaml", path, 1)
    return data


@lru_cache(maxsize=64)
def _load_table(path: Path, _mtime_ns: int, _size: int) -> LanguageTable:
    data = _read(path)
    check = _Checker(path)
    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise check.fail(data, unknown[0], f"unknown key '{unknown[0]}'; a label table has "
                         f"{', '.join(sorted(TOP_KEYS))}")
    missing = sorted(k for k in TOP_KEYS - {"dates"} if k not in data)
    if missing:
        raise SourceError("labels-incomplete", f"the table has no {', '.join(missing)}; "
                          "copy them from publish/languages/en.yaml and translate them",
                          path, 1)
    labels = check.labels(data)
    numbers = data["numbers"]
    check.mapping(data, "numbers")
    digits = numbers.get("native_digits") or ""
    if digits and (len(digits) != 10 or not all(c.isdecimal() for c in digits)):
        raise check.fail(numbers, "native_digits", "native_digits must be the ten digits "
                         "0–9 of the language's script, in order, or null")
    units = check.units(data, "units", "dose-notation")
    text = check.mapping(data, "text")
    unknown = sorted(set(text) - TEXT_KEYS)
    if unknown:
        raise check.fail(text, unknown[0], f"unknown key '{unknown[0]}'; use "
                         f"{', '.join(sorted(TEXT_KEYS))}")
    for key in TEXT_SWITCHES:
        if key in text and not isinstance(text[key], bool):
            raise check.fail(text, key, f"text: {key} must be true or false")
    dates = data.get("dates") or {}
    months = tuple(dates.get("months") or ())
    if dates and (len(months) != 12 or "{day}" not in str(dates.get("format", ""))):
        raise check.fail(data, "dates", "dates needs format (with {day}, {month}, {year}) "
                         "and the 12 month names")
    if data["direction"] not in ("ltr", "rtl"):
        raise check.fail(data, "direction", "direction must be ltr or rtl")
    if not isinstance(data["reviewed"], bool):
        raise check.fail(data, "reviewed", "reviewed must be true or false (true only when a "
                         "fluent speaker has checked every label)")
    return LanguageTable(
        lang=str(data["lang"]), name=str(data["name"]), english_name=str(data["english_name"]),
        script=str(data["script"]), direction=data["direction"], reviewed=data["reviewed"],
        locale=str(data["locale"]), labels=labels,
        numbers=Numbers(
            str(numbers.get("decimal_separator", ".")), str(numbers.get("group_separator", ",")),
            digits, str(numbers.get("native_decimal_separator") or ""),
            str(numbers.get("native_group_separator") or "")),
        units=units, other_units=check.units(data, "other_units", "translation-numbers"),
        text=TextRules(**text), reading_level=check.reading_level(data),
        months=months, date_format=str(dates.get("format", "")), path=path)


class _Checker:
    """Validates the parts of one table, raising at the line of the first problem."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: _Map, key: str, message: str) -> SourceError:
        return SourceError("labels-invalid", message, self.path,
                           where.key_lines.get(key, where.line))

    def mapping(self, data: _Map, key: str) -> _Map:
        value = data[key]
        if not isinstance(value, dict):
            raise self.fail(data, key, f"'{key}' must be a mapping ('name: value' lines)")
        return value

    def same_keys(self, data: _Map, key: str, wanted: list[str], how: str,
                  where: str) -> None:
        """``data[key]`` has every one of ``wanted`` (``labels-incomplete`` names the
        missing ones) and nothing else (``labels-invalid`` at the unknown key's line)."""
        found = data[key]
        missing = [k for k in wanted if not found.get(k)]
        if missing:
            raise SourceError("labels-incomplete", f"{key} missing: {', '.join(missing)}; "
                              f"{how}", self.path, data.key_lines[key])
        extra = sorted(set(found) - set(wanted))
        if extra:
            raise self.fail(found, extra[0], f"unknown {key.rstrip('s')} '{extra[0]}'; the "
                            f"{key} are those of {where}")

    def labels(self, data: _Map) -> dict[str, str]:
        """Every label of the reference table, non-empty, with the same placeholders."""
        labels = self.mapping(data, "labels")
        reference = _reference_labels() if self.path != _reference_path() else labels
        self.same_keys(data, "labels", list(reference), "copy them from "
                       "publish/languages/en.yaml and translate them", "publish/languages/en.yaml")
        for key, value in labels.items():
            if not isinstance(value, str) or not value.strip():
                raise self.fail(labels, key, f"label '{key}' must be non-empty text")
            wanted = set(_PLACEHOLDER.findall(reference[key]))
            if set(_PLACEHOLDER.findall(value)) != wanted:
                shown = ", ".join(f"{{{w}}}" for w in sorted(wanted)) or "none"
                raise self.fail(labels, key, f"label '{key}' must keep the placeholders of "
                                f"the English label ({shown}): the pipeline fills them in")
        return dict(labels)

    def units(self, data: _Map, key: str, rule: str) -> dict[str, tuple[str, ...]]:
        """Words for every unit a rule of general.yaml lists (its ``units``)."""
        from publish.checks.ruledata import general_rules

        units = self.mapping(data, key)
        wanted = general_rules().option(rule, "units")
        self.same_keys(data, key, wanted, "give the words this language writes for each",
                       f"publish/rules/general.yaml ({rule}: units)")
        for unit, words in units.items():
            if not isinstance(words, list) or not all(isinstance(w, str) and w.strip()
                                                      for w in words):
                raise self.fail(units, unit, f"unit '{unit}' must be a list of words")
        return {u: tuple(units[u]) for u in wanted}

    def reading_level(self, data: _Map) -> ReadingLevel:
        spec = self.mapping(data, "reading_level")
        if "none" in spec:
            return ReadingLevel(none=str(spec["none"]))
        formulas = []
        for entry in spec.get("formulas") or []:
            unknown = sorted(set(entry) - FORMULA_KEYS)
            if unknown:
                raise self.fail(entry, unknown[0], f"unknown key '{unknown[0]}'; use "
                                f"{', '.join(sorted(FORMULA_KEYS))}")
            formulas.append(Formula(**{k: entry[k] for k in entry},
                                    line=entry.key_lines.get("formula", entry.line)))
        if not formulas or not spec.get("textstat_lang"):
            raise self.fail(spec, "formulas", "reading_level needs textstat_lang and "
                            "formulas, or 'none: <why there is no formula>'")
        return ReadingLevel(str(spec["textstat_lang"]), tuple(formulas))


def _reference_path() -> Path:
    return (LANGUAGES_DIR / f"{REFERENCE}.yaml").resolve()


def _reference_labels() -> Mapping[str, str]:
    return load_table(_reference_path()).labels

