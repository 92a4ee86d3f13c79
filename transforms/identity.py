"""Article identity: canonical URLs, the stable article_id, the content hash and near-duplicate fingerprint,
and which site a URL is on.

``article_id`` is a hash of the canonical URL of the item's own link (else its GUID, else its content).
It is computed from what the feed or file says, never from a fetched page's ``rel=canonical``, so that
a run with full-text fetching and one without give the same id (otherwise the dataset would duplicate).
The page's canonical URL (``page_canonical_url``, set by ``transforms/full_text.py`` only when it is on
the page's own site) does become ``canonical_url``: the column names the article, the id stays put.
"""

from __future__ import annotations

import collections
import hashlib
import ipaddress
import urllib.parse
from typing import Any

import courlan

from transforms.near_duplicates import text_simhash
from transforms.records import Article, RawDocument
from transforms.settings import TransformSettings

# Query parameters that identify a campaign or a click, never the document. courlan removes the common
# ones (utm_*, fbclid, gclid, ...); these are the others seen on news sites.
EXTRA_TRACKING_PARAMETERS = frozenset(
    {"mc_cid", "mc_eid", "igshid", "yclid", "dclid", "msclkid", "_ga", "_gl", "ocid", "cmpid", "smid",
     "ito", "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname", "ns_fee", "at_medium", "at_campaign",
     "wt.mc_id", "wt_mc_id", "spm", "share", "xtor"}
)
DEFAULT_PORTS = {"http": 80, "https": 443}
SHORT_GUID_CHARS = 16  # shorter GUIDs ("1234") are only unique within their source
SHARED_LINK_MIN_ITEMS = 3  # items of one document on one link: a home or index page, not an edition


def canonicalize_url(url: str | None) -> str | None:
    """Canonical form of an http(s) URL: tracking parameters and fragment dropped, host lowercased.

    Also: default ports removed, remaining query parameters sorted, empty path made "/". Anything that
    is not an absolute http(s) URL gives None.
    """
    if not url:
        return None
    try:
        return _canonicalize(url.strip())
    except ValueError:  # a port out of range, a broken IPv6 literal: not a usable URL
        return None


def url_host(url: str | None) -> str:
    """The lower-cased host of ``url`` without ``www.``, or "" (also for URLs that do not parse, such as a
    broken IPv6 literal or a bad port: ``urlsplit`` raises on those, and a source id is no reason to fail)."""
    try:
        host = urllib.parse.urlsplit(url or "").hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


MAX_URL_CHARS = 4096  # longer "links" are data or hostile (a 100 KB canonical link); real ones are far shorter


def web_url(url: str | None, base_url: str | None) -> str | None:
    """An item's link as an absolute http(s) URL, resolved against ``base_url`` when relative; else None
    (also when longer than ``MAX_URL_CHARS``).

    An Atom id with no link (``urn:uuid:...``) becomes the entry's link in feedparser, and a relative link
    read from a file has no base: neither names a web page, and the GUID still identifies the item.
    """
    if not url or len(url) > MAX_URL_CHARS:
        return None
    url = url.strip()
    try:
        absolute = urllib.parse.urljoin(base_url, url) if base_url else url
        parts = urllib.parse.urlsplit(absolute)
    except ValueError:  # a broken IPv6 literal or port
        return None
    return absolute if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def fetched_url(raw: RawDocument) -> str | None:
    """Where the body came from, when that is a web address: its ``uri`` (the end of a redirect, a sitemap an
    index listed, an archive record's target), else the configured ``feed_url``; None for a local file."""
    return web_url(raw.get("uri"), None) or web_url(raw.get("feed_url"), None)


def _canonicalize(url: str) -> str | None:
    url = url.split("#", 1)[0]  # dropped anyway; first, so that a broken fragment cannot derail courlan
    parts = urllib.parse.urlsplit(url) if "://" in url else None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    try:
        normalized = courlan.normalize_url(url, strict=False, trailing_slash=True)
    except Exception:  # courlan rejects some odd but real URLs; fall back to our own minimum
        normalized = url
    parts = urllib.parse.urlsplit(normalized)
    # courlan drops keys without a value, but "default.asp?4471" and "?p" name the document: put them back
    # (taken from the input only: when courlan failed, the fallback still has them and they would double)
    bare_keys = [(key, None) for key, value in urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query,
                                                                      keep_blank_values=True) if not value]
    valued_keys = [(key, value) for key, value in urllib.parse.parse_qsl(parts.query) if value]
    query = [
        (key, value)
        for key, value in valued_keys + bare_keys
        if not key.lower().startswith("utm_") and key.lower() not in EXTRA_TRACKING_PARAMETERS
        and key.lower() not in ("fbclid", "gclid")
    ]
    host = (parts.hostname or "").lower().rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    scheme = parts.scheme.lower()
    port = parts.port if parts.port != DEFAULT_PORTS.get(scheme) else None  # https://host:80/ is another server
    netloc = f"{host}:{port}" if port else host
    path = parts.path or "/"
    return urllib.parse.urlunsplit((scheme, netloc, path, _encode_query(query), ""))


