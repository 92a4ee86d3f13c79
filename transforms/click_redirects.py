"""Item links that are a click counter's redirect, with the article's own URL in a query parameter.

Search and alert feeds wrap each item's link: Bing News
(``bing.com/news/apiclick.aspx?ref=FexRss&tid=<a tracking id>&url=<article>``), Google Alerts
(``google.com/url?rct=j&sa=t&url=<article>&ct=ga&cd=...&usg=...``), Google News before 2020
(``news.google.com/news/url?...&url=``) and its article links until 2024
(``news.google.com/rss/articles/CBMi...``: the URL is in the id, base64 of a small protobuf record; later
ids are encrypted and stay as they are), Facebook's link shim (``l.facebook.com/l.php?u=``), Outlook's safe
links in newsletters turned into feeds (``*.safelinks.protection.outlook.com/?url=``). The wrapper names a
click, not the article: its tracking ids are not the article's, the same article reached through two alerts,
or through it and through the site's own feed, would be two articles, and its full text would be fetched through the tracker.
The article's URL is the item's ``url`` (and its id) instead; other links are left alone.
"""

from __future__ import annotations

import base64
import binascii
import re
import urllib.parse

from transforms.identity import web_url

# (host pattern, path, the query parameters that may hold the target, in order)
CLICK_REDIRECTS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    (re.compile(r"(?:www\.)?bing\.com"), "/news/apiclick.aspx", ("url",)),
    (re.compile(r"(?:www\.)?google\.(?:com|co)(?:\.[a-z]{2})?|(?:www\.)?google\.[a-z]{2}"), "/url", ("url", "q")),
    (re.compile(r"news\.google\.com"), "/news/url", ("url",)),
    (re.compile(r"l[m]?\.facebook\.com"), "/l.php", ("u",)),
    (re.compile(r"[a-z0-9-]+\.safelinks\.protection\.outlook\.com"), "/", ("url",)),
)
MAX_UNWRAPS = 3  # a redirect whose target is another one; more is a loop or a trap
GOOGLE_NEWS_ARTICLE_RE = re.compile(r"/(?:__i/)?(?:rss/)?(?:rd/)?articles/(?P<id>[A-Za-z0-9_-]{8,})")
GOOGLE_NEWS_URL_FIELD = b"\x08\x13\x22"  # field 1 = 19, then field 4 (the URL) with its length


def unwrap_click_redirect(url: str | None) -> str | None:
    """The absolute http(s) URL a click redirect points to, unwrapping nested ones; None when ``url`` is not
    one of ``CLICK_REDIRECTS`` or its target is not an http(s) URL."""
    target = None
    for _ in range(MAX_UNWRAPS):
        inner = _target(url)
        if inner is None:
            break
        target = url = inner
    return target


def _target(url: str | None) -> str | None:
    try:
        parts = urllib.parse.urlsplit(url or "")
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return None
    if host == "news.google.com" and (match := GOOGLE_NEWS_ARTICLE_RE.fullmatch(parts.path)):
        return _google_news_target(match["id"])
    for host_pattern, path, parameters in CLICK_REDIRECTS:
        if host_pattern.fullmatch(host) and (parts.path or "/") == path:
            query = dict(urllib.parse.parse_qsl(parts.query))
            return next((found for name in parameters if (found := web_url(query.get(name), None))), None)
    return None


def _google_news_target(article_id: str) -> str | None:
    """The URL inside a Google News article id of the older kind; None for encrypted or other ids."""
    try:
        record = base64.urlsafe_b64decode(article_id + "=" * (-len(article_id) % 4))
    except (binascii.Error, ValueError):
        return None
    if not record.startswith(GOOGLE_NEWS_URL_FIELD):
        return None
    length, position = 0, len(GOOGLE_NEWS_URL_FIELD)
    for shift in range(0, 35, 7):  # the URL's length, a protobuf varint
        if position >= len(record):
            return None
        length |= (record[position] & 0x7F) << shift
        position += 1
        if not record[position - 1] & 0x80:
            break
    encoded = record[position:position + length]
    if len(encoded) != length:
        return None
    return web_url(encoded.decode("utf-8", "replace"), None)
