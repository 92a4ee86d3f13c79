"""Turn a raw document into article drafts, whatever its format: the parse stage's one entry point."""

from __future__ import annotations

from typing import Callable

from transforms.feed_discovery import describe_page
from transforms.feeds import parse_feed
from transforms.html_pages import parse_html_page
from transforms.identity import distinguish_shared_links, fetched_url
from transforms.json_documents import parse_json_feed, parse_jsonl
from transforms.records import Article, ErrorRecord, RawDocument, make_error
from transforms.sitemaps import parse_sitemap, parse_sitemap_index
from transforms.sniffing import sniff_document_type

Parser = Callable[[RawDocument], list[Article | ErrorRecord]]
PARSERS: dict[str, Parser] = {
    "feed": parse_feed, "html": parse_html_page, "jsonl": parse_jsonl, "json_feed": parse_json_feed,
    "sitemap": parse_sitemap, "sitemap_index": parse_sitemap_index,
}
UNPARSEABLE = {
    "empty": ("empty_input", "the document is empty"),
    "binary": ("binary_content", "binary data, not a feed, page or JSON document"),
    "unknown": ("unknown_format", "not recognisably a feed, an HTML page or JSON"),
    "web_archive": ("web_archive", "a WARC/ARC web archive where one document was expected (a feed URL that "
                                   "serves a crawl, or a member of another archive): give the archive file itself "
                                   "to ingest or backfill, which read its records one by one"),
}


def parse_document(raw: RawDocument) -> list[Article | ErrorRecord]:
    """Sniff the document type from its bytes and parse it; unusable documents give one error record."""
    document_type = sniff_document_type(raw["body"], content_type=raw.get("content_type"), uri=raw.get("uri"))
    if raw.get("expected_type") == "feed" and document_type in ("html", "jsonl"):
        message = f"expected a feed, got {document_type} (content type {raw.get('content_type') or 'not given'})"
        if document_type == "html" and (page := describe_page(raw["body"], raw.get("content_type"), fetched_url(raw))):
            message += f": {page}"  # which page it is (a login, a bot check, the home page) and its feeds
        return [make_error("parse", "not_a_feed", message, source=raw)]
    parser = PARSERS.get(document_type)
    if parser is None:
        error_type, message = UNPARSEABLE[document_type]
        return [make_error("parse", error_type, message, source=raw)]
    outputs = distinguish_shared_links(parser(raw))
    for record in outputs if raw.get("quality_flags") else ():  # the document's flags, on each of its articles
        if record.get("kind") == "article":
            own = record.get("quality_flags", [])
            inherited = [flag for flag in raw["quality_flags"] if flag not in own]
            record["quality_flags"] = [*own, *inherited]  # type: ignore[typeddict-item]
    pages = raw.get("pages")
    if pages:  # full text: each item gets what the driver learnt about its linked page
        for record in outputs:
            if record.get("kind") != "article":
                continue
            # pages kept before origLink was read are filed under the FeedBurner redirect the feed linked
            for link in (record.get("url"), record.get("replaced_link")):
                if link in pages:
                    record["page"] = pages[link]  # type: ignore[typeddict-unknown-key]
                    break
    return outputs
