"""Library builds: many guides with --jobs, a failing guide among good ones, forked variants."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

import publish.build
import publish.workers
from publish.build import build
from publish.cache import BuildCache
from publish.errors import ContentError, PublishError, SourceError
from publish.library import build_guide, build_library
from publish.output import TEMP_PREFIX
from publish.parse import parse
from publish.render import RenderContext, RenderOptions
from publish.workers import prepare, warm
from tests.conftest import BAD, GOOD, ROOT


def cli(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PUBLISH_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-m", "publish", *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=600, check=False)


@pytest.fixture(autouse=True)
def forked_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers forked, as from the command line (a single-threaded process).

    Several tests here watch a worker through a monkeypatch, which only a forked
    worker inherits; earlier test modules can leave a thread running in this process
    (a browser, a validator pool), and then ``workers.start_method`` would choose the
    fork server. Which start method a build uses is tested in ``test_workers``.
    """
    from tests import validators

    validators.close_browser()
    monkeypatch.setattr(publish.workers, "start_method", lambda: "fork")


@pytest.fixture
def shelf(tmp_path: Path) -> Path:
    """A folder of guides: two good ones and one with a skipped heading level."""
    folder = tmp_path / "guides"
    shutil.copytree(GOOD / "images", folder / "images")
    for name in ("alpha", "beta"):
        shutil.copy(GOOD / "full.md", folder / f"{name}.md")
    shutil.copy(BAD / "heading-skip.md", folder / "broken.md")
    return folder


def test_a_bad_guide_does_not_stop_the_others(shelf: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    guides = sorted(str(p) for p in shelf.glob("*.md"))
    result = cli("build", *guides, "--out", str(out), "--jobs", "2", "-f", "html", "-f", "pdf",
                 cache=tmp_path / "cache")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "broken.md:10: heading-skip: " in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(
        f"2 of 3 guides built into {out}/; failed: ")
    names = {p.name for p in out.iterdir()}
    for stem in ("alpha", "beta"):
        assert {f"{stem}.html", f"{stem}.pdf", f"{stem}-large-print.pdf"} <= names
    assert not any(n.startswith("broken") for n in names)


def test_library_rebuild_is_answered_by_the_cache(shelf: Path, tmp_path: Path) -> None:
    (shelf / "broken.md").unlink()
    guides = sorted(shelf.glob("*.md"))
    cache = BuildCache(tmp_path / "cache")
    first = build_library(guides, tmp_path / "out", ["html"], RenderOptions(), cache=cache,
                          jobs=2)
    assert [r.rendered for r in first] == [["html"], ["html"]]
    again = build_library(guides, tmp_path / "out", ["html"], RenderOptions(), cache=cache,
                          jobs=2)
    assert [(r.rendered, r.written, r.error) for r in again] == [([], [], None)] * 2


def test_guides_with_the_same_name_are_refused(tmp_path: Path) -> None:
    for folder in ("en", "fr"):
        (tmp_path / folder).mkdir()
        shutil.copy(GOOD / "minimal.md", tmp_path / folder / "guide.md")
    with pytest.raises(SourceError, match="output-name"):
        build_library([tmp_path / "en" / "guide.md", tmp_path / "fr" / "guide.md"],
                      tmp_path / "out", ["html"], RenderOptions())


def test_parallel_outputs_equal_sequential_outputs(shelf: Path, tmp_path: Path) -> None:
    """Workers (--jobs over guides) and forked PDF variants produce the same bytes."""
    (shelf / "broken.md").unlink()
    guides = sorted(shelf.glob("*.md"))
    formats = ["html", "pdf"]
    sequential = tmp_path / "one"
    for guide in guides:
        build(guide, sequential, formats, jobs=1)
    pooled = tmp_path / "pool"
    reports = build_library(guides, pooled, formats, RenderOptions(), jobs=2)
    assert [r.error for r in reports] == [None, None]
    aside = tmp_path / "aside"
    build_guide(guides[0], aside, formats, RenderOptions(), jobs=2)

    def files(folder: Path, stem: str = "") -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in folder.iterdir()
                if p.name.startswith(stem) and p.name != "manifest.json"}

    assert files(pooled) == files(sequential)
    assert files(aside, guides[0].stem) == files(sequential, guides[0].stem)
    assert set(files(aside, guides[0].stem)) == {"alpha.html", "alpha.pdf",
                                                  "alpha-large-print.pdf"}


