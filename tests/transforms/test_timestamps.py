"""Tests of transforms.timestamps: parsing times to UTC, datelines, and choosing an article's time."""

from __future__ import annotations

import datetime as dt
import pathlib
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from benchmarks.quality_timestamps import (
    DEFAULT_CORPORA_DIR,
    measure_dateparser_cases,
    measure_feedparser_tests,
)
from transforms import timestamps
from transforms.settings import TransformSettings
from transforms.timestamps import ParsedTime, find_dateline, normalize_article_time, parse_timestamp

UTC = dt.timezone.utc
SEED_INSTANT = dt.datetime(2023, 9, 21, 12, 21, tzinfo=UTC)  # 16:21 at UTC+04:00 (Baku)
FETCHED_AT = dt.datetime(2023, 9, 22, 6, 0, tzinfo=UTC)
REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
SEED_DATELINE = "date 2023-09-21 21 September 2023 16:21 (UTC+04:00)"


def parsed(value: str, **kwargs: object) -> ParsedTime:
    """parse_timestamp that must succeed."""
    result = parse_timestamp(value, **kwargs)  # type: ignore[arg-type]
    assert result is not None, value
    return result


def utc(*fields: int) -> dt.datetime:
    """An aware UTC datetime."""
    return dt.datetime(*fields, tzinfo=UTC)


# --- The seed article ------------------------------------------------------------------------------------


def test_utc_offset_in_parentheses_is_applied() -> None:
    result = parsed("21 September 2023 16:21 (UTC+04:00)")
    assert (result.instant_utc, result.offset_minutes, result.had_zone) == (SEED_INSTANT, 240, True)


def test_seed_dateline_gives_the_time_with_its_offset() -> None:
    body = SEED_DATELINE + "\n\nThe Commissioner for Human Rights (Ombudswoman) of Azerbaijan met ..."
    result = find_dateline(body)
    assert result is not None
    assert result.instant_utc == SEED_INSTANT
    assert result.offset_minutes == 240


@pytest.mark.parametrize("label", ["(UTC+04:00)", "(GMT+4)", "UTC+4", "GMT+04:00", "(UTC+0400)"])
def test_labelled_offsets_are_read_in_every_spelling(label: str) -> None:
    assert parsed(f"21 September 2023 16:21 {label}").instant_utc == SEED_INSTANT


# --- RFC 822 and relatives -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "offset"),
    [
        ("Thu, 21 Sep 2023 16:21:00 +0400", 240),
        ("Thu, 21 Sep 2023 12:21:00 GMT", 0),
        ("Thu, 21 Sep 2023 12:21:00 UT", 0),
        ("Thu, 21 Sep 2023 08:21:00 EDT", -240),
        ("Thu, 21 Sep 2023 07:21:00 EST", -300),
        ("Thu, 21 Sep 2023 05:21:00 PDT", -420),
        ("Thu, 21 Sep 2023 15:21:00 MSK", 180),
        ("Thu, 21 Sep 2023 16:21:00 AZT", 240),
        ("Thu, 21 Sep 2023 15:21:00 TRT", 180),
        ("Thu, 21 Sep 2023 14:21:00 CEST", 120),
        ("Thu, 21 Sep 2023 13:21:00 BST", 60),
        ("Thu, 21 Sep 2023 21:21:00 JST", 540),
        ("Thu, 21 Sep 2023 22:21:00 AEST", 600),
        ("Thu, 21 Sep 2023 16:21:00 GST", 240),
        ("Thu, 21 Sep 2023 12:21:00 Z", 0),
        ("Thu, 21 Sep 2023 16:21:00 +0400 (MSK)", 240),
        ("Thu, 21 Sep 2023 16:21:00 +04:00", 240),
    ],
)
def test_rfc822_zones_are_applied(value: str, offset: int) -> None:
    result = parsed(value)
    assert (result.instant_utc, result.offset_minutes, result.method) == (SEED_INSTANT, offset, "rfc822")


@pytest.mark.parametrize(
    "value, instant, offset",
    [
        ("May 1, 2024 10:00 AM ET", dt.datetime(2024, 5, 1, 14, 0), -240),  # daylight saving time in May
        ("January 10, 2024 10:00 AM ET", dt.datetime(2024, 1, 10, 15, 0), -300),
        ("May 1, 2024 9:15 a.m. PT", dt.datetime(2024, 5, 1, 16, 15), -420),
        ("Nov. 20, 2024 3:05 PM CT", dt.datetime(2024, 11, 20, 21, 5), -360),
        ("2024-05-01 10:00 Asia/Baku", dt.datetime(2024, 5, 1, 6, 0), 240),
        ("2024-07-01T10:00:00 (Europe/Berlin)", dt.datetime(2024, 7, 1, 8, 0), 120),
        ("Wed, 01 Jan 2025 10:00:00 Europe/Berlin", dt.datetime(2025, 1, 1, 9, 0), 60),
    ],
)
def test_iana_and_us_generic_zones_follow_daylight_saving_time(value: str, instant: dt.datetime,
                                                               offset: int) -> None:
    result = parsed(value)
    assert (result.instant_utc, result.offset_minutes, result.had_zone) == (
        instant.replace(tzinfo=dt.timezone.utc), offset, True)


