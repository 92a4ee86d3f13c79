"""``newsbeam stream``: windows over a drop directory and live feeds, restarts, signals, back-pressure."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time

import duckdb
import pyarrow as pa
import pytest

from pipeline.cli import main
from pipeline.http_fetch import FetchSettings
from pipeline.options import RunOptions
from pipeline.stream_ledger import StreamLedger
from pipeline.streaming import StreamSettings, parse_duration_s, run_stream
from tests.feed_factory import numbered_items, rss
from tests.pipeline.archive_builders import Item, WarcRecord, day, html_page, write_warc
from tests.http_server import LocalHTTPServer, RecordedRequest, Response

REPO = pathlib.Path(__file__).resolve().parents[2]


def drop(directory: pathlib.Path, name: str, body: bytes) -> None:
    """Drop a file the way writers should: temporary name, then rename; backdated so it is settled."""
    temp = directory / f"{name}.tmp"
    temp.write_bytes(body)
    os.utime(temp, (time.time() - 60, time.time() - 60))
    temp.rename(directory / name)


def urls(output: pathlib.Path) -> list[str]:
    return [row[0] for row in duckdb.sql(
        f"SELECT canonical_url FROM read_parquet('{output}/articles/**/*.parquet') ORDER BY 1").fetchall()]


def stream_options(output: pathlib.Path, run_id: str = "stream-test") -> RunOptions:
    return RunOptions(mode="stream", inputs=(), output_dir=str(output), run_id=run_id, num_shards=2)


def test_dropped_files_are_ingested_exactly_once_across_restarts(tmp_path: pathlib.Path) -> None:
    drop_dir, output = tmp_path / "drop", tmp_path / "out"
    drop_dir.mkdir()
    drop(drop_dir, "one.xml", rss(numbered_items(3, "one")))
    settings = StreamSettings(window_s=0.2, stop_after_s=0.5, drop_dir=str(drop_dir))
    first = run_stream(stream_options(output, "s1"), [], FetchSettings(), settings, threading.Event())
    assert first["counts"]["inputs_read"] == 1 and len(urls(output)) == 3

    drop(drop_dir, "two.xml", rss(numbered_items(2, "two")))
    (drop_dir / "three.xml.tmp").write_bytes(rss(numbered_items(5, "three")))  # still being written
    second = run_stream(stream_options(output, "s2"), [], FetchSettings(), settings, threading.Event())
    assert second["counts"]["inputs_read"] == 1  # one.xml is in the ledger: not read again
    assert len(urls(output)) == 5
    manifest = json.loads((output / "_runs" / "s2.json").read_text())
    assert manifest["windows"] and "lag_s" in manifest["windows"][0]


def test_a_dropped_file_moved_away_leaves_the_ledger_and_put_back_writes_no_duplicate(tmp_path: pathlib.Path) -> None:
    drop_dir, output, elsewhere = tmp_path / "drop", tmp_path / "out", tmp_path / "done"
    drop_dir.mkdir()
    elsewhere.mkdir()
    drop(drop_dir, "one.xml", rss(numbered_items(3, "one")))
    drop(drop_dir, "two.xml", rss(numbered_items(2, "two")))
    settings = StreamSettings(window_s=0.2, stop_after_s=0.5, drop_dir=str(drop_dir))
    run_stream(stream_options(output, "s1"), [], FetchSettings(), settings, threading.Event())

    def ledger_keys() -> list[str]:
        ledger = StreamLedger(output)
        try:
            return [key for (key,) in ledger.connection.execute("SELECT key FROM inputs ORDER BY key")]
        finally:
            ledger.close()

    assert [key.split(":")[1].rsplit("/", 1)[1] for key in ledger_keys()] == ["one.xml", "two.xml"]
    (drop_dir / "one.xml").rename(elsewhere / "one.xml")  # the usual clean-up of a drop directory
    second = run_stream(stream_options(output, "s2"), [], FetchSettings(), settings, threading.Event())
    assert second["counts"]["inputs_read"] == 0
    assert [key.split(":")[1].rsplit("/", 1)[1] for key in ledger_keys()] == ["two.xml"]

    (elsewhere / "one.xml").rename(drop_dir / "one.xml")  # put back: read again, the same rows
    third = run_stream(stream_options(output, "s3"), [], FetchSettings(), settings, threading.Event())
    assert third["counts"]["inputs_read"] == 1 and third["counts"]["articles_unchanged"] == 3
    assert len(urls(output)) == 5


def test_the_stream_manifest_records_its_options_and_version_as_other_runs_do(tmp_path: pathlib.Path) -> None:
    drop_dir, output = tmp_path / "drop", tmp_path / "out"
    drop_dir.mkdir()
    settings = StreamSettings(window_s=0.2, stop_after_s=0.3, drop_dir=str(drop_dir))
    run_stream(stream_options(output, "s1"), [], FetchSettings(), settings, threading.Event())
    manifest = json.loads((output / "_runs" / "s1.json").read_text())
    assert manifest["options"]["num_shards"] == 2 and manifest["options"]["mode"] == "stream"
    assert manifest["pipeline_version"]


def test_a_stream_hands_arrow_buffers_to_the_system_allocator(tmp_path: pathlib.Path) -> None:
    """mimalloc kept freed pages of every window: a stream's memory grew with its windows."""
    previous_pool = pa.default_memory_pool()
    pa.set_memory_pool(pa.mimalloc_memory_pool())
    try:
        settings = StreamSettings(window_s=0.2, stop_after_s=0.2, drop_dir=str(tmp_path))
        run_stream(stream_options(tmp_path / "out"), [], FetchSettings(), settings, threading.Event())
        assert pa.default_memory_pool().backend_name == "system"
    finally:
        pa.set_memory_pool(previous_pool)


