"""Sitemaps through ``newsbeam ingest``: a news sitemap, a gzipped plain sitemap, an index and the site's RSS feed in
one folder; read back from Parquet, one row per article whichever way it was read."""

from __future__ import annotations

import datetime as dt
import gzip
import os
import pathlib
import shutil

import duckdb

from pipeline.cli import main
from tests.feed_factory import rss

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "sitemaps"
SAVED_AT = dt.datetime(2026, 12, 6, 18, 0, tzinfo=dt.timezone.utc)  # the files' mtime: their fetched_at
CRANES = "https://caspian-courier.example/business/2026/12/05/port-of-baku-cranes"
FERRY = "https://caspian-courier.example/world/2026/12/05/aktau-ferry"


def plain_sitemap() -> bytes:
    return (b'<?xml version="1.0"?><urlset xmlns="http://www.google.com/schemas/sitemap/0.84">'
            b"<url><loc>https://caspian-courier.example/about/team</loc><lastmod>2026-10-02</lastmod></url>"
            b"<url><loc>" + CRANES.encode() + b"</loc><lastmod>2026-12-05T16:20:00+04:00</lastmod></url></urlset>")


def write_inputs(inputs: pathlib.Path) -> None:
    inputs.mkdir()
    shutil.copy(FIXTURES / "news_sitemap.xml", inputs / "news-sitemap.xml")
    shutil.copy(FIXTURES / "sitemap_index.xml", inputs / "sitemap.xml")
    (inputs / "pages.xml.gz").write_bytes(gzip.compress(plain_sitemap()))
    (inputs / "courier.rss").write_bytes(rss([
        ("ferry-1", FERRY + "?utm_source=rss", "Night ferry to Aktau returns after the storm", "It took 19 hours."),
        ("cranes-1", CRANES, "Port of Baku orders four new cranes", "Four cranes and a rail spur.")],
        day=5, site="https://caspian-courier.example/"))
    for path in inputs.iterdir():
        os.utime(path, (SAVED_AT.timestamp(), SAVED_AT.timestamp()))


def test_a_site_read_through_its_sitemaps_and_its_feed_is_one_row_per_article(tmp_path: pathlib.Path) -> None:
    inputs, output = tmp_path / "in", tmp_path / "out"
    write_inputs(inputs)

    assert main(["ingest", str(inputs), "--output", str(output), "--shards", "2"]) == 0

    relation = duckdb.sql("SELECT canonical_url, article_id, document_type, title, time_source FROM read_parquet("
                          f"'{output}/articles/**/*.parquet') ORDER BY canonical_url")
    found = {url: (article_id, kind, title, source) for url, article_id, kind, title, source in relation.fetchall()}
    assert sorted(found) == ["https://caspian-courier.example/about/contact",
                             "https://caspian-courier.example/about/team", CRANES, FERRY]
    ((ids, rows),) = duckdb.sql(f"SELECT count(DISTINCT article_id), count(*) FROM read_parquet("
                                f"'{output}/articles/**/*.parquet')").fetchall()
    assert ids == rows == 4  # the cranes were in three documents, the ferry in two: one row each
    assert found["https://caspian-courier.example/about/team"][1:] == ("sitemap", None, "sitemap.lastmod")
    errors = duckdb.sql(f"SELECT error_type, message, uri FROM read_parquet('{output}/errors/**/*.parquet')").fetchall()
    assert [(error_type, uri) for error_type, _, uri in errors] == [("sitemap_index", str(inputs / "sitemap.xml"))]
    assert "it lists 4 sitemaps and no articles" in errors[0][1]


def feed_and_sitemap_copies(output: pathlib.Path) -> dict[str, tuple]:
    relation = duckdb.sql("SELECT canonical_url, document_type, summary_text, updated_at FROM read_parquet("
                          f"'{output}/articles/**/*.parquet') WHERE canonical_url IN ('{CRANES}', '{FERRY}')")
    return {url: rest for url, *rest in relation.fetchall()}


def test_the_feed_copy_with_text_wins_over_a_later_sitemap_entry_without_in_one_run(tmp_path: pathlib.Path) -> None:
    # the sitemap gives the cranes a <lastmod>, a later update time than the feed item's (none): by time alone
    # its copy, a title and a link, was the row, and the feed's summary was lost
    inputs, output = tmp_path / "in", tmp_path / "out"
    write_inputs(inputs)

    assert main(["ingest", str(inputs), "--output", str(output), "--shards", "2"]) == 0

    assert feed_and_sitemap_copies(output) == {CRANES: ["rss", "Four cranes and a rail spur.", None],
                                               FERRY: ["rss", "It took 19 hours.", None]}


def test_the_feed_copy_with_text_wins_over_a_later_sitemap_entry_across_runs_in_either_order(
        tmp_path: pathlib.Path) -> None:
    inputs = tmp_path / "in"
    write_inputs(inputs)
    for first, second in (("courier.rss", "news-sitemap.xml"), ("news-sitemap.xml", "courier.rss")):
        output = tmp_path / f"out-{first}"
        assert main(["ingest", str(inputs / first), "--output", str(output), "--shards", "2"]) == 0
        if first == "news-sitemap.xml":  # alone, the sitemap's entry is the row
            assert feed_and_sitemap_copies(output)[CRANES][:2] == ["sitemap", None]

        assert main(["ingest", str(inputs / second), "--output", str(output), "--shards", "2"]) == 0

        copies = feed_and_sitemap_copies(output)
        assert {url: values[:2] for url, values in copies.items()} == {
            CRANES: ["rss", "Four cranes and a rail spur."], FERRY: ["rss", "It took 19 hours."]}, first
        ((rows,),) = duckdb.sql(f"SELECT count(*) FROM read_parquet('{output}/articles/**/*.parquet')").fetchall()
        assert rows == 3  # the two stories, and the contact page only the sitemap lists
