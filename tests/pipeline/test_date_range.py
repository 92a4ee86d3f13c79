"""The date range of a backfill: how its summary says it."""

from __future__ import annotations

import datetime as dt

from pipeline.date_range import DateRange


def test_a_backfill_range_is_said_in_words() -> None:
    day, later = dt.date(2026, 12, 1), dt.date(2026, 12, 5)
    assert [DateRange().describe(), DateRange(day).describe(), DateRange(None, later).describe(),
            DateRange(day, later).describe()] == ["every day", "from 2026-12-01", "until 2026-12-05",
                                                  "2026-12-01..2026-12-05"]
