"""Reading a guide file and validating its YAML front matter.

The schema is the table ``FIELDS``: docs/writing.md documents the same table, and
every message names the line of the offending field.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from publish.errors import SourceError
from publish.locate import fenced_code_lines
from publish.model import Metadata, Person, Source
from publish.yamldata import YAMLError, node_and_data, problem

MAX_SOURCE_BYTES = 2 * 1024 * 1024
"""A patient guide is a few thousand words; 2 MiB stops runaway or hostile input early."""
MAX_NESTING = 16
"""Levels of lists and quotes inside each other; a guide needs three at most."""
MAX_OPENERS_PER_PARAGRAPH = 500
"""'[' and '<' in one paragraph; Python-Markdown's inline parser is super-quadratic in them."""
MAX_OPENERS = 10_000
"""'[' and '<' in the whole guide (the shipped guide has about 50)."""
WEB_ADDRESS = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)
HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
"""A complete HTML tag: whatever reads it (the raw HTML stash, or the inline HTML
pattern) passes it in one step, so its '<' is not an opener. ``[^<>]`` keeps the scan
linear: a search never reads past the next '<'."""
EMPHASIS_RUN = re.compile(rf"[*_]{{{2 * MAX_NESTING + 1},}}[^\s*_]")
"""An opening run of emphasis markers: each pair nests one level (blank lines of '_' pass)."""

RTL_LANGUAGES = {"ar", "arc", "ckb", "dv", "fa", "he", "ks", "ku", "ps", "sd", "ug", "ur", "yi"}
RTL_SCRIPTS = {"arab", "adlm", "hebr", "nkoo", "rohg", "syrc", "thaa"}
"""ISO 15924 scripts written right to left: a script subtag decides (pa-Arab, ku-Latn)."""
BCP47 = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(-[A-Za-z0-9]{5,8})*$")
IDENTIFIER_NAMESPACE = uuid.UUID("6f1c7c1e-6a52-5d0b-9a51-3c9a1f4de6b0")


def direction_of(lang: str) -> str:
    """``rtl`` or ``ltr`` for a BCP 47 tag: its script subtag if it has one, else its language."""
    parts = lang.lower().split("-")
    script = next((p for p in parts[1:] if len(p) == 4 and p.isalpha()), None)
    if script is not None:
        return "rtl" if script in RTL_SCRIPTS else "ltr"
    return "rtl" if parts[0] in RTL_LANGUAGES else "ltr"


@dataclass(frozen=True)
class Field:
    """One front matter field: its type, when it is required, and what it is for."""

    name: str
    kind: str
    doc: str
    required: bool = False
    required_if_approved: bool = False


FIELDS: tuple[Field, ...] = (
    Field("title", "text", "The guide's title; the h1 must say the same.", required=True),
    Field("lang", "language", "BCP 47 language tag, e.g. en-GB.", required=True),
    Field("dir", "direction", "ltr or rtl; default from lang."),
    Field("version", "text", "Version of this guide (quote it: \"1.0\"); default \"0.1.0\"."),
    Field("status", "status", "draft or approved; default draft. Drafts are watermarked."),
    Field("description", "text", "One sentence saying what the guide is for."),
    Field("published", "date", "Date first published (YYYY-MM-DD).", required_if_approved=True),
    Field("last_reviewed", "date", "Date of the last content review.", required_if_approved=True),
    Field("next_review", "date", "Next review due; at most 3 years after last_reviewed.",
          required_if_approved=True),
    Field("authors", "people", "Who wrote it: names (organisations are fine).",
          required_if_approved=True),
    Field("clinical_reviewers", "people",
          "Clinicians who approved it: name, role, reviewed (date).", required_if_approved=True),
    Field("publisher", "publisher", "Organisation name, or {name, url}.",
          required_if_approved=True),
    Field("feedback", "text", "How readers can give feedback.", required_if_approved=True),
    Field("sources", "sources", "References cited as [@id]: id, title, publisher, year, "
          "url or doi; lang (BCP 47) when the title is not in the guide's language."),
    Field("accessibility_summary", "text", "Plain summary of the accessibility of the outputs; "
          "when missing, one is written from what the guide really has."),
    Field("identifier", "text", "Stable identifier (urn:uuid:…); default derived from title "
          "and lang."),
    Field("review_notes", "texts", "Open questions for the clinical reviewer; shown in the "
          "guide while it is a draft."),
    Field("rules", "text", "Editorial rules file for this guide, relative to the guide; "
          "default <name>.rules.yaml beside it (guide.md → guide.rules.yaml)."),
    Field("translation_of", "text", "For a translation: the guide it was translated from, "
          "relative to this file and inside its folder (e.g. guide.md)."),
    Field("source_version", "text", "For a translation: the source's version it was made "
          "from (quote it: \"0.2.0\"); a newer source makes the translation stale."),
    Field("translators", "people", "For a translation: who translated it."),
    Field("translation_reviewers", "people", "For a translation: fluent speakers who checked "
          "it against the source: name, role, reviewed (date). Needed before approval."),
    Field("labels", "text", "The guide's own label table (the pipeline's words in its "
          "language), relative to the guide; default <name>.labels.yaml beside it if present, "
          "else the table shipped for lang (docs/languages.md)."),
)
FIELD_BY_NAME = {f.name: f for f in FIELDS}

