"""Tell a directory page (a registry's table of entries, a list of links to other pages) from an article page.

A directory holds no story: its text is the entries of long tables and lists, each a row or item of a few words
that names another page ("KB-014  Swinging mooring  Kittle Bay  Saltby Sailing Club", "Tide tables  2024  PDF"),
with at most an introduction before them. Read whole, it would become one "article" that is a table.
What tells it from an article that holds a table or a list is the share of the page's own text that stands outside
them: an article with a league table, a list-heavy explainer or a short brief beside its site's menus has its
story; a directory has a paragraph or two against thousands of entries.

``directory_page`` reads this in one pass over the page's text (``page_text.readable_text``), in characters
counted as Latin-script text (``script_weights``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator

from lxml.html import HtmlElement

from transforms.page_text import FURNITURE_TAGS, TextEvent, leads_elsewhere, readable_text

LIST_TAGS = frozenset({"table", "ul", "ol", "dl", "menu"})
ENTRY_TAGS = frozenset({"tr", "li", "dt", "dd"})  # the rows and items of LIST_TAGS
# An entry is a row or item of at most this much text: a name, a type, a holder, a reference. A longer one (a
# paragraph in a list item, a layout table's row holding a story) is no entry, and its text is prose.
MAX_ENTRY_CHARS = 200
# A directory block is a table or list of this many entries, at least half of them holding a link to another page
# (a data table of figures holds none; the rows of a registry name the pages of their entries) ...
MIN_BLOCK_ENTRIES = 10
# ... whose entries hold this much text outside links on average, at most: fields, not sentences. The directories
# of iana.org average 29 (the IDN tables), 42 (the root zone database) and 59 (the protocol registries); the items
# of an explainer or a list of tips that each link to a page for more are sentences of 100 and more.
MAX_ENTRY_PROSE_CHARS = 80
# A directory has this share of its text outside links and page furniture in such blocks (the rest: headings, an
# introduction, notes, long rows). The 181 real articles of the article-extraction benchmark have up to 0.71 there
# (a 509-character brief beside its site's menus, 255 entries), most under 0.35; the directories of a 2014 crawl
# of iana.org 0.94 (the protocol registries, 2,041 entries) and 0.98 (the root zone database, the IDN tables)...
MIN_DIRECTORY_SHARE = 0.85
# ... and at least as much as a story (``listing_pages.MIN_STORY_CHARS``): a short page of one list is left as it is.
MIN_DIRECTORY_CHARS = 1500
DATED_TAGS = frozenset({"time"})  # a publication time outside the directory blocks: a byline, a post's header


@dataclasses.dataclass(frozen=True)
class DirectoryPage:
    """What makes a page a directory (``directory_page``)."""

    entries: int  # rows and items of its directory blocks
    share: float  # of its text outside links and furniture, in directory blocks


@dataclasses.dataclass(slots=True)
class _Open:
    """A table, list, row, item or piece of page furniture being read: the text it holds so far, by where it lies.
    The text of other elements goes to the innermost of these around it."""

    is_list: bool
    chars: int = 0
    prose: int = 0  # outside links, directory blocks and page furniture
    directory: int = 0  # in the entries of directory blocks
    has_link: bool = False  # holds a link to another page
    block_entries: int = 0  # entries of the directory blocks it holds
    # for a table or list: its entries' text (chars, prose, directory), how many there are, how many hold a link
    entry_chars: int = 0
    entry_prose: int = 0
    entry_directory: int = 0
    entries: int = 0
    linked_entries: int = 0
    # of its entries, those that are sentences (no link, more prose than an entry's fields hold: the paragraph rows
    # of a page laid out in a table), kept as what they were when the block is a directory: (chars, prose, directory)
    sentence_chars: int = 0
    sentence_prose: int = 0
    sentence_directory: int = 0
    dated: int = 0  # <time> elements it holds outside directory blocks
    entry_dated: int = 0  # for a table or list: those its entries hold


TRACKED_TAGS = LIST_TAGS | ENTRY_TAGS | FURNITURE_TAGS


def directory_page(tree: HtmlElement, declares_article_type: bool, dated: bool = False) -> DirectoryPage | None:
    """The directory blocks of the page ``tree`` when it is a directory, else None: ``MIN_DIRECTORY_CHARS`` or more
    of text in tables and lists of ``MIN_BLOCK_ENTRIES`` short entries (``MAX_ENTRY_CHARS``, text outside links
    ``MAX_ENTRY_PROSE_CHARS`` on average) mostly holding a link to another page, and ``MIN_DIRECTORY_SHARE`` of the
    text outside links and page furniture in them. A page that declares itself an article (og:type, JSON-LD) is
    never a directory, nor is one that gives its publication time: ``dated`` (its metadata or URL does:
    ``PageMetadata.dated``) or a ``<time>`` outside its directory blocks."""
    if declares_article_type or dated:
        return None
    reader = DirectoryReader()
    for _ in reader.read(readable_text(tree)):
        pass
    return reader.directory()


class DirectoryReader:
    """Reads a page's text events (``page_text.readable_text``) as another check walks them (``read``), so that
    one pass over the page serves both; ``directory`` then says whether the page is a directory page.

    Each table, list, row, item and piece of furniture passes what it holds on to the innermost one around it (the
    page at the bottom), an entry to its table or list, which keeps its entries as directory text if it is a
    directory block and as what they were if not."""

    def __init__(self) -> None:
        self._page = _Open(False)
        self._open: list[_Open] = [self._page]
        self._lists: list[_Open] = []  # the open tables and lists, innermost last
        self._links: list[bool] = []  # of each open <a>: whether it leads to another page
        self._in_link = 0
        self._furniture: list[_Open] = []  # set aside, in case one is a wrapper gone wrong

    def read(self, events: Iterable[TextEvent]) -> Iterator[TextEvent]:
        """``events``, passed on as they are, each read on the way."""
        for event, element, chars in events:
            self._read(event, element, chars)
            yield event, element, chars

    def _read(self, event: str, element: HtmlElement, chars: int) -> None:
        tag = element.tag
        if event == "start":
            if tag == "a":
                leads = leads_elsewhere(element)
                self._links.append(leads)
                self._in_link += leads
                self._open[-1].has_link |= leads
            elif tag in DATED_TAGS:
                self._open[-1].dated += 1
            elif tag in TRACKED_TAGS:
                opened = _Open(tag in LIST_TAGS)
                self._open.append(opened)
                if opened.is_list:
                    self._lists.append(opened)
        elif event == "end":
            if tag == "a":
                self._in_link -= self._links.pop()
            elif tag in TRACKED_TAGS:
                self._close(tag, self._open.pop())
        current = self._open[-1]
        current.chars += chars
        if not self._in_link:
            current.prose += chars

    def _close(self, tag: str, closed: _Open) -> None:
        parent = self._open[-1]
        if closed.is_list:
            self._lists.pop()
            _close_list(closed)
        if tag in FURNITURE_TAGS:
            self._furniture.append(dataclasses.replace(closed))
            closed.prose = closed.directory = closed.block_entries = 0
        if tag in ENTRY_TAGS and self._lists and closed.chars <= MAX_ENTRY_CHARS:
            _add_entry(self._lists[-1], closed)
            parent.chars += closed.chars
            parent.has_link |= closed.has_link
        else:
            _pass_on(closed, parent)

    def directory(self) -> DirectoryPage | None:
        """What makes the page read a directory, or None when it is not one (nor when it holds a ``<time>`` outside
        its directory blocks: a dated page is published content, see the module docstring)."""
        page = dataclasses.replace(self._page)
        if page.dated:
            return None
        # a <header> or <aside> holding half the page is a wrapper gone wrong (an unclosed tag), not furniture
        for wrapper in self._furniture:
            if 2 * wrapper.chars >= page.chars:
                _pass_on(wrapper, page)
        total = page.directory + page.prose
        if page.directory < MIN_DIRECTORY_CHARS or page.directory < MIN_DIRECTORY_SHARE * total:
            return None
        return DirectoryPage(entries=page.block_entries, share=round(page.directory / total, 2))


def _add_entry(block: _Open, entry: _Open) -> None:
    block.entries += 1
    block.linked_entries += entry.has_link
    block.entry_chars += entry.chars
    block.entry_prose += entry.prose
    block.entry_directory += entry.directory
    block.entry_dated += entry.dated
    if not entry.has_link and entry.prose > MAX_ENTRY_PROSE_CHARS:
        block.sentence_chars += entry.chars
        block.sentence_prose += entry.prose
        block.sentence_directory += entry.directory


def _close_list(block: _Open) -> None:
    """Keep a list's entries as directory text when it is a directory block, as the text they were if not. The
    entries of a directory block that are sentences stay what they were too: a page laid out as one table, a row per
    menu link and a row per paragraph, is a story beside a menu, not a directory. The times in a directory block's
    entries (a registry's dates of change) do not date the page."""
    if (block.entries >= MIN_BLOCK_ENTRIES and 2 * block.linked_entries >= block.entries
            and block.entry_prose <= MAX_ENTRY_PROSE_CHARS * block.entries):
        block.directory += block.entry_chars - block.sentence_chars + block.sentence_directory
        block.prose += block.sentence_prose
        block.block_entries += block.entries
    else:
        block.prose += block.entry_prose
        block.directory += block.entry_directory
        block.dated += block.entry_dated


def _pass_on(closed: _Open, parent: _Open) -> None:
    parent.chars += closed.chars
    parent.prose += closed.prose
    parent.directory += closed.directory
    parent.has_link |= closed.has_link
    parent.block_entries += closed.block_entries
    parent.dated += closed.dated
