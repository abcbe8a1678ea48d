"""Parse a guide once: front matter + Markdown → :class:`publish.model.Document`.

Steps: read and split the file, validate the front matter, convert the
Markdown (Python-Markdown), sanitise the HTML (nh3), then shape the tree:
table captions, numbered citations, the generated "Guide details" and
"Sources" blocks, and one ``<section>`` per heading. Finally record the
source line of every heading, image, link and table for messages.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import markdown
from lxml import html as lxml_html
from lxml.html import HtmlElement

from publish import sanitize
from publish.errors import SourceError
from publish.frontmatter import parse_front_matter, read_source
from publish.hashing import sha256
from publish.labels import LanguageTable, has_table, labels_for, language_name, resolve
from publish.locate import SourceMap
from publish.model import (
    ABOUT,
    KEY_FACTS,
    Citation,
    Document,
    Heading,
    Image,
    LanguageVersion,
    Link,
    Metadata,
    Source,
    Table,
    lang_if_other,
)
from publish.model import HEADING_TAGS as HEADINGS
from publish.translation import language_versions

MARKDOWN_EXTENSIONS = ["attr_list", "tables", "toc", "sane_lists", "fenced_code", "def_list"]
CITATION = re.compile(r"\[@([A-Za-z][\w.-]*)((?:\s*;\s*@[A-Za-z][\w.-]*)*)\]")
CAPTION = re.compile(r"^\s*Table:\s*(.+)$", re.DOTALL)
LINE_ATTRIBUTE = "data-publish-line"
SKIP_TEXT_IN = {"code", "pre", "a", "kbd"}
MEASURES = ("mm", "cm", "pt")
"""Units that are not doses but belong with their number too ("12 pt", "3 mm"); the dose
units are the dose-notation rule's, in publish/rules/general.yaml."""
MAX_TREE_DEPTH = 64
"""Elements inside each other. 16 levels of lists (the source limit) with sections and
inline markup fit; WeasyPrint's recursive layout overflows the stack near 200."""


def slugify(value: str, separator: str) -> str:
    """Heading ids: lowercase words joined by '-', always starting with a letter.

    EPUB NCX ids must not start with a digit, so "4.5 mg" becomes "s-45-mg".
    """
    words = re.findall(r"[^\W_]+", value.lower())
    slug = separator.join(words) or "section"
    return slug if slug[0].isalpha() else f"s{separator}{slug}"


def _markdown() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=MARKDOWN_EXTENSIONS,
        extension_configs={"toc": {"slugify": slugify, "permalink": False}},
        output_format="html",
    )


def parse(path: Path) -> Document:
    """Read ``path`` and build the document model; raises SourceError on bad input."""
    path = path.resolve()
    src = read_source(path)
    meta = parse_front_matter(src)
    words = resolve(meta.lang, path, meta.labels, meta.lines.get("labels"),
                    meta.lines.get("lang"))
    md = _markdown()
    html = _convert(md, src.body, path)
    smap = SourceMap(src.body, src.body_line)

    removed: list[tuple[int | None, str]] = []
    for chunk in md.htmlStash.rawHtmlBlocks:
        dropped = sanitize.removed_parts(str(chunk))
        if dropped:
            first = str(chunk).strip().split("\n")[0][:60]
            removed.append((smap.find("raw-html", first), ", ".join(dropped)))
    for url in sanitize.unsafe_urls(html, md.htmlStash.rawHtmlBlocks):  # [text](javascript:…)
        removed.append((smap.find("unsafe-url", url), f"unsafe URL {url}"))

    body = lxml_html.fragment_fromstring(sanitize.clean(html) or "<p></p>",
                                         create_parent="div")
    _check_depth(body, md, smap, path)
    _captions(body)
    _heading_lines(body, smap)
    citations, cited = _citations(body, meta, smap, words)
    _keep_doses_together(body, words)
    _sectionize(body)
    _generated_about(body, meta, cited, words)

    headings = []
    for el in body.iter(*HEADINGS):
        line = el.attrib.pop(LINE_ATTRIBUTE, None)
        headings.append(Heading(int(el.tag[1]), " ".join(el.text_content().split()),
                                el.get("id", ""), int(line) if line else None))
    return Document(
        path=path, source_dir=path.parent, source_sha256=sha256(src.raw),
        meta=meta, body=body, headings=headings, outline=_outline(headings),
        images=_images(body, smap), links=_links(body, smap), tables=_tables(body, smap),
        citations=citations, cited_sources=cited, labels=words, raw_html_removed=removed,
        languages=_named(language_versions(path, meta)), source_map=smap,
    )


