"""Tests of transforms.given_names: Faker's first names, folded, without everyday words."""

from __future__ import annotations

from transforms.given_names import NOT_GIVEN_NAMES, given_names_from, load_given_names


def test_names_of_many_languages_are_read() -> None:
    names = load_given_names()
    assert {"charlie", "johan", "fabio", "julio", "hannah", "ingolf", "jeff", "maurice"} <= names
    assert len(names) > 10_000


def test_everyday_words_and_names_of_one_or_two_letters_are_left_out() -> None:
    names = load_given_names()
    assert not names & NOT_GIVEN_NAMES
    assert {"north", "west", "council", "le", "yeni"}.isdisjoint(names)
    assert all(len(name) >= 3 for name in names)


def test_names_are_folded_and_only_names_in_a_cased_script_are_kept() -> None:
    # a script without capitals cannot show a name by its capital, so the rule never asks for one
    given = ["Ángel", "JOSÉ", "Зоя", "محمد", "राहुल", "lowercase", "North", "Al", "Jo"]
    assert given_names_from(given) == {"angel", "jose", "зоя"}
