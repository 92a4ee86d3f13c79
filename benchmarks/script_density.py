"""How many characters a script takes to say what English says: the check on ``script_weights.SCRIPT_WEIGHTS``.

Parallel text that ships with Babel: CLDR's names of languages, territories, scripts, currencies and the like, in
English and in each locale. For each locale it prints the names both have, their characters (whitespace
collapsed) in English, as written, and as ``latin_length`` counts them: a ratio near 1 in the last column means
the weights count the locale's text as long as its English. Names are terse (a Japanese name of a foreign
country is spelt in kana, a Chinese one in two or three characters); prose is denser still in Chinese.

Run ``python -m benchmarks.script_density``.
"""

from __future__ import annotations

from babel import Locale

from transforms.script_weights import latin_length

LOCALES = ("zh", "zh_Hant", "ja", "ko", "th", "ru", "ar", "el")
NAME_TABLES = ("territories", "languages", "scripts", "currencies", "variants", "measurement_systems")


def names(locale: str) -> dict[tuple[str, str], str]:
    """Every CLDR name of the ``NAME_TABLES`` in ``locale``, by (table, code)."""
    found = Locale.parse(locale)
    return {(table, code): name for table in NAME_TABLES for code, name in getattr(found, table).items()}


def main() -> None:
    english = names("en")
    print(f"{'locale':8} {'names':>6} {'english':>8} {'chars':>7} {'en/chars':>8} {'latin':>7} {'en/latin':>8}")
    for locale in LOCALES:
        local = {key: value for key, value in names(locale).items() if key in english}
        english_chars = sum(len(" ".join(english[key].split())) for key in local)
        chars = sum(len(" ".join(value.split())) for value in local.values())
        latin = sum(latin_length(value) for value in local.values())
        print(f"{locale:8} {len(local):6} {english_chars:8} {chars:7} {english_chars / chars:8.2f} {latin:7} "
              f"{english_chars / latin:8.2f}")


if __name__ == "__main__":
    main()
