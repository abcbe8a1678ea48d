"""A translation must stay true to its source: same version, structure and numbers.

A translated leaflet is only safe while it says what its source says. These
checks compare a translation (a guide with ``translation_of``) with the source
guide it names, parsed from its own file:

- ``translation-source``: the source is missing, outside the folder, a translation
  itself, or in the same language;
- ``translation-stale``: the source's ``version`` is no longer ``source_version``;
- ``translation-structure``: the same section ids in the same order, the same number
  of list items in the key facts and in every section holding a safety block, the same
  images, the same citations per section;
- ``translation-numbers``: every number with a unit in a section of the source is in
  the same section of the translation, and the other way round, after normalising
  digits (any script), decimal separators (4,5 = 4.5) and unit words (mg, ملغ, 毫克 …
  from each language's table);
- ``translation-review``: an approved translation needs a translation review too.

Words a translator may change freely (everything else) are for a human reviewer.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import zip_longest
from pathlib import Path

from publish.checks.ruledata import general_rules, guide_rules
from publish.checks.text import Sentence, sentences
from publish.diagnostics import Diagnostic
from publish.errors import SourceError
from publish.labels import has_table, labels_for
from publish.model import KEY_FACTS, Document
from publish.translation import source_of


def unit_words(lang: str) -> dict[str, tuple[str, ...]]:
    """Unit id → the words a language writes for it: its label table's dose units and
    other units (durations, percent); none for a language without a shipped table."""
    if not has_table(lang):
        return {}
    table = labels_for(lang)
    return {**table.units, **table.other_units}


NUMBER = r"\d+(?:[.,٫]\d+)?"
"""A number in any script's digits (``\\d`` is Unicode-aware), with a decimal separator."""


def _error(rule: str, message: str, doc: Document, line: int | None) -> Diagnostic:
    """A finding; its severity is the rule's in the general rules (all errors today)."""
    return Diagnostic(rule, message, doc.path, line, general_rules().severity(rule))


@lru_cache(maxsize=8)
def _parsed(path: Path, _mtime_ns: int, _size: int) -> Document:
    from publish.parse import parse

    return parse(path)


def source_document(doc: Document) -> Document:
    """The source guide, parsed from its file (again only when the file changed)."""
    path = source_of(doc.path, doc.meta)
    stat = path.stat()
    return _parsed(path, stat.st_mtime_ns, stat.st_size)


def translation_checks(doc: Document) -> list[Diagnostic]:
    """Every finding comparing a translation with its source; nothing for other guides."""
    if not doc.meta.is_translation:
        return []
    meta = doc.meta
    line = meta.lines.get("translation_of")
    try:
        source = source_document(doc)
    except SourceError as exc:
        found = exc.diagnostic
        if found.rule == "translation-source":
            return [_error(found.rule, found.message, doc, found.line)]
        return [_error("translation-source", f"the source guide {meta.translation_of} has "
                       f"errors; fix it first ({found})", doc, line)]
    if source.meta.is_translation:
        return [_error("translation-source", f"{meta.translation_of} is itself a translation "
                       f"(of {source.meta.translation_of}); translate from the source guide",
                       doc, line)]
    if _primary(source.meta.lang) == _primary(meta.lang):
        return [_error("translation-source", f"the translation's language ({meta.lang}) is "
                       f"the source's ({source.meta.lang}); set lang to the language it is "
                       "translated into", doc, meta.lines.get("lang", line))]
    found = list(_stale(doc, source))
    found += _structure(doc, source)
    found += _numbers(doc, source)
    if meta.status == "approved" and not meta.translation_reviewers:
        found.append(_error("translation-review", "an approved translation needs a "
                            "translation review: add translation_reviewers (name, role, "
                            "reviewed) — a fluent speaker who checked it against the source",
                            doc, meta.lines.get("status")))
    return found


def _primary(lang: str) -> str:
    return lang.split("-")[0].lower()


def _stale(doc: Document, source: Document) -> Iterator[Diagnostic]:
    meta = doc.meta
    if meta.source_version == source.meta.version:
        return
    where = meta.lines.get("source_version", meta.lines.get("translation_of"))
    if not meta.source_version:
        yield _error("translation-stale", f"{doc.path.name} does not say which version of "
                     f"{meta.translation_of} it was made from; add source_version: "
                     f"\"{source.meta.version}\" once it says what that version says",
                     doc, where)
        return
    yield _error("translation-stale", f"{doc.path.name} was made from version "
                 f"{meta.source_version} of {meta.translation_of}, which is now version "
                 f"{source.meta.version}; bring the translation up to date with the changes "
                 f"since {meta.source_version}, then set source_version: "
                 f"\"{source.meta.version}\"", doc, where)


