"""Read what an article page says about itself, and where it says it: title, canonical URL, paywall,
publication and update times, authors, language, lead image.

The one reader of page metadata: pages read from files and archives (``html_pages``) and the pages of feed
items fetched for their full text (``full_text``) go through it alike. Every value comes with its provenance
(``page.json_ld``, ``page.meta``, ``page.html_lang``, ...), so a later stage can say where each came from.
The body itself is ``transforms.main_content``'s job. Pages are read as the web writes them: JSON-LD with
comments, trailing commas or single quotes (a JavaScript object reader, chompjs, takes what ``json`` refuses:
5 of the 181 pages of the article-extraction benchmark), ``<meta>`` tags keyed by ``property``, ``name`` or
any of the space-separated names of ``itemprop``. Nothing here raises on bad markup (an unreadable page
gives an empty ``PageMetadata``).
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import ipaddress
import itertools
import json
import re
import urllib.parse
from collections.abc import Iterator
from typing import Any

import chompjs
import courlan
import htmldate
import lxml.etree
import lxml.html
from lxml.html import HtmlElement

from transforms.authors import author_names
from transforms.identity import MAX_URL_CHARS
from transforms.json_documents import repair_surrogates
from transforms.language import normalize_language_code

MAX_JSON_LD_CHARS = 1_000_000  # bigger blocks are data dumps, not article metadata
# A page's JSON-LD is read up to its first MAX_JSON_LD_BLOCKS blocks and MAX_JSON_LD_PAGE_CHARS characters (the
# 181 pages of the article-extraction benchmark have at most 6 blocks and 30,000 characters): a page of 4,800
# blocks of 10,000 characters that json refuses and chompjs reads took 17.7 s and 1.3 GB, now 0.7 s and 110 MB
# (parsing it included); a million blocks "{}" 4.9 s on top of parsing the page, now 0.6 s.
MAX_JSON_LD_BLOCKS = 64
MAX_JSON_LD_PAGE_CHARS = 2_000_000
SURROGATE_ESCAPE_RE = re.compile(r"\\u[dD][89a-fA-F]")  # how JSON writes a UTF-16 surrogate: \ud800 to \udfff
# At most this many publication times from each of JSON-LD, microdata and <time> elements marked published: the
# time stage tries them one by one, and an unreadable one costs dateparser 20 to 40 ms (it took 218 s over 10,000
# JSON-LD articles each with its own unreadable datePublished, 694 s over 20,000 such microdata elements; now
# 0.3 s and 0.8 s).
MAX_TIMES_PER_SOURCE = 8
MAX_DATE_TEXT_CHARS = 80  # an element's text that long is prose, not a date
# A <meta> is indexed under its first MAX_ITEMPROP_NAMES itemprop names only (real ones have one to three): nine
# metas of 100,000 names each, an 8 MB page, took 1.3 s and 210 MB, now 0.1 s and 20 MB.
MAX_ITEMPROP_NAMES = 16
ARTICLE_TYPE_SUFFIXES = ("article", "posting", "report")  # NewsArticle, BlogPosting, Report, ...
PUBLISHED_METAS = (  # in order of trust
    "article:published_time", "og:article:published_time", "article:published", "datepublished",
    "og:pubdate", "publishdate", "publish-date", "publish_date", "published_time", "published_at",
    "pubdate", "pub_date", "dc.date.issued", "dcterms.issued", "dcterms.created", "dc.date.created",
    "dc.date", "dcterms.date", "date", "sailthru.date", "parsely-pub-date", "article.published",
    "article_date_original", "originalpublicationdate", "citation_publication_date", "citation_date",
    "prism.publicationdate", "og:published_time", "datecreated",
)
UPDATED_METAS = ("article:modified_time", "article:modified", "og:updated_time", "datemodified",
                 "dcterms.modified", "article.updated", "article_date_updated", "modified_time", "updated_time")
PUBLISHED_TIME_CLASSES = ("publish", "pubdate", "posted", "entry-date", "post-date")  # <time class=...> marks
OTHER_TIME_ELEMENTS_KEPT = 2  # unmarked <time datetime> elements, the last resort after the URL's date
MAX_TEXT_DATE_ELEMENTS = 20_000  # pages with more elements are not searched for a date in their text
# htmldate reads the text of every element that may hold a date, the text of nested ones again inside their
# parents: pages that would make it read more characters than this are not searched (250 nested <div class="date">
# around 1 MB of text took 5 s, a page of 40 MB of text 19 s; now 0.01 s and 0.3 s). The benchmark's pages read
# 4.6 million at most.
MAX_TEXT_DATE_READ_CHARS = 8_000_000
TITLE_METAS = ("og:title", "twitter:title", "title", "dc.title")
MAX_TITLE_HEADINGS = 4  # the page's first <h1>s are title candidates (later ones head other things)
SITE_NAME_METAS = ("og:site_name", "application-name", "twitter:site")  # twitter:site is a handle: "@TheHill"
# What parts a site's name from a title: "Title | Site", "Title - Site", "Title – Site", "Title — Site",
# "Title :: Site", "Title · Site", "Title • Site", "Title » Site". A dash counts only between spaces: "Spider-Man"
# is one word.
TITLE_SEPARATOR_RE = re.compile(r"\s+[-–—]\s+|\s*[|·•»]\s*|\s+::\s+")
MIN_SITE_KEY_CHARS = 4  # a shorter host name ("t" of t.co) is found by chance inside a title's tail
# Only a title's last characters are searched for the site's name: the tails cut ("Science | News | Express.co.uk")
# are shorter, and searching a whole title of separators takes the square of its length (1.1 s for 8,000
# characters, "a | " repeated).
MAX_TITLE_TAIL_CHARS = 100
AUTHOR_METAS = ("author", "article:author", "byl", "dc.creator", "sailthru.author", "parsely-author")
LANGUAGE_METAS = ("content-language", "language", "dc.language", "og:locale")
LEAD_IMAGE_METAS = ("og:image", "og:image:url", "og:image:secure_url", "twitter:image")
DESCRIPTION_METAS = ("description", "og:description")
FALSE_VALUES = (False, "false", "False", "FALSE", "no")
MONTH_ABBREVIATIONS = {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
# A date as a path segment of a URL: /2019/11/18/, /2019/nov/18/, /2019-11-18/ or /2019-11-18-slug, /20191118/;
# or ending a slug: /story-title-20191115/
URL_DATE_RE = re.compile(
    r"/((?:19|20)\d\d)(?:/(\d\d?|[a-z]{3})/(\d\d?)|-(\d\d)-(\d\d)|(\d\d)(\d\d))(?=[/_\-.]|$)"
    r"|[a-z][\-_]((?:19|20)\d\d)(\d\d)(\d\d)(?=/|\.[a-z]+$|$)", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class PageMetadata:
    """What a page declares about itself; each ``*_source`` names where the value was found."""

    canonical_url: str | None = None  # absolute http(s), on the same site as the page (else None)
    canonical_source: str | None = None  # page.rel_canonical, page.og_url
    paywalled: bool = False  # JSON-LD isAccessibleForFree = false, on the article or a part of it
    # (source, raw time) in order of trust: page.json_ld, page.meta, page.microdata, page.time, page.url
    published: tuple[tuple[str, str], ...] = ()
    updated: str | None = None  # raw: JSON-LD dateModified, else a meta tag
    # YYYY-MM-DD that htmldate finds in the page's text (a byline, a heading), looked for only when the page
    # declares no publication time; the last resort, after a dateline in the article's body
    text_date: str | None = None
    authors: tuple[str, ...] = ()
    authors_source: str | None = None  # page.json_ld, page.meta
    language: str | None = None  # primary subtag, lower case
    language_source: str | None = None  # page.html_lang, page.meta, page.json_ld
    lead_image: str | None = None  # absolute http(s)
    lead_image_source: str | None = None  # page.og_image, page.json_ld
    title: str | None = None
    description: str | None = None
    # JSON-LD about an article (or with a headline or datePublished), og:type article or an article time meta
    declares_article: bool = False


def read_page_metadata(html: str, page_url: str | None) -> PageMetadata:
    """The metadata of the page ``html`` fetched from ``page_url`` (its URL after redirects)."""
    try:
        tree = lxml.html.document_fromstring(html) if html.strip() else None
    except (lxml.etree.LxmlError, ValueError):  # hostile or broken markup: no metadata, never an exception
        tree = None
    if tree is None:
        return PageMetadata()
    return read_page_tree(tree, page_url, meta_values(tree))


def read_page_tree(tree: HtmlElement, page_url: str | None, metas: dict[str, list[str]]) -> PageMetadata:
    """The metadata of a parsed page; ``metas`` is ``meta_values(tree)``, ``page_url`` where it was found."""
    blocks = list(json_ld_blocks(tree))
    ld_objects = list(json_ld_items(blocks))
    ld_top_level = _top_level_items(blocks)
    articles = [item for item in ld_objects if is_article_item(item)]
    canonical, canonical_source = _canonical(tree, metas, page_url)
    authors, authors_source = _authors(articles, metas)
    language, language_source = _language(tree, metas, articles)
    image, image_source = _lead_image(metas, articles, page_url)
    published = tuple(_published(tree, metas, articles, ld_top_level, canonical or page_url))
    return PageMetadata(
        canonical_url=canonical, canonical_source=canonical_source,
        paywalled=any(item.get("isAccessibleForFree") in FALSE_VALUES for item in ld_objects),
        published=published, text_date=None if published else _date_in_text(tree),
        updated=first_text([value for item in articles for value in _as_list(item.get("dateModified"))]
                           + _values(metas, UPDATED_METAS)),
        authors=tuple(authors), authors_source=authors_source,
        language=language, language_source=language_source, lead_image=image, lead_image_source=image_source,
        title=next(iter(_titles(tree, metas, ld_objects, page_url)), None),
        description=first_text(_values(metas, DESCRIPTION_METAS)),
        declares_article=any(is_article_item(item) or "datePublished" in item or "headline" in item
                             for item in ld_top_level)
        or "article" in metas.get("og:type", []) or any(name in metas for name in PUBLISHED_METAS[:3]),
    )


def same_site(url: str, other_url: str) -> bool:
    """True when both URLs are on one site: the same host, or the same registrable domain
    (``www.example.com`` and ``news.example.com``; not ``a.github.io`` and ``b.github.io``)."""
    hosts = [(urllib.parse.urlsplit(value).hostname or "").lower().rstrip(".") for value in (url, other_url)]
    if not all(hosts):
        return False
    if hosts[0] == hosts[1]:
        return True
    domains = [_registrable_domain(value, host) for value, host in zip((url, other_url), hosts)]
    return domains[0] is not None and domains[0] == domains[1]


def _registrable_domain(url: str, host: str) -> str | None:
    """The public-suffix-list domain of ``url`` (``bbc.co.uk``); for a suffix the list does not know
    (``.example``, ``.internal``) the last two labels; None for IP addresses."""
    try:
        ipaddress.ip_address(host.strip("[]"))
        return None
    except ValueError:
        pass
    labels = host.split(".")
    return courlan.extract_domain(url) or (".".join(labels[-2:]) if len(labels) >= 2 else None)


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


def _top_level_items(values: list[Any]) -> list[dict[str, Any]]:
    """The objects a JSON-LD block is about: the block itself (or its list) and its ``@graph`` members,
    not the objects nested in them (a home page's list of articles)."""
    top = [item for value in values for item in (value if isinstance(value, list) else [value])]
    graphs = [item.get("@graph") for item in top if isinstance(item, dict)]
    members = [member for graph in graphs for member in (graph if isinstance(graph, list) else [graph])]
    return [item for item in top + members if isinstance(item, dict)]


def is_article_item(item: dict[str, Any]) -> bool:
    """Whether a JSON-LD object is an article (NewsArticle, BlogPosting, Report, ...)."""
    types = item.get("@type")
    names = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    return any(isinstance(name, str) and name.lower().endswith(ARTICLE_TYPE_SUFFIXES) for name in names)


def first_text(candidates: list[Any]) -> str | None:
    """The first candidate that is a non-blank string, whitespace collapsed."""
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip():
            return " ".join(candidate.split())
    return None


def page_titles(tree: HtmlElement, metas: dict[str, list[str]], page_url: str | None) -> list[str]:
    """Every title the page ``tree`` gives itself, whitespace collapsed: its title (``PageMetadata.title``)
    first, then the others (JSON-LD headlines, title metas, <title>, the first <h1>s); ``metas`` is
    ``meta_values(tree)``. ``main_content`` uses them to know the headline when the body repeats it."""
    return _titles(tree, metas, list(json_ld_items(list(json_ld_blocks(tree)))), page_url)


def _titles(tree: HtmlElement, metas: dict[str, list[str]], ld_objects: list[dict[str, Any]],
            page_url: str | None) -> list[str]:
    """The page's title candidates in order of trust, the first one without the site's name it ends with."""
    headings = [heading.text_content() for heading in itertools.islice(tree.iter("h1"), MAX_TITLE_HEADINGS)]
    found = ([item.get("headline") for item in ld_objects if is_article_item(item)] + _values(metas, TITLE_METAS)
             + [tree.findtext(".//title")] + headings)
    candidates = list(dict.fromkeys(" ".join(value.split()) for value in found if isinstance(value, str)))
    candidates = [candidate for candidate in candidates if candidate]
    if not candidates:
        return []
    title = without_site_name(candidates[0], candidates[1:], _site_keys(metas, ld_objects, page_url))
    return list(dict.fromkeys([title, *candidates]))


def without_site_name(title: str, other_titles: list[str], site_keys: set[str]) -> str:
    """``title`` without the tail a site adds to it (" | TheHill", " - The GiveWell Blog"): a tail after a
    separator that is the site's name (its key is in ``site_keys``, see ``site_key``), or else one that
    another title of the page leaves out ("Title | Editorial" where the <h1> says "Title"), when that tail
    names the site or is shorter than what is left. A title that only contains a dash keeps it all:
    "Spider-Man - the review" on a page without the title "Spider-Man" has no site name to cut."""
    tail_start = max(0, len(title) - MAX_TITLE_TAIL_CHARS - 1)  # the separator's space may precede the tail
    separators = [match for match in TITLE_SEPARATOR_RE.finditer(title, tail_start)
                  if len(title) - match.end() <= MAX_TITLE_TAIL_CHARS and _has_word(title[:match.start()])]
    for match in separators:  # the leftmost cut first: a site's name may itself hold a separator
        if site_key(title[match.end():]) in site_keys:
            return title[:match.start()]
    others = {" ".join(other.split()).casefold() for other in other_titles}
    for match in separators:
        kept, tail = title[:match.start()], title[match.end():]
        tail_key = site_key(tail)
        names_site = any(key in tail_key for key in site_keys if len(key) >= MIN_SITE_KEY_CHARS)
        if kept.casefold() in others and (names_site or len(tail.split()) < len(kept.split())):
            return kept
    return title


def _has_word(text: str) -> bool:
    return any(character.isalnum() for character in text)


def site_key(name: str) -> str:
    """A name as compared with a site's: letters and digits only, case folded ("The Hill" and "@TheHill" are
    "thehill", "Express.co.uk" is "expresscouk")."""
    return "".join(character for character in name.casefold() if character.isalnum())


def _site_keys(metas: dict[str, list[str]], ld_objects: list[dict[str, Any]], page_url: str | None) -> set[str]:
    """Keys (``site_key``) of the names the site goes by: og:site_name and the like, the JSON-LD publisher
    of its articles and its WebSite's name, its host ("sportsnet.ca"), domain ("givewell.org") and the
    domain's name ("givewell")."""
    names = _values(metas, SITE_NAME_METAS)
    for item in ld_objects:
        publishers = _as_list(item.get("publisher")) if is_article_item(item) else []
        names += [publisher.get("name") if isinstance(publisher, dict) else publisher for publisher in publishers]
        if item.get("@type") == "WebSite":
            names.append(item.get("name"))
    try:
        host = (urllib.parse.urlsplit(page_url or "").hostname or "").lower().rstrip(".")
    except ValueError:
        host = ""
    if host:
        domain = _registrable_domain(page_url or "", host) or host
        names += [host.removeprefix("www."), domain, domain.split(".")[0]]
    return {key for key in map(site_key, (name for name in names if isinstance(name, str))) if len(key) >= 2}


def _absolute_http(value: Any, base_url: str | None) -> str | None:
    """``value`` as an absolute http(s) URL (resolved against ``base_url``), else None."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_URL_CHARS:
        return None
    try:
        url = urllib.parse.urljoin(base_url or "", value.strip())
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.hostname else None


def _canonical(tree: HtmlElement, metas: dict[str, list[str]], page_url: str | None) -> tuple[str | None, str | None]:
    """The page's canonical URL, if it names one on the page's own site."""
    candidates = [("page.rel_canonical", link.get("href")) for link in tree.iter("link")
                  if "canonical" in (link.get("rel") or "").lower().split()]
    candidates += [("page.og_url", value) for value in metas.get("og:url", [])]
    for source, value in candidates:
        url = _absolute_http(value, page_url)
        if url is not None:  # the first declared one decides: a page that names another site gets none
            return (url, source) if page_url and same_site(url, page_url) else (None, None)
    return None, None


def _published(tree: HtmlElement, metas: dict[str, list[str]], articles: list[dict[str, Any]],
               ld_top_level: list[dict[str, Any]], page_url: str | None) -> Iterator[tuple[str, str]]:
    """(source, raw time) for every place the page gives its publication time, in order of trust: JSON-LD
    articles (nested ones too), then any other object a JSON-LD block is about (WebPage, ClaimReview, ...)."""
    ld_items = articles + [item for item in ld_top_level if not is_article_item(item)]
    ld_times = (first_text(_as_list(item.get("datePublished"))) for item in ld_items)  # a string or a list of them
    yield from (("page.json_ld", value) for value in itertools.islice(filter(None, ld_times), MAX_TIMES_PER_SOURCE))
    for name in PUBLISHED_METAS:
        for value in metas.get(name, [])[:1]:
            yield "page.meta", value
    yield from _microdata_times(tree)
    dated = [element for element in tree.iter("time") if (element.get("datetime") or "").strip()
             and "datepublished" not in (element.get("itemprop") or "").lower().split()]  # microdata: above
    marked = [element for element in dated if _marked_published(element)]
    yield from (("page.time", element.get("datetime", "").strip()) for element in marked[:MAX_TIMES_PER_SOURCE])
    url_date = date_in_url(page_url)
    if url_date:
        yield "page.url", url_date
    others = [element for element in dated if element not in marked][:OTHER_TIME_ELEMENTS_KEPT]
    yield from (("page.time", element.get("datetime", "").strip()) for element in others)


def _microdata_times(tree: HtmlElement) -> Iterator[tuple[str, str]]:
    """Times of elements other than <meta> marked ``itemprop="datePublished"``: their ``datetime`` or
    ``content``, else their text when it is short enough to be a date; the first ``MAX_TIMES_PER_SOURCE`` of
    them only (250 nested ones around 10 MB of text took 86 s, reading the whole text of each, now 0.1 s)."""
    marked = (element for element in tree.xpath("//*[@itemprop][not(self::meta)]")
              if "datepublished" in element.get("itemprop", "").lower().split())
    for element in itertools.islice(marked, MAX_TIMES_PER_SOURCE):
        text = element.get("datetime") or element.get("content") or element.text_content()
        if text and text.strip() and len(text) <= MAX_DATE_TEXT_CHARS:
            yield ("page.time" if element.tag == "time" else "page.microdata"), " ".join(text.split())


def _marked_published(element: HtmlElement) -> bool:
    """A <time> that says it is the publication time: a ``pubdate`` attribute or a class such as
    ``published`` or ``entry-date``."""
    classes = (element.get("class") or "").lower()
    return element.get("pubdate") is not None or any(word in classes for word in PUBLISHED_TIME_CLASSES)


def _date_in_text(tree: HtmlElement) -> str | None:
    """The publication date htmldate reads from the page's markup and text (its plain search: full dates), as
    YYYY-MM-DD, or None; pages it would read too much of are not searched (``MAX_TEXT_DATE_ELEMENTS``,
    ``MAX_TEXT_DATE_READ_CHARS``). Not its extensive search: that one turns a bare year ("© 2019") into
    2019-01-01 and hands every text that looks like a date to dateparser, 20 to 40 ms each (a page of 2,000
    such texts took minutes); it found the date of 2 more of the benchmark's 181 pages."""
    if _too_costly_for_htmldate(tree):
        return None
    try:
        return htmldate.find_date(tree, extensive_search=False, original_date=True)
    except Exception:  # noqa: BLE001 - a third-party heuristic failing on odd markup is no bug of ours
        return None


def _too_costly_for_htmldate(tree: HtmlElement) -> bool:
    """Whether the page has more than ``MAX_TEXT_DATE_ELEMENTS`` nodes, or htmldate would read more than
    ``MAX_TEXT_DATE_READ_CHARS`` characters of it: each character of text once for every element it is inside
    (it reads the text of nested date candidates again in each), attribute values and comments once. One walk,
    stopped as soon as either is over."""
    nodes = read_chars = depth = 0
    for event, node in lxml.etree.iterwalk(tree, events=("start", "end", "comment", "pi")):
        if event == "start":
            depth += 1
            text, markup = node.text or "", sum(len(value) for value in node.attrib.values())
        elif event == "end":
            depth -= 1
            text, markup = node.tail or "", 0
        else:  # a comment: its own text is markup, its tail is text of the element around it
            text, markup = node.tail or "", len(node.text or "")
        nodes += event != "end"
        read_chars += len(text) * depth + markup
        if nodes > MAX_TEXT_DATE_ELEMENTS or read_chars > MAX_TEXT_DATE_READ_CHARS:
            return True
    return False


def date_in_url(url: str | None) -> str | None:
    """The date a URL's path gives as a segment (``/2019/11/18/``, ``/2019/nov/18/``, ``/2019-11-18-slug``,
    ``/20191118/``) or at the end of a slug (``/story-title-20191115/``) as ``YYYY-MM-DD``, or None; a year
    alone (``/2019/``), an id (``/story-12345678/``) or an impossible date gives None."""
    try:
        path = urllib.parse.urlsplit(url or "").path
    except ValueError:  # an unreadable URL ("http://[::1") has no date
        return None
    for match in URL_DATE_RE.finditer(path):
        year, month_text, day_text, dashed_month, dashed_day, month_digits, day_digits, *slug_end = match.groups()
        if slug_end[0]:
            year, month_text, day_text = slug_end
        else:
            month_text = month_text or dashed_month or month_digits
            day_text = day_text or dashed_day or day_digits
        month = MONTH_ABBREVIATIONS.get(month_text.lower()) if month_text.isalpha() else int(month_text)
        try:
            return dt.date(int(year), month or 0, int(day_text)).isoformat()
        except ValueError:
            continue
    return None


def _authors(articles: list[dict[str, Any]], metas: dict[str, list[str]]) -> tuple[list[str], str | None]:
    """Author names of the first JSON-LD article that names some (later ones are often related stories with
    their own authors), else from meta tags; one name per person, no URLs, no "By " (``transforms.authors``)."""
    credited = next((item["author"] for item in articles if item.get("author")), None)
    for source, found in (("page.json_ld", _as_list(credited)), ("page.meta", _values(metas, AUTHOR_METAS))):
        names = [author.get("name") if isinstance(author, dict) else author for author in found]
        unique = author_names(name for name in names if isinstance(name, str))
        if unique:
            return unique, source
    return [], None


def _values(metas: dict[str, list[str]], names: tuple[str, ...]) -> list[str]:
    """The values of the meta tags ``names``, in the order of ``names``."""
    return [value for name in names for value in metas.get(name, [])]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value else []


def _language(tree: HtmlElement, metas: dict[str, list[str]],
              articles: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """The language the page declares: <html lang>, then meta tags, then JSON-LD ``inLanguage``."""
    candidates = [("page.html_lang", tree.get("lang")),
                  ("page.html_lang", tree.get("{http://www.w3.org/XML/1998/namespace}lang"))]
    candidates += [("page.meta", value) for value in _values(metas, LANGUAGE_METAS)]
    candidates += [("page.json_ld", item.get("inLanguage")) for item in articles]
    for source, candidate in candidates:
        code = normalize_language_code(candidate.split(",")[0]) if isinstance(candidate, str) else None
        if code:
            return code, source
    return None, None


def _lead_image(metas: dict[str, list[str]], articles: list[dict[str, Any]],
                page_url: str | None) -> tuple[str | None, str | None]:
    candidates = [("page.og_image", value) for value in _values(metas, LEAD_IMAGE_METAS)]
    for item in articles:
        for image in _as_list(item.get("image")):
            candidates.append(("page.json_ld", image.get("url") if isinstance(image, dict) else image))
    for source, value in candidates:
        url = _absolute_http(value, page_url)
        if url is not None:
            return url, source
    return None, None
