"""Main-content (boilerplate-free) extraction from full article pages.

The body comes from trafilatura, which measured best on the article-extraction benchmark (see
``benchmarks/quality_extraction.py``). Its HTML output goes through ``clean_html`` so that the body text,
HTML, links and images follow the same rules as everything else we clean. The page's metadata (title,
authors, language, times) is ``page_metadata``'s job, not trafilatura's: its metadata pass runs htmldate on
every page (44 instead of 62 pages/s on the benchmark, and up to 1.7 s more on a process's first call when
htmldate needs dateparser) and returns a reformatted date, where the pipeline wants the raw string.
"""

from __future__ import annotations

import dataclasses
import html as html_lib
import logging
from typing import Any

import lxml.html
import trafilatura
from lxml.html import HtmlElement

from transforms.html_cleaning import clean_html
from transforms.page_metadata import LEAD_IMAGE_METAS, meta_values

LOGGER = logging.getLogger(__name__)

# Trafilatura options, chosen on the benchmark (F1 of word 4-grams over 181 pages): the balanced mode
# (neither precision nor recall favoured), no comments, tables and formatting kept. ``fast`` skips its
# second-opinion extractors: faster (about 1.4x) and no worse (F1 0.962 against 0.960). Links and images are
# not asked of trafilatura: keeping them changes what it selects (F1 0.951 with both); they are taken
# from the page instead (``_links_and_images``). ``deduplicate`` is off: it lowered recall (0.978 ->
# 0.961), and its default process-wide cache even drops a page seen three times, so output would depend
# on the order of the input.
TRAFILATURA_OPTIONS: dict[str, Any] = {
    "output_format": "html",
    "fast": True,
    "favor_precision": False,
    "favor_recall": False,
    "include_comments": False,
    "include_tables": True,
    "include_formatting": True,
    "include_links": False,
    "include_images": False,
    "deduplicate": False,
    "with_metadata": False,
}
TEXT_BLOCKS = ("p", "li", "dd", "blockquote", "td", "pre", "h2", "h3", "h4")
MIN_MATCHED_BLOCK_CHARS = 20  # shorter blocks ("News", "Share") match any text by chance


@dataclasses.dataclass(frozen=True)
class MainContent:
    """The main text of a page, as text with paragraph breaks and sanitized HTML, with its links and images."""

    text: str
    html: str
    links: list[str]
    images: list[str]


def extract_main_content(html: str, *, url: str | None = None) -> MainContent | None:
    """The main content of the page ``html``, or None when no article body can be found."""
    try:
        tree = trafilatura.load_html(html)
        body_html = trafilatura.extract(tree, url=url, **TRAFILATURA_OPTIONS) if tree is not None else None
    except Exception as error:  # noqa: BLE001 - a third-party extractor failing on bad markup is no bug of ours
        LOGGER.debug("main-content extraction failed for %s: %s", url, error)
        return None
    if not body_html:
        return None
    body = clean_html(body_html, base_url=url)
    if not body.text:
        return None
    metas = meta_values(tree)
    links, images = _links_and_images(tree, metas, body.text, url)
    return MainContent(text=body.text, html=body.html, links=links, images=images)


def _links_and_images(tree: HtmlElement, metas: dict[str, list[str]], text: str,
                      url: str | None) -> tuple[list[str], list[str]]:
    """Links of the page's text blocks that made it into ``text``, images of the element holding them.

    The lead image declared in the page's meta tags comes first. The URLs go through ``clean_html``, so
    they follow its rules (absolute, http(s) only, no tracking pixels).
    """
    flat_text = " ".join(text.split())
    blocks = [block for block in tree.iter(TEXT_BLOCKS) if _block_in_text(block, flat_text)]
    container = _common_ancestor(blocks)
    images = [] if container is None or container.tag in ("body", "html") else list(container.iter("img"))
    anchors = [anchor for block in blocks for anchor in block.iter("a")]
    lead = [f'<img src="{html_lib.escape(value)}">' for name in LEAD_IMAGE_METAS for value in metas.get(name, [])[:1]]
    fragment = "".join(lead) + "".join(
        lxml.html.tostring(element, encoding="unicode", with_tail=False) for element in anchors + images)
    cleaned = clean_html(fragment, base_url=url)
    return cleaned.links, cleaned.images


def _block_in_text(block: HtmlElement, flat_text: str) -> bool:
    block_text = " ".join(block.text_content().split())
    return len(block_text) >= MIN_MATCHED_BLOCK_CHARS and block_text in flat_text


def _common_ancestor(elements: list[HtmlElement]) -> HtmlElement | None:
    """The innermost element containing all of ``elements`` (None for none)."""
    if not elements:
        return None
    candidates = [elements[0], *elements[0].iterancestors()]
    for element in elements[1:]:
        lineage = {element, *element.iterancestors()}
        candidates = [candidate for candidate in candidates if candidate in lineage]
    return candidates[0] if candidates else None
