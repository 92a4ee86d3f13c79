"""Rewrite one sorted Parquet file of the dataset a part at a time: rows dropped by id, new rows merged in.

A day's file of one shard is rewritten by every run that adds to that day: each window of a stream, each
cron run, each backfill batch (until it is sealed at ``parquet_sink.SEAL_FILE_BYTES``). Reading it whole,
filtering, concatenating and sorting held about 25 times the file's size (adding 100 articles to a 59 MB
file of 50,000: +1.45 GB). Here the old file is read an eighth of a row group at a time, each batch leaves
with the new rows that sort before its end, and the writer emits row groups of the usual size
(``atomic_files.rows_per_group``): memory is about one row group and the new rows, whatever the file's size
(+174 / +200 / +202 MB into files of 10,000 / 50,000 / 100,000 articles, merged before sealing existed:
``python -m benchmarks.writer_memory --articles 100 --days 1 --in-file ...``). The result is the same rows
in the same order as a whole-table merge. Time still grows with the file: every row is decoded and
compressed again (about 7 s for a 59 MB file), which is why files are sealed.

Files are sorted by (time, id) (``FileLayout.order``). A file that is not (written by hand, or by a version
that did not sort) still gives every row exactly once; only its order is not repaired.
"""

from __future__ import annotations

import dataclasses
import enum
import pathlib
from typing import Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.atomic_files import MAX_ROWS_PER_GROUP, MIN_ROWS_PER_GROUP, atomic_target, parquet_writer, rows_per_group
from pipeline.damaged_files import checked_batches, damage_in
from pipeline.shard_plan import count_true

READ_BUFFER_BYTES = 1 << 20  # read through a buffer, not a whole column chunk at once
READ_BATCHES_PER_GROUP = 8
MIN_BATCH_ROWS = 128


@dataclasses.dataclass(frozen=True)
class FileLayout:
    """The schema of a dataset's files, the id that makes a row unique, the time they are sorted by first,
    and the columns written with dictionaries."""

    schema: pa.Schema
    id_column: str
    time_column: str
    dictionary_columns: tuple[str, ...]

    @property
    def order(self) -> list[tuple[str, str]]:
        """The sort keys of a file: time, then id."""
        return [(self.time_column, "ascending"), (self.id_column, "ascending")]


class Outcome(enum.Enum):
    """What ``merge_into_file`` did to the file."""

    WRITTEN = "written"
    REMOVED = "removed"  # no row was left
    UNCHANGED = "unchanged"  # nothing to add, and no row of it to drop


def conformed_batches(path: pathlib.Path, schema: pa.Schema, batch_rows: int,
                      row_groups: list[int] | None = None) -> Iterator[pa.Table]:
    """The rows of the Parquet file at ``path`` (of ``row_groups`` only, when given) as ``schema``,
    ``batch_rows`` at a time; columns that the file lacks (written before they existed) read as null.

    ParquetFile, not a dataset scan: the scanner reads row groups ahead (+380 MB over a 2,000,000-row file)."""
    with damage_in(path):
        parquet = pq.ParquetFile(path, pre_buffer=False, buffer_size=READ_BUFFER_BYTES)
    with parquet:
        batches = parquet.iter_batches(batch_size=batch_rows, row_groups=row_groups, use_threads=False)
        for batch in checked_batches(path, batches):
            table = pa.Table.from_batches([batch])
            for field in schema:
                if field.name not in table.column_names:
                    table = table.append_column(field.name, pa.nulls(table.num_rows, field.type))
            yield table.select(schema.names).cast(schema)


