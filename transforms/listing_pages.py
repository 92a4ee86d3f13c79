"""Tell a listing page (a home, section, tag, author or search results page) from an article page.

A listing page holds many teaser cards, each an ``<article>`` with a headline link and perhaps a line of
standfirst, a time and a picture. Read whole, it would become one "article" whose body is a mash of
teasers. An article page can hold several ``<article>`` elements too: its own, a few small "related" cards
beside it, comments, the posts of a live blog. What tells them apart is where the page's own text is: on a
listing no card holds more than a standfirst and nothing outside the cards holds a story, and the cards'
text is largely their headline links.
"""

from __future__ import annotations

import lxml.etree
from lxml.html import HtmlElement

# Thresholds, in characters of text (whitespace collapsed) outside links to other pages. On the 181 real
# article pages of the article-extraction benchmark, 20 hold 4 to 61 outermost <article> elements: their story
# holds 1,100 to 14,400 of these characters in one card (16 pages) or 3,600 to 18,200 outside every card (4),
# teasers of related stories up to 410 (one with a 55-word excerpt), comments and sidebar widgets up to 1,000.
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
UNREAD_TAGS = frozenset({"script", "style", "noscript", "template", "head"})  # not text anyone reads


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
    outside links and cards. In characters, whitespace collapsed, scripts and styles left out; one pass in
    document order (no recursion: pages can nest thousands deep)."""
    cards: list[list[int]] = []
    outside = 0
    in_card = in_link = unread = 0
    for event, element in lxml.etree.iterwalk(tree, events=("start", "end")):
        tag = element.tag
        step = 1 if event == "start" else -1
        if tag == "article":
            if step == 1 and not in_card:
                cards.append([0, 0])
            in_card += step
        elif tag == "a" and _leads_elsewhere(element):
            in_link += step
        elif tag in UNREAD_TAGS:
            unread += step
        if unread:
            continue
        if step == 1:
            text = element.text
            if len(element) and any(not isinstance(child.tag, str) for child in element):
                # iterwalk passes over comments: their tails are text of this element
                text = " ".join(part for part in [text, *(child.tail for child in element
                                                          if not isinstance(child.tag, str))] if part)
        else:
            text = element.tail if element is not tree else None  # after the element: its parent's text
        if not text:
            continue
        chars = len(" ".join(text.split()))
        if in_card:
            cards[-1][1 if in_link else 0] += chars
            if cards[-1][0] >= MAX_TEASER_CHARS:
                return None
        elif not in_link:
            outside += chars
            if outside >= MIN_STORY_CHARS:
                return None
    return [(own, linked) for own, linked in cards]


def _leads_elsewhere(anchor: HtmlElement) -> bool:
    """Whether a link leads to another page: not to a place on this one (``#comment-3``,
    ``/story#post-12``), not to this page with a query (``?replytocom=3``), not nowhere."""
    href = (anchor.get("href") or "").strip()
    return bool(href) and not href.startswith("?") and "#" not in href
