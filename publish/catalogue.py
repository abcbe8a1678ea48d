"""The catalogue of an output folder: ``index.html`` for people, OPDS feeds for apps.

Publishers build many guides (and, later, their translations) into one folder
and hand that folder to partner sites, libraries and e-reader apps. This
module describes the whole folder from ``manifest.json`` alone — the guides'
front matter as the manifest recorded it and every file it lists — never from
the sources, so guides built at different times into one folder all stay
listed. It runs with the folder locked, as the last step of every build
(``publish.manifest.render``), and its files are committed with the outputs.

Every word comes from ``publish.labels``; dates come from the guides (the
build date, ``SOURCE_DATE_EPOCH`` or the guide's own), never from the clock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lxml.html import HtmlElement

from publish import fonts, opds
from publish.labels import has_table, labels_for, language_name
from publish.offers import KINDS, Kind, Offer, caption, sort
from publish.render.common import element, to_html
from publish.render.html import page_head, screen_css

INDEX = "index.html"
MEDIA_TYPES = {INDEX: "text/html", **opds.MEDIA_TYPES}
"""The files this module writes into every output folder, with their media types."""


@dataclass(frozen=True)
class Edition:
    """One guide in one language, as the manifest describes it, with its files."""

    guide: dict[str, Any]
    offers: list[Offer]

    @property
    def lang(self) -> str:
        return str(self.guide["lang"])


def editions(guides: Iterable[dict[str, Any]], outputs: Iterable[dict[str, Any]]
             ) -> list[list[Edition]]:
    """The guides grouped with their translations (original first), each with its files.

    A translation names its original in ``translation_of``; guides are ordered by
    title, translations by language tag.
    """
    kinds = {k.key: k for k in KINDS}
    files: dict[str, list[Offer]] = {}
    for item in outputs:
        kind: Kind | None = kinds.get(item.get("kind", ""))
        if kind is not None:
            files.setdefault(item["source"], []).append(
                Offer(item["file"], kind, item["size"], item.get("pages")))
    found = [Edition(g, sort(files.get(g["source"], []))) for g in guides]
    by_source = {e.guide["source"]: e for e in found}
    groups: dict[str, list[Edition]] = {}
    for e in found:
        original = e.guide.get("translation_of") or ""
        key = original if original in by_source else e.guide["source"]
        groups.setdefault(key, []).append(e)
    ordered = []
    for key, members in groups.items():
        members.sort(key=lambda e: (e.guide["source"] != key, e.lang))
        ordered.append(members)
    return sorted(ordered, key=lambda m: (m[0].guide["title"].casefold(), m[0].guide["source"]))


def catalogue_lang(groups: list[list[Edition]]) -> tuple[str, str]:
    """The catalogue's own language and direction: that of most original guides."""
    # Only a language with a shipped label table can be the catalogue's own (a guide may
    # bring its own table, but the catalogue is written from the manifest alone).
    counts = Counter((g[0].lang, g[0].guide.get("dir") or "ltr") for g in groups
                     if has_table(g[0].lang))
    if not counts:
        return "en", "ltr"
    return min(counts, key=lambda k: (-counts[k], k))


def render(guides: list[dict[str, Any]], outputs: list[dict[str, Any]]) -> dict[str, bytes]:
    """``index.html`` and the OPDS feeds of the folder the manifest describes."""
    groups = editions(guides, outputs)
    lang, direction = catalogue_lang(groups)
    return {INDEX: index_page(groups, lang, direction).encode("utf-8"),
            **opds.feeds(groups, lang, updated(groups))}


def updated(groups: list[list[Edition]]) -> str:
    """The latest build date of any guide listed (never the clock)."""
    return max((e.guide["modified"] for g in groups for e in g),
               default="2000-01-01T00:00:00Z")


