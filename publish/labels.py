"""Words the pipeline itself writes into every output, per language.

Only English exists today; a translation adds a table here, so the same
pipeline builds a guide in another language without English leftovers.
"""

from __future__ import annotations

ENGLISH = {
    "draft_banner": "Draft — not for clinical use",
    "draft_explainer": "This guide has not yet been approved by a clinical reviewer.",
    "guide_details": "Guide details",
    "review_notes": "Questions for the clinical reviewer",
    "sources_to_complete": "Sources to complete before approval (PIF TICK): {groups}.",
    "sources_missing": "{ids}: no {parts}",
    "source_missing_publisher": "publisher or journal",
    "source_missing_year": "year",
    "source_missing_address": "URL or DOI",
    "list_separator": ", ",
    "group_separator": "; ",
    "sources": "Sources",
    "status": "Status",
    "status_draft": "Draft, waiting for clinical review",
    "status_approved": "Approved",
    "version": "Version",
    "published": "Published",
    "last_reviewed": "Last reviewed",
    "next_review": "Next review due",
    "authors": "Written by",
    "clinical_reviewers": "Clinical review by",
    "publisher": "Published by",
    "feedback": "Feedback",
    "contents": "Contents",
    "skip_to_content": "Skip to main content",
    "key_facts": "Key facts",
    "page_of": "Page {page} of {pages}",
    "back_to_text": "Back to text",
    "cover_alt": "Cover: {title}",
    "print_pages": "Pages",
    "landmarks": "Guide sections",
    # Other formats and the folder's catalogue (publish.offers, publish.catalogue)
    "language_name": "English",
    "other_formats": "Other formats",
    "other_languages": "Other languages",
    "kind_web": "Web page",
    "kind_leaflet": "Printable leaflet",
    "kind_large_print": "Large print",
    "kind_booklet": "Booklet to print and fold",
    "kind_ebook": "E-book",
    "kind_braille_brf": "Braille, ready to emboss",
    "kind_braille_pef": "Braille",
    "kind_print_shop": "For print shops",
    "pages_one": "1 page",
    "pages_other": "{n} pages",
    "size_kb": "{n} KB",
    "size_mb": "{n} MB",
    "file_name": "file {name}",
    "catalogue_title": "Patient guides",
    "catalogue_count_one": "1 guide in this collection.",
    "catalogue_count_other": "{n} guides in this collection.",
    "catalogue_feed": "Catalogue for e-book apps (OPDS)",
    "formats": "Formats",
    "languages": "Languages",
    # The braille edition (publish.render.braille)
    "braille_edition": "Braille edition",
    "braille_page": "Page",
    "transcriber_note": "Transcriber's note",
    "braille_picture": "Picture: {alt}",
    "braille_other_formats": "This guide also comes as a web page, a printed leaflet, "
                             "a large-print leaflet and an e-book. Ask the person who "
                             "gave you this guide for another format.",
}

LABELS = {"en": ENGLISH}


def labels_for(lang: str) -> dict[str, str]:
    """The label table for a BCP 47 tag, falling back to English."""
    return LABELS.get(lang.split("-")[0].lower(), ENGLISH)
