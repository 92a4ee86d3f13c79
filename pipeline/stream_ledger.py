"""The stream's ledger in ``OUT/_state/stream_ledger.sqlite``: every input it has seen, pending or done.

An input (a dropped file, or a fetched body already in the raw zone) is written here as *pending* before
the pipeline touches it, and marked *done* only after the pipeline that read it has finished writing.
So a stream stopped or killed at any moment loses nothing (pending inputs are processed first at the next
start) and ingests nothing twice (a done input is never queued again). SQLite in WAL mode: one
transaction per change, safe against a crash mid-write.

Done inputs that can never be queued again are forgotten (``forget_past_days``): the stream's polls add an entry
for every body fetched and every failure, and a ledger that kept them all grew without end (about 1 KB per
fetched body), while each window's queries for the pending inputs read the whole table. Those queries go
through an index of the pending inputs alone. A dropped file's entry stays while the drop directory lists the
file, and goes once it is moved away (``forget_gone_drops``): the ledger holds what the directory holds.
"""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import re
import sqlite3
from typing import Any, Iterable

from pipeline.sources import InputFile

LEDGER_FILE_NAME = "stream_ledger.sqlite"  # in OUT/_state
_CREATE = """
CREATE TABLE IF NOT EXISTS inputs (
    key TEXT PRIMARY KEY,
    descriptor TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'done')),
    queued_at TEXT NOT NULL,
    done_at TEXT
)
"""
# Ledger keys of inputs that are never queued again after their UTC day: a fetched body's key is its raw-zone
# path, which names the day of its fetch (the same body fetched on a later day is another key), and a fetch
# failure's key names its poll's time. Kept for the day, they stop a body fetched twice that day from being
# read twice; then they are forgotten, or the ledger grew by an entry per body and failure for ever. Dropped
# files' keys ("drop:") stay while the directory lists the file (``forget_gone_drops``).
ONE_DAY_KEYS = ("raw:", "error:")
DROP_PREFIX = "drop:"
ARCHIVE_CHUNK_SUFFIX = re.compile(r"#\d+$")  # an archive's chunk: KEY#N (``add_archive``)
# Only the pending inputs: each window's queries read these, however many done inputs the ledger holds.
_CREATE_PENDING_INDEX = "CREATE INDEX IF NOT EXISTS pending_inputs ON inputs (queued_at, key) WHERE status = 'pending'"


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    raise TypeError(f"cannot store {type(value).__name__} in the ledger")


def _decode(obj: dict[str, Any]) -> Any:
    return dt.datetime.fromisoformat(obj["$datetime"]) if set(obj) == {"$datetime"} else obj


