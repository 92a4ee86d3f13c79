"""The Parquet sink: one writer per (dataset, shard) merges new rows into the hive-partitioned dataset.

Layout: ``OUT/articles/date=YYYY-MM-DD/part-SSSSS.parquet`` and ``OUT/errors/date=.../part-SSSSS.parquet``.
A record's shard is a hash of its id, so each article has exactly one possible file per day and one
writer owns it during a run: no two workers ever write the same file. A writer reads the file it is about
to replace, merges by id (latest version wins; an unchanged article keeps its old row), writes a temporary
file and renames it into place. Reruns therefore replace instead of duplicating, and a reader sees either
the old or the new file. A per-shard index of (article_id, date, content hash, version) under
``OUT/_state/article_index/`` lets the writer find an article written on another day (when a source
corrects its publication time) and remove the old row, so the dataset holds one row per article_id.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import pathlib
from typing import Any, Iterable

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.atomic_files import write_parquet_atomically
from pipeline.rows import (EPOCH, article_row, error_row, partition_date, record_id, rows_to_table,
                           version_key)
from schemas.article import ARTICLE_SCHEMA
from schemas.article import DICTIONARY_COLUMNS as ARTICLE_DICTIONARY_COLUMNS
from schemas.error import DICTIONARY_COLUMNS as ERROR_DICTIONARY_COLUMNS
from schemas.error import ERROR_SCHEMA

INDEX_SCHEMA = pa.schema([
    pa.field("article_id", pa.string(), nullable=False), pa.field("date", pa.string(), nullable=False),
    pa.field("content_sha256", pa.string(), nullable=False),
    pa.field("version_at", pa.timestamp("us", tz="UTC"), nullable=False),
])


@dataclasses.dataclass(frozen=True)
class SinkSettings:
    """Where and how the sink writes."""

    output_dir: str
    num_shards: int
    pipeline_version: str


def dataset_dir(output_dir: str | pathlib.Path, dataset: str) -> pathlib.Path:
    """Folder of one dataset (articles or errors) under the output directory."""
    return pathlib.Path(output_dir) / dataset


def part_path(output_dir: str | pathlib.Path, dataset: str, date: str, shard: int) -> pathlib.Path:
    """The one file of ``shard`` in the ``date`` partition of ``dataset``."""
    return dataset_dir(output_dir, dataset) / f"date={date}" / f"part-{shard:05d}.parquet"


def index_path(output_dir: str | pathlib.Path, shard: int) -> pathlib.Path:
    """The article index of one shard."""
    return pathlib.Path(output_dir) / "_state" / "article_index" / f"shard-{shard:05d}.parquet"


def empty_stats() -> dict[str, Any]:
    """The stats of a writer that wrote nothing; ``merge_stats`` sums these."""
    return {"articles_new": 0, "articles_updated": 0, "articles_unchanged": 0, "articles_stale": 0,
            "duplicates_in_run": 0, "error_rows": 0, "errors_by_type": {}, "article_partitions": [],
            "files_written": 0, "files_removed": 0}


def merge_stats(many: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Sum writer stats (a CombineFn-compatible reduction: associative and commutative)."""
    total = empty_stats()
    partitions: set[str] = set()
    errors: collections.Counter[str] = collections.Counter()
    for stats in many:
        for key, value in stats.items():
            if isinstance(value, int):
                total[key] += value
        partitions.update(stats["article_partitions"])
        errors.update(stats["errors_by_type"])
    total["article_partitions"] = sorted(partitions)
    total["errors_by_type"] = dict(sorted(errors.items()))
    return total


def _read_table(path: pathlib.Path, schema: pa.Schema) -> pa.Table | None:
    return pq.read_table(path, schema=schema) if path.exists() else None


def _write_or_remove(table: pa.Table, path: pathlib.Path, dictionary_columns: tuple[str, ...],
                     stats: dict[str, Any]) -> None:
    if table.num_rows:
        write_parquet_atomically(table, path, dictionary_columns)
        stats["files_written"] += 1
    elif path.exists():
        path.unlink()
        stats["files_removed"] += 1


def _sorted(table: pa.Table, time_column: str, id_column: str) -> pa.Table:
    return table.sort_by([(time_column, "ascending"), (id_column, "ascending")])


def _merge_partition_file(path: pathlib.Path, new_rows: list[dict[str, Any]], drop_ids: set[str],
                          schema: pa.Schema, id_column: str, time_column: str) -> pa.Table:
    """Existing rows of the file minus ``drop_ids`` and minus ids being rewritten, plus ``new_rows``."""
    new_table = rows_to_table(new_rows, schema)
    existing = _read_table(path, schema)
    if existing is None:
        return _sorted(new_table, time_column, id_column)
    removed = pa.array(sorted(drop_ids | {row[id_column] for row in new_rows}), pa.string())
    kept = existing.filter(pc.invert(pc.is_in(existing[id_column], value_set=removed)))
    return _sorted(pa.concat_tables([kept, new_table]), time_column, id_column)


