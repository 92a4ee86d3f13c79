"""Tests of transforms.language: language detection with py3langid and the source's hint as fallback."""

from __future__ import annotations

import hashlib
import pathlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms import language
from transforms.language import annotate_language, detect_language, language_code, normalize_language_code
from transforms.records import make_error
from transforms.settings import TransformSettings

SAMPLES = {
    "en": "The county council reopened the old stone footbridge on Tuesday after eight months of repairs.",
    "ru": "В Казани в четверг открыли новый пешеходный мост через реку после восьми месяцев ремонта.",
    "az": ("Bakı şəhərində yeni piyada körpüsü çərşənbə axşamı səkkiz aylıq təmirdən sonra "
           "istifadəyə verilib."),
    "fa": "پل عابر پیاده جدید در مرکز شهر پس از هشت ماه تعمیر روز سه\u200cشنبه بازگشایی شد.",
    "de": "Die neue Fußgängerbrücke in der Altstadt wurde am Dienstag nach acht Monaten Bauzeit eröffnet.",
}


@pytest.mark.parametrize("expected", sorted(SAMPLES))
def test_language_of_a_sentence_is_detected(expected: str) -> None:
    assert detect_language(SAMPLES[expected]) == expected


def test_detection_outweighs_a_wrong_hint_on_clear_text() -> None:
    assert detect_language(SAMPLES["az"], hint="tr") == "az"


@pytest.mark.parametrize("text", [None, "", "Hello", "Breaking: bridge reopens", "Ana səhifə"])
def test_text_too_short_to_judge_gives_the_hint(text: str | None) -> None:
    assert detect_language(text, hint="en-GB") == "en"
    assert detect_language(text) is None


def test_text_without_language_gives_the_hint() -> None:
    assert detect_language("12 345 678 910 11 12 13 14 15 16 17 18 19 20 21 22", hint="ru") == "ru"


# Long enough to be judged (over MIN_TEXT_CHARS) but a mix of names and numbers: py3langid answers with
# a low confidence (Nigerian Pidgin at 0.04, Kikuyu at 0.07 with the shipped model).
UNCLEAR = [
    "Premier League: Arsenal 2-1 Chelsea, Saka 34, Havertz 78",
    "Tashkent, Samarkand, Bukhara, Khiva: 4 cities 7 days",
]
PARAGRAPHS = {
    "en": ("The county council reopened the old stone footbridge on Tuesday after eight months of repairs. "
           "Engineers replaced the worn railings, rebuilt two of the arches and laid a new surface that "
           "should last for decades. Residents who had walked the long way round through the market since "
           "the winter said they were glad to have their shortcut back before the summer fair."),
    "ru": ("В Казани в четверг открыли новый пешеходный мост через реку после восьми месяцев ремонта. "
           "Рабочие заменили старые перила, укрепили опоры и уложили новое покрытие, которое, по словам "
           "инженеров, прослужит не одно десятилетие. Жители района говорят, что всю зиму ходили в обход "
           "через рынок и рады, что короткая дорога снова открыта."),
    "az": ("Bakı şəhərində yeni piyada körpüsü çərşənbə axşamı səkkiz aylıq təmirdən sonra istifadəyə "
           "verilib. Mühəndislər köhnə məhəccərləri dəyişib, dayaqları möhkəmləndirib və uzun illər "
           "davam edəcək yeni örtük salıblar. Sakinlər bildiriblər ki, qış boyu bazarın içindən dolanıb "
           "keçmək məcburiyyətində qalıblar və qısa yolun yenidən açılmasına sevinirlər."),
}


class _Guess:
    """A stand-in for the py3langid identifier that always answers one language and confidence."""

    def __init__(self, language: str, confidence: float) -> None:
        self.answer = (language, confidence)

    def classify(self, text: str) -> tuple[str, float]:
        return self.answer


@pytest.mark.parametrize("text", UNCLEAR)
def test_unclear_text_without_a_hint_gives_no_language(text: str) -> None:
    assert detect_language(text) is None


@pytest.mark.parametrize("text", UNCLEAR)
def test_unclear_text_gives_the_hint(text: str) -> None:
    assert detect_language(text, hint="en-GB") == "en"


@pytest.mark.parametrize(("guess", "confidence"), [("pcm", 0.43), ("ha", 0.047), ("en", 0.4999)])
def test_a_guess_below_the_threshold_is_no_language_without_a_hint(
    monkeypatch: pytest.MonkeyPatch, guess: str, confidence: float
) -> None:
    monkeypatch.setattr(language, "_identifier", lambda cache_dir=None: _Guess(guess, confidence))
    assert detect_language(SAMPLES["en"]) is None
    assert detect_language(SAMPLES["en"], hint="az") == "az"


def test_a_guess_at_the_threshold_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(language, "_identifier", lambda cache_dir=None: _Guess("az", language.MIN_CONFIDENCE))
    assert detect_language(SAMPLES["en"]) == "az"


@pytest.mark.parametrize("expected", sorted(PARAGRAPHS))
def test_language_of_a_paragraph_is_detected_without_a_hint(expected: str) -> None:
    assert detect_language(PARAGRAPHS[expected]) == expected


