"""What the fields of a JSON article mean, whoever wrote it: names and dotted paths, by meaning.

JSON articles come from exporters and news APIs that each name the same things their own way: JSON Feed,
news-please, NewsAPI.org, GNews, GDELT's DOC 2.0 API, The Guardian's Content API, the New York Times' Article
Search, Mediastack, NewsData.io, Event Registry (NewsAPI.ai), webz.io, Media Cloud, Feedly and Diffbot.
Reading them is one code path driven by the tables below: for each meaning, the names or dotted paths
(``headline.main``, ``fields.bodyText``, ``alternate.0.href``: keys, and list indexes as digits) tried in
order; the first that holds a usable value wins. Whole API responses hold their articles under one of
``CONTAINER_PATHS``. Everything here is pure, and no value of any JSON type raises.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

# Field names and paths by meaning, tried in order. Where two APIs use one name differently, the order decides:
# Event Registry's ``dateTimePub`` (the publisher's time) before its ``dateTime`` (when it was seen) and
# ``date`` (the day alone).
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "url": ("url", "link", "web_url", "webUrl", "canonicalUrl", "alternate.0.href", "resolvedPageUrl", "pageUrl",
            "thread.url"),
    "title": ("title", "headline.main", "headline", "webTitle", "fields.headline", "thread.title"),
    # HTML, or plain text where an API gives text under these names (told apart by ``looks_like_html``)
    "html": ("html", "content_html", "content", "content.content", "body", "fields.body"),
    "summary": ("summary", "description", "summary_html", "summary.content", "abstract", "fields.trailText",
                "fields.standfirst", "snippet"),
    "published": ("published", "date_published", "published_at", "publishedAt", "webPublicationDate", "pub_date",
                  "pubDate", "publish_date", "published_date", "dateTimePub", "dateTime", "thread.published",
                  "seendate", "datePublished", "date", "date_publish"),
    "updated": ("updated", "date_modified", "updated_at", "updatedAt", "updated_date", "dateModified",
                "fields.lastModified", "date_modify"),
    "guid": ("guid", "id", "_id", "uri", "uuid", "article_id"),
    # used for source_id only when there is no URL (a display name otherwise becomes the publisher)
    "source": ("source", "source_id", "source_domain", "domain", "thread.site"),
    "language": ("language", "lang", "humanLanguage", "fields.lang"),
    "text": ("content_text", "text", "maintext", "fields.bodyText", "bodyText"),  # plain text, when no HTML
}
# Author names: lists of strings or of {"name": ...}, or byline strings ("By Jane Roe and John Doe").
AUTHOR_FIELDS = ("authors", "author", "byline.original", "byline", "fields.byline", "creator")
# Tags from every one of these: strings (a comma-separated one is split), or objects named by TAG_NAME_KEYS.
TAG_FIELDS = ("tags", "keywords", "category", "sectionName", "section_name")
TAG_NAME_KEYS = ("value", "label", "webTitle", "name", "term")  # NYT keywords have a name (its kind) and a value
TAG_TYPES_SKIPPED = frozenset({"contributor", "publication", "newspaper-book", "newspaper-book-section", "tracking"})
MAX_TAGS = 100
MAX_TAG_CHARS = 200
# (name, URL) of the publication, tried in order. Not the host names some APIs give (GDELT's domain, webz.io's
# site, news-please's source_domain): a host is no name, and source_id holds it already.
PUBLISHER_FIELDS: tuple[tuple[str, str | None], ...] = (
    ("publisher.name", "publisher.url"), ("publisher", None), ("source.name", "source.url"),
    ("source.title", None), ("source_name", "source_url"), ("media_name", "media_url"), ("siteName", None),
    ("origin.title", "origin.htmlUrl"), ("fields.publication", None), ("source", None),
)
# Where a whole API response keeps its articles: a list of objects (or, for a single item, one object).
CONTAINER_PATHS = ("articles", "articles.results", "response.results", "response.docs", "response.content",
                   "results", "docs", "data", "posts", "objects", "items", "news")
# Where an API's error response says what went wrong (NewsAPI, Guardian, NYT, Mediastack, NewsData).
ERROR_MESSAGE_PATHS = ("message", "error.message", "error.info", "error", "results.message", "response.message",
                       "fault.faultstring", "errors.0.message")
# Longer values of the one-line fields (title, dates, ids, language, URLs) are not what they claim to be.
MAX_SHORT_FIELD_CHARS = 10_000
OVERSIZED_FLAG = "oversized_fields_removed"  # a one-line field (title, date, id, ...) too long to be one
MAX_PATH_LIST_ITEMS = 100  # list items looked at for images and tags
# An API's cut of the text: NewsAPI's "… [+1234 chars]", GNews' "... [1234 chars]".
TRUNCATION_MARKER = re.compile(r"\s*(?:…|\.{3})?\s*\[\+?\d[\d,]*\s*chars?\]\s*$", re.IGNORECASE)
# NewsData.io's stand-in for fields a plan does not include ("ONLY AVAILABLE IN PAID PLANS"): no value.
PLAN_PLACEHOLDER = re.compile(r"only available in [a-z ]*plans?", re.IGNORECASE)
REMOVED_TITLES = frozenset({"[removed]"})  # NewsAPI keeps removed articles as placeholders titled "[Removed]"
_MARKUP = re.compile(r"<[A-Za-z!/]|&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);")
ARTICLE_FIELDS = ("url", "title", "html", "summary", "text")  # an object with one of these is an article
TIME_FIELDS = frozenset({"published", "updated"})
LONG_FIELDS = frozenset({"html", "summary", "text"})  # not cut at MAX_SHORT_FIELD_CHARS (the clean stage cuts)
EPOCH_MILLISECONDS_FROM = 100_000_000_000  # a larger epoch number is milliseconds (1e11 s is the year 5138)


def repair_surrogates(value: Any) -> Any:
    """Replace lone UTF-16 surrogates (legal in JSON, illegal in UTF-8) with U+FFFD, recursively."""
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, list):
        return [repair_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {repair_surrogates(key): repair_surrogates(item) for key, item in value.items()}
    return value


def path_value(obj: Any, path: str) -> Any:
    """The value at a dotted ``path`` (keys, and list indexes as digits) in ``obj``, or None."""
    if "." not in path:  # most names are top-level ones
        return obj.get(path) if isinstance(obj, dict) else None
    value = obj
    for key in path.split("."):
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return None
    return value


def scalar_text(value: Any) -> str | None:
    """A string, or a number as written; None for anything else (booleans, objects, lists) and for a plan
    placeholder. ``True`` is no title, text or date."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return str(value)
    return value if isinstance(value, str) and not _is_placeholder(value) else None


