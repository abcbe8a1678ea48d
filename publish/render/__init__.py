"""Renderers, one per output format, behind one interface.

Renderers are imported only when their format is built, so a build of the
HTML alone never imports WeasyPrint. They never import each other: what one
output needs from another (the EPUB's page list needs the PDF's page starts)
passes through ``RenderContext.facts``.
"""

from __future__ import annotations

import importlib

from publish.render.base import RenderContext, Renderer, RenderOptions

FORMATS: dict[str, str] = {
    "html": "publish.render.html:HtmlRenderer",
    "embed": "publish.render.html:EmbedRenderer",
    "pdf": "publish.render.pdf:PdfRenderer",
    "epub": "publish.render.epub:EpubRenderer",
}
"""Format name → renderer class; the order is the build order (PDF before EPUB)."""


def renderer(name: str) -> Renderer:
    """Import and instantiate the renderer for one format."""
    module, cls = FORMATS[name].split(":")
    return getattr(importlib.import_module(module), cls)()


__all__ = ["FORMATS", "RenderContext", "RenderOptions", "Renderer", "renderer"]
