"""The bare loop: the pipeline's steps in a plain Python loop, with no Beam, as the practical limit.

It calls the same functions as the pipeline, in the same order (read, parse, clean, full text, normalize
text, language, time, identity, entities: ``transforms.beam.NormalizeArticles``), stages each article's row on disk as the pipeline does (so that
memory stays flat), then groups the records by (dataset, shard) and hands each group to the same sink
writer (Arrow conversion, merge, Parquet). Whatever the pipeline costs beyond this loop is the
framework's cost. An exception in a stage becomes an error record, as in ``transforms/beam.py``.

Run: ``python -m benchmarks.bare_loop CORPUS_DIR OUTPUT_DIR`` (the throughput benchmark runs it for you).
"""

from __future__ import annotations

import argparse
import collections
import functools
import json
import time
from typing import Any, Callable

from pipeline.execution import pipeline_version
from pipeline.parquet_sink import SinkSettings, merge_stats, shard_key, write_shard
from pipeline.sources import expand_inputs, read_input
from pipeline.staging import StagingFile, remove_staging, staging_directory
from transforms.entities import EntityMatcher, annotate_entities
from transforms.full_text import attach_full_text
from transforms.gazetteer_cache import load_gazetteer_unkept
from transforms.html_cleaning import clean_article
from transforms.identity import identify_article
from transforms.language import annotate_language
from transforms.parsing import parse_document
from transforms.records import make_error
from transforms.settings import TransformSettings
from transforms.text import normalize_article_text
from transforms.timestamps import normalize_article_time

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024  # the CLI's default
BARE_RUN_ID = "bare-loop"  # names its staging directory
ARTICLE_STAGES: tuple[tuple[str, Callable[[dict[str, Any], TransformSettings], dict[str, Any]]], ...] = (
    ("clean", clean_article), ("full_text", attach_full_text), ("normalize_text", normalize_article_text),
    ("language", annotate_language),
    ("normalize_time", normalize_article_time), ("identify", identify_article),
)


class StageTimer:
    """Seconds spent in each stage, summed (wall clock, no profiler: what the stages cost for real)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = collections.defaultdict(float)

    def call(self, stage: str, function: Callable[..., Any], *args: Any) -> Any:
        """``function(*args)``, timed under ``stage``."""
        start = time.perf_counter()
        try:
            return function(*args)
        finally:
            self.seconds[stage] += time.perf_counter() - start


def _guarded(stage: str, function: Callable[..., Any], record: dict[str, Any], *args: Any,
             timer: StageTimer | None = None) -> Any:
    try:
        return timer.call(stage, function, record, *args) if timer else function(record, *args)
    except Exception as exc:  # noqa: BLE001 - as the pipeline's stages do
        return make_error(stage, "internal_error", f"{type(exc).__name__}: {exc}", source=record)


def process_article(article: dict[str, Any], settings: TransformSettings, matcher: EntityMatcher,
                    timer: StageTimer | None = None) -> dict[str, Any]:
    """One article through the normalize chain (the pipeline's ``NormalizeArticles``)."""
    for stage, function in ARTICLE_STAGES:
        article = _guarded(stage, function, article, settings, timer=timer)
        if article.get("kind") != "article":
            return article
    return _guarded("entities", annotate_entities, article, matcher, timer=timer)


def _read(entry: dict[str, Any]) -> list[dict[str, Any]]:
    return list(read_input(entry, MAX_DOCUMENT_BYTES))  # type: ignore[arg-type]


def run_bare_loop(paths: list[str], output_dir: str, settings: TransformSettings | None = None,
                  num_shards: int = 8, timer: StageTimer | None = None) -> dict[str, Any]:
    """Ingest ``paths`` into ``output_dir`` without Beam; return the summed writer stats.

    With ``timer``, the seconds of each stage (gazetteer build, read, parse, ..., write) are added to it.
    """
    settings = settings or TransformSettings()
    timer = timer or StageTimer()
    # as a pipeline worker builds it (transforms.beam.shared_matcher): the gazetteer is not kept
    matcher = timer.call("setup (gazetteer)",
                         lambda: EntityMatcher.from_loader(functools.partial(load_gazetteer_unkept, settings)))
    sink = SinkSettings(output_dir, num_shards, pipeline_version())
    groups: dict[tuple[str, int], list[dict[str, Any]]] = collections.defaultdict(list)
    files: dict[tuple[str, int], StagingFile] = {}  # one staging file per shard, as a pipeline bundle has
    for path in paths:
        for raw in _guarded("read", _read, {"path": path}, timer=timer):
            parsed = [raw] if raw.get("kind") == "error" else _guarded("parse", parse_document, raw, timer=timer)
            for record in parsed if isinstance(parsed, list) else [parsed]:
                if record.get("kind") == "article":
                    record = process_article(record, settings, matcher, timer)
                key = shard_key(record, num_shards)
                if record.get("kind") != "article":
                    groups[key].append(record)
                    continue
                if key not in files:
                    files[key] = StagingFile(staging_directory(output_dir, BARE_RUN_ID))
                    groups[key].append(files[key].marker())
                timer.call("stage", files[key].stage, record)
    for staging in files.values():
        staging.close()
    stats = merge_stats(timer.call("write", write_shard, key, records, sink) for key, records in sorted(groups.items()))
    remove_staging(output_dir, BARE_RUN_ID)
    return stats


def main(argv: list[str] | None = None) -> int:
    """Command line: run the loop over a corpus directory and print the stats and the elapsed time."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("output")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    timer = StageTimer()
    stats = run_bare_loop(expand_inputs([args.corpus]), args.output, timer=timer)
    elapsed = time.perf_counter() - start
    print(json.dumps({"elapsed_s": round(elapsed, 3), "stage_s": {stage: round(seconds, 3) for stage, seconds
                                                                   in timer.seconds.items()}, **stats}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
