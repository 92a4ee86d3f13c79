"""Parse JSON Lines of articles, JSON documents and API responses, and JSON Feed documents into article drafts.

JSON Lines: one object per line with at least ``url``, ``title``, ``html`` (or plain ``text``) and
``published``; also read when present: ``summary``, ``updated``, ``source``, ``author``/``authors``,
``language``, ``guid``/``id``, ``tags``, ``image``, and the other names and dotted paths of
``transforms.json_fields`` (JSON Feed's, news-please's, and those of news APIs: NewsAPI.org, GNews, GDELT, The
Guardian, the New York Times, Mediastack, NewsData.io, Event Registry, webz.io, Media Cloud, Feedly, Diffbot).
A whole API response (``{"status": "ok", "articles": [...]}``, ``{"response": {"results": [...]}}``), as a file
or as a line, gives one draft per article it holds (``json_fields.CONTAINER_PATHS``); an API's error response
is one ``api_error`` record with its message. A line that is not JSON, or not an object, or has neither a URL
nor any text, becomes an error record naming the line; the other lines flow on.
"""

from __future__ import annotations

import json
import re
from typing import Any

from transforms.authors import author_names
from transforms.encoding import decode_document
from transforms.feed_bodies import SOURCE_TRUNCATED_FLAG
from transforms.html_cleaning import text_as_html
from transforms.identity import fetched_url, url_host, web_url
from transforms.item_images import json_item_images
from transforms.json_fields import (ARTICLE_FIELDS, OVERSIZED_FLAG, REMOVED_TITLES, api_error_message,
                                    author_strings, container_items, first_text, is_removed, looks_like_html,
                                    publisher_fields, repair_surrogates, scalar_text, tag_names,
                                    without_truncation_marker)
from transforms.language import language_code, normalize_language_code
from transforms.publishers import publisher_name, title_without_publisher
from transforms.records import (MAX_ITEMS_PER_DOCUMENT, Article, ErrorRecord, RawDocument, make_error,
                                too_many_items_error)

__all__ = ["object_to_article", "parse_json_document", "parse_json_feed", "parse_jsonl"]
MAX_CONTAINER_DEPTH = 3  # a list of saved responses, each holding its articles, is read; deeper nesting is not
# A line ends at CRLF, LF or a lone CR (old Mac files): none of them can stand unescaped inside a JSON string.
# Not str.splitlines: it also splits on U+2028, U+0085 and others, which are legal inside JSON strings.
LINE_END = re.compile(r"\r\n?|\n")


def _pick(obj: dict[str, Any], field: str) -> str | None:
    return first_text(obj, field)[0]


def _has_content(obj: dict[str, Any]) -> bool:
    """True when the object has a URL or any text: otherwise there is no article to keep."""
    return any(_pick(obj, field) for field in ARTICLE_FIELDS)


def _body_html(obj: dict[str, Any], flags: list[str]) -> str | None:
    """The body as HTML: the first HTML field (plain text in it made paragraphs), else the plain text field;
    an API's truncation marker ("… [+1234 chars]") taken off and the article flagged: it is a teaser."""
    value, _ = first_text(obj, "html")
    is_html = value is not None and looks_like_html(value)
    if value is None:
        value, _ = first_text(obj, "text")
    value, cut = without_truncation_marker(value)
    if cut:
        flags.append(SOURCE_TRUNCATED_FLAG)
    return value if is_html else text_as_html(value)


def _summary_html(obj: dict[str, Any], flags: list[str]) -> str | None:
    summary, cut = without_truncation_marker(_pick(obj, "summary"))
    if cut:
        flags.append("summary_truncated")
    return summary


def _publisher(obj: dict[str, Any], base_url: str | None) -> tuple[str | None, str | None]:
    """(name, URL) of the publication the object names (``json_fields.PUBLISHER_FIELDS``); its URL only when
    given beside the name, and absolute http(s)."""
    for name, url in publisher_fields(obj):
        name = publisher_name(name)
        if name and name.lower() not in REMOVED_TITLES:
            return name, web_url(url, base_url) if isinstance(url, str) else None
    return None, None


