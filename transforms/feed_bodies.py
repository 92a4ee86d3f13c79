"""Whether a feed item's own text is the whole article: its content block, or a description that is one.

A feed item carries its article in a content block (RSS ``content:encoded``, Atom ``content``, JSON Feed
``content_html``) or, as many blogs do, in the RSS ``<description>`` (Atom ``<summary>``) alone: 6 to 40 KB
posts, complete. Such a description is the body (``transforms.html_cleaning.clean_article`` copies it to
``body_text``, flagged ``body_from_summary``), and the item then needs no page (``pipeline/page_fetch.py``).
"""

from __future__ import annotations

from transforms.script_weights import latin_length
from transforms.summaries import ends_with_ellipsis

# A feed's own content of this much text is taken as the whole article: teasers and "read more" snippets
# stay well under it (one or two sentences, 150 to 500 characters), while even a short news story runs
# to three or four paragraphs. Items with such content get no page request. Counted as Latin-script text would be
# (``script_weights``): a Chinese story of 300 characters is whole, where a teaser of 100 is not.
FULL_BODY_MIN_CHARS = 800
# Document types whose description may be the whole post. A JSON Feed's ``summary`` is by its spec a
# sentence or two, and JSON Lines name their fields: there a summary stays a summary.
DESCRIPTION_BODY_TYPES = frozenset({"rss", "atom", "rdf"})
# The quality flag of a body its source says it cut (NewsAPI's "… [+1234 chars]", taken off by
# ``transforms.json_documents``): a teaser, however long.
SOURCE_TRUNCATED_FLAG = "body_truncated_by_source"


def feed_body_is_full(body_text: str | None, quality_flags: list[str] | None = None) -> bool:
    """True when an item's own body text is long enough to be the whole article (no page needed), and its
    source did not say it cut it (``SOURCE_TRUNCATED_FLAG`` in ``quality_flags``)."""
    return (latin_length(body_text, collapse_whitespace=False) >= FULL_BODY_MIN_CHARS
            and SOURCE_TRUNCATED_FLAG not in (quality_flags or ()))


def summary_is_whole_article(document_type: str | None, has_content: bool, summary_text: str | None,
                             truncated: bool) -> bool:
    """True when a feed item's description is its whole article: a feed with no content block for the item,
    a description of at least ``FULL_BODY_MIN_CHARS`` characters of text, and no sign of a cut (no
    truncation marker was taken off it, ``transforms.summaries``, and it does not end in an ellipsis)."""
    return (document_type in DESCRIPTION_BODY_TYPES and not has_content and not truncated
            and feed_body_is_full(summary_text) and not ends_with_ellipsis(summary_text))
