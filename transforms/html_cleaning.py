"""Sanitize HTML from feeds and pages into safe HTML, plain text with paragraph breaks, links and images.

The cleaner walks the parsed tree once, without recursion, and writes a small, canonical HTML: only
structural and text tags, only ``href``/``src``/``alt`` attributes, whitespace collapsed, and a content
model that the lxml parser reads back into exactly the same tree. That last property is what makes
cleaning idempotent (``clean_html(clean_html(x).html) == clean_html(x)``): the text, links and images are
computed from what is written, so re-reading the output replays the same events. Elements that cannot be
written where they stand (unknown tags, a list item outside a list, a block inside a paragraph, nesting
deeper than ``MAX_DEPTH``) are dropped but their content is kept; a block dropped that way leaves a ``<br>``.
"""

from __future__ import annotations

import dataclasses
import html as html_lib
import re
import warnings
from collections.abc import Iterator
from typing import NamedTuple
from urllib.parse import urljoin

import lxml.etree
import lxml.html
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, Tag, XMLParsedAsHTMLWarning
from bs4.element import PreformattedString

from transforms.feed_bodies import summary_is_whole_article
from transforms.identity import MAX_URL_CHARS  # longer href/src values are dropped (data blobs, hostile input)
from transforms.records import Article, is_error
from transforms.settings import TransformSettings
from transforms.summaries import trim_summary

# Short texts that look like a URL or a file name, and XHTML, are what we expect here: no warnings.
warnings.filterwarnings("ignore", category=MarkupResemblesLocatorWarning)
warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)

# Nesting of written elements is capped: real article markup stays far below, and the cap keeps the
# output readable when hostile input nests 100,000 levels deep (the walk itself has no depth limit).
MAX_DEPTH = 64

# Removed with everything inside: code, styling, embedded content, forms, document metadata.
DROPPED = frozenset(
    "script style iframe frame frameset form object embed applet noscript noembed noframes template "
    "svg math canvas head title meta link base button input select textarea option optgroup datalist "
    "audio video source track map area param dialog xmp plaintext".split()
)
INLINE = frozenset("a em strong b i u s del ins code kbd samp var sub sup small mark q cite abbr".split())
VOID = frozenset({"br", "img", "hr"})
FLOW = frozenset("div blockquote li dd td th figure figcaption".split())  # may hold blocks and text
PHRASING_BLOCKS = frozenset("p h1 h2 h3 h4 h5 h6 pre dt caption".split())  # block holding only text
PHRASING_ONLY = INLINE | PHRASING_BLOCKS  # elements that admit only text and inline elements
STRUCTURAL = {  # containers that may only hold these children (anything else is unwrapped)
    "ul": frozenset({"li"}),
    "ol": frozenset({"li"}),
    "dl": frozenset({"dt", "dd"}),
    "table": frozenset({"caption", "thead", "tbody", "tfoot", "tr"}),
    "thead": frozenset({"tr"}),
    "tbody": frozenset({"tr"}),
    "tfoot": frozenset({"tr"}),
    "tr": frozenset({"td", "th"}),
}
NEEDS_PARENT = {child: frozenset(p for p, kids in STRUCTURAL.items() if child in kids)
                for kids in STRUCTURAL.values() for child in kids}
# Sectioning and layout elements become plain divisions: their block structure is kept, their name is not.
RENAMED = {name: "div" for name in
           "section article main header footer aside nav address details summary center hgroup "
           "fieldset menu dir".split()}
BLOCKS = FLOW | PHRASING_BLOCKS | STRUCTURAL.keys() | {"hr"}
KEPT_EMPTY = frozenset({"td", "th"})  # an empty cell still holds its column
WRITABLE = INLINE | BLOCKS | {"img"}

# Break weights between pieces of text: a table cell gives a space, a line a newline, a block a blank line.
CELL, LINE, PARAGRAPH = 1, 2, 3
TEXT_BREAK = {"td": CELL, "th": CELL, "tr": LINE, "dt": LINE, "dd": LINE}
BREAK_STRINGS = {CELL: " ", LINE: "\n", PARAGRAPH: "\n\n"}