def _language_hint(value: str | None) -> str | None:
    """A language tag as given when it is a two-letter one (``en-GB`` keeps its region: the time stage reads
    its numeric dates day-first); else the code of a language name or three-letter code (``English``, ``eng``:
    ``en``), or None."""
    code = normalize_language_code(value)
    if code is not None and len(code) == 2:
        return (value or "").strip()
    return language_code(value)


def object_to_article(obj: dict[str, Any], raw: RawDocument, document_type: str, uri: str,
                      quality_flags: list[str] | None = None) -> Article:
    """Map one JSON object (a JSONL line, a JSON Feed item, an API's article) onto an Article draft.

    Its link becomes an absolute http(s) URL against the document's own (the JSON Feed's ``feed_url``) or none.
    """
    flags = list(quality_flags or [])
    document_url = fetched_url(raw)
    url_text, oversized = first_text(obj, "url", strings_only=True)
    url = web_url(url_text, document_url)
    fields: dict[str, str | None] = {}
    for field in ("title", "guid", "source", "language", "published", "updated"):
        fields[field], too_long = first_text(obj, field)
        oversized = oversized or too_long
    if oversized:
        flags.append(OVERSIZED_FLAG)
    publisher, publisher_url = _publisher(obj, url or document_url)
    return Article(
        kind="article", url=url, guid=fields["guid"],
        # The site's host, as for feeds and pages, so one outlet has one source_id whatever the input;
        # a "source" field (often a display name: the publisher) is used only when there is no URL.
        source_id=raw.get("source_id") or url_host(url) or fields["source"] or "jsonl",
        feed_url=raw.get("feed_url"), publisher=publisher, publisher_url=publisher_url,
        document_type=document_type, title=title_without_publisher(fields["title"], publisher),
        summary_html=_summary_html(obj, flags), content_html=_body_html(obj, flags),
        authors=author_names(author_strings(obj)),
        images=json_item_images(obj, url or document_url),
        tags=tag_names(obj) + list(raw.get("tags") or []),
        language_hint=raw.get("language_hint") or _language_hint(fields["language"]),
        raw_published=fields["published"], raw_updated=fields["updated"],
        fetched_at=raw["fetched_at"], raw_sha256=raw["raw_sha256"], raw_path=raw.get("raw_path"), uri=uri,
        quality_flags=flags,
    )


def _located(raw: RawDocument, uri: str, guid: str) -> dict[str, Any]:
    return {**raw, "uri": uri, "guid": guid}


def _line_error(raw: RawDocument, line_number: int, error_type: str, message: str) -> ErrorRecord:
    located = _located(raw, f"{raw['uri']}#L{line_number}", str(line_number))
    return make_error("parse", error_type, f"line {line_number}: {message}", source=located)


def _keys(item: dict[str, Any]) -> str:
    return ", ".join(sorted(map(str, item))[:12])


def _expand(value: Any, place: str, depth: int = MAX_CONTAINER_DEPTH) -> list[tuple[str, Any]]:
    """(place, item) for each article a JSON value holds: itself, or the items of an API response it is (and
    of the responses a list holds), each numbered after ``place`` (``L3`` -> ``L3.1``); an empty response
    is one (place, ``EmptyResponse``)."""
    if isinstance(value, list) and depth > 0:
        expanded = [(f"{place}.{index}" if place else str(index), item) for index, item in enumerate(value, start=1)]
        return [pair for item_place, item in expanded for pair in _expand_object(item, item_place, depth - 1)]
    return _expand_object(value, place, depth)


def _expand_object(value: Any, place: str, depth: int) -> list[tuple[str, Any]]:
    found = container_items(value) if isinstance(value, dict) and depth > 0 else None
    if found is None:
        return [(place, value)]
    path, items = found
    if not items:
        return [(place, EmptyResponse(path))]
    return _expand(items, place, depth)


class EmptyResponse(str):
    """An API response whose article list (at the path it names) is empty."""


class InvalidLine(str):
    """A line that is not JSON: why (the decoder's message)."""


