"""Tests of transforms.beam's shared matcher: one per process and settings, and no gazetteer kept alive."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from transforms import gazetteer_cache
from transforms.beam import shared_matcher
from transforms.gazetteer import Alias, Gazetteer, GazetteerEntity
from transforms.settings import TransformSettings


def small_gazetteer() -> Gazetteer:
    """A made-up gazetteer of one person."""
    entity = GazetteerEntity("person:jane-roe", "Jane Roe", "person")
    return Gazetteer({entity.id: entity}, {"jane roe": Alias(entity.id, "Jane Roe", True, 0)})


@pytest.fixture(autouse=True)
def new_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts as a new worker process would: no gazetteer loaded, no matcher built."""
    monkeypatch.setattr(gazetteer_cache, "_loaded", {})
    shared_matcher.cache_clear()
    yield
    shared_matcher.cache_clear()


@pytest.fixture
def gazetteers_made(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, weakref.ref[Gazetteer]]]:
    """A fast made-up build instead of the real one; (how, weak reference) for every gazetteer built or read."""
    made: list[tuple[str, weakref.ref[Gazetteer]]] = []
    read_cache_file = gazetteer_cache.read_cache_file

    def build(alias_paths: tuple[str, ...], min_city_population: int) -> Gazetteer:
        gazetteer = small_gazetteer()
        made.append(("built", weakref.ref(gazetteer)))
        return gazetteer

    def read(path: Path, key: str) -> Gazetteer | None:
        gazetteer = read_cache_file(path, key)
        if gazetteer is not None:
            made.append(("read", weakref.ref(gazetteer)))
        return gazetteer

    monkeypatch.setattr(gazetteer_cache, "build_gazetteer_uncached", build)
    monkeypatch.setattr(gazetteer_cache, "read_cache_file", read)
    return made


@pytest.mark.parametrize("source", ["built without a cache directory", "built into the cache", "read"])
def test_the_shared_matcher_keeps_no_gazetteer_alive(
    tmp_path: Path, gazetteers_made: list[tuple[str, weakref.ref[Gazetteer]]], source: str
) -> None:
    settings = TransformSettings(cache_dir=None if source.endswith("without a cache directory") else str(tmp_path))
    if source == "read":
        shared_matcher(settings)  # builds and keeps the file
        shared_matcher.cache_clear()
        gazetteers_made.clear()
    matcher = shared_matcher(settings)
    gc.collect()
    assert [how for how, _ in gazetteers_made] == ["read" if source == "read" else "built"]
    assert all(reference() is None for _, reference in gazetteers_made)
    assert gazetteer_cache._loaded == {}
    assert [match.entity_id for match in matcher.find("Jane Roe said")] == ["person:jane-roe"]


def test_one_matcher_per_settings_in_a_process(tmp_path: Path, gazetteers_made: list) -> None:
    settings = TransformSettings(cache_dir=str(tmp_path))
    assert shared_matcher(settings) is shared_matcher(TransformSettings(cache_dir=str(tmp_path)))
    assert len(gazetteers_made) == 1
