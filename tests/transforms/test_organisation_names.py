"""Tests of transforms.organisation_names: a place name inside an organisation's or a school's longer name."""

from __future__ import annotations

import pytest

from transforms.organisation_names import in_organisation_name


def inside_organisation(text: str, name: str) -> bool:
    """``in_organisation_name`` for the first ``name`` written in ``text``."""
    start = text.index(name)
    return in_organisation_name(text, start, start + len(name))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("The Kenya Information and Communications Technology Association (KICTA) met.", "Kenya"),
        ("I spoke at the Lisbon Ruby User Group last week.", "Lisbon"),
        ("members of the Oslo Go Brigade, as always", "Oslo"),
        ("Listing day at the Tokyo Stock Exchange was busy.", "Tokyo"),
        ("Shares of Telecom Fiji Ltd. rose.", "Fiji"),  # a legal form after a name that opens before the place
        ("the registry run by Internet Norway ltd. in Oslo", "Norway"),  # some write it in lower case
        ("Vodafone Malta S.p.A. filed", "Malta"),
        ("a statement from Nuuk Telecom A/S on Monday", "Nuuk"),
        ("the Ghana Network Information Centre (GHNIC) said", "Ghana"),  # a centre of a network: the organisation
        ("Nickel on the Sydney Metal Exchange SMX3 fell.", "Sydney"),  # a code ends the name
        ("the New Oxford American Dictionary in particular", "Oxford"),  # a publisher's reference work
        ("see the Lagos Ruby Group and the March meeting notes", "Lagos"),  # the name ends before "and"
        ("run by （Ghana Internet Network Information Center） since 2001", "Ghana"),  # fullwidth parentheses
        ("a member of the Internet Society of Ghana since 2001", "Ghana"),
        ("run by the Association of Software Companies of Peru", "Peru"),
        ("She studied at the University of Central Arkansas.", "Arkansas"),
        ("a degree from the College of the Bahamas", "Bahamas"),
        ("she teaches at the Universidad del Valle de Guatemala", "Guatemala"),
        ("members of the Rwanda Internet Society\nnext line", "Rwanda"),  # the line ends the name
    ],
)
def test_a_place_name_in_an_organisations_name_is_told(text: str, name: str) -> None:
    assert inside_organisation(text, name)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("The Michigan Department of Health and Human Services reported cases.", "Michigan"),  # own government
        ("the Ohio Department of Health and Ohio Group members", "Ohio"),  # a government body before "and"
        ("the U.S. Securities and Exchange Commission said", "U.S."),
        ("Funding from the U.S. National Science Foundation, he said.", "U.S."),
        ("The Government of Ghana signed it.", "Ghana"),
        ("The Municipal Corporation of Delhi said so.", "Delhi"),  # a city's government
        ("Kenya Joins Global Research Network", "Kenya"),  # a headline: every word is capitalised
        ("The start-up is a Delaware LLC owned by two investors.", "Delaware"),  # a company registered there
        ("The Portland Convention Center was full.", "Portland"),  # a building in the place
        ("The Jerusalem Light Festival opened.", "Jerusalem"),  # an event held there
        ("the Bank of Japan raised rates", "Japan"),  # a central bank: the state's own
        ("the Federation of Malaysia was formed in 1963", "Malaysia"),  # the state itself
        ("In Kenya the network grew.", "Kenya"),
        ("We met at the London office of the group.", "London"),
        ("a Boston Consulting report that Group leaders read", "Boston"),  # the run ends at a lowercase word
        ("Harvard University. Director of Kenya programmes", "Kenya"),  # punctuation ends the name before "of"
        ("Oslo Ruby Brigade Annual General Meeting Minutes Agenda Items List", "Oslo"),  # too long for a name
    ],
)
def test_a_place_name_beside_other_words_is_not_told(text: str, name: str) -> None:
    assert not inside_organisation(text, name)
