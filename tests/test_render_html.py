"""The screen renderers' markup and CSS, read back statically: the page and the fragment.

``test_html_browser.py`` checks how the outputs behave in a browser; these check what
they are: landmarks, headings, names, links, the scoped stylesheet, the heading base,
and that no raw HTML a guide may contain survives into any output.
"""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
import zipfile
from itertools import pairwise
from pathlib import Path

import pikepdf
import pytest
import tinycss2
from click.testing import CliRunner
from lxml import html as lxml_html
from lxml.html import HtmlElement
from tinycss2 import ast

from publish.build import build
from publish.cli import cli
from publish.errors import ContentError, RenderError
from publish.model import Document
from publish.parse import parse
from publish.render import RenderContext, RenderOptions
from publish.render.embed import PREFIX, ROOT_CLASS, scope_css
from publish.render.html import EmbedRenderer, HtmlRenderer
from publish.render.words import KEEP_WORDS_CLASS, NORMAL_WORDS_CLASS
from tests.conftest import ROOT as REPO
from tests.conftest import SHIPPED_GUIDE

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "html"
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
ROOT = f"{PREFIX}{ROOT_CLASS}"
ID_REFERENCES = ("aria-labelledby", "aria-describedby", "headers")


@pytest.fixture(scope="module")
def doc() -> Document:
    return parse(SHIPPED_GUIDE)


def render(doc: Document, base: int = 1) -> dict[str, bytes]:
    ctx = RenderContext(doc, RenderOptions(heading_base=base))
    return {**HtmlRenderer().render(ctx), **EmbedRenderer().render(ctx)}


@pytest.fixture(scope="module")
def files(doc: Document) -> dict[str, bytes]:
    return render(doc)


@pytest.fixture(scope="module")
def page(files: dict[str, bytes]) -> HtmlElement:
    return lxml_html.document_fromstring(files["guide.html"])


def fragment_root(text: bytes) -> HtmlElement:
    """The fragment must be exactly one element (a comment inside it is fine)."""
    parts = lxml_html.fragments_fromstring(text.decode())
    assert len(parts) == 1 and isinstance(parts[0], HtmlElement), parts
    return parts[0]


@pytest.fixture(scope="module")
def fragment(files: dict[str, bytes]) -> HtmlElement:
    return fragment_root(files["guide.embed.html"])


def levels(tree: HtmlElement) -> list[tuple[int, str]]:
    return [(int(h.tag[1]), " ".join(h.text_content().split())) for h in tree.iter(*HEADINGS)]


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def assert_inert(tree: HtmlElement) -> None:
    """No script, handler, script URL, embedded document, form or remote resource.

    The one ``<link>`` allowed names the guide's page in another language
    (``rel="alternate" hreflang``), which a browser never fetches: exactly that rel,
    an ``hreflang`` and a relative ``.html`` address of a page beside this one.
    """
    banned = {"script", "iframe", "frame", "object", "embed", "form", "input", "button",
              "textarea", "select", "base", "svg", "math", "audio", "video", "source"}
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        assert el.tag not in banned, lxml_html.tostring(el)[:80]
        if el.tag == "link":
            assert el.get("rel") == "alternate" and el.get("hreflang"), el.attrib
            assert re.fullmatch(r"[\w.-]+\.html", el.get("href", "")), el.attrib
            assert set(el.attrib) == {"rel", "hreflang", "href"}, el.attrib
        assert el.tag != "meta" or el.get("http-equiv", "").lower() != "refresh"
        assert not [a for a in el.attrib if a.lower().startswith("on")], el.attrib
        assert "style" not in el.attrib, el.attrib
        for name in ("href", "src", "srcset", "action", "data", "poster", "background"):
            url = re.sub(r"\s", "", el.get(name, "")).lower()
            assert not url.startswith(("javascript:", "vbscript:", "file:")), url
            if name != "href":
                assert not url or url.startswith("data:"), url  # nothing loaded from anywhere


