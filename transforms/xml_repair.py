"""Repair the ways real feeds break XML before a parser sees them, so that they parse strictly.

``prepare_xml`` does all of it, plus the defences every XML document gets (a defused DOCTYPE, trimmed
oversized tags, no forbidden control characters), for the feed parser and the sitemap reader alike.

Each of these makes expat refuse a whole feed, after which feedparser falls back on its tolerant parser,
which reports the feed as broken and reads it worse (``AT&T;`` for ``AT&T``, ``Ships &amp; Ports`` as a tag):
text before the XML declaration (a blank line, a PHP warning) or after the root element (an injected script),
namespace prefixes used but never declared (``itunes:``, ``content:`` in podcast and blog feeds), HTML entity
names (``&eacute;``), and stray ``&`` and ``<`` in text. Each function returns the repaired bytes and what it
changed, for quality flags.
"""

from __future__ import annotations

import collections
import functools
import html.entities
import re

from transforms.doctype import defuse_doctype
from transforms.markup_limits import limit_tags

# What comes before the XML declaration is never part of the document: a blank line or a PHP warning printed
# by the feed's script. expat refuses the whole feed for it, and feedparser's fallback parser then leaves
# entities in tags ("Society &amp; Culture"). Looked for in the head only, and not past a feed's root element.
XML_DECLARATION = re.compile(rb"<\?xml[\s?]")
DECLARATION_SEARCH_BYTES = 4096
FEED_ROOT_START = re.compile(rb"<((?:[\w.-]+:)?(?:rss|feed|RDF|urlset|sitemapindex))[\s>]")
# Stray "&" (starting no reference, as in "AT&T") and "<" (that cannot start markup, as in "3 < 4").
STRAY_AMPERSAND = re.compile(rb"&(?!#[0-9]+;|#[xX][0-9A-Fa-f]+;|[A-Za-z][A-Za-z0-9]{0,31};)")
STRAY_LESS_THAN = re.compile(rb"<(?=[\s\d=<])")
NAMED_REFERENCE = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos);)[A-Za-z][A-Za-z0-9]{0,31};")  # XML knows these five
# Namespace prefixes in element names and attribute names (a name and "=": "db:migrate" in text is no
# attribute), and those declared; "xml" is bound by XML itself.
USED_PREFIX = re.compile(rb"(?:</?([A-Za-z_][\w.-]*):[A-Za-z_][\w.-]*[\s/>]"
                         rb"|\s([A-Za-z_][\w.-]*):[A-Za-z_][\w.-]*\s*=\s*[\"'])")
DECLARED_PREFIX = re.compile(rb"xmlns:([A-Za-z_][\w.-]*)\s*=")
ROOT_START = re.compile(rb"<(?![?!])[A-Za-z_][\w:.-]*")
# The namespaces feeds use without declaring them, by their usual prefix (feedparser knows them by URI).
KNOWN_NAMESPACES = {
    b"atom": b"http://www.w3.org/2005/Atom", b"content": b"http://purl.org/rss/1.0/modules/content/",
    b"dc": b"http://purl.org/dc/elements/1.1/", b"dcterms": b"http://purl.org/dc/terms/",
    b"itunes": b"http://www.itunes.com/dtds/podcast-1.0.dtd", b"media": b"http://search.yahoo.com/mrss/",
    b"rdf": b"http://www.w3.org/1999/02/22-rdf-syntax-ns#", b"slash": b"http://purl.org/rss/1.0/modules/slash/",
    b"sy": b"http://purl.org/rss/1.0/modules/syndication/", b"wfw": b"http://wellformedweb.org/CommentAPI/",
    b"georss": b"http://www.georss.org/georss", b"thr": b"http://purl.org/syndication/thread/1.0",
    b"feedburner": b"http://rssnamespace.org/feedburner/ext/1.0",
    b"googleplay": b"http://www.google.com/schemas/play-podcasts/1.0",
}
UNKNOWN_NAMESPACE = b"urn:newsbeam:undeclared-prefix:"  # + the prefix: binds it, and says it was never declared


