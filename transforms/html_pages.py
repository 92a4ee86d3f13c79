"""Read a full HTML article page into an article draft: the page itself plus its metadata.

The body is left as the whole page; ``html_cleaning.clean_article`` extracts the main content.
"""

from __future__ import annotations

import lxml.etree
import lxml.html

from transforms.encoding import EncodingChoice, decode_document
from transforms.identity import fetched_url, url_host, web_url
from transforms.listing_pages import listing_reason
from transforms.markup_limits import limit_page_markup
from transforms.page_markup import meta_values
from transforms.page_metadata import PageMetadata, read_page_tree
from transforms.records import Article, ErrorRecord, RawDocument, make_error
from transforms.script_weights import latin_length


def _page_url(tree: lxml.html.HtmlElement, meta: dict[str, list[str]], raw: RawDocument) -> str | None:
    """The page's own URL, absolute http(s) or None: its canonical link, else og:url, else where it came from.

    A relative canonical link is relative to the page itself: to where it was fetched, else to its og:url
    (a page saved to a file keeps that), else it names no page.
    """
    fetched_from = fetched_url(raw)
    og_url = web_url(next(iter(meta.get("og:url") or []), None), fetched_from)
    canonical = next((link.get("href") for link in tree.iter("link")
                      if "canonical" in (link.get("rel") or "").lower().split() and link.get("href")), None)
    return web_url(canonical, fetched_from or og_url) or og_url or fetched_from


# A page with no article markup needs this much text to count as one, counted as Latin-script text would be
# (``script_weights``): 500 Chinese characters say what 1,500 English ones do.
MIN_UNMARKED_ARTICLE_CHARS = 1500


def _looks_like_article(tree: lxml.html.HtmlElement, metadata: PageMetadata) -> bool:
    """Article markup or metadata, or else enough text: error pages and short index pages are not articles (nor
    are listing pages of any length, which ``listing_pages.listing_reason`` tells)."""
    if metadata.declares_article:
        return True
    if tree.find(".//article") is not None or tree.find(".//*[@itemprop='articleBody']") is not None:
        return True
    body = tree.find(".//body")
    return body is not None and latin_length(body.text_content()) >= MIN_UNMARKED_ARTICLE_CHARS


def parseable_page(body: bytes, content_type: str | None) -> tuple[str, EncodingChoice, list[str]]:
    """A page's bytes as its parser gets them, for pages read from files and pages fetched for full text
    alike: decoded (and how), without NULs (lxml refuses them), oversized scripts and tags limited (see
    ``markup_limits``: a few can stall or cut the parser) with the quality flags that say so."""
    text, choice = decode_document(body, content_type)
    text, limit_flags = limit_page_markup(text.replace("\x00", ""))
    return text, choice, limit_flags


def parse_html_page(raw: RawDocument) -> list[Article | ErrorRecord]:
    """One article draft from a full page, with title, URL, times, authors and language from its metadata
    (``page_metadata``): the page's publication times go to ``page_times``, each named for where it was
    found (a date only its text gives to ``page_text_date``), its update time to ``raw_updated``."""
    text, choice, limit_flags = parseable_page(raw["body"], raw.get("content_type"))
    flags = ([choice.flag] if choice.flag else []) + limit_flags
    try:
        tree = lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError) as exc:
        return [make_error("parse", "malformed_html", f"page could not be parsed: {exc}", source=raw)]
    metas = meta_values(tree)
    url = _page_url(tree, metas, raw)
    metadata = read_page_tree(tree, url, metas)
    if not _looks_like_article(tree, metadata):
        return [make_error("parse", "not_an_article", "an HTML page with no article in it (no article markup or "
                           f"metadata and under {MIN_UNMARKED_ARTICLE_CHARS} characters of text)", source=raw)]
    listing = listing_reason(tree, metadata.declares_article_type, url, metadata.dated)
    if listing:  # a home, section, tag or search page: one "article" of it would be a mash of teasers
        return [make_error("parse", "not_an_article", listing, source=raw)]
    if metadata.paywalled:
        flags.append("paywalled")
    return [Article(
        kind="article", url=url, guid=None, source_id=raw.get("source_id") or url_host(url) or "pages",
        feed_url=raw.get("feed_url"), publisher=metadata.publisher, publisher_url=metadata.publisher_url,
        document_type="html", title=metadata.title,
        summary_html=metadata.description, content_html=text, authors=list(metadata.authors),
        tags=list(raw.get("tags") or []), language_hint=raw.get("language_hint") or metadata.language,
        raw_published=None, raw_updated=metadata.updated, page_times=list(metadata.published),
        page_text_date=metadata.text_date,
        fetched_at=raw["fetched_at"], raw_sha256=raw["raw_sha256"], raw_path=raw.get("raw_path"), uri=raw["uri"],
        quality_flags=flags,
    )]
