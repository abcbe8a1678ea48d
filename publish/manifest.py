"""``manifest.json``: what each output is, so a printer or partner can verify a file.

Each output gets one entry: its SHA-256 and size, the SHA-256 of the guide it
was built from, the guide's version, status and identifier, and the tool and
its version. Entries are per file because a folder can hold several guides,
or formats built at different times (``--format pdf``); an entry is kept only
while the file on disk still has the recorded hash, so the manifest never
vouches for a file it did not see written.

Files offered to readers also record their kind (``publish.offers``) and, for
PDFs, their page count; ``guides`` describes each guide in the folder (title,
language, status, dates …). The folder's catalogue (``index.html``, ``opds.xml``)
is written from these alone, in the same commit, and listed as ``collection``.

The manifest is deterministic (sorted, no wall-clock time), so it is as
reproducible as the outputs it lists. Verify a folder with::

    python -m publish.manifest output/
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from publish import __version__
from publish.hashing import sha256
from publish.model import Document

MANIFEST_NAME = "manifest.json"
SCHEMA = "publish-manifest/1"
MEDIA_TYPES = {".html": "text/html", ".css": "text/css", ".pdf": "application/pdf",
               ".epub": "application/epub+zip"}
BRAILLE = frozenset({".brf", ".pef"})
"""Outputs translated by liblouis: their entries name its version (a system library,
so the same publish version can translate differently on another machine)."""


def entry(name: str, data: bytes, doc: Document, built: str) -> dict[str, Any]:
    """The record of one output file built from ``doc``; files offered to readers also
    say their kind and, for PDFs, their page count (``publish.offers``)."""
    from publish.offers import describe

    record = {
        "file": name,
        "media_type": MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream"),
        "sha256": sha256(data),
        "size": len(data),
        "source": doc.path.name,
        "source_sha256": doc.source_sha256,
        "guide_title": doc.meta.title,
        "guide_version": doc.meta.version,
        "guide_status": doc.meta.status,
        "guide_identifier": doc.meta.identifier,
        "built": built,
        "tool": "publish",
        "tool_version": __version__,
        **(_translator() if Path(name).suffix in BRAILLE else {}),
    }
    offer = describe(name, data, doc.path.stem)
    if offer is not None:
        record["kind"] = offer.kind.key
        record["media_type"] = offer.kind.media_type  # one place: publish.offers.KINDS
        if offer.pages is not None:
            record["pages"] = offer.pages
    return record


def guide(doc: Document, built: str) -> dict[str, Any]:
    """What the folder's catalogue says of a guide, taken from its front matter.

    The catalogue (``index.html``, ``opds.xml``) is written from the manifest
    alone, never from the guides' sources, so guides built at different times
    into one folder all stay listed.
    """
    meta = doc.meta

    def day(value: dt.date | None) -> str:
        return value.isoformat() if value else ""

    return {
        "source": doc.path.name,
        "stem": doc.path.stem,
        "title": meta.title,
        "lang": meta.lang,
        "dir": meta.dir,
        "status": meta.status,
        "version": meta.version,
        "identifier": meta.identifier,
        "summary": meta.description,
        "authors": [p.name for p in meta.authors],
        "publisher": meta.publisher,
        "published": day(meta.published),
        "last_reviewed": day(meta.last_reviewed),
        "next_review": day(meta.next_review),
        "modified": built,
        "accessibility_summary": doc.accessibility_summary,
        "translation_of": meta.translation_of,  # "" for an original
    }


def _load(out_dir: Path) -> dict[str, Any]:
    """An existing manifest; empty if it is missing or not ours."""
    try:
        data = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("schema") == SCHEMA else {}


def _records(data: dict[str, Any], key: str, field: str) -> list[dict[str, Any]]:
    items = data.get(key)
    return [e for e in items if isinstance(e, dict) and isinstance(e.get(field), str)] \
        if isinstance(items, list) else []


def _translator() -> dict[str, str]:
    from publish.render.braille_louis import LouisUnavailable, version

    try:
        return {"braille_translator": f"liblouis {version()}"}
    except LouisUnavailable:  # a cached braille file described where liblouis is gone
        return {}


def read(out_dir: Path) -> list[dict[str, Any]]:
    """The entries of an existing manifest; none if it is missing or not ours."""
    return _records(_load(out_dir), "outputs", "file")


def read_guides(out_dir: Path) -> list[dict[str, Any]]:
    """The guides an existing manifest describes (see ``guide``)."""
    return _records(_load(out_dir), "guides", "source")


def catalogued(out_dir: Path, source: str) -> bool:
    """Whether the folder's catalogue lists the guide ``source`` and is on disk exactly
    as the manifest recorded it; when not, a build must write it again."""
    data = _load(out_dir)
    collection = [e for e in _records(data, "outputs", "file") if e.get("collection")]
    return any(g["source"] == source for g in _records(data, "guides", "source")) \
        and bool(collection) and all(_on_disk(out_dir, e) for e in collection)


def _on_disk(out_dir: Path, item: dict[str, Any]) -> bool:
    """True when the file an old entry names is still exactly what it recorded."""
    path = out_dir / item["file"]
    if Path(item["file"]).name != item["file"] or not path.is_file():
        return False
    try:
        return sha256(path.read_bytes()) == item.get("sha256")
    except OSError:
        return False


def render(out_dir: Path, doc: Document, built: str, files: dict[str, bytes],
           unchanged: list[Path]) -> dict[str, bytes]:
    """The new manifest for ``out_dir`` after ``files`` are written, and the folder's
    catalogue (``publish.catalogue``) made from it; call it with the folder locked.

    ``unchanged`` are outputs of this guide the build cache left in place: they
    are described from their bytes on disk. Other guides' entries are kept while
    their files are on disk as recorded; only this guide's description is replaced.
    """
    entries = {name: entry(name, data, doc, built) for name, data in files.items()
               if name != MANIFEST_NAME}
    for path in unchanged:
        if path.name not in entries and path.is_file():
            entries[path.name] = entry(path.name, path.read_bytes(), doc, built)
    for old in read(out_dir):
        if old["file"] not in entries and not old.get("collection") \
                and _on_disk(out_dir, old):
            entries[old["file"]] = old
    guides = {g["source"]: g for g in read_guides(out_dir)}
    guides[doc.path.name] = guide(doc, built)
    listed = {e.get("source") for e in entries.values()}
    kept = [guides[k] for k in sorted(guides) if k in listed]
    outputs = [entries[k] for k in sorted(entries)]
    from publish import catalogue  # lxml: imported only when a build writes

    collection = catalogue.render(kept, outputs)
    for name, data in collection.items():
        entries[name] = {"file": name, "collection": True, "sha256": sha256(data),
                         "size": len(data),
                         "built": max((g["modified"] for g in kept), default=built),
                         "media_type": catalogue.MEDIA_TYPES[name],
                         "tool": "publish", "tool_version": __version__}
    manifest = {"schema": SCHEMA, "guides": kept,
                "outputs": [entries[k] for k in sorted(entries)]}
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return {**collection, MANIFEST_NAME: text.encode("utf-8")}


def verify(out_dir: Path) -> list[str]:
    """One line per listed file: 'OK name' or 'FAILED name: why'."""
    entries = read(out_dir)
    if not entries:
        return [f"FAILED {out_dir / MANIFEST_NAME}: missing or not a publish manifest"]
    report = []
    for item in entries:
        path = out_dir / item["file"]
        if not path.is_file():
            report.append(f"FAILED {item['file']}: missing")
            continue
        data = path.read_bytes()
        if len(data) != item.get("size") or sha256(data) != item.get("sha256"):
            report.append(f"FAILED {item['file']}: SHA-256 {sha256(data)} does not match "
                          f"the manifest")
        elif item.get("collection"):
            report.append(f"OK {item['file']} (catalogue of the guides in this folder)")
        else:
            report.append(f"OK {item['file']} (guide {item.get('source')} version "
                          f"{item.get('guide_version')}, {item.get('guide_status')})")
    return report


def main(argv: list[str] | None = None) -> int:
    """``python -m publish.manifest [FOLDER]``: exit 0 only if every listed file matches."""
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else Path("output")
    report = verify(folder)
    print("\n".join(report))
    return 0 if all(line.startswith("OK ") for line in report) else 1


if __name__ == "__main__":
    sys.exit(main())
