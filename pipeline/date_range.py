"""The date range of a backfill: which UTC partition days it may write, and the step that enforces it.

The range applies to the partition day after normalization (the UTC publication day of an article, the
day an error occurred), so it is checked inside the pipeline, not on the inputs. A record outside the
range becomes a small marker that the sink counts and never writes: the pipeline stays one chain and the
count comes from the data (the Dask runner has no metrics).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from pipeline.rows import partition_date, record_id

OUT_OF_RANGE_COUNTERS = {"article": "articles_out_of_range", "error": "errors_out_of_range"}


@dataclasses.dataclass(frozen=True)
class DateRange:
    """UTC days ``since``..``until``, both included; None on a side means unbounded."""

    since: dt.date | None = None
    until: dt.date | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"empty date range: {self.since} is after {self.until}")

    def contains(self, day: str | dt.date) -> bool:
        """True when the UTC day (``YYYY-MM-DD`` or a date) is in the range."""
        day = dt.date.fromisoformat(day) if isinstance(day, str) else day
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)

    def is_unbounded(self) -> bool:
        """True when neither side is set."""
        return self.since is None and self.until is None

    def __str__(self) -> str:  # a key of a backfill's plan (kept as it was, so that a stopped one resumes)
        return f"{self.since or '...'}..{self.until or '...'}"

    def describe(self) -> str:
        """The range in words, for the summary: ``every day``, ``from D``, ``until D`` or ``D1..D2``."""
        if self.since and self.until:
            return f"{self.since}..{self.until}"
        return f"from {self.since}" if self.since else f"until {self.until}" if self.until else "every day"


def keep_in_range(record: dict[str, Any], date_range: DateRange) -> dict[str, Any]:
    """``record`` when its partition day is in ``date_range``, else a marker counted by the sink."""
    counter = OUT_OF_RANGE_COUNTERS.get(record.get("kind", ""))
    if counter is None or date_range.contains(partition_date(record)):
        return record
    return {"kind": "skipped", "counter": counter, "skipped_id": record_id(record)}
