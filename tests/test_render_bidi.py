"""Right to left: the direction of a guide, and Latin runs isolated inside it.

Unit tests of ``publish.render.bidi`` on small trees. The right-to-left fixture guides
built to every output (``dir`` everywhere, the footer mirrored, lines sharing their
right edge, the page in Chromium) are tested in ``tests/test_languages.py``.
"""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from publish.frontmatter import direction_of
from publish.labels import labels_for, shipped_tags
from publish.render.bidi import apply_direction, ltr_runs


@pytest.mark.parametrize(("lang", "expected"), [
    ("ar", "rtl"), ("fa-IR", "rtl"), ("ur", "rtl"), ("en-GB", "ltr"), ("zh-Hans", "ltr"),
    ("pa", "ltr"), ("pa-Arab", "rtl"), ("ku-Latn", "ltr"), ("he", "rtl"),
])
def test_direction_comes_from_the_language_and_its_script(lang: str, expected: str) -> None:
    assert direction_of(lang) == expected


@pytest.mark.parametrize(("text", "runs"), [
    ("الجرعة 4.5\u00a0mg مرة.", ["4.5\u00a0mg"]),
    # The full stop after the run ends the Arabic sentence: it stays outside.
    ("Low-dose naltrexone (LDN): review. Medical Sciences (Basel), 2018. ",
     ["Low-dose naltrexone (LDN): review. Medical Sciences (Basel), 2018"]),
    # Brackets opened outside the run stay outside, paired with their partner.
    ("تناول (LDN) 4.5 mg", ["LDN", "4.5 mg"]),
    ("doi:10.1016/S2665-9913(23)00278-3", ["doi:10.1016/S2665-9913(23)00278-3"]),
    ("ABC (DEF ش", ["ABC", "DEF"]),
    # A bare number already reads left to right.
    ("في عام 2018 نشر", []),
    ("عام خوراک 1.5 mg سے 4.5 mg تک ہے۔", ["1.5 mg", "4.5 mg"]),
    ("فقط نص عربي", []),
])
def test_ltr_runs(text: str, runs: list[str]) -> None:
    assert [text[a:b] for a, b in ltr_runs(text)] == runs


def _tree(markup: str) -> lxml_html.HtmlElement:
    return lxml_html.fragment_fromstring(markup, create_parent="div")


def test_a_right_to_left_tree_isolates_latin_runs() -> None:
    root = _tree('<p>الجرعة 4.5 mg مرة <strong>واحدة</strong> (LDN).</p>'
                 '<p lang="en">An English quotation.</p><style>p{}</style>')
    apply_direction(root, "rtl")
    assert lxml_html.tostring(root, encoding="unicode") == (
        '<div><p>الجرعة <bdi dir="ltr">4.5 mg</bdi> مرة <strong>واحدة</strong> '
        '(<bdi dir="ltr">LDN</bdi>).</p>'
        '<p lang="en" dir="ltr"><bdi dir="ltr">An English quotation</bdi>.</p>'
        '<style>p{}</style></div>')


def test_a_left_to_right_tree_is_left_alone() -> None:
    markup = '<p>Take 4.5 mg (LDN). <span lang="ar">عربي</span></p>'
    root = _tree(markup)
    apply_direction(root, "ltr")
    assert lxml_html.tostring(root, encoding="unicode") == f"<div>{markup}</div>"


def test_the_label_tables_agree_on_direction() -> None:
    """Two places know a language's direction: the guide's default ``dir`` (from its tag)
    and the label table's ``direction``; they must never disagree."""
    assert {tag: direction_of(tag) for tag in shipped_tags()} == \
        {tag: labels_for(tag).direction for tag in shipped_tags()}
