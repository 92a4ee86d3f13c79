"""The images an item declares beside its HTML: a feed's Media RSS pictures and thumbnails, image enclosures and
iTunes episode art; a JSON item's ``image``, ``banner_image`` (JSON Feed), ``image_url`` / ``top_image`` (as
news-please and newspaper write them) and the image fields of news APIs (``JSON_IMAGE_FIELDS``).

News feeds give their lead picture there and nowhere else (a ``media:thumbnail`` or ``media:content`` beside a
plain-text description): without it an item had no image at all. They come first in ``images``, before the ones
the text holds (``html_cleaning.clean_article``), as a page's declared lead image does (``full_text``).
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

from transforms.identity import web_url
from transforms.json_fields import MAX_PATH_LIST_ITEMS, path_value

IMAGE_PATH_RE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)$", re.IGNORECASE)  # for media that give no type
# A JSON item's image fields (dotted paths): JSON Feed, news-please and newspaper; NewsAPI (urlToImage), GDELT
# (socialimage), The Guardian (fields.thumbnail), webz.io (thread.main_image), Feedly (visual.url), the New York
# Times (multimedia), Diffbot (images). Each holds a URL, an object with one (``IMAGE_URL_KEYS``; NYT's
# ``multimedia.default.url``), or a list of those.
JSON_IMAGE_FIELDS = ("image", "banner_image", "image_url", "top_image", "urlToImage", "socialimage",
                     "fields.thumbnail", "thread.main_image", "main_image", "visual.url", "thumbnail", "multimedia",
                     "images")
IMAGE_URL_KEYS = ("url", "contentUrl", "href", "src")
# Fields whose relative paths are relative to the site's root, not to the article's URL: the New York Times'
# multimedia paths ("images/2026/12/06/...") before its 2025 API change.
SITE_ROOT_IMAGE_FIELDS = frozenset({"multimedia"})
NOT_PICTURES = ("video", "audio")  # media objects of these types (or MIME types) are no images
MAX_IMAGE_DEPTH = 3  # objects inside objects looked into for a URL


def feed_item_images(entry: dict[str, Any], base_url: str | None) -> list[str]:
    """Absolute http(s) URLs of a feedparser ``entry``'s declared images, in order: ``media:content`` pictures,
    ``media:thumbnail``, image enclosures, ``itunes:image``; relative ones resolved against ``base_url``."""
    pictures = [media.get("url") for media in _dicts(entry.get("media_content")) if _is_image(media, "url")]
    thumbnails = [media.get("url") for media in _dicts(entry.get("media_thumbnail"))]
    enclosures = [link.get("href") for link in _dicts(entry.get("enclosures")) if _is_image(link, "href")]
    artwork = entry.get("image") if isinstance(entry.get("image"), dict) else {}
    return _absolute([*pictures, *thumbnails, *enclosures, artwork.get("href")], base_url)


def json_item_images(item: dict[str, Any], base_url: str | None) -> list[str]:
    """Absolute http(s) URLs of a JSON item's declared images (``JSON_IMAGE_FIELDS``), in field order; relative
    ones resolved against ``base_url`` (the item's URL), or its site's root for ``SITE_ROOT_IMAGE_FIELDS``."""
    root = _site_root(base_url)
    urls: list[str] = []
    for field in JSON_IMAGE_FIELDS:
        found = _json_image_values(path_value(item, field), MAX_IMAGE_DEPTH)
        if found:
            urls += _absolute(found, root if field in SITE_ROOT_IMAGE_FIELDS else base_url)
    return list(dict.fromkeys(urls))


def _json_image_values(value: Any, depth: int) -> list[Any]:
    """The URL strings of an image field's value: a string, an object's first URL (``IMAGE_URL_KEYS``, else the
    first one in an object it holds: NYT's ``{"default": {"url": ...}}``), or a list's; not video or audio."""
    if isinstance(value, str):
        return [value] if _could_be_url(value) else []
    if depth <= 0:
        return []
    if isinstance(value, list):
        return [url for element in value[:MAX_PATH_LIST_ITEMS] for url in _json_image_values(element, depth - 1)]
    if not isinstance(value, dict):
        return []
    kind = value.get("type") or value.get("medium")
    if isinstance(kind, str) and kind.lower().startswith(NOT_PICTURES):
        return []
    for key in IMAGE_URL_KEYS:
        if isinstance(value.get(key), str) and _could_be_url(value[key]):
            return [value[key]]
    for inner in value.values():
        found = _json_image_values(inner, depth - 1) if isinstance(inner, dict) else []
        if found:
            return found[:1]
    return []


def _could_be_url(value: str) -> bool:
    """False for words such as Feedly's ``"none"``, which a base URL would make a link: a URL has a dot or a
    slash."""
    return "/" in value or "." in value


def _site_root(url: str | None) -> str | None:
    try:
        parts = urllib.parse.urlsplit(url or "")
    except ValueError:
        return None
    return f"{parts.scheme}://{parts.netloc}/" if parts.scheme and parts.netloc else None


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