# --- structure -------------------------------------------------------------------------

def _section_ids(doc: Document) -> list[str]:
    """Heading ids below the title, in order, the generated ones left out."""
    generated = {"guide-details", "review-notes", "sources"}
    return [h.id for h in doc.headings if h.level > 1 and h.id not in generated]


def _sections(doc: Document) -> dict[str, object]:
    return {s.get("aria-labelledby", ""): s for s in doc.body.iter("section")
            if "level-2" in (s.get("class") or "").split()
            and "generated" not in (s.get("class") or "").split()}


def _items(section: object) -> int:
    return sum(1 for _ in section.iter("li"))  # type: ignore[attr-defined]


def _citations_by_section(doc: Document) -> dict[str, Counter[str]]:
    """Citation keys cited in each level-2 section, read from the tree's citation links."""
    found: dict[str, Counter[str]] = {}
    for ident, section in _sections(doc).items():
        keys = Counter(a.get("href", "").removeprefix("#source-")
                       for a in section.iter("a")  # type: ignore[attr-defined]
                       if "citation" in (a.get("class") or "").split())
        if keys:
            found[ident] = keys
    return found


def _image_sections(doc: Document) -> list[str]:
    """The level-2 section id each image of the body is in, in document order."""
    return [next((s.get("aria-labelledby", "") for s in img.iterancestors("section")
                  if "level-2" in (s.get("class") or "").split()), "")
            for img in doc.body.iter("img")]


def _structure(doc: Document, source: Document) -> Iterator[Diagnostic]:
    def fail(message: str, line: int | None) -> Diagnostic:
        return _error("translation-structure", message, doc, line)

    mine, theirs = _section_ids(doc), _section_ids(source)
    if mine != theirs:
        for index, (have, want) in enumerate(zip(mine, theirs, strict=False)):
            if have != want:
                yield fail(f"section {index + 1} has id '{have}' where {doc.meta.translation_of} "
                           f"has '{want}'; keep the source's section ids in the same order "
                           f"(## Heading {{#{want}}})", doc.line_of(have))
                break
        else:
            extra = mine[len(theirs):]
            if extra:
                yield fail(f"section '{extra[0]}' is not in {doc.meta.translation_of}; keep "
                           "the source's sections", doc.line_of(extra[0]))
            else:
                yield fail(f"section '{theirs[len(mine)]}' of {doc.meta.translation_of} is "
                           "missing; translate every section", None)
        return  # the other comparisons go section by section

    rules = guide_rules(source)
    counted = dict.fromkeys([rules.first_section or KEY_FACTS,
                             *(b.section for b in rules.safety_blocks)])
    mine_sections, their_sections = _sections(doc), _sections(source)
    for ident in counted:
        if ident not in their_sections or ident not in mine_sections:
            continue
        have, want = _items(mine_sections[ident]), _items(their_sections[ident])
        if have != want:
            yield fail(f"section '{ident}' has {have} list items where "
                       f"{doc.meta.translation_of} has {want}; translate each item as one "
                       "item (safety messages must not be merged or dropped)",
                       doc.line_of(ident))

    have_images = [(i.src, i.decorative) for i in doc.images]
    want_images = [(i.src, i.decorative) for i in source.images]
    if have_images != want_images:
        first = next(n for n, pair in enumerate(zip_longest(have_images, want_images))
                     if pair[0] != pair[1])
        line = doc.images[first].line if first < len(doc.images) else \
            doc.line_of(_image_sections(source)[first])
        yield fail(f"images {[s for s, _ in have_images]} differ from "
                   f"{doc.meta.translation_of}'s {[s for s, _ in want_images]}; keep the same "
                   "images in the same order (translate their alt text)", line)

    have_cites, want_cites = _citations_by_section(doc), _citations_by_section(source)
    for ident in dict.fromkeys([*want_cites, *have_cites]):
        have, want = have_cites.get(ident, Counter()), want_cites.get(ident, Counter())
        if set(have) != set(want):
            missing = sorted(set(want) - set(have))
            extra = sorted(set(have) - set(want))
            said = "; ".join(p for p in (
                f"missing {', '.join('@' + k for k in missing)}" if missing else "",
                f"not in the source: {', '.join('@' + k for k in extra)}" if extra else "") if p)
            yield fail(f"section '{ident or 'introduction'}' cites differently from "
                       f"{doc.meta.translation_of} ({said}); keep each citation in its section",
                       doc.line_of(ident) if ident else None)