def _load_index(output_dir: str, shard: int) -> dict[str, tuple[str, str, dt.datetime]]:
    table = _read_table(index_path(output_dir, shard), INDEX_SCHEMA)
    if table is None:
        return {}
    return {row["article_id"]: (row["date"], row["content_sha256"], row["version_at"]) for row in table.to_pylist()}


def _save_index(output_dir: str, shard: int, index: dict[str, tuple[str, str, dt.datetime]]) -> None:
    rows = [{"article_id": key, "date": date, "content_sha256": sha, "version_at": version}
            for key, (date, sha, version) in sorted(index.items())]
    write_parquet_atomically(pa.Table.from_pylist(rows, schema=INDEX_SCHEMA), index_path(output_dir, shard), ())


def _latest_per_id(articles: Iterable[dict[str, Any]], stats: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Within one run, keep the latest version of each article_id."""
    latest: dict[str, dict[str, Any]] = {}
    for article in articles:
        current = latest.get(article["article_id"])
        if current is not None:
            stats["duplicates_in_run"] += 1
        if current is None or version_key(article) > version_key(current):
            latest[article["article_id"]] = article
    return latest


def write_article_shard(shard: int, articles: Iterable[dict[str, Any]], settings: SinkSettings) -> dict[str, Any]:
    """Merge this run's articles of one shard into the dataset; return what changed."""
    stats = empty_stats()
    index = _load_index(settings.output_dir, shard)
    new_by_date: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    drop_by_date: dict[str, set[str]] = collections.defaultdict(set)
    for article_id, article in sorted(_latest_per_id(articles, stats).items()):
        date, version = partition_date(article), version_key(article)[0]
        known = index.get(article_id)
        if known and known[1] == article["content_sha256"] and known[0] == date:
            stats["articles_unchanged"] += 1
            continue
        if known and version < known[2]:
            stats["articles_stale"] += 1  # an older copy of what is already written
            continue
        stats["articles_updated" if known else "articles_new"] += 1
        if known and known[0] != date:
            drop_by_date[known[0]].add(article_id)
        new_by_date[date].append(article_row(article, settings.pipeline_version))
        index[article_id] = (date, article["content_sha256"], version if version != EPOCH else article["fetched_at"])
    for date in sorted(set(new_by_date) | set(drop_by_date)):
        path = part_path(settings.output_dir, "articles", date, shard)
        table = _merge_partition_file(path, new_by_date.get(date, []), drop_by_date.get(date, set()),
                                      ARTICLE_SCHEMA, "article_id", "published_at")
        _write_or_remove(table, path, ARTICLE_DICTIONARY_COLUMNS, stats)
    if new_by_date or drop_by_date:
        _save_index(settings.output_dir, shard, index)
    stats["article_partitions"] = sorted(new_by_date)
    return stats


def write_error_shard(shard: int, errors: Iterable[dict[str, Any]], settings: SinkSettings) -> dict[str, Any]:
    """Merge this run's dead-letter rows of one shard into the errors dataset (one row per error_id)."""
    stats = empty_stats()
    by_date: dict[str, dict[str, dict[str, Any]]] = collections.defaultdict(dict)
    by_type: collections.Counter[str] = collections.Counter()
    for error in errors:
        by_date[partition_date(error)][error["error_id"]] = error_row(error, settings.pipeline_version)
        by_type[f"{error['stage']}:{error['error_type']}"] += 1
    for date, rows in sorted(by_date.items()):
        path = part_path(settings.output_dir, "errors", date, shard)
        table = _merge_partition_file(path, [rows[key] for key in sorted(rows)], set(), ERROR_SCHEMA,
                                      "error_id", "occurred_at")
        _write_or_remove(table, path, ERROR_DICTIONARY_COLUMNS, stats)
    stats["error_rows"] = sum(by_type.values())
    stats["errors_by_type"] = dict(by_type)
    return stats


def write_shard(key: tuple[str, int], records: Iterable[dict[str, Any]], settings: SinkSettings) -> dict[str, Any]:
    """Dispatch one grouped (dataset, shard) to its writer."""
    dataset, shard = key
    writer = write_error_shard if dataset == "errors" else write_article_shard
    return writer(shard, records, settings)


def shard_key(record: dict[str, Any], num_shards: int) -> tuple[str, int]:
    """(dataset, shard) that owns ``record``."""
    dataset = "errors" if record.get("kind") == "error" else "articles"
    return dataset, int(record_id(record)[:8], 16) % num_shards
