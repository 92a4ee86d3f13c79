"""The parse stage's entry point: sniff the bytes, hand them to the right parser, or give one error."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from transforms.parsing import parse_document
from transforms.records import RawDocument, sha256_hex

FETCHED_AT = dt.datetime(2024, 8, 1, tzinfo=dt.timezone.utc)


def make_raw(body: bytes, uri: str = "/in/document", **provenance: Any) -> RawDocument:
    return RawDocument(kind="raw", uri=uri, body=body, fetched_at=FETCHED_AT, raw_sha256=sha256_hex(body),
                       raw_path=uri, tags=[], **provenance)


def test_feed_named_txt_is_parsed_as_a_feed() -> None:
    body = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
            b'<entry><title>Atom in a txt</title><id>tag:a.example,2024:1</id><link href="https://a.example/1"/>'
            b"<updated>2024-08-01T00:00:00Z</updated></entry></feed>")
    (article,) = parse_document(make_raw(body, uri="/in/export.txt"))
    assert (article["kind"], article["document_type"], article["title"]) == ("article", "atom", "Atom in a txt")


def test_html_page_is_parsed_as_a_page() -> None:
    (article,) = parse_document(make_raw(b"<html><head><title>Page</title></head><body><article><p>x</p></article>"
                                         b"</body></html>"))
    assert (article["document_type"], article["title"]) == ("html", "Page")


def test_json_lines_are_parsed_line_by_line() -> None:
    body = b'{"url": "https://a.example/1", "title": "One"}\n{"url": "https://a.example/2", "title": "Two"}\n'
    records = parse_document(make_raw(body, uri="/in/dump.json"))
    assert [(record["document_type"], record["title"]) for record in records] == [("jsonl", "One"), ("jsonl", "Two")]


def test_pretty_printed_json_feed_is_parsed_as_one_feed() -> None:
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "t",
            "items": [{"id": "1", "url": "https://a.example/1", "title": "Item"}]}
    (article,) = parse_document(make_raw(json.dumps(feed, indent=2).encode(), uri="/in/feed.json"))
    assert (article["document_type"], article["title"]) == ("json_feed", "Item")


@pytest.mark.parametrize(("body", "error_type"), [
    (b"", "empty_input"),
    (b" \n\t ", "empty_input"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary_content"),
    (b"Nothing but prose here.\n", "unknown_format"),
    (b"WARC/1.0\r\nWARC-Type: response\r\n\r\nHTTP/1.1 200 OK\r\n\r\n<html><body><p>Quay</p></body></html>",
     "web_archive"),
], ids=["empty", "whitespace", "png", "prose", "misnamed-warc"])
def test_unparseable_document_gives_one_error_with_provenance(body: bytes, error_type: str) -> None:
    (error,) = parse_document(make_raw(body, uri="/in/mystery", source_id="quay"))
    assert error["kind"] == "error"
    assert (error["stage"], error["error_type"]) == ("parse", error_type)
    assert (error["uri"], error["source_id"], error["raw_sha256"]) == ("/in/mystery", "quay", sha256_hex(body))
    assert error["occurred_at"] == FETCHED_AT


def test_podcast_episodes_sharing_the_show_link_are_separate_articles() -> None:
    items = "".join(f"<item><title>Episode {n}</title><link>https://quay-podcast.example/</link>"
                    f"<guid>https://quay-podcast.example/shows/{n}.mp3</guid></item>" for n in range(4))
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Quay</title>{items}</channel></rss>'.encode()
    records = parse_document(make_raw(body, uri="/in/podcast.xml"))
    assert len({record["link_discriminator"] for record in records}) == 4


def test_a_web_archive_where_a_document_was_expected_says_how_to_have_its_records_read() -> None:
    body = b"WARC/1.0\r\nWARC-Type: warcinfo\r\n\r\n"
    (error,) = parse_document(make_raw(body, uri="https://crawl.example/latest"))
    assert error["error_type"] == "web_archive" and "give the archive file itself" in error["message"]


def test_pages_kept_under_a_feedburner_redirect_still_reach_the_item_now_linked_by_its_orig_link() -> None:
    body = (b'<?xml version="1.0"?><rss version="2.0" xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0">'
            b"<channel><title>C</title><link>https://c.example/</link>"
            b"<item><title>Old</title><link>http://feeds.feedburner.com/~r/c/~3/1/</link>"
            b"<feedburner:origLink>https://c.example/old</feedburner:origLink></item>"
            b"<item><title>New</title><link>http://feeds.feedburner.com/~r/c/~3/2/</link>"
            b"<feedburner:origLink>https://c.example/new</feedburner:origLink></item></channel></rss>")
    redirect = "http://feeds.feedburner.com/~r/c/~3/1/"  # the key an earlier version filed the page under
    pages = {redirect: {"status": "fetched", "url": redirect},
             "https://c.example/new": {"status": "fetched", "url": "https://c.example/new"}}
    old, new = parse_document(make_raw(body, pages=pages))
    assert old["url"] == "https://c.example/old" and old["page"]["url"] == redirect
    assert new["page"]["url"] == "https://c.example/new"


def test_every_article_of_a_document_inherits_its_flags_once_and_errors_none() -> None:
    body = (b'{"url": "https://a.example/1", "title": "One"}\n{"title": broken\n'
            b'{"url": "https://a.example/2", "title": "Two"}\n')
    records = parse_document(make_raw(body, uri="/in/dump.jsonl", quality_flags=["warc_record_truncated"]))
    assert [(record["kind"], record.get("quality_flags")) for record in records if record["kind"] == "article"] == [
        ("article", ["warc_record_truncated"]), ("article", ["warc_record_truncated"])]
    errors = [record for record in records if record["kind"] == "error"]
    assert len(errors) == 1 and "quality_flags" not in errors[0]
    raw = make_raw(b"<html><head><title>P</title></head><body><article><p>x</p></article></body></html>",
                   quality_flags=["warc_record_truncated"])
    (article,) = parse_document(raw)
    assert article["quality_flags"].count("warc_record_truncated") == 1