# --- numbers ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Amount:
    """A number with its unit, normalised: ('4.5', 'mg')."""

    value: str
    unit: str
    shown: str
    line: int | None

    @property
    def key(self) -> tuple[str, str]:
        return self.value, self.unit


def normalise_number(text: str) -> str:
    """Digits of any script to 0–9 and any decimal separator to '.': '٤٫٥' → '4.5'."""
    digits = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else "." for c in text)
    whole, _, fraction = digits.partition(".")
    whole = whole.lstrip("0") or "0"
    fraction = fraction.rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


@lru_cache(maxsize=64)
def _tokeniser(langs: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    """A pattern finding numbers, unit words and other words, and unit word → unit.

    Where a language runs words together (Chinese "4.5毫克每天", Korean particles), its
    table says ``unit_boundary: false`` and its unit words need no boundary after them.
    """
    words: dict[str, str] = {}
    bounded: set[str] = set()
    for lang in langs:
        found = {w.lower(): unit for unit, names in unit_words(lang).items() for w in names}
        words.update(found)
        if not has_table(lang) or labels_for(lang).text.unit_boundary:
            bounded.update(found)
    alternatives = [re.escape(w) + (r"(?![^\W\d_])" if w in bounded else "")
                    for w in sorted(words, key=len, reverse=True)]
    unit = rf"(?P<unit>(?<![^\W\d_])(?:{'|'.join(alternatives)}))" if words else r"(?!x)x"
    return re.compile(rf"(?P<num>{NUMBER})|{unit}|(?P<word>[^\W\d_]+)|(?P<mark>\S)",
                      re.IGNORECASE), words


def amounts(text: str, langs: tuple[str, ...], line: int | None = None) -> list[Amount]:
    """Every number with a unit in ``text``: '4.5 mg', '7 to 10 days' (both numbers).

    Unit words of every language in ``langs`` count: a translation may keep the
    source's "mg" or write its own "ملغ".
    """
    pattern, words = _tokeniser(langs)
    tokens = [(m.lastgroup, m.group(0), m.start(), m.end()) for m in pattern.finditer(text)]
    found = []
    for i, (kind, value, _, _) in enumerate(tokens):
        if kind != "num":
            continue
        for step in (1, 3):  # '4.5 mg'; '7 to 10 days', '1.5–4.5 mg'
            if i + step < len(tokens) and tokens[i + step][0] == "unit" and \
                    (step == 1 or (tokens[i + 2][0] == "num" and len(tokens[i + 1][1]) <= 4)):
                unit_token = tokens[i + step]
                found.append(Amount(normalise_number(value), words[unit_token[1].lower()],
                                    f"{value} {unit_token[1]}", line))
                break
    return found


def _amounts_by_section(sentences_: Iterable[Sentence], langs: tuple[str, ...]
                        ) -> dict[str, list[Amount]]:
    found: dict[str, list[Amount]] = {}
    for sentence in sentences_:
        found.setdefault(sentence.section, []).extend(
            amounts(sentence.text, langs, sentence.line))
    return found


def _numbers(doc: Document, source: Document) -> Iterator[Diagnostic]:
    langs = (doc.meta.lang, source.meta.lang)
    mine = _amounts_by_section(sentences(doc), langs)
    theirs = _amounts_by_section(sentences(source), langs)
    for ident in dict.fromkeys([*theirs, *mine]):
        have = mine.get(ident, [])
        want = theirs.get(ident, [])
        want_keys = {a.key for a in want}
        have_keys = {a.key for a in have}
        name = ident or "introduction"
        for amount in have:
            if amount.key in want_keys:
                continue
            same_unit = sorted({a.shown for a in want if a.unit == amount.unit})
            hint = f" where the source says {', '.join(same_unit)}" if same_unit else ""
            yield _error("translation-numbers", f"'{amount.shown}' in section '{name}' is not "
                         f"in that section of {doc.meta.translation_of}{hint}; numbers and "
                         "units must say exactly what the source says", doc, amount.line)
            want_keys.add(amount.key)  # one message per amount
        for amount in want:
            if amount.key in have_keys:
                continue
            yield _error("translation-numbers", f"section '{name}' of "
                         f"{doc.meta.translation_of} says '{amount.shown}' (line "
                         f"{amount.line}), which is missing from this section of the "
                         "translation", doc, doc.line_of(ident) if ident else None)
            have_keys.add(amount.key)


CHECKS = [translation_checks]
