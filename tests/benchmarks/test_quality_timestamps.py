"""How the timestamp quality harness turns a dateparser-style case into options and judges our reading."""

from __future__ import annotations

import datetime as dt
from types import ModuleType
from typing import Any

import pytest

from benchmarks import quality_page_dates, quality_timestamps
from benchmarks.quality_timestamps import DateCase, date_case, judge_reading, miss_reason, read_case


def case_of(args: list[Any], **kwargs: Any) -> DateCase:
    """The DateCase of a row shaped like the corpus' rows; it must be eligible."""
    case = date_case({"test": "test_example", "args": args, "kwargs": kwargs})
    assert isinstance(case, DateCase), case
    return case


def expected(*fields: int) -> dict[str, list[int]]:
    """A literal expected datetime as the corpus writes it."""
    return {"$datetime": list(fields)}


def judged(case: DateCase) -> str:
    """The harness' verdict on parse_timestamp's reading of the case."""
    return judge_reading(read_case(case), case)


def test_naive_expectation_of_a_zoned_input_is_the_wall_clock_in_that_zone() -> None:
    case = case_of(["21 Sep 2023 8:21 AM EDT", expected(2023, 9, 21, 8, 21), "EDT"])
    assert judged(case) == "right_wall_clock"


def test_wall_clock_judging_needs_no_zone_argument() -> None:
    case = case_of(["21 Sep 2023 8:21 AM -0400", expected(2023, 9, 21, 8, 21)])
    assert judged(case) == "right_wall_clock"


def test_a_case_converting_to_another_zone_is_judged_in_that_zone() -> None:
    assert judged(case_of(["21 Sep 2023 08:21 -0400", "UTC", expected(2023, 9, 21, 12, 21)])) == "right"
    wall_clock = case_of(["21 Sep 2023 08:21 -0400", "UTC", expected(2023, 9, 21, 8, 21)])
    assert judged(wall_clock) == "wrong_wall_clock"


def test_iana_zone_argument_is_the_zone_of_naive_input_and_the_next_one_the_result_zone() -> None:
    case = case_of(["2023-09-21 04:21 PM", "Asia/Baku", "+0200", expected(2023, 9, 21, 14, 21)])
    assert (case.default_timezone, case.result_zone) == ("Asia/Baku", "+0200")
    assert judged(case) == "right_converted"


def test_a_naive_input_is_not_rescued_by_the_wall_clock_rule() -> None:
    case = case_of(["2023-09-21 12:21", expected(2023, 9, 21, 16, 21)])
    assert judged(case) == "wrong"


def test_naive_input_in_a_given_timezone_expects_that_zone_s_wall_clock() -> None:
    case = case_of(["2023-09-21 16:21", expected(2023, 9, 21, 16, 21)], settings={"TIMEZONE": "Asia/Baku"})
    assert case.default_timezone == "Asia/Baku"
    assert judged(case) == "right_wall_clock"


def test_date_order_options_are_passed_on() -> None:
    by_keyword = case_of(["03/04/2023", expected(2023, 3, 4)], order="MDY")
    by_setting = case_of(["03/04/2023", expected(2023, 3, 4)], settings={"DATE_ORDER": "MDY"})
    assert (by_keyword.date_order, by_setting.date_order) == ("MDY", "MDY")
    assert judged(by_keyword) == judged(by_setting) == "right"


def test_an_unknown_timezone_setting_is_not_passed_on() -> None:
    case = case_of(["2023-09-21 12:21", expected(2023, 9, 21, 12, 21)], settings={"TIMEZONE": "EDT"})
    assert case.default_timezone is None
    assert judged(case) == "right"


def test_the_input_is_the_first_string_that_is_not_a_language_zone_or_setting() -> None:
    assert case_of(["hr", "02/10/2016 u 17:20", expected(2016, 10, 2, 17, 20)]).text == "02/10/2016 u 17:20"
    assert case_of(["2025Q1", expected(2025, 1, 1), "quarter"]).text == "2025Q1"


def test_a_row_holding_only_settings_is_excluded_for_want_of_an_input() -> None:
    row = {"test": "test_example", "args": ["past", "first", expected(2025, 4, 1)], "kwargs": {}}
    assert date_case(row) == "no_input_string"


def test_strptime_formats_of_the_case_are_passed_on() -> None:
    case = case_of(["2024 366", "%Y %j"], expected=expected(2024, 12, 31))
    assert case.date_formats == ("%Y %j",)
    assert judged(case) == "right"


def test_a_now_carried_by_the_row_is_the_reference() -> None:
    by_keyword = case_of([], date_string="May 5, 2000 13:00", expected_date=expected(2000, 5, 5, 13, 0),
                         relative=expected(2000, 1, 1, 0, 0))
    positional = case_of(["29 Feb", expected(2020, 1, 1), expected(2016, 2, 29)])
    assert (by_keyword.reference, positional.reference) == (dt.datetime(2000, 1, 1), dt.datetime(2020, 1, 1))
    assert judged(by_keyword) == judged(positional) == "right"


def test_a_now_set_in_the_test_body_is_excluded() -> None:
    row = {"test": "test_example", "args": ["Today at 9 pm", {"$date": [2014, 9, 1]}, {"$time": [21, 0]}]}
    assert date_case(row) == "reference_not_in_row"


@pytest.mark.parametrize(
    ("args", "kwargs", "reason"),
    [
        (["10032017", expected(2017, 10, 3)], {}, "bare_digits"),
        (["April 2015"], {"today": expected(2015, 1, 31), "expected": expected(2015, 4, 30)}, "month_or_year_only"),
        (["11/12/2020", expected(2020, 11, 12)], {}, "day_month_order"),
        (["3/3/50", expected(1950, 3, 3)], {}, "two_digit_year"),
        (["29 Feb", expected(2020, 1, 1), expected(2020, 2, 29)], {}, "after_reference"),
        (["30-02-1433", expected(2012, 1, 24)], {}, "unmarked_calendar"),
        (["18 brumaire an VIII", expected(1799, 11, 9)], {}, "other"),
    ],
)
def test_misses_get_a_reason_by_rule(args: list[Any], kwargs: dict[str, Any], reason: str) -> None:
    case = case_of(args, **kwargs)
    assert miss_reason(read_case(case), case) == reason


@pytest.mark.parametrize("harness", [quality_timestamps, quality_page_dates])
def test_help_describes_the_command_line_instead_of_reading_a_folder_named_help(
        harness: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        harness.main(["--help"])
    assert stopped.value.code == 0
    assert "--misses" in capsys.readouterr().out
