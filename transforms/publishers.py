"""The publication an item or a page names as its publisher: ``publisher`` and ``publisher_url``.

``source_id`` says which feed or site a row came from; an aggregator's feed (Google News, Bing News, a
"planet" of blogs) carries every publication's items, and names each item's own in ``<source>``. Pages
name theirs in JSON-LD (the article's ``publisher``) or ``og:site_name``. Only what is declared is kept:
nothing is guessed from hosts or feed titles (``source_id`` already holds the host).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

from transforms.identity import web_url
from transforms.page_markup import as_list, is_article_item, item_types, meta_content

MAX_PUBLISHER_CHARS = 200  # a longer "name" is a sentence or markup, not a publication's name
_TAG_RE = re.compile(r"<[^>]*>")
SITE_NAME_METAS = ("og:site_name", "application-name")  # not twitter:site, a handle ("@TheHill")


def publisher_name(value: Any) -> str | None:
    """A publication's name as text (markup and character references read, whitespace collapsed: feedparser
    gives an Atom source's HTML title escaped), or None for no text, a URL or over 200 characters."""
    if not isinstance(value, str) or len(value) > 10 * MAX_PUBLISHER_CHARS:  # no name: never scanned
        return None
    text = html.unescape(value) if "&" in value else value
    name = " ".join(_TAG_RE.sub(" ", text).split())
    if not name or len(name) > MAX_PUBLISHER_CHARS or web_url(name, None) == name:
        return None
    return name


def feed_item_publisher(entry: dict[str, Any], base_url: str | None) -> tuple[str | None, str | None]:
    """(name, URL) of an item's ``<source>``: RSS ``<source url="...">Name</source>``, as aggregators give
    each item's publication, or Atom ``<source>`` (the entry's original feed: its title and site link); else
    the name in Bing News' ``<News:Source>``."""
    source = entry.get("source")
    if not isinstance(source, dict):
        return publisher_name(entry.get("news_source")), None  # Bing News: <News:Source>Name</News:Source>
    url = web_url(_text(source.get("href")), base_url) or web_url(_text(source.get("link")), base_url)
    return publisher_name(source.get("title")), url


def declared_publishers(metas: dict[str, list[str]],
                        ld_objects: list[dict[str, Any]]) -> Iterator[tuple[Any, Any, str]]:
    """(name, URL, where found) of every publisher a page declares, in order of trust, as found (maybe not
    text): the JSON-LD publishers of its articles (``page.json_ld``), its site-name meta tags (``page.meta``),
    its JSON-LD WebSite's name (``page.json_ld``). ``page_titles`` strips these names from titles."""
    for item in ld_objects:
        for publisher in as_list(item.get("publisher")) if is_article_item(item) else []:
            fields = publisher if isinstance(publisher, dict) else {"name": publisher}
            yield fields.get("name"), fields.get("url"), "page.json_ld"
    yield from ((name, None, "page.meta") for name in meta_content(metas, SITE_NAME_METAS))
    for item in ld_objects:
        if "website" in item_types(item):
            yield item.get("name"), item.get("url"), "page.json_ld"


def page_publisher(metas: dict[str, list[str]], ld_objects: list[dict[str, Any]],
                   page_url: str | None) -> tuple[str | None, str | None, str | None]:
    """(name, URL, where found) of a page's publisher: the first of ``declared_publishers`` with a usable name
    (its URL made absolute against ``page_url``)."""
    for value, url, source in declared_publishers(metas, ld_objects):
        name = publisher_name(value)
        if name:
            return name, web_url(_text(url), page_url), source
    return None, None, None


def title_without_publisher(title: str | None, publisher: str | None) -> str | None:
    """``title`` without the `` - Publisher`` an aggregator appends to each item's title (Google News:
    "Harbour workers end strike - Example Times"), when the item names that publisher; else as given."""
    if not title or not publisher:
        return title
    for separator in (" - ", " – ", " — ", " | "):
        suffix = f"{separator}{publisher}"
        if title.endswith(suffix) and len(title) > len(suffix):
            return title[: -len(suffix)].rstrip()
    return title


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
