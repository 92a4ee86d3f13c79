"""transforms.script_weights: how much text a string holds, counted as Latin-script text would be."""

from __future__ import annotations

import pytest

from transforms.script_weights import LATIN_CHARS_PER_WORD, latin_length, word_count


@pytest.mark.parametrize("text", ["Harbour  reopens\n after the storm", "Паром вернётся на линию",
                                  "افتتاح الجسر الجديد", "Ferry \u201cback\u201d on Monday \u2014 at last"])
def test_latin_cyrillic_and_arabic_text_counts_its_characters_with_whitespace_collapsed(text: str) -> None:
    assert latin_length(text) == len(" ".join(text.split()))


def test_a_han_character_counts_three_and_a_kana_or_hangul_syllable_two() -> None:
    assert latin_length("国际新闻") == 12
    assert latin_length("ニュース") == 8 and latin_length("ﾆｭｰｽ") == 8  # half-width katakana too
    assert latin_length("뉴스 속보") == 9  # two syllables, a space, two syllables
    assert latin_length("続きを読む") == 3 * 2 + 2 * 3  # kanji 続 読, kana きをむ
    assert latin_length("\U00020000") == 3  # beyond the Basic Multilingual Plane


def test_thai_and_full_width_punctuation_count_one() -> None:
    assert latin_length("ข่าว") == 4  # a consonant, a vowel, a tone mark, a consonant
    assert latin_length("。、「」") == 4


def test_whitespace_is_kept_when_asked() -> None:
    assert latin_length("Harbour\n\nreopens", collapse_whitespace=False) == 16
    assert latin_length("港口\n\n重开", collapse_whitespace=False) == 14
    assert latin_length(None) == 0 and latin_length("") == 0


def test_spaced_text_has_a_word_per_run_between_spaces() -> None:
    assert word_count("Storm closes coastal roads") == 4
    assert word_count("Паром вернётся на линию") == 4
    assert word_count("해안도로 확장 공사 다음 달 착공") == 6  # Korean is spaced: its runs are words


def test_text_without_spaces_has_its_latin_length_in_words() -> None:
    assert word_count("国际") == 1  # a menu entry
    assert word_count("晨江大桥夜间封闭施工") == 10 * 3 / LATIN_CHARS_PER_WORD  # a headline: five words
    assert word_count("もっと見る") < 4 <= word_count("港湾地区の再開発計画、来年春に着工へ")
    assert word_count("ดูทั้งหมด") < 4 <= word_count("เทศบาลเร่งขุดลอกคลองก่อนเข้าฤดูฝน")  # "see all"; a headline
    assert word_count("iPhone 发布会") == 1 + 9 / LATIN_CHARS_PER_WORD
