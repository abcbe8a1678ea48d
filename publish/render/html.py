"""The screen outputs: the standalone page and the fragment partners embed.

``guide.html`` is one self-contained page: CSS, fonts and images inlined, no
script, and a Content-Security-Policy that lets it load nothing from anywhere.
``guide.embed.html`` (+ ``guide.embed.css``) is the same guide rooted in one
``<article>`` for a partner's page; ``publish.render.embed`` makes it safe there.

Both are built from one tree (:func:`guide_parts`), so the page and the
fragment can never say different things; they differ only in their wrapper.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from typing import ClassVar

from lxml import etree
from lxml.html import HtmlElement

from publish import fonts, styles
from publish.model import HEADING_TAGS, KEY_FACTS, Document
from publish.render import embed
from publish.render.base import RenderContext
from publish.render.bidi import apply_direction
from publish.render.common import (
    data_uri,
    draft_banner,
    element,
    labelled,
    mark_decorative,
    other_formats_nav,
    resolve_images,
    to_html,
    toc_list,
    wrap_tables,
)
from publish.render.words import mark_keep_words

LANDMARK_SECTIONS = (KEY_FACTS,)
"""Sections that stay named regions (landmarks); the rest are plain sections.

Every named ``<section>`` is a landmark: twenty of them would bury the one a
reader needs to find first.
"""

TOC_MAX_LEVEL = 2
"""The contents list names the main sections only, so it stays short on a phone."""


def csp_source(text: str) -> str:
    """The CSP hash source that allows exactly this inline ``<style>`` and nothing else."""
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def policy(style: str) -> str:
    """The Content-Security-Policy a page needs to show the guide: nothing remote, ever."""
    return (f"default-src 'none'; style-src {csp_source(style)}; img-src data:; "
            "font-src data:; base-uri 'none'; form-action 'none'")


def screen_css(*layers: str, fonts_css: str = "") -> str:
    """The screen layers after the tokens, then ``fonts_css`` (``publish.fonts``: the
    fonts a page needs beyond Atkinson Hyperlegible), every font inlined as data."""
    return inline_fonts(_screen_layers(*layers) + fonts_css)


def _screen_layers(*layers: str) -> str:
    return styles.only_font_format(styles.stylesheet(*layers, "html.css"), "woff2")


def guide_css(doc: Document, *layers: str) -> str:
    """The screen layers and the fonts this guide needs beyond them (``publish.fonts``),
    every font still a URL: :func:`inline_fonts` makes them data last, after the fragment's
    stylesheet is scoped — a CSS parser reads a data URL character by character
    (≈ 30 ms for the two Atkinson Hyperlegible faces)."""
    return _screen_layers(*layers) + fonts.stylesheet(doc, "woff")


def inline_fonts(css: str) -> str:
    """``css`` with the shipped fonts and the guide's subsets inlined as data URLs."""
    return fonts.inline(styles.inline_fonts(css))


def page_head(title: str, css: str, modified: str, description: str = "",
              links: tuple[HtmlElement, ...] = ()) -> HtmlElement:
    """The <head> of a self-contained screen page: its one stylesheet inline, allowed by
    hash, and nothing else loadable (the guide's page and the folder's catalogue)."""
    head = element("head")
    head.append(element("meta", charset="utf-8"))
    head.append(element("meta", name="viewport", content="width=device-width, "
                        "initial-scale=1"))
    head.append(element("meta", http_equiv="Content-Security-Policy", content=policy(css)))
    head.append(element("title", title))
    if description:
        head.append(element("meta", name="description", content=description))
    head.append(element("meta", name="color-scheme", content="light dark"))
    head.append(element("meta", name="dcterms.modified", content=modified))
    head.extend(links)
    head.append(element("style", css))
    return head


@dataclass
class GuideParts:
    """The guide's screen content, before it is wrapped as a page or a fragment."""

    header: list[HtmlElement]
    content: HtmlElement
    footer: HtmlElement


