"""``newsbeam compact OUT [--partition date=...]``: merge each partition's small files into files of a target size.

Per partition: DuckDB reads every file, keeps one row per id (the latest version, as the sink would) and
sorts by (time, id), spilling to disk past its memory limit; pyarrow writes the rows in the dataset's own
schema (so the schema version stays in the files) to ``compact-<run>-NNNNN.parquet`` files of about the
target size, in a staging directory; the staged partition is then swapped in whole
(``pipeline.directory_swap``), so a reader sees the old files or the new ones.

Compacted files hold rows of every shard. The sink still writes new rows to ``part-SSSSS.parquet`` and
removes a replaced row's old copy from the compacted files (see ``pipeline.parquet_sink``), so the dataset
keeps one row per id. Compacting again folds those part files in.
"""

from __future__ import annotations

import dataclasses
import math
import pathlib
import re
import shutil
import sys
import time
from typing import Any, Callable, Iterable, Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.argument_types import positive_float
from pipeline.atomic_files import (parquet_writer, remove_stale_temp_files, replace_atomically, rows_per_group,
                                   temp_path_for)
from pipeline.damaged_files import rows_in_file
from pipeline.directory_swap import swap_directory
from pipeline.duckdb_paths import duckdb_literal, literal_path_refusal, sql_string
from pipeline.parquet_sink import COMPACTED_PREFIX, DATASET_LAYOUTS, dataset_dir

DEFAULT_TARGET_FILE_BYTES = 128 * 1024 * 1024
PARTITION_ARGUMENT = re.compile(r"(?:date=)?\d{4}-\d{2}-\d{2}")  # --partition's value
MARKER_PREFIX = ".compact-"
STAGING_PREFIX = "compact-"
DUCKDB_MEMORY_LIMIT = "1GB"
BATCH_ROWS = 10_000
# How the sink orders versions (pipeline.rows.version_key): a copy with text (a body or a summary) first, then
# the latest update, then the latest fetch, then ties.
LATEST_FIRST = {
    "articles": ("(coalesce(body_text, '') <> '' OR coalesce(summary_text, '') <> '') DESC, "
                 "coalesce(updated_at, TIMESTAMPTZ '1970-01-01 00:00:00+00') DESC, "
                 "coalesce(fetched_at, TIMESTAMPTZ '1970-01-01 00:00:00+00') DESC, "
                 "content_sha256 DESC, source_id DESC, uri DESC"),
    "errors": "occurred_at DESC",
}


@dataclasses.dataclass
class PartitionCompaction:
    """What compacting one partition did."""

    dataset: str
    date: str
    files_before: int
    files_after: int
    rows: int
    bytes_before: int
    bytes_after: int
    duplicates_removed: int


def partition_dirs(output_dir: str, dataset: str, dates: Iterable[str] | None = None) -> list[pathlib.Path]:
    """The ``date=`` folders of ``dataset`` (only ``dates`` when given) that exist."""
    root = dataset_dir(output_dir, dataset)
    if dates is None:
        return sorted(path for path in root.glob("date=*") if path.is_dir())
    return [root / f"date={date}" for date in sorted(set(dates)) if (root / f"date={date}").is_dir()]


def files_needed(total_bytes: int, target_file_bytes: int) -> int:
    """How many files of about ``target_file_bytes`` hold ``total_bytes``."""
    return max(1, math.ceil(total_bytes / target_file_bytes))


def _duckdb_connection(spill_dir: pathlib.Path) -> Any:
    import duckdb

    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    connection.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
    connection.execute(f"SET temp_directory = {sql_string(spill_dir)}")
    connection.execute("SET preserve_insertion_order = false")
    return connection


def _arrow_batches(relation: Any, batch_rows: int) -> Iterator[pa.RecordBatch]:
    """Record batches of a DuckDB result, whatever the DuckDB version calls the reader."""
    reader = relation.to_arrow_reader(batch_rows) if hasattr(relation, "to_arrow_reader") else (
        relation.fetch_arrow_reader(batch_rows))
    yield from reader


