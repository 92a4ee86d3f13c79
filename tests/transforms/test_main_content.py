"""Tests of transforms.main_content: the article body of a full page, without boilerplate."""

from __future__ import annotations

import pathlib

import pytest

from transforms.main_content import MainContent, extract_main_content

FIXTURES = pathlib.Path(__file__).parent.parent / "fixtures" / "html"
PAGE_URL = "https://courier.example/news/2024/03/millbrook-footbridge"
BOILERPLATE = ("We use cookies", "Accept all", "Politics", "Jobs", "Advertisement", "Related stories",
               "Extra buses", "Comments", "riverwatcher", "detour added half an hour", "All rights reserved",
               "Privacy", "dataLayer", "Write a comment")


@pytest.fixture(scope="module")
def page() -> str:
    return (FIXTURES / "regional_news_page.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def main(page: str) -> MainContent:
    result = extract_main_content(page, url=PAGE_URL)
    assert result is not None
    return result


def test_article_paragraphs_are_kept_with_paragraph_breaks(main: MainContent) -> None:
    paragraphs = main.text.split("\n\n")
    assert paragraphs[0] == "Millbrook footbridge reopens after flood repairs"
    assert paragraphs[1].startswith("The iron footbridge over the river Wend")
    assert paragraphs[-1].endswith("two weekends in July.")
    assert len(paragraphs) == 7


@pytest.mark.parametrize("boilerplate", BOILERPLATE)
def test_boilerplate_is_left_out(main: MainContent, boilerplate: str) -> None:
    assert boilerplate not in main.text
    assert boilerplate not in main.html


def test_body_html_is_sanitized_and_keeps_paragraphs_but_not_anchors(main: MainContent) -> None:
    assert main.html.startswith("<h1>Millbrook footbridge reopens after flood repairs</h1><p>The iron")
    assert "<p>The council has also published a revised flood plan for the valley" in main.html
    assert "<a " not in main.html  # trafilatura is run without links: they change what it selects
    for unsafe in ("<script", "<iframe", "<form", "class=", "onclick"):
        assert unsafe not in main.html


def test_links_are_those_of_the_article_text_only(main: MainContent) -> None:
    assert main.links == ["https://courier.example/documents/wend-flood-plan.pdf"]


def test_images_are_those_of_the_article_without_tracking_pixels(main: MainContent) -> None:
    assert main.images == ["https://courier.example/images/2024/03/footbridge-reopening.jpg"]


def test_lead_image_from_meta_tags_comes_first(page: str) -> None:
    with_lead = page.replace("<title>", '<meta property="og:image" content="/images/lead.jpg"><title>')
    result = extract_main_content(with_lead, url=PAGE_URL)
    assert result is not None
    assert result.images[0] == "https://courier.example/images/lead.jpg"


def test_extraction_is_repeatable(page: str, main: MainContent) -> None:
    # trafilatura's deduplication would drop a page seen three times in one process; it must stay off
    for _ in range(3):
        assert extract_main_content(page, url=PAGE_URL) == main


@pytest.mark.parametrize("html", ["", "   ", "just a few words", "<html><body><img src='a.jpg'></body></html>",
                                  "\x00\x01\x02", "<div>" * 20_000 + "x", "<?xml version='1.0'?><rss/>"])
def test_pages_without_an_article_give_none_without_raising(html: str) -> None:
    assert extract_main_content(html) is None


def test_non_latin_article_text_survives(page: str) -> None:
    azerbaijani = ("Bakı şəhərində yeni piyada körpüsü istifadəyə verilib. Sakinlər ağır qış aylarında "
                   "dolama yoldan istifadə etməli olmuşdular, indi isə stansiyaya on dəqiqəyə çatırlar.")
    result = extract_main_content(page.replace("Around sixty residents", azerbaijani + " Around sixty residents"))
    assert result is not None and azerbaijani in result.text
