"""``newsbeam run`` (and ``stream``) at a feed URL that serves a sitemap index: its newest sitemaps are fetched and
give the feed's articles. Real server on 127.0.0.1, real pipeline, Parquet read back row by row."""

from __future__ import annotations

import gzip
import json
import pathlib

import duckdb
import pytest

from pipeline.cli import main
from tests.feed_factory import news_sitemap, sitemap_index
from tests.http_server import LocalHTTPServer, Response, gzip_bomb
from tests.pipeline.test_fetch_feeds import conditional
from tests.pipeline.test_full_text_run import story_page

XML = {"Content-Type": "application/xml"}
FERRY = ("https://courier.example/world/aktau-ferry", "Night ferry to Aktau returns", "2024-05-03T09:30:00+04:00")
CRANES = ("https://courier.example/business/cranes", "Port of Baku orders cranes", "2024-05-03T11:00:00+04:00")
RAIL = ("https://courier.example/business/rail-spur", "A rail spur for the port", "2024-05-04T08:15:00+04:00")
TEAM = ("https://courier.example/about/team", "Our team", "2023-01-10T10:00:00+04:00")


def serve(http_server: LocalHTTPServer, routes: dict[str, bytes | Response]) -> None:
    for path, answer in routes.items():
        http_server.route(path, answer if isinstance(answer, Response) else Response(body=answer, headers=XML))


def write_config(tmp_path: pathlib.Path, url: str, extra: str = "") -> pathlib.Path:
    config = tmp_path / "feeds.toml"
    config.write_text(f'[[feed]]\nid = "courier"\nurl = "{url}"\npoll_interval_s = 60\n{extra}\n')
    return config


def run(config: pathlib.Path, output: pathlib.Path, capsys: pytest.CaptureFixture, *extra: str,
        exit_code: int = 0) -> str:
    assert main(["run", "--config", str(config), "--output", str(output), "--force", "--shards", "2",
                 "--retries", "0", "--timeout", "2", *extra]) == exit_code
    return capsys.readouterr().out


def summary_rows(summary: str) -> dict[str, str]:
    """The summary table's rows, label to value."""
    return {label.strip(): value.strip() for label, value in (line.rsplit("  ", 1) for line in summary.splitlines())}


def articles(output: pathlib.Path) -> list[tuple]:
    """(url, title, source_id, feed_url, uri) of every article row."""
    return duckdb.sql(f"SELECT url, title, source_id, feed_url, uri FROM read_parquet("
                      f"'{output}/articles/**/*.parquet', hive_partitioning=true) ORDER BY url").fetchall()


def errors(output: pathlib.Path) -> list[tuple]:
    """(source_id, stage, error_type, uri) of every error row."""
    if not list(output.glob("errors/**/*.parquet")):
        return []
    return duckdb.sql(f"SELECT source_id, stage, error_type, uri FROM read_parquet('{output}/errors/**/*.parquet', "
                      "hive_partitioning=true) ORDER BY ALL").fetchall()


def two_news_sitemaps(http_server: LocalHTTPServer) -> str:
    """``/sitemap.xml``: an index of two news sitemaps (the newer last) and an old page sitemap; its URL."""
    serve(http_server, {
        "/sitemap.xml": sitemap_index([(http_server.url("/sitemaps/pages.xml"), "2023-01-10"),
                                       (http_server.url("/sitemaps/news-1.xml"), "2024-05-03T12:00:00Z"),
                                       (http_server.url("/sitemaps/news-2.xml"), "2024-05-04T08:20:00+04:00")]),
        "/sitemaps/news-1.xml": news_sitemap([FERRY, CRANES]),
        "/sitemaps/news-2.xml": news_sitemap([RAIL]),
        "/sitemaps/pages.xml": news_sitemap([TEAM]),
    })
    return http_server.url("/sitemap.xml")


