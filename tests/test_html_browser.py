"""The screen outputs in a real browser: the page and the fragment inside a hostile host.

Everything runs in Debian's headless Chromium through ``tests/validators.py`` (one
browser for the module, a fresh offline context per check) on the shipped guide:
axe-core for WCAG 2.0–2.2 A/AA in light and dark themes at 1280 and 320 CSS px, reflow
and 200 % text, focus, target sizes, reduced motion, print, requests, Nu Html Checker.
The fragment is pasted into ``tests/fixtures/html/hostile-host.html``, whose CSS
attacks bare elements, and must look exactly as it does on its own page while leaving
the host's own elements exactly as they were.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from publish.parse import parse
from publish.render import RenderContext, RenderOptions
from publish.render.embed import PREFIX, ROOT_CLASS
from publish.render.html import EmbedRenderer
from tests import validators as v
from tests.conftest import SHIPPED_GUIDE

HOST = Path(__file__).resolve().parent / "fixtures" / "html" / "hostile-host.html"
PLACEHOLDER = "<!-- GUIDE -->"
ROOT = f".{PREFIX}{ROOT_CLASS}"
HEADING_BASE = 2  # the host keeps its own h1
AXE_TAGS = (*v.WCAG_TAGS, "best-practice")

# Every element with its own text, as [selector path, font size in px].
TEXT_SIZES_JS = """(root) => {
  const found = [];
  for (const el of root.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const style = getComputedStyle(el);
    if (own && style.display !== 'none') found.push([el.tagName, parseFloat(style.fontSize)]);
  }
  return found;
}"""

# Computed styles of every element under ``root`` (in document order), for comparing the
# fragment in a host with the same guide on its own page.
LOOK_JS = """([root, props]) => [...document.querySelector(root)
  .querySelectorAll('*:not(style)')]
  .map(el => { const s = getComputedStyle(el);
               return [el.tagName, ...props.map(p => s.getPropertyValue(p))]; })"""

LOOK = ("font-size", "font-weight", "font-style", "font-family", "line-height", "color",
        "background-color", "display", "margin-top", "margin-bottom", "padding-left",
        "text-align", "text-transform", "letter-spacing", "word-spacing", "text-indent",
        "white-space", "visibility", "list-style-type", "border-top-width", "float",
        "text-decoration-line", "outline-style")

# Every computed property of every host element outside the guide, keyed by a path.
# The guide is where the host's GUIDE comment was (the comment stays when it is absent).
HOST_STYLES_JS = """(root) => {
  const guide = document.querySelector(root);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_COMMENT);
  let slot = guide;
  while (!slot && walker.nextNode())
    if (walker.currentNode.textContent.trim() === 'GUIDE') slot = walker.currentNode;
  const path = el => { const parts = [];
    for (let e = el; e && e.parentElement; e = e.parentElement)
      parts.unshift(e.tagName + ':' + [...e.parentElement.children]
        .filter(c => !c.matches(root)).indexOf(e));
    return parts.join('/'); };
  const out = {};
  for (const el of document.querySelectorAll('*')) {
    if (guide && guide.contains(el)) continue;
    const encloses = el.contains(slot);
    for (const pseudo of [null, '::before', '::after', '::marker']) {
      const s = getComputedStyle(el, pseudo);
      const values = {};
      for (const name of s) {
        // An ancestor of the guide is taller with it inside: only its size may change.
        if (encloses && /^(height|block-size|perspective-origin|transform-origin)$/
            .test(name)) continue;
        values[name] = s.getPropertyValue(name);
      }
      out[path(el) + (pseudo || '')] = values;
    }
  }
  return JSON.stringify(out);  // one string: much faster out of the browser than objects
}"""

CLIPPED_JS = """() => [...document.querySelectorAll('body *')].filter(el => {
  const s = getComputedStyle(el);
  const hides = v => v === 'hidden' || v === 'clip';
  return (hides(s.overflowX) && el.scrollWidth > el.clientWidth + 1) ||
         (hides(s.overflowY) && el.scrollHeight > el.clientHeight + 1);
}).map(el => el.tagName + '.' + el.className)"""


# Elements matching a selector whose content is wider than they are.
OVERFLOWING_JS = """(selector) => [...document.querySelectorAll(selector)]
  .filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.className)"""


@dataclass(frozen=True)
class Host:
    """The hostile host page without the guide, with it, and with it under a strict CSP."""

    without: Path
    with_guide: Path
    strict_csp: Path
    linked_css: Path
    fragment: str


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.fixture(scope="module")
def page(shipped_build: Path) -> Path:
    return shipped_build / "guide.html"


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Host:
    """Host pages around the shipped guide's fragment (headings from h2)."""
    ctx = RenderContext(parse(SHIPPED_GUIDE), RenderOptions(heading_base=HEADING_BASE))
    files = EmbedRenderer().render(ctx)
    fragment = files["guide.embed.html"].decode()
    folder = tmp_path_factory.mktemp("host")
    (folder / "guide.embed.css").write_bytes(files["guide.embed.css"])
    text = HOST.read_text(encoding="utf-8")
    assert PLACEHOLDER in text

    def write(name: str, guide: str, head: str = "") -> Path:
        path = folder / name
        path.write_text(text.replace(PLACEHOLDER, guide).replace("</title>", "</title>" + head),
                        encoding="utf-8")
        return path

    # A strict host allows its own style and exactly what the fragment says it needs.
    needs = re.search(r"Content-Security-Policy it needs: (.*?) - or", fragment)
    assert needs, "the fragment does not state the CSP it needs"
    own = _hash(re.search(r"<style>(.*?)</style>", text, re.S).group(1))
    policy = needs.group(1).replace("style-src ", f"style-src {own} ")
    linked = f"default-src 'none'; style-src 'self' {own}; img-src data:; font-src data:"
    without_style = re.sub(r"<style>.*?</style>", "", fragment, count=1, flags=re.S)
    return Host(
        without=write("without.html", PLACEHOLDER),
        with_guide=write("with.html", fragment),
        strict_csp=write("strict.html", fragment,
                         f'<meta http-equiv="Content-Security-Policy" content="{policy}">'),
        linked_css=write("linked.html", without_style,
                         f'<meta http-equiv="Content-Security-Policy" content="{linked}">'
                         '<link rel="stylesheet" href="guide.embed.css">'),
        fragment=fragment,
    )