def test_article_with_unclear_text_and_no_hint_has_no_language() -> None:
    article = {"kind": "article", "title": UNCLEAR[0], "summary_text": None, "body_text": None,
               "language_hint": None}
    assert annotate_language(article, TransformSettings())["language"] is None  # type: ignore[arg-type]


def test_regional_variety_is_reported_as_its_macrolanguage(monkeypatch: pytest.MonkeyPatch) -> None:
    class Guess:
        def classify(self, text: str) -> tuple[str, float]:
            return "arz", 0.99

    monkeypatch.setattr(language, "_identifier", lambda cache_dir=None: Guess())
    assert detect_language(SAMPLES["en"]) == "ar"


# Bosnian the model reads as Croatian (0.54), Norwegian Bokmål it reads as "no" (0.72).
BOSNIAN = "Općinsko vijeće je odlučilo izgraditi novi most preko rijeke, a radovi počinju na proljeće."
BOKMAL = "Kommunen har bestemt at det skal bygges en ny bro over havna, og arbeidet starter til våren."


@pytest.mark.parametrize(("text", "hint", "guess"), [(BOSNIAN, "bs", "hr"), (BOKMAL, "nb", "no")])
def test_the_hint_wins_over_a_guess_of_a_close_sibling_language(text: str, hint: str, guess: str) -> None:
    assert detect_language(text) == guess
    assert detect_language(text, hint=hint) == hint


def test_a_hint_that_is_no_sibling_of_the_guess_gives_way_to_clear_text() -> None:
    assert detect_language(BOSNIAN, hint="de") == "hr"
    assert detect_language(SAMPLES["az"], hint="tr") == "az"


def test_links_are_not_judged_as_text() -> None:
    token = "".join(hashlib.sha256(str(number).encode()).hexdigest() for number in range(14))  # an image's id
    text = f"Thanks for all your questions tonight, here is the photo from the tour: https://img.example.net/{token}"
    assert detect_language(text) == "en"  # the whole text judged was "no language" (zxx, 0.99)
    assert detect_language(f"Thanks for all the questions tonight, write to me at {token}@example.net") == "en"


@pytest.mark.parametrize(("code", "expected"), [("en-GB", "en"), ("EN_us", "en"), (" az ", "az"), ("fil", "fil"),
                                                ("", None), (None, None), ("english", None), ("e1", None)])
def test_language_codes_are_reduced_to_the_primary_subtag(code: str | None, expected: str | None) -> None:
    assert normalize_language_code(code) == expected


def test_model_is_loaded_once_whatever_the_cache_directory(tmp_path: pathlib.Path) -> None:
    detect_language(SAMPLES["en"])
    first = language._identifier()
    detect_language(SAMPLES["ru"], cache_dir=str(tmp_path))
    assert language._identifier(str(tmp_path)) is first
    assert len(language._LOADED) == 1


@settings(max_examples=100, deadline=None)
@given(st.text(), st.sampled_from([None, "en", "az-Latn-AZ", "xx-invalid-", "!!"]))
def test_arbitrary_text_never_raises_and_gives_a_code_or_none(text: str, hint: str | None) -> None:
    result = detect_language(text, hint=hint)
    assert result is None or (result.isalpha() and result.islower() and 2 <= len(result) <= 3)


def test_article_language_comes_from_title_summary_and_body() -> None:
    article = {"kind": "article", "title": "Körpü açıldı", "summary_text": None, "body_text": SAMPLES["az"],
               "language_hint": "en"}
    result = annotate_language(article, TransformSettings())  # type: ignore[arg-type]
    assert result["language"] == "az"
    assert "language" not in article


def test_short_article_takes_the_language_of_its_source() -> None:
    article = {"kind": "article", "title": "Bridge open", "language_hint": "en-GB"}
    assert annotate_language(article, TransformSettings())["language"] == "en"  # type: ignore[arg-type]


def test_without_detection_the_hint_is_the_language() -> None:
    article = {"kind": "article", "body_text": SAMPLES["ru"], "language_hint": "uk"}
    settings_off = TransformSettings(detect_language=False)
    assert annotate_language(article, settings_off)["language"] == "uk"  # type: ignore[arg-type]


def test_error_records_pass_through_untouched() -> None:
    error = make_error("parse", "malformed_xml", "bad", source={"uri": "x"})
    assert annotate_language(error, TransformSettings()) is error  # type: ignore[arg-type]


@pytest.mark.parametrize(("value", "code"), [
    ("en", "en"), ("en-GB", "en"), ("English", "en"), ("english", "en"), ("  Brazilian  Portuguese ", None),
    ("Portuguese", "pt"), ("Norwegian", "no"), ("Persian", "fa"), ("Farsi", "fa"), ("Bengali", "bn"),
    ("eng", "en"), ("ger", "de"), ("deu", "de"), ("zho", "zh"), ("nob", "nb"), ("fil", "fil"), ("pcm", "pcm"),
    ("und", None), ("zxx", None), ("Martian", None), ("", None), (None, None), ("English" * 20, None),
])
def test_language_code_reads_codes_and_english_language_names(value: str | None, code: str | None) -> None:
    assert language_code(value) == code
