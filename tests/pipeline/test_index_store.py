"""The article index of a shard: a base and delta files, read and folded a batch at a time."""

from __future__ import annotations

import datetime as dt
import pathlib
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pipeline.index_store
from pipeline.index_store import (INDEX_SCHEMA, add_index_entries, index_dir, index_entries, index_path, index_table,
                                  read_index_entries, save_index)
from pipeline.rows import EPOCH

UTC = dt.timezone.utc
SHARD = 3


def when(day: int) -> dt.datetime:
    return dt.datetime(2024, 5, day, 12, tzinfo=UTC)


def ident(number: int) -> str:
    return f"{number:08x}" + "a" * 24


def _entries(numbers: list[int], day: int, sha: str = "a") -> dict[str, tuple]:
    return {ident(number): (f"2024-05-0{day}", sha * 64, True, EPOCH, when(day)) for number in numbers}


def _base_rows(output_dir: str) -> list[tuple]:
    return [tuple(row.values()) for row in pq.read_table(index_path(output_dir, SHARD)).to_pylist()]


def _all_rows(output_dir: str) -> list[tuple]:
    return sorted(tuple(row.values()) for row in index_entries(output_dir, SHARD, INDEX_SCHEMA.names).to_pylist())


def _deltas(output_dir: str) -> list[pathlib.Path]:
    return sorted((index_dir(output_dir) / "deltas").glob("*.parquet"))


@settings(max_examples=40, deadline=None)
@given(old=st.dictionaries(st.integers(0, 40), st.integers(1, 4), max_size=30),
       changed=st.dictionaries(st.integers(0, 40), st.integers(1, 4), max_size=12),
       replaced_days=st.sets(st.integers(1, 4), max_size=2), batch_rows=st.sampled_from([1, 3, 7, 65_536]))
def test_index_rewrite_in_batches_equals_the_whole_rewrite(tmp_path_factory: pytest.TempPathFactory, old: dict,
                                                           changed: dict, replaced_days: set, batch_rows: int) -> None:
    output = str(tmp_path_factory.mktemp("index"))
    old_entries = {key: value for number, day in old.items() for key, value in _entries([number], day).items()}
    new_entries = {key: value for number, day in changed.items()
                   for key, value in _entries([number], day, "b").items()}
    save_index(output, SHARD, index_table(old_entries))
    replaced = {f"2024-05-0{day}" for day in replaced_days}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline.index_store, "INDEX_BATCH_ROWS", batch_rows)
        size = save_index(output, SHARD, index_table(new_entries), replaced_dates=replaced)
    # the rule in plain Python: old entries not changed and not of a rebuilt day, then the changed ones
    expected = {key: value for key, value in old_entries.items() if key not in new_entries and value[0] not in replaced}
    expected.update(new_entries)
    assert _base_rows(output) == [(key, *value) for key, value in sorted(expected.items())]
    assert size == len(expected)


@settings(max_examples=40, deadline=None)
@given(runs=st.lists(st.dictionaries(st.integers(0, 30), st.integers(1, 4), min_size=1, max_size=8), max_size=12),
       max_files=st.sampled_from([2, 3, 16]), max_entries=st.sampled_from([5, 131_072]),
       rebuilt_day=st.one_of(st.none(), st.integers(1, 4)), batch_rows=st.sampled_from([2, 65_536]))
def test_runs_added_as_deltas_read_as_one_index_whatever_was_folded(
        tmp_path_factory: pytest.TempPathFactory, runs: list[dict], max_files: int, max_entries: int,
        rebuilt_day: int | None, batch_rows: int) -> None:
    output = str(tmp_path_factory.mktemp("index"))
    expected: dict[str, tuple] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline.index_store, "MAX_DELTA_FILES", max_files)
        patch.setattr(pipeline.index_store, "MAX_DELTA_ENTRIES", max_entries)
        patch.setattr(pipeline.index_store, "INDEX_BATCH_ROWS", batch_rows)
        for run, numbers in enumerate(runs):
            changed = {key: value for number, day in numbers.items()
                       for key, value in _entries([number], day, "abcdefghijklm"[run]).items()}
            add_index_entries(output, SHARD, index_table(changed))
            expected.update(changed)
            assert len(_deltas(output)) < max_files
        found = read_index_entries(output, SHARD, pa.array([ident(number) for number in range(32)]))
        assert (found is None) == (not runs)  # no index before the first write
        assert [tuple(row.values()) for row in (found.to_pylist() if found else [])] == [
            (key, *value) for key, value in sorted(expected.items())]
        if rebuilt_day is not None:  # a backfill's rebuild of one day: its entries replaced by the rebuilt ones
            day = f"2024-05-0{rebuilt_day}"
            rebuilt = _entries([40, 41], rebuilt_day, "z")
            save_index(output, SHARD, index_table(rebuilt), replaced_dates=[day])
            expected = {key: value for key, value in expected.items() if value[0] != day} | rebuilt
            assert not _deltas(output)
    assert _all_rows(output) == [(key, *value) for key, value in sorted(expected.items())]


