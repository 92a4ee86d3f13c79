"""Publication times of full HTML article pages, on the 181 pages of the ScrapingHub article-extraction benchmark.

Each page goes through the pipeline's own functions in this process, in the pipeline's order (read, parse, then
``benchmarks.bare_loop.ARTICLE_STAGES`` up to the time: clean, full text, normalize text, language, time). A
page is read as a page fetched into the raw zone is: its ``uri`` is the URL it came from (``ground-truth.json``
gives it), so that a relative canonical link resolves as it would. ``fetched_at`` is fixed at
``FETCHED_AT`` (2026-01-01 00:00 UTC): a page without a time of its own falls back on it
(``time_source`` ``fetched_at``), and a page dated after it is implausible.

There is no ground truth for these times; two references stand in for one:

- the URL: many news URLs carry the publication day (``/2019/11/18/``, ``/2019-11-19/``, ``/20191118/``,
  ``/2019/nov/18/``; see ``url_date``). Our day agrees when it is within a day of it (time zones).
- htmldate (``find_date(html, original_date=True)``), a benchmark-only comparison as trafilatura is in
  ``quality_extraction``. It is given no URL, but it reads the page's canonical link, so its answer often
  is the URL's day too.

Counts: ``time_source`` per page (an error record is counted as ``error STAGE:TYPE``), ``page_time`` (pages
with a time of their own: any source but ``fetched_at``), ``url_dated`` and, among them, ``agree_url``,
``disagree_url`` and ``fallback_url`` (no time of our own), with ``from_url`` apart: pages whose time the
pipeline itself took from the URL (``page.url``) agree by construction; the same against htmldate's day for
the pages it dates (``htmldate_found``; ``from_htmldate``: our time is htmldate's, ``page.text``), and
``htmldate_agree_url`` for htmldate against the URL. ``--misses`` lists every
page without a time of its own and every disagreement.

Run ``python -m benchmarks.quality_page_dates [--misses] [CORPORA_DIR]``; the default is ``../shared/corpora``.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import logging
import pathlib
import re
import sys
import time
import urllib.parse
from typing import Any

from benchmarks.bare_loop import ARTICLE_STAGES, MAX_DOCUMENT_BYTES
from benchmarks.corpora import corpora_dir
from benchmarks.quality_extraction import absent_note, find_corpus, load_pages
from benchmarks.quality_timestamps import format_table as format_blocks
from benchmarks.quality_timestamps import parse_arguments, share
from pipeline.sources import read_file
from transforms.parsing import parse_document
from transforms.records import RawDocument
from transforms.settings import TransformSettings

DEFAULT_CORPORA_DIR = corpora_dir()
SECTION = "aeb_page_dates"
FETCHED_AT = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
FALLBACK_SOURCE = "fetched_at"
DAY_TOLERANCE = dt.timedelta(days=1)  # our UTC day against a local day: zones move it by up to a day
# The pipeline's stages up to the time (identity and entities do not touch it).
TIME_STAGES = ARTICLE_STAGES[:[name for name, _ in ARTICLE_STAGES].index("normalize_time") + 1]

# --- Dates in URLs -------------------------------------------------------------------------------------

URL_YEARS = range(1990, 2031)
MONTH_NUMBERS = {name: number for number, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")), start=1) for name in names}
# Each starts a path segment; a date is the whole of its segments (``/2019/11/8/``, ``/2019/nov/18/``,
# ``/20191118/``), except ``/2019-11-19`` which a slug may follow (``/2019-11-19-title``, ``/2019-11-19/``).
URL_DATE_PATTERNS = (
    re.compile(r"/(?P<year>\d{4})/(?P<month>\d{1,2})/(?P<day>\d{1,2})(?=/|$)"),
    re.compile(r"/(?P<year>\d{4})/(?P<month>[A-Za-z]{3,9})/(?P<day>\d{1,2})(?=/|$)"),
    re.compile(r"/(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?!\d)"),
    re.compile(r"/(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})(?=/|$)"),
)


def _date_of(match: re.Match[str]) -> dt.date | None:
    """The date a URL pattern matched, when it is a real day with a year in ``URL_YEARS``."""
    year, month_text, day = int(match["year"]), match["month"], int(match["day"])
    month = int(month_text) if month_text.isdigit() else MONTH_NUMBERS.get(month_text.lower())
    if year not in URL_YEARS or month is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def url_date(url: str | None) -> dt.date | None:
    """The publication day a URL's path carries (the leftmost one), or None: a year or a month alone is no
    day, nor is an id that is not a valid ``YYYYMMDD`` with a year from 1990 to 2030.

    Written apart from the pipeline's ``transforms.page_metadata.date_in_url`` on purpose, and stricter (no
    date ending a slug): a reference must not share the code it checks."""
    try:
        path = urllib.parse.urlsplit(url or "").path
    except ValueError:
        return None
    found = [(match.start(), day) for pattern in URL_DATE_PATTERNS for match in pattern.finditer(path)
             if (day := _date_of(match)) is not None]
    return min(found)[1] if found else None


# --- Our reading and htmldate's -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PageReading:
    """What the pipeline made of one page's time: where it came from, the instant, and its flags."""

    page_id: str
    url: str | None
    time_source: str  # the article's time_source, or "error STAGE:TYPE" when the page gave no article
    published_at: dt.datetime | None
    time_flags: tuple[str, ...] = ()

    @property
    def has_page_time(self) -> bool:
        """Whether the time is the page's own (not the fetch time, not an error)."""
        return self.published_at is not None and self.time_source not in (FALLBACK_SOURCE, "")

    def describe(self) -> str:
        """One line for a miss list: id, URL, our time and where it came from."""
        when = f"{self.published_at:%Y-%m-%d %H:%M} UTC" if self.published_at else "none"
        flags = f" [{', '.join(self.time_flags)}]" if self.time_flags else ""
        return f"{self.page_id} {self.url}: ours {when} from {self.time_source}{flags}"