def _named(versions: tuple[LanguageVersion, ...]) -> tuple[LanguageVersion, ...]:
    """The guide's languages, each with its name in itself and its direction: found here,
    in the parse, so that no renderer (nor a worker process) reads another language's
    label table for them."""
    return tuple(replace(v, name=language_name(v.lang),
                         direction=labels_for(v.lang).direction if has_table(v.lang) else "")
                 for v in versions)


def _convert(md: markdown.Markdown, body: str, path: Path) -> str:
    """Markdown to HTML; the source limits keep recursion in check, this is the backstop."""
    try:
        return md.convert(body)
    except RecursionError:
        raise SourceError("source-too-deep", "the Markdown nests too deeply to be read "
                          "(lists, quotes, emphasis or HTML inside each other); flatten it",
                          path) from None


def _check_depth(body: HtmlElement, md: markdown.Markdown, smap: SourceMap,
                 path: Path) -> None:
    """Refuse a tree deeper than ``MAX_TREE_DEPTH``, naming the deepest raw HTML block.

    Markdown nesting is limited in the source (``frontmatter.check_body_limits``);
    what remains is raw HTML, so its deepest block is where to look.
    """
    def depth(root: HtmlElement) -> int:
        return max((sum(1 for _ in el.iterancestors()) for el in root.iter()), default=0)

    deepest = depth(body)
    if deepest <= MAX_TREE_DEPTH:
        return
    line = None
    chunks = [str(c) for c in md.htmlStash.rawHtmlBlocks if str(c).strip().startswith("<")]
    if chunks:
        worst = max(chunks, key=lambda c: depth(lxml_html.fragment_fromstring(
            c, create_parent="div")))
        line = smap.find("raw-html-depth", worst.strip().split("\n")[0][:60])
    raise SourceError("source-too-deep", f"elements are nested {deepest} levels deep; at "
                      f"most {MAX_TREE_DEPTH} are allowed, so flatten the HTML or lists",
                      path, line)


def _heading_lines(body: HtmlElement, smap: SourceMap) -> None:
    """Give every heading an id and note its source line (n-th ↔ n-th) on the element.

    The note is removed once the heading list is built, after the generated
    headings (which have no source line) have been added.
    """
    for n, el in enumerate(body.iter(*HEADINGS)):
        if not el.get("id"):
            el.set("id", slugify(el.text_content(), "-"))
        line = smap.heading(n)
        if line is not None:
            el.set(LINE_ATTRIBUTE, str(line))


def _captions(body: HtmlElement) -> None:
    """A paragraph 'Table: …' right before a table becomes its <caption>."""
    for table in body.iter("table"):
        prev = table.getprevious()
        if prev is None or prev.tag != "p":
            continue
        match = CAPTION.match(prev.text_content())
        if not match:
            continue
        caption = lxml_html.Element("caption")
        caption.text = " ".join(match.group(1).split())
        table.insert(0, caption)
        prev.drop_tree()


def _keep_doses_together(body: HtmlElement, words: LanguageTable) -> None:
    """Join number and unit with a no-break space in every output ("4.5" / "mg" never
    lands on two lines of a leaflet, where it could be misread)."""
    pattern = number_and_unit(tuple(words.unit_words()))
    for owner, attr in list(_text_slots(body)):
        text = getattr(owner, attr)
        if text and any(c.isdigit() for c in text):
            setattr(owner, attr, pattern.sub("\u00a0", text))


@lru_cache(maxsize=32)
def number_and_unit(units: tuple[str, ...]) -> re.Pattern[str]:
    """The space in "4.5 mg", which becomes a no-break space so a dose never splits across
    lines. Its units are the words the guide's language table writes for the dose units
    of the dose-notation rule (one list), and MEASURES."""
    alternatives = "|".join(re.escape(u) for u in sorted({*units, *MEASURES}, key=len,
                                                         reverse=True))
    return re.compile(rf"(?<=\d) +(?=(?:{alternatives})(?!\w))")


def _text_slots(el: HtmlElement):
    """Yield (owner, attribute) for every text run outside code and links."""
    if el.tag in SKIP_TEXT_IN:
        return
    yield el, "text"
    for child in list(el):
        if isinstance(child.tag, str):
            yield from _text_slots(child)
        yield child, "tail"


