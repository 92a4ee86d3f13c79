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
    ("/in/bundle.zip!harbour-gazette.xml", "harbour-gazette"),
    ("/in/bundle.tar.gz!./feeds/harbour-gazette.xml", "harbour-gazette"),
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


def test_the_same_page_failing_at_two_places_of_web_archives_gives_two_error_ids() -> None:
    def warc_error(raw_path: str) -> str:
        source = {"uri": "https://harbour.example/", "raw_path": raw_path, "raw_sha256": "ab" * 32,
                  "fetched_at": FETCHED_AT}
        return make_error("parse", "not_an_article", "no article", source=source)["error_id"]

    assert len({warc_error("/in/a.warc.gz#0"), warc_error("/in/a.warc.gz#911"), warc_error("/in/b.warc.gz#0")}) == 3
    assert warc_error("/in/a.warc.gz#911") == warc_error("/in/a.warc.gz#911")


def test_error_ids_of_inputs_whose_uri_names_their_place_do_not_depend_on_raw_path() -> None:
    def error_id(uri: str, raw_path: str | None) -> str:
        source = {"uri": uri, "raw_path": raw_path, "fetched_at": FETCHED_AT}
        return make_error("parse", "invalid_json", "line 7: bad", source=source)["error_id"]

    # ids earlier versions wrote stay the same, so a rerun replaces their rows rather than adding new ones
    assert error_id("/in/export.jsonl#L7", "/in/export.jsonl") == error_id("/in/export.jsonl#L7", None)
    assert error_id("/in/a.tar!x.xml", "/in/a.tar!x.xml") == error_id("/in/a.tar!x.xml", None)
    assert (error_id("https://harbour.example/rss", "/out/raw/date=2024-03-04/source=h/ab.gz")
            == error_id("https://harbour.example/rss", None))
