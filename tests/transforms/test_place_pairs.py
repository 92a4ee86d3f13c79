"""Tests of transforms.place_pairs: "City, Region" pairs read on a small made-up table of places."""

from __future__ import annotations

import re

import pytest

from tests.transforms.place_table import PLACES
from transforms.place_pairs import Mention, pick_readings
from transforms.region_abbreviations import abbreviation_after

# The name a test writes -> what the gazetteer reads it as, then its other readings.
READINGS = {
    "Georgia": ("country:GE", "region:US-GA"), "Texas": ("region:US-TX",), "New Jersey": ("region:US-NJ",),
    "Ohio": ("region:US-OH",), "New Brunswick": ("region:CA-NB",), "Karabakh": ("region:karabakh",),
    "Atlanta": ("city:atlanta",), "Washington": ("city:washington",), "Tbilisi": ("city:tbilisi",),
    "Paris": ("city:paris",), "Athens": ("city:athens-greece", "city:athens-georgia"), "Moscow": ("city:moscow",),
    "France": ("country:FR",), "Ukraine": ("country:UA",), "Canada": ("country:CA",), "USA": ("country:US",),
    "NATO": ("organisation:nato",),
    "England": ("region:england",), "Scotland": ("region:scotland",), "New Mexico": ("region:US-NM",),
    "Alabama": ("region:US-AL",), "Melbourne": ("city:melbourne",), "Perth": ("city:perth",),
    "Santa Fe": ("city:santa-fe",), "Berlin": ("city:berlin",), "Mansfield": ("city:mansfield",),
    "Birmingham": ("city:birmingham-england", "city:birmingham-alabama"),
    "Cambridge": ("city:cambridge-england", "city:cambridge-massachusetts"),
}
NAMES = re.compile("|".join(sorted(map(re.escape, READINGS), key=len, reverse=True)), re.IGNORECASE)
FOLDED = {name.casefold(): readings for name, readings in READINGS.items()}


def read(text: str) -> list[tuple[str, str | None]]:
    """Each name of ``READINGS`` in ``text`` (any case), and each state's abbreviation after one and a comma, with
    the entity it is read as (None: dropped)."""
    mentions = []
    for found in NAMES.finditer(text):
        folded = found[0].casefold()
        mentions.append(Mention(found.start(), found.end(), FOLDED[folded], list(FOLDED).index(folded)))
        abbreviation = abbreviation_after(text, found.end())
        if abbreviation is not None and abbreviation.region_id in PLACES:
            mentions.append(Mention(abbreviation.start, abbreviation.end, (abbreviation.region_id,),
                                    abbreviation=abbreviation))
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


def test_a_state_abbreviation_is_the_area_of_a_pair() -> None:
    assert read("Atlanta, GA") == [("Atlanta", "city:atlanta"), ("GA", "region:US-GA")]
    assert read("Researchers in Cambridge, MA said") == [
        ("Cambridge", "city:cambridge-massachusetts"), ("MA", "region:US-MA")]
    assert read("from Athens, Ga., to Paris") == [
        ("Athens", "city:athens-georgia"), ("Ga.", "region:US-GA"), ("Paris", "city:paris")]


def test_a_state_abbreviation_drops_a_namesake_even_in_a_list() -> None:
    assert read("Melbourne, FL and Paris, Texas") == [
        ("Melbourne", None), ("FL", "region:US-FL"), ("Paris", None), ("Texas", "region:US-TX")]
    assert read("Mansfield, MA hosted the show.") == [("Mansfield", None), ("MA", "region:US-MA")]


def test_an_abbreviation_that_is_a_word_or_the_code_of_the_places_country_counts_only_in_agreement() -> None:
    assert read("Our office in Berlin, DE is open.") == [("Berlin", "city:berlin"), ("DE", None)]
    assert read("Paris, OK? Meet me there.") == [("Paris", "city:paris"), ("OK", None)]
    assert read("Atlanta, Georgia, OK") == [
        ("Atlanta", "city:atlanta"), ("Georgia", "region:US-GA"), ("OK", None)]


def test_the_nations_of_the_united_kingdom_are_areas() -> None:
    assert read("She grew up in Perth, Scotland.") == [("Perth", None), ("Scotland", "region:scotland")]
    assert read("Birmingham, England") == [("Birmingham", "city:birmingham-england"), ("England", "region:england")]
    assert read("England, Scotland and Texas") == [
        ("England", "region:england"), ("Scotland", "region:scotland"), ("Texas", "region:US-TX")]


def test_what_a_pair_decides_holds_for_the_names_other_bare_mentions() -> None:
    text = "A cat was found in Santa Fe, New Mexico. The Santa Fe shelter kept it."
    assert read(text) == [("Santa Fe", None), ("New Mexico", "region:US-NM"), ("Santa Fe", None)]
    text = "Birmingham, Alabama voted. In Birmingham the polls closed at seven."
    alabama = "city:birmingham-alabama"
    assert read(text) == [("Birmingham", alabama), ("Alabama", "region:US-AL"), ("Birmingham", alabama)]


def test_pairs_that_disagree_leave_the_names_bare_mentions_as_they_are() -> None:
    text = "From Cambridge, England to Cambridge, MA: Cambridge is everywhere."
    assert read(text)[-1] == ("Cambridge", "city:cambridge-england")


def test_the_area_of_a_pair_keeps_its_own_reading_elsewhere() -> None:
    text = "The delegation visited Atlanta, Georgia. Georgia's president thanked them."
    assert read(text) == [("Atlanta", "city:atlanta"), ("Georgia", "region:US-GA"), ("Georgia", "country:GE")]


def test_a_mention_in_a_list_is_not_a_bare_mention() -> None:
    text = "Athens, Georgia hosted it; Armenia, Georgia and Ukraine sent envoys."
    assert read(text)[-2:] == [("Georgia", "country:GE"), ("Ukraine", "country:UA")]