# Characters that the parser drops or mangles and no text should carry: C0/C1 controls (not tab and
# newlines), lone surrogates, the byte-order mark (dropped at the start of a document), non-characters.
INVALID_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")
URL_STRIPPED = re.compile("[\t\n\r]")  # browsers ignore these anywhere in a URL (WHATWG URL parsing)
URL_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
LIST_SCHEMES = ("http://", "https://")
LAZY_SRC = ("src", "data-src", "data-original", "data-lazy-src")  # lazy-loading pages park it here
HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|(?:^|[;\s])(?:width|height)\s*:\s*[01](?:px)?\s*(?:;|$)",
    re.IGNORECASE,
)
# Well-known beacon URLs (analytics, ad servers, feed trackers, spacer gifs); matched as substrings.
# FeedBurner's are matched by FEEDBURNER_IMAGE below.
PIXEL_PATTERNS = (
    "feedsportal.com/c/", "pixel.wp.com",
    "stats.wordpress.com", "google-analytics.com/collect", "googleadservices.com", "doubleclick.net",
    "facebook.com/tr", "scorecardresearch.com", "quantserve.com", "/b/ss/", "pixel.quantserve",
    "analytics.twitter.com", "bat.bing.com", "/pixel.gif", "/pixel.png", "/spacer.gif", "/blank.gif",
    "/transparent.gif", "/clear.gif", "/1x1.gif", "/1x1.png", "/tracking.gif", "/beacon.gif",
)

# FeedBurner's furniture, on its own hosts and on a publisher's (FeedBurner "MyBrand" served the same paths
# from feeds.example.com): FeedFlare share buttons (/~f/FEED?a=..., their images ?i=... or ?d=...), ads
# (/~a/, /~at/, also on feedads.googleadservices.com) and, as images only, the tracking pixels (/~r/, /~ff/).
# /~r/ links stay: they redirect to articles. On other hosts the feed name (no file extension) and one of
# FeedBurner's queries are required too, since /~a/ may be someone's home directory.
FEEDBURNER_HOST = re.compile(r"(?:[\w-]+\.)*feedburner\.com|feedproxy\.google\.com|feedads\.googleadservices\.com",
                             re.IGNORECASE)
FEEDBURNER_LINK = re.compile(r"https?://([^/?#]+)/~(?:f|a|at)/([^?#]*)(\?[aid]=)?", re.IGNORECASE)
FEEDBURNER_IMAGE = re.compile(r"https?://([^/?#]+)/~(?:f|ff|a|at|r)/([^?#]*)(\?[aid]=)?", re.IGNORECASE)
FEEDFLARE_CLASS = "feedflare"  # FeedBurner's block of share buttons, dropped whole with its "Add to:" text


def is_feedburner_furniture(url: str, pattern: re.Pattern[str] = FEEDBURNER_LINK) -> bool:
    """True for a FeedBurner share button, ad or (with ``FEEDBURNER_IMAGE``) pixel URL: not the article's."""
    match = pattern.match(url)
    if match is None:
        return False
    host, feed_name, query = match.groups()
    return FEEDBURNER_HOST.fullmatch(host) is not None or (query is not None and "." not in feed_name)


@dataclasses.dataclass(frozen=True)
class CleanedHtml:
    """Sanitized HTML, its text with paragraph breaks, and the http(s) links and images it holds."""

    text: str
    html: str
    links: list[str]
    images: list[str]


def clean_html(html: str, *, base_url: str | None = None) -> CleanedHtml:
    """Sanitize ``html`` and extract its text, links and images; never raises on bad markup."""
    html = INVALID_CHARS.sub("", html or "")
    soup = BeautifulSoup(html, "lxml")
    try:
        writer = _Writer(base_url)
        _walk(soup, writer)
    except RecursionError:
        # The walk is iterative; this guards against a library recursing on a hostile tree.
        return _flat_fallback(html)
    return writer.result()


