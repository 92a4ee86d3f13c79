"""transforms.item_images: the images an item declares beside its HTML, first in ``images``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import feedparser
import pytest

from transforms.html_cleaning import clean_article
from transforms.item_images import feed_item_images, json_item_images
from transforms.parsing import parse_document
from transforms.settings import TransformSettings

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
<channel><title>Harbour Courier</title><link>https://courier.example/</link>
<item><title>Ferries return</title><link>https://courier.example/news/ferries</link>
<description>Ferries from Baku run again. &lt;img src="https://courier.example/inline.jpg"&gt;</description>
{media}</item></channel></rss>"""


def entry_with(media: str) -> dict[str, Any]:
    return feedparser.parse(FEED.format(media=media)).entries[0]


def test_media_pictures_thumbnails_image_enclosures_and_episode_art_in_that_order() -> None:
    entry = entry_with(
        '<itunes:image href="https://cdn.example/art.jpg"/>'
        '<enclosure url="https://cdn.example/episode.mp3" type="audio/mpeg" length="1"/>'
        '<enclosure url="https://cdn.example/poster.png" type="image/png" length="1"/>'
        '<media:thumbnail url="https://cdn.example/thumb.jpg" width="240"/>'
        '<media:content url="https://cdn.example/clip.mp4" medium="video"/>'
        '<media:content url="https://cdn.example/wide.jpg" medium="image"/>'
        '<media:group><media:content url="/pictures/typed.webp" type="image/webp"/></media:group>'
        '<media:content url="https://cdn.example/untyped.JPG?w=800"/>'
        '<media:content url="https://cdn.example/untyped.mov"/>')

    assert feed_item_images(entry, "https://courier.example/news/ferries") == [
        "https://cdn.example/wide.jpg", "https://courier.example/pictures/typed.webp",
        "https://cdn.example/untyped.JPG?w=800", "https://cdn.example/thumb.jpg", "https://cdn.example/poster.png",
        "https://cdn.example/art.jpg"]


@pytest.mark.parametrize("media", [
    "",
    '<media:content url="javascript:alert(1)" medium="image"/><media:thumbnail url="data:image/png;base64,AAAA"/>',
    '<media:thumbnail url="/relative.jpg"/>',  # no base to resolve it against
    '<enclosure url="https://cdn.example/episode.mp3" type="audio/mpeg" length="1"/>',
])
def test_no_image_or_none_that_is_a_web_url_gives_none(media: str) -> None:
    assert feed_item_images(entry_with(media), None) == []


def test_json_items_give_their_image_fields_resolved_and_deduplicated() -> None:
    item = {"image": "/lead.jpg", "banner_image": "https://cdn.example/banner.jpg", "image_url": "/lead.jpg",
            "top_image": 42}
    assert json_item_images(item, "https://courier.example/news/ferries") == [
        "https://courier.example/lead.jpg", "https://cdn.example/banner.jpg"]


def make_raw(body: bytes, uri: str) -> dict[str, Any]:
    return {"body": body, "uri": uri, "fetched_at": dt.datetime(2024, 5, 3, tzinfo=dt.timezone.utc),
            "raw_sha256": hashlib.sha256(body).hexdigest()}


def test_declared_images_come_first_after_cleaning_then_those_of_the_text() -> None:
    body = FEED.format(media='<media:thumbnail url="https://cdn.example/thumb.jpg"/>').encode()
    [article] = parse_document(make_raw(body, "/in/courier.xml"))

    cleaned = clean_article(article, TransformSettings())

    assert cleaned["images"] == ["https://cdn.example/thumb.jpg", "https://courier.example/inline.jpg"]


def test_a_json_feed_item_image_reaches_the_article() -> None:
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Courier", "items": [
        {"id": "1", "url": "https://courier.example/news/ferries", "title": "Ferries return",
         "content_text": "Ferries from Baku run again.", "image": "https://cdn.example/lead.jpg"}]}
    [article] = parse_document(make_raw(json.dumps(feed).encode(), "/in/courier.json"))

    assert clean_article(article, TransformSettings())["images"] == ["https://cdn.example/lead.jpg"]
