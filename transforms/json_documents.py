"""Parse JSON Lines of articles and JSON Feed documents into article drafts.

JSON Lines: one object per line with at least ``url``, ``title``, ``html`` (or plain ``text``) and
``published``; also read when present: ``summary``, ``updated``, ``source``, ``author``/``authors``,
``language``, ``guid``/``id``, ``tags``, and the other names of ``FIELD_ALIASES`` (news-please's among
them). A line that is not JSON, or not an object, or has neither a URL nor any text, becomes an error record
naming the line; the other lines flow on.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from transforms.authors import author_names
from transforms.encoding import decode_document
from transforms.identity import url_host, web_url
from transforms.item_images import json_item_images
from transforms.records import (MAX_ITEMS_PER_DOCUMENT, Article, ErrorRecord, RawDocument, make_error,
                                too_many_items_error)

# Field names by meaning; also those of JSON Feed and of news-please's JSON (maintext, date_publish, ...).
FIELD_ALIASES = {
    "url": ("url", "link"), "title": ("title", "headline"), "html": ("html", "content_html", "content", "body"),
    "summary": ("summary", "description", "summary_html"),
    "published": ("published", "date_published", "published_at", "date", "date_publish"),
    "updated": ("updated", "date_modified", "updated_at", "date_modify"), "guid": ("guid", "id"),
    "source": ("source", "source_id", "source_domain"), "language": ("language", "lang"),
    "text": ("content_text", "text", "maintext"),  # plain text, when there is no HTML
}


def repair_surrogates(value: Any) -> Any:
    """Replace lone UTF-16 surrogates (legal in JSON, illegal in UTF-8) with U+FFFD, recursively."""
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, list):
        return [repair_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {repair_surrogates(key): repair_surrogates(item) for key, item in value.items()}
    return value


def _pick(obj: dict[str, Any], field: str) -> Any:
    for key in FIELD_ALIASES[field]:
        if obj.get(key) not in (None, ""):
            return obj[key]
    return None


def _text(value: Any) -> str | None:
    if isinstance(value, bool):  # an int to Python: "True" is no title, text or date
        return None
    return value if isinstance(value, str) else (str(value) if isinstance(value, (int, float)) else None)


def _text_as_html(text: str | None) -> str | None:
    """Plain text (JSON Feed ``content_text``) as escaped HTML paragraphs, for the cleaning stage."""
    paragraphs = [paragraph.strip() for paragraph in re.split(r"\n\s*\n", text or "") if paragraph.strip()]
    return "".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in paragraphs) or None


def _has_content(obj: dict[str, Any]) -> bool:
    """True when the object has a URL or any text: otherwise there is no article to keep."""
    return any(_pick(obj, field) for field in ("url", "title", "html", "summary", "text"))


def _names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names = [item.get("name") if isinstance(item, dict) else item for item in items]
    return [name for name in names if isinstance(name, str) and name.strip()]


def object_to_article(obj: dict[str, Any], raw: RawDocument, document_type: str, uri: str,
                      quality_flags: list[str] | None = None) -> Article:
    """Map one JSON object (a JSONL line or a JSON Feed item) onto an Article draft.

    Its link becomes an absolute http(s) URL against the document's own (the JSON Feed's ``feed_url``) or none.
    """
    document_url = web_url(raw.get("feed_url"), None) or web_url(raw.get("uri"), None)
    url = web_url(_text(_pick(obj, "url")), document_url)
    tags = obj.get("tags") if isinstance(obj.get("tags"), list) else []
    return Article(
        kind="article", url=url, guid=_text(_pick(obj, "guid")),
        # The site's host, as for feeds and pages, so one outlet has one source_id whatever the input;
        # a "source" field (often a display name) is used only when there is no URL.
        source_id=raw.get("source_id") or url_host(url) or _text(_pick(obj, "source")) or "jsonl",
        feed_url=raw.get("feed_url"), document_type=document_type, title=_text(_pick(obj, "title")),
        summary_html=_text(_pick(obj, "summary")),
        content_html=_text(_pick(obj, "html")) or _text_as_html(_text(_pick(obj, "text"))),
        authors=author_names(_names(obj.get("authors") or obj.get("author"))),
        images=json_item_images(obj, url or document_url),
        tags=[tag for tag in tags if isinstance(tag, str)] + list(raw.get("tags") or []),
        language_hint=raw.get("language_hint") or _text(_pick(obj, "language")),
        raw_published=_text(_pick(obj, "published")), raw_updated=_text(_pick(obj, "updated")),
        fetched_at=raw["fetched_at"], raw_sha256=raw["raw_sha256"], raw_path=raw.get("raw_path"), uri=uri,
        quality_flags=list(quality_flags or []),
    )


def _line_error(raw: RawDocument, line_number: int, error_type: str, message: str) -> ErrorRecord:
    located = {**raw, "uri": f"{raw['uri']}#L{line_number}", "guid": str(line_number)}
    return make_error("parse", error_type, f"line {line_number}: {message}", source=located)


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


def _whole_document(text: str, first_line: str, only_line: bool) -> list[Any] | None:
    """The items of a whole JSON document (an object or an array spread over lines, or an array on the
    ``only_line``), or None for JSON Lines: tried when the first line alone is not JSON, or is the document's
    only line, so JSON Lines cost nothing more."""
    if only_line and not first_line.lstrip().startswith("["):
        return None
    try:
        value = json.loads(first_line)
        # json.dump(articles) writes a list on one line: the commonest export of a list
        return repair_surrogates(value) if only_line else None
    except (ValueError, RecursionError):
        pass
    try:
        value = repair_surrogates(json.loads(text))
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, list) else [value]


def parse_json_document(raw: RawDocument, items: list[Any], flags: list[str]) -> list[Article | ErrorRecord]:
    """One draft per article object of a whole JSON document; one error per item that is not one.

    An API response (a WARC holds many) is an object with a ``url`` or an ``id`` but no title or text: an
    article needs a title or text here, where a JSON line needs only a URL.
    """
    outputs: list[Article | ErrorRecord] = []
    for index, item in enumerate(items[:MAX_ITEMS_PER_DOCUMENT], start=1):
        uri = f"{raw['uri']}#{index}" if len(items) > 1 else raw["uri"]
        located = {**raw, "uri": uri, "guid": str(index)}
        if not isinstance(item, dict):
            outputs.append(make_error("parse", "not_an_object", f"JSON item {index} is a {type(item).__name__}",
                                      source=located))
        elif not any(_pick(item, field) for field in ("title", "html", "summary", "text")):
            outputs.append(make_error("parse", "not_an_article", f"JSON item {index} has no title or text "
                                      f"(keys: {', '.join(sorted(map(str, item))[:12])})", source=located))
        else:
            outputs.append(object_to_article(item, raw, "json", uri, flags))
    if len(items) > MAX_ITEMS_PER_DOCUMENT:
        outputs.append(too_many_items_error(raw, len(items)))
    return outputs or [make_error("parse", "empty_input", "an empty JSON array", source=raw)]


def parse_jsonl(raw: RawDocument) -> list[Article | ErrorRecord]:
    """One draft per valid line; an error record for each line that is not a usable article.

    A pretty-printed JSON document is read whole instead (``parse_json_document``): line by line, each of its
    lines was an ``invalid_json`` error.
    """
    outputs: list[Article | ErrorRecord] = []
    text, flags = _decode_json(raw)
    # split on "\n" only: str.splitlines also splits on U+2028, U+0085 and others, legal inside JSON strings
    lines = [(number, line) for number, line in enumerate(text.split("\n"), start=1) if line.strip()]
    document = _whole_document(text, lines[0][1], len(lines) == 1) if lines else None
    if document is not None:
        return parse_json_document(raw, document, flags)
    if len(lines) > MAX_ITEMS_PER_DOCUMENT:
        outputs.append(too_many_items_error(raw, len(lines)))
    for line_number, line in lines[:MAX_ITEMS_PER_DOCUMENT]:
        try:
            obj = repair_surrogates(json.loads(line))
        except (ValueError, RecursionError) as exc:
            outputs.append(_line_error(raw, line_number, "invalid_json", str(exc)[:200]))
            continue
        if not isinstance(obj, dict):
            outputs.append(_line_error(raw, line_number, "not_an_object", f"a JSON {type(obj).__name__}, not an object"))
            continue
        if not _has_content(obj):
            outputs.append(_line_error(raw, line_number, "missing_fields", "no url, title or text"))
            continue
        outputs.append(object_to_article(obj, raw, "jsonl", f"{raw['uri']}#L{line_number}", flags))
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
    feed_raw = {**raw, "feed_url": raw.get("feed_url") or _text(feed.get("feed_url")),
                "language_hint": raw.get("language_hint") or _text(feed.get("language"))}
    if not raw.get("source_id"):
        feed_raw["source_id"] = url_host(_text(feed.get("home_page_url"))) or None
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
