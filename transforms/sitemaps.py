"""Read XML sitemaps into article drafts: one per ``<url>``, with its Google News and image extensions.

A sitemap (``<urlset>``: sitemaps.org 0.9, Google's older 0.84, or no namespace at all) lists a site's pages;
a Google News sitemap adds to each the publication's name and language, the publication time, the title and
keywords; the image extension lists the page's pictures. Elements are matched by their local name, in the
place the protocol gives them (``<loc>`` right under ``<url>``, ``<news:title>`` inside ``<news:news>``):
sites declare the namespaces in every way, and some not at all.

An entry carries no text: its row is ``body_status`` ``empty`` unless its page is fetched for the full text
(``newsbeam run`` with ``full_text``), as any feed item's. ``<lastmod>`` is the page's last change, never taken
for its publication time (``transforms.timestamps``: it stands in for the fetch time, flagged ``fallback``).

Sitemaps are big (50,000 URLs and 50 MB by the protocol): the document is read as a stream of ``<url>``
elements, each dropped once read, so the parsed tree never holds more than one. A sitemap index
(``<sitemapindex>``) lists other sitemaps and no page: it is one error record naming them, unless ``newsbeam
run`` fetched them (``sitemaps_followed``, ``pipeline/sitemap_children.py``): its sitemaps then give its articles,
and it gives nothing, in ``run`` as when the raw zone is read again.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

import lxml.etree

from transforms.encoding import as_utf8_xml, choose_encoding
from transforms.feeds import RECOVERED_FLAG, item_source_id
from transforms.identity import fetched_url, web_url
from transforms.json_fields import MAX_SHORT_FIELD_CHARS, MAX_TAG_CHARS, OVERSIZED_FLAG
from transforms.language import normalize_language_code
from transforms.publishers import publisher_name, title_without_publisher
from transforms.records import Article, ErrorRecord, RawDocument, make_error, too_many_items_error
from transforms.timestamps import parse_timestamp
from transforms.xml_repair import prepare_xml

SITEMAP_DOCUMENT_TYPE = "sitemap"
MAX_URLS_PER_SITEMAP = 50_000  # the protocol's own limit; the rest are dropped with one too_many_items error
MAX_SITEMAPS_PER_INDEX = 50_000
MAX_IMAGES_PER_URL = 1_000  # the image extension's limit
MAX_KEYWORDS = 100
MAX_LANGUAGE_TAG_CHARS = 35  # a BCP 47 tag is far shorter
GENRE_TAG_PREFIX = "genre:"  # Google News genres (PressRelease, Satire, OpEd, ...) as tags: ``genre:OpEd``
EXAMPLES_IN_MESSAGES = 3
EXAMPLE_CHARS = 200
# A real end tag of an entry. Recovering from a truncated document, the parser closes the entry that was cut:
# its <loc> would be a cut URL, so entries beyond the end tags written are not kept.
END_TAG = {name: re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?" + name.encode() + rb"\s*>") for name in ("url", "sitemap")}

Entry = TypeVar("Entry")


@dataclasses.dataclass
class UrlEntry:
    """One ``<url>`` as written (texts stripped; None when absent or too long to be a value)."""

    loc: str | None
    lastmod: str | None = None
    publication_name: str | None = None  # <news:publication><news:name>
    language: str | None = None  # <news:publication><news:language>
    publication_date: str | None = None  # <news:publication_date>
    title: str | None = None  # <news:title>
    tags: list[str] = dataclasses.field(default_factory=list)  # <news:keywords>, then <news:genres> as genre:X
    image_locs: list[str] = dataclasses.field(default_factory=list)  # <image:image><image:loc>
    oversized: bool = False  # a value was dropped for its length


@dataclasses.dataclass
class ChildSitemap:
    """One ``<sitemap>`` of a sitemap index."""

    loc: str | None
    lastmod: str | None


@dataclasses.dataclass
class Listing(Generic[Entry]):
    """The entries of a sitemap or index, read in document order, and what went wrong reading them."""

    entries: list[Entry]
    found: int  # entries in the document, kept or not
    complaint: str | None  # the first XML error, in words, when the document is broken
    flags: list[str]  # repairs made to the document (``xml_repair.prepare_xml``) and the encoding's


def parse_sitemap(raw: RawDocument) -> list[Article | ErrorRecord]:
    """One draft per ``<url>`` of a sitemap; error records for a broken, empty or oversized one and for entries
    without a usable ``<loc>``."""
    listing = read_listing(raw, "url", read_url_entry, MAX_URLS_PER_SITEMAP)
    flags = listing.flags + ([RECOVERED_FLAG] if listing.complaint else [])
    base_url = fetched_url(raw)
    outputs: list[Article | ErrorRecord] = []
    links: set[str] = set()
    refused: list[str] = []
    for entry in listing.entries:
        link = web_url(entry.loc, base_url)
        if link is None:
            refused.append(entry.loc or "")
        elif link not in links:  # a URL listed twice is one page: the first entry is kept
            links.add(link)
            outputs.append(url_entry_to_article(entry, link, raw, base_url, flags))
    if not outputs and listing.complaint:
        return [make_error("parse", "malformed_xml", f"no URLs could be read: {listing.complaint}", source=raw)]
    if refused:
        outputs.append(_refused_locs_error(raw, refused, base_url))
    if not outputs:
        return [make_error("parse", "empty_feed", "the sitemap lists no URLs", source=raw)]
    if listing.found > MAX_URLS_PER_SITEMAP:
        outputs.append(too_many_items_error(raw, listing.found, MAX_URLS_PER_SITEMAP))
    if listing.complaint:
        message = (f"sitemap is malformed ({listing.complaint}); {len(links)} URLs recovered, "
                   "later ones may be lost")
        outputs.append(make_error("parse", "malformed_xml_partial", message, source=raw))
    return outputs


def parse_sitemap_index(raw: RawDocument) -> list[Article | ErrorRecord]:
    """One error record: a sitemap index lists sitemaps, not articles. It says how many, names the newest, and
    how to read them; an index is never silently nothing. An index whose sitemaps ``newsbeam run`` fetched
    (``sitemaps_followed``) gives nothing: they are read in its place."""
    if raw.get("sitemaps_followed"):
        return []
    children = newest_child_sitemaps(raw)
    if not children:
        return [make_error("parse", "sitemap_index", "a sitemap index that lists no sitemaps", source=raw)]
    examples = ", ".join(_example(child) for child in children[:EXAMPLES_IN_MESSAGES])
    message = (f"a sitemap index: it lists {len(children)} sitemaps and no articles (newest first: {examples}"
               f"{', ...' if len(children) > EXAMPLES_IN_MESSAGES else ''}). Its sitemaps were not read: newsbeam run "
               "reads the newest of them (sitemap_children in feeds.toml) for an index at a feed URL or listed by "
               "one, on the index's own site; otherwise list them as feeds in feeds.toml or give them to newsbeam "
               "ingest")
    return [make_error("parse", "sitemap_index", message, source=raw)]


def newest_child_sitemaps(raw: RawDocument) -> list[str]:
    """The absolute http(s) URLs of the sitemaps an index lists, the most recently modified first (those
    without a readable ``<lastmod>`` last, in document order)."""
    listing = read_listing(raw, "sitemap", read_child_sitemap, MAX_SITEMAPS_PER_INDEX)
    base_url = fetched_url(raw)
    dated: list[tuple[float, int, str]] = []
    for position, child in enumerate(listing.entries):
        url = web_url(child.loc, base_url)
        modified = parse_timestamp(child.lastmod) if child.lastmod else None
        if url:
            dated.append((-modified.instant_utc.timestamp() if modified else float("inf"), position, url))
    return list(dict.fromkeys(url for _, _, url in sorted(dated)))


def url_entry_to_article(entry: UrlEntry, link: str, raw: RawDocument, base_url: str | None,
                         flags: list[str]) -> Article:
    """The draft of one sitemap entry whose ``<loc>`` is the absolute http(s) URL ``link``."""
    publisher = publisher_name(entry.publication_name)
    images = (web_url(image, base_url or link) for image in entry.image_locs)
    return Article(
        kind="article", url=link, guid=None, source_id=item_source_id(raw, None, link, base_url),
        feed_url=raw.get("feed_url") or base_url, publisher=publisher, publisher_url=None,
        document_type=SITEMAP_DOCUMENT_TYPE, title=title_without_publisher(entry.title, publisher),
        summary_html=None, content_html=None, authors=[], images=list(dict.fromkeys(url for url in images if url)),
        tags=entry.tags + list(raw.get("tags") or []), language_hint=raw.get("language_hint") or entry.language,
        **({"time_options": raw["time_options"]} if raw.get("time_options") else {}),  # the feed's date options
        raw_published=entry.publication_date, raw_updated=entry.lastmod,
        fetched_at=raw["fetched_at"], raw_sha256=raw["raw_sha256"], raw_path=raw.get("raw_path"), uri=raw["uri"],
        quality_flags=flags + ([OVERSIZED_FLAG] if entry.oversized else []),
    )


def read_listing(raw: RawDocument, element_name: str, read_entry: Callable[[lxml.etree._Element], Entry],
                 max_entries: int) -> Listing[Entry]:
    """The first ``max_entries`` elements named ``element_name`` right under the root, each read by
    ``read_entry``; a broken document gives what could be recovered before the break.

    The document is decoded and repaired as feeds are (``xml_repair.prepare_xml``: no DOCTYPE entity expands,
    nothing is fetched), then parsed as a stream: each entry is dropped from the tree once read.
    """
    choice = choose_encoding(raw["body"], raw.get("content_type"))
    flags = [choice.flag] if choice.flag else []
    body = prepare_xml(as_utf8_xml(raw["body"], choice), flags)
    entries: list[Entry] = []
    found = 0
    events = lxml.etree.iterparse(io.BytesIO(body), events=("start", "end"), recover=True, no_network=True,
                                  resolve_entities=False, remove_comments=True, remove_pis=True, huge_tree=False)
    complaint = None
    try:
        for element in _top_level_elements(events):
            if _local_name(element) == element_name:
                found += 1
                if len(entries) < max_entries:
                    entries.append(read_entry(element))
    except lxml.etree.XMLSyntaxError as error:  # nothing to recover: no root element at all
        complaint = f"XML not well-formed: {error}"
    errors = [error for error in events.error_log if error.level >= lxml.etree.ErrorLevels.ERROR]
    if errors:
        complaint = complaint or (f"XML not well-formed at line {errors[0].line}, column {errors[0].column}: "
                                  f"{errors[0].message}")
        entries = entries[:len(END_TAG[element_name].findall(body))]  # entries the parser closed are cut off
    return Listing(entries=entries, found=found, complaint=complaint, flags=flags)


def _top_level_elements(events: lxml.etree.iterparse) -> Iterator[lxml.etree._Element]:
    """Each complete child of the root element, then dropped with everything before it (bounded memory)."""
    root = None
    for event, element in events:
        if root is None:
            root = element
        elif event == "end" and element.getparent() is root:
            yield element
            element.clear()
            while element.getprevious() is not None:
                del root[0]


def read_url_entry(element: lxml.etree._Element) -> UrlEntry:
    """A ``<url>`` element as a ``UrlEntry``."""
    values = _Values()
    news = _child(element, "news")
    publication = _child(news, "publication")
    keywords = _unique(" ".join(keyword.split()) for keyword in (values.text(news, "keywords") or "").split(","))
    genres = _unique(GENRE_TAG_PREFIX + genre.strip() for genre in (values.text(news, "genres") or "").split(","))
    images = (values.text(image, "loc") for image in _children(element, "image"))
    return UrlEntry(
        loc=values.text(element, "loc"), lastmod=values.text(element, "lastmod"),
        publication_name=values.text(publication, "name"), language=_language_tag(values.text(publication, "language")),
        publication_date=values.text(news, "publication_date"), title=values.text(news, "title"),
        tags=keywords[:MAX_KEYWORDS] + [genre for genre in genres if genre != GENRE_TAG_PREFIX][:MAX_KEYWORDS],
        image_locs=[image for image in itertools.islice(images, MAX_IMAGES_PER_URL) if image],
        oversized=values.oversized,
    )


def read_child_sitemap(element: lxml.etree._Element) -> ChildSitemap:
    """A ``<sitemap>`` element of an index."""
    values = _Values()
    return ChildSitemap(loc=values.text(element, "loc"), lastmod=values.text(element, "lastmod"))


def _local_name(element: lxml.etree._Element) -> str:
    """An element's name without namespace (``{uri}loc``) or prefix (``news:title``, as recovery may leave it)."""
    tag = element.tag
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1] if isinstance(tag, str) else ""


