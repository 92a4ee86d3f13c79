"""py3langid's model, read from a decompressed copy kept in the cache directory.

py3langid ships its model LZMA-compressed (4.5 MB); decompressing it (68 MB) took 1 to 2 s of every process
that detects a language: each run, and each worker process of a run. The decompressed file is kept in the
cache directory (the gazetteer's), named by a hash of the shipped file, and read in about 0.15 s. It is
NumPy's npz format, read with ``allow_pickle=False``: reading it runs no code. It is written under a
temporary name and renamed into place, so processes racing leave one whole file; a missing or unreadable
file means the shipped model is read as before (and an unusable copy is removed), never a failed run.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import lzma
import shutil
from pathlib import Path

import numpy as np
from py3langid import modelio
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

from pipeline.atomic_files import replace_atomically, temp_path_for

SHIPPED_MODEL = MODEL_DIR / MODEL_FILE
FILE_PREFIX = "langid-"
LOG = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def shipped_model_digest() -> str:
    """A hex digest of the model file py3langid ships: a new py3langid model names a new cache file."""
    return hashlib.sha256(SHIPPED_MODEL.read_bytes()).hexdigest()


def cached_model_path(cache_dir: str) -> Path:
    """Where the decompressed model is kept in ``cache_dir``."""
    return Path(cache_dir) / f"{FILE_PREFIX}{shipped_model_digest()[:32]}.npz"


def load_identifier(cache_dir: str | None) -> LanguageIdentifier:
    """py3langid's identifier (normalized probabilities), from the decompressed copy in ``cache_dir``
    when one is there or can be made, else from the shipped file."""
    if cache_dir is not None:
        path = cached_model_path(cache_dir)
        try:
            if not path.exists():
                decompress_model(path)
            return identifier_from_npz(path)
        except Exception as error:  # noqa: BLE001 - whatever is wrong with the copy, the shipped model is the answer
            LOG.warning("language model cache %s unusable (%s: %s): reading the shipped model",
                        path, type(error).__name__, error)
            _remove_quietly(path)  # the next process makes a new copy
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def decompress_model(path: Path) -> None:
    """Write the shipped model, decompressed, to ``path`` (atomically), and remove stale copies beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_path_for(path)
    try:
        with lzma.open(SHIPPED_MODEL) as source, open(temp, "wb") as target:
            shutil.copyfileobj(source, target, length=1 << 20)
        replace_atomically(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    for stale in path.parent.glob(f"{FILE_PREFIX}*.npz"):
        if stale.name != path.name:
            stale.unlink(missing_ok=True)


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


def identifier_from_npz(path: Path) -> LanguageIdentifier:
    """The identifier built from a decompressed model file, as py3langid builds it from the shipped one."""
    with np.load(path, allow_pickle=False) as data:
        return LanguageIdentifier(
            np.asarray(data["ptc"]), np.asarray(data["pc"]), data["classes"].tolist(),
            modelio._to_array(data["nextmove"]), data["out_feat"].tolist(),  # noqa: SLF001 - py3langid's own converter
            norm_probs=True, tk_row=modelio._to_array(data["nextmove_row"]),  # noqa: SLF001
        )

