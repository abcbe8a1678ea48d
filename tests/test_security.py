"""Hostile and broken input: one clear error line each, nothing leaked, no network.

The corpus in tests/fixtures/hostile/ holds one guide per way a guide can be
wrong or malicious. Each says in its front matter what it must produce::

    # expect: <rule> <line>
    # message: <the exact message after "rule: ">

Adding a fixture adds a test. Cases that cannot live in a committed file
(empty files, bad bytes, symlinks, pipes) are built in a temporary folder.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import re
import shutil
import subprocess
import threading
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from click.testing import CliRunner
from lxml import etree
from lxml import html as lxml_html

from publish.build import build, check
from publish.cli import cli
from publish.diagnostics import display_path
from publish.errors import PublishError, RenderError, SourceError
from publish.frontmatter import MAX_SOURCE_BYTES
from publish.parse import parse
from publish.render import RenderContext, RenderOptions, renderer
from publish.resources import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS
from tests.conftest import GOOD, ROOT
from tests.validators import requests_made

HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
EXPECT = re.compile(r"^# expect: (\S+) (\d+)$", re.MULTILINE)
MESSAGE = re.compile(r"^# message: (.+)$", re.MULTILINE)
ERROR_LINE = re.compile(r"^[^\s:][^:]*(:\d+)?: [a-z][a-z0-9-]*: \S.*$")
"""``file[:line]: rule: message`` — the one shape every user-facing error has."""
PASSWD = Path("/etc/passwd").read_bytes().split(b"\n", 1)[0]
SIMPLE_TEXT = "This text is short and clear."


def run_cli(*args: str, cache: Path) -> tuple[int, str, BaseException | None]:
    """The command line in this process: exit code, stderr, and any uncaught exception."""
    result = CliRunner().invoke(cli, list(args), env={"PUBLISH_CACHE_DIR": str(cache)})
    uncaught = result.exception if not isinstance(result.exception, SystemExit) else None
    return result.exit_code, result.stderr, uncaught


def assert_clean_failure(code: int, stderr: str, uncaught: BaseException | None,
                         expected: str) -> None:
    """Exit 1, no traceback, every line a ``file:line: rule: message`` line, one of them ours."""
    assert uncaught is None, repr(uncaught)
    assert code == 1, stderr
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert lines and all(ERROR_LINE.match(line) for line in lines), lines
    assert expected in lines, lines


def guide(folder: Path, body: str, front: str = "", name: str = "guide.md") -> Path:
    """A guide with a draft front matter and ``body`` after its title."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"---\ntitle: A short test\nlang: en\n{front}---\n# A short test\n\n"
                    f"{SIMPLE_TEXT}\n\n{body}\n", encoding="utf-8")
    return path


# --- the corpus -------------------------------------------------------------------------

@pytest.mark.parametrize("path", sorted(HOSTILE.glob("*.md")), ids=lambda p: p.stem)
def test_hostile_fixture_fails_with_its_exact_error(path: Path, tmp_path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    expect, message = EXPECT.search(text), MESSAGE.search(text)
    assert expect and message, f"{path.name} needs '# expect:' and '# message:' lines"
    rule, line = expect.group(1), int(expect.group(2))
    out = tmp_path / "out"
    code, stderr, uncaught = run_cli("build", str(path), "--out", str(out),
                                     cache=tmp_path / "cache")
    assert_clean_failure(code, stderr, uncaught,
                         f"{display_path(path)}:{line}: {rule}: {message.group(1)}")
    assert not out.exists() or not any(out.iterdir())


def test_every_refusal_rule_has_a_fixture() -> None:
    """The rules publish.resources and the source limits can raise are all in the corpus."""
    covered = {EXPECT.search(p.read_text(encoding="utf-8")).group(1)
               for p in HOSTILE.glob("*.md")}
    assert {"image-missing", "image-outside", "image-remote", "image-type", "image-unsafe",
            "source-too-deep", "source-too-complex", "front-matter-yaml",
            "front-matter-field", "front-matter-unclosed"} <= covered


# --- inputs that cannot be committed as fixtures -----------------------------------------

def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


FRONT = b"---\ntitle: A short test\nlang: en\n---\n"
BROKEN_FILES: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "1: source-empty: the file is empty; start with front matter (---, title:, "
                   "lang:, ---) and a # heading"),
    "blank": (b"  \n\n\t\n", "1: source-empty: the file is empty; start with front matter "
                             "(---, title:, lang:, ---) and a # heading"),
    "only-front-matter": (FRONT + b"\n\n", "4: source-empty: the guide has front matter but "
                                           "no body; add a # heading and the text"),
    "invalid-utf8": (FRONT + b"# A short test\n\nCaf\xe9 au lait.\n",
                     f"7: source-encoding: byte 0xe9 at offset {len(FRONT) + 19} is not "
                     "UTF-8; save the file as UTF-8"),
    "nul-byte": (FRONT + b"# A short test\n\nText\x00.\n",
                 "7: source-encoding: contains a NUL character; this is not a text file"),
    "no-front-matter": (b"# A short test\n\nText.\n",
                        "1: front-matter-missing: the file must start with a line '---', then "
                        "YAML front matter (title, lang), then '---'"),
    "yaml-not-mapping": (b"---\n- a list\n---\n# A short test\n\nText.\n",
                         "2: front-matter-yaml: front matter must be a mapping of "
                         "'field: value' lines"),
    "too-large": (FRONT + b"# A short test\n\n" + b"Words and more words.\n" * 100_000,
                  f": source-too-large: the file is over the limit of {MAX_SOURCE_BYTES} "
                  "bytes (2 MiB); a patient guide is far smaller, so split it or remove what "
                  "does not belong"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_FILES))
