"""The validators themselves are tested: each one must be able to fail and to pass.

A validator that silently passes everything (not installed, axe not injected, Ace
checking no document) would make every accessibility test meaningless. These tests
feed each tool a small hand-made good and bad input (tests/fixtures/validators/ and
EPUBs built below) and check the verdict both ways.
"""

from __future__ import annotations

import json
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests import validators as v

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "validators"

# --------------------------------------------------------------------------------------
# A minimal EPUB 3, built here so that each defect is one visible switch.
# --------------------------------------------------------------------------------------

CONTAINER_XML = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""

A11Y_METADATA = """\
    <meta property="schema:accessMode">textual</meta>
    <meta property="schema:accessModeSufficient">textual</meta>
    <meta property="schema:accessibilityFeature">structuralNavigation</meta>
    <meta property="schema:accessibilityFeature">tableOfContents</meta>
    <meta property="schema:accessibilityFeature">readingOrder</meta>
    <meta property="schema:accessibilityHazard">none</meta>
    <meta property="schema:accessibilitySummary">Text-only leaflet with headings, \
a table of contents and no images.</meta>
    <meta property="dcterms:conformsTo">EPUB Accessibility 1.1 - WCAG 2.2 Level AA</meta>
    <meta property="a11y:certifiedBy">Validator harness</meta>
"""

PACKAGE_OPF = """<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid"
         xml:lang="en">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="uid">urn:uuid:5b1c2f0e-3d4a-5e6f-8a9b-0c1d2e3f4a5b</dc:identifier>
    <dc:title>Validator harness book</dc:title>
    <dc:language>en</dc:language>
    <dc:creator>Test suite</dc:creator>
    <meta property="dcterms:modified">2025-01-01T00:00:00Z</meta>
{a11y}  </metadata>
  <manifest>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
    <item id="chapter" href="{chapter_href}" media-type="application/xhtml+xml"/>
  </manifest>
  <spine>
    <itemref idref="nav"/>
    <itemref idref="chapter"/>
  </spine>
</package>
"""

NAV_XHTML = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"
      lang="en" xml:lang="en">
<head><title>Contents</title></head>
<body>
  <nav epub:type="toc" role="doc-toc" id="toc" aria-labelledby="toc-title">
    <h1 id="toc-title">Contents</h1>
    <ol><li><a href="chapter.xhtml">About your medicine</a></li></ol>
  </nav>
  <nav epub:type="landmarks" id="landmarks" aria-labelledby="landmarks-title" hidden="">
    <h2 id="landmarks-title">Landmarks</h2>
    <ol>
      <li><a epub:type="toc" href="#toc">Contents</a></li>
      <li><a epub:type="bodymatter" href="chapter.xhtml">Start of content</a></li>
    </ol>
  </nav>
</body>
</html>
"""

#: Content defects only axe (run inside Ace) can find: a nameless button, faint text.
BAD_CONTENT = """\
      <p style="color: #bbbbbb; background: #ffffff">Faint text nobody can read.</p>
      <button type="button"></button>
"""

CHAPTER_XHTML = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"
      lang="en" xml:lang="en">
<head><title>About your medicine</title></head>
<body>
  <main>
    <section epub:type="chapter" role="doc-chapter" aria-labelledby="c1">
      <h1 id="c1">About your medicine</h1>
      <p>Take one tablet each morning with a glass of water.</p>
{extra}    </section>
  </main>
</body>
</html>
"""


