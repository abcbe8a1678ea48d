"""Turning the screen page into a fragment partners paste into their own pages.

Not a renderer: ``publish.render.html`` builds the guide once and uses these
transforms for ``guide.embed.html``. A host page is someone else's document,
so the fragment must neither collide with it nor be broken by it:

* every id and class gets :data:`PREFIX`, and every reference to an id
  (``href="#…"``, ``aria-labelledby`` …) follows, so nothing clashes with the
  host's own ids and classes;
* headings move down to a level the host chooses (``--heading-base``), so the
  host keeps its own h1;
* the stylesheet is the page's own layers (one place for each fact), rewritten
  so every selector is scoped under the root element, every custom property
  and font family is prefixed (nothing leaks into the host, nothing of the
  host's leaks in), and ``rem`` no longer depends on the host's root size.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import tinycss2
from lxml.html import HtmlElement
from tinycss2 import ast
from tinycss2.serializer import serialize_string_value

from publish.errors import RenderError
from publish.model import HEADING_TAGS as HEADINGS
from publish.model import Document

PREFIX = "pg-"
"""Prefix of every id, class, custom property and font family in the fragment."""

ROOT_CLASS = "guide"
"""Class of the element that holds the whole guide: the page's wrapper, the fragment's root."""

ROOT_SELECTORS = re.compile(r"^(?::root|html|body)(?![\w-])")
"""Selectors for the page's document root; in the fragment they mean the root element."""

ID_REFERENCES = ("aria-labelledby", "aria-describedby", "aria-controls", "aria-details",
                 "aria-owns", "headers", "for")
"""Attributes that hold space-separated id references."""

REM_PROPERTY = "--rem"
"""Custom property that stands in for ``1rem`` in the fragment (declared in embed.css).

A host that sets ``html { font-size: 62.5% }`` would otherwise shrink every
rem-sized text in the guide below a readable size.
"""



def prefix_names(root: HtmlElement, prefix: str = PREFIX) -> None:
    """Prefix every id and class in ``root`` and every in-fragment reference to an id."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.get("id"):
            el.set("id", prefix + el.get("id"))
        if el.get("class"):
            el.set("class", " ".join(prefix + c for c in el.get("class").split()))
        for name in ID_REFERENCES:
            if el.get(name):
                el.set(name, " ".join(prefix + i for i in el.get(name).split()))
        href = el.get("href")
        if href and href.startswith("#") and len(href) > 1:
            el.set("href", "#" + prefix + href[1:])


def shift_headings(root: HtmlElement, base: int, doc: Document) -> None:
    """Make the guide's h1 an h``base`` and every other heading follow it.

    Relative levels are kept, so there are no skips below the new top level.
    A heading pushed beyond h6 cannot be expressed in HTML: that is an error
    in the content for this base, reported at the heading's source line.
    """
    shift = base - 1
    if shift == 0:
        return
    for el in list(root.iter(*HEADINGS)):
        level = int(el.tag[1]) + shift
        if level > 6:
            text = " ".join(el.text_content().split())
            raise RenderError(
                "embed", f"'{text}' would become a level-{level} heading with "
                f"--heading-base {base}; HTML stops at h6, so use a smaller --heading-base "
                "or fewer heading levels", doc.path, doc.line_of(el.get("id", "")))
        el.tag = f"h{level}"


# --------------------------------------------------------------------------------------
# The stylesheet
# --------------------------------------------------------------------------------------


def scope_css(css: str, prefix: str = PREFIX) -> str:
    """Rewrite a page stylesheet so that it applies only inside the fragment's root.

    ``:root``, ``html``, ``body`` and ``.guide`` become the root element
    (``.pg-guide``); every other selector becomes a descendant of it; ``*``
    covers the root too. ``@page`` rules are dropped (they would change how
    the host prints). The result is one rule per line, in source order.
    """
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    families = _font_families(rules)
    return "\n".join(_rules(rules, prefix, families)) + "\n"


def _font_families(rules: Iterable[object]) -> set[str]:
    """Family names declared by ``@font-face``: renamed so the host's fonts stay its own."""
    names: set[str] = set()
    for rule in rules:
        if isinstance(rule, ast.AtRule) and rule.lower_at_keyword == "font-face":
            for decl in _declarations(rule.content or []):
                if decl.lower_name == "font-family":
                    names.update(t.value for t in decl.value if isinstance(t, ast.StringToken))
    return names


def _declarations(content: list[ast.Node]) -> list[ast.Declaration]:
    items = tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True)
    for item in items:
        if not isinstance(item, ast.Declaration):
            raise ValueError(f"unsupported nested CSS at line {item.source_line}")
    return items


