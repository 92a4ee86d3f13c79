"""``newsbeam inspect``: the dataset's partitions, counts, range, top sources and entities, errors, schema."""

from __future__ import annotations

import argparse
import datetime as dt
import pathlib
from typing import Iterator

import duckdb
import pyarrow.parquet as pq
import pytest

from pipeline.cli import main
from pipeline.inspection import (add_inspect_parser, command_inspect, format_table, inspect, near_duplicate_pairs_sql,
                                 near_duplicate_rows, overview_rows, partition_rows, top_rows)
from schemas import ARTICLE_SCHEMA_VERSION, ERROR_SCHEMA_VERSION
from tests.pipeline.dataset_builders import UTC, article, write_articles, write_errors
from tests.transforms.test_near_duplicates import STORY
from transforms.near_duplicates import NEAR_DUPLICATE_BITS, differing_bits, text_simhash


@pytest.fixture
def dataset(tmp_path: pathlib.Path) -> pathlib.Path:
    """Three days of articles from two sources, with entities, and a few errors."""
    articles = []
    for number in range(30):
        published = dt.datetime(2024, 5, 1 + number % 3, 6 + number % 12, tzinfo=UTC)
        entities = [("Baku", "city")] + ([("Georgia", "country")] if number % 2 else [])
        articles.append(article(number, published, source_id="north" if number < 20 else "south", entities=entities))
    write_articles(tmp_path, articles)
    write_errors(tmp_path, 4, dt.datetime(2024, 5, 2, tzinfo=UTC))
    write_errors(tmp_path, 2, dt.datetime(2024, 5, 3, tzinfo=UTC), error_type="empty_input")
    return tmp_path


def lines_after(report: str, title: str) -> list[str]:
    """The rows of the table titled ``title`` (after its header and rule)."""
    block = report.split(f"\n\n{title}", 1)[1].split("\n\n", 1)[0]
    return block.splitlines()[3:]


def test_report_has_counts_range_and_schema_version(dataset: pathlib.Path) -> None:
    report = inspect(str(dataset))
    for expected in ("\narticles                 30\n", "distinct article ids     30", "sources                  2",
                     "published from           2024-05-01 06:00 UTC", "published until          2024-05-03",
                     "error rows               6", f"articles schema version  {ARTICLE_SCHEMA_VERSION}",
                     f"errors schema version    {ERROR_SCHEMA_VERSION}"):
        assert expected in report


def test_report_lists_partitions_with_rows_files_and_errors(dataset: pathlib.Path) -> None:
    rows = lines_after(inspect(str(dataset)), "partitions (3)")
    assert [row.split()[0] for row in rows] == ["2024-05-01", "2024-05-02", "2024-05-03"]
    assert [int(row.split()[1]) for row in rows] == [10, 10, 10]
    assert [int(row.split()[-1]) for row in rows] == [0, 4, 2]


def test_report_ranks_sources_entities_and_error_reasons(dataset: pathlib.Path) -> None:
    report = inspect(str(dataset))
    assert [row.split()[:2] for row in lines_after(report, "top sources")] == [["north", "20"], ["south", "10"]]
    assert [row.split()[:3] for row in lines_after(report, "top entities")] == [
        ["Baku", "city", "30"], ["Georgia", "country", "15"]]
    assert [row.split()[:3] for row in lines_after(report, "error reasons")] == [
        ["parse", "malformed_xml", "4"], ["parse", "empty_input", "2"]]


def test_publishers_are_ranked_when_rows_name_any(dataset: pathlib.Path) -> None:
    assert "top publishers" not in inspect(str(dataset))  # no row names one: no table

    named = [{**article(100 + number, dt.datetime(2024, 5, 2, 9, number, tzinfo=UTC), source_id="aggregator"),
              "publisher": "Example Times" if number < 3 else "Daily Sample"} for number in range(5)]
    write_articles(dataset, named)

    assert [row.split()[-2:] for row in lines_after(inspect(str(dataset)), "top publishers")] == [
        ["3", "1"], ["2", "1"]]
    assert lines_after(inspect(str(dataset)), "top publishers")[0].startswith("Example Times")


