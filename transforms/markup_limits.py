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
"""

from __future__ import annotations

import re
from typing import AnyStr

MAX_ATTRIBUTE_CHARS = 1_000_000
MAX_ATTRIBUTES_PER_TAG = 100

_LONG_VALUE = (r"""=\s*(?:"[^"]{%(n)d,}"|'[^']{%(n)d,}'|[^\s"'<>]{%(n)d,})"""
               % {"n": MAX_ATTRIBUTE_CHARS})
# A tag name and at least MAX_ATTRIBUTES_PER_TAG attributes. Each attribute parses one way only, and no
# part of it can run past a "<", so a failed attempt costs the length of the tag, never more.
_MANY_ATTRIBUTES = (r"""(<[A-Za-z_][\w:.-]*)(?:\s+[^\s=<>"'/]+(?:\s*=\s*(?:"[^"<]*"|'[^'<]*'|[^\s<>"']+))?){%d,}"""
                    % (MAX_ATTRIBUTES_PER_TAG + 1))
_PATTERNS = {
    str: (re.compile(_LONG_VALUE), re.compile(_MANY_ATTRIBUTES)),
    bytes: (re.compile(_LONG_VALUE.encode()), re.compile(_MANY_ATTRIBUTES.encode())),
}


def limit_tags(markup: AnyStr) -> tuple[AnyStr, int]:
    """``markup`` with oversized attribute values emptied and overloaded tags stripped of their
    attributes; also returns how many values and tags were changed."""
    long_value, many_attributes = _PATTERNS[type(markup)]
    changed = 0
    if len(markup) > MAX_ATTRIBUTE_CHARS:
        markup, changed = long_value.subn('=""' if isinstance(markup, str) else b'=""', markup)
    markup, stripped = many_attributes.subn(r"\1", markup)
    return markup, changed + stripped
