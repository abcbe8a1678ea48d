"""A content-addressed build cache: render only what an input change can affect.

Editors rebuild after every save and publishers rebuild whole libraries, so a
build whose inputs did not change must cost next to nothing. Every key here is
a SHA-256 of raw bytes — the guide, the files it references, ``styles/``, the
package's own files, the installed distributions, the system components a
format reads (``publish.components``), the options and the environment
variables renderers read — so deciding "nothing changed" needs
neither Markdown, lxml nor WeasyPrint. Modification times are never trusted:
a ``git checkout`` or a copy changes them without changing anything else.

The cache lives in ``.cache/publish/`` under the working directory, or in
``$PUBLISH_CACHE_DIR``::

    outputs/<key>.json   one per format and input key: output file → SHA-256
    checks/<key>.json    the findings the checks reported for those inputs
    blobs/<sha256>       the bytes of every recorded output

Outputs on disk are hashed on every build: a file someone edited or deleted
is restored from its blob (or re-rendered), never trusted. The cache only
decides *whether* to render; bytes in it were produced by a normal render,
so a cached build and a fresh build are byte-identical.

This module must stay cheap to import (standard library only).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fnmatch
import functools
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from publish import __version__, clock
from publish.diagnostics import Diagnostic, Severity
from publish.hashing import sha256
from publish.naming import COMPANION_SUFFIXES
from publish.render import FORMATS, components, style_patterns
from publish.styles import STYLES_DIR

if TYPE_CHECKING:
    from publish.render.base import RenderOptions

CACHE_ENV = "PUBLISH_CACHE_DIR"
DEFAULT_CACHE_DIR = Path(".cache") / "publish"
SCHEMA = b"publish-cache-1"
"""Bump when the layout or the meaning of a key changes."""

PACKAGE_DIR = Path(__file__).resolve().parent

STYLE_READERS: dict[str, tuple[str, ...]] = {name: style_patterns(name) for name in FORMATS}
"""Format → the files under ``styles/`` that can change its output, derived from the
renderers' declarations (``publish.render.FORMATS``). A renderer cannot read a style
file its row does not declare (``publish.styles.reading``), so no change to a file it
reads can leave its cached output stale. A file no pattern matches is an input of
every format, and a key not named here (the checks) covers every file."""

ENVIRONMENT = (clock.SOURCE_DATE_EPOCH,)
"""Environment variables that change output bytes."""

NEUTRAL_OPTIONS = frozenset({"strict", "leave_out_unavailable"})
"""Options that decide whether a build passes but never change a byte of output (a
format left out records no files, which only another default build takes as done)."""

MAX_BLOB_BYTES = 256 * 1024 * 1024
MAX_RECORDS = 4000
"""Pruning limits: least recently used blobs and records go first."""

_REFERENCE = re.compile(
    rb"""\]\(\s*<?([^)\s>]+)"""                # ![alt](images/a.svg), [text](file)
    rb"""|^\s*\[[^\]\n]+\]:\s*<?(\S+?)>?\s"""  # [ref]: images/a.svg
    rb"""|\b(?:src|href)\s*=\s*["']([^"']+)"""  # raw HTML
    rb"""|^(?:rules|labels):\s*["']?([^"'\n#]+)"""  # front matter rules file, label table
    rb"""|^translation_of:\s*["']?([^"'\n#]+)""",  # a translation's source
    re.MULTILINE)
_APPROVED = re.compile(rb"^status:\s*[\"']?approved\b", re.MULTILINE)


def cache_dir() -> Path:
    """Where the cache lives: ``$PUBLISH_CACHE_DIR`` or ``.cache/publish``."""
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE_DIR)


def _files_under(root: Path, skip: Iterable[Path] = ()) -> Iterator[Path]:
    """Every file below ``root`` in a stable order, skipping byte-code caches and ``skip``."""
    skipped = {s.resolve() for s in skip}
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__"
                         and Path(folder, d).resolve() not in skipped)
        for name in sorted(files):
            if not name.endswith((".pyc", ".pyo")):
                yield Path(folder, name)


