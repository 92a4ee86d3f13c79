"""transforms.page_titles: a page's title without the site's name, and its other titles."""

from __future__ import annotations

import lxml.html
import pytest

from tests.transforms.page_support import PAGE_URL, ld_block
from transforms.page_markup import meta_values
from transforms.page_metadata import read_page_metadata
from transforms.page_titles import page_titles, without_site_name


def titled_page(head: str, body: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}<p>The harbour reopened on Monday.</p></body></html>"


@pytest.mark.parametrize("separator", [" | ", " - ", " – ", " — ", " :: ", " · ", "|"])
def test_a_title_loses_the_site_name_it_ends_with(separator: str) -> None:
    head = (f'<meta property="og:title" content="Harbour reopens after storm{separator}Valley Courier">'
            '<meta property="og:site_name" content="Valley Courier">')
    assert read_page_metadata(titled_page(head), PAGE_URL).title == "Harbour reopens after storm"


def test_the_site_name_is_matched_without_spaces_case_or_punctuation() -> None:
    headline = ld_block('{"@type": "NewsArticle", "headline": "Ferry timetable changes | TheValleyCourier", '
                        '"publisher": {"@type": "Organization", "name": "The Valley Courier"}}')
    handle = titled_page('<meta name="twitter:title" content="Ferry timetable changes - VALLEY COURIER">'
                         '<meta name="twitter:site" content="@valleycourier">')

    assert read_page_metadata(headline, PAGE_URL).title == "Ferry timetable changes"
    assert read_page_metadata(handle, PAGE_URL).title == "Ferry timetable changes"


@pytest.mark.parametrize("suffix", ["Courier", "courier.example", "Courier.example"])
def test_a_page_naming_no_site_loses_its_hosts_name(suffix: str) -> None:
    page = titled_page(f"<title>Ferry timetable changes - {suffix}</title>")
    assert read_page_metadata(page, "https://www.courier.example/b/ferry").title == "Ferry timetable changes"
    assert read_page_metadata(page, None).title == f"Ferry timetable changes - {suffix}"  # no host known


def test_a_site_name_holding_a_separator_is_cut_whole() -> None:
    head = ('<title>Race calendar | Courier | Motorsport</title>'
            '<meta property="og:site_name" content="Courier | Motorsport">')
    assert read_page_metadata(titled_page(head), PAGE_URL).title == "Race calendar"


def test_a_tail_the_pages_other_titles_leave_out_is_cut() -> None:
    section = titled_page('<meta property="og:title" content="The view on the harbour: a town adrift | Editorial">',
                          "<h1>The view on the harbour: a town adrift</h1>")
    company = titled_page("<title>About bugs – Cannon Harbour Games</title>", "<h1>About bugs</h1>")

    assert read_page_metadata(section, PAGE_URL).title == "The view on the harbour: a town adrift"
    assert read_page_metadata(company, "https://cannonharbour.example/about-bugs/").title == "About bugs"


def test_a_site_name_a_chinese_or_japanese_headline_leaves_out_is_cut_by_its_words() -> None:
    # written without spaces, each side was one "word", and the tail was never the shorter
    chinese = titled_page("<title>老城区供水管网改造工程今年年底前完工 - 晨江新闻网</title>",
                          "<h1>老城区供水管网改造工程今年年底前完工</h1>")
    japanese = titled_page("<title>市営バス、来月から深夜便を増便 | みなと新報</title>", "<h1>市営バス、来月から深夜便を増便</h1>")
    review = titled_page("<title>蜘蛛侠 - 一部关于成长与责任的超级英雄电影</title>", "<h1>蜘蛛侠</h1>")

    assert read_page_metadata(chinese, None).title == "老城区供水管网改造工程今年年底前完工"
    assert read_page_metadata(japanese, None).title == "市営バス、来月から深夜便を増便"
    assert read_page_metadata(review, None).title == "蜘蛛侠 - 一部关于成长与责任的超级英雄电影"  # the longer tail stays


@pytest.mark.parametrize(("title", "heading", "page_url"), [
    ("Spider-Man - the review", "", PAGE_URL),
    ("Spider-Man - the review", "<h1>Spider-Man</h1>", PAGE_URL),  # a tail longer than what is left stays
    ("Apple - Is it worth the upgrade?", "<h1>Apple</h1>", PAGE_URL),
    ("Milan design week | Anastassiades' light installation", "", PAGE_URL),
    ("Take care - comwrap at the trade fair", "", "https://blog.comwrap.example/fair"),  # names the site, is not it
    ("Bubonic plague: a third case – 'The plague is coming'", "", PAGE_URL),
    ("Courier - the first hundred years", "", PAGE_URL),  # the site's name leads: not a tail
])
def test_a_title_with_a_dash_but_no_site_name_is_kept_whole(title: str, heading: str, page_url: str) -> None:
    head = f'<meta property="og:title" content="{title}"><meta property="og:site_name" content="Courier">'
    assert read_page_metadata(titled_page(head, heading), page_url).title == title


def test_page_titles_give_the_title_first_then_every_other_one() -> None:
    page = ('<html><head><title>Harbour reopens | Courier</title><meta property="og:title" content="Harbour reopens">'
            '</head><body><h1>Harbour  reopens\n</h1><h1>Most read</h1></body></html>')
    tree = lxml.html.document_fromstring(page)

    assert page_titles(tree, meta_values(tree), PAGE_URL) == ["Harbour reopens", "Harbour reopens | Courier",
                                                              "Most read"]
    assert page_titles(lxml.html.document_fromstring("<p>no title</p>"), {}, PAGE_URL) == []


def test_only_the_end_of_a_long_title_is_searched_for_the_site_name() -> None:
    separators = "a | " * 250_000  # searched whole, a million characters of separators would take hours
    assert without_site_name(separators + "Courier", [separators], {"courier"}) == separators.removesuffix(" | ")
    long_site = " ".join(["Courier"] * 20)  # 159 characters: no site's name is that long
    assert without_site_name(f"Harbour reopens | {long_site}", [], {"courier" * 20}) == f"Harbour reopens | {long_site}"
