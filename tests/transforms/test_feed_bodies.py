"""transforms.feed_bodies: when a feed item's content block, or its description alone, is the whole article."""

from __future__ import annotations

import pytest

from transforms.feed_bodies import (FULL_BODY_MIN_CHARS, SOURCE_TRUNCATED_FLAG, feed_body_is_full,
                                    summary_is_whole_article)

WHOLE_POST = ("The night ferry to Aktau left the Alat terminal with forty trucks and a hundred passengers. "
              * (FULL_BODY_MIN_CHARS // 80 + 1)).strip()


def test_full_feed_body_threshold() -> None:
    assert feed_body_is_full("x" * FULL_BODY_MIN_CHARS) and not feed_body_is_full("x" * (FULL_BODY_MIN_CHARS - 1))
    assert not feed_body_is_full(None)


def test_a_body_its_source_says_it_cut_is_never_full() -> None:
    assert feed_body_is_full(WHOLE_POST, ["encoding_repaired"])
    assert not feed_body_is_full(WHOLE_POST, [SOURCE_TRUNCATED_FLAG])


@pytest.mark.parametrize("document_type", ["rss", "atom", "rdf"])
def test_a_long_uncut_description_without_content_is_the_whole_article(document_type: str) -> None:
    assert summary_is_whole_article(document_type, False, WHOLE_POST, False)


@pytest.mark.parametrize(("document_type", "has_content", "text", "truncated"), [
    ("rss", True, WHOLE_POST, False),  # the content block is the body
    ("rss", False, WHOLE_POST[: FULL_BODY_MIN_CHARS - 1], False),  # a teaser
    ("rss", False, WHOLE_POST, True),  # "[…]" or "Read more" was taken off it
    ("rss", False, WHOLE_POST + " And then...", False),  # cut with an ellipsis
    ("rss", False, WHOLE_POST + " And then…", False),
    ("json_feed", False, WHOLE_POST, False),  # a JSON Feed summary is a summary by its spec
    ("jsonl", False, WHOLE_POST, False),
    ("html", False, WHOLE_POST, False),  # a page's meta description
    ("rss", False, None, False),
], ids=["content", "short", "marker", "dots", "ellipsis", "json_feed", "jsonl", "html", "none"])
def test_other_descriptions_stay_summaries(document_type: str, has_content: bool, text: str | None,
                                           truncated: bool) -> None:
    assert not summary_is_whole_article(document_type, has_content, text, truncated)
