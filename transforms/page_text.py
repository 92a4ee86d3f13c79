"""A page's readable text, for the checks that tell what a page is (``listing_pages``, ``directory_pages``): one
pass in document order, each element with how much text it holds, counted as Latin-script text (``script_weights``)."""

from __future__ import annotations

from collections.abc import Iterator

import lxml.etree
from lxml.html import HtmlElement

from transforms.script_weights import latin_length

UNREAD_TAGS = frozenset({"script", "style", "noscript", "template", "head"})  # not text anyone reads
STEPS = {"start": 1, "end": -1, "text": 0}  # how ``readable_text``'s events move the depth of an element
FURNITURE_TAGS = frozenset({"nav", "aside", "header", "footer"})  # page furniture: what it holds is no story
TextEvent = tuple[str, HtmlElement, int]  # what ``readable_text`` gives: (event, element, characters)


def leads_elsewhere(anchor: HtmlElement) -> bool:
    """Whether a link leads to another page: not to a place on this one (``#comment-3``,
    ``/story#post-12``), not to this page with a query (``?replytocom=3``), not nowhere."""
    href = (anchor.get("href") or "").strip()
    return bool(href) and not href.startswith("?") and "#" not in href


def readable_text(root: HtmlElement) -> Iterator[TextEvent]:
    """(event, element, characters) in document order under ``root``, with the characters of text read there
    (whitespace collapsed, counted as Latin-script text: ``script_weights.latin_length``): "start" of an element
    with its own first text, "end" of one with its tail (text of its parent), "text" after a comment or processing
    instruction (also text of its parent). The content of scripts, styles and the like (``UNREAD_TAGS``) is
    skipped; their start and end still come. One pass, no recursion: pages can nest thousands deep."""
    unread = 0  # depth inside an element whose text no one reads
    for event, element in lxml.etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        if event == "start":
            if unread or element.tag in UNREAD_TAGS:
                unread += 1
                if unread == 1:
                    yield "start", element, 0
                continue
            yield "start", element, latin_length(element.text)
        elif event == "end":
            if unread:
                unread -= 1
                if unread:
                    continue
            yield "end", element, 0 if element is root else latin_length(element.tail)
        elif not unread and element.tail:
            yield "text", element, latin_length(element.tail)
