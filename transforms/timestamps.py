"""Parse the times that news sources give, and pick each article's publication time.

Every time becomes an aware UTC ``datetime`` with the original UTC offset kept beside it. Fast paths
cover what feeds mostly send (Unix epochs, ISO 8601 / W3C-DTF, RFC 822 and its common variants);
dateparser reads the rest (dates written out in Azerbaijani, Russian, Turkish, French, German, Spanish and
many more languages), and its calendars convert Hijri and Persian (Jalali) dates. dateparser is imported
on first use, not with this module. Nothing here raises on bad input: an unreadable time is ``None``.

Decisions a reader should know about:

- A time without a zone is taken as UTC and reported with ``had_zone=False``, unless the caller gives a
  ``default_timezone`` (a feed's IANA zone): then it is that zone's wall-clock time, summer time included.
- Ambiguous numeric dates (``03/04/2023``) are read month-first when the language is ``en`` or
  ``en-US``, and day-first for every other language and when the language is unknown: outside the United
  States day-first is the norm, and US sources nearly always declare ``en``/``en-US``. ``en-GB`` and the
  other English regions are day-first. Year-first languages (zh, ja, ko, hu, lt, mn) and dates marked
  with 年/년 keep dateparser's own order. A caller's explicit ``date_order`` (a feed's setting) overrides
  all of this, but never reorders ISO 8601 dates. Bare digit dates (``21092023``, ``210923``) are read
  only with an explicit ``date_order``: without one a number is an id as often as a date. Plain 10-, 13-
  and 16-digit numbers are Unix epochs (seconds, milliseconds, microseconds), negative ones before 1970.
  Two-digit years
  follow RFC 2822 in the fast paths (00-49 are 20xx) and dateparser's fixed pivot elsewhere (00-68),
  never the clock.
- Other calendars are detected from the string, never guessed from a number alone: Hijri by the ``هـ``
  marker or a Hijri month name with a year 1300-1599; Jalali by a Persian month name, or a year-first
  numeric date with a year 13xx-14xx in Persian digits or in a ``fa`` article; the Taiwanese Minguo year
  by ``民國`` or a 3-digit year first (``112/09/21``: year + 1911). Numeric Hijri and Jalali dates are
  day-first, as their sites write them. Such a string that does not convert is ``None``, never a
  Gregorian reading of year 1445.
- Zone abbreviations are ambiguous; one meaning is chosen per name (``_ZONE_NAMES_MINUTES``): ``IST`` is
  India (+05:30, the largest news market using it; Israel and Ireland lose), ``CST`` is US Central
  (RFC 822), ``BST`` British Summer Time, ``GST`` Gulf (+04:00), ``AST`` Atlantic (-04:00, as in
  email.utils and feedparser). Military single letters follow RFC 822 as written (``A`` = -01:00 ...
  ``M`` = -12:00, ``N`` = +01:00 ... ``Y`` = +12:00, ``Z`` = UTC), as feedparser does, although RFC 1123
  notes those signs are reversed.
- A zone written as an IANA name (``2024-05-01 10:00 Europe/Baku``) or as a US generic zone after a
  time (``10:00 AM ET``, ``9 a.m. PT``) is read with its daylight saving time on that date: ``ET`` is
  -04:00 in May and -05:00 in January (America/New_York), where a fixed table would be wrong half the year.
- A caller's ``date_formats`` (a feed's strptime formats) are tried before anything else, with
  strptime, then with dateparser for month names in other languages (``14 giu 13`` as ``%y %B %d``).
  Fields a format lacks take strptime's defaults (day 1, 00:00; year 1900), never the clock: a
  dateparser reading is kept only when it found the year and the month. When no format matches, the
  usual paths run.
- A time that needs "now" to be read (``2 hours ago``, ``вчера``, ``Sept. 21`` without a year) is read
  only when a ``reference`` time is given; otherwise it is ``None``, so that results never depend on the
  clock. Month-only and year-only values (``September 2023``, ``2023``) are not publication times.
  In a body (``find_dateline``) a year-less date counts only in dateline position, at the start
  (``MOSCOW, Sept. 21 (Reuters) -``); one inside a sentence (``runs June 9-11``) is not the article's.
- Never silently wrong: an impossible date or time (``2023-02-30``, ``25:00``) is ``None``, not a nearby
  valid one, and a dateparser reading of an all-numeric date whose day or month is not in the text (its
  guess) is refused. A date inside words (``Publié le 21 septembre 2023``) is looked for only when the
  whole string is not a date.
- dateparser detects a language (tries every locale) only for a string whose every word is a word of some
  locale (``transforms/date_words.py``): a string that is no date cost 30 to 40 ms there.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import itertools
import re
import zoneinfo
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, cast

from transforms.date_words import could_be_date
from transforms.records import Article
from transforms.settings import TransformSettings

if TYPE_CHECKING:  # dateparser is imported where it is used: it costs start-up time
    from dateparser.date import DateDataParser

UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
DATE_ORDERS = frozenset({"DMY", "MDY", "YMD", "YDM", "DYM", "MYD"})  # dateparser's DATE_ORDER values
MAX_VALUE_CHARS = 256  # longer strings are not a time value; dateparser also slows down on them
# A date written in words has few of them ("jueves, 21 de septiembre de 2023, 16:21": 4); a longer string goes
# to dateparser only through the dates found inside it, never whole: on a string that is no date dateparser
# tries all its ~600 locales, 0.1 to 0.5 s a value, which a hostile feed of 10,000 items turns into an hour.
MAX_DATEPARSER_WORDS = 6
DATELINE_MAX_CHARS = 300
DATELINE_MAX_LINES = 3


@dataclasses.dataclass(frozen=True)
class ParsedTime:
    """One parsed instant: UTC time, the offset it was written in, and how it was read."""

    instant_utc: dt.datetime  # aware, UTC
    offset_minutes: int | None  # the original UTC offset; None when no zone was written or assumed
    had_zone: bool  # the zone was written in the input (not assumed from default_timezone)
    # epoch, iso8601, rfc822, month_first, asctime, digits, jalali, hijri, minguo, dateparser, relative,
    # format (a caller's date_formats)
    method: str


# --- Tables -------------------------------------------------------------------------------------------

_ZONE_NAMES_MINUTES: dict[str, int] = {
    # RFC 822 / 2822
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0,
    "EST": -300, "EDT": -240, "CST": -360, "CDT": -300,
    "MST": -420, "MDT": -360, "PST": -480, "PDT": -420,
    # feedparser's extras: generic US zones (their standard offsets; with a wall-clock time they follow
    # daylight saving time, see _GENERIC_US_ZONES) and Atlantic
    "ET": -300, "CT": -360, "MT": -420, "PT": -480, "AST": -240, "ADT": -180,
    # Common on news sites (one meaning chosen per ambiguous name, see the module docstring)
    "WET": 0, "WEST": 60, "BST": 60, "CET": 60, "CEST": 120, "MET": 60, "MEST": 120,
    "EET": 120, "EEST": 180, "MSK": 180, "MSD": 240, "TRT": 180, "EAT": 180, "CAT": 120,
    "WAT": 60, "SAST": 120, "AZT": 240, "AZST": 300, "GET": 240, "GST": 240, "PKT": 300,
    "IST": 330, "ICT": 420, "WIB": 420, "HKT": 480, "SGT": 480, "PHT": 480, "AWST": 480,
    "JST": 540, "KST": 540, "ACST": 570, "ACDT": 630, "AEST": 600, "AEDT": 660,
    "NZST": 720, "NZDT": 780, "HST": -600, "AKST": -540, "AKDT": -480,
}
# US generic zones (no S or D: the writer means whichever is in force): read with daylight saving time on
# the date, where a fixed offset would be an hour wrong from March to November.
_GENERIC_US_ZONES = {"ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver",
                     "PT": "America/Los_Angeles"}
# RFC 822 military zones as written there (and in feedparser); J is not a zone.
_MILITARY_ZONES_MINUTES: dict[str, int] = {
    **{letter: -60 * hours for hours, letter in enumerate("ABCDEFGHIKLM", start=1)},
    **{letter: 60 * hours for hours, letter in enumerate("NOPQRSTUVWXY", start=1)},
}

_MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}

# --- Patterns -----------------------------------------------------------------------------------------

_OFFSET = r"(?:(?:UTC|GMT|UT)\s?)?[+\-]\s?\d{1,2}(?::?\d{2})?"  # +04:00, +0400, -5, GMT+4, UTC+04:00
_ZONE_TOKEN = rf"(?:{_OFFSET}|[A-Za-z]{{1,5}})"
# A zone after a time: an offset, a parenthesised zone, Z, or a name after a space; then an optional
# parenthesised comment (RFC 822 style "+0400 (MSK)").
_ZONE = (
    rf"(?:\s*(?P<zone>\(\s*{_ZONE_TOKEN}\s*\)|{_OFFSET}|[Zz]\b|(?<=\s)[A-Za-z]{{1,5}}\b))?"
    r"(?:\s*\([^()]{0,40}\))?"
)
_TIME = (
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?"
    r"(?:\s?(?P<ampm>[AaPp])\.?[Mm]\.?)?"
)
_DAY_NAME = r"(?:[A-Za-z]{2,9}\.?(?:,\s*|\s+))?"  # any word: wrong day names are tolerated
_TIME_AFTER_DATE = rf"(?:(?:,?\s+(?:at\s+|@\s*)?|\s*[Tt]\s*){_TIME}{_ZONE})?"

_EPOCH_RE = re.compile(r"(?P<sign>-?)(?P<digits>\d{10}(?=\.|$)|\d{13}|\d{16})(?:\.(?P<fraction>\d{1,9}))?")
# Digits of a Unix epoch -> its units per second: seconds, milliseconds (JavaScript), microseconds.
_EPOCH_UNITS_PER_SECOND: dict[int, int] = {10: 1, 13: 1_000, 16: 1_000_000}
_ISO_RE = re.compile(
    r"(?P<year>\d{4})"
    r"(?:-?W(?P<week>\d{2})(?:-?(?P<weekday>[1-7]))?"
    r"|-?(?P<ordinal>\d{3})"
    r"|(?P<sep>-?)(?P<month>\d{2})(?:(?P=sep)(?P<day>\d{2}))?)"
    r"(?:[Tt ]\s*(?P<hour>\d{2})(?::?(?P<minute>\d{2})(?::?(?P<second>\d{2})"
    rf"(?:[.,](?P<fraction>\d{{1,9}}))?)?)?{_ZONE})?"
)
_NAMED_MONTH_RES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (  # RFC 822 and relatives: [Thu,] 21 Sep 2023 [16:21[:00] [zone]]
        "rfc822",
        re.compile(
            rf"{_DAY_NAME}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\.?[\s\-/]+(?P<month>[A-Za-z]{{3,9}})\.?,?"
            rf"[\s\-/]+(?P<year>\d{{4}}|\d{{2,3}}){_TIME_AFTER_DATE}"
        ),
    ),
    (  # US order: [Thursday,] September 21, 2023 [4:21 PM [zone]]
        "month_first",
        re.compile(
            rf"{_DAY_NAME}(?P<month>[A-Za-z]{{3,9}})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+"
            rf"(?P<year>\d{{4}}){_TIME_AFTER_DATE}"
        ),
    ),
    (  # asctime, date(1), Twitter: Thu Sep 21 16:21:00 [zone] 2023
        "asctime",
        re.compile(
            rf"{_DAY_NAME}(?P<month>[A-Za-z]{{3,9}})\.?\s+(?P<day>\d{{1,2}}),?\s+{_TIME}{_ZONE}"
            r"\s+(?P<year>\d{4})"
        ),
    ),
)
_OFFSET_RE = re.compile(r"(?:UTC|GMT|UT)?([+\-])(\d{1,2})(?::?(\d{2}))?")
# A zone at the end of a string for dateparser, which does not know our abbreviations (its IST is Israel).
_TRAILING_ZONE_RE = re.compile(
    rf"(?P<rest>.*?\S)(?:\s+(?P<spaced>[+\-]\d{{2}}:?\d{{2}}|[A-Z]{{2,5}})"
    rf"|\s*(?P<labelled>\(\s*{_ZONE_TOKEN}\s*\)|(?:UTC|GMT)\s?[+\-]\s?\d{{1,2}}(?::?\d{{2}})?))"
    r"(?:\s*\([^()]{0,40}\))?"
)
# A zone name right after a clock time inside the text (``01:38:07 PM IST Nov 20, 2019``)
_ZONE_AFTER_CLOCK_RE = re.compile(r"(?<=\d\d)(?P<ampm>\s?[AaPp]\.?[Mm]\.?)?\s+(?P<zone>[A-Z]{2,5})\b(?!\s*[+\-]\d)")

# --- Building results ---------------------------------------------------------------------------------


def _clean_minus(text: str) -> str:
    """ASCII hyphen-minus for the Unicode minus sign that some sites write in offsets."""
    return text.replace("\u2212", "-")


_SPACED_HOUR_RE = re.compile(r"(?<![\d:])(\d{1,2}) h (\d{2})(?![\d:])")  # French "16 h 21"


def _clean(value: str) -> str:
    """One line, single spaces, ASCII minus signs, ``16 h 21`` as ``16h21`` (dateparser drops the former)."""
    return _SPACED_HOUR_RE.sub(r"\1h\2", " ".join(_clean_minus(value).split()))


def _as_utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` as aware UTC; a naive value is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _zone_minutes(token: str, local: dt.datetime | None = None) -> int | None:
    """UTC offset in minutes of a zone token (name, military letter or numeric offset) at the wall-clock
    time ``local``; None if unknown. Only US generic zones (``ET``) depend on ``local``."""
    token = token.strip("() ").replace(" ", "")
    generic = _GENERIC_US_ZONES.get(token.upper())
    if generic is not None and local is not None:
        return int((_zone_named(generic).utcoffset(local) or dt.timedelta(0)).total_seconds() // 60)
    named = _ZONE_NAMES_MINUTES.get(token.upper())
    if named is not None:
        return named
    if len(token) == 1:
        return _MILITARY_ZONES_MINUTES.get(token.upper())
    match = _OFFSET_RE.fullmatch(token.upper())
    if match is None:
        return None
    hours, minutes = int(match[2]), int(match[3] or 0)
    if hours > 18 or minutes > 59:
        return None
    return (hours * 60 + minutes) * (-1 if match[1] == "-" else 1)


def _from_local(local: dt.datetime, offset_minutes: int | None, method: str) -> ParsedTime | None:
    """The ParsedTime of a naive wall-clock time written at ``offset_minutes`` (None: no zone, UTC)."""
    try:
        instant = (local - dt.timedelta(minutes=offset_minutes or 0)).replace(tzinfo=UTC)
    except OverflowError:
        return None
    return ParsedTime(instant, offset_minutes, offset_minutes is not None, method)


def _from_fields(fields: dict[str, Any], method: str) -> ParsedTime | None:
    """Build a ParsedTime from regex groups (year, month, day, hour, ..., zone); None if impossible."""
    hour, minute = int(fields.get("hour") or 0), int(fields.get("minute") or 0)
    second = min(int(fields.get("second") or 0), 59)  # a leap second lands on :59
    microsecond = int((fields.get("fraction") or "0")[:6].ljust(6, "0"))
    hour = _apply_ampm(hour, fields.get("ampm"))
    if hour is None:
        return None
    next_day = hour == 24 and minute == second == microsecond == 0  # ISO 8601 end of day
    try:
        local = dt.datetime(
            fields["year"], fields["month"], fields["day"], 0 if next_day else hour, minute, second,
            microsecond,
        )
        local += dt.timedelta(days=int(next_day))
    except (ValueError, OverflowError):
        return None
    zone = fields.get("zone")
    offset = None if zone is None else _zone_minutes(zone, local)
    if zone is not None and offset is None:
        return None
    return _from_local(local, offset, method)


def _apply_ampm(hour: int, ampm: str | None) -> int | None:
    """24-hour value of ``hour`` given an optional a/p marker; None when the pair is impossible."""
    if ampm is None:
        return hour
    if not 1 <= hour <= 12:
        return None
    return hour % 12 + (12 if ampm in "Pp" else 0)


# --- Fast paths ---------------------------------------------------------------------------------------


def _parse_epoch(text: str) -> ParsedTime | None:
    """Unix time in seconds (10 digits, optionally with a fraction), milliseconds (13) or microseconds (16),
    negative before 1970; the whole string only."""
    match = _EPOCH_RE.fullmatch(text)
    if match is None or (match["fraction"] and len(match["digits"]) != 10):
        return None  # a fraction only after seconds
    units_per_second = _EPOCH_UNITS_PER_SECOND[len(match["digits"])]
    microseconds = int(match["digits"]) * (1_000_000 // units_per_second)
    microseconds += int((match["fraction"] or "0")[:6].ljust(6, "0"))
    sign = -1 if match["sign"] else 1
    return ParsedTime(EPOCH + dt.timedelta(microseconds=sign * microseconds), 0, True, "epoch")


def _parse_iso(text: str) -> ParsedTime | None:
    """ISO 8601 / W3C-DTF: calendar, ordinal and week dates, basic or extended, optional time and zone."""
    match = _ISO_RE.fullmatch(text)
    if match is None or (match["month"] and not match["day"]):
        return None  # YYYY-MM is a month, not a publication time
    fields: dict[str, Any] = match.groupdict()
    day = _iso_calendar_day(match)
    if day is None:
        return None
    fields.update(year=day.year, month=day.month, day=day.day)
    return _from_fields(fields, "iso8601")


def _iso_calendar_day(match: re.Match[str]) -> dt.date | None:
    """The calendar day named by an ISO date match (calendar, ordinal or week form); None if impossible."""
    year = int(match["year"])
    try:
        if match["week"]:
            return dt.date.fromisocalendar(year, int(match["week"]), int(match["weekday"] or 1))
        if match["ordinal"]:
            ordinal = int(match["ordinal"])
            day = dt.date(year, 1, 1) + dt.timedelta(days=ordinal - 1)
            return day if 1 <= ordinal and day.year == year else None
        return dt.date(year, int(match["month"]), int(match["day"] or 1))
    except (ValueError, OverflowError):
        return None


def _parse_named_month(text: str) -> ParsedTime | None:
    """RFC 822 / 2822 and the English variants feeds use: day names optional, 2-digit years, no seconds."""
    for method, pattern in _NAMED_MONTH_RES:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        month = _MONTHS.get(match["month"].lower())
        if month is None:
            continue  # a month name in another language: dateparser's job
        fields: dict[str, Any] = match.groupdict()
        fields.update(year=_full_year(match["year"]), month=month, day=int(match["day"]))
        return _from_fields(fields, method)
    return None


def _full_year(digits: str) -> int:
    """RFC 2822 rule for short years: 00-49 are 2000-2049, 50-99 are 1950-1999, 3 digits add 1900."""
    year = int(digits)
    if len(digits) == 2:
        return year + (2000 if year < 50 else 1900)
    if len(digits) == 3:
        return year + 1900
    return year


_FAST_PATHS = (_parse_epoch, _parse_iso, _parse_named_month)

_BARE_DIGITS_RE = re.compile(r"\d{6}|\d{8}")


def _parse_bare_digits(text: str, date_order: str | None) -> ParsedTime | None:
    """``21092023`` / ``210923`` read in an explicit date order; without one a bare number is no date."""
    if date_order is None or not _BARE_DIGITS_RE.fullmatch(text):
        return None
    widths = {"D": 2, "M": 2, "Y": len(text) - 4}
    fields: dict[str, Any] = {}
    position = 0
    for letter in date_order:
        fields[letter] = text[position : position + widths[letter]]
        position += widths[letter]
    date = {"year": _full_year(fields["Y"]), "month": int(fields["M"]), "day": int(fields["D"])}
    return _from_fields(date, "digits")


# --- Other calendars ----------------------------------------------------------------------------------

_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_TO_ASCII_DIGITS = str.maketrans(_PERSIAN_DIGITS + _ARABIC_DIGITS, "0123456789" * 2)
# For detection only: one spelling per Arabic-script letter, no tatweel, no short vowels or shadda.
_ARABIC_SCRIPT_FOLDING = str.maketrans(
    {"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "أ": "ا", "إ": "ا", "آ": "ا", "\u0640": None,
     **{chr(code): None for code in range(0x064B, 0x0653)}}
)
_HIJRI_MARKER_RE = re.compile(r"\d\s*هـ")  # "1445 هـ": the year is marked Hijri
_HIJRI_MONTH_RE = re.compile(
    r"(?<!\w)(?:ال)?(?:محرم|صفر|ربیع|جمادی|رجب|شعبان|رمضان|شوال|ذ[وی] ?ال(?:قعده|حجه))(?!\w)"
)
_HIJRI_YEAR_RE = re.compile(r"(?<!\d)1[345]\d\d(?!\d)")
_JALALI_MONTH_RE = re.compile(
    r"(?<!\w)(?:فروردین|اردیبهشت|خرداد|تیر|مرداد|شهریور|مهر|ابان|اذر|دی|بهمن|اسفند)(?!\w)"
)
_YEAR_FIRST_JALALI_RE = re.compile(r"1[34]\d\d[/\-.]\d{1,2}[/\-.]\d{1,2}(?!\d).*")


def _calendar_of(text: str, language: str | None) -> str | None:
    """``hijri`` or ``jalali`` when the string says so (marker, month name, Persian digits), else None.

    A Hijri month name or the هـ marker wins over Persian digits (Iranian sites print Hijri dates too);
    a year-first numeric date is Jalali only in Persian digits or when the language is Persian.
    """
    persian_language = (language or "").split("-")[0] == "fa"
    if not persian_language and not any("\u0600" <= char <= "\u06ff" for char in text):
        return None
    folded = text.translate(_ARABIC_SCRIPT_FOLDING)
    ascii_digits = folded.translate(_TO_ASCII_DIGITS)
    if _HIJRI_MARKER_RE.search(text) or (
        _HIJRI_MONTH_RE.search(folded) and _HIJRI_YEAR_RE.search(ascii_digits)
    ):
        return "hijri"
    if _JALALI_MONTH_RE.search(folded):
        return "jalali"
    persian_digits = any(char in _PERSIAN_DIGITS for char in text)
    if (persian_digits or persian_language) and _YEAR_FIRST_JALALI_RE.fullmatch(ascii_digits):
        return "jalali"
    return None


def _calendar_class(calendar: str) -> Any:
    """dateparser's calendar class for ``hijri`` / ``jalali`` (imported late: start-up time)."""
    if calendar == "hijri":
        from dateparser.calendars.hijri import HijriCalendar

        return HijriCalendar
    from dateparser.calendars.jalali import JalaliCalendar

    return JalaliCalendar


