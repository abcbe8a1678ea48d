"""Property: whatever the Markdown and front matter, a build succeeds with valid outputs
or fails with clean ``file:line: rule: message`` lines — never a traceback, never a
partial output, never a stray temporary file.

Hypothesis generates guides from pieces real editors (and attackers) write: headings,
lists and quotes nested to random depths, tables, citations, images that exist or do
not, raw HTML that tries to script or load files, long words and addresses, random
Unicode and bytes, and front matter with missing, mistyped and unknown fields.
The runs are derandomised so a failure repeats; HTML-only builds keep them fast, and
a few full builds (PDF and EPUB too) go through the validators.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pikepdf
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from publish.cli import cli
from publish.manifest import MANIFEST_NAME, verify
from publish.output import TEMP_PREFIX
from tests.conftest import GOOD
from tests.validators import epubcheck, epubcheck_summary, vnu_many, vnu_summary

ERROR_LINE = re.compile(r"^[^\s:][^:]*(:\d+)?: (warning: )?[a-z][a-z0-9-]*: \S.*$")
RULE = re.compile(r": (?:warning: )?([a-z][a-z0-9-]*): ")
FORBIDDEN_TAGS = ("script", "iframe", "object", "embed", "base", "form", "link")

WORDS = ["You", "can", "take", "it", "at", "night", "Ask", "your", "doctor", "the", "dose",
         "is", "4.5 mg", "LDN", "a", "low", "help", "pain", "sleep", "tell", "us", "now",
         "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3, "é", "日本語", "مرحبا",
         "\u200b", "\u202e", "&amp;", "&", "<", ">", "\\", "|", "#", "*", "_", "`"]
SAFE_INLINE = ["**bold words**", "*slanted*", "`code`", "[the team's page](https://example.org/x)",
               "https://example.org/" + "long/" * 30, "<u>under</u>", "<span>ok</span>",
               '<a rel="attachment" href="file:///etc/passwd">attached</a>',
               "<script>alert(1)</script>", '<a href="javascript:alert(1)">run</a>',
               "[text](javascript:alert(1))", "![A blue circle](images/moon.svg)",
               "![](images/moon.svg){: .decorative }", "{: #an-id }", "[", "]", "[x",
               "<!-- note -->", "<b onclick=alert(1)>bold</b>"]
"""Inline pieces a guide may hold: some are removed (with a raw-html warning), none fails."""
BAD_INLINE = ["[click here](https://example.org/y)", "[@S1]", "[@S1; @S2]", "[@missing]",
              '<img src="file:///etc/hostname" alt="Host">', "![A chart](images/missing.png)",
              "![A chart](../outside.svg)", "![A chart](http://127.0.0.1:9/x.png)",
              "![moon.svg](images/moon.svg)", "![](images/moon.svg)"]
"""Inline pieces that fail a check (unless the front matter lists the cited sources)."""
INLINE = SAFE_INLINE + BAD_INLINE
RAW_BLOCKS = ['<iframe src="http://127.0.0.1:9/"></iframe>',
              '<link rel="stylesheet" href="http://127.0.0.1:9/s.css">',
              '<meta http-equiv="refresh" content="0;url=http://127.0.0.1:9/">',
              '<object data="file:///etc/passwd"></object>', '<base href="http://x/">',
              "<div><p>A block of HTML.</p></div>", "<table><tr><td>cell</td></tr></table>",
              '<svg><image href="file:///etc/passwd"/></svg>',
              "<style>p { background: url(http://127.0.0.1:9/bg.png) }</style>"]

pieces = st.one_of(st.sampled_from(WORDS), st.sampled_from(WORDS), st.sampled_from(WORDS),
                   st.sampled_from(SAFE_INLINE), st.sampled_from(SAFE_INLINE),
                   st.sampled_from(BAD_INLINE))
sentences = st.lists(pieces, min_size=1, max_size=8).map(lambda w: " ".join(w) + ".")
paragraphs = st.lists(sentences, min_size=1, max_size=3).map(" ".join)


@st.composite
def headings(draw: st.DrawFn) -> str:
    level = draw(st.sampled_from([2, 2, 2, 2, 3, 1, 4, 6]))
    text = draw(st.lists(st.sampled_from(WORDS[:22]), min_size=0, max_size=5))
    ident = draw(st.sampled_from(["", " {#key-facts}", " {#about}", " {#same}"]))
    return "#" * level + " " + " ".join(text) + ident


@st.composite
def lists(draw: st.DrawFn) -> str:
    deep = st.integers(0, 18) if draw(st.integers(0, 5)) == 0 else st.integers(0, 3)
    items = draw(st.lists(st.tuples(deep, sentences), min_size=1, max_size=6))
    marker = draw(st.sampled_from(["-", "*", "1."]))
    return "\n".join("    " * depth + f"{marker} {text}" for depth, text in items)


@st.composite
def quotes(draw: st.DrawFn) -> str:
    deep = st.integers(1, 20) if draw(st.integers(0, 5)) == 0 else st.integers(1, 3)
    return "> " * draw(deep) + draw(sentences)


@st.composite
def tables(draw: st.DrawFn) -> str:
    columns = draw(st.integers(1, 4))
    rows = draw(st.lists(st.lists(st.sampled_from(WORDS[:22] + SAFE_INLINE[:5]), min_size=columns,
                                  max_size=columns), min_size=0, max_size=4))
    caption = draw(st.sampled_from(["", "Table: What is compared\n\n"]))
    head = "| " + " | ".join(f"Column {i}" for i in range(columns)) + " |"
    rule = draw(st.sampled_from(["|" + "---|" * columns, ""]))
    body = ["| " + " | ".join(row) + " |" for row in rows]
    return caption + "\n".join(filter(None, [head, rule, *body]))


blocks = st.one_of(
    paragraphs, paragraphs, paragraphs, headings(), lists(), quotes(), tables(),
    st.sampled_from(RAW_BLOCKS), st.just("```\ncode <b>not</b> [@S1]\n```"), st.just("---"),
    st.text(max_size=60), st.just("Some text.\n===========")
)

FIELD_VALUES: dict[str, Any] = {
    "version": st.one_of(st.just("1.0"), st.just(1.0), st.integers()),
    "status": st.sampled_from(["draft", "approved", "Draft", 3]),
    "dir": st.sampled_from(["ltr", "rtl", "up"]),
    "description": st.one_of(sentences, st.none(), st.lists(st.text(max_size=5))),
    "last_reviewed": st.one_of(st.dates(), st.just("25/11/2026"), st.text(max_size=8)),
    "published": st.dates(),
    "next_review": st.dates(),
    "authors": st.one_of(st.lists(st.text(min_size=1, max_size=10), max_size=2),
                         st.text(max_size=10)),
    "sources": st.one_of(
        st.just([{"id": "S1", "title": "One", "year": 2024, "doi": "10.1000/1"},
                 {"id": "S2", "title": "Two", "url": "https://example.org/2"}]),
        st.just([{"id": "S1", "title": "One", "url": "file:///etc/passwd"}]),
        st.just([{"id": "S1"}]), st.just("S1")),
    "publisher": st.one_of(st.just({"name": "A team", "url": "https://example.org"}),
                           st.just({"name": "A team", "logo": "x"}), st.text(max_size=10)),
    "titel": st.text(max_size=5),
    "review_notes": st.one_of(st.lists(sentences, max_size=2), st.integers()),
}


VALID_FIELDS: dict[str, Any] = {
    "version": st.just("1.0"), "description": sentences, "published": st.dates(),
    "review_notes": st.lists(sentences, min_size=1, max_size=2),
}


@st.composite
def front_matter(draw: st.DrawFn, title: str) -> str:
    """Valid about half of the time; otherwise one to three things wrong with it."""
    data: dict[str, Any] = {"title": title, "lang": draw(st.sampled_from(["en", "en-GB"]))}
    for name in draw(st.lists(st.sampled_from(sorted(VALID_FIELDS)), max_size=3, unique=True)):
        data[name] = draw(VALID_FIELDS[name])
    if draw(st.booleans()):
        for name in draw(st.lists(st.sampled_from(sorted(FIELD_VALUES)), min_size=1,
                                  max_size=3, unique=True)):
            data[name] = draw(FIELD_VALUES[name])
        if draw(st.integers(0, 3)) == 0:
            data.pop(draw(st.sampled_from(["title", "lang"])))
        if draw(st.integers(0, 3)) == 0:
            data["lang"] = draw(st.sampled_from(["ar", "English", "x", "", 5]))
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return draw(st.sampled_from([text] * 8 + [text + "broken: [\n", "- not a mapping\n"]))


@st.composite
def guides(draw: st.DrawFn) -> bytes:
    """A whole guide file, usually well formed, sometimes broken at the byte level."""
    title = draw(st.sampled_from(["A short test", "Take it at night", "ÄÖÜ 日本"]))
    h1 = draw(st.sampled_from([f"# {title}"] * 6 + ["# Another title", ""]))
    body = "\n\n".join([h1, *draw(st.lists(blocks, min_size=1, max_size=10))])
    text = f"---\n{draw(front_matter(title))}---\n{body}\n"
    data = text.encode("utf-8", "surrogatepass")
    mangle = draw(st.sampled_from([""] * 12 + ["bom", "crlf", "bytes", "nul", "empty"]))
    if mangle == "bom":
        data = b"\xef\xbb\xbf" + data
    elif mangle == "crlf":
        data = data.replace(b"\n", b"\r\n")
    elif mangle == "bytes":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
    elif mangle == "nul":
        data += b"\x00"
    elif mangle == "empty":
        data = draw(st.sampled_from([b"", b"---\n---\n", b"---\ntitle: T\nlang: en\n---\n"]))
    return data


def _folder(root: Path, data: bytes) -> tuple[Path, Path]:
    """The guide beside a real image, and an output folder holding a previous build."""
    src = root / "src"
    (src / "images").mkdir(parents=True)
    shutil.copy(GOOD / "images" / "moon.svg", src / "images" / "moon.svg")
    shutil.copy(GOOD / "images" / "moon.svg", root / "outside.svg")
    (src / "guide.md").write_bytes(data)
    out = root / "out"
    out.mkdir()
    for name in ("guide.html", "guide.pdf", "guide.epub", MANIFEST_NAME):
        (out / name).write_bytes(f"previous {name}".encode())
    return src / "guide.md", out


def _build(source: Path, out: Path, *formats: str) -> tuple[int, str, BaseException | None]:
    options = [item for fmt in formats for item in ("--format", fmt)]
    result = CliRunner().invoke(cli, ["build", str(source), "--out", str(out), "--quiet",
                                      "--no-cache", "--jobs", "1", *options])
    uncaught = None if isinstance(result.exception, SystemExit | None) else result.exception
    return result.exit_code, result.stderr, uncaught


def _snapshot(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def _assert_outcome(code: int, stderr: str, uncaught: BaseException | None,
                    out: Path, before: dict[str, bytes]) -> bool:
    """The shared property; returns whether the build succeeded."""
    assert uncaught is None, repr(uncaught)
    assert code in (0, 1), (code, stderr)
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert all(ERROR_LINE.match(line) for line in lines), lines
    assert not list(out.glob(f"{TEMP_PREFIX}*"))
    event("built" if code == 0 else "failed: " + " ".join(sorted(
        {m.group(1) for m in map(RULE.search, lines) if m})))
    if code == 1:
        assert lines, "a failed build must say why"
        assert _snapshot(out) == before, "a failed build changed the outputs"
        return False
    assert all(line.startswith("OK ") for line in verify(out))
    return True


def _assert_page(path: Path) -> None:
    """A built page: one h1, a language, nothing that runs or loads."""
    tree = lxml_html.fromstring(path.read_bytes())
    assert tree.get("lang")
    assert len(tree.xpath("//h1")) == 1
    assert not tree.xpath(" | ".join(f"//{tag}" for tag in FORBIDDEN_TAGS))
    assert not tree.xpath("//@*[starts-with(name(), 'on')]")
    assert not tree.xpath("//@href[starts-with(., 'javascript:') or starts-with(., 'file:')]")
    assert not tree.xpath("//img[not(starts-with(@src, 'data:'))]")
    assert b"root:x:0:0" not in path.read_bytes()


@settings(max_examples=100, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=guides())
def test_html_build_succeeds_or_fails_cleanly(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source, out = _folder(Path(tmp), data)
        before = _snapshot(out)
        code, stderr, uncaught = _build(source, out, "html")
        if _assert_outcome(code, stderr, uncaught, out, before):
            _assert_page(out / "guide.html")
            assert (out / "guide.pdf").read_bytes() == before["guide.pdf"]


@settings(max_examples=3, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(blocks=st.lists(st.one_of(paragraphs, lists(), tables(), st.sampled_from(RAW_BLOCKS)),
                       min_size=1, max_size=6))
def test_full_build_gives_valid_outputs_or_fails_cleanly(blocks: list[str]) -> None:
    """Every format, then the validators on whatever was built."""
    body = "\n\n".join(["# A short test", "## Key facts {#key-facts}", *blocks])
    data = f"---\ntitle: A short test\nlang: en-GB\n---\n{body}\n".encode()
    with tempfile.TemporaryDirectory() as tmp:
        source, out = _folder(Path(tmp), data)
        before = _snapshot(out)
        code, stderr, uncaught = _build(source, out)
        if not _assert_outcome(code, stderr, uncaught, out, before):
            return
        _assert_page(out / "guide.html")
        errors = vnu_many([out / "guide.html"])[(out / "guide.html").resolve()]
        assert errors == [], vnu_summary(errors)
        report = epubcheck(out / "guide.epub")
        assert report["fatal"] == report["error"] == report["warning"] == 0, \
            epubcheck_summary(report)
        with zipfile.ZipFile(out / "guide.epub") as book:
            assert book.namelist()[0] == "mimetype"
        for name in ("guide.pdf", "guide-large-print.pdf"):
            with pikepdf.open(out / name) as pdf:
                assert pdf.Root.MarkInfo.Marked
                assert "/EmbeddedFiles" not in pdf.Root.get("/Names", {})


VALID_INLINE = [p for p in SAFE_INLINE if p != "{: #an-id }"]  # one id, not one per paragraph
"""Inline pieces that never fail a check: some are removed, with a raw-html warning."""
valid_sentences = st.lists(st.one_of(st.sampled_from(WORDS[:22]), st.sampled_from(VALID_INLINE)),
                           min_size=1, max_size=6).map(lambda w: " ".join(w) + ".")
VALID_RAW = [b for b in RAW_BLOCKS if not b.startswith("<table")]  # a table needs a header


@st.composite
def valid_lists(draw: st.DrawFn) -> str:
    items = draw(st.lists(st.tuples(st.integers(0, 2), valid_sentences), min_size=1,
                          max_size=3))
    depth = 0
    lines = []
    for wanted, text in items:  # each item at most one level below the one before
        depth = min(wanted, depth + 1)
        lines.append("    " * depth + f"- {text}")
    return "\n".join(lines)


valid_blocks = st.one_of(valid_sentences, valid_lists(), st.sampled_from(VALID_RAW),
                         st.just("```\ncode <b>not</b> [@S1] [[[\n```"),
                         st.just("Table: What is compared\n\n| A | B |\n|---|---|\n| 1 | 2 |"))


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(blocks=st.lists(valid_blocks, min_size=1, max_size=3),
       lang=st.sampled_from(["en", "en-GB"]))
def test_a_valid_guide_builds(blocks: list[str], lang: str) -> None:
    """The other side of the property: input that breaks no rule must build. Without it, a
    check that wrongly failed every guide would pass the properties above."""
    body = "\n\n".join(["# A short test", "## Key facts {#key-facts}", *blocks])
    data = f"---\ntitle: A short test\nlang: {lang}\n---\n{body}\n".encode()
    with tempfile.TemporaryDirectory() as tmp:
        source, out = _folder(Path(tmp), data)
        before = _snapshot(out)
        code, stderr, uncaught = _build(source, out, "html")
        assert _assert_outcome(code, stderr, uncaught, out, before), stderr
        _assert_page(out / "guide.html")
