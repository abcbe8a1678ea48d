"""Numbers with units as each language writes them: "4,5 mg", "٤٫٥ ملغ", "4.5毫克".

One reading of an amount for everyone who needs one: the ``dose-notation`` check
(is it written safely?), parse (keep the number with its unit) and the translation
checks (is it the same amount as in the source?). The guide's label table
(``publish.labels``) says which separators, digits and unit words its language uses.

A number is read by its last separator: the language's decimal separator makes
a fraction ("4,5" in Spanish); the group separator with groups of three makes a
whole number ("4.500" in Spanish, "4,500" in English); any other separator is a
decimal mark the language does not use ("4.5" in Spanish, "4,5" in English) —
read as the fraction its writer most likely meant, and reported, because a reader
of that language may take it for a thousands separator.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from publish.labels import LanguageTable, Numbers

CASED = "A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u052f\u1e00-\u1eff"
"""Letters of the scripts with upper and lower case (Latin, Greek, Cyrillic): a unit
written in them ends where such letters end ("mg", not the "mg" of "mgmt")."""
SPACES = " \u00a0\u202f"
"""Spaces that group digits ("1 000" in French, Polish, Russian)."""
SEPARATORS = ".,\u066b\u066c"
"""Marks that may sit between digits: . , and the Arabic decimal and thousands marks."""


@dataclass(frozen=True)
class Reading:
    """One number as written, and what it says."""

    written: str
    value: Decimal
    decimal: str
    """The decimal separator the language uses for these digits."""
    whole: str
    """The digits (and group separators) before the decimal mark, as written."""
    fraction: str
    """The digits after the decimal mark, as written ('' for a whole number)."""
    wrong_separator: str = ""
    """A decimal mark the language does not use ('.' in "4.5" in Spanish), or ''."""

    @property
    def bare(self) -> bool:
        """No digit before the decimal mark: ".5" (can be read as 5)."""
        return bool(self.fraction) and not self.whole

    @property
    def trailing_zero(self) -> bool:
        """A zero at the end of the fraction: "4.50" (can be read as 450)."""
        return bool(self.fraction) and unicodedata.decimal(self.fraction[-1]) == 0

    def safe(self) -> str:
        """How to write it: the language's decimal mark, a leading zero, no trailing zero
        (in the digits it was written in)."""
        zero = next((c for c in self.written if c.isdecimal()), "0")
        zero = chr(ord(zero) - unicodedata.decimal(zero))
        whole = self.whole or zero
        fraction = self.fraction.rstrip(zero)
        return f"{whole}{self.decimal}{fraction}" if fraction else whole


def ascii_digits(text: str) -> str:
    """Digits of any script as 0–9: '٤٫٥' → '4٫5'."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def read_number(written: str, numbers: Numbers) -> Reading:
    """What a number says in a language: '4,5' → 4.5 in Spanish, '4.500' → 4500."""
    decimal, group = numbers.separators(written)
    groups = set(SPACES) if _space(group) else {group}
    marks = [(i, c) for i, c in enumerate(written) if not c.isdecimal()]
    if not marks:
        return Reading(written, Decimal(ascii_digits(written)), decimal, written, "")
    index, last = marks[-1]
    whole, fraction = written[:index], written[index + 1:]
    grouped = all(c in groups for _, c in marks) and _grouped(written, groups)
    if last in groups and grouped and written[0].isdecimal():
        digits = "".join(c for c in written if c.isdecimal())
        return Reading(written, Decimal(ascii_digits(digits)), decimal, written, "")
    wrong = "" if last == decimal else last
    value = Decimal(f"{ascii_digits(''.join(c for c in whole if c.isdecimal())) or '0'}."
                    f"{ascii_digits(fraction)}")
    return Reading(written, value, decimal, whole, fraction, wrong)


def _space(separator: str) -> bool:
    return bool(separator) and separator in SPACES


def _grouped(written: str, groups: set[str]) -> bool:
    """'4.500', '1 000 000': one to three digits, then groups of exactly three."""
    parts = re.split("|".join(re.escape(g) for g in groups), written)
    return 1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:])