def _walk(soup: BeautifulSoup, writer: _Writer) -> None:
    """Visit the tree depth-first with an explicit stack, so any nesting depth is safe."""
    stack: list[tuple[Iterator[object], str]] = [(iter(soup.contents), "")]
    while stack:
        node = next(stack[-1][0], None)
        if node is None:
            writer.close(stack.pop()[1])
        elif isinstance(node, Tag):
            opened = writer.open(node)
            if opened is not None:
                stack.append((iter(node.contents), opened))
        elif isinstance(node, NavigableString) and not isinstance(node, PreformattedString):
            writer.text(str(node))  # comments, CDATA, doctypes and PIs are PreformattedStrings


class _Frame(NamedTuple):
    """An element written and not yet closed, with the state to restore if it stays empty."""

    name: str
    html_index: int  # where its start tag is in the output
    droppable: bool
    link: str | None  # href of a link
    html_before: int  # output length before its start tag and the line breaks flushed for it
    pending_breaks: int
    text_break: int
    pending_space: bool
    space_written: bool


class _Writer:
    """Writes the canonical HTML and, alongside, the text, links and images of what it wrote."""

    def __init__(self, base_url: str | None) -> None:
        self.base_url = base_url
        self.html: list[str] = []
        self.text_parts: list[str] = []
        self.links: dict[str, None] = {}
        self.images: dict[str, None] = {}
        self.written: list[_Frame] = []  # the open elements written so far, innermost last
        self.in_pre = 0  # inside an input <pre>: newlines are line breaks
        self.pending_space = False  # whitespace seen since the last text
        self.space_written = False  # ... and already written to the HTML
        self.text_end = -1  # length of ``html`` right after the last text chunk
        self.pending_breaks = 0  # <br>s, written only between two pieces of content on one line
        self.line_has_content = False
        self.text_break = 0  # strongest break seen since the last text (CELL, LINE, PARAGRAPH)
        self.base_seen = False

    def open(self, tag: Tag) -> str | None:
        """Handle a start tag; returns None to skip its content, else what ``close`` gets at its end."""
        name = RENAMED.get(tag.name, tag.name)
        if name == "head":
            self._set_base(tag.find("base", href=True))
        if name in DROPPED or FEEDFLARE_CLASS in _attribute(tag, "class").split():
            return None
        if name == "a" and "~" in _attribute(tag, "href") and is_feedburner_furniture(self._link_target(tag) or ""):
            return None  # a share button or an ad: its image and text go too
        if name in VOID:
            self._void(name, tag)
            return None
        if name == "pre":
            self.in_pre += 1
        if not self._may_write(name) or (name == "a" and self._link_target(tag) is None):
            if name in BLOCKS:
                self._soft_break()
            return "~" + name  # unwrapped: content kept, a block leaves a line break
        self._write_open(name, tag)
        return name

    def close(self, opened: str) -> None:
        """Handle the end of an element opened by ``open`` ("~name" when unwrapped, "" for the root)."""
        if not opened:
            return
        name = opened.lstrip("~")
        if name == "pre":
            self.in_pre -= 1
        if opened.startswith("~"):
            if name in BLOCKS:
                self._soft_break()
            return
        frame = self.written.pop()
        if frame.droppable and len(self.html) == frame.html_index + 1 and name not in KEPT_EMPTY:
            self._undo_open(frame)
            return
        if name in BLOCKS:
            self._block_boundary(TEXT_BREAK.get(name, PARAGRAPH))
        self.html.append(f"</{name}>")
        if frame.link and frame.link.startswith(LIST_SCHEMES):
            self.links[frame.link] = None

    def _undo_open(self, frame: _Frame) -> None:
        """Take back an element that stayed empty, and the line breaks written just before it."""
        del self.html[frame.html_before:]
        self.pending_breaks, self.text_break = frame.pending_breaks, frame.text_break
        self.pending_space, self.space_written = frame.pending_space, frame.space_written

    def text(self, value: str) -> None:
        """Write a text node: whitespace collapsed, inside <pre> its newlines as <br>."""
        value = INVALID_CHARS.sub("", value)
        lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n") if self.in_pre else [value]
        for index, line in enumerate(lines):
            if index:
                self._soft_break(line_break=True)
            self._write_words(line)

    def result(self) -> CleanedHtml:
        """The finished output."""
        return CleanedHtml(
            text="".join(self.text_parts),
            html="".join(self.html),
            links=list(self.links),
            images=list(self.images),
        )

    def _set_base(self, tag: object) -> None:
        """The first ``<base href>`` (resolved against the given base) applies to relative URLs."""
        if self.base_seen or not isinstance(tag, Tag):
            return
        self.base_seen = True
        try:
            href = _strip_url(_attribute(tag, "href"))
            self.base_url = urljoin(self.base_url or "", href) if href else self.base_url
        except ValueError:
            pass

    def _may_write(self, name: str) -> bool:
        """Whether ``name`` may be written at this point, so that re-parsing gives the same tree."""
        parent = self.written[-1].name if self.written else None
        if name not in WRITABLE or len(self.written) >= MAX_DEPTH:
            return False
        if name in NEEDS_PARENT:
            return parent in NEEDS_PARENT[name]
        if parent in STRUCTURAL:
            return False
        if name == "a" and any(frame.name == "a" for frame in self.written):
            return False
        return name in INLINE or name == "img" or not self._in_phrasing()

    def _in_phrasing(self) -> bool:
        """True when the innermost written element admits only text and inline elements."""
        return bool(self.written) and self.written[-1].name in PHRASING_ONLY

    def _write_open(self, name: str, tag: Tag) -> None:
        # An element that stays empty is taken back at its end (see ``close``). A block can be only if
        # it opened on a fresh line: elsewhere its boundaries matter to the text.
        before = (len(self.html), self.pending_breaks, self.text_break, self.pending_space,
                  self.space_written)
        droppable = name in INLINE or not self.line_has_content
        if name in BLOCKS:
            self._block_boundary(TEXT_BREAK.get(name, PARAGRAPH))
        else:
            self._flush_breaks()
        link = self._link_target(tag) if name == "a" else None
        attributes = f' href="{html_lib.escape(link)}"' if link else ""
        self.written.append(_Frame(name, len(self.html), droppable, link, *before))
        self.html.append(f"<{name}{attributes}>")

    def _void(self, name: str, tag: Tag) -> None:
        if name == "br":
            self._soft_break(line_break=True)
        elif name == "hr":
            if self._may_write("hr"):
                self._block_boundary(PARAGRAPH)
                self.html.append("<hr/>")
            else:
                self._soft_break()
        elif self._may_write("img"):
            self._image(tag)

    def _image(self, tag: Tag) -> None:
        src = _image_source(tag, self.base_url)
        if src is None or _is_tracking_pixel(tag, src):
            return
        self._flush_breaks()
        alt = " ".join(INVALID_CHARS.sub("", _attribute(tag, "alt")).split())
        alt_attribute = f' alt="{html_lib.escape(alt)}"' if alt else ""
        self.html.append(f'<img src="{html_lib.escape(src)}"{alt_attribute}/>')
        self.line_has_content = True
        if src.startswith(LIST_SCHEMES):
            self.images[src] = None

    def _link_target(self, tag: Tag) -> str | None:
        return _safe_url(_attribute(tag, "href"), self.base_url)

    def _write_words(self, value: str) -> None:
        words = value.split()
        if words:
            self._write_text(" ".join(words), leading_space=value[0].isspace())
        if value[-1:].isspace():
            self._space()

    def _write_text(self, words: str, leading_space: bool) -> None:
        at_line_start = self._flush_breaks() or not self.line_has_content
        space = (self.pending_space or leading_space) and not at_line_start
        chunk = (" " if space and not self.space_written else "") + words
        self.html.append(html_lib.escape(chunk, quote=False))
        if self.text_parts and (self.text_break or space):
            self.text_parts.append(BREAK_STRINGS.get(self.text_break, " "))
        self.text_parts.append(words)
        self.text_break = 0
        self.line_has_content = True
        self.pending_space = self.space_written = False
        self.text_end = len(self.html)

    def _space(self) -> None:
        """Collapsed whitespace: written at once right after text (so it joins that text node, never a
        blank node of its own, which the parser might drop), otherwise before the next text."""
        if self.pending_breaks:
            return  # a line break follows: the space would be dropped there anyway
        self.pending_space = True
        if self.text_end == len(self.html) and not self.space_written:
            self.html.append(" ")
            self.space_written = True

    def _drop_space(self) -> None:
        """At a line or block boundary whitespace means nothing: take back a space written last."""
        if self.space_written and len(self.html) == self.text_end + 1:
            self.html.pop()
        self.pending_space = self.space_written = False

    def _soft_break(self, line_break: bool = False) -> None:
        """A <br>, or a block that could not be written: becomes one <br> if content follows on the line."""
        if self.line_has_content:
            self.pending_breaks = min(2, self.pending_breaks + 1) if line_break else max(1, self.pending_breaks)
        self._drop_space()

    def _flush_breaks(self) -> bool:
        """Write the pending <br>s; True when some were written."""
        written = bool(self.pending_breaks and self.line_has_content)
        if written:
            self.html.append("<br/>" * self.pending_breaks)
            self.text_break = max(self.text_break, LINE + self.pending_breaks - 1)
        self.pending_breaks = 0
        return written

    def _block_boundary(self, weight: int) -> None:
        self._drop_space()
        self.pending_breaks = 0
        self.line_has_content = False
        self.text_break = max(self.text_break, weight)