def _style_files(styles_dir: Path) -> Iterator[Path]:
    """Every file below ``styles/`` but the fonts only ``publish.fonts`` reads (those no
    stylesheet names): it refuses any whose SHA-256 is not the one ``fonts/fonts.yaml``
    pins, and that file is hashed here, so their megabytes need not be hashed on every build."""
    stylesheet = styles_dir / "fonts.css"
    named = set(re.findall(r"url\((fonts/[^)\s]+)\)", stylesheet.read_text(encoding="utf-8"))
                ) if stylesheet.is_file() else set()
    for path in _files_under(styles_dir):
        name = path.relative_to(styles_dir).as_posix()
        if not (name.startswith("fonts/") and name.endswith((".ttf", ".otf", ".ttc"))
                and name not in named):
            yield path


def _digest_files(paths: Iterable[Path], root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): sha256(path.read_bytes()) for path in paths}


@functools.lru_cache(maxsize=1)
def _tool_digest() -> str:
    """The package's own files, its version, Python and every installed distribution.

    Distribution folder names carry their versions (``weasyprint-70.0.dist-info``),
    so one directory listing per ``sys.path`` entry notices any upgrade. Computed
    once per process: a long-running ``publish watch`` keeps running the code it
    loaded, so outputs it records must stay keyed to that code, not to later edits.
    """
    h = hashlib.sha256(SCHEMA)
    h.update(f"{__version__}\0{sys.version}\0".encode())
    # The stylesheets are keyed per format (``_style_digests``), not as the package's code.
    code = _files_under(PACKAGE_DIR, skip=[STYLES_DIR])
    for name, digest in _digest_files(code, PACKAGE_DIR).items():
        h.update(f"{name}\0{digest}\0".encode())
    for entry in sys.path:
        with contextlib.suppress(OSError):
            names = sorted(n for n in os.listdir(entry or ".") if n.endswith(".dist-info"))
            h.update("\0".join(names).encode())
    return h.hexdigest()


def _style_digests(styles_dir: Path, formats: Iterable[str]) -> dict[str, str]:
    """Per format, a digest of every file in ``styles/`` that format reads."""
    files = _digest_files(_style_files(styles_dir), styles_dir) if styles_dir.is_dir() else {}
    patterns = {p for readers in STYLE_READERS.values() for p in readers}
    unread = {n for n in files if not any(fnmatch.fnmatchcase(n, p) for p in patterns)}
    result = {}
    for fmt in formats:
        h = hashlib.sha256()
        reads = STYLE_READERS.get(fmt)
        for name, digest in files.items():
            if reads is None or name in unread or any(fnmatch.fnmatchcase(name, p)
                                                       for p in reads):
                h.update(f"{name}\0{digest}\0".encode())
        result[fmt] = h.hexdigest()
    return result


def referenced_files(raw: bytes, source: Path) -> dict[str, str]:
    """Local files the guide names (images, links, rules files) → digest or "missing".

    Found with a regular expression over the raw bytes rather than a parse: a
    reference that is not really one only costs a hash, and a missing file is
    part of the key, so creating it later triggers a rebuild.
    """
    refs = {os.fsdecode(next(g for g in m.groups() if g)).strip()
            for m in _REFERENCE.finditer(raw)}
    refs.update(source.stem + suffix for suffix in COMPANION_SUFFIXES)
    # A guide's other languages (guide.md, guide.es.md …) and their rules: a translation
    # is checked against its source, and every language's outputs link the others.
    family = source.name.split(".")[0]
    refs.update(p.name for p in source.parent.glob(f"{family}.*")
                if p.name != source.name and p.suffix in (".md", ".yaml"))
    found = {}
    for ref in sorted(refs):
        if re.match(r"^[a-z][a-z0-9+.-]*:|^#|^//", ref, re.IGNORECASE):
            continue  # URLs and in-page anchors: never read by a build
        path = source.parent / ref.split("#")[0].split("?")[0]
        try:
            found[ref] = sha256(path.read_bytes()) if path.is_file() else "missing"
        except OSError:
            found[ref] = "unreadable"
    return found


