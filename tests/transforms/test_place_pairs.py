"""Tests of transforms.place_pairs: "City, Region" pairs read on a small made-up table of places."""

from __future__ import annotations

import re

import pytest

from transforms.gazetteer import GazetteerEntity
from transforms.place_pairs import Mention, pick_readings

PLACES = {
    entity.id: entity for entity in (
        GazetteerEntity("country:US", "United States", "country", "US"),
        GazetteerEntity("country:GE", "Georgia", "country", "GE"),
        GazetteerEntity("country:FR", "France", "country", "FR"),
        GazetteerEntity("country:UA", "Ukraine", "country", "UA"),
        GazetteerEntity("country:CA", "Canada", "country", "CA"),
        GazetteerEntity("region:US-GA", "Georgia", "other", "US", "US-GA"),
        GazetteerEntity("region:US-TX", "Texas", "other", "US", "US-TX"),
        GazetteerEntity("region:US-NJ", "New Jersey", "other", "US", "US-NJ"),
        GazetteerEntity("region:US-OH", "Ohio", "other", "US", "US-OH"),
        GazetteerEntity("region:CA-NB", "New Brunswick", "other", "CA", "CA-NB"),
        GazetteerEntity("region:karabakh", "Karabakh", "other"),
        GazetteerEntity("city:atlanta", "Atlanta", "city", "US", "US-GA"),
        GazetteerEntity("city:washington", "Washington", "city", "US", "US-DC"),
        GazetteerEntity("city:tbilisi", "Tbilisi", "city", "GE"),
        GazetteerEntity("city:paris", "Paris", "city", "FR"),
        GazetteerEntity("city:athens-greece", "Athens", "city", "GR"),
        GazetteerEntity("city:athens-georgia", "Athens", "city", "US", "US-GA"),
        GazetteerEntity("city:moscow", "Moscow", "city", "RU"),
        GazetteerEntity("city:london-ontario", "London", "city", "CA"),
        GazetteerEntity("organisation:nato", "NATO", "organisation"),
    )
}
# The name a test writes -> what the gazetteer reads it as, then its other readings.
READINGS = {
    "Georgia": ("country:GE", "region:US-GA"), "Texas": ("region:US-TX",), "New Jersey": ("region:US-NJ",),
    "Ohio": ("region:US-OH",), "New Brunswick": ("region:CA-NB",), "Karabakh": ("region:karabakh",),
    "Atlanta": ("city:atlanta",), "Washington": ("city:washington",), "Tbilisi": ("city:tbilisi",),
    "Paris": ("city:paris",), "Athens": ("city:athens-greece", "city:athens-georgia"), "Moscow": ("city:moscow",),
    "France": ("country:FR",), "Ukraine": ("country:UA",), "Canada": ("country:CA",), "USA": ("country:US",),
    "NATO": ("organisation:nato",),
}
NAMES = re.compile("|".join(sorted(map(re.escape, READINGS), key=len, reverse=True)), re.IGNORECASE)
FOLDED = {name.casefold(): readings for name, readings in READINGS.items()}


def read(text: str) -> list[tuple[str, str | None]]:
    """Each name of ``READINGS`` in ``text`` (any case) with the entity it is read as (None: dropped)."""
    mentions = [Mention(found.start(), found.end(), FOLDED[found[0].casefold()]) for found in NAMES.finditer(text)]
    picked = pick_readings(text, mentions, PLACES)
    return [(text[mention.start:mention.end], entity_id) for mention, entity_id in zip(mentions, picked)]


def test_a_state_that_lost_its_name_is_read_after_a_city_in_it() -> None:
    assert read("The storm hit Atlanta, Georgia, on Monday.") == [("Atlanta", "city:atlanta"), ("Georgia", "region:US-GA")]


def test_a_city_and_its_country_stay_as_they_are() -> None:
    assert read("Talks in Tbilisi, Georgia, ended.") == [("Tbilisi", "city:tbilisi"), ("Georgia", "country:GE")]
    assert read("Paris, France") == [("Paris", "city:paris"), ("France", "country:FR")]


def test_a_namesake_city_in_the_area_is_taken_with_the_area() -> None:
    assert read("from Athens, Georgia") == [("Athens", "city:athens-georgia"), ("Georgia", "region:US-GA")]


def test_a_city_outside_the_area_is_a_namesake_and_dropped() -> None:
    assert read("The plant in Paris, Texas closed.") == [("Paris", None), ("Texas", "region:US-TX")]
    assert read("Police in Washington, Ohio said") == [("Washington", None), ("Ohio", "region:US-OH")]


def test_a_region_named_in_another_countrys_area_is_dropped() -> None:
    assert read("a lab in New Brunswick, New Jersey") == [("New Brunswick", None), ("New Jersey", "region:US-NJ")]
    assert read("in Ohio, New Jersey") == [("Ohio", "region:US-OH"), ("New Jersey", "region:US-NJ")]


@pytest.mark.parametrize(
    "text",
    ["Leaders of Ukraine, Georgia and Moldova met.", "flights to Paris, Atlanta and Tbilisi",
     "NATO, Georgia and the EU", "Tbilisi, Karabakh"],
)
def test_nothing_changes_without_a_city_and_an_area_of_a_known_country(text: str) -> None:
    assert read(text) == [(name, READINGS[name][0]) for name in NAMES.findall(text)]


@pytest.mark.parametrize(
    "text",
    ["They discussed Moscow, Ukraine, Texas and more.", "envoys from Washington, Georgia and Ukraine",
     "Moscow, Ukraine and France", "In Moscow, Ukraine is seen as a threat.", "In Washington, Georgia's envoy spoke.",
     "Paris, Texas, Ohio"],
)
def test_no_namesake_is_dropped_in_a_list_a_clause_or_before_a_possessive(text: str) -> None:
    assert None not in dict(read(text)).values()


def test_a_dateline_is_a_pair() -> None:
    assert read("ATLANTA, Georgia — Officials said") == [("ATLANTA", "city:atlanta"), ("Georgia", "region:US-GA")]
    assert read("PARIS, Texas (AP) — The plant closed.") == [("PARIS", None), ("Texas", "region:US-TX")]


def test_a_name_read_in_one_pair_keeps_its_reading_in_the_next() -> None:
    assert read("Atlanta, Georgia, USA") == [
        ("Atlanta", "city:atlanta"), ("Georgia", "region:US-GA"), ("USA", "country:US")]
    assert read("Georgia, USA") == [("Georgia", "region:US-GA"), ("USA", "country:US")]


def test_a_city_without_a_known_subdivision_lies_in_any_region_of_its_country() -> None:
    # geonames numbers Canada's provinces: a Canadian city's province is not known, its country is
    text = "London, New Brunswick"
    mentions = [Mention(0, 6, ("city:london-ontario",)), Mention(8, 21, ("region:CA-NB",))]
    assert pick_readings(text, mentions, PLACES) == ["city:london-ontario", "region:CA-NB"]