@dataclass(frozen=True)
class SourceText:
    """A guide file read and split: the YAML and the Markdown with its first line number."""

    path: Path
    raw: bytes
    front_matter: str
    front_matter_line: int
    body: str
    body_line: int


def read_source(path: Path) -> SourceText:
    """Read a guide, accepting a BOM and CRLF, and split off the front matter.

    Reads at most ``MAX_SOURCE_BYTES`` + 1 bytes from one open file, so a file
    that grows while it is read, or a device, cannot exhaust memory.
    """
    if not path.exists():
        raise SourceError("source-missing", "no such file; pass the path of a guide (.md)", path)
    if path.is_dir():
        raise SourceError("source-missing", "is a folder; pass the path of a guide (.md)", path)
    if not path.is_file():
        raise SourceError("source-unreadable", "is not a regular file (a pipe or a device?); "
                          "pass the path of a guide (.md)", path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_SOURCE_BYTES + 1)
    except OSError as exc:
        raise SourceError("source-unreadable", f"cannot read the file ({exc.strerror}); "
                          "check its permissions", path) from None
    if len(raw) > MAX_SOURCE_BYTES:
        raise SourceError("source-too-large", f"the file is over the limit of "
                          f"{MAX_SOURCE_BYTES} bytes (2 MiB); a patient guide is far "
                          "smaller, so split it or remove what does not belong", path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError("source-encoding", f"byte 0x{raw[exc.start]:02x} at offset "
                          f"{exc.start} is not UTF-8; save the file as UTF-8", path,
                          line) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise SourceError("source-encoding", "contains a NUL character; this is not a text "
                          "file", path, line)
    if not text.strip():
        raise SourceError("source-empty", "the file is empty; start with front matter "
                          "(---, title:, lang:, ---) and a # heading", path, 1)
    if not text.startswith("---\n"):
        raise SourceError("front-matter-missing", "the file must start with a line '---', "
                          "then YAML front matter (title, lang), then '---'", path, 1)
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            front = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1:])
            if not body.strip():
                raise SourceError("source-empty", "the guide has front matter but no body; "
                                  "add a # heading and the text", path, index + 1)
            check_body_limits(body, index + 2, path)
            return SourceText(path, raw, front, 2, body, index + 2)
    raise SourceError("front-matter-unclosed", "the front matter has no closing '---' line",
                      path, 1)