def test_a_slash_word_that_is_no_zone_leaves_the_time_zoneless() -> None:
    result = parsed("2024-05-01 10:00 Foo/Bar")
    assert (result.instant_utc, result.had_zone) == (dt.datetime(2024, 5, 1, 10, 0, tzinfo=dt.timezone.utc), False)


def test_a_dateline_with_a_us_generic_zone_is_read_with_daylight_saving_time() -> None:
    result = find_dateline("WASHINGTON, May 1, 2024 10:00 AM ET (Reuters) - The Senate voted.")
    assert (result.instant_utc, result.offset_minutes) == (dt.datetime(2024, 5, 1, 14, 0, tzinfo=dt.timezone.utc), -240)


def test_ist_is_india_standard_time() -> None:
    assert parsed("Thu, 21 Sep 2023 17:51 IST").offset_minutes == 330


@pytest.mark.parametrize(("text", "instant", "offset"), [
    ("01:38:07 PM IST Nov 20, 2019", dt.datetime(2019, 11, 20, 8, 8, 7), 330),  # dateparser alone: Israel, +120
    ("1:38 p.m. IST, Nov 20, 2019", dt.datetime(2019, 11, 20, 8, 8), 330),
    ("10:00 BST 20 June 2019", dt.datetime(2019, 6, 20, 9, 0), 60),
    ("10:00 AM EST Nov 20, 2019", dt.datetime(2019, 11, 20, 15, 0), -300),
])
def test_a_zone_name_after_the_clock_inside_the_text_is_ours(text: str, instant: dt.datetime, offset: int) -> None:
    result = parsed(text)
    assert (result.instant_utc, result.offset_minutes) == (instant.replace(tzinfo=dt.timezone.utc), offset)


def test_military_zone_a_follows_rfc822_as_written() -> None:
    # RFC 822 (and feedparser) give A = -01:00; the sign is famously reversed, but it is what feeds mean.
    result = parsed("Thu, 21 Sep 2023 11:21:00 A")
    assert (result.instant_utc, result.offset_minutes) == (SEED_INSTANT, -60)


@pytest.mark.parametrize(
    "value",
    [
        "21 Sep 2023 16:21 +0400",  # no day name, no seconds
        "Thu, 21 Sep 23 16:21:00 +0400",  # 2-digit year
        "Mon, 21 Sep 2023 16:21:00 +0400",  # wrong day name
        "Thursday, 21 September 2023 16:21:00 +0400",
        "Thu,21 Sep 2023 16:21:00 +0400",
        "Sep 21, 2023 4:21 PM GMT+4",  # month first, 12-hour clock
        "Thu Sep 21 16:21:00 +0400 2023",  # asctime with zone
    ],
)
def test_rfc822_variants_seen_in_feeds_are_tolerated(value: str) -> None:
    assert parsed(value).instant_utc == SEED_INSTANT


def test_two_digit_years_follow_rfc2822() -> None:
    assert parsed("21 Sep 99 10:00 GMT").instant_utc.year == 1999
    assert parsed("21 Sep 49 10:00 GMT").instant_utc.year == 2049


@pytest.mark.parametrize(("value", "year"), [("21.09.30", 2030), ("21.09.99", 1999), ("30 DEC 21", 2021)])
def test_two_digit_years_in_numeric_dates_do_not_depend_on_the_clock(value: str, year: int) -> None:
    # Read by dateparser, whose PREFER_DATES_FROM="past" would make "30" 1930 until 2030 and 2030 after.
    assert parsed(value).instant_utc.year == year


# --- ISO 8601 / W3C-DTF ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2023-09-21T16:21:00+04:00",
        "2023-09-21T16:21+04:00",
        "2023-09-21T16:21:00.123456+04:00",
        "2023-09-21T16:21:00+0400",
        "2023-09-21T16:21:00+04",
        "2023-09-21 16:21:00+04:00",
        "2023-09-21 16:21:00 +04:00",
        "2023-09-21T12:21:00Z",
        "2023-09-21T12:21:00.000Z",
        "20230921T122100Z",
        "2023-09-21 12:21:00 UTC",
    ],
)
def test_iso8601_forms_with_zone_are_read(value: str) -> None:
    result = parsed(value)
    assert result.instant_utc.replace(microsecond=0) == SEED_INSTANT
    assert result.had_zone and result.method == "iso8601"


def test_iso8601_without_zone_is_taken_as_utc_and_says_so() -> None:
    result = parsed("2023-09-21T12:21:00")
    assert (result.instant_utc, result.offset_minutes, result.had_zone) == (SEED_INSTANT, None, False)


@pytest.mark.parametrize("value", ["2023-09-21", "20230921", "2023-W38-4", "2023-264"])
def test_iso8601_dates_without_time_are_midnight_utc(value: str) -> None:
    result = parsed(value)
    assert (result.instant_utc, result.had_zone) == (utc(2023, 9, 21), False)


@pytest.mark.parametrize("value", ["2023-09", "2023", "September 2023"])
def test_a_month_or_a_year_alone_is_not_a_publication_time(value: str) -> None:
    assert parse_timestamp(value) is None


# --- Epochs ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1695298860", "1695298860000", "1695298860000000", " 1695298860 "])
def test_unix_epochs_in_seconds_milliseconds_and_microseconds_are_read(value: str) -> None:
    result = parsed(value)
    assert (result.instant_utc, result.method) == (SEED_INSTANT, "epoch")