def _item_record(item: Any, raw: RawDocument, place: str, uri: str, document_type: str, flags: list[str],
                 *, needs_text: bool) -> Article | ErrorRecord:
    """The draft of one item, or the error record saying why it is none. A whole document's item needs a
    title or text (an API response is an object with a ``url`` or an ``id`` but none), a JSON line only a URL."""
    line = place.startswith("L")
    located = _located(raw, uri, place[1:] if line else place)  # guid: the line's number, as before responses
    where = f"line {place[1:]}" if line else f"JSON item {place}"
    if isinstance(item, InvalidLine):
        return make_error("parse", "invalid_json", f"{where}: {item}", source=located)
    if isinstance(item, EmptyResponse):
        message = f"{where}: an API response whose {item} list is empty"
        return make_error("parse", "empty_input", message, source=located)
    if not isinstance(item, dict):
        kind = type(item).__name__
        message = f"{where}: a JSON {kind}, not an object" if line else f"{where} is a {kind}"
        return make_error("parse", "not_an_object", message, source=located)
    message = api_error_message(item)
    if message is not None and not _has_content(item):
        return make_error("parse", "api_error", f"{where}: the API answered with an error: {message}", source=located)
    if is_removed(item):
        return make_error("parse", "removed_by_source", f"{where}: a placeholder of an article its source removed "
                          "(title \"[Removed]\")", source=located)
    if needs_text and not any(_pick(item, field) for field in ("title", "html", "summary", "text")):
        return make_error("parse", "not_an_article", f"{where} has no title or text (keys: {_keys(item)})",
                          source=located)
    if not needs_text and not _has_content(item):
        return make_error("parse", "missing_fields", f"{where}: no url, title or text", source=located)
    return object_to_article(item, raw, document_type, uri, flags)


def _decode_json(raw: RawDocument) -> tuple[str, list[str]]:
    """The text of a JSON document and its quality flags: decoded as UTF-8 (what RFC 8259 mandates) unless
    the bytes prove otherwise (a BOM, UTF-16, another encoding: see ``transforms.encoding``), NULs dropped."""
    content_type = raw.get("content_type")
    if "charset" not in (content_type or "").lower():
        content_type = "application/json; charset=utf-8"
    text, choice = decode_document(raw["body"], content_type)
    flags = [choice.flag] if choice.flag else []
    if "\x00" in text:  # a raw NUL is never valid JSON; escaped ones (\u0000) are left to the text stage
        text = text.replace("\x00", "")
        flags.append("nul_bytes_removed")
    return text.lstrip("\ufeff"), flags


def _whole_document(text: str, first_line: str, only_line: bool) -> tuple[Any] | None:
    """(the value of a whole JSON document,): an object or an array spread over lines, or an array or an API
    response on the ``only_line``; or None for JSON Lines. Tried when the first line alone is not JSON, or is
    the document's only line, so JSON Lines cost nothing more."""
    if only_line and not first_line.lstrip().startswith(("[", "{")):
        return None
    try:
        value = json.loads(first_line)
        # json.dump(articles) writes a list on one line: the commonest export of a list; an API response
        # saved as it came (one line) is a document too, as when pretty-printed
        if only_line and (isinstance(value, list) or (isinstance(value, dict) and container_items(value))):
            return (repair_surrogates(value),)
        return None
    except (ValueError, RecursionError):
        pass
    try:
        return (repair_surrogates(json.loads(text)),)
    except (ValueError, RecursionError):
        return None


def parse_json_document(raw: RawDocument, document: Any, flags: list[str]) -> list[Article | ErrorRecord]:
    """One draft per article of a whole JSON document (an article, an array of them, an API response, an
    array of responses); one error per item that is not one. Items are numbered in the ``uri`` (``#2``, ``#3.1``
    for the first article of a list's third response) unless the document holds one.

    An arbitrary API response (a WARC holds many) is an object with a ``url`` or an ``id`` but no title or
    text: an article needs a title or text here, where a JSON line needs only a URL.
    """
    if isinstance(document, list) and not document:
        return [make_error("parse", "empty_input", "an empty JSON array", source=raw)]
    items = _expand(document, "") if isinstance(document, list) else _expand_object(document, "", MAX_CONTAINER_DEPTH)
    outputs: list[Article | ErrorRecord] = []
    for place, item in items[:MAX_ITEMS_PER_DOCUMENT]:
        uri = f"{raw['uri']}#{place}" if len(items) > 1 else raw["uri"]
        outputs.append(_item_record(item, raw, place or "1", uri, "json", flags, needs_text=True))
    if len(items) > MAX_ITEMS_PER_DOCUMENT:
        outputs.append(too_many_items_error(raw, len(items)))
    return outputs


