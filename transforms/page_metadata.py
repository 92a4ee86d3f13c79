"""Read what an article page says about itself, and where it says it: canonical URL, paywall, times,
authors, language, lead image.

Every value comes with its provenance (``page.json_ld``, ``page.meta``, ``page.html_lang``, ...), so the
full-text stage can fill the fields a feed left empty and say where each came from. The body itself is
``transforms.main_content``'s job; this module reads only the page's metadata, and never raises on bad
markup (an unreadable page gives an empty ``PageMetadata``).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

import courlan
import lxml.etree
import lxml.html
from lxml.html import HtmlElement

MAX_JSON_LD_CHARS = 1_000_000  # bigger blocks are data dumps, not article metadata
ARTICLE_TYPE_SUFFIXES = ("article", "posting", "report")  # NewsArticle, BlogPosting, Report, ...
PUBLISHED_METAS = (  # in order of trust
    "article:published_time", "og:article:published_time", "datepublished", "publishdate", "publish-date",
    "pubdate", "dc.date.issued", "dcterms.issued", "dcterms.created", "dc.date", "date", "sailthru.date",
    "parsely-pub-date", "og:published_time",
)
AUTHOR_METAS = ("author", "article:author", "byl", "dc.creator", "sailthru.author", "parsely-author")
LANGUAGE_METAS = ("content-language", "language", "dc.language", "og:locale")
LEAD_IMAGE_METAS = ("og:image", "og:image:url", "og:image:secure_url", "twitter:image")
FALSE_VALUES = (False, "false", "False", "FALSE", "no")


@dataclasses.dataclass(frozen=True)
class PageMetadata:
    """What a page declares about itself; each ``*_source`` names where the value was found."""

    canonical_url: str | None = None  # absolute http(s), on the same site as the page (else None)
    canonical_source: str | None = None  # page.rel_canonical, page.og_url
    paywalled: bool = False  # JSON-LD isAccessibleForFree = false, on the article or a part of it
    published: tuple[tuple[str, str], ...] = ()  # (source, raw time): page.json_ld, page.meta, page.time
    authors: tuple[str, ...] = ()
    authors_source: str | None = None  # page.json_ld, page.meta
    language: str | None = None  # primary subtag, lower case
    language_source: str | None = None  # page.html_lang, page.meta, page.json_ld
    lead_image: str | None = None  # absolute http(s)
    lead_image_source: str | None = None  # page.og_image, page.json_ld
    title: str | None = None


def read_page_metadata(html: str, page_url: str | None) -> PageMetadata:
    """The metadata of the page ``html`` fetched from ``page_url`` (its URL after redirects)."""
    try:
        tree = lxml.html.document_fromstring(html) if html.strip() else None
    except (lxml.etree.LxmlError, ValueError):  # hostile or broken markup: no metadata, never an exception
        tree = None
    if tree is None:
        return PageMetadata()
    metas = meta_values(tree)
    ld_objects = list(json_ld_items(tree))
    articles = [item for item in ld_objects if is_article_item(item)]
    canonical, canonical_source = _canonical(tree, metas, page_url)
    authors, authors_source = _authors(articles, metas)
    language, language_source = _language(tree, metas, articles)
    image, image_source = _lead_image(metas, articles, page_url)
    return PageMetadata(
        canonical_url=canonical, canonical_source=canonical_source,
        paywalled=any(item.get("isAccessibleForFree") in FALSE_VALUES for item in ld_objects),
        published=tuple(_published(tree, metas, articles)), authors=tuple(authors), authors_source=authors_source,
        language=language, language_source=language_source, lead_image=image, lead_image_source=image_source,
        title=first_text([item.get("headline") for item in articles] + metas.get("og:title", [])),
    )


def same_site(url: str, other_url: str) -> bool:
    """True when both URLs are on one site: the same host, or the same registrable domain
    (``www.example.com`` and ``news.example.com``; not ``a.github.io`` and ``b.github.io``)."""
    hosts = [(urllib.parse.urlsplit(value).hostname or "").lower().rstrip(".") for value in (url, other_url)]
    if not all(hosts):
        return False
    if hosts[0] == hosts[1]:
        return True
    domains = [_registrable_domain(value, host) for value, host in zip((url, other_url), hosts)]
    return domains[0] is not None and domains[0] == domains[1]


def _registrable_domain(url: str, host: str) -> str | None:
    """The public-suffix-list domain of ``url`` (``bbc.co.uk``); for a suffix the list does not know
    (``.example``, ``.internal``) the last two labels; None for IP addresses."""
    try:
        ipaddress.ip_address(host.strip("[]"))
        return None
    except ValueError:
        pass
    labels = host.split(".")
    return courlan.extract_domain(url) or (".".join(labels[-2:]) if len(labels) >= 2 else None)


def meta_values(tree: HtmlElement) -> dict[str, list[str]]:
    """Content of <meta> tags by lower-cased property/name/itemprop/http-equiv, in document order."""
    values: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop") or meta.get("http-equiv")
        content = meta.get("content")
        if key and content and content.strip():
            values.setdefault(key.strip().lower(), []).append(content.strip())
    return values


def json_ld_items(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    """Every JSON object in the page's JSON-LD blocks, nested ones and ``@graph`` members included."""
    for script in tree.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower() or not script.text:
            continue
        if len(script.text) > MAX_JSON_LD_CHARS:
            continue
        try:
            pending = [json.loads(script.text)]
        except (ValueError, RecursionError):
            continue
        while pending:  # iterative: JSON-LD can nest deeply
            item = pending.pop()
            if isinstance(item, list):
                pending.extend(reversed(item))
            elif isinstance(item, dict):
                yield item
                pending.extend(reversed([value for value in item.values() if isinstance(value, (list, dict))]))