def _is_placeholder(value: str) -> bool:
    return len(value) < 80 and PLAN_PLACEHOLDER.fullmatch(value.strip()) is not None


def first_text(obj: dict[str, Any], field: str, *, strings_only: bool = False) -> tuple[str | None, bool]:
    """(the first non-blank text of ``field``'s aliases, whether a value was passed over for its size).

    Numbers count as text unless ``strings_only`` (a URL is never a number); a number in a time field is an
    epoch (``epoch_text``). One-line fields (all but html, summary and text) longer than
    ``MAX_SHORT_FIELD_CHARS`` are passed over: a 10 MB "title" is no title."""
    oversized = False
    for path in FIELD_ALIASES[field]:
        value = path_value(obj, path)
        if value is None:
            continue
        if field in TIME_FIELDS and isinstance(value, (int, float)) and not isinstance(value, bool):
            return epoch_text(value), oversized
        text = (value if isinstance(value, str) else None) if strings_only else scalar_text(value)
        if text is None or not text.strip() or (isinstance(value, str) and _is_placeholder(value)):
            continue
        if field not in LONG_FIELDS and len(text) > MAX_SHORT_FIELD_CHARS:
            oversized = True
            continue
        return text, oversized
    return None, oversized


def epoch_text(number: float) -> str:
    """A Unix time in seconds or milliseconds as ISO 8601 UTC; as written when it is no time at all (NaN, a
    number past year 9999), so that the time stage flags it unparseable."""
    try:
        seconds = number / 1000 if abs(number) >= EPOCH_MILLISECONDS_FROM else number
        moment = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(seconds=seconds)
    except (OverflowError, ValueError):
        return str(number)[:100]
    return moment.isoformat().replace("+00:00", "Z")


def without_truncation_marker(text: str | None) -> tuple[str | None, bool]:
    """``text`` without an API's "[+1234 chars]" cut marker at its end (and the ellipsis before it), and
    whether there was one."""
    if not text:
        return text, False
    tail_start = max(0, len(text) - 200)
    match = TRUNCATION_MARKER.search(text, tail_start)
    if match is None:
        return text, False
    return text[:match.start()].rstrip() or None, True


