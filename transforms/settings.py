"""Settings of the transforms: one frozen object, built once from the CLI and handed down."""

from __future__ import annotations

import dataclasses
import datetime as dt


@dataclasses.dataclass(frozen=True)
class TransformSettings:
    """What the transforms may be configured with; defaults suit news feeds."""

    # Entities
    alias_paths: tuple[str, ...] = ()  # user alias files (TOML) on top of the packaged gazetteer
    min_city_population: int = 100_000  # cities below this are not in the gazetteer
    cache_dir: str | None = None  # where the built gazetteer is kept between processes; None: build each time
    # Timestamps
    max_future_skew: dt.timedelta = dt.timedelta(days=1)  # later than fetched_at + skew: implausible
    earliest_plausible: dt.datetime = dt.datetime(1990, 1, 1, tzinfo=dt.timezone.utc)
    # Text and HTML
    extract_main_content: bool = True  # boilerplate removal on full HTML pages
    detect_language: bool = True
    max_html_chars: int = 5_000_000  # longer HTML fields are cut before parsing, and flagged
