"""Item ids as their feed writes them, where feedparser resolved them against the feed's URL."""

from __future__ import annotations

import io

import feedparser

from transforms.feed_ids import MAX_BASES, written_ids

FEED_URL = "https://www.reddit.example/r/harbours.rss"


def parse(body: bytes, base_url: str | None = FEED_URL) -> list[dict]:
    headers = {"content-type": "application/xml", **({"content-location": base_url} if base_url else {})}
    return feedparser.parse(io.BytesIO(body), response_headers=headers).entries


def test_ids_without_a_scheme_are_found_as_written_and_the_others_are_left() -> None:
    body = (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>harbours</title>'
            b'<entry><id>t3_1b7xyz</id><title>East quay</title>'
            b'<link href="https://www.reddit.example/r/harbours/comments/1b7xyz/east_quay/"/></entry>'
            b"<entry><id>tag:reddit.example,2024:t3_2</id><title>Tagged</title></entry>"
            b"<entry><id>https://www.reddit.example/r/t3_9</id><title>Written absolute</title></entry>"
            b"<entry><id>\n  t3_3&amp;x  </id><title>Escaped, spaced</title></entry></feed>")
    entries = parse(body)
    assert entries[0]["id"] == "https://www.reddit.example/r/t3_1b7xyz"  # what feedparser gives
    assert written_ids(body, entries, FEED_URL) == {0: "t3_1b7xyz", 3: "t3_3&x"}


def test_rss_guids_that_default_to_permalinks_and_entry_bases_are_read_back() -> None:
    body = (b"<rss version='2.0'><channel><title>T</title>"
            b"<item><guid>7bd204c6-1655-4c27-aeee-53f933c5395f</guid><link>https://quay.example/1</link></item>"
            b"<item><guid isPermaLink='false'>48213</guid><title>Not resolved at all</title></item>"
            b"<item><guid>https://quay.example/3</guid></item></channel></rss>")
    assert written_ids(body, parse(body), FEED_URL) == {0: "7bd204c6-1655-4c27-aeee-53f933c5395f"}
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://quay.example/news/"><title>Q</title>'
            b'<entry xml:base="https://other.example/blog/"><id>entry-7</id><title>Based</title></entry></feed>')
    entries = parse(atom, None)
    assert entries[0]["id"] == "https://other.example/blog/entry-7"
    assert written_ids(atom, entries, None) == {0: "entry-7"}


def test_a_feed_whose_ids_all_have_schemes_costs_no_search() -> None:
    body = b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>urn:uuid:1</id><title>A</title></entry></feed>'
    assert written_ids(body, parse(body), FEED_URL) == {}


def test_entries_each_under_their_own_base_cost_a_bounded_number_of_resolutions() -> None:
    entries = "".join(f'<entry xml:base="https://quay.example/{number}/"><id>e-{number}</id><title>E</title></entry>'
                      for number in range(2000))
    body = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>Q</title>{entries}</feed>'.encode()
    found = written_ids(body, parse(body, None), None)
    assert found == {number: f"e-{number}" for number in range(MAX_BASES)}  # the rest keep their resolved ids
