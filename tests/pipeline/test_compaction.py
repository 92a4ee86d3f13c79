"""Compaction: small files merged into sized files, sorted, swapped atomically; the sink stays correct after."""

from __future__ import annotations

import argparse
import datetime as dt
import pathlib

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import pipeline.compaction
from pipeline.cli import main
from pipeline.compaction import (STAGING_PREFIX, add_compact_parser, command_compact, compact,
                                 recover_interrupted_compactions)
from schemas.article import ARTICLE_SCHEMA, ARTICLE_SCHEMA_VERSION
from schemas.versioning import VERSION_METADATA_KEY
from tests.pipeline.dataset_builders import UTC, article, article_id, read_dataset, write_articles, write_errors

DAY = dt.datetime(2024, 5, 1, tzinfo=UTC)


def partition(output: pathlib.Path, date: str = "2024-05-01", dataset: str = "articles") -> pathlib.Path:
    return output / dataset / f"date={date}"


def many_articles(count: int, start: dt.datetime = DAY, body_chars: int = 200, first: int = 0) -> list[dict]:
    """``count`` articles (numbered from ``first``) spread over one day, out of time order."""
    return [article(number, start + dt.timedelta(minutes=(number * 37) % 1440), body_chars=body_chars)
            for number in range(first, first + count)]


def test_small_files_are_merged_into_one_file_sorted_by_publication_time(tmp_path: pathlib.Path) -> None:
    write_articles(tmp_path, many_articles(60))
    before = sorted(read_dataset(tmp_path), key=lambda row: row["article_id"])
    assert len(list(partition(tmp_path).glob("*.parquet"))) == 8
    stats = compact(str(tmp_path))
    (compacted,) = partition(tmp_path).glob("*.parquet")
    assert compacted.name.startswith("compact-") and stats["files_before"] == 8 and stats["files_after"] == 1
    table = pq.read_table(compacted)
    keys = list(zip(table.column("published_at").to_pylist(), table.column("article_id").to_pylist()))
    assert keys == sorted(keys)
    assert sorted(read_dataset(tmp_path), key=lambda row: row["article_id"]) == before
    assert pq.read_schema(compacted).metadata[VERSION_METADATA_KEY] == ARTICLE_SCHEMA_VERSION.encode()
    assert pq.read_schema(compacted).remove_metadata() == ARTICLE_SCHEMA.remove_metadata()


