"""Defuse the document type declaration of an XML feed before any parser sees it.

A DOCTYPE is where XML attacks live: entities that expand exponentially (billion laughs) or
quadratically (one long entity referenced many times), external entities that read a local file or
make a request (XXE), and external DTDs fetched from a URL. The XML parser that feedparser uses refuses
most of these, but when it fails feedparser falls back on its own tolerant parser, which expands every
entity whose value has no ``&``, however long: a 80 KB feed then becomes a 400 MB string.

So the DOCTYPE is rewritten first: it keeps its root name and the entity declarations that cannot blow
up (a single character reference, or at most ``MAX_ENTITY_VALUE_CHARS`` of plain text, up to
``MAX_KEPT_ENTITIES`` of them) and loses everything else: external identifiers, parameter entities,
external entities, nested references, long values, element and attribute declarations. An undefined
entity left behind makes the feed malformed, which ``parse_feed`` already reports.
"""

from __future__ import annotations

import dataclasses
import re

MAX_ENTITY_VALUE_CHARS = 32  # longer values are dropped: expansion stays within ~10x of the input
MAX_KEPT_ENTITIES = 256

# Marks of the prolog: a comment, a processing instruction, the DOCTYPE, or the first element (its end)
_PROLOG_MARK = re.compile(rb"<(!--|\?|!DOCTYPE|\w)")
_PROLOG_SKIPPED = {b"!--": b"-->", b"?": b"?>"}
_DOCTYPE_START = re.compile(rb"<!DOCTYPE\s+([^\s\[>]+)")
_EXTERNAL_ID = re.compile(rb"""\s*(?:SYSTEM\s*(?:"[^"]*"|'[^']*')|PUBLIC\s*(?:"[^"]*"|'[^']*')\s*(?:"[^"]*"|'[^']*')?)""")
# One item of the internal subset (comments and processing instructions are found by their end marker
# instead, so that an unterminated one is seen once, not rescanned at every later item).
_SUBSET_ITEM = re.compile(rb"""\s+|%[^\s;%]+;|<!(?!--)(?:[^"'>]|"[^"]*"|'[^']*')*>""")
_SKIPPED_ITEMS = ((b"<!--", b"-->"), (b"<?", b"?>"))
_SUBSET_END = re.compile(rb"\]\s*>")
_HARMLESS_ENTITY = re.compile(rb"""<!ENTITY\s+([A-Za-z_][\w.-]*)\s+(?:"([^"]*)"|'([^'"]*)')\s*>""")
_CHARACTER_REFERENCE = re.compile(rb"&#(?:[0-9]{1,7}|x[0-9A-Fa-f]{1,6});")


@dataclasses.dataclass(frozen=True)
class DefusedDocument:
    """The document with a harmless DOCTYPE, and how many declarations were removed from it."""

    body: bytes
    removed_declarations: int  # entity declarations and parameter-entity references dropped
    external_dtd_removed: bool


def defuse_doctype(body: bytes) -> DefusedDocument:
    """Rewrite the DOCTYPE (if any, before the root element) so that no entity can blow up or reach out."""
    start, head_end = _find_doctype(body)
    if start < 0:
        return DefusedDocument(body, 0, False)
    parsed = _parse_doctype(body, start)
    if parsed is None:  # unreadable declaration: drop everything up to the first element
        return DefusedDocument(body[:start] + body[head_end:], 1, False)
    end, name, kept, removed, external = parsed
    entities = b"".join(b'\n<!ENTITY ' + entity_name + b' "' + value + b'">' for entity_name, value in kept)
    doctype = b"<!DOCTYPE " + name + (b" [" + entities + b"\n]>" if entities else b">")
    return DefusedDocument(body[:start] + doctype + body[end:], removed, external)


def _find_doctype(body: bytes) -> tuple[int, int]:
    """(start of the DOCTYPE or -1, start of the first element), comments and processing instructions of the
    prolog skipped: a comment that mentions ``<!DOCTYPE`` was cut apart (the feed lost), one holding ``<a``
    hid a DOCTYPE after it. An unterminated comment hides nothing: scanning goes on inside it, in linear time
    (once no end marker is left, later openings are not searched again)."""
    position, start, unterminated = 0, -1, set()
    while (mark := _PROLOG_MARK.search(body, position)) is not None:
        kind = mark.group(1)
        if kind in _PROLOG_SKIPPED and kind not in unterminated:
            end = body.find(_PROLOG_SKIPPED[kind], mark.end())
            if end >= 0:
                position = end + len(_PROLOG_SKIPPED[kind])
                continue
            unterminated.add(kind)
        if kind == b"!DOCTYPE" and start < 0:
            start = mark.start()
        elif kind not in (b"!--", b"?", b"!DOCTYPE"):
            return start, mark.start()
        position = mark.end()
    return start, len(body)


def _parse_doctype(body: bytes, start: int) -> tuple[int, bytes, list[tuple[bytes, bytes]], int, bool] | None:
    """(end, root name, harmless entities, count removed, had an external id), or None if unreadable."""
    opening = _DOCTYPE_START.match(body, start)
    if opening is None:
        return None
    position = opening.end()
    external = _EXTERNAL_ID.match(body, position)
    if external:
        position = external.end()
    while position < len(body) and body[position:position + 1].isspace():
        position += 1
    if body[position:position + 1] == b">":
        return position + 1, opening.group(1), [], 0, external is not None
    if body[position:position + 1] != b"[":
        return None
    kept: list[tuple[bytes, bytes]] = []
    removed = 0
    position += 1
    while True:
        end = _SUBSET_END.match(body, position)
        if end:
            return end.end(), opening.group(1), kept, removed, external is not None
        skipped = _skip_comment_or_instruction(body, position)
        if skipped is not None:
            if skipped < 0:
                return None
            position = skipped
            continue
        item = _SUBSET_ITEM.match(body, position)
        if item is None:
            return None
        position = item.end()
        text = item.group()
        if text.startswith(b"<!ENTITY") or text.startswith(b"%"):
            entity = _harmless_entity(text)
            if entity is not None and len(kept) < MAX_KEPT_ENTITIES:
                kept.append(entity)
            else:
                removed += 1


def _skip_comment_or_instruction(body: bytes, position: int) -> int | None:
    """The end of a comment or processing instruction at ``position`` (-1: unterminated), else None."""
    for opening, closing in _SKIPPED_ITEMS:
        if body.startswith(opening, position):
            end = body.find(closing, position + len(opening))
            return -1 if end < 0 else end + len(closing)
    return None


def _harmless_entity(declaration: bytes) -> tuple[bytes, bytes] | None:
    """(name, value) of a general entity whose value cannot expand: one character reference or short text."""
    match = _HARMLESS_ENTITY.fullmatch(declaration)
    if match is None:
        return None
    value = match.group(2) if match.group(2) is not None else match.group(3)
    if _CHARACTER_REFERENCE.fullmatch(value):
        return match.group(1), value
    if len(value) <= MAX_ENTITY_VALUE_CHARS and not re.search(rb"[&%<]", value):
        return match.group(1), value
    return None
