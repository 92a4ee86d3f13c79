"""Per-feed polling state kept in ``OUT/_state/feeds.sqlite``: validators, failures, next poll time.

SQLite in WAL mode with one transaction per update, so a run killed mid-write leaves the last committed
state intact. Feeds that keep failing are backed off (the wait doubles with each consecutive failure, up
to a day) but stay in the table with their last error, for the caller to report as skipped.

Two kinds of failure count alike (``failure_kind``): ``fetch``, no usable answer (an HTTP error, a
timeout, a refused connection, ...), and ``content``, a 200 whose body gives no article but an error (an
HTML page, broken XML, a JSON error message at the feed URL): a feed that keeps answering 200 with
rubbish is not worth polling at full rate either. The next good body, or a 304, resets both.

A feed URL that serves a sitemap index keeps no validators of its own (a 304 from the index would hide its
sitemaps, which change while it does not); the sitemaps fetched for it keep theirs, per feed and sitemap URL,
in ``sitemap_state`` (``pipeline/sitemap_children.py``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pipeline.feed_config import FeedConfig
from pipeline.http_fetch import FetchResult

STATE_DIR_NAME = "_state"
STATE_FILE_NAME = "feeds.sqlite"
MAX_BACKOFF_S = 24 * 3600
MOVED_URL_MAX_FAILURES = 3  # failures in a row at a feed's moved-to URL before its configured URL is asked again
SCHEMA_VERSION = 3  # 2: failure_kind; 3: the sitemap_state table
FETCH_FAILURE = "fetch"
CONTENT_FAILURE = "content"

_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS feed_state (
    source_id TEXT PRIMARY KEY,
    url TEXT,
    etag TEXT,
    last_modified TEXT,
    last_status INTEGER,
    last_attempt_at TEXT,
    last_success_at TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_poll_at TEXT,
    permanent_url TEXT,
    failure_kind TEXT
)
"""
_ADDED_COLUMNS = {"failure_kind": "TEXT"}  # columns later schema versions added, for older databases
_CREATE_SITEMAP_TABLE = """
CREATE TABLE IF NOT EXISTS sitemap_state (
    source_id TEXT NOT NULL,
    url TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    PRIMARY KEY (source_id, url)
)
"""
Validators = tuple[str | None, str | None]  # (ETag, Last-Modified)


@dataclasses.dataclass(frozen=True)
class FeedState:
    """What we know about one feed between runs; times are UTC."""

    source_id: str
    url: str | None = None  # the configured URL this state belongs to
    etag: str | None = None
    last_modified: str | None = None
    last_status: int | None = None
    last_attempt_at: dt.datetime | None = None
    last_success_at: dt.datetime | None = None
    consecutive_failures: int = 0
    last_error: str | None = None
    next_poll_at: dt.datetime | None = None
    permanent_url: str | None = None  # where the feed moved (301/308); fetched instead of ``url``
    failure_kind: str | None = None  # of the last failure while failing: FETCH_FAILURE or CONTENT_FAILURE

    def backing_off(self, now: dt.datetime) -> bool:
        """True when the feed failed last time and its backoff has not yet run out."""
        return self.consecutive_failures > 0 and self.next_poll_at is not None and now < self.next_poll_at


_COLUMNS = tuple(field.name for field in dataclasses.fields(FeedState))
_TIME_COLUMNS = frozenset({"last_attempt_at", "last_success_at", "next_poll_at"})


