"""The ``newsbeam`` command line: exit codes, the summary table, runner names, and ``./run_local.sh``."""

from __future__ import annotations

import errno
import importlib.metadata
import logging
import os
import pathlib
import subprocess
import sys

import duckdb
import pytest

from pipeline.cli import build_parser, is_disk_full, main, not_beam_report_of_disk_full, run_options_from
from pipeline.options import DASK_RUNNER, resolve_runner
from schemas.article import ARTICLE_SCHEMA_VERSION
from schemas.error import ERROR_SCHEMA_VERSION
from tests.pipeline.archive_builders import (Item, WarcRecord, day, html_page, rss_feed, write_file, write_tar,
                                             write_warc)

REPO = pathlib.Path(__file__).resolve().parents[2]
BROKEN = REPO / "examples" / "sample" / "broken"
GOOD_FEED = REPO / "examples" / "sample" / "feeds" / "caspian-courier-atom.txt"


def test_nothing_processable_exits_1_with_the_errors_written(tmp_path: pathlib.Path) -> None:
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    assert main(["ingest", str(empty), "--output", str(tmp_path / "out")]) == 1
    assert list((tmp_path / "out" / "errors").glob("date=*/*.parquet"))


def test_errors_alone_do_not_fail_a_run_unless_asked(tmp_path: pathlib.Path) -> None:
    inputs = [str(GOOD_FEED), str(BROKEN / "empty.xml")]
    assert main(["ingest", *inputs, "--output", str(tmp_path / "a")]) == 0
    assert main(["ingest", *inputs, "--output", str(tmp_path / "b"), "--fail-on-error"]) == 1


def test_no_input_files_is_a_clear_failure(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["ingest", str(tmp_path / "missing"), "--output", str(tmp_path / "out")]) == 1
    assert "no input files" in capsys.readouterr().err


def test_the_summary_table_names_every_count(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["ingest", str(GOOD_FEED), str(BROKEN / "random.bin"), "--output", str(tmp_path / "out")]) == 0
    summary = capsys.readouterr().out
    for label in ("inputs read", "articles written", "partitions written", "errors (dead letter)",
                  "parse:binary_content", "elapsed", "items/second"):
        assert label in summary