_DAY_MONTH_YEAR_RE = re.compile(r"(?<!\d)(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})(?!\d)")


def _numeric_year_first(text: str, date_order: str | None) -> str:
    """``06-03-1445`` rewritten ``1445-03-06`` (day first unless the order says month first).

    dateparser's calendar parsers read such dates month first; Arab and Iranian sites write them day first.
    """
    def year_first(match: re.Match[str]) -> str:
        day, month = (match[3], match[1]) if date_order == "MDY" else (match[1], match[3])
        return f"{int(match[4])}-{int(month):02d}-{int(day):02d}"

    return _DAY_MONTH_YEAR_RE.sub(year_first, text)


def _parse_other_calendar(
    text: str, language: str | None, date_order: str | None
) -> tuple[bool, ParsedTime | None]:
    """(whether the string is in the Hijri or Jalali calendar, its Gregorian reading or None)."""
    calendar = _calendar_of(text, language)
    if calendar is None:
        return False, None
    try:
        data = _calendar_class(calendar)(_numeric_year_first(text, date_order)).get_date()
    except Exception:  # noqa: BLE001 - a third-party parser on untrusted text; failure is "no date"
        return True, None
    if data is None or not {"day", "month", "year"} <= set(data.parts or ()):
        return True, None
    return True, _from_local(data.date_obj, None, calendar)


