"""Importing WeasyPrint the quick way starts no library-search processes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

PROBE = """
import ctypes.util, resource
search = ctypes.util.find_library
{imports}
assert ctypes.util.find_library is search, "find_library was not restored"
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def children_memory(imports: str) -> int:
    """Peak memory of the child processes a fresh interpreter ran while importing."""
    result = subprocess.run([sys.executable, "-c", PROBE.format(imports=imports)],
                            capture_output=True, text=True, cwd=ROOT, timeout=120, check=True)
    return int(result.stdout.split()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the quick import is Linux's")
def test_quick_import_runs_no_ldconfig_gcc_or_ld() -> None:
    assert children_memory("import weasyprint") > 0  # what the quick import avoids
    assert children_memory("from publish.render.weasy import weasyprint\n"
                           "import weasyprint.text.ffi as ffi\n"
                           "assert ffi.pango and ffi.harfbuzz and ffi.fontconfig") == 0
