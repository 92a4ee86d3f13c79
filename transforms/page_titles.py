"""The title a page gives itself, without the site's name it ends with ("Harbour reopens | The Courier"), and
the page's other titles (``main_content`` drops the headline a body repeats)."""

from __future__ import annotations

import itertools
import re
import urllib.parse
from typing import Any

from lxml.html import HtmlElement

from transforms.identity import registrable_domain
from transforms.page_markup import is_article_item, json_ld_blocks, json_ld_items, meta_content
from transforms.publishers import declared_publishers
from transforms.script_weights import word_count

TITLE_METAS = ("og:title", "twitter:title", "title", "dc.title")
MAX_TITLE_HEADINGS = 4  # the page's first <h1>s are title candidates (later ones head other things)
HANDLE_METAS = ("twitter:site",)  # the site's handle ("@TheHill"): no publisher's name, but titles end with it
# What parts a site's name from a title: "Title | Site", "Title - Site", "Title – Site", "Title — Site",
# "Title :: Site", "Title · Site", "Title • Site", "Title » Site". A dash counts only between spaces: "Spider-Man"
# is one word.
TITLE_SEPARATOR_RE = re.compile(r"\s+[-–—]\s+|\s*[|·•»]\s*|\s+::\s+")
MIN_SITE_KEY_CHARS = 4  # a shorter host name ("t" of t.co) is found by chance inside a title's tail
# Only a title's last characters are searched for the site's name: the tails cut ("Science | News | Express.co.uk")
# are shorter, and searching a whole title of separators takes the square of its length (1.1 s for 8,000
# characters, "a | " repeated).
MAX_TITLE_TAIL_CHARS = 100


def page_titles(tree: HtmlElement, metas: dict[str, list[str]], page_url: str | None) -> list[str]:
    """Every title the page ``tree`` gives itself, whitespace collapsed: its title (``PageMetadata.title``)
    first, then the others (JSON-LD headlines, title metas, <title>, the first <h1>s); ``metas`` is
    ``meta_values(tree)``. ``main_content`` uses them to know the headline when the body repeats it."""
    return titles(tree, metas, list(json_ld_items(list(json_ld_blocks(tree)))), page_url)


def titles(tree: HtmlElement, metas: dict[str, list[str]], ld_objects: list[dict[str, Any]],
           page_url: str | None) -> list[str]:
    """The page's title candidates in order of trust, the first one without the site's name it ends with."""
    headings = [heading.text_content() for heading in itertools.islice(tree.iter("h1"), MAX_TITLE_HEADINGS)]
    found = ([item.get("headline") for item in ld_objects if is_article_item(item)] + meta_content(metas, TITLE_METAS)
             + [tree.findtext(".//title")] + headings)
    candidates = list(dict.fromkeys(" ".join(value.split()) for value in found if isinstance(value, str)))
    candidates = [candidate for candidate in candidates if candidate]
    if not candidates:
        return []
    title = without_site_name(candidates[0], candidates[1:], _site_keys(metas, ld_objects, page_url))
    return list(dict.fromkeys([title, *candidates]))


def without_site_name(title: str, other_titles: list[str], site_keys: set[str]) -> str:
    """``title`` without the tail a site adds to it (" | TheHill", " - The GiveWell Blog"): a tail after a
    separator that is the site's name (its key is in ``site_keys``, see ``site_key``), or else one that
    another title of the page leaves out ("Title | Editorial" where the <h1> says "Title"), when that tail
    names the site or is shorter than what is left (in words: ``script_weights.word_count``, so that a Chinese or
    Japanese title, written without spaces, is more than one). A title that only contains a dash keeps it all:
    "Spider-Man - the review" on a page without the title "Spider-Man" has no site name to cut."""
    tail_start = max(0, len(title) - MAX_TITLE_TAIL_CHARS - 1)  # the separator's space may precede the tail
    separators = [match for match in TITLE_SEPARATOR_RE.finditer(title, tail_start)
                  if len(title) - match.end() <= MAX_TITLE_TAIL_CHARS and _has_word(title[:match.start()])]
    for match in separators:  # the leftmost cut first: a site's name may itself hold a separator
        if site_key(title[match.end():]) in site_keys:
            return title[:match.start()]
    others = {" ".join(other.split()).casefold() for other in other_titles}
    for match in separators:
        kept, tail = title[:match.start()], title[match.end():]
        tail_key = site_key(tail)
        names_site = any(key in tail_key for key in site_keys if len(key) >= MIN_SITE_KEY_CHARS)
        if kept.casefold() in others and (names_site or word_count(tail) < word_count(kept)):
            return kept
    return title


def _has_word(text: str) -> bool:
    return any(character.isalnum() for character in text)


def site_key(name: str) -> str:
    """A name as compared with a site's: letters and digits only, case folded ("The Hill" and "@TheHill" are
    "thehill", "Express.co.uk" is "expresscouk")."""
    return "".join(character for character in name.casefold() if character.isalnum())


def _site_keys(metas: dict[str, list[str]], ld_objects: list[dict[str, Any]], page_url: str | None) -> set[str]:
    """Keys (``site_key``) of the names the site goes by: og:site_name and the like, the JSON-LD publisher
    of its articles and its WebSite's name, its host ("sportsnet.ca"), domain ("givewell.org") and the
    domain's name ("givewell")."""
    names = [name for name, _, _ in declared_publishers(metas, ld_objects)] + meta_content(metas, HANDLE_METAS)
    try:
        host = (urllib.parse.urlsplit(page_url or "").hostname or "").lower().rstrip(".")
    except ValueError:
        host = ""
    if host:
        domain = registrable_domain(page_url or "", host) or host
        names += [host.removeprefix("www."), domain, domain.split(".")[0]]
    return {key for key in map(site_key, (name for name in names if isinstance(name, str))) if len(key) >= 2}
