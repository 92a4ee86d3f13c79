"""transforms.page_markup: a page's meta tags and JSON-LD, read as pages write them."""

from __future__ import annotations

import pytest

from tests.transforms.page_support import PAGE_URL, ld_block
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