def _attribute(tag: Tag, name: str) -> str:
    value = tag.get(name)
    if isinstance(value, list):  # multi-valued attributes (class, rel) come back as lists
        value = " ".join(value)
    return value or ""


def _strip_url(value: str) -> str:
    return URL_STRIPPED.sub("", INVALID_CHARS.sub("", value)).strip(" \x0c").replace(" ", "%20")


def _safe_url(value: str, base_url: str | None) -> str | None:
    """``value`` made absolute when a base is known; None unless http(s), mailto or relative."""
    url = _strip_url(value)
    if not url or len(url) > MAX_URL_CHARS or url.startswith("#"):
        return None
    try:
        url = urljoin(base_url, url) if base_url else url
    except ValueError:  # e.g. a malformed IPv6 host
        return None
    scheme = URL_SCHEME.match(url)
    if scheme and scheme.group(1).lower() not in SAFE_SCHEMES:
        return None  # javascript:, data:, vbscript:, file: ...
    return url


def _image_source(tag: Tag, base_url: str | None) -> str | None:
    for name in LAZY_SRC:
        src = _safe_url(_attribute(tag, name), base_url)
        if src is not None and not src.lower().startswith("mailto:"):
            return src
    return None


def _is_tracking_pixel(tag: Tag, src: str) -> bool:
    """A 0 or 1 pixel image, a hidden one, or one from a well-known beacon URL."""
    for name in ("width", "height"):
        digits = _attribute(tag, name).strip().removesuffix("px").strip()
        if digits.isdigit() and int(digits) <= 1:
            return True
    if HIDDEN_STYLE.search(_attribute(tag, "style")[:2000]):
        return True
    lowered = src.lower()
    return any(pattern in lowered for pattern in PIXEL_PATTERNS) or is_feedburner_furniture(src, FEEDBURNER_IMAGE)


