"""The near-duplicate benchmark on a tiny self-written corpus in the benchmark's layout (four pages, one body)."""

from __future__ import annotations

import json
import pathlib

import pytest

from benchmarks.near_duplicates import main, measure, wire_copy, without_a_sentence_in_ten
from tests.benchmarks.aeb_pages import write_aeb_corpus
from tests.transforms.test_near_duplicates import STORY


def test_four_copies_of_one_body_are_six_near_duplicate_pairs(tmp_path: pathlib.Path) -> None:
    figures = measure(write_aeb_corpus(tmp_path) / "aeb")

    assert (figures["articles"], figures["fingerprinted"]) == (4, 4)
    assert figures["distinct"]["max"] == 0 and figures["distinct"]["within_threshold"] == 6  # one body, 4 pages
    assert figures["wire_copy"]["within_threshold"] == 4


def test_the_edits_change_the_text_as_described() -> None:
    import random

    assert wire_copy(STORY).startswith("PORT CITY (Wire) \u2014 " + STORY[:20])
    edited = without_a_sentence_in_ten(STORY, random.Random(1))
    assert "Copyright 2024 The Wire." in edited and len(edited) < len(STORY) + 60
    assert sum(sentence not in edited for sentence in STORY.split(". ")) == 1


def test_the_command_says_where_the_corpus_was_looked_for(tmp_path: pathlib.Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path)]) == 1
    assert str(tmp_path / "aeb" / "ground-truth.json") in capsys.readouterr().err
    assert main([str(write_aeb_corpus(tmp_path / "c"))]) == 0
    assert json.loads(capsys.readouterr().out)["fingerprinted"] == 4