def test_a_dataset_written_before_publishers_existed_is_inspected_without_them(dataset: pathlib.Path) -> None:
    for path in (dataset / "articles").glob("date=*/*.parquet"):  # as schema 1.1 wrote them
        pq.write_table(pq.read_table(path).drop_columns(["publisher", "publisher_url"]), path)

    report = inspect(str(dataset))

    assert "top publishers" not in report and "top entities" in report


def test_near_duplicates_are_counted_and_the_closest_listed(dataset: pathlib.Path) -> None:
    assert "near-duplicate pairs" not in inspect(str(dataset))  # the fixture's rows have no fingerprint

    copies = {"wire": STORY, "north": "NORTH PORT \u2014 " + STORY, "south": STORY.replace("seven", "eight")}
    unrelated = " ".join(reversed(STORY.split()))
    day = dt.datetime(2024, 5, 2, 9, tzinfo=UTC)
    rows = [{**article(200 + number, day, title=f"Ferry {source}", source_id=source),
             "body_text": text, "text_simhash": text_simhash(text)}
            for number, (source, text) in enumerate([*copies.items(), ("east", unrelated)])]
    write_articles(dataset, rows)

    report = inspect(str(dataset))

    title = f"near-duplicate pairs (3; text_simhash within {NEAR_DUPLICATE_BITS} bits)"
    pairs = lines_after(report, title)
    assert len(pairs) == 3 and "east" not in "".join(pairs)
    sources = {frozenset((columns[1], columns[4])) for columns in (pair.split() for pair in pairs)}  # title: 2 words
    assert sources == {frozenset(pair) for pair in (("wire", "north"), ("wire", "south"), ("north", "south"))}
    assert [int(pair.split()[0]) for pair in pairs] == sorted(int(pair.split()[0]) for pair in pairs)


def test_the_near_duplicate_query_finds_exactly_the_pairs_within_the_threshold() -> None:
    """The banded join against every pair compared: planted pairs 0 to 9 bits apart, in every band and in the
    sign bit, among random fingerprints."""
    import random

    generator = random.Random(7)
    fingerprints: list[int] = []
    for number in range(150):
        base = generator.getrandbits(64)
        fingerprints.append(base)
        flipped = base
        for bit in generator.sample(range(64), number % 10):
            flipped ^= 1 << bit
        fingerprints.append(flipped ^ (1 << 63) if number % 7 == 0 else flipped)
    signed = [value - (1 << 64) if value >= 1 << 63 else value for value in fingerprints]
    connection = duckdb.connect()
    connection.execute("CREATE TABLE articles (article_id VARCHAR, text_simhash BIGINT)")
    connection.executemany("INSERT INTO articles VALUES (?, ?)",
                           [(f"a{index:04d}", value) for index, value in enumerate(signed)])

    found = set(connection.execute(near_duplicate_pairs_sql("articles")).fetchall())

    expected = {(differing_bits(a, b), f"a{i:04d}", f"a{j:04d}") for i, a in enumerate(signed)
                for j, b in enumerate(signed) if i < j and differing_bits(a, b) <= NEAR_DUPLICATE_BITS}
    assert found == expected
    assert {bits for bits, _, _ in expected} == set(range(NEAR_DUPLICATE_BITS + 1))


def test_only_the_latest_fetched_articles_are_compared_when_there_are_more() -> None:
    connection = duckdb.connect()
    connection.execute("CREATE TABLE articles (article_id VARCHAR, text_simhash BIGINT, source_id VARCHAR, "
                       "title VARCHAR, fetched_at TIMESTAMP)")
    fingerprint = text_simhash(STORY)
    connection.executemany("INSERT INTO articles VALUES (?, ?, ?, ?, ?)", [
        ("old", fingerprint, "wire", "Ferry", dt.datetime(2024, 5, 1)),
        ("newer", fingerprint, "north", "Ferry", dt.datetime(2024, 5, 3)),
        ("newest", fingerprint ^ 1, "south", "Ferry", dt.datetime(2024, 5, 4)),
        ("short", None, "east", "Ferry", dt.datetime(2024, 5, 5))])

    compared, pairs, closest = near_duplicate_rows(connection, "articles", top=10, latest=2)

    assert (compared, pairs) == (2, 1)
    assert closest == [(1, "north", "Ferry", "south", "Ferry")]
    assert near_duplicate_rows(connection, "articles", top=10)[:2] == (3, 3)


