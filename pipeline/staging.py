"""Stage article rows on disk before the shuffle, so that only one small marker per file crosses it.

The local runner holds all of a GroupByKey's data in memory, and with several worker processes it sends
that data through the driver twice. With whole articles in the shuffle, a run's memory grew with its
size (2 GB for 20,000 items, measured). So the step before the shuffle writes each article to a staging
file of its bundle and shard: a small header (the fields the writer decides on: id, times, content hash)
and the row. Only a marker naming the file crosses the shuffle, once per bundle and shard. The writer
reads the headers back as stubs (``expand_staged``), decides, and loads the rows one partition at a time
(``load_staged``). Error records are small and pass as they are.

Each file is new (a fresh uuid), so a retried bundle writes new files and the markers the runner keeps
name only the attempt that succeeded. Writes are unbuffered, so nothing depends on ``finish_bundle``,
which some runners skip. Files live under ``OUT/_state/staging/<run_id>/`` (on a cluster, the shared file
system the output is on), named like the sink's temporary files so that a killed run's leftovers go at
the next start; the run's last step removes the directory.
"""

from __future__ import annotations

import collections
import pathlib
import pickle
import shutil
import struct
import uuid
from typing import Any, BinaryIO, Iterable, Iterator

from pipeline.atomic_files import TEMP_MARKER
from pipeline.rows import TEXT_FLAG, carries_text
from schemas.article import ARTICLE_SCHEMA

STAGED = "staged_row"  # a stub's (path, offset, length) of its row
STAGED_FILE = "staged_file"  # a marker's file of staged articles
# What ``parquet_sink.write_article_shard`` reads of an article before it loads the rows: shard, partition,
# version, content hash, and what it counts. A field it starts to read there must be added here
# (tests/pipeline/test_staging.py compares a staged write with a direct one). Of the text, the header holds
# only whether there is any (``rows.TEXT_FLAG``, which decides between versions).
STUB_FIELDS = ("kind", "article_id", "published_at", "updated_at", "fetched_at", "content_sha256", "source_id",
               "uri", "body_status")
ROW_FIELDS = ARTICLE_SCHEMA.names
_LENGTH = struct.Struct("<Q")


def staging_root(output_dir: str | pathlib.Path) -> pathlib.Path:
    """The directory of every run's staging directory."""
    return pathlib.Path(output_dir) / "_state" / "staging"


def staging_directory(output_dir: str | pathlib.Path, run_id: str) -> pathlib.Path:
    """Where the rows of one run are staged."""
    return staging_root(output_dir) / run_id


def remove_staging(output_dir: str | pathlib.Path, run_id: str) -> None:
    """Delete a run's staged rows (its last step, once every writer is done)."""
    shutil.rmtree(staging_directory(output_dir, run_id), ignore_errors=True)


def remove_stale_staging(output_dir: str | pathlib.Path) -> int:
    """Delete the staging directories of runs that were killed (SIGKILL, a lost machine), which would pile up
    empty (their files are temporary files: ``remove_stale_temp_files`` takes them); call only while holding
    the output lock, which no other run can then be using. The number of directories removed."""
    root = staging_root(output_dir)
    stale = [path for path in root.iterdir() if path.is_dir()] if root.is_dir() else []
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    return len(stale)


def _pickled(value: Any) -> bytes:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(data)) + data


class StagingFile:
    """One staging file (of one bundle and shard): append articles, get their stubs, name it in a marker."""

    def __init__(self, directory: str | pathlib.Path) -> None:
        directory = pathlib.Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.path = str(directory / f".rows-{uuid.uuid4().hex}{TEMP_MARKER}staged")
        self._handle: BinaryIO = open(self.path, "wb", buffering=0)
        self._offset = 0

    def marker(self) -> dict[str, Any]:
        """The record that stands for every article of this file in the shuffle."""
        return {"kind": "staged", STAGED_FILE: self.path}

    def stage(self, article: dict[str, Any]) -> dict[str, Any]:
        """Write ``article``'s header and row fields (one unbuffered write); return its stub."""
        stub = {name: article.get(name) for name in STUB_FIELDS}
        stub[TEXT_FLAG] = carries_text(article)
        header = _pickled(stub)
        row = _pickled({name: article.get(name) for name in ROW_FIELDS})
        self._handle.write(header + row)
        stub[STAGED] = (self.path, self._offset + len(header) + _LENGTH.size, len(row) - _LENGTH.size)
        self._offset += len(header) + len(row)
        return stub

    def close(self) -> None:
        """Close the file (the rows are already written)."""
        self._handle.close()


def read_stubs(path: str) -> Iterator[dict[str, Any]]:
    """The stubs of the articles staged in ``path``, in order, without loading their rows."""
    with open(path, "rb") as handle:
        while length_bytes := handle.read(_LENGTH.size):
            stub = pickle.loads(handle.read(_LENGTH.unpack(length_bytes)[0]))
            (row_length,) = _LENGTH.unpack(handle.read(_LENGTH.size))
            stub[STAGED] = (path, handle.tell(), row_length)
            handle.seek(row_length, 1)
            yield stub


def expand_staged(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """``records`` with each marker replaced by the stubs of its file; other records as they are."""
    for record in records:
        if record.get("kind") == "staged":
            yield from read_stubs(record[STAGED_FILE])
        else:
            yield record


def load_staged(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The whole records, in order: stubs read back from their staging files, other records as they are."""
    loaded = list(records)
    by_path: dict[str, list[int]] = collections.defaultdict(list)
    for index, record in enumerate(records):
        if STAGED in record:
            by_path[record[STAGED][0]].append(index)
    for path, indexes in by_path.items():
        with open(path, "rb") as handle:
            for index in sorted(indexes, key=lambda position: records[position][STAGED][1]):
                _, offset, length = records[index][STAGED]
                handle.seek(offset)
                loaded[index] = {**pickle.loads(handle.read(length)), "kind": records[index]["kind"]}
    return loaded
