"""Findings about a guide: one rule, one place, one message.

Every message a user sees about their content has the same shape,
``source/guide.md:42: heading-skip: <what is wrong and how to fix it>``,
so editors can jump to the line and the rule name can be looked up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    """Errors stop a build; warnings stop it only under ``--strict``."""

    ERROR = "error"
    WARNING = "warning"


def display_path(path: Path) -> str:
    """Show a path relative to the working directory when it lies below it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


@dataclass(frozen=True)
class Diagnostic:
    """One finding, tied to a source line where there is one."""

    rule: str
    message: str
    path: Path | None = None
    line: int | None = None
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = display_path(self.path)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        label = "" if self.severity is Severity.ERROR else "warning: "
        return f"{where}{label}{self.rule}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def blocking(diagnostics: list[Diagnostic], *, strict: bool) -> list[Diagnostic]:
    """The diagnostics that stop a build: errors, and warnings too when strict."""
    return [d for d in diagnostics if d.is_error or strict]
