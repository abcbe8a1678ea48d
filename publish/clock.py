"""The dates a build reads, defined once: ``SOURCE_DATE_EPOCH``, and the clock.

Outputs carry ``SOURCE_DATE_EPOCH`` when it is set, else the guide's own date, so
the same source gives the same bytes (``RenderContext.build_date``). The clock is
read for one thing only: whether an approved guide is past its review date
(``publish.checks.editorial``, and the cache key of the checks).
"""

from __future__ import annotations

import datetime as dt
import os

SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"
"""The reproducible-builds variable: seconds since 1970 (reproducible-builds.org)."""


def source_date() -> dt.datetime | None:
    """``SOURCE_DATE_EPOCH`` as a UTC date and time (without a zone), or None when unset."""
    epoch = os.environ.get(SOURCE_DATE_EPOCH, "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).replace(tzinfo=None)
    return None


def today() -> dt.date:
    """``SOURCE_DATE_EPOCH``'s date when set (tests, reproducible builds), else the clock's."""
    fixed = source_date()
    return fixed.date() if fixed is not None else dt.date.today()
