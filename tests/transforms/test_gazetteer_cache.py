"""Tests of transforms.gazetteer_cache: hits equal a fresh build, inputs invalidate, bad files mean a build."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from transforms import gazetteer_cache
from transforms.entities import EntityMatcher
from transforms.gazetteer import Alias, Gazetteer, GazetteerEntity, build_gazetteer
from transforms.gazetteer_cache import (
    cache_key, load_gazetteer, load_gazetteer_unkept, read_cache_file, write_cache_file,
)
from transforms.settings import TransformSettings

SAMPLE_ALIASES = Path(__file__).resolve().parents[2] / "examples" / "sample" / "aliases.toml"
TEXTS = (
    "Moscow and Baku signed the deal; NATO and the UN were told in London, Ontario, not London.",
    "В Москве и Баку обсудили поставки газа через Турцию.",
    "Azərbaycan Respublikasının Prezidenti Bakıda Türkiyə nümayəndə heyətini qəbul edib.",
    "Charlie Munger and Johan Santana flew to Baku; Santana stayed.",  # given names from the file
)


def small_gazetteer(aliases: int = 3) -> Gazetteer:
    """A made-up gazetteer, for tests of the file rather than of the data."""
    entity = GazetteerEntity("person:jane-roe", "Jane Roe", "person")
    return Gazetteer({entity.id: entity}, {f"roe {n}": Alias(entity.id, f"Roe {n}", True, 0) for n in range(aliases)})


@pytest.fixture(autouse=True)
def nothing_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts as a new process would: no gazetteer in memory."""
    monkeypatch.setattr(gazetteer_cache, "_loaded", {})


