"""Checks run on the document model before anything is rendered.

Each check is a function ``Document -> Iterable[Diagnostic]``; :func:`registered` lists
them. ``publish check`` and every build run all of them.

The check modules (and textstat, which the reading level needs) are imported on first
use, not with this package: label tables read ``publish.checks.ruledata`` for the units
a language must name, and a renderer or the catalogue that loads a table must not pay
≈ 0.1 s for checks that ran in another process (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache

from publish.diagnostics import Diagnostic
from publish.model import Document

Check = Callable[[Document], Iterable[Diagnostic]]


@cache
def registered() -> tuple[tuple[Check, ...], tuple[Check, ...]]:
    """(every check, the guards). Guards check what renderers would read (images:
    confined, real, safe); a renderer that starts while the other checks still run must
    see them pass first (:func:`safe_to_render`)."""
    from publish import fonts
    from publish.checks import editorial, structure, translation
    from publish.checks import resources as resource_checks

    guards = tuple(resource_checks.CHECKS)
    return (*structure.CHECKS, *editorial.CHECKS, *translation.CHECKS, fonts.check,
            *guards), guards


def run_checks(doc: Document) -> list[Diagnostic]:
    """All findings, in source order (findings without a line come last)."""
    found = [d for check in registered()[0] for d in check(doc)]
    return sorted(found, key=lambda d: (d.line is None, d.line or 0))


def safe_to_render(doc: Document) -> bool:
    """Whether every guard passes: nothing a renderer reads is missing, outside or unsafe."""
    return not any(d.is_error for check in registered()[1] for d in check(doc))
