"""Write files so that a reader never sees a partial one: temporary name, fsync, rename into place."""

from __future__ import annotations

import contextlib
import os
import pathlib
import uuid
from typing import Iterator

import pyarrow as pa
import pyarrow.parquet as pq

TEMP_MARKER = ".tmp-"
TARGET_ROW_GROUP_BYTES = 64 * 1024 * 1024
MAX_ROWS_PER_GROUP = 100_000
MIN_ROWS_PER_GROUP = 1_000


def temp_path_for(path: pathlib.Path) -> pathlib.Path:
    """A hidden sibling of ``path`` that readers' ``*.parquet`` globs never match."""
    return path.with_name(f".{path.name}{TEMP_MARKER}{uuid.uuid4().hex}")


def fsync_directory(directory: pathlib.Path) -> None:
    """Flush ``directory``'s entries (a rename is durable only once its directory is)."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def replace_atomically(temp: pathlib.Path, path: pathlib.Path) -> None:
    """fsync ``temp`` and rename it onto ``path`` (atomic on POSIX file systems)."""
    with open(temp, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(temp, path)
    fsync_directory(path.parent)


@contextlib.contextmanager
def atomic_target(path: pathlib.Path) -> Iterator[pathlib.Path]:
    """A temporary sibling to write ``path``'s new content to: renamed onto ``path`` when the block ends
    normally, deleted when it raises."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_path_for(path)
    try:
        yield temp
        replace_atomically(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def write_bytes_atomically(path: pathlib.Path, data: bytes) -> None:
    """Write ``data`` to ``path`` by temp file and rename."""
    with atomic_target(path) as temp:
        temp.write_bytes(data)


def rows_per_group(table: pa.Table) -> int:
    """Rows per row group so that a group is about 64 MB uncompressed."""
    if table.num_rows == 0:
        return MIN_ROWS_PER_GROUP
    average_row_bytes = max(1, table.nbytes // table.num_rows)
    return max(MIN_ROWS_PER_GROUP, min(MAX_ROWS_PER_GROUP, TARGET_ROW_GROUP_BYTES // average_row_bytes))


def _is_text(data_type: pa.DataType) -> bool:
    while pa.types.is_list(data_type) or pa.types.is_large_list(data_type):
        data_type = data_type.value_type
    return pa.types.is_string(data_type) or pa.types.is_large_string(data_type) or pa.types.is_struct(data_type)


def statistics_columns(schema: pa.Schema, dictionary_columns: tuple[str, ...]) -> list[str]:
    """Columns worth min/max statistics: times, numbers and the dictionary-encoded labels, which readers
    prune with. Not free text (titles, bodies, URLs, random ids): Parquet copies each chunk's min and max
    into the footer and every page header, which doubled the bytes per article of the day-and-shard files."""
    return [field.name for field in schema if field.name in dictionary_columns or not _is_text(field.type)]


def parquet_writer(path: pathlib.Path, schema: pa.Schema, dictionary_columns: tuple[str, ...],
                   sorted_by: str | None = None) -> pq.ParquetWriter:
    """A zstd Parquet writer of ``schema`` (its metadata kept) with the dataset's dictionary-encoded and
    statistics columns: every Parquet file of a dataset is written through one. A text column the file is
    sorted by (``sorted_by``) keeps its statistics too: a reader skips the row groups that cannot hold a key."""
    return pq.ParquetWriter(
        path, schema, compression="zstd", compression_level=6,
        use_dictionary=[name for name in dictionary_columns if name in schema.names],
        write_statistics=statistics_columns(schema, dictionary_columns) + ([sorted_by] if sorted_by else []),
    )


def write_parquet_atomically(table: pa.Table, path: pathlib.Path, dictionary_columns: tuple[str, ...]) -> None:
    """Write ``table`` as zstd Parquet at ``path`` via a temporary file; the schema metadata is kept."""
    with atomic_target(path) as temp, parquet_writer(temp, table.schema, dictionary_columns) as writer:
        writer.write_table(table, row_group_size=rows_per_group(table))


def remove_stale_temp_files(root: pathlib.Path) -> int:
    """Delete temporary files left by a run that was killed; call only while holding the output lock."""
    removed = 0
    if root.exists():
        for stale in root.rglob(f".*{TEMP_MARKER}*"):
            stale.unlink(missing_ok=True)
            removed += 1
    return removed
