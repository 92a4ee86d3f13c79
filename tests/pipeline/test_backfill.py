"""Backfill: plan, staged batches, atomic swap per partition, resume after a kill, untouched outside the range."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import json
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

import pipeline.partition_swap
from pipeline.backfill import (BackfillPlan, BackfillSettings, first_whole_publication_day, format_backfill_summary,
                               plan_batches, plan_inputs, range_held_whole, read_ledger, run_backfill, staging_root)
from pipeline.date_range import DateRange
from pipeline.directory_swap import swap_directory
from pipeline.execution import run_pipeline
from pipeline.options import RunOptions, new_run_id
from pipeline.raw_zone import record_pruned_before, store_raw
from pipeline.sources import InputFile
from tests.child_env import env_with_private_tmpdir
from tests.pipeline.archive_builders import (Item, WarcRecord, day, html_page, rss_feed, train_zstd_dictionary,
                                             warc_record_bytes, write_file, write_tar, write_warc, write_warc_zst,
                                             write_zip, zstd_dictionary_frame, zstd_frames_of)
from transforms.settings import TransformSettings

REPO = pathlib.Path(__file__).resolve().parents[2]
SITES = ("north.example", "south.example", "east.example", "west.example")
SHARDS = 4
TRANSFORMS = TransformSettings(detect_language=False)


def site_items(site: str, version: str, days: tuple[int, ...] = (1, 2, 3, 4, 5)) -> list[Item]:
    """Two items a day; ``version`` goes into the titles so a rebuilt row is recognisable."""
    return [Item(f"{site.split('.')[0]}-{number}-{hour}", day(number, hour), f"{site} story {number}/{hour} {version}")
            for number in days for hour in (9, 15)]


def write_feeds(folder: pathlib.Path, version: str, days: tuple[int, ...] = (1, 2, 3, 4, 5)) -> pathlib.Path:
    """One RSS file per site in ``folder``."""
    for site in SITES:
        write_file(folder / f"{site}.xml", rss_feed(site, site_items(site, version, days)))
    return folder


def options(output: pathlib.Path, sources: list[str], since: dt.date | None = None, until: dt.date | None = None,
            mode: str = "backfill") -> RunOptions:
    return RunOptions(mode=mode, inputs=tuple(sources), output_dir=str(output), run_id=new_run_id(),
                      transforms=TRANSFORMS, num_shards=SHARDS, date_range=DateRange(since, until))


def ingest(output: pathlib.Path, folder: pathlib.Path) -> None:
    """An ordinary run, giving the dataset a backfill then rewrites."""
    files = sorted(str(path) for path in folder.iterdir())
    run_pipeline(options(output, files, mode="ingest"), [InputFile(path=path) for path in files])


def read_rows(output: pathlib.Path) -> list[dict[str, Any]]:
    """Every article row with its partition day, sorted by id."""
    table = ds.dataset(output / "articles", format="parquet", partitioning="hive").to_table()
    return sorted(table.to_pylist(), key=lambda row: row["article_id"])


def titles_by_day(output: pathlib.Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for row in read_rows(output):
        found.setdefault(str(row["date"]), set()).add(row["title"])
    return found


def partition_files(output: pathlib.Path, date: str) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in (output / "articles" / f"date={date}").glob("*.parquet")}


# Planning ----------------------------------------------------------------------------------------------


def test_plan_lists_files_archives_and_the_raw_zone(tmp_path: pathlib.Path) -> None:
    feed = rss_feed("north.example", site_items("north.example", "v1"))
    write_file(tmp_path / "in" / "plain.xml.gz", feed)
    write_tar(tmp_path / "in" / "feeds.tar.gz", {f"{number}.xml": feed for number in range(5)})
    write_warc(tmp_path / "in" / "crawl.warc.gz", [WarcRecord("response", "https://north.example/", feed,
                                                              content_type="application/rss+xml")])
    store_raw(tmp_path / "out", "north", feed, day(3))
    settings = BackfillSettings(chunk_records=2)
    plan = plan_inputs([str(tmp_path / "in"), str(tmp_path / "out" / "raw")], str(tmp_path / "out"), DateRange(),
                       settings)
    assert [entry.get("container", "file") for entry in plan.inputs] == ["warc", "tar", "tar", "tar", "file", "raw"]
    assert plan.documents == [1, 2, 2, 1, 1, 1]
    assert len(plan.sources) == 4 and not any("body" in entry for entry in plan.inputs)


def test_the_output_directory_as_a_source_means_its_raw_zone(tmp_path: pathlib.Path) -> None:
    store_raw(tmp_path, "north", b"<rss/>", day(3))
    plan = plan_inputs([str(tmp_path)], str(tmp_path), DateRange(), BackfillSettings())
    assert [entry["container"] for entry in plan.inputs] == ["raw"]


def test_a_pruned_raw_zone_holds_publication_days_whole_from_its_cut_off_plus_the_future_skew(
        tmp_path: pathlib.Path) -> None:
    store_raw(tmp_path, "north", b"<rss/>", day(3))
    sources, skew = [str(tmp_path / "raw"), str(tmp_path / "in")], dt.timedelta(days=1)
    assert first_whole_publication_day(sources, str(tmp_path), skew) is None  # never pruned
    record_pruned_before(tmp_path / "raw", day(3).date())

    assert first_whole_publication_day(sources, str(tmp_path), skew) == day(4).date()
    assert first_whole_publication_day([str(tmp_path)], str(tmp_path), dt.timedelta(hours=36)) == day(5).date()


@pytest.mark.parametrize(("since", "until", "held"), [
    (None, None, (4, None)), (2, 6, (4, 6)), (4, None, (4, None)), (5, 5, (5, 5)), (1, 4, (4, 4)), (1, 3, None)])
def test_a_backfill_range_starts_at_the_first_whole_day_of_a_pruned_raw_zone(
        since: int | None, until: int | None, held: tuple[int, int | None] | None) -> None:
    def on(number: int | None) -> dt.date | None:
        return day(number).date() if number is not None else None

    expected = DateRange(on(held[0]), on(held[1])) if held else None
    assert range_held_whole(DateRange(on(since), on(until)), day(4).date()) == expected
    assert range_held_whole(DateRange(on(since), on(until)), None) == DateRange(on(since), on(until))


def test_batches_are_bounded_in_inputs_documents_and_bytes() -> None:
    plan = BackfillPlan(inputs=[InputFile(path=str(number)) for number in range(7)],
                        documents=[1, 1, 500, 500, 1, 1, 1], sizes_bytes=[10, 10, 10, 10, 900, 100, 10])
    settings = BackfillSettings(batch_max_inputs=3, batch_max_documents=600, batch_max_bytes=1000)
    assert plan_batches(plan, settings) == [(0, 3), (3, 5), (5, 7)]
    assert plan_batches(BackfillPlan(), settings) == []


# Rewriting partitions ----------------------------------------------------------------------------------


def test_backfill_rewrites_the_range_and_leaves_other_partitions_untouched(tmp_path: pathlib.Path) -> None:
    output = tmp_path / "out"
    ingest(output, write_feeds(tmp_path / "v1", "v1"))
    outside = {date: partition_files(output, date) for date in ("2024-05-01", "2024-05-04", "2024-05-05")}
    write_feeds(tmp_path / "v2", "v2")
    progress = io.StringIO()
    manifest = run_backfill(options(output, [str(tmp_path / "v2")], dt.date(2024, 5, 2), dt.date(2024, 5, 3)),
                            BackfillSettings(batch_max_inputs=2), progress)
    titles = titles_by_day(output)
    assert all(title.endswith("v2") for date in ("2024-05-02", "2024-05-03") for title in titles[date])
    assert all(title.endswith("v1") for date in outside for title in titles[date])
    assert {date: partition_files(output, date) for date in outside} == outside  # not a byte changed
    counts = manifest["counts"]
    assert (counts["partitions_replaced"], counts["articles_out_of_range"], counts["articles_written"]) == (2, 24, 16)
    assert manifest["article_partitions"] == ["2024-05-02", "2024-05-03"]
    assert not staging_root(str(output)).exists()
    lines = progress.getvalue().splitlines()
    assert lines[0].startswith("backfill: listed 4 sources") and "4 inputs" in lines[0]
    assert lines[1].startswith("backfill: batch 1/2") and "items/s" in lines[2] and "ETA" in lines[2]
    assert lines[3] == "backfill: swapping 2 partitions in"
    summary = format_backfill_summary(manifest)
    assert "partitions replaced" in summary and "articles outside the range" in summary
    assert json.loads((output / "_runs" / f"{manifest['run_id']}.json").read_text())["mode"] == "backfill"


def test_index_matches_the_swapped_partitions(tmp_path: pathlib.Path) -> None:
    output = tmp_path / "out"
    ingest(output, write_feeds(tmp_path / "v1", "v1"))
    write_feeds(tmp_path / "v2", "v2")
    run_backfill(options(output, [str(tmp_path / "v2")], dt.date(2024, 5, 2), dt.date(2024, 5, 3)),
                 progress_stream=None)
    files = sorted(str(path) for path in (tmp_path / "v2").iterdir())
    again = run_pipeline(options(output, files, mode="ingest"), [InputFile(path=path) for path in files])
    assert again["counts"]["articles_unchanged"] == 16  # what the backfill wrote is known to the index
    assert again["counts"]["articles_updated"] == 24  # the v2 copies of the days it did not touch
    assert len({row["article_id"] for row in read_rows(output)}) == len(read_rows(output)) == 40


def test_articles_outside_the_range_are_parsed_items_and_the_backfill_succeeds(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    """Every article falls before the range, the one error row within it: the input was read and parsed, so
    this is no "no input gave an item" failure (exit 1), and the summary counts the articles as parsed."""
    from pipeline.cli import main

    sources = write_feeds(tmp_path / "feeds", "v1")  # items of 2024-05-01..05
    write_file(sources / "empty.xml", b"")  # an error row on its mtime's day, 2024-06-01
    code = main(["backfill", str(sources), "--output", str(tmp_path / "out"), "--shards", str(SHARDS),
                 "--since", "2024-06-01", "--until", "2024-06-01", "--no-progress", "--no-language-detection"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    manifest = json.loads(next((tmp_path / "out" / "_runs").glob("*.json")).read_text())
    assert (manifest["counts"]["items_parsed"], manifest["counts"]["articles_out_of_range"],
            manifest["counts"]["errors"]) == (40, 40, 1)


def test_backfill_hands_arrow_buffers_to_the_system_allocator(tmp_path: pathlib.Path) -> None:
    """mimalloc, Arrow's default pool, kept pages of every batch (resident memory grew with the archive)."""
    previous_pool = pa.default_memory_pool()
    pa.set_memory_pool(pa.mimalloc_memory_pool())
    try:
        run_backfill(options(tmp_path / "out", [str(write_feeds(tmp_path / "feeds", "v1"))]), progress_stream=None)
        assert pa.default_memory_pool().backend_name == "system"
    finally:
        pa.set_memory_pool(previous_pool)


