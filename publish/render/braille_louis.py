"""liblouis, the braille translator, through ctypes.

Debian's liblouis (``liblouis20`` + ``liblouis-data``, installed by
``scripts/install-build-deps.sh``) is loaded once per process: a call per
paragraph costs microseconds, where a ``lou_translate`` process per paragraph
would cost milliseconds. ``python3-louis`` is the same binding but only for the
system Python, not the project's virtual environment.

Translation always asks for Unicode braille (``dotsIO | ucBrl``): dot patterns
do not depend on the table's display characters, so the BRF (braille ASCII) and
the PEF (Unicode braille) are two spellings of the same cells whatever the
language.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Sequence
from functools import cache, lru_cache

DOTS_IO = 4
UC_BRL = 64
LOG_WARN = 30000

BOLD = 4
"""liblouis ``formtype`` bit of the table's third emphasis class: bold in UEB and in the
other tables that define italic, underline and bold in that order."""

LIBRARY = "liblouis.so.20"


class LouisUnavailable(RuntimeError):
    """liblouis or a table could not be loaded; the message says what to install."""


_LOG_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p)
_messages: list[str] = []


@_LOG_CALLBACK
def _collect(level: int, message: bytes | None) -> None:
    """liblouis logs to stderr by default; keep its messages for our error text instead."""
    if level >= LOG_WARN and message:
        _messages.append(message.decode("utf-8", "replace"))


@lru_cache(maxsize=1)
def _lib() -> ctypes.CDLL:
    try:
        lib = ctypes.CDLL(LIBRARY)  # find_library would run ldconfig: only when this fails
    except OSError:
        name = ctypes.util.find_library("louis")
        if not name:
            raise LouisUnavailable(
                "liblouis is not installed: run scripts/install-build-deps.sh "
                "(Debian packages liblouis20 and liblouis-data)") from None
        lib = ctypes.CDLL(name)
    lib.lou_version.restype = ctypes.c_char_p
    lib.lou_charSize.restype = ctypes.c_int
    lib.lou_getTable.restype = ctypes.c_void_p
    lib.lou_getTable.argtypes = [ctypes.c_char_p]
    lib.lou_registerLogCallback(_collect)
    return lib


def version() -> str:
    """liblouis's version, as recorded in the manifest (``3.24.0``)."""
    return _lib().lou_version().decode("ascii")


def _encoding() -> tuple[str, int]:
    size = _lib().lou_charSize()
    return ("utf-32-le" if size == 4 else "utf-16-le"), size


@cache
def load(table: str) -> None:
    """Compile a table once (liblouis keeps it); LouisUnavailable when it cannot."""
    _messages.clear()
    if not _lib().lou_getTable(table.encode("utf-8")):
        detail = f" ({_messages[-1]})" if _messages else ""
        raise LouisUnavailable(f"liblouis cannot load the braille table {table}{detail}; "
                               "is liblouis-data installed?")


def translate(table: str, texts: Sequence[str],
              typeforms: Sequence[Sequence[int] | None] | None = None) -> list[str]:
    """Forward-translate each text to Unicode braille (U+2800–U+28FF and spaces).

    All texts of a document go through one call here, with the table compiled
    once; ``typeforms`` gives each character's emphasis (``BOLD``) or None.
    """
    load(table)
    lib = _lib()
    encoding, size = _encoding()
    name = table.encode("utf-8")
    out: list[str] = []
    in_len = ctypes.c_int()
    out_len = ctypes.c_int()
    capacity = 0
    out_buf = ctypes.create_string_buffer(0)
    for index, text in enumerate(texts):
        if not text:
            out.append("")
            continue
        data = text.encode(encoding)
        length = len(data) // size
        form = typeforms[index] if typeforms else None
        while True:
            if capacity < length * 4 + 64:  # one output buffer for the batch, grown on need
                capacity = max(length * 4 + 64, capacity * 2)
                out_buf = ctypes.create_string_buffer(capacity * size)
            # liblouis writes the output's typeforms back into this array: output size
            form_buf = (ctypes.c_ushort * capacity)(*form) if form else None
            in_len.value = length
            out_len.value = capacity
            if not lib.lou_translateString(name, data, ctypes.byref(in_len), out_buf,
                                           ctypes.byref(out_len), form_buf, None,
                                           DOTS_IO | UC_BRL):
                raise LouisUnavailable(f"liblouis could not translate with {table}")
            if in_len.value >= length:
                break
            capacity *= 2  # the output filled the buffer before the input ended
            out_buf = ctypes.create_string_buffer(capacity * size)
        out.append(ctypes.string_at(out_buf, out_len.value * size).decode(encoding))
    return out


def back_translate(table: str, braille: str) -> str:
    """Unicode braille back to print (tests use it for the round trip)."""
    load(table)
    lib = _lib()
    encoding, size = _encoding()
    dots = "".join(chr(0x8000 | (ord(c) - 0x2800)) if "\u2800" <= c <= "\u28ff" else c
                   for c in braille)
    data = dots.encode(encoding)
    length = len(data) // size
    capacity = length * 8 + 64
    in_len = ctypes.c_int(length)
    out_len = ctypes.c_int(capacity)
    out_buf = ctypes.create_string_buffer(capacity * size)
    if not lib.lou_backTranslateString(table.encode("utf-8"), data, ctypes.byref(in_len),
                                       out_buf, ctypes.byref(out_len), None, None, DOTS_IO):
        raise LouisUnavailable(f"liblouis could not back-translate with {table}")
    return out_buf.raw[:out_len.value * size].decode(encoding)