def guide_parts(ctx: RenderContext, *, own: tuple[str, ...] = (),
                base_url: str = "") -> GuideParts:
    """Header (draft banner, publisher), content (h1 … sources) and footer of the guide.

    "Other formats" (the build's other files except ``own``, linked under ``base_url``)
    follows the key facts and the contents, before the first other section: where a
    reader who needs large print, an e-book or braille looks first (GOV.UK publication
    pages list them at the top).
    """
    doc = ctx.doc
    meta = doc.meta
    words = doc.labels
    body = doc.body_copy()
    for img, path, mime in resolve_images(doc, body):
        img.set("src", data_uri(path, mime))
    mark_decorative(body)
    wrap_tables(body, words["table"])
    for heading in body.iter(*HEADING_TAGS):
        heading.set("class", f"heading-{heading.tag[1]}")
    for section in body.iter("section"):
        if section.get("aria-labelledby") not in LANDMARK_SECTIONS:
            del section.attrib["aria-labelledby"]

    banner = draft_banner(doc)
    header = [banner] if banner is not None else []
    switcher = language_switcher(doc)
    if switcher is not None:
        header.append(switcher)
    if meta.publisher:
        header.append(element("p", meta.publisher, cls="publisher"))

    content = element("div", cls="content")
    content.text = body.text
    for child in list(body):
        content.append(child)
    nav = _insert_contents(content, doc)
    formats = other_formats_nav(ctx, own=own, base_url=base_url)
    if formats is not None:
        nav.addnext(formats)

    footer = element("footer", cls="page-footer")
    colon = words.text.colon
    parts = [f"{words['version']} {meta.version}"]
    if meta.last_reviewed:
        parts.append(f"{words['last_reviewed']}{colon}{meta.last_reviewed.isoformat()}")
    if meta.next_review:
        parts.append(f"{words['next_review']}{colon}{meta.next_review.isoformat()}")
    footer.append(labelled(doc, element("p", " · ".join(parts))))
    return GuideParts(header, content, footer)


def language_switcher(doc: Document) -> HtmlElement | None:
    """The guide's languages near the top, each named in itself and marked with its
    language (``lang``, ``hreflang``, ``dir``): this one as text, the others as links to
    their pages. None for a guide without translations."""
    if not doc.languages:
        return None
    nav = labelled(doc, element("nav", cls="languages",
                                aria_label=doc.labels["other_languages"]))
    items = element("ul")
    for version in doc.languages:
        item = element("li")
        attrs = {"lang": version.lang}
        if version.direction and version.direction != doc.meta.dir:
            attrs["dir"] = version.direction
        if version.stem == doc.path.stem:
            item.append(element("span", version.name, aria_current="page",
                                cls="current", **attrs))
        else:
            item.append(element("a", version.name, href=f"{version.stem}.html",
                                hreflang=version.lang, **attrs))
        items.append(item)
    nav.append(items)
    return nav


def alternate_links(doc: Document) -> tuple[HtmlElement, ...]:
    """``<link rel="alternate" hreflang>`` for every other language of the guide, and
    ``x-default`` for the source: search engines and browsers offer the reader's own."""
    links = [element("link", rel="alternate", hreflang=v.lang, href=f"{v.stem}.html")
             for v in doc.languages if v.stem != doc.path.stem]
    links += [element("link", rel="alternate", hreflang="x-default", href=f"{v.stem}.html")
              for v in doc.languages if v.is_source]
    return tuple(links)