@pytest.fixture(scope="module", autouse=True)
def one_browser() -> Iterator[None]:
    """One Chromium for the whole module, closed at the end."""
    v.shared_browser()
    yield
    v.close_browser()


@pytest.fixture(scope="module", autouse=True)
def nu_checked(page: Path, host: Host,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[Future[dict]]:
    """Nu Html Checker on the page and on the fragment in a minimal document.

    Started first, in a thread, so its JVM runs while the browser tests run.
    """
    wrapped = tmp_path_factory.mktemp("vnu") / "fragment.html"
    wrapped.write_text('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
                       f"<title>Fragment</title></head><body>\n{host.fragment}</body></html>\n",
                       encoding="utf-8")
    with ThreadPoolExecutor(max_workers=1) as pool:
        yield pool.submit(v.vnu_many, [page, wrapped])


# --------------------------------------------------------------------------------------
# The standalone page
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [1280, 320])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_page_has_no_axe_violations(page: Path, width: int, scheme: v.ColorScheme) -> None:
    """WCAG 2.0–2.2 A and AA, and axe's best practices too (landmarks, heading order)."""
    violations = v.axe_page(page, width=width, color_scheme=scheme, tags=AXE_TAGS)
    assert violations == [], v.axe_summary(violations)


def test_dark_theme_is_really_dark(page: Path) -> None:
    """Otherwise the dark-theme axe run above would check the light theme twice."""
    colours = {}
    for scheme in ("light", "dark"):
        with v.browser_page(page, color_scheme=scheme) as tab:
            colours[scheme] = tab.evaluate(
                "() => [getComputedStyle(document.body).backgroundColor,"
                " getComputedStyle(document.querySelector('main p')).color]")
    assert colours["light"] == ["rgb(255, 255, 255)", "rgb(26, 26, 26)"]
    assert colours["dark"] == ["rgb(18, 18, 18)", "rgb(242, 242, 242)"]


def test_page_reflows_at_320_px(page: Path) -> None:
    """320 CSS px is 1280 px at 400 % zoom (WCAG 1.4.10): no horizontal scrolling."""
    with v.browser_page(page, width=320, height=640) as tab:
        assert tab.evaluate("document.documentElement.scrollWidth") <= 320
        assert tab.evaluate(CLIPPED_JS) == []
        # The guide's table fits too, rather than scrolling sideways in its region.
        assert tab.evaluate(OVERFLOWING_JS, ".table-wrap") == []


@pytest.mark.parametrize("width", [1280, 320])
def test_text_resizes_to_200_percent(page: Path, width: int) -> None:
    """Text at 200 % (the reader's font-size setting, WCAG 1.4.4): bigger, nothing lost."""
    with v.browser_page(page, width=width) as tab:
        before = tab.evaluate("parseFloat(getComputedStyle(document.querySelector('main p'))"
                              ".fontSize)")
        tab.evaluate("document.documentElement.style.fontSize = '200%'")
        after = tab.evaluate("parseFloat(getComputedStyle(document.querySelector('main p'))"
                             ".fontSize)")
        assert after == pytest.approx(2 * before)
        assert tab.evaluate("document.documentElement.scrollWidth") <= width
        assert tab.evaluate(CLIPPED_JS) == []


