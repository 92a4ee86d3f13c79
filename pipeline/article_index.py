"""Rebuild the sink's article index (``OUT/_state/article_index/``) from the articles dataset itself.

The index is what lets the sink keep one row per article_id across days (see ``pipeline.parquet_sink``).
A backfill replaces whole partitions behind the sink's back, so afterwards the index entries of those days
are rebuilt from the rows now in them; entries of other days are kept as they are. One shard at a time,
as the sink itself works: memory is that of one index shard (in Arrow) and the rebuilt days' entries of it.
"""

from __future__ import annotations

import pathlib
import re
from typing import Collection, Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.damaged_files import damage_in
# the sink owns the index format and the names of the files
from pipeline.index_store import index_table, save_index
from pipeline.parquet_sink import SEALED_PREFIX, dataset_dir
from pipeline.rows import TEXT_FLAG, shard_of, version_key

INDEX_COLUMNS = ["article_id", "content_sha256", "updated_at", "fetched_at"]
TEXT_COLUMNS = ["body_text", "summary_text"]  # read for rows.carries_text, then dropped
# a shard's own files (its file of the day, and those sealed when they grew large); other files mix shards
SHARD_FILE = re.compile(rf"(?:part-|{re.escape(SEALED_PREFIX)})(\d{{5}})(-.*)?\.parquet")


def article_partition_dates(output_dir: str | pathlib.Path) -> list[str]:
    """Every ``date=`` partition of the articles dataset, in order."""
    root = dataset_dir(output_dir, "articles")
    return sorted(path.name.removeprefix("date=") for path in root.glob("date=*") if path.is_dir())


def _files_holding_shard(partition: pathlib.Path, shard: int) -> Iterator[pathlib.Path]:
    """Files of a partition that may hold rows of ``shard``: its own file, and files of every shard."""
    for path in sorted(partition.glob("*.parquet")):
        match = SHARD_FILE.fullmatch(path.name)
        if match is None or int(match.group(1)) == shard:
            yield path


def _shard_entries(output_dir: str | pathlib.Path, dates: Collection[str], shard: int, num_shards: int
                   ) -> dict[str, tuple]:
    """Index entries of one shard's rows in ``dates`` (the latest version when an id appears twice)."""
    entries: dict[str, tuple] = {}
    for date in sorted(dates):
        for path in _files_holding_shard(dataset_dir(output_dir, "articles") / f"date={date}", shard):
            for row in _index_rows(path):
                if shard_of(row["article_id"], num_shards) != shard:
                    continue
                entry = (date, row["content_sha256"], *version_key(row)[:3])
                current = entries.get(row["article_id"])
                if current is None or entry[2:] > current[2:]:
                    entries[row["article_id"]] = entry
    return entries


def _index_rows(path: pathlib.Path) -> list[dict]:
    """The index columns of a partition file's rows, with whether each carries text (``TEXT_FLAG``): decided
    on Arrow columns, so the texts are never turned into Python strings."""
    with damage_in(path):
        table = pq.read_table(path, columns=INDEX_COLUMNS + TEXT_COLUMNS)
    return table.select(INDEX_COLUMNS).append_column(TEXT_FLAG, _carries_text(table)).to_pylist()


def _carries_text(table: pa.Table) -> pa.ChunkedArray:
    """``rows.carries_text`` of each row of ``table`` (with ``TEXT_COLUMNS``), on Arrow columns."""
    body, summary = (pc.fill_null(pc.greater(pc.utf8_length(table[name]), 0), False) for name in TEXT_COLUMNS)
    return pc.or_(body, summary)


def with_text_ranks(output_dir: str | pathlib.Path, shard: int, entries: pa.Table | None) -> pa.Table | None:
    """``entries`` (a run's index entries) with ``has_text`` filled in from the rows of those written before the
    index kept it (null there), so that they rank as the sink ranks copies (``rows.carries_text``).

    Read as text, the entry of a copy without text (a sitemap entry) never took a later copy without text; read
    as no text, a feed item's entry lost to a later sitemap entry. Only this run's ids are looked up, in the day
    files their entries name, so the cost follows the run (once per article: a written entry keeps its rank).
    An entry whose row is not found stays null (the plan reads it as text)."""
    if entries is None or not entries[TEXT_FLAG].null_count:
        return entries
    unranked = entries.filter(pc.is_null(entries[TEXT_FLAG]))
    found: dict[str, bool] = {}
    for date in sorted(set(unranked["date"].to_pylist())):
        ids = unranked.filter(pc.equal(unranked["date"], date))["article_id"]
        for path in _files_holding_shard(dataset_dir(output_dir, "articles") / f"date={date}", shard):
            with damage_in(path):
                table = pq.read_table(path, columns=["article_id", *TEXT_COLUMNS],
                                      filters=pc.field("article_id").isin(ids.to_pylist()))
            found.update(zip(table["article_id"].to_pylist(), _carries_text(table).to_pylist()))
    ranks = pa.array([found.get(article_id, rank) if rank is None else rank for article_id, rank in
                      zip(entries["article_id"].to_pylist(), entries[TEXT_FLAG].to_pylist())], pa.bool_())
    return entries.set_column(entries.schema.get_field_index(TEXT_FLAG), TEXT_FLAG, ranks)


def rebuild_article_index(output_dir: str | pathlib.Path, num_shards: int,
                          dates: Collection[str] | None = None) -> int:
    """Rebuild the index entries of ``dates`` (every partition when None) from the dataset; return the
    number of entries now in the index."""
    full_rebuild = dates is None
    dates = set(article_partition_dates(output_dir) if full_rebuild else dates)
    total = 0
    for shard in range(num_shards):
        entries = index_table(_shard_entries(output_dir, dates, shard, num_shards))
        total += save_index(str(output_dir), shard, entries, replaced_dates=dates, keep_existing=not full_rebuild)
    return total
