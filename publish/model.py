"""The document model: what every check and every renderer reads.

The source is parsed once (``publish.parse``) into a :class:`Document`.
Renderers never parse Markdown; they copy ``Document.body`` (an lxml tree of
sanitised, sectioned HTML) and transform it for their format.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree
from lxml import html as lxml_html

from publish.locate import SourceMap

HEADING_TAGS: tuple[str, ...] = ("h1", "h2", "h3", "h4", "h5", "h6")
"""The heading elements of the document tree, by level: ``HEADING_TAGS[level - 1]``."""
KEY_FACTS = "key-facts"
"""The id of the key facts section, and the class of its ``<section>``: the renderers put
it first and keep it together, the checks judge its reading level on its own."""
ABOUT = "about"
"""The id of the "About this guide" section, where the sources and guide details go."""

if TYPE_CHECKING:
    from publish.labels import LanguageTable


def lang_if_other(tag: str, guide_lang: str) -> str:
    """``tag`` when text in it sits in a guide in another language (it then needs a
    ``lang`` of its own, WCAG 3.1.2), else ''. Regions do not count: en-US text in an
    en-GB guide is read in the same voice."""
    def primary(code: str) -> str:
        return code.split("-")[0].lower()

    return tag if tag and primary(tag) != primary(guide_lang) else ""


@dataclass(frozen=True)
class Person:
    """An author or clinical reviewer; ``reviewed`` is the reviewer's sign-off date."""

    name: str
    role: str = ""
    reviewed: dt.date | None = None


@dataclass(frozen=True)
class Source:
    """A reference the guide cites as ``[@id]``."""

    id: str
    title: str
    publisher: str = ""
    year: int | None = None
    url: str = ""
    doi: str = ""
    line: int | None = None
    lang: str = ""
    """BCP 47 tag of the title when it is not in the guide's language (an English
    paper cited in a Spanish guide): outputs mark the title with it."""

    @property
    def link(self) -> str:
        """Where a reader can find the source: the DOI resolver or the URL."""
        return f"https://doi.org/{self.doi}" if self.doi else self.url

    @property
    def missing(self) -> tuple[str, ...]:
        """What the PIF TICK asks of a source and this one lacks: ``publisher`` (or
        journal), ``year``, ``address`` (a URL or DOI). The title is always there."""
        wanted = {"publisher": self.publisher, "year": self.year,
                  "address": self.url or self.doi}
        return tuple(part for part, value in wanted.items() if not value)


@dataclass(frozen=True)
class Metadata:
    """Validated front matter (see ``publish.frontmatter.FIELDS`` for each field)."""

    title: str
    lang: str
    dir: str
    version: str
    status: str
    identifier: str
    description: str = ""
    published: dt.date | None = None
    last_reviewed: dt.date | None = None
    next_review: dt.date | None = None
    authors: tuple[Person, ...] = ()
    clinical_reviewers: tuple[Person, ...] = ()
    publisher: str = ""
    publisher_url: str = ""
    feedback: str = ""
    sources: tuple[Source, ...] = ()
    accessibility_summary: str = ""
    review_notes: tuple[str, ...] = ()
    rules: str = ""
    translation_of: str = ""
    """For a translation: the source guide's file, relative to this one."""
    source_version: str = ""
    translators: tuple[Person, ...] = ()
    translation_reviewers: tuple[Person, ...] = ()
    labels: str = ""
    """The guide's own label table, relative to the guide (``publish.labels``)."""
    lines: dict[str, int] = field(default_factory=dict, compare=False)

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    @property
    def is_translation(self) -> bool:
        return bool(self.translation_of)

    @property
    def modified(self) -> dt.date | None:
        """The guide's own 'last changed' date: never the clock."""
        return self.last_reviewed or self.published


@dataclass
class Heading:
    """A heading in the outline; ``line`` is None for headings the pipeline generates."""

    level: int
    text: str
    id: str
    line: int | None
    children: list[Heading] = field(default_factory=list)


@dataclass(frozen=True)
class Image:
    src: str
    alt: str
    decorative: bool
    line: int | None


@dataclass(frozen=True)
class Link:
    href: str
    text: str
    line: int | None


@dataclass(frozen=True)
class Table:
    caption: str
    has_header_row: bool
    line: int | None


@dataclass(frozen=True)
class LanguageVersion:
    """One language a guide comes in: the source or a translation of it."""

    lang: str
    title: str
    stem: str
    """Its outputs' file stem (guide.es → guide.es.html)."""
    is_source: bool
    name: str = ""
    """The language's name in itself ("Español", "العربية"; ``labels.language_name``),
    found when the guide is parsed so that no renderer reads another language's table."""
    direction: str = ""
    """"rtl" or "ltr" from the language's shipped table; "" when none ships."""


@dataclass(frozen=True)
class Citation:
    key: str
    line: int | None


@dataclass
class Document:
    """One parsed guide.

    ``body`` holds the h1 and the sections; ``headings`` is the flat list in
    document order and ``outline`` the same headings as a tree.
    """

    path: Path
    source_dir: Path
    source_sha256: str
    meta: Metadata
    body: lxml_html.HtmlElement
    headings: list[Heading]
    outline: list[Heading]
    images: list[Image]
    links: list[Link]
    tables: list[Table]
    citations: list[Citation]
    cited_sources: list[Source]
    labels: LanguageTable
    """The pipeline's own words in the guide's language, and its notation."""
    raw_html_removed: list[tuple[int | None, str]] = field(default_factory=list)
    languages: tuple[LanguageVersion, ...] = ()
    """Every language of this guide, source first; empty when it has no translations."""
    # Line lookups over the Markdown body: text checks (dose notation, claims, reading
    # level) report sentences, which the tree keeps no line numbers for.
    source_map: SourceMap | None = field(default=None, repr=False, compare=False)

    @property
    def accessibility_summary(self) -> str:
        """The front matter's summary, or one that claims only what this guide has.

        A fixed default would promise image descriptions and tables to a guide
        with neither, contradicting the EPUB's own accessibility metadata.
        """
        if self.meta.accessibility_summary:
            return self.meta.accessibility_summary
        words = self.labels
        has = [words["a11y_headings"], words["a11y_contents"]]
        if any(not image.decorative for image in self.images):
            has.append(words["a11y_image_text"])
        if self.tables:
            has.append(words["a11y_table_headers"])
        return words.format("a11y_summary", features=words.join(has))

    @property
    def labels_lang(self) -> str:
        """The label table's language when it is not the guide's ('' when it is):
        the pipeline's words then carry it (``lang``), so a screen reader switches voice."""
        return lang_if_other(self.labels.lang, self.meta.lang)

    def __getstate__(self) -> dict[str, object]:
        """Documents are pickled to the PDF workers; an lxml tree is not picklable, so
        the body travels as XML, which gives back the same tree (tested)."""
        state = dict(self.__dict__)
        state["body"] = etree.tostring(self.body, encoding="utf-8")
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        parser.set_element_class_lookup(lxml_html.HtmlElementClassLookup())
        body = state["body"]
        assert isinstance(body, bytes)
        self.__dict__.update(state, body=etree.fromstring(body, parser))

    def body_copy(self) -> lxml_html.HtmlElement:
        """A private copy of the body for a renderer to transform."""
        return copy.deepcopy(self.body)

    def line_of(self, element_id: str) -> int | None:
        """Source line of the heading with this id, for messages from renderers."""
        return next((h.line for h in self.headings if h.id == element_id), None)