def test_a_run_adds_a_small_delta_and_the_base_is_rewritten_only_at_a_fold(tmp_path: pathlib.Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    output = str(tmp_path)
    monkeypatch.setattr(pipeline.index_store, "MAX_DELTA_FILES", 3)
    save_index(output, SHARD, index_table(_entries(list(range(100)), 1)))
    base_written = index_path(output, SHARD).stat().st_mtime_ns
    add_index_entries(output, SHARD, index_table(_entries([1, 200], 2, "b")))
    add_index_entries(output, SHARD, index_table(_entries([2], 3, "c")))
    assert len(_deltas(output)) == 2 and index_path(output, SHARD).stat().st_mtime_ns == base_written
    found = read_index_entries(output, SHARD, pa.array([ident(1), ident(2), ident(3), ident(200)]))
    assert [(row["article_id"], row["date"]) for row in found.to_pylist()] == [
        (ident(1), "2024-05-02"), (ident(2), "2024-05-03"), (ident(3), "2024-05-01"), (ident(200), "2024-05-02")]
    add_index_entries(output, SHARD, index_table(_entries([3], 4, "d")))  # the third delta: folded
    assert not _deltas(output)
    assert len(_base_rows(output)) == 101
    assert dict((row[0], row[1]) for row in _base_rows(output))[ident(3)] == "2024-05-04"


def test_deltas_left_by_a_fold_killed_before_it_deleted_them_are_skipped(tmp_path: pathlib.Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    output = str(tmp_path)
    monkeypatch.setattr(pipeline.index_store, "MAX_DELTA_FILES", 2)
    add_index_entries(output, SHARD, index_table(_entries([1], 1, "a")))
    kept = tmp_path / "kept"
    shutil.copytree(index_dir(output) / "deltas", kept)  # the delta as it was before the fold
    add_index_entries(output, SHARD, index_table(_entries([1], 2, "b")))  # folded: id 1 now on day 2
    for path in kept.iterdir():  # the fold wrote the base, then was killed before deleting its deltas
        shutil.copy(path, index_dir(output) / "deltas" / path.name)
    assert _all_rows(output) == [(ident(1), "2024-05-02", "b" * 64, True, EPOCH, when(2))]
    add_index_entries(output, SHARD, index_table(_entries([5], 3, "c")))
    add_index_entries(output, SHARD, index_table(_entries([6], 3, "c")))  # the next fold deletes the stale delta
    assert not _deltas(output)
    assert [row[:2] for row in _all_rows(output)] == [(ident(1), "2024-05-02"), (ident(5), "2024-05-03"),
                                                       (ident(6), "2024-05-03")]


def test_index_entries_are_read_for_the_ids_asked_only(tmp_path: pathlib.Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    output = str(tmp_path)
    assert read_index_entries(output, SHARD, pa.array([ident(1)])) is None  # no index yet
    save_index(output, SHARD, index_table(_entries(list(range(20)), 1)))
    monkeypatch.setattr(pipeline.index_store, "INDEX_BATCH_ROWS", 6)
    found = read_index_entries(output, SHARD, pa.array([ident(2), ident(13), ident(19), ident(99)]))
    assert found["article_id"].to_pylist() == [ident(2), ident(13), ident(19)]
    assert found["date"].to_pylist() == ["2024-05-01"] * 3


def test_a_full_rebuild_keeps_none_of_the_old_index(tmp_path: pathlib.Path) -> None:
    output = str(tmp_path)
    save_index(output, SHARD, index_table(_entries([1, 2, 3], 1)))
    add_index_entries(output, SHARD, index_table(_entries([7], 1)))
    assert save_index(output, SHARD, index_table(_entries([4], 2)), keep_existing=False) == 1
    assert [row[0] for row in _all_rows(output)] == [ident(4)] and not _deltas(output)


def test_a_lookup_reads_only_the_row_groups_whose_id_range_holds_an_id_asked(tmp_path: pathlib.Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    output = str(tmp_path)
    monkeypatch.setattr(pipeline.index_store, "INDEX_BATCH_ROWS", 4)  # row groups of 4 entries
    save_index(output, SHARD, index_table(_entries(list(range(40)), 1)))
    assert pq.read_metadata(index_path(output, SHARD)).num_row_groups == 10
    asked = [ident(5), ident(6), ident(33), ident(99)]
    assert pipeline.index_store._row_groups_holding(index_path(output, SHARD), sorted(asked)) == [1, 8]
    found = read_index_entries(output, SHARD, pa.array(asked))
    assert found["article_id"].to_pylist() == [ident(5), ident(6), ident(33)]
    # a base written before the ranges were (no statistics): every group is read
    pq.write_table(pq.read_table(index_path(output, SHARD)), index_path(output, SHARD), write_statistics=False,
                   row_group_size=4)
    assert pipeline.index_store._row_groups_holding(index_path(output, SHARD), sorted(asked)) is None
    assert read_index_entries(output, SHARD, pa.array(asked))["article_id"].to_pylist() == [ident(5), ident(6),
                                                                                            ident(33)]
