"""How well ``transforms.timestamps.parse_timestamp`` reads dates, measured on public corpora.

Three measures, each skipped with a note when its corpus is absent:

- ``dateparser_cases``: dateparser 1.5.0's own test cases that carry a literal expected date; right means
  the same instant to the minute in UTC (the same day for date-only answers). The input is the case's
  ``date_string`` (or similar) argument, else its first positional string that is not a language code,
  a zone or a setting word (``past``, ``first``...). Excluded, counted by reason: rows whose expectation
  is a date and a time apart, read against a "now" set in the test's body (``reference_not_in_row``),
  rows without an expected date or without the input string (only settings in the row).
  Cases that pass dateparser options are counted apart as ``with_options``; the options parse_timestamp
  has an equivalent for are passed to it (``order`` / ``date_order`` / ``DATE_ORDER`` as ``date_order``,
  ``TIMEZONE`` or an IANA zone argument as ``default_timezone``, strptime formats as ``date_formats``);
  the others (PREFER_*, ...) are not. A case whose row carries its "now" (``relative``, ``today``, the
  first of two positional dates) is read with it as ``reference`` and counted as ``with_reference``.
  Of the others, those whose answer depends on the test's frozen clock (``10 December``, ``Friday``:
  dateparser, given the case's formats and order, reads them differently at two "now"s) are counted
  apart as ``clock``, the rest as ``absolute``. Every miss outside ``clock`` gets a reason by rule
  (``miss_reason``); ``--misses`` lists them all.

  dateparser's expectations are naive datetimes. When the input writes its zone (``4:30 PM EST``), or
  the case gives the zone of naive input (TIMEZONE, our ``default_timezone``), and the case converts to
  no other zone, the naive expectation is the wall clock in that zone (as dateparser returns it), so the
  right UTC instant is that wall clock minus the zone's offset: such a reading counts as right and is
  also counted as ``right_wall_clock``. When the case names a zone to convert to (``TO_TIMEZONE``, or a zone
  argument that is not the one written in the input, as ``UTC`` for ``16:10 -0400``), our instant is
  compared in that zone (``right_converted``). ``wrong_wall_clock`` is left for a wall clock that matched
  where the case expected another zone.
- ``feedparser_tests``: the feeds of feedparser's test suite whose expectation compares a ``*_parsed``
  date to a tuple; we parse the raw string feedparser found and compare to that tuple (to the minute).
- ``realfeeds``: every entry date in real captured feeds, compared with feedparser's own reading.

Run ``python -m benchmarks.quality_timestamps [--misses] [CORPORA_DIR]``; the default is
``../shared/corpora``.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import datetime as dt
import json
import pathlib
import re
import time
import zoneinfo
from collections.abc import Callable, Iterator
from typing import Any

from benchmarks.corpora import corpora_dir
from transforms.timestamps import DATE_ORDERS, ParsedTime, parse_timestamp

DEFAULT_CORPORA_DIR = corpora_dir()
EXAMPLES_KEPT = 8

# --- dateparser's test cases ----------------------------------------------------------------------------

_INPUT_KEYS = ("date_string", "dt_string", "text")
_EXPECTED_KEYS = ("expected", "expected_date", "expected_datetime", "expected_result", "dt", "dt_obj")
_REFERENCE_KEYS = ("relative", "relative_base", "today")  # the "now" a case is read against
_FORMAT_KEYS = ("date_formats", "fmt")
_OPTION_KEYS = ("date_formats", "fmt", "order", "date_order", "settings", "timezone", "locales", "region")
_LANGUAGE_CODE_RE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z]{2,4})?")
_ZONE_ARGUMENT_RE = re.compile(r"[A-Z]{2,5}|(?:UTC|GMT)?\\?[+\-]\d{2}:?\d{2}|[A-Za-z_]+/[A-Za-z_/]+")
# Positional values of dateparser's parametrized tests that are settings, not the input string
# (PREFER_DATES_FROM, PREFER_DAY_OF_MONTH, PREFER_MONTH_OF_YEAR).
_SETTING_WORDS = frozenset({"past", "future", "first", "current", "last"})
_OFFSET_ARGUMENT_RE = re.compile(r"(?:UTC|GMT)?\\?([+\-])(\d{2}):?(\d{2})")
RIGHT_VERDICTS = ("right", "right_wall_clock", "right_converted")


@dataclasses.dataclass(frozen=True)
class DateCase:
    """One dateparser test case reduced to: string in, expected instant out."""

    text: str
    expected: tuple[int, ...]  # year, month, day[, hour, minute, ...]
    date_only: bool  # the expectation is a date, not a datetime
    language: str | None
    with_options: bool  # the test passes dateparser options (some have an equivalent, see below)
    test: str
    date_order: str | None = None  # the case's DATE_ORDER, passed to parse_timestamp
    default_timezone: str | None = None  # the case's TIMEZONE (an IANA zone), passed to parse_timestamp
    result_zone: str | None = None  # the zone the expectation is written in, when the case names one
    date_formats: tuple[str, ...] = ()  # the case's strptime formats, passed to parse_timestamp
    reference: dt.datetime | None = None  # the case's "now" (relative base), passed as the reference


def _literal(value: Any) -> tuple[tuple[int, ...], bool] | None:
    """(fields, date_only) of a ``{"$datetime": [...]}`` / ``{"$date": [...]}`` value, else None."""
    if not isinstance(value, dict):
        return None
    for key, date_only in (("$datetime", False), ("$date", True)):
        fields = value.get(key)
        if isinstance(fields, list) and len(fields) >= 3:
            return tuple(int(part) for part in fields), date_only
    return None


def _case_language(kwargs: dict[str, Any], others: list[str]) -> str | None:
    """The first language the case names (languages, language, locales, or a code among the args)."""
    for key in ("languages", "locales"):
        if isinstance(kwargs.get(key), list) and kwargs[key]:
            return str(kwargs[key][0]).split("-")[0]
    if isinstance(kwargs.get("language"), str):
        return kwargs["language"]
    return next((arg for arg in others if _LANGUAGE_CODE_RE.fullmatch(arg)), None)


def date_case(row: dict[str, Any]) -> DateCase | str | None:
    """The case in a row, or why it is excluded (a reason string), or None if it has no literal date.

    Exclusions: ``reference_not_in_row`` (the expectation is a date and a time given apart, read against
    a "now" set in the test's body, which the row does not carry), ``no_expected_date``,
    ``no_input_string`` (the string parsed is in the test's body: the row holds only settings).
    """
    dump = json.dumps(row)
    if "$date" not in dump:
        return None
    if "$time" in dump:
        return "reference_not_in_row"
    args, kwargs = row.get("args") or [], row.get("kwargs") or {}
    arg_literals = [found for arg in args if (found := _literal(arg))]
    reference, expected = _case_reference_and_expected(kwargs, arg_literals)
    if expected is None:
        return "no_expected_date"
    strings = [arg for arg in args if isinstance(arg, str)]
    text = next((kwargs[key] for key in _INPUT_KEYS if isinstance(kwargs.get(key), str)), None)
    text = text or next((arg for arg in strings if _may_be_input(arg)), None)
    if text is None:
        return "no_input_string"
    others = [arg for arg in strings if arg != text]
    language = _case_language(kwargs, others)
    with_options = any(kwargs.get(key) for key in _OPTION_KEYS) or any(isinstance(a, list) for a in args)
    with_options = with_options or any(arg != language for arg in others)
    settings = _case_settings(kwargs, args)
    zones = _case_zones(settings, [arg for arg in others if arg != language])
    return DateCase(
        text, expected[0], expected[1], language, with_options, row.get("test", ""),
        _case_date_order(kwargs, settings), *zones, _case_formats(kwargs, args, text), reference,
    )


def _may_be_input(arg: str) -> bool:
    """Whether a positional string can be the string parsed: not a language code, a zone or a setting."""
    return not (_LANGUAGE_CODE_RE.fullmatch(arg) or _ZONE_ARGUMENT_RE.fullmatch(arg) or arg in _SETTING_WORDS)


def _case_reference_and_expected(
    kwargs: dict[str, Any], arg_literals: list[tuple[tuple[int, ...], bool]]
) -> tuple[dt.datetime | None, tuple[tuple[int, ...], bool] | None]:
    """(the case's "now" if the row carries one, the expected literal).

    The "now" is a ``relative`` / ``relative_base`` / ``today`` argument or, when two literals are given
    positionally, the first of them (dateparser's leap-year tests: string, now, expected).
    """
    given = next((found for key in _REFERENCE_KEYS if (found := _literal(kwargs.get(key)))), None)
    expected = next((found for key in _EXPECTED_KEYS if (found := _literal(kwargs.get(key)))), None)
    if given is None and len(arg_literals) == 2:
        given = arg_literals[0]
        arg_literals = arg_literals[1:]
    if len(arg_literals) > 1:
        return None, None  # several positional dates: which one is expected is not in the row
    expected = expected or (arg_literals[0] if arg_literals else None)
    return (None if given is None else dt.datetime(*given[0])), expected


def _case_formats(kwargs: dict[str, Any], args: list[Any], text: str) -> tuple[str, ...]:
    """The case's strptime formats: a date_formats / fmt argument, or format strings after the input."""
    values = [kwargs.get(key) for key in _FORMAT_KEYS] + [arg for arg in args if arg is not text]
    formats: list[str] = []
    for value in values:
        for candidate in value if isinstance(value, list) else [value]:
            if isinstance(candidate, str) and "%" in candidate:
                formats.append(candidate)
    return tuple(formats)


def _case_settings(kwargs: dict[str, Any], args: list[Any]) -> dict[str, Any]:
    """dateparser settings the case passes, by keyword or as a positional dict."""
    positional = [arg for arg in args if isinstance(arg, dict) and _literal(arg) is None]
    settings = kwargs.get("settings") if isinstance(kwargs.get("settings"), dict) else {}
    return {key: value for found in (*positional, settings) for key, value in found.items()}


def _case_date_order(kwargs: dict[str, Any], settings: dict[str, Any]) -> str | None:
    """The case's date order (``order``, ``date_order`` or the DATE_ORDER setting), if it gives one."""
    order = kwargs.get("order") or kwargs.get("date_order") or settings.get("DATE_ORDER")
    return order if isinstance(order, str) and order.upper() in DATE_ORDERS else None


def _case_zones(settings: dict[str, Any], zone_arguments: list[str]) -> tuple[str | None, str | None]:
    """(default_timezone, result_zone): the zone of naive inputs and the zone the expectation is in.

    An IANA zone argument (``Asia/Karachi``) or the TIMEZONE setting is the zone of naive inputs; another
    zone argument (``UTC``, ``+0200``, ``EST``) or TO_TIMEZONE is the zone of the expectation.
    """
    zones = [arg for arg in zone_arguments if _ZONE_ARGUMENT_RE.fullmatch(arg)]
    naive_zone = settings.get("TIMEZONE") or next((zone for zone in zones if "/" in zone), None)
    result_zone = settings.get("TO_TIMEZONE") or next((zone for zone in zones if "/" not in zone), None)
    return (naive_zone if _known_zone(naive_zone) else None), result_zone


def _known_zone(name: Any) -> bool:
    """Whether ``name`` is an IANA zone this machine knows."""
    if not isinstance(name, str) or "/" not in name:
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def read_case(case: DateCase) -> ParsedTime | None:
    """parse_timestamp on the case's string, with the case's options that it has an equivalent for."""
    return parse_timestamp(
        case.text, language=case.language, date_order=case.date_order, default_timezone=case.default_timezone,
        date_formats=case.date_formats, reference=case.reference,
    )


def judge_reading(parsed: ParsedTime | None, case: DateCase) -> str:
    """right (also right_wall_clock, right_converted: see the module docstring), wrong, missing, or
    wrong_wall_clock when only the wall-clock time written in the input matches."""
    if parsed is None:
        return "missing"
    if _matches(parsed.instant_utc, case):
        return "right"
    local = parsed.instant_utc + dt.timedelta(minutes=parsed.offset_minutes or 0)
    if parsed.offset_minutes is not None and _keeps_input_zone(case) and _matches(local, case):
        return "right_wall_clock"
    result_offset = _zone_offset(case.result_zone, parsed.instant_utc)
    if result_offset is not None and _matches(parsed.instant_utc + result_offset, case):
        return "right_converted"
    return "wrong_wall_clock" if _matches(local, case) else "wrong"


def _keeps_input_zone(case: DateCase) -> bool:
    """Whether the expectation is in the input's own zone: no result zone named, or the one written."""
    if case.result_zone is None:
        return True
    written = re.sub(r"^(?:UTC|GMT)(?=[+\-])|[\\:]", "", case.result_zone)
    return written in case.text.replace(":", "")


def _zone_offset(zone: str | None, instant: dt.datetime) -> dt.timedelta | None:
    """UTC offset of a result zone (``UTC``, ``+0200``, ``UTC\\+01:00``, an IANA name) at ``instant``."""
    if zone in ("UTC", "GMT", "Z"):
        return dt.timedelta(0)
    match = _OFFSET_ARGUMENT_RE.fullmatch(zone or "")
    if match is not None:
        minutes = int(match[2]) * 60 + int(match[3])
        return dt.timedelta(minutes=-minutes if match[1] == "-" else minutes)
    return instant.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset() if _known_zone(zone) else None


def _matches(moment: dt.datetime, case: DateCase) -> bool:
    """Same day (date-only expectation) or same minute as the expected fields."""
    width = 3 if case.date_only else 5
    expected = (case.expected + (0, 0))[:width]
    got = (moment.year, moment.month, moment.day, moment.hour, moment.minute)[:width]
    return got == expected


_CLOCKS = (dt.datetime(2001, 2, 3, 4, 5), dt.datetime(2017, 8, 9, 10, 11))


def needs_clock(case: DateCase) -> bool:
    """Whether dateparser itself reads the case differently at two different "now"s (``10 December``,
    ``Friday``, ``2015``): such cases expect the test's frozen clock, which parse_timestamp never reads."""
    import dateparser

    readings = set()
    order = {"DATE_ORDER": case.date_order} if case.date_order else {}
    for now in _CLOCKS:
        try:
            languages = [case.language] if case.language else None
            settings = {"RELATIVE_BASE": now, **order}
            formats = list(case.date_formats) or None
            readings.add(dateparser.parse(case.text, languages=languages, date_formats=formats, settings=settings))
        except Exception:  # noqa: BLE001 - unknown language codes and hostile strings: not clock-bound
            return False
    return len(readings) > 1


def measure_dateparser_cases(path: pathlib.Path, *, classify_clock: bool = True) -> dict[str, Any]:
    """Share of dateparser's literal test dates that parse_timestamp gets right, and why the rest are not.

    ``classify_clock`` also splits the cases without a reference into ``absolute`` and ``clock`` (it
    doubles the run time); cases whose row carries a reference form the group ``with_reference``.
    Misses outside ``clock`` get a reason (``miss_reason``); all of them are in ``misses``.
    """
    counts: collections.Counter[str] = collections.Counter()
    reasons: collections.Counter[str] = collections.Counter()
    misses: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        case = date_case(json.loads(line))
        if case is None:
            continue
        counts["literal"] += 1
        if isinstance(case, str):
            counts[f"excluded_{case}"] += 1
            continue
        parsed = read_case(case)
        outcome = judge_reading(parsed, case)
        groups = ("with_options" if case.with_options else "plain",) + _clock_group(case, classify_clock)
        counts.update(("eligible", outcome))
        counts.update(f"{group}_{key}" for group in groups for key in ("total", outcome))
        if outcome not in RIGHT_VERDICTS and "clock" not in groups:
            reason = miss_reason(parsed, case)
            reasons[reason] += 1
            misses.append(f"{reason}: {case.test}: {case.text!r} -> {outcome} {_reading_text(parsed)}")
    right_share = {
        f"{group}_share_right": share(_right_count(counts, f"{group}_"), counts[f"{group}_total"])
        for group in ("plain", "with_options", "absolute", "with_reference", "clock")
        if counts[f"{group}_total"]
    }
    on_purpose = sum(count for reason, count in reasons.items() if reason in DECIDED_ON_PURPOSE)
    return {**dict(sorted(counts.items())), "share_right": share(_right_count(counts, ""), counts["eligible"]),
            **right_share, "misses_by_reason": dict(reasons.most_common()), "misses_decided_on_purpose": on_purpose,
            "misses": sorted(misses)}


def _clock_group(case: DateCase, classify_clock: bool) -> tuple[str, ...]:
    """``with_reference`` when the row gives the "now"; else ``clock`` / ``absolute`` if classifying."""
    if case.reference is not None:
        return ("with_reference",)
    if not classify_clock:
        return ()
    return ("clock" if needs_clock(case) else "absolute",)


def _reading_text(parsed: ParsedTime | None) -> str:
    """Our reading in a miss line: the UTC minute and the written offset."""
    if parsed is None:
        return ""
    return f"(ours {parsed.instant_utc:%Y-%m-%d %H:%M} UTC, offset {parsed.offset_minutes})"


# Why a case is not right, by rule; the first rule that applies names it. Those in DECIDED_ON_PURPOSE
# follow a documented decision of transforms/timestamps.py (its module docstring).
DECIDED_ON_PURPOSE = frozenset({
    "bare_digits", "month_or_year_only", "day_month_order", "two_digit_year", "after_reference", "unmarked_calendar",
})
_BARE_DIGITS_RE = re.compile(r"-?\d{5,}(?::\d+)*(?:\.\d+)?")
_MONTH_OR_YEAR_ONLY_RE = re.compile(r"(?:[^\W\d_]+\.?,?\s+)?\d{4}")
_LETTER_RE = re.compile(r"[^\W\d_]")


def miss_reason(parsed: ParsedTime | None, case: DateCase) -> str:
    """Why a reading is not right: ``bare_digits`` (a digit string other than an epoch: read only with a
    date order, in 6 or 8 digits), ``month_or_year_only`` (``April 2015``, ``2015``: not a publication
    time), ``day_month_order`` (day and month swapped: the language or feed order rule, or an ISO date
    never reordered), ``two_digit_year`` (another century: RFC 2822 / fixed pivot, never the clock or a
    PREFER_DATES_FROM), ``after_reference`` (the case expects a date after its "now"; a year-less
    publication date is read as the latest one before the fetch), ``unmarked_calendar`` (digits only, no
    reference, and the expected year is not written: a Hijri or Minguo year without its marker), else
    ``other``."""
    if _BARE_DIGITS_RE.fullmatch(case.text):
        return "bare_digits"
    if _MONTH_OR_YEAR_ONLY_RE.fullmatch(case.text):
        return "month_or_year_only"
    expected = (case.expected + (0, 0))[:5]
    if parsed is not None:
        moment = parsed.instant_utc
        if (moment.year, moment.day, moment.month) == expected[:3]:
            return "day_month_order"
        if (moment.month, moment.day) == expected[1:3] and (moment.year - expected[0]) % 100 == 0:
            return "two_digit_year"
    if case.reference is not None and dt.datetime(*expected[:3]) > case.reference:
        return "after_reference"
    year = str(expected[0])
    unwritten_year = year not in case.text and year[-2:] not in case.text
    if case.reference is None and not _LETTER_RE.search(case.text) and unwritten_year:
        return "unmarked_calendar"
    return "other"


def _right_count(counts: collections.Counter[str], prefix: str) -> int:
    """Cases judged right in a group (``prefix`` ``absolute_`` ...), whichever way they were judged."""
    return sum(counts[f"{prefix}{outcome}"] for outcome in RIGHT_VERDICTS)


def share(part: int, whole: int) -> float:
    """part / whole, 0 for an empty whole, rounded for reports."""
    return round(part / whole, 4) if whole else 0.0


# --- feedparser's date tests and real feeds ------------------------------------------------------------

_PARSED_EXPECT_RE = re.compile(
    r"(?P<container>feed|entries\[0\](?:\['source'\])?)\['(?P<field>\w+)_parsed'\]\s*==\s*"
    r"\((?P<fields>[\d,\s]+)\)"
)


def _container(result: Any, path: str) -> dict[str, Any]:
    """``feed``, ``entries[0]`` or ``entries[0]['source']`` of a feedparser result ({} when missing)."""
    if path == "feed":
        return result.feed
    if not result.entries:
        return {}
    entry = result.entries[0]
    return entry.get("source", {}) if "source" in path else entry


def _same_minute(parsed: ParsedTime | None, reference: tuple[int, ...] | None) -> bool | None:
    """Whether our instant and a UTC tuple agree to the minute; None when either side is missing."""
    if parsed is None or reference is None:
        return None
    moment = parsed.instant_utc
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute) == tuple(reference[:5])


def _feedparser_checks(path: pathlib.Path) -> Iterator[tuple[str, str, str, tuple[int, ...]]]:
    """(feed path, container, field, expected tuple) for each dated expectation of feedparser's tests."""
    for entry in json.loads((path / "index.json").read_text(encoding="utf-8")):
        for match in _PARSED_EXPECT_RE.finditer(entry.get("expect") or ""):
            expected = tuple(int(part) for part in match["fields"].split(","))
            yield entry["path"], match["container"], match["field"], expected


def measure_feedparser_tests(path: pathlib.Path) -> dict[str, Any]:
    """Our reading of the raw dates in feedparser's date tests against the tuples they expect."""
    import feedparser

    counts: collections.Counter[str] = collections.Counter()
    examples: list[str] = []
    feeds: set[str] = set()
    for feed_path, container, field, expected in _feedparser_checks(path):
        feeds.add(feed_path)
        raw = _container(feedparser.parse(str(path / feed_path)), container).get(field)
        agreed = _same_minute(parse_timestamp(raw), expected) if isinstance(raw, str) else None
        verdict = {True: "right", False: "wrong", None: "missing"}[agreed]
        counts.update(("checks", verdict))
        if verdict != "right" and len(examples) < EXAMPLES_KEPT:
            examples.append(f"{feed_path}: {raw!r} -> {verdict}")
    return {"feeds": len(feeds), **counts, "share_right": share(counts["right"], counts["checks"]),
            "examples_not_right": examples}


def _manifest_files(path: pathlib.Path) -> Iterator[pathlib.Path]:
    """Feed files listed in realfeeds' MANIFEST.tsv."""
    lines = (path / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    for line in lines[1:]:
        local = dict(zip(header, line.split("\t")))["local"]
        if (path / local).is_file():
            yield path / local


def measure_realfeeds(path: pathlib.Path) -> dict[str, Any]:
    """Agreement with feedparser on every entry date (published/updated/created) of the real feeds."""
    import feedparser

    counts: collections.Counter[str] = collections.Counter()
    examples: list[str] = []
    for feed_file in _manifest_files(path):
        counts["files"] += 1
        for entry in feedparser.parse(feed_file.read_bytes()).entries:
            for field in ("published", "updated", "created"):
                raw = entry.get(field)
                if not isinstance(raw, str) or not raw.strip():
                    continue
                ours, theirs = parse_timestamp(raw), entry.get(f"{field}_parsed")
                verdict = _realfeed_verdict(ours, theirs)
                counts.update(("dates", verdict))
                if verdict != "agree" and len(examples) < EXAMPLES_KEPT:
                    examples.append(f"{feed_file.name}: {raw!r} -> {verdict}")
    compared = counts["dates"] - counts["both_missing"]
    return {**counts, "agreement": share(counts["agree"], compared), "examples_not_agreeing": examples}


def _realfeed_verdict(ours: ParsedTime | None, theirs: Any) -> str:
    """agree / disagree / only_ours / only_feedparser / both_missing."""
    agreed = _same_minute(ours, tuple(theirs) if theirs else None)
    if agreed is not None:
        return "agree" if agreed else "disagree"
    if ours is None and theirs is None:
        return "both_missing"
    return "only_ours" if theirs is None else "only_feedparser"


# --- Entry points --------------------------------------------------------------------------------------

_CORPORA: dict[str, tuple[str, Callable[[pathlib.Path], dict[str, Any]]]] = {
    "dateparser_cases": ("dateparser-cases.jsonl", measure_dateparser_cases),
    "feedparser_tests": ("feedparser-tests", measure_feedparser_tests),
    "realfeeds": ("realfeeds", measure_realfeeds),
}
# What each corpus is and where it comes from, for the note when it is absent (the shared corpora's README.md
# says more).
_ORIGINS: dict[str, str] = {
    "dateparser_cases": "dateparser 1.5.0's test cases (its sdist on PyPI), one JSON row per case",
    "feedparser_tests": "feedparser 6.0.14's test feeds (its sdist on PyPI) with an index.json of their Expect lines",
    "realfeeds": "feeds captured by feed readers' test suites (Feeder, rss-parser, feed-rs...) with a MANIFEST.tsv",
}


def measure(corpora_dir: pathlib.Path) -> dict[str, dict[str, Any]]:
    """Run every measure whose corpus is present under ``corpora_dir``; absent ones say so."""
    results: dict[str, dict[str, Any]] = {}
    for name, (relative_path, measure_one) in _CORPORA.items():
        path = corpora_dir / relative_path
        if not path.exists():
            results[name] = {"absent": str(path), "origin": _ORIGINS[name]}
            continue
        started = time.perf_counter()
        results[name] = {**measure_one(path), "seconds": round(time.perf_counter() - started, 2)}
    return results


def format_table(results: dict[str, dict[str, Any]], *, all_misses: bool = False) -> str:
    """One block per corpus: its counts, then what did not match (every miss with ``all_misses``, else a
    few)."""
    lines: list[str] = []
    for name, result in results.items():
        lines.append(f"\n== {name}")
        if "absent" in result:
            lines.append(f"   corpus absent: {result['absent']} (skipped); it is {result['origin']}")
            continue
        for key, value in result.items():
            if isinstance(value, list):
                shown = value if all_misses else value[:EXAMPLES_KEPT]
                lines.append(f"   {key} ({len(shown)} of {len(value)}):")
                lines.extend(f"     {item}" for item in shown)
            else:
                lines.append(f"   {key:<32} {value}")
    return "\n".join(lines)


def parse_arguments(argv: list[str] | None, description: str) -> argparse.Namespace:
    """``[CORPORA_DIR] [--misses]``, the command line of this harness and of ``quality_page_dates``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("corpora", nargs="?", type=pathlib.Path, default=DEFAULT_CORPORA_DIR,
                        help=f"the shared corpora folder; default {DEFAULT_CORPORA_DIR}")
    parser.add_argument("--misses", action="store_true", help="list every miss with its reason, not a few")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Print the accuracy table; the corpora folder may be given as argument, ``--misses`` lists every miss."""
    arguments = parse_arguments(argv, __doc__.strip().splitlines()[0])
    if not arguments.corpora.is_dir():
        print(f"No corpora at {arguments.corpora}: nothing to measure. Pass the corpora folder as argument (or set "
              "NEWSBEAM_CORPORA); it holds dateparser-cases.jsonl (the cases of dateparser 1.5.0's test suite, from "
              "its sdist on PyPI), feedparser-tests/ (feedparser 6.0.14's tests/ folder, from its sdist) and "
              "realfeeds/ (feeds captured by feed-reader projects' test suites).")
        return 0
    print(format_table(measure(arguments.corpora), all_misses=arguments.misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