def test_epoch_seconds_with_a_fraction_keep_the_fraction() -> None:
    assert parsed("1695298860.25").instant_utc == SEED_INSTANT + dt.timedelta(milliseconds=250)
    assert parse_timestamp("1695298860000.5") is None  # a fraction only after whole seconds


def test_digit_strings_of_other_lengths_are_not_epochs() -> None:
    assert parse_timestamp("16952988600") is None  # 11 digits


@pytest.mark.parametrize("value", ["-1000000000", "-1000000000000", "-1000000000000000"])
def test_negative_epochs_are_times_before_1970(value: str) -> None:
    result = parsed(value)
    assert (result.instant_utc, result.method) == (utc(1938, 4, 24, 22, 13, 20), "epoch")


def test_a_minus_sign_alone_does_not_make_other_lengths_epochs() -> None:
    assert parse_timestamp("-16952988600") is None


# --- Languages -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "language"),
    [
        ("21 sentyabr 2023", "az"),
        ("21 сентября 2023 16:21", "ru"),
        ("21 Eylül 2023", "tr"),
        ("21 septembre 2023", "fr"),
        ("21. September 2023", "de"),
        ("21 de septiembre de 2023", "es"),
    ],
)
@pytest.mark.parametrize("give_language", [True, False])
def test_dates_written_out_in_six_languages_are_read(value: str, language: str, give_language: bool) -> None:
    result = parsed(value, language=language if give_language else None)
    assert result.instant_utc.date() == dt.date(2023, 9, 21)
    assert result.had_zone is False


def test_french_spaced_hour_keeps_the_time() -> None:
    result = parsed("jeudi 21 septembre 2023, 16 h 21 (UTC+04:00)", language="fr")
    assert (result.instant_utc, result.offset_minutes) == (SEED_INSTANT, 240)


def test_written_out_date_with_time_keeps_the_time() -> None:
    assert parsed("21 сентября 2023 16:21", language="ru").instant_utc == utc(2023, 9, 21, 16, 21)


def test_zone_abbreviation_after_a_written_out_date_uses_our_table() -> None:
    result = parsed("21 сентября 2023 15:21 MSK", language="ru")
    assert (result.instant_utc, result.offset_minutes) == (SEED_INSTANT, 180)


def test_date_inside_words_is_found() -> None:
    assert parsed("Publié le 21 septembre 2023", language="fr").instant_utc == utc(2023, 9, 21)


# --- Ambiguous day and month -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected_month"),
    [("en", 3), ("en-US", 3), ("en_us", 3), ("en-GB", 4), ("fr", 4), ("az", 4), ("ru", 4), (None, 4)],
)
def test_ambiguous_numeric_date_is_month_first_only_for_us_english(
    language: str | None, expected_month: int
) -> None:
    result = parsed("03/04/2023", language=language)
    assert result.instant_utc.month == expected_month


def test_unambiguous_numeric_date_is_read_whatever_the_language() -> None:
    assert parsed("21/09/2023", language="en").instant_utc == utc(2023, 9, 21)


# --- Relative and year-less forms ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2 hours ago", "вчера", "Sept. 21", "today at 9 pm"])
def test_times_that_need_now_are_none_without_a_reference(value: str) -> None:
    assert parse_timestamp(value) is None


def test_relative_times_are_read_against_the_reference() -> None:
    reference = utc(2023, 9, 21, 14, 21)
    assert parsed("2 hours ago", reference=reference).instant_utc == SEED_INSTANT
    assert parsed("вчера", language="ru", reference=reference).instant_utc.date() == dt.date(2023, 9, 20)
    assert parsed("2 hours ago", reference=reference).method == "relative"


def test_year_less_dates_take_the_most_recent_past_year_of_the_reference() -> None:
    assert parsed("Sept. 21", reference=utc(2024, 1, 5)).instant_utc == utc(2023, 9, 21)


# --- Impossible values -----------------------------------------------------------------------------------


def test_year_less_numeric_date_impossible_day_first_is_read_month_first() -> None:
    reference = utc(2020, 3, 30)
    assert parsed("02/29", reference=reference).instant_utc == utc(2020, 2, 29)
    assert parsed("03/04", reference=reference).instant_utc == utc(2019, 4, 3)  # possible: day-first kept


@pytest.mark.parametrize(
    "value",
    [
        "2023-02-30",
        "32 Jan 2023",
        "Thu, 30 Feb 2023 10:00:00 GMT",
        "2023-09-21T25:00:00Z",
        "21 Sep 2023 16:21 +9900",
        "0000-00-00",
        "",
        "   ",
        "not a date",
    ],
)
def test_impossible_or_empty_values_are_none(value: str) -> None:
    assert parse_timestamp(value) is None


def test_non_string_input_is_none() -> None:
    assert parse_timestamp(None) is None  # type: ignore[arg-type]
    assert parse_timestamp(1695298860) is None  # type: ignore[arg-type]