@functools.lru_cache(maxsize=4096)
def _numeric_reference(reference: bytes) -> bytes:
    """``&name;`` as numeric references when HTML knows the name; else unchanged."""
    characters = html.entities.html5.get(reference[1:].decode("ascii"))
    if characters is None:
        return reference
    return b"".join(b"&#%d;" % ord(character) for character in characters)


def _repair_text(text: bytes, changed: collections.Counter[str]) -> bytes:
    """One stretch of markup outside CDATA, repaired (see ``repair_references``)."""
    if b"&" in text:
        repaired = NAMED_REFERENCE.sub(lambda match: _numeric_reference(match.group()), text)
        changed["html_entities_replaced"] += repaired != text
        text, ampersands = STRAY_AMPERSAND.subn(b"&amp;", repaired)
        changed["stray_markup_escaped"] += ampersands
    text, less_thans = STRAY_LESS_THAN.subn(b"&lt;", text)
    changed["stray_markup_escaped"] += less_thans
    return text


def repair_references(body: bytes) -> tuple[bytes, list[str]]:
    """``body`` with, outside CDATA, HTML named references made numeric and stray ``&`` and ``<`` escaped.

    Feeds are written by HTML tools: XML knows only five entity names, and a bare ``AT&T`` or ``3 < 4`` is an
    error. One of these makes expat refuse the whole feed, and feedparser's tolerant parser then writes
    ``AT&T;``. Names HTML does not know (``&lol9;``) are left for the parser to refuse. Returns the body and
    the kinds of change made (``html_entities_replaced``, ``stray_markup_escaped``), as quality flags.
    """
    changed: collections.Counter[str] = collections.Counter()
    if b"&" not in body and b"<" not in body:
        return body, []
    pieces: list[bytes] = []
    position = 0
    while position < len(body):  # a loop, not one regex: an unterminated CDATA must not be rescanned
        cdata_start = body.find(b"<![CDATA[", position)
        text_end = len(body) if cdata_start < 0 else cdata_start
        pieces.append(_repair_text(body[position:text_end], changed))
        if cdata_start < 0:
            break
        cdata_end = body.find(b"]]>", cdata_start)
        position = len(body) if cdata_end < 0 else cdata_end + 3
        pieces.append(body[cdata_start:position])
    return b"".join(pieces), sorted(kind for kind, count in changed.items() if count)


def drop_text_before_declaration(body: bytes) -> tuple[bytes, bool]:
    """``body`` from its XML declaration on, when something precedes it; and whether that was more than space."""
    match = XML_DECLARATION.search(body, 0, DECLARATION_SEARCH_BYTES)
    if match is None or match.start() == 0 or FEED_ROOT_START.search(body, 0, match.start()):
        return body, False
    return body[match.start():], not body[:match.start()].isspace()


# What may follow the root element's end tag in XML (a generator's comment, a processing instruction). Possessive:
# megabytes of space before a stray character were given back one at a time on failing (5 MB: 0.45 s, now 0.01 s).
AFTER_ROOT_ALLOWED = re.compile(rb"(?:\s+|<!--.*?-->|<\?.*?\?>)*+", re.DOTALL)


def drop_text_after_root(body: bytes) -> tuple[bytes, bool]:
    """``body`` up to its root element's end tag, when markup or text follows it; and whether it was cut.

    A hacked or misconfigured site appends to every response what its templates print: a ``<script>`` (a
    blog's feed in the real feeds carries one after ``</feed>``), an analytics tag, a PHP error. expat refuses
    the document for it ("junk after document element") though every item before it is whole, and the feed
    was reported as broken, its items flagged as recovered and "later items may be lost". The last end tag of
    the root's name is the place to cut; not when it stands inside a CDATA section or a comment (the feed
    itself was cut short), nor when all that follows is space, comments and processing instructions, which
    XML allows there. Only a feed's or sitemap's root is looked for (``FEED_ROOT_START``).
    """
    root = FEED_ROOT_START.search(body)
    if root is None:
        return body, False
    start = body.rfind(b"</" + root.group(1))
    end = re.compile(rb"</" + re.escape(root.group(1)) + rb"\s*>").match(body, start) if start >= 0 else None
    if end is None:
        return body, False
    if AFTER_ROOT_ALLOWED.fullmatch(body, end.end()) or _inside(body, start, b"<![CDATA[", b"]]>") or (
            _inside(body, start, b"<!--", b"-->")):
        return body, False
    return body[:end.end()], True


