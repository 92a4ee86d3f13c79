"""The writer memory benchmark runs end to end on a few articles, so that it cannot rot (no figure asserted)."""

from __future__ import annotations

import json
import random

import pyarrow as pa
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


def test_synthetic_articles_fill_the_schema_and_are_the_same_for_the_same_seed() -> None:
    first = [writer_memory.synthetic_article(number, 5, random.Random(1)) for number in range(3)]
    again = [writer_memory.synthetic_article(number, 5, random.Random(1)) for number in range(3)]
    assert first == again
    table = pa.Table.from_pylist([article_row(article, "test") for article in first], schema=ARTICLE_SCHEMA)
    assert table.num_rows == 3 and len({article["article_id"] for article in first}) == 3
