"""The command line: ``publish build``, ``publish check`` and ``publish watch``.

Exit codes: 0 success, 1 the content has errors (one line each, with
file:line and the rule), 2 the command was used wrongly.
"""

from __future__ import annotations

import re
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from publish import __version__
from publish.render import FORMATS, RenderOptions
from publish.render.braille_tables import DEFAULT_PAGE, PAGE_SIZES
from publish.render.pdf_editions import (
    DEFAULT_PRINT_CONDITION,
    DEFAULT_VARIANTS,
    PAPERS,
    PRINT_CONDITIONS,
    VARIANTS,
)

if TYPE_CHECKING:
    from publish.library import GuideReport

# publish.build (Markdown, lxml trees, checks) and publish.library are imported inside
# the commands: an up-to-date build is answered from the cache without them.

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_SOURCE = Path("source/guide.md")
DEFAULT_OUT = Path("output")

source_argument = click.argument(
    "source", type=click.Path(path_type=Path, dir_okay=False), default=DEFAULT_SOURCE,
    required=False)
strict_option = click.option(
    "--strict", is_flag=True, help="Treat warnings as errors (use before publishing).")


out_option = click.option(
    "--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_OUT,
    show_default=True, help="Folder for the outputs.")
formats_option = click.option(
    "--format", "-f", "formats", type=click.Choice(list(FORMATS)), multiple=True,
    help="Build only this format (repeat for several). Default: all.")
jobs_option = click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=None,
    help="Processes to use: guides built side by side, or for one guide the checks "
         "beside the loading of WeasyPrint and the PDF editions side by side. "
         "Default: the number of CPUs.")
no_cache_option = click.option(
    "--no-cache", is_flag=True,
    help="Render everything; neither read nor update the build cache (.cache/publish).")
heading_base_option = click.option(
    "--heading-base", type=click.IntRange(1, 3), default=1, show_default=True,
    help="Heading level of the guide's title in the embeddable fragment (guide.embed.html): "
         "2 or 3 when the partner page keeps its own h1. The page and the other outputs "
         "always start at h1.")
variant_option = click.option(
    "--variant", "pdf_variants", type=click.Choice(list(VARIANTS)), multiple=True,
    help="PDF edition to build (repeat for several). Default: "
         f"{' and '.join(DEFAULT_VARIANTS)}.")
print_shop_option = click.option(
    "--print-shop", is_flag=True,
    help="Also build <guide>-print-shop.pdf, PDF/X-4 in CMYK with 3 mm bleed and crop "
         "marks, to send to a print shop (checked by the preflight). Never print it at home.")
print_condition_option = click.option(
    "--print-condition", type=click.Choice(list(PRINT_CONDITIONS), case_sensitive=False),
    default=DEFAULT_PRINT_CONDITION, show_default=True,
    help="The print shop's printing condition: its CMYK profile goes into the print-shop "
         "file. Ask the print shop which one.")
booklet_option = click.option(
    "--booklet", is_flag=True,
    help="Also build <guide>-booklet.pdf: the A5 edition two pages to each side of A4 "
         "landscape, to print double-sided (flip on the short edge), fold and staple.")
paper_option = click.option(
    "--paper", type=click.Choice(list(PAPERS), case_sensitive=False), default="A4",
    show_default=True, help="Paper size of every PDF edition.")
braille_grade_option = click.option(
    "--braille-grade", type=click.IntRange(1, 2), default=None,
    help="Braille grade: 1 uncontracted, 2 contracted. Default: the language's usual "
         "grade (English: UEB grade 2).")
braille_page_option = click.option(
    "--braille-page", type=click.Choice(list(PAGE_SIZES)), default=DEFAULT_PAGE,
    show_default=True, help="Braille page: cells per line x lines per page.")