def is_article_item(item: dict[str, Any]) -> bool:
    """Whether a JSON-LD object is an article (NewsArticle, BlogPosting, Report, ...)."""
    types = item.get("@type")
    names = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    return any(isinstance(name, str) and name.lower().endswith(ARTICLE_TYPE_SUFFIXES) for name in names)


def first_text(candidates: list[Any]) -> str | None:
    """The first candidate that is a non-blank string, whitespace collapsed."""
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip():
            return " ".join(candidate.split())
    return None


def _absolute_http(value: Any, base_url: str | None) -> str | None:
    """``value`` as an absolute http(s) URL (resolved against ``base_url``), else None."""
    if not isinstance(value, str) or not value.strip() or len(value) > 4096:
        return None
    try:
        url = urllib.parse.urljoin(base_url or "", value.strip())
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.hostname else None


def _canonical(tree: HtmlElement, metas: dict[str, list[str]], page_url: str | None) -> tuple[str | None, str | None]:
    """The page's canonical URL, if it names one on the page's own site."""
    candidates = [("page.rel_canonical", link.get("href")) for link in tree.iter("link")
                  if "canonical" in (link.get("rel") or "").lower().split()]
    candidates += [("page.og_url", value) for value in metas.get("og:url", [])]
    for source, value in candidates:
        url = _absolute_http(value, page_url)
        if url is not None:  # the first declared one decides: a page that names another site gets none
            return (url, source) if page_url and same_site(url, page_url) else (None, None)
    return None, None


def _published(tree: HtmlElement, metas: dict[str, list[str]], articles: list[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    for item in articles:
        if isinstance(item.get("datePublished"), str) and item["datePublished"].strip():
            yield "page.json_ld", item["datePublished"].strip()
    for name in PUBLISHED_METAS:
        for value in metas.get(name, [])[:1]:
            yield "page.meta", value
    for element in tree.iter("time"):
        marked = (element.get("itemprop") or "").lower() == "datepublished" or element.get("pubdate") is not None
        if marked and (element.get("datetime") or "").strip():
            yield "page.time", element.get("datetime").strip()


def _authors(articles: list[dict[str, Any]], metas: dict[str, list[str]]) -> tuple[list[str], str | None]:
    """Author names from JSON-LD (strings, objects or lists of them), else from meta tags; no URLs."""
    for source, found in (("page.json_ld", [value for item in articles for value in _as_list(item.get("author"))]),
                          ("page.meta", [value for name in AUTHOR_METAS for value in metas.get(name, [])])):
        names = [author.get("name") if isinstance(author, dict) else author for author in found]
        cleaned = [" ".join(name.split()) for name in names if isinstance(name, str) and name.strip()]
        cleaned = [name[3:] if name.lower().startswith("by ") else name for name in cleaned]
        unique = list(dict.fromkeys(name for name in cleaned if name and "://" not in name))
        if unique:
            return unique[:10], source
    return [], None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value else []


def _language(tree: HtmlElement, metas: dict[str, list[str]],
              articles: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """The language the page declares: <html lang>, then meta tags, then JSON-LD ``inLanguage``."""
    candidates = [("page.html_lang", tree.get("lang")),
                  ("page.html_lang", tree.get("{http://www.w3.org/XML/1998/namespace}lang"))]
    candidates += [("page.meta", value) for name in LANGUAGE_METAS for value in metas.get(name, [])]
    candidates += [("page.json_ld", item.get("inLanguage")) for item in articles]
    for source, candidate in candidates:
        if not isinstance(candidate, str):
            continue
        primary = candidate.strip().split(",")[0].replace("_", "-").split("-")[0].strip().lower()
        if 2 <= len(primary) <= 3 and primary.isascii() and primary.isalpha():
            return primary, source
    return None, None


def _lead_image(metas: dict[str, list[str]], articles: list[dict[str, Any]],
                page_url: str | None) -> tuple[str | None, str | None]:
    candidates = [("page.og_image", value) for name in LEAD_IMAGE_METAS for value in metas.get(name, [])]
    for item in articles:
        for image in _as_list(item.get("image")):
            candidates.append(("page.json_ld", image.get("url") if isinstance(image, dict) else image))
    for source, value in candidates:
        url = _absolute_http(value, page_url)
        if url is not None:
            return url, source
    return None, None
