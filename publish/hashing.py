"""SHA-256 as the pipeline writes it everywhere (cache keys, manifest, source hash): hex."""

from __future__ import annotations

import hashlib


def sha256(data: bytes) -> str:
    """The lowercase hex SHA-256 of ``data``, as ``sha256sum`` prints it."""
    return hashlib.sha256(data).hexdigest()