def check_body_limits(body: str, first_line: int, path: Path) -> None:
    """Refuse Markdown that would exhaust the parser before it is parsed.

    Python-Markdown recurses once per level of nesting (lists, quotes, runs of
    emphasis markers) and its inline parser slows down faster than the square of
    the number of unclosed ``[`` and ``<`` in one paragraph (docs/performance.md).
    A real guide is nowhere near these limits; hostile input is stopped with a
    line to look at. One pass over the lines, and nothing can hide text from it:
    only fenced code exactly as Python-Markdown finds it (``locate.fenced_code_lines``,
    closed fences only) is skipped, and only complete HTML tags are not counted;
    indented code and raw HTML blocks are counted like any other text.
    """
    lines = body.split("\n")
    code = fenced_code_lines(lines)
    openers = block_openers = 0
    block_start: int | None = None
    for index, line in enumerate(lines):
        number = first_line + index
        if code[index]:
            block_start, block_openers = None, 0
            continue
        if not line.strip():
            block_start, block_openers = None, 0
            continue
        if block_start is None:
            block_start = number
        depth = _nesting(line)
        if depth > MAX_NESTING:
            raise SourceError("source-too-deep", f"lists and quotes are nested {depth} levels "
                              f"deep here; at most {MAX_NESTING} are allowed, so flatten "
                              "them", path, number)
        if EMPHASIS_RUN.search(line):
            raise SourceError("source-too-deep", f"more than {2 * MAX_NESTING} '*' or '_' in "
                              "a row nest emphasis too deeply; remove them", path, number)
        untagged = HTML_TAG.sub("", line)
        count = untagged.count("[") + untagged.count("<")
        block_openers += count
        openers += count
        if block_openers > MAX_OPENERS_PER_PARAGRAPH:
            raise SourceError("source-too-complex", f"this paragraph has more than "
                              f"{MAX_OPENERS_PER_PARAGRAPH} '[' and '<' characters; split "
                              "it or remove the stray brackets", path, block_start)
        if openers > MAX_OPENERS:
            raise SourceError("source-too-complex", f"the guide has more than {MAX_OPENERS} "
                              "'[' and '<' characters (links, images, citations, HTML); "
                              "split it", path, number)


def _nesting(line: str) -> int:
    """Levels of quote markers plus list indentation (4 spaces a level) at a line's start."""
    quotes = 0
    rest = line.expandtabs(4)
    while True:
        stripped = rest.lstrip(" ")
        if not stripped.startswith(">") or len(rest) - len(stripped) > 3:
            break
        quotes += 1
        rest = stripped[1:]
    indent = len(rest) - len(rest.lstrip(" "))
    return quotes + indent // 4


