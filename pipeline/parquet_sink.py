"""The Parquet sink: one writer per (dataset, shard) merges new rows into the hive-partitioned dataset.

Layout: ``OUT/articles/date=YYYY-MM-DD/part-SSSSS.parquet`` and ``OUT/errors/date=.../part-SSSSS.parquet``.
A record's shard is a hash of its id, so each article has exactly one possible file per day and one
writer owns it during a run: no two workers ever write the same file. A writer merges by id into the file
it is about to replace (latest version wins; an unchanged article keeps its old row), reading the old file
a part at a time (``pipeline.parquet_merge``), writes a temporary file and renames it into place. Reruns
therefore replace instead of duplicating, and a reader sees either the old or the new file. A per-shard
index of (article_id, date, content hash, update and fetch times) under ``OUT/_state/article_index/`` lets
the writer find an article written on another day (when a source corrects its publication time) and
remove the old row, so the dataset holds one row per article_id.
What a writer does with each article is decided on Arrow columns of stubs (``pipeline.shard_plan``: a few
hundred bytes per article of the shard in this run), and the rows are loaded from their staging files one
partition, and 128 rows, at a time. The index holds every article of the shard ever written, so it is
never held whole: it is scanned a batch at a time for this run's ids, and a run's changes are added as a small
delta file (``pipeline.index_store``).

Two other kinds of file may sit in a partition, and the writers keep the one-row-per-id rule with them:
- ``part-SSSSS-<run>.parquet``: a backfill gives its files names of their own, so that a reader who
  listed a partition just before it was swapped finds a missing file rather than a mix of two versions.
  The shard's writer keeps updating the file under that name (``part_path`` resolves it).
- ``compact-<run>-NNNNN.parquet``: compaction (``pipeline/compaction.py``) merges a partition's files,
  every shard together, sorted by time. A writer that replaces or moves a row removes the old copy from
  these files too (after writing the new row: a crash leaves a duplicate, never a loss), holding a lock
  per partition, since the rows of every shard share them.
- ``compact-sealed-SSSSS-<random>.parquet``: a shard's file of the day that reached ``SEAL_FILE_BYTES``,
  renamed so that later runs start a new file instead of rewriting a large one (``writable_part_path``).
  Writers treat it as a compacted file (replaced rows are removed from it), compaction folds it in.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import fcntl
import os
import pathlib
import uuid
from typing import Any, Iterable, Iterator

import pyarrow as pa

from pipeline.atomic_files import replace_atomically
from pipeline.index_store import INDEX_SCHEMA, add_index_entries, read_index_entries
from pipeline.parquet_merge import FileLayout, Outcome, merge_into_file
from pipeline.rows import article_row, error_row, partition_date, record_id, rows_to_table
from pipeline.shard_plan import plan_shard
from schemas.article import ARTICLE_SCHEMA
from schemas.article import DICTIONARY_COLUMNS as ARTICLE_DICTIONARY_COLUMNS
from schemas.error import DICTIONARY_COLUMNS as ERROR_DICTIONARY_COLUMNS
from schemas.error import ERROR_SCHEMA

ARTICLES = FileLayout(ARTICLE_SCHEMA, "article_id", "published_at", ARTICLE_DICTIONARY_COLUMNS)
ERRORS = FileLayout(ERROR_SCHEMA, "error_id", "occurred_at", ERROR_DICTIONARY_COLUMNS)
DATASET_LAYOUTS: dict[str, FileLayout] = {"articles": ARTICLES, "errors": ERRORS}


@dataclasses.dataclass(frozen=True)
class SinkSettings:
    """Where and how the sink writes."""

    output_dir: str
    num_shards: int
    pipeline_version: str


def dataset_dir(output_dir: str | pathlib.Path, dataset: str) -> pathlib.Path:
    """Folder of one dataset (articles or errors) under the output directory."""
    return pathlib.Path(output_dir) / dataset


def dataset_files(output_dir: str | pathlib.Path, dataset: str) -> list[pathlib.Path]:
    """The Parquet files of one dataset, every ``date=`` folder's, sorted (temporary files are hidden: not
    among them)."""
    return sorted(dataset_dir(output_dir, dataset).glob("date=*/*.parquet"))


COMPACTED_PREFIX = "compact-"
SEALED_PREFIX = f"{COMPACTED_PREFIX}sealed-"  # compact-sealed-SSSSS-<random>.parquet: a shard's file of a day
SEAL_FILE_BYTES = 16 * 1024 * 1024


def part_path(output_dir: str | pathlib.Path, dataset: str, date: str, shard: int) -> pathlib.Path:
    """The one file of ``shard`` in the ``date`` partition of ``dataset``: its current name if it has
    one (a backfill names its files ``part-SSSSS-<run>.parquet``), else ``part-SSSSS.parquet``."""
    partition = dataset_dir(output_dir, dataset) / f"date={date}"
    stem = f"part-{shard:05d}"
    try:
        names = sorted(name for name in os.listdir(partition)
                       if name.endswith(".parquet") and (name == f"{stem}.parquet" or name.startswith(f"{stem}-")))
    except FileNotFoundError:
        names = []
    return partition / (names[0] if names else f"{stem}.parquet")


def writable_part_path(output_dir: str, dataset: str, date: str, shard: int) -> pathlib.Path:
    """The file of ``shard`` in the ``date`` partition to merge new rows into. One that has reached
    ``SEAL_FILE_BYTES`` is sealed first: renamed into the partition's compacted files, from which writers
    still remove replaced rows (under the partition lock), and a new file is started. So a run that adds to a
    busy day rewrites at most a file of that size, not the whole day (a stream window adding 100 articles to a
    shard's day of 50,000 took 7 s)."""
    path = part_path(output_dir, dataset, date, shard)
    if not path.exists() or path.stat().st_size < SEAL_FILE_BYTES:
        return path
    with _partition_lock(output_dir, dataset, date):
        replace_atomically(path, path.with_name(f"{SEALED_PREFIX}{shard:05d}-{uuid.uuid4().hex[:12]}.parquet"))
    return part_path(output_dir, dataset, date, shard)


def compacted_files(partition: pathlib.Path) -> list[pathlib.Path]:
    """The compacted files of one partition directory, in order."""
    return sorted(partition.glob(f"{COMPACTED_PREFIX}*.parquet"))


def empty_stats() -> dict[str, Any]:
    """The stats of a writer that wrote nothing; ``merge_stats`` sums these."""
    return {"articles_new": 0, "articles_updated": 0, "articles_unchanged": 0, "articles_stale": 0,
            "duplicates_in_run": 0, "error_rows": 0, "errors_by_type": {}, "article_partitions": [],
            "files_written": 0, "files_removed": 0, "articles_out_of_range": 0, "errors_out_of_range": 0,
            "body_status": {}}


def merge_stats(many: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Sum writer stats (a CombineFn-compatible reduction: associative and commutative)."""
    total = empty_stats()
    partitions: set[str] = set()
    errors: collections.Counter[str] = collections.Counter()
    body_statuses: collections.Counter[str] = collections.Counter()
    for stats in many:
        for key, value in stats.items():
            if isinstance(value, int):
                total[key] += value
        partitions.update(stats["article_partitions"])
        errors.update(stats["errors_by_type"])
        body_statuses.update(stats.get("body_status") or {})
    total["article_partitions"] = sorted(partitions)
    total["errors_by_type"] = dict(sorted(errors.items()))
    total["body_status"] = dict(sorted(body_statuses.items()))
    return total


def count_outcome(outcome: Outcome, stats: dict[str, Any]) -> None:
    """Count a file written or removed in ``stats``."""
    if outcome is Outcome.WRITTEN:
        stats["files_written"] += 1
    elif outcome is Outcome.REMOVED:
        stats["files_removed"] += 1


ROWS_PER_CONVERSION = 128  # staged rows turned into Python dicts, then Arrow, at a time


def write_article_shard(shard: int, articles: Iterable[dict[str, Any]], settings: SinkSettings) -> dict[str, Any]:
    """Merge this run's articles of one shard into the dataset; return what changed."""
    from pipeline.article_index import with_text_ranks  # it reads the dataset this module writes

    stats = empty_stats()
    # staging markers are read as the stubs of their files; the index only for the ids among them, with the text
    # rank of entries written before it was kept taken from their rows
    plan = plan_shard(articles, lambda ids: with_text_ranks(settings.output_dir, shard,
                                                           read_index_entries(settings.output_dir, shard, ids)))
    stats.update(plan.counts)
    stats["body_status"] = plan.body_status
    if not plan.written.num_rows:
        return stats
    new_dates, moved, replaced = plan.dates(), plan.moved(), plan.replaced()
    # Every new row lands before any old copy is removed (a moved article leaves its old day last): a crash
    # in between leaves a duplicate that the rerun removes, never a lost article.
    for date in new_dates:
        new_rows = pa.concat_tables(
            [rows_to_table([article_row(record, settings.pipeline_version) for record in records], ARTICLE_SCHEMA)
             for records in plan.records(date, ROWS_PER_CONVERSION)])
        path = writable_part_path(settings.output_dir, "articles", date, shard)
        count_outcome(merge_into_file(path, ARTICLES, new_rows), stats)
    for date in sorted(set(new_dates) | set(moved)):
        if moved.get(date):
            path = part_path(settings.output_dir, "articles", date, shard)
            count_outcome(merge_into_file(path, ARTICLES, drop_ids=pa.array(sorted(moved[date]), pa.string())), stats)
        remove_from_compacted(settings.output_dir, "articles", date, replaced.get(date, set()), stats)
    changed = plan.written.select(["article_id", "date", "content_sha256", "has_text", "updated_at", "fetched_at"])
    add_index_entries(settings.output_dir, shard, changed.rename_columns(INDEX_SCHEMA.names).cast(INDEX_SCHEMA))
    stats["article_partitions"] = new_dates
    return stats


def write_error_shard(shard: int, errors: Iterable[dict[str, Any]], settings: SinkSettings) -> dict[str, Any]:
    """Merge this run's dead-letter rows of one shard into the errors dataset (one row per error_id)."""
    stats = empty_stats()
    by_date: dict[str, dict[str, dict[str, Any]]] = collections.defaultdict(dict)
    for error in errors:
        by_date[partition_date(error)][error["error_id"]] = error_row(error, settings.pipeline_version)
    # counted once a row, as written: the same failure seen twice in a run is one row
    by_type = collections.Counter(f"{row['stage']}:{row['error_type']}"
                                  for rows in by_date.values() for row in rows.values())
    for date, rows in sorted(by_date.items()):
        new_rows = rows_to_table(list(rows.values()), ERROR_SCHEMA).sort_by(ERRORS.order)
        path = writable_part_path(settings.output_dir, "errors", date, shard)
        count_outcome(merge_into_file(path, ERRORS, new_rows), stats)
        remove_from_compacted(settings.output_dir, "errors", date, set(rows), stats)
    stats["error_rows"] = sum(by_type.values())
    stats["errors_by_type"] = dict(by_type)
    return stats


def count_skipped(shard: int, markers: Iterable[dict[str, Any]], settings: SinkSettings) -> dict[str, Any]:
    """Count the markers of records left out on purpose (see ``pipeline.date_range``); nothing is written."""
    stats = empty_stats()
    for marker in markers:
        stats[marker["counter"]] += 1
    return stats


def write_shard(key: tuple[str, int], records: Iterable[dict[str, Any]], settings: SinkSettings) -> dict[str, Any]:
    """Dispatch one grouped (dataset, shard) to its writer."""
    dataset, shard = key
    writers = {"errors": write_error_shard, "skipped": count_skipped}
    return writers.get(dataset, write_article_shard)(shard, records, settings)


def shard_key(record: dict[str, Any], num_shards: int) -> tuple[str, int]:
    """(dataset, shard) that owns ``record``; markers of skipped records are counted, never written."""
    kind = record.get("kind")
    if kind == "skipped":
        return "skipped", int(record["skipped_id"][:8], 16) % num_shards
    dataset = "errors" if kind == "error" else "articles"
    return dataset, int(record_id(record)[:8], 16) % num_shards


@contextlib.contextmanager
def _partition_lock(output_dir: str, dataset: str, date: str) -> Iterator[None]:
    """Exclusive lock on one partition's compacted files, between the writers of one run."""
    lock_path = pathlib.Path(output_dir) / "_state" / "partition_locks" / f"{dataset}-{date}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def remove_from_compacted(output_dir: str, dataset: str, date: str, ids: set[str], stats: dict[str, Any]) -> None:
    """Remove the rows of ``ids`` from the compacted files of one partition, if any holds them."""
    partition = dataset_dir(output_dir, dataset) / f"date={date}"
    if not ids or not compacted_files(partition):
        return
    removed = pa.array(sorted(ids), pa.string())
    with _partition_lock(output_dir, dataset, date):
        for path in compacted_files(partition):  # listed again under the lock
            count_outcome(merge_into_file(path, DATASET_LAYOUTS[dataset], drop_ids=removed), stats)

