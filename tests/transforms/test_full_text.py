"""transforms.full_text: the page's body and metadata onto the feed item, and body_status for every article."""

from __future__ import annotations

import datetime as dt
import gzip
import pathlib
import re
from typing import Any

import pytest

from transforms.feed_bodies import FULL_BODY_MIN_CHARS, SOURCE_TRUNCATED_FLAG
from transforms.full_text import (LISTING_PAGE_FLAG, MIN_PAGE_BODY_CHARS, attach_full_text, feed_item_is_whole,
                                  is_paywall_notice)
from transforms.identity import identify_article
from transforms.settings import TransformSettings
from transforms.timestamps import normalize_article_time

PAGES = pathlib.Path(__file__).parent.parent / "fixtures" / "pages"
SETTINGS = TransformSettings()
FETCHED_AT = dt.datetime(2023, 9, 22, 6, 0, tzinfo=dt.timezone.utc)
LINK = "https://courier.example/b/cranes?utm_source=rss"


def draft(**fields: Any) -> dict[str, Any]:
    """An article as it leaves "Clean HTML": a feed item with a teaser."""
    return {"kind": "article", "url": LINK, "guid": "cranes-1", "source_id": "courier", "document_type": "rss",
            "title": "Cranes in Baku", "summary_text": "Four cranes arrived.", "body_text": None, "authors": [],
            "images": [], "links": [], "quality_flags": [], "fetched_at": FETCHED_AT, **fields}


def stored_page(tmp_path: pathlib.Path, fixture: str, **page: Any) -> dict[str, Any]:
    """A PageInfo for ``fixture`` kept gzipped, as the raw zone keeps it."""
    path = tmp_path / f"{fixture}.gz"
    path.write_bytes(gzip.compress((PAGES / f"{fixture}.html").read_bytes()))
    return {"status": "fetched", "url": LINK, "final_url": "https://www.courier.example/b/cranes",
            "content_type": "text/html; charset=utf-8", "raw_path": str(path), **page}


def test_page_body_replaces_the_teaser_which_stays_in_the_summary(tmp_path: pathlib.Path) -> None:
    article = attach_full_text(draft(page=stored_page(tmp_path, "article_full")), SETTINGS)

    assert article["body_status"] == "full"
    assert article["summary_text"] == "Four cranes arrived."
    assert "Middle Corridor" in article["body_text"] and "Copyright" not in article["body_text"]
    assert "<p>" in article["body_html"] and "<script" not in article["body_html"]
    assert article["field_sources"]["body_text"] == "page"


def test_feed_body_that_was_only_a_teaser_moves_to_the_summary(tmp_path: pathlib.Path) -> None:
    article = attach_full_text(draft(summary_text=None, body_text="Four cranes arrived.",
                                     page=stored_page(tmp_path, "article_full")), SETTINGS)

    assert article["summary_text"] == "Four cranes arrived." and "Middle Corridor" in article["body_text"]


def test_missing_metadata_comes_from_the_page_with_its_source(tmp_path: pathlib.Path) -> None:
    article = attach_full_text(draft(page=stored_page(tmp_path, "article_full")), SETTINGS)

    assert article["authors"] == ["Leyla Mammadova"]
    assert article["language_hint"] == "en"
    assert article["images"][0] == "https://www.courier.example/images/cranes-lead.jpg"
    assert article["page_times"][0] == ("page.json_ld", "2023-09-21T08:15:00+04:00")
    assert (article["publisher"], article["publisher_url"]) == ("Caspian Courier", "https://www.courier.example/")
    assert article["field_sources"] == {"body_text": "page", "canonical_url": "page.rel_canonical",
                                        "authors": "page.json_ld", "language": "page.html_lang",
                                        "publisher": "page.json_ld", "images": "page.og_image"}