def test_files_are_cut_at_about_the_target_size_in_time_order(tmp_path: pathlib.Path) -> None:
    write_articles(tmp_path, many_articles(400, body_chars=2000))
    total_bytes = sum(path.stat().st_size for path in partition(tmp_path).glob("*.parquet"))
    compact(str(tmp_path), target_file_bytes=total_bytes // 4)
    files = sorted(partition(tmp_path).glob("*.parquet"))
    assert 3 <= len(files) <= 6
    times = [pq.read_table(path).column("published_at").to_pylist() for path in files]
    assert all(earlier[-1] <= later[0] for earlier, later in zip(times, times[1:]))
    assert sum(len(chunk) for chunk in times) == 400


def test_only_the_named_partitions_are_compacted(tmp_path: pathlib.Path) -> None:
    write_articles(tmp_path, many_articles(40) + many_articles(40, DAY + dt.timedelta(days=1), first=40))
    untouched = {path.name: path.read_bytes() for path in partition(tmp_path, "2024-05-02").glob("*.parquet")}
    stats = compact(str(tmp_path), partitions=["date=2024-05-01"])
    assert stats["partitions_compacted"] == 1
    assert {path.name: path.read_bytes() for path in partition(tmp_path, "2024-05-02").glob("*.parquet")} == untouched


def test_a_compact_partition_is_left_alone(tmp_path: pathlib.Path) -> None:
    write_articles(tmp_path, many_articles(40))
    compact(str(tmp_path))
    (compacted,) = partition(tmp_path).glob("*.parquet")
    assert compact(str(tmp_path))["partitions_compacted"] == 0
    assert list(partition(tmp_path).glob("*.parquet")) == [compacted]


def test_errors_are_compacted_too(tmp_path: pathlib.Path) -> None:
    write_errors(tmp_path, 30, DAY)
    compact(str(tmp_path), datasets=["errors"])
    assert len(list(partition(tmp_path, dataset="errors").glob("*.parquet"))) == 1
    assert len(read_dataset(tmp_path, "errors")) == 30


# The sink after compaction -----------------------------------------------------------------------------


def test_an_updated_article_replaces_its_row_in_a_compacted_file(tmp_path: pathlib.Path) -> None:
    write_articles(tmp_path, many_articles(30))
    compact(str(tmp_path))
    newer = article(7, DAY + dt.timedelta(minutes=7 * 37), title="corrected", updated_at=DAY + dt.timedelta(days=2))
    write_articles(tmp_path, [newer, article(100, DAY, title="brand new")])
    rows = read_dataset(tmp_path)
    assert len(rows) == len({row["article_id"] for row in rows}) == 31
    assert [row["title"] for row in rows if row["article_id"] == article_id(7)] == ["corrected"]


def test_an_article_moving_to_another_day_leaves_the_compacted_file(tmp_path: pathlib.Path) -> None:
    write_articles(tmp_path, many_articles(30))
    compact(str(tmp_path))
    moved = article(3, DAY + dt.timedelta(days=3), title="moved", updated_at=DAY + dt.timedelta(days=3))
    write_articles(tmp_path, [moved])
    rows = read_dataset(tmp_path)
    assert [(str(row["date"]), row["title"]) for row in rows if row["article_id"] == article_id(3)] == [
        ("2024-05-04", "moved")]
    assert len(rows) == 30


def test_an_error_written_again_after_compaction_stays_one_row(tmp_path: pathlib.Path) -> None:
    write_errors(tmp_path, 20, DAY)
    compact(str(tmp_path), datasets=["errors"])
    write_errors(tmp_path, 20, DAY)
    assert len(read_dataset(tmp_path, "errors")) == 20


def test_compaction_then_sink_then_compaction_keeps_every_article_once(tmp_path: pathlib.Path) -> None:
    write_articles(tmp_path, many_articles(50))
    compact(str(tmp_path))
    write_articles(tmp_path, [article(number, DAY, title=f"v2 {number}", updated_at=DAY + dt.timedelta(days=1))
                              for number in range(0, 60, 3)])
    compact(str(tmp_path))
    rows = read_dataset(tmp_path)
    assert len(rows) == len({row["article_id"] for row in rows}) == 53  # 50, and 51, 54, 57 new
    assert sum(row["title"].startswith("v2") for row in rows) == 20


def test_duplicate_rows_are_merged_keeping_the_latest_version(tmp_path: pathlib.Path) -> None:
    write_articles(tmp_path, many_articles(20))
    stale = article(5, DAY + dt.timedelta(minutes=5 * 37), title="older copy")
    stale["fetched_at"] -= dt.timedelta(days=1)
    from pipeline.rows import article_row

    pq.write_table(pa.Table.from_pylist([article_row(stale, "test")], schema=ARTICLE_SCHEMA),
                   partition(tmp_path) / "stray.parquet")  # as a crash between two writes could leave
    stats = compact(str(tmp_path))
    assert stats["duplicates_removed"] == 1
    assert [row["title"] for row in read_dataset(tmp_path) if row["article_id"] == article_id(5)] == ["story 5"]


def test_of_duplicate_rows_one_with_text_is_kept_over_a_later_one_without(tmp_path: pathlib.Path) -> None:
    write_articles(tmp_path, many_articles(20))
    linked_only = {**article(5, DAY + dt.timedelta(minutes=5 * 37), title="sitemap copy"), "body_text": None,
                   "summary_text": None, "updated_at": DAY + dt.timedelta(days=3)}  # later, but a title and a link
    from pipeline.rows import article_row

    pq.write_table(pa.Table.from_pylist([article_row(linked_only, "test")], schema=ARTICLE_SCHEMA),
                   partition(tmp_path) / "stray.parquet")
    stats = compact(str(tmp_path))
    assert stats["duplicates_removed"] == 1
    assert [row["title"] for row in read_dataset(tmp_path) if row["article_id"] == article_id(5)] == ["story 5"]


# Crashes -----------------------------------------------------------------------------------------------


def test_a_compaction_killed_before_its_swap_leaves_the_partition_as_it_was(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_articles(tmp_path, many_articles(30))
    before = {path.name: path.read_bytes() for path in partition(tmp_path).glob("*.parquet")}

    def killed(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline.compaction, "swap_directory", killed)
    with pytest.raises(KeyboardInterrupt):
        compact(str(tmp_path))
    assert {path.name: path.read_bytes() for path in partition(tmp_path).glob("*.parquet")} == before
    monkeypatch.undo()
    assert compact(str(tmp_path))["partitions_compacted"] == 1
    assert len(read_dataset(tmp_path)) == 30 and not (tmp_path / "_staging").exists()


def test_a_staged_partition_caught_between_the_fallback_renames_goes_live(tmp_path: pathlib.Path) -> None:
    write_articles(tmp_path, many_articles(30))
    staged = tmp_path / "_staging" / f"{STAGING_PREFIX}run1" / "articles" / "date=2024-05-01"
    staged.parent.mkdir(parents=True)
    partition(tmp_path).rename(staged)  # the live partition is gone, the complete staged one is left
    (staged / ".compact-run1").touch()
    assert recover_interrupted_compactions(str(tmp_path)) == 1
    assert len(read_dataset(tmp_path)) == 30 and not (tmp_path / "_staging" / f"{STAGING_PREFIX}run1").exists()
    assert not (partition(tmp_path) / ".compact-run1").exists()


def test_the_compact_command_prints_a_table(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_articles(tmp_path, many_articles(30))
    parser = argparse.ArgumentParser()
    add_compact_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["compact", str(tmp_path), "--partition", "date=2024-05-01", "--target-mb", "1"])
    assert command_compact(args, []) == 0
    printed = capsys.readouterr().out
    assert "2024-05-01" in printed and "8 -> 1" in printed and printed.splitlines()[-1].startswith("total")
    assert command_compact(args, ["--unknown"]) == 2


def articles_titled(title: str, count: int) -> list[dict]:
    """``count`` articles of one day, numbered from 0 (so two such sets share ids and file names)."""
    return [article(number, DAY + dt.timedelta(minutes=number), title=f"{title} {number}") for number in range(count)]


def titles(output: pathlib.Path) -> list[str]:
    """The titles of ``output``'s articles, read with pyarrow (which globs nothing)."""
    return sorted(row["title"] for row in read_dataset(output))


@pytest.mark.parametrize(("partitions", "code", "said"), [
    (["2024-05-01"], 0, None),  # without date= too
    (["date=2024-05-01", "date=2024-05-09"], 0, "no partition date=2024-05-09 in articles, errors of"),
    (["2024-05-09"], 1, "no partition 2024-05-09"),  # nothing to compact: as a run with nothing to process
    (["May 1"], 2, "--partition takes date=YYYY-MM-DD (or YYYY-MM-DD), not 'May 1'"),
])
def test_compact_says_when_a_partition_named_does_not_exist(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str],
                                                            partitions: list[str], code: int, said: str | None) -> None:
    write_articles(tmp_path, many_articles(30))
    parser = argparse.ArgumentParser()
    add_compact_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["compact", str(tmp_path), *[f"--partition={name}" for name in partitions]])
    assert command_compact(args, []) == code
    errors = capsys.readouterr().err
    assert (said in errors) if said else errors == ""
    assert len(list(partition(tmp_path).glob("*.parquet"))) == (1 if code == 0 else 8)