def assert_links_resolve(tree: HtmlElement) -> None:
    ids = [el.get("id") for el in tree.iter() if isinstance(el.tag, str) and el.get("id")]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for el in tree.iter("a"):
        href = el.get("href", "")
        if href.startswith("#"):
            assert href[1:] in ids, href
    for el in tree.iter():
        for name in ID_REFERENCES:
            for ref in (el.get(name) or "").split() if isinstance(el.tag, str) else ():
                assert ref in ids, (name, ref)


# --------------------------------------------------------------------------------------
# The standalone page
# --------------------------------------------------------------------------------------


def test_page_document(page: HtmlElement, doc: Document) -> None:
    assert page.get("lang") == doc.meta.lang == "en-GB" and page.get("dir") == "ltr"
    assert page.findtext(".//title") == doc.meta.title
    assert [t for _, t in levels(page) if _ == 1] == [doc.meta.title]
    body = page.find("body")
    skip = body[0]
    assert skip.tag == "a" and skip.get("href") == "#main"
    assert len(page.findall(".//header")) == len(page.findall(".//main")) == 1
    assert len(page.findall(".//footer")) == 1
    wrapper = body[1]
    assert wrapper.get("class") == ROOT_CLASS
    assert [el.tag for el in wrapper] == ["header", "main", "footer"]
    assert wrapper.find("main").get("id") == "main"


def test_page_headings_never_skip(page: HtmlElement) -> None:
    found = levels(page)
    assert found[0][0] == 1
    assert all(b[0] <= a[0] + 1 for a, b in pairwise(found))
    for h in page.iter(*HEADINGS):
        assert h.get("class") == f"heading-{h.tag[1]}"  # sizes follow the guide's level


def test_key_facts_come_first_as_the_only_named_region(page: HtmlElement) -> None:
    main = page.find(".//main")
    assert [el.tag for el in main][:2] == ["h1", "p"]
    sections = main.findall("section")
    key_facts = sections[0]
    assert "key-facts" in key_facts.get("class").split()
    label = page.get_element_by_id(key_facts.get("aria-labelledby"))
    assert label.text_content() == "Key facts" and label.getparent() is key_facts
    assert key_facts.getnext().tag == "nav"  # the contents list follows the key facts
    assert [s for s in main.iter("section") if s.get("aria-labelledby")] == [key_facts]


def test_contents_list(page: HtmlElement, doc: Document) -> None:
    nav = page.find(".//nav[@aria-labelledby='toc-title']")
    assert page.get_element_by_id(nav.get("aria-labelledby")).text_content() == "Contents"
    targets = [a.get("href")[1:] for a in nav.iter("a")]
    assert targets == [h.id for h in doc.headings if h.level == 2]


def test_page_links_and_names_resolve(page: HtmlElement) -> None:
    assert_links_resolve(page)


def test_page_is_inert_and_self_contained(page: HtmlElement) -> None:
    assert_inert(page)
    styles = page.findall(".//style")
    assert len(styles) == 1 and styles[0].getparent().tag == "head"


def test_page_policy_allows_exactly_its_own_style(page: HtmlElement) -> None:
    policy = page.find(".//meta[@http-equiv='Content-Security-Policy']").get("content")
    style = page.find(".//style").text
    assert policy.startswith("default-src 'none'; ")
    assert f"style-src {csp_hash(style)};" in policy
    assert "unsafe" not in policy and "http" not in policy


def test_page_is_deterministic(doc: Document, files: dict[str, bytes]) -> None:
    assert render(doc) == files


# --------------------------------------------------------------------------------------
# The fragment
# --------------------------------------------------------------------------------------


def test_fragment_is_one_element_with_language(fragment: HtmlElement, doc: Document) -> None:
    assert fragment.tag == "article"
    assert fragment.get("class") == ROOT
    assert (fragment.get("lang"), fragment.get("dir")) == (doc.meta.lang, doc.meta.dir)
    title = fragment.get_element_by_id(fragment.get("aria-labelledby"))
    # doses are joined by a no-break space in every output ("4.5\u00a0mg")
    assert " ".join(title.text_content().split()) == doc.meta.title


def test_fragment_says_what_the_page_says(fragment: HtmlElement, page: HtmlElement) -> None:
    def words(el: HtmlElement) -> str:
        return " ".join(el.text_content().split())

    assert words(fragment.find_class(f"{PREFIX}content")[0]) == words(page.find(".//main"))
    assert words(fragment.find("footer")) == words(page.find(".//footer"))


