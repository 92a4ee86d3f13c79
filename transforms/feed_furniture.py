"""What a feed service appends to every item's HTML that is not the item's: Reddit's "submitted by" trailer.

Reddit's feeds (``/r/NAME/.rss``, ``/user/NAME/.rss``, search results) end each item's HTML with one template since
2008 (with and without ``<span>``s around its last two links): "submitted by /u/NAME to r/SUB [link] [N comments]",
links to the poster, the subreddit, the linked page and the comments. Kept, it ended every post's ``body_text`` and
summary ("... bridged to my 1G network. submitted by /u/Remarkable_Housing61 [link] [comments]"), and fed the entity
and near-duplicate stages the same words in every item. The poster is the item's author already. A link post's
"[link]" leads to the page it shares, the post itself: that link stays, as a paragraph of its own (in ``links``,
and its address in the text); a text post's "[link]" is its comments page again and goes.
"""

from __future__ import annotations

import html
import re

_GAP = r"(?:&#32;|\s)*"  # Reddit writes its spaces as "&#32;"
# From its first words: a pattern led by a run of spaces would try every start in a long run of them (quadratic),
# and "/user/" looked for inside an href would try every split of a long one.
REDDIT_TRAILER = re.compile(
    r"submitted by" + _GAP + r'<a href="[^"<>]*">[^<]*</a>'
    r"(?:" + _GAP + r"to" + _GAP + r'<a href="[^"<>]*">[^<]*</a>)?'
    + _GAP + r"<br\s*/?>" + _GAP + r'(?:<span>)?<a href="(?P<shared>[^"<>]*)">\[link\]</a>(?:</span>)?'
    + _GAP + r'(?:<span>)?<a href="(?P<comments>[^"<>]*)">\[(?:[\d,.]+[kK]? )?comments?\]</a>(?:</span>)?')


def without_reddit_trailer(html_text: str | None) -> str | None:
    """``html_text`` without Reddit's "submitted by ... [link] [comments]" trailer, a link post's shared page kept as
    a link; unchanged when it has none."""
    if not html_text or "submitted by" not in html_text:
        return html_text
    return REDDIT_TRAILER.sub(_shared_link, html_text)


def _shared_link(trailer: re.Match[str]) -> str:
    """What stays of a trailer: the page a link post shares, as a link whose text is its address; else nothing."""
    shared = trailer["shared"]
    if shared == trailer["comments"]:
        return ""
    address = html.escape(html.unescape(shared), quote=False)
    return f'<p><a href="{shared}">{address}</a></p>'
