"""Tell a listing page (a home, section, tag, author or search results page) from an article page.

A listing page holds many teasers, each a headline link and perhaps a line of standfirst, a time and a
picture. Read whole, it would become one "article" whose body is a mash of teasers. What tells it from an
article is where the page's own text is: on a listing it is in the teasers, and nothing outside them holds
a story. Two shapes are looked for (``listing_reason`` asks for both):

- ``listing_items``: teaser cards marked up as ``<article>`` elements. An article page can hold several
  ``<article>`` elements too: its own, a few small "related" cards beside it, comments, the posts of a live
  blog; on a listing no card holds more than a standfirst and the cards' text is largely headline links.
- ``teaser_blocks``: teasers of any markup (``<div>`` cards, ``<li>`` items, ``<section>``s), found by
  their structure, not their class names: runs of three or more siblings of one tag, each led by a headline
  link to another page of the site. A listing has many of them holding most of its text, and no run of
  story text outside them; an article of any length (a 300-character brief among its site's promotions, a
  gallery's captions, a live blog's posts, a story written in ``<div>``s) has one.

A directory (a registry's table, a list of links to other pages: ``directory_pages``) is no article either, and
``listing_reason`` says so too.

A page that declares itself an article (og:type, JSON-LD) is never a listing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from lxml.html import HtmlElement

from transforms.directory_pages import DirectoryReader
from transforms.identity import same_site, web_url
from transforms.page_text import FURNITURE_TAGS, STEPS, TextEvent, leads_elsewhere, readable_text
from transforms.script_weights import word_count

# Thresholds, in characters of text (whitespace collapsed) outside links to other pages, counted as Latin-script
# text would be (``script_weights``: a Chinese character counts 3, a kana or Hangul syllable 2), so that they hold
# for pages in any script. On the 181 real article pages of the article-extraction benchmark, 20 hold 4 to 61
# outermost <article> elements: their story holds 1,100 to 14,400 of these characters in one card (16 pages) or
# 3,600 to 18,200 outside every card (4), teasers of related stories up to 410 (one with a 55-word excerpt),
# comments and sidebar widgets up to 1,000.
# The teasers of the listing fixtures (tests/fixtures/listing) hold up to 170.
MIN_CARDS = 4  # fewer <article> cards is no listing (a tag page of three stories stays as it was)
# A card holding this much is a story, not a teaser: the page's own article, a live-blog post of substance.
MAX_TEASER_CHARS = 500
# Text outside the cards holding this much is a story (an article page whose related items are cards): the
# bar a page without article markup must pass to count as an article (html_pages.MIN_UNMARKED_ARTICLE_CHARS).
MIN_STORY_CHARS = 1500
# Teasers are headline links to their stories: a listing's cards have a fifth or more of their text in links
# to other pages (search results with 150-character snippets 0.25, headline-and-time cards 0.75), a live blog's
# posts or a run of comments next to none (their permalinks and reply links stay on the page: "#post-12",
# "?replytocom=88", and are not counted as links); the bar sits below the listings.
MIN_CARD_LINK_SHARE = 0.15

# Index pages of any markup (``teaser_blocks``). A teaser block is led by a headline link: one of this many
# words (menu entries, "Read more" and bylines are shorter), where a word of Chinese, Japanese or Thai, written
# without spaces, is a few characters (``script_weights.word_count``: "国际新闻" is two words, a headline of eight
# characters four) ...
MIN_HEADLINE_WORDS = 4
MAX_HEADLINE_LINK_CHARS = 4 * MAX_TEASER_CHARS  # a link around a whole card holds its standfirst too; no more
# ... with no more text outside links before it than a kicker, a label or a time ("Live", "Politics", "10:32")
MAX_TEASER_LEAD_CHARS = 40
MIN_SIBLING_TEASERS = 3  # siblings of one tag: a list, a row of cards, a column of results
MIN_TEASER_BLOCKS = 6
# The fixtures' index pages have 0.63 to 0.92 of their text in teaser blocks; real articles up to 0.81 (an AEB
# page whose story sits among 87 teasers of other stories), which a run of story text keeps.
MIN_TEASER_SHARE = 0.5
# A story is a run of this much text outside links, teaser blocks and page furniture, whatever its markup
# (paragraphs, <div>s, captions, posts of a live blog). The runs of the 181 AEB pages are 411 characters
# (a paywalled article's preview of 369 characters) and more; a 300-character brief with its headline makes
# 399; the fixtures' index pages run to 174 at most (a cookie notice, a sidebar's blurbs, a footer's imprint).
MIN_STORY_RUN_CHARS = 250
INLINE_TAGS = frozenset({"a", "abbr", "b", "br", "cite", "code", "em", "font", "i", "img", "label", "mark", "q", "s",
                         "small", "span", "strong", "sub", "sup", "time", "u", "wbr"})


def listing_reason(tree: HtmlElement, declares_article_type: bool, page_url: str | None,
                   dated: bool = False) -> str | None:
    """Why the page ``tree`` (found at ``page_url``) is a listing or index page and no article, in words; None
    when it may be an article. ``declares_article_type``: the page says it is one (og:type, JSON-LD); ``dated``: its
    metadata or URL gives its publication time (``PageMetadata.dated``), which no directory does."""
    cards = listing_items(tree, declares_article_type)
    if cards:
        return (f"looks like a listing/index page with {cards} teaser items (<article> cards of headline links with "
                f"under {MAX_TEASER_CHARS} characters of their own text each; no story outside them and no article "
                "declared)")
    if declares_article_type:
        return None
    # a dated page is no directory, and most pages are dated: only an undated one is read for directory blocks, as
    # the teaser blocks are looked for (one pass for both)
    directory_reader = None if dated else DirectoryReader()
    events = directory_reader.read(readable_text(tree)) if directory_reader else readable_text(tree)
    blocks = _teaser_blocks_in(tree, _page_regions(tree, page_url, events))
    if blocks:
        return (f"looks like a listing/index page with {blocks.count} teaser blocks (sibling elements each led by a "
                f"headline link to another page of the site, holding {blocks.share:.0%} of its text; no run of "
                f"{MIN_STORY_RUN_CHARS} characters of other text, the longest {blocks.longest_run}; no article "
                "declared)")
    directory = directory_reader.directory() if directory_reader else None
    if directory:
        return (f"looks like a directory page: {directory.share:.0%} of its text outside links is in tables and lists "
                f"of {directory.entries} short entries, most of them links to other pages; no story beside them and "
                "no article declared")
    return None


def listing_items(tree: HtmlElement, declares_article_type: bool) -> int | None:
    """The number of teaser cards when the page ``tree`` looks like a listing page, else None.

    Cards are the ``<article>`` elements not inside another one (comments nested in a post are part of
    it). A listing has at least ``MIN_CARDS`` of them, none holding ``MAX_TEASER_CHARS`` characters of text
    outside links, no ``MIN_STORY_CHARS`` outside the cards, and ``MIN_CARD_LINK_SHARE`` of the cards' text in
    links to other pages. A page that declares itself an article (``declares_article_type``: og:type article
    or a JSON-LD NewsArticle, BlogPosting, LiveBlogPosting... about the page) is never a listing: what the page
    says of itself wins over its layout.
    """
    if declares_article_type or sum(1 for _ in tree.iter("article")) < MIN_CARDS:
        return None
    cards = teaser_cards(tree)
    if cards is None or len(cards) < MIN_CARDS:
        return None
    own_text, link_text = sum(own for own, _ in cards), sum(linked for _, linked in cards)
    return len(cards) if link_text >= MIN_CARD_LINK_SHARE * (own_text + link_text) else None


def teaser_cards(tree: HtmlElement) -> list[tuple[int, int]] | None:
    """(text outside links, text in links to other pages) of each outermost ``<article>``, or None as soon
    as the page shows a story: a card with ``MAX_TEASER_CHARS`` of text outside links, or ``MIN_STORY_CHARS``
    outside links and cards. In characters (``readable_text``)."""
    cards: list[list[int]] = []
    outside = in_card = in_link = 0
    for event, element, chars in readable_text(tree):
        step = STEPS[event]
        if element.tag == "article":
            if step == 1 and not in_card:
                cards.append([0, 0])
            in_card += step
        elif element.tag == "a" and leads_elsewhere(element):
            in_link += step
        if not chars:
            continue
        if in_card:
            cards[-1][1 if in_link else 0] += chars
            if cards[-1][0] >= MAX_TEASER_CHARS:
                return None
        elif not in_link:
            outside += chars
            if outside >= MIN_STORY_CHARS:
                return None
    return [(own, linked) for own, linked in cards]


@dataclasses.dataclass(frozen=True)
class TeaserBlocks:
    """What makes a page an index page: its teaser blocks, the share of its text in them, and the longest run
    of text outside them (``teaser_blocks``)."""

    count: int  # teaser blocks that hold no other one (a section of cards is not one more teaser)
    share: float  # of the page's readable text inside teaser blocks
    longest_run: int  # characters of the longest run of text outside links, teaser blocks and page furniture


def teaser_blocks(tree: HtmlElement, declares_article_type: bool, page_url: str | None) -> TeaserBlocks | None:
    """The teaser blocks of the page ``tree`` when it is an index page built of any markup (``<div>`` cards,
    ``<li>`` items, ``<section>``s), else None.

    A teaser block is one of ``MIN_SIBLING_TEASERS`` or more siblings of one tag, each led by a headline link
    to another page of the page's site (``page_url``, when known) and holding at most ``MAX_TEASER_CHARS`` of
    text outside links. An index page has ``MIN_TEASER_BLOCKS`` of them holding ``MIN_TEASER_SHARE`` of its
    text, and no run of ``MIN_STORY_RUN_CHARS`` of text outside links, teaser blocks and page furniture: a
    story, however short, is such a run. A page that declares itself an article is never one.
    """
    if declares_article_type:
        return None
    return _teaser_blocks_in(tree, _page_regions(tree, page_url, readable_text(tree)))


def _teaser_blocks_in(tree: HtmlElement, regions: _Regions) -> TeaserBlocks | None:
    return _index_page_text(tree, regions) if len(regions.teasers) >= MIN_TEASER_BLOCKS else None


@dataclasses.dataclass(slots=True)
class _Open:
    """An element being read (``_page_regions``): its text so far and what it holds."""

    plain_before: int  # characters outside links on the page before it
    is_link: bool
    chars: int = 0
    linked: int = 0
    headline_at: int | None = None  # characters outside links on the page before its first headline link
    teasers: dict[str, list[HtmlElement]] = dataclasses.field(default_factory=dict)  # children, by tag


@dataclasses.dataclass(frozen=True)
class _Regions:
    teasers: set[HtmlElement]  # teaser blocks
    furniture: set[HtmlElement]  # navigation, header, footer, aside: their text is no story
    link_lists: set[HtmlElement]  # blocks mostly of link text: a story does not run across them


def _page_regions(tree: HtmlElement, page_url: str | None, events: Iterable[TextEvent]) -> _Regions:
    """The teaser blocks, page furniture and link lists of ``tree``, in one pass over its ``events``
    (``readable_text(tree)``)."""
    teasers: set[HtmlElement] = set()
    link_lists: set[HtmlElement] = set()
    furniture: list[tuple[HtmlElement, int]] = []
    stack: list[_Open] = []
    plain = in_link = 0
    page = _Open(0, False)  # the root passes its text on to it: the whole page's
    for event, element, chars in events:
        if event == "start":
            stack.append(_Open(plain, element.tag == "a" and leads_elsewhere(element)))
            in_link += stack[-1].is_link
        elif event == "end":
            closed = stack.pop()
            in_link -= closed.is_link
            if closed.is_link and _is_headline(element, closed.chars, page_url):
                closed.headline_at = closed.plain_before
            teasers.update(_close(element, closed, stack[-1] if stack else page))
            if element.tag in FURNITURE_TAGS:
                furniture.append((element, closed.chars))
            elif element.tag not in INLINE_TAGS and closed.chars and 2 * closed.linked >= closed.chars:
                link_lists.add(element)
        current = stack[-1] if stack else page
        current.chars += chars
        if in_link:
            current.linked += chars
        else:
            plain += chars
    # a <header> or <aside> holding half the page is a wrapper gone wrong (an unclosed tag), not furniture
    return _Regions(teasers, {element for element, chars in furniture if 2 * chars < page.chars}, link_lists)


def _close(element: HtmlElement, closed: _Open, parent: _Open) -> list[HtmlElement]:
    """Pass what ``element`` holds on to its ``parent``; the teaser blocks found among its children."""
    parent.chars += closed.chars
    parent.linked += closed.linked
    if parent.headline_at is None:
        parent.headline_at = closed.headline_at
    led_by_headline = (closed.headline_at is not None
                       and closed.headline_at - closed.plain_before <= MAX_TEASER_LEAD_CHARS)
    if led_by_headline and closed.chars - closed.linked <= MAX_TEASER_CHARS:
        parent.teasers.setdefault(element.tag, []).append(element)
    return [teaser for group in closed.teasers.values() if len(group) >= MIN_SIBLING_TEASERS for teaser in group]


def _is_headline(anchor: HtmlElement, chars: int, page_url: str | None) -> bool:
    """Whether a link to another page reads as a headline (``MIN_HEADLINE_WORDS``) and leads within the site
    of ``page_url`` (any site when it is not known)."""
    if chars > MAX_HEADLINE_LINK_CHARS or word_count(anchor.text_content()) < MIN_HEADLINE_WORDS:
        return False
    href = (anchor.get("href") or "").strip()
    target = web_url(href, page_url)
    if target is None:  # relative to a page of unknown address, or no web link (mailto:, javascript:)
        return page_url is None and ":" not in href.split("/", 1)[0]
    return page_url is None or same_site(target, page_url)


def _index_page_text(tree: HtmlElement, regions: _Regions) -> TeaserBlocks | None:
    """How the text of ``tree`` lies around its teaser blocks, or None as soon as it shows a story."""
    page = in_teasers = run = longest = nested = 0
    open_teasers: list[bool] = []  # whether each open teaser block holds another
    quiet = in_link = 0  # depths: inside teaser blocks or furniture; inside links
    for event, element, chars in readable_text(tree):
        step = STEPS[event]
        if element in regions.teasers:
            if step == 1:
                if open_teasers:
                    open_teasers[-1] = True
                open_teasers.append(False)
            else:
                nested += open_teasers.pop()
        if element in regions.teasers or element in regions.furniture:
            quiet += step
        elif element.tag == "a" and leads_elsewhere(element):
            in_link += step
        if step and (element in regions.teasers or element in regions.furniture or element in regions.link_lists):
            longest, run = max(longest, run), 0
        page += chars
        if open_teasers:
            in_teasers += chars
        elif not quiet and not in_link:
            run += chars
            if run >= MIN_STORY_RUN_CHARS:
                return None
    count = len(regions.teasers) - nested
    if count < MIN_TEASER_BLOCKS or in_teasers < MIN_TEASER_SHARE * page:
        return None
    return TeaserBlocks(count=count, share=round(in_teasers / page, 2), longest_run=max(longest, run))