@pytest.mark.parametrize(("name", "sibling"), [("out[1]", "out1"), ("out*", "out-sibling"), ("out?", "outX"),
                                               ("out]x[ab]", "out]xa")])
def test_an_output_named_with_glob_characters_compacts_its_own_rows_not_a_siblings(
        tmp_path: pathlib.Path, name: str, sibling: str) -> None:
    write_articles(tmp_path / name, articles_titled("own", 40))
    write_articles(tmp_path / sibling, articles_titled("sibling", 60))
    expected_own, expected_sibling = titles(tmp_path / name), titles(tmp_path / sibling)

    stats = compact(str(tmp_path / name))

    assert stats["files_after"] == 1 and stats["rows"] == 40 and stats["duplicates_removed"] == 0
    assert titles(tmp_path / name) == expected_own
    assert titles(tmp_path / sibling) == expected_sibling


def test_newsbeam_compact_on_a_glob_named_output_keeps_its_rows(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_articles(tmp_path / "news[2024]", articles_titled("own", 40))
    write_articles(tmp_path / "news2", articles_titled("sibling", 60))
    expected = titles(tmp_path / "news[2024]")
    assert main(["compact", str(tmp_path / "news[2024]")]) == 0
    assert "8 -> 1" in capsys.readouterr().out
    assert titles(tmp_path / "news[2024]") == expected


def test_newsbeam_compact_refuses_a_path_duckdb_cannot_read_literally(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "back\\slash[1]"
    write_articles(output, articles_titled("own", 40))
    files = sorted(partition(output).iterdir())
    assert main(["compact", str(output)]) == 1
    assert "cannot read" in capsys.readouterr().err
    assert sorted(partition(output).iterdir()) == files
    with pytest.raises(ValueError, match="backslash"):
        compact(str(output))
    assert sorted(partition(output).iterdir()) == files and not (output / "_staging").exists()


def test_folders_named_key_value_above_the_output_leave_the_rows_as_they_are(tmp_path: pathlib.Path) -> None:
    output = tmp_path / "date=1999-01-01" / "source_id=elsewhere" / "out"  # as an orchestrator names run folders
    write_articles(output, many_articles(30) + [article(99, DAY, source_id="south")])
    write_errors(output, 10, DAY)
    before = {dataset: sorted(read_dataset(output, dataset), key=str) for dataset in ("articles", "errors")}
    compact(str(output))
    assert len(list(partition(output).glob("*.parquet"))) == 1
    assert {dataset: sorted(read_dataset(output, dataset), key=str) for dataset in ("articles", "errors")} == before
    assert sorted({row["source_id"] for row in before["articles"]}) == ["north", "south"]
    assert {row["date"] for row in before["articles"]} == {"2024-05-01"}


def compacted_days(dataset: str, days: int) -> list[pipeline.compaction.PartitionCompaction]:
    return [pipeline.compaction.PartitionCompaction(dataset, f"2024-{1 + day // 28:02d}-{1 + day % 28:02d}", 8, 1,
                                                    10, 8_000_000, 1_000_000, 0) for day in range(days)]


def test_a_few_compacted_partitions_are_a_line_each() -> None:
    done = compacted_days("articles", 3)
    lines = pipeline.compaction.format_compaction(pipeline.compaction.compaction_stats(done, 1.0)).splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["dataset", "partition"], ["articles", "2024-01-01"], ["articles", "2024-01-02"], ["articles", "2024-01-03"],
        ["total", "3"]]


def test_many_compacted_partitions_are_summed_per_dataset() -> None:
    done = compacted_days("articles", 40) + compacted_days("errors", 25)
    lines = pipeline.compaction.format_compaction(pipeline.compaction.compaction_stats(done, 1.0)).splitlines()
    # 65 partitions printed 67 lines
    assert len(lines) == 4
    assert lines[1].split() == ["articles", "40", "partitions,", "2024-01-01", "..", "2024-02-12", "320", "->", "40",
                                "400", "320.0", "40.0"]
    assert lines[2].split()[:6] == ["errors", "25", "partitions,", "2024-01-01", "..", "2024-01-25"]
    assert lines[3].split() == ["total", "65", "partitions", "520", "->", "65", "650", "520.0", "65.0"]