_MINGUO_YEAR_OFFSET = 1911  # Republic of China (Taiwan) year 1 is 1912
_MINGUO_MARKED_RE = re.compile(r"民[國国]\s*(?P<year>\d{1,3})\s*年")
_MINGUO_YEAR_FIRST_RE = re.compile(r"(?P<year>1\d\d)(?P<rest>([/.\-])\d{1,2}\3\d{1,2}(?!\d).*)")


def _minguo_to_gregorian(text: str) -> str | None:
    """The string with its Minguo year made Gregorian (``民國112年`` and ``112/09/21``), else None.

    A 3-digit year first is only ever a Minguo year in news; 2-digit ones (before 2011) are not guessed.
    """
    marked = _MINGUO_MARKED_RE.search(text)
    if marked is not None:
        year = int(marked["year"]) + _MINGUO_YEAR_OFFSET
        return f"{text[: marked.start()]}{year}年{text[marked.end() :]}"
    year_first = _MINGUO_YEAR_FIRST_RE.fullmatch(text)
    if year_first is not None:
        return f"{int(year_first['year']) + _MINGUO_YEAR_OFFSET}{year_first['rest']}"
    return None

# --- dateparser ---------------------------------------------------------------------------------------

_DATEPARSER_SETTINGS: dict[str, Any] = {
    # RETURN_AS_TIMEZONE_AWARE stays unset on purpose: dateparser then returns an aware datetime only when
    # the string had a zone, which is how we know ``had_zone``. TIMEZONE stays "local" because any other
    # value converts aware results and loses the original offset; naive results are not shifted by it.
    # PREFER_DATES_FROM stays unset for absolute dates: "past" would read a 2-digit year by the clock
    # ("21.09.30" is 1930 until 2030), so dateparser's fixed pivot applies (00-68 are 20xx).
    "PREFER_DAY_OF_MONTH": "first",
    "PARSERS": ["custom-formats", "absolute-time"],
    "REQUIRE_PARTS": ["day", "month", "year"],
}
_RELATIVE_SETTINGS: dict[str, Any] = {
    **_DATEPARSER_SETTINGS,
    "PREFER_DATES_FROM": "past",  # "Sept. 21" read against a reference is the latest one before it
    "PARSERS": ["relative-time", "custom-formats", "absolute-time"],
    "REQUIRE_PARTS": ["day", "month"],  # the year may come from the reference
}


