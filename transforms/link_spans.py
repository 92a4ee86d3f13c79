"""Tell whether a span of text is part of a web address, an e-mail address or a domain or file name.

Feed and page text carries links as text: "wikitravel.org/en/Singapore", "maps.google.com?q=New+York,+NY",
"informatics.indiana.edu", "Berlin.de", "Boston.rb", "Dallas.Pool@example.com". A name inside one is not a
mention of anything. The run of non-space characters around the span is judged, so that "Dallas/Fort Worth",
"Bulgaria/Israel" and "US-China" stay text: a run is a link when it holds a scheme ("https://"), "www.", an
e-mail address, a word followed by a dot and a lowercase suffix ("example.com", "Seattle.rb", "page.htm"), or opens
with a dot and a word: a top-level domain written alone (".berlin", ".ভারত", ".الاردن" in a list of domains).
A sentence run on without its space ("in Greece.Exact location") goes on with a capital and stays text.
"""

from __future__ import annotations

import re

# Characters looked at on each side of a span: a run without spaces longer than that is judged by this much.
_MAX_RUN_CHARS = 300
_LINK_MARK = re.compile(
    r"(?i:[a-z][a-z0-9+.-]*://|www\.)"  # a scheme or a bare www. address, in any case
    r"|[^\s@]@[^\s@]+\.\w"  # an e-mail address
    r"|\w\.[a-z]{2,}\b"  # a domain or file name: example.com, Berlin.de, Boston.rb, Reading.htm
    r"|(?<!\S)\.\w"  # a top-level domain alone: .berlin, .ভারত (not "...Paris": a dot before the dot)
)
# After a span, up to the next space: characters none of the marks above needs (a full stop only before a space,
# where it ends a sentence). With a space before the span too, the run cannot be a link: the common case, tested
# without walking the run.
_PLAIN_AFTER = re.compile(r"(?:[^\s.@/:]|\.(?=\s|\Z)){0,%d}(?:\s|\Z)" % _MAX_RUN_CHARS)


def in_link(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` lies in a run of non-space characters that is a link (see module)."""
    if (start == 0 or text[start - 1].isspace()) and _PLAIN_AFTER.match(text, end):
        return False  # no name is a link mark itself ("U.S." is not a domain)
    run_start, floor = start, max(0, start - _MAX_RUN_CHARS)
    while run_start > floor and not text[run_start - 1].isspace():
        run_start -= 1
    run_end, ceiling = end, min(len(text), end + _MAX_RUN_CHARS)
    while run_end < ceiling and not text[run_end].isspace():
        run_end += 1
    return _LINK_MARK.search(text, run_start, run_end) is not None
