"""Resource rules: every image a guide shows must be a real, safe file in its folder.

Run on the model before anything is rendered, so a missing, outside, remote or
fake image is reported at the line of its reference, with every other finding,
instead of stopping a renderer half way. The rule names come from
``publish.resources``, which the renderers and the PDF URL fetcher also use.
"""

from __future__ import annotations

from collections.abc import Iterator

from publish.diagnostics import Diagnostic
from publish.model import Document
from publish.resources import ResourceRefused, allowed_roots, confined_path, image_type


def image_files(doc: Document) -> Iterator[Diagnostic]:
    """image-missing, image-outside, image-remote, image-type, image-unsafe, image-too-large."""
    roots = allowed_roots(doc.source_dir)
    for image in doc.images:
        try:
            image_type(confined_path(image.src, doc.source_dir, roots))
        except ResourceRefused as exc:
            yield Diagnostic(exc.rule, str(exc), doc.path, image.line)


CHECKS = [image_files]