def test_a_dropped_archive_is_read_record_by_record_once(tmp_path: pathlib.Path) -> None:
    drop_dir, output, staging = tmp_path / "drop", tmp_path / "out", tmp_path / "staging"
    drop_dir.mkdir()
    staging.mkdir()
    pages = [WarcRecord("response", f"https://warc.example/news/w{number}",
                        html_page("warc.example", Item(f"w{number}", day(number + 1), f"Crawled {number}")))
             for number in range(5)]
    write_warc(staging / "crawl.warc.gz", [WarcRecord("request", "https://warc.example/news/w0"), *pages])
    os.utime(staging / "crawl.warc.gz", (time.time() - 60, time.time() - 60))
    (staging / "crawl.warc.gz").rename(drop_dir / "crawl.warc.gz")
    settings = StreamSettings(window_s=0.2, stop_after_s=0.5, drop_dir=str(drop_dir))

    first = run_stream(stream_options(output, "s1"), [], FetchSettings(), settings, threading.Event())
    second = run_stream(stream_options(output, "s2"), [], FetchSettings(), settings, threading.Event())

    assert urls(output) == [f"https://warc.example/news/w{number}" for number in range(5)]
    assert first["counts"]["errors"] == 0 and second["counts"]["inputs_read"] == 0  # listed once, read once


def test_a_backlog_is_worked_off_in_bounded_batches(tmp_path: pathlib.Path) -> None:
    drop_dir, output = tmp_path / "drop", tmp_path / "out"
    drop_dir.mkdir()
    for number in range(60):
        drop(drop_dir, f"f{number:03d}.xml", rss(numbered_items(1, f"f{number}")))
    settings = StreamSettings(window_s=5, stop_after_s=60, drop_dir=str(drop_dir), max_inputs_per_window=25)
    stop = threading.Event()
    original = StreamLedger.mark_done

    def stop_when_empty(self: StreamLedger, keys: list[str], now) -> None:
        original(self, keys, now)
        if self.pending_count() == 0:
            stop.set()

    StreamLedger.mark_done = stop_when_empty
    try:
        manifest = run_stream(stream_options(output), [], FetchSettings(), settings, stop)
    finally:
        StreamLedger.mark_done = original
    assert [window["inputs"] for window in manifest["windows"]] == [25, 25, 10]
    assert len(urls(output)) == 60


def test_feeds_are_polled_per_window(http_server: LocalHTTPServer, tmp_path: pathlib.Path) -> None:
    from pipeline.feed_config import FeedConfig

    http_server.route("/feed.xml", Response(body=rss(numbered_items(4)), headers={"ETag": '"v1"'}))
    feeds = [FeedConfig(source_id="courier", url=http_server.url("/feed.xml"), poll_interval_s=60)]
    output = tmp_path / "out"
    settings = StreamSettings(window_s=0.5, stop_after_s=8)  # the first window runs the pipeline; later ones poll
    manifest = run_stream(stream_options(output), feeds, FetchSettings(max_retries=0), settings, threading.Event())
    assert manifest["fetch"]["fetched"] == 1 and manifest["fetch"]["skipped_not_due"] >= 1
    assert [(item["source_id"], item["reason"]) for item in manifest["skipped_feeds"]] == [("courier", "not_due")]
    assert len(urls(output)) == 4