def _children(parent: lxml.etree._Element | None, name: str) -> Iterator[lxml.etree._Element]:
    return (child for child in (parent if parent is not None else ()) if _local_name(child) == name)


def _child(parent: lxml.etree._Element | None, name: str) -> lxml.etree._Element | None:
    return next(_children(parent, name), None)


class _Values:
    """Reads the texts of an entry's child elements, noting whether any was too long to be a value."""

    def __init__(self) -> None:
        self.oversized = False

    def text(self, parent: lxml.etree._Element | None, name: str) -> str | None:
        """The stripped text of ``parent``'s first child named ``name`` (markup inside it read as text), or None."""
        child = _child(parent, name)
        text = " ".join("".join(child.itertext()).split()) if child is not None else ""
        if len(text) > MAX_SHORT_FIELD_CHARS:
            self.oversized = True
            return None
        return text or None


def _unique(tags: Iterable[str]) -> list[str]:
    """Non-empty tags short enough to be one, each once, in order."""
    return list(dict.fromkeys(tag for tag in tags if tag and len(tag) <= MAX_TAG_CHARS))


def _language_tag(value: str | None) -> str | None:
    """``value`` when it is a language tag (``en``, ``zh-cn``), else None."""
    return value if value and len(value) <= MAX_LANGUAGE_TAG_CHARS and normalize_language_code(value) else None


def _refused_locs_error(raw: RawDocument, refused: list[str], base_url: str | None) -> ErrorRecord:
    """One error record for the entries whose ``<loc>`` is missing or no http(s) URL: how many, and examples."""
    examples = ", ".join(repr(loc[:EXAMPLE_CHARS]) for loc in refused[:EXAMPLES_IN_MESSAGES])
    why = "" if base_url else " (a relative one has no sitemap URL to resolve against: the file was read alone)"
    message = (f"{len(refused)} <url> entries skipped: their <loc> is missing or not an absolute http(s) URL"
               f"{why}: {examples}{', ...' if len(refused) > EXAMPLES_IN_MESSAGES else ''}")
    return make_error("parse", "invalid_loc", message, source=raw)


def _example(url: str) -> str:
    return url if len(url) <= EXAMPLE_CHARS else url[:EXAMPLE_CHARS] + "..."
