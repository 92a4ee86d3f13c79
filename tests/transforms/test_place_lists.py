"""Tests of transforms.place_lists: a name that can be a state is one where it is listed beside states."""

from __future__ import annotations

import re

import pytest

from tests.transforms.place_table import PLACES
from transforms.place_lists import regions_first_in_lists
from transforms.place_pairs import Mention

READINGS = {
    "Georgia": ("country:GE", "region:US-GA"), "Armenia": ("country:AM",), "Azerbaijan": ("country:AZ",),
    "Virginia": ("region:US-VA",), "New Jersey": ("region:US-NJ",), "New York": ("city:new-york", "region:US-NY"),
    "Washington": ("city:washington", "region:US-WA"), "Ohio": ("region:US-OH",), "Ontario": ("region:CA-ON",),
    "Los Angeles": ("city:los-angeles",),
}
NAMES = re.compile("|".join(sorted(map(re.escape, READINGS), key=len, reverse=True)))


def read(text: str) -> list[tuple[str, str]]:
    """Each name of ``READINGS`` in ``text`` with the reading put first."""
    mentions = [Mention(found.start(), found.end(), READINGS[found[0]]) for found in NAMES.finditer(text)]
    return [(text[m.start:m.end], m.readings[0]) for m in regions_first_in_lists(text, mentions, PLACES)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Senators from Georgia and Virginia", {"Georgia": "region:US-GA"}),
        ("results in Virginia, New Jersey, New York, by the way", {"New York": "region:US-NY"}),
        ("fires in Washington or Ohio", {"Washington": "region:US-WA"}),
        ("New York, and New Jersey", {"New York": "region:US-NY"}),
        # a state read so makes its other neighbour one
        ("Georgia, Washington and Ohio", {"Georgia": "region:US-GA", "Washington": "region:US-WA"}),
    ],
)
def test_a_name_listed_beside_a_state_is_the_state(text: str, expected: dict[str, str]) -> None:
    read_as = dict(read(text))
    assert {name: read_as[name] for name in expected} == expected


@pytest.mark.parametrize(
    "text",
    ["Armenia, Georgia and Azerbaijan", "New York and Los Angeles", "Police in Washington, Ohio said",
     "Georgia and Ontario", "Georgia. Virginia", "Georgia joined Virginia"],
)
def test_a_name_beside_countries_cities_other_countries_regions_or_outside_a_list_stays(text: str) -> None:
    # "Washington, Ohio": two names and a comma are a "City, Region" pair (transforms.place_pairs)
    assert read(text) == [(name, READINGS[name][0]) for name in NAMES.findall(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the U.S. attorney for the Southern District of New York", "region:US-NY"),
        ("a judge in the Northern District of Georgia", "region:US-GA"),
        ("the federal district of Washington", "region:US-WA"),
    ],
)
def test_a_name_after_district_of_is_the_state(text: str, expected: str) -> None:
    # the districts of US federal courts are named for states
    assert read(text)[-1][1] == expected


def test_a_name_after_district_of_without_a_region_reading_stays() -> None:
    assert read("the Eastern District of Los Angeles") == [("Los Angeles", "city:los-angeles")]