def _inside(body: bytes, position: int, opening: bytes, closing: bytes) -> bool:
    """True when ``position`` of ``body`` lies in a section (CDATA, a comment) opened before it and not closed."""
    return body.rfind(opening, 0, position) > body.rfind(closing, 0, position)


def declare_missing_namespaces(body: bytes) -> tuple[bytes, list[bytes]]:
    """``body`` with every namespace prefix it uses but never declares declared on its root element.

    Well-known prefixes get their namespace (so ``content:encoded`` is still read as the full text); others
    a placeholder URN. Prefixes seen only inside CDATA may be declared too: an unused declaration is harmless.
    """
    if b":" not in body:
        return body, []
    used = {element or attribute for element, attribute in USED_PREFIX.findall(body)}
    missing = used - set(DECLARED_PREFIX.findall(body)) - {b"xml", b"xmlns"}
    root = ROOT_START.search(body)
    if not missing or root is None:
        return body, []
    undeclared = sorted(missing)
    declarations = b"".join(b' xmlns:%s="%s"' % (prefix, KNOWN_NAMESPACES.get(prefix, UNKNOWN_NAMESPACE + prefix))
                            for prefix in undeclared)
    return body[:root.end()] + declarations + body[root.end():], undeclared


# Numeric character references: feedparser's fallback parser raises on those that name no character
# (beyond U+10FFFF, a UTF-16 surrogate, thousands of digits) instead of flagging the feed.
CHARACTER_REFERENCE = re.compile(rb"&#(?:[xX]([0-9A-Fa-f]+)|([0-9]+));?")
# C0 control characters XML 1.0 forbids (NUL is handled apart): one stray byte fails the strict parse.
FORBIDDEN_CONTROLS = re.compile(rb"[\x01-\x08\x0b\x0c\x0e-\x1f]")


def _checked_reference(match: re.Match[bytes]) -> bytes:
    digits, base = (match.group(1), 16) if match.group(1) else (match.group(2), 10)
    significant = digits.lstrip(b"0") or b"0"
    code = int(significant, base) if len(significant) <= 8 else -1  # int() refuses thousands of digits
    return match.group() if 0 <= code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else b"&#xFFFD;"


def replace_impossible_references(body: bytes) -> bytes:
    """``body`` with every numeric character reference that names no character replaced by U+FFFD."""
    return CHARACTER_REFERENCE.sub(_checked_reference, body) if b"&#" in body else body


def prepare_xml(body: bytes, flags: list[str]) -> bytes:
    """A UTF-8 XML document made safe to parse, and repaired where real documents break.

    NULs and the other control characters XML forbids go (expat stops at the first), so does anything before
    the XML declaration or after the root element; the DOCTYPE is defused (``transforms.doctype``), oversized
    tags are trimmed (``transforms.markup_limits``), undeclared namespace prefixes are declared and references
    and stray ``&`` and ``<`` repaired, references to no character become U+FFFD. What was changed is appended
    to ``flags`` (not whitespace before the declaration: no text changes).
    """
    if b"\x00" in body:
        body = body.replace(b"\x00", b"")
        flags.append("nul_bytes_removed")
    body, junk_dropped = drop_text_before_declaration(body)
    if junk_dropped:
        flags.append("text_before_xml_declaration_removed")
    body, junk_after = drop_text_after_root(body)
    if junk_after:
        flags.append("text_after_root_element_removed")
    body, controls = FORBIDDEN_CONTROLS.subn(b"", body)
    if controls:
        flags.append("control_characters_removed")
    defused = defuse_doctype(body)
    if defused.removed_declarations:
        flags.append("dtd_entities_removed")
    body, oversized_tags = limit_tags(defused.body)  # first: the repairs below then scan no giant attribute
    if oversized_tags:
        flags.append("oversized_attributes_removed")
    body, undeclared = declare_missing_namespaces(body)
    if undeclared:
        flags.append("missing_namespaces_declared")
    body, repairs = repair_references(body)
    flags.extend(repairs)
    return replace_impossible_references(body)