def test_an_index_gives_the_articles_of_its_newest_sitemaps_under_the_feeds_id(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    index_url = two_news_sitemaps(http_server)
    output = tmp_path / "out"

    summary = run(write_config(tmp_path, index_url, "sitemap_children = 2"), output, capsys)

    news_1, news_2 = http_server.url("/sitemaps/news-1.xml"), http_server.url("/sitemaps/news-2.xml")
    assert articles(output) == [(CRANES[0], CRANES[1], "courier", index_url, news_1),
                                (RAIL[0], RAIL[1], "courier", index_url, news_2),
                                (FERRY[0], FERRY[1], "courier", index_url, news_1)]
    assert errors(output) == [] and http_server.requests_to("/sitemaps/pages.xml") == []
    rows = summary_rows(summary)
    assert (rows["fetched"], rows["child sitemaps fetched"], "child sitemaps failed" in rows) == ("1", "2", False)
    manifest = json.loads(next((output / "_runs").glob("*.json")).read_text())
    assert manifest["fetch"]["fetched"] == 1 and manifest["sitemaps"] == {"fetched": 2, "not_modified": 0, "failed": 0}


def test_one_sitemap_of_an_index_is_its_newest(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    output = tmp_path / "out"

    run(write_config(tmp_path, two_news_sitemaps(http_server), "sitemap_children = 1"), output, capsys)

    assert [row[0] for row in articles(output)] == [RAIL[0]]
    assert [path for path in ("/sitemaps/news-1.xml", "/sitemaps/news-2.xml", "/sitemaps/pages.xml")
            if http_server.requests_to(path)] == ["/sitemaps/news-2.xml"]


def test_an_index_listed_by_the_index_is_followed_and_one_level_deeper_is_reported(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    serve(http_server, {
        "/sitemap.xml": sitemap_index([(http_server.url("/news/index.xml"), None)]),
        "/news/index.xml": sitemap_index([(http_server.url("/news/today.xml"), "2024-05-04"),
                                          (http_server.url("/news/archive/index.xml"), "2024-05-01")]),
        "/news/today.xml": news_sitemap([FERRY, RAIL]),
        "/news/archive/index.xml": sitemap_index([(http_server.url("/news/archive/2023.xml"), None)]),
    })
    output = tmp_path / "out"

    run(write_config(tmp_path, http_server.url("/sitemap.xml")), output, capsys)

    assert [(row[0], row[4]) for row in articles(output)] == [(RAIL[0], http_server.url("/news/today.xml")),
                                                              (FERRY[0], http_server.url("/news/today.xml"))]
    assert errors(output) == [("courier", "parse", "sitemap_index", http_server.url("/news/archive/index.xml"))]
    assert http_server.requests_to("/news/archive/2023.xml") == []


def test_a_missing_sitemap_and_a_gzip_bomb_give_a_row_each_and_the_other_sitemap_lands(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    serve(http_server, {
        "/sitemap.xml": sitemap_index([(http_server.url("/sitemaps/gone.xml"), "2024-05-04"),
                                       (http_server.url("/sitemaps/news.xml.gz"), "2024-05-03"),
                                       (http_server.url("/sitemaps/bomb.xml.gz"), "2024-05-02")]),
        "/sitemaps/gone.xml": Response(status=404, body=b"not here"),
        "/sitemaps/news.xml.gz": Response(body=gzip.compress(news_sitemap([FERRY])),
                                          headers={"Content-Type": "application/gzip"}),
        "/sitemaps/bomb.xml.gz": Response(body=gzip_bomb(64 * 1024 * 1024),
                                          headers={"Content-Type": "application/gzip"}),
    })
    output = tmp_path / "out"

    summary = run(write_config(tmp_path, http_server.url("/sitemap.xml")), output, capsys, "--max-feed-mb", "1")

    assert [row[0] for row in articles(output)] == [FERRY[0]]
    assert errors(output) == [("courier", "fetch", "http_status", http_server.url("/sitemaps/gone.xml")),
                              ("courier", "fetch", "too_large", http_server.url("/sitemaps/bomb.xml.gz"))]
    rows = summary_rows(summary)
    assert (rows["child sitemaps fetched"], rows["child sitemaps failed"]) == ("1", "2")


def test_an_index_listing_itself_or_a_sitemap_twice_fetches_each_once(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    index_url, news_url = http_server.url("/sitemap.xml"), http_server.url("/news.xml")
    serve(http_server, {
        "/sitemap.xml": sitemap_index([(index_url, "2024-05-05"), (news_url, "2024-05-04"),
                                       (http_server.url("/more/index.xml"), "2024-05-03"), (news_url, None)]),
        "/more/index.xml": sitemap_index([(index_url, None), (news_url, None),
                                          (http_server.url("/more/index.xml"), None)]),
        "/news.xml": news_sitemap([FERRY, CRANES]),
    })
    output = tmp_path / "out"

    run(write_config(tmp_path, index_url), output, capsys)

    assert [row[0] for row in articles(output)] == [CRANES[0], FERRY[0]]
    paths = ("/sitemap.xml", "/news.xml", "/more/index.xml")
    assert [len(http_server.requests_to(path)) for path in paths] == [1, 1, 1]
    assert errors(output) == []  # the inner index's sitemaps were all read: it is followed, no row


def test_a_changed_sitemap_is_read_while_its_index_stays_the_same(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    xml = XML["Content-Type"]
    index = sitemap_index([(http_server.url("/news.xml"), None)])
    http_server.route("/sitemap.xml", conditional(index, '"index-1"', xml))
    http_server.route("/news.xml", conditional(news_sitemap([FERRY]), '"news-1"', xml))
    http_server.route("/gone.xml", Response(status=404))
    gone = f'[[feed]]\nid = "gone"\nurl = "{http_server.url("/gone.xml")}"\n'
    config, output = write_config(tmp_path, http_server.url("/sitemap.xml"), gone), tmp_path / "out"
    run(config, output, capsys)

    http_server.route("/news.xml", conditional(news_sitemap([RAIL, FERRY]), '"news-2"', xml))
    run(config, output, capsys)
    assert [row[0] for row in articles(output)] == [RAIL[0], FERRY[0]]
    assert http_server.requests_to("/news.xml")[-1].headers["if-none-match"] == '"news-1"'

    summary = run(config, output, capsys)  # nothing new: the sitemap answers 304, read as a feed's 304 is (exit 0)
    assert summary_rows(summary)["child sitemaps not modified"] == "1"
    assert [row[0] for row in articles(output)] == [RAIL[0], FERRY[0]]
    assert [request.headers.get("if-none-match") for request in http_server.requests_to("/sitemap.xml")] == [None] * 3


def test_the_raw_zone_backfilled_gives_the_same_rows_and_no_index_error(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    original, rebuilt = tmp_path / "original", tmp_path / "rebuilt"
    run(write_config(tmp_path, two_news_sitemaps(http_server)), original, capsys)
    http_server.stop()  # the rebuild reads the raw zone alone

    assert main(["backfill", str(original / "raw"), "--output", str(rebuilt), "--shards", "2", "--no-progress"]) == 0

    def table(output: pathlib.Path) -> list[tuple]:
        return duckdb.sql(f"SELECT * EXCLUDE (pipeline_version) FROM read_parquet('{output}/articles/**/*.parquet', "
                          "hive_partitioning=true) ORDER BY ALL").fetchall()

    assert len(table(original)) == 4 and table(rebuilt) == table(original)
    assert errors(rebuilt) == errors(original) == []
    assert len(list((original / "raw").glob("date=*/source=courier/*.gz"))) == 4  # the index and three sitemaps


def test_an_index_with_no_sitemaps_to_follow_keeps_its_error_row(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    output = tmp_path / "out"

    summary = run(write_config(tmp_path, two_news_sitemaps(http_server), "sitemap_children = 0"), output, capsys,
                  exit_code=1)

    assert errors(output) == [("courier", "parse", "sitemap_index", http_server.url("/sitemap.xml"))]
    assert [request.path for request in http_server.requests] == ["/sitemap.xml"]
    assert "content failed" in summary and "child sitemaps" not in summary


def test_full_text_fetches_the_pages_of_the_sitemaps_of_an_index(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    stories = [(http_server.url(f"/story/{number}"), f"Story {number}", "2024-05-03T09:30:00+04:00")
               for number in (1, 2)]
    serve(http_server, {"/sitemap.xml": sitemap_index([(http_server.url("/news.xml"), None)]),
                        "/news.xml": news_sitemap(stories), "/story/1": story_page(1), "/story/2": story_page(2)})
    output = tmp_path / "out"

    run(write_config(tmp_path, http_server.url("/sitemap.xml"), "full_text = true"), output, capsys,
        "--allow-private-addresses", "--page-rate", "50")

    rows = duckdb.sql(f"SELECT url, body_status, source_id FROM read_parquet('{output}/articles/**/*.parquet') "
                      "ORDER BY url").fetchall()
    assert rows == [(stories[0][0], "full", "courier"), (stories[1][0], "full", "courier")]


def test_stream_follows_an_index_as_run_does(http_server: LocalHTTPServer, tmp_path: pathlib.Path) -> None:
    config = write_config(tmp_path, two_news_sitemaps(http_server))
    common = ["--config", str(config), "--shards", "2", "--retries", "0"]

    assert main(["run", "--output", str(tmp_path / "run"), *common]) == 0
    assert main(["stream", "--output", str(tmp_path / "stream"), "--window", "0.2s", "--stop-after", "0.5s",
                 *common]) == 0

    assert articles(tmp_path / "stream") == articles(tmp_path / "run") and len(articles(tmp_path / "run")) == 4
    assert errors(tmp_path / "stream") == []
    manifest = json.loads(next((tmp_path / "stream" / "_runs").glob("*.json")).read_text())
    assert manifest["sitemaps"]["fetched"] == 3