@pytest.fixture
def weasyprint_not_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in a fresh process: ``prepare`` hands parsing to a worker only while this
    process still has WeasyPrint to load (a watch process has it already)."""
    monkeypatch.delitem(sys.modules, "publish.render.weasy", raising=False)


def _record_pid(monkeypatch: pytest.MonkeyPatch, where: Path) -> None:
    """Make the first build stage write the id of the process it runs in."""
    stage = publish.build.checked_and_rendered

    def recorded(*args: object, **kwargs: object) -> object:
        where.write_text(str(os.getpid()))
        return stage(*args, **kwargs)

    monkeypatch.setattr(publish.build, "checked_and_rendered", recorded)


@pytest.mark.usefixtures("weasyprint_not_loaded")
def test_guide_parsed_in_a_worker_gives_the_same_outputs(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    pid = tmp_path / "pid"
    _record_pid(monkeypatch, pid)
    options = RenderOptions()
    doc, findings, early = prepare(GOOD / "full.md", options, ["html", "embed", "pdf"], 2,
                                   publish.build.checked_and_rendered)
    assert int(pid.read_text()) != os.getpid()  # the worker parsed, checked and rendered
    here, here_findings, _ = publish.build.checked_and_rendered(
        GOOD / "full.md", options, ["html", "embed"])
    # The page and the fragment list the PDFs' pages and sizes: they render after them,
    # in this process, so the worker only parsed and checked.
    assert early == {}
    assert findings == here_findings
    assert etree.tostring(doc.body) == etree.tostring(here.body) and doc.meta == here.meta


@pytest.mark.usefixtures("weasyprint_not_loaded")
def test_errors_found_in_the_worker_are_the_build_errors(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    pid = tmp_path / "pid"
    _record_pid(monkeypatch, pid)
    with pytest.raises(ContentError) as pooled:
        prepare(BAD / "heading-skip.md", RenderOptions(), ["html", "pdf"], 2,
                publish.build.checked_and_rendered)
    assert int(pid.read_text()) != os.getpid()
    pid.unlink()
    doc, findings, rendered = prepare(BAD / "heading-skip.md", RenderOptions(),
                                      ["html", "pdf"], 1, publish.build.checked_and_rendered)
    assert (findings, rendered) == (None, {})  # one core: only parsed; build() checks
    assert not pid.exists() and doc.path == BAD / "heading-skip.md"
    with pytest.raises(ContentError) as here:
        publish.build.check(BAD / "heading-skip.md")
    assert pooled.value.diagnostics == here.value.diagnostics
    assert "heading-skip" in pooled.value.format_message()
    with pytest.raises(PublishError) as missing:
        prepare(tmp_path / "absent.md", RenderOptions(), ["pdf"], 2,
                publish.build.checked_and_rendered)
    assert "absent.md" in missing.value.format_message()


HOSTILE_IMAGES = ["image-unsafe-entity.md", "image-outside-dotdot.md"]


@pytest.mark.parametrize("name", HOSTILE_IMAGES)
def test_a_variant_worker_refuses_a_guide_that_fails_the_guards(
        name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a variant worker runs, called here: before the checks have passed it checks
    the guide's files itself, and renders nothing when they are unsafe."""
    import publish.render

    def never(fmt: str) -> object:
        raise AssertionError(f"{fmt} rendered from a guide that failed the guards")

    monkeypatch.setattr(publish.render, "renderer", never)
    doc = parse(ROOT / "tests" / "fixtures" / "hostile" / name)
    ctx = RenderContext(doc, RenderOptions())
    assert publish.workers._render_variant(ctx, False, "pdf", "pdf_variants",
                                           "large-print") == ("unsafe", None)


@pytest.mark.parametrize("name", HOSTILE_IMAGES)
def test_variants_start_unchecked_in_a_warm_process_and_nothing_is_written(
        name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a warm process (publish watch) the variants start before the checks run, so
    their workers are told to check; the build fails and writes nothing."""
    told = tmp_path / "told"
    run_variant = publish.workers._render_variant

    def recorded(ctx: RenderContext, checked: bool, *task: object) -> object:
        with told.open("a") as out:
            out.write(f"{os.getpid()} {checked}\n")
        return run_variant(ctx, checked, *task)

    monkeypatch.setattr(publish.workers, "_render_variant", recorded)
    warm(["pdf"])  # a warm process, as in publish watch
    with pytest.raises(ContentError, match="image-"):
        build(ROOT / "tests" / "fixtures" / "hostile" / name, tmp_path / "out", ["pdf"],
              jobs=2)
    assert not (tmp_path / "out").exists()
    # The worker may have been stopped before it wrote; if it ran, it was told to check.
    assert set(told.read_text().split()[1::2] if told.exists() else []) <= {"False"}
    told.unlink(missing_ok=True)
    good = build(GOOD / "full.md", tmp_path / "good", ["pdf"], jobs=2)  # workers do render
    assert {p.name for p in good.written} == {"full.pdf", "full-large-print.pdf", "index.html",
                                              "opds.xml", "manifest.json"}
    [(pid, checked)] = [line.split() for line in told.read_text().splitlines()]
    assert checked == "False" and int(pid) != os.getpid()


def test_ctrl_c_stops_every_worker(shelf: Path, tmp_path: Path) -> None:
    """Ctrl+C reaches every process of the build; the workers leave it to the parent,
    which stops them instead of building the guides still queued."""
    for n in range(6):
        shutil.copy(GOOD / "full.md", shelf / f"more-{n}.md")
    guides = sorted(str(p) for p in shelf.glob("*.md"))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PUBLISH_CACHE_DIR": str(tmp_path / "c")}
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "publish", "build", *guides, "--out", str(out), "--jobs", "2"],
        cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert process.stderr is not None
    first = process.stderr.readline()  # one guide is done: the workers are busy
    assert ": " in first, first
    os.killpg(process.pid, signal.SIGINT)
    _, rest = process.communicate(timeout=120)
    assert process.returncode == 1, first + rest
    assert "Traceback" not in rest and "KeyboardInterrupt" not in rest, rest
    assert rest.strip().splitlines()[-1].startswith("interrupted: the build was stopped after ")
    with pytest.raises(ProcessLookupError):  # no worker outlives the build
        os.killpg(process.pid, 0)
    assert not [p.name for p in out.iterdir() if p.name.startswith(TEMP_PREFIX)]
    built = {p.stem for p in out.glob("*.html") if ".embed" not in p.name}
    assert len(built) < len(guides) - 1  # the queued guides were not built after Ctrl+C
