"""Fenced code, defined once: exactly the lines Python-Markdown renders as fenced code."""

from __future__ import annotations

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from publish.locate import fenced_code_lines
from publish.parse import MARKDOWN_EXTENSIONS

FENCES = ["```", "````", "~~~", "~~~~", "```python", "``` {.x}", "``` {a}b}", "    ```",
          "> ```", " ```", "```  ", "``` not a language"]


def markdown_code_lines(lines: list[str]) -> list[bool]:
    """Which text lines (``word N``) Python-Markdown puts inside ``<pre>``."""
    page = lxml_html.fromstring("<div>" + markdown.markdown(
        "\n".join(lines), extensions=MARKDOWN_EXTENSIONS) + "</div>")
    in_code = {word for pre in page.iter("pre") for word in pre.text_content().split()}
    return [line.startswith("word") and line.split()[1] in in_code for line in lines]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(FENCES), st.sampled_from(["", "text"])), max_size=14))
def test_fences_are_found_as_python_markdown_finds_them(kinds: list[str]) -> None:
    lines = [f"word w{i}x" if kind == "text" else kind for i, kind in enumerate(kinds)]
    ours = fenced_code_lines(lines)
    theirs = markdown_code_lines(lines)
    texts = [i for i, line in enumerate(lines) if line.startswith("word")]
    assert [ours[i] for i in texts] == [theirs[i] for i in texts], lines


def test_an_unclosed_fence_hides_nothing() -> None:
    assert fenced_code_lines(["```", "[[[", ""]) == [False, False, False]
    assert fenced_code_lines(["~~~", "x", "~~~"]) == [True, True, True]
    assert fenced_code_lines(["```", "x", "````", "```"]) == [True, True, True, True]
