"""JSON Lines and JSON Feed: one draft per usable object, an error naming the line for each unusable one."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from transforms.json_documents import parse_json_feed, parse_jsonl, repair_surrogates
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
