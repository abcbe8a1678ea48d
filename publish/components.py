"""System components outside Python that change output bytes, as parts of cache keys.

The build cache (``publish.cache``) keys each format on the package, the installed
Python distributions, the guide and ``styles/``. Three things a format reads come from
Debian instead:

- **liblouis** (braille): the library, and the translation tables the guide's language
  uses, our supplements in ``publish/render/braille_data`` included;
- **Ghostscript** (the print-shop PDF/X file): the program, its library and its
  colour profiles;
- **fonts** installed by Debian packages (the CJK, Indic and Ethiopic faces of
  ``styles/fonts/fonts.yaml``): already covered, since that table pins each file's
  SHA-256 and is part of the key of every format that reads fonts, and
  ``publish.fonts`` refuses a file that differs. Nothing to add here.

Each format's row in ``publish.render.FORMATS`` names the function here that describes
what it reads (``Format.components``). They read small files only, never start a
program: a package's version is dpkg's list of the MD5 sums of the files it installed
(``/var/lib/dpkg/info/<package>.md5sums``, a few kilobytes), which changes with any
upgrade, downgrade or rebuild; a table's version is its own bytes. On a machine without
dpkg the package part reads "absent" and only the tables are keyed.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from publish.render.base import RenderOptions

DPKG_INFO = Path("/var/lib/dpkg/info")
LOUIS_TABLES = Path("/usr/share/liblouis/tables")
"""Where Debian's liblouis-data puts the tables (liblouis's own default path)."""

LIBLOUIS_PACKAGES = ("liblouis20",)
"""The library; the tables are keyed by their own bytes (only those the guide uses)."""
GHOSTSCRIPT_PACKAGES = ("ghostscript", "libgs10", "libgs10-common", "libgs-common")
"""The program, its library (soname 10 in Debian 12 and 13), its resources and the
colour profiles it reads (``publish.ghostscript.PROFILE_DIRS``)."""

_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "i686": "i386"}.get(os.uname().machine, "")
_LANG = re.compile(rb"^lang:\s*[\"']?([A-Za-z0-9-]+)", re.MULTILINE)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@cache
def package(name: str) -> str:
    """A digest of dpkg's record of the files a Debian package installed, or "absent"."""
    for candidate in (f"{name}:{_ARCH}", name):
        try:
            return _sha256((DPKG_INFO / f"{candidate}.md5sums").read_bytes())
        except OSError:
            continue
    return "absent"


def _includes(data: bytes) -> list[bytes]:
    """The files a table's ``include`` lines name (a search for the word, not a regular
    expression over every line: English grade 2 is 190 kB, read on every build)."""
    found = []
    at = data.find(b"include")
    while at >= 0:
        if not data[data.rfind(b"\n", 0, at) + 1:at].strip():  # the line's first word
            end = data.find(b"\n", at)
            words = data[at:end if end >= 0 else len(data)].split()
            if len(words) > 1 and words[0] == b"include":
                found.append(words[1])
        at = data.find(b"include", at + 7)
    return found


def table_files(tables: str) -> list[Path]:
    """The files a liblouis table list reads: each table and, recursively, what it
    includes (found by name in the including table's folder, then in liblouis's)."""
    todo = [Path(t) if Path(t).is_absolute() else LOUIS_TABLES / t for t in tables.split(",")]
    found: dict[Path, None] = {}
    while todo:
        path = todo.pop(0)
        if path in found:
            continue
        found[path] = None
        try:
            data = path.read_bytes()
        except OSError:
            continue
        for name in _includes(data):
            included = Path(name.decode("utf-8", "replace"))
            todo.append(next((p for p in (path.parent / included, LOUIS_TABLES / included)
                              if p.is_file()), LOUIS_TABLES / included))
    return list(found)


def _digests(paths: list[Path]) -> str:
    parts = []
    for path in paths:
        try:
            parts.append(f"{path.name}\0{_sha256(path.read_bytes())}")
        except OSError:
            parts.append(f"{path.name}\0missing")
    return "\0".join(parts)


def liblouis(raw: bytes, options: RenderOptions) -> str:
    """The braille edition's components: the library, and the tables of the guide's
    language (its ``lang`` in the front matter) in the grade the options ask for."""
    from publish.render.braille_tables import code_for

    found = _LANG.search(raw.split(b"\n---", 1)[0])
    code = code_for(found.group(1).decode("ascii")) if found else None
    tables = code.table(options.braille_grade) if code else ""
    packages = "\0".join(package(p) for p in LIBLOUIS_PACKAGES)
    return f"{packages}\0{tables}\0{_digests(table_files(tables)) if tables else ''}"


def ghostscript(raw: bytes, options: RenderOptions) -> str:
    """The PDF's components: Ghostscript, only when a variant built is finished as PDF/X
    (the print-shop file; ``publish.render.pdfx`` runs it)."""
    from publish.render.pdf_editions import VARIANTS

    if not any(VARIANTS[v].finish == "pdf/x-4" for v in options.pdf_variants if v in VARIANTS):
        return ""
    return "\0".join(package(p) for p in GHOSTSCRIPT_PACKAGES)
