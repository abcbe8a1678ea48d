"""Checks run on the document model before anything is rendered.

Each check is a function ``Document -> Iterable[Diagnostic]`` registered in
``CHECKS``. ``publish check`` and every build run all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from publish import fonts
from publish.checks import editorial, structure, translation
from publish.checks import resources as resource_checks
from publish.diagnostics import Diagnostic
from publish.model import Document

Check = Callable[[Document], Iterable[Diagnostic]]

GUARDS: list[Check] = list(resource_checks.CHECKS)
"""Checks on what renderers would read (images: confined, real, safe); a renderer that
starts while the other checks still run must see these pass first (``safe_to_render``)."""

CHECKS: list[Check] = [*structure.CHECKS, *editorial.CHECKS, *translation.CHECKS, fonts.check,
                       *GUARDS]


def run_checks(doc: Document) -> list[Diagnostic]:
    """All findings, in source order (findings without a line come last)."""
    found = [d for check in CHECKS for d in check(doc)]
    return sorted(found, key=lambda d: (d.line is None, d.line or 0))


def safe_to_render(doc: Document) -> bool:
    """Whether every guard passes: nothing a renderer reads is missing, outside or unsafe."""
    return not any(d.is_error for check in GUARDS for d in check(doc))
