"""Full text: give each feed item the body of its linked page, and say what its body is (``body_status``).

The page was fetched before the pipeline ran (``pipeline/page_fetch.py``), kept in the raw zone, and
described in the item's ``page`` (a ``PageInfo``). This stage reads those bytes, extracts the main
content (``transforms.main_content``), and fills from the page what the feed left empty: publication
time (as ``page_times``, read by ``transforms.timestamps``), authors, language hint, lead image (first in
``images``), title, and the page's own canonical URL on its own site (``page_canonical_url``, which
``transforms.identity`` prefers for ``canonical_url`` but never uses for ``article_id``). Every value
taken from the page is named in ``field_sources``. The feed's teaser stays in ``summary_text``.

It runs right after "Clean HTML": the extracted body is already sanitized by ``clean_html`` (cleaning
it again would only lose the page's links and lead image), and text normalization, language, time and
identity all see the page's fields.

``body_status`` is set on every article, page or not:

- ``full``: the body is the whole article: a page's main content, a full HTML page read as input, or a
  feed item whose own content (content:encoded, Atom content, JSON Feed content) has at least
  ``FULL_BODY_MIN_CHARS`` characters of text, or whose description is the whole post
  (``transforms.feed_bodies``: ``clean_article`` made it the body);
- ``teaser_only``: no page was asked for, or its fetch failed (the reason is a ``page_*`` quality flag); also
  a body its source says it cut (NewsAPI's "[+1234 chars]": flag ``body_truncated_by_source``), however long;
- ``paywalled``: the page declares it (JSON-LD ``isAccessibleForFree: false``) or its extracted body is a
  known paywall notice;
- ``empty``: the page (or the HTML input) was read but no article text was found in it (under
  ``MIN_PAGE_BODY_CHARS`` of main text: flag ``main_content_not_found``), or it is a listing page (a section
  front, a tag or search page: ``listing_pages``, flag ``page_listing``; nothing is taken from it), or the
  item has no text at all;
- ``not_html``: the link serves something else (PDF, image, ...);
- ``blocked_by_robots``: robots.txt disallows the page for our User-Agent (or could not be read).
"""

from __future__ import annotations

import gzip
import re
from typing import Any, cast

from transforms.feed_bodies import feed_body_is_full, summary_is_whole_article
from transforms.html_cleaning import clean_html
from transforms.html_pages import parseable_page
from transforms.listing_pages import listing_reason
from transforms.page_markup import meta_values
from transforms.page_metadata import PageMetadata, page_tree, read_page_tree
from transforms.records import Article, PageInfo, is_error
from transforms.script_weights import latin_length
from transforms.settings import TransformSettings
from transforms.summaries import trim_summary

BODY_STATUSES = ("full", "teaser_only", "paywalled", "empty", "not_html", "blocked_by_robots")
# Less main text than this is not an article body (a cookie banner, a menu the extractor settled for); counted as
# Latin-script text would be (``script_weights``): a Japanese brief of 80 characters is one.
MIN_PAGE_BODY_CHARS = 150
# An extracted body this short that contains one of these phrases is a paywall notice, not an article.
PAYWALL_NOTICE_MAX_CHARS = 1500
PAYWALL_PHRASES = re.compile(
    r"subscribe (?:now )?to (?:continue|keep) reading|to continue reading,? (?:please )?(?:subscribe|log ?in|sign ?in)"
    r"|this (?:article|content|story) is (?:only )?(?:available |reserved )?(?:to|for) (?:paying )?subscribers"
    r"|already a subscriber\??,? (?:please )?(?:log|sign) ?in|you have reached your (?:limit|maximum) of free articles"
    r"|subscribers only|exclusive to subscribers|create a free account to continue reading"
    r"|this content is for members only",
    re.IGNORECASE,
)
PAGE_STATUSES = {"not_html": "not_html", "blocked_by_robots": "blocked_by_robots"}  # else teaser_only
LISTING_PAGE_FLAG = "page_listing"  # the page is a home, section, tag or search page: body status empty


