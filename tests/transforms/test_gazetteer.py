"""Tests of transforms.gazetteer: sources, ids, ambiguity rules, alias files and caching."""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest

from transforms import gazetteer as gazetteer_module
from transforms.gazetteer import ENTITY_TYPES, Gazetteer, build_gazetteer, check_alias_file, place_names
from transforms.settings import TransformSettings

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_ALIASES = REPO_ROOT / "examples" / "sample" / "aliases.toml"
MOSCOW, LONDON, LONDON_ONTARIO, NEW_YORK_CITY = "city:524901", "city:2643743", "city:6058560", "city:5128581"
ANDORRA_LA_VELLA = "city:3041563"  # a capital of about 20,000 people
TBILISI, BATUMI, BAKU, DHAKA, KOLKATA = "city:611717", "city:615532", "city:587084", "city:1185241", "city:1275004"

USER_FILE = """
drop_aliases = ["Nice", "Того"]
drop_ids = ["city:2643743"]

[[entity]]
id = "country:TR"
name = "Türkiye"
aliases = ["Turkish Republic"]

[[entity]]
id = "person:jane-roe"
name = "Jane Roe"
type = "person"
aliases = ["Karabakh", "J. Roe", "Того"]

[[entity]]
id = "person:jane-doe"
name = "Jane Doe"
type = "person"
aliases = ["J. Roe"]
"""


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    """The packaged gazetteer with default settings."""
    return build_gazetteer(TransformSettings())


@pytest.fixture(scope="module")
def user_gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    """The packaged gazetteer plus ``USER_FILE``."""
    path = tmp_path_factory.mktemp("aliases") / "user.toml"
    path.write_text(USER_FILE, encoding="utf-8")
    return build_gazetteer(TransformSettings(alias_paths=(str(path),)))


def entity_id(gazetteer: Gazetteer, name: str) -> str | None:
    """The id ``name`` resolves to, or None."""
    entity = gazetteer.lookup(name)
    return entity.id if entity else None


@pytest.mark.parametrize("name", ["Garabagh", "Karabakh", "Qarabag", "Qarabağ", "Nagorno-Karabakh", "Карабах"])
def test_karabakh_spellings_resolve_to_one_region(gazetteer: Gazetteer, name: str) -> None:
    entity = gazetteer.lookup(name)
    assert entity is not None and (entity.id, entity.name, entity.type) == ("region:karabakh", "Karabakh", "other")


@pytest.mark.parametrize("name", ["Azerbaijan", "Azərbaycan", "Азербайджан", "Aserbaidschan", "Azerbaïdjan"])
def test_country_names_in_several_languages_resolve_to_the_iso_id(gazetteer: Gazetteer, name: str) -> None:
    assert entity_id(gazetteer, name) == "country:AZ"


@pytest.mark.parametrize("name", ["Moscow", "Москва", "Moskva", "Moskau", "Moscou"])
def test_city_names_resolve_to_the_geonameid(gazetteer: Gazetteer, name: str) -> None:
    assert entity_id(gazetteer, name) == MOSCOW


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Москве", MOSCOW), ("Азербайджана", "country:AZ"), ("Bakıda", "city:587084"),
     ("Azərbaycanın", "country:AZ"), ("Qarabağda", "region:karabakh"), ("Russlands", "country:RU"),
     ("Арменией", "country:AM")],
)
def test_inflected_forms_resolve_to_their_entity(gazetteer: Gazetteer, name: str, expected: str) -> None:
    assert entity_id(gazetteer, name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("საქართველოს", "country:GE"), ("საქართველოში", "country:GE"), ("თბილისში", TBILISI),
     ("თბილისიდან", TBILISI), ("თბილისის", TBILISI), ("თბილისთან", TBILISI), ("ბათუმში", BATUMI),
     ("ბაქოში", BAKU), ("ბაქოდან", BAKU), ("უკრაინაში", "country:UA"), ("უკრაინის", "country:UA"),
     ("ამერიკის შეერთებულ შტატებში", None)],
)
def test_georgian_case_forms_resolve_to_their_entity(gazetteer: Gazetteer, name: str, expected: str | None) -> None:
    # The last one declines an adjective too (შეერთებული -> შეერთებულ): not made, no wrong entity either.
    assert entity_id(gazetteer, name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("ঢাকায়", DHAKA), ("ঢাকার", DHAKA), ("ঢাকাতে", DHAKA), ("কলকাতায়", KOLKATA), ("কলকাতার", KOLKATA),
     ("ভারতে", "country:IN"), ("ভারতের", "country:IN"), ("ভারতকে", "country:IN"), ("বাংলাদেশের", "country:BD")],
)
def test_bengali_case_forms_resolve_to_their_entity(gazetteer: Gazetteer, name: str, expected: str) -> None:
    assert entity_id(gazetteer, name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("ভারত", "country:IN"), ("भारत", "country:IN"), ("ישראל", "country:IL"), ("বাংলাদেশ", "country:BD"),
     ("पाकिस्तान", "country:PK"), ("איראן", "country:IR")],
)
def test_country_names_in_bengali_hindi_and_hebrew(gazetteer: Gazetteer, name: str, expected: str) -> None:
    assert entity_id(gazetteer, name) == expected


