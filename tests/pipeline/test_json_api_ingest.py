"""News API exports through ``newsbeam ingest``: a NewsAPI response file, a GDELT response file and Guardian
JSON Lines in one folder, read back from Parquet row by row."""

from __future__ import annotations

import datetime as dt
import json
import os
import pathlib

import duckdb

from pipeline.cli import main
from tests.transforms.test_json_documents import GDELT_ARTICLE, GUARDIAN_RESULT, NEWSAPI_ARTICLE

SAVED_AT = dt.datetime(2026, 12, 6, 18, 0, tzinfo=dt.timezone.utc)  # the files' mtime: their fetched_at


def test_news_api_exports_land_with_their_times_publishers_images_and_languages(tmp_path: pathlib.Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    removed = {"source": {"id": None, "name": "[Removed]"}, "title": "[Removed]", "url": "https://removed.com",
               "publishedAt": "1970-01-01T00:00:00Z", "content": "[Removed]"}
    files = {
        "newsapi-everything.json": json.dumps({"status": "ok", "totalResults": 2,
                                               "articles": [NEWSAPI_ARTICLE, removed]}),
        "gdelt-artlist.json": json.dumps({"articles": [GDELT_ARTICLE]}, indent=2),
        "guardian.jsonl": json.dumps(GUARDIAN_RESULT) + "\n" + json.dumps({**GUARDIAN_RESULT, "fields": {
            "lang": "en"}, "webUrl": "https://www.theguardian.com/world/2026/dec/06/ferries", "webTitle": "Ferries",
            "webPublicationDate": 1796551200}) + "\n",
    }
    for name, text in files.items():
        (inputs / name).write_text(text, encoding="utf-8")
        os.utime(inputs / name, (SAVED_AT.timestamp(), SAVED_AT.timestamp()))
    output = tmp_path / "out"

    assert main(["ingest", str(inputs), "--output", str(output)]) == 0

    rows = duckdb.sql(
        "SELECT url, title, publisher, publisher_url, published_at, time_source, time_flags, images, language, "
        f"authors, body_text, body_status, source_id FROM read_parquet('{output}/articles/**/*.parquet') ORDER BY url").fetchall()
    utc = dt.timezone.utc
    assert [row[0] for row in rows] == [
        "https://www.example-times.com/2026/12/06/dockers-vote", "https://www.harbour-herald.example/news/strike-ends",
        "https://www.theguardian.com/world/2026/dec/06/ferries",
        "https://www.theguardian.com/world/2026/dec/06/harbour-strike-ends"]
    newsapi, gdelt, ferries, guardian = (dict(zip(
        ("url", "title", "publisher", "publisher_url", "published_at", "time_source", "time_flags", "images",
         "language", "authors", "body_text", "body_status", "source_id"), row)) for row in rows)

    assert newsapi["published_at"] == dt.datetime(2026, 12, 6, 12, 30, tzinfo=utc)
    assert (newsapi["time_source"], newsapi["time_flags"]) == ("entry.published", [])
    assert (newsapi["publisher"], newsapi["publisher_url"]) == ("Example Times", None)
    assert newsapi["title"] == "Dockers vote to end the harbour strike"
    assert newsapi["images"] == ["https://cdn.example-times.com/2026/12/dockers.jpg"]
    assert newsapi["body_text"] == "Dockers voted on Saturday to end the strike that closed the harbour for nine days"
    assert (newsapi["body_status"], newsapi["language"], newsapi["authors"]) == ("teaser_only", "en", ["Jane Roe"])

    assert gdelt["published_at"] == dt.datetime(2026, 12, 6, 11, 0, tzinfo=utc)
    assert (gdelt["time_source"], gdelt["time_flags"]) == ("entry.published", [])
    assert (gdelt["publisher"], gdelt["source_id"], gdelt["language"]) == (None, "harbour-herald.example", "en")
    assert gdelt["images"] == ["https://www.harbour-herald.example/img/strike.jpg"]

    assert guardian["published_at"] == dt.datetime(2026, 12, 6, 10, 15, tzinfo=utc)
    assert (guardian["time_source"], guardian["time_flags"]) == ("entry.published", [])
    assert (guardian["publisher"], guardian["language"]) == ("The Guardian", "en")
    assert guardian["images"] == ["https://media.guim.co.uk/abc/0_0_3000_1800/500.jpg"]
    assert guardian["authors"] == ["Jane Roe", "John Doe"]
    assert guardian["body_text"] == "Dockers voted on Saturday to accept the offer."
    # an epoch number is a publication time too
    assert ferries["published_at"] == dt.datetime(2026, 12, 6, 10, 0, tzinfo=utc)
    assert ferries["time_source"] == "entry.published"
    assert ferries["publisher"] is None  # nothing in the record names it

    errors = duckdb.sql(f"SELECT error_type, uri FROM read_parquet('{output}/errors/**/*.parquet')").fetchall()
    assert errors == [("removed_by_source", f"{inputs}/newsapi-everything.json#2")]