def test_focus_is_always_visible(page: Path) -> None:
    """Tab through the whole page: every stop has a 3 px outline and is on screen.

    Reduced motion, so the browser scrolls each stop into view at once, not smoothly.
    """
    with v.browser_page(page, width=1280, height=800, reduced_motion="reduce") as tab:
        stops = []
        for _ in range(400):
            tab.keyboard.press("Tab")
            state = tab.evaluate("""() => { const el = document.activeElement;
                if (!el || el === document.body) return null;
                const s = getComputedStyle(el); const r = el.getBoundingClientRect();
                return {what: el.outerHTML.slice(0, 80), style: s.outlineStyle,
                        width: parseFloat(s.outlineWidth),
                        onScreen: r.bottom > 0 && r.top < innerHeight && r.width > 0}; }""")
            if state is None or (stops and state["what"] == stops[0]["what"]):
                break
            stops.append(state)
        assert len(stops) > 20, "too few focus stops: is the page keyboard-navigable?"
        assert stops[0]["what"].startswith('<a href="#main" class="skip-link"')
        hidden = [s for s in stops if s["style"] == "none" or s["width"] < 3
                  or not s["onScreen"]]
        assert hidden == []


def test_targets_are_at_least_24_px(page: Path) -> None:
    """Links that stand alone (contents, citations, back links): 24 × 24 CSS px or more."""
    with v.browser_page(page, width=320) as tab:
        sizes = tab.evaluate("""() => [...document.querySelectorAll(
            '.toc a, .citation, .backlink')].map(a => { const r = a.getBoundingClientRect();
            return [a.textContent, r.width, r.height]; })""")
    assert len(sizes) > 10
    assert [s for s in sizes if s[1] < 24 or s[2] < 24] == []


@pytest.mark.parametrize(("motion", "behaviour"), [("reduce", "auto"),
                                                   ("no-preference", "smooth")])
def test_reduced_motion_is_respected(page: Path, motion: str, behaviour: str) -> None:
    with v.browser_page(page, reduced_motion=motion) as tab:  # type: ignore[arg-type]
        assert tab.evaluate("getComputedStyle(document.documentElement).scrollBehavior") \
            == behaviour


def test_print_stylesheet(page: Path) -> None:
    """Printing from the browser: no navigation, black on white even in dark mode, URLs out."""
    with v.browser_page(page, color_scheme="dark") as tab:
        tab.emulate_media(media="print")
        printed = tab.evaluate("""() => {
            const s = sel => getComputedStyle(document.querySelector(sel));
            const external = [...document.querySelectorAll('main a[href^="http"]')]
                .find(a => !a.closest('.sources'));
            return {toc: s('.toc').display, skip: s('.skip-link').display,
                    colour: s('main p').color, background: s('body').backgroundColor,
                    size: s('main p').fontSize, keyFacts: s('.key-facts').backgroundColor,
                    after: getComputedStyle(external, '::after').content,
                    href: external.href};
        }""")
    assert printed["toc"] == printed["skip"] == "none"
    assert printed["colour"] == "rgb(0, 0, 0)"
    assert printed["background"] == printed["keyFacts"] == "rgb(255, 255, 255)"
    assert float(printed["size"][:-2]) == pytest.approx(14 * 96 / 72, abs=0.1)  # 14 pt
    assert printed["href"].rstrip("/") in printed["after"]


def test_page_loads_nothing(page: Path) -> None:
    assert v.requests_made(page) == []


def test_page_uses_its_own_fonts(page: Path) -> None:
    """The typefaces are inlined as data and really used (no silent fallback): Atkinson
    Hyperlegible for the guide, and the project's Noto Naskh Arabic subset for the one
    Arabic word, the Arabic translation's name in the language switcher (its bold face
    is declared too; the browser loads it only if something bold needs it)."""
    with v.browser_page(page) as tab:
        faces = tab.evaluate("""() => [...document.fonts]
            .map(f => [f.family.replace(/"/g, '').replace(/ [0-9a-f]{8}$/, ''), f.weight,
                       f.status])""")
        arabic = tab.evaluate("""() => document.fonts.check(
            '16px "' + [...document.fonts].find(f => f.family.includes('Naskh')).family
                .replace(/"/g, '') + '"', 'العربية')""")
    status = {(family, weight): state for family, weight, state in faces}
    assert set(status) == {("Atkinson Hyperlegible", "400"), ("Atkinson Hyperlegible", "700"),
                           ("Noto Naskh Arabic", "400"), ("Noto Naskh Arabic", "700")}
    assert status[("Atkinson Hyperlegible", "400")] == "loaded"
    assert status[("Atkinson Hyperlegible", "700")] == "loaded"
    assert status[("Noto Naskh Arabic", "400")] == "loaded"
    assert "error" not in status.values() and arabic


