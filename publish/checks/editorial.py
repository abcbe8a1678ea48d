"""Editorial rules: what a patient guide may say, and how.

Every rule is named and configured in data: the general rules in
``publish/rules/general.yaml`` and the guide's own rules file (its medicine's
required sections, safety blocks and forbidden claims; see ``ruledata``).
This module holds only the logic each kind of rule needs. docs/checks.md
("Editorial checks") lists the rules with their severities.

Text rules read sentences of the guide's own text (``publish.checks.text``),
plus the ``description`` field, which every output shows; sections generated
from the front matter are not the author's words and are left out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from publish import clock
from publish.checks import readability
from publish.checks import sources as source_rules
from publish.checks.ruledata import GeneralRules, GuideRules, Phrase, general_rules, guide_rules
from publish.checks.text import Sentence, sentences
from publish.diagnostics import Diagnostic
from publish.labels import LanguageTable
from publish.model import Document
from publish.notation import CASED, amount_pattern, number_pattern, read_number

_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?|;")


def review_today() -> dt.date:
    """The date an approved guide's ``next_review`` is compared with.

    ``SOURCE_DATE_EPOCH`` when set (reproducible builds, tests), else today's
    date. This is the one place the pipeline reads the clock, on purpose: an
    approved leaflet must not be printed after its review date, and only the
    clock knows that the date has passed. Outputs never contain this date.
    """
    return clock.today()


@dataclass
class Context:
    """Everything the rules of one run read: the guide, both rule sets, its sentences."""

    doc: Document
    general: GeneralRules
    guide: GuideRules
    body: list[Sentence]
    """The author's sentences in the body, in reading order."""
    text: list[Sentence]
    """``body`` plus the description: what the text rules read."""
    today: dt.date

    def diag(self, rule: str, message: str, line: int | None) -> Diagnostic:
        return Diagnostic(rule, message, self.doc.path, line, self.general.severity(rule))


# --- dose notation -----------------------------------------------------------------

def _mark_name(separator: str) -> str:
    return {".": "decimal point", ",": "decimal comma"}.get(separator, "decimal separator")


def _number_fix(written: str, table: LanguageTable, reasons: list[str]) -> str:
    """The safe form of one number, and why it differs (ISMP, in the language's notation)."""
    reading = read_number(written, table.numbers)
    mark = _mark_name(reading.decimal)
    if reading.bare:
        reasons.append(f"a zero before the {mark} (a bare '{written}' can be read as "
                       f"{written[1:]})")
    if reading.wrong_separator:
        reasons.append(f"the {mark} '{reading.decimal}' ({table.english_name} writes "
                       f"decimals with it; '{reading.wrong_separator}' can be read as a "
                       "thousands separator)")
    if reading.trailing_zero:
        reasons.append(f"no trailing zero (if the {mark} in '{written}' is missed, the dose "
                       "reads many times larger)")
    return reading.safe()


def dose_problems(text: str, table: LanguageTable) -> Iterator[str]:
    """Advice for each wrongly written dose in one sentence (ISMP error-prone designations),
    in the notation of the table's language: "4,5 mg" in Spanish, "٤٫٥ ملغ" in Arabic."""
    pattern = amount_pattern(table)
    for m in pattern.finditer(text):
        reasons: list[str] = []
        first = m.group("range") or ""
        if first:
            number = re.match(number_pattern(table.numbers), first)
            assert number is not None
            first = _number_fix(number.group(0), table, reasons) + first[number.end():]
        amount = _number_fix(m.group("num"), table, reasons)
        unit = m.group("unit")
        if not m.group("space") and table.text.word_spaces:
            reasons.append("a space between the number and the unit")
        if m.group("dot") and re.match(rf"[{CASED}]", unit[-1]):
            reasons.append(f"no full stop after '{unit}' (it can be read as a 1)")
        if reasons:
            space = " " if table.text.word_spaces else ""
            yield (f"'{m.group(0)}': write '{first}{amount}{space}{unit}' — "
                   f"{'; '.join(dict.fromkeys(reasons))}")
    rest = pattern.sub(" ", text)
    for m in _naked_decimal(table).finditer(rest):
        fixed = read_number(m.group(0), table.numbers).safe()
        yield (f"'{m.group(0)}': write '{fixed}' — a zero before the "
               f"{_mark_name(table.numbers.separators(m.group(0))[0])} (a bare "
               f"'{m.group(0)}' can be read as {m.group(0)[1:]})")


def _naked_decimal(table: LanguageTable) -> re.Pattern[str]:
    """A number that starts with the language's decimal separator: ".5", ",5", "٫٥"."""
    marks = {table.numbers.decimal_separator, table.numbers.native_decimal_separator} - {""}
    return _naked_pattern("".join(sorted(marks)))


@lru_cache(maxsize=16)
def _naked_pattern(marks: str) -> re.Pattern[str]:
    return re.compile(rf"(?:^|(?<=[\s(=<>≤≥~–-]))[{re.escape(marks)}]\d+")


