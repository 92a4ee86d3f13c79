"""The unbounded form of the stream (PeriodicImpulse -> same chain -> windows) on the local runner."""

from __future__ import annotations

import os
import pathlib
import shutil
import time

import apache_beam as beam
import duckdb
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.runners.portability.fn_api_runner import FnApiRunner

from pipeline.cli import main
from pipeline.http_fetch import FetchSettings
from pipeline.parquet_sink import SinkSettings
from pipeline.unbounded import build_unbounded_pipeline
from transforms.settings import TransformSettings

SAMPLE_FEED = pathlib.Path(__file__).resolve().parents[2] / "examples" / "sample" / "feeds" / "caspian-courier-atom.txt"
IGNORED = {"fetched_at", "raw_path", "uri", "pipeline_version"}


def rows(output: pathlib.Path) -> list[tuple]:
    relation = duckdb.sql(f"SELECT * FROM read_parquet('{output}/articles/**/*.parquet', hive_partitioning=true) "
                          "ORDER BY article_id")
    return relation.select(", ".join(name for name in relation.columns if name not in IGNORED)).fetchall()


def test_unbounded_pipeline_writes_the_same_rows_as_ingest(tmp_path: pathlib.Path) -> None:
    drop_dir = tmp_path / "drop"
    drop_dir.mkdir()
    shutil.copy(SAMPLE_FEED, drop_dir / SAMPLE_FEED.name)
    settled = time.time() - 3600
    os.utime(drop_dir / SAMPLE_FEED.name, (settled, settled))
    assert main(["ingest", str(drop_dir), "--output", str(tmp_path / "batch"), "--shards", "2"]) == 0

    output = tmp_path / "stream"
    pipeline = beam.Pipeline(runner=FnApiRunner(), options=PipelineOptions(["--streaming"]))
    start = time.time()
    _ = build_unbounded_pipeline(
        pipeline, output_dir=str(output), drop_dir=str(drop_dir), feeds=[], fetch_settings=FetchSettings(),
        transforms=TransformSettings(), sink=SinkSettings(str(output), 2, "test"), window_s=1.0,
        start=start, stop=start + 2.5)
    pipeline.run().wait_until_finish()
    expected = rows(tmp_path / "batch")
    assert len(expected) == 24 and rows(output) == expected


def test_stream_unbounded_command_runs_to_its_stop_time(tmp_path: pathlib.Path) -> None:
    drop_dir = tmp_path / "drop"
    drop_dir.mkdir()
    shutil.copy(SAMPLE_FEED, drop_dir / SAMPLE_FEED.name)
    output = tmp_path / "out"
    assert main(["stream", "--unbounded", "--drop-dir", str(drop_dir), "--output", str(output), "--window", "1s",
                 "--stop-after", "2s", "--settle", "0.1s", "--shards", "2"]) == 0
    assert len(rows(output)) == 24