def test_broken_file_fails_with_one_clear_line(case: str, tmp_path: Path) -> None:
    data, tail = BROKEN_FILES[case]
    path = _write(tmp_path / f"{case}.md", data)
    code, stderr, uncaught = run_cli("build", str(path), "--out", str(tmp_path / "out"),
                                     cache=tmp_path / "cache")
    where = display_path(path) + ("" if tail.startswith(":") else ":")
    assert_clean_failure(code, stderr, uncaught, f"{where}{tail}")
    assert len(stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_missing_folder_and_pipe_sources(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    cases = {
        tmp_path / "nope.md": "source-missing: no such file; pass the path of a guide (.md)",
        fifo: "source-unreadable: is not a regular file (a pipe or a device?); pass the path "
              "of a guide (.md)",
    }
    for path, tail in cases.items():
        code, stderr, uncaught = run_cli("check", str(path), cache=tmp_path / "cache")
        assert_clean_failure(code, stderr, uncaught, f"{display_path(path)}: {tail}")


def test_unreadable_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root can read any file, so the permission error is injected where the file is opened."""
    path = guide(tmp_path, "")
    real_open = Path.open

    def refuse(self: Path, *args: object, **kwargs: object):
        if self == path.resolve():
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(SourceError) as caught:
        check(path)
    assert caught.value.format_message() == (
        f"{display_path(path.resolve())}: source-unreadable: cannot read the file "
        "(Permission denied); check its permissions")


def test_bom_and_crlf_build(tmp_path: Path) -> None:
    source = guide(tmp_path, "- One item.\n- Two items.")
    raw = source.read_bytes().replace(b"\n", b"\r\n")
    source.write_bytes(b"\xef\xbb\xbf" + raw)
    result = build(source, tmp_path / "out", ["html"])
    page = (tmp_path / "out" / "guide.html").read_text(encoding="utf-8")
    assert "\ufeff" not in page and "\r" not in page
    assert [h.text for h in result.doc.headings][:1] == ["A short test"]


# --- confinement: files outside the guide's folder ----------------------------------------

def test_symlinks_out_of_the_source_folder_are_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(GOOD / "images" / "moon.svg", outside / "moon.svg")
    folder = tmp_path / "guide"
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "linked.svg").symlink_to(outside / "moon.svg")
    (folder / "etc").symlink_to("/etc", target_is_directory=True)
    (folder / "images" / "loop.svg").symlink_to(folder / "images" / "loop.svg")
    source = guide(folder, "![A moon](images/linked.svg)\n\n![The passwords](etc/passwd)\n\n"
                           "![A loop](images/loop.svg)")
    code, stderr, uncaught = run_cli("build", str(source), "--out", str(tmp_path / "out"),
                                     cache=tmp_path / "cache")
    where = display_path(source)
    outside_msg = ("points outside the guide's folder (through '..', an absolute path or a "
                   "symlink); copy the file into the folder beside the guide")
    assert_clean_failure(code, stderr, uncaught,
                         f"{where}:9: image-outside: 'images/linked.svg' {outside_msg}")
    assert f"{where}:11: image-outside: 'etc/passwd' {outside_msg}" in stderr
    assert f"{where}:13: image-outside: 'images/loop.svg' {outside_msg}" in stderr
    assert not (tmp_path / "out").exists()


def test_a_symlink_inside_the_folder_is_fine(tmp_path: Path) -> None:
    folder = tmp_path / "guide"
    (folder / "images").mkdir(parents=True)
    shutil.copy(GOOD / "images" / "moon.svg", folder / "images" / "moon.svg")
    (folder / "images" / "same.svg").symlink_to(folder / "images" / "moon.svg")
    build(guide(folder, "![A blue circle](images/same.svg)"), tmp_path / "out", ["html"])
    assert "data:image/svg+xml;base64," in (tmp_path / "out" / "guide.html").read_text()


def test_huge_images_are_refused(tmp_path: Path) -> None:
    """A small file can hold a huge picture (a decompression bomb); a big file is big."""
    from PIL import Image

    folder = tmp_path / "guide"
    (folder / "images").mkdir(parents=True)
    Image.new("1", (8000, 6000)).save(folder / "images" / "bomb.png")
    assert (folder / "images" / "bomb.png").stat().st_size < 100_000
    with (folder / "images" / "big.gif").open("wb") as handle:
        handle.write(b"GIF89a")
        handle.truncate(MAX_IMAGE_BYTES + 1)
    source = guide(folder, "![A grey square](images/bomb.png)\n\n![A grey square](images/big.gif)")
    code, stderr, uncaught = run_cli("check", str(source), cache=tmp_path / "cache")
    where = display_path(source)
    assert_clean_failure(code, stderr, uncaught,
                         f"{where}:9: image-too-large: 'bomb.png' has more than "
                         f"{MAX_IMAGE_PIXELS} pixels; make it smaller")
    assert (f"{where}:11: image-too-large: 'big.gif' is {MAX_IMAGE_BYTES + 1} bytes, over the "
            f"limit of {MAX_IMAGE_BYTES}; make it smaller") in stderr.splitlines()


# --- the network: a local server that must never be asked for anything ---------------------

class _CountingServer(http.server.HTTPServer):
    """Records every connection, whatever protocol or method it then speaks."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
        self.connections: list[str] = []

    def process_request(self, request: Any, client_address: Any) -> None:
        self.connections.append(str(client_address))
        super().process_request(request, client_address)


@pytest.fixture
def local_server() -> Iterator[tuple[str, list[str]]]:
    """A server on 127.0.0.1 only, recording every connection; stopped after the test."""
    server = _CountingServer()
    server.timeout = 1
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.connections
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_the_local_server_does_count(local_server: tuple[str, list[str]]) -> None:
    """The zero-requests assertions below mean something only if a request is seen."""
    url, requests = local_server
    with contextlib.suppress(urllib.error.URLError):
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # direct
        opener.open(f"{url}/probe", timeout=5).close()
    assert len(requests) == 1


REMOTE_HTML = """\
<link rel="stylesheet" href="{url}/style.css">
<link rel="attachment" href="file:///etc/passwd">
<a rel="attachment" href="file:///etc/passwd">Attached file</a>
<a rel="attachment" href="{url}/attached.txt">Attached remote file</a>
<base href="{url}/">
<meta http-equiv="refresh" content="0; url={url}/refresh">
<iframe src="{url}/frame"></iframe>
<object data="{url}/object"></object>
<embed src="{url}/embed">
<audio src="{url}/audio"></audio>
<video poster="{url}/poster.png"></video>
<style>@import url({url}/import.css); p {{ background: url({url}/bg.png); }}</style>
<p style="background-image: url({url}/inline.png)">A styled paragraph.</p>
<img src="images/moon.svg" srcset="{url}/srcset.png 2x" alt="A blue circle">
<svg><image href="{url}/svg.png"/></svg>
<form action="{url}/form"><input name="q"></form>
<script src="{url}/script.js"></script>

See [the team's page]({url}/page) for more.
"""


@pytest.fixture
def stripped_build(tmp_path: Path, local_server: tuple[str, list[str]]) -> Path:
    """Every output of a guide full of raw HTML that tries to load or attach files."""
    url, requests = local_server
    source = guide(tmp_path / "guide", REMOTE_HTML.format(url=url))
    shutil.copytree(GOOD / "images", tmp_path / "guide" / "images")
    out = tmp_path / "out"
    build(source, out)
    assert requests == []
    return out


def test_remote_images_are_refused_and_never_fetched(
        tmp_path: Path, local_server: tuple[str, list[str]]) -> None:
    url, requests = local_server
    source = guide(tmp_path / "guide", f"![A chart]({url}/chart.png)\n\n"
                                       f'<img src="{url}/raw.png" alt="A raw chart">')
    code, stderr, uncaught = run_cli("build", str(source), "--out", str(tmp_path / "out"),
                                     cache=tmp_path / "cache")
    where = display_path(source)
    tail = ("is not a file in the guide's folder and the build never reads from the network; "
            "download the file into the guide's folder and refer to it by its path")
    assert_clean_failure(code, stderr, uncaught,
                         f"{where}:9: image-remote: '{url}/chart.png' {tail}")
    assert f"{where}:11: image-remote: '{url}/raw.png' {tail}" in stderr
    assert requests == []


def test_nothing_dangerous_reaches_any_output(stripped_build: Path) -> None:
    """No attachment, <link>, <base>, <meta http-equiv>, frame, object, embed or script."""
    html = (stripped_build / "guide.html").read_bytes()
    documents = {"guide.html": html}
    with zipfile.ZipFile(stripped_build / "guide.epub") as book:
        documents |= {n: book.read(n) for n in book.namelist() if n.endswith(".xhtml")}
    for name, data in documents.items():
        tree = lxml_html.fromstring(data) if name.endswith(".html") else \
            etree.fromstring(data)
        tags = {etree.QName(el).localname for el in tree.iter() if isinstance(el.tag, str)}
        assert not tags & {"base", "iframe", "object", "embed", "script", "form",
                           "input", "audio", "video"}, (name, tags)
        # The EPUB's own stylesheet, inside the book, is the only <link>.
        links = [(el.get("rel"), el.get("href")) for el in tree.iter()
                 if isinstance(el.tag, str) and etree.QName(el).localname == "link"]
        assert all(link == ("stylesheet", "style/guide.css") for link in links), (name, links)
        assert not links or name.startswith("EPUB/"), name
        assert not tree.xpath("//*[@rel='attachment' or @srcset or @poster or @action]"), name
        assert b"127.0.0.1" not in data.replace(b'href="http://127.0.0.1', b""), name
        assert PASSWD not in data
        equivs = tree.xpath("//*[local-name()='meta'][@http-equiv]")
        # The page's own Content-Security-Policy is the only http-equiv allowed.
        assert [m.get("http-equiv") for m in equivs] == (
            ["Content-Security-Policy"] if name == "guide.html" else []), name


def test_no_pdf_has_an_attachment_or_a_local_file(stripped_build: Path) -> None:
    for pdf_path in sorted(stripped_build.glob("*.pdf")):
        with pikepdf.open(pdf_path) as pdf:
            assert "/EmbeddedFiles" not in pdf.Root.get("/Names", {}), pdf_path.name
            for page in pdf.pages:
                for annot in page.get("/Annots", []):
                    assert annot.get("/Subtype") != "/FileAttachment", pdf_path.name
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Stream):
                    assert PASSWD not in obj.read_bytes(), pdf_path.name


def test_the_page_requests_nothing_in_a_browser(stripped_build: Path) -> None:
    assert requests_made(stripped_build / "guide.html") == []


def test_pdf_fetcher_refuses_what_the_checks_never_saw(
        tmp_path: Path, local_server: tuple[str, list[str]]) -> None:
    """Defence in depth: a model altered after the checks still cannot reach a file or
    the network, because WeasyPrint's every fetch goes through the confined fetcher."""
    url, requests = local_server
    attacks = {
        "attachment": lxml_html.fragment_fromstring(
            '<p><a rel="attachment" href="file:///etc/passwd">passwords</a></p>'),
        "remote attachment": lxml_html.fragment_fromstring(
            f'<p><a rel="attachment" href="{url}/x.txt">remote</a></p>'),
        "stylesheet": lxml_html.fragment_fromstring(
            f'<div><link rel="stylesheet" href="{url}/style.css"><p>Styled.</p></div>'),
        "object": lxml_html.fragment_fromstring(
            '<p><object data="file:///etc/hostname" type="text/plain"></object></p>'),
    }
    for name, element in attacks.items():
        doc = parse(GOOD / "minimal.md")
        doc.body.append(element)
        ctx = RenderContext(doc, RenderOptions(pdf_variants=("standard",)))
        with pytest.raises(RenderError) as caught:
            renderer("pdf").render(ctx)
        assert caught.value.format_message().startswith("render-pdf: '"), name
        assert "guide's folder" in caught.value.format_message(), name
    assert requests == []


def test_front_matter_links_must_be_web_addresses(tmp_path: Path) -> None:
    source = guide(tmp_path, "", front="publisher:\n  name: A team\n  url: file:///etc/passwd\n")
    with pytest.raises(PublishError) as caught:
        check(source)
    assert caught.value.format_message() == (
        f"{display_path(source.resolve())}:4: front-matter-field: publisher: "
        "'file:///etc/passwd' is not a web address; write it in full, starting with https://")


# --- extremely long words and addresses wrap inside the page -----------------------------

LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 4
LONG_URL = "https://example.org/" + "a-very-long-path-segment/" * 8 + "end.html"
LONG_BODY = f"""\
A sentence with {LONG_WORD} in it.

Find it at {LONG_URL} today.

- A list item with {LONG_WORD} in it.
    - A nested item with {LONG_URL} in it.

> A quote with {LONG_WORD} in it.

See [{LONG_WORD}](https://example.org/page) for the details.

## A heading with {LONG_WORD}

Text after the heading.

Table: A table with long words

| Word | Address |
|------|---------|
| {LONG_WORD} | {LONG_URL} |

```
code {LONG_WORD}
```
"""


def _words(pdf: Path) -> list[tuple[float, float, str]]:
    """(xMin, xMax, text) of every word pdftotext finds, with the page width last seen."""
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed"
    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                           check=True, timeout=120).stdout
    tree = etree.fromstring(xhtml, etree.XMLParser(recover=True))
    words = tree.xpath("//*[local-name()='word']")
    return [(float(w.get("xMin")), float(w.get("xMax")), w.text or "") for w in words]


