"""Tests of transforms.main_content: the article body of a full page, without boilerplate."""

from __future__ import annotations

import pathlib
import time

import lxml.html
import pytest

from transforms.main_content import MainContent, _links_and_images, extract_main_content, without_leading_title

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


def test_article_paragraphs_are_kept_with_paragraph_breaks_and_without_the_headline(main: MainContent) -> None:
    paragraphs = main.text.split("\n\n")
    assert paragraphs[0].startswith("The iron footbridge over the river Wend")
    assert paragraphs[-1].endswith("two weekends in July.")
    assert len(paragraphs) == 6
    assert "Millbrook footbridge reopens after flood repairs" not in main.text  # it is the title, not the body


@pytest.mark.parametrize("boilerplate", BOILERPLATE)
def test_boilerplate_is_left_out(main: MainContent, boilerplate: str) -> None:
    assert boilerplate not in main.text
    assert boilerplate not in main.html


def test_body_html_is_sanitized_and_keeps_paragraphs_but_not_anchors(main: MainContent) -> None:
    assert main.html.startswith("<p>The iron")
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


@pytest.mark.parametrize(("body", "expected"), [
    ("<h1>Harbour reopens</h1><p>Ships berth again.</p>", "<p>Ships berth again.</p>"),
    ("<h2>  harbour\n  REOPENS </h2><p>Ships berth again.</p>", "<p>Ships berth again.</p>"),
    ("<h1><span>Harbour</span> reopens</h1><p>Ships berth again.</p>", "<p>Ships berth again.</p>"),
    ("<div><h1><b>Harbour reopens</b></h1></div><p>Ships berth again.</p>", "<p>Ships berth again.</p>"),
    ("<table><tr><td></td><td><h1>Harbour reopens</h1><p>Ships berth again.</p></td></tr></table>",
     "<table><tr><td></td><td><p>Ships berth again.</p></td></tr></table>"),
    ("<h1>Harbour reopens</h1>Monday, 18 November<p>Ships berth again.</p>",
     "Monday, 18 November<p>Ships berth again.</p>"),  # the text after the headline stays
], ids=["heading", "whitespace_and_case", "inline_markup", "wrapped", "in_a_table", "text_after_it"])
def test_a_body_starting_with_the_headline_loses_it(body: str, expected: str) -> None:
    titles = ["Harbour reopens | Courier", "Harbour reopens"]
    result = without_leading_title(f"<html><body>{body}</body></html>", titles)
    inside_body = result.split("<body>")[1].split("</body>")[0]
    assert "".join(inside_body.split()) == "".join(expected.split())  # spaces aside


@pytest.mark.parametrize("body", [
    "<p>Harbour reopens after three years of works, the council said.</p><p>Ships berth again.</p>",
    "<p>Ships berth again.</p><h2>Harbour reopens</h2>",
    "Monday:<h1>Harbour reopens</h1><p>Ships berth again.</p>",
    "<p><img src='a.jpg'>Photo: council</p><h1>Harbour reopens</h1><p>Ships berth again.</p>",
    "<br>Monday<h1>Harbour reopens</h1><p>Ships berth again.</p>",
    "<h1>Harbour reopens</h1>",
], ids=["starts_with_the_title_words", "headline_later", "text_before", "caption_before", "text_after_a_break",
        "nothing_else"])
def test_a_body_not_starting_with_a_headline_alone_is_unchanged(body: str) -> None:
    html = f"<html><body>{body}</body></html>"
    assert without_leading_title(html, ["Harbour reopens"]) == html


HEADLINE = "<h1>Millbrook footbridge reopens after flood repairs</h1>"


def test_a_headline_other_than_the_pages_title_is_dropped_too(page: str) -> None:
    # og:title and JSON-LD say "... after flood repairs"; the heading is the page's <h1>, a title candidate too
    result = extract_main_content(page.replace(HEADLINE, "<h1>Footbridge reopens, eight months on</h1>"), url=PAGE_URL)
    assert result is not None and result.text.startswith("The iron footbridge")