def number_pattern(numbers: Numbers) -> str:
    """A number as the language may write it (a regular expression, no groups)."""
    spaced = _space(numbers.group_separator) or _space(numbers.native_group_separator)
    whole = rf"\d{{1,3}}(?:[{SPACES}]\d{{3}})+(?!\d)|\d+" if spaced else r"\d+"
    return rf"(?:{whole})(?:[{SEPARATORS}]\d+)*|[{SEPARATORS}]\d+"


def unit_pattern(words: tuple[str, ...], boundary: bool = True) -> str:
    """Unit words, longest first, each ending where its word ends.

    A word in a cased script (mg, мг) must not run on into another such letter; a
    word in another script (ملغ, मिलीग्राम) must not run on into any letter, unless
    the language joins words to what follows (``boundary`` false, the table's
    ``unit_boundary``: Chinese, Korean particles, Bengali case endings).
    """
    parts = []
    for word in sorted(words, key=len, reverse=True):
        if re.match(rf"[{CASED}]", word[-1]):
            end = rf"(?![{CASED}\d])"
        elif boundary:
            end = r"(?!\w)"
        else:
            end = ""
        parts.append(re.escape(word) + end)
    return "|".join(parts)


def amount_pattern(table: LanguageTable) -> re.Pattern[str]:
    """A number (or range of numbers) and a unit word: groups ``range``, ``num``,
    ``space``, ``unit`` and ``dot`` (a full stop right after the unit, mid-sentence)."""
    return _amount_pattern(table.numbers, tuple(table.unit_words()), table.text.unit_boundary)


@lru_cache(maxsize=64)
def _amount_pattern(numbers: Numbers, words: tuple[str, ...], boundary: bool) -> re.Pattern[str]:
    number = number_pattern(numbers)
    return re.compile(
        rf"(?<![{CASED}\d{SEPARATORS}])(?P<range>(?:{number})\s*[–-]\s*)?(?P<num>{number})"
        rf"(?P<space>\s*)(?P<unit>{unit_pattern(words, boundary)})(?P<dot>\.(?=.*\w))?",
        re.IGNORECASE)


@dataclass(frozen=True)
class Amount:
    """A number with its unit: 4.5 and 'mg' for "4,5 mg", "٤٫٥ ملغ" and "4.5毫克"."""

    value: Decimal
    unit: str
    written: str


def amounts(text: str, table: LanguageTable) -> list[Amount]:
    """Every number with a unit in ``text``, read in the table's language; both ends
    of a range ("1,5–4,5 mg") count."""
    words = {w.lower(): unit for w, unit in table.unit_words().items()}
    found = []
    for m in amount_pattern(table).finditer(text):
        unit = words[m.group("unit").lower()]
        if m.group("range"):
            first = re.match(number_pattern(table.numbers), m.group("range"))
            assert first is not None
            found.append(Amount(read_number(first.group(0), table.numbers).value, unit,
                                m.group(0)))
        found.append(Amount(read_number(m.group("num"), table.numbers).value, unit,
                            m.group(0)))
    return found


def rewritten(text: str, source: LanguageTable, target: LanguageTable) -> str:
    """``text`` with each number that has a unit written the target language's way:
    "4.5 mg" → "4,5 mg" for French. ``publish translate`` starts a translation with the
    source's text; its doses then pass the target's ``dose-notation`` from the start."""
    def number(written: str) -> str:
        reading = read_number(written, source.numbers)
        whole = "".join(c for c in reading.whole if c.isdecimal())  # no group marks: 1000
        if not reading.fraction:
            return whole
        return f"{whole}{target.numbers.separators(written)[0]}{reading.fraction}"

    def amount(m: re.Match[str]) -> str:
        start = m.start()
        spans = [m.span("num")]
        if m.group("range"):
            first = re.match(number_pattern(source.numbers), m.group("range"))
            assert first is not None
            spans.insert(0, (m.start("range"), m.start("range") + first.end()))
        out, at = [], start
        for begin, end in spans:
            out += [text[at:begin], number(text[begin:end])]
            at = end
        return "".join(out) + text[at:m.end()]

    return amount_pattern(source).sub(amount, text)
