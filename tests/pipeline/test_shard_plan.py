"""A shard's plan: the latest copy of each article, judged against the index, on Arrow columns.

The decisions are checked against a plain-Python reading of the rules (``rows.copy_rank`` for copies of one
run, ``rows.version_key`` against what is written), on drawn articles, and one by one on named cases.
"""

from __future__ import annotations

import datetime as dt
import pathlib
import pickle
from typing import Any

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.index_store import index_table
from pipeline.rows import EPOCH, copy_rank, partition_date, version_key
from pipeline.shard_plan import entries_in, plan_shard
from pipeline.staging import StagingFile
from tests.pipeline.test_parquet_sink import article, ident, when


def _entry(record: dict[str, Any]) -> tuple:
    return (partition_date(record), record["content_sha256"], *version_key(record)[:3])


def _reference(records: list[dict[str, Any]], index: dict[str, tuple]) -> tuple[dict[str, int], set[str]]:
    """The rules in plain Python: counts, and the bodies of the copies to write."""
    latest: dict[str, dict[str, Any]] = {}
    for record in records:
        current = latest.get(record["article_id"])
        if current is None or copy_rank(record) > copy_rank(current):
            latest[record["article_id"]] = record
    counts = {"articles_new": 0, "articles_updated": 0, "articles_unchanged": 0, "articles_stale": 0,
              "duplicates_in_run": len(records) - len(latest)}
    written = set()
    for article_id, record in latest.items():
        known = index.get(article_id)
        if known and known[1] == record["content_sha256"] and known[0] == partition_date(record):
            counts["articles_unchanged"] += 1
        elif known and version_key(record)[:3] < known[2:]:
            counts["articles_stale"] += 1
        else:
            counts["articles_updated" if known else "articles_new"] += 1
            written.add(record["title"])
    return counts, written


def _written_bodies(records: list[dict[str, Any]], index: pa.Table | None,
                    copies_per_bucket: int = 4096) -> tuple[dict[str, int], set[str]]:
    plan = plan_shard(records, entries_in(index), copies_per_bucket)
    titles = {record["title"] for date in plan.dates() for chunk in plan.records(date, 3) for record in chunk}
    return plan.counts, titles


# update times: none, days of May 2024, or 0: a placeholder before the epoch (0001-01-01); text: a body, a
# summary only, or none (a sitemap entry)
_copies = st.lists(st.tuples(st.integers(0, 5), st.integers(1, 3), st.sampled_from([None, 0, 2, 3]),
                             st.integers(2, 4), st.sampled_from(["a", "b"]), st.sampled_from(["body", "summary", ""])),
                   max_size=25)
ANCIENT = dt.datetime(1, 1, 1, tzinfo=dt.timezone.utc)


def _update_time(day: int | None) -> dt.datetime | None:
    return None if day is None else ANCIENT if day == 0 else when(day)


@settings(max_examples=60, deadline=None)
@given(copies=_copies, indexed=st.lists(st.tuples(st.integers(0, 5), st.integers(1, 3), st.sampled_from(["a", "z"]),
                                                  st.sampled_from([None, 3, 5]), st.integers(1, 5), st.booleans(),
                                                  st.sampled_from([True, False, None])),
                                        max_size=6),
       copies_per_bucket=st.sampled_from([4096, 3, 1]))  # one bucket; several (copies of an id stay together)
def test_plan_follows_copy_rank_and_version_key(copies: list[tuple], indexed: list[tuple],
                                                copies_per_bucket: int) -> None:
    records = [article(ident(number), day=day, updated=_update_time(updated), fetched=when(fetched),
                       title=f"{title} {position}", body=f"body {position}" if text == "body" else None,
                       summary_text=f"summary {position}" if text == "summary" else None)
               for position, (number, day, updated, fetched, title, text) in enumerate(copies)]
    stored, read = {}, {}  # as the index file holds them; as the rules read them
    for number, day, title, updated, fetched, has_fetch_time, has_text in indexed:
        date, sha, _, version, fetch_time = _entry(article(ident(number), day=day, title=title, fetched=when(fetched),
                                                           updated=when(updated) if updated else None))
        # an entry written before fetch times were kept has none, and any copy replaces it (a copy with text:
        # an entry written before the text rank was kept counts as text)
        stored[ident(number)] = (date, sha, has_text, version, fetch_time if has_fetch_time else None)
        read[ident(number)] = (date, sha, has_text is not False, *((version, fetch_time) if has_fetch_time
                                                                   else (EPOCH, EPOCH)))
    index = index_table(stored) if stored else None
    assert _written_bodies(records, index, copies_per_bucket) == _reference(records, read)


