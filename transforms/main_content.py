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
import itertools
import logging
from collections.abc import Iterable
from typing import Any

import lxml.etree
import lxml.html
import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import MANUALLY_STRIPPED

from transforms.html_cleaning import clean_html
from transforms.identity import web_url
from transforms.page_markup import meta_values
from transforms.page_metadata import LEAD_IMAGE_METAS
from transforms.page_titles import page_titles

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
# Characters the search for text blocks in the body may read, in all (str.find reads about 10 GB/s): blocks
# not in the body cost a read of the rest of it each; real pages need a few times the body's length.
MAX_BLOCK_SEARCH_CHARS = 2_000_000_000
# A headline at the start of a body is looked for in the element its text starts in and this many elements
# around it (<td><div><h1><span>): deeper wrapping is no headline trafilatura writes.
MAX_HEADLINE_DEPTH = 6
# trafilatura's time grows faster than a page: with the square of its paragraphs and headings and more (its XPath
# text() queries), and far faster with the inline tags it strips into their parent's text (a, span, font, small: the
# runs of text left behind cost its text() queries the square of their length, each). A page of 118,000 <p> (944 KB)
# took 37 s, 40,000 <h2> 10 s, one paragraph of 10,000 links (210 KB) 13 s and of 40,000 links 290 s. Pages over
# these bounds are not searched (the whole page is cleaned instead, flag ``main_content_not_found``); at them the
# worst shapes take about 5 s, and a transcript of 20,000 paragraphs is still searched. The benchmark's largest
# page has 1,596 nodes, 830 of them inline tags trafilatura strips.
MAX_SEARCHED_NODES = 30_000
MAX_SEARCHED_STRIPPED_TAGS = 5_000
STRIPPED_TAGS = frozenset({"a", "span", *MANUALLY_STRIPPED})


@dataclasses.dataclass(frozen=True)
class MainContent:
    """The main text of a page, as text with paragraph breaks and sanitized HTML, with its links and images."""

    text: str
    html: str
    links: list[str]
    images: list[str]


def extract_main_content(html: str, *, url: str | None = None) -> MainContent | None:
    """The main content of the page ``html``, or None when no article body can be found or the page is too
    big to search (``too_costly_to_search``); without the headline when the body starts with it
    (``without_leading_title``)."""
    try:
        tree = trafilatura.load_html(html)
        if tree is None or too_costly_to_search(tree):
            return None
        metas = meta_values(tree)
        titles = page_titles(tree, metas, url)  # read before trafilatura, which may prune the tree
        base_url = page_base_url(tree, url)  # trafilatura's output has no <head>, so no <base>
        body_html = trafilatura.extract(tree, url=url, **TRAFILATURA_OPTIONS)
    except Exception as error:  # noqa: BLE001 - a third-party extractor failing on bad markup is no bug of ours
        LOGGER.debug("main-content extraction failed for %s: %s", url, error)
        return None
    if not body_html:
        return None
    body = clean_html(without_leading_title(body_html, titles), base_url=base_url)
    if not body.text:
        return None
    links, images = _links_and_images(tree, metas, body.text, base_url)
    return MainContent(text=body.text, html=body.html, links=links, images=images)


def too_costly_to_search(tree: HtmlElement) -> bool:
    """Whether the page has more than ``MAX_SEARCHED_NODES`` nodes, or more than ``MAX_SEARCHED_STRIPPED_TAGS`` of the
    inline tags trafilatura strips: one walk, stopped as soon as either is over."""
    stripped = 0
    for count, node in enumerate(tree.iter(), start=1):
        stripped += node.tag in STRIPPED_TAGS
        if count > MAX_SEARCHED_NODES or stripped > MAX_SEARCHED_STRIPPED_TAGS:
            return True
    return False


def page_base_url(tree: HtmlElement, url: str | None) -> str | None:
    """What the page's relative URLs resolve against: its first ``<base href>`` (itself resolved against
    ``url``) when that is an http(s) URL, else ``url``.

    A page saved to a file has no URL of its own, and a CMS (Joomla writes ``<base href>`` on every page)
    may point relative links somewhere other than the page's folder.
    """
    href = next((base.get("href") for base in tree.iter("base") if base.get("href")), None)
    return web_url(href, url) or url


def without_leading_title(body_html: str, titles: list[str]) -> str:
    """``body_html`` without its first block when that block is one of the page's ``titles`` (whitespace
    and case aside), unchanged otherwise or when nothing else would be left.

    trafilatura keeps the headline as the body's first block (58 of the benchmark's 181 pages start with
    it: express.co.uk, bbc.com, thesun.co.uk, ...), while an article's body, as the benchmark's ground
    truth has it, starts below the headline; the title has its own field.
    """
    wanted = {_comparable(title) for title in titles} - {""}
    if not wanted:
        return body_html
    try:
        root = lxml.html.document_fromstring(body_html)
    except (lxml.etree.LxmlError, ValueError):
        return body_html
    block = _leading_title_block(root, wanted)
    if block is None:
        return body_html
    block.drop_tree()  # keeps the text that follows it (its tail)
    return lxml.html.tostring(root, encoding="unicode") if _comparable(root.text_content()) else body_html


