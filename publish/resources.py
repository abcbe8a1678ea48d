"""Where a build may read files from: the guide's folder and ``styles/``, nothing else.

Every renderer resolves images and stylesheets through :func:`confined_path`,
so a guide cannot pull ``/etc/passwd`` or a file behind a symlink into an
output, and no output refers to the network.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from publish.styles import STYLES_DIR

IMAGE_TYPES = {
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".gif": "image/gif", ".svg": "image/svg+xml", ".webp": "image/webp",
}
IMAGE_MAGIC = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}


class ResourceRefused(ValueError):
    """A reference points outside the allowed folders, or at the network."""


def allowed_roots(source_dir: Path) -> tuple[Path, ...]:
    return (source_dir.resolve(), STYLES_DIR.resolve())


def confined_path(ref: str, base_dir: Path, roots: tuple[Path, ...]) -> Path:
    """The real file a relative reference names, if it lies inside ``roots``."""
    parts = urlsplit(ref)
    if parts.scheme == "file":
        candidate = Path(unquote(parts.path))
    elif parts.scheme or parts.netloc or ref.startswith("//"):
        raise ResourceRefused(f"'{ref}' is not a file in the guide's folder; "
                              "the build never reads from the network")
    else:
        candidate = base_dir / unquote(parts.path)
    real = candidate.resolve()
    if not any(real == root or root in real.parents for root in roots):
        raise ResourceRefused(f"'{ref}' points outside the guide's folder; "
                              "copy the file into the folder beside the guide")
    if not real.is_file():
        raise ResourceRefused(f"'{ref}' does not exist; check the file name")
    return real


def image_type(path: Path) -> str:
    """The media type of an image file, checked against its first bytes."""
    mime = IMAGE_TYPES.get(path.suffix.lower())
    if mime is None:
        raise ResourceRefused(f"'{path.name}' is not a supported image type "
                              f"({', '.join(sorted(IMAGE_TYPES))})")
    head = path.read_bytes()[:512]
    if mime == "image/svg+xml":
        if b"<svg" not in head.lower() and b"<?xml" not in head.lower():
            raise ResourceRefused(f"'{path.name}' is not an SVG image")
    elif not head.startswith(IMAGE_MAGIC[mime]):
        raise ResourceRefused(f"'{path.name}' is not a {mime.split('/')[1].upper()} image")
    return mime