def _encode_query(pairs: list[tuple[str, str | None]]) -> str:
    """``key=value`` pairs sorted and encoded; a key without a value stays bare (``?4471``, not ``?4471=``)."""
    return "&".join(urllib.parse.quote_plus(key) + ("" if value is None else "=" + urllib.parse.quote_plus(value))
                    for key, value in sorted(pairs, key=lambda pair: (pair[0], pair[1] or "")))


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def compute_article_id(canonical_url: str | None, guid: str | None, source_id: str, content_sha256: str) -> str:
    """Stable id: canonical URL, else GUID (scoped to the source when short), else content."""
    if canonical_url:
        return _digest("url", canonical_url)
    guid = (guid or "").strip()  # a blank GUID is no GUID (else every such item of a source would share one id)
    if guid:
        canonical_guid = canonicalize_url(guid)
        if canonical_guid:
            return _digest("url", canonical_guid)
        if len(guid) >= SHORT_GUID_CHARS or ":" in guid:
            return _digest("guid", guid)
        return _digest("guid", source_id, guid)
    return _digest("content", source_id, content_sha256)


def compute_content_sha256(article: Article) -> str:
    """Hash of the normalized text an analyst reads: title, summary and body."""
    text = "\x1f".join(article.get(field) or "" for field in ("title", "summary_text", "body_text"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _item_key(article: dict[str, Any]) -> str:
    """What tells an item from the others of its document: its GUID, else its link's fragment, else its title.

    The GUID as feedparser resolved it (``resolved_guid``), where it did: ids written before the GUID was read
    as written came from it, and a podcast's episodes on one link would each get a second row.
    """
    guid = (article.get("resolved_guid") or article.get("guid") or "").strip()
    fragment = urllib.parse.urldefrag(article.get("url") or "").fragment
    return f"guid:{guid}" if guid else f"fragment:{fragment}" if fragment else f"title:{article.get('title') or ''}"


def distinguish_shared_links(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give the items of one document that share a link but are different items a ``link_discriminator``.

    Podcasts link every episode to the show's home page, some sites every item to one news page or to
    ``entries.php#N``: by link alone they were one article (a real feed of 131 episodes gave 9). When at
    least ``SHARED_LINK_MIN_ITEMS`` items share a canonical link, those that differ by GUID, by fragment or
    by title keep apart, by that key; the same item repeated stays one article. Two items on one link are
    two editions of one story (an update re-issued under a new GUID): they stay one article, the latest
    edition winning. The id of a split item is stable while its document keeps sharing the link.
    """
    groups: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for record in records:
        link = item_id_link(record) if record.get("kind") == "article" else None
        if link:
            groups[link].append(record)
    for items in groups.values():
        if len(items) >= SHARED_LINK_MIN_ITEMS and len({_item_key(item) for item in items}) > 1:
            for item in items:
                item["link_discriminator"] = _item_key(item)
    return records


def item_id_link(record: dict[str, Any]) -> str | None:
    """The canonical link an item's ``article_id`` comes from: the link its feed gives (FeedBurner's redirect
    when the origLink became ``url``: the ids of earlier versions stay, so an upgrade adds no second row of an
    article), else its GUID when that is a URL (as feedparser resolved it). ``pipeline/page_fetch.py`` keys its
    ledger by the same id."""
    link = canonicalize_url(record.get("replaced_link") or record.get("url"))
    guid = record.get("resolved_guid") or record.get("guid")  # as earlier versions read it (see ``_item_key``)
    if link is None and guid:
        link = canonicalize_url(guid)
    return link


def identify_article(article: Article, settings: TransformSettings) -> Article:
    """Set canonical_url, content_sha256, text_simhash and article_id (from the item's own link, never from its
    page)."""
    id_link = item_id_link(article)
    content_sha256 = compute_content_sha256(article)
    article_id = compute_article_id(id_link, article.get("guid"), article.get("source_id") or "", content_sha256)
    if id_link and article.get("link_discriminator"):  # a link several items of its document share
        article_id = _digest("url", id_link, article["link_discriminator"])
    link_url = canonicalize_url(article.get("url")) if article.get("replaced_link") else id_link  # the origLink
    canonical_url = canonicalize_url(article.get("page_canonical_url")) or link_url
    return {**article, "canonical_url": canonical_url, "content_sha256": content_sha256, "article_id": article_id,
            "text_simhash": text_simhash(article.get("body_text") or article.get("summary_text"))}


def same_site(url: str, other_url: str) -> bool:
    """True when both URLs are on one site: the same host, or the same registrable domain
    (``www.example.com`` and ``news.example.com``; not ``a.github.io`` and ``b.github.io``)."""
    hosts = [(urllib.parse.urlsplit(value).hostname or "").lower().rstrip(".") for value in (url, other_url)]
    if not all(hosts):
        return False
    if hosts[0] == hosts[1]:
        return True
    domains = [registrable_domain(value, host) for value, host in zip((url, other_url), hosts)]
    return domains[0] is not None and domains[0] == domains[1]


def registrable_domain(url: str, host: str) -> str | None:
    """The public-suffix-list domain of ``url`` (``bbc.co.uk``); for a suffix the list does not know
    (``.example``, ``.internal``) the last two labels; None for IP addresses."""
    try:
        ipaddress.ip_address(host.strip("[]"))
        return None
    except ValueError:
        pass
    labels = host.split(".")
    return courlan.extract_domain(url) or (".".join(labels[-2:]) if len(labels) >= 2 else None)