# --- Other calendars -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "language", "expected"),
    [
        ("پنجشنبه ۳۰ شهریور ۱۴۰۲", None, utc(2023, 9, 21)),
        ("۳۰ شهریور ۱۴۰۲ ساعت ۱۶:۲۱", None, utc(2023, 9, 21, 16, 21)),
        ("30 شهريور 1402", None, utc(2023, 9, 21)),  # Arabic yeh, Latin digits
        ("۱۴۰۲/۰۶/۳۰", None, utc(2023, 9, 21)),  # Persian digits mark an Iranian date
        ("1402/06/30", "fa", utc(2023, 9, 21)),
        ("1402-06-30 16:21", "fa-IR", utc(2023, 9, 21, 16, 21)),
    ],
)
def test_persian_jalali_dates_are_converted(value: str, language: str | None, expected: dt.datetime) -> None:
    result = parsed(value, language=language)
    assert (result.instant_utc, result.had_zone, result.method) == (expected, False, "jalali")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("٦ ربيع الأول ١٤٤٥ هـ", utc(2023, 9, 21)),
        ("06-03-1445 هـ، 04:21 مساءً", utc(2023, 9, 21, 16, 21)),
        ("6 ربيع الأول 1445", utc(2023, 9, 21)),
        ("6 ربيـع الأول 1445 هـ", utc(2023, 9, 21)),  # a tatweel inside the month name
    ],
)
def test_hijri_dates_are_converted(value: str, expected: dt.datetime) -> None:
    result = parsed(value)
    assert (result.instant_utc, result.method) == (expected, "hijri")


def test_a_numeric_date_with_a_hijri_year_but_no_marker_is_not_converted() -> None:
    result = parse_timestamp("06-03-1445")
    assert result is None or result.method != "hijri"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("民國112年9月21日 16:21", utc(2023, 9, 21, 16, 21)),
        ("民国112年9月21日", utc(2023, 9, 21)),
        ("112/09/21", utc(2023, 9, 21)),  # a 3-digit year first is only ever a Minguo year
        ("112.9.21", utc(2023, 9, 21)),
    ],
)
def test_taiwanese_minguo_years_are_converted(value: str, expected: dt.datetime) -> None:
    assert parsed(value).instant_utc == expected


def test_a_gregorian_date_in_persian_words_stays_gregorian() -> None:
    assert parsed("۲۱ سپتامبر ۲۰۲۳", language="fa").instant_utc == utc(2023, 9, 21)


# --- Per-feed options: date order and zone of naive times ------------------------------------------------


@pytest.mark.parametrize(
    ("language", "date_order", "expected_month"),
    [(None, "MDY", 3), ("fr", "MDY", 3), ("en", "DMY", 4), ("en-US", "DMY", 4)],
)
def test_explicit_date_order_overrides_the_language_rule(
    language: str | None, date_order: str, expected_month: int
) -> None:
    assert parsed("03/04/2023", language=language, date_order=date_order).instant_utc.month == expected_month


@pytest.mark.parametrize(
    ("value", "date_order"),
    [("21092023", "DMY"), ("09212023", "MDY"), ("210923", "DMY"), ("20232109", "YDM")],
)
def test_bare_digit_dates_are_read_with_an_explicit_date_order(value: str, date_order: str) -> None:
    assert parsed(value, date_order=date_order).instant_utc == utc(2023, 9, 21)


@pytest.mark.parametrize("value", ["21092023", "210923", "99999999"])
def test_bare_digit_dates_are_not_guessed_without_a_date_order(value: str) -> None:
    assert parse_timestamp(value) is None


def test_impossible_bare_digit_date_is_none_even_with_a_date_order() -> None:
    assert parse_timestamp("32092023", date_order="DMY") is None


def test_date_order_does_not_reorder_iso_dates() -> None:
    assert parsed("2023-09-04", date_order="MDY").instant_utc == utc(2023, 9, 4)


# --- Per-feed options: strptime formats ------------------------------------------------------------------


def test_a_feed_format_is_tried_before_the_usual_order() -> None:
    # DMY would read 04/03; the feed's own format says month first
    result = parsed("04/03/2024 10:00", date_formats=["%m/%d/%Y %H:%M"], date_order="DMY")
    assert (result.instant_utc, result.method) == (utc(2024, 4, 3, 10), "format")


def test_a_format_with_an_offset_keeps_the_offset() -> None:
    result = parsed("21.09.2023 16h21 +0400", date_formats=["%d.%m.%Y %Hh%M %z"])
    assert (result.instant_utc, result.offset_minutes, result.had_zone) == (SEED_INSTANT, 240, True)


@pytest.mark.parametrize(
    ("value", "date_format"),
    [("23 sentyabr 21", "%y %B %d"), ("21_сентября_2023", "%d_%B_%Y"), ("21 Eylül 2023, 16:21", "%d %B %Y, %H:%M")],
)
def test_formats_read_month_names_in_other_languages(value: str, date_format: str) -> None:
    result = parsed(value, date_formats=[date_format])
    assert (result.instant_utc.date(), result.method) == (dt.date(2023, 9, 21), "format")


def test_a_format_without_a_day_takes_the_first_not_the_clock() -> None:
    assert parsed("junio 2020", date_formats=["%B %Y"]).instant_utc == utc(2020, 6, 1)


def test_a_format_that_does_not_fit_leaves_the_usual_paths() -> None:
    assert parsed("2023-09-21T16:21+04:00", date_formats=["%d/%m/%Y"]).method == "iso8601"