def test_feed_metadata_wins_over_the_page(tmp_path: pathlib.Path) -> None:
    article = attach_full_text(draft(authors=["Courier staff"], language_hint="az",
                                     raw_published="Thu, 21 Sep 2023 10:00:00 +0400", publisher="Courier Wire",
                                     page=stored_page(tmp_path, "article_full")), SETTINGS)

    assert article["authors"] == ["Courier staff"] and article["language_hint"] == "az"
    assert article["publisher"] == "Courier Wire" and "publisher_url" not in article
    assert "page_times" not in article
    assert normalize_article_time(article, SETTINGS)["time_source"] == "entry.published"


def test_page_publication_time_is_used_when_the_feed_has_none(tmp_path: pathlib.Path) -> None:
    article = attach_full_text(draft(raw_updated="2023-09-22T00:00:00Z", page=stored_page(tmp_path, "article_full")),
                               SETTINGS)
    timed = normalize_article_time(article, SETTINGS)

    assert timed["time_source"] == "page.json_ld"  # a declared publication time beats the feed's update time
    assert timed["published_at"] == dt.datetime(2023, 9, 21, 4, 15, tzinfo=dt.timezone.utc)
    assert timed["published_offset_minutes"] == 240


def test_canonical_url_on_the_same_site_is_refined_and_the_article_id_is_not(tmp_path: pathlib.Path) -> None:
    without_page = identify_article(attach_full_text(draft(), SETTINGS), SETTINGS)
    with_page = identify_article(attach_full_text(draft(page=stored_page(tmp_path, "article_full")), SETTINGS), SETTINGS)

    assert without_page["canonical_url"] == "https://courier.example/b/cranes"
    assert with_page["canonical_url"] == "https://www.courier.example/business/port-of-baku-cranes"
    assert with_page["article_id"] == without_page["article_id"]


def test_canonical_url_on_another_site_is_ignored(tmp_path: pathlib.Path) -> None:
    article = identify_article(attach_full_text(draft(page=stored_page(tmp_path, "canonical_elsewhere")), SETTINGS),
                               SETTINGS)

    assert article["canonical_url"] == "https://courier.example/b/cranes"
    assert "canonical_url" not in article["field_sources"]


@pytest.mark.parametrize("fixture", ["article_paywalled", "paywall_notice"])
def test_declared_paywall_or_paywall_notice_is_paywalled(tmp_path: pathlib.Path, fixture: str) -> None:
    assert attach_full_text(draft(page=stored_page(tmp_path, fixture)), SETTINGS)["body_status"] == "paywalled"


def test_page_without_an_article_is_empty_and_keeps_the_feed_text(tmp_path: pathlib.Path) -> None:
    article = attach_full_text(draft(body_text="Four cranes.", page=stored_page(tmp_path, "no_article")), SETTINGS)

    assert article["body_status"] == "empty"
    assert article["body_text"] == "Four cranes." and "main_content_not_found" in article["quality_flags"]


@pytest.mark.parametrize(("page", "status", "flag"), [
    ({"status": "blocked_by_robots", "error_type": "robots_disallowed"}, "blocked_by_robots", "page_robots_disallowed"),
    ({"status": "not_html", "content_type": "application/pdf"}, "not_html", "page_not_html"),
    ({"status": "failed", "error_type": "http_status", "http_status": 404}, "teaser_only", "page_http_status"),
    ({"status": "failed", "error_type": "private_address"}, "teaser_only", "page_private_address"),
    ({"status": "deferred", "error_type": "deferred"}, "teaser_only", "page_deferred"),
])
def test_pages_that_could_not_be_had_say_why(page: dict[str, Any], status: str, flag: str) -> None:
    article = attach_full_text(draft(page={"url": LINK, **page}), SETTINGS)

    assert article["body_status"] == status and flag in article["quality_flags"]
    assert article["summary_text"] == "Four cranes arrived."


