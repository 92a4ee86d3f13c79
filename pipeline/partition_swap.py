"""Swap the partitions a backfill staged into the live dataset, one atomic exchange per partition.

Every step can be repeated after a crash: staged files are renamed only once, conflicting rows dropped
only when present, and a hidden marker file (``.backfill-<run_id>``) in each staged partition tells
whether it still waits for its swap (marker in the staged directory) or is live already (marker in the
live one, removed last). The displaced old partitions stay in the staging directory until the caller
deletes it, which gives readers that listed a partition just before its swap a grace period.
"""

from __future__ import annotations

import collections
import pathlib
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.damaged_files import damage_in, rows_in_file
from pipeline.directory_swap import swap_directory
from pipeline.index_store import index_entries, index_shards
from pipeline.parquet_merge import merge_into_file
from pipeline.parquet_sink import ARTICLES, dataset_dir
from pipeline.rows import shard_of
from pipeline.shard_plan import count_true

MARKER_PREFIX = ".backfill-"  # hidden: readers' *.parquet globs never match it
DATASETS = ("articles", "errors")


def staged_partitions(staging: pathlib.Path) -> dict[str, list[str]]:
    """The ``date=`` partitions in a staging directory, by dataset."""
    return {dataset: sorted(path.name.removeprefix("date=")
                            for path in dataset_dir(staging, dataset).glob("date=*") if path.is_dir())
            for dataset in DATASETS}


def partition_dir(root: str | pathlib.Path, dataset: str, date: str) -> pathlib.Path:
    """The folder of one partition under ``root`` (an output or a staging directory)."""
    return dataset_dir(root, dataset) / f"date={date}"


def name_staged_files(staging: pathlib.Path, partitions: dict[str, list[str]], run_id: str) -> None:
    """Rename staged ``part-SSSSS.parquet`` files to ``part-SSSSS-<run_id>.parquet``: names no live file has."""
    for dataset, dates in partitions.items():
        for date in dates:
            for path in partition_dir(staging, dataset, date).glob("part-?????.parquet"):
                path.rename(path.with_name(f"{path.stem}-{run_id}.parquet"))


def _live_ids_elsewhere(output_dir: str, replaced_dates: set[str]) -> dict[int, pa.Array]:
    """Per live index shard, the article ids that live in partitions the backfill does not replace."""
    found = {}
    for shard in index_shards(output_dir):
        table = index_entries(output_dir, shard, ["article_id", "date"])
        elsewhere = pc.invert(pc.is_in(table["date"], value_set=pa.array(sorted(replaced_dates), pa.string())))
        found[shard] = table.filter(elsewhere)["article_id"]
    return found


def drop_rows_kept_elsewhere(staging: pathlib.Path, output_dir: str, article_dates: list[str],
                             num_shards: int) -> int:
    """Remove from the staged articles every article_id that lives in a partition the backfill does not
    replace (that row stays; one row per article_id holds); return how many rows were dropped."""
    live = _live_ids_elsewhere(output_dir, set(article_dates))
    same_sharding = len(live) == num_shards and sorted(live) == list(range(num_shards))
    id_column = ARTICLES.id_column
    dropped = 0
    for date in article_dates:
        for path in sorted(partition_dir(staging, "articles", date).glob("*.parquet")):
            with damage_in(path):
                ids = pq.read_table(path, columns=[id_column])[id_column]
            if len(ids) == 0:
                continue
            shards = [shard_of(ids[0].as_py(), num_shards)] if same_sharding else sorted(live)
            for shard in shards:
                hit = pc.is_in(ids, value_set=live[shard])
                if pc.any(hit).as_py():
                    merge_into_file(path, ARTICLES, drop_ids=ids.filter(hit).combine_chunks())
                    dropped += count_true(hit)
                    ids = ids.filter(pc.invert(hit))
    return dropped


def mark_staged(staging: pathlib.Path, partitions: dict[str, list[str]], run_id: str) -> None:
    """Put the marker file in every staged partition that still has its files (not yet swapped)."""
    for dataset, dates in partitions.items():
        for date in dates:
            staged = partition_dir(staging, dataset, date)
            if staged.is_dir() and any(staged.glob("*.parquet")):
                (staged / f"{MARKER_PREFIX}{run_id}").touch()


def _rows_in(directory: pathlib.Path | None) -> int:
    if directory is None or not directory.is_dir():
        return 0
    return sum(rows_in_file(path) for path in directory.glob("*.parquet"))


def swap_partitions(staging: pathlib.Path, output_dir: str, partitions: dict[str, list[str]],
                    run_id: str) -> dict[str, Any]:
    """Exchange every marked staged partition with its live one; return what was replaced."""
    marker = f"{MARKER_PREFIX}{run_id}"
    counts: dict[str, Any] = collections.defaultdict(int)
    for dataset, dates in partitions.items():
        for date in dates:
            staged, live = partition_dir(staging, dataset, date), partition_dir(output_dir, dataset, date)
            if (staged / marker).exists():
                rows_after = _rows_in(staged)
                displaced = swap_directory(staged, live)
                counts[f"{dataset}_rows_before"] += _rows_in(displaced)
                counts[f"{dataset}_rows_after"] += rows_after
                counts[f"{dataset}_partitions_swapped"] += 1
            (live / marker).unlink(missing_ok=True)
    return dict(counts)
