"""Plain record types that flow through the pipeline, and the helpers that build them.

Every stage takes and returns plain dicts typed with these TypedDicts, so that the transforms stay
testable without Beam and picklable on any runner. Failures are values: a stage that cannot handle an
input returns an ``ErrorRecord`` in its place, and every later stage passes error records through
untouched. One stream carries both kinds because the Dask runner loses data with tagged outputs; the sink
splits them (see DESIGN.md, "Measured on this machine").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import urllib.parse
from typing import Any, Literal, TypedDict

RecordKind = Literal["raw", "article", "error"]
# Items read from one document (feed items, JSON Feed items, JSON lines); the rest are dropped with one
# error record. A 50 MB feed of a million empty ``<item/>``s would otherwise cost feedparser minutes and
# gigabytes before the first item came out; real feeds stay far below (a 50 MB file of 5 KB articles
# holds 10,000). Bigger JSON Lines exports are split into several files.
MAX_ITEMS_PER_DOCUMENT = 10_000


class PageInfo(TypedDict, total=False):
    """What the driver learnt about an item's linked page (``pipeline/page_fetch.py``), for the pipeline."""

    status: str  # fetched, not_html, blocked_by_robots, failed, deferred (not tried: the run's budget ran out)
    url: str  # the item link as requested
    final_url: str | None  # after redirects
    redirects: list[str]  # every URL redirected to, in order
    http_status: int | None
    content_type: str | None
    raw_path: str | None  # the page body in the raw zone (fetched and not_html)
    raw_sha256: str | None
    fetched_at: str | None  # ISO 8601, UTC
    error_type: str | None  # why it failed: http_status, timeout, private_address, robots_unreachable, ...
    error_message: str | None
    from_earlier_run: bool  # reused from the ledger: no request this run


class RawDocument(TypedDict, total=False):
    """The bytes of one input as received, with where they came from."""

    kind: Literal["raw"]
    source_id: str  # configured feed id, or derived from the file path / host
    uri: str  # file path or URL the bytes came from (inside an archive: archive!member)
    feed_url: str | None  # the feed's URL when the bytes are a fetched feed
    body: bytes
    fetched_at: dt.datetime  # UTC; file mtime for local files, so reruns are identical
    http_status: int | None
    etag: str | None
    last_modified: str | None
    content_type: str | None  # declared type (HTTP header), if any
    raw_sha256: str  # sha256 of ``body``
    raw_path: str | None  # where the bytes are kept in the raw zone (or the input path)
    language_hint: str | None  # configured language of the source, ISO 639-1
    tags: list[str]
    expected_type: str | None  # "feed" for a configured feed URL: anything else there is an error
    pages: dict[str, PageInfo]  # item link -> its page, for feeds fetched with full text
    time_options: dict[str, Any]  # the feed's date options (feeds.toml): date_order, default_timezone, date_formats
    # ``newsbeam run`` follows a sitemap index at a feed URL (pipeline/sitemap_children.py):
    sitemap_index_url: str | None  # a sitemap's: the index that listed it (``uri`` is the sitemap's own URL)
    sitemaps_followed: list[str]  # an index's: the sitemaps it lists that were fetched (it then gives no error)
    quality_flags: list[str]  # what every article of the document inherits (a WARC record the crawler cut)


SITEMAP_INDEX_FIELDS = ("sitemap_index_url", "sitemaps_followed")  # kept in the raw zone, carried to the pipeline


class Entity(TypedDict):
    """A gazetteer entity mentioned in an article."""

    id: str
    name: str
    type: str  # country, city, person, organisation, other
    mentions: int


class Article(TypedDict, total=False):
    """One news item as it moves through parse -> clean -> normalize -> identify.

    Fields are filled in stage by stage; ``schemas.article`` is the shape finally written.
    The ``raw_*`` fields hold unparsed values from the source for later stages to normalize.
    """

    kind: Literal["article"]
    article_id: str
    url: str | None
    replaced_link: str | None  # the feed's <link> when FeedBurner's origLink became ``url`` (not written)
    canonical_url: str | None
    guid: str | None  # the item's GUID or Atom id as its feed writes it
    resolved_guid: str | None  # that id as feedparser resolved it into a URL, for the article_id (not written)
    source_id: str
    feed_url: str | None
    publisher: str | None  # the publication the item or page names as its publisher (an aggregator's <source>)
    publisher_url: str | None  # absolute http(s)
    document_type: str  # rss, atom, rdf, json_feed, html, jsonl, ...
    title: str | None
    summary_html: str | None  # as given by the source, before cleaning
    content_html: str | None  # as given by the source (full body), before cleaning
    summary_text: str | None
    body_text: str | None
    body_html: str | None  # sanitized
    authors: list[str]
    tags: list[str]
    language: str | None
    language_hint: str | None
    time_options: dict[str, Any]  # the feed's date options, from RawDocument (transforms.timestamps reads them)
    raw_published: str | None  # the published/issued/dc:date string as found
    raw_updated: str | None
    published_at: dt.datetime | None  # UTC
    published_offset_minutes: int | None
    time_source: str | None  # e.g. "entry.published", "body.dateline", "fetched_at (fallback)"
    time_flags: list[str]  # e.g. "fallback", "implausible_future", "implausible_past"
    updated_at: dt.datetime | None
    fetched_at: dt.datetime
    entities: list[Entity]
    links: list[str]
    images: list[str]
    quality_flags: list[str]  # e.g. "html_truncated", "encoding_repaired"
    content_sha256: str | None
    text_simhash: int | None  # near-duplicate fingerprint (transforms/near_duplicates.py)
    raw_sha256: str
    raw_path: str | None
    uri: str  # the input the article came from
    page: PageInfo | None  # the item's linked page, when full text was asked for
    page_canonical_url: str | None  # the page's own canonical URL (same site), preferred as canonical_url
    link_discriminator: str | None  # set when items of one document share a link (identity.distinguish_shared_links)
    page_times: list[tuple[str, str]]  # (source, raw time) a page gives (page_metadata), e.g. ("page.meta", "2023-...")
    page_text_date: str | None  # YYYY-MM-DD found in a page's text: page_metadata.PageMetadata.text_date
    field_sources: dict[str, str]  # field -> where it came from, for fields filled from the page
    body_status: str  # full, teaser_only, paywalled, empty, not_html, blocked_by_robots


