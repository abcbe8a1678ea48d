"""``publish translate``: start a translation that is tied to its source from line one.

The new file (``guide.md`` → ``guide.es.md``) names its source and the source's
version, gives every heading its explicit id, and keeps the source's blocks —
lists, tables, images and citations in place — each under a comment holding the
source text, so the translator overwrites the text and the original stays beside
it. It builds at once and passes the translation checks until the text changes,
which is what a translator starts from.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from publish.errors import SourceError
from publish.frontmatter import BCP47, read_source
from publish.labels import labels_for
from publish.notation import rewritten
from publish.translation import translation_file

KEPT_FIELDS = ("title", "description", "authors", "publisher", "feedback", "sources",
               "accessibility_summary")
"""Source fields a translation starts from (text to translate, or facts that stay);
dates, reviewers and review notes belong to the source's own review."""
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(\{[^}]*\})?\s*$")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+\.)\s")
CITATION = re.compile(r"\s*\[@[^\]]*\]")
SOURCE_ENTRY = re.compile(r"^(\s*)- id:")


def start_translation(source: Path, lang: str) -> Path:
    """Write ``<stem>.<lang>.md`` beside ``source``; raise SourceError instead of overwriting."""
    from publish.parse import parse

    if not BCP47.match(lang):
        raise SourceError("translate", f"'{lang}' is not a BCP 47 language tag such as es or "
                          "zh-Hans", source)
    doc = parse(source)
    if doc.meta.is_translation:
        raise SourceError("translate", f"{source.name} is itself a translation (of "
                          f"{doc.meta.translation_of}); translate from the source guide",
                          source)
    if lang.split("-")[0].lower() == doc.meta.lang.split("-")[0].lower():
        raise SourceError("translate", f"{source.name} is already in {doc.meta.lang}; name "
                          "another language with --to", source)
    target = translation_file(doc.path, lang)
    if target.exists():
        raise SourceError("translate", f"{target.name} exists already; it is never "
                          "overwritten (delete or rename it to start again)", target)
    src = read_source(doc.path)
    ids = [h.id for h in doc.headings if h.line is not None]
    try:
        target_words = labels_for(lang)
    except SourceError:  # no table for the language: the translation brings its own
        target_words = doc.labels
    text = _front_matter(src.front_matter, doc.meta.lang, lang, doc.path.name,
                         doc.meta.version) + _body(src.body, ids, doc.meta.lang,
                                                   lambda line: rewritten(line, doc.labels,
                                                                          target_words))
    with target.open("x", encoding="utf-8") as handle:  # "x": never overwrite, even racing
        handle.write(text)
    return target


def _front_matter(front: str, source_lang: str, lang: str, source_name: str,
                  version: str) -> str:
    """The translation's front matter: its own language and status, tied to the source."""
    kept: list[str] = []
    keep = in_sources = False
    for line in front.split("\n"):
        if line and not line[0].isspace() and not line.startswith(("-", "#")):
            field = line.split(":", 1)[0].strip()
            keep, in_sources = field in KEPT_FIELDS, field == "sources"
        if keep:
            kept.append(line)
        entry = SOURCE_ENTRY.match(line) if in_sources else None
        if entry:  # source titles stay in their language: mark it (WCAG 3.1.2)
            kept.append(f"{entry.group(1)}  lang: {source_lang}")
    header = [
        "---",
        f"# A translation of {source_name} (version {version}, {source_lang}) into {lang}.",
        "# Translate the title, the description and the text of each block below its",
        f"# '<!-- {source_lang}: … -->' comment, which keeps the source text. Keep heading",
        "# {#ids}, list items, tables, images, citations and every number with its unit:",
        f"# `publish check {Path(source_name).stem}.{lang}.md` compares it with its source.",
        f"lang: {lang}",
        f'version: "{version}"',
        "status: draft",
        f"translation_of: {source_name}",
        f'source_version: "{version}"',
        "# Who translated it, and the fluent speakers who checked it against the source",
        "# (needed before the translation can be approved):",
        "# translators:",
        "#   - name: \"\"",
        "# translation_reviewers:",
        "#   - {name: \"\", role: \"\", reviewed: YYYY-MM-DD}",
        "review_notes:",
        '  - "New translation: a fluent clinical translator must check it against the source."',
    ]
    return "\n".join([*header, *kept, "---", ""])


def _body(body: str, ids: list[str], source_lang: str,
          notation: Callable[[str], str] = str) -> str:
    """The source body with explicit heading ids and the source text above each block;
    ``notation`` writes the copied text's doses the translation's way (4.5 mg → 4,5 mg)."""
    out: list[str] = []
    headings = iter(ids)
    blocks = _blocks(body.split("\n"))
    for block in blocks:
        if not block or not any(line.strip() for line in block):
            out.extend(block)
            continue
        shown = [CITATION.sub("", line).rstrip().replace("--", "- -") for line in block
                 if line.strip()]
        if len(shown) == 1:
            out.append(f"<!-- {source_lang}: {shown[0].strip()} -->")
        else:  # a list or table: the source lines as they are, one under the other
            out.extend([f"<!-- {source_lang}:", *shown, "-->"])
        for line in block:
            match = HEADING.match(line)
            if match:
                ident = next(headings, "")
                if match.group(3) is None and ident and len(match.group(1)) > 1:
                    line = f"{line.rstrip()} {{#{ident}}}"
            out.append(notation(line))
    return "\n".join(out).rstrip("\n") + "\n"


def _blocks(lines: list[str]) -> list[list[str]]:
    """Runs of non-blank lines (a heading alone; a list with its blank-separated items)."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if HEADING.match(line):
            if current:
                blocks.append(current)
            blocks.append([line])
            current = []
        elif line.strip():
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
            blocks.append([""])
        else:
            blocks.append([""])
    merged: list[list[str]] = []
    for block in blocks:  # a loose list stays one block: a comment would split it
        if merged and block and LIST_ITEM.match(block[0]) and len(merged) >= 2 \
                and merged[-1] == [""] and merged[-2] and LIST_ITEM.match(merged[-2][0]):
            merged.pop()
            merged[-1].extend(["", *block])
        else:
            merged.append(block)
    return merged[:-1] if merged and merged[-1] == [""] else merged
