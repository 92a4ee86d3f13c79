"""Tests of transforms.text: entities, mojibake, Unicode form, invisible characters and whitespace."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.records import make_error
from transforms.settings import TransformSettings
from transforms.text import normalize_article_text, normalize_text

ZERO_WIDTH_REMOVED = "\u200b\u2060\ufeff\u00ad"


@pytest.mark.parametrize(("raw", "expected"), [
    ("Fish &amp; chips", "Fish & chips"),
    ("Fish &amp;amp; chips", "Fish & chips"),
    ("Fish &amp;amp;amp;amp;amp; chips", "Fish & chips"),
    ("&amp;lt;b&amp;gt;", "<b>"),
    ("It&#8217;s here", "It’s here"),
    ("It&rsquo;s here", "It’s here"),
    ("caf&#xE9;", "café"),
    ("ten&nbsp;km", "ten km"),
    ("ten&amp;nbsp;km", "ten km"),
    ("AT&T and R&D stay", "AT&T and R&D stay"),
])
def test_html_entities_are_unescaped_including_double_escapes(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_long_chain_of_escaped_ampersands_collapses_at_once() -> None:
    assert normalize_text("&" + "amp;" * 200_000 + "lt;") == "<"


@pytest.mark.parametrize(("raw", "expected"), [
    ("CafÃ© crÃ¨me", "Café crème"),
    ("Itâ€™s fine", "It’s fine"),
    ("Ã©", "é"),
    ("naÃ¯ve", "naïve"),
])
def test_mojibake_is_repaired(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_curly_quotes_are_not_straightened() -> None:
    assert normalize_text("“Quoted” and ‘single’") == "“Quoted” and ‘single’"


def test_full_width_cjk_punctuation_is_kept() -> None:
    assert normalize_text("北京，上海。（新闻）") == "北京，上海。（新闻）"


@pytest.mark.parametrize("text", [
    "Bakı şəhərində yeni körpü açıldı: ğ, ş, ı, ə, ö, ü, ç. İlham Əliyev",
    "В Казани открыли новый мост через Казанку; «Ёлки» — ещё.",
    "Ελληνικά κείμενα και עברית וערבית: العربية",
])
def test_non_latin_text_survives_intact(text: str) -> None:
    assert normalize_text(text) == text


def test_decomposed_characters_are_composed_to_nfc() -> None:
    assert normalize_text("Cafe\u0301 s\u0327") == "Café ş"


def test_zero_width_characters_and_soft_hyphens_are_removed() -> None:
    assert normalize_text("zero\u200bwidth\u2060joiner\ufeff soft\u00adhyphen") == "zerowidthjoiner softhyphen"


def test_zero_width_non_joiner_and_joiner_are_kept() -> None:
    persian = "می\u200cخواهم"  # ZWNJ is part of Persian spelling
    family = "\U0001F468\u200d\U0001F469\u200d\U0001F467"  # one emoji, joined by ZWJ
    assert normalize_text(persian) == persian
    assert normalize_text(family) == family


def test_nul_bytes_and_control_characters_are_removed_but_newlines_kept() -> None:
    assert normalize_text("A\x00B\x07C\x1bD\x7fE\x1fF\nG") == "ABCDEF\nG"


def test_c1_controls_are_read_as_windows_1252() -> None:
    # ftfy's repair: C1 controls in text are almost always Windows-1252 bytes decoded as Latin-1
    assert normalize_text("\x93Quoted\x94 \x80 5") == "“Quoted” € 5"


def test_lone_surrogates_become_replacement_characters() -> None:
    assert normalize_text("a\ud800b") == "a\ufffdb"


def test_spaces_and_tabs_collapse_and_lines_are_stripped() -> None:
    assert normalize_text("  one \t two\u00a0\u2009three  \n   four  ") == "one two three\nfour"


def test_more_than_one_empty_line_collapses_to_one() -> None:
    assert normalize_text("one\n\n\n\n\ntwo\r\n\r\n\r\nthree\u2029four") == "one\n\ntwo\n\nthree\nfour"


@pytest.mark.parametrize("text", [None, "", "   ", "\n\n\t", "\u200b\ufeff", "&nbsp;"])
def test_empty_text_becomes_none(text: str | None) -> None:
    assert normalize_text(text) is None


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises_and_normalizing_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(
    list("a &;#x3b8\u200b\u00ad\ufeff\n\t\r\x00\x81\x85\xa0é") + ["amp;", "nbsp;", "Ã©", "â€œ", "&#0;", "\ud83d"]
)).map("".join))
def test_entity_heavy_text_normalizing_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_output_has_no_zero_width_or_control_characters(text: str) -> None:
    result = normalize_text(text) or ""
    assert not set(result) & set(ZERO_WIDTH_REMOVED)
    assert all(char in "\n" or unicodedata.category(char) not in ("Cc", "Cs") for char in result)
    assert unicodedata.is_normalized("NFC", result)
    assert result == result.strip()


def article(**fields: object) -> dict:
    base = {"kind": "article", "title": "  Market\n moves &amp; reopens ", "summary_text": "Stall\u00adholders voted.",
            "body_text": "CafÃ© owners agree.\n\n\n\nMore.", "tags": ["Local", "local", "", "Transport"],
            "authors": ["Priya Hallam", " ", "PRIYA HALLAM", "Tomas"]}
    return {**base, **fields}


def test_article_title_summary_and_body_are_normalized() -> None:
    result = normalize_article_text(article(), TransformSettings())
    assert result["title"] == "Market moves & reopens"
    assert result["summary_text"] == "Stallholders voted."
    assert result["body_text"] == "Café owners agree.\n\nMore."


def test_authors_and_tags_drop_empties_and_duplicates_keeping_order() -> None:
    result = normalize_article_text(article(), TransformSettings())
    assert result["authors"] == ["Priya Hallam", "Tomas"]
    assert result["tags"] == ["Local", "Transport"]


def test_article_is_not_mutated() -> None:
    original = article()
    normalize_article_text(original, TransformSettings())
    assert original == article()


def test_missing_fields_stay_empty() -> None:
    result = normalize_article_text({"kind": "article"}, TransformSettings())  # type: ignore[arg-type]
    assert result["title"] is None and result["body_text"] is None
    assert result["authors"] == [] and result["tags"] == []


def test_error_records_pass_through_untouched() -> None:
    error = make_error("parse", "malformed_xml", "bad", source={"uri": "x"})
    assert normalize_article_text(error, TransformSettings()) is error  # type: ignore[arg-type]


def test_mojibake_cut_inside_its_last_character_is_repaired_and_loses_the_half() -> None:
    # A Turkish summary encoded twice and cut after the first byte of its last "ğ" ("Ä" once misread).
    broken = "Kargo g\u00c3\u00b6nderece\u00c4\u0178im, de\u00c4\u0178il \u00c5\u0178irket oldu\u00c4..."
    assert normalize_text(broken) == "Kargo g\u00f6nderece\u011fim, de\u011fil \u015firket oldu..."


def test_correct_text_ending_in_an_accented_letter_keeps_it() -> None:
    assert normalize_text("Le caf\u00e9 est bon, je suis all\u00e9") == "Le caf\u00e9 est bon, je suis all\u00e9"
    assert normalize_text("Pr\u00eat \u00e0 partir, d\u00e9j\u00e0 fini\u2026 \u00c2") == "Pr\u00eat \u00e0 partir, d\u00e9j\u00e0 fini\u2026 \u00c2"
