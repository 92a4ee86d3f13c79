"""transforms.page_markup: a page's meta tags and JSON-LD, read as pages write them."""

from __future__ import annotations

import pytest

from tests.transforms.page_support import PAGE_URL, ld_block
from transforms.page_markup import is_article_item, item_types, og_types, type_name
from transforms.page_metadata import read_page_metadata


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


@pytest.mark.parametrize(("declared", "name"), [
    ("NewsArticle", "newsarticle"), ("newsarticle", "newsarticle"), (" NewsArticle\n", "newsarticle"),
    ("http://schema.org/NewsArticle", "newsarticle"), ("https://schema.org/NewsArticle", "newsarticle"),
    ("https://schema.org/NewsArticle/", "newsarticle"), ("schema:NewsArticle", "newsarticle"),
    ("ARTICLE", "article"), (" article ", "article"), ("http://ogp.me/ns#article", "article"),
    ("video.other", "video.other"), (7, None), (None, None),
])
def test_a_type_is_compared_without_case_spaces_or_vocabulary_prefix(declared: object, name: str | None) -> None:
    assert type_name(declared) == name


def test_item_types_reads_a_string_or_a_list_and_skips_what_is_not_text() -> None:
    assert item_types({"@type": "https://schema.org/WebSite"}) == {"website"}
    assert item_types({"@type": ["schema:NewsArticle", {"x": 1}, 3, "  "]}) == {"newsarticle"}
    assert item_types({"@type": {"@id": "NewsArticle"}}) == set()
    assert item_types({}) == set()


@pytest.mark.parametrize("declared", ["newsarticle", "http://schema.org/NewsArticle", "https://schema.org/BlogPosting",
                                      "schema:Report", " NewsArticle ", ["Thing", "SCHEMA:NEWSARTICLE"]])
def test_an_article_type_is_recognised_in_every_form_pages_write(declared: object) -> None:
    assert is_article_item({"@type": declared})


@pytest.mark.parametrize("declared", ["WebPage", "https://schema.org/Organization", "Article:Author", "", 7])
def test_other_types_are_no_article(declared: object) -> None:
    assert not is_article_item({"@type": declared})


def test_og_types_are_compared_alike() -> None:
    assert og_types({"og:type": ["ARTICLE", "http://ogp.me/ns#website"]}) == {"article", "website"}
    assert og_types({}) == set()