@pytest.mark.parametrize(
    ("word", "country_name"),
    [("माली", "माल्टा"), ("মালি", "মাল্টা"), ("মালির", "মাল্টার"), ("গিনির", "ঘানার"), ("הודו", "נפאל"),
     ("קניה", "פנמה"), ("פרו", "פנמה")],
)
def test_country_names_that_are_everyday_words_are_dropped_with_their_forms(
    gazetteer: Gazetteer, word: str, country_name: str
) -> None:
    # Gardener (Mali), guinea gold (Guinea), "they admitted" (India), purchase (Kenya), "pro-" (Peru); the same
    # language's other country names (Malta, Ghana, Nepal, Panama) and their forms are in.
    assert gazetteer.lookup(word) is None
    assert entity_id(gazetteer, country_name) is not None


@pytest.mark.parametrize(("word", "meaning"), [("আনন্দ", "joy"), ("কালি", "ink"), ("מרידה", "rebellion"),
                                             ("بالتي", "with which")])
def test_city_names_that_are_everyday_words_in_uncased_scripts_are_dropped(
    gazetteer: Gazetteer, word: str, meaning: str
) -> None:
    # Anand, Cali, Mérida, Bălţi in geonames; no capital tells the name from the word, and the word is common
    assert gazetteer.lookup(word) is None, meaning


def test_only_georgian_and_bengali_script_names_get_their_forms(gazetteer: Gazetteer) -> None:
    assert entity_id(gazetteer, "ঢাকার") == DHAKA and entity_id(gazetteer, "თბილისში") == TBILISI
    assert gazetteer.lookup("Dhakar") is None and gazetteer.lookup("Tbilisishi") is None
    assert gazetteer.lookup("ढाकार") is None  # Hindi: case is marked by separate words


@pytest.mark.parametrize("demonym", ["Pakistani", "Irani", "Kazakh", "Azerbaijani", "Armenian"])
def test_demonyms_and_ethnonyms_are_not_aliases(gazetteer: Gazetteer, demonym: str) -> None:
    assert gazetteer.lookup(demonym) is None


def test_capitals_are_included_below_the_population_threshold(gazetteer: Gazetteer) -> None:
    assert entity_id(gazetteer, "Andorra la Vella") == ANDORRA_LA_VELLA


def test_towns_below_the_threshold_are_left_out(gazetteer: Gazetteer) -> None:
    assert gazetteer.lookup("Shusha") is None


@pytest.mark.parametrize("name", ["Corona", "Batman", "Metro", "the valley", "Самое"])
def test_city_names_that_are_everyday_words_are_left_out(gazetteer: Gazetteer, name: str) -> None:
    assert gazetteer.lookup(name) is None


