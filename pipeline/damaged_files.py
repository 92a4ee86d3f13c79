"""A dataset file that cannot be read as Parquet: named when a command meets it, so that the command stops
with a clear message instead of a traceback, and ``newsbeam repair`` (``pipeline.repair``) can set it aside.

newsbeam writes every file under a temporary name and renames it, so its own crashes never leave one; a copy cut
short (``cp -r`` or a sync interrupted), a full disk of another tool, or bit rot do. Damage is what pyarrow says
of the bytes (``ArrowInvalid``: no magic bytes, size 0; an ``OSError`` without an errno: a footer or a page that
does not decode); an ``OSError`` with an errno (no such file, permission, disk full) is the system's, not the
file's, and passes unchanged.
"""

from __future__ import annotations

import contextlib
import logging
import pathlib
import re
from typing import Iterable, Iterator, TypeVar

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.error_chain import error_chain

T = TypeVar("T")
# the words of the error; Beam re-raises a worker's error as a RuntimeError that keeps only its text
DAMAGED_MESSAGE = re.compile(r"(\S+) cannot be read as Parquet: [^\n\[]*")
# DuckDB's words for the same (``newsbeam inspect`` and compaction read the dataset with it)
DUCKDB_DAMAGED_MESSAGES = (re.compile(r"(?P<reason>No magic bytes found at end of file) '(?P<path>[^'\n]+)'"),
                           re.compile(r"File '(?P<path>[^'\n]+)' (?P<reason>too small to be a Parquet file)"))


class DamagedFileError(Exception):
    """A dataset file whose bytes are not a readable Parquet file."""

    def __init__(self, path: str | pathlib.Path, reason: BaseException | str) -> None:
        self.path = str(path)
        first_line = (str(reason).strip().splitlines() or [type(reason).__name__])[0]
        self.reason = first_line[:200].rstrip(". ")
        super().__init__(f"{self.path} cannot be read as Parquet: {self.reason}")


def is_damage(error: BaseException) -> bool:
    """True for pyarrow's word that a file's bytes are not Parquet (not for a system error on the file)."""
    if isinstance(error, pa.ArrowInvalid):
        return True
    return isinstance(error, OSError) and error.errno is None


@contextlib.contextmanager
def damage_in(path: str | pathlib.Path) -> Iterator[None]:
    """Raise ``DamagedFileError`` naming ``path`` for damage met reading it in the block."""
    try:
        yield
    except (pa.ArrowInvalid, OSError) as exc:
        if not is_damage(exc):
            raise
        raise DamagedFileError(path, exc) from exc


def parquet_footer(path: str | pathlib.Path) -> pq.FileMetaData:
    """The footer of the Parquet file at ``path``."""
    with damage_in(path):
        return pq.read_metadata(path)


def rows_in_file(path: str | pathlib.Path) -> int:
    """The number of rows the footer of the Parquet file at ``path`` records."""
    return parquet_footer(path).num_rows


def checked_batches(path: str | pathlib.Path, batches: Iterable[T]) -> Iterator[T]:
    """The items of ``batches`` (read from ``path``), damage met while reading them named as ``path``'s."""
    with damage_in(path):
        yield from batches


def not_beam_report_of_damage(record: logging.LogRecord) -> bool:
    """A log filter: False for Beam's report of a worker's ``DamagedFileError`` (a traceback), which the command
    says in one line instead."""
    return not (record.name.startswith("apache_beam") and DAMAGED_MESSAGE.search(record.getMessage()) is not None)


def damaged_file_message(error: BaseException | None) -> str | None:
    """The ``DamagedFileError`` message in ``error`` or an error that led to it (also in the text of one that
    Beam re-raised), else None."""
    for cause in error_chain(error):
        if isinstance(cause, DamagedFileError):
            return str(cause)
        text = str(cause)
        if found := DAMAGED_MESSAGE.search(text):
            return found.group(0).rstrip(". ")
        for pattern in DUCKDB_DAMAGED_MESSAGES:
            if found := pattern.search(text):
                return str(DamagedFileError(found["path"], found["reason"]))
    return None
