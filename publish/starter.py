"""``publish new NAME``: a new guide that builds at once, as ``mkdocs new`` starts a site.

It writes two files and nothing else, and never over an existing one:

* ``NAME.md``: front matter with every field of ``publish.frontmatter.FIELDS`` (the
  required ones filled in, the optional ones commented out, each with its one-line
  explanation from the same table), then the sections the general rules read (the
  key facts first; "About this guide", where the sources and guide details go).
* ``NAME.rules.yaml``: the guide's own editorial rules, empty, with commented
  examples of each kind (``publish.checks.ruledata`` reads it).

The text is English placeholder prose that passes every check, so ``publish build``
works straight away and each placeholder says what belongs there.
"""

from __future__ import annotations

from pathlib import Path

from publish.errors import SourceError
from publish.frontmatter import FIELDS, Field
from publish.naming import rules_file_name

EXAMPLES: dict[str, str] = {
    "text": '"…"',
    "texts": '["…"]',
    "date": "2027-01-31",
    "people": '[{name: "…", role: "…"}]',
    "publisher": '{name: "…", url: "https://…"}',
    "sources": '[{id: S1, title: "…", publisher: "…", year: 2026, url: "https://…"}]',
    "language": "en-GB",
    "direction": "ltr",
    "status": "draft",
}
"""An example value for each kind of field, shown after the commented-out name."""

BODY = """\
# {title}

This guide is a draft. Replace each paragraph with the text for your readers.

## Key facts {{#key-facts}}

- Put the most important facts here, one short sentence each.
- Readers see this section first, in every format.

## What it is {{#what-it-is}}

Say what the medicine is and what it is for, in plain words.

## About this guide {{#about}}

Say who wrote this guide and how readers can give feedback. The list of sources and the
guide details are added here from the front matter.
"""

RULES = """\
# Editorial rules for {name}.md: what is true of this medicine. The general rules every
# guide follows are in publish/rules/general.yaml; docs/checks.md explains each kind.
# Patterns are Python regular expressions, matched case-insensitively against one
# sentence at a time. Remove the '#' in front of an entry to use it.

# sections:
#   required: [key-facts, what-it-is, about]   # section ids the guide must have, in order
#   first: key-facts                           # the section that must come first

# safety-blocks:                               # messages a section must contain
#   - section: key-facts
#     pattern: '\\b(do not|never) take it\\b.*\\balcohol\\b'
#     message: do not take it with alcohol

# claims:                                      # things the guide must never say
#   - pattern: '\\b(?P<claim>cures?|cured)\\b'
#     message: no evidence that it cures any condition
"""


def _field_line(field: Field, title: str) -> str:
    if field.name == "title":
        return f'title: "{title}"'
    if field.required:
        return f"{field.name}: {EXAMPLES[field.kind]}"
    when = " Required when approved." if field.required_if_approved else ""
    return f"# {field.name}: {EXAMPLES[field.kind]}   # {field.doc}{when}"


def guide_text(title: str) -> str:
    """The new guide: every front matter field, then the body."""
    fields = "\n".join(_field_line(f, title) for f in FIELDS)
    return f"---\n{fields}\n---\n{BODY.format(title=title)}"


def new_guide(path: Path) -> list[Path]:
    """Write ``NAME.md`` and ``NAME.rules.yaml``; refuse if either exists."""
    guide = path if path.suffix == ".md" else path.with_name(path.name + ".md")
    rules = guide.with_name(rules_file_name(guide.stem))
    for existing in (guide, rules):
        if existing.exists():
            raise SourceError("new-exists", "already exists; publish new never overwrites a "
                              "file, so choose another name or move it away", existing)
    title = guide.stem.replace("-", " ").replace("_", " ").strip().capitalize() or "New guide"
    guide.parent.mkdir(parents=True, exist_ok=True)
    with guide.open("x", encoding="utf-8") as out:
        out.write(guide_text(title))
    with rules.open("x", encoding="utf-8") as out:
        out.write(RULES.format(name=guide.stem))
    return [guide, rules]
