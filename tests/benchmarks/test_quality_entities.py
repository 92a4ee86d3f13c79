"""Tests of benchmarks.quality_entities' reading of a pipeline output: place mentions after a capitalised word."""

from __future__ import annotations

import pathlib

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from benchmarks.quality_entities import output_articles, output_texts, places_after_capitals
from transforms.entities import EntityMatcher
from transforms.gazetteer import build_gazetteer
from transforms.settings import TransformSettings


@pytest.fixture(scope="module")
def matcher() -> EntityMatcher:
    """A matcher over the packaged gazetteer."""
    return EntityMatcher(build_gazetteer(TransformSettings()))


def test_place_mentions_after_a_capitalised_word_are_counted_and_listed(matcher: EntityMatcher) -> None:
    texts = ["Talks in Paris went on. The Paris office and Greater London agreed.", "Charlie Munger flew to Berlin."]
    found = places_after_capitals(texts, matcher)
    assert {key: value for key, value in found.items() if key != "mentions"} == {
        "place_mentions": 4, "after_capitalised_word": 2, "after_capitalised_non_function_word": 1,
    }
    assert found["mentions"] == ["Greater London -> London"]  # Munger (India) is a surname, not counted


def test_the_texts_of_an_output_are_those_the_pipeline_annotated(tmp_path: pathlib.Path) -> None:
    partition = tmp_path / "articles" / "date=2024-01-01"
    partition.mkdir(parents=True)
    table = pa.table({
        "article_id": ["b", "a"], "title": ["Second", "First"],
        "summary_text": ["Talks in Baku went on [...]", None], "body_text": ["Talks in Baku went on for hours.", "Body."],
        "language": ["en", None],
    })
    pq.write_table(table, partition / "part-0.parquet")
    assert output_texts(tmp_path) == ["First\n\nBody.", "Second\n\nTalks in Baku went on for hours."]
    assert output_articles(tmp_path) == [("First\n\nBody.", None), ("Second\n\nTalks in Baku went on for hours.", "en")]
