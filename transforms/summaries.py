"""Feed summaries: the marker a blog engine puts at the end of a cut text ("[…]", "Read more"), taken off.

WordPress ends every excerpt with ``[...]`` (``[…]``, ``[&hellip;]``), themes add "Continue reading
<title> →", "Read the rest of this entry »" or a localized "Read more" link, and some plugins a last line of
tags ("Technorati Tags: ..."). None of it is the article's text: it would reach search, entity matching
and the content hash. ``trim_summary`` takes such a marker off the end of a summary, and only off the end
(the words inside a text are never touched), and says whether the summary declared itself cut
(``summary_truncated`` in the quality flags). A tag line is furniture but no sign of a cut.

A plain trailing ellipsis ("... and then...") is left in the text and not flagged: writers end sentences
so too. It still counts as a possible cut where that matters (``ends_with_ellipsis``, used by
``transforms.feed_bodies`` before a description is taken for the whole article).
"""

from __future__ import annotations

import re
from typing import NamedTuple

# "[...]", "[…]", "[ … ]", "[&hellip;]", "(...)", and WordPress's "(more…)"; in Chinese and Japanese text also
# "⋯⋯" (the midline ellipsis), "・・・" and full-width or ideographic dots
ELLIPSIS = r"(?:\.{3,}|…|&hellip;|&#8230;|&#x2026;|⋯|・{3,}|．{3,}|。{3,})"
BRACKETED_ELLIPSIS = re.compile(rf"[\[(]\s*(?:{ELLIPSIS}|more\s*{ELLIPSIS}?)\s*[\])]\s*$", re.IGNORECASE)
# Links to the rest of the post, in the languages of our feeds; they end a summary after a sentence, a cut
# ("... … Läs vidare →") or on a line of their own.
READ_ON_PHRASES = (
    "read more", "read the rest of this entry", "read the rest of this post", "read the rest",
    "read the full (?:post|article|story)", "continue reading", "keep reading", "läs vidare", "läs mer",
    "lire la suite", "weiterlesen", "weiter lesen", "leer más", "seguir leyendo", "leggi tutto",
    "continua a leggere", "lees meer", "verder lezen", "czytaj dalej", "читать далее", "devamını oku",
)
TAIL_ARROW = r"(?:\.{1,3}|…|&hellip;|»|›|→|>>?|&raquo;|&rarr;|＞＞?|》)"
AFTER_SENTENCE = r"(?:^|(?<=[\n.!?…:。！？]))[ \t]*"
# The same links in Chinese, Japanese and Korean. These scripts need no space before them, and a cut text runs
# straight into them ("...系统能够阅读全文"): they end a summary wherever they stand, as none is a sentence's last
# words. They matter since those scripts are counted as Latin-script text would be (``script_weights``): a Chinese
# teaser of 300 characters reaches the 800 that make a description the whole article (``feed_bodies``) unless its
# marker says it was cut. "未完待续" ("to be continued") declares the cut too.
CJK_READ_ON_PHRASES = (
    "点击阅读全文", "点击查看全文", "點擊閱讀全文", "點擊查看全文", "阅读全文", "閱讀全文", "查看全文", "继续阅读",
    "繼續閱讀", "阅读更多", "閱讀更多", "全文阅读", "全文閱讀", "未完待续", "未完待續", "続きを読む", "続きはこちら",
    "全文を読む", "もっと読む", "기사 더보기", "더보기", "더 보기", "계속 읽기", "전문 보기",
)
CJK_READ_ON = rf"[\[(（【]?[ \t]*(?:{'|'.join(CJK_READ_ON_PHRASES)})[ \t]*{TAIL_ARROW}?[ \t]*[\])）】]?[ \t]*$"
READ_ON = re.compile(
    rf"{AFTER_SENTENCE}[\[(]?(?:{'|'.join(READ_ON_PHRASES)})[ \t]*{TAIL_ARROW}?[\])]?[ \t]*$"
    # "More..." or "More »" on a line of its own (after a sentence "more" is a word of it)
    rf"|(?:^|(?<=\n))[ \t]*[\[(]?more[ \t]*{TAIL_ARROW}?[\])]?[ \t]*$"
    # WordPress names the post between the phrase and its arrow: "Continue reading Ferry timetables →"
    rf"|{AFTER_SENTENCE}continue reading\b[^\n]{{0,200}}?[ \t]*(?:→|»|&rarr;|&raquo;)[ \t]*$"
    rf"|{CJK_READ_ON}",
    re.IGNORECASE,
)
TAG_LINE = re.compile(r"\n[ \t]*(?:technorati[ \t]+)?tags[ \t]*:[^\n]*$", re.IGNORECASE)
TRAILING_ELLIPSIS = re.compile(rf"{ELLIPSIS}[\"'”’)\]]*\s*$")
MAX_MARKERS = 3  # "[…]", then "Read more", then a tag line: markers pile up, but never many
TAIL_CHARS = 1000  # markers are searched for in this much of the end (a 5 MB body is not scanned)


class TrimmedSummary(NamedTuple):
    """A summary without its end markers (None when nothing else was left), and whether one declared a cut."""

    text: str | None
    truncated: bool


def trim_summary(text: str | None) -> TrimmedSummary:
    """``text`` without the truncation markers and tag line at its end (see the module docstring)."""
    truncated = False
    for _ in range(MAX_MARKERS):
        if not text:
            break
        stripped, cut = _strip_one_marker(text)
        if stripped == text:
            break
        text, truncated = stripped, truncated or cut
    return TrimmedSummary(text or None, truncated)


def _strip_one_marker(text: str) -> tuple[str, bool]:
    """``text`` without one end marker, and whether it was a truncation marker (not a tag line)."""
    for pattern, cut in ((BRACKETED_ELLIPSIS, True), (READ_ON, True), (TAG_LINE, False)):
        match = pattern.search(text, max(0, len(text) - TAIL_CHARS))
        if match:
            return text[:match.start()].rstrip(), cut
    return text, False


def ends_with_ellipsis(text: str | None) -> bool:
    """True when ``text`` ends in an ellipsis ("...", "…"), maybe inside closing quotes or brackets."""
    return bool(text) and TRAILING_ELLIPSIS.search(text or "", max(0, len(text or "") - TAIL_CHARS)) is not None