def _raw_page(path: pathlib.Path, url: str | None) -> RawDocument | dict[str, Any]:
    """The page file read as the pipeline reads it, with the page's URL as its ``uri`` (as a fetched page has)."""
    (raw,) = read_file({"path": str(path), "fetched_at": FETCHED_AT.isoformat()}, MAX_DOCUMENT_BYTES)
    return raw if raw.get("kind") == "error" or not url else {**raw, "uri": url}


def _error_source(record: dict[str, Any]) -> str:
    """The time_source given to a page that ended as an error record."""
    return f"error {record.get('stage')}:{record.get('error_type')}"


def _timed_article(raw: dict[str, Any], settings: TransformSettings) -> dict[str, Any]:
    """The page's article after the pipeline's stages up to the time, or the error record it became."""
    if raw.get("kind") == "error":
        return raw
    records = parse_document(raw)  # type: ignore[arg-type]
    record: dict[str, Any] = next((item for item in records if item.get("kind") == "article"), records[0])
    for stage, function in TIME_STAGES if record.get("kind") == "article" else ():
        try:
            record = function(record, settings)
        except Exception as exc:  # noqa: BLE001 - the pipeline makes an internal_error row of it, so do we
            return {"kind": "error", "stage": stage, "error_type": "internal_error", "message": str(exc)}
        if record.get("kind") != "article":
            break
    return record


def read_page_time(page_id: str, path: pathlib.Path, url: str | None, settings: TransformSettings) -> PageReading:
    """The publication time the pipeline's functions give one page file."""
    record = _timed_article(_raw_page(path, url), settings)
    if record.get("kind") != "article":
        return PageReading(page_id, url, _error_source(record), None)
    return PageReading(page_id, url, record.get("time_source") or "", record.get("published_at"),
                       tuple(record.get("time_flags") or ()))


def htmldate_day(html: str) -> dt.date | None:
    """htmldate's publication day of a page (``original_date=True``), or None when it finds none."""
    import htmldate

    found = htmldate.find_date(html, original_date=True)
    return dt.date.fromisoformat(found) if found else None


# --- Agreement and counts --------------------------------------------------------------------------------


def agreement(reading: PageReading, reference: dt.date) -> str:
    """``agree`` (our UTC day within a day of ``reference``), ``disagree``, or ``fallback`` (no time of ours)."""
    if not reading.has_page_time or reading.published_at is None:
        return "fallback"
    return "agree" if abs(reading.published_at.date() - reference) <= DAY_TOLERANCE else "disagree"


# The time_source that is the reference itself: such a page agrees by construction, so it is counted apart
# (``from_url``, ``from_htmldate``) and not as an agreement.
REFERENCE_SOURCES = {"url": "page.url", "htmldate": "page.text"}