def test_a_format_that_is_not_a_string_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="date_formats"):
        parse_timestamp("2023-09-21", date_formats=[1])  # type: ignore[list-item]


def test_unknown_date_order_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="date_order"):
        parse_timestamp("03/04/2023", date_order="DDM")


def test_naive_times_are_read_in_the_default_timezone() -> None:
    result = parsed("2023-09-21 16:21", default_timezone="Asia/Baku")
    assert (result.instant_utc, result.offset_minutes, result.had_zone) == (SEED_INSTANT, 240, False)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2023-07-01 12:00", utc(2023, 7, 1, 10)), ("2023-01-01 12:00", utc(2023, 1, 1, 11))],
)
def test_default_timezone_follows_summer_time(value: str, expected: dt.datetime) -> None:
    assert parsed(value, default_timezone="Europe/Berlin").instant_utc == expected


def test_default_timezone_applies_to_dates_written_out_in_words() -> None:
    result = parsed("21 сентября 2023 15:21", language="ru", default_timezone="Europe/Moscow")
    assert (result.instant_utc, result.offset_minutes) == (SEED_INSTANT, 180)


def test_an_explicit_zone_beats_the_default_timezone() -> None:
    result = parsed("2023-09-21T16:21:00+04:00", default_timezone="America/New_York")
    assert (result.instant_utc, result.offset_minutes, result.had_zone) == (SEED_INSTANT, 240, True)


def test_unknown_default_timezone_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="default_timezone"):
        parse_timestamp("2023-09-21 16:21", default_timezone="Mars/Olympus_Mons")


# --- Start-up and memory ---------------------------------------------------------------------------------


def test_importing_the_module_does_not_import_dateparser() -> None:
    code = "import sys, transforms.timestamps; print('dateparser' in sys.modules)"
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    assert completed.stdout.strip() == "False"


def test_parse_cache_is_bounded_for_long_archives() -> None:
    maxsize = timestamps._parse_direct.cache_info().maxsize
    assert maxsize is not None and maxsize <= 8192


# --- Datelines -------------------------------------------------------------------------------------------


def test_reuters_style_dateline_needs_and_uses_the_reference() -> None:
    body = "MOSCOW, Sept. 21 (Reuters) - Russia said on Thursday ..."
    assert find_dateline(body) is None
    result = find_dateline(body, reference=FETCHED_AT)
    assert result is not None and result.instant_utc == utc(2023, 9, 21)


def test_azerbaijani_dateline_is_read() -> None:
    result = find_dateline("Bakı, 21 sentyabr 2023 16:21\nOmbudsman Səbinə Əliyeva ...", language="az")
    assert result is not None and result.instant_utc == utc(2023, 9, 21, 16, 21)


def test_dateline_with_time_and_zone_wins_over_a_bare_date() -> None:
    result = find_dateline("Posted 2023-09-20. Updated 21 September 2023 16:21 (UTC+04:00)")
    assert result is not None and result.instant_utc == SEED_INSTANT


@pytest.mark.parametrize(
    ("body", "expected"),
    [("21 September 2023 16:21 (UTC+04:00)", SEED_INSTANT), ("September 21, 2023", utc(2023, 9, 21)),
     ("  21.09.2023  ", utc(2023, 9, 21))],
)
def test_a_body_that_is_only_a_date_is_its_dateline(body: str, expected: dt.datetime) -> None:
    # some feeds put nothing but the date in an item's description
    result = find_dateline(body)
    assert result is not None and result.instant_utc == expected


def test_dates_deep_in_the_body_are_not_datelines() -> None:
    body = "First line.\nSecond line.\nThird line.\nThe meeting of 21 September 2023 was held ..."
    assert find_dateline(body) is None


FETCHED_2026 = utc(2026, 6, 20, 8)


@pytest.mark.parametrize(
    "body",
    [
        "The festival runs June 9-11. Tickets are on sale at the box office.",
        "Tickets went on sale on June 9 and sold out within the hour.",
        "The festival, June 9 - 11, returns to the old town.",  # a range, and a common noun before it
        "Officials said on Monday that the talks of Sept. 21 (Geneva) had failed.",
        "First line.\nThe vote is on 9 June - the last day of the session.",  # not the body's start
        "5 days — that is how long the strike lasted.",  # a duration, not a calendar date
    ],
)
def test_year_less_dates_in_sentences_are_not_datelines(body: str) -> None:
    assert find_dateline(body, reference=FETCHED_2026) is None
    assert find_dateline(body, language="en", reference=FETCHED_2026) is None


def test_a_dated_dateline_wins_over_a_year_less_date_in_a_sentence() -> None:
    body = "The festival runs June 9-11.\n21 September 2023 16:21 (UTC+04:00)\nTickets ..."
    result = find_dateline(body, reference=FETCHED_2026)
    assert result is not None and result.instant_utc == SEED_INSTANT


