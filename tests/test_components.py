"""System components in the cache keys: a changed liblouis, table or Ghostscript re-renders
only the formats that read it (``publish.components``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import publish.components as components
from publish.cache import input_keys
from publish.render import FORMATS, RenderOptions
from publish.render.braille_tables import code_for
from tests.conftest import GOOD

ALL = tuple(FORMATS)
LISTERS = {name for name, f in FORMATS.items() if f.lists_files}
"""Formats that list the other formats' files ("Other formats"): keyed on their keys."""
PRINT_SHOP = RenderOptions(pdf_variants=("standard", "print-shop"))


@pytest.fixture
def guide(tmp_path: Path) -> Path:
    shutil.copytree(GOOD / "images", tmp_path / "images")
    return Path(shutil.copy(GOOD / "full.md", tmp_path / "guide.md"))


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {fmt for fmt in before if before[fmt] != after[fmt]}


def another_version(monkeypatch: pytest.MonkeyPatch, packages: tuple[str, ...]) -> None:
    """dpkg records other files for ``packages`` (an upgrade), the rest as they are."""
    recorded = components.package
    monkeypatch.setattr(components, "package",
                        lambda name: f"upgraded {name}" if name in packages else recorded(name))


def test_a_new_liblouis_re_renders_only_braille(guide: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    before = input_keys(guide, ALL, PRINT_SHOP).outputs
    another_version(monkeypatch, components.LIBLOUIS_PACKAGES)
    assert changed(before, input_keys(guide, ALL, PRINT_SHOP).outputs) == {"braille", *LISTERS}


def test_an_edited_table_the_guide_uses_re_renders_only_braille(
        guide: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tables = tmp_path / "tables"  # the English tables and one other language's
    tables.mkdir()
    for path in [*components.table_files(code_for("en").table(None)),
                 components.LOUIS_TABLES / "ro.ctb"]:
        shutil.copy(path, tables)
    monkeypatch.setattr(components, "LOUIS_TABLES", tables)
    before = input_keys(guide, ALL, RenderOptions()).outputs
    used = [p.name for p in components.table_files(code_for("en").table(None))]
    assert "en-ueb-chardefs.uti" in used  # included by the tables the guide names
    with (tables / "en-ueb-chardefs.uti").open("a", encoding="utf-8") as table:
        table.write("\n# a corrected cell\n")
    assert changed(before, input_keys(guide, ALL, RenderOptions()).outputs) == {"braille", *LISTERS}
    again = input_keys(guide, ALL, RenderOptions()).outputs
    with (tables / "ro.ctb").open("a", encoding="utf-8") as table:  # a table not used
        table.write("\n# another language\n")
    assert input_keys(guide, ALL, RenderOptions()).outputs == again


def test_our_supplement_is_keyed_for_its_language() -> None:
    files = components.table_files(code_for("bn").table(None))
    assert [p.name for p in files][:2] == ["bn.tbl", "bn-extra.uti"]
    assert all(p.is_file() for p in files)


def test_a_new_ghostscript_re_renders_only_the_pdf_when_it_runs(
        guide: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = input_keys(guide, ALL, PRINT_SHOP).outputs
    plain = input_keys(guide, ALL, RenderOptions()).outputs
    another_version(monkeypatch, components.GHOSTSCRIPT_PACKAGES)
    assert changed(before, input_keys(guide, ALL, PRINT_SHOP).outputs) == {"pdf", *LISTERS}
    assert input_keys(guide, ALL, RenderOptions()).outputs == plain  # no PDF/X: no gs


def test_packages_are_read_from_dpkg_records() -> None:
    """On Debian (CI and the developers' machines) liblouis and Ghostscript are installed
    by the build dependencies, so their records exist."""
    assert components.package("liblouis20") != "absent"
    assert components.package("ghostscript") != "absent"
    assert components.package("no-such-package") == "absent"
