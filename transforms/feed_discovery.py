"""What an HTML page served where a feed was expected says of itself: its title and the feeds it links to.

A feed URL that now answers with a page (the site's home page after a redesign, a login, maintenance or
bot-check page, a parked domain) gives a ``parse:not_a_feed`` row. The page's ``<title>`` says which of these
it is ("Just a moment...", "Sign in", "Down for maintenance"), and a page that advertises its feeds the way
browsers and feed readers find them (``<link rel="alternate" type="application/rss+xml" href="...">``) says
which URL to configure. Nothing is fetched or followed: the configured URL stays the one asked, as a page can
list another site's feeds or several of its own.
"""

from __future__ import annotations

import unicodedata

from lxml.html import HtmlElement

from transforms.html_pages import parseable_page
from transforms.identity import web_url
from transforms.page_metadata import page_tree

# The types of <link rel="alternate"> that name a feed (RSS, Atom, RDF, JSON Feed), as autodiscovery has them.
FEED_LINK_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml",
                             "application/feed+json"})
MAX_FEEDS_NAMED = 5  # a page may list a feed per category or tag: the first few tell enough
MAX_TITLE_CHARS = 200


def advertised_feeds(tree: HtmlElement, page_url: str | None) -> list[str]:
    """The absolute http(s) URLs of the feeds a page links to (``rel="alternate"`` with a feed type), in order,
    each once, at most ``MAX_FEEDS_NAMED``; relative ones resolved against ``page_url``."""
    feeds: list[str] = []
    for link in tree.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        url = web_url(link.get("href"), page_url) if "alternate" in rels and kind in FEED_LINK_TYPES else None
        if url and url not in feeds and url == _printable(url):  # an address with control characters is none
            feeds.append(url)
            if len(feeds) == MAX_FEEDS_NAMED:
                break
    return feeds


def describe_page(body: bytes, content_type: str | None, page_url: str | None) -> str:
    """Words on a page served as a feed, for the error row: its title and the feeds it links to ("" for none)."""
    tree = page_tree(parseable_page(body, content_type)[0])
    if tree is None:
        return ""
    words = [titled] if (titled := _titled(tree)) else []
    feeds = advertised_feeds(tree, page_url)
    if feeds:
        words.append(f"it links to the feed{'s' if len(feeds) > 1 else ''} {', '.join(feeds)} "
                     f"(configure {'one of them' if len(feeds) > 1 else 'it'} as the feed's url)")
    return "; ".join(words)


def describe_error_page(body: bytes, content_type: str | None) -> str:
    """Words on the HTML page a server answered an error status with, for the error row: its title ('a page titled
    "Just a moment..."': a bot check; "Sign in", "Account suspended"), or "" when it has none."""
    tree = page_tree(parseable_page(body, content_type)[0])
    return _titled(tree) if tree is not None else ""


def _titled(tree: HtmlElement) -> str:
    """'a page titled "TITLE"' for a page with a title (printable, at most ``MAX_TITLE_CHARS``), else ""."""
    title = _printable(" ".join((tree.findtext(".//title") or "").split()))
    return f'a page titled "{title[:MAX_TITLE_CHARS]}"' if title else ""


def _printable(text: str) -> str:
    """``text`` without control and format characters (Unicode category C: escapes, bidi overrides, zero-width
    marks). The page is another party's, and its words reach a terminal in the run summary's back-off line: an
    escape sequence in its title would recolour or rewrite the operator's screen, a right-to-left override reverse
    what follows it."""
    if text.isprintable():
        return text
    return "".join(char for char in text if unicodedata.category(char)[0] != "C")