def _load_yaml(src: SourceText) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse YAML safely, keeping the line of each top-level key."""
    _check_yaml_depth(src)
    try:
        node, data = node_and_data(src.front_matter)
    except RecursionError:
        raise SourceError("front-matter-yaml", "the front matter nests too deeply; front "
                          "matter fields are text, lists and short mappings", src.path,
                          src.front_matter_line) from None
    except YAMLError as exc:
        what, line = problem(exc, src.front_matter)
        raise SourceError("front-matter-yaml", f"invalid YAML: {what}", src.path,
                          src.front_matter_line + line) from None
    if not isinstance(data, dict):
        raise SourceError("front-matter-yaml", "front matter must be a mapping of "
                          "'field: value' lines", src.path, src.front_matter_line)
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            lines[str(key_node.value)] = src.front_matter_line + key_node.start_mark.line
            if isinstance(value_node, yaml.SequenceNode):  # "review_notes.2": its own line
                for index, item in enumerate(value_node.value):
                    lines[f"{key_node.value}.{index}"] = \
                        src.front_matter_line + item.start_mark.line
    return data, lines


def _check_yaml_depth(src: SourceText) -> None:
    """PyYAML composes recursively: refuse deep '[' / '{' nesting before it overflows."""
    depth = 0
    for index, line in enumerate(src.front_matter.split("\n")):
        deepest = depth
        for char in line:
            depth = max(0, depth + (char in "[{") - (char in "]}"))
            deepest = max(deepest, depth)
        indent = (len(line) - len(line.lstrip(" "))) // 2
        if deepest + indent > MAX_NESTING:
            raise SourceError("front-matter-yaml", f"the front matter nests more than "
                              f"{MAX_NESTING} levels deep here; front matter fields are "
                              "text, lists and short mappings", src.path,
                              src.front_matter_line + index)


class _Validator:
    """Checks each field's value against its kind, raising at the field's line."""

    def __init__(self, src: SourceText, lines: dict[str, int]) -> None:
        self.src = src
        self.lines = lines

    def fail(self, name: str, message: str) -> SourceError:
        return SourceError("front-matter-field", f"{name}: {message}", self.src.path,
                           self.lines.get(name, self.src.front_matter_line))

    def text(self, name: str, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(name, f"must be non-empty text (got {type(value).__name__}); "
                            "put it in quotes")
        return value.strip()

    def texts(self, name: str, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(name, "must be a list of text items ('- ...' lines)")
        return tuple(v.strip() for v in value)

    def date(self, name: str, value: Any) -> dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self.fail(name, f"must be a date written YYYY-MM-DD (got {value!r})")

    def person(self, name: str, value: Any) -> Person:
        if isinstance(value, str) and value.strip():
            return Person(value.strip())
        if isinstance(value, dict) and isinstance(value.get("name"), str):
            unknown = set(value) - {"name", "role", "reviewed"}
            if unknown:
                raise self.fail(name, f"unknown key {sorted(unknown)[0]!r}; use name, role, "
                                "reviewed")
            reviewed = value.get("reviewed")
            return Person(value["name"].strip(), str(value.get("role", "")).strip(),
                          self.date(name, reviewed) if reviewed is not None else None)
        raise self.fail(name, "each entry needs a name (text, or {name: ..., role: ...})")

    def web_address(self, name: str, value: Any) -> str:
        """An http(s) address or nothing: it becomes a link in every output."""
        text = str(value or "").strip()
        if text and not WEB_ADDRESS.match(text):
            raise self.fail(name, f"'{text[:80]}' is not a web address; write it in full, "
                            "starting with https://")
        return text

    def people(self, name: str, value: Any) -> tuple[Person, ...]:
        if not isinstance(value, list):
            raise self.fail(name, "must be a list ('- name: ...' lines)")
        return tuple(self.person(name, v) for v in value)

    def sources(self, name: str, value: Any) -> tuple[Source, ...]:
        if not isinstance(value, list):
            raise self.fail(name, "must be a list of sources ('- id: S1' ...)")
        result: list[Source] = []
        seen: set[str] = set()
        allowed = {"id", "title", "publisher", "journal", "year", "url", "doi", "lang"}
        for entry in value:
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) \
                    or not isinstance(entry.get("title"), str):
                raise self.fail(name, "each source needs at least id and title (text)")
            unknown = set(entry) - allowed
            if unknown:
                raise self.fail(name, f"source {entry['id']}: unknown key "
                                f"{sorted(unknown)[0]!r}; use {', '.join(sorted(allowed))}")
            if entry["id"] in seen:
                raise self.fail(name, f"source id {entry['id']!r} is listed twice")
            seen.add(entry["id"])
            year = entry.get("year")
            if year is not None and not isinstance(year, int):
                raise self.fail(name, f"source {entry['id']}: year must be a number")
            lang = entry.get("lang")
            if lang is not None and not (isinstance(lang, str) and BCP47.match(lang)):
                raise self.fail(name, f"source {entry['id']}: lang must be a BCP 47 language "
                                "tag such as en or en-GB")
            result.append(Source(
                id=entry["id"], title=entry["title"].strip(),
                publisher=str(entry.get("publisher") or entry.get("journal") or "").strip(),
                year=year, url=self.web_address(name, entry.get("url")),
                doi=str(entry.get("doi") or "").strip(), lang=lang or ""))
        return tuple(result)


def default_identifier(title: str, lang: str) -> str:
    """A stable urn:uuid (v5) derived from the title and language."""
    return f"urn:uuid:{uuid.uuid5(IDENTIFIER_NAMESPACE, f'{lang}:{title}')}"


def parse_front_matter(src: SourceText) -> Metadata:
    """Validate the YAML against ``FIELDS`` and build :class:`Metadata`."""
    data, lines = _load_yaml(src)
    check = _Validator(src, lines)
    for key in data:
        if key not in FIELD_BY_NAME:
            close = difflib.get_close_matches(str(key), FIELD_BY_NAME, n=1)
            hint = f"did you mean '{close[0]}'?" if close else \
                "see docs/writing.md for the fields"
            raise check.fail(str(key), f"unknown field; {hint}")
    for spec in FIELDS:
        if spec.required and data.get(spec.name) is None:
            raise SourceError("front-matter-field", f"{spec.name}: required field is missing",
                              src.path, src.front_matter_line)

    title = check.text("title", data["title"])
    lang = check.text("lang", data["lang"])
    if not BCP47.match(lang):
        raise check.fail("lang", f"{lang!r} is not a BCP 47 language tag such as en-GB")
    status = check.text("status", data.get("status", "draft"))
    if status not in ("draft", "approved"):
        raise check.fail("status", f"must be draft or approved (got {status!r})")
    direction = data.get("dir")
    if direction is None:
        direction = direction_of(lang)
    elif direction not in ("ltr", "rtl"):
        raise check.fail("dir", f"must be ltr or rtl (got {direction!r})")

    readers: dict[str, Callable[[str, Any], Any]] = {
        "text": check.text, "texts": check.texts, "date": check.date,
        "people": check.people, "sources": check.sources,
    }
    values: dict[str, Any] = {}
    for spec in FIELDS:
        value = data.get(spec.name)
        if value is None:
            if status == "approved" and spec.required_if_approved:
                raise SourceError("front-matter-field", f"{spec.name}: required when status "
                                  "is approved", src.path, src.front_matter_line)
            continue
        if spec.kind in readers:
            values[spec.name] = readers[spec.kind](spec.name, value)

    publisher, publisher_url = "", ""
    if "publisher" in data and data["publisher"] is not None:
        raw = data["publisher"]
        if isinstance(raw, dict) and isinstance(raw.get("name"), str):
            unknown = sorted(set(raw) - {"name", "url"})
            if unknown:
                raise check.fail("publisher", f"unknown key {unknown[0]!r}; use name and url")
            publisher = raw["name"].strip()
            publisher_url = check.web_address("publisher", raw.get("url"))
        else:
            publisher = check.text("publisher", raw)

    return Metadata(
        title=title, lang=lang, dir=direction, status=status,
        version=values.get("version", "0.1.0"),
        identifier=values.get("identifier") or default_identifier(title, lang),
        description=values.get("description", ""),
        published=values.get("published"), last_reviewed=values.get("last_reviewed"),
        next_review=values.get("next_review"),
        authors=values.get("authors", ()), clinical_reviewers=values.get("clinical_reviewers", ()),
        publisher=publisher, publisher_url=publisher_url,
        feedback=values.get("feedback", ""),
        sources=_with_lines(values.get("sources", ()), src, lines),
        accessibility_summary=values.get("accessibility_summary", ""),
        review_notes=values.get("review_notes", ()), rules=values.get("rules", ""),
        translation_of=values.get("translation_of", ""),
        source_version=values.get("source_version", ""),
        translators=values.get("translators", ()),
        translation_reviewers=values.get("translation_reviewers", ()),
        labels=values.get("labels", ""),
        lines=lines,
    )


def _with_lines(sources: tuple[Source, ...], src: SourceText,
                lines: dict[str, int]) -> tuple[Source, ...]:
    """Attach the line of each source's ``id:`` so 'never cited' points at it."""
    start = lines.get("sources", src.front_matter_line) - src.front_matter_line
    text_lines = src.front_matter.split("\n")
    result = []
    for source in sources:
        pattern = re.compile(rf"^\s*-?\s*id:\s*['\"]?{re.escape(source.id)}['\"]?\s*$")
        found = next((i for i in range(start, len(text_lines))
                      if pattern.match(text_lines[i])), None)
        line = src.front_matter_line + found if found is not None else None
        result.append(replace(source, line=line))
    return tuple(result)