def test_a_dataset_written_before_fingerprints_existed_is_inspected_without_them(dataset: pathlib.Path) -> None:
    for path in (dataset / "articles").glob("date=*/*.parquet"):  # as schema 1.2 wrote them
        pq.write_table(pq.read_table(path).drop_columns(["text_simhash"]), path)

    report = inspect(str(dataset))

    assert "near-duplicate pairs" not in report and "top entities" in report


def test_only_the_latest_partitions_are_listed_when_asked(dataset: pathlib.Path) -> None:
    report = inspect(str(dataset), partitions_shown=2)
    assert [row.split()[0] for row in lines_after(report, "partitions (3, last 2 shown)")] == [
        "2024-05-02", "2024-05-03"]


def test_an_empty_output_directory_is_reported_plainly(tmp_path: pathlib.Path) -> None:
    report = inspect(str(tmp_path))
    assert "articles  0" in report and "partitions (0)" in report


def test_tables_align_numbers_right_and_text_left() -> None:
    table = format_table(["name", "rows"], [("a", 5), ("longer name", 12345)])
    assert table.splitlines() == ["name           rows", "-----------  ------", "a                 5",
                                  "longer name  12,345"]


def test_the_inspect_command_prints_the_report(dataset: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    add_inspect_parser(parser.add_subparsers(dest="command"))
    assert command_inspect(parser.parse_args(["inspect", str(dataset), "--top", "1"]), []) == 0
    assert len(lines_after(capsys.readouterr().out, "top sources")) == 1
    assert command_inspect(parser.parse_args(["inspect", str(dataset / "missing")]), []) == 1


def test_an_output_path_with_glob_characters_and_a_quote_is_read_as_it_is(tmp_path: pathlib.Path) -> None:
    odd = tmp_path / "news [draft]*?'s"
    write_articles(odd, [article(number, dt.datetime(2024, 5, 1, 6, tzinfo=UTC)) for number in range(3)])
    write_articles(tmp_path / "news d-x's", [article(9, dt.datetime(2024, 5, 2, 6, tzinfo=UTC))])  # the glob's match
    report = inspect(str(odd))
    assert "\narticles                 3\n" in report
    assert [row.split()[:2] for row in lines_after(report, "partitions (1)")] == [["2024-05-01", "3"]]


# (output directory name, a sibling that DuckDB's glob of the unescaped name would read instead or as well)
GLOB_NAMED_OUTPUTS = [("out[1]", "out1"), ("out]x[ab]", "out]xa"), ("out*", "out-sibling"), ("out?", "outX"),
                      ("out [*?] 's", "out * 's")]


def write_glob_named_pair(tmp_path: pathlib.Path, name: str, sibling: str) -> pathlib.Path:
    """``name`` with 3 articles and 2 errors; ``sibling`` with 5 other articles (the same ids, so the same file
    names) and 4 errors, all on the same day. Returns ``tmp_path / name``."""
    day = dt.datetime(2024, 5, 1, 6, tzinfo=UTC)
    write_articles(tmp_path / name, [article(number, day, source_id="own") for number in range(3)])
    write_errors(tmp_path / name, 2, day)
    write_articles(tmp_path / sibling, [article(number, day, source_id="sibling") for number in range(5)])
    write_errors(tmp_path / sibling, 4, day, error_type="empty_input")
    return tmp_path / name


def assert_only_its_own_rows(report: str) -> None:
    """The report of the output written by ``write_glob_named_pair``: its rows, none of the sibling's."""
    for expected in ("\narticles                 3\n", "distinct article ids     3", "sources                  1",
                     "error rows               2"):
        assert expected in report
    assert [[*row.split()[:2], row.split()[-1]] for row in lines_after(report, "partitions (1)")] == [
        ["2024-05-01", "3", "2"]]
    assert [row.split()[:3] for row in lines_after(report, "top sources")] == [["own", "3", "100.00"]]
    assert [row.split()[:3] for row in lines_after(report, "error reasons")] == [["parse", "malformed_xml", "2"]]


@pytest.mark.parametrize(("name", "sibling"), GLOB_NAMED_OUTPUTS)
def test_an_output_named_with_glob_characters_reads_its_own_files_not_a_siblings(
        tmp_path: pathlib.Path, name: str, sibling: str) -> None:
    assert_only_its_own_rows(inspect(str(write_glob_named_pair(tmp_path, name, sibling))))
    assert "\narticles                 5\n" in inspect(str(tmp_path / sibling))


@pytest.mark.parametrize(("name", "sibling"), GLOB_NAMED_OUTPUTS[:2])
def test_newsbeam_inspect_prints_only_the_named_outputs_rows(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], name: str, sibling: str) -> None:
    output = write_glob_named_pair(tmp_path, name, sibling)
    assert main(["inspect", str(output)]) == 0
    assert_only_its_own_rows(capsys.readouterr().out)


