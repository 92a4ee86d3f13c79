"""Tests for transforms/date_words.py: words no locale knows rule a string out, and no date is ruled out."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from dateparser.date import DateDataParser

from benchmarks.corpora import corpora_dir
from transforms.date_words import could_be_date, date_words


@pytest.mark.parametrize("text", [
    "21 sentyabr 2023",  # Azerbaijani
    "21 сентября 2023, 14:05",
    "две недели назад",  # number words: a stem before endings, дв(а|е|ух)
    "6 אחרי הצהרים",  # a spelling with one optional letter of a pattern left out
    "April MMX",  # a Roman year
    "2025-Q3",
    "11 ก.พ. 2020",
    "21 Eylül 2023 Perşembe",
    "jeudi 21 septembre 2023 à 14h05",
    "Donnerstag, 21. September 2023",
    "21 de septiembre de 2023",
    "Thu, 21 Sep 2023 14:05:00 EST",
    "vor 3 Stunden",
    "3 hours ago",
    "prvního ledna 2021",  # a Czech ordinal: a stem of dateparser's patterns
    "۳ یولیو ۲۰۱۴",  # Persian digits, Arabic letter variant
    "2016年9月14日晚8:00",  # glued Han: not checked
    "2013년08월04일에",
    "",
    "2023-09-21 14:05",  # no words at all
])
def test_dates_in_any_language_could_be_dates(text: str) -> None:
    assert could_be_date(text)


@pytest.mark.parametrize("text", [
    "qzxv 12 wprtk 2023",
    "Lorem ipsum 21 dolorem 2023",
    "21 Xeptember 2023",  # a misspelt month is no month of any locale
    "Build 4711 zqlr",
])
def test_a_word_no_locale_knows_rules_the_string_out(text: str) -> None:
    assert not could_be_date(text)


def test_words_are_compared_lower_case_without_accents_and_with_arabic_letter_variants_folded() -> None:
    assert date_words("Eylül 21 PERŞEMBE") == ["eylul", "persembe"]
    assert date_words("يوليو") == date_words("یولیو")


def test_a_ruled_out_garbage_string_is_no_date_for_dateparser_either() -> None:
    for text in ("qzxv 12 wprtk 2023", "21 Xeptember 2023"):
        assert DateDataParser().get_date_data(text).date_obj is None


DATEPARSER_CASES = corpora_dir() / "dateparser-cases.jsonl"


@pytest.mark.skipif(not DATEPARSER_CASES.is_file(), reason=f"corpus absent: {DATEPARSER_CASES}")
def test_no_string_of_dateparsers_test_suite_that_it_reads_is_ruled_out() -> None:
    strings = {
        value
        for line in DATEPARSER_CASES.read_text(encoding="utf-8").splitlines()
        for value in (*json.loads(line).get("args", []), *(json.loads(line).get("kwargs") or {}).values())
        if isinstance(value, str) and 0 < len(value) <= 256
    }
    ruled_out = sorted(text for text in strings if not could_be_date(text))
    relative = {"RELATIVE_BASE": dt.datetime(2020, 6, 15, 12), "PREFER_DATES_FROM": "past"}
    readers = [DateDataParser(settings={"DATE_ORDER": order, **extra})
               for order in ("DMY", "MDY") for extra in ({}, relative)]
    read_anyway = [text for text in ruled_out if any(reader.get_date_data(text).date_obj for reader in readers)]

    assert len(strings) > 4000 and len(ruled_out) > 300  # it is a real filter on real strings
    assert read_anyway == []
