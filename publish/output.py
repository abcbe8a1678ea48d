"""Writing outputs so that a failed or interrupted build loses nothing.

Every file is written to a temporary file in the output folder, flushed to
disk, and renamed over the old one only after every renderer has succeeded.
Temporary files left by a killed build are removed by the next one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

TEMP_PREFIX = ".publish-"
TEMP_SUFFIX = ".tmp"


def remove_stale_temporaries(out_dir: Path) -> None:
    """Delete temporary files a killed build left behind."""
    if out_dir.is_dir():
        for stale in out_dir.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                stale.unlink()


def write_outputs(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    """Stage every file, then rename them all into place; return the final paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out_dir)
    staged: list[tuple[str, Path]] = []
    try:
        for name, data in files.items():
            fd, temp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{name}.", suffix=TEMP_SUFFIX,
                                        dir=out_dir)
            staged.append((temp, out_dir / name))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp, 0o644)
    except BaseException:
        for temp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        raise
    for temp, final in staged:
        os.replace(temp, final)
    return [final for _, final in staged]
