"""The allow-list for HTML inside a guide, enforced by nh3.

Guides come from editors, translators and partners. Whatever raw HTML they
write passes through this list before it reaches any output: no script, no
styles, no embedded documents, no forms, no attachments, no remote loading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import nh3
from lxml import html as lxml_html

from publish.model import HEADING_TAGS

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "div", "dl", "dt",
    "figcaption", "figure", *HEADING_TAGS, "hr", "img", "kbd", "li",
    "ol", "p", "pre", "section", "small", "span", "strong", "sub", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "ul",
}
GLOBAL_ATTRIBUTES = {"id", "class", "lang", "dir", "title"}
ALLOWED_ATTRIBUTES = {
    "*": GLOBAL_ATTRIBUTES,
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "abbr": {"title"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

_TAG = re.compile(r"<\s*([a-zA-Z][a-zA-Z0-9-]*)")
_ATTR = re.compile(r"\s([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=")
_SCHEME = re.compile(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def clean(html: str) -> str:
    """Return ``html`` with everything outside the allow-list removed."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


def unsafe_urls(html: str, raw_chunks: Iterable[str]) -> list[str]:
    """Link and image addresses outside raw HTML whose scheme the allow-list refuses.

    Raw HTML is reported chunk by chunk (:func:`removed_parts`). A Markdown link
    such as ``[text](javascript:…)`` is not raw HTML, yet :func:`clean` drops its
    address all the same: this finds it, so that it is reported, not lost silently.
    """
    raw = "\n".join(str(chunk) for chunk in raw_chunks)
    found: list[str] = []
    for el in lxml_html.fragment_fromstring(html or "<p></p>", create_parent="div").iter():
        url = el.get("href") if el.tag == "a" else el.get("src") if el.tag == "img" else None
        scheme = _SCHEME.match(url or "")
        if scheme and scheme.group(1).lower() not in URL_SCHEMES and url not in raw:
            found.append(url)
    return found


def removed_parts(raw: str) -> list[str]:
    """Name what the sanitiser would drop from one raw HTML chunk (for the warning)."""
    dropped: list[str] = []
    for tag in _TAG.findall(raw):
        if tag.lower() not in ALLOWED_TAGS and f"<{tag.lower()}>" not in dropped:
            dropped.append(f"<{tag.lower()}>")
    for attr in _ATTR.findall(raw):
        name = attr.lower()
        allowed = any(name in names for names in ALLOWED_ATTRIBUTES.values())
        if not allowed and f"{name}=" not in dropped:
            dropped.append(f"{name}=")
    if re.search(r"(?i)(javascript|vbscript|data|file):", raw) and "unsafe URL" not in dropped:
        dropped.append("unsafe URL")
    return dropped
