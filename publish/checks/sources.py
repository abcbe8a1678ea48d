"""Rules about the guide's sources as listed in its front matter (PIF TICK).

A reader, and the clinical reviewer, must be able to find every source again:
each needs a title, a publisher or journal, a year and an address
(``source-incomplete``), the address must be one that leads somewhere
(``source-address``), and a source a review note points to must be listed
(``review-note-source``). The rules' settings are data in
``publish/rules/general.yaml``; what counts as complete is ``Source.missing``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from publish.checks.ruledata import GeneralRules
from publish.diagnostics import Diagnostic

if TYPE_CHECKING:  # editorial runs these rules; importing it here would be circular
    from publish.checks.editorial import Context

PART_WORDS = {"publisher": "a publisher or journal", "year": "a year",
              "address": "a web address (url) or DOI"}
"""How each missing part is named in a message to the editor (English, like all messages)."""


def _patterns(rules: GeneralRules) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The DOI and URL shapes (any case) and the source-id pattern (case as written);
    ``re`` keeps the compiled patterns."""
    return (re.compile(rules.option("source-address", "doi"), re.IGNORECASE),
            re.compile(rules.option("source-address", "url"), re.IGNORECASE),
            re.compile(rules.option("review-note-source", "names")))


def incomplete(ctx: Context) -> Iterator[Diagnostic]:
    """An approved guide's sources must be complete; a draft lists them for its reviewer."""
    if ctx.doc.meta.is_draft:
        return
    for source in ctx.doc.meta.sources:
        if source.missing:
            parts = [PART_WORDS[p] for p in source.missing]
            listed = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
            yield ctx.diag("source-incomplete", f"source {source.id} lacks {listed}; an "
                           "approved guide gives each source a title, a publisher or journal, "
                           "a year and a web address or DOI (PIF TICK) — add them, or set "
                           "status: draft until they are found", source.line)


def addresses(ctx: Context) -> Iterator[Diagnostic]:
    doi, url, _names = _patterns(ctx.general)
    for source in ctx.doc.meta.sources:
        if source.doi and not doi.match(source.doi):
            yield ctx.diag("source-address", f"source {source.id}: doi '{source.doi}' is not a "
                           "DOI; write it as registered, '10.NNNN/…', without 'doi:' or "
                           "https://doi.org/ in front", source.line)
        if source.url and not url.match(source.url):
            yield ctx.diag("source-address", f"source {source.id}: url '{source.url}' is not a "
                           "web address; write it in full, 'https://host/…'", source.line)


def review_note_sources(ctx: Context) -> Iterator[Diagnostic]:
    meta = ctx.doc.meta
    _doi, _url, names = _patterns(ctx.general)
    listed = {s.id for s in meta.sources}
    for index, note in enumerate(meta.review_notes):
        for name in dict.fromkeys(m.group(1) for m in names.finditer(note)):
            if name not in listed:
                yield ctx.diag("review-note-source", f"this review note names source {name}, "
                               f"which is not under sources: add '- id: {name}' with its "
                               "title, publisher, year and address, or correct the id",
                               meta.lines.get(f"review_notes.{index}",
                                              meta.lines.get("review_notes")))


RULES = [incomplete, addresses, review_note_sources]