def looks_like_html(text: str) -> bool:
    """True when ``text`` has a tag or an entity: else it is plain text (Event Registry's ``body``, NewsAPI's
    ``content``) whose paragraphs are its blank lines."""
    return _MARKUP.search(text) is not None


def is_removed(obj: dict[str, Any]) -> bool:
    """True for a placeholder of an article the source removed (NewsAPI: title "[Removed]")."""
    title = path_value(obj, "title")
    return isinstance(title, str) and title.strip().lower() in REMOVED_TITLES


def author_strings(obj: dict[str, Any]) -> list[str]:
    """The raw author strings of the first of ``AUTHOR_FIELDS`` that names anyone."""
    for path in AUTHOR_FIELDS:
        names = _names(path_value(obj, path), ("name",))
        if names:
            return names
    return []


def tag_names(obj: dict[str, Any]) -> list[str]:
    """Tags from every one of ``TAG_FIELDS``, in order, without repeats; at most ``MAX_TAGS``."""
    tags: dict[str, str] = {}
    for path in TAG_FIELDS:
        value = path_value(obj, path)
        pieces = value.split(",") if isinstance(value, str) else None
        for name in pieces if pieces is not None else _names(value, TAG_NAME_KEYS, skip_types=TAG_TYPES_SKIPPED):
            name = " ".join(name.split())
            if name and len(name) <= MAX_TAG_CHARS:
                tags.setdefault(name.casefold(), name)
    return list(tags.values())[:MAX_TAGS]


def publisher_fields(obj: dict[str, Any]) -> Iterator[tuple[Any, Any]]:
    """(name value, URL value) of each of ``PUBLISHER_FIELDS`` in order, as found (maybe not text)."""
    for name_path, url_path in PUBLISHER_FIELDS:
        yield path_value(obj, name_path), path_value(obj, url_path) if url_path else None


def container_items(obj: dict[str, Any]) -> tuple[str, list[Any]] | None:
    """(path, items) when ``obj`` is an API response holding its articles under one of ``CONTAINER_PATHS``:
    a list with at least one object, or an empty list when ``obj`` is no article itself; a single object under
    ``response.content`` (The Guardian's single item). None otherwise, and for an object with a body of its
    own (an article that has a ``data`` or ``items`` list is still an article; a Feedly stream, with its feed's
    title but no body, is a response)."""
    if first_text(obj, "html")[0] or first_text(obj, "text")[0]:
        return None
    for path in CONTAINER_PATHS:
        value = path_value(obj, path)
        if isinstance(value, list) and any(isinstance(item, dict) for item in value[:MAX_PATH_LIST_ITEMS]):
            return path, value
        if isinstance(value, dict) and path == "response.content":
            return path, [value]
    for path in CONTAINER_PATHS:
        if path_value(obj, path) == [] and not any(first_text(obj, field)[0] for field in ARTICLE_FIELDS):
            return path, []
    return None


def api_error_message(obj: dict[str, Any]) -> str | None:
    """What an API's error response says (``{"status": "error", "message": ...}`` and the like), or None
    when ``obj`` is not one."""
    statuses = [path_value(obj, path) for path in ("status", "response.status")]
    failed = any(isinstance(status, str) and status.lower() in ("error", "failed", "failure") for status in statuses)
    if not failed and not isinstance(obj.get("error"), (dict, str)) and not isinstance(obj.get("fault"), dict):
        return None
    for path in ERROR_MESSAGE_PATHS:
        message = path_value(obj, path)
        if isinstance(message, str) and message.strip():
            code = path_value(obj, "code") or path_value(obj, "error.code")
            prefix = f"{code}: " if isinstance(code, (str, int)) and not isinstance(code, bool) else ""
            return f"{prefix}{message.strip()}"[:500]
    return "the response reports an error"


def _names(value: Any, keys: tuple[str, ...], *, skip_types: frozenset[str] = frozenset()) -> list[str]:
    """Strings of ``value``: itself, a list's strings, or an object's (or a list of objects') first string under
    ``keys``; objects whose ``type`` is in ``skip_types`` are left out."""
    items = value[:MAX_PATH_LIST_ITEMS] if isinstance(value, list) else [value]
    names = []
    for item in items:
        if isinstance(item, dict):
            kind = item.get("type")
            if isinstance(kind, str) and kind.lower() in skip_types:
                continue
            item = next((item[key] for key in keys if isinstance(item.get(key), str) and item[key].strip()), None)
        if isinstance(item, str) and item.strip():
            names.append(item)
    return names
