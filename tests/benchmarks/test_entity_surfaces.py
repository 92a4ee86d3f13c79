"""Tests of benchmarks.entity_surfaces: mentions grouped by the text they matched, with the kinds of suspect."""

from __future__ import annotations

import pathlib

import pytest

from benchmarks.entity_surfaces import (
    Surface, drawn_mentions, format_report, lowercase_words, mentions_by_surface, suspect_kinds,
)
from transforms.entities import EntityMatcher
from transforms.gazetteer import build_gazetteer
from transforms.settings import TransformSettings

PARIS, READING = "city:2988507", "city:2639577"


@pytest.fixture(scope="module")
def matcher() -> EntityMatcher:
    """A matcher over the packaged gazetteer."""
    return EntityMatcher(build_gazetteer(TransformSettings()))


def test_only_the_lowercase_entries_of_a_word_list_are_words(tmp_path: pathlib.Path) -> None:
    word_list = tmp_path / "words"
    word_list.write_text("reading\nReading\nParis\nmobile\n", "utf-8")
    assert lowercase_words([word_list, tmp_path / "missing"]) == {"reading", "mobile"}


@pytest.mark.parametrize(
    ("surface", "kinds"),
    [("UE", ["short", "capitals"]), ("Reading", ["word"]), ("reunion", ["lowercase", "word"]),
     ("WASHINGTON", ["capitals"]), ("Kita", ["short"]), ("Berlin", [])],
)
def test_suspect_kinds(surface: str, kinds: list[str]) -> None:
    assert suspect_kinds(surface, frozenset({"reading", "reunion"})) == kinds


def test_mentions_are_grouped_by_surface_and_entity_with_their_language(matcher: EntityMatcher) -> None:
    articles = [("Floods hit Reading. Talks in Paris went on.", "en"), ("Rendez-vous à Paris.", "fr")]
    found = mentions_by_surface(articles, matcher)
    assert {surface: [language for language, _ in mentions] for surface, mentions in found.items()} == {
        Surface("Reading", READING): ["en"], Surface("Paris", PARIS): ["en", "fr"],
    }
    assert found[Surface("Paris", PARIS)][1][1] == "Rendez-vous à [[Paris]]."


def test_the_report_lists_the_most_frequent_surfaces_first(matcher: EntityMatcher) -> None:
    found = mentions_by_surface([("Floods hit Reading. Talks in Paris and Paris again.", None)], matcher)
    report = format_report(found, matcher, frozenset({"reading"}), top=1, contexts=1).splitlines()
    assert report[0] == "3 mentions, 2 surfaces; the 1 most frequent:"
    assert report[1].split() == ["0", "'Paris'", "->", "Paris", "(city)", "x2", "{'?':", "2}", "[-]"]
    assert len(report) == 3 and "[[Paris]]" in report[2]


def test_a_draw_is_numbered_seeded_and_at_most_every_mention(matcher: EntityMatcher) -> None:
    articles = [("Floods hit Reading. Talks in Paris went on.", "en"), ("Rendez-vous à Paris.", "fr")]
    drawn = drawn_mentions(articles, matcher, 2, seed=7)
    assert drawn == drawn_mentions(articles, matcher, 2, seed=7)
    assert [line.split()[0] for line in drawn] == ["0", "1"]
    everything = drawn_mentions(articles, matcher, 10)
    assert sorted(line.split(maxsplit=1)[1] for line in everything) == [
        f"{READING} (Reading) Floods hit [[Reading]]. Talks in Paris went on.",
        f"{PARIS} (Paris) Floods hit Reading. Talks in [[Paris]] went on.", f"{PARIS} (Paris) Rendez-vous à [[Paris]].",
    ]