def text_as_html(text: str | None) -> str | None:
    """Plain text (JSON Feed ``content_text``, an Atom text construct) as escaped HTML paragraphs, for the
    cleaning stage: a blank line parts paragraphs, and "the <p> tag" stays words."""
    paragraphs = [paragraph.strip() for paragraph in re.split(r"\n\s*\n", text or "") if paragraph.strip()]
    return "".join(f"<p>{html_lib.escape(paragraph)}</p>" for paragraph in paragraphs) or None


def _flat_fallback(html: str) -> CleanedHtml:
    """Plain text of the whole input in one paragraph, through lxml's C iterators only."""
    try:
        root = lxml.html.fromstring(html) if html.strip() else None
    except (lxml.etree.ParserError, ValueError):
        root = None
    if root is None:
        return CleanedHtml(text="", html="", links=[], images=[])
    lxml.etree.strip_elements(root, *DROPPED, lxml.etree.Comment, with_tail=False)
    text = " ".join(INVALID_CHARS.sub("", " ".join(root.itertext())).split())
    return CleanedHtml(text=text, html=f"<p>{html_lib.escape(text, quote=False)}</p>" if text else "",
                       links=[], images=[])


def clean_article(article: Article, settings: TransformSettings) -> Article:
    """Fill the cleaned text, HTML, links and images of ``article``; returns a new record."""
    if is_error(article):  # type: ignore[arg-type]
        return article
    result: dict = dict(article)
    flags = list(result.get("quality_flags") or [])
    cut_fields = []
    for field in ("summary_html", "content_html"):
        value = result.get(field)
        if value is not None and len(value) > settings.max_html_chars:
            result[field] = value[: settings.max_html_chars]
            cut_fields.append(field)
            if "html_truncated" not in flags:
                flags.append("html_truncated")
    base_url = result.get("url") or result.get("canonical_url") or result.get("feed_url")
    summary = clean_html(result["summary_html"], base_url=base_url) if result.get("summary_html") else None
    trimmed = trim_summary(summary.text if summary else result.get("summary_text"))
    result["summary_text"] = trimmed.text
    if trimmed.truncated:
        flags.append("summary_truncated")
    body = _clean_body(result, settings, base_url, flags)
    if summary and summary_is_whole_article(result.get("document_type"), bool(result.get("content_html")),
                                            trimmed.text, trimmed.truncated or "summary_html" in cut_fields):
        # the description is the whole post: it is the body too (summary_text keeps it: the feed's description)
        body = CleanedHtml(text=trimmed.text or "", html=summary.html, links=[], images=[])
        flags.append("body_from_summary")
    if body is not None:
        result["body_text"] = body.text or None
        result["body_html"] = body.html or None
    links = (body.links if body else []) + (summary.links if summary else [])
    declared = list(result.get("images") or [])  # the item's own (transforms.item_images) lead
    images = declared + (body.images if body else []) + (summary.images if summary else [])
    result["links"] = list(dict.fromkeys(links))
    result["images"] = list(dict.fromkeys(images))
    if flags:
        result["quality_flags"] = flags
    # The source HTML (a whole page, for page inputs) is not written and no later stage reads it:
    # dropping it here keeps it out of every later step and out of the shuffle before the sink.
    result.pop("content_html", None)
    result.pop("summary_html", None)
    return result  # type: ignore[return-value]


def _clean_body(result: dict, settings: TransformSettings, base_url: str | None,
                flags: list[str]) -> CleanedHtml | None:
    """The body: main content of a full page when wanted and found, else the whole HTML cleaned."""
    content_html = result.get("content_html")
    if not content_html:
        return None
    if result.get("document_type") == "html" and settings.extract_main_content:
        # Imported here: main_content itself uses clean_html to sanitize what it extracts.
        from transforms.main_content import extract_main_content

        main = extract_main_content(content_html, url=base_url)
        if main is not None:
            return CleanedHtml(text=main.text, html=main.html, links=main.links, images=main.images)
        flags.append("main_content_not_found")
    return clean_html(content_html, base_url=base_url)
