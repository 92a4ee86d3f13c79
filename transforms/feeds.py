"""Parse RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom feeds with feedparser into article drafts."""

from __future__ import annotations

import io
import re
import xml.sax
from typing import Any

import feedparser
import lxml.etree
import lxml.html

from transforms.authors import author_names
from transforms.click_redirects import unwrap_click_redirect
from transforms.encoding import as_utf8_xml, choose_encoding
from transforms.feed_furniture import without_reddit_trailer
from transforms.feed_ids import written_ids
from transforms.html_cleaning import text_as_html
from transforms.identity import fetched_url, url_host, web_url
from transforms.item_images import feed_item_images
from transforms.publishers import feed_item_publisher, title_without_publisher
from transforms.records import (MAX_ITEMS_PER_DOCUMENT, Article, ErrorRecord, RawDocument, fallback_source_id,
                                make_error, too_many_items_error)
from transforms.xml_repair import prepare_xml

# feedparser's version string -> our document_type
FEED_FORMATS = {"rss": "rss", "atom": "atom", "rss10": "rdf", "rss090": "rdf", "cdf": "rss"}
# feedparser's bozo exceptions that still leave a correct document (the items are trusted)
HARMLESS_BOZO = ("CharacterEncodingOverride",)
RECOVERED_FLAG = "recovered_from_malformed_feed"  # the document was broken; its items before the break were read
# Hosts of feed services that rewrite item links into redirects through themselves (``/~r/...``)
FEED_REDIRECTOR_HOST = re.compile(r"feeds\d*\.feedburner\.com|feedproxy\.google\.com")
HTML_TITLE_TYPES = ("text/html", "application/xhtml+xml")  # feedparser's title_detail types that hold markup
PLAIN_TEXT = "text/plain"  # feedparser's type of an Atom text construct typed "text" (or not typed)
# Start and end tags of RSS/RDF items and Atom entries, any namespace prefix. ``[^<>]*`` (not ``[^>]*``)
# so that an unclosed tag fails at the next "<" instead of scanning to the end of the document each time.
ITEM_TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(?:item|entry)(?=[\s/>])[^<>]*>")


def _document_type(version: str) -> str:
    if version in FEED_FORMATS:  # exact first: "rss090" and "rss10" would match the "rss" prefix
        return FEED_FORMATS[version]
    for prefix, kind in FEED_FORMATS.items():
        if version.startswith(prefix):
            return kind
    return "rss"


def _authors(entry: dict[str, Any]) -> list[str]:
    """One name per person (``transforms.authors``): from the entry's own author text when it names one
    author (feedparser's split of "email (Name)" cuts long top-level domains: "desk@harbor.indu" and a
    name "stries (Mira ..."), else from each author's name, or e-mail address when it has no name."""
    listed = entry.get("authors") or []
    if len(listed) <= 1 and isinstance(entry.get("author"), str):
        return author_names([entry["author"]])
    return author_names(author.get("name") or author.get("email") or "" for author in listed)