@pytest.mark.parametrize(
    ("acronym", "expected", "languages"),
    [("UE", "organisation:eu", ("ca", "es", "fr", "it", "pt", "ro")), ("AB", "organisation:eu", ("tr",)),
     ("OMS", "organisation:who", ("ca", "es", "fr", "it", "pt", "ro")), ("IWF", "organisation:imf", ("de",)),
     ("UNO", "organisation:un", ("de",)), ("ABD", "country:US", ("tr",)), ("ABŞ", "country:US", ("az",)),
     ("OTAN", "organisation:nato", ("ca", "es", "fr", "pt"))],
)
def test_acronyms_of_names_in_other_languages_are_limited_to_them(
    gazetteer: Gazetteer, acronym: str, expected: str, languages: tuple[str, ...]
) -> None:
    # English has acronyms of its own with the same letters: user equipment, order management system, ...
    alias = gazetteer.aliases[acronym.lower().replace("ş", "s")]
    assert (alias.entity_id, alias.languages) == (expected, languages)
    assert gazetteer.aliases["eu"].languages == () and gazetteer.aliases["un"].languages == ()


@pytest.mark.parametrize("name", ["reunion", "morocco", "west bank", "new jersey", "group of seven", "group of twenty"])
def test_english_names_that_are_everyday_words_need_a_capital(gazetteer: Gazetteer, name: str) -> None:
    assert gazetteer.aliases[name].require_capital


@pytest.mark.parametrize(("name", "languages"), [("itu", ("en", "pt")), ("loja", ("en", "es")), ("bade", ("en",))])
def test_city_names_that_are_words_elsewhere_count_only_in_their_countrys_language_and_english(
    gazetteer: Gazetteer, name: str, languages: tuple[str, ...]
) -> None:
    # Indonesian "that", Portuguese "shop", Swedish "både" (both)
    assert gazetteer.aliases[name].languages == languages and gazetteer.aliases[name].require_capital


@pytest.mark.parametrize("word", ["Могу", "Думаю", "위해", "Kita"])
def test_names_of_small_foreign_cities_that_are_everyday_words_are_dropped(gazetteer: Gazetteer, word: str) -> None:
    # Russian "I can", "I think" (Moga, Dumai), Korean "for" (Weihai), Indonesian "we" (Kita)
    assert gazetteer.lookup(word) is None


@pytest.mark.parametrize("name", ["Google", "White House", "Senate", "Lime", "Island", "Chili"])
def test_alternate_names_that_are_english_words_are_left_out(gazetteer: Gazetteer, name: str) -> None:
    entity = gazetteer.lookup(name)
    assert entity is None or entity.type != "city" and not entity.id.startswith("country:"), entity


def test_alternate_names_with_diacritics_need_them_in_the_text(gazetteer: Gazetteer) -> None:
    alias = gazetteer.aliases["rest"]  # Turkish "Reşt" for Rasht
    assert alias.require_diacritics and alias.entity_id == "city:118743"


@pytest.mark.parametrize("name", ["ვანი", "सारी", "बारी", "কারা", "পুনো", "אולם"])
def test_short_uncased_names_of_small_foreign_cities_are_left_out(gazetteer: Gazetteer, name: str) -> None:
    # Georgian "Van" (Turkey; Vani is a Georgian town), Hindi "all" and "turn" (Sari, Bari), Bengali "who" (Kara,
    # Togo), Hebrew "hall" (Ulm): no capital tells these names from words or from home towns below the threshold.
    # Bengali Puno (Peru) has four letters, though folding splits its ো in two.
    assert gazetteer.lookup(name) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [("חיפה", "city:294801"), ("باكو", "city:587084"), ("ბაქო", "city:587084"), ("ঢাকা", "city:1185241")],
)
def test_short_uncased_names_of_home_or_big_cities_are_kept(gazetteer: Gazetteer, name: str, expected: str) -> None:
    # Haifa in Hebrew, Dhaka in Bengali: written in their country's script; Baku: a city of 1,000,000+.
    assert entity_id(gazetteer, name) == expected


def test_a_short_uncased_name_goes_to_the_city_of_a_country_that_writes_its_script() -> None:
    van = {"name": "Van", "countrycode": "TR", "population": 525016, "alternatenames": ["ვანი", "Ван"]}
    vani = {"name": "Vani", "countrycode": "GE", "population": 3151, "alternatenames": ["ვანი", "Вани"]}
    candidates = gazetteer_module._city_candidates({"298117": van, "611219": vani}, 1000, {})
    assert {(c.key, c.entity_id) for c in candidates if c.key == "ვანი"} == {("ვანი", "city:611219")}


