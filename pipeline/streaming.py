"""``newsbeam stream``: the long-running job. Poll feeds and a drop directory, write Parquet per window.

How it runs here: a loop of small bounded pipelines, one per window, over the same chain as ``ingest``
and ``run``. The local Python runner cannot stream for real (with ``--streaming`` it runs batch-like and
writes only when the whole run ends; see DESIGN.md and README "What runs where"), so each window's inputs
are queued in a ledger, processed by one bounded run, then marked done. Runners that stream for real use
``pipeline.unbounded`` instead: the same chain fed by PeriodicImpulse.

The stream holds the output lock for its whole life, so ``newsbeam prune`` cannot run beside it; with
``--raw-keep-days N`` the stream prunes its raw zone itself, once a UTC day, between two windows.

Stopping: SIGINT, SIGTERM or ``--stop-after`` end the loop after the current window has been written and
the ledger updated; the process exits 0. Inputs queued but not yet processed stay *pending* in the
ledger (their bytes are in the raw zone or the drop directory) and are processed first at the next start.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import pathlib
import signal
import threading
import time
from typing import TYPE_CHECKING, Any, Iterator

from pipeline.allocator import use_system_allocator_for_arrow
from pipeline.archives import list_if_archive
from pipeline.argument_types import existing_directory, positive_int
from pipeline.drop_directory import DropDirectoryWatcher
from pipeline.execution import options_record, pipeline_version, run_pipeline
from pipeline.feed_config import FeedConfig
from pipeline.http_fetch import FetchSettings
from pipeline.locking import output_lock
from pipeline.options import RunOptions
from pipeline.run_summary import utc_now, write_manifest
from pipeline.sources import InputFile
from pipeline.stream_ledger import StreamLedger

if TYPE_CHECKING:
    from pipeline.scheduled_run import FetchRound, FullTextSettings

LOG = logging.getLogger("newsbeam.stream")
SUMMED_COUNTS = ("inputs_read", "items_parsed", "articles_written", "articles_new", "articles_updated",
                 "articles_unchanged", "articles_stale", "duplicates_merged", "errors")


@dataclasses.dataclass(frozen=True)
class StreamSettings:
    """How the stream polls and batches."""

    window_s: float = 60.0
    stop_after_s: float | None = None
    drop_dir: str | None = None
    settle_s: float = 2.0
    max_inputs_per_window: int = 500  # a backlog (5,000 dropped files) is worked off in bounded batches
    raw_keep_days: int | None = None  # prune the raw zone to today and this many days before, once a day


def install_stop_handlers(stop: threading.Event) -> None:
    """SIGINT and SIGTERM ask the loop to stop after the current window."""
    def request_stop(signum: int, _frame: Any) -> None:
        LOG.info("received %s: finishing the current window, then stopping", signal.Signals(signum).name)
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, request_stop)


def _queue_fetched(feeds: list[FeedConfig], options: RunOptions, fetch_settings: FetchSettings,
                   full_text: FullTextSettings | None, ledger: StreamLedger, now: dt.datetime) -> FetchRound:
    """Fetch the feeds that are due (and their items' pages, as ``run`` does); queue their raw-zone files
    and failures in the ledger."""
    from pipeline.scheduled_run import fetch_round

    fetched = fetch_round(feeds, options.output_dir, fetch_settings, full_text, now)
    items = [(f"raw:{document['raw_path']}", descriptor) for document, descriptor in fetched.raw_inputs()]
    items += [(f"error:{error['error_id']}:{now.isoformat()}", descriptor)
              for error, descriptor in fetched.error_inputs()]
    ledger.add_pending(items, now)
    fetched.save_feed_state(options.output_dir)  # the bodies are pending in the ledger: a restart reads them
    ledger.forget_past_days(now)
    return fetched


def _queue_dropped(watcher: DropDirectoryWatcher, ledger: StreamLedger, now: dt.datetime) -> int:
    """Queue the complete files of the drop directory that were never seen before; an archive (WARC/ARC,
    tar, zip) as its chunks, so that a big crawl is worked off over several windows like other backlog. Files
    no longer listed leave the ledger (``StreamLedger.forget_gone_drops``)."""
    queued = 0
    fresh: list[tuple[str, InputFile]] = []
    listed = watcher.scan()
    if watcher.directory.is_dir():  # a directory gone for a moment lists nothing: forget nothing then
        ledger.forget_gone_drops({key for key, _ in listed})
    for key, path in listed:
        if ledger.known(key):
            continue
        archive = list_if_archive(path)
        if archive is None:
            fresh.append((key, {"path": path}))
        else:
            queued += ledger.add_archive(key, path, archive.inputs, now)
    return queued + ledger.add_pending(fresh, now)


def _process_window(options: RunOptions, ledger: StreamLedger, window: int, limit: int) -> dict[str, Any] | None:
    """Run one bounded pipeline over up to ``limit`` pending inputs; mark them done once written."""
    batch = ledger.pending(limit)
    if not batch:
        return None
    window_options = dataclasses.replace(options, run_id=f"{options.run_id}-w{window:06d}")
    manifest = run_pipeline(window_options, [descriptor for _, descriptor in batch], hold_lock=False,
                            save_manifest=False)
    ledger.mark_done([key for key, _ in batch], utc_now())
    return manifest


def _prune_between_windows(options: RunOptions, keep_days: int, now: dt.datetime, manifest: dict[str, Any]) -> None:
    """Prune the raw zone as ``newsbeam prune --raw-keep-days`` does, under the lock the stream holds; log what
    went and add it to the manifest."""
    from pipeline.prune import prune_before_day, prune_raw_zone

    result = prune_raw_zone(options.output_dir, prune_before_day(keep_days, None, now.date()))
    _add_counts(manifest.setdefault("raw_pruned", {}), {"days": len(result.removed), "files": result.files_removed,
                                                         "bytes": result.bytes_freed})
    if result.removed:
        LOG.info("raw zone: removed %d day folders before %s (%d files, %.1f MB)", len(result.removed),
                 result.pruned_before, result.files_removed, result.bytes_freed / 1e6)


def _add_counts(total: dict[str, Any], counts: dict[str, Any]) -> None:
    """Add ``counts`` into ``total``, name by name."""
    for name, value in counts.items():
        total[name] = total.get(name, 0) + value


def _add_window(stream_manifest: dict[str, Any], window_manifest: dict[str, Any] | None,
                fetched: FetchRound | None, line: dict[str, Any]) -> None:
    """Fold one window into the stream's manifest (counts and Beam metrics summed; the feeds skipped by
    the window's poll replace those of the last one)."""
    from pipeline.scheduled_run import skipped_feeds

    counts = stream_manifest["counts"]
    if fetched is not None:
        _add_counts(stream_manifest["fetch"], fetched.feeds.counts)
        _add_counts(stream_manifest.setdefault("sitemaps", {}), fetched.feeds.sitemap_counts)
        stream_manifest["skipped_feeds"] = skipped_feeds(fetched.feeds)
    if fetched is not None and fetched.pages is not None:
        _add_counts(stream_manifest.setdefault("pages", {}), fetched.pages.counts)
        stream_manifest["pages"]["elapsed_s"] = round(stream_manifest["pages"].get("elapsed_s", 0.0), 1)
    if window_manifest:
        for name in SUMMED_COUNTS:
            counts[name] += window_manifest["counts"][name]
        _add_counts(counts["errors_by_reason"], window_manifest["counts"]["errors_by_reason"])
        _add_counts(counts["body_status"], window_manifest["counts"].get("body_status", {}))
        _add_counts(stream_manifest["beam_metrics"], window_manifest.get("beam_metrics") or {})
        stream_manifest["article_partitions"] = sorted(
            set(stream_manifest["article_partitions"]) | set(window_manifest["article_partitions"]))
    stream_manifest["windows"] = (stream_manifest["windows"] + [line])[-200:]


def _windows(stream: StreamSettings, stop: threading.Event) -> Iterator[int]:
    """Window numbers until stopped; waits out the rest of each window unless there is a backlog."""
    deadline = time.monotonic() + stream.stop_after_s if stream.stop_after_s else None
    window = 0
    while True:
        started = time.monotonic()
        backlog = yield window
        window += 1
        if stop.is_set() or (deadline is not None and time.monotonic() >= deadline):
            return
        if not backlog:
            wait_s = stream.window_s - (time.monotonic() - started)
            if deadline is not None:
                wait_s = min(wait_s, deadline - time.monotonic())
            stop.wait(max(0.0, wait_s))
            if stop.is_set() or (deadline is not None and time.monotonic() >= deadline):
                return


def run_stream(options: RunOptions, feeds: list[FeedConfig], fetch_settings: FetchSettings,
               stream: StreamSettings, stop: threading.Event, full_text: FullTextSettings | None = None
               ) -> dict[str, Any]:
    """Poll, batch and write until stopped; return the stream's manifest. With ``full_text``, the pages of
    the items of the feeds that want them are fetched in each window, as ``newsbeam run`` fetches them."""
    manifest: dict[str, Any] = {
        "run_id": options.run_id, "mode": "stream", "runner": options.runner, "output_dir": options.output_dir,
        "pipeline_version": pipeline_version(), "options": options_record(options),  # as run, ingest and backfill
        "started_at": utc_now().isoformat(), "inputs": list(options.inputs), "fetch": {}, "skipped_feeds": [],
        "windows": [],
        "counts": {**{name: 0 for name in SUMMED_COUNTS}, "errors_by_reason": {}, "body_status": {},
                   "partitions_written": 0},
        "article_partitions": [], "beam_metrics": {},
    }
    start = time.monotonic()
    # a stream runs many pipelines in one process: with mimalloc each window left freed pages behind
    # (+42 MiB over 17 windows of 1,000 articles when a caller skipped the CLI's choice; +6 with this)
    use_system_allocator_for_arrow()
    with output_lock(options.output_dir, options.lock_wait_s):
        ledger = StreamLedger(options.output_dir)
        watcher = DropDirectoryWatcher(pathlib.Path(stream.drop_dir), stream.settle_s) if stream.drop_dir else None
        windows = _windows(stream, stop)
        window = next(windows)
        pruned_on: dt.date | None = None
        try:
            while True:
                now = utc_now()
                if stream.raw_keep_days and now.date() != pruned_on:
                    _prune_between_windows(options, stream.raw_keep_days, now, manifest)
                    pruned_on = now.date()
                fetched = _queue_fetched(feeds, options, fetch_settings, full_text, ledger, now) if feeds else None
                dropped = _queue_dropped(watcher, ledger, now) if watcher else 0
                window_manifest = _process_window(options, ledger, window, stream.max_inputs_per_window)
                oldest = ledger.oldest_pending_at()
                line = {"window": window, "at": now.isoformat(), "dropped_files": dropped,
                        "inputs": window_manifest["counts"]["inputs_read"] if window_manifest else 0,
                        "written": window_manifest["counts"]["articles_written"] if window_manifest else 0,
                        "errors": window_manifest["counts"]["errors"] if window_manifest else 0,
                        "pending": ledger.pending_count(),
                        "lag_s": round((utc_now() - oldest).total_seconds(), 1) if oldest else 0.0}
                LOG.info("window %(window)d: inputs %(inputs)d, written %(written)d, errors %(errors)d, "
                         "pending %(pending)d, lag %(lag_s).1f s", line)
                _add_window(manifest, window_manifest, fetched, line)
                manifest.update(finished_at=utc_now().isoformat(), elapsed_s=round(time.monotonic() - start, 3))
                manifest["counts"]["partitions_written"] = len(manifest["article_partitions"])
                write_manifest(options.output_dir, manifest)
                window = windows.send(line["pending"] > 0)
        except StopIteration:
            pass
        finally:
            ledger.close()
    return manifest


DURATION_UNITS_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration_s(text: str) -> float:
    """Seconds in ``90``, ``90s``, ``10m``, ``2h`` or ``1d``."""
    text = text.strip().lower()
    unit = text[-1] if text and text[-1] in DURATION_UNITS_S else "s"
    number = text[:-1] if text and text[-1] in DURATION_UNITS_S else text
    try:
        seconds = float(number) * DURATION_UNITS_S[unit]
    except ValueError:
        raise ValueError(f"not a duration: {text!r} (use e.g. 60s, 10m, 2h)") from None
    if seconds <= 0:
        raise ValueError(f"a duration must be positive: {text!r}")
    return seconds


def add_stream_parser(commands: Any, add_run_arguments: Any) -> None:
    """``newsbeam stream``."""
    import argparse

    from pipeline.scheduled_run import add_fetch_arguments, add_full_text_arguments

    def duration(text: str) -> float:
        try:
            return parse_duration_s(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    stream = commands.add_parser("stream", help="poll feeds and a drop directory until stopped; Parquet per window")
    stream.add_argument("--config", help="feeds.toml (optional when --drop-dir is given)")
    stream.add_argument("--opml", help="an OPML subscription list instead of --config")
    stream.add_argument("--drop-dir", type=existing_directory,
                        help="directory to watch for dropped files (feeds, pages, JSONL, gz)")
    stream.add_argument("--window", type=duration, default=60.0, help="window length, e.g. 60s (default)")
    stream.add_argument("--stop-after", type=duration, default=None, help="stop after this long, e.g. 10m")
    stream.add_argument("--settle", type=duration, default=2.0, help="a dropped file must be unchanged this long")
    stream.add_argument("--max-inputs-per-window", type=positive_int, default=500)
    stream.add_argument("--raw-keep-days", type=int, metavar="N",
                        help="once a UTC day, delete the raw zone's days before the N full days before today "
                             "(as `newsbeam prune --raw-keep-days N`, which cannot run beside a stream)")
    add_fetch_arguments(stream)
    add_full_text_arguments(stream)
    stream.add_argument("--unbounded", action="store_true",
                        help="build the unbounded pipeline (for runners that stream: Flink, Dataflow)")
    stream.add_argument("--force", action="store_true", help=argparse.SUPPRESS)
    add_run_arguments(stream)


def command_stream(args: Any, beam_args: list[str]) -> int:
    """``newsbeam stream [--config feeds.toml] [--drop-dir DIR] --output OUT``."""
    import sys

    from pipeline.cli import run_options_from
    from pipeline.feed_config import ConfigError
    from pipeline.run_summary import format_summary
    from pipeline.scheduled_run import backoff_lines, fetch_settings_from, full_text_settings_from, load_feed_list

    if not (args.config or args.opml or args.drop_dir):
        print("newsbeam: stream needs --config/--opml, --drop-dir, or both", file=sys.stderr)
        return 2
    try:
        feeds = load_feed_list(args) if (args.config or args.opml) else []
    except ConfigError as exc:
        print(f"newsbeam: {exc}", file=sys.stderr)
        return 2
    if args.raw_keep_days is not None and (args.unbounded or args.raw_keep_days < 1):
        print("newsbeam: --raw-keep-days " + ("must be 1 or more" if args.raw_keep_days < 1 else
                                              "is not done by --unbounded: run `newsbeam prune` when it is stopped"),
              file=sys.stderr)
        return 2
    sources = [path for path in (args.config, args.opml, args.drop_dir) if path]
    options = run_options_from(args, "stream", sources, beam_args)
    settings = StreamSettings(window_s=args.window, stop_after_s=args.stop_after, drop_dir=args.drop_dir,
                              settle_s=args.settle, max_inputs_per_window=args.max_inputs_per_window,
                              raw_keep_days=args.raw_keep_days)
    full_text = full_text_settings_from(args)
    if args.unbounded:
        if full_text.wanted(feeds):
            print("newsbeam: --unbounded does not fetch pages: items keep the body their feed gives "
                  "(full text is fetched by the micro-batch stream, without --unbounded)", file=sys.stderr)
        return run_unbounded(options, feeds, fetch_settings_from(args), settings)
    stop = threading.Event()
    install_stop_handlers(stop)
    manifest = run_stream(options, feeds, fetch_settings_from(args), settings, stop, full_text)
    print(format_summary(manifest))
    for line in backoff_lines(manifest["skipped_feeds"]):
        print(line)
    return 0


def run_unbounded(options: RunOptions, feeds: list[FeedConfig], fetch_settings: FetchSettings,
                  stream: StreamSettings) -> int:
    """Submit the unbounded form of the stream to the chosen runner (``--streaming`` is implied)."""
    from apache_beam.utils.timestamp import MAX_TIMESTAMP

    from pipeline.dataset_layout import ensure_layout
    from pipeline.execution import make_beam_pipeline, pipeline_version
    from pipeline.parquet_sink import SinkSettings
    from pipeline.unbounded import build_unbounded_pipeline

    options = dataclasses.replace(options, beam_args=(*options.beam_args, "--streaming"))
    start = time.time()
    stop = start + stream.stop_after_s if stream.stop_after_s else MAX_TIMESTAMP.micros / 1e6
    with output_lock(options.output_dir, options.lock_wait_s):
        ensure_layout(options.output_dir, options.num_shards)
        pipeline = make_beam_pipeline(options)
        build_unbounded_pipeline(
            pipeline, output_dir=options.output_dir, drop_dir=stream.drop_dir, feeds=feeds,
            fetch_settings=fetch_settings, transforms=options.transforms,
            sink=SinkSettings(options.output_dir, options.num_shards, pipeline_version()),
            window_s=stream.window_s, start=start, stop=stop, settle_s=stream.settle_s,
            max_document_bytes=options.max_document_bytes)
        pipeline.run().wait_until_finish()
    return 0