def dose_notation(ctx: Context) -> Iterator[Diagnostic]:
    for sentence in ctx.text:
        for problem in dose_problems(sentence.text, ctx.doc.labels):
            yield ctx.diag("dose-notation", problem, sentence.line)


# --- phrases: leftovers, promotion, claims --------------------------------------------

def negated(before: str, cues: list[str], breaks: list[str]) -> bool:
    """Whether the text before a claim negates it.

    The rule is deliberately simple: the last negation cue ("not", "no",
    "never", "…n't", …) in the same sentence before the claim, with no
    contrast word ("but", "however", ";") after it. "LDN is not a treatment
    for alcohol dependence" is excused; "LDN is not licensed, but it treats
    alcohol dependence" is not.
    """
    state = False
    for token in _TOKEN.findall(before.lower().replace("’", "'")):
        if token in cues or any(c.startswith("n'") and token.endswith(c) for c in cues):
            state = True
        elif token in breaks:
            state = False
    return state


def claim_start(match: re.Match[str]) -> int:
    """Where the claim itself starts: its ``(?P<claim…>)`` group, else the whole match.

    Alternatives in one pattern name their groups claim, claim2, … (Python
    does not allow one name twice).
    """
    starts = [match.start(name) for name in match.re.groupindex
              if name.startswith("claim") and match.group(name) is not None]
    return min(starts, default=match.start())


def phrase_hits(text: str, phrases: tuple[Phrase, ...], cues: list[str],
                breaks: list[str]) -> Iterator[tuple[Phrase, str]]:
    """(phrase, matched words) for each phrase found and not excused by a negation."""
    for phrase in phrases:
        for m in phrase.pattern.finditer(text):
            start = claim_start(m)
            if phrase.negatable and negated(text[:start], cues, breaks):
                continue
            yield phrase, m.group(0)
            break


_PHRASE_ADVICE = {
    "leftover": "{what} left over from a web page ('{found}'); delete it",
    "promotion": "{what} ('{found}'); a guide informs, it does not sell — remove it",
    "claim": "'{found}': {what}. Remove the claim, or state it as a negation "
             "('LDN is not a treatment for …')",
}


def phrases(ctx: Context) -> Iterator[Diagnostic]:
    lang = ctx.doc.meta.lang
    cues = ctx.general.words("negation", "cues", lang)
    breaks = ctx.general.words("negation", "breaks", lang)
    lists = {"leftover": ctx.general.phrase_list("leftover", lang),
             "promotion": ctx.general.phrase_list("promotion", lang),
             "claim": ctx.guide.claims}
    for sentence in ctx.text:
        for rule, phrase_list in lists.items():
            for phrase, found in phrase_hits(sentence.text, phrase_list, cues, breaks):
                yield ctx.diag(rule, _PHRASE_ADVICE[rule].format(what=phrase.message,
                                                                 found=found), sentence.line)


def shop_links(ctx: Context) -> Iterator[Diagnostic]:
    patterns = [re.compile(p, re.IGNORECASE)
                for p in ctx.general.option("promotion", "links")]
    for link in ctx.doc.links:
        if any(p.search(link.href) for p in patterns):
            yield ctx.diag("promotion", f"the link '{link.text}' goes to a shop ({link.href});"
                           " a guide informs, it does not sell — remove it", link.line)


# --- structure the guide's rules require ----------------------------------------------

def sections(ctx: Context) -> Iterator[Diagnostic]:
    rules, doc = ctx.guide, ctx.doc
    h2 = [h for h in doc.headings if h.level == 2 and h.line is not None]
    ids = [h.id for h in h2]
    top = doc.headings[0].line if doc.headings else None
    where = f"({rules.path.name if rules.path else 'rules file'})"
    for ident in rules.sections:
        if ident not in ids:
            yield ctx.diag("section-required", f"the guide has no section '{ident}'; add "
                           f"'## <heading> {{#{ident}}}' — its rules require it {where}", top)
    if rules.first_section and h2 and ids[0] != rules.first_section:
        yield ctx.diag("section-order", f"the first section is '{ids[0]}'; "
                       f"'{rules.first_section}' must come first (key facts first) {where}",
                       h2[0].line)
    present = [i for i in ids if i in rules.sections]
    expected = [i for i in rules.sections if i in present]
    for heading in h2:
        if heading.id in present and present.index(heading.id) != expected.index(heading.id):
            yield ctx.diag("section-order", f"section '{heading.id}' is out of order; the "
                           f"sections go {', '.join(expected)} {where}", heading.line)
            break


