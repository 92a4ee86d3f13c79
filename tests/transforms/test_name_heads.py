"""Tests of transforms.name_heads: a place name inside a newspaper's, club's, street's, school's or company's name."""

from __future__ import annotations

import pytest

from transforms.name_heads import in_other_name


def inside_other_name(text: str, name: str) -> bool:
    """``in_other_name`` for the first ``name`` written in ``text``."""
    start = text.index(name)
    return in_other_name(text, start, start + len(name))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("She told the Jerusalem Post on Monday.", "Jerusalem"),
        ("The New York Times Co. reported a loss.", "New York"),  # a strong head ends a name whatever follows
        ("the Chicago Sun-Times said", "Chicago"),  # a two-word head joined by a hyphen
        ("He wrote for The San Jose Mercury News.", "San Jose"),
        ("the Dallas Cowboys won again", "Dallas"),
        ("Boston Red Sox – the closer is back", "Boston"),
        ("a flat on Oxford Street.", "Oxford"),
        ("Real Madrid signed him.", "Madrid"),
        ("«Динамо Москва» победило.", "Москва"),
        ("She teaches at the University of Maryland.", "Maryland"),
        ("Universidad de Chile", "Chile"),
        ("Er studierte an der Uni Dortmund.", "Dortmund"),
        ("die Friedrich-Wilhelms-Universität Bonn", "Bonn"),
        ("Newcastle University opened a lab.", "Newcastle"),
        ("Il habite rue de Paris.", "Paris"),
        ("The hotel on Avenida Brasil reopened.", "Brasil"),
        ("Andorra Telecom said", "Andorra"),
        ("Biman Bangladesh Airlines bought two jets.", "Bangladesh"),
        ("Passengers of Air Namibia were rebooked.", "Namibia"),  # an airline's word before the place
        ("The registry NIC Peru runs the domain.", "Peru"),  # a domain registry's
        ("the Cambridge Dictionary added the word", "Cambridge"),  # a reference work's head
        ("The flat at 120 Lexington St was sold.", "Lexington"),  # a street's abbreviation
        ("Telecom Fiji Ltd. raised prices.", "Fiji"),  # an organisation's longer name (organisation_names)
    ],
)
def test_a_place_name_in_another_name_is_told(text: str, name: str) -> None:
    assert inside_other_name(text, name)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Brazil Star Neymar Injured Before Qualifier", "Brazil"),  # a title in capitals: a capitalised word follows
        ("Texas Heat Wave Breaks Records", "Texas"),
        ("Kenya Road Crash Kills 12", "Kenya"),
        ("a Moscow street was renamed", "Moscow"),  # no capital
        ("The Miami heat was unbearable.", "Miami"),
        ("Paris Hilton opened a shop.", "Paris"),  # not in the lexicon: a person, a police force, an event
        ("New York Police arrested two men.", "New York"),
        ("The Tokyo Game Show opened.", "Tokyo"),
        ("Mississippi Blues and Chicago jazz", "Mississippi"),  # music of the place, not the hockey club
        ("The Boston Red Line was closed.", "Boston"),  # one word of a two-word head
        ("the real Madrid is elsewhere", "Madrid"),  # a club's word needs its capital
        ("flights via Paris", "Paris"),
        ("à la place de Paris", "Paris"),  # "instead of": "place" is no street word here
        ("We met in Paris. Street vendors sold crepes.", "Paris"),  # punctuation between
        ("the London 2012 Olympics", "London"),
        ("fresh air Namibia", "Namibia"),  # the airline's word needs its capital
        ("Moscow St Petersburg", "Moscow"),  # an abbreviated head before a capitalised word
    ],
)
def test_a_place_name_beside_other_words_is_not_told(text: str, name: str) -> None:
    assert not inside_other_name(text, name)
