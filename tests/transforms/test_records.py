"""Record helpers: every error record names its source, even for inputs that name none."""

from __future__ import annotations

import datetime as dt

import pytest

from transforms.records import fallback_source_id, make_error

FETCHED_AT = dt.datetime(2024, 3, 4, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(("uri", "expected"), [
    ("https://www.harbour-gazette.example/feed.xml", "harbour-gazette.example"),
    ("/in/feeds/harbour-gazette.rss.gz", "harbour-gazette"),
    ("/in/archives/crawl.warc.gz#1024", "crawl"),
    ("/in/export.jsonl#L7", "export"),
    ("http://[::1/broken", "broken"),
    (None, None),
])
def test_fallback_source_id_is_the_host_else_the_file_stem(uri: str | None, expected: str | None) -> None:
    assert fallback_source_id(uri) == expected


def test_error_of_a_local_file_without_a_configured_source_gets_the_file_stem() -> None:
    error = make_error("parse", "unknown_format", "not a feed",
                       source={"uri": "/in/harbour-gazette.xml", "raw_path": "/in/harbour-gazette.xml",
                               "fetched_at": FETCHED_AT, "source_id": None})
    assert error["source_id"] == "harbour-gazette"


def test_configured_source_id_wins_in_error_records() -> None:
    error = make_error("fetch", "timeout", "no answer", source={"uri": "https://harbour.example/rss",
                                                                 "source_id": "harbour", "fetched_at": FETCHED_AT})
    assert error["source_id"] == "harbour"
