"""``opds.xml``: the folder's guides as an OPDS 1.2 acquisition feed (Atom).

E-reader and library apps (Thorium, KOReader, Calibre …) find a collection
through an OPDS feed: one entry per guide and language, with its EPUB
identifier, title, language, summary, authors and publisher, and acquisition
links relative to the feed (the EPUB first; the PDF editions as alternatives).
Written from the manifest by ``publish.catalogue``; see
https://specs.opds.io/opds-1.2 for the elements.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from lxml import etree

from publish.labels import labels_for
from publish.offers import caption

if TYPE_CHECKING:
    from publish.catalogue import Edition

ATOM = "opds.xml"
ACQUISITION_FEED = "application/atom+xml;profile=opds-catalog;kind=acquisition"
MEDIA_TYPES = {ATOM: ACQUISITION_FEED}

NS = {None: "http://www.w3.org/2005/Atom", "dc": "http://purl.org/dc/terms/",
      "opds": "http://opds-spec.org/2010/catalog"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
OPEN_ACCESS = "http://opds-spec.org/acquisition/open-access"
"""The guides are free to take: the OPDS relation for acquisition without payment."""

FEED_NAMESPACE = uuid.UUID("6f1b8a1e-3d0c-5a4e-9c57-0b8f2f6a1c33")
"""Namespace of the feed's urn:uuid (v5); any fixed value, never to change."""


def _atom(tag: str) -> str:
    prefix, _, name = tag.rpartition(":")
    return f"{{{NS[prefix or None]}}}{name}"


def _sub(parent: etree._Element, tag: str, text: str = "", **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, _atom(tag), {k.replace("_", "-"): v for k, v in attrs.items()})
    if text:
        el.text = text
    return el


def feed_id(publishers: list[str]) -> str:
    """A stable feed id: the same publishers' folder keeps its id as guides come and go."""
    return f"urn:uuid:{uuid.uuid5(FEED_NAMESPACE, chr(0).join(sorted(set(publishers))))}"


def feeds(groups: list[list[Edition]], lang: str, updated: str) -> dict[str, bytes]:
    """The OPDS 1.2 acquisition feed of every edition that has a file to take;
    ``updated``: the latest build date of the guides listed."""
    words = labels_for(lang)
    editions = [e for group in groups for e in group]
    feed = etree.Element(_atom("feed"), nsmap=NS)
    feed.set(XML_LANG, lang)
    _sub(feed, "id", feed_id([e.guide.get("publisher") or "" for e in editions]))
    _sub(feed, "title", words["catalogue_title"])
    _sub(feed, "updated", updated)
    author = _sub(feed, "author")
    publishers = sorted({e.guide.get("publisher") or "" for e in editions} - {""})
    _sub(author, "name", "; ".join(publishers) or words["catalogue_title"])
    _sub(feed, "link", rel="self", href=ATOM, type=ACQUISITION_FEED)
    _sub(feed, "link", rel="start", href=ATOM, type=ACQUISITION_FEED)
    _sub(feed, "link", rel="alternate", href="index.html", type="text/html")
    for edition in editions:
        takes = [o for o in edition.offers if o.kind.key != "web"]
        if not takes:  # an acquisition feed lists only what can be taken
            continue
        guide = edition.guide
        entry = _sub(feed, "entry")
        entry.set(XML_LANG, guide["lang"])
        _sub(entry, "title", guide["title"])
        _sub(entry, "id", guide["identifier"])
        _sub(entry, "updated", guide["modified"])
        for name in guide.get("authors") or [guide.get("publisher") or ""]:
            if name:  # none: the feed's own author stands for the entry's (RFC 4287)
                _sub(_sub(entry, "author"), "name", name)
        _sub(entry, "dc:identifier", guide["identifier"])
        _sub(entry, "dc:language", guide["lang"])
        if guide.get("publisher"):
            _sub(entry, "dc:publisher", guide["publisher"])
        if guide.get("published"):
            _sub(entry, "dc:issued", guide["published"])
        if guide.get("summary"):
            _sub(entry, "summary", guide["summary"])
        # The EPUB first: the format e-reader apps take; then the PDFs.
        for offer in sorted(takes, key=lambda o: o.kind.file_format != "EPUB"):
            _sub(entry, "link", rel=OPEN_ACCESS, href=offer.file, type=offer.kind.media_type,
                 title=caption(offer, words), length=str(offer.size))
        page = next((o for o in edition.offers if o.kind.key == "web"), None)
        if page is not None:
            _sub(entry, "link", rel="alternate", href=page.file, type=page.kind.media_type,
                 hreflang=guide["lang"])
    etree.indent(feed, space="  ")
    return {ATOM: etree.tostring(feed, xml_declaration=True, encoding="utf-8") + b"\n"}
