"""The page-date measure: the strict URL date parser, and the counts on three self-written pages."""

from __future__ import annotations

import datetime as dt
import pathlib

import pytest

from benchmarks.quality_page_dates import (
    FALLBACK_SOURCE, PageReading, agreement, main, measure, read_page_time, url_date,
)
from tests.benchmarks.aeb_pages import PAGES
from transforms.settings import TransformSettings


@pytest.mark.parametrize(
    ("url", "day"),
    [
        ("https://a.example/2019/11/18/slug/", dt.date(2019, 11, 18)),
        ("https://a.example/science/2019/11/8/20948348/slug", dt.date(2019, 11, 8)),
        ("https://a.example/2019/11/18", dt.date(2019, 11, 18)),
        ("https://a.example/commentisfree/2019/nov/18/slug", dt.date(2019, 11, 18)),
        ("https://a.example/2019/Sept/3/slug", dt.date(2019, 9, 3)),
        ("https://a.example/2019/december/24/slug", dt.date(2019, 12, 24)),
        ("https://a.example/story/2019-11-19/slug", dt.date(2019, 11, 19)),
        ("https://a.example/story/2019-11-19-slug", dt.date(2019, 11, 19)),
        ("https://a.example/archive/20191118/slug", dt.date(2019, 11, 18)),
        ("https://a.example/archive/19900101", dt.date(1990, 1, 1)),
        ("https://a.example/2019/11/18/update/2019-11-20/", dt.date(2019, 11, 18)),  # the leftmost
    ],
)
def test_a_url_carrying_a_day_gives_it(url: str, day: dt.date) -> None:
    assert url_date(url) == day


@pytest.mark.parametrize(
    "url",
    [
        "https://a.example/2019/slug/",  # a year alone
        "https://a.example/2019/11/slug/",  # a month alone
        "https://a.example/dealbook/2019/11/opening-bell-11-18-19",
        "https://a.example/news/12345678/slug",  # an id: no year 1234
        "https://a.example/news/20191318/slug",  # month 13
        "https://a.example/news/19891118/slug",  # before 1990
        "https://a.example/news/20311118/slug",  # after 2030
        "https://a.example/news/201911181077343476-slug/",  # an id that starts with a date is an id
        "https://a.example/news/slug-20191115/",  # YYYYMMDD is a whole segment
        "https://a.example/news/slug-2019-11-19/",  # YYYY-MM-DD starts a segment
        "https://a.example/2019/02/30/slug/",  # no such day
        "https://a.example/2019/foo/18/slug/",  # not a month name
        "https://a.example/articles/19/11/18/slug",  # a two-digit year
        "https://a.example/2019/10/100-best-albums/",  # a day is a whole segment: not the 10 of 100
        "https://a.example/2019/jan/2019-in-review/",  # nor the 20 of 2019
        "https://a.example/releases/2019-10-101/",  # YYYY-MM-DD ends with the day's two digits
        "https://a.example/search?next=/2019/11/18/slug#/2019/11/18",  # the query and fragment are not the path
        None,
        "",
    ],
)
def test_a_url_without_a_full_plausible_day_gives_none(url: str | None) -> None:
    assert url_date(url) is None


def test_the_measure_counts_page_times_and_agreement(aeb_corpora: pathlib.Path) -> None:
    measured = measure(aeb_corpora)
    assert measured["pages"] == 4
    assert measured["time_source"] == {"page.json_ld": 1, "page.meta": 1, "page.url": 1, FALLBACK_SOURCE: 1}
    assert (measured["page_time"], measured["url_dated"]) == (3, 3)
    assert (measured["agree_url"], measured["disagree_url"], measured["fallback_url"]) == (1, 1, 0)
    assert (measured["from_url"], measured["share_agree_url"]) == (1, 0.5)  # dated by its URL: no agreement
    assert [line.split()[0] for line in measured["without_page_time"]] == ["undated"]
    assert [line.split()[0] for line in measured["disagreements_url"]] == ["meta-dated"]
    assert "2019-11-25 08:00 UTC" in measured["disagreements_url"][0]  # our time, with the URL's day
    assert measured["disagreements_url"][0].endswith("url 2019-11-18")


def test_a_json_ld_date_with_its_zone_is_the_page_time(aeb_corpora: pathlib.Path) -> None:
    path = aeb_corpora / "aeb" / "html" / "json-ld-dated.html.gz"
    reading = read_page_time("json-ld-dated", path, PAGES["json-ld-dated"][0], TransformSettings())
    assert reading.has_page_time
    assert reading.published_at == dt.datetime(2019, 11, 18, 21, 6, 51, tzinfo=dt.timezone.utc)


def test_misses_lists_every_page_without_a_time(aeb_corpora: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--misses", str(aeb_corpora)]) == 0
    printed = capsys.readouterr().out
    assert "without_page_time (1 of 1):" in printed and "disagreements_url (1 of 1):" in printed
    assert "undated https://news.example/river-festival-recap/: ours 2026-01-01 00:00 UTC" in printed


def test_without_the_corpus_it_says_where_to_get_it(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path)]) == 2
    assert "article-extraction-benchmark" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("published_at", "source", "verdict"),
    [
        (dt.datetime(2019, 11, 19, 3, 0, tzinfo=dt.timezone.utc), "page.json_ld", "agree"),  # a zone away
        (dt.datetime(2019, 11, 17, 0, 0, tzinfo=dt.timezone.utc), "page.meta", "agree"),
        (dt.datetime(2019, 11, 20, 5, 0, tzinfo=dt.timezone.utc), "page.time", "disagree"),
        (dt.datetime(2019, 11, 18, 0, 0, tzinfo=dt.timezone.utc), FALLBACK_SOURCE, "fallback"),
        (None, "error parse:not_an_article", "fallback"),
    ],
)
def test_our_day_agrees_within_a_day(published_at: dt.datetime | None, source: str, verdict: str) -> None:
    reading = PageReading("page", "https://a.example/2019/11/18/slug", source, published_at)
    assert agreement(reading, dt.date(2019, 11, 18)) == verdict
