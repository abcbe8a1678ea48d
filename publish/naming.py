"""How files beside a guide are named, defined once (cheap to import: the cache reads it).

A guide ``NAME.md`` has its editorial rules in ``NAME.rules.yaml`` and may bring its own
label table in ``NAME.labels.yaml`` beside it, unless its front matter names other files
(``rules:``, ``labels:``); ``publish.resources.companion_file`` finds them.
"""

from __future__ import annotations

RULES_SUFFIX = ".rules.yaml"
LABELS_SUFFIX = ".labels.yaml"
"""A guide's own label table beside it: ``guide.md`` → ``guide.labels.yaml``."""
COMPANION_SUFFIXES = (RULES_SUFFIX, LABELS_SUFFIX)
"""Files a build reads beside a guide when present (so they are inputs of its cache key)."""


def rules_file_name(stem: str) -> str:
    """The default rules file of the guide ``stem``.md: ``guide`` → ``guide.rules.yaml``."""
    return f"{stem}{RULES_SUFFIX}"