def _insert_contents(content: HtmlElement, doc: Document) -> HtmlElement:
    """Put the contents list after the title, introduction and key facts.

    Key facts come first on the first screen (CDC Clear Communication Index);
    the contents list follows them, before the first other section.
    """
    words = doc.labels
    nav = element("nav", cls="toc", aria_labelledby="toc-title")
    nav.append(labelled(doc, element("p", words["contents"], id="toc-title", cls="toc-title")))
    top = doc.outline[0].children if doc.outline and doc.outline[0].level == 1 \
        else doc.outline
    nav.append(toc_list(top, max_level=TOC_MAX_LEVEL))
    sections = [s for s in content if s.tag == "section"]
    after_key_facts = [s for s in sections if KEY_FACTS not in (s.get("class") or "").split()]
    if after_key_facts:
        after_key_facts[0].addprevious(nav)
    else:
        content.append(nav)
    return nav


class HtmlRenderer:
    """Renders ``guide.html``, the standalone page."""

    name: ClassVar[str] = "html"

    def render(self, ctx: RenderContext) -> dict[str, bytes]:
        return {f"{ctx.stem}.html": self.page(ctx).encode("utf-8")}

    def page(self, ctx: RenderContext) -> str:
        doc = ctx.doc
        meta = doc.meta
        words = doc.labels
        parts = guide_parts(ctx, own=(f"{ctx.stem}.html",))
        css = screen_css(fonts_css=fonts.stylesheet(doc, "woff"))

        html = element("html", lang=meta.lang, dir=meta.dir)
        html.append(page_head(meta.title, css, ctx.build_date.date().isoformat(),
                              meta.description, alternate_links(doc)))

        page = element("body")
        html.append(page)
        page.append(labelled(doc, element("a", words["skip_to_content"], href="#main",
                                          cls="skip-link")))
        wrapper = element("div", cls=embed.ROOT_CLASS)
        page.append(wrapper)
        header = element("header", cls="page-header")
        header.extend(parts.header)
        wrapper.append(header)
        parts.content.tag = "main"
        parts.content.set("id", "main")
        parts.content.set("tabindex", "-1")
        wrapper.append(parts.content)
        wrapper.append(parts.footer)
        mark_keep_words(html, doc)
        return "<!DOCTYPE html>\n" + to_html(apply_direction(html, meta.dir)) + "\n"


class EmbedRenderer:
    """Renders ``guide.embed.html`` and ``guide.embed.css``, the fragment for partner sites.

    The stylesheet is both inside the fragment (a ``<style>`` element, for most
    hosts) and beside it (for hosts whose CSP forbids inline styles).
    """

    name: ClassVar[str] = "embed"

    def render(self, ctx: RenderContext) -> dict[str, bytes]:
        css = inline_fonts(embed.scope_css(guide_css(ctx.doc, "embed.css")))
        return {
            f"{ctx.stem}.embed.html": self.fragment(ctx, css).encode("utf-8"),
            f"{ctx.stem}.embed.css": css.encode("utf-8"),
        }

    def fragment(self, ctx: RenderContext, css: str) -> str:
        doc = ctx.doc
        meta = doc.meta
        parts = guide_parts(ctx, own=(f"{ctx.stem}.html",), base_url=ctx.options.base_url)
        root = element("article", cls=embed.ROOT_CLASS, lang=meta.lang, dir=meta.dir)
        title = next(parts.content.iter("h1"), None)
        if title is not None and title.get("id"):
            root.set("aria-labelledby", title.get("id"))
        header = element("header", cls="page-header")
        header.extend(parts.header)
        root.extend([header, parts.content, parts.footer])
        embed.shift_headings(root, ctx.options.heading_base, doc)
        mark_keep_words(root, doc)
        embed.prefix_names(root)
        root.insert(0, element("style", css))
        notice = (f" {meta.title}: paste this whole element into your page. "
                  f"Content-Security-Policy it needs: {policy(css)} - or, with the "
                  f"style element below removed and {ctx.stem}.embed.css linked from the "
                  "head of your page, style-src allowing that file. ")
        root.insert(0, etree.Comment(re.sub(r"-{2,}", "-", notice)))
        return to_html(apply_direction(root, meta.dir)) + "\n"