def merge_into_file(path: pathlib.Path, layout: FileLayout, new_rows: pa.Table | None = None,
                    drop_ids: pa.Array | None = None) -> Outcome:
    """Make ``path`` hold its rows minus ``drop_ids`` and minus the ids of ``new_rows``, with ``new_rows``
    (in ``layout.order``) merged in; remove it when no row is left. Written through a temporary file."""
    new_rows = layout.schema.empty_table() if new_rows is None else new_rows
    candidates = pa.concat_arrays([pa.array([], pa.string()) if drop_ids is None else drop_ids,
                                   new_rows[layout.id_column].combine_chunks()])
    old_rows, removed, batch_rows = 0, pa.array([], pa.string()), MIN_BATCH_ROWS
    if path.exists():
        with damage_in(path), pq.ParquetFile(path) as old_file:
            old_ids = old_file.read(columns=[layout.id_column])[layout.id_column]
            batch_rows = _batch_rows(old_file.metadata)
        # the ids to remove that the file holds: a small set to test each batch against, whatever was asked
        removed = old_ids.filter(pc.is_in(old_ids, value_set=candidates)).combine_chunks()
        old_rows = len(old_ids)
    kept_rows = old_rows - len(removed)
    if kept_rows == old_rows and not new_rows.num_rows:
        return Outcome.UNCHANGED
    if kept_rows + new_rows.num_rows == 0:
        path.unlink()
        return Outcome.REMOVED
    with atomic_target(path) as temp, parquet_writer(temp, layout.schema, layout.dictionary_columns) as writer:
        groups = _RowGroups(writer)
        taken = 0
        for batch in conformed_batches(path, layout.schema, batch_rows) if kept_rows else ():
            kept = batch.filter(pc.invert(pc.is_in(batch[layout.id_column], value_set=removed)))
            if not kept.num_rows:
                continue
            # the new rows that sort up to this batch's last row join it; the rest wait for later batches
            upto = count_true(_not_after(new_rows, layout, kept.slice(kept.num_rows - 1)))
            if upto > taken:
                kept = pa.concat_tables([kept, new_rows.slice(taken, upto - taken)]).sort_by(layout.order)
            groups.add(kept)
            taken = upto
        groups.add(new_rows.slice(taken))
        groups.close()
    return Outcome.WRITTEN


def conform_file(path: pathlib.Path, layout: FileLayout) -> None:
    """Rewrite ``path`` in ``layout.schema`` and its metadata (columns the file lacks as null): the same rows
    in the same order, read and written a part at a time as in a merge. Written through a temporary file."""
    with damage_in(path), pq.ParquetFile(path) as parquet:
        batch_rows = _batch_rows(parquet.metadata)
    with atomic_target(path) as temp, parquet_writer(temp, layout.schema, layout.dictionary_columns) as writer:
        groups = _RowGroups(writer)
        for batch in conformed_batches(path, layout.schema, batch_rows):
            groups.add(batch)
        groups.close()


def _batch_rows(metadata: pq.FileMetaData) -> int:
    """Rows to read at a time: an eighth of the file's first row group (its writer sized them at about 64 MB
    of Arrow data). Reading whole groups more than doubled the merge's peak (445 against 190 MB, merging into a
    50,000-article file alone); the row groups written stay whole (``_RowGroups``)."""
    first_group = metadata.row_group(0).num_rows if metadata.num_row_groups else MIN_ROWS_PER_GROUP
    return max(MIN_BATCH_ROWS, min(MAX_ROWS_PER_GROUP, first_group) // READ_BATCHES_PER_GROUP)


def _not_after(rows: pa.Table, layout: FileLayout, last: pa.Table) -> pa.ChunkedArray:
    """Which of ``rows`` sort at or before the one row of ``last`` in ``layout.order`` (a prefix, as
    ``rows`` are sorted). Times are never null in the dataset's schemas."""
    times, ids = rows[layout.time_column], rows[layout.id_column]
    last_time, last_id = last[layout.time_column][0], last[layout.id_column][0]
    return pc.or_(pc.less(times, last_time), pc.and_(pc.equal(times, last_time), pc.less_equal(ids, last_id)))


class _RowGroups:
    """Collect tables and write them as row groups of ``rows_per_group`` rows (sized on the first rows), so
    that batch boundaries do not cut a file into small groups."""

    def __init__(self, writer: pq.ParquetWriter) -> None:
        self.writer = writer
        self.pending: list[pa.Table] = []
        self.pending_rows = 0
        self.group_rows = 0

    def add(self, table: pa.Table) -> None:
        """Queue ``table``; write every whole group queued."""
        if not table.num_rows:
            return
        self.group_rows = self.group_rows or rows_per_group(table)
        self.pending.append(table)
        self.pending_rows += table.num_rows
        if self.pending_rows >= self.group_rows:
            queued = pa.concat_tables(self.pending)
            whole = queued.num_rows - queued.num_rows % self.group_rows
            self.writer.write_table(queued.slice(0, whole), row_group_size=self.group_rows)
            self.pending = [queued.slice(whole)]
            self.pending_rows = queued.num_rows - whole

    def close(self) -> None:
        """Write what is left as the last group."""
        if self.pending_rows:
            self.writer.write_table(pa.concat_tables(self.pending), row_group_size=self.group_rows)
        self.pending, self.pending_rows = [], 0