def _title_text(entry: dict[str, Any]) -> str | None:
    """The entry's title as text: feedparser keeps the markup of a title typed HTML or XHTML (``<b>Slack</b>``
    in alert feeds, ``ft<sup>2</sup>`` in listings), which would otherwise reach the dataset as tags."""
    title = entry.get("title")
    if not title or "<" not in title or (entry.get("title_detail") or {}).get("type") not in HTML_TITLE_TYPES:
        return title
    try:
        fragment = lxml.html.fragment_fromstring(title, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return title
    for hidden in fragment.xpath(".//script | .//style"):  # code, not words
        hidden.drop_tree()
    return fragment.text_content()


def _as_html(value: str | None, content_type: str | None, document_type: str) -> str | None:
    """A summary or content block as HTML for the cleaning stage.

    Atom says what its text constructs hold: ``type="text"`` (the default) is text, whose "the <p> tag" or
    blank lines are words and paragraphs, not markup; it is escaped (``text_as_html``). RSS says nothing, and
    feedparser's guess (text unless a closing tag or an entity shows) takes "Line<br>line" for text: an RSS
    value stays HTML. Reddit's trailer goes (``feed_furniture``).
    """
    if value and document_type == "atom" and content_type == PLAIN_TEXT:
        return text_as_html(value)
    return without_reddit_trailer(value)


def _summary_html(entry: dict[str, Any], document_type: str) -> str | None:
    """The entry's own description (RSS ``description``, Atom ``summary``) as HTML, else None.

    feedparser copies an entry's content into ``summary`` when the entry has none, and gives that copy no
    ``summary_detail``: it is the body again, not a description (1,300 of the 4,496 entries of the real feeds
    repeated their body as their summary so). A podcast episode's ``<itunes:subtitle>`` stands in for a description
    it lacks.
    """
    detail = entry.get("summary_detail")
    if detail:
        return _as_html(entry.get("summary"), detail.get("type"), document_type)
    # a podcast episode may describe itself only in <itunes:subtitle>, which feedparser files apart: it is the
    # episode's description (its text: the subtitle holds no markup)
    return text_as_html(entry.get("subtitle"))


def _content_html(entry: dict[str, Any], document_type: str) -> str | None:
    """The longest full-content block of the entry (Atom content, RSS content:encoded), as HTML."""
    values = [_as_html(block.get("value"), block.get("type"), document_type) or ""
              for block in entry.get("content") or []]
    return max(values, key=len) if values else None


def document_url(raw: RawDocument, feed: dict[str, Any]) -> str | None:
    """The feed's own URL, the base of its relative links: where it was fetched, else its ``rel="self"`` link.

    A feed that moved (a redirect) is read where it now is, as a browser reads it. A feed read from a file or
    an archive without its URL still names itself (Atom, and RSS through ``atom:link``), and its items' links
    are often relative to it (``/blog/2012/02/04/...``).
    """
    if url := fetched_url(raw):
        return url
    for link in feed.get("links") or []:
        url = web_url(link.get("href"), None) if link.get("rel") == "self" else None
        if url:
            return url
    return None


def is_feed_redirector(host: str) -> bool:
    """True for the host of a feed redirector (FeedBurner, feedproxy): it names the service, not the outlet."""
    return FEED_REDIRECTOR_HOST.fullmatch(host) is not None


def item_links(entry: dict[str, Any], base_url: str | None) -> tuple[str | None, str | None]:
    """The item's own link, and the link it replaces (else None).

    FeedBurner rewrites every ``<link>`` into a redirect through itself (``feeds.feedburner.com/~r/...``)
    and keeps the article's URL in ``feedburner:origLink``: that one is the item's link when it is an
    absolute http(s) URL. The redirect is returned beside it: pages fetched before this rule are filed
    under it (``transforms.parsing``). A search or alert feed's click counter (``click_redirects``) is not
    kept: its target is the link.
    """
    link = web_url(entry.get("link"), base_url)
    link = unwrap_click_redirect(link) or link  # a search or alert feed's click counter: the article's URL
    original = web_url(entry.get("feedburner_origlink"), None)
    if original is None or original == link:
        return link, None
    return original, link


def item_source_id(raw: RawDocument, site_url: str | None, entry_link: str | None, own_url: str | None) -> str:
    """Configured source id, else the host of the feed's site, of the item, of the feed's own URL (where it was
    fetched, else its ``rel="self"``), else the file stem. A feed redirector's host (FeedBurner) is taken only
    when no other host is known: it would make one source of every feed the service carries."""
    if raw.get("source_id"):
        return raw["source_id"]
    hosts = [host for host in (url_host(site_url), url_host(entry_link), url_host(own_url)) if host]
    outlets = [host for host in hosts if not is_feed_redirector(host)]
    return (outlets or hosts or [fallback_source_id(raw["uri"]) or "unknown"])[0]


def entry_to_article(entry: dict[str, Any], feed: dict[str, Any], raw: RawDocument, document_type: str,
                     flags: list[str], base_url: str | None = None, written_id: str | None = None) -> Article:
    """Map one feedparser entry onto an Article draft, keeping raw values for later stages.

    ``base_url`` is the feed's own URL (``document_url``): relative links become absolute against it.
    ``written_id`` is the entry's id as the feed writes it, where feedparser resolved it into a URL
    (``feed_ids``): it is the ``guid``, and the resolved one stays for the ``article_id`` (``resolved_guid``).
    """
    link, replaced_link = item_links(entry, base_url)
    site_url = web_url(feed.get("link"), base_url)
    publisher, publisher_url = feed_item_publisher(entry, base_url)
    # dict.get: FeedParserDict maps a missing "updated" onto "published", which would fake an update time
    raw_published = dict.get(entry, "published") or dict.get(entry, "created")
    raw_updated = dict.get(entry, "updated")
    if raw_published is None and document_type != "atom":
        # feedparser files dc:date (RSS 1.0's only item date, also common in RSS 2.0) under "updated"
        raw_published, raw_updated = raw_updated, None
    return Article(
        kind="article", url=link, guid=written_id or entry.get("id") or entry.get("guid"),
        source_id=item_source_id(raw, site_url, link, base_url), feed_url=raw.get("feed_url") or base_url or site_url,
        publisher=publisher, publisher_url=publisher_url,
        document_type=document_type, title=title_without_publisher(_title_text(entry), publisher),
        summary_html=_summary_html(entry, document_type), content_html=_content_html(entry, document_type),
        authors=_authors(entry), images=feed_item_images(entry, link or base_url),
        tags=[tag.get("term") for tag in entry.get("tags") or [] if tag.get("term")] + list(raw.get("tags") or []),
        language_hint=raw.get("language_hint") or feed.get("language"),
        **({"time_options": raw["time_options"]} if raw.get("time_options") else {}),  # the feed's date options
        raw_published=raw_published, raw_updated=raw_updated,
        fetched_at=raw["fetched_at"], raw_sha256=raw["raw_sha256"],
        raw_path=raw.get("raw_path"), uri=raw["uri"], quality_flags=list(flags),
        **({"replaced_link": replaced_link} if replaced_link else {}),
        **({"resolved_guid": entry["id"]} if written_id else {}),
    )


def cap_items(body: bytes, max_items: int = MAX_ITEMS_PER_DOCUMENT) -> tuple[bytes, int]:
    """Cut the items after the first ``max_items`` out of a feed, before parsing; return (body, items found).

    The document around the items (channel metadata, closing tags) is kept, so a well-formed feed stays
    well-formed. The count is of item start tags and may include some inside CDATA: only an upper bound.
    """
    if body.count(b"item") + body.count(b"entry") <= max_items:  # fast path for every normal feed
        return body, 0
    found, cut, last_end = 0, None, None
    for match in ITEM_TAG.finditer(body):
        if match.group(1):
            last_end = match.end()
            continue
        found += 1
        if found == max_items + 1:
            cut = match.start()
        if match.group().endswith(b"/>"):
            last_end = match.end()
    if cut is None:
        return body, found
    return body[:cut] + body[max(cut, last_end or cut):], found


def safe_for_feedparser(body: bytes, flags: list[str]) -> tuple[bytes, int]:
    """A UTF-8 feed made safe and cheap for feedparser (``xml_repair.prepare_xml``), with the items past
    ``MAX_ITEMS_PER_DOCUMENT`` cut; returns it and the items found when over the cap."""
    return cap_items(prepare_xml(body, flags))


def _bozo_type(exception: BaseException | None) -> str:
    name = type(exception).__name__ if exception else ""
    return {"SAXParseException": "malformed_xml", "CharacterEncodingUnknown": "undecodable",
            "NonXMLContentType": "not_a_feed"}.get(name, "malformed_feed")


def _complaint(exception: BaseException) -> str:
    """The parser's objection in words: for broken XML, where (line and column) and what."""
    if isinstance(exception, xml.sax.SAXParseException):  # its str() starts "<unknown>:314:64:"
        return (f"XML not well-formed at line {exception.getLineNumber()}, column {exception.getColumnNumber()}: "
                f"{exception.getMessage()}")
    return str(exception) or type(exception).__name__


def parse_feed(raw: RawDocument) -> list[Article | ErrorRecord]:
    """Parse a feed document: one draft per item; errors for unusable or partly recovered feeds."""
    choice = choose_encoding(raw["body"], raw.get("content_type"))
    flags = [choice.flag] if choice.flag else []
    # Always UTF-8 for feedparser: it never sees the HTTP charset, which beats the XML declaration.
    body, items_found = safe_for_feedparser(as_utf8_xml(raw["body"], choice), flags)
    headers = {"content-type": "application/xml; charset=utf-8"}
    if base_url := fetched_url(raw):
        headers["content-location"] = base_url  # the base of relative item links
    # A stream, never a str: feedparser fetches strings that look like URLs and opens file paths.
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers, resolve_relative_uris=True,
                              sanitize_html=False)
    exception = parsed.get("bozo_exception") if parsed.get("bozo") else None
    harmful = exception is not None and type(exception).__name__ not in HARMLESS_BOZO
    if not parsed.entries:
        if harmful:
            return [make_error("parse", _bozo_type(exception), f"no items could be read: {_complaint(exception)}", source=raw)]
        if not parsed.get("version"):
            return [make_error("parse", "not_a_feed", "no RSS, RDF or Atom root element", source=raw)]
        return [make_error("parse", "empty_feed", "the feed has no items", source=raw)]
    if harmful:
        flags.append(RECOVERED_FLAG)
    document_type = _document_type(parsed.get("version") or "")
    base_url = document_url(raw, parsed.feed)
    written = written_ids(body, parsed.entries, base_url)
    outputs: list[Article | ErrorRecord] = []
    for position, entry in enumerate(parsed.entries, start=1):
        if not any(entry.get(field) for field in ("link", "id", "title", "summary", "content")):
            located = {**raw, "guid": f"item {position}"}
            outputs.append(make_error("parse", "empty_item", f"item {position} has no link, id, title or text", source=located))
            continue
        written_id = written.get(position - 1)
        outputs.append(entry_to_article(entry, parsed.feed, raw, document_type, flags, base_url, written_id))
    if items_found > MAX_ITEMS_PER_DOCUMENT:
        outputs.append(too_many_items_error(raw, items_found))
    if harmful:
        message = (f"feed is malformed ({_complaint(exception)}); {len(parsed.entries)} items recovered, "
                   "later items may be lost")
        outputs.append(make_error("parse", _bozo_type(exception) + "_partial", message, source=raw))
    return outputs