def test_a_page_failing_in_two_web_archives_is_two_error_rows_as_the_summary_counts(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    not_an_article = b"<html><head><title>Home</title></head><body><p>Welcome.</p></body></html>"
    crawls = tmp_path / "crawls"
    crawls.mkdir()
    for name in ("monday.warc.gz", "tuesday.warc.gz"):  # the same page, the same bytes, in two crawls
        write_warc(crawls / name, [WarcRecord("response", "https://home.example/", not_an_article)])
    output = tmp_path / "out"

    assert main(["ingest", str(crawls), "--output", str(output)]) == 1  # nothing but errors

    rows = duckdb.sql(f"SELECT raw_path FROM read_parquet('{output}/errors/**/*.parquet') ORDER BY raw_path").fetchall()
    assert rows == [(f"{crawls}/monday.warc.gz#0",), (f"{crawls}/tuesday.warc.gz#0",)]
    summary = capsys.readouterr().out
    assert "errors (dead letter)           2" in summary and "parse:not_an_article         2" in summary


def test_a_full_disk_is_known_through_beams_reraise_and_its_log_of_it_is_left_to_the_one_line_message() -> None:
    def record(name: str, message: str) -> logging.LogRecord:
        return logging.LogRecord(name, logging.ERROR, __file__, 1, message, None, None)

    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as exc:
            raise RuntimeError(f"worker failed: {exc}") from None  # as Beam re-raises it: the text alone
    except RuntimeError as reraised:
        assert is_disk_full(reraised)
    assert is_disk_full(OSError(errno.EDQUOT, "Disk quota exceeded"))
    assert not is_disk_full(OSError(errno.EACCES, "Permission denied"))
    full = "OSError: [Errno 28] No space left on device: '/out/articles/.tmp-part'"
    assert not not_beam_report_of_disk_full(record("apache_beam.runners.worker.sdk_worker", full))
    assert not_beam_report_of_disk_full(record("apache_beam.runners.worker.sdk_worker", "another worker error"))
    assert not_beam_report_of_disk_full(record("newsbeam", full))


def test_version_names_the_package_and_the_schemas_it_writes(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    printed = capsys.readouterr().out.strip()
    assert printed == (f"newsbeam {importlib.metadata.version('newsbeam')} (articles schema "
                       f"{ARTICLE_SCHEMA_VERSION}, errors schema {ERROR_SCHEMA_VERSION})")


def test_short_runner_names_map_to_beam_class_paths() -> None:
    assert resolve_runner("DaskRunner") == DASK_RUNNER
    assert resolve_runner("DataflowRunner") == "DataflowRunner"


def test_the_gazetteer_cache_is_kept_under_the_output_unless_told(tmp_path: pathlib.Path) -> None:
    def cache_dir(*extra: str) -> str | None:
        args, beam_args = build_parser().parse_known_args(["ingest", "x.xml", "--output", str(tmp_path / "out"), *extra])
        return run_options_from(args, "ingest", args.paths, beam_args).transforms.cache_dir

    assert cache_dir() == str(tmp_path / "out" / "_state" / "cache")
    assert cache_dir("--cache-dir", str(tmp_path / "shared")) == str(tmp_path / "shared")


def test_run_local_runs_the_sample_job(tmp_path: pathlib.Path) -> None:
    result = subprocess.run(["./run_local.sh", "run", "--output", str(tmp_path / "out")], cwd=REPO,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "articles written" in result.stdout
    assert list((tmp_path / "out" / "articles").glob("date=2023-09-21/*.parquet"))
    assert list((tmp_path / "out" / "_state" / "cache").glob("gazetteer-*.json"))  # the next run reads it


def test_ingest_reads_archives_record_by_record_whatever_their_name(tmp_path: pathlib.Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    write_warc(drop / "crawl.warc.gz", [
        WarcRecord("request", "https://warc.example/news/w1"),
        WarcRecord("response", "https://warc.example/news/w1", html_page("warc.example", Item("w1", day(4), "W one")))])
    write_warc(drop / "crawl.warc.gz.bad", [  # named as warcio names its test files: still a crawl
        WarcRecord("response", "https://warc.example/news/w2", html_page("warc.example", Item("w2", day(5), "W two")))])
    write_tar(drop / "feeds.tgz", {"a/feed.xml": rss_feed("tar.example", [Item("t1", day(6), "T one")])})
    write_file(drop / "feed.xml", rss_feed("plain.example", [Item("p1", day(7), "P one")]))
    output = tmp_path / "out"

    assert main(["ingest", str(drop), "--output", str(output), "--shards", "2"]) == 0

    pattern = f"{output}/articles/**/*.parquet"
    rows = duckdb.sql(f"SELECT url, title FROM read_parquet('{pattern}', hive_partitioning = true) ORDER BY url").fetchall()
    assert rows == [("https://plain.example/news/p1", "P one"), ("https://tar.example/news/t1", "T one"),
                    ("https://warc.example/news/w1", "W one"), ("https://warc.example/news/w2", "W two")]
    assert not list((output / "errors").glob("date=*/*.parquet"))
    summary = capsys.readouterr().out
    assert "archive records skipped (not documents)  1" in summary and "warc request record" in summary


def test_publishers_of_aggregated_items_and_pages_reach_the_parquet_rows(tmp_path: pathlib.Path) -> None:
    inputs = tmp_path / "in"
    aggregator = rss_feed("news.aggregator.example", [Item("strike", day(3), "Strike ends - Example Times"),
                                                      Item("rain", day(4), "Rain all week")])
    aggregator = aggregator.replace(b"</guid>", b'</guid><source url="https://www.example-times.com">'
                                                b"Example Times</source>", 1)
    page = html_page("courier.example", Item("cranes", day(5), "Cranes arrive"))
    page = page.replace(b"</head>", b'<meta property="og:site_name" content="Caspian Courier"></head>')
    write_file(inputs / "aggregator.xml", aggregator)
    write_file(inputs / "cranes.html", page)

    assert main(["ingest", str(inputs), "--output", str(tmp_path / "out")]) == 0

    rows = duckdb.sql(f"SELECT url, title, publisher, publisher_url FROM read_parquet('{tmp_path}/out/articles/**/"
                      "*.parquet') ORDER BY url").fetchall()
    assert rows == [
        ("https://courier.example/news/cranes", "Cranes arrive", "Caspian Courier", None),
        ("https://news.aggregator.example/news/rain", "Rain all week", None, None),
        ("https://news.aggregator.example/news/strike", "Strike ends", "Example Times", "https://www.example-times.com"),
    ]


def test_a_listing_page_in_a_drop_folder_is_an_error_row_beside_the_article(tmp_path: pathlib.Path) -> None:
    listing = REPO / "tests" / "fixtures" / "listing"
    drop = tmp_path / "drop"
    write_file(drop / "front.html", (listing / "news_home.html").read_bytes())
    write_file(drop / "otters.html", (listing / "article_with_related.html").read_bytes())
    output = tmp_path / "out"

    assert main(["ingest", str(drop), "--output", str(output)]) == 0

    articles = duckdb.sql(f"SELECT url, title FROM read_parquet('{output}/articles/**/*.parquet')").fetchall()
    assert articles == [("https://courier.example/news/2024/03/12/otters-return-to-wend",
                         "Otters spotted on the Wend for the first time in decades")]
    errors = duckdb.sql("SELECT stage, error_type, raw_path, message "
                        f"FROM read_parquet('{output}/errors/**/*.parquet')").fetchall()
    assert [row[:3] for row in errors] == [("parse", "not_an_article", str(drop / "front.html"))]
    assert errors[0][3].startswith("looks like a listing/index page with 16 teaser items")