@pytest.mark.parametrize(
    ("body", "language", "expected"),
    [
        ("MOSCOW, Sept. 21 (Reuters) - Russia said on Thursday ...", None, utc(2025, 9, 21)),
        ("BAKU, June 9 — The Ombudswoman met ...", None, utc(2026, 6, 9)),
        ("BAKU, Azerbaijan, June 9 - The Ombudswoman met ...", None, utc(2026, 6, 9)),
        ("NEW YORK June 9 (AP) - Stocks rose ...", None, utc(2026, 6, 9)),
        ("June 9 (AP) — Stocks rose ...", None, utc(2026, 6, 9)),
        ("9 iyun, Bakı /Trend/ Ombudsman Səbinə Əliyeva ...", "az", utc(2026, 6, 9)),
        ("21 сентября, Москва — Правительство ...", "ru", utc(2025, 9, 21)),
        ("Rio de Janeiro, June 9: The carnival ...", None, utc(2026, 6, 9)),
        ("June 9\nThe Ombudswoman met ...", None, utc(2026, 6, 9)),
        ("MOSCOW, Sept. 21, 14:05 MSK (Reuters) - Russia ...", None, utc(2025, 9, 21, 11, 5)),
    ],
)
def test_year_less_datelines_at_the_start_are_read_against_the_reference(
    body: str, language: str | None, expected: dt.datetime
) -> None:
    assert find_dateline(body, language=language) is None  # the year comes from the reference only
    result = find_dateline(body, language=language, reference=FETCHED_2026)
    assert result is not None and result.instant_utc == expected


# --- Choosing an article's time --------------------------------------------------------------------------


def article(**fields: object) -> dict[str, object]:
    """A minimal article as the parse stage leaves it."""
    return {"kind": "article", "fetched_at": FETCHED_AT, **fields}


def normalize(**fields: object) -> dict[str, object]:
    """normalize_article_time with default settings."""
    return dict(normalize_article_time(article(**fields), TransformSettings()))  # type: ignore[arg-type]


def test_entry_published_comes_first() -> None:
    result = normalize(
        raw_published="Thu, 21 Sep 2023 16:21:00 +0400",
        raw_updated="2023-09-21T18:00:00Z",
        page_times=[("page.meta", "2023-09-20T10:00:00Z")],
        body_text=SEED_DATELINE,
    )
    assert result["published_at"] == SEED_INSTANT
    assert result["published_offset_minutes"] == 240
    assert result["time_source"] == "entry.published"
    assert result["time_flags"] == []
    assert result["updated_at"] == utc(2023, 9, 21, 18)


@pytest.mark.parametrize(("raw_updated", "expected"), [
    ("0001-01-01T00:00:00Z", None),  # a CMS placeholder: no version
    ("2099-01-01T00:00:00Z", None),  # years after the fetch: it would outrank every real edition
    ("2023-09-21T18:00:00Z", utc(2023, 9, 21, 18)),
])
def test_only_a_plausible_update_time_is_kept(raw_updated: str, expected: dt.datetime | None) -> None:
    result = normalize(raw_published="Thu, 21 Sep 2023 16:21:00 +0400", raw_updated=raw_updated)
    assert result["updated_at"] == expected and result["published_at"] == SEED_INSTANT


@pytest.mark.parametrize(
    ("fields", "source"),
    [
        ({"page_times": [("page.json_ld", ""), ("page.url", "2023-09-21T12:21:00Z")]}, "page.url"),
        ({"raw_updated": "2023-09-21T12:21:00Z"}, "entry.updated"),
        ({"body_text": SEED_DATELINE + "\n\nText."}, "body.dateline"),
        ({"summary_text": SEED_DATELINE}, "body.dateline"),
    ],
)
def test_later_candidates_are_used_in_order_when_earlier_ones_are_missing(
    fields: dict[str, object], source: str
) -> None:
    result = normalize(**fields)
    assert (result["published_at"], result["time_source"]) == (SEED_INSTANT, source)


def test_no_candidate_falls_back_to_fetched_at_and_says_so() -> None:
    result = normalize(title="No date anywhere")
    assert result["published_at"] == FETCHED_AT
    assert result["published_offset_minutes"] is None
    assert result["time_source"] == "fetched_at"
    assert result["time_flags"] == ["fallback"]
    assert result["updated_at"] is None


@pytest.mark.parametrize("impossible", ["2023-02-30", "32 Jan 2023"])
def test_impossible_published_date_falls_back_with_flags(impossible: str) -> None:
    result = normalize(raw_published=impossible)
    assert result["published_at"] == FETCHED_AT
    assert result["time_flags"] == ["unparseable", "fallback"]


def test_unparseable_published_is_skipped_for_the_next_candidate() -> None:
    result = normalize(raw_published="2023-02-30", raw_updated="2023-09-21T12:21:00Z")
    assert (result["published_at"], result["time_source"]) == (SEED_INSTANT, "entry.updated")
    assert result["time_flags"] == ["unparseable"]


def test_far_future_is_flagged_and_skipped() -> None:
    result = normalize(raw_published="2031-09-21T12:21:00Z", page_times=[("page.meta", "2023-09-21T12:21:00Z")])
    assert (result["published_at"], result["time_source"]) == (SEED_INSTANT, "page.meta")
    assert result["time_flags"] == ["implausible_future"]


def test_pre_1990_is_flagged_and_skipped() -> None:
    result = normalize(raw_published="Thu, 01 Jan 1970 00:00:00 GMT")
    assert result["published_at"] == FETCHED_AT
    assert result["time_flags"] == ["implausible_past", "fallback"]