def test_page_missing_from_the_raw_zone_leaves_the_teaser(tmp_path: pathlib.Path) -> None:
    article = attach_full_text(draft(page={"status": "fetched", "raw_path": str(tmp_path / "gone.gz")}), SETTINGS)

    assert article["body_status"] == "teaser_only" and "page_raw_unreadable" in article["quality_flags"]


@pytest.mark.parametrize(("fields", "status"), [
    ({"body_text": "word " * (FULL_BODY_MIN_CHARS // 5)}, "full"),
    ({"body_text": "A short teaser in content:encoded."}, "teaser_only"),
    # an API's cut text ("[+1234 chars]", taken off by the parser) is a teaser however long
    ({"body_text": "word " * (FULL_BODY_MIN_CHARS // 5), "quality_flags": [SOURCE_TRUNCATED_FLAG]}, "teaser_only"),
    ({}, "teaser_only"),
    ({"summary_text": None}, "empty"),
    ({"document_type": "html", "body_text": "A page read as input."}, "full"),
    ({"document_type": "html", "body_text": None}, "empty"),
    ({"document_type": "html", "body_text": "Subscribe.", "quality_flags": ["paywalled"]}, "paywalled"),
])
def test_items_without_a_page_get_a_status_from_their_own_content(fields: dict[str, Any], status: str) -> None:
    assert attach_full_text(draft(**fields), SETTINGS)["body_status"] == status


def test_error_records_pass_through() -> None:
    error = {"kind": "error", "error_id": "x"}
    assert attach_full_text(error, SETTINGS) is error  # type: ignore[arg-type]


def test_paywall_notices() -> None:
    assert is_paywall_notice("To continue reading, subscribe to the Courier.")
    assert not is_paywall_notice("The minister urged readers to subscribe to the new bond issue. " * 40)


def test_oversized_pages_are_cut_before_extraction_and_flagged(tmp_path: pathlib.Path) -> None:
    settings = TransformSettings(max_html_chars=1200)

    article = attach_full_text(draft(page=stored_page(tmp_path, "article_full")), settings)

    assert "page_html_truncated" in article["quality_flags"]


def test_megabytes_of_script_before_the_article_are_emptied_and_the_body_kept(tmp_path: pathlib.Path) -> None:
    page_html = (PAGES / "article_full.html").read_text()
    state = f'<script id="state" type="application/json">{{"cache": "{"x" * 5_000_000}"}}</script>'
    stored = tmp_path / "state.html.gz"
    stored.write_bytes(gzip.compress(page_html.replace("<body>", f"<body>{state}", 1).encode()))
    page = {**stored_page(tmp_path, "article_full"), "raw_path": str(stored)}

    article = attach_full_text(draft(page=page), SETTINGS)

    assert article["body_status"] == "full" and "Middle Corridor" in article["body_text"]
    assert "page_oversized_scripts_removed" in article["quality_flags"]
    assert "page_html_truncated" not in article["quality_flags"]


def test_without_main_content_extraction_the_whole_page_is_the_body(tmp_path: pathlib.Path) -> None:
    article = attach_full_text(draft(page=stored_page(tmp_path, "article_full")),
                               TransformSettings(extract_main_content=False))

    assert article["body_status"] == "full"
    assert "Middle Corridor" in article["body_text"] and "Copyright" in article["body_text"]


WHOLE_POST_HTML = "".join(f"<p>Part {n}: the night ferry to Aktau left the Alat terminal with forty trucks and a "
                          f"hundred passengers; the crossing took nineteen hours.</p>" for n in range(1, 9))


@pytest.mark.parametrize(("item", "whole"), [
    ({"content_html": WHOLE_POST_HTML}, True),
    ({"content_html": WHOLE_POST_HTML, "quality_flags": [SOURCE_TRUNCATED_FLAG]}, False),  # cut by its source
    ({"content_html": "<p>A teaser.</p>", "summary_html": WHOLE_POST_HTML}, False),  # the content block decides
    ({"summary_html": WHOLE_POST_HTML}, True),  # a description that is the whole post
    ({"summary_html": WHOLE_POST_HTML + "<p>And so on [&hellip;]</p>"}, False),
    ({"summary_html": WHOLE_POST_HTML + "<p><a href='/more'>Continue reading &rarr;</a></p>"}, False),
    ({"summary_html": WHOLE_POST_HTML + "<p>And so on&hellip;</p>"}, False),
    ({"summary_html": "<p>A teaser.</p>"}, False),
    ({"summary_html": WHOLE_POST_HTML, "document_type": "json_feed"}, False),
    ({}, False),
], ids=["content", "cut-by-source", "teaser-content", "description", "marker", "continue", "ellipsis", "teaser", "json_feed", "none"])
def test_a_parsed_item_is_whole_when_its_content_or_uncut_description_is_long(item: dict[str, Any],
                                                                              whole: bool) -> None:
    assert feed_item_is_whole({"kind": "article", "document_type": "rss", **item}) is whole


def test_a_description_made_the_body_is_a_full_body_without_a_page() -> None:
    article = attach_full_text(draft(summary_text="word " * 200, body_text="word " * 200,
                                     quality_flags=["body_from_summary"]), SETTINGS)
    assert article["body_status"] == "full"


LISTING = pathlib.Path(__file__).parent.parent / "fixtures" / "listing"


def stored_listing_page(tmp_path: pathlib.Path, name: str, final_url: str) -> dict[str, Any]:
    """A PageInfo for the listing fixture ``name``, fetched from ``final_url`` and kept gzipped."""
    path = tmp_path / f"{name}.gz"
    path.write_bytes(gzip.compress((LISTING / f"{name}.html").read_bytes()))
    return {"status": "fetched", "url": LINK, "final_url": final_url, "content_type": "text/html",
            "raw_path": str(path)}


@pytest.mark.parametrize(("name", "final_url"), [
    ("section_world_list", "https://ledger.example/world/"),  # an item linking to its section front
    ("home_div_cards", "https://harbourpost.example/"),  # a link that redirected to the home page
    ("tag_flooding", "https://gazette.example/tag/flooding/"),  # <article> cards: the same checks as for inputs
])
def test_a_listing_page_is_not_the_body_and_the_item_keeps_its_own_text(tmp_path: pathlib.Path, name: str,
                                                                        final_url: str) -> None:
    item = draft(body_text="Four cranes arrived in Baku.", page=stored_listing_page(tmp_path, name, final_url))

    article = attach_full_text(item, SETTINGS)

    assert article["body_status"] == "empty" and LISTING_PAGE_FLAG in article["quality_flags"]
    assert (article["summary_text"], article["body_text"], article["title"]) == (
        "Four cranes arrived.", "Four cranes arrived in Baku.", "Cranes in Baku")
    # nothing of the listing is taken: not its canonical URL, times, language or images
    assert not article.get("field_sources") and "page_canonical_url" not in article and "page_times" not in article
    assert "main_content_not_found" not in article["quality_flags"]


def test_a_whole_feed_body_stays_full_beside_a_listing_page(tmp_path: pathlib.Path) -> None:
    whole = "The ferry crossing to Aktau took nineteen hours this week. " * 20
    page = stored_listing_page(tmp_path, "section_world_list", "https://ledger.example/world/")
    item = draft(body_text=whole, page=page)

    article = attach_full_text(item, SETTINGS)

    assert article["body_status"] == "full" and article["body_text"] == whole
    assert LISTING_PAGE_FLAG in article["quality_flags"]


def test_a_short_declared_brief_is_the_body_among_its_sites_promotions(tmp_path: pathlib.Path) -> None:
    brief_url = "https://harbourpost.example/news/2024/04/06/gull-point-cliff-fall"
    page = stored_listing_page(tmp_path, "news_brief", brief_url)

    article = attach_full_text(draft(page=page), SETTINGS)

    assert LISTING_PAGE_FLAG not in article["quality_flags"]
    assert article["body_status"] == "full" and article["body_text"].startswith("A stretch of the coastal path")
    assert "Saltby lifeboat" not in article["body_text"]  # the promoted stories stay out
    assert article["field_sources"]["canonical_url"] == "page.rel_canonical"
    assert article["page_times"][0] == ("page.json_ld", "2024-04-06T10:20:00+01:00")


def test_a_short_japanese_brief_is_a_body_counted_as_latin_text_would_be(tmp_path: pathlib.Path) -> None:
    # 77 characters: what an English brief says in 190, over the 150 that tell a body from a cookie banner
    story = ("市交通局は六日、市営バスの深夜便を来月一日から増やすと発表した。駅前から住宅地へ向かう三路線で、"
             "午後十一時以降の便を一日四本ずつ増やす。運賃は通常と同じ。")
    path = tmp_path / "brief.html"
    path.write_text(f'<html lang="ja"><head><title>市営バス、来月から深夜便を増便</title></head><body><article>'
                    f"<h1>市営バス、来月から深夜便を増便</h1><p>{story}</p></article></body></html>", encoding="utf-8")
    page = {"status": "fetched", "url": LINK, "content_type": "text/html; charset=utf-8", "raw_path": str(path)}
    article = attach_full_text(draft(page=page), SETTINGS)

    assert len(story) < MIN_PAGE_BODY_CHARS
    assert article["body_status"] == "full" and article["body_text"] == story


def test_an_undated_roundup_of_links_is_the_body_of_the_item_its_feed_dates(tmp_path: pathlib.Path) -> None:
    # a newsletter's issue whose page says its date in words only: shaped as a directory, yet a piece its feed dates
    path = tmp_path / "roundup.gz"
    roundup = re.sub(r"<time[^>]*>([^<]*)</time>", r"\1", (LISTING / "link_roundup.html").read_text())
    path.write_bytes(gzip.compress(roundup.encode()))
    page = {"status": "fetched", "url": LINK, "final_url": "https://tidelines.example/issues/112",
            "content_type": "text/html", "raw_path": str(path)}

    dated = attach_full_text(draft(raw_published="Fri, 03 May 2024 07:00:00 +0100", page=page), SETTINGS)
    undated = attach_full_text(draft(page=page), SETTINGS)  # a sitemap's entry of a site's pages, say

    assert dated["body_status"] == "full" and "The last coal barge leaves Saltby" in dated["body_text"]
    assert LISTING_PAGE_FLAG not in dated["quality_flags"]
    assert undated["body_status"] == "empty" and LISTING_PAGE_FLAG in undated["quality_flags"]


def test_a_chinese_teaser_long_enough_to_be_whole_is_still_a_teaser_when_its_link_says_so() -> None:
    # 370 characters, 1,058 counted as Latin-script text: past the 800 of a whole description, ended by its link
    teaser = ("晨江老城区供水管网改造工程目前已完成总工程量的百分之六十，预计今年年底前全部完工。工程完工后，老城区约十二万居民将告别"
              "水压不足、水质发黄等老问题。此次改造共涉及主干管道四十六公里、入户支管一千三百余处，全部更换为球墨铸铁管和不锈钢管。"
              "施工单位采取分片停水、夜间作业的方式，每次停水时间一般不超过八小时。改造后的管网将接入全市智慧水务平台，一旦出现"
              "爆管或异常漏损，系统能够") * 2

    assert feed_item_is_whole({"kind": "article", "document_type": "rss", "summary_html": f"<p>{teaser}</p>"})
    for link in ("<a href='/a/1.html'>阅读全文</a>", "<a href='/a/1.html'>[阅读全文]</a>", "<a href='/a/1.html'>続きを読む</a>"):
        item = {"kind": "article", "document_type": "rss", "summary_html": f"<p>{teaser}{link}</p>"}
        assert not feed_item_is_whole(item), link  # so its page is fetched for the rest