class FeedStateStore:
    """Read and update feed states in ``output_dir/_state/feeds.sqlite``; use from one thread."""

    def __init__(self, output_dir: str | Path) -> None:
        self.path = Path(output_dir) / STATE_DIR_NAME / STATE_FILE_NAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: transactions are opened explicitly, one per update.
        self._connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=FULL")
        self._connection.execute(_CREATE_TABLE)
        self._connection.execute(_CREATE_SITEMAP_TABLE)
        present = {row[1] for row in self._connection.execute("PRAGMA table_info(feed_state)")}
        for column, column_type in _ADDED_COLUMNS.items():
            if column not in present:
                self._connection.execute(f"ALTER TABLE feed_state ADD COLUMN {column} {column_type}")
        self._connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        """Close the database."""
        self._connection.close()

    def __enter__(self) -> FeedStateStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get(self, source_id: str) -> FeedState | None:
        """The state of ``source_id``, or None for a feed never attempted."""
        row = self._connection.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM feed_state WHERE source_id = ?", (source_id,)
        ).fetchone()
        return _state_from_row(row) if row else None

    def all_states(self) -> list[FeedState]:
        """Every stored state, ordered by source id."""
        rows = self._connection.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM feed_state ORDER BY source_id"
        ).fetchall()
        return [_state_from_row(row) for row in rows]

    def due(self, feed: FeedConfig, now: dt.datetime) -> bool:
        """True when ``feed`` may be polled at ``now``: never polled, URL changed, or its time has come."""
        state = self.get(feed.source_id)
        if state is None or state.url != feed.url or state.next_poll_at is None:
            return True
        return _utc(now) >= state.next_poll_at

    def record_success(
        self, source_id: str, result: FetchResult, now: dt.datetime, poll_interval_s: int,
        *, feed_url: str | None = None,
    ) -> FeedState:
        """Store a fetched body's validators; reset failures; next poll after ``poll_interval_s``."""
        return self._update(source_id, feed_url, lambda old: dataclasses.replace(
            _succeeded(old, result, now, poll_interval_s),
            etag=result.etag,
            last_modified=result.last_modified,
        ))

    def record_not_modified(
        self, source_id: str, result: FetchResult, now: dt.datetime, poll_interval_s: int,
        *, feed_url: str | None = None,
    ) -> FeedState:
        """Store a 304: validators kept unless the server sent new ones; failures reset."""
        return self._update(source_id, feed_url, lambda old: dataclasses.replace(
            _succeeded(old, result, now, poll_interval_s),
            etag=result.etag or old.etag,
            last_modified=result.last_modified or old.last_modified,
        ))

    def record_failure(
        self, source_id: str, error: str, now: dt.datetime, poll_interval_s: int,
        *, feed_url: str | None = None, status: int | None = None, retry_after_s: float | None = None,
        kind: str = FETCH_FAILURE,
    ) -> FeedState:
        """Count a failure and back off: next poll after min(interval * 2**failures, 24 h).

        ``failures`` includes this one, so the first failure waits two intervals. A longer
        Retry-After from the server is honoured, up to the same day (a server asking for centuries made the
        date overflow and crashed the run). A ``CONTENT_FAILURE`` (a 200 whose body gave no
        article) keeps the old validators: storing the bad body's would let a 304 pass it as good. A feed
        fetched from where it moved (a 301/308) that fails ``MOVED_URL_MAX_FAILURES`` times in a row is asked
        at its configured URL again.
        """
        def failed(old: FeedState) -> FeedState:
            failures = old.consecutive_failures + 1
            wait_s = max(poll_interval_s, min(poll_interval_s * 2**failures, MAX_BACKOFF_S))
            wait_s = max(wait_s, min(retry_after_s or 0, MAX_BACKOFF_S))
            failed_state = dataclasses.replace(
                old, last_attempt_at=_utc(now), consecutive_failures=failures, last_error=error,
                last_status=status, next_poll_at=_utc(now) + dt.timedelta(seconds=wait_s), failure_kind=kind,
            )
            if old.permanent_url and failures % MOVED_URL_MAX_FAILURES == 0:
                # the moved-to URL broke (the new home gone, its domain parked): the next poll asks the configured
                # URL again, which redirects anew if the move still stands; the validators were the new home's
                return dataclasses.replace(failed_state, permanent_url=None, etag=None, last_modified=None)
            return failed_state

        return self._update(source_id, feed_url, failed)

    def sitemap_validators(self, source_id: str) -> dict[str, Validators]:
        """The validators of the sitemaps fetched for ``source_id``'s index, by sitemap URL."""
        rows = self._connection.execute(
            "SELECT url, etag, last_modified FROM sitemap_state WHERE source_id = ?", (source_id,)).fetchall()
        return {url: (etag, last_modified) for url, etag, last_modified in rows}

    def record_sitemap_validators(self, source_id: str, validators: dict[str, Validators]) -> None:
        """Replace the validators of ``source_id``'s sitemaps: those of this round's good answers, no others (a
        sitemap no longer followed, or that failed, is fetched whole next time)."""
        with self._transaction():
            self._connection.execute("DELETE FROM sitemap_state WHERE source_id = ?", (source_id,))
            self._connection.executemany(
                "INSERT INTO sitemap_state (source_id, url, etag, last_modified) VALUES (?, ?, ?, ?)",
                [(source_id, url, etag, last_modified) for url, (etag, last_modified) in validators.items()
                 if etag or last_modified])

    def _update(
        self, source_id: str, feed_url: str | None, change: Callable[[FeedState], FeedState]
    ) -> FeedState:
        """Read, change and write one state in a single transaction (so a crash keeps the old one)."""
        with self._transaction():
            old = self.get(source_id) or FeedState(source_id=source_id, url=feed_url)
            if feed_url is not None and old.url != feed_url:
                old = FeedState(source_id=source_id, url=feed_url)  # new URL: old validators do not apply
            new = change(old)
            placeholders = ", ".join("?" for _ in _COLUMNS)
            self._connection.execute(
                f"INSERT OR REPLACE INTO feed_state ({', '.join(_COLUMNS)}) VALUES ({placeholders})",
                _row_from_state(new),
            )
        return new

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction, committed whole or rolled back."""
        self._connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._connection.execute("ROLLBACK")
            raise
        self._connection.execute("COMMIT")


def _succeeded(old: FeedState, result: FetchResult, now: dt.datetime, poll_interval_s: int) -> FeedState:
    return dataclasses.replace(
        old,
        last_status=result.status,
        last_attempt_at=_utc(now),
        last_success_at=_utc(now),
        consecutive_failures=0,
        last_error=None,
        failure_kind=None,
        next_poll_at=_utc(now) + dt.timedelta(seconds=poll_interval_s),
        permanent_url=result.permanent_redirect_to or old.permanent_url,
    )


def _utc(when: dt.datetime) -> dt.datetime:
    """``when`` in UTC; naive datetimes are refused, as their zone is a guess."""
    if when.tzinfo is None:
        raise ValueError(f"naive datetime {when!r}: pass an aware UTC time")
    return when.astimezone(dt.timezone.utc)


def _row_from_state(state: FeedState) -> tuple[Any, ...]:
    values = dataclasses.asdict(state)
    return tuple(
        values[column].isoformat() if column in _TIME_COLUMNS and values[column] else values[column]
        for column in _COLUMNS
    )


def _state_from_row(row: tuple[Any, ...]) -> FeedState:
    values = dict(zip(_COLUMNS, row))
    for column in _TIME_COLUMNS:
        if values[column]:
            values[column] = dt.datetime.fromisoformat(values[column])
    return FeedState(**values)