@pytest.fixture
def counted_builds(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """Replace the real build by a fast one that records its alias paths."""
    builds: list[tuple[str, ...]] = []

    def fake_build(alias_paths: tuple[str, ...], min_city_population: int) -> Gazetteer:
        builds.append(tuple(alias_paths))
        return small_gazetteer()

    monkeypatch.setattr(gazetteer_cache, "build_gazetteer_uncached", fake_build)
    return builds


def cache_files(directory: Path) -> list[Path]:
    return sorted(directory.iterdir())


def start_a_new_process() -> None:
    """Forget the gazetteers loaded so far, as the next process would not have them."""
    gazetteer_cache._loaded.clear()


@pytest.fixture(scope="module")
def cached_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache directory holding the real gazetteer with the sample's aliases."""
    directory = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(gazetteer_cache, "_loaded", {})
        load_gazetteer(TransformSettings(alias_paths=(str(SAMPLE_ALIASES),), cache_dir=str(directory)))
    return directory


def test_a_cache_hit_matches_exactly_as_a_fresh_build(cached_dir: Path, counted_builds: list) -> None:
    settings = TransformSettings(alias_paths=(str(SAMPLE_ALIASES),), cache_dir=str(cached_dir))
    cached = load_gazetteer(settings)
    fresh = build_gazetteer(TransformSettings(alias_paths=(str(SAMPLE_ALIASES),)))
    assert counted_builds == []  # read from the file, not built
    assert cached.aliases == fresh.aliases and cached.entities == fresh.entities
    assert cached.readings == fresh.readings != {}
    assert cached.given_names == fresh.given_names != ()
    cached_matcher, fresh_matcher = EntityMatcher(cached), EntityMatcher(fresh)
    for text in TEXTS:
        assert cached_matcher.find(text) == fresh_matcher.find(text) != []


def test_a_changed_alias_file_is_built_again_and_replaces_the_stale_file(
    tmp_path: Path, counted_builds: list
) -> None:
    aliases = tmp_path / "user.toml"
    aliases.write_text('drop_aliases = ["Nice"]\n', encoding="utf-8")
    settings = TransformSettings(alias_paths=(str(aliases),), cache_dir=str(tmp_path / "cache"))
    load_gazetteer(settings)
    start_a_new_process()
    load_gazetteer(settings)
    assert len(counted_builds) == 1
    first_files = cache_files(tmp_path / "cache")
    stat = aliases.stat()
    aliases.write_text('drop_aliases = ["Nile"]\n', encoding="utf-8")  # same size, and the same times below
    os.utime(aliases, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    load_gazetteer(settings)
    assert len(counted_builds) == 2
    assert len(first_files) == 1 and cache_files(tmp_path / "cache") not in ([], first_files)
    assert len(cache_files(tmp_path / "cache")) == 1


def test_a_process_reads_the_file_once_for_every_output_directory(tmp_path: Path, counted_builds: list) -> None:
    first = load_gazetteer(TransformSettings(cache_dir=str(tmp_path / "a")))
    for stale in cache_files(tmp_path / "a"):
        stale.unlink()
    assert load_gazetteer(TransformSettings(cache_dir=str(tmp_path / "b"))) is first
    assert len(counted_builds) == 1


def test_an_unkept_gazetteer_comes_from_the_same_file_and_stays_out_of_the_process(
    tmp_path: Path, counted_builds: list
) -> None:
    settings = TransformSettings(cache_dir=str(tmp_path))
    built = load_gazetteer_unkept(settings)
    assert gazetteer_cache._loaded == {} and len(cache_files(tmp_path)) == 1
    read = load_gazetteer_unkept(settings)
    assert len(counted_builds) == 1 and read is not built and read.aliases == built.aliases
    kept = load_gazetteer(settings)
    assert len(counted_builds) == 1 and kept.aliases == built.aliases
    assert load_gazetteer_unkept(settings) is kept  # already in memory for another caller: not read again


def test_without_a_cache_directory_an_unkept_gazetteer_is_built_each_time(counted_builds: list) -> None:
    first, second = load_gazetteer_unkept(TransformSettings()), load_gazetteer_unkept(TransformSettings())
    assert len(counted_builds) == 2 and first is not second and gazetteer_cache._loaded == {}


def test_the_population_threshold_is_part_of_the_key(tmp_path: Path) -> None:
    assert cache_key((), 100_000) != cache_key((), 15_000)
    aliases = tmp_path / "user.toml"
    aliases.write_text("", encoding="utf-8")
    assert cache_key((str(aliases),), 100_000) != cache_key((), 100_000)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: b"",
        lambda data: b"\x00\xff" * 100,  # not UTF-8
        lambda data: b"[" * 200_000,  # nesting deeper than the parser goes
        lambda data: data.replace(b'"aliases":[[', b'"aliases":[[7,', 1),  # one row of the wrong shape
        lambda data: data.replace(b'"entities":[', b'"entities":[5,', 1),
        lambda data: data.replace(b'"readings":[', b'"readings":[["roe 0","person:nobody"],', 1),
        lambda data: b'{"format": 1, "key": "other", "entities": [], "aliases": []}',  # another key
        lambda data: json.dumps({"aliases": None}).encode(),
    ],
    ids=["truncated", "empty", "binary", "deep", "alias-row", "entity-row", "unknown-reading", "other-key",
         "no-fields"],
)
def test_a_damaged_cache_file_means_a_build_never_a_failure(tmp_path: Path, counted_builds: list, damage) -> None:
    settings = TransformSettings(cache_dir=str(tmp_path))
    expected = load_gazetteer(settings)
    (path,) = cache_files(tmp_path)
    path.write_bytes(damage(path.read_bytes()))
    start_a_new_process()
    again = load_gazetteer(settings)
    assert len(counted_builds) == 2 and again.aliases == expected.aliases
    assert read_cache_file(path, cache_key((), settings.min_city_population)) is not None  # rewritten whole


def test_an_unwritable_cache_directory_still_gives_the_gazetteer(tmp_path: Path, counted_builds: list) -> None:
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("", encoding="utf-8")
    gazetteer = load_gazetteer(TransformSettings(cache_dir=str(not_a_directory / "cache")))
    assert len(gazetteer) == 3 and len(counted_builds) == 1


def test_concurrent_writers_and_readers_see_only_whole_files(tmp_path: Path) -> None:
    path, key, expected = tmp_path / "gazetteer-test.json", "k" * 64, small_gazetteer(aliases=20_000)
    seen: list[Gazetteer | None] = []

    def write() -> None:
        for _ in range(3):
            write_cache_file(path, key, expected)

    def read() -> None:
        for _ in range(20):
            seen.append(read_cache_file(path, key))

    threads = [threading.Thread(target=write) for _ in range(4)] + [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(result is None or result.aliases == expected.aliases for result in seen)
    assert cache_files(tmp_path) == [path]  # no temporary file left behind
    assert read_cache_file(path, key).aliases == expected.aliases
