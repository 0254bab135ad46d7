"""Period strings of the GUIDE ("2019", "2020-05", "2020-01/2020-05", "2020-02-27") as date bounds."""
from __future__ import annotations

import calendar
from datetime import date
from functools import lru_cache


@lru_cache(maxsize=1 << 14)  # linking asks it of every figure; a corpus holds a few hundred distinct periods
def period_bounds(p: str | None) -> tuple[date, date] | None:
    """Inclusive first and last day of a period string; None when empty or malformed."""
    if not p:
        return None

    def one(s: str, end: bool) -> date:
        parts = [int(x) for x in s.split("-")]
        if len(parts) == 1:
            return date(parts[0], 12, 31) if end else date(parts[0], 1, 1)
        if len(parts) == 2:
            return date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1] if end else 1)
        return date(*parts)

    try:
        a, _, b = p.partition("/")
        return one(a, False), one(b or a, True)
    except (ValueError, TypeError):
        return None