def _normalize_language(language: str | None) -> str | None:
    """Lower-case BCP 47 tag with hyphens (``en_US`` -> ``en-us``); None when empty."""
    if not language or not isinstance(language, str):
        return None
    return language.strip().lower().replace("_", "-") or None


_YEAR_FIRST_LANGUAGES = frozenset({"zh", "ja", "ko", "hu", "lt", "mn"})
_YEAR_FIRST_MARKERS = ("年", "년")  # CJK dates mark the year, whatever the declared language


def _date_order(language: str | None, text: str, explicit: str | None = None) -> str | None:
    """The explicit order if any; else MDY for en / en-US, dateparser's own (None) for year-first
    languages, DMY otherwise and if unknown."""
    if explicit is not None:
        return explicit
    if language in ("en", "en-us"):
        return "MDY"
    primary = (language or "").split("-")[0]
    if primary in _YEAR_FIRST_LANGUAGES or any(marker in text for marker in _YEAR_FIRST_MARKERS):
        return None
    return "DMY"


def _dateparser_languages(language: str | None) -> tuple[str, ...] | None:
    """Languages to give dateparser: the article's language, then English; None lets it detect."""
    if language is None:
        return None
    primary = language.split("-")[0]
    return (primary,) if primary == "en" else (primary, "en")


@functools.lru_cache(maxsize=256)
def _date_data_parser(languages: tuple[str, ...] | None, date_order: str | None) -> DateDataParser | None:
    """A reusable dateparser for a language list; None when dateparser does not know the languages."""
    from dateparser.date import DateDataParser

    order = {"DATE_ORDER": date_order} if date_order else {}
    try:
        return DateDataParser(
            languages=list(languages) if languages else None, settings={**_DATEPARSER_SETTINGS, **order}
        )
    except ValueError:
        return None


def _run_dateparser(parser: DateDataParser | None, text: str) -> dt.datetime | None:
    """dateparser's reading of ``text``, or None; dateparser raises on some hostile strings."""
    if parser is None:
        return None
    try:
        return parser.get_date_data(text).date_obj
    except Exception:  # noqa: BLE001 - a third-party parser on untrusted text; failure is "no date"
        return None


def _split_zone(text: str) -> tuple[str, str | None]:
    """Cut a zone we know off ``text``, with its token: a trailing one (``MSK``, ``+0400``, ``(UTC+04:00)``) or
    a name right after the clock time (``01:38:07 PM IST Nov 20, 2019``). dateparser must not read our names
    itself: it takes ``IST`` for Israel, where we read India (see the module docstring)."""
    match = _TRAILING_ZONE_RE.fullmatch(text)
    if match is not None:
        token = match["spaced"] or match["labelled"]
        if _zone_minutes(token) is not None:
            return match["rest"], token
    inner = _ZONE_AFTER_CLOCK_RE.search(text)
    if inner is not None and inner["zone"].upper() in _ZONE_NAMES_MINUTES:
        return f"{text[:inner.start()]}{inner['ampm'] or ''}{text[inner.end():]}", inner["zone"]
    return text, None


def _dateparser_result(found: dt.datetime | None, zone: str | None, method: str) -> ParsedTime | None:
    """ParsedTime from dateparser's datetime (aware if the string had a zone, else naive), written in the
    zone token ``zone`` cut off before parsing, if any."""
    if found is None:
        return None
    local = found.replace(tzinfo=None)
    utc_offset = found.utcoffset()
    offset = int(utc_offset.total_seconds() // 60) if utc_offset is not None else (
        None if zone is None else _zone_minutes(zone, local))
    return _from_local(local, offset, method)


