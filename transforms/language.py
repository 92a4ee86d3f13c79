"""Detect the language of article text with py3langid, falling back to the source's declared language.

The model is loaded once per process, on first use, so that importing this module stays cheap and Beam
workers pay for it only if they detect; from the decompressed copy in the cache directory when there is
one (``transforms.language_model``: about 0.15 s instead of 1 to 2 s). py3langid answers with ISO 639-1 codes
where one exists; for the few varieties it only knows by an ISO 639-3 code, the code of the
macrolanguage is used when it has a two-letter one (Egyptian Arabic -> ar), else the three-letter code.
A guess below MIN_CONFIDENCE is not kept: the source's hint is used instead, or no language (None) when
there is none; on short or mixed text py3langid answers anything (Nigerian Pidgin at 0.04 for a football
score line), and a wrong code is worse than an unknown one. A guess that is a close sibling of the hint
(Norwegian for a Swedish source, Serbian for a Croatian one: ``CLOSE_LANGUAGES``) gives way to the hint, at
any confidence: the model tells such pairs apart worse than the source knows its own language. URLs and
e-mail addresses are left out of the text judged (long links made an English post "no language").
"""

from __future__ import annotations

import re

from py3langid.langid import LanguageIdentifier

from transforms.language_model import load_identifier
from transforms.records import Article, is_error
from transforms.settings import TransformSettings

MIN_TEXT_CHARS = 40  # below this the guess is noise ("Hello" comes out as Breton): trust the hint
MIN_CONFIDENCE = 0.5  # normalized probability; below it the hint wins, or no language without a hint
MAX_TEXT_CHARS = 2000  # enough for a confident guess; longer text only costs time
NO_LANGUAGE = "zxx"  # py3langid's label for text without linguistic content (numbers, code)
_LOADED: list[LanguageIdentifier] = []  # the process's identifier, once loaded
# Languages the model confuses with one another; within a group the source's declared language wins.
CLOSE_LANGUAGES = tuple(frozenset(group) for group in (
    {"no", "nb", "nn", "da", "sv"}, {"hr", "sr", "bs"}, {"cs", "sk"}, {"ms", "id"}, {"en", "pcm", "sco"},
    {"pt", "gl"}, {"nl", "af"},
))
_LINK_RE = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)  # links and e-mail addresses
MACROLANGUAGE = {"arz": "ar", "ary": "ar", "yue": "zh", "wuu": "zh", "uzs": "uz", "gug": "gn", "hbo": "he"}


def _identifier(cache_dir: str | None = None) -> LanguageIdentifier:
    """The py3langid model, loaded on the process's first call (from ``cache_dir`` when given) and then
    shared whatever the directory: runs in one process (tests, the stream's windows) load it once. Every
    language it knows stays allowed."""
    if not _LOADED:
        _LOADED.append(load_identifier(cache_dir))
    return _LOADED[0]


def detect_language(text: str | None, *, hint: str | None = None, cache_dir: str | None = None) -> str | None:
    """The language of ``text`` (ISO 639-1), or ``hint`` when the text is too short or unclear: then
    None without a hint.

    ``cache_dir`` says where the decompressed model may be kept; only the process's first call reads it.
    """
    hint = normalize_language_code(hint)
    sample = " ".join(_LINK_RE.sub(" ", (text or "")[:MAX_TEXT_CHARS]).split())
    if len(sample) < MIN_TEXT_CHARS:
        return hint
    language, confidence = _identifier(cache_dir).classify(sample)
    if language == NO_LANGUAGE or confidence < MIN_CONFIDENCE:
        return hint  # None without one: a low-confidence guess is noise, not a language
    language = MACROLANGUAGE.get(language, language)
    return hint if hint is not None and _are_close(language, hint) else language


def _are_close(language: str, other: str) -> bool:
    """Whether two codes are languages the model confuses (``CLOSE_LANGUAGES``)."""
    return any(language in group and other in group for group in CLOSE_LANGUAGES)


def normalize_language_code(code: str | None) -> str | None:
    """``en-GB``, ``EN_gb``, ``en`` -> ``en``; None for anything that is not a language code."""
    if not code:
        return None
    primary = code.strip().replace("_", "-").split("-")[0].lower()
    return primary if 2 <= len(primary) <= 3 and primary.isascii() and primary.isalpha() else None


NOT_A_LANGUAGE = frozenset({"und", "mul", "mis", "zxx"})  # ISO 639 codes for undetermined, many, none
MAX_LANGUAGE_NAME_CHARS = 60
# Names in use beside CLDR's (Persian, Bangla, Odia, Haitian Creole, Romanian)
OTHER_LANGUAGE_NAMES = {"farsi": "fa", "bengali": "bn", "oriya": "or", "haitian": "ht", "moldavian": "ro"}
_NAMED: dict[str, str] = {}  # English language name (casefolded) -> code, built on first use
_THREE_LETTER: dict[str, str] = {}  # ISO 639-2/639-3 code -> ISO 639-1 code, built with _NAMED


def language_code(value: str | None) -> str | None:
    """An ISO 639-1 code (else ISO 639-3, as py3langid's) from a code or an English language name, as news
    APIs give them: ``en-GB`` -> ``en``, ``eng`` / ``ger`` -> ``en`` / ``de`` (ISO 639-2 and 639-3),
    ``English`` / ``english`` -> ``en`` (GDELT, webz.io, NewsData.io); None for anything else."""
    if not isinstance(value, str) or len(value) > MAX_LANGUAGE_NAME_CHARS:
        return None
    code = normalize_language_code(value)
    if code is not None:
        if code in NOT_A_LANGUAGE:
            return None
        return _language_names()[1].get(code, code) if len(code) == 3 else code
    return _language_names()[0].get(" ".join(value.split()).casefold())


def _language_names() -> tuple[dict[str, str], dict[str, str]]:
    """(English name -> code, three-letter code -> two-letter code), from babel's CLDR data; the names map
    to two-letter codes where one exists (Norwegian -> no, Persian -> fa)."""
    if not _NAMED:
        from babel import Locale
        from babel.core import get_global

        for code, name in sorted(Locale("en").languages.items(), key=lambda pair: (len(pair[0]), pair[0])):
            if "_" not in code and code.isalpha() and len(code) in (2, 3):
                _NAMED.setdefault(name.casefold(), code)
        _NAMED.update(OTHER_LANGUAGE_NAMES)
        aliases = get_global("language_aliases")
        _THREE_LETTER.update({code: alias for code, alias in aliases.items()
                              if len(code) == 3 and len(alias) == 2 and alias.isalpha()})
    return _NAMED, _THREE_LETTER


def annotate_language(article: Article, settings: TransformSettings) -> Article:
    """Set ``language``: detected from title, summary and body, or the source's hint when not detecting."""
    if is_error(article):  # type: ignore[arg-type]
        return article
    hint = article.get("language_hint")
    if settings.detect_language:
        parts = (article.get(field) for field in ("title", "summary_text", "body_text"))
        text = "\n".join(part for part in parts if part)[:MAX_TEXT_CHARS]
        language = detect_language(text, hint=hint, cache_dir=settings.cache_dir)
    else:
        language = normalize_language_code(hint)
    return {**article, "language": language}  # type: ignore[typeddict-item]
