"""Read what an article page says about itself, and where it says it: title, canonical URL, paywall,
publication and update times, authors, language, lead image, publisher.

The one reader of page metadata: pages read from files and archives (``html_pages``) and the pages of feed
items fetched for their full text (``full_text``) go through it alike. Every value comes with its provenance
(``page.json_ld``, ``page.meta``, ``page.html_lang``, ...), so a later stage can say where each came from.
The markup it reads is ``page_markup``'s (meta tags, JSON-LD), the times ``page_dates``', the title
``page_titles``'; the body itself is ``main_content``'s job. Nothing here raises on bad markup (an
unreadable page gives an empty ``PageMetadata``).
"""

from __future__ import annotations

import dataclasses
import urllib.parse
from typing import Any

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

from transforms.authors import author_names
from transforms.identity import MAX_URL_CHARS, same_site
from transforms.language import normalize_language_code
from transforms.page_dates import MARKED_TEXT_SOURCE, PUBLISHED_METAS, date_in_text, published_times, updated_time
from transforms.page_markup import (
    as_list, first_text, is_article_item, json_ld_blocks, json_ld_items, meta_content, meta_values, og_types,
    top_level_items,
)
from transforms.page_titles import titles
from transforms.publishers import page_publisher

AUTHOR_METAS = ("author", "article:author", "byl", "dc.creator", "sailthru.author", "parsely-author")
LANGUAGE_METAS = ("content-language", "language", "dc.language", "og:locale")
LEAD_IMAGE_METAS = ("og:image", "og:image:url", "og:image:secure_url", "twitter:image")
DESCRIPTION_METAS = ("description", "og:description")
FALSE_VALUES = (False, "false", "False", "FALSE", "no")


PAGE_LEVEL_TIME_SOURCES = frozenset({"page.json_ld", "page.meta", "page.microdata", "page.url"})


@dataclasses.dataclass(frozen=True)
class PageMetadata:
    """What a page declares about itself; each ``*_source`` names where the value was found."""

    canonical_url: str | None = None  # absolute http(s), on the same site as the page (else None)
    canonical_source: str | None = None  # page.rel_canonical, page.og_url
    paywalled: bool = False  # JSON-LD isAccessibleForFree = false, on the article or a part of it
    # (source, raw time) in order of trust: page.json_ld, page.meta, page.microdata, page.time, page.url
    published: tuple[tuple[str, str], ...] = ()
    updated: str | None = None  # raw: JSON-LD dateModified, else a meta tag
    # YYYY-MM-DD that htmldate finds in the page's text (a byline, a heading), looked for only when the page
    # declares no publication time; the last resort, after a dateline in the article's body
    text_date: str | None = None
    authors: tuple[str, ...] = ()
    authors_source: str | None = None  # page.json_ld, page.meta
    language: str | None = None  # primary subtag, lower case
    language_source: str | None = None  # page.html_lang, page.meta, page.json_ld
    lead_image: str | None = None  # absolute http(s)
    lead_image_source: str | None = None  # page.og_image, page.json_ld
    title: str | None = None
    description: str | None = None
    publisher: str | None = None  # the publication's name (``publishers.page_publisher``)
    publisher_url: str | None = None
    publisher_source: str | None = None  # page.json_ld, page.meta
    # JSON-LD about an article (or with a headline or datePublished), og:type article or an article time meta
    declares_article: bool = False
    # Strictly: og:type article, or JSON-LD of an article type (NewsArticle, BlogPosting, LiveBlogPosting, ...)
    # about the page; not a datePublished on a WebPage (a home page can carry one). A listing page
    # that says this of itself is kept as an article (``listing_pages``)
    declares_article_type: bool = False

    @property
    def dated(self) -> bool:
        """Whether the page gives its publication time where it speaks for the whole page: JSON-LD, a meta tag,
        microdata or its URL. Not a ``<time>`` or a marked text anywhere in it: a registry's rows hold such times."""
        return any(source in PAGE_LEVEL_TIME_SOURCES for source, _ in self.published)


def read_page_metadata(html: str, page_url: str | None) -> PageMetadata:
    """The metadata of the page ``html`` fetched from ``page_url`` (its URL after redirects)."""
    tree = page_tree(html)
    if tree is None:
        return PageMetadata()
    return read_page_tree(tree, page_url, meta_values(tree))


def page_tree(html: str) -> HtmlElement | None:
    """The page ``html`` parsed, or None when there is nothing to parse or it cannot be."""
    try:
        return lxml.html.document_fromstring(html) if html.strip() else None
    except (lxml.etree.LxmlError, ValueError):  # hostile or broken markup: no tree, never an exception
        return None