def _parse_with_dateparser(text: str, language: str | None, date_order: str | None) -> ParsedTime | None:
    """Absolute dates in any language dateparser knows; the article's language first, then detection."""
    if len(text) > MAX_VALUE_CHARS or not any(char.isdigit() for char in text) or _too_wordy(text):
        return None  # an absolute date needs a year, so digits
    rest, zone = _split_zone(text)
    order = _date_order(language, rest, date_order)
    languages = _dateparser_languages(language)
    found = _run_dateparser(_date_data_parser(languages, order), rest) if languages is not None else None
    if found is None and could_be_date(rest):  # detection tries every locale: only where one could read it
        found = _run_dateparser(_date_data_parser(None, order), rest)
    if found is not None and not _numbers_agree(rest, found):
        return None
    return _dateparser_result(found, zone, "dateparser")


def _too_wordy(text: str) -> bool:
    """More words (tokens with a letter) than a date has (``MAX_DATEPARSER_WORDS``): a sentence, to be
    searched for the dates inside it instead."""
    return sum(1 for token in text.split() if any(char.isalpha() for char in token)) > MAX_DATEPARSER_WORDS


_ALL_NUMERIC_DATE_RE = re.compile(r"[\d\s./\-:,]+")


def _numbers_agree(text: str, found: dt.datetime) -> bool:
    """For an all-numeric date, whether the day and month dateparser chose are numbers in the text.

    dateparser fills what it cannot read (``101/05/25`` came back as 2025-05-01); such a guess must not
    pass for a date.
    """
    if not _ALL_NUMERIC_DATE_RE.fullmatch(text):
        return True
    numbers = {int(token) for token in re.findall(r"\d+", text)}
    return found.day in numbers and found.month in numbers


@functools.lru_cache(maxsize=4096)
def _parse_relative(
    text: str,
    language: str | None,
    reference: dt.datetime,
    date_order: str | None,
    calendar_only: bool = False,
) -> ParsedTime | None:
    """Times that need "now" (``2 hours ago``, ``вчера``, ``Sept. 21``), read against ``reference``.

    A year-less numeric date impossible in its order (``02/29`` day-first) is read in the other one, as
    dateparser does for dates with a year: it is not ambiguous. ``calendar_only`` reads only calendar
    dates that lack their year (``Sept. 21``), not durations or words (``5 days``, ``yesterday``).
    """
    from dateparser.date import DateDataParser

    if len(text) > MAX_VALUE_CHARS or _too_wordy(text):
        return None
    rest, zone = _split_zone(text)
    order = _date_order(language, rest, date_order)
    swapped = _SWAPPED_ORDERS.get(order or "") if _ALL_NUMERIC_DATE_RE.fullmatch(rest) else None
    base = reference.astimezone(UTC).replace(tzinfo=None)
    for each_order in dict.fromkeys((order, swapped) if swapped else (order,)):
        settings = {**_RELATIVE_SETTINGS, **({"DATE_ORDER": each_order} if each_order else {}), "RELATIVE_BASE": base}
        if calendar_only:
            settings["PARSERS"] = [parser for parser in settings["PARSERS"] if parser != "relative-time"]
        for languages in dict.fromkeys((_dateparser_languages(language), None)):
            if languages is None and not could_be_date(rest):
                continue
            try:
                parser = DateDataParser(languages=list(languages) if languages else None, settings=settings)
            except ValueError:
                continue
            found = _run_dateparser(parser, rest)
            if found is not None and _numbers_agree(rest, found):
                return _dateparser_result(found, zone, "relative")
    return None


_SWAPPED_ORDERS = {"DMY": "MDY", "MDY": "DMY"}


# --- A caller's formats -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _parse_with_formats(text: str, date_formats: tuple[str, ...], language: str | None) -> ParsedTime | None:
    """``text`` read with the first of ``date_formats`` that fits: strptime, then dateparser (other
    languages' month names); None when none fits."""
    for date_format in date_formats:
        try:
            found = dt.datetime.strptime(text, date_format)
        except ValueError:
            continue
        return _dateparser_result(found, None, "format")
    if len(text) > MAX_VALUE_CHARS:
        return None
    for languages in dict.fromkeys((_dateparser_languages(language), None)):
        data = _formats_with_dateparser(text, date_formats, languages)
        if data is not None:
            day = data.date_obj.day if "day" in data.parts else 1  # dateparser fills a missing day from the clock
            return _dateparser_result(data.date_obj.replace(day=day), None, "format")
    return None


@functools.lru_cache(maxsize=64)
def _format_parser(languages: tuple[str, ...] | None) -> DateDataParser | None:
    """A reusable dateparser that reads given formats only; None when it does not know the languages."""
    from dateparser.date import DateDataParser

    try:
        return DateDataParser(
            languages=list(languages) if languages else None, settings={"PARSERS": ["custom-formats"]}
        )
    except ValueError:
        return None


def _formats_with_dateparser(text: str, date_formats: tuple[str, ...], languages: tuple[str, ...] | None) -> Any:
    """dateparser's DateData for ``text`` read with ``date_formats`` only, when it has a year and a month."""
    parser = _format_parser(languages)
    if parser is None:
        return None
    try:
        data = parser.get_date_data(text, date_formats=list(date_formats))
    except Exception:  # noqa: BLE001 - a third-party parser on untrusted text; failure is "no date"
        return None
    if data.date_obj is None or not {"year", "month"} <= set(data.parts or ()):
        return None
    return data


# --- Dates inside text (datelines, "Published on ...") --------------------------------------------------

_WORD = r"[^\W\d_]{3,12}"  # a month name in any alphabet
_CLOCK = r"\d{1,2}[:h.]\d{2}(?::\d{2})?(?:\s?[AaPp]\.?[Mm]\.?)?"
# a clock after a date: "T", a comma, a bullet or a bar, then a word for "at" in some languages
_CLOCK_AFTER_DATE = (
    r"(?:T|,?\s*[•·|]\s*|,?\s+(?:at\s+|à\s+|às\s+|alle\s+|om\s+|в\s+|saat\s+|um\s+|a\s+las\s+"
    rf"|kl\.?\s+|klo\s+|godz\.?\s+)?){_CLOCK}"
)
_ZONE_AFTER_CLOCK = (
    r"\s*(?:\(\s*(?:UTC|GMT)\s?[+\-]\s?\d{1,2}(?::?\d{2})?\s*\)"
    r"|(?:UTC|GMT)\s?[+\-]\s?\d{1,2}(?::?\d{2})?|[+\-]\d{2}:?\d{2}|Z\b|\(?[A-Z]{2,5}\b\)?)"
)
_DATE_FORMS = (
    r"\d{4}-\d{2}-\d{2}"
    r"|\d{1,2}[./]\d{1,2}[./]\d{2,4}"
    rf"|\d{{1,2}}\.?\s+(?:de\s+)?{_WORD}\.?,?\s+(?:de\s+)?\d{{4}}"
    # month first; not when the number starts a day-month-year ("Updated 21 September 2023") or a numeric
    # date ("Opublikowano 18.11.2019": any word of 3 to 12 letters may be a month name here)
    rf"|{_WORD}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?![./]\d)(?!\.?\s+(?:de\s+)?{_WORD}\.?,?\s+(?:de\s+)?\d{{4}})"
    r"(?:,?\s+\d{4})?"
)
_EMBEDDED_DATE_RE = re.compile(
    rf"(?<!\w)(?P<date>{_DATE_FORMS})(?!\d)"
    rf"(?P<time>{_CLOCK_AFTER_DATE})?"
    rf"(?P<zone>{_ZONE_AFTER_CLOCK})?",
)
# A clock before its date with a year: "4:06 PM ET, Mon November 18, 2019", "10:00 GMT+3 20 Nov 2019"
_CLOCK_FIRST_DATE_RE = re.compile(
    rf"(?<![\w:.])(?P<time>{_CLOCK})(?P<zone>{_ZONE_AFTER_CLOCK})?,?\s+(?:on\s+)?(?:{_WORD}\.?,?\s+)??"
    rf"(?P<date>\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}[./]\d{{1,2}}[./]\d{{4}}"
    rf"|\d{{1,2}}\.?\s+(?:de\s+)?{_WORD}\.?,?\s+(?:de\s+)?\d{{4}}|{_WORD}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
    r"(?![\d:])"
)
# A year-less date in dateline position, matched against the first line of a body: at its start, or
# after a place ("MOSCOW, Sept. 21 (Reuters) -", "BAKU, June 9 —", "June 9 (AP) —", "9 iyun, Bakı /Trend/"),
# and followed by a dateline separator or the end of the line. Anywhere else a year-less date is a date the
# text mentions ("The festival runs June 9-11"), and the year taken from the reference would be a guess.
_PLACE_WORD = r"[^\W\d_][^\s\d,/()]*"  # MOSCOW, Bakı, ST., Nur-Sultan, N'Djamena
_PLACE = rf"{_PLACE_WORD}(?:\s+{_PLACE_WORD}){{0,3}}"
_YEAR_LESS_DATELINE_RE = re.compile(
    rf"(?:(?P<place>{_PLACE}(?:,\s*{_PLACE}){{0,2}})(?P<comma>,)?\s+)?"
    rf"(?P<date>{_WORD}(?:\.\s*|\s+)\d{{1,2}}(?:st|nd|rd|th)?"  # Sept. 21, June 9
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\.?\s+(?:de\s+)?{_WORD}\.?)(?!\d)"  # 9 iyun, 21 сентября, 9 de junio
    # a zone only after a clock: "June 9 (AP)" is an agency, not a zone
    rf"(?:(?P<time>{_CLOCK_AFTER_DATE})(?P<zone>{_ZONE_AFTER_CLOCK})?)?"
    rf"(?:,\s*(?P<after>{_PLACE}))?"
    # the separator: (Agency), /Agency/, a dash that is not a range ("June 9-11"), a colon, the line end
    r"\s*(?:\([^()\n]{1,40}\)|/[^/\n]{1,40}/|[-–—―](?!\s*\d)|:|$)"
)