def safety_blocks(ctx: Context) -> Iterator[Diagnostic]:
    by_section: dict[str, list[Sentence]] = {}
    for sentence in ctx.body:
        by_section.setdefault(sentence.section, []).append(sentence)
    lang = ctx.doc.meta.lang
    for block in ctx.guide.safety_blocks:
        if block.section not in by_section:
            continue  # section-required reports the missing section
        pattern = block.pattern_for(lang) if ctx.guide.inherited else block.pattern
        if pattern is None:
            yield ctx.diag("translation-safety-unchecked", f"section '{block.section}' was "
                           f"not checked for: {block.message} — the rules file "
                           f"({ctx.guide.path.name if ctx.guide.path else 'rules'}) has no "
                           f"pattern for {lang}; add one under 'patterns: {lang}:' (a human "
                           "must check the block until then)", ctx.doc.line_of(block.section))
            continue
        if not any(pattern.search(s.text) for s in by_section[block.section]):
            yield ctx.diag("safety-block", f"section '{block.section}' must say: "
                           f"{block.message}", ctx.doc.line_of(block.section))


# --- citations and review dates -------------------------------------------------------

def citations(ctx: Context) -> Iterator[Diagnostic]:
    listed = {s.id for s in ctx.doc.meta.sources}
    cited = {c.key for c in ctx.doc.citations}
    for citation in ctx.doc.citations:
        if citation.key not in listed:
            yield ctx.diag("citation-unknown", f"[@{citation.key}] cites no listed source; "
                           f"add '- id: {citation.key}' under sources: or correct the key",
                           citation.line)
    for source in ctx.doc.meta.sources:
        if source.id not in cited:
            yield ctx.diag("source-uncited", f"source {source.id} is listed but never cited; "
                           f"cite it as [@{source.id}] where the text relies on it, or "
                           "remove it", source.line)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def review_dates(ctx: Context) -> Iterator[Diagnostic]:
    meta = ctx.doc.meta
    line = meta.lines.get("next_review")
    years = ctx.general.option("review-interval", "years_max")
    if meta.last_reviewed and meta.next_review:
        if meta.next_review <= meta.last_reviewed:
            yield ctx.diag("review-interval", f"next_review {meta.next_review} is not after "
                           f"last_reviewed {meta.last_reviewed}", line)
        elif meta.next_review > _add_years(meta.last_reviewed, years):
            yield ctx.diag("review-interval", f"next_review {meta.next_review} is more than "
                           f"{years} years after last_reviewed {meta.last_reviewed}; set it "
                           f"to {_add_years(meta.last_reviewed, years)} or earlier", line)
    if meta.is_draft:
        return
    if meta.next_review and ctx.today > meta.next_review:
        yield ctx.diag("review-overdue", f"this approved guide was due for review on "
                       f"{meta.next_review} (today is {ctx.today}); review it, update "
                       "last_reviewed and next_review, or set status: draft", line)
    if not any(p.reviewed for p in meta.clinical_reviewers):
        yield ctx.diag("review-reviewer", "status: approved needs a clinical reviewer with "
                       "the date they reviewed it (clinical_reviewers: - name: …, role: …, "
                       "reviewed: YYYY-MM-DD)",
                       meta.lines.get("clinical_reviewers", meta.lines.get("status")))


def labels_reviewed(ctx: Context) -> Iterator[Diagnostic]:
    """An approved guide's own words are checked; so must the pipeline's be.

    A label table says whether a fluent speaker has reviewed it (``reviewed``); the
    tables the project wrote itself say false. A draft may use them (it says it is
    a draft, in its language); an approved guide may not.
    """
    words = ctx.doc.labels
    if ctx.doc.meta.is_draft or words.reviewed:
        return
    yield ctx.diag("labels-unreviewed", f"this approved guide uses the {words.english_name} "
                   f"label table ({words.path.name if words.path else words.lang}), which no "
                   "fluent speaker has reviewed yet (reviewed: false): its words (draft "
                   "notice, 'Guide details', 'Page N of M' …) go into every output. Have a "
                   "fluent speaker check every label and set reviewed: true (or bring a "
                   "reviewed table: labels: in the front matter), or keep status: draft",
                   ctx.doc.meta.lines.get("status"))


def reading(ctx: Context) -> Iterator[Diagnostic]:
    yield from readability.reading_level(ctx.doc, ctx.body, ctx.general)
    yield from readability.long_sentences(ctx.doc, ctx.body, ctx.general)


RULES: list[Callable[[Context], Iterator[Diagnostic]]] = [
    dose_notation, phrases, shop_links, sections, safety_blocks, citations,
    *source_rules.RULES, review_dates, labels_reviewed, reading,
]


def context(doc: Document, today: dt.date | None = None) -> Context:
    body = sentences(doc)
    description = [Sentence(s, doc.meta.lines.get("description"), "")
                   for s in ([doc.meta.description] if doc.meta.description else [])]
    return Context(doc, general_rules(), guide_rules(doc), body, body + description,
                   today or review_today())


def editorial(doc: Document, today: dt.date | None = None) -> list[Diagnostic]:
    """Every editorial finding for one guide; ``today`` is injectable for tests."""
    ctx = context(doc, today)
    return [d for rule in RULES for d in rule(ctx)]


CHECKS = [editorial]
