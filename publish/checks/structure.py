"""Structure rules: headings, ids, images, links and tables.

These are the machine-checkable parts of WCAG that depend on the source,
checked once here so every output inherits them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from publish.diagnostics import Diagnostic, Severity
from publish.model import HEADING_TAGS, Document

VAGUE_LINK_TEXT = {
    "click here", "here", "click", "this", "this link", "link", "more", "read more",
    "learn more", "find out more", "more info", "more information", "go", "this page",
}
BARE_URL = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)


def _diag(doc: Document, rule: str, message: str, line: int | None,
          severity: Severity = Severity.ERROR) -> Diagnostic:
    return Diagnostic(rule, message, doc.path, line, severity)


def single_h1(doc: Document) -> Iterator[Diagnostic]:
    h1s = [h for h in doc.headings if h.level == 1]
    if not h1s:
        first = doc.headings[0].line if doc.headings else None
        yield _diag(doc, "heading-h1", "the guide has no level-1 heading; start the body "
                    f"with '# {doc.meta.title}'", first)
    for extra in h1s[1:]:
        yield _diag(doc, "heading-h1", f"a second level-1 heading '{extra.text}'; the guide "
                    "has one '# ' heading (its title); use '## ' here", extra.line)
    # Heading texts have their white space folded (a no-break space too: "dose\u00a0:"
    # in French); the title is compared folded the same way.
    if h1s and h1s[0].text != " ".join(doc.meta.title.split()):
        yield _diag(doc, "heading-h1-title", f"the level-1 heading '{h1s[0].text}' differs "
                    f"from the front matter title '{doc.meta.title}'; make them the same",
                    h1s[0].line)
    if h1s and doc.headings[0] is not h1s[0]:
        yield _diag(doc, "heading-h1", "the level-1 heading must come before every other "
                    "heading", doc.headings[0].line)


def heading_levels(doc: Document) -> Iterator[Diagnostic]:
    previous = 0
    for heading in doc.headings:
        if heading.level > previous + 1 and previous:
            yield _diag(doc, "heading-skip", f"'{heading.text}' is a level-{heading.level} "
                        f"heading after a level-{previous} heading; use level "
                        f"{previous + 1} ({'#' * (previous + 1)}) so no level is skipped",
                        heading.line)
        previous = heading.level


def heading_text(doc: Document) -> Iterator[Diagnostic]:
    seen: dict[str, int | None] = {}
    for heading in doc.headings:
        if not heading.text:
            yield _diag(doc, "heading-empty", "this heading has no text; write what the "
                        "section is about or remove the heading", heading.line)
            continue
        key = heading.text.casefold()
        if key in seen:
            where = f" (first at line {seen[key]})" if seen[key] else ""
            yield _diag(doc, "heading-duplicate", f"the heading '{heading.text}' is used "
                        f"twice{where}; make each heading say what is different", heading.line)
        else:
            seen[key] = heading.line


def unique_ids(doc: Document) -> Iterator[Diagnostic]:
    seen: set[str] = set()
    heading_lines = iter(h.line for h in doc.headings)
    for el in doc.body.iter():
        if not isinstance(el.tag, str):
            continue
        line = next(heading_lines, None) if el.tag in HEADING_TAGS else None
        ident = el.get("id")
        if not ident:
            continue
        if ident in seen:
            yield _diag(doc, "id-duplicate", f"the id '{ident}' is used twice; ids must be "
                        "unique (change one {#...})", line)
        seen.add(ident)


def image_alt(doc: Document) -> Iterator[Diagnostic]:
    for image in doc.images:
        if image.decorative:
            continue
        if not image.alt:
            yield _diag(doc, "image-alt", f"the image '{image.src}' has no alt text; describe "
                        "what it shows in ![...], or mark it decorative with {: .decorative}",
                        image.line)
        elif image.alt.lower() in {"image", "picture", "photo", "icon", "graphic"} or \
                image.alt == image.src.rsplit("/", 1)[-1]:
            yield _diag(doc, "image-alt", f"the alt text '{image.alt}' does not describe the "
                        "image; say what it shows", image.line)


def link_text(doc: Document) -> Iterator[Diagnostic]:
    for link in doc.links:
        text = link.text.strip().rstrip(".").lower()
        if not text:
            yield _diag(doc, "link-text", f"the link to '{link.href}' has no text; write "
                        "where it goes", link.line)
        elif text in VAGUE_LINK_TEXT:
            yield _diag(doc, "link-text", f"the link text '{link.text}' does not say where "
                        "the link goes; name the destination", link.line)
        elif BARE_URL.match(link.text.strip()):
            yield _diag(doc, "link-text", f"the link text is a bare address '{link.text}'; "
                        "use words that name the destination", link.line)


def table_header(doc: Document) -> Iterator[Diagnostic]:
    for table in doc.tables:
        if not table.has_header_row:
            yield _diag(doc, "table-header", "this table has no header row; give it one "
                        "(| Column | Column | then |---|---|)", table.line)
        if not table.caption:
            yield _diag(doc, "table-caption", "this table has no caption; put a paragraph "
                        "'Table: what it compares' directly above it", table.line,
                        Severity.WARNING)


def raw_html(doc: Document) -> Iterator[Diagnostic]:
    for line, what in doc.raw_html_removed:
        yield _diag(doc, "raw-html", f"removed HTML that is not allowed in a guide ({what}); "
                    "use Markdown instead", line, Severity.WARNING)


CHECKS = [single_h1, heading_levels, heading_text, unique_ids, image_alt, link_text,
          table_header, raw_html]