def test_us_states_are_regions_that_lose_shared_names(gazetteer: Gazetteer) -> None:
    assert entity_id(gazetteer, "New Jersey") == "region:US-NJ"
    assert entity_id(gazetteer, "Georgia") == "country:GE"
    assert entity_id(gazetteer, "Washington") == "city:4140963"


def test_the_places_a_name_loses_are_kept_as_its_other_readings(gazetteer: Gazetteer) -> None:
    assert gazetteer.readings["georgia"] == ("region:US-GA",)
    assert gazetteer.readings["washington"] == ("region:US-WA",)
    assert gazetteer.readings["birmingham"] == ("city:4049979",)  # Alabama's, after England's
    assert gazetteer.readings["springfield"] == ("city:4951788", "city:4250542")  # after Missouri's: the biggest
    assert "region:US-GA" in gazetteer.entities and "paris" not in gazetteer.readings  # no other Paris of 100,000


def test_readings_are_own_names_only_not_alternate_names_or_case_forms(gazetteer: Gazetteer) -> None:
    candidates = [
        gazetteer_module._Candidate("georgia", "region:US-GA", "Georgia", gazetteer_module._RANK_US_STATE, 0.0),
        gazetteer_module._Candidate("georgia", "city:1", "Georgia", gazetteer_module._RANK_CITY_ALTERNATE, 9e9),
        gazetteer_module._Candidate("georgia", "country:GE", "Georgia", gazetteer_module._RANK_COUNTRY, 0.0),
    ]
    aliases = gazetteer_module._resolve(candidates)
    assert gazetteer_module._other_readings(candidates, aliases) == {"georgia": ("region:US-GA",)}


@pytest.mark.parametrize(
    ("entity", "country", "subdivision"),
    [("country:GE", "GE", ""), ("region:US-GA", "US", "US-GA"), ("region:CA-ON", "CA", "CA-ON"),
     ("region:US-NJ", "US", "US-NJ"),  # extended by the packaged alias file
     ("city:4180439", "US", "US-GA"),  # Atlanta
     ("city:6058560", "CA", ""),  # London, Ontario: geonames numbers Canada's provinces
     (TBILISI, "GE", ""), ("region:karabakh", "", ""), ("organisation:un", "", ""),
     ("region:england", "GB", "GB-ENG"), ("region:northern-ireland", "GB", "GB-NIR"),  # ids of their own
     ("city:2655603", "GB", "GB-ENG"), ("city:2650225", "GB", "GB-SCT")],  # Birmingham, Edinburgh
)
def test_every_place_knows_its_country_and_subdivision(
    gazetteer: Gazetteer, entity: str, country: str, subdivision: str
) -> None:
    assert (gazetteer.entities[entity].country, gazetteer.entities[entity].subdivision) == (country, subdivision)


def test_place_names_are_countries_us_states_capitals_and_big_cities_folded() -> None:
    names = place_names()
    assert {"ukraine", "georgia", "new york", "kyiv", "baku", "sao paulo", "andorra la vella"} <= names
    assert not {"shusha", "corona", "batman", "westhaven", "doe", "associated press"} & names
    assert place_names() is names  # read once per process


def test_a_name_shared_by_two_countries_is_dropped(gazetteer: Gazetteer) -> None:
    assert gazetteer.lookup("Congo") is None
    assert entity_id(gazetteer, "DR Congo") == "country:CD"


def test_the_more_populous_city_wins_a_shared_name(gazetteer: Gazetteer) -> None:
    assert entity_id(gazetteer, "London") == LONDON


def test_a_country_wins_over_a_city_of_the_same_name(gazetteer: Gazetteer) -> None:
    assert entity_id(gazetteer, "Armenia") == "country:AM"  # not Armenia, Colombia


def test_a_qualifier_in_a_cldr_name_does_not_steal_the_country(gazetteer: Gazetteer) -> None:
    assert entity_id(gazetteer, "China") == "country:CN"  # CLDR also says "Hong Kong SAR (China)"


def test_packaged_entries_extend_existing_entities(gazetteer: Gazetteer) -> None:
    assert entity_id(gazetteer, "Turkey") == "country:TR"
    assert entity_id(gazetteer, "США") == "country:US"
    assert entity_id(gazetteer, "New York") == NEW_YORK_CITY
    assert entity_id(gazetteer, "Gaza") == "region:gaza-strip"
    assert entity_id(gazetteer, "Gaza City") == "city:281133"


