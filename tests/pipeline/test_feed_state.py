"""pipeline.feed_state: per-feed state in SQLite, backoff, and surviving a crash mid-write."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline.feed_config import FeedConfig
from pipeline.feed_state import CONTENT_FAILURE, MAX_BACKOFF_S, MOVED_URL_MAX_FAILURES, SCHEMA_VERSION, FeedStateStore
from pipeline.http_fetch import FetchResult

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)
URL = "https://a.example/rss"
FEED = FeedConfig(source_id="a", url=URL, poll_interval_s=900)
REPO_ROOT = Path(__file__).resolve().parents[2]


def ok_result(etag: str | None = '"v1"', last_modified: str | None = "Sun, 01 Mar 2026 11:00:00 GMT") -> FetchResult:
    return FetchResult(url=URL, final_url=URL, status=200, etag=etag, last_modified=last_modified, body=b"x")


def test_state_lives_in_output_state_folder_in_wal_mode(tmp_path: Path) -> None:
    with FeedStateStore(tmp_path) as store:
        store.record_success("a", ok_result(), NOW, 900, feed_url=URL)

    path = tmp_path / "_state" / "feeds.sqlite"
    assert path.exists()
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_success_stores_validators_and_next_poll(tmp_path: Path) -> None:
    with FeedStateStore(tmp_path) as store:
        assert store.get("a") is None and store.due(FEED, NOW)
        store.record_success("a", ok_result(), NOW, 900, feed_url=URL)
        state = store.get("a")

        assert state is not None and (state.etag, state.url, state.last_status) == ('"v1"', URL, 200)
        assert state.last_success_at == state.last_attempt_at == NOW
        assert state.next_poll_at == NOW + dt.timedelta(seconds=900)
        assert not store.due(FEED, NOW + dt.timedelta(seconds=899))
        assert store.due(FEED, NOW + dt.timedelta(seconds=900))


def test_not_modified_keeps_validators_unless_new_ones_come(tmp_path: Path) -> None:
    with FeedStateStore(tmp_path) as store:
        store.record_success("a", ok_result(), NOW, 900, feed_url=URL)
        not_modified = FetchResult(url=URL, final_url=URL, status=304, not_modified=True)
        kept = store.record_not_modified("a", not_modified, NOW + dt.timedelta(hours=1), 900, feed_url=URL)
        not_modified.etag = '"v2"'
        renewed = store.record_not_modified("a", not_modified, NOW + dt.timedelta(hours=2), 900, feed_url=URL)

    assert (kept.etag, kept.last_modified, kept.last_status) == ('"v1"', "Sun, 01 Mar 2026 11:00:00 GMT", 304)
    assert renewed.etag == '"v2"' and renewed.last_success_at == NOW + dt.timedelta(hours=2)


def test_backoff_doubles_with_consecutive_failures_up_to_a_day(tmp_path: Path) -> None:
    with FeedStateStore(tmp_path) as store:
        waits_s = []
        for _ in range(8):
            state = store.record_failure("a", "timeout: read timed out", NOW, 900, feed_url=URL)
            waits_s.append((state.next_poll_at - NOW).total_seconds())

        assert waits_s == [1800, 3600, 7200, 14400, 28800, 57600, MAX_BACKOFF_S, MAX_BACKOFF_S]
        assert state.consecutive_failures == 8 and state.last_error == "timeout: read timed out"
        assert state.backing_off(NOW) and not store.due(FEED, NOW + dt.timedelta(hours=23))
        assert store.all_states() == [state]  # backed off, never dropped


def test_success_after_failures_resets_the_backoff(tmp_path: Path) -> None:
    with FeedStateStore(tmp_path) as store:
        store.record_failure("a", "http_status: HTTP 503", NOW, 900, feed_url=URL)
        state = store.record_success("a", ok_result(), NOW + dt.timedelta(hours=1), 900, feed_url=URL)

    assert (state.consecutive_failures, state.last_error) == (0, None)
    assert not state.backing_off(NOW + dt.timedelta(hours=1))


def test_content_and_fetch_failures_share_one_backoff_and_keep_the_old_validators(tmp_path: Path) -> None:
    with FeedStateStore(tmp_path) as store:
        store.record_success("a", ok_result(), NOW, 900, feed_url=URL)
        store.record_failure("a", "http_status: HTTP 503", NOW, 900, feed_url=URL)
        state = store.record_failure("a", "parse:not_a_feed: expected a feed, got html", NOW, 900, feed_url=URL,
                                     status=200, kind=CONTENT_FAILURE)
        assert (state.consecutive_failures, state.failure_kind, state.etag) == (2, "content", '"v1"')
        assert state.next_poll_at == NOW + dt.timedelta(seconds=4 * 900)
        state = store.record_not_modified("a", ok_result(), NOW + dt.timedelta(hours=1), 900, feed_url=URL)

    assert (state.consecutive_failures, state.failure_kind, state.last_error) == (0, None, None)


def test_a_state_file_of_schema_1_gains_the_failure_kind(tmp_path: Path) -> None:
    (tmp_path / "_state").mkdir()
    with sqlite3.connect(tmp_path / "_state" / "feeds.sqlite") as connection:
        connection.execute("CREATE TABLE feed_state (source_id TEXT PRIMARY KEY, url TEXT, etag TEXT, "
                           "last_modified TEXT, last_status INTEGER, last_attempt_at TEXT, last_success_at TEXT, "
                           "consecutive_failures INTEGER NOT NULL DEFAULT 0, last_error TEXT, next_poll_at TEXT, "
                           "permanent_url TEXT)")
        connection.execute("INSERT INTO feed_state (source_id, url, consecutive_failures, last_error) "
                           "VALUES ('a', ?, 1, 'timeout: read timed out')", (URL,))

    with FeedStateStore(tmp_path) as store:
        assert (store.get("a").last_error, store.get("a").failure_kind) == ("timeout: read timed out", None)
        state = store.record_failure("a", "parse:malformed_xml: no items", NOW, 900, feed_url=URL,
                                     kind=CONTENT_FAILURE)

    assert (state.consecutive_failures, state.failure_kind) == (2, "content")


def test_a_state_file_of_schema_2_gains_the_sitemap_validators(tmp_path: Path) -> None:
    with FeedStateStore(tmp_path) as store:
        store.record_success("a", ok_result(), NOW, 900, feed_url=URL)
    with sqlite3.connect(tmp_path / "_state" / "feeds.sqlite") as connection:
        connection.execute("DROP TABLE sitemap_state")
        connection.execute("PRAGMA user_version=2")

    with FeedStateStore(tmp_path) as store:
        assert store.sitemap_validators("a") == {} and store.get("a").etag == '"v1"'
        store.record_sitemap_validators("a", {"https://a.example/news.xml": ('"n1"', None)})
        assert store.sitemap_validators("a") == {"https://a.example/news.xml": ('"n1"', None)}
    with sqlite3.connect(tmp_path / "_state" / "feeds.sqlite") as connection:
        assert connection.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


def test_sitemap_validators_are_replaced_per_feed_and_a_sitemap_without_any_is_not_kept(tmp_path: Path) -> None:
    with FeedStateStore(tmp_path) as store:
        store.record_sitemap_validators("a", {"https://a.example/1.xml": ('"1"', None)})
        store.record_sitemap_validators("b", {"https://b.example/1.xml": (None, "Sun, 01 Mar 2026 11:00:00 GMT")})
        store.record_sitemap_validators("a", {"https://a.example/2.xml": ('"2"', None),
                                              "https://a.example/3.xml": (None, None)})

        assert store.sitemap_validators("a") == {"https://a.example/2.xml": ('"2"', None)}
        assert store.sitemap_validators("b") == {"https://b.example/1.xml": (None, "Sun, 01 Mar 2026 11:00:00 GMT")}


def test_a_longer_retry_after_is_honoured(tmp_path: Path) -> None:
    with FeedStateStore(tmp_path) as store:
        state = store.record_failure("a", "http_status: HTTP 429", NOW, 900, feed_url=URL, retry_after_s=7200)

    assert state.next_poll_at == NOW + dt.timedelta(seconds=7200)


def test_permanent_redirect_is_kept_and_a_new_url_starts_afresh(tmp_path: Path) -> None:
    moved = FetchResult(url=URL, final_url="https://b.example/rss", status=200, body=b"x",
                        etag='"v1"', permanent_redirect_to="https://b.example/rss")
    with FeedStateStore(tmp_path) as store:
        store.record_success("a", moved, NOW, 900, feed_url=URL)
        assert store.get("a").permanent_url == "https://b.example/rss"
        store.record_success("a", ok_result(etag=None), NOW, 900, feed_url=URL)
        assert store.get("a").permanent_url == "https://b.example/rss"  # fetched there, no new redirect

        changed = FeedConfig(source_id="a", url="https://c.example/rss")
        assert store.due(changed, NOW)  # the configured URL changed: poll now
        state = store.record_failure("a", "timeout", NOW, 900, feed_url=changed.url)
        assert (state.url, state.permanent_url, state.etag) == (changed.url, None, None)


def test_a_moved_to_url_that_keeps_failing_gives_way_to_the_configured_one(tmp_path: Path) -> None:
    moved = FetchResult(url=URL, final_url="https://b.example/rss", status=200, body=b"x",
                        etag='"v1"', permanent_redirect_to="https://b.example/rss")
    with FeedStateStore(tmp_path) as store:
        store.record_success("a", moved, NOW, 900, feed_url=URL)
        states = [store.record_failure("a", "http_status: HTTP 404", NOW, 900, feed_url=URL)
                  for _ in range(MOVED_URL_MAX_FAILURES)]

    assert all(state.permanent_url == "https://b.example/rss" for state in states[:-1])
    assert (states[-1].permanent_url, states[-1].etag, states[-1].url) == (None, None, URL)
    assert states[-1].consecutive_failures == MOVED_URL_MAX_FAILURES  # the backoff goes on


def test_naive_times_are_refused(tmp_path: Path) -> None:
    with FeedStateStore(tmp_path) as store, pytest.raises(ValueError, match="naive"):
        store.record_failure("a", "x", dt.datetime(2026, 1, 1), 900)


def test_state_survives_a_process_killed_mid_transaction(tmp_path: Path) -> None:
    with FeedStateStore(tmp_path) as store:
        store.record_success("a", ok_result(), NOW, 900, feed_url=URL)
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(REPO_ROOT)!r})
        from pipeline.feed_state import FeedStateStore
        store = FeedStateStore({str(tmp_path)!r})
        connection = store._connection
        connection.execute("PRAGMA cache_size = 1")  # spill uncommitted pages into the WAL file
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE feed_state SET etag = 'half-written', consecutive_failures = 99")
        for number in range(2000):
            connection.execute("INSERT INTO feed_state (source_id, last_error) VALUES (?, ?)",
                               (f"ghost{{number}}", "x" * 1000))
        assert os.path.getsize({str(tmp_path / "_state" / "feeds.sqlite-wal")!r}) > 100_000
        os.kill(os.getpid(), signal.SIGKILL)  # dies holding an open write transaction
    """)

    killed = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=30)

    assert killed.returncode == -9, killed.stderr.decode()
    with FeedStateStore(tmp_path) as store:
        state = store.get("a")
        assert state is not None and (state.etag, state.consecutive_failures) == ('"v1"', 0)
        assert store.get("ghost0") is None and len(store.all_states()) == 1
        assert store._connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        store.record_failure("a", "timeout", NOW, 900, feed_url=URL)  # and it is writable again
