"""Item ids as their feed writes them.

feedparser takes an RSS ``<guid>`` (a permalink unless ``isPermaLink="false"``) and every Atom ``<id>`` for a
URL, and resolves one without a scheme against the feed's address: Reddit's ``t3_1b7xyz`` became
``https://www.reddit.com/r/harbours/t3_1b7xyz`` and a UUID guid a path on the feed's host (67 of the 4,496
items of the real feeds, all 64 of Reddit's among them). Such a "URL" names no page, and the id it came from is
what the source's own systems know the item by. The ids as written are read from the document's ``<id>`` and
``<guid>`` texts; ``written_ids`` finds the one whose resolution each entry's id is.
"""

from __future__ import annotations

import html
import re
import urllib.parse
from typing import Any

# The text of an <id> or <guid> element, any namespace prefix (an id in CDATA is not read: it stays resolved).
# ``[^<>]*`` so that an unclosed tag fails at the next "<" instead of scanning on.
ID_TEXT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:id|guid)(?=[\s>])[^<>]*>([^<]*)<")
SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")  # an id with one is never resolved (tag:, urn:, https:)
# Each base URL costs one resolution of every relative id: a feed has one or two (its URL, an xml:base), and a
# document giving each of 10,000 entries its own xml:base must not cost 10,000 x 10,000. Entries under further
# bases keep their resolved ids.
MAX_BASES = 8


def _base(entry: dict[str, Any]) -> str | None:
    """The base URL feedparser resolved the entry's values against (its xml:base, else the feed's), as it
    recorded it beside the entry's title, summary or content; None when the entry has none of them."""
    details = [entry.get("title_detail"), entry.get("summary_detail"), *(entry.get("content") or [])]
    return next((detail["base"] for detail in details if detail and detail.get("base")), None)


def written_ids(body: bytes, entries: list[dict[str, Any]], base_url: str | None) -> dict[int, str]:
    """Entry index -> its id as the document writes it, for each entry whose id feedparser resolved into an
    http(s) URL; ``base_url`` is the document's own URL, the base of an entry that names none."""
    resolved = [(index, entry["id"]) for index, entry in enumerate(entries)
                if isinstance(entry.get("id"), str) and entry["id"].startswith(("http://", "https://"))]
    if not resolved:
        return {}
    texts = {html.unescape(text.decode("utf-8", "replace")).strip() for text in ID_TEXT.findall(body)}
    relative = [text for text in texts if text and not SCHEME.match(text)]
    if not relative:
        return {}
    tables: dict[str, dict[str, str]] = {}  # base -> {resolved id: id as written}
    found: dict[int, str] = {}
    for index, entry_id in resolved:
        if entry_id in texts:  # written so: an absolute id that a relative one of another entry resolves to
            continue
        base = _base(entries[index]) or base_url or ""
        if base not in tables and len(tables) < MAX_BASES:
            tables[base] = {resolved_id: text for text in relative if (resolved_id := _resolved(base, text))}
        if entry_id in tables.get(base, ()):
            found[index] = tables[base][entry_id]
    return found


def _resolved(base: str, text: str) -> str | None:
    """``text`` resolved against ``base`` as feedparser resolves it; None where ``urljoin`` refuses the pair."""
    try:
        return urllib.parse.urljoin(base, text)
    except ValueError:  # a broken IPv6 literal in the base
        return None
