"""The pipeline, top to bottom as in DESIGN.md: sources | parse | clean | normalize | identify | sink.

It is one straight chain ending in one sink, with failures carried as values in the same stream:
the shape that runs unchanged on the local runner, Dask, Flink, Spark and Dataflow (the Dask runner
loses tagged outputs, extra branches and finish_bundle output, see DESIGN.md). Counts come from the data
(the writers' stats, summed) as well as from Beam metrics, because not every runner reports metrics.
"""

from __future__ import annotations

import json
import pathlib
from typing import Any, Iterable, Iterator

import apache_beam as beam

from pipeline.atomic_files import write_bytes_atomically
from pipeline.date_range import DateRange, keep_in_range
from pipeline.interrupts import raise_if_stopped
from pipeline.parquet_sink import SinkSettings, merge_stats, shard_key, write_shard
from pipeline.sources import InputFile, read_input
from pipeline.staging import StagingFile, remove_staging, staging_directory
from transforms.beam import DocumentStage, NormalizeArticles
from transforms.parsing import parse_document
from transforms.settings import TransformSettings


def stats_path(output_dir: str, run_id: str) -> pathlib.Path:
    """Where the last step of a run leaves the summed writer stats for the driver."""
    return pathlib.Path(output_dir) / "_state" / "run_stats" / f"{run_id}.json"


def save_stats(stats: dict[str, Any], output_dir: str, run_id: str) -> dict[str, Any]:
    """Write the run's summed stats (the chain's final step, so it runs on every runner); every writer is
    done by then, so the run's staged rows go too."""
    write_bytes_atomically(stats_path(output_dir, run_id), json.dumps(stats, sort_keys=True).encode())
    remove_staging(output_dir, run_id)
    return stats


class ReadAndParse(beam.PTransform):
    """Input files -> raw documents -> article drafts (and error records)."""

    def __init__(self, max_document_bytes: int) -> None:
        super().__init__()
        self.max_document_bytes = max_document_bytes

    def expand(self, inputs: beam.PCollection) -> beam.PCollection:
        max_bytes = self.max_document_bytes
        return (
            inputs
            | "Read files" >> beam.ParDo(DocumentStage("read", lambda entry: read_input(entry, max_bytes), "raw"))
            | "Parse documents" >> beam.ParDo(DocumentStage("parse", parse_document))
        )


class StageAndKey(beam.DoFn):
    """Key each record by (dataset, shard); write articles to a staging file per bundle and shard, and pass
    on only one marker per file (see ``pipeline.staging``: the shuffle then carries no articles)."""

    def __init__(self, directory: str, num_shards: int) -> None:
        self.directory, self.num_shards = directory, num_shards

    def start_bundle(self) -> None:
        self.files: dict[tuple[str, int], StagingFile] = {}

    def process(self, record: dict[str, Any]) -> Iterator[tuple[tuple[str, int], dict[str, Any]]]:
        raise_if_stopped()  # nothing is staged after a stop, even one the signal's interrupt lost
        key = shard_key(record, self.num_shards)
        if record.get("kind") != "article":
            yield key, record
            return
        staging = self.files.get(key)
        if staging is None:  # the file's marker leaves now; its articles are read after the shuffle
            staging = self.files[key] = StagingFile(self.directory)
            yield key, staging.marker()
        staging.stage(record)

    def finish_bundle(self) -> None:
        for staging in self.files.values():
            staging.close()
        self.files = {}


def write_shard_unless_stopped(key: tuple[str, int], records: Iterable[dict[str, Any]],
                               sink: SinkSettings) -> dict[str, Any]:
    """``write_shard``, unless a stop signal came (``interrupts.raise_if_stopped``)."""
    raise_if_stopped()
    return write_shard(key, records, sink)


class WriteDatasets(beam.PTransform):
    """Stage articles, group records by (dataset, shard), merge them into Parquet, and leave the summed stats."""

    def __init__(self, sink: SinkSettings, run_id: str) -> None:
        super().__init__()
        self.sink, self.run_id = sink, run_id

    def expand(self, records: beam.PCollection) -> beam.PCollection:
        sink, run_id = self.sink, self.run_id
        return (
            records
            | "Stage and key by shard" >> beam.ParDo(StageAndKey(str(staging_directory(sink.output_dir, run_id)),
                                                                 sink.num_shards))
            | "Group by shard" >> beam.GroupByKey()
            | "Write Parquet" >> beam.MapTuple(lambda key, group: write_shard_unless_stopped(key, group, sink))
            | "Sum stats" >> beam.CombineGlobally(merge_stats)
            | "Save stats" >> beam.Map(save_stats, sink.output_dir, run_id)
        )


def build_pipeline(pipeline: beam.Pipeline, inputs: list[InputFile], transforms: TransformSettings,
                   sink: SinkSettings, run_id: str, max_document_bytes: int,
                   date_range: DateRange | None = None) -> None:
    """Attach the whole chain to ``pipeline``; with ``date_range``, records outside it are only counted."""
    records = (
        pipeline
        | "Input files" >> beam.Create(inputs, reshuffle=len(inputs) > 1)
        | "Read and parse" >> ReadAndParse(max_document_bytes)
        | "Normalize" >> NormalizeArticles(transforms)
    )
    if date_range is not None and not date_range.is_unbounded():
        records = records | "Keep date range" >> beam.Map(keep_in_range, date_range)
    _ = records | "Write" >> WriteDatasets(sink, run_id)
