"""Read a full HTML article page into an article draft: the page itself plus its metadata.

The body is left as the whole page; ``html_cleaning.clean_article`` extracts the main content.
"""

from __future__ import annotations

import collections
import json
from typing import Any, Iterator

import lxml.etree
import lxml.html

from transforms.encoding import decode_document
from transforms.identity import url_host, web_url
from transforms.markup_limits import limit_tags
from transforms.records import Article, ErrorRecord, RawDocument, make_error

PUBLISHED_META = ("article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate",
                  "date", "dc.date", "dc.date.issued", "dcterms.created", "sailthru.date", "parsely-pub-date")
UPDATED_META = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified")
AUTHOR_META = ("author", "article:author", "dc.creator", "parsely-author")


def _meta_values(tree: lxml.html.HtmlElement) -> dict[str, list[str]]:
    """All <meta> values by lowercased name/property/itemprop, in document order."""
    values: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        content = (meta.get("content") or "").strip()
        if key and content:
            values.setdefault(key, []).append(content)
    return values


def _json_ld_objects(tree: lxml.html.HtmlElement) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object on the page, @graph members included; broken blocks are skipped."""
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
            continue
        queue = collections.deque(data if isinstance(data, list) else [data])
        while queue:
            item = queue.popleft()
            if isinstance(item, dict):
                graph = item.get("@graph")
                queue.extend(graph if isinstance(graph, list) else [graph] if isinstance(graph, dict) else [])
                yield item


def _text(value: Any) -> str | None:
    """``value`` when it is a string (JSON-LD values may be anything), else None."""
    return value if isinstance(value, str) else None


def _is_article_type(obj: dict[str, Any]) -> bool:
    """True for schema.org article types (NewsArticle, Article, ..., BlogPosting), not WebPage or WebSite."""
    types = obj.get("@type") if isinstance(obj.get("@type"), list) else [obj.get("@type")]
    return any(isinstance(name, str) and name.endswith(("Article", "BlogPosting")) for name in types)


def _json_ld_names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names = [item.get("name") if isinstance(item, dict) else item for item in items]
    return [name.strip() for name in names if isinstance(name, str) and name.strip()]


def _first(values: dict[str, list[str]], keys: tuple[str, ...]) -> list[str]:
    return [value for key in keys for value in values.get(key, [])]


def _page_url(tree: lxml.html.HtmlElement, meta: dict[str, list[str]], raw: RawDocument) -> str | None:
    """The page's own URL, absolute http(s) or None: its canonical link, else og:url, else where it came from.

    A relative canonical link is relative to the page itself: to where it was fetched, else to its og:url
    (a page saved to a file keeps that), else it names no page.
    """
    fetched_from = web_url(raw["uri"], None) or web_url(raw.get("feed_url"), None)
    og_url = web_url(next(iter(meta.get("og:url") or []), None), fetched_from)
    canonical = next((link.get("href") for link in tree.iter("link")
                      if "canonical" in (link.get("rel") or "").lower().split() and link.get("href")), None)
    return web_url(canonical, fetched_from or og_url) or og_url or fetched_from


MIN_UNMARKED_ARTICLE_CHARS = 1500  # a page with no article markup needs this much text to count as one


def _looks_like_article(tree: lxml.html.HtmlElement, meta: dict[str, list[str]], ld: dict[str, Any]) -> bool:
    """Article markup or metadata, or else enough text: error pages and index pages are not articles."""
    if ld or "article" in meta.get("og:type", []) or "article:published_time" in meta:
        return True
    if tree.find(".//article") is not None or tree.find(".//*[@itemprop='articleBody']") is not None:
        return True
    body = tree.find(".//body")
    return body is not None and len(" ".join(body.text_content().split())) >= MIN_UNMARKED_ARTICLE_CHARS


def parse_html_page(raw: RawDocument) -> list[Article | ErrorRecord]:
    """One article draft from a full page, with title, URL, times, authors and language from its metadata."""
    text, choice = decode_document(raw["body"], raw.get("content_type"))
    text = text.replace("\x00", "")  # lxml refuses NULs, and so would the cleaning stage
    flags = [choice.flag] if choice.flag else []
    text, oversized_tags = limit_tags(text)  # see markup_limits: a few tags can stall the parser
    if oversized_tags:
        flags.append("oversized_attributes_removed")
    try:
        tree = lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError) as exc:
        return [make_error("parse", "malformed_html", f"page could not be parsed: {exc}", source=raw)]
    meta = _meta_values(tree)
    ld_articles = [obj for obj in _json_ld_objects(tree) if "datePublished" in obj or "headline" in obj]
    ld_articles.sort(key=lambda obj: not _is_article_type(obj))  # articles first, else page order
    ld = ld_articles[0] if ld_articles else {}
    title_element = tree.find(".//title")
    title = (meta.get("og:title") or [None])[0] or _text(ld.get("headline")) or (
        title_element.text_content() if title_element is not None else None)
    if not _looks_like_article(tree, meta, ld):
        return [make_error("parse", "not_an_article", "an HTML page with no article in it (no article markup or "
                           f"metadata and under {MIN_UNMARKED_ARTICLE_CHARS} characters of text)", source=raw)]
    url = _page_url(tree, meta, raw)
    if ld.get("isAccessibleForFree") in (False, "False", "false"):
        flags.append("paywalled")
    return [Article(
        kind="article", url=url, guid=None, source_id=raw.get("source_id") or url_host(url) or "pages",
        feed_url=raw.get("feed_url"), document_type="html", title=title,
        summary_html=(_first(meta, ("description", "og:description")) or [None])[0], content_html=text,
        authors=_json_ld_names(ld.get("author")) or _first(meta, AUTHOR_META)[:3], tags=list(raw.get("tags") or []),
        language_hint=raw.get("language_hint") or (tree.get("lang") or "").split("-")[0].lower() or None,
        raw_published=_text(ld.get("datePublished")),
        raw_updated=(_first(meta, UPDATED_META) or [_text(ld.get("dateModified"))])[0],
        raw_meta_times=_first(meta, PUBLISHED_META) + [t.get("datetime") for t in tree.iter("time") if t.get("datetime")][:3],
        fetched_at=raw["fetched_at"], raw_sha256=raw["raw_sha256"], raw_path=raw.get("raw_path"), uri=raw["uri"],
        quality_flags=flags,
    )]
