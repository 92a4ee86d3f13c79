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


STORY_URL = "https://news.example/story/2019/11/19/ferry/"


@pytest.mark.parametrize("element", [
    '<article class="post-12 post type-post status-publish hentry"><h2>Ferry fares rise in 2020</h2></article>',
    '<div class="adma google-publisher">Ad 300x250 2019</div>', '<div id="publisherDetails">Courier 2019</div>',
    '<div class="publisher-info">&copy; 2019 Kittle Courier</div>', '<span class="unpublished">Draft 2019</span>',
    '<span class="reposted-by">Reposted 2019</span>', '<a class="posted-comments-count">14 comments, 2019</a>',
], ids=["wordpress-card", "ad-slot", "logo", "publisher", "unpublished", "reposted", "comment-count"])
def test_class_names_that_only_contain_publish_or_posted_mark_no_time(element: str) -> None:
    metadata = read_page_metadata(f"<html><body>{element}</body></html>", STORY_URL)
    assert metadata.published == (("page.url", "2019-11-19"),)


@pytest.mark.parametrize(("element", "text"), [
    ('<span class="post-date">Nov 19, 2019</span>', "Nov 19, 2019"),
    ('<div class="ArticlePage-datePublished">Nov 19, 2019 6:46 PM</div>', "Nov 19, 2019 6:46 PM"),
    ('<p id="pubDate">19.11.2019, 19:07 Uhr</p>', "19.11.2019, 19:07 Uhr"),
    ('<div class="col publishing-details">November 18, 2019</div>', "November 18, 2019"),
    ('<span class="dateline__published">Today 12:01 AM</span>', "Today 12:01 AM"),
], ids=["post-date", "camel-case", "id", "publishing-details", "clock-only"])
def test_class_names_whose_words_say_publication_time_mark_it(element: str, text: str) -> None:
    metadata = read_page_metadata(f"<html><body>{element}</body></html>", STORY_URL)
    assert metadata.published == (("page.url", "2019-11-19"), ("page.marked_text", text))


def test_a_marked_text_without_a_year_or_a_clock_is_no_time() -> None:
    html = ('<html><body><span class="posted-on">Posted 3 hours ago</span><div class="post-date">13 Aug</div>'
            '<span class="post-date">Nov 19, 2019</span></body></html>')
    assert read_page_metadata(html, STORY_URL).published == (("page.url", "2019-11-19"),
                                                             ("page.marked_text", "Nov 19, 2019"))


def test_the_times_of_teasers_and_comments_are_not_the_page_s() -> None:
    # a sidebar of the day's other stories before the story, a list of related ones and a comment after it
    html = ('<html><body><aside><span class="post-date">Nov 19, 2019 8:02 AM</span></aside>'
            '<div class="widget PopularPosts"><span class="post-date published">November 16, 2016</span></div>'
            '<a href="/b"><span class="post-date">Nov 19, 2019 9:15 AM</span></a>'
            '<h1>Ferry</h1><p class="post-date">Nov 19, 2019 6:46 PM</p>'
            '<ul class="related-stories"><li><span class="publish-date">Nov 19, 2019 7:00 PM</span></li></ul>'
            '<div id="comments"><span class="posted-on">Nov 19, 2019 9:00 PM</span></div></body></html>')
    assert read_page_metadata(html, STORY_URL).published == (("page.url", "2019-11-19"),
                                                             ("page.marked_text", "Nov 19, 2019 6:46 PM"))


def test_a_marked_element_wrapping_more_than_a_date_is_not_read_whole() -> None:
    html = ('<html><body><div class="post-date">' + "<p>Nov 19, 2019 and more words</p>" * 100_000
            + '</div><span class="posted-on">Nov 19, 2019 6:46 PM</span></body></html>')
    assert read_page_metadata(html, STORY_URL).published[1:] == (("page.marked_text", "Nov 19, 2019 6:46 PM"),)


def test_a_page_dated_by_a_marked_text_alone_still_has_the_date_of_its_text() -> None:
    # the marked text may not read as a date: htmldate's reading of the page stays the last resort
    html = ('<html><body><h1>Ferry</h1><p class="byline">By Ann Vale, 19 November 2019</p>'
            '<span class="posted-on">Nov 19, 2019 6:46 PM</span></body></html>')
    metadata = read_page_metadata(html, "https://news.example/story/ferry/")

    assert metadata.published == (("page.marked_text", "Nov 19, 2019 6:46 PM"),)
    assert metadata.text_date == "2019-11-19"


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


def test_a_page_whose_body_is_named_for_comments_keeps_its_marked_time() -> None:
    html = ('<html><body class="single comments-open has-related">'
            '<p class="post-date">Nov 19, 2019 6:46 PM</p></body></html>')
    assert read_page_metadata(html, STORY_URL).published[1:] == (("page.marked_text", "Nov 19, 2019 6:46 PM"),)