def sorted_unique_rows(files: list[pathlib.Path], dataset: str, spill_dir: pathlib.Path) -> Iterator[pa.Table]:
    """The rows of ``files``, one per id (the latest version), sorted by (time, id), in the dataset schema."""
    layout = DATASET_LAYOUTS[dataset]
    names = ", ".join(sql_string(duckdb_literal(path)) for path in files)  # DuckDB globs every path
    query = (f"SELECT * FROM read_parquet([{names}], hive_partitioning = false) "
             f"QUALIFY row_number() OVER (PARTITION BY {layout.id_column} ORDER BY {LATEST_FIRST[dataset]}) = 1 "
             f"ORDER BY {layout.time_column}, {layout.id_column}")
    connection = _duckdb_connection(spill_dir)
    try:
        for batch in _arrow_batches(connection.sql(query), BATCH_ROWS):
            yield pa.Table.from_batches([batch]).select(layout.schema.names).cast(layout.schema)
    finally:
        connection.close()


class RollingParquetWriter:
    """Write a stream of tables into files of about ``rows_per_file`` rows each, named by ``name_for(n)``."""

    def __init__(self, directory: pathlib.Path, name_for: Callable[[int], str], schema: pa.Schema,
                 dictionary_columns: tuple[str, ...], rows_per_file: int) -> None:
        self.directory, self.name_for, self.schema = directory, name_for, schema
        self.dictionary_columns, self.rows_per_file = dictionary_columns, rows_per_file
        self.paths: list[pathlib.Path] = []
        self.writer: pq.ParquetWriter | None = None
        self.rows_in_file = 0

    def write(self, table: pa.Table) -> None:
        """Append ``table``, starting new files as the current one fills."""
        while table.num_rows:
            if self.writer is None:
                self._open()
            take = min(table.num_rows, self.rows_per_file - self.rows_in_file)
            part = table.slice(0, take)
            self.writer.write_table(part, row_group_size=rows_per_group(part))
            self.rows_in_file += take
            table = table.slice(take)
            if self.rows_in_file >= self.rows_per_file:
                self._close()

    def close(self) -> list[pathlib.Path]:
        """Finish the last file; return every file written."""
        self._close()
        return self.paths

    def _open(self) -> None:
        path = self.directory / self.name_for(len(self.paths))
        self.temp = temp_path_for(path)
        self.writer = parquet_writer(self.temp, self.schema, self.dictionary_columns)
        self.paths.append(path)
        self.rows_in_file = 0

    def _close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            replace_atomically(self.temp, self.paths[-1])
            self.writer = None


def compact_partition(live: pathlib.Path, dataset: str, staging: pathlib.Path, run_id: str,
                      target_file_bytes: int) -> PartitionCompaction | None:
    """Compact one partition through ``staging`` and swap it in; None when it is compact already."""
    files = sorted(live.glob("*.parquet"))
    bytes_before = sum(path.stat().st_size for path in files)
    rows_before = sum(rows_in_file(path) for path in files)
    if rows_before == 0 or len(files) <= files_needed(bytes_before, target_file_bytes):
        return None
    layout = DATASET_LAYOUTS[dataset]
    staged = dataset_dir(staging, dataset) / live.name
    staged.mkdir(parents=True)
    rows_per_file = max(1, int(target_file_bytes * rows_before / bytes_before))
    writer = RollingParquetWriter(staged, lambda number: f"{COMPACTED_PREFIX}{run_id}-{number:05d}.parquet",
                                  layout.schema, layout.dictionary_columns, rows_per_file)
    for table in sorted_unique_rows(files, dataset, staging / "spill"):
        writer.write(table)
    written = writer.close()
    rows_after = sum(rows_in_file(path) for path in written)
    marker = staged / f"{MARKER_PREFIX}{run_id}"
    marker.touch()
    displaced = swap_directory(staged, live)
    (live / marker.name).unlink()
    if displaced is not None:
        shutil.rmtree(displaced)
    return PartitionCompaction(dataset, live.name.removeprefix("date="), len(files), len(written), rows_after,
                               bytes_before, sum(path.stat().st_size for path in live.glob("*.parquet")),
                               rows_before - rows_after)


