"""Tests of transforms.link_spans: telling a name inside a link from a name in running text."""

from __future__ import annotations

import pytest

from transforms.link_spans import in_link


def span_of(text: str, name: str) -> tuple[int, int]:
    """The first span of ``name`` in ``text``."""
    start = text.index(name)
    return start, start + len(name)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("See http://wikitravel.org/en/Singapore for more.", "Singapore"),
        ("Maps: maps.example.com?q=Empire+State+Building,+New+York,+NY today", "York"),
        ("Read www.example.org/news/russia-internet now", "russia"),
        ("Write to Dallas.Sales@example.com for a quote.", "Dallas"),
        ("Berlin.de lists the museums.", "Berlin"),
        ("Talk at Seattle.rb tonight", "Seattle"),
        ("Notes at example.com/Journals/Reading.htm are old.", "Reading"),
        ("HTTPS://EXAMPLE.COM/PARIS", "PARIS"),
        ("Domains under .ভারত are run by a registry.", "ভারত"),  # a top-level domain alone
        ("the .EU domain", "EU"),
    ],
)
def test_a_name_inside_an_address_or_a_domain_is_in_a_link(text: str, name: str) -> None:
    assert in_link(text, *span_of(text, name))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Flights to Dallas/Fort Worth resumed.", "Fort Worth"),
        ("Path C: Bulgaria/Israel/Hungary", "Israel"),
        ("US-China talks resumed.", "US"),
        ("It struck near Aris in Greece.Exact location unknown.", "Greece"),
        ("Officials in the U.S. said so.", "U.S."),
        ("He moved to London.", "London"),
        ("A meeting in Paris, then Rome.", "Paris"),
        ("We waited... Paris never called.", "Paris"),
        ("We waited ...Paris never called.", "Paris"),  # an ellipsis is no top-level domain
    ],
)
def test_a_name_in_running_text_is_not_in_a_link(text: str, name: str) -> None:
    assert not in_link(text, *span_of(text, name))


def test_a_long_run_without_spaces_is_judged_by_its_nearby_characters() -> None:
    far_link = "http://example.com/" + "x" * 1000 + "/Paris"
    assert not in_link(far_link, *span_of(far_link, "Paris"))
    near_link = "x" * 1000 + "http://example.com/Paris"
    assert in_link(near_link, *span_of(near_link, "Paris"))
