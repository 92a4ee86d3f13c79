"""Paths for DuckDB's file readers (``read_parquet``, ``parquet_kv_metadata``), taken literally.

DuckDB globs every path it is given, each element of a list too: ``out[1]/articles/.../part-00000.parquet``
reads ``out1``'s file when one exists, and ``a*b`` reads ``a*b`` and ``aXb`` both. Measured with DuckDB
2.0.1 on Linux: ``[``, ``*`` and ``?`` are the glob characters; written as the one-character classes
``[[]``, ``[*]``, ``[?]`` they match only themselves; ``]``, ``{``, ``}`` and ``,`` are plain characters
(no brace expansion). A backslash cannot be escaped: DuckDB splits a glob at backslashes as at slashes, so
a path holding one is only read as it is when it holds no glob character either. A relative path is made
absolute first (DuckDB expands a leading ``~`` and searches ``file_search_path`` for relative ones).
"""

from __future__ import annotations

import os
import pathlib

GLOB_CHARACTERS = frozenset("[*?")
DEFAULT_PATTERN = "**/*.parquet"


def literal_path_refusal(path: str | os.PathLike[str]) -> str | None:
    """Why DuckDB cannot read ``path`` literally (a backslash and a glob character in it), or None."""
    text = str(pathlib.Path(path).absolute())
    if "\\" in text and not GLOB_CHARACTERS.isdisjoint(text):
        return (f"DuckDB cannot read {text!r} literally: it holds a glob character and a backslash, and DuckDB "
                "takes a backslash in a glob for a directory separator (read it through a link without them)")
    return None


def duckdb_literal(path: str | os.PathLike[str]) -> str:
    """``path``, absolute, as DuckDB reads it literally: ``[``, ``*`` and ``?`` written ``[[]``, ``[*]``, ``[?]``.

    Raises ValueError where ``literal_path_refusal`` gives a reason."""
    refusal = literal_path_refusal(path)
    if refusal is not None:
        raise ValueError(refusal)
    return "".join(f"[{char}]" if char in GLOB_CHARACTERS else char for char in str(pathlib.Path(path).absolute()))


def duckdb_glob(directory: str | os.PathLike[str], pattern: str = DEFAULT_PATTERN) -> str:
    """The DuckDB glob ``pattern`` (``**/*.parquet`` by default) under ``directory``, the directory taken literally.

    Raises ValueError when ``directory`` holds a backslash: no DuckDB glob can name it."""
    root = duckdb_literal(directory)
    if "\\" in root:
        raise ValueError(f"DuckDB cannot glob under {root!r}: it takes a backslash in a glob for a directory "
                         "separator (read the files through a link without one)")
    return f"{root.rstrip('/')}/{pattern}"


def sql_string(value: str | os.PathLike[str]) -> str:
    """``value`` as a quoted SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"
