"""How well ``transforms.timestamps.parse_timestamp`` reads dates, measured on public corpora.

Three measures, each skipped with a note when its corpus is absent:

- ``dateparser_cases``: dateparser 1.5.0's own test cases that carry a literal expected date and no
  relative base; right means the same instant to the minute in UTC (the same day for date-only answers).
  Cases that pass dateparser options are counted apart as ``with_options``; the options parse_timestamp
  has an equivalent for are passed to it (``order`` / ``date_order`` / ``DATE_ORDER`` as ``date_order``,
  ``TIMEZONE`` or an IANA zone argument as ``default_timezone``); the others (formats, PREFER_*, ...)
  are not. Cases whose answer depends on the test's frozen clock (``10 December``, ``Friday``:
  dateparser reads them differently at two "now"s) are counted apart as ``clock``, the rest as
  ``absolute``.

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

Run ``python -m benchmarks.quality_timestamps [CORPORA_DIR]``; the default is ``../shared/corpora``.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import json
import pathlib
import re
import sys
import time
import zoneinfo
from collections.abc import Callable, Iterator
from typing import Any

from transforms.timestamps import DATE_ORDERS, ParsedTime, parse_timestamp

DEFAULT_CORPORA_DIR = pathlib.Path(__file__).resolve().parents[2] / "shared" / "corpora"
EXAMPLES_KEPT = 8

# --- dateparser's test cases ----------------------------------------------------------------------------

_INPUT_KEYS = ("date_string", "dt_string", "text")
_EXPECTED_KEYS = ("expected", "expected_date", "expected_datetime", "expected_result", "dt", "dt_obj")
_RELATIVE_KEYS = ("relative", "relative_base", "today")
_OPTION_KEYS = ("date_formats", "fmt", "order", "date_order", "settings", "timezone", "locales", "region")
_LANGUAGE_CODE_RE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z]{2,4})?")
_ZONE_ARGUMENT_RE = re.compile(r"[A-Z]{2,5}|(?:UTC|GMT)?\\?[+\-]\d{2}:?\d{2}|[A-Za-z_]+/[A-Za-z_/]+")
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
    """The case in a row, or why it is excluded (a reason string), or None if it has no literal date."""
    dump = json.dumps(row)
    if "$date" not in dump:
        return None
    args, kwargs = row.get("args") or [], row.get("kwargs") or {}
    arg_literals = [found for arg in args if (found := _literal(arg))]
    if "$time" in dump or "RELATIVE_BASE" in dump or len(arg_literals) > 1:
        return "relative_base"
    if any(key in kwargs for key in _RELATIVE_KEYS):
        return "relative_base"
    expected = next((found for key in _EXPECTED_KEYS if (found := _literal(kwargs.get(key)))), None)
    expected = expected or (arg_literals[0] if arg_literals else None)
    if expected is None:
        return "no_expected_date"
    strings = [arg for arg in args if isinstance(arg, str)]
    text = next((kwargs[key] for key in _INPUT_KEYS if isinstance(kwargs.get(key), str)), None)
    text = text or max(strings, key=len, default=None)
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
        _case_date_order(kwargs, settings), *zones,
    )


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
        case.text, language=case.language, date_order=case.date_order, default_timezone=case.default_timezone
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
    for now in _CLOCKS:
        try:
            languages = [case.language] if case.language else None
            readings.add(dateparser.parse(case.text, languages=languages, settings={"RELATIVE_BASE": now}))
        except Exception:  # noqa: BLE001 - unknown language codes and hostile strings: not clock-bound
            return False
    return len(readings) > 1


def measure_dateparser_cases(path: pathlib.Path, *, classify_clock: bool = True) -> dict[str, Any]:
    """Share of dateparser's literal, non-relative test dates that parse_timestamp gets right.

    ``classify_clock`` also splits the cases into ``absolute`` and ``clock`` (it doubles the run time).
    """
    counts: collections.Counter[str] = collections.Counter()
    wrong: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        case = date_case(json.loads(line))
        if case is None:
            continue
        counts["literal"] += 1
        if isinstance(case, str):
            counts[f"excluded_{case}"] += 1
            continue
        outcome = judge_reading(read_case(case), case)
        groups = ("with_options" if case.with_options else "plain",)
        if classify_clock:
            groups += ("clock" if needs_clock(case) else "absolute",)
        counts.update(("eligible", outcome))
        counts.update(f"{group}_{key}" for group in groups for key in ("total", outcome))
        if outcome not in RIGHT_VERDICTS and len(wrong) < EXAMPLES_KEPT and "clock" not in groups:
            wrong.append(f"{case.test}: {case.text!r} -> {outcome}")
    right_share = {
        f"{group}_share_right": _share(_right_count(counts, f"{group}_"), counts[f"{group}_total"])
        for group in ("plain", "with_options", "absolute", "clock")
        if counts[f"{group}_total"]
    }
    return {**dict(sorted(counts.items())), "share_right": _share(_right_count(counts, ""), counts["eligible"]),
            **right_share, "examples_not_right": wrong}


def _right_count(counts: collections.Counter[str], prefix: str) -> int:
    """Cases judged right in a group (``prefix`` ``absolute_`` ...), whichever way they were judged."""
    return sum(counts[f"{prefix}{outcome}"] for outcome in RIGHT_VERDICTS)


def _share(part: int, whole: int) -> float:
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
    return {"feeds": len(feeds), **counts, "share_right": _share(counts["right"], counts["checks"]),
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
    return {**counts, "agreement": _share(counts["agree"], compared), "examples_not_agreeing": examples}


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


def measure(corpora_dir: pathlib.Path) -> dict[str, dict[str, Any]]:
    """Run every measure whose corpus is present under ``corpora_dir``; absent ones say so."""
    results: dict[str, dict[str, Any]] = {}
    for name, (relative_path, measure_one) in _CORPORA.items():
        path = corpora_dir / relative_path
        if not path.exists():
            results[name] = {"absent": str(path)}
            continue
        started = time.perf_counter()
        results[name] = {**measure_one(path), "seconds": round(time.perf_counter() - started, 2)}
    return results


def _print_table(results: dict[str, dict[str, Any]]) -> None:
    """One block per corpus: its counts, then a few examples of what did not match."""
    for name, result in results.items():
        print(f"\n== {name}")
        if "absent" in result:
            print(f"   corpus absent: {result['absent']} (skipped)")
            continue
        for key, value in result.items():
            if isinstance(value, list):
                print(f"   {key}:")
                print("".join(f"     {item}\n" for item in value), end="")
            else:
                print(f"   {key:<32} {value}")


def main(argv: list[str] | None = None) -> int:
    """Print the accuracy table; the corpora folder may be given as the only argument."""
    argv = sys.argv[1:] if argv is None else argv
    corpora_dir = pathlib.Path(argv[0]) if argv else DEFAULT_CORPORA_DIR
    if not corpora_dir.is_dir():
        print(f"No corpora at {corpora_dir}: nothing to measure (pass the corpora folder as argument).")
        return 0
    _print_table(measure(corpora_dir))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