def _rules(rules: Iterable[object], prefix: str, families: set[str]) -> list[str]:
    out: list[str] = []
    for rule in rules:
        if isinstance(rule, ast.QualifiedRule):
            selectors = ", ".join(_scope_selector(s, prefix) for s in _split(rule.prelude))
            out.append(f"{selectors} {{ {_block(rule.content, prefix, families)} }}")
        elif isinstance(rule, ast.AtRule) and rule.lower_at_keyword == "font-face":
            out.append(f"@font-face {{ {_block(rule.content or [], prefix, families)} }}")
        elif isinstance(rule, ast.AtRule) and rule.lower_at_keyword in ("media", "supports"):
            inner = tinycss2.parse_rule_list(rule.content or [], skip_comments=True,
                                             skip_whitespace=True)
            body = "\n".join(_rules(inner, prefix, families))
            condition = tinycss2.serialize(rule.prelude).strip()
            out.append(f"@{rule.lower_at_keyword} {condition} {{\n{body}\n}}")
        elif isinstance(rule, ast.AtRule) and rule.lower_at_keyword == "page":
            continue
        else:
            kind = type(rule).__name__
            raise ValueError(f"cannot scope {kind} at line {getattr(rule, 'source_line', '?')}")
    return out


def _split(prelude: list[ast.Node]) -> list[list[ast.Node]]:
    """A selector list split at its top-level commas."""
    selectors: list[list[ast.Node]] = [[]]
    for token in prelude:
        if isinstance(token, ast.LiteralToken) and token.value == ",":
            selectors.append([])
        else:
            selectors[-1].append(token)
    return selectors


def _prefix_selector_names(tokens: list[ast.Node], prefix: str) -> list[ast.Node]:
    """Prefix ``.class`` and ``#id`` tokens, inside functions such as ``:not()`` too."""
    out: list[ast.Node] = []
    for i, token in enumerate(tokens):
        after_dot = i > 0 and isinstance(tokens[i - 1], ast.LiteralToken) \
            and tokens[i - 1].value == "."
        if isinstance(token, ast.IdentToken) and after_dot:
            token = ast.IdentToken(token.source_line, token.source_column, prefix + token.value)
        elif isinstance(token, ast.HashToken):
            token = ast.HashToken(token.source_line, token.source_column,
                                  prefix + token.value, True)
        elif isinstance(token, ast.FunctionBlock):
            token = ast.FunctionBlock(token.source_line, token.source_column, token.name,
                                      _prefix_selector_names(token.arguments, prefix))
        out.append(token)
    return out


def _scope_selector(tokens: list[ast.Node], prefix: str) -> str:
    root = f".{prefix}{ROOT_CLASS}"
    selector = tinycss2.serialize(_prefix_selector_names(tokens, prefix)).strip()
    selector = ROOT_SELECTORS.sub(root, selector)
    if re.match(re.escape(root) + r"(?![\w-])", selector):
        return selector
    if selector.startswith("*"):  # the universal selector includes the root itself
        return f"{root}{selector[1:]}, {root} {selector}"
    return f"{root} {selector}"


def _block(content: list[ast.Node], prefix: str, families: set[str]) -> str:
    parts = []
    for decl in _declarations(content):
        name = _custom(decl.name, prefix)
        keep_rem = decl.name == REM_PROPERTY
        value = tinycss2.serialize(_value(decl.value, prefix, families, keep_rem)).strip()
        parts.append(f"{name}: {value}{' !important' if decl.important else ''};")
    return " ".join(parts)


def _custom(name: str, prefix: str) -> str:
    return f"--{prefix}{name[2:]}" if name.startswith("--") else name


def _value(tokens: list[ast.Node], prefix: str, families: set[str],
           keep_rem: bool) -> list[ast.Node]:
    out: list[ast.Node] = []
    for token in tokens:
        if isinstance(token, ast.IdentToken) and token.value.startswith("--"):
            token = ast.IdentToken(token.source_line, token.source_column,
                                   _custom(token.value, prefix))
        elif isinstance(token, ast.StringToken) and token.value in families:
            name = prefix + token.value
            token = ast.StringToken(token.source_line, token.source_column, name,
                                    f'"{serialize_string_value(name)}"')
        elif isinstance(token, ast.DimensionToken) and token.lower_unit == "rem" \
                and not keep_rem:
            token = tinycss2.parse_one_component_value(
                f"calc({token.representation} * var({_custom(REM_PROPERTY, prefix)}))")
        elif isinstance(token, ast.FunctionBlock):
            token = ast.FunctionBlock(token.source_line, token.source_column, token.name,
                                      _value(token.arguments, prefix, families, keep_rem))
        out.append(token)
    return out
