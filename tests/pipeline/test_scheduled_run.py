"""``newsbeam run`` end to end: real HTTP server on 127.0.0.1, real Beam pipeline, Parquet read back."""

from __future__ import annotations

import pathlib
import re

import duckdb
import pytest

from pipeline.cli import main
from tests.feed_factory import rss
from tests.http_server import LocalHTTPServer, Response


ITEM_A = ("a-1", "https://courier.example/a?utm_source=feed", "Port of Baku expands", "Cranes arrive in Baku.")
ITEM_B = ("b-1", "https://courier.example/b", "Rain in Tbilisi", "Short rain.")
ITEM_B_EDITED = ("b-1", "https://courier.example/b", "Rain in Tbilisi", "Heavy rain flooded two streets.")
ITEM_C = ("c-1", "https://courier.example/c", "Ferry to Aktau", "A new ferry line opens.")


def write_config(tmp_path: pathlib.Path, feeds: dict[str, str]) -> pathlib.Path:
    config = tmp_path / "feeds.toml"
    config.write_text("".join(f'[[feed]]\nid = "{source}"\nurl = "{url}"\npoll_interval_s = 60\n\n'
                              for source, url in feeds.items()))
    return config


def articles(output: pathlib.Path) -> list[tuple]:
    return duckdb.sql(
        f"SELECT article_id, canonical_url, summary_text, source_id, raw_sha256 FROM read_parquet("
        f"'{output}/articles/**/*.parquet', hive_partitioning=true) ORDER BY canonical_url").fetchall()


def run_once(config: pathlib.Path, output: pathlib.Path, capsys: pytest.CaptureFixture, *extra: str) -> str:
    assert main(["run", "--config", str(config), "--output", str(output), "--force", "--shards", "2",
                 "--retries", "0", "--timeout", "2", *extra]) == 0
    return capsys.readouterr().out


def test_three_scheduled_runs_keep_one_row_per_article(http_server: LocalHTTPServer, tmp_path: pathlib.Path,
                                                       capsys: pytest.CaptureFixture) -> None:
    config = write_config(tmp_path, {"courier": http_server.url("/feed.xml")})
    output = tmp_path / "out"

    http_server.route("/feed.xml", Response(body=rss([ITEM_A, ITEM_B]), headers={"ETag": '"v1"'}))
    run_once(config, output, capsys)
    first = articles(output)
    assert [row[1] for row in first] == ["https://courier.example/a", "https://courier.example/b"]

    http_server.route("/feed.xml", Response(body=rss([ITEM_A, ITEM_B_EDITED, ITEM_C]), headers={"ETag": '"v2"'}))
    run_once(config, output, capsys)
    second = articles(output)
    assert [row[1] for row in second] == [f"https://courier.example/{name}" for name in "abc"]
    assert second[0] == first[0]  # A unchanged, row kept as it was
    assert second[1][0] == first[1][0] and second[1][2] == "Heavy rain flooded two streets."

    def not_modified_unless_etag_differs(request):
        if request.headers.get("if-none-match") == '"v2"':
            return Response(status=304)
        return Response(body=rss([ITEM_A]), headers={"ETag": '"v3"'})

    http_server.route("/feed.xml", not_modified_unless_etag_differs)
    summary = run_once(config, output, capsys)
    assert "not modified" in summary and articles(output) == second
    (counts,) = duckdb.sql(f"SELECT count(*), count(DISTINCT article_id) FROM read_parquet("
                           f"'{output}/articles/**/*.parquet')").fetchall()
    assert counts == (3, 3)


def test_rows_point_at_their_raw_bytes(http_server: LocalHTTPServer, tmp_path: pathlib.Path,
                                       capsys: pytest.CaptureFixture) -> None:
    http_server.route("/feed.xml", Response(body=rss([ITEM_A])))
    output = tmp_path / "out"
    run_once(write_config(tmp_path, {"courier": http_server.url("/feed.xml")}), output, capsys)
    (_, _, _, source_id, raw_sha256), = articles(output)
    assert source_id == "courier"
    assert list((output / "raw").glob(f"date=*/source=courier/{raw_sha256}.gz"))