_Specificity = tuple[bool, bool]  # (has a time, has a zone): a fuller date wins


def _embedded_dates(
    text: str, hints: _Hints, *, whole_tried: bool = False
) -> Iterator[tuple[_Specificity, ParsedTime]]:
    """Each date found inside ``text`` with its specificity (has a time, has a zone), fullest form first;
    ``whole_tried``: the caller read all of ``text`` as a date already, so a match of all of it is skipped
    (unless its clock came first: it is read with the clock moved after the date)."""
    matches = itertools.chain(_EMBEDDED_DATE_RE.finditer(text), _CLOCK_FIRST_DATE_RE.finditer(text))
    for match in matches:
        if whole_tried and match.group() == text and match.re is _EMBEDDED_DATE_RE:  # clock first: read anew
            continue
        found = _read_date_match(match, hints)
        if found is not None:
            yield found


def _read_date_match(
    match: re.Match[str], hints: _Hints, *, calendar_only: bool = False
) -> tuple[_Specificity, ParsedTime] | None:
    """The date a match's ``date``/``time``/``zone`` groups give, fullest form first, with its specificity;
    None when no form reads. ``calendar_only`` is as in _parse_relative."""
    date, time, zone = match["date"], match["time"] or "", match["zone"] or ""
    if not _possible_clock(time):
        return None  # an impossible time spoils its date too
    if time and match.start("time") < match.start("date"):  # the clock came first: read it after the date
        time = " " + time
    for variant in dict.fromkeys((date + time + zone, date + time, date)):
        parsed = _parse_span(variant, hints, calendar_only=calendar_only)
        if parsed is not None:
            return (bool(time) and variant != date, parsed.had_zone), parsed
    return None


def _possible_clock(time: str) -> bool:
    """Whether hour, minute (and second) of a matched time are in range; True when there is no time."""
    numbers = [int(part) for part in re.findall(r"\d+", time)]
    limits = (24, 59, 60)
    return all(number <= limit for number, limit in zip(numbers, limits))


def _most_specific(candidates: Iterable[tuple[_Specificity, ParsedTime]]) -> ParsedTime | None:
    """The candidate with a time and a zone if any has them, else the first one."""
    best: tuple[_Specificity, ParsedTime] | None = None
    for score, parsed in candidates:
        if best is None or score > best[0]:
            best = (score, parsed)
    return None if best is None else best[1]


def _most_specific_embedded(text: str, hints: _Hints) -> ParsedTime | None:
    """The date inside ``text`` with a time and a zone if any has them, else the first one found."""
    return _most_specific(_embedded_dates(text, hints, whole_tried=True))


def _year_less_dateline(head: str, hints: _Hints) -> Iterator[tuple[_Specificity, ParsedTime]]:
    """The year-less date of a dateline at the start of ``head`` (read against the reference), if any."""
    match = _YEAR_LESS_DATELINE_RE.match(head.partition("\n")[0])
    if match is None or not _dateline_places_ok(match["place"], match["comma"], match["after"]):
        return
    # Calendar dates only: "5 days —" at the start of a body is not a dateline.
    found = _read_date_match(match, hints, calendar_only=True)
    if found is not None:
        yield found


def _dateline_places_ok(place: str | None, comma: str | None, after: str | None) -> bool:
    """Whether the words around a dateline's date look like its place: before the date in capitals
    (``MOSCOW``) or a proper name before a comma (``Bakı,``); after it a proper name (``9 iyun, Bakı``).

    Without this, any words before a date ("The festival runs June 9 -") would pass for a place.
    """
    before_ok = place is None or place.isupper() or (bool(comma) and _is_proper_name(place))
    return before_ok and (after is None or _is_proper_name(after))


def _is_proper_name(words: str) -> bool:
    """Capitalized words, short particles allowed inside (``Rio de Janeiro``, ``Frankfurt am Main``)."""
    parts = words.replace(",", " ").split()
    return parts[0][0].isupper() and all(part[0].isupper() or len(part) <= 3 for part in parts)


def _dateline_head(text: str) -> str:
    """The part of a body where a dateline can be: the first non-empty lines, cut at a length."""
    lines = [line.strip() for line in text[: DATELINE_MAX_CHARS * 4].splitlines() if line.strip()]
    return _clean_minus("\n".join(lines[:DATELINE_MAX_LINES])[:DATELINE_MAX_CHARS])


# --- Public API ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Hints:
    """What the caller knows that helps read a time: the language, "now", an explicit day/month order."""

    language: str | None = None
    reference: dt.datetime | None = None  # aware UTC
    date_order: str | None = None
    date_formats: tuple[str, ...] = ()  # strptime formats, tried first


def _make_hints(
    language: str | None,
    reference: dt.datetime | None,
    date_order: str | None,
    date_formats: Sequence[str] | None = None,
) -> _Hints:
    """Normalized hints; an unknown ``date_order`` or a format that is not a string is a configuration
    error (ValueError)."""
    if date_order is not None and date_order.upper() not in DATE_ORDERS:
        raise ValueError(f"date_order must be one of {sorted(DATE_ORDERS)}, not {date_order!r}")
    formats = (date_formats,) if isinstance(date_formats, str) else tuple(date_formats or ())
    if not all(isinstance(date_format, str) and date_format for date_format in formats):
        raise ValueError(f"date_formats must be non-empty strptime format strings, not {date_formats!r}")
    return _Hints(
        _normalize_language(language),
        None if reference is None else _as_utc(reference),
        None if date_order is None else date_order.upper(),
        formats,
    )


