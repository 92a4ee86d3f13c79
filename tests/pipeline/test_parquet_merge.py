"""merge_into_file against a whole-table merge, row by row, over files of many read batches."""

from __future__ import annotations

import datetime as dt
import os
import pathlib

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.parquet_merge import (MIN_BATCH_ROWS, FileLayout, Outcome, conform_file, conformed_batches,
                                    merge_into_file)

TIMESTAMP = pa.timestamp("us", tz="UTC")
SCHEMA = pa.schema([pa.field("id", pa.string(), nullable=False), pa.field("at", TIMESTAMP, nullable=False),
                    pa.field("version", pa.int64()), pa.field("label", pa.string())])
LAYOUT = FileLayout(SCHEMA, "id", "at", ("label",))
START = dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc)


def rows(ids: list[int], version: int) -> pa.Table:
    """Rows for ``ids`` in the file's order; few distinct times, so ties are broken by id."""
    table = pa.table({"id": [f"id-{number:05d}" for number in ids],
                      "at": [START + dt.timedelta(minutes=number % 7) for number in ids],
                      "version": [version] * len(ids), "label": [f"l{number % 3}" for number in ids]}, schema=SCHEMA)
    return table.sort_by(LAYOUT.order)


def write_in_small_groups(table: pa.Table, path: pathlib.Path) -> None:
    """A file whose row groups hold ``MIN_BATCH_ROWS`` rows, so a merge reads it in many batches."""
    with pq.ParquetWriter(path, SCHEMA) as writer:
        writer.write_table(table, row_group_size=MIN_BATCH_ROWS)


def whole_table_merge(old: pa.Table, new: pa.Table, drop: list[str]) -> pa.Table:
    """The plain rule: old rows minus dropped ids and ids of new rows, plus new rows, sorted."""
    removed = pa.array(drop + new["id"].to_pylist(), pa.string())
    kept = old.filter(pc.invert(pc.is_in(old["id"], value_set=removed)))
    return pa.concat_tables([kept, new]).sort_by(LAYOUT.order)


@settings(max_examples=40, deadline=None)
@given(old_ids=st.sets(st.integers(0, 2000), max_size=700), new_ids=st.sets(st.integers(0, 2000), max_size=150),
       drop_ids=st.sets(st.integers(0, 2000), max_size=60))
def test_merge_gives_the_rows_and_order_of_a_whole_table_merge(tmp_path_factory: object, old_ids: set[int],
                                                                 new_ids: set[int], drop_ids: set[int]) -> None:
    path = tmp_path_factory.mktemp("merge") / "part-00000.parquet"  # type: ignore[attr-defined]
    old, new = rows(sorted(old_ids), 1), rows(sorted(new_ids), 2)
    drop = [f"id-{number:05d}" for number in sorted(drop_ids)]
    if old_ids:
        write_in_small_groups(old, path)
    expected = whole_table_merge(old, new, drop)

    outcome = merge_into_file(path, LAYOUT, new, pa.array(drop, pa.string()))

    if expected.num_rows == 0:
        assert not path.exists()
        assert outcome in (Outcome.REMOVED, Outcome.UNCHANGED)
    else:
        assert pq.read_table(path).to_pylist() == expected.to_pylist()


def test_nothing_to_add_or_drop_leaves_the_file_untouched(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "part-00000.parquet"
    write_in_small_groups(rows(list(range(300)), 1), path)
    before = os.stat(path)

    outcome = merge_into_file(path, LAYOUT, None, pa.array(["id-99999"], pa.string()))

    assert outcome is Outcome.UNCHANGED
    assert (os.stat(path).st_ino, os.stat(path).st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_dropping_every_row_removes_the_file(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "part-00000.parquet"
    write_in_small_groups(rows([1, 2, 3], 1), path)

    assert merge_into_file(path, LAYOUT, None, pa.array(["id-00001", "id-00002", "id-00003"])) is Outcome.REMOVED
    assert list(tmp_path.iterdir()) == []


def test_read_batches_do_not_cut_the_written_file_into_small_row_groups(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "part-00000.parquet"
    write_in_small_groups(rows(list(range(0, 6000, 2)), 1), path)  # 24 groups of 128 rows: 24 read batches

    merge_into_file(path, LAYOUT, rows(list(range(1, 6000, 20)), 2))

    metadata = pq.read_metadata(path)
    assert metadata.num_rows == 3000 + 300
    assert metadata.num_row_groups == 1  # rows this small fit one group (atomic_files.rows_per_group)


def test_written_files_keep_the_schema_metadata_and_dictionary_columns(tmp_path: pathlib.Path) -> None:
    schema = SCHEMA.with_metadata({b"newsbeam.schema_version": b"9.9"})
    layout = FileLayout(schema, "id", "at", ("label",))
    path = tmp_path / "part-00000.parquet"

    merge_into_file(path, layout, rows([1, 2], 1).cast(schema))

    assert pq.read_schema(path).metadata[b"newsbeam.schema_version"] == b"9.9"
    label = pq.read_metadata(path).row_group(0).column(3)
    assert label.path_in_schema == "label" and "RLE_DICTIONARY" in label.encodings
    assert label.compression == "ZSTD"


def test_columns_a_file_lacks_read_as_null(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "old.parquet"
    pq.write_table(rows([1, 2], 1).drop_columns(["label"]), path)

    batches = list(conformed_batches(path, SCHEMA, 1))

    assert [batch.schema for batch in batches] == [SCHEMA, SCHEMA]
    assert [batch["label"][0].as_py() for batch in batches] == [None, None]
    merge_into_file(path, LAYOUT, rows([3], 2))
    assert pq.read_table(path).column("label").to_pylist() == [None, None, "l0"]


def test_conform_file_adds_missing_columns_as_null_and_keeps_rows_order_and_groups(tmp_path: pathlib.Path) -> None:
    schema = SCHEMA.with_metadata({b"newsbeam.schema_version": b"1.1"})
    layout = FileLayout(schema, "id", "at", ("label",))
    path = tmp_path / "part-00000.parquet"
    old = rows(list(range(0, 3000, 3)), 1).drop_columns(["label"])
    with pq.ParquetWriter(path, old.schema.with_metadata({b"newsbeam.schema_version": b"1.0"})) as writer:
        writer.write_table(old, row_group_size=MIN_BATCH_ROWS)

    conform_file(path, layout)

    written = pq.read_table(path)
    assert written.schema.metadata[b"newsbeam.schema_version"] == b"1.1"
    assert written.column_names == SCHEMA.names
    assert written.drop_columns(["label"]).to_pylist() == old.to_pylist()
    assert written["label"].null_count == written.num_rows
