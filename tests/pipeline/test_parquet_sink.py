"""The Parquet sink: a rerun never duplicates and never loses rows; readers see whole, valid files."""

from __future__ import annotations

import datetime as dt
import hashlib
import pathlib
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pipeline.parquet_sink
from pipeline.index_store import index_entries, index_path
from pipeline.parquet_sink import (SinkSettings, merge_stats, part_path, shard_key, write_article_shard,
                                   write_error_shard, write_shard)
from pipeline.rows import EPOCH
from schemas.article import ARTICLE_SCHEMA, ARTICLE_SCHEMA_VERSION
from schemas.error import ERROR_SCHEMA_VERSION
from schemas.versioning import NAME_METADATA_KEY, VERSION_METADATA_KEY
from transforms.records import make_error

UTC = dt.timezone.utc
SHARD = 3


def when(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2024, 5, day, hour, 0, tzinfo=UTC)


def article(article_id: str, *, day: int = 1, hour: int = 12, updated: dt.datetime | None = None,
            body: str = "Body text.", title: str = "Title", fetched: dt.datetime | None = None,
            **fields: Any) -> dict[str, Any]:
    """A finished article as it reaches the sink: every column of the schema."""
    content_sha256 = hashlib.sha256(f"{title}\x1f\x1f{body}".encode()).hexdigest()
    base = {
        "kind": "article", "article_id": article_id, "url": f"https://quay.example.org/{article_id}",
        "canonical_url": f"https://quay.example.org/{article_id}", "guid": None, "source_id": "quay",
        "feed_url": "https://quay.example.org/rss", "document_type": "rss", "title": title,
        "summary_text": None, "body_text": body, "body_html": f"<p>{body}</p>", "authors": ["Ana Ruiz"],
        "tags": ["harbour"], "language": "en", "published_at": when(day, hour), "published_offset_minutes": 60,
        "time_source": "entry.published", "time_flags": [], "updated_at": updated,
        "fetched_at": fetched or when(day, 23), "entities": [{"id": "geo:es", "name": "Spain", "type": "country",
                                                              "mentions": 2}],
        "links": [], "images": [], "quality_flags": [], "content_sha256": content_sha256,
        "raw_sha256": "f" * 64, "raw_path": "/raw/ff.xml", "uri": "https://quay.example.org/rss",
    }
    return {**base, **fields}


def ident(number: int) -> str:
    """A hex article id (the sink shards on the first 8 hex digits)."""
    return f"{number:08x}" + "a" * 24


@pytest.fixture
def sink(tmp_path: pathlib.Path) -> SinkSettings:
    return SinkSettings(output_dir=str(tmp_path / "out"), num_shards=8, pipeline_version="0.1.0-test")


def files_under(root: str) -> list[pathlib.Path]:
    return sorted(path for path in pathlib.Path(root).rglob("*") if path.is_file())


def fingerprints(root: str) -> dict[str, str]:
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest() for path in files_under(root)}


def dataset_rows(output_dir: str, dataset: str = "articles") -> list[dict[str, Any]]:
    return ds.dataset(pathlib.Path(output_dir) / dataset, format="parquet", partitioning="hive").to_table().to_pylist()


# --- layout and readers ----------------------------------------------------------------------------

def test_new_articles_land_in_their_day_partition_shard_file(sink: SinkSettings) -> None:
    stats = write_article_shard(SHARD, [article(ident(1), day=1), article(ident(2), day=2)], sink)
    assert stats["articles_new"] == 2
    assert stats["article_partitions"] == ["2024-05-01", "2024-05-02"]
    first = pathlib.Path(sink.output_dir) / "articles" / "date=2024-05-01" / "part-00003.parquet"
    assert first == part_path(sink.output_dir, "articles", "2024-05-01", SHARD)
    assert pq.read_table(first).column("article_id").to_pylist() == [ident(1)]
    assert pq.read_table(part_path(sink.output_dir, "articles", "2024-05-02", SHARD)).num_rows == 1