def parse_jsonl(raw: RawDocument) -> list[Article | ErrorRecord]:
    """One draft per valid line (per article of a line that is an API response); an error record for each
    line that is not a usable article.

    A pretty-printed JSON document is read whole instead (``parse_json_document``): line by line, each of its
    lines was an ``invalid_json`` error.
    """
    outputs: list[Article | ErrorRecord] = []
    text, flags = _decode_json(raw)
    lines = [(number, line) for number, line in enumerate(LINE_END.split(text), start=1) if line.strip()]
    document = _whole_document(text, lines[0][1], len(lines) == 1) if lines else None
    if document is not None:
        return parse_json_document(raw, document[0], flags)
    pending: list[tuple[str, Any]] = []  # (place, item): a line, or an article of the API response a line is
    total = 0  # items found; a line past the limit counts as one, unread
    for line_number, line in lines:
        total += 1
        if total > MAX_ITEMS_PER_DOCUMENT:
            continue
        try:
            items = _expand_object(repair_surrogates(json.loads(line)), f"L{line_number}", MAX_CONTAINER_DEPTH)
        except (ValueError, RecursionError) as exc:
            items = [(f"L{line_number}", InvalidLine(str(exc)[:200]))]
        pending += items[:MAX_ITEMS_PER_DOCUMENT + 1 - len(pending)]
        total += len(items) - 1
    if total > MAX_ITEMS_PER_DOCUMENT:
        outputs.append(too_many_items_error(raw, total))
    for place, item in pending[:MAX_ITEMS_PER_DOCUMENT]:
        outputs.append(_item_record(item, raw, place, f"{raw['uri']}#{place}", "jsonl", flags, needs_text=False))
    if not outputs:
        outputs.append(make_error("parse", "empty_input", "no JSON lines in the file", source=raw))
    return outputs


def parse_json_feed(raw: RawDocument) -> list[Article | ErrorRecord]:
    """Parse a JSON Feed (jsonfeed.org 1.0/1.1): one draft per item."""
    text, flags = _decode_json(raw)
    try:
        feed = repair_surrogates(json.loads(text))
    except (ValueError, RecursionError) as exc:
        return [make_error("parse", "invalid_json", f"JSON Feed is not valid JSON: {str(exc)[:200]}", source=raw)]
    items = feed.get("items") if isinstance(feed, dict) else None
    if not isinstance(items, list) or not items:
        return [make_error("parse", "empty_feed", "the JSON Feed has no items", source=raw)]
    feed_raw = {**raw, "feed_url": raw.get("feed_url") or scalar_text(feed.get("feed_url")),
                "language_hint": raw.get("language_hint") or _language_hint(scalar_text(feed.get("language")))}
    if not raw.get("source_id"):
        feed_raw["source_id"] = url_host(scalar_text(feed.get("home_page_url"))) or None
    outputs: list[Article | ErrorRecord] = []
    if len(items) > MAX_ITEMS_PER_DOCUMENT:
        outputs.append(too_many_items_error(raw, len(items)))
    for index, item in enumerate(items[:MAX_ITEMS_PER_DOCUMENT], start=1):
        if not isinstance(item, dict):
            outputs.append(_line_error(raw, index, "not_an_object", "JSON Feed item is not an object"))
        elif not _has_content(item):
            outputs.append(_line_error(raw, index, "empty_item", "JSON Feed item has no url, title or text"))
        else:
            outputs.append(object_to_article(item, feed_raw, "json_feed", raw["uri"], flags))
    return outputs