def test_future_within_the_allowed_skew_is_kept() -> None:
    result = normalize(raw_published="2023-09-22T18:00:00Z")  # 12 h after fetched_at, skew is 1 day
    assert result["time_source"] == "entry.published"


def test_time_without_zone_is_flagged() -> None:
    result = normalize(raw_published="2023-09-21 12:21")
    assert result["published_at"] == SEED_INSTANT
    assert result["published_offset_minutes"] is None
    assert result["time_flags"] == ["no_zone"]


@pytest.mark.parametrize(("raw", "flags"), [
    ("2023-09-21", ["no_zone", "date_only"]),
    ("21 September 2023", ["no_zone", "date_only"]),
    ("2023-09-21T00:00:00+04:00", []),  # midnight with its zone: a time someone wrote
    ("2023-09-21 12:21", ["no_zone"]),
])
def test_a_day_without_its_clock_is_flagged_date_only(raw: str, flags: list[str]) -> None:
    assert normalize(raw_published=raw)["time_flags"] == flags


def test_relative_page_time_is_read_against_fetched_at() -> None:
    result = normalize(page_times=[("page.time", "3 hours ago")])
    assert result["published_at"] == FETCHED_AT - dt.timedelta(hours=3)
    assert "relative" in result["time_flags"]


def test_language_hint_guides_day_month_order() -> None:
    assert normalize(raw_published="03/04/2023", language_hint="en")["published_at"] == utc(2023, 3, 4)
    assert normalize(raw_published="03/04/2023", language="fr")["published_at"] == utc(2023, 4, 3)


def test_feed_time_options_apply_to_every_candidate() -> None:
    options = {"date_order": "MDY", "default_timezone": "Asia/Baku"}
    result = normalize(raw_published="09/21/2023 16:21", raw_updated="09/22/2023 08:00", time_options=options)
    assert (result["published_at"], result["published_offset_minutes"]) == (SEED_INSTANT, 240)
    assert (result["updated_at"], result["time_flags"]) == (utc(2023, 9, 22, 4), ["feed_zone"])


def test_feed_time_options_reach_the_dateline() -> None:
    body = "BAKU, 09/21/2023 16:21\n\nThe Ombudswoman met ..."
    result = normalize(body_text=body, time_options={"date_order": "MDY", "default_timezone": "Asia/Baku"})
    assert (result["published_at"], result["time_source"]) == (SEED_INSTANT, "body.dateline")


def test_normalize_skips_a_year_less_date_in_a_sentence() -> None:
    result = normalize(body_text="The festival runs June 9-11. Tickets ...", fetched_at=FETCHED_2026)
    assert (result["published_at"], result["time_source"]) == (FETCHED_2026, "fetched_at")


def test_feed_date_formats_are_used_for_the_entry_time() -> None:
    result = normalize(raw_published="2023.264 16:21", time_options={"date_formats": ["%Y.%j %H:%M"]})
    assert result["published_at"] == utc(2023, 9, 21, 16, 21)


def test_normalize_returns_a_new_dict_and_leaves_the_input_alone() -> None:
    original = article(raw_published="2023-09-21T12:21:00Z")
    result = normalize_article_time(original, TransformSettings())  # type: ignore[arg-type]
    assert result is not original
    assert "published_at" not in original


# --- Hostile input ---------------------------------------------------------------------------------------

DATE_LIKE = st.text(alphabet="0123456789 :-+/.,TZWzAPMGUCampJanSepMSKsentyabrсентя()", max_size=40)
ANY_TEXT = st.one_of(st.text(max_size=60), DATE_LIKE)
REFERENCES = st.one_of(st.none(), st.datetimes(timezones=st.just(UTC)))
HOSTILE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@HOSTILE
@given(ANY_TEXT, REFERENCES, st.sampled_from([None, "en", "ru", "az", "xx", "en-US", "zz-Latn-q"]))
def test_parse_never_raises_and_never_returns_naive(
    value: str, reference: dt.datetime | None, language: str | None
) -> None:
    result = parse_timestamp(value, language=language, reference=reference)
    if result is not None:
        assert result.instant_utc.utcoffset() == dt.timedelta(0)


@HOSTILE
@given(
    st.fixed_dictionaries(
        {"raw_published": st.one_of(st.none(), ANY_TEXT), "raw_updated": st.one_of(st.none(), ANY_TEXT)},
        optional={"page_times": st.lists(st.tuples(st.just("page.meta"), ANY_TEXT), max_size=2),
                  "body_text": st.text(max_size=80)},
    ),
    st.datetimes(dt.datetime(1971, 1, 1), dt.datetime(2100, 1, 1), timezones=st.just(UTC)),
)
def test_normalize_always_yields_an_aware_published_at(
    fields: dict[str, object], fetched_at: dt.datetime
) -> None:
    result = dict(normalize_article_time(article(**fields, fetched_at=fetched_at), TransformSettings()))
    assert result["published_at"] is not None
    assert result["published_at"].utcoffset() == dt.timedelta(0)
    assert result["time_source"]


# --- Public corpora (skipped when absent) ----------------------------------------------------------------

DATEPARSER_CASES = DEFAULT_CORPORA_DIR / "dateparser-cases.jsonl"
FEEDPARSER_TESTS = DEFAULT_CORPORA_DIR / "feedparser-tests"


