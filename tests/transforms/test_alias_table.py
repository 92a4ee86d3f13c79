"""Tests of transforms.alias_table: every alias unpacks exactly as it was packed, whatever its characters."""

from __future__ import annotations

import pytest

from transforms.alias_table import AliasTable, PackedAlias, PackedStrings
from transforms.gazetteer import Alias, build_gazetteer
from transforms.settings import TransformSettings

STRINGS = [
    "baku", "", "Qarabağ", "Москва", "Azərbaycan", "𒀀 cuneiform", "\ud800 lone surrogate", "nul\x00inside",
    "two\nlines", "ß", "e\u0301", "თბილისი", "",
]


def test_strings_of_every_kind_come_back_unchanged() -> None:
    packed = PackedStrings(lambda: iter(STRINGS))
    assert len(packed) == len(STRINGS)
    assert list(packed) == STRINGS
    assert [packed[index] for index in range(len(STRINGS))] == STRINGS


@pytest.mark.parametrize("index", [-1, len(STRINGS)])
def test_a_string_number_out_of_range_is_an_index_error(index: int) -> None:
    with pytest.raises(IndexError):
        PackedStrings(lambda: iter(STRINGS))[index]


def test_no_strings_pack_into_an_empty_table() -> None:
    packed = PackedStrings(lambda: iter(()))
    assert len(packed) == 0 and list(packed) == []


def test_strings_that_change_between_the_two_passes_are_refused() -> None:
    passes = iter([["short"], ["much longer"]])
    with pytest.raises(ValueError):
        PackedStrings(lambda: next(passes))


def test_each_flag_is_kept_apart_from_the_others() -> None:
    # rank 5 is a city's alternate name, rank 0 a user's alias
    flags = [
        (capital, diacritics, rank) for capital in (False, True) for diacritics in (False, True) for rank in (0, 5)
    ]
    aliases = {
        f"name {n}": Alias("city:1", f"Name {n}", capital, rank, diacritics)
        for n, (capital, diacritics, rank) in enumerate(flags)
    }
    table = AliasTable(aliases)
    assert [(alias.require_capital, alias.require_diacritics, alias.alternate) for alias in table] == [
        (capital, diacritics, rank == 5) for capital, diacritics, rank in flags
    ]


def test_entity_ids_are_the_given_objects_and_unlisted_ids_are_kept_too() -> None:
    listed = "".join(["city:", "587084"])  # built at run time: not an interned constant
    aliases = {"baku": Alias("city:587084", "Baku", True, 3), "roe": Alias("person:roe", "Roe", True, 0)}
    table = AliasTable(aliases, entity_ids=[listed])
    assert table[0].entity_id is listed
    assert table[1] == PackedAlias("roe", "person:roe", "Roe", True, False)


def test_every_alias_of_the_packaged_gazetteer_unpacks_as_it_was_packed() -> None:
    gazetteer = build_gazetteer(TransformSettings())
    table = AliasTable(gazetteer.aliases, entity_ids=gazetteer.entities)
    assert len(table) == len(gazetteer.aliases)
    expected = [
        PackedAlias(
            folded, alias.entity_id, alias.surface, alias.require_capital, alias.require_diacritics, alias.alternate,
            alias.languages,
        )
        for folded, alias in gazetteer.aliases.items()
    ]
    assert list(table) == expected
    limited = {alias.folded: alias.languages for alias in table if alias.languages}
    assert limited["ab"] == ("tr",) and limited["ue"] == ("ca", "es", "fr", "it", "pt", "ro")  # the EU's acronyms