def test_a_headline_that_is_the_title_without_the_site_name_is_dropped(page: str) -> None:
    # no og:title, no JSON-LD headline, no <h1>: only <title> "... | Valley Courier" names the <h2> heading
    bare = (page.replace('<meta property="og:title" content="Millbrook footbridge reopens after flood repairs">', "")
            .replace('"headline": "Millbrook footbridge reopens after flood repairs",', "")
            .replace(HEADLINE, "<h2>Millbrook footbridge reopens after flood repairs</h2>"))
    kept = bare.replace('"name": "Valley Courier"', '"name": "Courier Group"')  # the site's name unknown

    result = extract_main_content(bare, url=PAGE_URL)
    assert result is not None and result.text.startswith("The iron footbridge")
    result = extract_main_content(kept, url=PAGE_URL)
    assert result is not None and result.text.startswith("Millbrook footbridge reopens after flood repairs\n\n")


BASE_HREF_PARAGRAPH = ("The council approved the new budget on Tuesday evening after a long debate about schools, roads "
                       "and the library, and the mayor said the first works start in spring. ")


def _page_with_base(base_href: str) -> str:
    return (f'<html><head><title>Budget</title><base href="{base_href}"></head><body><article><h1>Budget</h1>'
            f'<p>{BASE_HREF_PARAGRAPH * 2} <a href="story2.html">The earlier story</a> and '
            f'<a href="/abs/path">the minutes</a>.</p><p>{BASE_HREF_PARAGRAPH}<img src="img/photo.jpg"></p>'
            f'<p>{BASE_HREF_PARAGRAPH}</p></article></body></html>')


@pytest.mark.parametrize(("page_url", "base_href", "expected_links", "expected_image"), [
    # a page saved to a file: its URL is unknown, the base says where relative URLs point
    (None, "https://cdn.example/news/2024/",
     ["https://cdn.example/news/2024/story2.html", "https://cdn.example/abs/path"],
     "https://cdn.example/news/2024/img/photo.jpg"),
    # a relative base is relative to the page's URL (Joomla's <base href="/">, a CMS's sub-folder)
    ("https://courier.example/a/b.html", "/sub/",
     ["https://courier.example/sub/story2.html", "https://courier.example/abs/path"],
     "https://courier.example/sub/img/photo.jpg"),
])
def test_relative_links_and_images_resolve_against_the_pages_base_href(
        page_url: str | None, base_href: str, expected_links: list[str], expected_image: str) -> None:
    main = extract_main_content(_page_with_base(base_href), url=page_url)
    assert main is not None
    assert main.links == expected_links
    assert main.images == [expected_image]


def test_links_of_a_page_of_20000_paragraphs_are_found_in_linear_time() -> None:
    # every text block was searched for in the whole body text: 20,000 paragraphs (a 3 MB transcript) took
    # 7 s there, 40,000 four times as long
    paragraphs = "".join(f"<p>Paragraph {index} of the council's long transcript of the budget debate.</p>"
                         for index in range(20_000))
    page = (f"<html><head><title>Transcript</title></head><body><article><h1>Transcript</h1>{paragraphs}"
            '<p>The full minutes are <a href="https://courier.example/minutes.pdf">online</a> now.</p>'
            "</article></body></html>")
    tree = lxml.html.document_fromstring(page)
    flat_text = " ".join(tree.find(".//article").text_content().split())
    started = time.perf_counter()
    links, _ = _links_and_images(tree, {}, flat_text, "https://courier.example/transcript")
    assert time.perf_counter() - started < 2
    assert links == ["https://courier.example/minutes.pdf"]


@pytest.mark.parametrize("body", [
    "<p>" + '<a href="/tags/ferry">ferry</a> ' * 10_000 + "</p>",  # 280 KB: trafilatura took 13 s
    "<h2>Ferry timetable</h2>" * 40_000,  # 960 KB: 10 s
])
def test_a_page_too_big_to_search_is_given_up_at_once(body: str) -> None:
    page = f"<html><head><title>Timetable</title></head><body><article>{body}</article></body></html>"
    started = time.process_time()
    assert extract_main_content(page, url=PAGE_URL) is None
    assert time.process_time() - started < 1


def test_a_transcript_of_20000_paragraphs_is_still_searched() -> None:
    paragraphs = "".join(f"<p>Paragraph {index} of the council's long transcript.</p>" for index in range(20_000))
    page = f"<html><head><title>Transcript</title></head><body><article>{paragraphs}</article></body></html>"
    main = extract_main_content(page, url=PAGE_URL)
    assert main is not None and main.text.endswith("Paragraph 19999 of the council's long transcript.")