def _leading_title_block(root: HtmlElement, wanted: set[str]) -> HtmlElement | None:
    """The outermost element that holds the first text of ``root`` and whose whole text is one of
    ``wanted`` (``<h1><span>Harbour</span> reopens</h1>`` is the <h1>), or None; none when some text comes
    before any element."""
    body = root.find("body")
    container = body if body is not None else root
    if (container.text or "").strip():
        return None
    first = None
    for event, element in lxml.etree.iterwalk(container, events=("start", "end")):
        if element is container:
            continue
        if event == "end" and (element.tail or "").strip():
            return None  # text after an element with none (an image, a line break) comes first
        if event == "start" and isinstance(element.tag, str) and (element.text or "").strip():
            first = element
            break
    if first is None:
        return None
    longest = max(len(title) for title in wanted)
    lineage = [first, *itertools.takewhile(lambda element: element is not container, first.iterancestors())]
    found = None
    for element in lineage[:MAX_HEADLINE_DEPTH]:
        text = _short_text(element, longest)
        if text is None:  # longer than any title: so are the elements around it
            break
        if text in wanted:
            found = element
    return found


def _short_text(element: HtmlElement, max_chars: int) -> str | None:
    """The text of ``element`` as ``_comparable`` gives it, or None once it has more than ``max_chars``
    characters that are not spaces (read no further: the element may hold the whole article)."""
    pieces, visible = [], 0
    for piece in element.itertext():
        visible += sum(not character.isspace() for character in piece)
        if visible > max_chars:
            return None
        pieces.append(piece)
    return _comparable("".join(pieces))


def _comparable(text: str) -> str:
    return " ".join(text.split()).casefold()


def _links_and_images(tree: HtmlElement, metas: dict[str, list[str]], text: str,
                      url: str | None) -> tuple[list[str], list[str]]:
    """Links of the page's text blocks that made it into ``text``, images of the element holding them.

    The lead image declared in the page's meta tags comes first. The URLs go through ``clean_html``, so
    they follow its rules (absolute, http(s) only, no tracking pixels).
    """
    blocks = _blocks_in_text(tree.iter(TEXT_BLOCKS), " ".join(text.split()))
    container = _common_ancestor(blocks)
    images = [] if container is None or container.tag in ("body", "html") else list(container.iter("img"))
    anchors = [anchor for block in blocks for anchor in block.iter("a")]
    lead = [f'<img src="{html_lib.escape(value)}">' for name in LEAD_IMAGE_METAS for value in metas.get(name, [])[:1]]
    fragment = "".join(lead) + "".join(
        lxml.html.tostring(element, encoding="unicode", with_tail=False) for element in anchors + images)
    cleaned = clean_html(fragment, base_url=url)
    return cleaned.links, cleaned.images


def _blocks_in_text(blocks: Iterable[HtmlElement], flat_text: str) -> list[HtmlElement]:
    """The blocks whose text is in ``flat_text``: each looked for first from where the one before was found
    (the body mostly keeps the page's order, and a nested block starts where its parent does), then in the
    whole text.

    Looked for in the whole text only, a page of 20,000 paragraphs took 7 s (quadratic). What the search
    may read in all is bounded (``MAX_BLOCK_SEARCH_CHARS``): past that, blocks count as not found.
    """
    found: list[HtmlElement] = []
    position, budget = 0, MAX_BLOCK_SEARCH_CHARS
    for block in blocks:
        block_text = " ".join(block.text_content().split())
        if len(block_text) < MIN_MATCHED_BLOCK_CHARS:
            continue
        if budget <= 0:
            break
        start = flat_text.find(block_text, position)
        budget -= (start + len(block_text) if start >= 0 else len(flat_text)) - position
        if start < 0:
            start = flat_text.find(block_text)
            budget -= len(flat_text)
        if start >= 0:
            found.append(block)
            position = start
    return found


def _common_ancestor(elements: list[HtmlElement]) -> HtmlElement | None:
    """The innermost element containing all of ``elements`` (None for none)."""
    if not elements:
        return None
    candidates = [elements[0], *elements[0].iterancestors()]
    for element in elements[1:]:
        lineage = {element, *element.iterancestors()}
        candidates = [candidate for candidate in candidates if candidate in lineage]
    return candidates[0] if candidates else None
