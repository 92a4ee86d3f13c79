"""Where a page gives its publication time, in order of trust: JSON-LD, meta tags, microdata, ``<time>``
elements marked published, the date in its URL, other ``<time>`` elements; for a page that declares none, the
date htmldate finds in its text. Raw strings with where each was found; ``transforms.timestamps`` reads them.
Bounded: a hostile page can offer thousands of unreadable dates, each costing dateparser tens of milliseconds.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import re
import urllib.parse
from collections.abc import Iterator
from typing import Any

import htmldate
import lxml.etree
from lxml.html import HtmlElement

from transforms.page_markup import as_list, first_text, is_article_item, meta_content

# At most this many publication times from each of JSON-LD, microdata and <time> elements marked published: the
# time stage tries them one by one, and an unreadable one costs dateparser 20 to 40 ms (it took 218 s over 10,000
# JSON-LD articles each with its own unreadable datePublished, 694 s over 20,000 such microdata elements; now
# 0.3 s and 0.8 s).
MAX_TIMES_PER_SOURCE = 8
MAX_DATE_TEXT_CHARS = 80  # an element's text that long is prose, not a date
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
UPDATE_TIME_CLASSES = ("updat", "modif")  # "publish-and-update-dates" is no publication time alone
MARKED_TEXT_SOURCE = "page.marked_text"
MARKED_TEXTS_KEPT = 2  # texts of other elements so marked: the publication time in the page's header, and its footer
# Other elements are read as the publication time by the words of a class or id (split at "-", "_" and camelCase),
# not by a part of one: WordPress marks every post and teaser card "status-publish", ad slots are "google-publisher",
# a site's logo "publisherDetails", a comment counter "posted-comments-count". A word that says it ...
PUBLISHED_WORDS = frozenset({"published", "posted", "pubdate", "publishdate", "postdate", "publishedon", "postedon",
                             "publishedat", "datepublished", "dateposted"})
# ... or a word of publishing beside a word of time: "publish-date", "post-date", "entry-date", "publishing-details"
PUBLISHING_WORDS = frozenset({"publish", "publishing", "post", "entry", "pub"})
TIME_WORDS = frozenset({"date", "time", "datetime", "on", "at", "details", "info"})
NOT_THE_PAGE_WORDS = frozenset({"comment", "comments", "count", "reply", "replies"})  # a comment's, or a number
CLASS_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+")
# A marked element inside one of these, or inside an element whose class or id says it holds other pages or
# comments, dates another story: a teaser's time in a sidebar, a list of related or popular stories, a comment
OTHER_CONTENT_TAGS = frozenset({"a", "aside", "nav"})
OTHER_CONTENT_NAMES = ("related", "popular", "recent", "trending", "comment")
PAGE_TAGS = frozenset({"body", "html"})
# A marked text is read as a time only when it holds a year or a clock ("Nov 19, 2019", "Today 12:01 AM"):
# "14 comments", "12 Quay Street" and a day without its year ("13 Aug") are none
YEAR_OR_CLOCK = re.compile(r"(?<!\d)(?P<year>\d{4})(?!\d)|(?<!\d)\d{1,2}\s?[:：]\s?\d\d(?!\d)")
MAX_MARKED_TEXT_READ_CHARS = 2_000  # of a marked element's text, raw: past it, it holds more than a date
OTHER_TIME_ELEMENTS_KEPT = 2  # unmarked <time datetime> elements, the last resort after the URL's date
MAX_TEXT_DATE_ELEMENTS = 20_000  # pages with more elements are not searched for a date in their text
# htmldate reads the text of every element that may hold a date, the text of nested ones again inside their
# parents: pages that would make it read more characters than this are not searched (250 nested <div class="date">
# around 1 MB of text took 5 s, a page of 40 MB of text 19 s; now 0.01 s and 0.3 s). The benchmark's pages read
# 4.6 million at most.
MAX_TEXT_DATE_READ_CHARS = 8_000_000
MONTH_ABBREVIATIONS = {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
# A date as a path segment of a URL: /2019/11/18/, /2019/nov/18/, /2019-11-18/ or /2019-11-18-slug, /20191118/;
# or ending a slug: /story-title-20191115/
URL_DATE_RE = re.compile(
    r"/((?:19|20)\d\d)(?:/(\d\d?|[a-z]{3})/(\d\d?)|-(\d\d)-(\d\d)|(\d\d)(\d\d))(?=[/_\-.]|$)"
    r"|[a-z][\-_]((?:19|20)\d\d)(\d\d)(\d\d)(?=/|\.[a-z]+$|$)", re.IGNORECASE)


def published_times(tree: HtmlElement, metas: dict[str, list[str]], articles: list[dict[str, Any]],
                    ld_top_level: list[dict[str, Any]], page_url: str | None) -> Iterator[tuple[str, str]]:
    """(source, raw time) for every place the page gives its publication time, in order of trust: JSON-LD
    articles (nested ones too), then any other object a JSON-LD block is about (WebPage, ClaimReview, ...)."""
    ld_items = articles + [item for item in ld_top_level if not is_article_item(item)]
    ld_times = (first_text(as_list(item.get("datePublished"))) for item in ld_items)  # a string or a list of them
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
    yield from ((MARKED_TEXT_SOURCE, text) for text in _marked_published_texts(tree))


def updated_time(articles: list[dict[str, Any]], metas: dict[str, list[str]]) -> str | None:
    """The page's raw update time: the ``dateModified`` of its JSON-LD ``articles``, else an update meta tag."""
    return first_text([value for item in articles for value in as_list(item.get("dateModified"))]
                      + meta_content(metas, UPDATED_METAS))


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