def build_epub(
    dest: Path, *, a11y_metadata: bool = True, bad_href: bool = False, bad_content: bool = False
) -> Path:
    """Write a one-chapter EPUB 3 to ``dest``.

    ``a11y_metadata=False`` drops the schema.org accessibility metadata (valid EPUB,
    fails Ace's package checks); ``bad_content=True`` adds defects that only axe inside
    Ace reports; ``bad_href=True`` points the chapter's manifest item at a missing file
    (fails EPUBCheck).
    """
    opf = PACKAGE_OPF.format(
        a11y=A11Y_METADATA if a11y_metadata else "",
        chapter_href="missing-chapter.xhtml" if bad_href else "chapter.xhtml",
    )
    fixed = (2025, 1, 1, 0, 0, 0)
    with zipfile.ZipFile(dest, "w") as z:
        # mimetype first and stored (uncompressed), as OCF requires.
        z.writestr(
            zipfile.ZipInfo("mimetype", fixed),
            "application/epub+zip",
            compress_type=zipfile.ZIP_STORED,
        )
        for name, text in (
            ("META-INF/container.xml", CONTAINER_XML),
            ("EPUB/package.opf", opf),
            ("EPUB/nav.xhtml", NAV_XHTML),
            ("EPUB/chapter.xhtml", CHAPTER_XHTML.format(extra=BAD_CONTENT if bad_content else "")),
        ):
            z.writestr(zipfile.ZipInfo(name, fixed), text, compress_type=zipfile.ZIP_DEFLATED)
    return dest


@pytest.fixture(scope="module")
def epubs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The good EPUB and its broken variants."""
    d = tmp_path_factory.mktemp("epubs")
    return {
        "good": build_epub(d / "good.epub"),
        "no_a11y": build_epub(d / "no-a11y.epub", a11y_metadata=False),
        "bad_content": build_epub(d / "bad-content.epub", bad_content=True),
        "broken": build_epub(d / "broken.epub", bad_href=True),
    }


@pytest.fixture(scope="module", autouse=True)
def _browser():
    """One Chromium for the whole module; closed afterwards."""
    yield
    v.close_browser()


# --------------------------------------------------------------------------------------
# Tool lookup
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tool",
    [
        "java",
        "chromium",
        "playwright",
        "axe-core",
        "vnu",
        "epubcheck",
        "ace",
        "pdfinfo",
        "pdffonts",
    ],
)
def test_every_validator_is_installed(tool: str) -> None:
    assert v.require(tool).exists()


def test_missing_tool_is_an_error_not_a_skip(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(v, "VNU_JAR", FIXTURES / "no-such.jar")
    with pytest.raises(v.ToolMissingError, match="make test"):
        v.vnu(FIXTURES / "good.html")


# --------------------------------------------------------------------------------------
# axe-core in Chromium
# --------------------------------------------------------------------------------------


def test_axe_finds_violations_in_bad_page() -> None:
    ids = {x["id"] for x in v.axe_page(FIXTURES / "bad.html")}
    assert {"html-has-lang", "image-alt", "color-contrast"} <= ids


@pytest.mark.parametrize("width", [1280, 320])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_passes_good_page(width: int, scheme: str) -> None:
    violations = v.axe_page(FIXTURES / "good.html", width=width, color_scheme=scheme)
    assert violations == [], v.axe_summary(violations)


def test_axe_emulates_colour_scheme() -> None:
    page = FIXTURES / "dark-mode-bad.html"
    assert v.axe_page(page, color_scheme="light") == []
    assert {x["id"] for x in v.axe_page(page, color_scheme="dark")} == {"color-contrast"}


def test_browser_page_measures_reflow() -> None:
    width_js = "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    with v.browser_page(FIXTURES / "wide.html", width=320) as page:
        scroll, client = page.evaluate(width_js)
        assert client == 320 and scroll > client
    with v.browser_page(FIXTURES / "good.html", width=320) as page:
        scroll, client = page.evaluate(width_js)
        assert scroll <= client == 320


def test_requests_made_records_every_fetch_but_self_and_data() -> None:
    urls = v.requests_made(FIXTURES / "remote.html")
    assert set(urls) == {
        "https://cdn.example.com/leaflet.css",
        "https://fonts.example.com/remote.woff2",
        "https://tracker.example.com/pixel.gif",
        (FIXTURES / "local-missing.png").as_uri(),
    }
    assert v.requests_made(FIXTURES / "good.html") == []


# --------------------------------------------------------------------------------------
# Nu Html Checker
# --------------------------------------------------------------------------------------


def test_vnu_fails_and_passes() -> None:
    names = ["good.html", "bad.html", "good.xhtml", "bad.xhtml"]
    found = v.vnu_many([FIXTURES / n for n in names], include_warnings=True)
    by_name = {p.name: msgs for p, msgs in found.items()}
    # good.xhtml carries epub:type, which vnu alone would call an error.
    assert by_name["good.html"] == [], v.vnu_summary(by_name["good.html"])
    assert by_name["good.xhtml"] == [], v.vnu_summary(by_name["good.xhtml"])
    bad = by_name["bad.html"]
    assert any(m["type"] == "error" and "alt" in m["message"] for m in bad)
    assert any(m.get("subType") == "warning" and "lang" in m["message"] for m in bad)
    # bad.xhtml is not well-formed: the XML parser (picked by the extension) must say so.
    assert any(m.get("subType") == "fatal" for m in by_name["bad.xhtml"])


def test_vnu_single_document_reports_errors_only() -> None:
    messages = v.vnu(FIXTURES / "bad.html")
    assert messages, "vnu found nothing wrong in bad.html"
    assert all(m["type"] == "error" for m in messages), v.vnu_summary(messages)


# --------------------------------------------------------------------------------------
# EPUBCheck and DAISY Ace
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def epubcheck_results(epubs: dict[str, Path]) -> dict[str, dict]:
    """EPUBCheck on the good and broken EPUB, both JVMs at once (2 cores)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {k: pool.submit(v.epubcheck, epubs[k]) for k in ("good", "broken")}
        return {k: f.result() for k, f in futures.items()}