def feed_item_is_whole(item: Article) -> bool:
    """True when a parsed feed item (not yet cleaned) carries its whole article, as ``clean_article`` will
    find: a content block of ``FULL_BODY_MIN_CHARS`` of text, or a description that is the whole post."""
    if item.get("content_html"):
        return feed_body_is_full(clean_html(item["content_html"]).text, item.get("quality_flags"))
    if not item.get("summary_html"):
        return False
    summary = trim_summary(clean_html(item["summary_html"]).text)
    return summary_is_whole_article(item.get("document_type"), False, summary.text, summary.truncated)


def is_paywall_notice(text: str | None) -> bool:
    """True for a short text that is a paywall's notice ("Subscribe to continue reading ...")."""
    return bool(text) and len(text or "") <= PAYWALL_NOTICE_MAX_CHARS and PAYWALL_PHRASES.search(text or "") is not None


def attach_full_text(article: Article, settings: TransformSettings) -> Article:
    """Fill the body and missing metadata of ``article`` from its fetched page; set ``body_status``."""
    if is_error(article):  # type: ignore[arg-type]
        return article
    page = article.get("page")
    if not page:
        return cast(Article, {**article, "body_status": _status_without_page(article)})
    if page.get("status") != "fetched":
        reason = page.get("error_type") or page.get("status") or "failed"
        return _flagged(article, PAGE_STATUSES.get(page.get("status") or "", "teaser_only"), f"page_{reason}")
    try:
        body = _read_page_bytes(page)
    except (OSError, EOFError, gzip.BadGzipFile):
        return _flagged(article, "teaser_only", "page_raw_unreadable")
    return _with_page(article, page, body, settings)


def _status_without_page(article: Article) -> str:
    """The body status of an item no page was fetched for: decided by what the input itself carries."""
    flags = article.get("quality_flags") or []
    if "paywalled" in flags:
        return "paywalled"
    if article.get("document_type") == "html":
        return "full" if article.get("body_text") else "empty"
    if feed_body_is_full(article.get("body_text"), flags):
        return "full"
    return "teaser_only" if article.get("summary_text") or article.get("body_text") else "empty"


def _flagged(article: Article, body_status: str, flag: str) -> Article:
    flags = list(article.get("quality_flags") or [])
    if flag not in flags:
        flags.append(flag)
    if feed_body_is_full(article.get("body_text"), flags):
        body_status = "full"  # the page failed, but the feed's own body is whole
    return cast(Article, {**article, "body_status": body_status, "quality_flags": flags})


