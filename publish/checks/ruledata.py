"""Editorial rules as data: the general rules and each guide's own rules file.

General rules (``publish/rules/general.yaml``, shipped in the package) hold
what applies to every guide: severities, units, word lists per language and
reading-level limits. What is true of one medicine — its required sections,
safety blocks and the claims that must never appear — lives beside the guide
(``<guide>.rules.yaml``, or the file named by the ``rules`` front matter
field), so the same pipeline builds other leaflets and translations with their
own rules and none of these.

A mistake in a rules file is the editor's to fix, so it is reported like a
mistake in the guide: ``guide.rules.yaml:12: rules-file: <what and how>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from publish.diagnostics import Severity
from publish.errors import SourceError
from publish.model import Document, Metadata
from publish.naming import RULES_SUFFIX
from publish.resources import ResourceRefused, companion_file
from publish.translation import front_matter, source_of
from publish.yamldata import Mapping, YAMLError, load_with_lines, problem

GENERAL_RULES = Path(str(resources.files("publish") / "rules" / "general.yaml"))
GUIDE_KEYS = {"sections", "safety-blocks", "claims"}


@dataclass(frozen=True)
class Phrase:
    """Words that must not appear; ``negatable`` ones are excused by a negation before them."""

    pattern: re.Pattern[str]
    message: str
    negatable: bool = False
    line: int | None = None


@dataclass(frozen=True)
class Requirement:
    """Words that must appear in one section (a safety block).

    ``pattern`` is in the language of the guide the rules file belongs to;
    ``patterns`` holds the same message for translations, by language tag.
    """

    section: str
    pattern: re.Pattern[str]
    message: str
    line: int | None = None
    patterns: tuple[tuple[str, re.Pattern[str]], ...] = ()

    def pattern_for(self, lang: str) -> re.Pattern[str] | None:
        """The pattern for a translation into ``lang`` (es-MX, else es), or None."""
        by_tag = {tag.lower(): pattern for tag, pattern in self.patterns}
        return by_tag.get(lang.lower()) or by_tag.get(language(lang))


@dataclass(frozen=True)
class GuideRules:
    """The rules one guide declares about its medicine; empty when it has no file."""

    path: Path | None = None
    sections: tuple[str, ...] = ()
    first_section: str = ""
    safety_blocks: tuple[Requirement, ...] = ()
    claims: tuple[Phrase, ...] = ()
    inherited: bool = False
    """True for a translation using its source's rules file: patterns are in the
    source's language, so only ``Requirement.patterns`` can check the translation,
    and forbidden claims (source-language patterns) are left to the human reviewer."""


@dataclass(frozen=True)
class GeneralRules:
    """The rules for every guide: rule name → severity and settings."""

    path: Path
    settings: dict[str, Mapping]
    phrases: dict[tuple[str, str], tuple[Phrase, ...]] = field(default_factory=dict)

    def severity(self, rule: str) -> Severity:
        return Severity(self.settings[rule]["severity"])

    def option(self, rule: str, *keys: str) -> Any:
        value: Any = self.settings[rule]
        for key in keys:
            value = value[key]
        return value

    def words(self, rule: str, key: str, lang: str) -> list[str]:
        """A per-language word list (``negation.cues.en``); empty for other languages."""
        return list(self.settings.get(rule, {}).get(key, {}).get(language(lang), []))

    def phrase_list(self, rule: str, lang: str) -> tuple[Phrase, ...]:
        return self.phrases.get((rule, language(lang)), ())


def language(lang: str) -> str:
    """The primary language subtag, which keys the word lists (en-GB → en)."""
    return lang.split("-")[0].lower()


class _Reader:
    """Reads one rules file, raising SourceError at the line of the first problem."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, message: str, line: int | None) -> SourceError:
        return SourceError("rules-file", message, self.path, line)

    def load(self) -> Mapping:
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise self.fail(f"cannot read the rules file ({exc})", None) from None
        try:
            data = load_with_lines(text)  # safe: no Python objects
        except YAMLError as exc:
            what, line = problem(exc, text)
            raise self.fail(f"invalid YAML: {what}", line + 1) from None
        if data is None:  # only comments (as ``publish new`` writes it): no rules yet
            data = Mapping()
            data.key_lines = {}
        if not isinstance(data, Mapping):
            raise self.fail("a rules file is a mapping of 'name: ...' entries", 1)
        return data

    def text(self, entry: Mapping, key: str) -> str:
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"'{key}' must be non-empty text", entry.key_lines.get(key,
                                                                                     entry.line))
        return value.strip()

    def pattern(self, entry: Mapping, key: str = "pattern") -> re.Pattern[str]:
        source = self.text(entry, key)
        try:
            return re.compile(source, re.IGNORECASE)
        except re.error as exc:
            raise self.fail(f"'{key}' is not a valid regular expression ({exc})",
                            entry.key_lines.get(key, entry.line)) from None

    def translated_patterns(self, entry: Mapping) -> tuple[tuple[str, re.Pattern[str]], ...]:
        """``patterns: {es: '...', ar: '...'}``: the same message in translations."""
        spec = entry.get("patterns")
        if spec is None:
            return ()
        line = entry.key_lines.get("patterns", entry.line)
        if not isinstance(spec, Mapping):
            raise self.fail("'patterns' maps a language tag to a pattern ('es: ...')", line)
        return tuple((str(tag), self.pattern(spec, str(tag))) for tag in spec)

    def entries(self, data: Mapping, key: str, allowed: set[str]) -> list[Mapping]:
        items = data.get(key) or []
        if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
            raise self.fail(f"'{key}' must be a list of entries ('- pattern: ...')",
                            data.key_lines.get(key, data.line))
        for item in items:
            unknown = sorted(set(item) - allowed)
            if unknown:
                raise self.fail(f"unknown key '{unknown[0]}'; use {', '.join(sorted(allowed))}",
                                item.key_lines[unknown[0]])
        return items

    def phrase(self, entry: Mapping) -> Phrase:
        negatable = entry.get("negatable", False)
        if not isinstance(negatable, bool):
            raise self.fail("'negatable' must be true or false",
                            entry.key_lines.get("negatable"))
        return Phrase(self.pattern(entry), self.text(entry, "message"), negatable, entry.line)


