"""The build cache: a no-op rebuild renders nothing, a changed input rebuilds what reads it."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import publish.build
import publish.cache
from publish.cache import BuildCache, input_keys, referenced_files
from publish.errors import ContentError
from publish.library import build_guide
from publish.model import Document
from publish.render import FORMATS, RenderOptions
from tests.conftest import GOOD, ROOT

ALL = tuple(FORMATS)
SCREEN = ("html", "embed")
"""Formats without WeasyPrint, for tests about the cache rather than the outputs."""


def full_guide_in(folder: Path) -> Path:
    """A copy of the full fixture guide and its images in ``folder``; its path."""
    shutil.copytree(GOOD / "images", folder / "images")
    shutil.copy(GOOD / "full.md", folder / "guide.md")
    return folder / "guide.md"


@pytest.fixture
def guide(tmp_path: Path) -> Path:
    return full_guide_in(tmp_path / "src")


@pytest.fixture
def cache(tmp_path: Path) -> BuildCache:
    return BuildCache(tmp_path / "cache")


@pytest.fixture(autouse=True)
def styles_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of styles/ for the cache keys: tests edit it, and edits others make
    to the real styles/ while the suite runs cannot change a key between two builds."""
    copy = tmp_path / "styles"
    shutil.copytree(publish.cache.STYLES_DIR, copy)
    monkeypatch.setattr(publish.cache, "STYLES_DIR", copy)
    return copy


def snapshot(out: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(out.iterdir())}