def _today() -> dt.date:
    """The clock, read only for approved guides (see ``input_keys``)."""
    return clock.today()


@dataclass
class Inputs:
    """The keys of one guide's inputs: one for its checks, one per format."""

    checks: str
    outputs: dict[str, str]


def input_keys(source: Path, formats: Iterable[str], options: RenderOptions,
               *, today: dt.date | None = None) -> Inputs:
    """Hash everything a build of ``source`` reads; raises OSError if it cannot be read.

    "Today" enters the checks key only for approved guides, whose review date
    can pass while the file stays the same: a guide due for review must fail
    tomorrow even though it built today.
    """
    source = source.resolve()
    raw = source.read_bytes()
    opts = {f.name: getattr(options, f.name) for f in dataclasses.fields(options)
            if f.name not in NEUTRAL_OPTIONS}
    common = hashlib.sha256()
    for part in (_tool_digest(), str(source), sha256(raw),
                 json.dumps(referenced_files(raw, source), sort_keys=True),
                 json.dumps({k: os.environ.get(k) for k in ENVIRONMENT}, sort_keys=True),
                 repr(sorted(opts.items()))):
        common.update(part.encode() + b"\0")
    formats = list(formats)
    checks = common.copy()
    checks.update(b"checks\0" + _style_digests(STYLES_DIR, ["checks"])["checks"].encode())
    if _APPROVED.search(raw.split(b"\n---", 1)[0]):
        checks.update((today or _today()).isoformat().encode())
    own = {}
    for fmt, styles_digest in _style_digests(STYLES_DIR, formats).items():
        h = common.copy()  # + the system components it reads (liblouis, Ghostscript)
        h.update(f"{fmt}\0{styles_digest}\0{components(fmt, raw, options)}".encode())
        own[fmt] = h.hexdigest()
    # A format that lists the files built with it, with their sizes and pages (the page's
    # "Other formats"), changes when they do: its key holds which they are and theirs.
    outputs = {fmt: sha256("\0".join([key, *(f"{o}={own[o]}" for o in sorted(own) if o != fmt)])
                           .encode()) if FORMATS[fmt].lists_files else key
               for fmt, key in own.items()}
    return Inputs(checks.hexdigest(), outputs)


@dataclass
class Plan:
    """What a build of one guide into one folder needs to do, format by format."""

    inputs: Inputs
    findings: list[Diagnostic] | None
    """What the checks found last time for these inputs; None when they must run."""
    fresh: dict[str, list[str]] = field(default_factory=dict)
    """Format → those of its files already on disk exactly as recorded."""
    restore: dict[str, dict[str, bytes]] = field(default_factory=dict)
    """Format → files missing or changed on disk, with their recorded bytes."""
    render: list[str] = field(default_factory=list)
    """Formats that must be rendered."""
    recorded: dict[str, dict[str, str]] = field(default_factory=dict)
    """Format → its files and their SHA-256, as recorded, for formats not rendered."""

    @property
    def nothing_to_render(self) -> bool:
        """True when the checks and every output can come from the cache."""
        return self.findings is not None and not self.render

    def restored_files(self) -> dict[str, bytes]:
        return {name: data for files in self.restore.values() for name, data in files.items()}


