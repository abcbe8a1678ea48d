"""Documentation: README stays a front page, and every relative link points at a file."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_readme_is_a_front_page() -> None:
    """Topics live under docs/; README is what it is, install, commands and links."""
    assert len((ROOT / "README.md").read_bytes()) <= 10_240


def test_every_docs_page_is_linked_from_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    unlinked = [p.name for p in PAGES[1:] if f"(docs/{p.name})" not in readme]
    assert not unlinked


def test_relative_links_resolve() -> None:
    broken = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        # Examples are not links: drop fenced blocks, code spans and comments.
        text = re.sub(r"```.*?```|`[^`]*`|<!--.*?-->", "", text, flags=re.S)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:|#", target):
                continue
            path = target.split("#", 1)[0]
            if not (page.parent / path).exists():
                broken.append(f"{page.name}: {target}")
    assert not broken