class StreamLedger:
    """Pending and done inputs of the stream; one instance per process."""

    def __init__(self, output_dir: str | pathlib.Path) -> None:
        path = pathlib.Path(output_dir) / "_state" / LEDGER_FILE_NAME
        path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(path, isolation_level=None)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=FULL")
        self.connection.execute(_CREATE)
        self.connection.execute(_CREATE_PENDING_INDEX)

    def close(self) -> None:
        """Close the database."""
        self.connection.close()

    def known(self, key: str) -> bool:
        """True when ``key`` was ever queued (pending or done)."""
        return self.connection.execute("SELECT 1 FROM inputs WHERE key = ?", (key,)).fetchone() is not None

    def add_pending(self, items: Iterable[tuple[str, InputFile]], now: dt.datetime) -> int:
        """Queue (key, input) pairs not seen before, in one transaction; return how many were new."""
        with self.connection:
            return self._insert_pending(items, now)

    def _insert_pending(self, items: Iterable[tuple[str, InputFile]], now: dt.datetime) -> int:
        """Insert (key, input) pairs not seen before as pending, in the caller's transaction; how many were new."""
        rows = [(key, json.dumps(descriptor, default=_encode, sort_keys=True), now.isoformat())
                for key, descriptor in items]
        before = self.connection.total_changes
        self.connection.executemany(
            "INSERT OR IGNORE INTO inputs (key, descriptor, status, queued_at) VALUES (?, ?, 'pending', ?)", rows)
        return self.connection.total_changes - before

    def add_archive(self, key: str, path: str, chunks: list[InputFile], now: dt.datetime) -> int:
        """Queue an archive's chunks (keys ``KEY#N``) and record the archive itself as listed (done), in one
        transaction: a crash leaves either nothing (listed again) or all of it. Returns the chunks queued."""
        with self.connection:
            queued = self._insert_pending(((f"{key}#{number}", chunk) for number, chunk in enumerate(chunks)), now)
            self.connection.execute(
                "INSERT OR IGNORE INTO inputs (key, descriptor, status, queued_at, done_at) VALUES (?, ?, 'done', ?, ?)",
                (key, json.dumps({"path": path, "listed_chunks": len(chunks)}), now.isoformat(), now.isoformat()))
            return queued

    def pending(self, limit: int) -> list[tuple[str, InputFile]]:
        """Up to ``limit`` pending inputs, oldest first."""
        rows = self.connection.execute(
            "SELECT key, descriptor FROM inputs WHERE status = 'pending' ORDER BY queued_at, key LIMIT ?", (limit,))
        return [(key, json.loads(descriptor, object_hook=_decode)) for key, descriptor in rows]

    def pending_count(self) -> int:
        """How many inputs wait to be processed."""
        return self.connection.execute("SELECT count(*) FROM inputs WHERE status = 'pending'").fetchone()[0]

    def oldest_pending_at(self) -> dt.datetime | None:
        """When the oldest pending input was queued: the stream's lag."""
        row = self.connection.execute("SELECT min(queued_at) FROM inputs WHERE status = 'pending'").fetchone()
        return dt.datetime.fromisoformat(row[0]) if row and row[0] else None

    def mark_done(self, keys: Iterable[str], now: dt.datetime) -> None:
        """Mark inputs processed, in one transaction."""
        with self.connection:
            self.connection.executemany("UPDATE inputs SET status = 'done', done_at = ? WHERE key = ?",
                                        [(now.isoformat(), key) for key in keys])

    def forget_past_days(self, now: dt.datetime) -> int:
        """Forget the done fetches and fetch failures (``ONE_DAY_KEYS``) queued before ``now``'s UTC day began:
        their keys name their day, so they can never be queued again. Return how many."""
        midnight = now.astimezone(dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
        return self.forget_done(midnight, ONE_DAY_KEYS)

    def forget_gone_drops(self, present_keys: set[str]) -> int:
        """Forget the done dropped files (and the done chunks of dropped archives) whose key is not among
        ``present_keys``, the keys of the files the drop directory lists now: the file was moved away, or it
        changed (its key names its size and time). Without this the ledger held every file ever dropped. A file
        put back is read again, which writes no duplicate (the sink keeps one row per id). Return how many."""
        done = [key for (key,) in self.connection.execute(
            "SELECT key FROM inputs WHERE status = 'done' AND substr(key, 1, ?) = ?", (len(DROP_PREFIX), DROP_PREFIX))]
        gone = [(key,) for key in done if ARCHIVE_CHUNK_SUFFIX.sub("", key) not in present_keys
                and key not in present_keys]
        with self.connection:
            self.connection.executemany("DELETE FROM inputs WHERE key = ?", gone)
        return len(gone)

    def forget_done(self, queued_before: dt.datetime, prefixes: tuple[str, ...]) -> int:
        """Delete the done inputs queued before ``queued_before`` whose keys start with one of ``prefixes``
        (the caller knows which keys can never come again), in one transaction; return how many. Times are
        compared as the UTC ISO strings ``add_pending`` stores."""
        if not prefixes:
            return 0
        matches = " OR ".join("substr(key, 1, ?) = ?" for _ in prefixes)
        arguments = [value for prefix in prefixes for value in (len(prefix), prefix)]
        with self.connection:
            return self.connection.execute(
                f"DELETE FROM inputs WHERE status = 'done' AND queued_at < ? AND ({matches})",
                [queued_before.astimezone(dt.timezone.utc).isoformat(), *arguments]).rowcount