def test_nu_html_checker(nu_checked: Future[dict]) -> None:
    """vnu: 0 errors for the page and for the fragment in a minimal document."""
    found = nu_checked.result()
    assert [p.name for p in found] == ["guide.html", "fragment.html"]
    for messages in found.values():
        assert messages == [], v.vnu_summary(messages)


# --------------------------------------------------------------------------------------
# The fragment inside a hostile host page
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "scheme"), [(1280, "light"), (320, "dark")])
def test_fragment_in_hostile_host_has_no_axe_violations(host: Host, width: int,
                                                        scheme: v.ColorScheme) -> None:
    with v.browser_page(host.with_guide, width=width, color_scheme=scheme) as tab:
        violations = v.axe_run(tab, context=ROOT, tags=AXE_TAGS)
        overflowing = tab.evaluate(OVERFLOWING_JS, f"{ROOT}, {ROOT} :not(.{PREFIX}table-wrap)")
    assert violations == [], v.axe_summary(violations)
    # It reflows inside the host's column, even at 320 px. Only a table may scroll, inside
    # its own labelled, focusable region, when the host's column is narrower still.
    assert overflowing == []


def test_fragment_keeps_its_text_size_in_hostile_host(host: Host) -> None:
    """The host shrinks its root to 62.5 % and sets 9 px on p and li: the guide ignores it."""
    with v.browser_page(host.with_guide) as tab:
        sizes = tab.evaluate(f"() => ({TEXT_SIZES_JS})(document.querySelector('{ROOT}'))")
    assert len(sizes) > 50
    assert [s for s in sizes if s[1] < 16] == []


def test_fragment_looks_the_same_in_hostile_host_as_on_its_page(page: Path,
                                                                host: Host) -> None:
    """Element by element, the guide's computed style inside the hostile host equals the
    standalone page's: font, size, colour, spacing, display, case, list markers …"""
    for scheme in ("light", "dark"):
        with v.browser_page(page, color_scheme=scheme) as tab:
            alone = tab.evaluate(LOOK_JS, [".guide", list(LOOK)])
        with v.browser_page(host.with_guide, color_scheme=scheme) as tab:
            hosted = tab.evaluate(LOOK_JS, [ROOT, list(LOOK)])
        assert len(alone) == len(hosted) > 100
        for own, there in zip(alone, hosted, strict=True):
            there = [x.replace(f'"{PREFIX}', '"') for x in there]  # prefixed font family
            assert dict(zip(LOOK, there[1:], strict=True)) == \
                dict(zip(LOOK, own[1:], strict=True)), (scheme, own[0], there[0])


def test_host_elements_are_unchanged_by_the_guide(host: Host) -> None:
    """Every computed property of every host element (and its pseudo-elements) is the
    same with and without the guide on the page."""
    styles = []
    for path in (host.without, host.with_guide):
        with v.browser_page(path) as tab:
            styles.append(json.loads(tab.evaluate(HOST_STYLES_JS, ROOT)))
    without, with_guide = styles
    assert len(without) > 20
    assert without.keys() == with_guide.keys()
    changed = {el: {p: (without[el][p], with_guide[el].get(p)) for p in without[el]
                    if without[el][p] != with_guide[el].get(p)} for el in without}
    assert {el: c for el, c in changed.items() if c} == {}


@pytest.mark.parametrize("variant", ["strict_csp", "linked_css"])
def test_fragment_under_strict_csp(host: Host, variant: str) -> None:
    """A host whose CSP allows only what the fragment says it needs: no violation, styled.

    ``strict_csp`` keeps the inline style, allowed by the hash the fragment states;
    ``linked_css`` removes it and links guide.embed.css (``style-src 'self'``).
    """
    path = getattr(host, variant)
    with v.browser_page(None) as tab:
        messages: list[str] = []
        tab.on("console", lambda m: messages.append(m.text))
        tab.goto(path.as_uri(), wait_until="load")
        tab.evaluate("document.fonts.ready.then(() => true)")
        styled = tab.evaluate(f"""() => [
            getComputedStyle(document.querySelector('{ROOT} p')).fontSize,
            getComputedStyle(document.querySelector('{ROOT}')).backgroundColor,
            [...document.fonts].filter(f => f.status === 'loaded'
                                       && f.family.includes('Atkinson')).length,
            [...document.fonts].filter(f => f.status === 'error').length]""")
    assert [m for m in messages if "Content Security Policy" in m] == []
    # Atkinson 400 and 700 loaded; no face (the Arabic subset included) blocked by the CSP
    assert styled == ["18px", "rgb(255, 255, 255)", 2, 0]


def test_fragment_in_host_loads_nothing(host: Host) -> None:
    assert v.requests_made(host.with_guide) == []