def test_every_kind_of_source_is_backfilled(tmp_path: pathlib.Path) -> None:
    sources = tmp_path / "sources"
    item = lambda site, number: Item(f"only-{number}", day(number), f"{site} only story {number}")  # noqa: E731
    write_file(sources / "plain.xml.gz", rss_feed("plain.example", [item("plain.example", 1)]))
    write_tar(sources / "feeds.tgz", {"a/feed.xml": rss_feed("tar.example", [item("tar.example", 2)])})
    write_zip(sources / "pages.zip", {"p.html": html_page("zip.example", item("zip.example", 3))})
    write_warc(sources / "crawl.warc.gz", [
        WarcRecord("request", "https://warc.example/news/only-4"),
        WarcRecord("response", "https://warc.example/news/only-4", html_page("warc.example", item("warc.example", 4)))])
    dictionary = train_zstd_dictionary()  # a .warc.zst as Wget-AT writes it: one frame per record, its dictionary first
    write_warc_zst(sources / "crawl.warc.zst", zstd_frames_of(warc_record_bytes([
        WarcRecord("warcinfo", "", b"software: tests", None, "application/warc-fields"),
        WarcRecord("response", "https://zst.example/news/only-6", html_page("zst.example", item("zst.example", 6)))]),
        dictionary), zstd_dictionary_frame(dictionary))
    output = tmp_path / "out"
    store_raw(output, "raw-source", rss_feed("raw.example", [item("raw.example", 5)]), day(5, 18),
              uri="https://raw.example/feed", feed_url="https://raw.example/feed")
    manifest = run_backfill(options(output, [str(sources), str(output / "raw")]), progress_stream=None)
    rows = read_rows(output)
    assert sorted(row["url"] for row in rows) == sorted(
        f"https://{site}/news/only-{number}" for number, site in
        enumerate(("plain.example", "tar.example", "zip.example", "warc.example", "raw.example", "zst.example"),
                  start=1))
    assert {str(row["date"]) for row in rows} == {f"2024-05-0{number}" for number in range(1, 7)}
    assert manifest["counts"]["records_skipped_by_reason"] == {"warc request record": 1, "warc warcinfo record": 1}
    assert next(row for row in rows if row["url"].startswith("https://raw."))["source_id"] == "raw-source"


