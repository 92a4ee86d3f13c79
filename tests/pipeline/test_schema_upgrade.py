"""Files of an older schema version are rewritten in the current one before a run writes; others refused."""

from __future__ import annotations

import datetime as dt
import json
import pathlib

import duckdb
import pyarrow.parquet as pq
import pytest

from pipeline.cli import main
from pipeline.compaction import compact
from pipeline.dataset_layout import LayoutMismatchError, ensure_current_schemas, layout_path
from pipeline.parquet_sink import dataset_files
from pipeline.schema_upgrade import current_versions
from schemas.article import ARTICLE_SCHEMA_VERSION
from schemas.versioning import VERSION_METADATA_KEY
from tests.pipeline.dataset_builders import UTC, article, read_dataset, write_articles

REPO = pathlib.Path(__file__).resolve().parents[2]
SAMPLE_FEED = REPO / "examples" / "sample" / "feeds" / "caspian-courier-atom.txt"
OLD_DAY = dt.datetime(2021, 3, 1, 9, tzinfo=UTC)
NEW_DAY = dt.datetime(2024, 5, 1, 9, tzinfo=UTC)
ADDED_COLUMNS = ("body_status", "field_sources", "publisher", "publisher_url", "text_simhash")  # added to the articles since 1.0


def make_old(path: pathlib.Path, version: str = "1.0", drop: tuple[str, ...] = ADDED_COLUMNS) -> None:
    """Rewrite a dataset file as an older version wrote it: without ``drop``, stamped ``version``."""
    table = pq.read_table(path).drop_columns(list(drop))
    metadata = {**table.schema.metadata, VERSION_METADATA_KEY: version.encode()}
    pq.write_table(table.replace_schema_metadata(metadata), path)


def two_days_one_old(output: pathlib.Path) -> list[pathlib.Path]:
    """Articles on an old day (files made 1.0, the layout forgetting its versions) and on a new day."""
    write_articles(output, [article(number, OLD_DAY + dt.timedelta(minutes=number)) for number in range(6)])
    write_articles(output, [article(number, NEW_DAY + dt.timedelta(minutes=number)) for number in range(6, 12)])
    old_files = sorted((output / "articles" / "date=2021-03-01").glob("*.parquet"))
    for path in old_files:
        make_old(path)
    layout_path(str(output)).unlink(missing_ok=True)
    return old_files


def duckdb_rows(output: pathlib.Path) -> tuple[list[str], list[tuple]]:
    """Column names and rows of the articles as the README reads them."""
    relation = duckdb.sql(f"SELECT * FROM read_parquet('{output}/articles/**/*.parquet', hive_partitioning = true) "
                          "ORDER BY published_at")
    return relation.columns, relation.fetchall()


def test_older_files_are_rewritten_and_every_reader_sees_every_column(tmp_path: pathlib.Path) -> None:
    old_files = two_days_one_old(tmp_path)
    assert "body_status" not in duckdb_rows(tmp_path)[0]  # the first file read is old: the column is lost
    before = {row["article_id"]: row for row in read_dataset(tmp_path)}

    assert ensure_current_schemas(str(tmp_path)) == len(old_files)

    columns, rows = duckdb_rows(tmp_path)
    assert set(ADDED_COLUMNS) <= set(columns) and len(rows) == 12
    after = {row["article_id"]: row for row in read_dataset(tmp_path)}
    assert after.keys() == before.keys()
    for article_id, row in after.items():
        old = before[article_id]
        assert {key: value for key, value in row.items() if key not in ADDED_COLUMNS} == \
            {key: value for key, value in old.items() if key not in ADDED_COLUMNS}
        if row["date"] == "2021-03-01":
            assert row["body_status"] is None and row["field_sources"] is None
    files = dataset_files(tmp_path, "articles")
    assert {pq.read_schema(path).metadata[VERSION_METADATA_KEY].decode() for path in files} == {ARTICLE_SCHEMA_VERSION}
    assert json.loads(layout_path(str(tmp_path)).read_text())["schema_versions"] == current_versions()


def test_a_recorded_current_layout_is_not_scanned_or_rewritten_again(tmp_path: pathlib.Path) -> None:
    old_files = two_days_one_old(tmp_path)
    ensure_current_schemas(str(tmp_path))
    written = {path: path.stat().st_mtime_ns for path in old_files}

    assert ensure_current_schemas(str(tmp_path)) == 0
    assert {path: path.stat().st_mtime_ns for path in old_files} == written


@pytest.mark.parametrize(("version", "drop", "message"), [
    ("1.99", ADDED_COLUMNS, "written with schema 1.99"),  # a newer minor: its columns would be dropped
    ("2.0", ADDED_COLUMNS, "written with schema 2.0"),
    ("1.0", (), "columns this newsbeam's schema"),  # claims 1.0, holds columns: unknown to 1.0
])
def test_files_that_would_lose_data_are_refused_and_nothing_is_rewritten(
        tmp_path: pathlib.Path, version: str, drop: tuple[str, ...], message: str) -> None:
    old_files = two_days_one_old(tmp_path)
    strange = sorted((tmp_path / "articles" / "date=2024-05-01").glob("*.parquet"))[0]
    make_old(strange, version, drop)
    if not drop:  # a column no schema of ours has
        table = pq.read_table(strange)
        pq.write_table(table.append_column("mystery", table["title"]), strange)
    untouched = {path: path.read_bytes() for path in [*old_files, strange]}

    with pytest.raises(LayoutMismatchError, match=message):
        ensure_current_schemas(str(tmp_path))
    assert {path: path.read_bytes() for path in untouched} == untouched
    assert not layout_path(str(tmp_path)).exists()


def test_a_damaged_file_is_named_not_a_traceback_and_nothing_is_rewritten(tmp_path: pathlib.Path) -> None:
    old_files = two_days_one_old(tmp_path)
    damaged = sorted((tmp_path / "articles" / "date=2024-05-01").glob("*.parquet"))[0]
    damaged.write_bytes(damaged.read_bytes()[:100])  # cut short: no footer
    untouched = {path: path.read_bytes() for path in old_files}

    with pytest.raises(LayoutMismatchError, match=f"{damaged.name} cannot be read"):
        ensure_current_schemas(str(tmp_path))
    assert {path: path.read_bytes() for path in old_files} == untouched


def test_an_ingest_run_upgrades_the_days_it_does_not_write(tmp_path: pathlib.Path) -> None:
    old_files = two_days_one_old(tmp_path)

    assert main(["ingest", str(SAMPLE_FEED), "--output", str(tmp_path)]) == 0

    columns, rows = duckdb_rows(tmp_path)
    assert set(ADDED_COLUMNS) <= set(columns) and len(rows) > 12
    assert all(pq.read_schema(path).metadata[VERSION_METADATA_KEY].decode() == current_versions()["articles"]
               for path in old_files)


def test_compaction_upgrades_first_so_a_partition_of_mixed_files_compacts(tmp_path: pathlib.Path) -> None:
    write_articles(tmp_path, [article(number, OLD_DAY + dt.timedelta(minutes=number)) for number in range(20)])
    files = sorted((tmp_path / "articles" / "date=2021-03-01").glob("*.parquet"))
    for path in files[::2]:  # half the shards' files untouched since the upgrade
        make_old(path)
    layout_path(str(tmp_path)).unlink(missing_ok=True)

    stats = compact(str(tmp_path))

    assert stats["files_after"] == 1
    rows = read_dataset(tmp_path)
    assert len(rows) == 20 and "body_status" in rows[0]
