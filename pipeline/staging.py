"""Stage article rows on disk before the shuffle, so that only small stubs cross it.

The local runner holds all of a GroupByKey's data in memory, and with several worker processes it sends
that data through the driver twice. With whole articles in the shuffle, a run's memory grows with its
size (2 GB for 20,000 items, measured). So the step before the shuffle writes each article's row to a
staging file and passes on a stub instead: the few fields the writer decides on (id, publication and
version times, content hash) and where the row is. The writer reads the rows back one partition at a
time (``load_staged``). Error records are small and pass as they are.

Each bundle writes its own file, named with a fresh uuid, so a retried bundle writes a new file and the
stubs the runner keeps point only at the attempt that succeeded. Writes are unbuffered (the row is in
the file when the stub leaves), so nothing depends on ``finish_bundle``, which some runners skip. Files
live under ``OUT/_state/staging/<run_id>/`` (on a cluster, the shared file system the output is on),
named like the sink's temporary files so that a killed run's leftovers go at the next start; the run's
last step removes the directory.
"""

from __future__ import annotations

import collections
import pathlib
import pickle
import shutil
import uuid
from typing import Any, BinaryIO

from pipeline.atomic_files import TEMP_MARKER
from schemas.article import ARTICLE_SCHEMA

STAGED = "staged_row"  # a stub's (path, offset, length) of its row
# What ``parquet_sink.write_article_shard`` reads of an article before it loads the rows: shard, partition,
# version, content hash, and what it counts. A field it starts to read there must be added here
# (tests/pipeline/test_staging.py compares a staged write with a direct one).
STUB_FIELDS = ("kind", "article_id", "published_at", "updated_at", "fetched_at", "content_sha256", "source_id",
               "uri", "body_status")
ROW_FIELDS = ARTICLE_SCHEMA.names


def staging_directory(output_dir: str | pathlib.Path, run_id: str) -> pathlib.Path:
    """Where the rows of one run are staged."""
    return pathlib.Path(output_dir) / "_state" / "staging" / run_id


def remove_staging(output_dir: str | pathlib.Path, run_id: str) -> None:
    """Delete a run's staged rows (its last step, once every writer is done)."""
    shutil.rmtree(staging_directory(output_dir, run_id), ignore_errors=True)


class StagingFile:
    """One bundle's staging file: append rows, get stubs."""

    def __init__(self, directory: str | pathlib.Path) -> None:
        directory = pathlib.Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.path = str(directory / f".rows-{uuid.uuid4().hex}{TEMP_MARKER}staged")
        self._handle: BinaryIO = open(self.path, "wb", buffering=0)
        self._offset = 0

    def stage(self, article: dict[str, Any]) -> dict[str, Any]:
        """Write the row fields of ``article``; return its stub."""
        data = pickle.dumps({name: article.get(name) for name in ROW_FIELDS}, protocol=pickle.HIGHEST_PROTOCOL)
        self._handle.write(data)
        stub = {name: article.get(name) for name in STUB_FIELDS}
        stub[STAGED] = (self.path, self._offset, len(data))
        self._offset += len(data)
        return stub

    def close(self) -> None:
        """Close the file (the rows are already written)."""
        self._handle.close()


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