def _web_address(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """An http(s) address or a path: anything else (javascript:, data:) is refused."""
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", value)
    if value and ((scheme and scheme.group(1).lower() not in ("http", "https"))
                  or any(c.isspace() or c in "\"'<>\\" for c in value)):
        raise click.BadParameter("give an http(s) address or a path, such as "
                                 "https://partner.example/guides/")
    return value


base_url_option = click.option(
    "--base-url", default="", callback=_web_address,
    help="Where the partner site keeps the other formats: the embeddable fragment's "
         "'Other formats' links point there (default: beside the fragment).")


def build_options(command: F) -> F:
    """The options ``build`` and ``watch`` share: where, what, how strictly, how fast."""
    for option in reversed((out_option, formats_option, strict_option, jobs_option,
                            no_cache_option, heading_base_option, variant_option,
                            print_shop_option, print_condition_option, booklet_option,
                            paper_option, braille_grade_option, braille_page_option,
                            base_url_option)):
        command = option(command)
    return command


def _render_options(strict: bool, heading_base: int, pdf_variants: tuple[str, ...],
                    print_shop: bool, paper: str, print_condition: str = DEFAULT_PRINT_CONDITION,
                    booklet: bool = False, braille_grade: int | None = None,
                    braille_page: str = DEFAULT_PAGE, base_url: str = "", *,
                    all_formats: bool = False) -> RenderOptions:
    """The RenderOptions ``build`` and ``watch`` share, from their command-line options;
    ``all_formats``: no ``--format`` was given, so a format the guide cannot have is left
    out rather than an error (``RenderOptions.leave_out_unavailable``)."""
    pdf_variants = tuple(dict.fromkeys(
        (*(pdf_variants or DEFAULT_VARIANTS), *(("print-shop",) if print_shop else ()),
         *(("booklet",) if booklet else ()))))
    return RenderOptions(strict=strict, heading_base=heading_base, pdf_variants=pdf_variants,
                         paper=paper, print_condition=print_condition.upper(),
                         braille_grade=braille_grade, braille_page=braille_page,
                         leave_out_unavailable=all_formats, base_url=base_url)


def _show_warnings(warnings: list, quiet: bool) -> None:
    for warning in warnings:
        if not warning.is_error and not quiet:
            click.echo(str(warning), err=True)


def _show_left_out(report: GuideReport, quiet: bool) -> None:
    """One line per format a default build left out: a note, not a warning (--strict
    passes), since nobody asked for that format by name."""
    for name, why in report.left_out.items():
        if not quiet:
            click.echo(f"{report.source}: {name} not built: {why}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="publish")
def cli() -> None:
    """Build an accessible HTML page, PDF leaflets and an EPUB from one patient guide.

    The guide is a Markdown file with YAML front matter (see docs/writing.md).
    """


@cli.command("build")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@build_options
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
def build_command(sources: tuple[Path, ...], out_dir: Path, formats: tuple[str, ...],
                  strict: bool, quiet: bool, jobs: int | None, no_cache: bool,
                  heading_base: int, pdf_variants: tuple[str, ...], print_shop: bool,
                  print_condition: str, booklet: bool, paper: str, braille_grade: int | None,
                  braille_page: str, base_url: str) -> None:
    """Check SOURCES (default source/guide.md) and write their outputs to --out.

    Outputs are written only when every check and every format succeeds;
    otherwise the previous outputs are left as they were. Outputs whose inputs
    did not change are not rendered again. Several guides build side by side
    (--jobs); a failing guide does not stop the others, and the exit code is 1
    when any failed.
    """
    from publish.cache import BuildCache
    from publish.library import build_guide, build_library, summary
    from publish.workers import default_jobs

    show_progress = not quiet and sys.stderr.isatty()

    def progress(name: str, files: list[str], seconds: float) -> None:
        if show_progress:
            click.echo(f"  {name:<5} {', '.join(files)}  ({seconds:.2f} s)", err=True)

    cache = None if no_cache else BuildCache()
    options = _render_options(strict, heading_base, pdf_variants, print_shop, paper,
                              print_condition, booklet, braille_grade, braille_page,
                              base_url, all_formats=not formats)
    formats = formats or tuple(FORMATS)
    jobs = jobs or default_jobs()
    if len(set(sources)) <= 1:
        report = build_guide(sources[0] if sources else DEFAULT_SOURCE, out_dir, formats,
                             options, cache=cache, jobs=jobs, progress=progress)
        _show_warnings(report.warnings, quiet)
        _show_left_out(report, quiet)
        if not quiet:
            click.echo(summary(report, out_dir), err=True)
        return

    def done(report: GuideReport) -> None:
        if report.error:
            click.echo(report.error, err=True)
        _show_warnings(report.warnings, quiet)
        _show_left_out(report, quiet)
        if not quiet:
            click.echo(f"{report.source}: {summary(report, out_dir)}", err=True)

    reports = build_library(sources, out_dir, formats, options, cache=cache, jobs=jobs,
                            done=done)
    failed = [str(r.source) for r in reports if r.error]
    if failed or not quiet:
        click.echo(f"{len(reports) - len(failed)} of {len(reports)} guides built into "
                   f"{out_dir}/" + (f"; failed: {', '.join(failed)}" if failed else ""),
                   err=True)
    if failed:
        raise click.exceptions.Exit(1)


@cli.command("check")
@source_argument
@strict_option
def check_command(source: Path, strict: bool) -> None:
    """Run every check on SOURCE without writing anything; print its reading level."""
    from publish.build import check
    from publish.checks.readability import figures_report

    doc, findings = check(source, strict=strict)
    _show_warnings(findings, quiet=False)
    click.echo(figures_report(doc))
    click.echo(f"{source}: all checks passed", err=True)


@cli.command("new")
@click.argument("name", type=click.Path(path_type=Path, dir_okay=False))
def new_command(name: Path) -> None:
    """Start a new guide NAME.md (and NAME.rules.yaml) that builds at once.

    Every front matter field is there, the optional ones commented out with what they
    are for; the sections the rules read are there with placeholder text. Never
    overwrites a file.
    """
    from publish.starter import new_guide

    guide, rules = new_guide(name)
    click.echo(f"Created {guide} and {rules}; next: publish build {guide}", err=True)


@cli.command("translate")
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--to", "lang", required=True, metavar="LANG",
              help="BCP 47 tag of the language to translate into (es, ar, zh-Hans …).")
def translate_command(source: Path, lang: str) -> None:
    """Start a translation of SOURCE: writes <name>.LANG.md beside it, never overwriting.

    The new file names its source and the source's version, keeps every heading id,
    list, table, image and citation, and has the source text above each block as a
    comment for the translator. `publish check` then compares it with its source.
    """
    from publish.translate import start_translation

    target = start_translation(source, lang)
    click.echo(f"Started {target}: translate it, then run: publish check {target}", err=True)


@cli.command("watch")
@source_argument
@build_options
@click.option("--serve", is_flag=True,
              help="Also serve --out at http://127.0.0.1:PORT/ to preview the page.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port for --serve (0: any free port).")
def watch_command(source: Path, out_dir: Path, formats: tuple[str, ...], strict: bool,
                  jobs: int | None, no_cache: bool, heading_base: int,
                  pdf_variants: tuple[str, ...], print_shop: bool, print_condition: str,
                  booklet: bool, paper: str, braille_grade: int | None, braille_page: str,
                  base_url: str,
                  serve: bool, port: int) -> None:
    """Build SOURCE, then rebuild it every time it, its images or styles/ change.

    Each rebuild prints what changed and how long it took. Errors in the guide
    are shown and the last good outputs are kept; saving a fix builds again.
    Stop with Ctrl+C.
    """
    from publish.cache import BuildCache
    from publish.watch import watch
    from publish.workers import default_jobs

    watch(source, out_dir, formats or tuple(FORMATS),
          _render_options(strict, heading_base, pdf_variants, print_shop, paper,
                          print_condition, booklet, braille_grade, braille_page,
                          base_url, all_formats=not formats),
          cache=None if no_cache else BuildCache(), jobs=jobs or default_jobs(),
          port=port if serve else None, echo=lambda line: click.echo(line, err=True))


@cli.command("preflight")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--quiet", "-q", is_flag=True, help="Print only the failures.")
def preflight_command(files: tuple[Path, ...], quiet: bool) -> None:
    """Check PDFs the way a print shop does (PDF/X-4, the print condition's ink limit).

    Reports per page the boxes, fonts, colour spaces, text ink, most ink and image
    resolution; exits 1 with one line per failure (FILE: page N: rule: message).
    """
    from publish.preflight import PreflightError, check

    failed = False
    for path in files:
        try:
            report = check(path)
        except PreflightError as exc:
            click.echo(f"{path}: {exc.message}", err=True)
            failed = True
            continue
        if not quiet:
            click.echo(f"{path}: " + "\n".join(report.lines()))
        for failure in report.failures:
            click.echo(f"{path}: {failure}", err=True)
        failed = failed or bool(report.failures)
    if failed:
        raise click.exceptions.Exit(1)


def main() -> None:
    """Console-script entry point."""
    try:
        cli(prog_name="publish")
    finally:
        # The command is over (Click exits through here). Ctrl+C while Python shuts down
        # (worker pools, module teardown) can change nothing any more, and must not turn
        # the exit status into "killed by SIGINT" with no message.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
