"""Damage in a dataset file is named as that file's, in the error and in the text Beam keeps of it."""

from __future__ import annotations

import logging
import pathlib

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.damaged_files import (DamagedFileError, checked_batches, damage_in, damaged_file_message, is_damage,
                                    not_beam_report_of_damage, rows_in_file)


def parquet_file(path: pathlib.Path, rows: int = 50_000) -> pathlib.Path:
    pq.write_table(pa.table({"id": [f"id-{n}" for n in range(rows)]}), path, row_group_size=10_000)
    return path


def test_a_file_cut_short_is_damaged_and_named(tmp_path: pathlib.Path) -> None:
    path = parquet_file(tmp_path / "part-00000.parquet")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # a copy interrupted
    with pytest.raises(DamagedFileError) as raised:
        rows_in_file(path)
    assert raised.value.path == str(path)
    assert str(raised.value).startswith(f"{path} cannot be read as Parquet: Parquet magic bytes not found")


def test_a_corrupt_page_is_damage_met_while_reading_batches(tmp_path: pathlib.Path) -> None:
    path = parquet_file(tmp_path / "part-00000.parquet")
    data = bytearray(path.read_bytes())
    data[len(data) // 3: len(data) // 3 + 2000] = bytes(2000)  # a page's bytes zeroed; the footer intact
    path.write_bytes(bytes(data))
    assert rows_in_file(path) == 50_000  # the footer alone does not tell
    with pytest.raises(DamagedFileError, match="part-00000.parquet cannot be read as Parquet"):
        with pq.ParquetFile(path) as parquet:
            for _ in checked_batches(path, parquet.iter_batches(batch_size=1_000)):
                pass


def test_a_system_error_is_not_damage(tmp_path: pathlib.Path) -> None:
    missing = tmp_path / "gone.parquet"
    with pytest.raises(FileNotFoundError):
        with damage_in(missing):
            pq.read_metadata(missing)
    assert not is_damage(PermissionError(13, "Permission denied"))
    assert is_damage(OSError("Couldn't deserialize thrift"))  # pyarrow's: no errno


def test_the_message_is_found_in_the_text_beam_keeps_of_a_workers_error(tmp_path: pathlib.Path) -> None:
    damaged = DamagedFileError(tmp_path / "articles" / "date=2024-05-01" / "part-00003.parquet",
                               pa.ArrowInvalid("Parquet file size is 0 bytes"))
    rewrapped = RuntimeError(f"{type(damaged).__name__}: {damaged} [while running 'Write/Write Parquet']")
    expected = f"{tmp_path}/articles/date=2024-05-01/part-00003.parquet cannot be read as Parquet: " \
               "Parquet file size is 0 bytes"
    assert damaged_file_message(rewrapped) == expected
    assert damaged_file_message(damaged) == expected
    try:
        try:
            raise damaged
        except DamagedFileError as exc:
            raise RuntimeError("worker failed") from exc
    except RuntimeError as outer:
        assert damaged_file_message(outer) == expected
    assert damaged_file_message(RuntimeError("No space left on device")) is None


def test_beams_report_of_a_damaged_file_is_left_to_the_one_line_message() -> None:
    def record(name: str, message: str) -> logging.LogRecord:
        return logging.LogRecord(name, logging.ERROR, __file__, 1, message, None, None)

    damaged = "DamagedFileError: /out/articles/date=2024-05-01/part-00003.parquet cannot be read as Parquet: size 0"
    assert not not_beam_report_of_damage(record("apache_beam.runners.common", damaged))
    assert not_beam_report_of_damage(record("apache_beam.runners.common", "another worker error"))
    assert not_beam_report_of_damage(record("newsbeam", damaged))
