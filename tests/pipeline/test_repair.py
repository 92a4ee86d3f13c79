"""newsbeam repair: damaged files stop a command with a clear message; repair sets them aside, re-indexes, and a
rerun of the same inputs brings their rows back without writing any row twice (real pipeline runs, read back
with DuckDB)."""

from __future__ import annotations

import pathlib
import shutil

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.cli import main
from pipeline.index_store import index_files
from pipeline.repair import DAMAGED_DIR, read_failure
from tests.feed_factory import numbered_items, rss

DAYS = (14, 15, 16)


def write_inputs(folder: pathlib.Path, title_suffix: str = "") -> pathlib.Path:
    """Three feeds of six items, one a day, and a feed cut short (two dead-letter rows)."""
    folder.mkdir(exist_ok=True)
    for day in DAYS:
        items = [(guid, link, title + title_suffix, text) for guid, link, title, text in
                 numbered_items(6, prefix=f"d{day}")]
        (folder / f"courier-{day}.xml").write_bytes(rss(items, day=day))
    (folder / "broken.xml").write_bytes(b"<rss><channel><item><title>cut")
    return folder


def ingest(inputs: pathlib.Path, output: pathlib.Path) -> int:
    return main(["ingest", str(inputs), "--output", str(output), "--shards", "2"])


def rows(output: pathlib.Path) -> tuple[list[tuple], list[tuple]]:
    articles = duckdb.sql(f"SELECT article_id, url, title, CAST(date AS VARCHAR) FROM "
                          f"read_parquet('{output}/articles/**/*.parquet', hive_partitioning = true) ORDER BY 1")
    errors = duckdb.sql(f"SELECT error_id, error_type FROM read_parquet('{output}/errors/**/*.parquet') ORDER BY 1")
    return articles.fetchall(), errors.fetchall()


def cut_short(path: pathlib.Path) -> bytes:
    """Cut ``path`` to half its size, as an interrupted copy does; return the bytes left."""
    damaged = path.read_bytes()[: path.stat().st_size // 2]
    path.write_bytes(damaged)
    return damaged


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[pathlib.Path, pathlib.Path]:
    """Inputs, and an output they were ingested into once (copied by each test that damages it)."""
    root = tmp_path_factory.mktemp("written")
    inputs = write_inputs(root / "in")
    assert ingest(inputs, root / "out") == 0
    return inputs, root / "out"


def copy_of(output: pathlib.Path, folder: pathlib.Path) -> pathlib.Path:
    target = folder / "out"
    shutil.copytree(output, target)
    return target


def test_a_damaged_article_file_stops_a_run_and_repair_then_a_rerun_restore_every_row(
        written: tuple[pathlib.Path, pathlib.Path], tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    original = written[1]
    output = copy_of(original, tmp_path)
    updated = write_inputs(tmp_path / "updated", title_suffix=" (updated)")  # every item's row is rewritten
    reference = copy_of(original, tmp_path / "reference")
    assert ingest(updated, reference) == 0  # what the run gives on an undamaged copy
    day_files = sorted((output / "articles" / "date=2023-09-15").glob("*.parquet"))
    damaged = day_files[0]
    damaged_bytes = cut_short(damaged)
    capsys.readouterr()

    assert ingest(updated, output) == 65
    message = capsys.readouterr().err
    assert f"{damaged} cannot be read as Parquet" in message and f"newsbeam repair {output}" in message
    assert "Traceback" not in message  # Beam's report of the worker's error is left out
    assert damaged.read_bytes() == damaged_bytes  # not changed

    assert main(["repair", str(output), "--dry-run"]) == 1
    assert "articles/date=2023-09-15/" + damaged.name in capsys.readouterr().out
    assert damaged.read_bytes() == damaged_bytes  # a dry run moves nothing

    assert main(["repair", str(output)]) == 0
    printed = capsys.readouterr().out
    assert not damaged.exists()
    assert (output / DAMAGED_DIR / "articles" / "date=2023-09-15" / damaged.name).read_bytes() == damaged_bytes
    assert "index rebuilt        1 day(s)" in printed
    lost = set(pq.read_table(original / damaged.relative_to(output))["article_id"].to_pylist())
    indexed = set(duckdb.sql(f"SELECT article_id FROM read_parquet('{output}/_state/article_index/*.parquet')")
                  .fetchnumpy()["article_id"].tolist())
    assert lost and not lost & indexed and len(indexed) == 18 - len(lost)  # a rerun will write them again

    assert ingest(updated, output) == 0
    assert rows(output) == rows(reference)  # every article once, as updated; the error row kept
    assert main(["repair", str(output), "--dry-run"]) == 0


def test_a_damaged_index_file_is_rebuilt_whole_and_a_rerun_writes_nothing_twice(
        written: tuple[pathlib.Path, pathlib.Path], tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    inputs, original = written
    output = copy_of(original, tmp_path)
    before = rows(output)
    index_file = index_files(output)[0]
    index_file.write_bytes(b"not parquet at all")

    assert ingest(inputs, output) == 65
    assert f"{index_file} cannot be read as Parquet" in capsys.readouterr().err
    assert main(["repair", str(output)]) == 0
    assert "index rebuilt        every day, 18 entries" in capsys.readouterr().out
    assert (output / DAMAGED_DIR / index_file.relative_to(output)).read_bytes() == b"not parquet at all"

    assert ingest(inputs, output) == 0
    assert "unchanged (already written)  18" in capsys.readouterr().out
    assert rows(output) == before


def test_a_damaged_dead_letter_file_is_set_aside_and_its_row_comes_back(
        written: tuple[pathlib.Path, pathlib.Path], tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    inputs, original = written
    output = copy_of(original, tmp_path)
    before = rows(output)
    error_file = sorted((output / "errors").glob("date=*/*.parquet"))[0]
    error_file.write_bytes(b"")

    assert main(["repair", str(output)]) == 0
    assert "index rebuilt" not in capsys.readouterr().out  # the index holds articles only
    assert ingest(inputs, output) == 0
    assert rows(output) == before


def test_compact_stops_at_a_damaged_file_and_says_what_to_do(
        written: tuple[pathlib.Path, pathlib.Path], tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    output = copy_of(written[1], tmp_path)
    damaged = sorted((output / "articles" / "date=2023-09-14").glob("*.parquet"))[0]
    cut_short(damaged)
    assert main(["compact", str(output), "--target-mb", "0.001"]) == 65
    message = capsys.readouterr().err
    assert f"newsbeam: {damaged} cannot be read as Parquet" in message and "Traceback" not in message


def test_repair_reads_every_page_not_only_the_footer(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "part-00000.parquet"
    pq.write_table(pa.table({"id": [f"id-{n}" for n in range(50_000)]}), path, row_group_size=10_000)
    assert read_failure(path) is None
    data = bytearray(path.read_bytes())
    data[len(data) // 3: len(data) // 3 + 2000] = bytes(2000)
    path.write_bytes(bytes(data))
    assert pq.read_metadata(path).num_rows == 50_000
    assert read_failure(path) is not None


def test_inspect_names_a_damaged_file_instead_of_a_duckdb_traceback(
        written: tuple[pathlib.Path, pathlib.Path], tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    output = copy_of(written[1], tmp_path)
    damaged = sorted((output / "articles" / "date=2023-09-16").glob("*.parquet"))[0]
    damaged.write_bytes(b"")
    assert main(["inspect", str(output)]) == 65
    message = capsys.readouterr().err
    assert f"newsbeam: {damaged} cannot be read as Parquet: too small to be a Parquet file" in message
    assert "Traceback" not in message