@lru_cache(maxsize=4)
def general_rules(path: Path = GENERAL_RULES) -> GeneralRules:
    """The shipped general rules, with every phrase pattern compiled once."""
    reader = _Reader(path)
    data = reader.load()
    for name, settings in data.items():
        if not isinstance(settings, Mapping):
            raise reader.fail(f"rule '{name}' must be a mapping", data.key_lines[name])
        if "severity" in settings and settings["severity"] not in {s.value for s in Severity}:
            raise reader.fail(f"rule '{name}': severity must be error or warning",
                              settings.key_lines["severity"])
    phrases: dict[tuple[str, str], tuple[Phrase, ...]] = {}
    for name, settings in data.items():
        for lang in settings.get("phrases") or {}:
            entries = reader.entries(settings["phrases"], lang,
                                     {"pattern", "message", "negatable"})
            phrases[(name, lang)] = tuple(reader.phrase(e) for e in entries)
    return GeneralRules(path, dict(data), phrases)


def rules_path(doc: Document) -> Path | None:
    """The guide's rules file: the ``rules`` field, else ``<stem>.rules.yaml`` if present,
    confined to the guide's folder (``publish.resources.companion_file``)."""
    return _rules_path(doc.path, doc.meta)


def _rules_path(path: Path, meta: Metadata) -> Path | None:
    """``rules_path`` from a guide's file and front matter alone."""
    try:
        return companion_file(path, meta.rules, RULES_SUFFIX, "rules file")
    except ResourceRefused as exc:
        raise SourceError("rules-file", f"rules: {exc}", path,
                          meta.lines.get("rules") if meta.rules else None) from None


def guide_rules(doc: Document) -> GuideRules:
    """The rules the guide declares about its medicine (none when it has no rules file).

    A translation without a rules file of its own follows its source's rules: the
    same required sections, and the safety blocks in the translation's language
    where the rules file gives a pattern for it.
    """
    path = rules_path(doc)
    if path is not None:
        return load_guide_rules(path)
    if doc.meta.is_translation:  # its source's front matter says where its rules are
        try:
            source = source_of(doc.path, doc.meta)
            source_meta = front_matter(source)
        except (SourceError, OSError):
            return GuideRules()  # the translation checks report why
        source_path = _rules_path(source, source_meta)
        if source_path is not None:  # claims are patterns in the source's language
            return replace(load_guide_rules(source_path), claims=(), inherited=True)
    return GuideRules()


def load_guide_rules(path: Path) -> GuideRules:
    """Read and validate one guide rules file; cached until the file changes."""
    stat = path.stat()
    return _load_guide_rules(path.resolve(), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _load_guide_rules(path: Path, _mtime_ns: int, _size: int) -> GuideRules:
    reader = _Reader(path)
    data = reader.load()
    unknown = sorted(set(data) - GUIDE_KEYS)
    if unknown:
        raise reader.fail(f"unknown key '{unknown[0]}'; a guide's rules file has "
                          f"{', '.join(sorted(GUIDE_KEYS))}", data.key_lines[unknown[0]])
    sections: tuple[str, ...] = ()
    first = ""
    spec = data.get("sections")
    if spec is not None:
        line = data.key_lines["sections"]
        if not isinstance(spec, Mapping) or set(spec) - {"required", "first"}:
            raise reader.fail("'sections' has 'required' (a list of section ids, in order) "
                              "and 'first' (the id of the section that must come first)", line)
        required = spec.get("required") or []
        if not isinstance(required, list) or not all(isinstance(i, str) for i in required):
            raise reader.fail("'sections.required' must be a list of section ids",
                              spec.key_lines.get("required", line))
        sections = tuple(required)
        first = reader.text(spec, "first") if "first" in spec else ""
    blocks = tuple(
        Requirement(reader.text(e, "section"), reader.pattern(e), reader.text(e, "message"),
                    e.line, reader.translated_patterns(e))
        for e in reader.entries(data, "safety-blocks",
                                {"section", "pattern", "patterns", "message"}))
    # A claim is always excused by a negation before it ("is not a treatment for").
    claims = tuple(replace(reader.phrase(e), negatable=True)
                   for e in reader.entries(data, "claims", {"pattern", "message"}))
    return GuideRules(path, sections, first, blocks, claims)
