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


def test_a_chinese_story_is_full_at_what_its_english_would_take() -> None:
    # five short paragraphs: 331 characters, 931 as Latin-script text would say it (``script_weights``)
    story = ("晨江老城区供水管网改造工程目前已完成总工程量的百分之六十，预计今年年底前全部完工。工程完工后，老城区约十二万居民将告别"
             "水压不足、水质发黄等老问题。\n\n此次改造共涉及主干管道四十六公里、入户支管一千三百余处，全部更换为球墨铸铁管和不锈钢管。"
             "施工单位采取分片停水、夜间作业的方式，每次停水时间一般不超过八小时。\n\n改造后的管网将接入全市智慧水务平台，"
             "一旦出现爆管或异常漏损，系统能够在几分钟内自动报警并定位故障点。\n\n家住西门街道的王女士说，以前每到夏天家里的"
             "热水器都打不着火，只能等到晚上十点以后再洗澡。她说，施工期间虽然有些不便，但街坊邻居都很支持。\n\n据悉，市水务局"
             "还将对新城区部分早期建成的小区开展管网排查，计划用三年时间基本完成全市老旧供水管网的更新改造。")
    teaser = "晨江老城区供水管网改造工程目前已完成总工程量的百分之六十，预计今年年底前全部完工。"

    assert len(story) < FULL_BODY_MIN_CHARS / 2 and feed_body_is_full(story)
    assert not feed_body_is_full(teaser)
    assert summary_is_whole_article("rss", False, story, False)


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
