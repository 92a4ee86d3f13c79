"""How the timestamp quality harness turns a dateparser-style case into options and judges our reading."""

from __future__ import annotations

from typing import Any

from benchmarks.quality_timestamps import DateCase, date_case, judge_reading, read_case


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
