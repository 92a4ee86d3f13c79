"""Atomic writes: a reader sees the old file or the new one, never a partial one, and no debris stays."""

from __future__ import annotations

import pathlib

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline import atomic_files
from pipeline.atomic_files import (TEMP_MARKER, remove_stale_temp_files, rows_per_group, temp_path_for,
                                   write_bytes_atomically, write_parquet_atomically)


def test_temp_name_is_hidden_and_not_matched_by_parquet_globs(tmp_path: pathlib.Path) -> None:
    temp = temp_path_for(tmp_path / "part-00001.parquet")
    assert temp.parent == tmp_path
    assert temp.name.startswith(".")
    assert TEMP_MARKER in temp.name
    assert not temp.name.endswith(".parquet")
    assert temp_path_for(tmp_path / "part-00001.parquet") != temp


def test_write_bytes_creates_parents_and_replaces_content(tmp_path: pathlib.Path) -> None:
    target = tmp_path / "a" / "b" / "stats.json"
    write_bytes_atomically(target, b"first")
    write_bytes_atomically(target, b"second")
    assert target.read_bytes() == b"second"
    assert sorted(path.name for path in target.parent.iterdir()) == ["stats.json"]


def test_failed_write_leaves_the_old_file_and_no_temp(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "stats.json"
    write_bytes_atomically(target, b"old")

    def crash(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(atomic_files.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        write_bytes_atomically(target, b"new")
    assert target.read_bytes() == b"old"
    assert [path.name for path in tmp_path.iterdir()] == ["stats.json"]


def test_parquet_is_written_with_zstd_schema_metadata_and_dictionary_columns(tmp_path: pathlib.Path) -> None:
    schema = pa.schema([pa.field("id", pa.string()), pa.field("source", pa.string())], metadata={b"k": b"v"})
    table = pa.Table.from_pylist([{"id": "a", "source": "s"}, {"id": "b", "source": "s"}], schema=schema)
    target = tmp_path / "date=2024-01-01" / "part-00000.parquet"
    write_parquet_atomically(table, target, ("source", "not_a_column"))
    metadata = pq.ParquetFile(target).metadata
    assert pq.read_table(target).equals(table)
    assert pq.read_schema(target).metadata[b"k"] == b"v"
    assert metadata.row_group(0).column(0).compression == "ZSTD"
    assert [path.name for path in target.parent.iterdir()] == ["part-00000.parquet"]


def test_failed_parquet_write_leaves_the_old_file_and_no_temp(tmp_path: pathlib.Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "part-00000.parquet"
    write_parquet_atomically(pa.table({"id": ["old"]}), target, ("id",))

    def fail_after_the_header(writer: pq.ParquetWriter, table: pa.Table, **options: object) -> None:
        raise OSError("killed mid-write")  # the writer has created the temporary file and written its header

    monkeypatch.setattr(atomic_files.pq.ParquetWriter, "write_table", fail_after_the_header)
    with pytest.raises(OSError, match="killed mid-write"):
        write_parquet_atomically(pa.table({"id": ["new"]}), target, ("id",))
    monkeypatch.undo()
    assert pq.read_table(target).column("id").to_pylist() == ["old"]
    assert [path.name for path in tmp_path.iterdir()] == ["part-00000.parquet"]


def test_rows_per_group_stays_within_bounds() -> None:
    assert rows_per_group(pa.table({"x": pa.array([], pa.string())})) == atomic_files.MIN_ROWS_PER_GROUP
    assert rows_per_group(pa.table({"x": ["a"] * 10})) == atomic_files.MAX_ROWS_PER_GROUP
    assert rows_per_group(pa.table({"x": ["a" * 10_000] * 10})) == 64 * 1024 * 1024 // 10_004


def test_stale_temp_files_are_removed_and_real_files_kept(tmp_path: pathlib.Path) -> None:
    real = tmp_path / "articles" / "date=2024-01-01" / "part-00000.parquet"
    real.parent.mkdir(parents=True)
    real.write_bytes(b"real")
    temp_path_for(real).write_bytes(b"partial")
    temp_path_for(tmp_path / "_state" / "index.parquet").parent.mkdir(parents=True)
    temp_path_for(tmp_path / "_state" / "index.parquet").write_bytes(b"partial")
    assert remove_stale_temp_files(tmp_path) == 2
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == [real]
    assert remove_stale_temp_files(tmp_path / "missing") == 0
