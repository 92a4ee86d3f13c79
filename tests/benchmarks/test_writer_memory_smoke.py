"""The writer memory benchmark runs end to end on a few articles, so that it cannot rot (no figure asserted)."""

from __future__ import annotations

import json
import pathlib
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from benchmarks import writer_memory
from pipeline.rows import article_row
from schemas.article import ARTICLE_SCHEMA


def test_a_measured_write_reports_every_article_and_its_memory(capsys: pytest.CaptureFixture[str]) -> None:
    assert writer_memory.main(["--articles", "90", "--days", "3"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    result = json.loads(line)
    assert (result["articles_written"], result["files_written"]) == (90, 3)
    assert result["peak_growth_mib"] >= 0 and result["rss_before_mib"] > 0


def test_a_write_into_an_indexed_dataset_counts_its_articles_new(capsys: pytest.CaptureFixture[str]) -> None:
    assert writer_memory.main(["--articles", "30", "--days", "2", "--indexed", "500"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    result = json.loads(line)
    assert (result["indexed"], result["articles_written"], result["files_written"]) == (500, 30, 2)


def test_a_write_into_a_busy_day_merges_into_its_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert writer_memory.main(["--articles", "30", "--days", "1", "--in-file", "300"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    result = json.loads(line)
    assert (result["in_file"], result["articles_written"], result["files_written"]) == (300, 30, 1)


def test_the_older_day_file_holds_the_articles_asked_for_in_the_file_order(tmp_path: pathlib.Path) -> None:
    writer_memory.write_older_day_file(str(tmp_path), 6000)  # two chunks of the 5,000 it writes at a time
    (path,) = (tmp_path / "articles" / "date=2024-01-01").glob("*.parquet")
    table = pq.read_table(path)
    assert table.num_rows == 6000 and len(set(table["article_id"].to_pylist())) == 6000
    assert table.equals(table.sort_by([("published_at", "ascending"), ("article_id", "ascending")]))


def test_synthetic_articles_fill_the_schema_and_are_the_same_for_the_same_seed() -> None:
    first = [writer_memory.synthetic_article(number, 5, random.Random(1)) for number in range(3)]
    again = [writer_memory.synthetic_article(number, 5, random.Random(1)) for number in range(3)]
    assert first == again
    table = pa.Table.from_pylist([article_row(article, "test") for article in first], schema=ARTICLE_SCHEMA)
    assert table.num_rows == 3 and len({article["article_id"] for article in first}) == 3