def test_long_words_and_addresses_wrap_inside_the_page(tmp_path: Path) -> None:
    """Nothing runs past the right margin, whose edge the right-aligned page number marks."""
    out = tmp_path / "out"
    build(guide(tmp_path / "guide", LONG_BODY), out, ["pdf"])
    for name in ("guide.pdf", "guide-large-print.pdf"):
        words = _words(out / name)
        with pikepdf.open(out / name) as pdf:
            width = float(pdf.pages[0].mediabox[2])
        margin_edge = max(x_max for _, x_max, text in words if re.fullmatch(r"\d+", text))
        assert margin_edge < width - 20, (name, margin_edge)
        pieces = [w for w in words if w[2] and (w[2] in LONG_WORD or w[2] in LONG_URL)]
        assert len(pieces) > 10, (name, "the long words are not in the PDF", pieces[:3])
        beyond = [(round(x_max, 1), text[:30]) for _, x_max, text in words
                  if x_max > margin_edge + 0.5]
        assert beyond == [], (name, f"right margin at {margin_edge:.1f} pt", beyond)


@pytest.mark.parametrize("ref", ["/etc/passwd", "../../../etc/passwd", "../outside.yaml"])
def test_rules_file_outside_the_guide_folder_is_refused(tmp_path: Path, ref: str) -> None:
    (tmp_path / "outside.yaml").write_text("required_sections: []\n", encoding="utf-8")
    path = guide(tmp_path / "guide", "Text.", front=f"rules: {ref}\n")
    with pytest.raises(SourceError) as caught:
        check(path)
    assert caught.value.diagnostic.rule == "rules-file"
    assert "outside the guide's folder" in caught.value.diagnostic.message


def test_rules_file_beside_the_guide_that_links_outside_is_refused(tmp_path: Path) -> None:
    (tmp_path / "outside.yaml").write_text("sections: {}\n", encoding="utf-8")
    path = guide(tmp_path / "guide", "Text.")
    (path.parent / "guide.rules.yaml").symlink_to(tmp_path / "outside.yaml")
    with pytest.raises(SourceError) as caught:
        check(path)
    assert caught.value.diagnostic.rule == "rules-file"
    assert "'guide.rules.yaml' is outside the guide's folder" in caught.value.diagnostic.message
