"""The command line: ``publish build`` and ``publish check``.

Exit codes: 0 success, 1 the content has errors (one line each, with
file:line and the rule), 2 the command was used wrongly.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from publish import __version__
from publish.build import build, check
from publish.render import FORMATS, RenderOptions

DEFAULT_SOURCE = Path("source/guide.md")
DEFAULT_OUT = Path("output")

source_argument = click.argument(
    "source", type=click.Path(path_type=Path, dir_okay=False), default=DEFAULT_SOURCE,
    required=False)
strict_option = click.option(
    "--strict", is_flag=True, help="Treat warnings as errors (use before publishing).")


def _show_warnings(warnings: list, quiet: bool) -> None:
    for warning in warnings:
        if not warning.is_error and not quiet:
            click.echo(str(warning), err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="publish")
def cli() -> None:
    """Build an accessible HTML page, PDF leaflets and an EPUB from one patient guide.

    The guide is a Markdown file with YAML front matter (see README.md).
    """


@cli.command("build")
@source_argument
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              default=DEFAULT_OUT, show_default=True, help="Folder for the outputs.")
@click.option("--format", "-f", "formats", type=click.Choice(list(FORMATS)), multiple=True,
              help="Build only this format (repeat for several). Default: all.")
@strict_option
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
def build_command(source: Path, out_dir: Path, formats: tuple[str, ...], strict: bool,
                  quiet: bool) -> None:
    """Check SOURCE (default source/guide.md) and write its outputs to --out.

    Outputs are written only when every check and every format succeeds;
    otherwise the previous outputs are left as they were.
    """
    show_progress = not quiet and sys.stderr.isatty()

    def progress(name: str, files: list[str], seconds: float) -> None:
        if show_progress:
            click.echo(f"  {name:<5} {', '.join(files)}  ({seconds:.2f} s)", err=True)

    result = build(source, out_dir, formats or tuple(FORMATS),
                   options=RenderOptions(strict=strict), progress=progress)
    _show_warnings(result.warnings, quiet)
    if not quiet:
        click.echo(f"Built {len(result.written)} files in {out_dir}/", err=True)


@cli.command("check")
@source_argument
@strict_option
def check_command(source: Path, strict: bool) -> None:
    """Run every check on SOURCE without writing anything."""
    _doc, findings = check(source, strict=strict)
    _show_warnings(findings, quiet=False)
    click.echo(f"{source}: all checks passed", err=True)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="publish")
