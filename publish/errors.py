"""The one exception family for problems a user can cause.

Modelled on MkDocs: every error subclasses :class:`click.ClickException`,
so Click prints it as plain lines and exits 1 — never a traceback.
Programming errors are ordinary exceptions and do show a traceback,
because those are ours to fix, not the editor's.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import click

from publish.diagnostics import Diagnostic, display_path


class PublishError(click.ClickException):
    """Base of every user-facing error; exit code 1."""

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        """Print the message alone: no 'Error:' prefix, no traceback."""
        click.echo(self.format_message(), file=file, err=file is None)


class SourceError(PublishError):
    """A single problem at one place in an input file (file:line: rule: message)."""

    def __init__(self, rule: str, message: str, path: Path | None = None,
                 line: int | None = None) -> None:
        self.diagnostic = Diagnostic(rule, message, path, line)
        super().__init__(str(self.diagnostic))


class ContentError(PublishError):
    """The checks found problems; each is printed on its own line."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class RenderError(PublishError):
    """A renderer could not produce its output for a reason in the content."""

    def __init__(self, output: str, message: str, path: Path | None = None,
                 line: int | None = None) -> None:
        where = f"{display_path(path)}:{line}: " if path and line else ""
        super().__init__(f"{where}render-{output}: {message}")
