"""The format registry: what each renderer declares, and what is derived from it."""

from __future__ import annotations

import dataclasses
import fnmatch

import pytest

import publish.render
from publish import styles
from publish.cache import STYLE_READERS
from publish.parse import parse
from publish.render import (
    FORMATS,
    PAGE_STARTS_FACT,
    PROVIDERS,
    Format,
    RenderContext,
    RenderOptions,
    build_order,
    render,
    style_patterns,
    warm_imports,
)
from publish.workers import SPLITS, WARM_IMPORTS
from tests.conftest import GOOD


def test_every_needed_fact_has_one_provider_listed_before_it() -> None:
    order = build_order()
    assert sorted(order) == sorted(FORMATS)
    for name, spec in FORMATS.items():
        for fact in spec.needs:
            assert order.index(PROVIDERS[fact]) < order.index(name), (name, fact)
    assert PROVIDERS == {PAGE_STARTS_FACT: "pdf"}
    # Formats that list the others' files ("Other formats" with sizes) come after them.
    listers = [n for n in order if FORMATS[n].lists_files]
    assert listers and order[-len(listers):] == listers
    assert build_order(["epub", "html"]) == ["epub", "html"]


def test_derived_tables() -> None:
    """What used to be kept by hand follows from the rows."""
    assert WARM_IMPORTS["html"] == ("publish.render.html",)
    assert set(WARM_IMPORTS["pdf"]) == {"publish.render.pdf", "publish.render.weasy"}
    # The EPUB's page list is laid out by the PDF renderer: its imports are warmed too.
    assert set(WARM_IMPORTS["pdf"]) < set(WARM_IMPORTS["epub"])
    assert {(n, v.option, v.here) for n, v in SPLITS.items()} == {
        ("pdf", "pdf_variants", "standard")}
    # The EPUB's key covers the print layers, because its page list follows the pages.
    assert set(style_patterns("pdf")) <= set(STYLE_READERS["epub"])
    assert not any(p.startswith("print") for p in STYLE_READERS["html"])


def test_a_new_format_is_one_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """A format needing the PDF's page starts is ordered after it and warms its imports."""
    row = Format("publish.render.html:HtmlRenderer", styles=("tokens.css",),
                 needs=(PAGE_STARTS_FACT,))
    monkeypatch.setitem(FORMATS, "pages", row)
    assert build_order(["pages", "pdf", "html"]) == ["pdf", "pages", "html"]
    assert "publish.render.weasy" in warm_imports("pages")
    assert "print.css" in style_patterns("pages")


def test_reading_an_undeclared_style_file_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache keys a format by the files it declares, so reading another one must fail
    loudly rather than leave a stale output."""
    doc = parse(GOOD / "minimal.md")
    bare = dataclasses.replace(FORMATS["html"], styles=("tokens.css", "fonts.css"))
    monkeypatch.setitem(FORMATS, "html", bare)
    with pytest.raises(styles.UndeclaredStyle, match=r"html renderer read styles/"):
        render("html", RenderContext(doc, RenderOptions()))


def test_every_declared_pattern_matches_a_shipped_file() -> None:
    """A misspelt pattern would declare nothing (and fail the renderer at once)."""
    shipped = [p.relative_to(styles.STYLES_DIR).as_posix()
               for p in styles.STYLES_DIR.rglob("*") if p.is_file()]
    for name, spec in FORMATS.items():
        for pattern in spec.styles:
            assert any(fnmatch.fnmatchcase(f, pattern) for f in shipped), (name, pattern)


def test_renderers_are_imported_only_through_the_registry() -> None:
    for spec in FORMATS.values():
        module, cls = spec.renderer.split(":")
        assert callable(getattr(__import__(module, fromlist=[cls]), cls)().render)
    assert publish.render.renderer("html").name == "html"