def recover_interrupted_compactions(output_dir: str) -> int:
    """Finish or drop what a killed compaction left; return how many partitions were moved into place.

    A staged partition with its marker whose live partition is missing was caught between the two renames
    of the fallback swap: it is complete, so it goes live. Anything else in the staging is deleted.
    """
    moved = 0
    for staging in sorted((pathlib.Path(output_dir) / "_staging").glob(f"{STAGING_PREFIX}*")):
        marker_name = f"{MARKER_PREFIX}{staging.name.removeprefix(STAGING_PREFIX)}"
        for dataset in DATASET_LAYOUTS:
            for staged in sorted(dataset_dir(staging, dataset).glob("date=*")):
                live = dataset_dir(output_dir, dataset) / staged.name
                if (staged / marker_name).exists() and not live.exists():
                    staged.rename(live)
                    moved += 1
            for marker in dataset_dir(output_dir, dataset).glob(f"date=*/{marker_name}"):
                marker.unlink()
        shutil.rmtree(staging)
    return moved


def compact(output_dir: str, partitions: Iterable[str] | None = None,
            target_file_bytes: int = DEFAULT_TARGET_FILE_BYTES, datasets: Iterable[str] = ("articles", "errors"),
            run_id: str | None = None, lock_wait_s: float = 0.0) -> dict[str, Any]:
    """Compact the partitions of ``datasets`` (``partitions``: ``date=YYYY-MM-DD`` or ``YYYY-MM-DD``; all when
    None) into files of about ``target_file_bytes``; return the stats. Raises ValueError, changing nothing, for an
    output path DuckDB cannot read literally (``pipeline.duckdb_paths.literal_path_refusal``)."""
    from pipeline.dataset_layout import ensure_current_schemas
    from pipeline.locking import output_lock
    from pipeline.options import new_run_id

    duckdb_literal(output_dir)  # a path DuckDB cannot read literally is refused before anything changes
    run_id = run_id or new_run_id()
    dates = None if partitions is None else [name.removeprefix("date=") for name in partitions]
    started = time.monotonic()
    done: list[PartitionCompaction] = []
    with output_lock(output_dir, lock_wait_s):
        recover_interrupted_compactions(output_dir)
        ensure_current_schemas(output_dir)  # DuckDB reads a partition's files as one schema
        remove_stale_temp_files(pathlib.Path(output_dir))
        staging = pathlib.Path(output_dir) / "_staging" / f"{STAGING_PREFIX}{run_id}"
        staging.mkdir(parents=True)
        try:
            for dataset in datasets:
                for live in partition_dirs(output_dir, dataset, dates):
                    result = compact_partition(live, dataset, staging, run_id, target_file_bytes)
                    done += [result] if result else []
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            if not any(staging.parent.iterdir()):
                staging.parent.rmdir()
    return compaction_stats(done, time.monotonic() - started)


def compaction_stats(done: list[PartitionCompaction], elapsed_s: float) -> dict[str, Any]:
    """Totals over the compacted partitions, and each partition's figures."""
    return {
        "partitions_compacted": len(done), "files_before": sum(item.files_before for item in done),
        "files_after": sum(item.files_after for item in done), "rows": sum(item.rows for item in done),
        "bytes_before": sum(item.bytes_before for item in done), "bytes_after": sum(item.bytes_after for item in done),
        "duplicates_removed": sum(item.duplicates_removed for item in done), "elapsed_s": round(elapsed_s, 3),
        "partitions": [dataclasses.asdict(item) for item in done],
    }


# More compacted partitions than this are summed per dataset: a dataset of 630 days printed 630 lines.
MAX_PARTITION_LINES = 20


