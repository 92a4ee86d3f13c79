"""Read "City, Region" pairs: a place name, a comma, then the state or country it lies in ("Atlanta, Georgia",
"Paris, Texas", "London, Ontario", the dateline "ATLANTA, Georgia —").

The gazetteer resolves each name to one entity, and keeps the other places it can name (``Gazetteer.readings``):
the US state that lost "Georgia" to the country and "Washington" to the capital, Birmingham in Alabama beside the
one in England. For two mentions with only a comma between them, the second a country or region (an *area*):

1. When a reading of the first lies in a reading of the second, those two are taken, the gazetteer's own
   choices first: "Atlanta, Georgia" is the state; "Birmingham, Alabama" and "Athens, Georgia" the US cities
   (and the state); "Tbilisi, Georgia" and "Paris, France" stay as they are. The first may be a region too
   ("Georgia, USA": the state).
2. Else, when the first is a city and the second an area that the city does not lie in, the first names a
   namesake too small for the gazetteer ("Paris, Texas", "Portland, Maine"): it is dropped; so is a region
   named in another country's area ("New Brunswick, New Jersey": a city there). Not when the two
   look like items of a list or the comma ends an opening phrase: another name before the first or after the
   second ("Colorado, Washington, Alaska", "discuss Chicago, Japan, Tron and GDC"), a sentence that opens with
   the first and goes on after the second ("In Moscow, Ukraine is..."), or a possessive ("In Washington,
   Georgia's envoy").
3. Else nothing changes ("London, Paris and Berlin", "Leaders of Ukraine, Georgia and Moldova").

A name already read as the second of a pair keeps that reading as the first of the next ("Atlanta, Georgia,
USA").

The second may be a state's or province's abbreviation (``transforms.region_abbreviations``: "Austin, TX", "Portland,
Ore."): it is never an item of a list, and counts only as the area of a pair (1 or 2; "Melbourne, FL" drops
Melbourne in Australia, "Berlin, DE" stays as it is and "DE" is no mention).

What a pair decides about its first name holds for the text's other mentions of that name that are in no pair
("Santa Fe, New Mexico ... the Santa Fe shelter": no mention of the Argentine city), unless two pairs decide it
differently. The area keeps its own reading elsewhere: a text that says "Atlanta, Georgia" may speak of the country
Georgia too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from transforms.gazetteer import GazetteerEntity
    from transforms.region_abbreviations import Abbreviation

_COMMA = re.compile(r",[ \t]*")
_POSSESSIVE = re.compile(r"['\u2019]s\b")
# What after the second name makes it an item of a list: a comma or a conjunction, then a capitalised word.
_LIST_GOES_ON = re.compile(r"(?:,?[ \t]+(?:and|or|&)|,)[ \t]+(\w)")
# A sentence start, then at most one word ("In", "From"), then the first name.
_OPENING = re.compile(r"(?:\A|[.!?\n]\s*)(?:\w+[ \t]+)?\Z")
_OPENING_REACH = 40  # characters searched back for ``_OPENING``
_AFTER_SECOND = re.compile(r"[ \t]+\w")  # the sentence goes on with a word, no punctuation between


class Mention(NamedTuple):
    """A matched name: its span and the entities it can name, the gazetteer's choice first."""

    start: int
    end: int
    readings: tuple[str, ...]
    name: int = -1  # which name it is: mentions of one name share it (-1: none)
    abbreviation: Abbreviation | None = None  # when it is a state's or province's abbreviation ("TX", "Ore.")


def pick_readings(text: str, mentions: Sequence[Mention], entities: Mapping[str, GazetteerEntity]) -> list[str | None]:
    """The entity each of ``mentions`` (in text order, not overlapping) names in ``text``, None for a dropped one."""
    chosen: list[str | None] = [mention.readings[0] for mention in mentions]
    settled = [False] * len(mentions)  # read as part of a pair already
    decided = [False] * len(mentions)  # the first of a pair that settled it or dropped it as a namesake
    area = [False] * len(mentions)  # the second of such a pair
    for index in range(1, len(mentions)):
        first, second = mentions[index - 1], mentions[index]
        if chosen[index - 1] is None or not _paired(text, first, second):
            continue
        first_readings = (chosen[index - 1],) if settled[index - 1] else first.readings
        agreed = _agreeing(first_readings, second.readings, entities)
        if agreed is not None:
            chosen[index - 1], chosen[index] = agreed
            settled[index - 1] = settled[index] = decided[index - 1] = area[index] = True
        elif not settled[index - 1] and _namesake(first, second, entities) and _names_area(
                text, mentions, index, entities):
            chosen[index - 1] = None
            decided[index - 1] = area[index] = True
    for index, mention in enumerate(mentions):
        if mention.abbreviation is not None and not area[index]:
            chosen[index] = None  # "Berlin, DE": no pair
    _carry_over(text, mentions, chosen, decided)
    return chosen


