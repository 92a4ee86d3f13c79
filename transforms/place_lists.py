"""Read a name that can be a state as one where it is listed beside states: "Virginia, New Jersey, New York" and
"senators from Georgia and Virginia" name US states, where "New York" alone is the city and "Georgia" the country.

A name with a region among its other readings (``Gazetteer.readings``: the US states that lost "Georgia",
"Washington" and "New York") takes that region first when a name next to it in a list (names joined by commas and
"and", "or" or "&": a conjunction or three names) is read as a region of the same country. Beside countries or
cities it stays as it is ("Armenia, Georgia and Azerbaijan", "New York and Los Angeles"). A "City, Region" pair
(``transforms.place_pairs``), read after, still decides its own names ("Tbilisi, Georgia and Virginia": Tbilisi lies
in the country).

A name after "District of" is read as its region too: the districts of US federal courts are named for states ("the
U.S. attorney for the Southern District of New York", "the Northern District of Georgia").
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from transforms.place_pairs import Mention

if TYPE_CHECKING:
    from transforms.gazetteer import GazetteerEntity

# What joins two names of a list: a comma, a conjunction, or both ("Georgia, and Virginia"); a group holds the
# conjunction.
_JOINT = re.compile(r"[ \t]*(?:,[ \t]*(?:(and|or|&)[ \t]+)?|(and|or|&)[ \t]+)")
# What just before a name makes it a court district's state ("Western District of New York").
_DISTRICT_OF = re.compile(r"[Dd]istrict of[ \t]+\Z")
_DISTRICT_REACH = 16


def regions_first_in_lists(
    text: str, mentions: Sequence[Mention], entities: Mapping[str, GazetteerEntity]
) -> list[Mention]:
    """``mentions`` (in text order), each with its region reading put first where it is listed beside a region of
    the same country (see module)."""
    listed = [_region_first_after_district(text, mention, entities) for mention in mentions]
    neighbours = _list_neighbours(text, mentions)
    # from each name read as a region, to its neighbours that can be one of the same country, and on from those:
    # "Georgia, Washington and Texas" (each name changes once; a pass over all names until none changed took the
    # square of a list's length: 4,000 names 9 s)
    pending = [index for index, mention in enumerate(listed) if _is_region(entities[mention.readings[0]])]
    while pending:
        index = pending.pop()
        country = entities[listed[index].readings[0]].country
        for other in neighbours[index]:
            region = _other_region(listed[other], entities)
            if region is not None and entities[region].country == country:
                mention = listed[other]
                listed[other] = mention._replace(readings=(region, *(r for r in mention.readings if r != region)))
                pending.append(other)
    return listed


def _region_first_after_district(text: str, mention: Mention, entities: Mapping[str, GazetteerEntity]) -> Mention:
    """``mention`` with its region reading first when "District of" precedes it, else as it is."""
    if not _DISTRICT_OF.search(text, max(0, mention.start - _DISTRICT_REACH), mention.start):
        return mention  # the common case, kept cheap
    region = _other_region(mention, entities)
    if region is None:
        return mention
    return mention._replace(readings=(region, *(reading for reading in mention.readings if reading != region)))


def names_a_region(entity_ids: Iterable[str], entities: Mapping[str, GazetteerEntity]) -> bool:
    """True when one of ``entity_ids`` (a name's other readings) is a region of a country: the name may be read so
    in a list."""
    return any(_is_region(entities[entity_id]) for entity_id in entity_ids)


def _other_region(mention: Mention, entities: Mapping[str, GazetteerEntity]) -> str | None:
    """The first region of a country among the mention's other readings, when its first reading is none."""
    if _is_region(entities[mention.readings[0]]):
        return None
    return next((reading for reading in mention.readings[1:] if _is_region(entities[reading])), None)


def _is_region(entity: GazetteerEntity) -> bool:
    """True for a region of a known country (a US state, a Canadian province)."""
    return entity.type == "other" and bool(entity.subdivision)


def _list_neighbours(text: str, mentions: Sequence[Mention]) -> list[list[int]]:
    """For each mention, the numbers of the mentions next to it in a list: a run of names joined by commas and
    conjunctions that has a conjunction or at least three names (two names and a comma alone are a "City, Region"
    pair: "Washington, Ohio")."""
    joints = [_JOINT.fullmatch(text, first.end, second.start) for first, second in itertools.pairwise(mentions)]
    neighbours: list[list[int]] = [[] for _ in mentions]
    run_start = 0
    for index in range(1, len(mentions) + 1):
        if index < len(mentions) and joints[index - 1] is not None:
            continue  # the run goes on
        run_joints = joints[run_start:index - 1]
        if len(run_joints) >= 2 or any(joint.lastindex for joint in run_joints):
            for item in range(run_start, index):
                neighbours[item] = [other for other in (item - 1, item + 1) if run_start <= other < index]
        run_start = index
    return neighbours