def no_build(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("the pipeline ran although nothing changed")


def test_noop_rebuild_renders_nothing(guide: Path, cache: BuildCache, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    first = build_guide(guide, out, ALL, RenderOptions(), cache=cache)
    assert sorted(first.rendered) == sorted(ALL)
    before = snapshot(out)
    monkeypatch.setattr(publish.build, "build", no_build)
    again = build_guide(guide, out, ALL, RenderOptions(), cache=cache)
    assert again.rendered == [] and again.written == []
    assert sorted(p.name for p in again.unchanged) == sorted(
        set(before) - {"manifest.json", "index.html", "opds.xml"})
    assert snapshot(out) == before  # not even rewritten
    assert [str(w) for w in again.warnings] == [str(w) for w in first.warnings]


def test_noop_rebuild_imports_no_renderer_or_parser(guide: Path, tmp_path: Path) -> None:
    tool = tmp_path / "tool"  # a snapshot of the package: its files are part of the key
    for folder in ("publish", "styles"):
        shutil.copytree(ROOT / folder, tool / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(tool), "PUBLISH_CACHE_DIR": str(tmp_path / "c")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # its __pycache__ shows which copy ran
    command = [sys.executable, "-X", "importtime", "-m", "publish", "build", str(guide),
               "--out", str(tmp_path / "out"), "-f", "html", "-f", "pdf"]
    first = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300,
                           check=False, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "weasyprint" in first.stderr  # the measurement sees heavy imports when they happen
    second = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300,
                            check=False, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "up to date" in second.stderr
    imported = {line.split("|")[-1].strip() for line in second.stderr.splitlines()
                if line.startswith("import time:")}
    heavy = {"weasyprint", "markdown", "ebooklib", "publish.parse", "publish.build", "yaml"}
    assert imported and not heavy & imported
    assert (tool / "publish" / "__pycache__").is_dir()  # the snapshot is what ran


def test_source_edit_rebuilds_everything(guide: Path, cache: BuildCache,
                                         tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_guide(guide, out, SCREEN, RenderOptions(), cache=cache)
    guide.write_text(guide.read_text(encoding="utf-8").replace("moon", "Moon", 1),
                     encoding="utf-8")
    assert build_guide(guide, out, SCREEN, RenderOptions(), cache=cache).rendered == \
        list(SCREEN)


def test_referenced_image_is_an_input(guide: Path, cache: BuildCache, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_guide(guide, out, SCREEN, RenderOptions(), cache=cache)
    page = (out / "guide.html").read_bytes()
    refs = referenced_files(guide.read_bytes(), guide)
    assert refs["images/moon.svg"] not in ("missing", "unreadable")
    image = guide.parent / "images" / "moon.svg"
    image.write_text(image.read_text(encoding="utf-8").replace("</svg>", "<!-- x --></svg>"),
                     encoding="utf-8")
    report = build_guide(guide, out, SCREEN, RenderOptions(), cache=cache)
    assert report.rendered == list(SCREEN)
    assert (out / "guide.html").read_bytes() != page  # the new image, inlined


def test_style_change_rebuilds_only_what_reads_it(styles_copy: Path, guide: Path) -> None:
    options = RenderOptions()
    before = input_keys(guide, ALL, options).outputs
    with (styles_copy / "print.css").open("a", encoding="utf-8") as css:
        css.write("\n/* thicker rules */\n")
    after_print = input_keys(guide, ALL, options).outputs
    # the EPUB page list and the braille print page indicators follow the printed pages;
    # the page and the fragment list the PDFs' page counts and sizes: they follow too
    assert {f for f in ALL if before[f] != after_print[f]} == {
        "pdf", "epub", "braille", "html", "embed"}
    with (styles_copy / "tokens.css").open("a", encoding="utf-8") as css:
        css.write("\n/* a new token */\n")
    after_tokens = input_keys(guide, ALL, options).outputs
    assert all(after_print[f] != after_tokens[f] for f in ALL)


def test_style_change_rebuilds(styles_copy: Path, guide: Path, cache: BuildCache,
                               tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_guide(guide, out, SCREEN, RenderOptions(), cache=cache)
    with (styles_copy / "epub.css").open("a", encoding="utf-8") as css:
        css.write("\n/* e-book only */\n")
    assert build_guide(guide, out, SCREEN, RenderOptions(), cache=cache).rendered == []
    with (styles_copy / "html.css").open("a", encoding="utf-8") as css:
        css.write("\n/* screen */\n")
    assert build_guide(guide, out, SCREEN, RenderOptions(), cache=cache).rendered == \
        list(SCREEN)


def test_options_and_environment_are_inputs(guide: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    base = input_keys(guide, ALL, RenderOptions())
    assert input_keys(guide, ALL, RenderOptions(strict=True)) == base  # pass/fail, not bytes
    assert input_keys(guide, ALL, RenderOptions(paper="A5")).outputs["pdf"] != \
        base.outputs["pdf"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert input_keys(guide, ALL, RenderOptions()).outputs["html"] != base.outputs["html"]


def test_strict_applies_to_cached_warnings(guide: Path, tmp_path: Path,
                                           cache: BuildCache) -> None:
    with guide.open("a", encoding="utf-8") as text:
        text.write("\n<u>Underlined.</u>\n")
    out = tmp_path / "out"
    first = build_guide(guide, out, ["html"], RenderOptions(), cache=cache)
    assert any(w.rule == "raw-html" for w in first.warnings)
    with pytest.raises(ContentError, match="raw-html"):
        build_guide(guide, out, ["html"], RenderOptions(strict=True), cache=cache)


def test_edited_and_deleted_outputs_are_restored_without_rendering(
        guide: Path, cache: BuildCache, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    build_guide(guide, out, SCREEN, RenderOptions(), cache=cache)
    good = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "guide.html").unlink()
    (out / "guide.embed.css").write_text("/* edited by hand */", encoding="utf-8")
    monkeypatch.setattr(publish.build, "build", no_build)
    report = build_guide(guide, out, SCREEN, RenderOptions(), cache=cache)
    assert report.rendered == []
    assert sorted(p.name for p in report.written) == ["guide.embed.css", "guide.html"]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == good


def test_outputs_are_rendered_again_when_the_cache_lost_them(
        guide: Path, cache: BuildCache, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_guide(guide, out, SCREEN, RenderOptions(), cache=cache)
    good = (out / "guide.html").read_bytes()
    shutil.rmtree(cache.root / "blobs")
    (out / "guide.html").write_bytes(b"tampered")
    report = build_guide(guide, out, SCREEN, RenderOptions(), cache=cache)
    assert "html" in report.rendered
    assert (out / "guide.html").read_bytes() == good


def test_cached_build_is_byte_identical_to_a_fresh_build(guide: Path, cache: BuildCache,
                                                         tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    publish.build.build(guide, fresh, ALL)
    original = guide.read_bytes()
    cached = tmp_path / "cached"
    build_guide(guide, cached, ALL, RenderOptions(), cache=cache)
    guide.write_bytes(original.replace(b"moon", b"Moon", 1))
    assert sorted(build_guide(guide, cached, ALL, RenderOptions(),
                         cache=cache).rendered) == sorted(ALL)
    guide.write_bytes(original)  # an undo: every output comes back from the cache
    report = build_guide(guide, cached, ALL, RenderOptions(), cache=cache)
    assert report.rendered == []
    assert {p.name: p.read_bytes() for p in cached.iterdir()} == \
        {p.name: p.read_bytes() for p in fresh.iterdir()}


def test_approved_guide_past_review_fails_on_a_noop_rebuild(
        tmp_path: Path, cache: BuildCache, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = ROOT / "tests" / "fixtures" / "editorial"
    shutil.copy(folder / "approved.md", tmp_path / "approved.md")
    shutil.copy(folder / "fixture.rules.yaml", tmp_path / "fixture.rules.yaml")
    guide = tmp_path / "approved.md"
    out = tmp_path / "out"
    due = dt.date(2027, 1, 10)  # next_review in the fixture
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setattr(publish.cache, "_today", lambda: due)
    monkeypatch.setattr("publish.checks.editorial.review_today", lambda: due)
    assert build_guide(guide, out, ["html"], RenderOptions(), cache=cache).rendered == ["html"]
    assert build_guide(guide, out, ["html"], RenderOptions(), cache=cache).rendered == []
    tomorrow = due + dt.timedelta(days=1)
    monkeypatch.setattr(publish.cache, "_today", lambda: tomorrow)
    monkeypatch.setattr("publish.checks.editorial.review_today", lambda: tomorrow)
    with pytest.raises(ContentError, match="review-overdue"):
        build_guide(guide, out, ["html"], RenderOptions(), cache=cache)


def test_inputs_changing_during_a_build_are_not_recorded(
        guide: Path, cache: BuildCache, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An editor saving while a build runs: the outputs match neither version."""
    real = publish.build.verify

    def check_then_save(doc: Document, **kwargs: object):  # type: ignore[no-untyped-def]
        result = real(doc, **kwargs)  # type: ignore[arg-type]
        guide.write_text(guide.read_text(encoding="utf-8") + "\nSaved again.\n",
                         encoding="utf-8")
        return result

    monkeypatch.setattr(publish.build, "verify", check_then_save)
    build_guide(guide, tmp_path / "out", ["html"], RenderOptions(), cache=cache)
    monkeypatch.setattr(publish.build, "verify", real)
    assert build_guide(guide, tmp_path / "out", ["html"], RenderOptions(),
                       cache=cache).rendered == ["html"]


def test_prune_drops_least_recently_used(cache: BuildCache) -> None:
    for n in range(5):
        cache._write("blobs", f"{n:064x}", bytes(1000))
        os.utime(cache.root / "blobs" / f"{n:064x}", (n, n))
    cache.prune(max_blob_bytes=2500)
    assert sorted(p.name for p in (cache.root / "blobs").iterdir()) == \
        [f"{3:064x}", f"{4:064x}"]