def _read_page_bytes(page: PageInfo) -> bytes:
    """The page body as stored in the raw zone (gzip), or as a plain file."""
    path = page.get("raw_path") or ""
    with open(path, "rb") as handle:
        data = handle.read()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def _with_page(article: Article, page: PageInfo, body: bytes, settings: TransformSettings) -> Article:
    """``article`` with its page's main content and metadata; with a flag only, when the page is a listing."""
    html, flags = _page_html(body, page.get("content_type"), settings)
    flags = list(article.get("quality_flags") or []) + flags
    page_url = page.get("final_url") or page.get("url") or article.get("url")
    tree = page_tree(html)
    metadata = read_page_tree(tree, page_url, meta_values(tree)) if tree is not None else PageMetadata()
    # an item its feed dates is a piece published on a day, which no directory is (``directory_pages``): a
    # newsletter's roundup of links keeps its page, undated as the page may be
    dated = metadata.dated or bool(article.get("raw_published"))
    if tree is not None and listing_reason(tree, metadata.declares_article_type, page_url, dated):
        # a section front, a tag page, a list of live pages: its teasers are not this item's body, and its
        # title, times and canonical URL are the listing's, not the item's
        return _flagged(cast(Article, {**article, "quality_flags": flags}), "empty", LISTING_PAGE_FLAG)
    result: dict[str, Any] = dict(article)
    main = _main_content(html, page_url, settings)
    if main is not None and latin_length(main.text, collapse_whitespace=False) < MIN_PAGE_BODY_CHARS:
        main = None
    sources: dict[str, str] = dict(result.get("field_sources") or {})
    if main is not None:
        if not result.get("summary_text") and result.get("body_text"):
            result["summary_text"] = result["body_text"]  # the feed's only text was its teaser: keep it
        result["body_text"], result["body_html"] = main.text or None, main.html or None
        result["links"] = list(dict.fromkeys([*main.links, *(result.get("links") or [])]))
        result["images"] = list(dict.fromkeys([*main.images, *(result.get("images") or [])]))
        sources["body_text"] = "page"
    _fill_from_metadata(result, metadata, sources)
    paywalled = metadata.paywalled or (main is not None and is_paywall_notice(main.text))
    result["body_status"] = "paywalled" if paywalled else "full" if main is not None else "empty"
    if main is None and feed_body_is_full(result.get("body_text"), flags):
        result["body_status"] = "full"  # nothing found on the page, but the feed's own body is whole
    if main is None:
        flags.append("main_content_not_found")
    result["quality_flags"] = flags
    result["field_sources"] = sources
    return cast(Article, result)


def _page_html(body: bytes, content_type: str | None, settings: TransformSettings) -> tuple[str, list[str]]:
    """The page's bytes as HTML to read, cut at ``max_html_chars``, with the quality flags that say what was
    done to it (``page_`` and the flag: the feed's own flags may say the same of the feed)."""
    html, _, limit_flags = parseable_page(body, content_type)
    flags = [f"page_{flag}" for flag in limit_flags]
    if len(html) > settings.max_html_chars:
        html = html[: settings.max_html_chars]
        flags.append("page_html_truncated")
    return html, flags


def _main_content(html: str, page_url: str | None, settings: TransformSettings) -> Any:
    """The page's main content (``MainContent``), or None when no article text is found."""
    from transforms.main_content import MainContent, extract_main_content  # trafilatura loads on first use

    if settings.extract_main_content:
        return extract_main_content(html, url=page_url)
    cleaned = clean_html(html, base_url=page_url)  # boilerplate removal turned off: the whole page
    if not cleaned.text:
        return None
    return MainContent(text=cleaned.text, html=cleaned.html, links=cleaned.links, images=cleaned.images)


def _fill_from_metadata(result: dict[str, Any], metadata: PageMetadata, sources: dict[str, str]) -> None:
    """Fields the feed left empty, from the page, each with its source; the lead image goes first."""
    if metadata.canonical_url:
        result["page_canonical_url"] = metadata.canonical_url
        sources["canonical_url"] = metadata.canonical_source or "page"
    if not result.get("raw_published"):
        result["page_times"] = list(metadata.published)  # time_source then names the one chosen
        result["page_text_date"] = metadata.text_date
    if metadata.authors and not result.get("authors"):
        result["authors"] = list(metadata.authors)
        sources["authors"] = metadata.authors_source or "page"
    if metadata.language and not result.get("language_hint"):
        result["language_hint"] = metadata.language
        sources["language"] = metadata.language_source or "page"
    if metadata.title and not result.get("title"):
        result["title"] = metadata.title
        sources["title"] = "page"
    if metadata.publisher and not result.get("publisher"):
        result["publisher"], result["publisher_url"] = metadata.publisher, metadata.publisher_url
        sources["publisher"] = metadata.publisher_source or "page"
    if metadata.lead_image:
        lead = clean_html(f'<img src="{_attribute(metadata.lead_image)}">').images  # drops tracking pixels
        if lead:
            result["images"] = list(dict.fromkeys([lead[0], *(result.get("images") or [])]))
            sources["images"] = metadata.lead_image_source or "page"


def _attribute(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
