"""YAML read safely, with the line of every mapping and key, through libyaml when present.

Front matter, rules files and label tables are YAML an editor writes, and a mistake
in them is reported as ``file:line``: every mapping keeps its own line and the line of
each key (:class:`Mapping`). PyYAML's pure-Python parser takes ≈ 10 ms per 4 KB
table; a build reads the guide's front matter, those of its translations, three or
more label tables and two rules files, ≈ 0.1 s on the critical path of every cold
build (docs/performance.md). libyaml (``CSafeLoader``, in PyYAML's wheels) parses the
same text ten times faster and gives the same nodes, marks and errors; the
constructors stay PyYAML's safe ones. Without libyaml the pure-Python loader is used.
"""

from __future__ import annotations

from typing import Any

import yaml

SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""PyYAML's safe loader, on libyaml's parser when PyYAML was built with it."""

YAMLError = yaml.YAMLError


class Mapping(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers its line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class LineLoader(SafeLoader):  # type: ignore[valid-type,misc]
    """Safe YAML whose mappings are :class:`Mapping` s, so errors can name the line."""


def _construct_mapping(loader: LineLoader, node: yaml.MappingNode) -> Mapping:
    loader.flatten_mapping(node)
    mapping = Mapping(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
    return mapping


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_with_lines(text: str) -> Any:
    """The document in ``text``, its mappings as :class:`Mapping` s."""
    return yaml.load(text, Loader=LineLoader)


def node_and_data(text: str) -> tuple[yaml.Node | None, Any]:
    """The composed node (for the lines of keys and list items) and the plain data of
    one YAML document, from a single parse."""
    loader = SafeLoader(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def problem(exc: yaml.YAMLError, text: str) -> tuple[str, int]:
    """What is wrong, and on which line of ``text`` (0-based), for an error message.

    A problem found at the end of the text (an unclosed ``[``) is put on its last line:
    libyaml places the end after a text without a final newline, on a line that the
    editor does not see.
    """
    mark = getattr(exc, "problem_mark", None)
    what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    line = mark.line if mark else 0
    return what, min(line, max(0, len(text.rstrip("\n").split("\n")) - 1))