def _carry_over(text: str, mentions: Sequence[Mention], chosen: list[str | None], decided: Sequence[bool]) -> None:
    """Give the text's mentions of a name that are in no pair what the pairs decided about it (see module), when
    they all decided the same."""
    decisions: dict[int, set[str | None]] = {}
    for mention, entity_id, was_decided in zip(mentions, chosen, decided):
        if was_decided and mention.name >= 0:
            decisions.setdefault(mention.name, set()).add(entity_id)
    if not decisions:
        return
    for index, mention in enumerate(mentions):
        found = decisions.get(mention.name)
        if found is None or len(found) != 1 or _in_a_pair(text, mentions, index):
            continue
        chosen[index] = next(iter(found))


def _in_a_pair(text: str, mentions: Sequence[Mention], index: int) -> bool:
    """True when only a comma separates ``mentions[index]`` from the mention before or after it."""
    before = index > 0 and _paired(text, mentions[index - 1], mentions[index])
    return before or (index + 1 < len(mentions) and _paired(text, mentions[index], mentions[index + 1]))


def _paired(text: str, first: Mention, second: Mention) -> bool:
    """True when only a comma (and spaces) separates the two names, and the second is not a possessive."""
    return _COMMA.fullmatch(text, first.end, second.start) is not None and not _POSSESSIVE.match(text, second.end)


def _agreeing(
    first_readings: Sequence[str], second_readings: Sequence[str], entities: Mapping[str, GazetteerEntity]
) -> tuple[str, str] | None:
    """The first (place, area) of the readings where the place lies in the area, the second name's readings
    outermost (its gazetteer choice kept if it can be); None when none does."""
    for area_id in second_readings:
        area = entities[area_id]
        if not _is_area(area):
            continue
        for place_id in first_readings:
            if _lies_in(entities[place_id], area):
                return place_id, area_id
    return None


def _is_area(entity: GazetteerEntity) -> bool:
    """True for a country, or a region of a known country."""
    return entity.type == "country" or bool(entity.subdivision and entity.type != "city")


def _lies_in(place: GazetteerEntity, area: GazetteerEntity) -> bool:
    """True when ``place`` (a city or region) lies in ``area``: a region in its country, a city in its country
    and in its subdivision when both are known."""
    if place.id == area.id or not place.country or place.country != area.country or place.type == "country":
        return False
    if area.type == "country":
        return True
    return place.type == "city" and place.subdivision in ("", area.subdivision)


def _namesake(first: Mention, second: Mention, entities: Mapping[str, GazetteerEntity]) -> bool:
    """True when the second name's place is an area and the first's a city that does not lie in it, or a region
    of another country ("New Brunswick, New Jersey"; "Ohio, Michigan" is a list)."""
    place, area = entities[first.readings[0]], entities[second.readings[0]]
    if not _is_area(area) or place.type == "country":
        return False
    if place.type == "city":
        return not _lies_in(place, area)
    return _is_area(place) and place.country != area.country


def _names_area(text: str, mentions: Sequence[Mention], index: int, entities: Mapping[str, GazetteerEntity]) -> bool:
    """True when the second of the pair ending at ``mentions[index]`` names the area the first lies in, so that the
    first is a namesake: no item of a list nor the end of an opening phrase; for an abbreviation, not an English word
    nor the ISO code of a country the first can lie in ("Berlin, DE")."""
    abbreviation = mentions[index].abbreviation
    if abbreviation is None:
        return not _list_or_clause(text, mentions, index)
    country = abbreviation.country_code
    in_country = any(entities[place_id].country == country for place_id in mentions[index - 1].readings)
    return not abbreviation.agreeing_only and not (country and in_country)


def _list_or_clause(text: str, mentions: Sequence[Mention], index: int) -> bool:
    """True when the pair ending at ``mentions[index]`` may be items of a list, or a comma closing an opening
    phrase (see module), rather than a place and its area."""
    first, second = mentions[index - 1], mentions[index]
    before = index >= 2 and _COMMA.fullmatch(text, mentions[index - 2].end, first.start) is not None
    goes_on = _LIST_GOES_ON.match(text, second.end)
    listed_after = goes_on is not None and goes_on[1][0].isupper()
    opening = _OPENING.search(text, max(0, first.start - _OPENING_REACH), first.start) is not None
    clause = opening and _AFTER_SECOND.match(text, second.end) is not None
    return before or listed_after or clause