def _marked_published_texts(tree: HtmlElement) -> Iterator[str]:
    """The short texts of elements other than ``<time>`` whose class or id marks them as the publication time
    (``<div class="publish-date">Published 7:07 PM EST Nov 19, 2019</div>``), not an update, that hold a year or a
    clock: the first ``MARKED_TEXTS_KEPT`` of the first ``MAX_TIMES_PER_SOURCE`` elements so marked outside other
    stories' teasers and comments (``_dates_other_content``). Many sites show their time only so, their URL giving
    the day alone: the time stage takes its clock for that day (``timestamps._clock_of_the_same_day``), which also
    moves an evening story in the Americas to its UTC day."""
    elements = (element for element in tree.xpath("//*[@class or @id][not(self::time or self::meta or self::script "
                                                  "or self::style)]")
                if _marks_published_time(element) and not _dates_other_content(element))
    texts = (_short_text(element) for element in itertools.islice(elements, MAX_TIMES_PER_SOURCE))
    dated = (text for text in texts if text and len(text) <= MAX_DATE_TEXT_CHARS and _holds_year_or_clock(text))
    yield from itertools.islice(dated, MARKED_TEXTS_KEPT)


def _marks_published_time(element: HtmlElement) -> bool:
    """Whether an element's class or id names it the publication time (``publish-date``, ``posted-on``,
    ``datePublished``; not ``updated``): by its words, ``PUBLISHED_WORDS`` or ``PUBLISHING_WORDS`` with
    ``TIME_WORDS``, none of ``NOT_THE_PAGE_WORDS``."""
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    lowered = names.lower()
    if not any(word in lowered for word in PUBLISHED_TIME_CLASSES) or any(
            word in lowered for word in UPDATE_TIME_CLASSES):
        return False  # the cheap test first: most elements name nothing of the kind
    for name in names.split():
        words = {word.lower() for word in CLASS_WORD.findall(name)}
        if words & NOT_THE_PAGE_WORDS:
            continue
        if words & PUBLISHED_WORDS or (words & PUBLISHING_WORDS and words & TIME_WORDS):
            return True
    return False


def _dates_other_content(element: HtmlElement) -> bool:
    """Whether a marked element stands in a link, an ``<aside>`` or ``<nav>``, or an element named for related,
    popular or recent stories or for comments: its time is another story's or a comment's."""
    for ancestor in element.iterancestors():
        if ancestor.tag in PAGE_TAGS:  # a page's classes say what it is about ("has-related-posts"), not where
            break
        names = f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}".lower()
        if ancestor.tag in OTHER_CONTENT_TAGS or any(word in names for word in OTHER_CONTENT_NAMES):
            return True
    return False


def _short_text(element: HtmlElement) -> str | None:
    """The element's text with its whitespace collapsed, or None when it runs past ``MAX_MARKED_TEXT_READ_CHARS``
    (read up to there only: a marked element can wrap a whole article, and eight nested ones a page eight times)."""
    parts: list[str] = []
    read = 0
    for text in element.itertext():
        read += len(text)
        if read > MAX_MARKED_TEXT_READ_CHARS:
            return None
        parts.append(text)
    return " ".join("".join(parts).split())


def _holds_year_or_clock(text: str) -> bool:
    """Whether ``text`` holds a year (1900 to 2099, in any script's digits) or a clock (``YEAR_OR_CLOCK``)."""
    return any(not match["year"] or 1900 <= int(match["year"]) <= 2099 for match in YEAR_OR_CLOCK.finditer(text))


def _marked_published(element: HtmlElement) -> bool:
    """A <time> that says it is the publication time: a ``pubdate`` attribute or a class such as
    ``published`` or ``entry-date``."""
    classes = (element.get("class") or "").lower()
    return element.get("pubdate") is not None or any(word in classes for word in PUBLISHED_TIME_CLASSES)


def date_in_text(tree: HtmlElement) -> str | None:
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
