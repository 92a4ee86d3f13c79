"""Run the pipeline once: lock the output, run Beam, gather counts, write the manifest."""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.metadata
import json
import pathlib
import time
from typing import Any

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from pipeline.assembly import build_pipeline, stats_path
from pipeline.atomic_files import remove_stale_temp_files
from pipeline.dataset_layout import ensure_layout
from pipeline.interrupts import raise_if_stopped
from pipeline.locking import output_lock
from pipeline.options import LOCAL_RUNNERS, RunOptions, resolve_runner
from pipeline.parquet_sink import SinkSettings
from pipeline.run_summary import counts_from, utc_now, write_manifest
from pipeline.sources import InputFile
from pipeline.staging import remove_stale_staging, remove_staging


def pipeline_version() -> str:
    """The installed newsbeam version, written into every row."""
    try:
        return importlib.metadata.version("newsbeam")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


def make_beam_pipeline(options: RunOptions) -> beam.Pipeline:
    """A Beam pipeline on the chosen runner; the local default is the FnApiRunner, chosen explicitly
    (the DirectRunner tries to download the Prism runner on every run, which fails offline)."""
    beam_options = PipelineOptions(list(options.beam_args))
    if options.runner in LOCAL_RUNNERS:
        from apache_beam.runners.portability.fn_api_runner import FnApiRunner

        return beam.Pipeline(runner=FnApiRunner(), options=beam_options)
    return beam.Pipeline(runner=resolve_runner(options.runner), options=beam_options)


def beam_counters(result: Any) -> dict[str, int] | None:
    """Beam's counters by name, or None where the runner does not report metrics (Dask)."""
    try:
        counters = result.metrics().query()["counters"]
    except (NotImplementedError, AttributeError, KeyError):
        return None
    return {counter.key.metric.name: counter.committed for counter in counters if counter.committed is not None}


def release_runner(result: Any) -> None:
    """Close the Dask client Beam's DaskRunner opened for this run: otherwise every run leaves one
    connected, and a cluster it started itself (no --dask_client_address) keeps running."""
    client = getattr(result, "client", None)
    if client is not None and hasattr(client, "close"):
        client.close()


def run_pipeline(options: RunOptions, inputs: list[InputFile], extra_manifest: dict[str, Any] | None = None,
                 *, hold_lock: bool = True, save_manifest: bool = True) -> dict[str, Any]:
    """Run the chain over ``inputs`` into ``options.output_dir``; return the run manifest.

    ``hold_lock=False`` when the caller already holds the output lock (``run`` fetches under it first);
    ``save_manifest=False`` when the caller keeps its own manifest (``stream`` keeps one per stream).
    """
    started_at, start = utc_now(), time.monotonic()
    sink = SinkSettings(options.output_dir, options.num_shards, pipeline_version())
    lock = output_lock(options.output_dir, options.lock_wait_s) if hold_lock else contextlib.nullcontext()
    with lock:
        ensure_layout(options.output_dir, options.num_shards)
        remove_stale_temp_files(pathlib.Path(options.output_dir))
        remove_stale_staging(options.output_dir)
        pipeline = make_beam_pipeline(options)
        build_pipeline(pipeline, inputs, options.transforms, sink, options.run_id, options.max_document_bytes,
                       options.date_range)
        try:
            result = pipeline.run()
            result.wait_until_finish()
        finally:  # a stopped or failed run leaves no staged rows (a finished one has removed them already)
            remove_staging(options.output_dir, options.run_id)
        release_runner(result)
        stats_file = stats_path(options.output_dir, options.run_id)
        stats = json.loads(stats_file.read_text())
        stats_file.unlink()
        raise_if_stopped()  # a stop whose interrupt was lost while the pipeline ran still stops the command
        manifest = {
            "run_id": options.run_id, "mode": options.mode, "runner": options.runner,
            "started_at": started_at.isoformat(), "finished_at": utc_now().isoformat(),
            "elapsed_s": round(time.monotonic() - start, 3), "output_dir": options.output_dir,
            "inputs": [entry["path"] for entry in inputs], "pipeline_version": sink.pipeline_version,
            "options": options_record(options), "counts": counts_from(stats, len(inputs)),
            "article_partitions": stats["article_partitions"], "writer_stats": stats,
            "beam_metrics": beam_counters(result), **(extra_manifest or {}),
        }
        if save_manifest:
            write_manifest(options.output_dir, manifest)
    return manifest


def options_record(options: RunOptions) -> dict[str, Any]:
    """A run's options as its manifest keeps them (JSON values; the inputs are listed apart)."""
    data = dataclasses.asdict(options)
    data.pop("inputs")
    return json.loads(json.dumps(data, default=str))
