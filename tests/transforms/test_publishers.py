"""transforms.publishers: the publication an item's <source> or a page's metadata names."""

from __future__ import annotations

import json

import pytest

from tests.transforms.page_support import PAGE_URL, ld_block
from transforms.page_metadata import read_page_metadata
from transforms.publishers import feed_item_publisher, publisher_name, title_without_publisher


@pytest.mark.parametrize(("value", "expected"), [
    ("  Example\n Times ", "Example Times"),
    ("Le Courrier de l'Ouest", "Le Courrier de l'Ouest"),
    ("AT&T News", "AT&T News"),
    ("Jane &amp; &lt;b&gt;Co&lt;/b&gt;", "Jane & Co"),  # an Atom source's HTML title, as feedparser gives it
    ("Smith &amp; Sons <br/>", "Smith & Sons"),
    ("", None), ("   ", None), (None, None), (42, None), (["Example Times"], None),
    ("https://www.example-times.com/", None),  # a URL is no name
    ("x" * 201, None),  # a paragraph pasted in the field
    ("<" * 5_000_000, None),  # hostile: tag stripping never sees it
])
def test_publisher_name_keeps_names_and_refuses_the_rest(value: object, expected: str | None) -> None:
    assert publisher_name(value) == expected


def test_rss_source_gives_name_and_url() -> None:
    entry = {"source": {"href": "https://www.example-times.com", "title": "Example Times"}}
    assert feed_item_publisher(entry, None) == ("Example Times", "https://www.example-times.com")


def test_atom_source_gives_the_original_feed_title_and_site_link() -> None:
    entry = {"source": {"id": "urn:blog", "title": "Jane's Notes", "link": "/notes/",
                        "links": [{"rel": "alternate", "href": "/notes/"}]}}
    assert feed_item_publisher(entry, "https://planet.example/atom.xml") == (
        "Jane's Notes", "https://planet.example/notes/")


@pytest.mark.parametrize("entry", [{}, {"source": "Example Times"}, {"source": {"href": "javascript:alert(1)"}}])
def test_items_without_a_usable_source_name_none(entry: dict) -> None:
    assert feed_item_publisher(entry, None) == (None, None)


@pytest.mark.parametrize(("title", "publisher", "expected"), [
    ("Harbour workers end strike - Example Times", "Example Times", "Harbour workers end strike"),
    ("Rain all week – Daily Sample", "Daily Sample", "Rain all week"),
    ("Rain all week | Daily Sample", "Daily Sample", "Rain all week"),
    ("Example Times", "Example Times", "Example Times"),  # nothing would be left
    ("Strike ends - Times of the Port", "Example Times", "Strike ends - Times of the Port"),  # another name
    ("Daily Sample - Rain all week", "Daily Sample", "Daily Sample - Rain all week"),  # a prefix stays
    ("Strike ends", None, "Strike ends"),
    (None, "Example Times", None),
])
def test_only_the_named_publishers_suffix_is_dropped(title: str | None, publisher: str | None,
                                                      expected: str | None) -> None:
    assert title_without_publisher(title, publisher) == expected


def article_ld(**fields: object) -> str:
    return json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Cranes", **fields})


def test_a_pages_json_ld_publisher_comes_first_with_its_url() -> None:
    page = ld_block(article_ld(publisher={"@type": "Organization", "name": "Caspian Courier", "url": "/"}))
    page = page.replace("<head>", '<head><meta property="og:site_name" content="Courier Online">')
    metadata = read_page_metadata(page, PAGE_URL)
    assert (metadata.publisher, metadata.publisher_url, metadata.publisher_source) == (
        "Caspian Courier", "https://www.courier.example/", "page.json_ld")


def test_og_site_name_then_the_websites_name() -> None:
    with_meta = '<html><head><meta property="og:site_name" content="Courier Online"></head><body></body></html>'
    assert read_page_metadata(with_meta, PAGE_URL).publisher == "Courier Online"
    website = ld_block(json.dumps({"@type": "WebSite", "name": "The Courier", "url": "https://www.courier.example/"}))
    metadata = read_page_metadata(website, PAGE_URL)
    assert (metadata.publisher, metadata.publisher_url, metadata.publisher_source) == (
        "The Courier", "https://www.courier.example/", "page.json_ld")


@pytest.mark.parametrize("declared", ["website", "https://schema.org/WebSite", "schema:WebSite", ["Thing", "WebSite"]])
def test_the_websites_name_is_read_whatever_form_its_type_takes(declared: object) -> None:
    website = ld_block(json.dumps({"@type": declared, "name": "The Courier", "url": "https://www.courier.example/"}))
    assert read_page_metadata(website, PAGE_URL).publisher == "The Courier"


def test_a_publisher_given_as_a_string_or_a_list_is_read_and_junk_is_skipped() -> None:
    as_string = ld_block(article_ld(publisher="Caspian Courier"))
    assert read_page_metadata(as_string, PAGE_URL).publisher == "Caspian Courier"
    junk_first = ld_block(article_ld(publisher=[{"name": 7}, {"name": "Caspian Courier", "url": {"x": 1}}]))
    metadata = read_page_metadata(junk_first, PAGE_URL)
    assert (metadata.publisher, metadata.publisher_url) == ("Caspian Courier", None)


def test_a_page_that_names_no_publisher_has_none() -> None:
    metadata = read_page_metadata("<html><head><title>Cranes</title></head><body><p>x</p></body></html>", PAGE_URL)
    assert (metadata.publisher, metadata.publisher_url, metadata.publisher_source) == (None, None, None)