def test_fragment_names_are_prefixed(fragment: HtmlElement) -> None:
    named = [el for el in fragment.iter() if isinstance(el.tag, str)]
    ids = [el.get("id") for el in named if el.get("id")]
    classes = [c for el in named for c in (el.get("class") or "").split()]
    assert len(ids) > 50 and len(classes) > 50
    assert [i for i in ids if not i.startswith(PREFIX)] == []
    assert [c for c in classes if not c.startswith(PREFIX)] == []
    assert_links_resolve(fragment)


def test_fragment_is_inert(fragment: HtmlElement) -> None:
    assert_inert(fragment)
    styles = list(fragment.iter("style"))
    assert styles == [fragment.find("style")]


@pytest.mark.parametrize("base", [1, 2, 3])
def test_heading_base(doc: Document, page: HtmlElement, base: int) -> None:
    tree = fragment_root(render(doc, base)["guide.embed.html"])
    found = levels(tree)
    assert found[0] == (base, doc.meta.title)
    assert [lvl for lvl, _ in found].count(base) == 1
    assert min(lvl for lvl, _ in found) == base
    assert found == [(lvl + base - 1, text) for lvl, text in levels(page)]
    assert all(b[0] <= a[0] + 1 for a, b in pairwise(found))


def test_heading_base_beyond_h6_is_an_error() -> None:
    deep = parse(FIXTURES / "deep-headings.md")
    two = fragment_root(render(deep, 2)["deep-headings.embed.html"])
    assert [lvl for lvl, _ in levels(two)] == [2, 3, 4, 5, 6, 3]  # + "Guide details"
    with pytest.raises(RenderError) as caught:
        render(deep, 3)
    message = str(caught.value.format_message())
    assert message.startswith(f"{Path('tests/fixtures/html/deep-headings.md')}:21: "
                              "render-embed: 'Fifth level' would become a level-7 heading")


def test_cli_heading_base(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["build", str(SHIPPED_GUIDE), "--out", str(tmp_path), "-f",
                                 "embed", "--heading-base", "2", "--no-cache", "-q"])
    assert result.exit_code == 0, result.output
    names = {p.name for p in tmp_path.iterdir()}
    assert {"guide.embed.css", "guide.embed.html"} <= names
    assert not names & {"guide.html", "guide.pdf", "guide.epub"}
    tree = fragment_root((tmp_path / "guide.embed.html").read_bytes())
    assert levels(tree)[0][0] == 2
    assert runner.invoke(cli, ["build", "--heading-base", "4"]).exit_code == 2


# --------------------------------------------------------------------------------------
# The fragment's stylesheet
# --------------------------------------------------------------------------------------


def walk_rules(rules: list[object]) -> list[object]:
    found: list[object] = []
    for rule in rules:
        found.append(rule)
        if isinstance(rule, ast.AtRule) and rule.lower_at_keyword == "media":
            found += walk_rules(tinycss2.parse_rule_list(rule.content, True, True))
    return found


def test_fragment_style_is_the_css_file(files: dict[str, bytes],
                                        fragment: HtmlElement) -> None:
    css = files["guide.embed.css"].decode()
    assert fragment.find("style").text == css
    notice = next(c for c in fragment.iter() if not isinstance(c.tag, str)).text
    assert f"style-src {csp_hash(css)};" in notice


