"""transforms.feed_furniture: Reddit's "submitted by" trailer leaves an item's HTML."""

from __future__ import annotations

import pytest

from transforms.feed_furniture import without_reddit_trailer
from transforms.html_cleaning import clean_html

SELF_POST = ('<!-- SC_OFF --><div class="md"><p>Is the east quay open to kayaks this winter?</p></div><!-- SC_ON -->'
             ' &#32; submitted by &#32; <a href="https://www.forum.example/user/quay_walker"> /u/quay_walker </a>'
             ' <br /> <span><a href="https://www.forum.example/r/harbours/comments/1b7xyz/east_quay/">[link]</a>'
             '</span> &#32; <span><a href="https://www.forum.example/r/harbours/comments/1b7xyz/east_quay/">'
             '[comments]</a></span>')
LINK_POST = ('<table><tr><td><a href="https://www.forum.example/r/harbours/comments/1b7xzz/"><img alt="Tide chart" '
             'src="https://thumbs.forum.example/tide.jpg" /></a></td><td> submitted by <a href='
             '"https://www.forum.example/user/pilot"> pilot </a> to <a href="https://www.forum.example/r/harbours/">'
             ' harbours</a> <br /> <a href="https://tides.example/chart">[link]</a> <a href='
             '"https://www.forum.example/r/harbours/comments/1b7xzz/">[1,143 comments]</a> </td></tr></table>')


def test_a_self_post_keeps_its_text_without_the_trailer() -> None:
    # the trailer ended every post's body: "... this winter? submitted by /u/quay_walker [link] [comments]"
    assert clean_html(without_reddit_trailer(SELF_POST)).text == "Is the east quay open to kayaks this winter?"


def test_a_link_post_keeps_its_picture_and_the_page_it_shares_and_loses_the_trailer_of_the_older_template() -> None:
    cleaned = clean_html(without_reddit_trailer(LINK_POST))
    assert "submitted by" not in cleaned.html and "tide.jpg" in cleaned.html
    assert cleaned.text == "https://tides.example/chart"  # the post is the page it links to
    assert cleaned.links == ["https://www.forum.example/r/harbours/comments/1b7xzz/", "https://tides.example/chart"]


@pytest.mark.parametrize("html", [
    "<p>The motion was submitted by the harbour board on Monday.</p>",
    '<p>Photos submitted by <a href="https://quay.example/readers">our readers</a>.</p>',
    None,
])
def test_text_that_only_says_submitted_by_is_left_alone(html: str | None) -> None:
    assert without_reddit_trailer(html) == html
