"""Rebuilding the sink's article index from the dataset gives the index the sink itself keeps."""

from __future__ import annotations

import datetime as dt
import pathlib
import shutil

import pyarrow.parquet as pq
import pytest

import pipeline.parquet_sink
from pipeline.article_index import rebuild_article_index
from pipeline.compaction import compact
from pipeline.index_store import INDEX_SCHEMA, index_entries, index_path, index_shards, save_index
from tests.pipeline.dataset_builders import SHARDS, UTC, article, article_id, write_articles

DAY = dt.datetime(2024, 5, 1, 8, tzinfo=UTC)


def index_rows(output: pathlib.Path) -> list[dict]:
    return sorted((row for shard in index_shards(output) for row in
                   index_entries(output, shard, INDEX_SCHEMA.names).to_pylist()), key=lambda row: row["article_id"])


def dataset(output: pathlib.Path) -> None:
    write_articles(output, [article(number, DAY + dt.timedelta(days=number % 3, minutes=number)) for number in range(40)])
    write_articles(output, [article(number, DAY + dt.timedelta(days=number % 3, minutes=number), title="v2",
                                    updated_at=DAY + dt.timedelta(days=5)) for number in range(0, 40, 4)])


def test_full_rebuild_equals_the_index_the_sink_wrote(tmp_path: pathlib.Path) -> None:
    dataset(tmp_path)
    written = index_rows(tmp_path)
    shutil.rmtree(tmp_path / "_state" / "article_index")
    assert rebuild_article_index(tmp_path, SHARDS) == 40
    assert index_rows(tmp_path) == written


def test_a_rebuilt_entry_says_whether_its_row_carries_text(tmp_path: pathlib.Path) -> None:
    linked_only = [{**article(number, DAY), "body_text": None, "summary_text": "" if number else None}
                   for number in range(2)]  # a sitemap entry: a title and a link
    write_articles(tmp_path, [*linked_only, article(2, DAY), {**article(3, DAY), "body_text": None}])
    written = index_rows(tmp_path)
    assert {row["article_id"]: row["has_text"] for row in written} == {
        article_id(0): False, article_id(1): False, article_id(2): True, article_id(3): True}  # 3: a summary
    shutil.rmtree(tmp_path / "_state" / "article_index")
    rebuild_article_index(tmp_path, SHARDS)
    assert index_rows(tmp_path) == written


def test_rebuilding_some_days_keeps_the_entries_of_the_others(tmp_path: pathlib.Path) -> None:
    dataset(tmp_path)
    written = index_rows(tmp_path)
    shutil.rmtree(tmp_path / "articles" / "date=2024-05-02")  # as if a backfill emptied that day
    assert rebuild_article_index(tmp_path, SHARDS, ["2024-05-02"]) == len(written) - 13
    assert index_rows(tmp_path) == [row for row in written if row["date"] != "2024-05-02"]


def test_rows_in_compacted_files_are_indexed_under_their_own_shard(tmp_path: pathlib.Path) -> None:
    dataset(tmp_path)
    written = index_rows(tmp_path)
    compact(str(tmp_path))
    rebuild_article_index(tmp_path, SHARDS)
    assert index_rows(tmp_path) == written


def test_rows_in_sealed_files_are_indexed_under_their_own_shard(tmp_path: pathlib.Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline.parquet_sink, "SEAL_FILE_BYTES", 1)  # the second write seals every file
    dataset(tmp_path)
    assert list((tmp_path / "articles").rglob("compact-sealed-*.parquet"))
    written = index_rows(tmp_path)
    shutil.rmtree(tmp_path / "_state" / "article_index")
    assert rebuild_article_index(tmp_path, SHARDS) == 40
    assert index_rows(tmp_path) == written


def linked_only(number: int, title: str, updated_at: dt.datetime | None = None) -> dict:
    """A copy without text (a sitemap entry: a title and a link)."""
    return {**article(number, DAY, title=title, updated_at=updated_at), "body_text": None, "summary_text": None,
            "body_html": None, "content_sha256": f"{number:02d}{title}".ljust(64, "0")}


def test_entries_written_before_the_text_rank_are_ranked_by_their_rows_so_copies_without_text_still_update(
        tmp_path: pathlib.Path) -> None:
    write_articles(tmp_path, [linked_only(number, "v1") for number in range(4)] + [article(4, DAY), article(5, DAY)])
    for shard in index_shards(tmp_path):  # as an index written before has_text existed
        save_index(tmp_path, shard, INDEX_SCHEMA.empty_table())  # its changes folded into the base
        pq.write_table(pq.read_table(index_path(tmp_path, shard)).drop_columns(["has_text"]),
                       index_path(tmp_path, shard))

    later = DAY + dt.timedelta(days=1)
    write_articles(tmp_path, [linked_only(number, "v2", updated_at=later) for number in range(6)])

    rows = pq.read_table(tmp_path / "articles", columns=["article_id", "title"]).to_pylist()
    titles = {row["article_id"]: row["title"] for row in rows}
    assert len(titles) == len(rows) == 6
    assert titles == {**{article_id(number): "v2" for number in range(4)},  # a sitemap's own entries update
                      article_id(4): "story 4", article_id(5): "story 5"}  # copies with text are kept
    # the rewritten entries have their rank now; the others are left as they were (looked up when next seen)
    assert {row["article_id"]: row["has_text"] for row in index_rows(tmp_path)} == {
        **{article_id(number): False for number in range(4)}, article_id(4): None, article_id(5): None}
