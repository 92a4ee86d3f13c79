"""Which item pages were fetched, and what came of it: ``OUT/_state/full_text.sqlite``.

One row per ``article_id`` (computed from the item's link exactly as the pipeline does, never from the
page) with the hash of the item as the feed gave it, so that a later run fetches a page again only when
its item changed, and otherwise hands the pipeline the stored page from the raw zone without a request.
A second table keeps, per host, the time before which the next request must not start, so that a long
Crawl-delay also holds across runs (a cron run every 15 minutes would otherwise reset it); a third keeps
each origin's robots.txt, which RFC 9309 lets a crawler reuse for up to 24 hours.

SQLite in WAL mode, one transaction per batch of updates, as ``pipeline/feed_state.py``: a run killed
mid-write leaves the last committed rows.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from transforms.records import PageInfo

STATE_DIR_NAME = "_state"
LEDGER_FILE_NAME = "full_text.sqlite"
SCHEMA_VERSION = 1

_CREATE_TABLES = (
    """CREATE TABLE IF NOT EXISTS pages (
        article_id TEXT PRIMARY KEY,
        item_sha256 TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        status TEXT NOT NULL,
        url TEXT,
        final_url TEXT,
        redirects TEXT,
        http_status INTEGER,
        content_type TEXT,
        raw_path TEXT,
        raw_sha256 TEXT,
        fetched_at TEXT,
        error_type TEXT,
        error_message TEXT
    )""",
    "CREATE TABLE IF NOT EXISTS hosts (host TEXT PRIMARY KEY, not_before TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS robots (
        origin TEXT PRIMARY KEY, fetched_at TEXT NOT NULL, outcome TEXT NOT NULL, body TEXT
    )""",
)
_INFO_COLUMNS = ("status", "url", "final_url", "redirects", "http_status", "content_type", "raw_path", "raw_sha256",
                 "fetched_at", "error_type", "error_message")


@dataclasses.dataclass(frozen=True)
class LedgerEntry:
    """What an earlier run did about one item's page."""

    article_id: str
    item_sha256: str  # hash of the item as the feed gave it when the page was fetched
    attempts: int  # runs in a row that tried this item's page (reset when the item changes)
    page: PageInfo


class PageLedger:
    """Read and update ``output_dir/_state/full_text.sqlite``; use from one thread."""

    def __init__(self, output_dir: str | Path) -> None:
        self.path = Path(output_dir) / STATE_DIR_NAME / LEDGER_FILE_NAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=FULL")
        for statement in _CREATE_TABLES:
            self._connection.execute(statement)
        self._connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        """Close the database."""
        self._connection.close()

    def __enter__(self) -> PageLedger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get(self, article_ids: Iterable[str]) -> dict[str, LedgerEntry]:
        """The entries of those ``article_ids`` that have one."""
        found: dict[str, LedgerEntry] = {}
        wanted = list(dict.fromkeys(article_ids))
        for start in range(0, len(wanted), 500):  # SQLite caps the number of parameters
            batch = wanted[start:start + 500]
            rows = self._connection.execute(
                f"SELECT article_id, item_sha256, attempts, {', '.join(_INFO_COLUMNS)} FROM pages "
                f"WHERE article_id IN ({', '.join('?' * len(batch))})", batch).fetchall()
            for article_id, item_sha256, attempts, *values in rows:
                found[article_id] = LedgerEntry(article_id, item_sha256, attempts, _page_from_row(values))
        return found

    def record(self, entries: Iterable[LedgerEntry]) -> None:
        """Insert or replace ``entries``, in one transaction."""
        rows = [(entry.article_id, entry.item_sha256, entry.attempts, *_row_from_page(entry.page))
                for entry in entries]
        placeholders = ", ".join("?" * (3 + len(_INFO_COLUMNS)))
        with self._transaction():
            self._connection.executemany(
                f"INSERT OR REPLACE INTO pages (article_id, item_sha256, attempts, {', '.join(_INFO_COLUMNS)}) "
                f"VALUES ({placeholders})", rows)

    def hosts_not_before(self) -> dict[str, dt.datetime]:
        """Per host, the UTC time before which no request may start (Crawl-delay across runs)."""
        rows = self._connection.execute("SELECT host, not_before FROM hosts").fetchall()
        return {host: dt.datetime.fromisoformat(not_before) for host, not_before in rows}

    def set_hosts_not_before(self, not_before: dict[str, dt.datetime]) -> None:
        """Remember, per host, the time before which the next run must not request it."""
        with self._transaction():
            self._connection.executemany("INSERT OR REPLACE INTO hosts (host, not_before) VALUES (?, ?)",
                                         [(host, when.isoformat()) for host, when in sorted(not_before.items())])

    def robots(self) -> dict[str, tuple[dt.datetime, str, str | None]]:
        """Per origin, the last robots.txt kept: (fetched_at, outcome, body text)."""
        rows = self._connection.execute("SELECT origin, fetched_at, outcome, body FROM robots").fetchall()
        return {origin: (dt.datetime.fromisoformat(fetched_at), outcome, body) for origin, fetched_at, outcome, body in rows}

    def set_robots(self, entries: dict[str, tuple[dt.datetime, str, str | None]]) -> None:
        """Keep robots.txt bodies (``{origin: (fetched_at, outcome, body)}``) for later runs."""
        with self._transaction():
            self._connection.executemany(
                "INSERT OR REPLACE INTO robots (origin, fetched_at, outcome, body) VALUES (?, ?, ?, ?)",
                [(origin, when.isoformat(), outcome, body) for origin, (when, outcome, body) in sorted(entries.items())])

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction: committed on success, rolled back on an exception."""
        self._connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._connection.execute("ROLLBACK")
            raise
        self._connection.execute("COMMIT")


def _row_from_page(page: PageInfo) -> list[object]:
    values = [page.get(column) for column in _INFO_COLUMNS]
    values[_INFO_COLUMNS.index("redirects")] = json.dumps(list(page.get("redirects") or []))
    return values


def _page_from_row(values: list[object]) -> PageInfo:
    page: dict[str, object] = dict(zip(_INFO_COLUMNS, values))
    page["redirects"] = json.loads(str(page["redirects"] or "[]"))
    page["from_earlier_run"] = True
    return PageInfo(**page)  # type: ignore[typeddict-item]