def test_failing_feeds_become_error_records_and_good_ones_still_land(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    http_server.route("/good.xml", Response(body=rss([ITEM_A, ITEM_C])))
    http_server.route("/broken.xml", Response(body=b"<rss><channel><item><title>unclosed"))
    http_server.route("/page.html", Response(body=b"<html><body><p>We moved.</p></body></html>",
                                             headers={"Content-Type": "text/html"}))
    http_server.route("/down.xml", Response(status=500))
    config = write_config(tmp_path, {name: http_server.url(f"/{path}") for name, path in
                                     {"good": "good.xml", "broken": "broken.xml", "page": "page.html",
                                      "down": "down.xml"}.items()})
    output = tmp_path / "out"
    run_once(config, output, capsys)
    assert len(articles(output)) == 2
    errors = duckdb.sql(f"SELECT source_id, stage, error_type FROM read_parquet('{output}/errors/**/*.parquet') "
                        "ORDER BY source_id").fetchall()
    by_source = {source: (stage, error_type) for source, stage, error_type in errors}
    assert by_source["down"] == ("fetch", "http_status")
    assert by_source["broken"][0] == "parse"
    assert "page" in by_source  # an HTML page where a feed was expected is reported, not silently dropped


def test_a_cron_run_whose_good_feeds_answer_304_exits_0_beside_a_failing_feed(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    def not_modified_after_the_first(request):
        if request.headers.get("if-none-match") == '"v1"':
            return Response(status=304)
        return Response(body=rss([ITEM_A]), headers={"ETag": '"v1"'})

    http_server.route("/good.xml", not_modified_after_the_first)
    http_server.route("/gone.xml", Response(status=404))
    config = write_config(tmp_path, {"good": http_server.url("/good.xml"), "gone": http_server.url("/gone.xml")})
    output = tmp_path / "out"
    run_once(config, output, capsys)

    # nothing new and one error row: the good feed was read all the same, so this is no failed run
    summary = run_once(config, output, capsys)
    assert "not modified                 1" in summary and "fetch:http_status            1" in summary
    argv = ["run", "--config", str(config), "--output", str(output), "--force", "--shards", "2", "--retries", "0",
            "--fail-on-error"]
    assert main(argv) == 1
    assert "--fail-on-error" in capsys.readouterr().err


def test_a_run_where_every_due_feed_fails_exits_1_and_says_why(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    http_server.route("/gone.xml", Response(status=404))
    config = write_config(tmp_path, {"gone": http_server.url("/gone.xml")})
    argv = ["run", "--config", str(config), "--output", str(tmp_path / "out"), "--retries", "0"]
    assert main(argv) == 1
    assert "no input gave an item (1 error rows" in capsys.readouterr().err


def test_a_feed_url_serving_html_is_backed_off_across_scheduled_runs_until_it_serves_a_feed(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    import json
    import sqlite3

    http_server.route("/feed.xml", Response(body=b"<html><body><h1>Down for maintenance</h1></body></html>",
                                            headers={"Content-Type": "text/html"}))
    config = write_config(tmp_path, {"courier": http_server.url("/feed.xml")})
    output = tmp_path / "out"

    def scheduled_run() -> tuple[int, str, dict]:
        code = main(["run", "--config", str(config), "--output", str(output), "--shards", "2", "--retries", "0"])
        latest = max((output / "_runs").glob("*.json"), key=lambda path: path.stat().st_mtime_ns)
        return code, capsys.readouterr().out, json.loads(latest.read_text())

    def backoff_runs_out() -> None:  # the next cron run comes after the feed's backoff
        with sqlite3.connect(output / "_state" / "feeds.sqlite") as connection:
            connection.execute("UPDATE feed_state SET next_poll_at = '2000-01-01T00:00:00+00:00'")

    def state() -> tuple:
        with sqlite3.connect(output / "_state" / "feeds.sqlite") as connection:
            return connection.execute("SELECT consecutive_failures, failure_kind, last_status, "
                                      "unixepoch(next_poll_at) - unixepoch(last_attempt_at) FROM feed_state").fetchone()

    code, summary, _ = scheduled_run()
    assert code == 1 and "content failed" in summary  # nothing but an error: exit 1, as before
    assert state() == (1, "content", 200, 120)

    code, summary, manifest = scheduled_run()
    assert code == 0 and len(http_server.requests_to("/feed.xml")) == 1  # backing off: not polled
    assert ("backing off courier" in summary and "after 1 failure (the last a 200 that gave no article): "
            "parse:not_a_feed: expected a feed, got html" in summary)
    assert [(item["reason"], item["failure_kind"]) for item in manifest["skipped_feeds"]] == [("backoff", "content")]

    backoff_runs_out()
    scheduled_run()
    assert len(http_server.requests_to("/feed.xml")) == 2 and state() == (2, "content", 200, 240)

    http_server.route("/feed.xml", Response(body=rss([ITEM_A, ITEM_C])))
    backoff_runs_out()
    code, summary, manifest = scheduled_run()
    assert code == 0 and len(articles(output)) == 2 and manifest["fetch"]["content_failed"] == 0
    assert state() == (0, None, 200, 60)
    errors = duckdb.sql(f"SELECT error_type FROM read_parquet('{output}/errors/**/*.parquet')").fetchall()
    assert errors == [("not_a_feed",)]  # the two HTML bodies: one error row (same body, same error id)


def test_a_feed_url_serving_a_page_names_the_page_and_the_feeds_it_links_to_in_the_error_row(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    # the site's redesign put its home page where the feed was; the page advertises the feed's new address
    http_server.route("/rss", Response(body=b'<!doctype html><html><head><title>Courier</title><link rel="alternate" '
                                            b'type="application/rss+xml" href="/feed/"></head><body><p>Home</p></body>'
                                            b"</html>", headers={"Content-Type": "text/html; charset=utf-8"}))
    output = tmp_path / "out"
    config = write_config(tmp_path, {"courier": http_server.url("/rss")})
    assert main(["run", "--config", str(config), "--output", str(output), "--force", "--retries", "0"]) == 1
    capsys.readouterr()
    (row,) = duckdb.sql(f"SELECT error_type, message FROM read_parquet('{output}/errors/**/*.parquet')").fetchall()
    assert row == ("not_a_feed", 'expected a feed, got html (content type text/html; charset=utf-8): a page titled '
                                 f'"Courier"; it links to the feed {http_server.url("/feed/")} (configure it as the '
                                 "feed's url)")
    assert http_server.requests_to("/feed/") == []  # named, not followed


def test_an_atom_feeds_rows_keep_its_ids_text_constructs_and_no_summary_it_did_not_give(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    # a forum's feed as Reddit writes it: ids without a scheme, a content block and no summary; and a script after
    # the root element, as a hacked host appends it
    http_server.route("/r/harbours.rss", Response(body=(
        b'<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>harbours</title>'
        b'<entry><id>t3_1b7xyz</id><title>Which tag for a paragraph?</title>'
        b'<link href="https://forum.example/r/harbours/comments/1b7xyz/"/><published>2024-03-05T09:00:00Z</published>'
        b'<content type="text">Is it &lt;p&gt; or &lt;para&gt;?\n\nAsking for the harbour newsletter.</content></entry>'
        b'<entry><id>t3_1b7xzz</id><title>Kayaks at the east quay?</title>'
        b'<link href="https://forum.example/r/harbours/comments/1b7xzz/"/><published>2024-03-05T10:00:00Z</published>'
        b'<content type="html">&lt;div class="md"&gt;&lt;p&gt;Open this winter?&lt;/p&gt;&lt;/div&gt; &amp;#32; submitted'
        b' by &amp;#32; &lt;a href="https://forum.example/user/quay_walker"&gt; /u/quay_walker &lt;/a&gt; &lt;br/&gt;'
        b' &lt;span&gt;&lt;a href="https://forum.example/r/harbours/comments/1b7xzz/"&gt;[link]&lt;/a&gt;&lt;/span&gt;'
        b' &amp;#32; &lt;span&gt;&lt;a href="https://forum.example/r/harbours/comments/1b7xzz/"&gt;[comments]&lt;/a&gt;'
        b'&lt;/span&gt;</content></entry>'
        b"</feed>\n<script>document.write('ad')</script>"), headers={"Content-Type": "application/atom+xml"}))
    output = tmp_path / "out"
    run_once(write_config(tmp_path, {"harbours": http_server.url("/r/harbours.rss")}), output, capsys)
    rows = duckdb.sql(f"SELECT guid, url, summary_text, body_text, quality_flags FROM read_parquet("
                      f"'{output}/articles/**/*.parquet') ORDER BY guid").fetchall()
    assert rows == [("t3_1b7xyz", "https://forum.example/r/harbours/comments/1b7xyz/", None,
                     "Is it <p> or <para>?\n\nAsking for the harbour newsletter.", ["text_after_root_element_removed"]),
                    # Reddit's trailer ended the body: "Open this winter? submitted by /u/quay_walker [link] [comments]"
                    ("t3_1b7xzz", "https://forum.example/r/harbours/comments/1b7xzz/", None, "Open this winter?",
                     ["text_after_root_element_removed"])]
    assert not list((output / "errors").glob("**/*.parquet"))


def test_a_run_stopped_after_fetching_keeps_no_validators_so_the_rerun_lands_the_items(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    def conditional(request):
        if request.headers.get("if-none-match") == '"v1"':
            return Response(status=304)
        return Response(body=rss([ITEM_A, ITEM_B]), headers={"ETag": '"v1"'})

    http_server.route("/feed.xml", conditional)
    config = write_config(tmp_path, {"courier": http_server.url("/feed.xml")})
    output = tmp_path / "out"
    (tmp_path / "earlier.xml").write_bytes(rss([ITEM_C]))
    assert main(["ingest", str(tmp_path / "earlier.xml"), "--output", str(output), "--shards", "2"]) == 0
    capsys.readouterr()

    # the pipeline stops after the fetch (here the shard count is refused; SIGTERM, a full disk alike)
    assert main(["run", "--config", str(config), "--output", str(output), "--shards", "3"]) == 2
    assert main(["run", "--config", str(config), "--output", str(output), "--shards", "2"]) == 0

    # the state kept the body's ETag and its next poll time: the rerun skipped the feed, then got a 304
    assert [row[1] for row in articles(output)] == [f"https://courier.example/{name}" for name in "abc"]
    assert re.search(r"skipped not due +0\n", capsys.readouterr().out)


def test_a_moved_feeds_rows_name_where_the_body_came_from_as_a_backfill_of_the_raw_zone_does(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    http_server.route("/old.xml", Response(status=301, headers={"Location": http_server.url("/new.xml")}))
    http_server.route("/new.xml", Response(body=rss([ITEM_A])))
    http_server.route("/gone.xml", Response(status=301, headers={"Location": http_server.url("/parked.html")}))
    http_server.route("/parked.html", Response(body=b"<html><body><p>This domain is for sale.</p></body></html>",
                                               headers={"Content-Type": "text/html"}))
    config = write_config(tmp_path, {"moved": http_server.url("/old.xml"), "parked": http_server.url("/gone.xml")})
    output, rebuilt = tmp_path / "out", tmp_path / "rebuilt"
    assert main(["run", "--config", str(config), "--output", str(output), "--force", "--shards", "2",
                 "--retries", "0", "--timeout", "2"]) == 0
    assert main(["backfill", str(output / "raw"), "--output", str(rebuilt), "--shards", "2", "--no-progress"]) == 0

    def rows(out: pathlib.Path) -> tuple[list[tuple], list[tuple]]:
        found = duckdb.sql(f"SELECT article_id, uri, feed_url FROM read_parquet('{out}/articles/**/*.parquet')")
        failed = duckdb.sql(f"SELECT error_id, uri, error_type FROM read_parquet('{out}/errors/**/*.parquet')")
        return found.fetchall(), failed.fetchall()

    articles_run, errors_run = rows(output)
    assert [row[1:] for row in articles_run] == [(http_server.url("/new.xml"), http_server.url("/old.xml"))]
    assert [row[1:] for row in errors_run] == [(http_server.url("/parked.html"), "not_a_feed")]
    assert rows(rebuilt) == (articles_run, errors_run)


def test_a_moved_feeds_relative_links_resolve_against_its_new_address_in_the_run_and_the_backfill(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path) -> None:
    http_server.route("/old/rss.xml", Response(status=301, headers={"Location": http_server.url("/blog/feed/rss.xml")}))
    http_server.route("/blog/feed/rss.xml", Response(body=rss([("r-1", "posts/harbour", "Harbour reopens", "Ships.")])))
    config = write_config(tmp_path, {"moved": http_server.url("/old/rss.xml")})
    output, rebuilt = tmp_path / "out", tmp_path / "rebuilt"
    assert main(["run", "--config", str(config), "--output", str(output), "--force", "--retries", "0",
                 "--timeout", "2"]) == 0
    assert main(["backfill", str(output / "raw"), "--output", str(rebuilt), "--no-progress"]) == 0
    for out in (output, rebuilt):
        found = duckdb.sql(f"SELECT url FROM read_parquet('{out}/articles/**/*.parquet')").fetchall()
        assert found == [(http_server.url("/blog/feed/posts/harbour"),)]  # not /old/posts/harbour
