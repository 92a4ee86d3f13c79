"""The images an item declares beside its HTML: a feed's Media RSS pictures and thumbnails, image enclosures and
iTunes episode art; a JSON item's ``image``, ``banner_image`` (JSON Feed) or ``image_url`` / ``top_image`` (as
news-please and newspaper write them).

News feeds give their lead picture there and nowhere else (a ``media:thumbnail`` or ``media:content`` beside a
plain-text description): without it an item had no image at all. They come first in ``images``, before the ones
the text holds (``html_cleaning.clean_article``), as a page's declared lead image does (``full_text``).
"""

from __future__ import annotations

import re
from typing import Any

from transforms.identity import web_url

IMAGE_PATH_RE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)$", re.IGNORECASE)  # for media that give no type
JSON_IMAGE_FIELDS = ("image", "banner_image", "image_url", "top_image")


def feed_item_images(entry: dict[str, Any], base_url: str | None) -> list[str]:
    """Absolute http(s) URLs of a feedparser ``entry``'s declared images, in order: ``media:content`` pictures,
    ``media:thumbnail``, image enclosures, ``itunes:image``; relative ones resolved against ``base_url``."""
    pictures = [media.get("url") for media in _dicts(entry.get("media_content")) if _is_image(media, "url")]
    thumbnails = [media.get("url") for media in _dicts(entry.get("media_thumbnail"))]
    enclosures = [link.get("href") for link in _dicts(entry.get("enclosures")) if _is_image(link, "href")]
    artwork = entry.get("image") if isinstance(entry.get("image"), dict) else {}
    return _absolute([*pictures, *thumbnails, *enclosures, artwork.get("href")], base_url)


def json_item_images(item: dict[str, Any], base_url: str | None) -> list[str]:
    """Absolute http(s) URLs of a JSON item's declared images (``JSON_IMAGE_FIELDS``, each a URL)."""
    return _absolute([item.get(field) for field in JSON_IMAGE_FIELDS], base_url)


def _is_image(media: dict[str, Any], url_key: str) -> bool:
    """A media object or enclosure that is a picture: by its ``medium``, else its MIME type, else its file name."""
    medium, mime_type = media.get("medium"), media.get("type")
    if isinstance(medium, str) and medium:
        return medium.lower() == "image"
    if isinstance(mime_type, str) and mime_type:
        return mime_type.lower().startswith("image/")
    url = media.get(url_key)
    return isinstance(url, str) and IMAGE_PATH_RE.search(url.split("?", 1)[0]) is not None


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _absolute(urls: list[Any], base_url: str | None) -> list[str]:
    absolute = (web_url(url, base_url) for url in urls if isinstance(url, str))
    return list(dict.fromkeys(url for url in absolute if url))