def test_partition_day_is_the_utc_day_of_publication(sink: SinkSettings) -> None:
    late_evening_in_new_york = dt.datetime(2024, 5, 1, 22, 30, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    write_article_shard(SHARD, [article(ident(1), published_at=late_evening_in_new_york)], sink)
    assert part_path(sink.output_dir, "articles", "2024-05-02", SHARD).exists()


def test_written_rows_keep_every_value(sink: SinkSettings) -> None:
    original = article(ident(1), updated=when(2))
    write_article_shard(SHARD, [original], sink)
    (row,) = pq.read_table(part_path(sink.output_dir, "articles", "2024-05-01", SHARD)).to_pylist()
    expected = {name: original.get(name) for name in ARTICLE_SCHEMA.names}
    expected.update(schema_version=ARTICLE_SCHEMA_VERSION, pipeline_version="0.1.0-test")
    assert row == expected


def test_partition_files_never_contain_the_date_column(sink: SinkSettings) -> None:
    write_article_shard(SHARD, [article(ident(1))], sink)
    write_error_shard(SHARD, [make_error("parse", "malformed_xml", "bad", source={"fetched_at": when(1)})], sink)
    for path in files_under(sink.output_dir):
        if path.suffix == ".parquet" and "_state" not in path.parts:
            assert "date" not in pq.read_schema(path).names, path


def test_files_carry_the_schema_version(sink: SinkSettings) -> None:
    write_article_shard(SHARD, [article(ident(1))], sink)
    write_error_shard(SHARD, [make_error("parse", "malformed_xml", "bad", source={"fetched_at": when(1)})], sink)
    article_metadata = pq.read_schema(part_path(sink.output_dir, "articles", "2024-05-01", SHARD)).metadata
    error_metadata = pq.read_schema(part_path(sink.output_dir, "errors", "2024-05-01", SHARD)).metadata
    assert article_metadata[VERSION_METADATA_KEY] == ARTICLE_SCHEMA_VERSION.encode()
    assert article_metadata[NAME_METADATA_KEY] == b"articles"
    assert error_metadata[VERSION_METADATA_KEY] == ERROR_SCHEMA_VERSION.encode()


def test_schema_version_survives_a_merge_into_an_existing_file(sink: SinkSettings) -> None:
    write_article_shard(SHARD, [article(ident(1))], sink)
    write_article_shard(SHARD, [article(ident(2))], sink)
    path = part_path(sink.output_dir, "articles", "2024-05-01", SHARD)
    assert pq.read_table(path).num_rows == 2
    assert pq.read_schema(path).metadata[VERSION_METADATA_KEY] == ARTICLE_SCHEMA_VERSION.encode()


def test_duckdb_reads_the_dataset_with_hive_partitions(sink: SinkSettings) -> None:
    write_article_shard(SHARD, [article(ident(1), day=1), article(ident(2), day=2)], sink)
    write_article_shard(5, [article(ident(13), day=2)], sink)
    pattern = f"{sink.output_dir}/articles/**/*.parquet"
    rows = duckdb.sql(f"select article_id, cast(date as varchar) as day, entities[1].name as entity "
                      f"from read_parquet('{pattern}', hive_partitioning=true) order by article_id").fetchall()
    assert rows == [(ident(1), "2024-05-01", "Spain"), (ident(2), "2024-05-02", "Spain"),
                    (ident(13), "2024-05-02", "Spain")]


def test_no_temporary_files_are_left(sink: SinkSettings) -> None:
    write_article_shard(SHARD, [article(ident(1), day=1)], sink)
    write_article_shard(SHARD, [article(ident(1), day=2, updated=when(3))], sink)
    write_error_shard(SHARD, [make_error("read", "unreadable", "gone", source={"fetched_at": when(1)})], sink)
    assert not [path for path in files_under(sink.output_dir) if ".tmp-" in path.name or path.name.startswith(".")]


# --- reruns ----------------------------------------------------------------------------------------

def test_rerun_with_the_same_input_changes_no_byte(sink: SinkSettings) -> None:
    batch = [article(ident(1), day=1), article(ident(2), day=1), article(ident(3), day=2)]
    write_article_shard(SHARD, batch, sink)
    before = fingerprints(sink.output_dir)
    stats = write_article_shard(SHARD, [dict(item) for item in reversed(batch)], sink)
    assert stats["articles_unchanged"] == 3
    assert stats["articles_new"] == stats["articles_updated"] == stats["files_written"] == 0
    assert fingerprints(sink.output_dir) == before


def test_same_input_in_a_fresh_directory_gives_identical_files(tmp_path: pathlib.Path) -> None:
    batch = [article(ident(n), day=1 + n % 3) for n in range(20)]
    outputs = []
    for name in ("first", "second"):
        settings = SinkSettings(str(tmp_path / name), 8, "0.1.0-test")
        write_article_shard(SHARD, batch if name == "first" else list(reversed(batch)), settings)
        outputs.append(fingerprints(settings.output_dir))
    assert outputs[0] == outputs[1]


def test_changed_article_with_newer_update_replaces_its_row(sink: SinkSettings) -> None:
    write_article_shard(SHARD, [article(ident(1)), article(ident(2))], sink)
    stats = write_article_shard(SHARD, [article(ident(1), body="Corrected text.", updated=when(2))], sink)
    assert (stats["articles_updated"], stats["articles_new"]) == (1, 0)
    rows = {row["article_id"]: row for row in dataset_rows(sink.output_dir)}
    assert len(rows) == 2 and len(dataset_rows(sink.output_dir)) == 2
    assert rows[ident(1)]["body_text"] == "Corrected text."
    assert rows[ident(1)]["updated_at"] == when(2)
    assert rows[ident(2)]["body_text"] == "Body text."


def test_a_new_article_with_an_update_time_before_the_epoch_is_written(sink: SinkSettings) -> None:
    # only a written version makes a copy stale; such an article used to vanish without a count or error row
    stats = write_article_shard(SHARD, [article(ident(1), updated=dt.datetime(1, 1, 1, tzinfo=UTC))], sink)
    assert (stats["articles_new"], stats["articles_stale"]) == (1, 0)
    assert [row["article_id"] for row in dataset_rows(sink.output_dir)] == [ident(1)]


def test_older_copy_is_stale_and_does_not_replace(sink: SinkSettings) -> None:
    write_article_shard(SHARD, [article(ident(1), body="Newest text.", updated=when(3))], sink)
    before = fingerprints(sink.output_dir)
    stats = write_article_shard(SHARD, [article(ident(1), body="Older text.", updated=when(2))], sink)
    assert stats["articles_stale"] == 1
    assert stats["articles_updated"] == 0
    assert fingerprints(sink.output_dir) == before
    (row,) = dataset_rows(sink.output_dir)
    assert row["body_text"] == "Newest text."


def test_older_fetch_of_an_item_without_update_time_does_not_replace_a_newer_fetch(sink: SinkSettings) -> None:
    """A backfill of old raw files must not roll back an article edited in place (no updated_at)."""
    write_article_shard(SHARD, [article(ident(1), body="Edited text.", fetched=when(5))], sink)
    stats = write_article_shard(SHARD, [article(ident(1), body="First text.", fetched=when(2))], sink)
    assert stats["articles_stale"] == 1
    (row,) = dataset_rows(sink.output_dir)
    assert row["body_text"] == "Edited text."


def test_article_whose_publication_day_moves_leaves_the_old_partition(sink: SinkSettings) -> None:
    write_article_shard(SHARD, [article(ident(1), day=1), article(ident(2), day=1)], sink)
    write_article_shard(SHARD, [article(ident(1), day=4, updated=when(4))], sink)
    rows = sorted((row["article_id"], str(row["date"])) for row in dataset_rows(sink.output_dir))
    assert rows == [(ident(1), "2024-05-04"), (ident(2), "2024-05-01")]


def test_partition_file_emptied_by_a_move_is_removed(sink: SinkSettings) -> None:
    write_article_shard(SHARD, [article(ident(1), day=1)], sink)
    stats = write_article_shard(SHARD, [article(ident(1), day=4, updated=when(4))], sink)
    assert not part_path(sink.output_dir, "articles", "2024-05-01", SHARD).exists()
    assert stats["files_removed"] == 1
    assert [row["article_id"] for row in dataset_rows(sink.output_dir)] == [ident(1)]


def test_a_large_file_of_the_day_is_sealed_and_keeps_one_row_per_article(sink: SinkSettings,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    write_article_shard(SHARD, [article(ident(1)), article(ident(2)), article(ident(3))], sink)
    monkeypatch.setattr(pipeline.parquet_sink, "SEAL_FILE_BYTES", 1)  # every existing file is large now
    partition = pathlib.Path(sink.output_dir) / "articles" / "date=2024-05-01"

    stats = write_article_shard(SHARD, [article(ident(4)), article(ident(2), body="Corrected.", updated=when(2))], sink)

    (sealed,) = partition.glob(f"compact-sealed-{SHARD:05d}-*.parquet")
    assert pq.read_table(sealed).column("article_id").to_pylist() == [ident(1), ident(3)]  # old copy of 2 left
    new_file = part_path(sink.output_dir, "articles", "2024-05-01", SHARD)
    assert pq.read_table(new_file).column("article_id").to_pylist() == [ident(2), ident(4)]
    assert (stats["articles_new"], stats["articles_updated"]) == (1, 1)
    rows = {row["article_id"]: row for row in dataset_rows(sink.output_dir)}
    assert len(rows) == len(dataset_rows(sink.output_dir)) == 4 and rows[ident(2)]["body_text"] == "Corrected."

    write_article_shard(SHARD, [article(ident(n), day=4, updated=when(4)) for n in (1, 3)], sink)  # they move
    assert not sealed.exists()  # emptied by the move, as a file of the day would be
    assert sorted((row["article_id"], str(row["date"])) for row in dataset_rows(sink.output_dir)) == [
        (ident(1), "2024-05-04"), (ident(2), "2024-05-01"), (ident(3), "2024-05-04"), (ident(4), "2024-05-01")]


def test_a_file_below_the_seal_size_is_merged_into(sink: SinkSettings) -> None:
    write_article_shard(SHARD, [article(ident(1))], sink)
    write_article_shard(SHARD, [article(ident(2))], sink)
    assert [path.name for path in (pathlib.Path(sink.output_dir) / "articles" / "date=2024-05-01").iterdir()] == [
        f"part-{SHARD:05d}.parquet"]


def test_a_sealed_errors_file_loses_the_rows_written_again(sink: SinkSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    errors = [make_error("parse", "malformed_xml", f"bad {n}", source={"fetched_at": when(1)}) for n in range(3)]
    write_error_shard(SHARD, errors, sink)
    monkeypatch.setattr(pipeline.parquet_sink, "SEAL_FILE_BYTES", 1)
    write_error_shard(SHARD, errors[:1], sink)
    assert len(dataset_rows(sink.output_dir, "errors")) == 3
    assert len(list((pathlib.Path(sink.output_dir) / "errors" / "date=2024-05-01").glob("compact-sealed-*"))) == 1


def test_publication_day_corrected_to_an_earlier_day_moves_the_article(sink: SinkSettings) -> None:
    write_article_shard(SHARD, [article(ident(1), day=5, fetched=when(5, 23))], sink)
    write_article_shard(SHARD, [article(ident(1), day=4, fetched=when(6, 8), updated=when(6))], sink)
    assert [(row["article_id"], str(row["date"])) for row in dataset_rows(sink.output_dir)] == [
        (ident(1), "2024-05-04")]


def test_reprocessing_the_same_fetch_applies_an_earlier_corrected_publication_day(sink: SinkSettings) -> None:
    """A rerun of the same raw files after a fix to time parsing must move the article, not call it stale."""
    write_article_shard(SHARD, [article(ident(1), day=5, hour=1, fetched=when(5, 23))], sink)
    stats = write_article_shard(SHARD, [article(ident(1), day=4, hour=23, fetched=when(5, 23))], sink)
    assert stats["articles_updated"] == 1
    assert [(row["article_id"], str(row["date"])) for row in dataset_rows(sink.output_dir)] == [
        (ident(1), "2024-05-04")]


def test_newer_fetch_of_an_item_edited_in_place_replaces_it(sink: SinkSettings) -> None:
    write_article_shard(SHARD, [article(ident(1), body="First text.", fetched=when(2))], sink)
    stats = write_article_shard(SHARD, [article(ident(1), body="Edited text.", fetched=when(5))], sink)
    assert stats["articles_updated"] == 1
    (row,) = dataset_rows(sink.output_dir)
    assert row["body_text"] == "Edited text."


def test_index_written_before_fetch_times_were_kept_is_still_read(sink: SinkSettings) -> None:
    old_index = pa.table({"article_id": [ident(1)], "date": ["2024-05-01"], "content_sha256": ["0" * 64],
                          "version_at": pa.array([when(1)], pa.timestamp("us", tz="UTC"))})
    index_path(sink.output_dir, SHARD).parent.mkdir(parents=True)
    pq.write_table(old_index, index_path(sink.output_dir, SHARD))
    stats = write_article_shard(SHARD, [article(ident(1), body="New")], sink)
    assert stats["articles_updated"] == 1


def test_unchanged_articles_across_many_reruns_stay_one_row_each(sink: SinkSettings) -> None:
    batch = [article(ident(n), day=1 + n % 2) for n in range(10)]
    for _ in range(3):
        write_article_shard(SHARD, batch, sink)
    assert sorted(row["article_id"] for row in dataset_rows(sink.output_dir)) == sorted(ident(n) for n in range(10))


def test_duplicates_in_one_call_are_merged_and_the_latest_version_wins(sink: SinkSettings) -> None:
    copies = [article(ident(1), body="v2", updated=when(2)), article(ident(1), body="v3", updated=when(3)),
              article(ident(1), body="v1", updated=None)]
    stats = write_article_shard(SHARD, copies, sink)
    assert (stats["articles_new"], stats["duplicates_in_run"]) == (1, 2)
    (row,) = dataset_rows(sink.output_dir)
    assert row["body_text"] == "v3"


def test_duplicates_without_update_time_keep_the_latest_fetch(sink: SinkSettings) -> None:
    copies = [article(ident(1), body="later", fetched=when(3)), article(ident(1), body="earlier", fetched=when(2))]
    write_article_shard(SHARD, copies, sink)
    (row,) = dataset_rows(sink.output_dir)
    assert row["body_text"] == "later"


def test_index_remembers_written_articles_for_later_runs(sink: SinkSettings) -> None:
    write_article_shard(SHARD, [article(ident(1))], sink)
    assert index_entries(sink.output_dir, SHARD, ["article_id"])["article_id"].to_pylist() == [ident(1)]


# --- errors ----------------------------------------------------------------------------------------

def test_errors_merge_by_error_id(sink: SinkSettings) -> None:
    source = {"uri": "/in/a.xml", "raw_sha256": "a" * 64, "fetched_at": when(1), "source_id": "quay"}
    first = make_error("parse", "malformed_xml", "line 3", source=source)
    second = make_error("parse", "empty_feed", "no items", source=source)
    stats = write_error_shard(SHARD, [first, second, dict(first)], sink)
    assert stats["error_rows"] == 2  # the rows written: the summary's count is the dead letter's
    assert stats["errors_by_type"] == {"parse:malformed_xml": 1, "parse:empty_feed": 1}
    stats = write_error_shard(SHARD, [first], sink)
    assert stats["errors_by_type"] == {"parse:malformed_xml": 1}
    rows = dataset_rows(sink.output_dir, "errors")
    assert sorted(row["error_id"] for row in rows) == sorted([first["error_id"], second["error_id"]])
    assert {row["schema_version"] for row in rows} == {ERROR_SCHEMA_VERSION}


def test_error_rerun_changes_no_byte(sink: SinkSettings) -> None:
    errors = [make_error("read", "bad_gzip", "corrupt", source={"uri": f"/in/{n}.gz", "fetched_at": when(1)})
              for n in range(5)]
    write_error_shard(SHARD, errors, sink)
    before = fingerprints(sink.output_dir)
    write_error_shard(SHARD, list(reversed(errors)), sink)
    assert fingerprints(sink.output_dir) == before


def test_errors_land_in_the_day_they_occurred(sink: SinkSettings) -> None:
    write_error_shard(SHARD, [make_error("read", "unreadable", "x", source={"fetched_at": when(7, 1)})], sink)
    assert part_path(sink.output_dir, "errors", "2024-05-07", SHARD).exists()


# --- dispatch and stats ----------------------------------------------------------------------------

def test_shard_key_routes_articles_and_errors_and_is_stable() -> None:
    error = make_error("parse", "x", "y", source={"fetched_at": when(1)})
    assert shard_key(article(ident(11)), 8) == ("articles", 11 % 8)
    assert shard_key(error, 8) == ("errors", int(error["error_id"][:8], 16) % 8)


def test_write_shard_dispatches_by_dataset(sink: SinkSettings) -> None:
    error = make_error("parse", "x", "y", source={"fetched_at": when(1)})
    assert write_shard(("articles", SHARD), [article(ident(1))], sink)["articles_new"] == 1
    assert write_shard(("errors", SHARD), [error], sink)["error_rows"] == 1


def test_merge_stats_sums_counts_and_unions_partitions() -> None:
    total = merge_stats([
        {**write_stats(articles_new=2, article_partitions=["2024-05-01"], errors_by_type={"parse:x": 1})},
        {**write_stats(articles_new=1, articles_stale=1, article_partitions=["2024-05-02", "2024-05-01"],
                       errors_by_type={"parse:x": 2, "read:y": 1})},
    ])
    assert total["articles_new"] == 3 and total["articles_stale"] == 1
    assert total["article_partitions"] == ["2024-05-01", "2024-05-02"]
    assert total["errors_by_type"] == {"parse:x": 3, "read:y": 1}


def write_stats(**values: Any) -> dict[str, Any]:
    from pipeline.parquet_sink import empty_stats

    return {**empty_stats(), **values}