def test_epubcheck_passes_good_epub(epubcheck_results: dict[str, dict]) -> None:
    r = epubcheck_results["good"]
    assert (r["fatal"], r["error"], r["warning"]) == (0, 0, 0), v.epubcheck_summary(r)


def test_epubcheck_fails_broken_epub(epubcheck_results: dict[str, dict]) -> None:
    r = epubcheck_results["broken"]
    assert r["fatal"] + r["error"] >= 1, v.epubcheck_summary(r)
    assert "RSC-001" in {m["ID"] for m in r["messages"]}, v.epubcheck_summary(r)


def test_ace_fails_epub_without_a11y_metadata(epubs: dict[str, Path], tmp_path: Path) -> None:
    r = v.ace(epubs["no_a11y"], tmp_path / "ace")
    assert r["content_documents"] >= 1
    assert r["outcome"] == "fail"
    assert r["violations"], v.ace_summary(r)
    assert all(x["impact"] for x in r["violations"])
    assert any(x["rule"].startswith("metadata-") for x in r["violations"]), v.ace_summary(r)


def test_ace_runs_axe_on_content_documents(epubs: dict[str, Path], tmp_path: Path) -> None:
    r = v.ace(epubs["bad_content"], tmp_path / "ace")
    assert r["documents"] == ["nav.xhtml", "chapter.xhtml"]
    found = {(x["rule"], x["document"]) for x in r["violations"]}
    assert {("button-name", "chapter.xhtml"), ("color-contrast", "chapter.xhtml")} <= found, (
        v.ace_summary(r)
    )
    assert all(x["impact"] in {"minor", "moderate", "serious", "critical"} for x in r["violations"])


def test_ace_passes_good_epub(epubs: dict[str, Path], tmp_path: Path) -> None:
    r = v.ace(epubs["good"], tmp_path / "ace")
    assert r["content_documents"] >= 1
    assert r["violations"] == [], v.ace_summary(r)
    assert r["outcome"] == "pass"


def test_ace_report_without_content_documents_is_a_failure(tmp_path: Path) -> None:
    """A report with only Ace's package checks means axe never ran: never a pass."""
    report = {
        "earl:result": {"earl:outcome": "pass"},
        "assertions": [
            {"earl:testSubject": {"url": "EPUB/package.opf"}, "assertions": []},
            {"earl:testSubject": {"url": "/EPUB/nav.xhtml"}, "assertions": []},
        ],
    }
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    with pytest.raises(AssertionError, match="no content document"):
        v.read_ace_report(path)
