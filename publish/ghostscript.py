"""Running Ghostscript with a print condition's CMYK profile.

Used by the print-shop file's conversion to CMYK (``publish.render.pdfx``) and the
preflight's separations (``publish.preflight``). Ghostscript is a build dependency
(scripts/install-build-deps.sh installs Debian's ``ghostscript`` when it is missing).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from publish.errors import PublishError

PROFILE_DIRS = (Path("/usr/share/color/icc/ghostscript"),)
"""Where Debian's Ghostscript keeps its ICC profiles (package libgs-common)."""


class GhostscriptError(PublishError):
    """Ghostscript is missing or failed."""


def command() -> str:
    """The Ghostscript executable, or GhostscriptError saying how to install it."""
    found = shutil.which("gs")
    if not found:
        raise GhostscriptError("Ghostscript (gs) is needed for the print-shop file and the "
                               "preflight: run scripts/install-build-deps.sh "
                               "(apt install ghostscript)")
    return found


def profile_folder(profile: Path, into: Path) -> Path:
    """A copy of Ghostscript's profile folder whose ``default_cmyk.icc`` is ``profile``.

    Ghostscript reads DeviceCMYK as ``default_cmyk.icc``, and pdfwrite converts to it:
    ``-sOutputICCProfile`` is refused by pdfwrite in RGB mode and ignored by its
    conversion in CMYK mode (Ghostscript 10.0, measured). With this folder DeviceCMYK
    means the press's CMYK, as PDF/X says it does, and RGB is converted for that press.
    The other profiles are links to Ghostscript's own.
    """
    source = next((d for d in PROFILE_DIRS if (d / "default_rgb.icc").is_file()), None)
    if source is None:
        raise GhostscriptError("Ghostscript's ICC profiles were not found in "
                               + ", ".join(map(str, PROFILE_DIRS)) + " (package libgs-common)")
    folder = into / "icc"
    folder.mkdir()
    for installed in sorted(source.iterdir()):
        if installed.name != "default_cmyk.icc":
            (folder / installed.name).symlink_to(installed)
    shutil.copyfile(profile, folder / "default_cmyk.icc")
    return folder


def run(args: list[str], *, profiles: Path | None, what: str) -> None:
    """Run Ghostscript (safe mode, batch) with ``args``, reading ``profiles`` if given."""
    base = [command(), "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE"]
    if profiles is not None:
        base += [f"--permit-file-read={profiles}/", f"-sICCProfilesDir={profiles}/"]
    done = subprocess.run([*base, *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise GhostscriptError(f"Ghostscript could not {what}: "
                               f"{(done.stderr or done.stdout).strip()[:500]}")