def test_the_ledger_keeps_fetched_bodies_and_failures_only_for_their_day(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stream polls for days: its ledger kept an entry for every body fetched and every failure, for ever
    (about 1 KB each; measured with ``benchmarks/stream_soak.py``). A body's key names its fetch day, a
    failure's its poll's time: once their day is over they can never be queued again."""
    from pipeline import streaming
    from pipeline.feed_config import FeedConfig

    polls = itertools.count()

    def new_body_each_poll_and_every_third_a_failure(request: RecordedRequest) -> Response:
        number = next(polls)
        return Response(status=404) if number % 3 == 2 else Response(body=rss(numbered_items(1, f"p{number}")))

    http_server.route("/feed.xml", new_body_each_poll_and_every_third_a_failure)
    feeds = [FeedConfig(source_id="courier", url=http_server.url("/feed.xml"), poll_interval_s=60)]
    clock = [dt.datetime(2026, 1, 1, 8, tzinfo=dt.timezone.utc)]
    stop = threading.Event()

    def three_hours_later() -> dt.datetime:  # every window polls the feed again; the stream runs into a third day
        clock[0] += dt.timedelta(hours=3)
        if clock[0] >= dt.datetime(2026, 1, 3, 12, tzinfo=dt.timezone.utc):
            stop.set()
        return clock[0]

    monkeypatch.setattr(streaming, "utc_now", three_hours_later)
    output = tmp_path / "out"
    settings = StreamSettings(window_s=0.01, stop_after_s=120)
    run_stream(stream_options(output), feeds, FetchSettings(max_retries=0), settings, stop)

    served = len(http_server.requests_to("/feed.xml"))
    ledger = StreamLedger(output)
    entries = ledger.connection.execute("SELECT key, status, queued_at FROM inputs").fetchall()
    ledger.close()
    assert served >= 6 and len(entries) < served
    assert {status for _, status, _ in entries} == {"done"}
    assert {queued_at[:10] for _, _, queued_at in entries} == {"2026-01-03"}  # the earlier days' are forgotten
    assert len(urls(output)) == served - served // 3  # every body's item was written all the same


def test_sigterm_stops_cleanly_and_the_next_start_completes(http_server: LocalHTTPServer, tmp_path: pathlib.Path
                                                            ) -> None:
    items = numbered_items(30)
    http_server.route("/feed.xml", Response(body=rss(items)))
    config = tmp_path / "feeds.toml"
    config.write_text(f'[[feed]]\nid = "courier"\nurl = "{http_server.url("/feed.xml")}"\npoll_interval_s = 60\n')
    drop_dir, output = tmp_path / "drop", tmp_path / "out"
    drop_dir.mkdir()
    for number in range(40):
        drop(drop_dir, f"d{number:02d}.xml", rss(numbered_items(1, f"d{number}")))
    command = [sys.executable, "-m", "pipeline.cli", "stream", "--config", str(config), "--drop-dir", str(drop_dir),
               "--output", str(output), "--window", "1s", "--max-inputs-per-window", "10", "--shards", "2"]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not (output / "_runs").exists() and time.monotonic() < deadline:
        time.sleep(0.1)  # the first window has been written
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert b"SIGTERM" in stderr
    # a service's windows are logged at INFO, its default level: a WARNING would trip alerts on every window
    assert b"INFO newsbeam.stream: window 1: inputs" in stderr and b"WARNING newsbeam.stream" not in stderr

    written = set(urls(output))
    ledger = StreamLedger(output)
    pending = ledger.pending(1000)
    ledger.close()
    pending_paths = {descriptor["path"] for _, descriptor in pending}
    for number in range(40):  # every dropped file: written, or pending in the ledger
        assert (f"https://courier.example/d{number}/0" in written) or (str(drop_dir / f"d{number:02d}.xml")
                                                                    in pending_paths)
    fetched = all(f"https://courier.example/n/{n}" in written for n in range(30))
    assert fetched or any(path.endswith(".gz") and os.path.exists(path) for path in pending_paths)

    assert main(["stream", "--config", str(config), "--drop-dir", str(drop_dir), "--output", str(output),
                 "--window", "0.2s", "--stop-after", "5s", "--shards", "2"]) == 0
    assert len(urls(output)) == 70


def test_stream_run_and_ingest_write_the_same_rows(http_server: LocalHTTPServer, tmp_path: pathlib.Path) -> None:
    body = rss(numbered_items(12) + [("x", "https://courier.example/x?utm_source=a#top", "Tbilisi &amp;amp; Baku",
                                      "<p>Trains<img src='https://t.example/p.gif' width='1' height='1'></p>")])
    http_server.route("/feed.xml", Response(body=body))
    files = tmp_path / "files"
    files.mkdir()
    (files / "feed.xml").write_bytes(body)
    config = tmp_path / "feeds.toml"
    config.write_text(f'[[feed]]\nid = "courier.example"\nurl = "{http_server.url("/feed.xml")}"\n')
    common = ["--shards", "2"]
    assert main(["ingest", str(files), "--output", str(tmp_path / "ingest"), *common]) == 0
    assert main(["run", "--config", str(config), "--output", str(tmp_path / "run"), *common]) == 0
    drop_dir = tmp_path / "drop"
    drop_dir.mkdir()
    drop(drop_dir, "feed.xml", body)
    assert main(["stream", "--drop-dir", str(drop_dir), "--output", str(tmp_path / "stream"), "--window", "0.2s",
                 "--stop-after", "0.5s", *common]) == 0
    ignored = {"fetched_at", "raw_path", "uri", "feed_url", "pipeline_version"}
    tables = []
    for mode in ("ingest", "run", "stream"):
        relation = duckdb.sql(f"SELECT * FROM read_parquet('{tmp_path / mode}/articles/**/*.parquet', "
                              "hive_partitioning=true) ORDER BY article_id")
        columns = [name for name in relation.columns if name not in ignored]
        tables.append(relation.select(", ".join(columns)).fetchall())
    assert len(tables[0]) == 13 and tables[0] == tables[1] == tables[2]


def test_durations_accept_units() -> None:
    assert [parse_duration_s(text) for text in ("90", "90s", "10m", "2h", "1d")] == [90, 90, 600, 7200, 86400]
    with pytest.raises(ValueError):
        parse_duration_s("soon")


def test_stream_fetches_full_text_pages_as_run_does(http_server: LocalHTTPServer, tmp_path: pathlib.Path) -> None:
    from tests.pipeline.test_full_text_run import serve_teaser_feed, write_config

    links = serve_teaser_feed(http_server)
    config = write_config(tmp_path, {"courier": http_server.url("/feed.xml")}, full_text={"courier"})
    common = ["--config", str(config), "--shards", "2", "--retries", "0", "--allow-private-addresses",
              "--page-rate", "50"]

    assert main(["run", "--output", str(tmp_path / "run"), *common]) == 0
    assert main(["stream", "--output", str(tmp_path / "stream"), "--window", "0.2s", "--stop-after", "0.5s",
                 *common]) == 0

    ignored = {"fetched_at", "raw_path", "pipeline_version"}
    tables = {}
    for mode in ("run", "stream"):
        relation = duckdb.sql(f"SELECT * FROM read_parquet('{tmp_path / mode}/articles/**/*.parquet', "
                              "hive_partitioning=true) ORDER BY article_id")
        tables[mode] = relation.select(", ".join(name for name in relation.columns if name not in ignored)).fetchall()
    assert tables["stream"] == tables["run"]
    statuses = duckdb.sql(f"SELECT url, body_status FROM read_parquet('{tmp_path / 'stream'}/articles/**/*.parquet')"
                          ).fetchall()
    assert dict(statuses) == {links[0]: "full", links[1]: "paywalled", links[2]: "full", links[3]: "teaser_only"}
    manifest = json.loads(next((tmp_path / "stream" / "_runs").glob("*.json")).read_text())
    assert manifest["pages"]["fetched"] == 3 and manifest["pages"]["failed"] == 1
    assert manifest["counts"]["body_status"] == {"full": 2, "paywalled": 1, "teaser_only": 1}
    assert len(http_server.requests_to("/articles/full")) == 2  # once per output: each keeps its own ledger
