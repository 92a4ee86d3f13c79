"""transforms.page_metadata: what a page says about itself, and where it says it."""

from __future__ import annotations

import pathlib

import lxml.html
import pytest

from transforms.page_metadata import (PageMetadata, date_in_url, meta_values, page_titles, read_page_metadata,
                                      same_site, without_site_name)

PAGES = pathlib.Path(__file__).parent.parent / "fixtures" / "pages"
PAGE_URL = "https://www.courier.example/b/cranes"


def metadata_of(fixture: str, page_url: str = PAGE_URL) -> PageMetadata:
    return read_page_metadata((PAGES / f"{fixture}.html").read_text(), page_url)


def test_json_ld_meta_and_link_tags_are_read_with_their_source() -> None:
    metadata = metadata_of("article_full")

    assert (metadata.canonical_url, metadata.canonical_source) == (
        "https://www.courier.example/business/port-of-baku-cranes", "page.rel_canonical")
    assert metadata.published[0] == ("page.json_ld", "2023-09-21T08:15:00+04:00")
    assert (metadata.authors, metadata.authors_source) == (("Leyla Mammadova",), "page.json_ld")
    assert (metadata.language, metadata.language_source) == ("en", "page.html_lang")
    assert (metadata.lead_image, metadata.lead_image_source) == (
        "https://www.courier.example/images/cranes-lead.jpg", "page.og_image")
    assert not metadata.paywalled


def test_is_accessible_for_free_false_marks_a_paywall() -> None:
    assert metadata_of("article_paywalled").paywalled


def test_canonical_on_another_site_is_dropped() -> None:
    assert metadata_of("canonical_elsewhere").canonical_url is None


def test_og_url_is_the_fallback_canonical_and_meta_and_time_elements_give_times() -> None:
    html = ('<html><head><meta property="og:url" content="https://news.courier.example/x">'
            '<meta property="article:published_time" content="2023-09-21T10:00:00Z">'
            '<meta name="author" content="By Aynur Aliyeva"></head>'
            '<body><time itemprop="datePublished" datetime="2023-09-21">21 Sep</time></body></html>')
    metadata = read_page_metadata(html, PAGE_URL)

    assert (metadata.canonical_url, metadata.canonical_source) == ("https://news.courier.example/x", "page.og_url")
    assert metadata.published == (("page.meta", "2023-09-21T10:00:00Z"), ("page.time", "2023-09-21"))
    assert (metadata.authors, metadata.authors_source) == (("Aynur Aliyeva",), "page.meta")


def test_non_http_canonical_and_image_urls_are_ignored() -> None:
    html = ('<html><head><link rel="canonical" href="javascript:alert(1)">'
            '<meta property="og:image" content="data:image/png;base64,AAAA"></head><body></body></html>')
    metadata = read_page_metadata(html, PAGE_URL)

    assert metadata.canonical_url is None and metadata.lead_image is None


def test_unreadable_or_empty_pages_give_empty_metadata() -> None:
    assert read_page_metadata("", PAGE_URL) == PageMetadata()
    assert read_page_metadata("\x00\x01", PAGE_URL).canonical_url is None
    broken = '<html><head><script type="application/ld+json">{"@type": "NewsArticle",</script></head></html>'
    assert read_page_metadata(broken, PAGE_URL).published == ()


def test_same_site_means_same_registrable_domain() -> None:
    assert same_site("https://www.example.co.uk/a", "http://news.example.co.uk/b")
    assert not same_site("https://a.github.io/x", "https://b.github.io/x")
    assert not same_site("https://example.com/", "https://example.org/")
    assert same_site("http://127.0.0.1:8000/a", "http://127.0.0.1:9000/b")
    assert not same_site("http://127.0.0.1/a", "http://127.0.0.2/a")


NEWS_PAGE = (pathlib.Path(__file__).parent.parent / "fixtures" / "html" / "regional_news_page.html").read_text()
NEWS_PAGE_URL = "https://courier.example/news/millbrook-footbridge"


def test_title_authors_language_and_times_come_from_json_ld_first() -> None:
    metadata = read_page_metadata(NEWS_PAGE, NEWS_PAGE_URL)

    assert metadata.title == "Millbrook footbridge reopens after flood repairs"
    assert (metadata.authors, metadata.authors_source) == (("Priya Hallam", "Tomas Reyes"), "page.json_ld")
    assert (metadata.language, metadata.language_source) == ("en", "page.html_lang")
    assert metadata.published == (("page.json_ld", "2024-03-12T09:30:00Z"),
                                  ("page.meta", "2024-03-12T09:30:00+00:00"), ("page.time", "2024-03-12T09:30:00Z"))
    assert metadata.updated == "2024-03-12T14:05:00Z"
    assert metadata.declares_article