def _citations(body: HtmlElement, meta: Metadata, smap: SourceMap,
               words: LanguageTable) -> tuple[list[Citation], list[Source]]:
    """Turn ``[@S1; @S2]`` into numbered links; number sources by first citation."""
    by_id = {s.id: s for s in meta.sources}
    order: list[Source] = []
    citations: list[Citation] = []
    uses: dict[str, int] = {}
    for owner, attr in list(_text_slots(body)):
        text = getattr(owner, attr)
        if not text or "[@" not in text:
            continue
        parts = CITATION.split(text)
        if len(parts) == 1:
            continue
        setattr(owner, attr, parts[0])
        anchor_parent = owner if attr == "text" else owner.getparent()
        index = 0 if attr == "text" else anchor_parent.index(owner) + 1
        last: HtmlElement | None = None if attr == "text" else owner
        nodes: list[HtmlElement | str] = []
        for i in range(1, len(parts), 3):
            keys = [parts[i], *re.findall(r"@([A-Za-z][\w.-]*)", parts[i + 1] or "")]
            nodes.append("[")
            for k, key in enumerate(keys):
                citations.append(Citation(key, smap.find("citation", f"@{key}")))
                if k:
                    nodes.append(", ")
                source = by_id.get(key)
                if source is None:
                    nodes.append("?")
                    continue
                if source not in order:
                    order.append(source)
                number = order.index(source) + 1
                uses[key] = uses.get(key, 0) + 1
                link = lxml_html.Element("a", {
                    "href": f"#source-{key}", "id": f"cite-{key}-{uses[key]}",
                    "class": "citation", "role": "doc-noteref",
                    "aria-label": words.format("citation", number=number)})
                link.text = str(number)
                nodes.append(link)
            nodes.append("]")
            nodes.append(parts[i + 2])
        for node in nodes:
            if isinstance(node, str):
                if last is None:
                    anchor_parent.text = (anchor_parent.text or "") + node
                else:
                    last.tail = (last.tail or "") + node
            else:
                anchor_parent.insert(index, node)
                index += 1
                last = node
    return citations, order


def _sectionize(body: HtmlElement) -> None:
    """Wrap each h2–h6 and what follows it in a <section> named by the heading."""
    stack: list[tuple[int, HtmlElement]] = []
    for child in list(body):
        body.remove(child)
        level = int(child.tag[1]) if child.tag in HEADINGS else None
        if level == 1:
            stack.clear()
        elif level is not None:
            while stack and stack[-1][0] >= level:
                stack.pop()
            section = lxml_html.Element("section", {
                "aria-labelledby": child.get("id", ""), "class": f"level-{level}"})
            if child.get("id") == KEY_FACTS:
                section.set("class", f"level-{level} {KEY_FACTS}")
            (stack[-1][1] if stack else body).append(section)
            stack.append((level, section))
        (stack[-1][1] if stack else body).append(child)


def _sub(parent: HtmlElement, tag: str, text: str = "", **attrs: str) -> HtmlElement:
    el = lxml_html.Element(tag, {k.replace("_", "-"): v for k, v in attrs.items() if v})
    el.text = text or None
    parent.append(el)
    return el


def _generated_section(parent: HtmlElement, level: int, ident: str,
                       title: str, extra_class: str, lang: str) -> HtmlElement:
    section = _sub(parent, "section", aria_labelledby=ident,
                   **{"class": f"level-{level} generated {extra_class}"})
    _sub(section, f"h{level}", title, id=ident, lang=lang)
    return section


