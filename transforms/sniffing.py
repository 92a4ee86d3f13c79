"""Tell what kind of document a blob of bytes is, from its content first and its name last."""

from __future__ import annotations

import re

from transforms.encoding import EBCDIC_DEFAULT, EBCDIC_XML_START

SNIFF_BYTES = 4096
FIRST_ELEMENT = re.compile(r"<(?![?!])([A-Za-z][\w:.-]*)")
DOCTYPE_ROOT = re.compile(r"<!doctype\s+([a-z][\w:.-]*)")  # names the root element: a long DOCTYPE hides it
# Root elements by local name: a feed may put its namespace under any prefix (``<a:feed xmlns:a=...Atom>``).
FEED_ROOTS = {"rss": "feed", "feed": "feed", "rdf": "feed", "channel": "feed"}
# XML sitemaps (sitemaps.org, with or without a namespace): a list of pages, or an index of such lists.
SITEMAP_ROOTS = {"urlset": "sitemap", "sitemapindex": "sitemap_index"}
DOCUMENT_KINDS = ("html", "feed", "sitemap", "sitemap_index", "jsonl", "json_feed")  # what newsbeam reads
EXTENSION_TYPES = {
    ".rss": "feed", ".atom": "feed", ".xml": "feed", ".rdf": "feed",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
}
# A WARC or ARC web archive (its first record's header), which holds many documents, not one.
WEB_ARCHIVE_START = re.compile(r"(?:WARC/\d+\.\d+\r?\n|filedesc://)")
BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def _head_text(body: bytes) -> str:
    """Decode the first bytes well enough to look at markup: BOM, NUL pattern or EBCDIC "<?xm", else Latin-1."""
    head = body[:SNIFF_BYTES]
    for bom, encoding in BOMS:
        if head.startswith(bom):
            return head[len(bom):].decode(encoding, "ignore")
    if len(head) >= 4 and head[:3] == b"\x00\x00\x00" and head[3]:
        return head.decode("utf-32-be", "ignore")
    if len(head) >= 4 and head[1:4] == b"\x00\x00\x00" and head[0]:
        return head.decode("utf-32-le", "ignore")
    if len(head) >= 4 and head[0] == 0 and head[2] == 0 and head[1] != 0:
        return head.decode("utf-16-be", "ignore")
    if len(head) >= 4 and head[1] == 0 and head[3] == 0 and head[0] != 0:
        return head.decode("utf-16-le", "ignore")
    if head.startswith(EBCDIC_XML_START):  # markup's letters are the same in every EBCDIC code page
        return head.decode(EBCDIC_DEFAULT)
    return head.decode("latin-1")


def looks_binary(text: str) -> bool:
    """True when the decoded head has many NULs or control characters: not a text document.

    A few stray NULs (a bad export, a truncated field) do not make a feed binary: the parsers drop them.
    """
    if not text:
        return False
    controls = sum(1 for char in text if ord(char) < 32 and char not in "\t\n\r\f")
    return text.count("\x00") > max(2, len(text) // 1000) or controls / len(text) > 0.05


def reads_as_document(body: bytes) -> bool:
    """Whether ``body`` is one of the documents newsbeam reads (``DOCUMENT_KINDS``), by its first bytes: how a body
    under a Content-Encoding that does not decode is judged as it was sent or stored."""
    return sniff_document_type(body[:SNIFF_BYTES]) in DOCUMENT_KINDS


def sniff_document_type(body: bytes, *, content_type: str | None = None, uri: str | None = None) -> str:
    """One of feed, sitemap, sitemap_index, json_feed, jsonl, html, web_archive, empty, binary, unknown."""
    text = _head_text(body).lstrip("\ufeff \t\r\n")
    if not text:
        return "empty"
    if WEB_ARCHIVE_START.match(text):  # before HTML: its records hold pages, and would pass for one
        return "web_archive"
    if looks_binary(text):
        return "binary"
    if text[0] in "{[":
        # PHP escapes slashes by default: "https:\/\/jsonfeed.org\/version\/1.1"
        return "json_feed" if "jsonfeed.org/version" in text[:2048].replace("\\/", "/") else "jsonl"
    lowered = text.lower()
    match = FIRST_ELEMENT.search(lowered) or DOCTYPE_ROOT.search(lowered)
    root = match.group(1).rsplit(":", 1)[-1] if match else ""
    if root in FEED_ROOTS:
        return FEED_ROOTS[root]
    if root in SITEMAP_ROOTS:
        return SITEMAP_ROOTS[root]
    if root == "html" or "<!doctype html" in lowered[:512]:
        return "html"
    if re.search(r"<(rss|feed|rdf:rdf)[\s>]", lowered):
        return "feed"
    if re.search(r"<(body|head|div|p|article)[\s>]", lowered):
        return "html"
    return _type_from_hints(content_type, uri)


def _type_from_hints(content_type: str | None, uri: str | None) -> str:
    """Fall back on the declared content type, then on the file extension."""
    declared = (content_type or "").lower()
    if "html" in declared:
        return "html"
    if any(kind in declared for kind in ("rss", "atom", "xml")):
        return "feed"
    path = (uri or "").lower()
    for suffix in (".gz", ".txt"):
        path = path.removesuffix(suffix)
    for extension, kind in EXTENSION_TYPES.items():
        if path.endswith(extension):
            return kind
    return "unknown"