def test_embed_css_is_scoped_under_the_root(files: dict[str, bytes]) -> None:
    """Every selector starts at the root; every name is prefixed; nothing else is global."""
    rules = walk_rules(tinycss2.parse_stylesheet(files["guide.embed.css"].decode(),
                                                 True, True))
    selectors, declarations, families = [], [], []
    for rule in rules:
        if isinstance(rule, ast.QualifiedRule):
            selectors += [s.strip() for s in tinycss2.serialize(rule.prelude).split(",")]
            declarations += tinycss2.parse_declaration_list(rule.content, True, True)
        else:
            assert rule.lower_at_keyword in ("media", "font-face"), rule.lower_at_keyword
            if rule.lower_at_keyword == "font-face":
                face = tinycss2.parse_declaration_list(rule.content, True, True)
                families += [t.value for d in face if d.lower_name == "font-family"
                             for t in d.value if t.type == "string"]
    assert len(selectors) > 50
    assert [s for s in selectors if not re.match(rf"\.{ROOT}(?![\w-])", s)] == []
    # Atkinson, and the project's Arabic subset for the Arabic translation's name (switcher)
    assert [re.sub(r" [0-9a-f]{8}$", "", f) for f in families] == \
        [f"{PREFIX}Atkinson Hyperlegible"] * 2 + [f"{PREFIX}Noto Naskh Arabic"] * 2
    custom = [d.name for d in declarations if d.name.startswith("--")]
    assert len(custom) > 20 and [n for n in custom if not n.startswith(f"--{PREFIX}")] == []

    def tokens(nodes: list[object]) -> list[object]:
        return [t for n in nodes for t in [n, *tokens(getattr(n, "arguments", []) or [])]]

    for decl in declarations:
        used = tokens(decl.value)
        names = [t.value for t in used if t.type == "ident" and t.value.startswith("--")]
        assert [n for n in names if not n.startswith(f"--{PREFIX}")] == [], decl.name
        if decl.name != f"--{PREFIX}rem":  # rem follows the fragment's floor, not the host
            assert not [t for t in used if t.type == "dimension" and t.lower_unit == "rem"]


def test_scope_css() -> None:
    css = """:root { --size: 1.5rem; --rem: max(1rem, 16px); }
@font-face { font-family: "Face"; src: url(data:font/woff2;base64,AA==) format("woff2"); }
@page { margin: 2cm; }
*, *::before { box-sizing: border-box; }
html { font-family: "Face", serif; } body { font-size: var(--size); }
.guide { max-width: 40rem; }
.toc a:not(.current), #top > p { color: var(--link, #000); }
@media print { .toc { display: none !important; } }
"""
    assert scope_css(css, "x-") == (
        ".x-guide { --x-size: calc(1.5 * var(--x-rem)); --x-rem: max(1rem, 16px); }\n"
        '@font-face { font-family: "x-Face"; src: url(data:font/woff2;base64,AA==) '
        'format("woff2"); }\n'
        ".x-guide, .x-guide *, .x-guide::before, .x-guide *::before "
        "{ box-sizing: border-box; }\n"
        '.x-guide { font-family: "x-Face", serif; }\n'
        ".x-guide { font-size: var(--x-size); }\n"
        ".x-guide { max-width: calc(40 * var(--x-rem)); }\n"
        ".x-guide .x-toc a:not(.x-current), .x-guide #x-top > p "
        "{ color: var(--x-link, #000); }\n"
        "@media print {\n.x-guide .x-toc { display: none !important; }\n}\n")


# --------------------------------------------------------------------------------------
# Raw HTML in a guide: nothing active survives into any output
# --------------------------------------------------------------------------------------

PAYLOAD = re.compile(r"alert|document\.cookie|evil\.example|form-input|@import", re.I)


