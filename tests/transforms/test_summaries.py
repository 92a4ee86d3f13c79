"""transforms.summaries: truncation markers and tag lines taken off the end of feed summaries, never inside."""

from __future__ import annotations

import time

import pytest

from transforms.summaries import TrimmedSummary, ends_with_ellipsis, trim_summary

TEXT = "The ferry to Aktau now sails twice a week"


@pytest.mark.parametrize("marker", [
    " [...]", " […]", " [ … ]", " [&hellip;]", " [&#8230;]", "[...]", " (...)", " (more…)", " (more...)",
    "\u00a0[…]",
], ids=repr)
def test_bracketed_ellipsis_at_the_end_is_taken_off_and_flagged(marker: str) -> None:
    assert trim_summary(TEXT + marker) == TrimmedSummary(TEXT, True)


@pytest.mark.parametrize("tail", [
    ".\n\nread more", ".\n\nRead more...", ". Read more…", ". Read more.", ". Read more »", ".\nMore...",
    ".\n\nMore »", ". Continue reading →", ".\n\nContinue reading Ferry timetables for the winter →",
    ". Read the rest of this entry »", ". [Read more]", ". … Läs vidare →", ". Lire la suite »",
    ". Weiterlesen →", ". Leer más...", ". Читать далее →",
], ids=repr)
def test_read_more_link_ending_the_summary_is_taken_off_and_flagged(tail: str) -> None:
    trimmed = trim_summary(TEXT + tail)
    assert trimmed.truncated and trimmed.text is not None
    assert trimmed.text.rstrip(" .…") == TEXT


@pytest.mark.parametrize("text", [
    "Read more on the port authority's own site.",
    "Continue reading the full interview with the harbour master.",
    "Ferries, cranes, timetables and more!",
    "Nothing more.",
    "They want more",
    "The [...] stands for the part of the quote we cut, and the text goes on.",
    "He said read more books, and the crew did.",
], ids=repr)
def test_text_that_only_looks_like_a_marker_is_kept(text: str) -> None:
    assert trim_summary(text) == TrimmedSummary(text, False)


def test_markers_inside_the_text_are_never_touched() -> None:
    text = "First part [...] second part. Read more\nabout ferries in the next line of the summary."
    assert trim_summary(text) == TrimmedSummary(text, False)


@pytest.mark.parametrize("line", ["Tags: ferries, Aktau", "Technorati Tags: ferries, Aktau, Caspian"])
def test_a_trailing_tag_line_is_taken_off_but_is_no_sign_of_a_cut(line: str) -> None:
    assert trim_summary(f"{TEXT}.\n\n{line}") == TrimmedSummary(TEXT + ".", False)


def test_a_tag_line_that_is_the_whole_summary_is_kept() -> None:
    assert trim_summary("Tags: ferries") == TrimmedSummary("Tags: ferries", False)


def test_markers_piled_at_the_end_all_go() -> None:
    assert trim_summary(f"{TEXT} [...]\n\nRead more »\n\nTags: ferries") == TrimmedSummary(TEXT, True)


def test_a_summary_that_was_only_a_marker_becomes_none() -> None:
    assert trim_summary("Read more »") == TrimmedSummary(None, True)
    assert trim_summary(None) == TrimmedSummary(None, False)
    assert trim_summary("") == TrimmedSummary(None, False)


def test_a_plain_trailing_ellipsis_stays_in_the_text_and_is_not_flagged() -> None:
    assert trim_summary(TEXT + "...") == TrimmedSummary(TEXT + "...", False)
    assert all(ends_with_ellipsis(TEXT + end) for end in ("...", "…”", " &hellip;", "...)"))
    assert not ends_with_ellipsis(TEXT + ".") and not ends_with_ellipsis(None)


def test_trimming_is_idempotent() -> None:
    once = trim_summary(f"{TEXT} [...]\n\nRead more »")
    assert trim_summary(once.text) == TrimmedSummary(once.text, False)


def test_only_the_end_of_a_huge_text_is_searched() -> None:
    text = ("a. " * 2_000_000) + "\n" * 100_000 + " \t" * 100_000 + "end [...]"
    started = time.monotonic()
    trimmed = trim_summary(text)
    assert time.monotonic() - started < 1.0
    assert trimmed.truncated and trimmed.text is not None and trimmed.text.endswith("\tend")


CHINESE = "晨江老城区供水管网改造工程目前已完成总工程量的百分之六十，预计今年年底前全部完工"
JAPANESE = "東京都は19日、2025年度の予算案の概要を発表した"
KOREAN = "서울시는 19일 내년도 예산안을 발표했다"


@pytest.mark.parametrize(("text", "tail"), [
    (CHINESE, "阅读全文"), (CHINESE, "。阅读全文>>"), (CHINESE, " [阅读全文]"), (CHINESE, "……点击查看全文"),
    (CHINESE, "（未完待续）"), (CHINESE, "。继续阅读 »"), (CHINESE, "【閱讀全文】"), (JAPANESE, "…続きを読む"),
    (JAPANESE, "（続きはこちら）"), (JAPANESE, "。続きを読む＞＞"), (KOREAN, "... 기사 더보기"), (KOREAN, " 계속 읽기"),
    (CHINESE, "。Read more »"),
], ids=repr)
def test_chinese_japanese_and_korean_read_on_links_are_taken_off_and_flagged(text: str, tail: str) -> None:
    # no space or full stop needs to come before them: a cut text runs straight into its link
    trimmed = trim_summary(text + tail)
    assert trimmed.truncated and trimmed.text is not None
    assert trimmed.text.rstrip(" .…。") == text


def test_chinese_and_japanese_ellipses_are_possible_cuts() -> None:
    assert all(ends_with_ellipsis(CHINESE + end) for end in ("⋯⋯", "……", "。。。"))
    assert ends_with_ellipsis(JAPANESE + "・・・")
    assert not ends_with_ellipsis(CHINESE + "。") and trim_summary(CHINESE + "。") == TrimmedSummary(CHINESE + "。", False)
