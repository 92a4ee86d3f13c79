"""What a feed service appends to every item's HTML that is not the item's: Reddit's "submitted by" trailer.

Reddit's feeds (``/r/NAME/.rss``, ``/user/NAME/.rss``, search results) end each item's HTML with one template since
2008 (with and without ``<span>``s around its last two links): "submitted by /u/NAME to r/SUB [link] [N comments]", links to the poster, the subreddit, the linked page and
the comments. Kept, it ended every post's ``body_text`` and summary ("... bridged to my 1G network. submitted by
/u/Remarkable_Housing61 [link] [comments]"), fed the entity and near-duplicate stages the same words in every
item, and made a link post (a thumbnail and the trailer) read as a text. The poster is the item's author already.
"""

from __future__ import annotations

import re

_GAP = r"(?:&#32;|\s)*"  # Reddit writes its spaces as "&#32;"
# From its first words: a pattern led by a run of spaces would try every start in a long run of them (quadratic),
# and "/user/" looked for inside an href would try every split of a long one.
REDDIT_TRAILER = re.compile(
    r"submitted by" + _GAP + r'<a href="[^"<>]*">[^<]*</a>'
    r"(?:" + _GAP + r"to" + _GAP + r'<a href="[^"<>]*">[^<]*</a>)?'
    + _GAP + r"<br\s*/?>" + _GAP + r'(?:<span>)?<a href="[^"<>]*">\[link\]</a>(?:</span>)?'
    + _GAP + r'(?:<span>)?<a href="[^"<>]*">\[(?:[\d,.]+[kK]? )?comments?\]</a>(?:</span>)?')


def without_reddit_trailer(html: str | None) -> str | None:
    """``html`` without Reddit's "submitted by ... [link] [comments]" trailer; unchanged when it has none."""
    if not html or "submitted by" not in html:
        return html
    return REDDIT_TRAILER.sub("", html)
