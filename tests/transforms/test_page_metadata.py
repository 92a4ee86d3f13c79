"""transforms.page_metadata: what a page says about itself, and where it says it."""

from __future__ import annotations

import pathlib

from transforms.page_metadata import PageMetadata, read_page_metadata, same_site

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