def test_hostile_raw_html_survives_in_no_output(tmp_path: Path) -> None:
    source = FIXTURES / "hostile-raw.md"
    result = build(source, tmp_path)
    names = {p.name for p in tmp_path.iterdir()}
    assert {"hostile-raw-large-print.pdf", "hostile-raw.embed.css", "hostile-raw.embed.html",
            "hostile-raw.epub", "hostile-raw.html", "hostile-raw.pdf"} <= names

    # Every line that carries a payload is reported, at its line, as a raw-html warning.
    lines = source.read_text(encoding="utf-8").splitlines()
    expected = {n for n, line in enumerate(lines, 1) if PAYLOAD.search(line)
                or re.search(r"<(?!p>)\w", line)}
    reported = {d.line for d in result.warnings if d.rule == "raw-html"}
    assert reported == expected

    documents = {"html": (tmp_path / "hostile-raw.html").read_text(encoding="utf-8"),
                 "embed": (tmp_path / "hostile-raw.embed.html").read_text(encoding="utf-8")}
    with zipfile.ZipFile(tmp_path / "hostile-raw.epub") as epub:
        for name in epub.namelist():
            if name.endswith((".xhtml", ".html", ".css", ".opf", ".ncx")):
                documents[name] = epub.read(name).decode("utf-8")
    for name, text in documents.items():
        assert not PAYLOAD.search(text), (name, PAYLOAD.search(text))
        assert "javascript:" not in text.lower(), name
        if name == "embed":
            assert_inert(fragment_root(text.encode()))
        elif name.endswith(("html", "xhtml")) and "nav" not in name:
            tree = lxml_html.document_fromstring(text.encode())
            assert not [el for el in tree.iter() if isinstance(el.tag, str)
                        and [a for a in el.attrib if a.lower().startswith("on")]], name
            assert not [el for el in tree.iter("script", "iframe", "object", "embed",
                                               "form", "input", "base")], name
    assert "This sentence stays" in documents["html"]

    for pdf_name in ("hostile-raw.pdf", "hostile-raw-large-print.pdf"):
        pdf_path = tmp_path / pdf_name
        text = subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "This sentence stays" in " ".join(text.split())
        assert not PAYLOAD.search(text), pdf_name
        with pikepdf.open(pdf_path) as pdf:
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Dictionary):
                    assert not {"/JS", "/JavaScript", "/Launch", "/EmbeddedFiles"} \
                        & set(obj.keys()), pdf_name
                    uri = str(obj.get("/URI", ""))
                    assert not PAYLOAD.search(uri) and "javascript" not in uri.lower()


def test_hostile_raw_html_stops_a_strict_build(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as caught:
        build(FIXTURES / "hostile-raw.md", tmp_path / "out", ["html"],
              options=RenderOptions(strict=True))
    assert "hostile-raw.md:11: warning: raw-html: removed HTML" in str(caught.value)
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------------------
# Words kept whole (Korean: its table says keep_words)
# --------------------------------------------------------------------------------------

KOREAN = REPO / "tests" / "fixtures" / "languages" / "ko.md"


def keep_all_selectors(css: str) -> list[str]:
    """Selectors of the rules that set ``word-break: keep-all``, one by one."""
    return [selector.strip() for rule in walk_rules(
        tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
        if isinstance(rule, ast.QualifiedRule) and re.search(
            r"word-break:\s*keep-all", tinycss2.serialize(rule.content))
        for selector in tinycss2.serialize(rule.prelude).split(",")]


def test_korean_page_and_fragment_keep_words_whole() -> None:
    """A Korean guide's page and fragment break lines only between words (``word-break:
    keep-all`` from its root), except inside a passage in another language (the English
    source title); an English guide has neither class."""
    files = render(parse(KOREAN))
    page = lxml_html.document_fromstring(files["ko.html"])
    assert page.get("class") == KEEP_WORDS_CLASS
    css = page.find(".//style").text
    assert f".{KEEP_WORDS_CLASS}" in keep_all_selectors(css)
    english = [el for el in page.iter() if el.get("lang") == "en"]
    assert english and all(NORMAL_WORDS_CLASS in el.get("class", "").split()
                           for el in english if el.getparent().get("lang") != "en")
    fragment = fragment_root(files["ko.embed.html"])
    assert fragment.get("class") == f"{ROOT} {PREFIX}{KEEP_WORDS_CLASS}"
    # The scoped rule reaches the fragment's root itself, not only what is inside it.
    assert f".{ROOT}.{PREFIX}{KEEP_WORDS_CLASS}" in keep_all_selectors(
        files["ko.embed.css"].decode())
    english_files = render(parse(SHIPPED_GUIDE))
    for tree in (lxml_html.document_fromstring(english_files["guide.html"]),
                 fragment_root(english_files["guide.embed.html"])):
        classes = {c for el in tree.iter() if isinstance(el.tag, str)
                   for c in el.get("class", "").split()}
        assert not {KEEP_WORDS_CLASS, NORMAL_WORDS_CLASS,
                    PREFIX + KEEP_WORDS_CLASS, PREFIX + NORMAL_WORDS_CLASS} & classes