def index_page(groups: list[list[Edition]], lang: str, direction: str) -> str:
    """The catalogue page: every guide, its languages, status, dates and files."""
    words = labels_for(lang)
    html = element("html", lang=lang, dir=direction)
    body = element("body")
    body.append(element("a", words["skip_to_content"], href="#main", cls="skip-link"))
    wrapper = element("div", cls="guide catalogue")
    body.append(wrapper)
    main = element("main", id="main", tabindex="-1")
    wrapper.append(main)
    main.append(element("h1", words["catalogue_title"], cls="heading-1"))
    count = (words["catalogue_count_one"] if len(groups) == 1
             else words["catalogue_count_other"].format(n=len(groups)))
    intro = element("p", count + " ")
    intro.append(element("a", words["catalogue_feed"], href=opds.ATOM,
                         type=opds.MEDIA_TYPES[opds.ATOM]))
    main.append(intro)
    for n, group in enumerate(groups, 1):
        main.append(_entry(group, f"guide-{n}", lang))
    # Every title, summary and language name is drawn from the project's fonts, inlined
    # like the guides' pages: an Arabic or Chinese edition's title needs a subset.
    drawn = "\n".join([words["catalogue_title"], "".join(body.itertext())])
    css = screen_css("catalogue.css", fonts_css=fonts.stylesheet_for(lang, drawn, "woff"))
    feed = element("link", rel="alternate", href=opds.ATOM, type=opds.MEDIA_TYPES[opds.ATOM],
                   title=words["catalogue_feed"])
    html.append(page_head(words["catalogue_title"], css, updated(groups)[:10], links=(feed,)))
    html.append(body)
    return "<!DOCTYPE html>\n" + to_html(html) + "\n"


def _entry(group: list[Edition], ident: str, lang: str) -> HtmlElement:
    """One guide: its title, then each language edition with its details and files."""
    words = labels_for(lang)
    first = group[0].guide
    article = element("article", cls="catalogue-entry", aria_labelledby=ident)
    article.append(element("h2", first["title"], id=ident, cls="heading-2",
                           lang=first["lang"], dir=first.get("dir") or "ltr"))
    for edition in group:
        if len(group) > 1:
            article.append(element("h3", language_name(edition.lang), cls="heading-3",
                                   lang=edition.lang, dir=edition.guide.get("dir") or "ltr"))
            if edition is not group[0]:
                article.append(element("p", edition.guide["title"], cls="edition-title",
                                       lang=edition.lang,
                                       dir=edition.guide.get("dir") or "ltr"))
        article.extend(_edition(edition, lang, words))
    return article


def _edition(edition: Edition, lang: str, words: dict[str, str]) -> list[HtmlElement]:
    guide = edition.guide
    parts: list[HtmlElement] = []
    if guide["status"] == "draft":  # a draft is never offered as if it were approved
        banner = element("p", cls="draft-banner")
        banner.append(element("strong", words["draft_banner"]))
        parts.append(banner)
    if guide.get("summary"):
        parts.append(element("p", guide["summary"], lang=edition.lang,
                             dir=guide.get("dir") or "ltr"))
    details = element("dl", cls="edition-details")
    status = words["status_draft"] if guide["status"] == "draft" else words["status_approved"]
    for term, value, is_date in (
            (words["status"], status, False), (words["version"], guide["version"], False),
            (words["last_reviewed"], guide.get("last_reviewed"), True),
            (words["next_review"], guide.get("next_review"), True)):
        if not value:
            continue
        details.append(element("dt", term))
        dd = element("dd")
        if is_date:
            dd.append(element("time", value, datetime=value))
        else:
            dd.text = value
        details.append(dd)
    parts.append(details)
    if edition.offers:
        files = element("ul", cls="edition-formats")
        for offer in edition.offers:
            li = element("li")
            li.append(element("a", caption(offer, words), href=offer.file,
                              type=offer.kind.media_type, hreflang=edition.lang))
            files.append(li)
        parts.append(files)
    return parts
