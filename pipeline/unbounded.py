"""The unbounded form of the stream, for runners that stream for real (Flink, Dataflow).

Same chain as every other mode, fed by PeriodicImpulse instead of a list of files:

    PeriodicImpulse(every window) -> list new dropped files / fetch due feeds -> read -> parse
    -> normalize -> fixed windows -> group by (dataset, shard) per window -> merge into Parquet

Each window's group is merged into the partition files by the same sink as the batch modes, so output
layout, dedup and atomic renames are identical. The ledger (``OUT/_state/stream_ledger.sqlite``) marks a
dropped file as taken when it is listed; from there the runner's own checkpointing carries it. The output
directory and ``_state`` must be on a file system all workers share.

The local Python runner runs this form batch-like (nothing is written before the stop time; see
DESIGN.md), so ``newsbeam stream`` uses the micro-batch loop of ``pipeline.streaming`` locally and this
form with ``--unbounded`` on a streaming runner.
"""

from __future__ import annotations

import datetime as dt
import pathlib
from typing import Any, Iterator

import apache_beam as beam
from apache_beam.transforms import window as beam_window
from apache_beam.transforms.periodicsequence import PeriodicImpulse

from pipeline.assembly import ReadAndParse
from pipeline.drop_directory import DropDirectoryWatcher
from pipeline.feed_config import FeedConfig
from pipeline.http_fetch import FetchSettings
from pipeline.parquet_sink import SinkSettings, merge_stats, shard_key, write_shard
from transforms.beam import NormalizeArticles
from transforms.settings import TransformSettings


class ListNewInputs(beam.DoFn):
    """On each tick: the drop directory's new complete files, and the bodies of feeds that are due."""

    def __init__(self, output_dir: str, drop_dir: str | None, settle_s: float, feeds: list[FeedConfig],
                 fetch_settings: FetchSettings) -> None:
        self.output_dir, self.drop_dir, self.settle_s = output_dir, drop_dir, settle_s
        self.feeds, self.fetch_settings = feeds, fetch_settings

    def setup(self) -> None:
        from pipeline.stream_ledger import StreamLedger

        self.ledger = StreamLedger(self.output_dir)
        self.watcher = DropDirectoryWatcher(pathlib.Path(self.drop_dir), self.settle_s) if self.drop_dir else None

    def teardown(self) -> None:
        self.ledger.close()

    def process(self, _tick: Any) -> Iterator[dict[str, Any]]:
        from pipeline.fetch_feeds import fetch_configured_feeds
        from pipeline.scheduled_run import input_for_error, input_for_raw

        now = dt.datetime.now(dt.timezone.utc)
        items = []
        if self.watcher:
            items += [(key, {"path": path}) for key, path in self.watcher.scan() if not self.ledger.known(key)]
        if self.feeds:
            outcome = fetch_configured_feeds(self.feeds, self.output_dir, self.fetch_settings, now)
            items += [(f"raw:{doc['raw_path']}", input_for_raw(doc)) for doc in outcome.raw_documents]
            items += [(f"error:{error['error_id']}:{now.isoformat()}", input_for_error(error))
                      for error in outcome.errors]
        self.ledger.add_pending(items, now)
        self.ledger.mark_done([key for key, _ in items], now)
        self.ledger.forget_past_days(now)
        yield from (descriptor for _, descriptor in items)


def build_unbounded_pipeline(pipeline: beam.Pipeline, *, output_dir: str, drop_dir: str | None,
                             feeds: list[FeedConfig], fetch_settings: FetchSettings,
                             transforms: TransformSettings, sink: SinkSettings, window_s: float,
                             start: float, stop: float, settle_s: float = 2.0,
                             max_document_bytes: int = 50 * 1024 * 1024) -> beam.PCollection:
    """Attach the unbounded chain to ``pipeline``; returns the per-window stats collection."""
    return (
        pipeline
        | "Tick" >> PeriodicImpulse(start_timestamp=start, stop_timestamp=stop, fire_interval=window_s)
        | "List new inputs" >> beam.ParDo(ListNewInputs(output_dir, drop_dir, settle_s, feeds, fetch_settings))
        | "Spread inputs" >> beam.Reshuffle()
        | "Read and parse" >> ReadAndParse(max_document_bytes)
        | "Normalize" >> NormalizeArticles(transforms)
        | "Fixed windows" >> beam.WindowInto(beam_window.FixedWindows(window_s))
        | "Key by shard" >> beam.Map(lambda record: (shard_key(record, sink.num_shards), record))
        | "Group by shard" >> beam.GroupByKey()
        | "Write Parquet" >> beam.MapTuple(lambda key, group: write_shard(key, group, sink))
        | "Sum stats per window" >> beam.CombineGlobally(merge_stats).without_defaults()
    )