@functools.lru_cache(maxsize=8192)  # bounded: memory stays flat over archives of 200k items
def _parse_direct(text: str, language: str | None, date_order: str | None) -> ParsedTime | None:
    """Other calendars, fast paths, then dateparser, for a cleaned string; cached since feeds repeat.

    Hijri and Jalali come first: ``1402-06-30`` in a Persian article is not ISO 8601.
    """
    in_other_calendar, parsed = _parse_other_calendar(text, language, date_order)
    if in_other_calendar:
        return parsed  # never a Gregorian reading of a Hijri or Jalali year
    for parse in _FAST_PATHS:
        parsed = parse(text)
        if parsed is not None:
            return parsed
    parsed = _parse_bare_digits(text, date_order)
    if parsed is not None:
        return parsed
    gregorian = _minguo_to_gregorian(text)
    if gregorian is not None:
        parsed = _parse_direct(gregorian, language, date_order)
        return None if parsed is None else dataclasses.replace(parsed, method="minguo")
    return _parse_with_dateparser(text, language, date_order)


def _parse_span(text: str, hints: _Hints, *, calendar_only: bool = False) -> ParsedTime | None:
    """A string that is all date: the caller's formats, absolute forms, then relative ones when there is
    a reference (``calendar_only`` as in _parse_relative). A trailing IANA zone name is applied with its
    daylight saving time."""
    rest, written_zone = _split_named_zone(text)
    if written_zone is not None:
        parsed = _parse_span(rest, hints, calendar_only=calendar_only)
        if parsed is None or parsed.had_zone or parsed.method == "relative":
            return parsed
        return dataclasses.replace(_in_default_zone(parsed, written_zone), had_zone=True)
    parsed = _parse_with_formats(text, hints.date_formats, hints.language) if hints.date_formats else None
    parsed = parsed or _parse_direct(text, hints.language, hints.date_order)
    if parsed is None and hints.reference is not None:
        parsed = _parse_relative(text, hints.language, hints.reference, hints.date_order, calendar_only)
    return parsed


# Searched, not matched from the start: only a word after a space or "(" can begin it (linear time).
_TRAILING_IANA_ZONE_RE = re.compile(r"(?<=[\s(])(?P<name>[A-Z][A-Za-z]+(?:/[A-Za-z0-9_+\-]+){1,2})\s*\)?$")


def _split_named_zone(text: str) -> tuple[str, zoneinfo.ZoneInfo | None]:
    """``text`` without a trailing IANA zone name (``Europe/Baku``), and that zone; ``(text, None)`` when
    it ends otherwise. (Abbreviations and offsets are read where the time is: ``_zone_minutes``.)"""
    match = _TRAILING_IANA_ZONE_RE.search(text)
    if match is None:
        return text, None
    name, rest = match["name"], text[: match.start()].rstrip().removesuffix("(").rstrip()
    if not rest:
        return text, None
    try:
        return rest, _zone_named(name)
    except ValueError:  # a word with a slash, not a zone
        return text, None


@functools.lru_cache(maxsize=64)
def _zone_named(name: str) -> zoneinfo.ZoneInfo:
    """The IANA zone ``name``; an unknown name is a configuration error (ValueError)."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"default_timezone {name!r} is not an IANA time zone") from error


def _in_default_zone(parsed: ParsedTime | None, zone: zoneinfo.ZoneInfo | None) -> ParsedTime | None:
    """A zone-less absolute time re-read as wall-clock time in ``zone``; others unchanged.

    Relative times (``2 hours ago``) are instants already and are left alone.
    """
    if parsed is None or zone is None or parsed.had_zone or parsed.method == "relative":
        return parsed
    local = parsed.instant_utc.replace(tzinfo=None)
    offset = zone.utcoffset(local) or dt.timedelta(0)
    instant = (local - offset).replace(tzinfo=UTC)
    return dataclasses.replace(parsed, instant_utc=instant, offset_minutes=int(offset.total_seconds() // 60))


def parse_timestamp(
    value: str,
    *,
    language: str | None = None,
    reference: dt.datetime | None = None,
    date_order: str | None = None,
    default_timezone: str | None = None,
    date_formats: Sequence[str] | None = None,
) -> ParsedTime | None:
    """Parse one date/time string to UTC keeping its offset; None when it cannot be read.

    ``language`` (BCP 47, e.g. ``az``, ``en-US``) guides dateparser and the day/month order of numeric
    dates; ``reference`` (aware, or naive UTC) allows relative and year-less forms, read against it. A
    date inside words (``Publié le 16 avril 2019``) is found when the whole string is not a date.
    Per-feed options: ``date_order`` (``DMY``, ``MDY``, ``YMD``, ...) overrides the language's order of
    numeric dates and lets bare ``21092023`` be read; ``default_timezone`` (IANA name) is the zone of
    times written without one; ``date_formats`` (strptime formats) are tried first. Bad input never
    raises; an unknown ``date_order``, zone name or a format that is not a string does.
    """
    hints = _make_hints(language, reference, date_order, date_formats)
    zone = None if default_timezone is None else _zone_named(default_timezone)
    if not isinstance(value, str):
        return None
    text = _clean(value)
    if not text or len(text) > MAX_VALUE_CHARS:
        return None
    return _in_default_zone(_parse_span(text, hints) or _most_specific_embedded(text, hints), zone)


def find_dateline(
    text: str,
    *,
    language: str | None = None,
    reference: dt.datetime | None = None,
    date_order: str | None = None,
    default_timezone: str | None = None,
) -> ParsedTime | None:
    """The most specific date in a body's first lines (a dateline), preferring one with time and zone.

    A date with its year may be anywhere in those lines. A year-less one is read against ``reference``
    (e.g. fetched_at) only in dateline position, at the very start of the body, alone or after a place
    and followed by a separator or the line end (``MOSCOW, Sept. 21 (Reuters) -``, ``June 9 (AP) —``,
    ``9 iyun, Bakı /Trend/``): in a sentence (``The festival runs June 9-11``) it is not the article's
    date. ``date_order`` and ``default_timezone`` are as in parse_timestamp.
    """
    hints = _make_hints(language, reference, date_order)
    zone = None if default_timezone is None else _zone_named(default_timezone)
    if not isinstance(text, str) or not text:
        return None
    head = _dateline_head(text)
    with_year = dataclasses.replace(hints, reference=None)  # elsewhere in the head a date needs its year
    candidates = itertools.chain(_year_less_dateline(head, hints), _embedded_dates(head, with_year))
    return _in_default_zone(_most_specific(candidates), zone)


# --- Choosing an article's time -----------------------------------------------------------------------


# The per-feed date options an article may carry in ``time_options`` (feeds.toml), by parameter name.
TIME_OPTION_KEYS = ("date_order", "default_timezone", "date_formats")


@dataclasses.dataclass(frozen=True)
class ItemTimeFields:
    """What an item's ``raw_published`` and ``raw_updated`` are called in ``time_source``, and whether its update
    time may stand for the publication time."""

    published: str = "entry.published"
    updated: str = "entry.updated"
    # Atom's <updated> is a candidate after the page's own times (many feeds give no other). A sitemap's <lastmod>
    # is the page's last change, often the time the sitemap was written: it stands in only when nothing gives a
    # publication time, flagged ``fallback`` as the fetch time would be (it is closer to the publication).
    updated_is_candidate: bool = True


FEED_ITEM_TIMES = ItemTimeFields()
ITEM_TIMES_BY_DOCUMENT_TYPE = {
    "sitemap": ItemTimeFields(published="sitemap.news.publication_date", updated="sitemap.lastmod",
                              updated_is_candidate=False),
}


def _reading_options(article: Article, reference: dt.datetime | None) -> dict[str, Any]:
    """The keyword arguments of parse_timestamp for this article: language, reference, its feed's options."""
    feed_options = article.get("time_options") or {}
    return {
        "language": article.get("language") or article.get("language_hint"),
        "reference": reference,
        **{key: feed_options[key] for key in TIME_OPTION_KEYS if feed_options.get(key)},
    }