def test_the_packaged_file_names_states_and_a_city_that_lose_their_names_to_others(gazetteer: Gazetteer) -> None:
    assert entity_id(gazetteer, "New York State") == "region:US-NY"
    assert entity_id(gazetteer, "Washington State") == "region:US-WA"
    assert entity_id(gazetteer, "Newcastle") == "city:2641673"  # upon Tyne
    assert gazetteer.readings["newcastle"][0] == "city:2155472"  # New South Wales, bigger


def test_a_user_file_may_extend_a_us_state_without_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "states.toml"
    path.write_text('[[entity]]\nid = "region:US-TX"\naliases = ["Lone Star State"]\n', encoding="utf-8")
    built = build_gazetteer(TransformSettings(alias_paths=(str(path),)))
    assert entity_id(built, "Lone Star State") == "region:US-TX"
    assert built.entities["region:US-TX"].name == "Texas"


def test_every_entity_has_an_allowed_type(gazetteer: Gazetteer) -> None:
    assert {entity.type for entity in gazetteer.entities.values()} <= ENTITY_TYPES
    assert all(alias.entity_id in gazetteer.entities for alias in gazetteer.aliases.values())


def test_sample_alias_file_merges_the_ombudsman_spellings() -> None:
    gazetteer = build_gazetteer(TransformSettings(alias_paths=(str(SAMPLE_ALIASES),)))
    ids = {entity_id(gazetteer, name) for name in ("Ombudswoman", "Ombudsman", "Ombudsman's Office")}
    assert ids == {"organisation:az-ombudsman"}
    assert entity_id(gazetteer, "Səbinə Əliyeva") == entity_id(gazetteer, "Sabina Aliyeva") == "person:sabina-aliyeva"
    assert entity_id(gazetteer, "Şuşa") == "city:147105"  # a town added below the threshold


def test_user_entries_override_packaged_ones(user_gazetteer: Gazetteer) -> None:
    assert entity_id(user_gazetteer, "Karabakh") == "person:jane-roe"
    assert entity_id(user_gazetteer, "Qarabağ") == "region:karabakh"


def test_user_entry_can_rename_and_extend_an_existing_entity(user_gazetteer: Gazetteer) -> None:
    turkey = user_gazetteer.lookup("Turkish Republic")
    assert turkey is not None and (turkey.id, turkey.name, turkey.type) == ("country:TR", "Türkiye", "country")


def test_user_drops_remove_packaged_names_and_entities(user_gazetteer: Gazetteer) -> None:
    assert user_gazetteer.lookup("Nice") is None
    assert LONDON not in user_gazetteer.entities
    assert entity_id(user_gazetteer, "London") == LONDON_ONTARIO


def test_user_drops_do_not_remove_the_files_own_entries(user_gazetteer: Gazetteer) -> None:
    assert entity_id(user_gazetteer, "Того") == "person:jane-roe"


def test_the_later_user_entry_wins_a_shared_alias(user_gazetteer: Gazetteer) -> None:
    assert entity_id(user_gazetteer, "J. Roe") == "person:jane-doe"


