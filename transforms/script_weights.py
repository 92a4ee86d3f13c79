"""How much a text holds, counted as Latin-script text would be: in characters and in words, whatever its script.

Thresholds that tell a headline from a menu entry or a story from a cookie notice were set on Latin-script pages,
in characters and in words between spaces. Chinese and Japanese are written without spaces (a headline is one
"word") and say more per character; so are Thai, Lao, Khmer and Myanmar (no spaces between words), and Korean,
which has spaces but packs a syllable of two or three letters into each character. Counted as they are, an
index page of Chinese headlines has no headline at all, and a 150-character Japanese brief is no story.

The unit is the Latin character: each character counts as the Latin letters it stands for (``SCRIPT_WEIGHTS``),
and a word is ``LATIN_CHARS_PER_WORD`` of them where words are not spaced. The weights, from how the scripts
write: a kana is a syllable of one to three letters in romanization ("ka", "shi", "n"): 2; a Hangul block
writes a syllable of two or three letters (jamo): 2; a Han character is a syllable that is a word or most of one,
and Chinese text runs to about a third of the characters of its English translation: 3. Thai, Lao, Khmer and
Myanmar are alphabets and abugidas (each character a consonant, vowel or tone mark): 1. Cyrillic, Greek, Arabic,
Hebrew and Devanagari are spaced and count as Latin. Twitter, which counts a post's length so, weighs CJK and
Hangul characters 2 and Thai 1. Checked on parallel text that ships with Babel (CLDR's names of languages,
territories, scripts and currencies, 1,300 to 1,500 per locale; ``python -m benchmarks.script_density``): the
English names have 2.2 times the characters of the Chinese, 1.9 of the Korean, 1.6 of the Japanese, 1.05 of the
Thai, 0.9 to 1.0 of the Russian, Arabic and Greek; weighted, the Korean and Thai names count as long as the
English (ratios 1.0 and 1.05) and the Chinese and Japanese a quarter longer (0.8): names are terser than prose
(a Japanese name of a foreign country is spelt in kana), and translators count an English word for 1.5 to 2
Chinese characters. Where the weights err, they err towards a story: a short brief is kept rather than taken for
an index page.
"""

from __future__ import annotations

import re

# Scripts written without spaces between words (Thai, Lao, Myanmar, Khmer, kana, Han): a run of them is words,
# not one (``near_duplicates`` makes each such character a token of its own).
UNSPACED_SCRIPTS = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_UNSPACED = re.compile(f"[{UNSPACED_SCRIPTS}]")
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"  # unified ideographs, extensions, compatibility
KANA_AND_HANGUL = "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f\uac00-\ud7af"  # hiragana, katakana (half-width), syllables
SCRIPT_WEIGHTS = {"han": 3, "kana_and_hangul": 2}  # Latin characters per character; every other character is 1
FIRST_WEIGHTED = "\u3040"  # no character before it weighs more than 1
_WEIGHTED = re.compile(f"(?P<han>[{HAN}]+)|(?P<kana_and_hangul>[{KANA_AND_HANGUL}]+)")
# A Latin-script word with the space after it: English words average about five letters
LATIN_CHARS_PER_WORD = 6


def latin_length(text: str | None, *, collapse_whitespace: bool = True) -> int:
    """The length of ``text`` in Latin characters: each character of a dense script counts as the letters it stands
    for (``SCRIPT_WEIGHTS``). Whitespace is collapsed first unless ``collapse_whitespace`` is false (a length
    compared with a threshold set on ``len(text)``). Plain ASCII costs what a length always did."""
    if not text:
        return 0
    length = len(" ".join(text.split())) if collapse_whitespace else len(text)
    if text.isascii() or max(text) < FIRST_WEIGHTED:  # most text: no character to weigh (max is a C loop)
        return length
    for match in _WEIGHTED.finditer(text):
        length += (SCRIPT_WEIGHTS[match.lastgroup] - 1) * (match.end() - match.start())
    return length


def word_count(text: str) -> float:
    """How many words ``text`` holds: one per run between spaces, and for a run in a script written without
    spaces (Chinese, Japanese, Thai...) its ``latin_length`` over ``LATIN_CHARS_PER_WORD``: a Chinese headline of
    eight characters is four words, a menu entry of two ("国际") one."""
    runs = text.split()
    if text.isascii():
        return len(runs)
    return sum(latin_length(run) / LATIN_CHARS_PER_WORD if _UNSPACED.search(run) else 1 for run in runs)