def test_newsbeam_inspect_refuses_a_path_duckdb_cannot_read_literally(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "back\\slash[1]"
    write_articles(output, [article(1, dt.datetime(2024, 5, 1, 6, tzinfo=UTC))])
    assert main(["inspect", str(output)]) == 1
    assert "cannot read" in capsys.readouterr().err


@pytest.fixture
def output_under_hive_folders(tmp_path: pathlib.Path) -> pathlib.Path:
    """An output directory whose own path holds ``key=value`` folders (as an orchestrator names each run's
    folder): 4 articles on 2024-05-01 (3 north, 1 south), 2 on 2024-05-02 (north), errors on 05-02 and 05-03."""
    output = tmp_path / "date=1999-01-01" / "source_id=elsewhere" / "out"
    days = [1, 1, 1, 2, 2]
    write_articles(output, [article(number, dt.datetime(2024, 5, day, 6, tzinfo=UTC), source_id="north")
                            for number, day in enumerate(days)]
                   + [article(9, dt.datetime(2024, 5, 1, 7, tzinfo=UTC), source_id="south")])
    write_errors(output, 2, dt.datetime(2024, 5, 2, tzinfo=UTC))
    write_errors(output, 1, dt.datetime(2024, 5, 3, tzinfo=UTC), error_type="empty_input")
    return output


@pytest.fixture
def connection() -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection in UTC, as ``inspect`` opens it."""
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    yield connection
    connection.close()


def files_and_megabytes(output: pathlib.Path, date: str) -> tuple[int, float]:
    """The article files of one partition and their size in MB, counted on disk."""
    files = list((output / "articles" / f"date={date}").glob("*.parquet"))
    return len(files), sum(path.stat().st_size for path in files) / 1e6


def test_partitions_come_from_the_folders_below_the_output_not_above_it(
        output_under_hive_folders: pathlib.Path, connection: duckdb.DuckDBPyConnection) -> None:
    output = output_under_hive_folders
    assert partition_rows(connection, output) == [("2024-05-01", 4, *files_and_megabytes(output, "2024-05-01"), 0),
                                                  ("2024-05-02", 2, *files_and_megabytes(output, "2024-05-02"), 2),
                                                  ("2024-05-03", 0, 0, 0.0, 1)]


def test_a_parent_folder_named_like_a_column_does_not_replace_its_values(
        output_under_hive_folders: pathlib.Path, connection: duckdb.DuckDBPyConnection) -> None:
    overview = dict(overview_rows(connection, output_under_hive_folders))
    assert (overview["articles"], overview["distinct article ids"], overview["sources"]) == (6, 6, 2)
    assert overview["error rows"] == 3
    sources = top_rows(connection, output_under_hive_folders, 5)["top sources"][1]
    assert [(source, articles) for source, articles, *_ in sources] == [("north", 5), ("south", 1)]


def test_newsbeam_inspect_reports_the_datasets_own_partitions_and_sources(
        output_under_hive_folders: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(output_under_hive_folders)]) == 0
    report = capsys.readouterr().out
    assert "\narticles                 6\n" in report and "sources                  2" in report
    assert [[*row.split()[:2], row.split()[-1]] for row in lines_after(report, "partitions (3)")] == [
        ["2024-05-01", "4", "0"], ["2024-05-02", "2", "2"], ["2024-05-03", "0", "1"]]
    assert [row.split()[:2] for row in lines_after(report, "top sources")] == [["north", "5"], ["south", "1"]]
