"""Translations: what each one was made from, and the languages one guide comes in.

A translation is a guide whose front matter names its source
(``translation_of: guide.md``) and the source version it was made from
(``source_version: "0.2.0"``). Its file is named ``<source stem>.<lang>.md``
(``guide.es.md``) and its outputs follow the file name (``guide.es.html``).

From these two fields alone the pipeline can tell when a translation is stale
and compare it with its source (``publish.checks.translation``), link the
languages of one guide to each other (``language_versions``), and start a new
translation (``publish.translate``). Only front matter is read here: cheap enough
to run for every build, and a broken sibling never breaks another guide's build
(its own build reports it).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from publish.errors import SourceError
from publish.frontmatter import parse_front_matter, read_source
from publish.model import LanguageVersion, Metadata

RULE = "translation-source"


def translation_file(source: Path, lang: str) -> Path:
    """Where the translation of ``source`` into ``lang`` lives: guide.md → guide.es.md."""
    return source.with_name(f"{source.stem}.{lang}{source.suffix}")


def source_of(path: Path, meta: Metadata) -> Path:
    """The real path of the guide a translation was made from, confined to its folder.

    Raises SourceError (``translation-source``) when the source is missing, outside the
    translation's folder, the translation itself, or itself a translation.
    """
    line = meta.lines.get("translation_of")
    folder = path.resolve().parent
    named = folder / meta.translation_of
    try:
        real = named.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        real = named
    if not real.is_relative_to(folder):
        raise SourceError(RULE, f"translation_of: '{meta.translation_of}' is outside the "
                          "translation's folder; keep a translation beside its source",
                          path, line)
    if real == path.resolve():
        raise SourceError(RULE, "translation_of names this file itself; name the guide it "
                          "was translated from", path, line)
    if not real.is_file():
        raise SourceError(RULE, f"translation_of: no such file '{meta.translation_of}' beside "
                          "the translation; name the source guide (e.g. guide.md)", path, line)
    return real


@lru_cache(maxsize=64)
def _front_matter(path: Path, _mtime_ns: int, _size: int) -> Metadata:
    return parse_front_matter(read_source(path))


def front_matter(path: Path) -> Metadata:
    """A guide's validated front matter, read again only when the file changed."""
    stat = path.stat()
    return _front_matter(path, stat.st_mtime_ns, stat.st_size)


def language_versions(path: Path, meta: Metadata) -> tuple[LanguageVersion, ...]:
    """Every language this guide comes in, the source first, then the translations by tag.

    Empty when the guide has no translations. Translations are found beside the
    source as ``<stem>.*.md`` files whose ``translation_of`` names it; a sibling whose
    front matter is broken is left out here (its own build reports why).
    """
    path = path.resolve()
    if meta.is_translation:
        try:
            source = source_of(path, meta)
            source_meta = front_matter(source)
        except SourceError:
            return ()  # the translation checks report it
    else:
        source, source_meta = path, meta
    found = [LanguageVersion(source_meta.lang, source_meta.title, source.stem, True)]
    for candidate in sorted(source.parent.glob(f"{source.stem}.*.md")):
        try:
            other = meta if candidate == path else front_matter(candidate)
            if not other.is_translation or source_of(candidate, other) != source:
                continue
        except (SourceError, OSError):
            continue
        found.append(LanguageVersion(other.lang, other.title, candidate.stem, False))
    if len(found) == 1:
        return ()
    return (found[0], *sorted(found[1:], key=lambda v: v.lang.lower()))
