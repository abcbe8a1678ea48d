"""Loading the stylesheets in ``styles/``: tokens once, then one layer per output.

Renderers ask for a list of layers; this module joins them after the tokens
and fonts, and offers the two transforms outputs need: fonts inlined as data
(the HTML page loads nothing) and tokens resolved to plain values (EPUB
reading systems that do not support ``var()``).
"""

from __future__ import annotations

import base64
import fnmatch
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from importlib import resources
from pathlib import Path

STYLES_DIR = Path(str(resources.files("publish") / "stylesheets")).resolve()
"""``styles/``, shipped inside the package: in a checkout ``publish/stylesheets`` links to
the top-level ``styles/`` people edit; a wheel carries the files themselves (package data
in pyproject.toml), so an installed ``publish`` needs no checkout."""
FONTS_DIR = STYLES_DIR / "fonts"
TOKEN_LAYERS = ("tokens.css", "fonts.css")

_DECLARED: ContextVar[tuple[str, tuple[str, ...]] | None] = ContextVar("declared", default=None)
"""The format being rendered and the style files its row in ``publish.render.FORMATS``
declares; None outside a build's render (tests calling a renderer directly)."""


class UndeclaredStyle(LookupError):
    """A renderer read a file under ``styles/`` its format does not declare: its cache key
    would not change with that file, so the output could go stale. Fix the row."""


@contextmanager
def reading(fmt: str, patterns: tuple[str, ...]) -> Iterator[None]:
    """Within this block, reading a style file outside ``patterns`` raises UndeclaredStyle."""
    token = _DECLARED.set((fmt, patterns))
    try:
        yield
    finally:
        _DECLARED.reset(token)


def declared(path: Path) -> Path:
    """``path`` (a file under ``styles/``), after checking the current format declares it."""
    current = _DECLARED.get()
    if current is not None:
        name = path.resolve().relative_to(STYLES_DIR.resolve()).as_posix()
        if not any(fnmatch.fnmatchcase(name, pattern) for pattern in current[1]):
            raise UndeclaredStyle(f"the {current[0]} renderer read styles/{name}, which its "
                                  "row in publish.render.FORMATS does not declare")
    return path


_VAR = re.compile(r"var\(\s*(--[\w-]+)\s*(?:,\s*([^()]*))?\)")
_DECLARATION = re.compile(r"(--[\w-]+)\s*:\s*([^;]+);")
_FONT_URL = re.compile(r"url\((fonts/[\w.-]+)\)\s*format\(\"(\w+)\"\)")


def read_layer(name: str) -> str:
    """The text of one stylesheet in ``styles/`` (which the current format must declare)."""
    return _read(declared(STYLES_DIR / name))


@lru_cache(maxsize=32)
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def stylesheet(*layers: str) -> str:
    """Tokens, fonts, then the named layers, as one stylesheet."""
    return "\n".join(read_layer(name) for name in (*TOKEN_LAYERS, *layers))


def tokens() -> dict[str, str]:
    """The design tokens declared in tokens.css, by custom property name."""
    return dict((k, v.strip()) for k, v in _DECLARATION.findall(read_layer("tokens.css")))


def resolve_tokens(css: str, extra: dict[str, str] | None = None) -> str:
    """Replace ``var(--token)`` with its value and drop the token declarations."""
    values = {**tokens(), **dict((k, v.strip()) for k, v in _DECLARATION.findall(css)),
              **(extra or {})}

    def value(match: re.Match[str]) -> str:
        resolved = values.get(match.group(1), match.group(2) or "")
        return _VAR.sub(value, resolved)

    css = _DECLARATION.sub("", css)
    return _VAR.sub(value, css)


def only_font_format(css: str, kind: str) -> str:
    """Keep one font format in @font-face sources (woff2 for screens, ttf for print)."""
    def keep(match: re.Match[str]) -> str:
        return match.group(0) if match.group(2) == kind else ""
    css = _FONT_URL.sub(keep, css)
    return re.sub(r"src:\s*,?\s*(url\([^)]*\)\s*format\(\"\w+\"\))\s*,?\s*;", r"src: \1;", css)


def inline_fonts(css: str) -> str:
    """Replace font URLs with data: URIs so a page needs no other file."""
    def data(match: re.Match[str]) -> str:
        raw = declared(STYLES_DIR / match.group(1)).read_bytes()
        mime = "font/woff2" if match.group(2) == "woff2" else "font/ttf"
        encoded = base64.b64encode(raw).decode("ascii")
        return f'url(data:{mime};base64,{encoded}) format("{match.group(2)}")'
    return _FONT_URL.sub(data, css)


def font_files(kind: str) -> list[Path]:
    """The shipped font files of one format, sorted for stable output."""
    return sorted(declared(path) for path in FONTS_DIR.glob(f"*.{kind}"))