def test_article_living_in_a_partition_not_rebuilt_keeps_its_row(tmp_path: pathlib.Path) -> None:
    output = tmp_path / "out"
    story = Item("moved", day(1), "first version")
    write_file(tmp_path / "v1" / "feed.xml", rss_feed("north.example", [story, Item("stays", day(2), "stays")]))
    ingest(output, tmp_path / "v1")
    corrected = story._replace(published_at=day(2), title="second version")  # the source moved it to May 2
    write_file(tmp_path / "v2" / "feed.xml", rss_feed("north.example", [corrected, Item("stays", day(2), "stays")]))
    manifest = run_backfill(options(output, [str(tmp_path / "v2")], dt.date(2024, 5, 2), dt.date(2024, 5, 2)),
                            progress_stream=None)
    rows = read_rows(output)
    assert [(str(row["date"]), row["title"]) for row in rows if row["url"].endswith("moved")] == [
        ("2024-05-01", "first version")]
    assert manifest["counts"]["articles_kept_elsewhere"] == 1
    assert len({row["article_id"] for row in rows}) == len(rows) == 2


# Atomicity ---------------------------------------------------------------------------------------------


def write_version(folder: pathlib.Path, version: str) -> None:
    """A partition of three files whose names and rows carry ``version``."""
    folder.mkdir(parents=True)
    for number in range(3):
        table = pa.table({"version": [version] * 50, "row": list(range(50))})
        pq.write_table(table, folder / f"part-{number:05d}-{version}.parquet")