def _time_candidates(
    article: Article, options: dict[str, Any], names: ItemTimeFields
) -> Iterator[tuple[str, str | None, ParsedTime | None]]:
    """(source name, raw value, parsed) for each place a publication time can come from, in trust order."""
    raw = article.get("raw_published")
    yield names.published, raw, parse_timestamp(raw, **options) if raw else None
    # Times a page gives (an HTML page read as a document, or an item's page fetched for its full text), each
    # named for where it was found ("page.json_ld", "page.meta", ...): they beat a feed's update time.
    for name, raw in article.get("page_times") or ():
        yield name, raw, parse_timestamp(raw, **options) if raw else None
    raw = article.get("raw_updated") if names.updated_is_candidate else None
    yield names.updated, raw, parse_timestamp(raw, **options) if raw else None
    dateline_options = {key: value for key, value in options.items() if key != "date_formats"}
    for field in ("body_text", "summary_text"):
        found = find_dateline(article.get(field) or "", **dateline_options)
        yield "body.dateline", None, found  # no dateline is not a failure: nothing to flag
    raw = article.get("page_text_date")  # a page's date read from its text (htmldate): the last resort
    yield "page.text", raw, parse_timestamp(raw, **options) if raw else None


def _implausibility(
    instant: dt.datetime, fetched_at: dt.datetime | None, settings: TransformSettings
) -> str | None:
    """Why ``instant`` cannot be a publication time (a flag), or None when it can."""
    if fetched_at is not None and instant > fetched_at + settings.max_future_skew:
        return "implausible_future"
    if instant < settings.earliest_plausible:
        return "implausible_past"
    return None


def normalize_article_time(article: Article, settings: TransformSettings) -> Article:
    """Set published_at (UTC), its offset, source and flags, and updated_at, from the best candidate.

    Candidates in order: entry published, the page's own times (``page_times``: a page read as a document,
    or an item's page fetched for its full text), entry updated, a dateline in the body, a date found in
    the page's text (``page_text_date``), and finally fetched_at (flagged ``fallback``). A sitemap's entry names
    its times ``sitemap.news.publication_date`` and ``sitemap.lastmod``, and its lastmod is no candidate: it
    stands in for fetched_at, flagged ``fallback`` too (``ITEM_TIMES_BY_DOCUMENT_TYPE``). A day without its
    clock (``2019-11-18``) takes the clock of a later candidate of the same day, which then names the source.
    Unreadable values add ``unparseable`` and implausible ones ``implausible_future`` / ``implausible_past``,
    and are skipped; ``no_zone`` marks a time read as UTC for want of a zone, ``feed_zone`` one read in the
    feed's ``default_timezone``, ``relative`` one read against fetched_at (``2 hours ago``), ``date_only`` a
    day whose clock nobody gave (midnight, no zone; it may also be a time written as 00:00 without one). Without
    fetched_at (a contract breach upstream) the future check is skipped and the fallback is None. The
    article's ``time_options`` (its feed's ``date_order``, ``default_timezone``, ``date_formats``) apply to
    every candidate; formats are not looked for in body text.
    """
    fetched_at = article.get("fetched_at")
    fetched_at = _as_utc(fetched_at) if isinstance(fetched_at, dt.datetime) else None
    options = _reading_options(article, fetched_at)
    names = ITEM_TIMES_BY_DOCUMENT_TYPE.get(article.get("document_type") or "", FEED_ITEM_TIMES)
    flags: list[str] = []
    chosen: tuple[str, ParsedTime] | None = None
    candidates = _time_candidates(article, options, names)
    for name, raw, parsed in candidates:
        problem = "unparseable" if parsed is None and raw else None
        if parsed is not None:
            problem = _implausibility(parsed.instant_utc, fetched_at, settings)
            if problem is None:
                chosen = (name, parsed)
                break
        if problem and problem not in flags:
            flags.append(problem)
    if chosen is not None and _day_only(chosen[1]):
        chosen = _clock_of_the_same_day(chosen, candidates, fetched_at, settings)
    raw_updated = article.get("raw_updated")
    updated = parse_timestamp(raw_updated, **options) if raw_updated else None
    # an implausible update time (CMS placeholders such as 0001-01-01, or years ahead) is no version: kept, it
    # would rank this copy below or above every real edition of the article
    updated_problem = "unparseable" if updated is None else _implausibility(updated.instant_utc, fetched_at, settings)
    if chosen is None and raw_updated and not names.updated_is_candidate:  # a sitemap's lastmod stands in
        if updated_problem is None:
            chosen, flags = (names.updated, cast(ParsedTime, updated)), [*flags, "fallback"]
        elif updated_problem not in flags:
            flags.append(updated_problem)
    fields = {
        **_chosen_time_fields(chosen, fetched_at, flags),
        "updated_at": cast(ParsedTime, updated).instant_utc if updated_problem is None else None,
    }
    return cast(Article, {**article, **fields})


def _local_time(parsed: ParsedTime) -> dt.datetime:
    """The wall-clock time ``parsed`` was written in (UTC when it had no zone)."""
    return parsed.instant_utc + dt.timedelta(minutes=parsed.offset_minutes or 0)


def _day_only(parsed: ParsedTime) -> bool:
    """Whether ``parsed`` is a day without its clock: local midnight, no zone written (``2019-11-18``)."""
    return not parsed.had_zone and _local_time(parsed).time() == dt.time(0)


def _clock_of_the_same_day(
    chosen: tuple[str, ParsedTime],
    later: Iterator[tuple[str, str | None, ParsedTime | None]],
    fetched_at: dt.datetime | None,
    settings: TransformSettings,
) -> tuple[str, ParsedTime]:
    """A later candidate that gives the chosen day its clock (a page's JSON-LD says ``2019-11-18``, its
    <time> ``2019-11-18T20:28:55+00:00``), else the chosen day. Its day must be the chosen one as written."""
    day = _local_time(chosen[1]).date()
    for name, _, parsed in later:
        if parsed is None or _day_only(parsed) or _local_time(parsed).date() != day:
            continue
        if _implausibility(parsed.instant_utc, fetched_at, settings) is None:
            return name, parsed
    return chosen


def _chosen_time_fields(
    chosen: tuple[str, ParsedTime] | None, fetched_at: dt.datetime | None, flags: list[str]
) -> dict[str, Any]:
    """The published_* / time_* fields for the chosen candidate, or for the fetched_at fallback."""
    if chosen is None:
        return {
            "published_at": fetched_at,
            "published_offset_minutes": None,  # the publisher's offset is unknown
            "time_source": "fetched_at" if fetched_at is not None else None,
            "time_flags": [*flags, "fallback"],
        }
    name, parsed = chosen
    assumed_zone = not parsed.had_zone and parsed.offset_minutes is not None  # the feed's default_timezone
    conditions = (
        ("no_zone", not parsed.had_zone and not assumed_zone),
        ("feed_zone", assumed_zone),
        ("relative", parsed.method == "relative"),
        ("date_only", _day_only(parsed)),  # its clock (midnight) is not the publisher's
    )
    extra = [flag for flag, applies in conditions if applies]
    return {
        "published_at": parsed.instant_utc,
        "published_offset_minutes": parsed.offset_minutes,
        "time_source": name,
        "time_flags": [*flags, *extra],
    }
