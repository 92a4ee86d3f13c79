"""transforms.page_metadata: what a page says about itself, and where it says it."""

from __future__ import annotations

import pathlib

import pytest

from tests.transforms.page_support import PAGE_URL, ld_block
from transforms.page_metadata import PageMetadata, read_page_metadata

PAGES = pathlib.Path(__file__).parent.parent / "fixtures" / "pages"


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


def test_a_home_page_listing_articles_in_json_ld_does_not_declare_itself_an_article() -> None:
    listing = ('{"@type": "ItemList", "itemListElement": [{"@type": "NewsArticle", "headline": "One", '
               '"datePublished": "2019-11-18"}]}')
    assert not read_page_metadata(ld_block(listing), PAGE_URL).declares_article


@pytest.mark.parametrize(("head", "declares_type"), [
    ('<meta property="og:type" content="article">', True),
    ('<meta property="og:type" content=" Article ">', True),
    (ld_block('{"@type": "LiveBlogPosting", "headline": "Road closed"}'), True),
    (ld_block('{"@graph": [{"@type": "WebSite"}, {"@type": "NewsArticle", "headline": "H"}]}'), True),
    (ld_block('{"@type": "WebPage", "name": "Home", "datePublished": "2016-02-01T09:00:00Z"}'), False),
    (ld_block('{"@type": "CollectionPage", "mainEntity": {"@type": "ItemList", "itemListElement": '
              '[{"@type": "NewsArticle", "headline": "One"}]}}'), False),
    ('<meta property="og:type" content="website">', False),
])
def test_only_og_type_article_or_an_article_json_ld_type_declares_an_article_type(head: str,
                                                                                   declares_type: bool) -> None:
    html = head if head.startswith("<html>") else f"<html><head>{head}</head><body></body></html>"
    assert read_page_metadata(html, PAGE_URL).declares_article_type is declares_type


@pytest.mark.parametrize("head", [
    '<meta property="og:type" content="Article">',
    '<meta property="og:type" content="ARTICLE">',
    '<meta property="og:type" content=" article ">',
    '<meta property="og:type" content="http://ogp.me/ns#article">',
    ld_block('{"@type": "newsarticle", "name": "Cranes"}'),
    ld_block('{"@type": "http://schema.org/NewsArticle", "name": "Cranes"}'),
    ld_block('{"@type": "https://schema.org/NewsArticle", "name": "Cranes"}'),
    ld_block('{"@context": {"schema": "https://schema.org/"}, "@type": "schema:NewsArticle", "name": "Cranes"}'),
    ld_block('{"@type": " NewsArticle ", "name": "Cranes"}'),
], ids=["og_capitalised", "og_upper_case", "og_padded", "og_iri", "ld_lower_case", "ld_http_iri", "ld_https_iri",
        "ld_compact_iri", "ld_padded"])
def test_an_article_type_in_any_case_or_with_its_vocabulary_declares_an_article(head: str) -> None:
    html = head if head.startswith("<html>") else f"<html><head>{head}</head><body></body></html>"
    metadata = read_page_metadata(html, PAGE_URL)
    assert (metadata.declares_article, metadata.declares_article_type) == (True, True)