def read_page_tree(tree: HtmlElement, page_url: str | None, metas: dict[str, list[str]]) -> PageMetadata:
    """The metadata of a parsed page; ``metas`` is ``meta_values(tree)``, ``page_url`` where it was found."""
    blocks = list(json_ld_blocks(tree))
    ld_objects = list(json_ld_items(blocks))
    ld_top_level = top_level_items(blocks)
    articles = [item for item in ld_objects if is_article_item(item)]
    canonical, canonical_source = _canonical(tree, metas, page_url)
    authors, authors_source = _authors(articles, metas)
    language, language_source = _language(tree, metas, articles)
    image, image_source = _lead_image(metas, articles, page_url)
    published = tuple(published_times(tree, metas, articles, ld_top_level, canonical or page_url))
    publisher, publisher_url, publisher_source = page_publisher(metas, ld_objects, page_url)
    og_article = "article" in og_types(metas)
    return PageMetadata(
        canonical_url=canonical, canonical_source=canonical_source,
        paywalled=any(item.get("isAccessibleForFree") in FALSE_VALUES for item in ld_objects),
        # a text marked as the publication time is read after the URL's date, and may not read as a date at all:
        # htmldate's date is still looked for beside it, as for a page that gives none
        published=published, text_date=None if _declares_time(published) else date_in_text(tree),
        updated=updated_time(articles, metas),
        authors=tuple(authors), authors_source=authors_source,
        language=language, language_source=language_source, lead_image=image, lead_image_source=image_source,
        title=next(iter(titles(tree, metas, ld_objects, page_url)), None),
        description=first_text(meta_content(metas, DESCRIPTION_METAS)),
        publisher=publisher, publisher_url=publisher_url, publisher_source=publisher_source,
        declares_article=any(is_article_item(item) or "datePublished" in item or "headline" in item
                             for item in ld_top_level)
        or og_article or any(name in metas for name in PUBLISHED_METAS[:3]),
        declares_article_type=any(is_article_item(item) for item in ld_top_level) or og_article,
    )


def _declares_time(published: tuple[tuple[str, str], ...]) -> bool:
    """Whether the page gives its publication time other than as a marked text (``page_dates``)."""
    return any(source != MARKED_TEXT_SOURCE for source, _ in published)


def _absolute_http(value: Any, base_url: str | None) -> str | None:
    """``value`` as an absolute http(s) URL (resolved against ``base_url``), else None."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_URL_CHARS:
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


def _authors(articles: list[dict[str, Any]], metas: dict[str, list[str]]) -> tuple[list[str], str | None]:
    """Author names of the first JSON-LD article that names some (later ones are often related stories with
    their own authors), else from meta tags; one name per person, no URLs, no "By " (``transforms.authors``)."""
    credited = next((item["author"] for item in articles if item.get("author")), None)
    for source, found in (("page.json_ld", as_list(credited)), ("page.meta", meta_content(metas, AUTHOR_METAS))):
        names = [author.get("name") if isinstance(author, dict) else author for author in found]
        unique = author_names(name for name in names if isinstance(name, str))
        if unique:
            return unique, source
    return [], None


def _language(tree: HtmlElement, metas: dict[str, list[str]],
              articles: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """The language the page declares: <html lang>, then meta tags, then JSON-LD ``inLanguage``."""
    candidates = [("page.html_lang", tree.get("lang")),
                  ("page.html_lang", tree.get("{http://www.w3.org/XML/1998/namespace}lang"))]
    candidates += [("page.meta", value) for value in meta_content(metas, LANGUAGE_METAS)]
    candidates += [("page.json_ld", item.get("inLanguage")) for item in articles]
    for source, candidate in candidates:
        code = normalize_language_code(candidate.split(",")[0]) if isinstance(candidate, str) else None
        if code:
            return code, source
    return None, None


def _lead_image(metas: dict[str, list[str]], articles: list[dict[str, Any]],
                page_url: str | None) -> tuple[str | None, str | None]:
    candidates = [("page.og_image", value) for value in meta_content(metas, LEAD_IMAGE_METAS)]
    for item in articles:
        for image in as_list(item.get("image")):
            candidates.append(("page.json_ld", image.get("url") if isinstance(image, dict) else image))
    for source, value in candidates:
        url = _absolute_http(value, page_url)
        if url is not None:
            return url, source
    return None, None