@pytest.mark.skipif(not DATEPARSER_CASES.is_file(), reason=f"corpus absent: {DATEPARSER_CASES}")
def test_share_of_dateparser_literal_cases_read_right_stays_above_the_measured_floor() -> None:
    # Measured 0.678 of 881 cases (0.923 of the 637 not bound to the tests' frozen clock); see
    # benchmarks/quality_timestamps.py. The floor catches regressions, not a target.
    result = measure_dateparser_cases(DATEPARSER_CASES, classify_clock=False)
    assert result["eligible"] >= 850
    assert result["share_right"] >= 0.67


@pytest.mark.skipif(not FEEDPARSER_TESTS.is_dir(), reason=f"corpus absent: {FEEDPARSER_TESTS}")
def test_feedparser_date_tests_are_all_read_right() -> None:
    result = measure_feedparser_tests(FEEDPARSER_TESTS)
    assert result["checks"] >= 25
    assert result["share_right"] == 1.0


def test_a_date_from_a_page_text_comes_after_the_dateline_and_before_the_fallback() -> None:
    from_text = normalize(page_text_date="2023-09-20")
    with_dateline = normalize(page_text_date="2023-09-20", body_text=SEED_DATELINE + "\n\nText.")

    assert (from_text["published_at"], from_text["time_source"]) == (utc(2023, 9, 20), "page.text")
    assert (with_dateline["published_at"], with_dateline["time_source"]) == (SEED_INSTANT, "body.dateline")


@pytest.mark.parametrize(("text", "language", "instant", "offset"), [
    ("Updated 4:06 PM ET, Mon November 18, 2019", "en", dt.datetime(2019, 11, 18, 21, 6), -300),
    ("Posted 11:45 a.m., Nov. 18, 2019", "en", dt.datetime(2019, 11, 18, 11, 45), None),
    ("10:00 GMT+3 20 Nov 2019", "en", dt.datetime(2019, 11, 20, 7, 0), 180),
    ("Pubblicato il 18/11/2019 alle 16:06", "it", dt.datetime(2019, 11, 18, 16, 6), None),
    ("Gepubliceerd 18 november 2019 om 16:06", "nl", dt.datetime(2019, 11, 18, 16, 6), None),
    ("Opublikowano 18.11.2019 godz. 16:06", "pl", dt.datetime(2019, 11, 18, 16, 6), None),
    ("Published 18 November 2019 • 16:06 GMT", "en", dt.datetime(2019, 11, 18, 16, 6), 0),
])
def test_a_date_inside_text_keeps_its_clock_before_after_or_after_a_word_for_at(
    text: str, language: str, instant: dt.datetime, offset: int | None
) -> None:
    result = parse_timestamp(text, language=language)
    assert (result.instant_utc, result.offset_minutes) == (instant.replace(tzinfo=dt.timezone.utc), offset)


def test_a_word_before_a_numeric_date_is_no_month_name() -> None:
    # any word of 3 to 12 letters may be a month in another language: "Opublikowano 18" hid "18.11.2019"
    assert parse_timestamp("Opublikowano 18.11.2019", language="pl").instant_utc == utc(2019, 11, 18)


@pytest.mark.parametrize("text", ["10:30", "10:30 18", "at 10:30 the vote began"])
def test_a_clock_without_a_dated_day_is_no_date(text: str) -> None:
    assert parse_timestamp(text, language="en") is None


def test_a_day_without_its_clock_takes_the_clock_of_a_later_candidate_of_the_same_day() -> None:
    result = normalize(page_times=[("page.json_ld", "2019-11-18"), ("page.meta", "2019-11-17T23:00:00+00:00"),
                                   ("page.time", "2019-11-18T20:28:55+01:00")])
    assert (result["published_at"], result["published_offset_minutes"], result["time_source"]) == (
        utc(2019, 11, 18, 19, 28, 55), 60, "page.time")
    assert result["time_flags"] == []


def test_a_day_without_a_clock_of_the_same_day_stays_a_day() -> None:
    result = normalize(page_times=[("page.url", "2019-11-18"), ("page.time", "2019-11-19T11:45:59Z")])
    assert (result["published_at"], result["time_source"], result["time_flags"]) == (
        utc(2019, 11, 18), "page.url", ["no_zone", "date_only"])


def test_a_sentence_goes_to_dateparser_only_through_the_dates_inside_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import transforms.timestamps as timestamps

    given: list[str] = []
    run_dateparser = timestamps._run_dateparser

    def recording(parser: object, text: str) -> object:
        given.append(text)
        return run_dateparser(parser, text)  # type: ignore[arg-type]

    monkeypatch.setattr(timestamps, "_run_dateparser", recording)
    sentence = "The council said on Thursday that the harbour reopened 21 сентября 2023 after repairs"
    result = timestamps.parse_timestamp(sentence, language="ru", reference=FETCHED_AT)

    assert result is not None and result.instant_utc == utc(2023, 9, 21)
    assert given and sentence not in given  # tried whole, dateparser scans ~600 locales for 0.1 to 0.5 s
    bengali = "শুক্র, 12 ডিসেম্বর 2014 10:55:50"  # words with vowel signs are still one word each
    assert timestamps.parse_timestamp(bengali).instant_utc == utc(2014, 12, 12, 10, 55, 50)