def test_authors_are_one_name_per_person_without_urls() -> None:
    json_ld = ('{"@type": "NewsArticle", "author": [{"name": "Analysis by Teodor Blum, Harbor Post Editor-at-large"},'
               ' {"name": "Ines Varga and Bram Tolle"}, {"url": "https://courier.example/a/mira"},'
               ' "https://courier.example/a/teo"]}')
    html = f'<html><head><script type="application/ld+json">{json_ld}</script></head><body></body></html>'
    metadata = read_page_metadata(html, PAGE_URL)

    assert (metadata.authors, metadata.authors_source) == (("Teodor Blum", "Ines Varga", "Bram Tolle"), "page.json_ld")


def test_authors_only_as_urls_fall_back_to_the_meta_tags() -> None:
    html = ('<html><head><script type="application/ld+json">{"@type": "NewsArticle", "author": '
            '"https://courier.example/a/mira"}</script><meta name="author" content="MIRA OSTROVA"></head></html>')
    assert read_page_metadata(html, PAGE_URL).authors == ("Mira Ostrova",)


def test_without_json_ld_meta_tags_then_the_time_element_give_the_metadata() -> None:
    without_json_ld = NEWS_PAGE.replace('type="application/ld+json"', 'type="text/plain"')
    stripped = without_json_ld.replace("article:published_time", "x")

    assert read_page_metadata(without_json_ld, NEWS_PAGE_URL).published[0] == (
        "page.meta", "2024-03-12T09:30:00+00:00")
    assert read_page_metadata(without_json_ld, NEWS_PAGE_URL).authors == ("Priya Hallam",)
    assert read_page_metadata(stripped, NEWS_PAGE_URL).published == (("page.time", "2024-03-12T09:30:00Z"),)


def ld_block(text: str) -> str:
    return f'<html><head><script type="application/ld+json">{text}</script></head><body></body></html>'


@pytest.mark.parametrize("block", [
    '{"@type": "NewsArticle", "headline": "H", "keywords": ["a", "b", ], "datePublished": "2019-11-18T16:06:51-05:00"}',
    '{"@type": "NewsArticle", // "Person",\n "headline": "H", "datePublished": "2019-11-18T16:06:51-05:00"}',
    "{'@type': 'NewsArticle', 'headline': 'H', 'datePublished': '2019-11-18T16:06:51-05:00'}",
    '{"@type": "NewsArticle", "headline": "line one\nline two", "datePublished": "2019-11-18T16:06:51-05:00"}',
    '<!-- {"@type": "NewsArticle", "headline": "H", "datePublished": "2019-11-18T16:06:51-05:00"} -->',
    '{"@type": "NewsArticle", "headline": "H", "datePublished": "2019-11-18T16:06:51-05:00"}}',
], ids=["trailing_comma", "js_comment", "single_quotes", "raw_newline_in_string", "html_comment", "stray_brace"])
def test_json_ld_as_pages_write_it_is_read(block: str) -> None:
    metadata = read_page_metadata(ld_block(block), PAGE_URL)

    assert metadata.published == (("page.json_ld", "2019-11-18T16:06:51-05:00"),)
    assert metadata.declares_article


@pytest.mark.parametrize("block", ["{not json at all", "[" * 100_000 + "]" * 100_000, '"just a string"', "", "12"])
def test_unreadable_json_ld_is_skipped_without_raising(block: str) -> None:
    assert read_page_metadata(ld_block(block), PAGE_URL).published == ()


def test_meta_tags_are_found_under_every_name_itemprop_gives() -> None:
    html = ('<html><head><meta property="article:published" itemprop="datePublished dateCreated" '
            'content="2019-11-18T17:56:27.000Z"><meta property="article:modified" itemprop="dateModified" '
            'content="2019-11-19T00:37:03.000Z"></head><body></body></html>')
    metadata = read_page_metadata(html, PAGE_URL)

    assert metadata.published[0] == ("page.meta", "2019-11-18T17:56:27.000Z")
    assert metadata.updated == "2019-11-19T00:37:03.000Z"


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


def test_a_home_page_listing_articles_in_json_ld_does_not_declare_itself_an_article() -> None:
    listing = ('{"@type": "ItemList", "itemListElement": [{"@type": "NewsArticle", "headline": "One", '
               '"datePublished": "2019-11-18"}]}')
    assert not read_page_metadata(ld_block(listing), PAGE_URL).declares_article


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
