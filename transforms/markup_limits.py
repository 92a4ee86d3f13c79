"""Bounds on single tags, applied to feeds and pages before any parser sees them.

Two shapes of tag cost the parsers far more than their size:

- a very long attribute value (50 MB in one attribute): expat rescans an unfinished token at every
  64 KB it is fed, so its time grows with the square of the token (37 s for 50 MB), and libxml2 gives
  up on the rest of a page past 10 MB;
- very many attributes on one tag: the SAX attributes object that feedparser reads finds each attribute
  by a linear search, so 20,000 attributes (a 200 KB feed) take 28 s, and libxml2 checks duplicates
  the same way.

So attribute values longer than ``MAX_ATTRIBUTE_CHARS`` are emptied, and a tag with more than
``MAX_ATTRIBUTES_PER_TAG`` attributes loses them all. Real markup stays far below both. The rewrite is
textual and also reaches tags inside CDATA sections (the HTML of feed items), which is what we want.
In a document of more than ``MAX_ATTRIBUTE_CHARS``, ``data:`` URIs longer than ``MAX_DATA_URI_CHARS`` are
emptied as well: images pasted into a post as base64 (400 KB each) pushed the text after them past the
cleaning stage's cut at ``max_html_chars``, and cleaning drops ``data:`` URIs anyway.

Pages have a third shape: a ``<script>`` or ``<style>`` of megabytes (an inlined bundle, a framework's state
as JSON). libxml2 drops the rest of a page after a text node of 10 MB, and the cleaning stage cuts a page at
``max_html_chars``: either way the article after the script was lost (a 5 MB inline JSON before the article
gave an empty body, 12 MB no article at all). Their text is never part of an article, and a JSON-LD block
that long is not read either (``page_metadata``), so ``empty_long_scripts`` removes the content of those
longer than ``MAX_SCRIPT_CHARS`` before parsing.
"""

from __future__ import annotations

import re
from typing import AnyStr

MAX_ATTRIBUTE_CHARS = 1_000_000
MAX_ATTRIBUTES_PER_TAG = 100
MAX_SCRIPT_CHARS = 1_000_000
MAX_DATA_URI_CHARS = 10_000

# A value after "=", read whole: quoted (to its closing quote) or not; the search goes on after it. A pattern asking for
# values of at least MAX_ATTRIBUTE_CHARS failed on shorter ones and was tried again at each "=" inside them, reading
# the same stretch each time: a 1 MB run holding 500,000 "=" took 14 s in a page of 1.01 MB, 55 s in one of 1.04 MB.
_VALUE = r"""=\s*(?:"(?P<double>[^"]*)"|'(?P<single>[^']*)'|(?P<bare>[^\s"'<>]*))"""
# A tag name and at least MAX_ATTRIBUTES_PER_TAG attributes. Each attribute parses one way only, and no
# part of it can run past a "<", so a failed attempt costs the length of the tag, never more.
_MANY_ATTRIBUTES = (r"""(<[A-Za-z_][\w:.-]*)(?:\s+[^\s=<>"'/]+(?:\s*=\s*(?:"[^"<]*"|'[^'<]*'|[^\s<>"']+))?){%d,}"""
                    % (MAX_ATTRIBUTES_PER_TAG + 1))
_PATTERNS = {
    str: (re.compile(_VALUE), re.compile(_MANY_ATTRIBUTES)),
    bytes: (re.compile(_VALUE.encode()), re.compile(_MANY_ATTRIBUTES.encode())),
}
# The start tag of an element whose content is raw text, and its end tag (as an HTML parser ends it). The start
# tag's length is bounded so that a "<script" without its ">" costs a bounded look-ahead.
_RAW_TEXT_START = re.compile(r"<(script|style)\b[^<>]{0,10000}>", re.IGNORECASE)
_RAW_TEXT_END = {name: re.compile(rf"</{name}[\s/>]", re.IGNORECASE) for name in ("script", "style")}


def limit_tags(markup: AnyStr) -> tuple[AnyStr, int]:
    """``markup`` with oversized attribute values (and, in a long document, long ``data:`` URIs) emptied and
    overloaded tags stripped of their attributes; also returns how many values and tags were changed."""
    value, many_attributes = _PATTERNS[type(markup)]
    emptied = 0
    if len(markup) > MAX_ATTRIBUTE_CHARS:
        markup, emptied = _empty_long_values(markup, value)
    markup, stripped = many_attributes.subn(r"\1", markup)
    return markup, emptied + stripped


def _empty_long_values(markup: AnyStr, value: re.Pattern) -> tuple[AnyStr, int]:
    """``markup`` with each value of ``MAX_ATTRIBUTE_CHARS`` or more, and each quoted ``data:`` URI of more than
    ``MAX_DATA_URI_CHARS``, emptied; also returns how many were."""
    blank = '=""' if isinstance(markup, str) else b'=""'
    data_uri = "data:" if isinstance(markup, str) else b"data:"
    count = 0

    def replace(match: re.Match) -> AnyStr:
        nonlocal count
        if not _too_long(match, data_uri):
            return match.group(0)
        count += 1
        return blank

    return value.sub(replace, markup), count


def _too_long(value: re.Match, data_uri: AnyStr) -> bool:
    """Whether the value ``_VALUE`` read is ``MAX_ATTRIBUTE_CHARS`` long or more, or is a quoted ``data:`` URI of
    ``MAX_DATA_URI_CHARS`` or more after its scheme."""
    quoted = value.group("double") if value.group("double") is not None else value.group("single")
    if quoted is None:
        return len(value.group("bare")) >= MAX_ATTRIBUTE_CHARS
    return len(quoted) >= MAX_ATTRIBUTE_CHARS or (
        quoted.startswith(data_uri) and len(quoted) - len(data_uri) >= MAX_DATA_URI_CHARS)


def empty_long_scripts(markup: str) -> tuple[str, int]:
    """``markup`` without the content of each ``<script>`` or ``<style>`` longer than ``MAX_SCRIPT_CHARS``
    (the tags stay); also returns how many were emptied. An unclosed one runs to the end, as parsers read it."""
    if len(markup) <= MAX_SCRIPT_CHARS:
        return markup, 0
    pieces: list[str] = []
    kept_from = position = 0
    while (start := _RAW_TEXT_START.search(markup, position)) is not None:
        end = _RAW_TEXT_END[start.group(1).lower()].search(markup, start.end())
        content_end = end.start() if end else len(markup)
        if content_end - start.end() > MAX_SCRIPT_CHARS:
            pieces.append(markup[kept_from:start.end()])
            kept_from = content_end
        if end is None:
            break
        position = end.end()
    if not pieces:
        return markup, 0
    pieces.append(markup[kept_from:])
    return "".join(pieces), len(pieces) - 1


def limit_page_markup(html: str) -> tuple[str, list[str]]:
    """A page's markup with long scripts emptied, then its tags limited (``limit_tags``); also returns the
    quality flags that say so (``oversized_scripts_removed``, ``oversized_attributes_removed``)."""
    html, emptied_scripts = empty_long_scripts(html)  # first: a script's long string is no attribute value
    html, limited_tags = limit_tags(html)
    return html, [flag for flag, count in (("oversized_scripts_removed", emptied_scripts),
                                           ("oversized_attributes_removed", limited_tags)) if count]
