"""Where a build may read files from: the guide's folder and ``styles/``, nothing else.

Guides come from editors, translators and partners, so a reference in one is
untrusted. Every reader of a referenced file goes through this module: the
checks (``publish.checks.resources``) before anything is rendered, the
renderers when they inline images, and the PDF renderer's URL fetcher for
everything WeasyPrint loads. A guide therefore cannot pull ``/etc/passwd`` or
a file behind a symlink into an output, and no build touches the network.

Each refusal carries the rule name the checks report, so the same reason gives
the same message whichever stage meets it first.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from publish.styles import STYLES_DIR

IMAGE_TYPES = {
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".gif": "image/gif", ".svg": "image/svg+xml", ".webp": "image/webp",
}
PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF",
                  "image/webp": "WEBP"}
"""Raster media type → the format name Pillow must detect in the file's bytes."""

MAX_IMAGE_BYTES = 10 * 1024 * 1024
"""An image is inlined into the HTML and the EPUB; 10 MiB keeps every output usable."""
MAX_IMAGE_PIXELS = 40_000_000
"""40 megapixels: far more than print needs; stops decompression bombs."""

SVG_FORBIDDEN = {"script", "foreignObject", "iframe", "object", "embed", "link", "base",
                 "include"}
EMBEDDED_DATA = ("data:image/png", "data:image/jpeg", "data:image/gif", "data:image/webp")
"""Raster data inside an SVG is self-contained; a nested SVG could load files again."""
_CSS_URL = re.compile(r"""url\(\s*['"]?\s*(?!#)[^)'"\s]""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import", re.IGNORECASE)


class ResourceRefused(ValueError):
    """A reference the build will not read: ``rule`` names why, for the checks."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


def allowed_roots(source_dir: Path) -> tuple[Path, ...]:
    """The only folders a build reads from: the guide's own folder and ``styles/``."""
    return (source_dir.resolve(), STYLES_DIR.resolve())


def confined_path(ref: str, base_dir: Path, roots: tuple[Path, ...]) -> Path:
    """The real file a reference names, if it lies inside ``roots``.

    Symlinks and ``..`` are resolved before the test, so neither can lead out.
    """
    if not ref.strip():
        raise ResourceRefused("image-missing", "the image has no address the build can use; "
                              "give the path of a file in the guide's folder, e.g. "
                              "images/name.png (file:, data: and web addresses are removed)")
    parts = urlsplit(ref)
    if parts.scheme == "file":
        candidate = Path(unquote(parts.path))
    elif parts.scheme or parts.netloc or ref.startswith("//"):
        raise ResourceRefused("image-remote", f"'{ref}' is not a file in the guide's folder "
                              "and the build never reads from the network; download the file "
                              "into the guide's folder and refer to it by its path")
    else:
        candidate = base_dir / unquote(parts.path)
    try:
        real = candidate.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        real = None
    if real is None or not any(real == root or root in real.parents for root in roots):
        raise ResourceRefused("image-outside", f"'{ref}' points outside the guide's folder "
                              "(through '..', an absolute path or a symlink); copy the file "
                              "into the folder beside the guide")
    if not real.is_file():
        raise ResourceRefused("image-missing", f"'{ref}' does not exist; check the file name "
                              "and its folder (names are case-sensitive)")
    return real


def image_type(path: Path) -> str:
    """The media type of an image file, after checking that the bytes really are one.

    Raster images are opened with Pillow (format and pixel count); SVG is
    parsed as XML with entities, DTDs and the network switched off and must
    not script, embed or load anything.
    """
    mime = IMAGE_TYPES.get(path.suffix.lower())
    if mime is None:
        raise ResourceRefused("image-type", f"'{path.name}' is not a supported image type; "
                              f"use one of {', '.join(sorted(IMAGE_TYPES))}")
    size = path.stat().st_size
    if size > MAX_IMAGE_BYTES:
        raise ResourceRefused("image-too-large", f"'{path.name}' is {size} bytes, over the "
                              f"limit of {MAX_IMAGE_BYTES}; make it smaller")
    if mime == "image/svg+xml":
        _check_svg(path)
    else:
        _check_raster(path, mime)
    return mime


def _check_raster(path: Path, mime: str) -> None:
    """Pillow must recognise the file as the format its name says, within the pixel limit."""
    from PIL import Image, UnidentifiedImageError

    expected = PILLOW_FORMATS[mime]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                found, pixels = image.format, image.width * image.height
                image.verify()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        found, pixels = expected, MAX_IMAGE_PIXELS + 1
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ResourceRefused("image-type", f"'{path.name}' is not a {expected} image (its "
                              "content is not an image, or it is damaged); export it "
                              "again") from None
    if found != expected:
        raise ResourceRefused("image-type", f"'{path.name}' is named as {expected} but is a "
                              f"{found} image; give it the right extension")
    if pixels > MAX_IMAGE_PIXELS:
        raise ResourceRefused("image-too-large", f"'{path.name}' has more than "
                              f"{MAX_IMAGE_PIXELS} pixels; make it smaller")


def _check_svg(path: Path) -> None:
    """An SVG must be well-formed and self-contained: no DTD, scripts or outside references."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, huge_tree=False)
    try:
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as exc:
        raise ResourceRefused("image-type", f"'{path.name}' is not an SVG image (XML error "
                              f"at its line {exc.lineno}); export it again") from None
    root = tree.getroot()
    if etree.QName(root).localname != "svg":
        raise ResourceRefused("image-type", f"'{path.name}' is not an SVG image (it has no "
                              "<svg> root element)")
    if tree.docinfo.internalDTD is not None or tree.docinfo.system_url:
        raise ResourceRefused("image-unsafe", f"'{path.name}' declares a DTD or entities; "
                              "export the SVG again without a DOCTYPE")
    for sibling in root.itersiblings(preceding=True):
        if isinstance(sibling, etree._ProcessingInstruction):
            raise ResourceRefused("image-unsafe", f"'{path.name}' has a processing instruction "
                                  f"(<?{sibling.target} ...?>); remove it")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        name = etree.QName(el).localname
        if name in SVG_FORBIDDEN:
            raise ResourceRefused("image-unsafe", f"'{path.name}' contains <{name}>; an image "
                                  "in a guide may not script, embed or link anything")
        for attr, value in el.attrib.items():
            local = etree.QName(attr).localname
            if local.lower().startswith("on"):
                raise ResourceRefused("image-unsafe", f"'{path.name}' has an event handler "
                                      f"({local}=); remove it")
            if local == "href" and not value.strip().startswith(("#", *EMBEDDED_DATA)):
                raise ResourceRefused("image-unsafe", f"'{path.name}' refers to "
                                      f"'{value[:80]}'; an SVG in a guide must not load "
                                      "other files")
        css = " ".join([*el.attrib.values(), (el.text or "") if name == "style" else ""])
        if _CSS_URL.search(css) or _CSS_IMPORT.search(css):
            raise ResourceRefused("image-unsafe", f"'{path.name}' loads a file from its CSS "
                                  "(url() or @import); an SVG in a guide must be "
                                  "self-contained")


def companion_file(guide: Path, named: str, suffix: str, what: str) -> Path | None:
    """A file a guide reads beside itself (its rules file, its label table).

    ``named`` is the front matter's value; without one, ``<stem><suffix>`` is used when
    present (``guide.md`` → ``guide.rules.yaml``) and None returned when it is not.
    Either way its real path (symlinks and ``..`` resolved) must lie inside the
    guide's folder: a build never reads outside it (no ``rules: /etc/passwd``, no
    ``guide.labels.yaml`` that links elsewhere). Refusals name ``what`` the file is.
    """
    candidate = guide.parent / (named or f"{guide.stem}{suffix}")
    if not named and not (candidate.is_file() or candidate.is_symlink()):
        return None
    shown = named or candidate.name
    try:
        real: Path | None = candidate.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        real = None
    if real is None or not real.is_relative_to(guide.parent.resolve()):
        raise ResourceRefused("outside", f"'{shown}' is outside the guide's folder; put the "
                              f"{what} beside the guide")
    if not real.is_file():
        raise ResourceRefused("missing", f"no such file '{shown}' beside the guide")
    return real