def _generated_about(body: HtmlElement, meta: Metadata, cited: list[Source],
                     words: LanguageTable) -> None:
    """Append guide details, reviewer questions and sources to "About this guide".

    They come from the front matter — one place for each fact — so every
    output shows the same dates and references. The words around them come from
    the guide's label table; when that table is in another language than the guide
    (a guide that brings its own), they carry its ``lang``.
    """
    lang = lang_if_other(words.lang, meta.lang)
    about = next((s for s in body.iter("section") if s.get("aria-labelledby") == ABOUT),
                 None)
    parent, level = (about, 3) if about is not None else (body, 2)

    details = _generated_section(parent, level, "guide-details", words["guide_details"],
                                 "guide-details", lang)
    rows = [
        (words["status"], words["status_draft"] if meta.is_draft else words["status_approved"],
         lang),
        (words["version"], meta.version, ""),
        (words["published"], words.date(meta.published), lang),
        (words["last_reviewed"], words.date(meta.last_reviewed), lang),
        (words["next_review"], words.date(meta.next_review), lang),
        (words["authors"], "; ".join(p.name for p in meta.authors), ""),
        (words["clinical_reviewers"], "; ".join(
            f"{p.name}{', ' + p.role if p.role else ''}"
            f"{' (' + words.date(p.reviewed) + ')' if p.reviewed else ''}"
            for p in meta.clinical_reviewers), ""),
        (words["publisher"], meta.publisher, ""),
        (words["feedback"], meta.feedback, ""),
    ]
    dl = _sub(details, "dl")
    for term, value, value_lang in rows:
        if value:
            _sub(dl, "dt", term, lang=lang)
            _sub(dl, "dd", value, lang=value_lang)

    questions = [*meta.review_notes, *_sources_to_complete(meta, words)]
    if questions and meta.is_draft:
        notes = _generated_section(parent, level, "review-notes", words["review_notes"],
                                   "review-notes", lang)
        ul = _sub(notes, "ul")
        for question in questions:
            _sub(ul, "li", question)

    if cited:
        sources = _generated_section(parent, level, "sources", words["sources"], "sources",
                                     lang)
        ol = _sub(sources, "ol")
        for source in cited:
            li = _sub(ol, "li", id=f"source-{source.id}")
            rest = ". ".join(p for p in (source.publisher,) if p)
            if lang_if_other(source.lang, meta.lang):
                # A title in another language than the guide is read in its own voice.
                title = _sub(li, "span", source.title, lang=source.lang)
                title.tail = f". {rest}" if rest else ""
                tail_owner = title
            else:
                li.text = ". ".join(p for p in (source.title, rest) if p)
                tail_owner = None
            text = f", {source.year}. " if source.year else ". "
            if tail_owner is None:
                li.text += text
            else:
                tail_owner.tail += text
            if source.link:
                shown = f"doi:{source.doi}" if source.doi else source.url
                link = _sub(li, "a", shown, href=source.link)
                link.tail = " "
            back = _sub(li, "a", words["back_to_text"], href=f"#cite-{source.id}-1",
                        role="doc-backlink", lang=lang, **{"class": "backlink"})
            back.tail = None


def _sources_to_complete(meta: Metadata, words: LanguageTable) -> list[str]:
    """The reviewer question a draft gets instead of a ``source-incomplete`` error:
    which sources still lack what (PIF TICK), sources that lack the same parts together."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for source in meta.sources:
        if source.missing:
            groups.setdefault(source.missing, []).append(source.id)
    if not groups:
        return []
    comma = words.text.list_separator
    listed = [words["sources_missing"].format(
        ids=comma.join(ids), parts=comma.join(words[f"source_missing_{p}"] for p in missing))
        for missing, ids in groups.items()]
    groups_text = words.text.list_group_separator.join(listed)
    return [words.format("sources_to_complete", groups=groups_text)]


def _outline(headings: list[Heading]) -> list[Heading]:
    """Nest the flat heading list by level."""
    roots: list[Heading] = []
    stack: list[Heading] = []
    for heading in headings:
        node = Heading(heading.level, heading.text, heading.id, heading.line)
        while stack and stack[-1].level >= node.level:
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return roots


def _images(body: HtmlElement, smap: SourceMap) -> list[Image]:
    images = []
    for img in body.iter("img"):
        src, alt = img.get("src", ""), img.get("alt")
        decorative = "decorative" in (img.get("class") or "").split()
        if decorative:
            img.set("alt", "")
        # An address the sanitiser removed (file:, data:, javascript:) leaves src empty:
        # find the image by its alt text then, not by the first "(" in the text.
        needles = (f"({src}", src, alt or "") if src else (alt or "",)
        images.append(Image(src, (alt or "").strip(), decorative,
                            smap.find("image", *needles)))
    return images


def _links(body: HtmlElement, smap: SourceMap) -> list[Link]:
    links = []
    for a in body.iter("a"):
        classes = (a.get("class") or "").split()
        parent = a.getparent()
        in_source_list = parent is not None and parent.get("id", "").startswith("source-")
        if "citation" in classes or "backlink" in classes or in_source_list:
            continue
        href, text = a.get("href", ""), " ".join(a.text_content().split())
        links.append(Link(href, text, smap.find("link", f"({href}", href, text)))
    return links


def _tables(body: HtmlElement, smap: SourceMap) -> list[Table]:
    tables = []
    for n, table in enumerate(body.iter("table")):
        caption = table.find("caption")
        rows = table.findall(".//tr")
        header_in_thead = bool(table.findall("thead//th"))
        header_first_row = bool(rows) and all(c.tag == "th" for c in rows[0])
        tables.append(Table(caption.text_content().strip() if caption is not None else "",
                            header_in_thead or header_first_row, smap.table(n)))
    return tables