def format_compaction(stats: dict[str, Any]) -> str:
    """An aligned table: one line per compacted partition (per dataset, with its first and last day, when there
    are more than ``MAX_PARTITION_LINES``), then the totals."""
    header = ("dataset", "partition", "files", "rows", "MB before", "MB after")
    partitions = stats["partitions"]
    if len(partitions) > MAX_PARTITION_LINES:
        groups = [(dataset, [item for item in partitions if item["dataset"] == dataset])
                  for dataset in dict.fromkeys(item["dataset"] for item in partitions)]
        lines = [_table_line(dataset, f"{len(items)} partitions, {min(item['date'] for item in items)} .. "
                             f"{max(item['date'] for item in items)}", items) for dataset, items in groups]
    else:
        lines = [_table_line(item["dataset"], item["date"], [item]) for item in partitions]
    lines.append(_table_line("total", f"{stats['partitions_compacted']} partitions", partitions))
    widths = [max(len(row[column]) for row in [header, *lines]) for column in range(len(header))]
    text = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in [header, *lines]]
    if stats["duplicates_removed"]:
        text.append(f"duplicate rows removed: {stats['duplicates_removed']:,}")
    return "\n".join(text)


def _table_line(dataset: str, partition: str, items: list[dict[str, Any]]) -> tuple[str, ...]:
    """The cells of one line of ``format_compaction``: ``items``' figures summed."""
    def total(key: str) -> int:
        return sum(item[key] for item in items)
    return (dataset, partition, f"{total('files_before')} -> {total('files_after')}", f"{total('rows'):,}",
            f"{total('bytes_before') / 1e6:.1f}", f"{total('bytes_after') / 1e6:.1f}")


def add_compact_parser(commands: Any, add_run_arguments: Callable[[Any], None] | None = None) -> Any:
    """Register ``newsbeam compact`` on the CLI's subcommands (``add_run_arguments`` is not needed)."""
    parser = commands.add_parser("compact", help="merge the small files of each partition, atomically")
    parser.add_argument("output", metavar="OUT", help="output directory of earlier runs")
    parser.add_argument("--partition", action="append", metavar="date=YYYY-MM-DD",
                        help="only this partition (repeatable); default: every partition")
    parser.add_argument("--target-mb", type=positive_float, default=DEFAULT_TARGET_FILE_BYTES / 1024 / 1024,
                        help="size of the compacted files (default %(default)s MB)")
    parser.add_argument("--dataset", choices=("articles", "errors", "all"), default="all")
    parser.add_argument("--lock-wait", type=float, default=0.0, metavar="SECONDS")
    return parser


def command_compact(args: Any, beam_args: list[str]) -> int:
    """``newsbeam compact OUT [--partition date=...] [--target-mb N]``."""
    from pipeline.cli import refuse_output_command

    if (refused := refuse_output_command("compact", args.output, beam_args)) is not None:
        return refused
    if (refusal := literal_path_refusal(args.output)) is not None:
        print(f"newsbeam compact: {refusal}", file=sys.stderr)
        return 1
    datasets = ("articles", "errors") if args.dataset == "all" else (args.dataset,)
    if args.partition:
        if bad := [name for name in args.partition if not PARTITION_ARGUMENT.fullmatch(name)]:
            print(f"newsbeam compact: --partition takes date=YYYY-MM-DD (or YYYY-MM-DD), not {bad[0]!r}",
                  file=sys.stderr)
            return 2
        missing = [name for name in args.partition
                   if not any(partition_dirs(args.output, dataset, [name.removeprefix("date=")])
                              for dataset in datasets)]
        for name in missing:
            print(f"newsbeam compact: no partition {name} in {', '.join(datasets)} of {args.output}", file=sys.stderr)
        if len(missing) == len(args.partition):
            return 1
    stats = compact(str(pathlib.Path(args.output).resolve()), args.partition, int(args.target_mb * 1024 * 1024),
                    datasets, lock_wait_s=args.lock_wait)
    print(format_compaction(stats))
    return 0