def test_among_equal_copies_the_first_seen_is_written() -> None:
    first, second = article(ident(1), body="first"), article(ident(1), body="second")
    second["content_sha256"] = first["content_sha256"]  # same rank in every key
    plan = plan_shard([first, second], entries_in(None))
    assert [record["body_text"] for chunk in plan.records("2024-05-01", 10) for record in chunk] == ["first"]
    assert plan.counts["duplicates_in_run"] == 1


def test_a_copy_without_text_never_replaces_one_with_text() -> None:
    # a news sitemap's entry (title and link, a <lastmod> two days on) beside the feed's item (a summary)
    feed_item = article(ident(1), body=None, summary_text="Four cranes.", title="feed")
    sitemap_entry = article(ident(1), body=None, title="sitemap", updated=when(3), fetched=when(3))
    plan = plan_shard([sitemap_entry, feed_item], entries_in(None))
    assert [record["title"] for chunk in plan.records("2024-05-01", 10) for record in chunk] == ["feed"]
    written_with_text = index_table({ident(1): ("2024-05-01", "0" * 64, True, EPOCH, when(1))})
    assert plan_shard([sitemap_entry], entries_in(written_with_text)).counts["articles_stale"] == 1
    # the other way round, the copy with text replaces the entry written without, however old it is
    written_without = index_table({ident(1): ("2024-05-01", "0" * 64, False, when(3), when(3))})
    assert plan_shard([feed_item], entries_in(written_without)).counts["articles_updated"] == 1


def test_moved_and_replaced_name_the_days_of_the_old_rows() -> None:
    stays, moves = article(ident(1), day=2, body="new text"), article(ident(2), day=3, updated=when(4))
    index = index_table({ident(1): ("2024-05-02", "0" * 64, True, EPOCH, when(1)),
                         ident(2): ("2024-05-01", "1" * 64, True, EPOCH, when(1))})
    plan = plan_shard([stays, moves, article(ident(3), day=5)], entries_in(index))
    assert plan.counts["articles_updated"] == 2 and plan.counts["articles_new"] == 1
    assert plan.replaced() == {"2024-05-02": {ident(1)}, "2024-05-01": {ident(2)}}
    assert plan.moved() == {"2024-05-01": {ident(2)}}
    assert plan.dates() == ["2024-05-02", "2024-05-03", "2024-05-05"]


def test_staged_rows_load_back_in_chunks(tmp_path: pathlib.Path) -> None:
    records = [article(ident(number), day=1 + number % 2, body=f"staged {number}") for number in range(7)]
    staging = StagingFile(tmp_path)
    stubs = [staging.stage(record) for record in records]
    staging.close()
    plan = plan_shard([staging.marker(), article(ident(9), body="whole")], entries_in(None))
    chunks = list(plan.records("2024-05-01", 2))
    assert [len(chunk) for chunk in chunks] == [2, 2, 1]
    assert sorted(record["body_text"] for chunk in chunks for record in chunk) == \
        ["staged 0", "staged 2", "staged 4", "staged 6", "whole"]
    assert plan.body_status == {"unknown": 8} and all(len(pickle.dumps(stub)) < 1000 for stub in stubs)


def test_records_come_in_the_partition_files_order(tmp_path: pathlib.Path) -> None:
    # published_at, then article_id: the sink writes a new partition file without sorting a copy of it
    hours = [17, 3, 9, 3, 22, 9, 0, 3]
    records = [article(ident(number), day=2, hour=hour, body=f"b{number}") for number, hour in enumerate(hours)]
    records += [article(ident(20 + number), day=1 + number % 3, hour=5) for number in range(6)]  # other days
    staging = StagingFile(tmp_path)
    for record in reversed(records[:5]):
        staging.stage(record)
    staging.close()
    plan = plan_shard([*records[5:], staging.marker()], entries_in(None))
    got = [(record["published_at"], record["article_id"])
           for chunk in plan.records("2024-05-02", 3) for record in chunk]
    assert got == sorted((record["published_at"], record["article_id"]) for record in records
                         if record["published_at"].day == 2)
    assert len(got) == 10


def test_a_shard_of_many_articles_is_held_in_a_few_hundred_bytes_each() -> None:
    records = [article(ident(number), day=1 + number % 28, body="x" * 5000) for number in range(3000)]
    plan = plan_shard(records, entries_in(None))
    assert plan.counts["articles_new"] == 3000
    assert plan.written.nbytes / 3000 < 400  # the rows are not in it: stubs only (ids, times, hashes, places)


def test_no_articles_give_an_empty_plan() -> None:
    plan = plan_shard([], entries_in(index_table({ident(1): ("2024-05-01", "0" * 64, True, EPOCH, when(1))})))
    assert plan.written.num_rows == 0 and plan.dates() == [] and plan.counts["articles_new"] == 0
    assert plan.body_status == {}