def read_through_directory_handle(partition: pathlib.Path) -> pa.Table:
    """Read a partition as one snapshot: list and open its files relative to one directory handle."""
    directory = os.open(partition, os.O_RDONLY | os.O_DIRECTORY)
    try:
        names = sorted(name for name in os.listdir(directory) if name.endswith(".parquet"))
        tables = []
        for name in names:
            with os.fdopen(os.open(name, os.O_RDONLY, dir_fd=directory), "rb") as handle:
                tables.append(pq.read_table(handle))
        return pa.concat_tables(tables)
    finally:
        os.close(directory)


def swap_back_and_forth(live: pathlib.Path, staged: pathlib.Path, read: Any, seconds: float) -> list[Any]:
    """Swap ``staged`` and ``live`` repeatedly while another thread reads ``live``; return what it saw."""
    seen: list[Any] = []
    stop = threading.Event()

    def read_repeatedly() -> None:
        while not stop.is_set():
            try:
                seen.append(read(live))
            except (OSError, pa.ArrowInvalid):
                seen.append("failed")  # listed one version, opened after the swap: a retry reads the other

    reader = threading.Thread(target=read_repeatedly)
    reader.start()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        swap_directory(staged, live)  # the staged path holds the other version after each exchange
    stop.set()
    reader.join()
    return seen


def test_a_reader_holding_the_partition_directory_sees_all_old_or_all_new(tmp_path: pathlib.Path) -> None:
    live = tmp_path / "articles" / "date=2024-05-01"
    write_version(live, "old")
    write_version(tmp_path / "staged", "new")
    seen = swap_back_and_forth(live, tmp_path / "staged", read_through_directory_handle, 1.0)
    snapshots = [sorted(table.column("version").to_pylist()) for table in seen]
    assert len(snapshots) > 20
    assert all(rows in (["new"] * 150, ["old"] * 150) for rows in snapshots)


