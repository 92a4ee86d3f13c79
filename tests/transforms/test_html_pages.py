"""Full HTML pages: one article draft from the page and its metadata (links, meta tags, JSON-LD)."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import re
from typing import Any

import lxml.html
import pytest

from transforms.html_pages import MIN_UNMARKED_ARTICLE_CHARS, parse_html_page
from transforms.records import RawDocument, sha256_hex

FETCHED_AT = dt.datetime(2024, 5, 2, 6, 0, tzinfo=dt.timezone.utc)


def make_raw(body: bytes | str, **provenance: Any) -> RawDocument:
    data = body.encode("utf-8") if isinstance(body, str) else body
    raw: dict[str, Any] = {"kind": "raw", "uri": "/in/pages/story.html", "body": data, "fetched_at": FETCHED_AT,
                           "raw_sha256": sha256_hex(data), "raw_path": "/in/pages/story.html", "tags": []}
    return RawDocument(**{**raw, **provenance})


def page(head: str = "", body: str = "<p>Text of the story.</p>", html_attributes: str = "") -> str:
    return (f"<!DOCTYPE html><html{html_attributes}><head><meta charset='utf-8'>{head}</head>"
            f"<body><article>{body}</article></body></html>")


def json_ld(data: Any) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def parse_one(html: str | bytes, **provenance: Any) -> dict[str, Any]:
    (record,) = parse_html_page(make_raw(html, **provenance))
    assert record["kind"] == "article", record
    return record


def test_canonical_link_is_the_url_and_gives_the_source() -> None:
    article = parse_one(page('<link rel="canonical" href="https://www.tidewater.example.com/2024/05/ferry">'
                             '<meta property="og:url" content="https://m.tidewater.example.com/ferry">'))
    assert article["url"] == "https://www.tidewater.example.com/2024/05/ferry"
    assert article["source_id"] == "tidewater.example.com"
    assert article["document_type"] == "html"


def test_relative_canonical_link_is_resolved_against_the_page_url() -> None:
    article = parse_one(page('<link rel="canonical" href="/2024/05/ferry">'),
                        uri="https://tidewater.example.com/2024/05/ferry?ref=home")
    assert article["url"] == "https://tidewater.example.com/2024/05/ferry"


def test_relative_canonical_link_of_a_saved_page_is_resolved_against_its_og_url() -> None:
    article = parse_one(page('<link rel="canonical" href="/2024/05/ferry">'
                             '<meta property="og:url" content="https://tidewater.example.com/ferry?from=og">'))
    assert article["url"] == "https://tidewater.example.com/2024/05/ferry"


def test_a_saved_page_with_only_relative_or_non_web_links_has_no_url() -> None:
    article = parse_one(page('<link rel="canonical" href="/2024/05/ferry">'
                             '<meta property="og:url" content="ferry.html">'))
    assert article["url"] is None


def test_og_url_is_used_without_canonical_link() -> None:
    article = parse_one(page('<meta property="og:url" content="https://tidewater.example.com/lighthouse">'))
    assert article["url"] == "https://tidewater.example.com/lighthouse"


def test_a_canonical_link_too_long_to_be_one_gives_way_to_og_url() -> None:
    bloated = "https://tidewater.example.com/" + "2019/13/45/" * 9000  # 100 KB
    article = parse_one(page(f'<link rel="canonical" href="{bloated}">'
                             '<meta property="og:url" content="https://tidewater.example.com/lighthouse">'))
    assert article["url"] == "https://tidewater.example.com/lighthouse"


def test_page_fetched_from_a_url_without_metadata_uses_that_url() -> None:
    article = parse_one(page("<title>Plain</title>"), uri="https://plain.example.net/a/b.html")
    assert article["url"] == "https://plain.example.net/a/b.html"


def test_local_page_without_any_url_has_none() -> None:
    article = parse_one(page("<title>Plain</title>"))
    assert article["url"] is None
    assert article["source_id"] == "pages"


def test_configured_source_id_tags_and_language_win() -> None:
    article = parse_one(page('<link rel="canonical" href="https://tidewater.example.com/x">',
                             html_attributes=' lang="en"'),
                        source_id="tidewater", tags=["coast"], language_hint="cy")
    assert (article["source_id"], article["tags"], article["language_hint"]) == ("tidewater", ["coast"], "cy")


def test_json_ld_news_article_gives_headline_date_and_authors() -> None:
    head = "<title>Tidewater | Home</title>" + json_ld({
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": "Ferry service resumes",
        "datePublished": "2024-05-01T08:30:00+01:00", "dateModified": "2024-05-01T12:00:00+01:00",
        "author": [{"@type": "Person", "name": "Morgan Reed"}, {"@type": "Person", "name": " Sam Okafor "}],
    })
    article = parse_one(page(head))
    assert article["title"] == "Ferry service resumes"
    assert article["page_times"][0] == ("page.json_ld", "2024-05-01T08:30:00+01:00")
    assert article["raw_updated"] == "2024-05-01T12:00:00+01:00"
    assert article["authors"] == ["Morgan Reed", "Sam Okafor"]


def test_json_ld_single_author_object_and_plain_string_author() -> None:
    one = parse_one(page(json_ld({"@type": "NewsArticle", "headline": "h", "author": {"name": "Ines Duarte"}})))
    plain = parse_one(page(json_ld({"@type": "NewsArticle", "headline": "h", "author": "Kai Berg"})))
    assert one["authors"] == ["Ines Duarte"]
    assert plain["authors"] == ["Kai Berg"]


def test_json_ld_article_inside_a_graph_is_found() -> None:
    head = json_ld({"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Tidewater", "url": "https://tidewater.example.com/"},
        {"@type": "BreadcrumbList", "itemListElement": []},
        {"@type": "NewsArticle", "headline": "Graph headline", "datePublished": "2024-04-30T22:00:00Z",
         "author": {"@type": "Person", "name": "Lee Park"}},
    ]})
    article = parse_one(page(head))
    assert article["page_times"][0] == ("page.json_ld", "2024-04-30T22:00:00Z")
    assert article["authors"] == ["Lee Park"]
    assert article["title"] == "Graph headline"


def test_json_ld_news_article_is_preferred_over_a_web_page_listed_first() -> None:
    head = json_ld({"@context": "https://schema.org", "@graph": [
        {"@type": "WebPage", "name": "Ferry | Tidewater", "datePublished": "2024-05-03T00:00:00Z"},
        {"@type": ["NewsArticle", "Article"], "headline": "Ferry service resumes",
         "datePublished": "2024-05-01T08:30:00+01:00", "author": {"name": "Morgan Reed"}},
    ]})
    article = parse_one(page(head))
    assert article["page_times"][0] == ("page.json_ld", "2024-05-01T08:30:00+01:00")
    assert article["authors"] == ["Morgan Reed"]
    assert article["title"] == "Ferry service resumes"


def test_broken_json_ld_is_ignored_and_the_next_block_is_used() -> None:
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "broken",</script>'
            + json_ld({"@type": "NewsArticle", "headline": "Good block", "datePublished": "2024-05-01"}))
    article = parse_one(page(head))
    assert article["title"] == "Good block"
    assert article["page_times"][0] == ("page.json_ld", "2024-05-01")


def test_only_broken_json_ld_leaves_a_draft_from_the_other_metadata() -> None:
    head = '<title>Title tag</title><script type="application/ld+json">{not json at all</script>'
    article = parse_one(page(head))
    assert article["title"] == "Title tag"
    assert article["page_times"] == []


def test_og_title_is_preferred_over_the_title_tag() -> None:
    article = parse_one(page('<title>Ferry | Tidewater</title><meta property="og:title" content="Ferry">'))
    assert article["title"] == "Ferry"


def test_meta_times_keep_the_order_of_trust_then_time_elements() -> None:
    head = ('<meta name="date" content="2024-05-01">'
            '<meta property="article:published_time" content="2024-05-01T09:00:00+02:00">'
            '<meta name="dc.date" content="2024-05-01T09:00">'
            '<meta property="article:modified_time" content="2024-05-02T10:00:00+02:00">')
    body = '<p>On <time datetime="2024-04-30T18:00:00Z">Tuesday</time> the harbour closed.</p><time>no attribute</time>'
    article = parse_one(page(head, body))
    assert article["page_times"] == [("page.meta", "2024-05-01T09:00:00+02:00"), ("page.meta", "2024-05-01T09:00"),
                                     ("page.meta", "2024-05-01"), ("page.time", "2024-04-30T18:00:00Z")]
    assert article["raw_updated"] == "2024-05-02T10:00:00+02:00"


def test_meta_author_is_used_without_json_ld() -> None:
    article = parse_one(page('<meta name="author" content="Rosa Lindqvist">'))
    assert article["authors"] == ["Rosa Lindqvist"]


def test_description_meta_is_the_summary() -> None:
    article = parse_one(page('<meta name="description" content="Services resume on Monday.">'))
    assert article["summary_html"] == "Services resume on Monday."


@pytest.mark.parametrize(("attribute", "expected"), [("az-AZ", "az"), ("EN", "en"), ("pt-br", "pt"), ("", None)])
def test_html_lang_attribute_gives_the_language_hint(attribute: str, expected: str | None) -> None:
    article = parse_one(page("<title>t</title>", html_attributes=f' lang="{attribute}"'))
    assert article["language_hint"] == expected


@pytest.mark.parametrize("value", [False, "false", "False"])
def test_not_accessible_for_free_is_flagged_paywalled(value: Any) -> None:
    article = parse_one(page(json_ld({"@type": "NewsArticle", "headline": "h", "isAccessibleForFree": value})))
    assert "paywalled" in article["quality_flags"]


def test_free_article_is_not_flagged_paywalled() -> None:
    article = parse_one(page(json_ld({"@type": "NewsArticle", "headline": "h", "isAccessibleForFree": True})))
    assert "paywalled" not in article["quality_flags"]


def test_whole_page_is_kept_as_content_for_the_cleaning_stage() -> None:
    article = parse_one(page("<title>t</title>", "<article><p>Paragraph one.</p><p>Paragraph two.</p></article>"))
    assert "<p>Paragraph two.</p>" in article["content_html"]


def test_nul_bytes_are_removed_from_the_page() -> None:
    article = parse_one(b"<html><head><title>Null\x00 title</title></head><body><article><p>Te\x00xt</p></article>"
                        b"</body></html>")
    assert article["title"] == "Null title"
    assert "\x00" not in article["content_html"]
    assert "<p>Text</p>" in article["content_html"]


def test_latin1_page_with_meta_charset_is_decoded() -> None:
    html = page("<title>Café à Zürich</title>").replace("charset='utf-8'", "charset='iso-8859-1'")
    article = parse_one(html.encode("latin-1"))
    assert article["title"] == "Café à Zürich"
    assert article["quality_flags"] == []


def test_utf8_page_declared_latin1_is_repaired_and_flagged() -> None:
    html = page("<title>Café à Zürich</title>").replace("charset='utf-8'", "charset='iso-8859-1'")
    article = parse_one(html.encode("utf-8"))
    assert article["title"] == "Café à Zürich"
    assert any(flag.startswith("encoding_repaired:") for flag in article["quality_flags"])


@pytest.mark.parametrize("body", [b"", b"  \n ", b"\x00\x00\x00"], ids=["empty", "blank", "nuls"])
def test_page_with_no_markup_at_all_is_an_error(body: bytes) -> None:
    (record,) = parse_html_page(make_raw(body))
    assert record["kind"] == "error"
    assert record["error_type"] == "malformed_html"
    assert record["raw_sha256"] == sha256_hex(body)


def test_garbage_text_is_not_an_article() -> None:
    (record,) = parse_html_page(make_raw(b"garbage &&& <<< >>> ]]>"))
    assert record["kind"] == "error" and record["error_type"] == "not_an_article"


def test_provenance_is_kept() -> None:
    raw = make_raw(page("<title>t</title>"), raw_path="/raw/11/22.html")
    (article,) = parse_html_page(raw)
    assert (article["raw_sha256"], article["raw_path"], article["fetched_at"], article["uri"]) == (
        raw["raw_sha256"], "/raw/11/22.html", FETCHED_AT, "/in/pages/story.html")


def test_an_error_page_without_article_markup_is_not_an_article() -> None:
    from transforms.html_pages import parse_html_page
    import datetime as dt

    body = (b"<html><head><title>Page not found</title></head><body><nav><a href='/'>Home</a></nav>"
            b"<h1>404</h1><p>The page you asked for has moved.</p></body></html>")
    raw = {"kind": "raw", "uri": "/drop/missing.html", "body": body, "raw_sha256": "0" * 64,
           "fetched_at": dt.datetime(2023, 9, 21, tzinfo=dt.timezone.utc)}
    (error,) = parse_html_page(raw)
    assert error["kind"] == "error" and error["error_type"] == "not_an_article"


def test_xhtml_page_with_an_xml_declaration_naming_its_encoding_is_parsed() -> None:
    xhtml = ('<?xml version="1.0" encoding="utf-8"?>\n'
             '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Harbour dredging resumes</title></head>'
             "<body><article><p>The dredger returned to the outer harbour on Monday.</p></article></body></html>")
    article = parse_one(xhtml)
    assert article["title"] == "Harbour dredging resumes"


LISTING = pathlib.Path(__file__).parent.parent / "fixtures" / "listing"


def test_a_home_page_of_teaser_cards_is_not_an_article_and_says_why() -> None:
    (error,) = parse_html_page(make_raw((LISTING / "news_home.html").read_bytes(), uri="https://courier.example/"))

    assert (error["kind"], error["stage"], error["error_type"]) == ("error", "parse", "not_an_article")
    assert error["message"].startswith("looks like a listing/index page with 16 teaser items")
    assert error["uri"] == "https://courier.example/"


@pytest.mark.parametrize("name", ["article_with_related", "article_with_comments", "live_blog", "declared_briefing"])
def test_article_pages_holding_other_article_elements_stay_articles(name: str) -> None:
    article = parse_one((LISTING / f"{name}.html").read_bytes())
    assert article["title"]


@pytest.mark.parametrize(("name", "uri", "blocks"), [
    ("home_div_cards", "https://harbourpost.example/", 19),
    ("section_world_list", "https://ledger.example/world/", 14),
    ("author_excerpts", "https://fenwickchronicle.example/author/marta-voss/", 11),
    ("search_div_results", "/drop/search-ferry.html", 10),  # a saved page: no URL of its own
])
def test_index_pages_of_any_markup_are_not_articles_and_say_why(name: str, uri: str, blocks: int) -> None:
    (error,) = parse_html_page(make_raw((LISTING / f"{name}.html").read_bytes(), uri=uri))

    assert (error["kind"], error["stage"], error["error_type"]) == ("error", "parse", "not_an_article")
    assert error["message"].startswith(f"looks like a listing/index page with {blocks} teaser blocks (sibling elements "
                                       "each led by a headline link to another page of the site, holding ")
    assert "no run of 250 characters of other text, the longest" in error["message"]


@pytest.mark.parametrize("name", ["story_related_comments", "news_brief", "live_blog_divs", "photo_gallery",
                                  "story_in_divs"])
def test_articles_among_teasers_of_any_markup_stay_articles(name: str) -> None:
    article = parse_one((LISTING / f"{name}.html").read_bytes())
    assert article["title"] and article["content_html"]


def test_an_undeclared_brief_among_its_sites_promotions_stays_an_article() -> None:
    html = (LISTING / "news_brief.html").read_text()
    undeclared = re.sub(r'<script type="application/ld\+json">.*?</script>|<meta property="(og:type|article:'
                        r'published_time)"[^>]*>', "", html, flags=re.S)

    article = parse_one(undeclared, uri="https://harbourpost.example/news/2024/04/06/gull-point-cliff-fall")
    assert "og:type" not in undeclared and article["title"] == "Coastal path closed at Gull Point after cliff fall"


def test_a_page_dated_by_its_url_takes_the_clock_of_its_marked_publication_time() -> None:
    from transforms.settings import TransformSettings
    from transforms.timestamps import normalize_article_time

    html = page(body='<p class="byline"><span class="publish-date">Published 11:11 PM EST Nov 19, 2019</span></p>'
                     '<p>Text of the story.</p>')
    article = normalize_article_time(parse_one(html, uri="https://news.example/story/2019/11/19/storm/"),
                                     TransformSettings())
    # the URL's day alone was midnight UTC, flagged date_only: a story of the evening, in the wrong UTC day
    assert (article["published_at"], article["published_offset_minutes"], article["time_source"]) == (
        dt.datetime(2019, 11, 20, 4, 11, tzinfo=dt.timezone.utc), -300, "page.marked_text")
    assert article["time_flags"] == []


def test_a_chinese_home_page_is_not_an_article_and_says_why() -> None:
    # its headlines, written without spaces, were one "word" each: the page was one article of 56 headlines
    (error,) = parse_html_page(make_raw((LISTING / "zh_home.html").read_bytes(), uri="https://chenjiang.example/"))

    assert (error["kind"], error["error_type"]) == ("error", "not_an_article")
    assert error["message"].startswith("looks like a listing/index page with 57 teaser blocks")


@pytest.mark.parametrize("name", ["zh_article_related", "ja_brief"])
def test_chinese_and_japanese_articles_among_teasers_stay_articles(name: str) -> None:
    article = parse_one((LISTING / f"{name}.html").read_bytes())
    assert article["title"] and article["content_html"]


def test_a_chinese_article_without_article_markup_has_text_enough_counted_as_latin_text() -> None:
    # a story of 528 characters (1,492 counted as Latin-script text) on a page of 902 (2,496): under 1,500 as they are
    html = (LISTING / "zh_article_related.html").read_text()
    undeclared = re.sub(r'<meta property="og:type"[^>]*>', "", html)
    body = lxml.html.document_fromstring(undeclared).find("body")

    assert len(" ".join(body.text_content().split())) < MIN_UNMARKED_ARTICLE_CHARS
    assert parse_one(undeclared)["title"] == "老城区供水管网改造工程今年年底前完工"


def test_a_registry_s_directory_is_not_an_article_and_says_why() -> None:
    (error,) = parse_html_page(make_raw((LISTING / "registry_directory.html").read_bytes(),
                                        uri="https://kittleharbour.example/moorings/"))

    assert (error["kind"], error["error_type"]) == ("error", "not_an_article")
    assert error["message"].startswith("looks like a directory page: 90% of its text outside links is in tables and "
                                       "lists of 61 short entries")


def test_an_article_with_a_big_table_of_linked_rows_stays_an_article() -> None:
    article = parse_one((LISTING / "data_table_article.html").read_bytes())
    assert article["title"] == "Gig regatta: Saltby crews take four titles in a day of heavy swell"


def test_a_roundup_of_links_whose_metadata_dates_it_stays_an_article() -> None:
    # a newsletter's issue with its date in words only: a directory by its shape, but a meta tag dates it
    roundup = re.sub(r"<time[^>]*>([^<]*)</time>", r"\1", (LISTING / "link_roundup.html").read_text())
    dated = roundup.replace("<title>", '<meta name="date" content="2024-05-03"><title>')

    (error,) = parse_html_page(make_raw(roundup, uri="https://tidelines.example/issues/112"))
    assert error["message"].startswith("looks like a directory page")
    assert parse_one(dated, uri="https://tidelines.example/issues/112")["page_times"] == [("page.meta", "2024-05-03")]


def test_a_comment_counter_named_posted_takes_nothing_from_the_date_in_a_page_s_text() -> None:
    from transforms.settings import TransformSettings
    from transforms.timestamps import normalize_article_time

    html = page(body='<p class="byline">By Ann Vale, 19 November 2019</p><p>Text of the story.</p>'
                     '<a class="posted-comments-count" href="#comments">14 comments</a>')
    article = normalize_article_time(parse_one(html, uri="https://news.example/story/ferry/"), TransformSettings())
    # the counter's "14 comments" was a publication time that did not read, and it kept htmldate from the byline:
    # the row fell back on fetched_at, flagged unparseable
    assert (article["published_at"], article["time_source"]) == (
        dt.datetime(2019, 11, 19, tzinfo=dt.timezone.utc), "page.text")
    assert article["time_flags"] == ["no_zone", "date_only"]
