"""WeasyPrint, imported the quick way: ``from publish.render.weasy import weasyprint``.

``import weasyprint`` (70) opens GLib, Pango, HarfBuzz and Fontconfig by trying
several names for each, Windows and macOS names first. cffi answers each name
that is not a file with ``ctypes.util.find_library``, which on Linux runs
``ldconfig``, then ``gcc`` and ``ld`` in subprocesses: 24 searches, a
noticeable share of every cold build (docs/performance.md), only to fail over to the Linux sonames
(``libpango-1.0.so.0``) that come later in WeasyPrint's own list and open
directly. On Linux the searches are therefore answered "not found" while
WeasyPrint is imported; should that ever leave a library unopened, the import
is repeated with the normal search.

fontTools, imported by WeasyPrint, would also load uharfbuzz (installed for
``publish.fonts``) for a repacker WeasyPrint never calls: it is hidden
during the import, and fontTools keeps the behaviour it had before uharfbuzz.

The objects made by the import live as long as the process, so they are moved
out of the garbage collector's sight (``gc.freeze``): a build allocates
hundreds of thousands of layout objects, and each full collection would walk
the imported modules again.
"""

from __future__ import annotations

import ctypes.util
import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from io import StringIO


@contextmanager
def _sonames_only() -> Iterator[None]:
    """While active, ``ctypes.util.find_library`` finds nothing and starts no process."""
    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = search


@contextmanager
def _without_uharfbuzz() -> Iterator[None]:
    """While active, ``import uharfbuzz`` fails (unless it is already loaded).

    fontTools, which WeasyPrint imports, loads uharfbuzz whenever it is installed, for a
    table repacker WeasyPrint never calls, in every PDF build. ``publish.fonts``
    imports it itself, only for a guide whose fonts it subsets.
    """
    if "uharfbuzz" in sys.modules:
        yield
        return
    sys.modules["uharfbuzz"] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        del sys.modules["uharfbuzz"]


def _forget_weasyprint() -> None:
    for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
        del sys.modules[name]


with _without_uharfbuzz():
    if sys.platform.startswith("linux") and "weasyprint" not in sys.modules:
        try:
            # WeasyPrint prints installation advice to stdout before failing; the normal
            # import below prints it again if the libraries are really missing.
            with _sonames_only(), redirect_stdout(StringIO()):
                import weasyprint
        except OSError:
            _forget_weasyprint()

    import weasyprint  # after the quick attempt above, or on other systems

gc.freeze()

__all__ = ["weasyprint"]