def _compare(readings: list[PageReading], references: dict[str, dt.date | None], name: str) -> dict[str, Any]:
    """Counts of agree / disagree / fallback against one reference (``url`` or ``htmldate``), and the
    disagreements; pages whose time the pipeline took from that same reference are ``from_<name>``."""
    counts: collections.Counter[str] = collections.Counter()
    disagreements: list[str] = []
    for reading in readings:
        reference = references.get(reading.page_id)
        if reference is None:
            continue
        verdict = "from" if reading.time_source == REFERENCE_SOURCES[name] else agreement(reading, reference)
        counts[verdict] += 1
        if verdict == "disagree":
            disagreements.append(f"{reading.describe()}; {name} {reference}")
    compared = sum(counts.values()) - counts["from"]
    return {f"agree_{name}": counts["agree"], f"disagree_{name}": counts["disagree"],
            f"fallback_{name}": counts["fallback"], f"from_{name}": counts["from"],
            f"share_agree_{name}": share(counts["agree"], compared),
            f"disagreements_{name}": disagreements}


def _htmldate_against_url(url_days: dict[str, dt.date | None], htmldate_days: dict[str, dt.date | None]) -> int:
    """Pages whose URL and htmldate both give a day, within a day of each other."""
    return sum(1 for key, day in url_days.items()
               if day is not None and (other := htmldate_days.get(key)) is not None
               and abs(other - day) <= DAY_TOLERANCE)


def summarize(readings: list[PageReading], url_days: dict[str, dt.date | None],
              htmldate_days: dict[str, dt.date | None]) -> dict[str, Any]:
    """Every count of the report from the pages' readings and the two references."""
    with_time = sum(reading.has_page_time for reading in readings)
    url_dated = sum(day is not None for day in url_days.values())
    htmldate_found = sum(day is not None for day in htmldate_days.values())
    sources = collections.Counter(reading.time_source for reading in readings)
    return {
        "pages": len(readings), "time_source": dict(sources.most_common()),
        "page_time": with_time, "share_page_time": share(with_time, len(readings)),
        "url_dated": url_dated, **_compare(readings, url_days, "url"),
        "htmldate_found": htmldate_found, **_compare(readings, htmldate_days, "htmldate"),
        "htmldate_agree_url": _htmldate_against_url(url_days, htmldate_days),
        "without_page_time": [reading.describe() for reading in readings if not reading.has_page_time],
    }


def measure(corpora_dir: pathlib.Path, settings: TransformSettings | None = None) -> dict[str, Any]:
    """Our publication time of every page of the benchmark, against its URL's day and htmldate's."""
    corpus = find_corpus(corpora_dir)
    if corpus is None:
        raise FileNotFoundError(f"no ground-truth.json and html/ under {corpora_dir} or {corpora_dir / 'aeb'}")
    settings = settings or TransformSettings()
    started = time.perf_counter()
    pages, _, urls = load_pages(corpus)
    readings = [read_page_time(key, corpus / "html" / f"{key}.html.gz", urls[key], settings) for key in pages]
    ours_done = time.perf_counter()
    logging.getLogger("htmldate").setLevel(logging.ERROR)
    htmldate_days = {key: htmldate_day(html) for key, html in pages.items()}
    finished = time.perf_counter()
    url_days = {key: url_date(urls[key]) for key in pages}
    return {"corpus": str(corpus), "fetched_at": FETCHED_AT.isoformat(),
            **summarize(readings, url_days, htmldate_days),
            "seconds": round(finished - started, 2), "htmldate_seconds": round(finished - ours_done, 2)}


def format_table(measured: dict[str, Any], *, all_misses: bool = False) -> str:
    """The report as a block in the style of ``quality_timestamps`` (a few misses, or all with ``all_misses``)."""
    return format_blocks({SECTION: measured}, all_misses=all_misses)


def main(argv: list[str] | None = None) -> int:
    """Print the report; the corpora folder may be given as argument, ``--misses`` lists every miss."""
    arguments = parse_arguments(argv, __doc__.strip().splitlines()[0])
    if find_corpus(arguments.corpora) is None:
        print(absent_note(arguments.corpora), file=sys.stderr)
        return 2
    print(format_table(measure(arguments.corpora), all_misses=arguments.misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
