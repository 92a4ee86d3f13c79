"""What a page declares in machine-readable form: its ``<meta>`` tags and its JSON-LD blocks.

Both are read as the web writes them: JSON-LD with comments, trailing commas or single quotes (a JavaScript
object reader, chompjs, takes what ``json`` refuses: 5 of the 181 pages of the article-extraction benchmark),
``<meta>`` tags keyed by ``property``, ``name`` or any of the space-separated names of ``itemprop``; within
bounds that keep hostile pages cheap. Nothing here raises on bad markup: an unreadable block is skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import chompjs
from lxml.html import HtmlElement

from transforms.json_fields import repair_surrogates

MAX_JSON_LD_CHARS = 1_000_000  # bigger blocks are data dumps, not article metadata
# A page's JSON-LD is read up to its first MAX_JSON_LD_BLOCKS blocks and MAX_JSON_LD_PAGE_CHARS characters (the
# 181 pages of the article-extraction benchmark have at most 6 blocks and 30,000 characters): a page of 4,800
# blocks of 10,000 characters that json refuses and chompjs reads took 17.7 s and 1.3 GB, now 0.7 s and 110 MB
# (parsing it included); a million blocks "{}" 4.9 s on top of parsing the page, now 0.6 s.
MAX_JSON_LD_BLOCKS = 64
MAX_JSON_LD_PAGE_CHARS = 2_000_000
SURROGATE_ESCAPE_RE = re.compile(r"\\u[dD][89a-fA-F]")  # how JSON writes a UTF-16 surrogate: \ud800 to \udfff
# A <meta> is indexed under its first MAX_ITEMPROP_NAMES itemprop names only (real ones have one to three): nine
# metas of 100,000 names each, an 8 MB page, took 1.3 s and 210 MB, now 0.1 s and 20 MB.
MAX_ITEMPROP_NAMES = 16
ARTICLE_TYPE_SUFFIXES = ("article", "posting", "report")  # NewsArticle, BlogPosting, Report, ...
# Everything up to a type's last "/", "#" or ":": its vocabulary (http://schema.org/, schema:, http://ogp.me/ns#)
TYPE_PREFIX_RE = re.compile(r"^.*[/#:]", re.DOTALL)


def meta_values(tree: HtmlElement) -> dict[str, list[str]]:
    """Content of <meta> tags by lower-cased property, name, http-equiv and each name of itemprop, in
    document order (``<meta property="article:published" itemprop="datePublished dateCreated">`` is found
    under all three; under the first ``MAX_ITEMPROP_NAMES`` names of itemprop only)."""
    values: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        content = (meta.get("content") or "").strip()
        if not content:
            continue
        itemprop_names = (meta.get("itemprop") or "").split(None, MAX_ITEMPROP_NAMES)[:MAX_ITEMPROP_NAMES]
        keys = [meta.get("property"), meta.get("name"), meta.get("http-equiv"), *itemprop_names]
        for key in dict.fromkeys(key.strip().lower() for key in keys if key and key.strip()):
            values.setdefault(key, []).append(content)
    return values


def meta_content(metas: dict[str, list[str]], names: tuple[str, ...]) -> list[str]:
    """The values of the meta tags ``names``, in the order of ``names``."""
    return [value for name in names for value in metas.get(name, [])]


def json_ld_blocks(tree: HtmlElement) -> Iterator[Any]:
    """The value of each JSON-LD block of the page, read leniently; unreadable blocks are skipped, and so is
    everything past the first ``MAX_JSON_LD_BLOCKS`` blocks or ``MAX_JSON_LD_PAGE_CHARS`` characters."""
    blocks = chars = 0
    for script in tree.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        text = script.text
        if not text or len(text) > MAX_JSON_LD_CHARS:
            continue
        blocks, chars = blocks + 1, chars + len(text)
        if blocks > MAX_JSON_LD_BLOCKS or chars > MAX_JSON_LD_PAGE_CHARS:
            return
        yield from _json_ld_values(text)


def _json_ld_values(text: str) -> list[Any]:
    """The value of one JSON-LD block in a list, or [] when it cannot be read; lone surrogates replaced."""
    try:
        value = json.loads(text, strict=False)  # strict=False: raw newlines and tabs inside strings
    except RecursionError:  # nested thousands deep: a hostile block
        return []
    except ValueError:
        try:  # comments, trailing commas, single quotes, a wrapping HTML comment, a stray closing brace
            value = chompjs.parse_js_object(text)
        except (ValueError, RecursionError):
            return []
    if not SURROGATE_ESCAPE_RE.search(text):
        return [value]
    try:  # "\ud800" is valid JSON but no text: in the article, Beam's coder failed on it and the whole run ended
        return [repair_surrogates(value)]
    except RecursionError:
        return []


def json_ld_items(values: list[Any]) -> Iterator[dict[str, Any]]:
    """Every JSON object in JSON-LD ``values``, nested ones and ``@graph`` members included, outer first."""
    pending = list(reversed(values))
    while pending:  # iterative: JSON-LD can nest deeply
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(reversed(item))
        elif isinstance(item, dict):
            yield item
            pending.extend(reversed([value for value in item.values() if isinstance(value, (list, dict))]))


def top_level_items(values: list[Any]) -> list[dict[str, Any]]:
    """The objects a JSON-LD block is about: the block itself (or its list) and its ``@graph`` members,
    not the objects nested in them (a home page's list of articles)."""
    top = [item for value in values for item in (value if isinstance(value, list) else [value])]
    graphs = [item.get("@graph") for item in top if isinstance(item, dict)]
    members = [member for graph in graphs for member in (graph if isinstance(graph, list) else [graph])]
    return [item for item in top + members if isinstance(item, dict)]


def type_name(value: Any) -> str | None:
    """A declared type as compared: lower case, trimmed, without its vocabulary's prefix
    (``https://schema.org/NewsArticle``, ``schema:NewsArticle`` and `` newsarticle `` are all ``newsarticle``;
    ``http://ogp.me/ns#article`` is ``article``); None when it is not text.

    Every comparison of a JSON-LD ``@type`` or an ``og:type`` goes through here: pages write all these forms.
    """
    if not isinstance(value, str):
        return None
    return TYPE_PREFIX_RE.sub("", value.strip().rstrip("/")).lower()


def item_types(item: dict[str, Any]) -> set[str]:
    """The types of a JSON-LD object (``@type``, a string or a list), each as ``type_name`` gives it."""
    types = item.get("@type")
    names = [type_name(name) for name in (types if isinstance(types, list) else [types])]
    return {name for name in names if name}


def og_types(metas: dict[str, list[str]]) -> set[str]:
    """The page's ``og:type`` values (``meta_values``), each as ``type_name`` gives it."""
    return {name for name in map(type_name, metas.get("og:type", [])) if name}


def is_article_item(item: dict[str, Any]) -> bool:
    """Whether a JSON-LD object is an article (NewsArticle, BlogPosting, Report, ...)."""
    return any(name.endswith(ARTICLE_TYPE_SUFFIXES) for name in item_types(item))


def first_text(candidates: list[Any]) -> str | None:
    """The first candidate that is a non-blank string, whitespace collapsed."""
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip():
            return " ".join(candidate.split())
    return None


def as_list(value: Any) -> list[Any]:
    """A JSON-LD value as a list: itself when a list, else a list of it when set, else empty."""
    return value if isinstance(value, list) else [value] if value else []