def test_a_reader_listing_by_path_never_mixes_two_versions(tmp_path: pathlib.Path) -> None:
    live = tmp_path / "articles" / "date=2024-05-01"
    write_version(live, "old")
    write_version(tmp_path / "staged", "new")
    seen = swap_back_and_forth(live, tmp_path / "staged", pq.read_table, 1.0)
    versions = [set(table.column("version").to_pylist()) if table.num_columns else set()
                for table in seen if isinstance(table, pa.Table)]
    assert len(versions) > 20
    # pyarrow skips a listed file that vanished before it opened it: a read may come back short or empty,
    # but the file names differ between versions, so it never holds rows of both
    assert all(len(found) <= 1 for found in versions)


def test_backfill_interrupted_while_swapping_is_finished_by_the_next_run(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = tmp_path / "out"
    ingest(output, write_feeds(tmp_path / "v1", "v1"))
    write_feeds(tmp_path / "v2", "v2")
    calls = []

    def swap_then_die(staged: pathlib.Path, live: pathlib.Path) -> pathlib.Path | None:
        if len(calls) == 2:
            raise KeyboardInterrupt("killed in the middle of the swap")
        calls.append(live)
        return swap_directory(staged, live)

    monkeypatch.setattr(pipeline.partition_swap, "swap_directory", swap_then_die)
    command = options(output, [str(tmp_path / "v2")])
    with pytest.raises(KeyboardInterrupt):
        run_backfill(command, progress_stream=None)
    titles = titles_by_day(output)
    versions = {date: {title.rsplit(" ", 1)[1] for title in found} for date, found in titles.items()}
    assert sorted(versions.values(), key=sorted) == [{"v1"}] * 3 + [{"v2"}] * 2  # each partition whole
    (staging,) = staging_root(str(output)).iterdir()
    assert read_ledger(staging)["state"] == "swapping"
    monkeypatch.undo()
    manifest = run_backfill(dataclasses.replace(command, run_id=new_run_id()), progress_stream=None)
    assert all(title.endswith("v2") for found in titles_by_day(output).values() for title in found)
    assert manifest["run_id"] == staging.name and not staging.exists()


def test_rerun_resumes_after_the_last_finished_batch(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = tmp_path / "out"
    write_feeds(tmp_path / "v2", "v2")
    settings = BackfillSettings(batch_max_inputs=1)
    command = options(output, [str(tmp_path / "v2")])
    real_run = run_pipeline
    batches_run = []

    def run_then_die(batch_options: RunOptions, inputs: list[InputFile], **kwargs: Any) -> dict[str, Any]:
        if len(batches_run) == 2:
            raise KeyboardInterrupt("killed during batch 3")
        batches_run.append(inputs)
        return real_run(batch_options, inputs, **kwargs)

    monkeypatch.setattr("pipeline.execution.run_pipeline", run_then_die)
    with pytest.raises(KeyboardInterrupt):
        run_backfill(command, settings, progress_stream=None)
    assert not (output / "articles").exists()  # nothing swapped in yet
    monkeypatch.undo()
    progress = io.StringIO()
    manifest = run_backfill(dataclasses.replace(command, run_id=new_run_id()), settings, progress)
    lines = progress.getvalue().splitlines()
    assert lines[1].startswith("backfill: resuming") and lines[2].startswith("backfill: batch 3/4")
    assert manifest["counts"]["articles_written"] == 40 and len(read_rows(output)) == 40


def test_a_different_backfill_discards_an_interrupted_staging(tmp_path: pathlib.Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    output = tmp_path / "out"
    write_feeds(tmp_path / "v2", "v2")

    def die(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("pipeline.execution.run_pipeline", die)
    with pytest.raises(KeyboardInterrupt):
        run_backfill(options(output, [str(tmp_path / "v2")]), progress_stream=None)
    monkeypatch.undo()
    (stale,) = staging_root(str(output)).iterdir()
    run_backfill(options(output, [str(tmp_path / "v2")], dt.date(2024, 5, 1), dt.date(2024, 5, 1)),
                 progress_stream=None)
    assert not stale.exists() and set(titles_by_day(output)) == {"2024-05-01"}


# The real command, killed ------------------------------------------------------------------------------


def cli_has_backfill() -> bool:
    """True once pipeline/cli.py registers the command (the lead wires the subcommands)."""
    from pipeline.cli import build_parser

    try:
        with contextlib.redirect_stderr(io.StringIO()):
            build_parser().parse_args(["backfill", "x", "--output", "y"])
    except SystemExit:
        return False
    return True


@pytest.mark.skipif(not cli_has_backfill(), reason="backfill is not registered in pipeline/cli.py yet")
def test_sigkill_midway_keeps_the_complete_old_dataset_and_the_rerun_completes_it(tmp_path: pathlib.Path) -> None:
    output = tmp_path / "out"
    ingest(output, write_feeds(tmp_path / "v1", "v1"))
    old_rows = read_rows(output)
    write_feeds(tmp_path / "v2", "v2")
    command = [sys.executable, "-m", "pipeline.cli", "backfill", str(tmp_path / "v2"), "--output", str(output),
               "--shards", str(SHARDS), "--no-language-detection", "--batch-inputs", "1"]
    env = env_with_private_tmpdir(tmp_path / "tmp")  # Beam's temporary directory, which a killed run leaves
    process = subprocess.Popen(command, cwd=REPO, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               text=True)
    for line in process.stderr:
        if line.startswith("backfill: batch 1/"):
            os.kill(process.pid, signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert read_rows(output) == old_rows  # the complete old dataset, not a row changed
    (staging,) = staging_root(str(output)).iterdir()
    assert 1 <= read_ledger(staging)["batches_done"] < 4
    rerun = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert "backfill: batch 1/" not in rerun.stderr  # resumed, not started over
    assert "partitions replaced" in rerun.stdout
    new_rows = read_rows(output)
    assert len(new_rows) == len(old_rows) and all(row["title"].endswith("v2") for row in new_rows)
    assert not staging_root(str(output)).exists()


def test_raw_zone_backfill_keeps_the_full_text_of_the_original_run(http_server: Any, tmp_path: pathlib.Path,
                                                                   capsys: pytest.CaptureFixture) -> None:
    import duckdb

    from pipeline.cli import main
    from tests.http_server import Response
    from tests.pipeline.test_full_text_run import page, serve_teaser_feed, write_config

    links = serve_teaser_feed(http_server)
    http_server.route("/front-page", page("article_full"))  # a configured feed URL that serves an HTML page
    config = write_config(tmp_path, {"courier": http_server.url("/feed.xml"), "front": http_server.url("/front-page")},
                          full_text={"courier"})
    original, rebuilt = tmp_path / "original", tmp_path / "rebuilt"
    assert main(["run", "--config", str(config), "--output", str(original), "--shards", "2", "--retries", "0",
                 "--allow-private-addresses", "--page-rate", "50"]) == 0
    http_server.stop()  # the rebuild reads the raw zone alone

    assert main(["backfill", str(original / "raw"), "--output", str(rebuilt), "--shards", "2", "--no-progress"]) == 0

    def table(output: pathlib.Path, dataset: str, columns: str) -> list[tuple]:
        return duckdb.sql(f"SELECT {columns} FROM read_parquet('{output}/{dataset}/**/*.parquet', "
                          "hive_partitioning=true) ORDER BY ALL").fetchall()

    articles = table(original, "articles", "* EXCLUDE (pipeline_version)")
    assert table(rebuilt, "articles", "* EXCLUDE (pipeline_version)") == articles
    assert sorted(row[0] for row in table(rebuilt, "articles", "body_status")) == [
        "full", "full", "paywalled", "teaser_only"]
    errors = "stage, error_type, source_id, raw_sha256"
    assert table(rebuilt, "errors", errors) == table(original, "errors", errors) == [
        ("parse", "not_a_feed", "front", table(original, "errors", "raw_sha256")[0][0])]
    capsys.readouterr()
