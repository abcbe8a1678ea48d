"""Structure rules: every bad fixture fails with its rule's name and line.

Each file in tests/fixtures/guides/bad/ says what it must produce in a
comment: ``# expect: <rule> <line>``. Adding a fixture adds a test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from publish.build import check
from publish.errors import ContentError, SourceError
from tests.conftest import BAD, GOOD, ROOT

EXPECT = re.compile(rb"# expect: (\S+) (\d+)")


def expectation(path: Path) -> tuple[str, int]:
    match = EXPECT.search(path.read_bytes())
    assert match, f"{path.name} has no '# expect: rule line' comment"
    return match.group(1).decode(), int(match.group(2))


@pytest.mark.parametrize("path", sorted(BAD.glob("*.md")), ids=lambda p: p.stem)
def test_bad_fixture_fails_with_rule_and_line(path: Path) -> None:
    rule, line = expectation(path)
    with pytest.raises((ContentError, SourceError)) as caught:
        check(path)
    error = caught.value
    found = error.diagnostics if isinstance(error, ContentError) else [error.diagnostic]
    assert (rule, line) in [(d.rule, d.line) for d in found], [str(d) for d in found]
    message = error.format_message()
    assert f"{path.name}:{line}: {rule}: " in message


@pytest.mark.parametrize("path", sorted(GOOD.glob("*.md")), ids=lambda p: p.stem)
def test_good_fixture_passes_strict(path: Path) -> None:
    _doc, findings = check(path, strict=True)
    assert findings == []


def test_a_title_with_a_no_break_space_matches_its_heading() -> None:
    """French puts a no-break space before a colon; heading-h1-title must not fire."""
    french = ROOT / "tests" / "fixtures" / "languages" / "fr.md"
    doc, _findings = check(french)
    assert "\u00a0" in doc.meta.title
