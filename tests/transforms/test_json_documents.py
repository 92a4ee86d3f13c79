"""JSON Lines and JSON Feed: one draft per usable object, an error naming the line for each unusable one."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from transforms.json_documents import parse_json_feed, parse_jsonl
from transforms.json_fields import repair_surrogates
from transforms.records import RawDocument, sha256_hex

FETCHED_AT = dt.datetime(2024, 7, 1, tzinfo=dt.timezone.utc)


def make_raw(body: bytes, **provenance: Any) -> RawDocument:
    raw: dict[str, Any] = {"kind": "raw", "uri": "/in/export.jsonl", "body": body, "fetched_at": FETCHED_AT,
                           "raw_sha256": sha256_hex(body), "raw_path": "/in/export.jsonl", "tags": []}
    return RawDocument(**{**raw, **provenance})


def jsonl(*objects: Any) -> bytes:
    return "".join(json.dumps(obj, ensure_ascii=False) + "\n" for obj in objects).encode("utf-8")


STORY = {"url": "https://www.lakeside.example.org/2024/07/regatta", "title": "Regatta postponed",
         "html": "<p>High winds forced the organisers to wait.</p>", "published": "2024-07-01T09:00:00Z"}


# --- JSON Lines ------------------------------------------------------------------------------------

def test_valid_line_becomes_a_draft_with_its_fields() -> None:
    line = {**STORY, "summary": "Wait for Sunday", "updated": "2024-07-01T10:00:00Z", "authors": ["Pia Holm"],
            "language": "sv", "guid": "lk-778", "tags": ["sailing", 7, "local"]}
    (article,) = parse_jsonl(make_raw(jsonl(line)))
    assert article["kind"] == "article"
    assert article["document_type"] == "jsonl"
    assert article["url"] == STORY["url"]
    assert article["title"] == "Regatta postponed"
    assert article["content_html"] == STORY["html"]
    assert article["summary_html"] == "Wait for Sunday"
    assert article["raw_published"] == "2024-07-01T09:00:00Z"
    assert article["raw_updated"] == "2024-07-01T10:00:00Z"
    assert article["authors"] == ["Pia Holm"]
    assert article["language_hint"] == "sv"
    assert article["guid"] == "lk-778"
    assert article["tags"] == ["sailing", "local"]
    assert article["source_id"] == "lakeside.example.org"
    assert article["uri"] == "/in/export.jsonl#L1"


def test_field_aliases_are_read() -> None:
    (article,) = parse_jsonl(make_raw(jsonl({"link": "https://a.example/x", "headline": "Alias", "body": "<p>b</p>",
                                              "date": "2024-07-01", "author": {"name": "Jo Kim"}})))
    fields = ("url", "title", "content_html", "raw_published", "authors")
    assert [article[field] for field in fields] == ["https://a.example/x", "Alias", "<p>b</p>", "2024-07-01", ["Jo Kim"]]


def test_configured_source_id_tags_and_language_win_over_the_line() -> None:
    (article,) = parse_jsonl(make_raw(jsonl({**STORY, "source": "from-line", "language": "de", "tags": ["t"]}),
                                      source_id="lakeside", language_hint="sv", tags=["configured"]))
    assert article["source_id"] == "lakeside"
    assert article["language_hint"] == "sv"
    assert article["tags"] == ["t", "configured"]


def test_invalid_json_line_is_an_error_naming_the_line_and_others_survive() -> None:
    body = jsonl(STORY) + b'{"url": "https://a.example/2", "title": \n' + jsonl({**STORY, "url": "https://a.example/3"})
    first, error, third = parse_jsonl(make_raw(body))
    assert first["kind"] == "article" and third["kind"] == "article"
    assert third["uri"] == "/in/export.jsonl#L3"
    assert error["kind"] == "error"
    assert error["error_type"] == "invalid_json"
    assert error["message"].startswith("line 2:")
    assert error["uri"] == "/in/export.jsonl#L2"
    assert error["raw_sha256"] == sha256_hex(body)


def test_blank_lines_are_skipped_but_still_counted() -> None:
    body = b"\n   \n" + jsonl(STORY) + b"\r\n" + b"not json\r\n"
    article, error = parse_jsonl(make_raw(body))
    assert article["uri"].endswith("#L3")
    assert error["message"].startswith("line 5:")


def test_line_that_is_not_an_object_is_an_error() -> None:
    records = parse_jsonl(make_raw(b'["https://a.example/1", "title"]\n"just a string"\n42\nnull\n'))
    assert [record["error_type"] for record in records] == ["not_an_object"] * 4
    assert len({record["error_id"] for record in records}) == 4


def test_object_without_url_title_or_html_is_a_missing_fields_error() -> None:
    (error,) = parse_jsonl(make_raw(jsonl({"published": "2024-07-01", "authors": ["x"], "url": ""})))
    assert error["error_type"] == "missing_fields"
    assert error["message"].startswith("line 1:")


def test_lone_surrogate_is_replaced_so_the_text_encodes_to_utf8() -> None:
    body = b'{"url": "https://a.example/1", "title": "Broken \\ud800 pair", "authors": ["\\udfff"]}\n'
    (article,) = parse_jsonl(make_raw(body))
    assert article["title"] == "Broken \ufffd pair"
    article["title"].encode("utf-8")
    article["authors"][0].encode("utf-8")


def test_valid_surrogate_pair_is_kept() -> None:
    (article,) = parse_jsonl(make_raw(b'{"url": "https://a.example/1", "title": "Sail \\ud83d\\udea2"}\n'))
    assert article["title"] == "Sail \U0001f6a2"


def test_repair_surrogates_reaches_keys_and_nested_values() -> None:
    repaired = repair_surrogates({"\udc80key": [{"deep": "\ud800"}], "n": 3})
    assert repaired == {"\ufffdkey": [{"deep": "\ufffd"}], "n": 3}


def test_bom_at_start_of_file_is_ignored() -> None:
    (article,) = parse_jsonl(make_raw(b"\xef\xbb\xbf" + jsonl(STORY)))
    assert article["kind"] == "article"
    assert article["title"] == "Regatta postponed"


def test_unicode_line_separators_inside_strings_do_not_split_a_line() -> None:
    title = "Regatta\u2028postponed\u2029again\x85and\x0cagain"
    body = json.dumps({**STORY, "title": title}, ensure_ascii=False).encode("utf-8") + b"\n"
    (article,) = parse_jsonl(make_raw(body))
    assert article["kind"] == "article"
    assert article["title"] == title


def lines_ended_by(line_end: bytes, *lines: bytes) -> bytes:
    return b"".join(line + line_end for line in lines)


@pytest.mark.parametrize("line_end", [b"\r", b"\r\n", b"\n"], ids=["cr", "crlf", "lf"])
def test_every_line_end_separates_records_and_numbers_lines(line_end: bytes) -> None:
    second = json.dumps({**STORY, "url": "https://a.example/2"}).encode()
    body = lines_ended_by(line_end, json.dumps(STORY).encode(), b"", b"not json", second)
    first, error, fourth = parse_jsonl(make_raw(body))
    assert [first["url"], fourth["url"]] == [STORY["url"], "https://a.example/2"]
    assert [first["uri"], fourth["uri"]] == ["/in/export.jsonl#L1", "/in/export.jsonl#L4"]
    assert (error["error_type"], error["uri"]) == ("invalid_json", "/in/export.jsonl#L3")


def test_mixed_line_ends_count_each_line_once() -> None:
    story = json.dumps(STORY).encode()
    # CR, then CRLF (one line end, not two), then LF, then CR CR (an empty line between)
    body = story + b"\r" + b"not json" + b"\r\n" + story + b"\n" + story + b"\r\r" + b"[1" + b"\n"
    records = parse_jsonl(make_raw(body))
    assert [record["uri"].rsplit("#", 1)[1] for record in records] == ["L1", "L2", "L3", "L4", "L6"]
    assert [record["kind"] for record in records] == ["article", "error", "article", "article", "error"]


def test_escaped_carriage_return_inside_a_string_stays_in_the_record() -> None:
    body = lines_ended_by(b"\r", json.dumps({**STORY, "title": "Regatta\r\npostponed"}).encode())
    (article,) = parse_jsonl(make_raw(body))
    assert article["title"] == "Regatta\r\npostponed"


def test_file_without_any_line_is_one_empty_input_error() -> None:
    (error,) = parse_jsonl(make_raw(b"\n\n  \n"))
    assert error["error_type"] == "empty_input"


# --- JSON Feed -------------------------------------------------------------------------------------

JSON_FEED = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Lakeside Notes",
    "home_page_url": "https://www.lakeside.example.org/",
    "feed_url": "https://www.lakeside.example.org/feed.json",
    "language": "sv",
    "items": [
        {"id": "https://www.lakeside.example.org/n/1", "url": "https://www.lakeside.example.org/n/1",
         "title": "Ice is out", "content_html": "<p>The lake is open.</p>", "summary": "Open water",
         "date_published": "2024-04-02T08:00:00+02:00", "date_modified": "2024-04-02T09:00:00+02:00",
         "authors": [{"name": "Pia Holm"}, {"name": "Ola Berg", "url": "https://x.example"}], "tags": ["ice"]},
        {"id": "n-2", "title": "Second item", "content_html": "<p>Text.</p>"},
    ],
}


def test_json_feed_11_items_become_drafts() -> None:
    first, second = parse_json_feed(make_raw(json.dumps(JSON_FEED).encode(), uri="/in/feed.json"))
    assert first["document_type"] == "json_feed"
    assert first["url"] == "https://www.lakeside.example.org/n/1"
    assert first["guid"] == "https://www.lakeside.example.org/n/1"
    assert first["title"] == "Ice is out"
    assert first["content_html"] == "<p>The lake is open.</p>"
    assert first["summary_html"] == "Open water"
    assert first["raw_published"] == "2024-04-02T08:00:00+02:00"
    assert first["raw_updated"] == "2024-04-02T09:00:00+02:00"
    assert first["authors"] == ["Pia Holm", "Ola Berg"]
    assert first["tags"] == ["ice"]
    assert first["language_hint"] == "sv"
    assert first["feed_url"] == "https://www.lakeside.example.org/feed.json"
    assert first["source_id"] == "lakeside.example.org"
    assert second["guid"] == "n-2"
    assert second["source_id"] == "lakeside.example.org"


def test_json_feed_10_single_author_is_read() -> None:
    feed = {"version": "https://jsonfeed.org/version/1", "items": [
        {"id": "1", "url": "https://a.example/1", "content_html": "<p>x</p>", "author": {"name": "Kim Lund"}}]}
    (article,) = parse_json_feed(make_raw(json.dumps(feed).encode()))
    assert article["authors"] == ["Kim Lund"]


def test_author_strings_give_one_name_per_person() -> None:
    line = {**STORY, "author": "By Pia Holm and Ola Berg, Lakeside Press"}
    (article,) = parse_jsonl(make_raw(jsonl(line)))
    assert article["authors"] == ["Pia Holm", "Ola Berg"]


def test_json_feed_text_only_item_keeps_its_text() -> None:
    feed = {"version": "https://jsonfeed.org/version/1.1", "items": [
        {"id": "1", "url": "https://a.example/1", "content_text": "First paragraph <not a tag>.\n\nSecond & last."}]}
    (article,) = parse_json_feed(make_raw(json.dumps(feed).encode()))
    assert "First paragraph &lt;not a tag&gt;." in article["content_html"]
    assert "Second &amp; last." in article["content_html"]


def test_json_feed_without_items_is_an_empty_feed_error() -> None:
    for feed in ({"version": "https://jsonfeed.org/version/1.1", "title": "x"},
                 {"version": "https://jsonfeed.org/version/1.1", "items": []},
                 {"version": "https://jsonfeed.org/version/1.1", "items": "not a list"}):
        (error,) = parse_json_feed(make_raw(json.dumps(feed).encode()))
        assert error["kind"] == "error"
        assert error["error_type"] == "empty_feed"


def test_json_feed_that_is_not_json_is_an_invalid_json_error() -> None:
    (error,) = parse_json_feed(make_raw(b'{"version": "https://jsonfeed.org/version/1.1", "items": [}'))
    assert error["error_type"] == "invalid_json"


def test_json_feed_item_that_is_not_an_object_is_an_error_and_others_survive() -> None:
    feed = {"version": "https://jsonfeed.org/version/1.1", "items": ["nope", JSON_FEED["items"][1]]}
    error, article = parse_json_feed(make_raw(json.dumps(feed).encode()))
    assert error["error_type"] == "not_an_object"
    assert article["kind"] == "article"


def test_json_feed_item_with_nothing_in_it_is_an_empty_item_error() -> None:
    feed = {"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "only-an-id"}, {}, JSON_FEED["items"][1]]}
    first, second, article = parse_json_feed(make_raw(json.dumps(feed).encode()))
    assert (first["kind"], first["error_type"]) == ("error", "empty_item")
    assert (second["kind"], second["error_type"]) == ("error", "empty_item")
    assert first["error_id"] != second["error_id"]
    assert article["kind"] == "article"


def test_json_feed_lone_surrogate_and_bom_are_handled() -> None:
    body = (b'\xef\xbb\xbf{"version": "https://jsonfeed.org/version/1.1", '
            b'"items": [{"id": "1", "title": "x \\udc00 y"}]}')
    (article,) = parse_json_feed(make_raw(body))
    assert article["title"] == "x \ufffd y"


# --- Whole JSON documents ------------------------------------------------------------------------------


def test_pretty_printed_article_object_is_one_article_not_an_error_per_line() -> None:
    records = parse_jsonl(make_raw(json.dumps(STORY, indent=2).encode("utf-8"), uri="/in/story.json"))
    assert [record["kind"] for record in records] == ["article"]
    assert records[0]["title"] == "Regatta postponed" and records[0]["document_type"] == "json"


def test_pretty_printed_array_gives_one_draft_per_article_object() -> None:
    other = {**STORY, "url": "https://www.lakeside.example.org/2024/07/ferry", "title": "Ferry timetable"}
    records = parse_jsonl(make_raw(json.dumps([STORY, other, 7], indent=1).encode("utf-8")))
    assert [record["kind"] for record in records] == ["article", "article", "error"]
    assert records[1]["uri"] == "/in/export.jsonl#2"
    assert records[2]["error_type"] == "not_an_object"


def test_pretty_printed_api_response_without_title_or_text_is_one_error() -> None:
    response = {"args": {}, "headers": {"Host": "api.lakeside.example.org"}, "origin": "192.0.2.7",
                "url": "https://api.lakeside.example.org/anything"}
    records = parse_jsonl(make_raw(json.dumps(response, indent=2).encode("utf-8")))
    assert [(record["kind"], record.get("error_type")) for record in records] == [("error", "not_an_article")]


def test_compact_array_on_one_line_gives_one_draft_per_article_object() -> None:
    # json.dump(articles, file): the commonest export of a list, read as one JSON line it was one error
    other = {**STORY, "url": "https://www.lakeside.example.org/2024/07/ferry", "title": "Ferry timetable"}
    records = parse_jsonl(make_raw(json.dumps([STORY, other, 7]).encode("utf-8"), uri="/in/export.json"))
    assert [record["kind"] for record in records] == ["article", "article", "error"]
    assert [record.get("title") for record in records[:2]] == ["Regatta postponed", "Ferry timetable"]
    assert records[1]["uri"] == "/in/export.json#2"
    assert records[2]["error_type"] == "not_an_object"


def test_plain_text_field_is_the_body() -> None:
    # "text" holds the article's plain text in trafilatura's JSON output and in news corpora (cc_news): it
    # was ignored, and the article landed without a body
    line = {"url": STORY["url"], "title": "Regatta postponed", "date": "2024-07-01",
            "text": "High winds forced the organisers to wait.\n\nThe race is now on Sunday & Monday."}
    (article,) = parse_jsonl(make_raw(jsonl(line)))
    assert article["content_html"] == ("<p>High winds forced the organisers to wait.</p>"
                                       "<p>The race is now on Sunday &amp; Monday.</p>")
    (only_text,) = parse_jsonl(make_raw(jsonl({"text": "Only a text."})))
    assert only_text["kind"] == "article" and only_text["content_html"] == "<p>Only a text.</p>"


def test_news_please_output_is_read_by_its_own_field_names() -> None:
    # news-please writes one JSON object per article with these names; its "url" and "title" are the common ones
    article_json = {"url": STORY["url"], "title": "Regatta postponed", "maintext": "High winds forced a wait.",
                    "description": "Wait for Sunday", "date_publish": "2024-07-01 09:00:00",
                    "date_modify": "2024-07-01 10:00:00", "source_domain": "lakeside.example.org",
                    "authors": ["Pia Holm"], "language": "sv", "image_url": "https://cdn.example/regatta.jpg"}
    (article,) = parse_jsonl(make_raw(json.dumps(article_json).encode()))
    assert (article["content_html"], article["summary_html"]) == ("<p>High winds forced a wait.</p>", "Wait for Sunday")
    assert (article["raw_published"], article["raw_updated"]) == ("2024-07-01 09:00:00", "2024-07-01 10:00:00")
    assert article["images"] == ["https://cdn.example/regatta.jpg"]
    (without_url,) = parse_jsonl(make_raw(jsonl({**article_json, "url": None})))
    assert without_url["source_id"] == "lakeside.example.org"


def test_booleans_are_no_text() -> None:
    (article,) = parse_jsonl(make_raw(jsonl({**STORY, "title": True, "html": None, "text": False, "published": True})))
    assert (article["title"], article["content_html"], article["raw_published"]) == (None, None, None)


def test_json_lines_whose_first_line_is_broken_stay_lines() -> None:
    body = b'{"url": "https://www.lakeside.example.org/a", "title": "A"\n' + jsonl(STORY)
    records = parse_jsonl(make_raw(body))
    assert [record["kind"] for record in records] == ["error", "article"]


def test_json_feed_item_links_are_made_absolute_against_the_feeds_own_url() -> None:
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Lakeside",
            "feed_url": "https://www.lakeside.example.org/feed.json",
            "items": [{"id": "1", "url": "/n/1", "title": "Ice report"},
                      {"id": "urn:lakeside:2", "title": "No page", "content_text": "Text only."}]}
    first, second = parse_json_feed(make_raw(json.dumps(feed).encode(), uri="/in/feed.json"))
    assert first["url"] == "https://www.lakeside.example.org/n/1"
    assert second["url"] is None


# --- News APIs' shapes ---------------------------------------------------------------------------------
# One record per API, written for these tests with each API's field names and date formats.

def parse_one(record: dict[str, Any], **provenance: Any) -> dict[str, Any]:
    (article,) = parse_jsonl(make_raw(jsonl(record), **provenance))
    assert article["kind"] == "article", article
    return article


NEWSAPI_ARTICLE = {
    "source": {"id": "example-times", "name": "Example Times"}, "author": "Jane Roe",
    "title": "Dockers vote to end the harbour strike - Example Times",
    "description": "The port reopens on Monday after nine days.",
    "url": "https://www.example-times.com/2026/12/06/dockers-vote",
    "urlToImage": "https://cdn.example-times.com/2026/12/dockers.jpg", "publishedAt": "2026-12-06T12:30:00Z",
    "content": "Dockers voted on Saturday to end the strike that closed the harbour for nine days… [+1234 chars]",
}


def test_newsapi_article() -> None:
    article = parse_one(NEWSAPI_ARTICLE)
    assert article["url"] == "https://www.example-times.com/2026/12/06/dockers-vote"
    assert article["source_id"] == "example-times.com"  # the URL's host, as for every input
    assert (article["publisher"], article["publisher_url"]) == ("Example Times", None)
    assert article["title"] == "Dockers vote to end the harbour strike"  # the " - Example Times" suffix dropped
    assert article["summary_html"] == "The port reopens on Monday after nine days."
    assert article["content_html"] == ("<p>Dockers voted on Saturday to end the strike that closed the harbour for "
                                       "nine days</p>")
    assert article["quality_flags"] == ["body_truncated_by_source"]
    assert article["raw_published"] == "2026-12-06T12:30:00Z"
    assert article["authors"] == ["Jane Roe"]
    assert article["images"] == ["https://cdn.example-times.com/2026/12/dockers.jpg"]
    assert article["language_hint"] is None


def test_newsapi_response_file_gives_one_draft_per_article_and_an_error_for_a_removed_one() -> None:
    removed = {"source": {"id": None, "name": "[Removed]"}, "author": None, "title": "[Removed]",
               "description": "[Removed]", "url": "https://removed.com", "urlToImage": None,
               "publishedAt": "1970-01-01T00:00:00Z", "content": "[Removed]"}
    second = {**NEWSAPI_ARTICLE, "url": "https://www.example-times.com/2026/12/06/ferries", "title": "Ferries resume"}
    response = {"status": "ok", "totalResults": 3, "articles": [NEWSAPI_ARTICLE, removed, second]}
    for body in (json.dumps(response).encode(), json.dumps(response, indent=2).encode()):  # as saved, or pretty
        first, error, third = parse_jsonl(make_raw(body, uri="/in/newsapi.json"))
        assert (first["document_type"], first["uri"]) == ("json", "/in/newsapi.json#1")
        assert first["publisher"] == "Example Times"
        assert (error["kind"], error["error_type"]) == ("error", "removed_by_source")
        assert error["uri"] == "/in/newsapi.json#2"
        assert third["title"] == "Ferries resume" and third["uri"] == "/in/newsapi.json#3"


def test_gnews_article_with_its_source_url() -> None:
    article = parse_one({
        "title": "Ferry timetable changes", "description": "Winter sailings start.",
        "content": "The winter timetable starts on Monday with two sailings a day... [1514 chars]",
        "url": "https://harbour.example.net/ferries", "image": "https://harbour.example.net/ferry.jpg",
        "publishedAt": "2026-12-05T08:00:00Z",
        "source": {"name": "Harbour News", "url": "https://harbour.example.net"}})
    assert (article["publisher"], article["publisher_url"]) == ("Harbour News", "https://harbour.example.net")
    assert article["content_html"] == "<p>The winter timetable starts on Monday with two sailings a day</p>"
    assert article["quality_flags"] == ["body_truncated_by_source"]
    assert article["images"] == ["https://harbour.example.net/ferry.jpg"]


GDELT_ARTICLE = {"url": "https://www.harbour-herald.example/news/strike-ends", "url_mobile": "",
                 "title": "Harbour strike ends after nine days", "seendate": "20261206T110000Z",
                 "socialimage": "https://www.harbour-herald.example/img/strike.jpg",
                 "domain": "harbour-herald.example", "language": "English", "sourcecountry": "United Kingdom"}


def test_gdelt_doc_api_article() -> None:
    article = parse_one(GDELT_ARTICLE)
    assert article["url"] == "https://www.harbour-herald.example/news/strike-ends"
    assert article["title"] == "Harbour strike ends after nine days"
    assert article["raw_published"] == "20261206T110000Z"
    assert article["images"] == ["https://www.harbour-herald.example/img/strike.jpg"]
    assert article["language_hint"] == "en"  # "English" is a name: its code
    assert article["publisher"] is None  # GDELT names a source by its domain alone: no name, source_id has it
    assert article["source_id"] == "harbour-herald.example"
    assert (article["content_html"], article["summary_html"]) == (None, None)


GUARDIAN_RESULT = {
    "id": "world/2026/dec/06/harbour-strike-ends", "type": "article", "sectionId": "world",
    "sectionName": "World news", "webPublicationDate": "2026-12-06T10:15:00Z",
    "webTitle": "Harbour strike ends as dockers accept pay offer",
    "webUrl": "https://www.theguardian.com/world/2026/dec/06/harbour-strike-ends",
    "apiUrl": "https://content.guardianapis.com/world/2026/dec/06/harbour-strike-ends",
    "fields": {"headline": "Harbour strike ends as dockers accept pay offer",
               "trailText": "Union members vote <strong>by a wide margin</strong> to return to work",
               "byline": "Jane Roe and John Doe", "body": "<p>Dockers voted on Saturday to accept the offer.</p>",
               "bodyText": "Dockers voted on Saturday to accept the offer.", "lang": "en",
               "thumbnail": "https://media.guim.co.uk/abc/0_0_3000_1800/500.jpg",
               "lastModified": "2026-12-06T11:00:00Z", "publication": "The Guardian"},
    "tags": [{"id": "world/strikes", "type": "keyword", "webTitle": "Strikes"},
             {"id": "profile/jane-roe", "type": "contributor", "webTitle": "Jane Roe"}],
    "isHosted": False, "pillarId": "pillar/news", "pillarName": "News",
}


def test_guardian_content_api_result() -> None:
    article = parse_one(GUARDIAN_RESULT)
    assert article["url"] == "https://www.theguardian.com/world/2026/dec/06/harbour-strike-ends"
    assert article["guid"] == "world/2026/dec/06/harbour-strike-ends"
    assert article["title"] == "Harbour strike ends as dockers accept pay offer"
    assert article["summary_html"] == "Union members vote <strong>by a wide margin</strong> to return to work"
    assert article["content_html"] == "<p>Dockers voted on Saturday to accept the offer.</p>"  # HTML over text
    assert (article["raw_published"], article["raw_updated"]) == ("2026-12-06T10:15:00Z", "2026-12-06T11:00:00Z")
    assert article["authors"] == ["Jane Roe", "John Doe"]
    assert article["tags"] == ["Strikes", "World news"]  # keyword tags and the section; no contributor
    assert article["images"] == ["https://media.guim.co.uk/abc/0_0_3000_1800/500.jpg"]
    assert article["language_hint"] == "en"
    assert article["publisher"] == "The Guardian"


def test_guardian_search_response_and_single_item_response() -> None:
    search = {"response": {"status": "ok", "userTier": "developer", "total": 2, "startIndex": 1, "pageSize": 10,
                           "currentPage": 1, "pages": 1, "orderBy": "newest",
                           "results": [GUARDIAN_RESULT, {**GUARDIAN_RESULT, "webTitle": "Second", "fields": {}}]}}
    first, second = parse_jsonl(make_raw(json.dumps(search, indent=2).encode(), uri="/in/guardian.json"))
    assert (first["title"], second["title"], second["uri"]) == (
        "Harbour strike ends as dockers accept pay offer", "Second", "/in/guardian.json#2")
    single = {"response": {"status": "ok", "userTier": "developer", "total": 1, "content": GUARDIAN_RESULT}}
    (article,) = parse_jsonl(make_raw(json.dumps(single).encode(), uri="/in/item.json"))
    assert (article["kind"], article["uri"]) == ("article", "/in/item.json")


NYT_DOC = {
    "abstract": "Dockers accepted a pay offer on Saturday.", "snippet": "Dockers accepted a pay offer.",
    "web_url": "https://www.nytimes.com/2026/12/06/world/europe/harbour-strike.html",
    "lead_paragraph": "The strike that closed the harbour ended on Saturday.", "source": "The New York Times",
    "multimedia": [{"rank": 0, "subtype": "xlarge", "type": "image", "height": 400, "width": 600,
                    "url": "images/2026/12/06/world/06harbour/06harbour-articleLarge.jpg"},
                   {"rank": 0, "subtype": "video", "type": "video", "url": "video/2026/12/06/harbour.mp4"}],
    "headline": {"main": "Harbour Strike Ends After Nine Days", "kicker": None, "print_headline": "Strike Ends"},
    "keywords": [{"name": "subject", "value": "Strikes", "rank": 1, "major": "N"},
                 {"name": "glocations", "value": "Europe", "rank": 2, "major": "N"}],
    "pub_date": "2026-12-06T09:00:00+0000", "document_type": "article", "news_desk": "Foreign",
    "section_name": "World", "byline": {"original": "By Jane Roe and John Doe", "person": [], "organization": None},
    "type_of_material": "News", "_id": "nyt://article/0f3c2a9e-0000-4000-8000-000000000001", "word_count": 900,
    "uri": "nyt://article/0f3c2a9e-0000-4000-8000-000000000001",
}


def test_nyt_article_search_doc() -> None:
    article = parse_one(NYT_DOC)
    assert article["url"] == "https://www.nytimes.com/2026/12/06/world/europe/harbour-strike.html"
    assert article["guid"] == "nyt://article/0f3c2a9e-0000-4000-8000-000000000001"
    assert article["title"] == "Harbour Strike Ends After Nine Days"
    assert article["summary_html"] == "Dockers accepted a pay offer on Saturday."
    assert article["content_html"] is None
    assert article["raw_published"] == "2026-12-06T09:00:00+0000"
    assert article["authors"] == ["Jane Roe", "John Doe"]
    assert article["tags"] == ["Strikes", "Europe", "World"]
    # a multimedia path is relative to the site's root, not to the article's folder; the video is no image
    assert article["images"] == ["https://www.nytimes.com/images/2026/12/06/world/06harbour/06harbour-articleLarge.jpg"]
    assert article["publisher"] == "The New York Times"


def test_nyt_response_and_the_2025_multimedia_object() -> None:
    doc = {**NYT_DOC, "multimedia": {"caption": "", "credit": "Jane Roe",
                                     "default": {"url": "https://static01.nyt.com/images/06harbour-jumbo.jpg"},
                                     "thumbnail": {"url": "https://static01.nyt.com/images/06harbour-thumb.jpg"}}}
    response = {"status": "OK", "copyright": "Copyright (c) 2026", "response": {"docs": [doc], "meta": {"hits": 1}}}
    (article,) = parse_jsonl(make_raw(json.dumps(response).encode(), uri="/in/nyt.json"))
    assert article["images"] == ["https://static01.nyt.com/images/06harbour-jumbo.jpg"]


def test_mediastack_article() -> None:
    article = parse_one({"author": "Jane Roe", "title": "Harbour reopens", "description": "Ships are moving again.",
                         "url": "https://harbour-herald.example/reopens", "source": "Harbour Herald",
                         "image": "https://harbour-herald.example/reopens.jpg", "category": "general",
                         "language": "en", "country": "gb", "published_at": "2026-12-06T13:00:00+00:00"})
    assert (article["publisher"], article["language_hint"], article["tags"]) == ("Harbour Herald", "en", ["general"])
    assert article["raw_published"] == "2026-12-06T13:00:00+00:00"
    assert article["images"] == ["https://harbour-herald.example/reopens.jpg"]


def test_newsdata_article_with_plan_placeholders() -> None:
    article = parse_one({
        "article_id": "5f1c0e", "title": "Harbour reopens", "link": "https://harbour-herald.example/reopens",
        "keywords": ["ports", "strikes"], "creator": ["Jane Roe"], "description": "Ships are moving again.",
        "content": "ONLY AVAILABLE IN PAID PLANS", "pubDate": "2026-12-06 13:00:00", "pubDateTZ": "UTC",
        "image_url": "https://harbour-herald.example/reopens.jpg", "source_id": "harbourherald",
        "source_name": "Harbour Herald", "source_url": "https://harbour-herald.example", "language": "english",
        "country": ["united kingdom"], "category": ["top"],
        "sentiment": "ONLY AVAILABLE IN PROFESSIONAL AND CORPORATE PLANS"})
    assert article["url"] == "https://harbour-herald.example/reopens"
    assert article["content_html"] is None  # the placeholder is no text
    assert (article["publisher"], article["publisher_url"]) == ("Harbour Herald", "https://harbour-herald.example")
    assert (article["raw_published"], article["language_hint"]) == ("2026-12-06 13:00:00", "en")
    assert (article["authors"], article["tags"]) == (["Jane Roe"], ["ports", "strikes", "top"])


def test_event_registry_articles_response() -> None:
    item = {"uri": "8123456789", "lang": "eng", "isDuplicate": False, "date": "2026-12-06", "time": "10:40:00",
            "dateTime": "2026-12-06T10:42:00Z", "dateTimePub": "2026-12-06T10:40:00Z", "dataType": "news",
            "url": "https://harbour-herald.example/strike", "title": "Strike ends",
            "body": "Dockers voted on Saturday.\n\nThe port reopens on Monday.",
            "source": {"uri": "harbour-herald.example", "dataType": "news", "title": "Harbour Herald"},
            "authors": [{"uri": "jane_roe@harbour-herald.example", "name": "Jane Roe", "type": "author"}],
            "image": "https://harbour-herald.example/strike.jpg", "sentiment": 0.2}
    response = {"articles": {"results": [item], "totalResults": 1, "page": 1, "count": 1, "pages": 1}}
    (article,) = parse_jsonl(make_raw(json.dumps(response).encode(), uri="/in/er.json"))
    assert article["raw_published"] == "2026-12-06T10:40:00Z"  # the publisher's time, not when it was seen
    assert article["content_html"] == "<p>Dockers voted on Saturday.</p><p>The port reopens on Monday.</p>"
    assert (article["publisher"], article["language_hint"]) == ("Harbour Herald", "en")  # "eng" is ISO 639-2
    assert (article["authors"], article["guid"]) == (["Jane Roe"], "8123456789")
    assert article["images"] == ["https://harbour-herald.example/strike.jpg"]


def test_webz_io_post() -> None:
    post = {"thread": {"uuid": "a1b2", "url": "https://harbour-herald.example/strike",
                       "site_full": "www.harbour-herald.example", "site": "harbour-herald.example", "section_title": "News", "title": "Strike ends",
                       "published": "2026-12-06T12:40:00.000+02:00", "site_type": "news", "country": "GB",
                       "main_image": "https://harbour-herald.example/strike.jpg"},
            "uuid": "a1b2", "url": "https://harbour-herald.example/strike", "ord_in_thread": 0, "author": "Jane Roe",
            "published": "2026-12-06T12:40:00.000+02:00", "title": "Strike ends",
            "text": "Dockers voted on Saturday.\nThe port reopens.", "language": "english",
            "crawled": "2026-12-06T13:00:00.000+02:00", "categories": ["Economy, Business and Finance"]}
    response = {"posts": [post], "totalResults": 1, "moreResultsAvailable": 0}
    (article,) = parse_jsonl(make_raw(json.dumps(response).encode()))
    assert article["raw_published"] == "2026-12-06T12:40:00.000+02:00"
    assert article["content_html"] == "<p>Dockers voted on Saturday.\nThe port reopens.</p>"
    assert (article["publisher"], article["language_hint"], article["guid"]) == (None, "en", "a1b2")  # a host only
    assert (article["authors"], article["images"]) == (["Jane Roe"], ["https://harbour-herald.example/strike.jpg"])


def test_media_cloud_story() -> None:
    article = parse_one({"stories_id": 2718, "media_id": 1, "media_name": "Harbour Herald",
                         "media_url": "https://harbour-herald.example/", "publish_date": "2026-12-06 10:40:00",
                         "collect_date": "2026-12-06 11:00:00", "title": "Strike ends",
                         "url": "https://harbour-herald.example/strike", "language": "en"})
    assert (article["publisher"], article["publisher_url"]) == ("Harbour Herald", "https://harbour-herald.example/")
    assert (article["raw_published"], article["language_hint"]) == ("2026-12-06 10:40:00", "en")


def test_feedly_entry_with_epoch_milliseconds() -> None:
    entry = {"id": "feedly-entry-1", "originId": "https://harbour-herald.example/?p=1", "fingerprint": "ab12",
             "title": "Strike ends", "published": 1796551200000, "updated": 1796554800000, "crawled": 1796555000000,
             "alternate": [{"href": "https://harbour-herald.example/strike", "type": "text/html"}],
             "origin": {"streamId": "feed/https://harbour-herald.example/feed", "title": "Harbour Herald",
                        "htmlUrl": "https://harbour-herald.example/"},
             "summary": {"content": "<p>Dockers voted.</p>", "direction": "ltr"},
             "content": {"content": "<p>Dockers voted on Saturday.</p>", "direction": "ltr"},
             "author": "Jane Roe", "visual": {"url": "none"}, "keywords": ["Ports"], "language": "en", "unread": True}
    stream = {"id": "feed/https://harbour-herald.example/feed", "title": "Harbour Herald", "updated": 1796555000000,
              "items": [entry]}
    (article,) = parse_jsonl(make_raw(json.dumps(stream).encode()))
    assert article["url"] == "https://harbour-herald.example/strike"
    assert (article["raw_published"], article["raw_updated"]) == ("2026-12-06T10:00:00Z", "2026-12-06T11:00:00Z")
    assert article["summary_html"] == "<p>Dockers voted.</p>"
    assert article["content_html"] == "<p>Dockers voted on Saturday.</p>"
    assert (article["publisher"], article["publisher_url"]) == ("Harbour Herald", "https://harbour-herald.example/")
    assert article["images"] == []  # Feedly's "none" is no picture
    assert (article["tags"], article["authors"]) == (["Ports"], ["Jane Roe"])


def test_diffbot_article_api_response() -> None:
    response = {"request": {"pageUrl": "https://harbour-herald.example/strike", "api": "article"}, "objects": [{
        "type": "article", "title": "Strike ends", "text": "Dockers voted on Saturday.",
        "html": "<p>Dockers voted on Saturday.</p>", "date": "Sun, 06 Dec 2026 10:40:00 GMT", "author": "Jane Roe",
        "siteName": "Harbour Herald", "pageUrl": "https://harbour-herald.example/strike?ref=rss",
        "resolvedPageUrl": "https://harbour-herald.example/strike", "humanLanguage": "en",
        "images": [{"url": "https://harbour-herald.example/strike.jpg", "primary": True, "title": "Dockers"}],
        "tags": [{"label": "Strike action", "score": 0.9, "uri": "https://diffbot.example/entity/1"}]}]}
    (article,) = parse_jsonl(make_raw(json.dumps(response).encode()))
    assert article["url"] == "https://harbour-herald.example/strike"
    assert article["raw_published"] == "Sun, 06 Dec 2026 10:40:00 GMT"
    assert article["content_html"] == "<p>Dockers voted on Saturday.</p>"  # HTML over its text
    assert (article["publisher"], article["language_hint"]) == ("Harbour Herald", "en")
    assert article["authors"] == ["Jane Roe"]
    assert (article["images"], article["tags"]) == (["https://harbour-herald.example/strike.jpg"], ["Strike action"])


# --- Responses, errors and odd values ------------------------------------------------------------------

def test_json_lines_of_saved_responses_give_every_article_with_its_line_and_place() -> None:
    body = jsonl({"articles": [GDELT_ARTICLE, {**GDELT_ARTICLE, "url": "https://www.harbour-herald.example/b"}]},
                 {"status": "ok", "totalResults": 0, "articles": []}, STORY)
    first, second, empty, story = parse_jsonl(make_raw(body))
    assert [first["uri"], second["uri"], story["uri"]] == ["/in/export.jsonl#L1.1", "/in/export.jsonl#L1.2",
                                                           "/in/export.jsonl#L3"]
    assert (empty["kind"], empty["error_type"], empty["uri"]) == ("error", "empty_input", "/in/export.jsonl#L2")
    assert "articles list is empty" in empty["message"]


def test_a_list_of_saved_responses_is_read_too() -> None:
    body = json.dumps([{"articles": [GDELT_ARTICLE]}, {"articles": [NEWSAPI_ARTICLE]}]).encode()
    gdelt, newsapi = parse_jsonl(make_raw(body, uri="/in/pages.json"))
    assert (gdelt["uri"], newsapi["uri"]) == ("/in/pages.json#1.1", "/in/pages.json#2.1")


@pytest.mark.parametrize("response", [
    {"status": "error", "code": "apiKeyInvalid", "message": "Your API key is invalid."},  # NewsAPI
    {"response": {"status": "error", "message": "Your API key is invalid."}},  # The Guardian
    {"fault": {"faultstring": "Your API key is invalid.", "detail": {"errorcode": "InvalidApiKey"}}},  # NYT
    {"error": {"code": "invalid_access_key", "message": "Your API key is invalid."}},  # Mediastack
    {"status": "error", "results": {"message": "Your API key is invalid.", "code": "Unauthorized"}},  # NewsData
])
def test_an_api_error_response_is_one_error_with_its_message(response: dict[str, Any]) -> None:
    for body in (json.dumps(response).encode(), json.dumps(response, indent=2).encode()):
        (error,) = parse_jsonl(make_raw(body))
        assert (error["kind"], error["error_type"]) == ("error", "api_error")
        assert "Your API key is invalid." in error["message"]


def test_epoch_numbers_in_seconds_and_milliseconds_are_times() -> None:
    assert parse_one({**STORY, "published": 1796551200})["raw_published"] == "2026-12-06T10:00:00Z"
    assert parse_one({**STORY, "published": 1796551200.5})["raw_published"] == "2026-12-06T10:00:00.500000Z"
    assert parse_one({**STORY, "published": 1796551200000})["raw_published"] == "2026-12-06T10:00:00Z"
    # 9 digits: seconds before September 2001, which a string of digits would not say
    assert parse_one({**STORY, "published": 946684800})["raw_published"] == "2000-01-01T00:00:00Z"
    assert parse_one({**STORY, "published": 10 ** 30})["raw_published"] == str(10 ** 30)  # no time: kept as written
    assert parse_one({**STORY, "published": "1796551200000"})["raw_published"] == "1796551200000"  # a string stays


@pytest.mark.parametrize(("value", "code"), [
    ("English", "en"), ("english", "en"), ("Spanish", "es"), ("eng", "en"), ("deu", "de"), ("pt-BR", "pt-BR"),
    ("Klingon-ish", None), (12, None), (["en"], None), ("und", None),
])
def test_language_names_and_three_letter_codes_become_codes(value: Any, code: str | None) -> None:
    assert parse_one({**STORY, "language": value})["language_hint"] == code


def test_odd_types_in_the_fields_give_a_good_row() -> None:
    odd = {"url": 12345, "title": ["nested", ["list"]], "headline": {"main": 7}, "html": None, "text": 3.5,
           "published": None, "updated": [1, 2], "authors": [None, 5, {"name": ["x"]}, "Jane Roe"],
           "tags": [None, {"value": 3}, ["deep"], "ports"], "source": {"name": 5}, "urlToImage": ["x", 3],
           "multimedia": {"default": {"url": {"deep": "x"}}}, "language": None, "keywords": 42,
           "fields": [1, 2], "thread": "not an object", "alternate": [None]}
    (article,) = parse_jsonl(make_raw(jsonl({**odd, "summary": "Only a summary."})))
    assert article["kind"] == "article"
    assert (article["url"], article["title"], article["raw_published"], article["publisher"]) == (None, "7", None, None)
    assert article["content_html"] == "<p>3.5</p>"
    assert (article["authors"], article["tags"], article["images"]) == (["Jane Roe"], ["ports"], [])


def test_odd_types_with_nothing_usable_give_a_clear_error_row() -> None:
    odd = {"url": ["https://a.example/1"], "title": {"text": "x"}, "html": [["<p>x</p>"]], "text": None,
           "summary": False, "published": 1796551200}
    (line_error,) = parse_jsonl(make_raw(jsonl(odd)))
    assert (line_error["error_type"], line_error["message"]) == ("missing_fields", "line 1: no url, title or text")
    (item_error,) = parse_jsonl(make_raw(json.dumps(odd, indent=1).encode()))
    assert item_error["error_type"] == "not_an_article" and "keys: html, published" in item_error["message"]


def test_a_10_mb_string_in_a_one_line_field_is_dropped_and_flagged() -> None:
    huge = "x" * 10_000_000
    article = parse_one({**STORY, "title": huge, "published": huge, "language": huge, "guid": huge})
    assert (article["title"], article["raw_published"], article["language_hint"], article["guid"]) == (None,) * 4
    assert article["quality_flags"] == ["oversized_fields_removed"]
    assert article["url"] == STORY["url"] and article["content_html"] == STORY["html"]
    # the next alias is taken when the first is too long
    assert parse_one({**STORY, "title": huge, "headline": "Regatta postponed"})["title"] == "Regatta postponed"
    # a long body is the clean stage's to cut (html_truncated); tags, authors and publisher names have their limits
    article = parse_one({**STORY, "html": huge, "tags": [huge, "ok"], "author": huge, "source": {"name": huge}})
    assert article["content_html"] == f"<p>{huge}</p>" and article["quality_flags"] == []
    assert (article["tags"], article["publisher"]) == (["ok"], None)


def test_a_truncated_api_text_is_a_teaser_not_a_full_body() -> None:
    from transforms.full_text import attach_full_text
    from transforms.html_cleaning import clean_article
    from transforms.settings import TransformSettings

    long_cut = {**NEWSAPI_ARTICLE, "content": "Dockers voted to end the strike. " * 40 + "… [+5120 chars]"}
    settings = TransformSettings()
    for record, status in ((NEWSAPI_ARTICLE, "teaser_only"), (long_cut, "teaser_only"),
                           ({**long_cut, "content": long_cut["content"][:-16]}, "full")):
        article = attach_full_text(clean_article(parse_one(record), settings), settings)
        assert article["body_status"] == status
        assert "chars]" not in article["body_text"]


def test_an_article_with_a_list_of_objects_under_a_response_key_stays_an_article() -> None:
    article = parse_one({**STORY, "data": [{"title": "not an article of its own"}], "items": [{"x": 1}]})
    assert (article["title"], article["uri"]) == ("Regatta postponed", "/in/export.jsonl#L1")
