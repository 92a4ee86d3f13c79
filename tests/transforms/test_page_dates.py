"""transforms.page_dates: where a page gives its publication time, in order of trust."""

from __future__ import annotations

import pytest

from tests.transforms.page_support import PAGE_URL, ld_block
from transforms.page_dates import date_in_url
from transforms.page_metadata import read_page_metadata


def test_microdata_marked_times_and_the_url_date_come_in_order_of_trust() -> None:
    html = ('<html><body><nav><time datetime="2026-12-06">today</time></nav>'
            '<span itemprop="datePublished">Nov. 18, 2019, 4:06 p.m.</span>'
            '<time class="entry-date published" datetime="2019-11-18T16:06:00-05:00">Nov 18</time>'
            '<span itemprop="datePublished">' + "a sentence much too long to be a date " * 3 + '</span>'
            '</body></html>')
    metadata = read_page_metadata(html, "https://news.example/2019/11/18/story")

    assert metadata.published == (("page.microdata", "Nov. 18, 2019, 4:06 p.m."),
                                  ("page.time", "2019-11-18T16:06:00-05:00"), ("page.url", "2019-11-18"),
                                  ("page.time", "2026-12-06"))
    assert not metadata.declares_article


def test_texts_marked_as_the_publication_time_come_after_the_url_date() -> None:
    html = ('<html><body><div class="metabar publish-date">Published 7:07 PM EST Nov 19, 2019</div>'
            '<span class="posted-by">Posted by Ann Vale</span>'  # no digit: no date
            '<span class="published-and-updated">Updated 9:40 PM EST Nov 19, 2019</span>'  # an update time
            '<div id="publish-box">' + "a long paragraph that is no date in 2019 " * 3 + '</div>'
            '<p class="posted-on">Nov 19, 2019</p><p class="entry-date">Nov 21, 2019</p></body></html>')
    metadata = read_page_metadata(html, "https://news.example/story/news/2019/11/19/prison-guards/")

    assert metadata.published == (("page.url", "2019-11-19"),
                                  ("page.marked_text", "Published 7:07 PM EST Nov 19, 2019"),
                                  ("page.marked_text", "Nov 19, 2019"))


@pytest.mark.parametrize(("url", "date"), [
    ("https://www.nytimes.example/2019/11/18/business/trade.html", "2019-11-18"),
    ("https://www.politifact.example/article/2019/nov/18/claims/", "2019-11-18"),
    ("https://news.example/2019/1/5/slug", "2019-01-05"),
    ("https://news.example/world/2019-11-18-slug", "2019-11-18"),
    ("https://news.example/20191118/slug", "2019-11-18"),
    ("https://news.example/2019/11/18", "2019-11-18"),
    ("https://www.quanta.example/tuft-cells-that-taste-danger-20191115/", "2019-11-15"),
    ("https://news.example/story-title-20191115.html", "2019-11-15"),
    ("https://news.example/story-12345678/", None),
    ("https://news.example/story-201911151/", None),
    ("https://news.example/2019/", None),
    ("https://news.example/2019/11/", None),
    ("https://news.example/12345678/", None),
    ("https://news.example/story/2019111812/", None),
    ("https://news.example/2019/02/30/slug", None),
    ("https://news.example/2019/13/01/slug", None),
    ("https://news.example/?date=2019/11/18", None),
    ("https://news.example/1890/11/18/slug", None),
    ("http://[::1", None),
    (None, None),
])
def test_date_in_url_reads_a_date_segment_and_nothing_else(url: str | None, date: str | None) -> None:
    assert date_in_url(url) == date


def test_an_article_date_comes_first_then_any_object_a_block_is_about() -> None:
    graph = ('{"@graph": [{"@type": "WebPage", "datePublished": "2019-11-17"}, {"@type": "Organization", '
             '"foundingDate": "1990-01-01"}, {"@type": "NewsArticle", "headline": "H", "datePublished": "2019-11-18"}]}'
             )
    claim_review = '{"@type": "ClaimReview", "datePublished": "2019-11-18T10:15:00+00:00", "claimReviewed": "x"}'

    assert read_page_metadata(ld_block(graph), PAGE_URL).published == (
        ("page.json_ld", "2019-11-18"), ("page.json_ld", "2019-11-17"))
    assert read_page_metadata(ld_block(claim_review), PAGE_URL).published == (
        ("page.json_ld", "2019-11-18T10:15:00+00:00"),)


def test_a_page_that_declares_no_date_gets_the_one_its_text_gives() -> None:
    byline = ('<html><head><title>Harbour reopens</title></head><body><h1>Harbour reopens</h1>'
              '<p class="byline">By Aynur Aliyeva, 18 November 2019</p><p>The harbour reopened on Monday.</p>'
              '</body></html>')
    declared = byline.replace("<head>", '<head><meta property="article:published_time" content="2019-11-17">')

    assert read_page_metadata(byline, PAGE_URL).text_date == "2019-11-18"
    assert read_page_metadata(declared, PAGE_URL).text_date is None  # not looked for: the page declares one


@pytest.mark.parametrize("text", ["Copyright © 2019 Example Inc.", "In November 2019 the council met."])
def test_a_bare_year_in_the_text_is_no_date(text: str) -> None:
    page = f"<html><body><h1>Harbour reopens</h1><p>The harbour reopened.</p><footer>{text}</footer></body></html>"
    assert read_page_metadata(page, PAGE_URL).text_date is None  # htmldate's extensive search said 2019-01-01


def test_the_text_of_a_page_with_too_many_elements_is_not_searched() -> None:
    crowded = '<html><body><p class="byline">18 November 2019</p>' + "<span>x</span>" * 20_001 + "</body></html>"
    assert read_page_metadata(crowded, PAGE_URL).text_date is None
    assert read_page_metadata(crowded.replace("<span>x</span>" * 20_001, ""), PAGE_URL).text_date == "2019-11-18"


def test_json_ld_dates_given_as_lists_are_read() -> None:
    block = '{"@type": "NewsArticle", "datePublished": ["2019-11-18T10:15:00Z"], "dateModified": [null, "2019-11-19"]}'
    metadata = read_page_metadata(ld_block(block), PAGE_URL)
    assert (metadata.published, metadata.updated) == ((("page.json_ld", "2019-11-18T10:15:00Z"),), "2019-11-19")