class BuildCache:
    """The cache folder: records of checks and outputs, and the output bytes."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else cache_dir()

    def _path(self, kind: str, key: str) -> Path:
        return self.root / kind / (f"{key}.json" if kind in ("outputs", "checks") else key)

    def _read(self, kind: str, key: str) -> Any:
        path = self._path(kind, key)
        try:
            data = json.loads(path.read_bytes()) if kind != "blobs" else path.read_bytes()
        except (OSError, ValueError):
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # least recently used goes first when pruning
        return data

    def _write(self, kind: str, key: str, data: bytes) -> None:
        import tempfile  # only when writing: a no-op build never imports it

        path = self._path(kind, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise

    def plan(self, source: Path, out_dir: Path, formats: Iterable[str],
             options: RenderOptions) -> Plan | None:
        """Compare the recorded outputs with the inputs and the files on disk.

        Returns None when the source cannot be read: the build reports why.
        """
        formats = list(dict.fromkeys(formats))
        try:
            inputs = input_keys(source, formats, options)
        except OSError:
            return None
        stored = self._read("checks", inputs.checks)
        findings = None if stored is None else [_diagnostic(d) for d in stored]
        plan = Plan(inputs, findings)
        for fmt in formats:
            record = self._read("outputs", inputs.outputs[fmt])
            # no files: a format left out of a default build, done; asked for, it renders
            if not isinstance(record, dict) or not (record or options.leave_out_unavailable):
                plan.render.append(fmt)
                continue
            restore: dict[str, bytes] = {}
            for name, digest in record.items():
                if _digest_of(out_dir / name) == digest:
                    continue
                blob = self._read("blobs", digest)
                if blob is None or sha256(blob) != digest:
                    plan.render.append(fmt)
                    break
                restore[name] = blob
            else:
                plan.recorded[fmt] = record
                if restore:
                    plan.restore[fmt] = restore
                if len(restore) < len(record):
                    plan.fresh[fmt] = [name for name in record if name not in restore]
        return plan

    def record(self, plan: Plan, source: Path, options: RenderOptions,
               rendered: dict[str, dict[str, bytes]], findings: list[Diagnostic]) -> None:
        """Store what a successful build found and produced.

        Nothing is stored when the inputs changed while the build ran (an editor
        saving again): the outputs then belong to neither version of the keys.
        """
        try:
            now = input_keys(source, plan.inputs.outputs, options)
        except OSError:
            return
        if now != plan.inputs:
            return
        self._write("checks", plan.inputs.checks,
                    json.dumps([_plain(d) for d in findings]).encode())
        for fmt, files in rendered.items():
            for data in files.values():
                self._write("blobs", sha256(data), data)
            self._write("outputs", plan.inputs.outputs[fmt],
                        json.dumps({n: sha256(d) for n, d in files.items()}).encode())
        self.prune()

    def prune(self, max_blob_bytes: int = MAX_BLOB_BYTES,
              max_records: int = MAX_RECORDS) -> None:
        """Drop the least recently used blobs and records beyond the limits."""
        for kind, limit, size in (("blobs", max_blob_bytes, True),
                                  ("outputs", max_records, False),
                                  ("checks", max_records, False)):
            entries = []
            with contextlib.suppress(OSError), os.scandir(self.root / kind) as it:
                for entry in it:
                    with contextlib.suppress(OSError):
                        stat = entry.stat()
                        entries.append((stat.st_mtime, stat.st_size if size else 1, entry.path))
            total = sum(e[1] for e in entries)
            for _mtime, amount, path in sorted(entries):
                if total <= limit:
                    break
                with contextlib.suppress(OSError):
                    os.unlink(path)
                total -= amount


def _digest_of(path: Path) -> str | None:
    try:
        return sha256(path.read_bytes())
    except OSError:
        return None


def _plain(d: Diagnostic) -> dict[str, Any]:
    return {"rule": d.rule, "message": d.message, "path": str(d.path) if d.path else None,
            "line": d.line, "severity": str(d.severity)}


def _diagnostic(d: dict[str, Any]) -> Diagnostic:
    return Diagnostic(d["rule"], d["message"], Path(d["path"]) if d["path"] else None,
                      d["line"], Severity(d["severity"]))
