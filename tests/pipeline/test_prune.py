"""``newsbeam prune``: raw-zone retention, through the real CLI, on raw zones written by the real ``store_raw``.

The raw zone's days are the UTC days of the fetches, and ``prune`` counts from the real clock: the tests store
bodies with fetch times some days before now, as a job running for weeks would have.
"""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import re
import shutil

import duckdb
import pytest

from pipeline.backfill import BackfillSettings, plan_inputs
from pipeline.cli import main
from pipeline.date_range import DateRange
from pipeline.locking import output_lock
from pipeline.page_fetch import fetch_pages
from pipeline.prune import LEFTOVER_PREFIX
from pipeline.raw_zone import PAGE_ZONE, PRUNED_MARKER_NAME, iter_raw, pages_sidecar_path, store_raw
from pipeline.scheduled_run import input_for_raw
from pipeline.stream_ledger import StreamLedger
from tests.feed_factory import rss
from tests.http_server import LocalHTTPServer, RecordedRequest, Response
from tests.pipeline.test_page_fetch import FAST, items, page_requests, serve_pages
from tests.pipeline.test_scheduled_run import run_once, write_config
from transforms.records import RawDocument

DAYS_BACK = (0, 1, 2, 5, 9)  # the fetch days of the raw zone, counted back from today
SOURCES = ("north", "south")


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def days_ago(days: int, hour: int = 9) -> dt.datetime:
    """A fetch time ``days`` UTC days before today."""
    return (now_utc() - dt.timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def build_raw_zone(output: pathlib.Path) -> None:
    """Two feeds fetched on each day of ``DAYS_BACK``, and one full-text page a day in the pages zone."""
    for back in DAYS_BACK:
        for source in SOURCES:
            url = f"https://{source}.example/feed.xml"
            store_raw(output, source, rss([(f"{source}-{back}", f"https://{source}.example/{back}", "T", "D")]),
                      days_ago(back), uri=url, feed_url=url)
        store_raw(output, "north", f"<html><p>page {back}</p></html>".encode(), days_ago(back),
                  uri=f"https://north.example/{back}", zone=PAGE_ZONE)


def day_names(zone: pathlib.Path) -> list[str]:
    return sorted(path.name for path in zone.glob("date=*"))


def expected_days(*backs: int) -> list[str]:
    return sorted(f"date={days_ago(back).date()}" for back in backs)


def snapshot(output: pathlib.Path) -> dict[str, tuple[int, int]]:
    """Every file (but the lock, which each locking command stamps) with its size and modification time."""
    return {str(path.relative_to(output)): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in sorted(output.rglob("*")) if path.is_file() and path.name != "run.lock"}


def summary_rows(text: str) -> dict[str, str]:
    """The rows of an aligned summary table, label -> value (the last row of a label wins)."""
    return dict(re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in text.splitlines() if "  " in line.strip())


def other_data(output: pathlib.Path) -> None:
    """What a raw zone lives beside: datasets, state, manifests (their content does not matter here)."""
    for relative in ("articles/date=2020-01-01/part-00000.parquet", "errors/date=2020-01-01/part-00000.parquet",
                     "_state/feeds.sqlite", "_runs/20200101T000000Z-abcdef.json"):
        (output / relative).parent.mkdir(parents=True, exist_ok=True)
        (output / relative).write_bytes(b"kept as it is")


def test_days_before_the_cut_off_go_from_both_zones_and_nothing_else(tmp_path: pathlib.Path,
                                                                      capsys: pytest.CaptureFixture) -> None:
    output = tmp_path / "out"
    build_raw_zone(output)
    other_data(output)
    before = snapshot(output)
    expired = {name: size for name, (size, _) in before.items() if any(
        f"date={days_ago(back).date()}/" in name for back in (5, 9))}

    assert main(["prune", str(output), "--raw-keep-days", "2"]) == 0

    assert day_names(output / "raw") == day_names(output / PAGE_ZONE) == expected_days(0, 1, 2)
    after = snapshot(output)
    assert json.loads((output / "raw" / PRUNED_MARKER_NAME).read_text()) == {"pruned_before": str(days_ago(2).date())}
    del after[f"raw/{PRUNED_MARKER_NAME}"]
    assert after == {name: stat for name, stat in before.items() if name not in expired}
    assert not list((output / "raw").glob(".*"))  # no hidden leftover after a prune that completed
    summary = summary_rows(capsys.readouterr().out)
    assert summary["feed days removed"] == summary["page days removed"] == (
        f"2 ({days_ago(9).date()}..{days_ago(5).date()})")
    assert summary["files removed"] == str(len(expired)) == "12"
    assert summary["bytes freed"].startswith(f"{sum(expired.values()):,} (")
    assert summary["oldest day kept"] == str(days_ago(2).date())


def test_raw_before_deletes_the_days_strictly_before_it(tmp_path: pathlib.Path) -> None:
    output = tmp_path / "out"
    build_raw_zone(output)

    assert main(["prune", str(output), "--raw-before", str(days_ago(5).date())]) == 0

    assert day_names(output / "raw") == day_names(output / PAGE_ZONE) == expected_days(0, 1, 2, 5)


def test_a_dry_run_says_what_would_go_and_deletes_nothing(tmp_path: pathlib.Path,
                                                         capsys: pytest.CaptureFixture) -> None:
    output = tmp_path / "out"
    build_raw_zone(output)
    before = snapshot(output)

    assert main(["prune", str(output), "--raw-keep-days", "1", "--dry-run"]) == 0

    assert snapshot(output) == before
    output_text = capsys.readouterr().out
    summary = summary_rows(output_text)
    assert "dry run: nothing deleted" in output_text and summary["feed days to remove"].startswith("3 (")
    assert summary["files to remove"] == "18"


def test_nothing_before_the_cut_off_changes_nothing(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    output = tmp_path / "out"
    build_raw_zone(output)
    assert main(["prune", str(output), "--raw-keep-days", "3"]) == 0
    after_first = snapshot(output)
    capsys.readouterr()

    assert main(["prune", str(output), "--raw-keep-days", "3"]) == 0

    assert snapshot(output) == after_first  # the marker too: it is written only when a day goes
    summary = summary_rows(capsys.readouterr().out)
    assert summary["feed days removed"] == summary["files removed"] == "0"


@pytest.mark.parametrize("selector", [["--raw-keep-days", "0"], ["--raw-keep-days", "-3"],
                                      ["--raw-before", "today"], ["--raw-before", "tomorrow"],
                                      ["--raw-before", "2026-13-01"], ["--raw-before", "last week"]])
def test_a_cut_off_after_yesterday_or_unreadable_is_refused_in_one_line(
        selector: list[str], tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    output = tmp_path / "out"
    build_raw_zone(output)
    before = snapshot(output)
    named_days = {"today": now_utc().date(), "tomorrow": now_utc().date() + dt.timedelta(days=1)}
    selector = [str(named_days.get(value, value)) for value in selector]

    assert main(["prune", str(output), *selector]) == 2

    assert snapshot(output) == before
    error = capsys.readouterr().err
    assert error.startswith("newsbeam prune: ") and error.count("\n") == 1


def test_yesterday_is_the_latest_cut_off(tmp_path: pathlib.Path) -> None:
    output = tmp_path / "out"
    build_raw_zone(output)

    assert main(["prune", str(output), "--raw-before", str(days_ago(1).date())]) == 0

    assert day_names(output / "raw") == expected_days(0, 1)


@pytest.mark.parametrize("selectors", [[], ["--raw-keep-days", "2", "--raw-before", "2020-01-01"]])
def test_exactly_one_selector_is_required(selectors: list[str], tmp_path: pathlib.Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["prune", str(tmp_path), *selectors])
    assert exit_info.value.code == 2


def test_a_missing_output_directory_or_a_beam_option_is_refused_in_one_line(tmp_path: pathlib.Path,
                                                                            capsys: pytest.CaptureFixture) -> None:
    assert main(["prune", str(tmp_path / "missing"), "--raw-keep-days", "2"]) == 1
    assert main(["prune", str(tmp_path), "--raw-keep-days", "2", "--direct_num_workers", "2"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"newsbeam prune: no such output directory {tmp_path / 'missing'}",
        "newsbeam prune: unknown arguments --direct_num_workers 2"]
    assert list(tmp_path.iterdir()) == []  # nothing created, not even the lock


def test_another_run_holding_the_output_makes_prune_exit_75_without_deleting(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    output = tmp_path / "out"
    build_raw_zone(output)
    before = snapshot(output)

    with output_lock(str(output)):  # as a running `run`, `backfill` or `stream` holds it
        assert main(["prune", str(output), "--raw-keep-days", "1"]) == 75
        assert main(["prune", str(output), "--raw-keep-days", "1", "--lock-wait", "0.3"]) == 75

    assert snapshot(output) == before
    assert "--lock-wait" in capsys.readouterr().err
    assert main(["prune", str(output), "--raw-keep-days", "1"]) == 0  # free again


def test_a_prune_stopped_midway_leaves_a_hidden_day_that_readers_skip_and_the_next_prune_removes(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    output = tmp_path / "out"
    build_raw_zone(output)
    raw = output / "raw"
    # What a prune killed while deleting leaves: the day renamed to its hidden name, part of it deleted.
    doomed = raw / f"date={days_ago(9).date()}"
    leftover = raw / f"{LEFTOVER_PREFIX}feeds-{doomed.name}"
    doomed.rename(leftover)
    shutil.rmtree(leftover / "source=north")

    fetch_days = {document["fetched_at"].date() for document in iter_raw(output)}
    assert fetch_days == {days_ago(back).date() for back in (0, 1, 2, 5)}
    plan = plan_inputs([str(raw)], str(output), DateRange(), BackfillSettings())
    listed = [member[0] for entry in plan.inputs for member in entry["members"]]
    assert len(listed) == 8 and not [name for name in listed if LEFTOVER_PREFIX in name]

    assert main(["prune", str(output), "--raw-keep-days", "6"]) == 0

    assert not leftover.exists() and day_names(raw) == expected_days(0, 1, 2, 5)
    assert summary_rows(capsys.readouterr().out)["leftovers removed"] == "1 (of an interrupted prune)"


def feed_at(output: pathlib.Path, server: LocalHTTPServer, entries: list[tuple[str, str, str, str]],
            when: dt.datetime) -> RawDocument:
    """A feed body fetched at ``when``, as ``fetch_configured_feeds`` leaves it: in memory and in the raw zone."""
    body, url = rss(entries), server.url("/feed.xml")
    raw_sha256, raw_path = store_raw(output, "courier", body, when, uri=url, feed_url=url)
    return RawDocument(kind="raw", source_id="courier", uri=url, feed_url=url, body=body, fetched_at=when,
                       http_status=200, content_type="application/rss+xml", raw_sha256=raw_sha256, raw_path=raw_path)


def test_a_day_the_stream_has_not_read_yet_is_held_back_until_it_has(tmp_path: pathlib.Path,
                                                                      capsys: pytest.CaptureFixture) -> None:
    output = tmp_path / "out"
    build_raw_zone(output)
    stopped_at = days_ago(9, hour=23)
    page_sha256, page_path = store_raw(output, "north", b"<html>a page</html>", stopped_at, zone=PAGE_ZONE)
    _, body_path = store_raw(output, "north", b"<rss>backlog</rss>", stopped_at, feed_url="https://north.example/")
    document = RawDocument(kind="raw", source_id="north", uri="u", body=b"", fetched_at=stopped_at, raw_path=body_path)
    pages = {"https://north.example/a": {"status": "fetched", "raw_path": page_path, "raw_sha256": page_sha256}}
    ledger = StreamLedger(output)  # a stream stopped with this body queued, not yet read
    ledger.add_pending([(f"raw:{body_path}", input_for_raw(document, pages))], stopped_at)
    ledger.close()

    assert main(["prune", str(output), "--raw-keep-days", "2"]) == 0

    assert day_names(output / "raw") == day_names(output / PAGE_ZONE) == expected_days(0, 1, 2, 9)
    assert summary_rows(capsys.readouterr().out)["held back"] == (
        f"feed days and page days 2 ({days_ago(9).date()}): the stream has inputs there it has not read yet")

    ledger = StreamLedger(output)
    ledger.mark_done([f"raw:{body_path}"], now_utc())
    ledger.close()
    assert main(["prune", str(output), "--raw-keep-days", "2"]) == 0
    assert day_names(output / "raw") == day_names(output / PAGE_ZONE) == expected_days(0, 1, 2)


def test_pages_a_kept_feed_body_lists_stay_with_it(http_server: LocalHTTPServer, tmp_path: pathlib.Path,
                                                   capsys: pytest.CaptureFixture) -> None:
    output = tmp_path / "out"
    serve_pages(http_server, 3)
    entries = items(http_server, 3)
    first_day, later_day = days_ago(9), days_ago(5)
    fetch_pages([feed_at(output, http_server, entries[:2], first_day)], lambda _: True, output, FAST, first_day)
    # days later the feed has a new item and still lists the first two: their pages are reused, not fetched
    later = feed_at(output, http_server, entries, later_day)
    fetch_pages([later], lambda _: True, output, FAST, later_day)
    assert len(page_requests(http_server)) == 3
    listed = json.loads(pages_sidecar_path(later["raw_path"]).read_text())
    first_pages_day = f"date={first_day.date()}"
    assert [f"/pages/{first_pages_day}/" in listed[link]["raw_path"] for _, link, _, _ in entries] == [
        True, True, False]

    assert main(["prune", str(output), "--raw-before", str(later_day.date())]) == 0

    assert day_names(output / "raw") == [f"date={later_day.date()}"]
    assert day_names(output / PAGE_ZONE) == [first_pages_day, f"date={later_day.date()}"]
    assert summary_rows(capsys.readouterr().out)["held back"] == (
        f"page days 1 ({first_day.date()}): kept feed bodies list pages there")
    (document,) = iter_raw(output)  # the kept body comes back with pages that are all still there
    assert len(document["pages"]) == 3 and all(pathlib.Path(page["raw_path"]).exists()
                                               for page in document["pages"].values())

    assert main(["prune", str(output), "--raw-before", str(later_day.date() + dt.timedelta(days=1))]) == 0
    assert day_names(output / "raw") == day_names(output / PAGE_ZONE) == []


def test_a_page_whose_stored_copy_was_pruned_is_fetched_again_not_reused(http_server: LocalHTTPServer,
                                                                         tmp_path: pathlib.Path) -> None:
    output = tmp_path / "out"
    serve_pages(http_server, 1)
    entries = items(http_server, 1)
    first_day, later_day = days_ago(9), days_ago(1)
    fetch_pages([feed_at(output, http_server, entries, first_day)], lambda _: True, output, FAST, first_day)
    assert main(["prune", str(output), "--raw-keep-days", "2"]) == 0
    assert day_names(output / PAGE_ZONE) == []

    later = feed_at(output, http_server, entries, later_day)
    outcome = fetch_pages([later], lambda _: True, output, FAST, later_day)

    assert len(page_requests(http_server)) == 2
    (page,) = outcome.pages[later["raw_path"]].values()
    assert page["status"] == "fetched" and f"/pages/date={later_day.date()}/" in page["raw_path"]
    assert pathlib.Path(page["raw_path"]).exists()


def test_a_raw_zone_pruned_of_every_feed_day_is_not_read_as_a_directory_of_documents(tmp_path: pathlib.Path) -> None:
    output = tmp_path / "out"
    build_raw_zone(output)
    store_raw(output, "north", b"<html><p>fetched after midnight</p></html>", now_utc(), zone=PAGE_ZONE)
    for folder in (output / "raw").glob(f"date={now_utc().date()}"):
        shutil.rmtree(folder)  # no feed was fetched today
    assert main(["prune", str(output), "--raw-keep-days", "1"]) == 0
    shutil.rmtree(output / "raw" / f"date={days_ago(1).date()}")  # nor yesterday: only pages are left

    plan = plan_inputs([str(output / "raw")], str(output), DateRange(), BackfillSettings())

    assert plan.inputs == []  # the pages and their provenance files are not articles of their own


def test_error_rows_stay_and_their_raw_path_dangles_after_pruning(tmp_path: pathlib.Path) -> None:
    output = tmp_path / "out"
    url = "https://broken.example/feed.xml"
    _, broken_path = store_raw(output, "broken", b"<rss><channel><item><title>unclosed", days_ago(5), uri=url,
                               feed_url=url)
    store_raw(output, "north", rss([("n-1", "https://north.example/1", "Cranes", "In Baku.")]), days_ago(5))
    assert main(["backfill", str(output / "raw"), "--output", str(output), "--shards", "2", "--no-progress"]) == 0
    query = f"SELECT DISTINCT stage, raw_path FROM read_parquet('{output}/errors/**/*.parquet')"
    assert duckdb.sql(query).fetchall() == [("parse", broken_path)]  # a malformed feed, and an item without text
    datasets_before = {name: stat for name, stat in snapshot(output).items() if not name.startswith("raw/")}

    assert main(["prune", str(output), "--raw-keep-days", "2"]) == 0

    assert duckdb.sql(query).fetchall() == [("parse", broken_path)] and not pathlib.Path(broken_path).exists()
    assert {name: stat for name, stat in snapshot(output).items() if not name.startswith("raw/")} == datasets_before


def test_a_stream_prunes_its_raw_zone_between_windows(tmp_path: pathlib.Path) -> None:
    output, drop_dir = tmp_path / "out", tmp_path / "drop"
    drop_dir.mkdir()
    build_raw_zone(output)

    assert main(["stream", "--drop-dir", str(drop_dir), "--output", str(output), "--window", "0.2s",
                 "--stop-after", "0.5s", "--raw-keep-days", "2"]) == 0

    assert day_names(output / "raw") == day_names(output / PAGE_ZONE) == expected_days(0, 1, 2)
    (manifest_path,) = (output / "_runs").glob("*.json")
    assert json.loads(manifest_path.read_text())["raw_pruned"]["days"] == 4


def test_the_unbounded_stream_refuses_to_prune(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["stream", "--unbounded", "--drop-dir", str(tmp_path), "--output", str(tmp_path / "out"),
                 "--raw-keep-days", "2"]) == 2
    assert "newsbeam prune" in capsys.readouterr().err


# A cron job on two days ------------------------------------------------------------------------------------


def dated_rss(entries: list[tuple[str, str, dt.datetime]]) -> bytes:
    """An RSS feed of (guid, title, publication time) items linking to courier.example."""
    return ("<rss version='2.0'><channel><title>Courier</title><link>https://courier.example/</link>" + "".join(
        f"<item><guid isPermaLink='false'>{guid}</guid><link>https://courier.example/{guid}</link>"
        f"<title>{title}</title><pubDate>{published:%a, %d %b %Y %H:%M:%S} +0000</pubDate>"
        f"<description>{title}, reported.</description></item>" for guid, title, published in entries)
        + "</channel></rss>").encode()


def age_raw_day(output: pathlib.Path, day: dt.date, days: int) -> dt.date:
    """Move the raw day ``day`` ``days`` back, fetch times in the provenance too: what it would be had the
    run fetched it then. The rows written from it keep the fetch time and raw path they had."""
    older = day - dt.timedelta(days=days)
    (output / "raw" / f"date={day}").rename(output / "raw" / f"date={older}")
    for sidecar in (output / "raw" / f"date={older}").glob("source=*/*.json"):
        provenance = json.loads(sidecar.read_text())
        provenance["fetched_at"] = (dt.datetime.fromisoformat(provenance["fetched_at"])
                                    - dt.timedelta(days=days)).isoformat()
        sidecar.write_text(json.dumps(provenance))
    return older


def partition(output: pathlib.Path, day: dt.date) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in (output / "articles" / f"date={day}").glob("*.parquet")}


def rows_of(output: pathlib.Path, day: dt.date) -> list[tuple]:
    return duckdb.sql(f"SELECT * FROM read_parquet('{output}/articles/date={day}/*.parquet') "
                      "ORDER BY article_id").fetchall()


def test_a_cron_job_pruned_of_its_older_day_runs_and_backfills_the_kept_day(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    output = tmp_path / "out"
    config = write_config(tmp_path, {"courier": http_server.url("/feed.xml")})
    today = now_utc().date()
    two_days_ago = dt.datetime.combine(today - dt.timedelta(days=2), dt.time(6), tzinfo=dt.timezone.utc)
    first = [("a", "Port of Baku expands", two_days_ago), ("b", "Rain in Tbilisi", two_days_ago)]
    http_server.route("/feed.xml", Response(body=dated_rss(first), headers={"ETag": '"v1"'}))
    run_once(config, output, capsys)
    (fetch_day,) = [dt.date.fromisoformat(name.removeprefix("date=")) for name in day_names(output / "raw")]
    first_day = age_raw_day(output, fetch_day, 2)  # the first run was two days ago
    # today the feed still lists "a" (published two days ago) beside a new item
    second = [first[0], ("c", "Ferry to Aktau", dt.datetime.combine(fetch_day, dt.time(0), tzinfo=dt.timezone.utc))]
    http_server.route("/feed.xml", Response(body=dated_rss(second), headers={"ETag": '"v2"'}))
    run_once(config, output, capsys)
    older_partition, kept_rows = partition(output, first_day), rows_of(output, fetch_day)
    assert len(rows_of(output, first_day)) == 2 and len(kept_rows) == 1

    assert main(["prune", str(output), "--raw-keep-days", "1"]) == 0
    assert day_names(output / "raw") == [f"date={fetch_day}"]

    def not_modified(request: RecordedRequest) -> Response:
        return Response(status=304) if request.headers.get("if-none-match") == '"v2"' else Response(status=500)

    http_server.route("/feed.xml", not_modified)
    assert summary_rows(run_once(config, output, capsys))["not modified"] == "1"  # the feed state still holds

    backfill = ["backfill", str(output / "raw"), "--output", str(output), "--shards", "2", "--no-progress"]
    assert main([*backfill, "--since", str(fetch_day), "--until", str(fetch_day)]) == 0
    assert rows_of(output, fetch_day) == kept_rows
    assert summary_rows(capsys.readouterr().out)["partitions replaced"] == "1 (rows 1 -> 1)"

    # "a" is in today's body, "b" only in the pruned one: rebuilt from today's, the older day would lose "b"
    assert main([*backfill, "--since", str(first_day), "--until", str(first_day)]) == 0
    assert partition(output, first_day) == older_partition
    summary = summary_rows(capsys.readouterr().out)
    assert summary["date range"] == f"none (the raw zone was pruned: days before {fetch_day} are left as they are)"
    assert summary["articles written"] == summary["errors (dead letter)"] == "0"
    assert summary["partitions replaced"] == "0 (rows 0 -> 0)"
    assert not (output / "_staging").exists()

    assert main(backfill) == 0  # the whole raw zone: the kept day is rebuilt, the older one left as it was
    assert partition(output, first_day) == older_partition and rows_of(output, fetch_day) == kept_rows
    assert [row[0] for row in duckdb.sql(f"SELECT title FROM read_parquet('{output}/articles/*/*.parquet') "
                                         "ORDER BY title").fetchall()] == [
        "Ferry to Aktau", "Port of Baku expands", "Rain in Tbilisi"]
    assert summary_rows(capsys.readouterr().out)["date range"] == (
        f"from {fetch_day} (the raw zone was pruned: days before {fetch_day} are left as they are)")