class ErrorRecord(TypedDict):
    """A dead-letter entry: what failed, where, why, and where the raw bytes are."""

    kind: Literal["error"]
    error_id: str
    stage: str  # read, parse, clean, normalize_text, normalize_time, identify, entities, write, fetch
    error_type: str  # short machine-readable reason, e.g. "malformed_xml", "empty_input"
    message: str
    source_id: str | None
    uri: str | None
    raw_sha256: str | None
    raw_path: str | None
    occurred_at: dt.datetime


def sha256_hex(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def is_error(record: dict[str, Any]) -> bool:
    """True when ``record`` is an ``ErrorRecord``."""
    return record.get("kind") == "error"


def fallback_source_id(uri: str | None) -> str | None:
    """The source of an input that names none: the host of its URL (without ``www.``), else its file's stem.

    Error rows of local files and archive members get one this way, as their articles do (a feed's own
    link names its host first, ``transforms/feeds.py``), so that no dead-letter row is without a source.
    """
    if not uri:
        return None
    if "://" in uri:
        try:
            host = urllib.parse.urlsplit(uri).hostname
        except ValueError:  # a broken IPv6 literal or port
            host = None
        if host:
            return host.removeprefix("www.")
    file_name = uri.rsplit("/", 1)[-1].split("#", 1)[0]
    member_name = file_name.partition("!")[2]  # a top-level archive member: ``/in/bundle.zip!feed.xml``
    return (member_name or file_name).split(".", 1)[0] or file_name.split(".", 1)[0] or None


def archive_record_place(source: dict[str, Any]) -> list[str]:
    """``[archive#offset]`` for a WARC/ARC record, whose ``uri`` (its target URL) does not say where it is.

    The same page failing at two offsets or in two archives is two failures, each with its own error row;
    every other input's ``uri`` already names its place (and its error_id stays what earlier versions gave).
    """
    raw_path, uri = source.get("raw_path"), source.get("uri")
    return [raw_path] if raw_path and raw_path != uri and "#" in raw_path else []


def make_error(
    stage: str,
    error_type: str,
    message: str,
    *,
    source: dict[str, Any] | None = None,
    occurred_at: dt.datetime | None = None,
) -> ErrorRecord:
    """Build an error record for ``source`` (a raw document or article), keeping its provenance.

    ``occurred_at`` defaults to the source's ``fetched_at`` so that a rerun on the same input gives
    the same error row; ``error_id`` is a stable hash so reruns replace rather than duplicate.
    """
    source = source or {}
    when = occurred_at or source.get("fetched_at") or dt.datetime.now(dt.timezone.utc)
    message = message[:2000]
    key = "\x1f".join(
        str(part)
        for part in (
            stage,
            error_type,
            source.get("uri"),
            source.get("raw_sha256"),
            source.get("guid") or source.get("url") or "",
            message,
            *archive_record_place(source),
        )
    )
    return ErrorRecord(
        kind="error",
        error_id=sha256_hex(key.encode("utf-8", "surrogatepass"))[:32],
        stage=stage,
        error_type=error_type,
        message=message,
        source_id=source.get("source_id") or fallback_source_id(source.get("uri")),
        uri=source.get("uri"),
        raw_sha256=source.get("raw_sha256"),
        raw_path=source.get("raw_path"),
        occurred_at=when,
    )


def too_many_items_error(raw: dict[str, Any], found: int, kept: int = MAX_ITEMS_PER_DOCUMENT) -> ErrorRecord:
    """The error record of a document with more than ``kept`` items: how many were found and dropped."""
    message = (f"the document has {found} items, over the limit of {kept} per document: "
               f"the first {kept} were read, {found - kept} dropped")
    return make_error("parse", "too_many_items", message, source=raw)