@pytest.mark.parametrize(
    "entry",
    ['id = "region:x"\nname = "X"\ntype = "region"\naliases = ["X"]', 'id = "nocolon"\nname = "X"\ntype = "other"',
     'id = "person:x"\ntype = "person"', 'id = "person:x"\nname = "X"\ntype = "person"\naliases = "X"',
     'id = "person:x"\nname = "X"\ntype = "person"\nlanguage_aliases = { Turkish = ["X"] }',
     'id = "person:x"\nname = "X"\ntype = "person"\nlanguage_aliases = { tr = "X" }',
     'id = "person:x"\nname = "X"\ntype = "person"\nalias = ["X"]'],
)
def test_a_malformed_entry_is_an_error_naming_the_file(tmp_path: Path, entry: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(f"[[entity]]\n{entry}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.toml"):
        build_gazetteer(TransformSettings(alias_paths=(str(path),)))


def test_language_aliases_are_kept_with_their_languages_and_a_plain_spelling_wins(tmp_path: Path) -> None:
    path = tmp_path / "scoped.toml"
    path.write_text('[[entity]]\nid = "organisation:caspian-council"\nname = "Caspian Council"\n'
                    'type = "organisation"\naliases = ["CC"]\n'
                    'language_aliases = { tr = ["XK", "CC"], az = ["XK", "XŞ"] }\n', encoding="utf-8")
    built = build_gazetteer(TransformSettings(alias_paths=(str(path),)))
    assert {key: built.aliases[key].languages for key in ("xk", "xs", "cc", "caspian council")} == {
        "xk": ("az", "tr"), "xs": ("az",), "cc": (), "caspian council": ()}
    assert built.aliases["ab"].languages == ("tr",)  # the packaged file's Turkish "AB" for the EU


@pytest.mark.parametrize(("text", "said"), [
    ('drop_alias = ["Mobile"]\n', "unknown key 'drop_alias' (did you mean 'drop_aliases'?)"),
    ('[entity]\nid = "person:x"\nname = "X"\ntype = "person"\n', "entities are written as [[entity]] tables"),
    ('[[entity]]\nid = "person:x"\nname = "X"\ntype = "person"\nalias = ["Ex"]\n',
     "entity 'person:x': unknown key 'alias' (did you mean 'aliases'?)"),
])
def test_a_misspelt_key_is_an_error_not_an_entry_without_names(tmp_path: Path, text: str, said: str) -> None:
    path = tmp_path / "typo.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(f"{path}: {said}")):
        check_alias_file(str(path))


def test_invalid_toml_is_an_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[[entity]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="broken.toml"):
        build_gazetteer(TransformSettings(alias_paths=(str(path),)))


def test_the_build_is_cached_until_an_alias_file_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    builds: list[tuple[tuple[str, ...], int]] = []

    def fake_build(alias_paths: tuple[str, ...], min_city_population: int) -> Gazetteer:
        builds.append((alias_paths, min_city_population))
        return Gazetteer({}, {})

    monkeypatch.setattr(gazetteer_module, "build_gazetteer_uncached", fake_build)
    gazetteer_module._build_cached.cache_clear()
    path = tmp_path / "user.toml"
    path.write_text("# empty\n", encoding="utf-8")
    settings = TransformSettings(alias_paths=(str(path),))
    first = build_gazetteer(settings)
    assert build_gazetteer(settings) is first and len(builds) == 1
    os.utime(path, ns=(1, 1))
    assert build_gazetteer(settings) is not first and len(builds) == 2
    assert build_gazetteer(TransformSettings(alias_paths=(str(path),), min_city_population=1)) is not first
    gazetteer_module._build_cached.cache_clear()


def test_extending_an_id_missing_from_the_data_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "missing.toml"
    path.write_text('[[entity]]\nid = "city:147105"\naliases = ["Shusha"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="missing.toml.*name and a type"):
        build_gazetteer(TransformSettings(alias_paths=(str(path),)))


def test_a_gazetteer_pickles(gazetteer: Gazetteer) -> None:
    copy = pickle.loads(pickle.dumps(gazetteer))
    assert len(copy) == len(gazetteer) and entity_id(copy, "Garabagh") == "region:karabakh"


_BUILD_DIGEST_CODE = """
import hashlib
from transforms.gazetteer import build_gazetteer_uncached
built = build_gazetteer_uncached((), 100_000)
rows = sorted(
    (folded, a.entity_id, a.surface, a.require_capital, a.require_diacritics) for folded, a in built.aliases.items()
)
print(hashlib.sha256(repr(rows).encode("utf-8")).hexdigest())
"""


def _build_digest(hash_seed: str) -> str:
    """Digest of the packaged gazetteer's aliases as built by a fresh process with ``PYTHONHASHSEED=hash_seed``."""
    completed = subprocess.run(
        [sys.executable, "-c", _BUILD_DIGEST_CODE], capture_output=True, text=True, check=True, cwd=REPO_ROOT,
        env={**os.environ, "PYTHONHASHSEED": hash_seed},
    )
    return completed.stdout.strip()


def test_the_build_does_not_depend_on_the_hash_seed() -> None:
    # Workers on other machines or processes must agree on every alias's written form: it decides the case rule.
    first = _build_digest("1")
    assert len(first) == 64 and first == _build_digest("2")
