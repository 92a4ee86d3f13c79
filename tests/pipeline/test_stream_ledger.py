"""The stream ledger: pending until done, never queued twice, survives reopening."""

from __future__ import annotations

import datetime as dt
import pathlib

from pipeline.stream_ledger import StreamLedger

NOW = dt.datetime(2023, 9, 21, 12, 0, tzinfo=dt.timezone.utc)


def test_inputs_stay_pending_until_marked_done_and_are_never_queued_twice(tmp_path: pathlib.Path) -> None:
    ledger = StreamLedger(tmp_path)
    assert ledger.add_pending([("a", {"path": "/a"}), ("b", {"path": "/b"})], NOW) == 2
    assert ledger.add_pending([("a", {"path": "/a"})], NOW) == 0
    assert [key for key, _ in ledger.pending(10)] == ["a", "b"]
    ledger.mark_done(["a"], NOW)
    assert [key for key, _ in ledger.pending(10)] == ["b"] and ledger.known("a")
    ledger.close()
    reopened = StreamLedger(tmp_path)
    assert reopened.pending_count() == 1 and reopened.oldest_pending_at() == NOW


def test_datetimes_in_descriptors_round_trip(tmp_path: pathlib.Path) -> None:
    ledger = StreamLedger(tmp_path)
    error = {"kind": "error", "occurred_at": NOW}
    ledger.add_pending([("e", {"path": "", "container": "failed_fetch", "members": [error]})], NOW)
    (_, descriptor), = ledger.pending(1)
    assert descriptor["members"][0]["occurred_at"] == NOW


def test_an_archive_is_listed_once_and_its_chunks_stay_pending_until_done(tmp_path: pathlib.Path) -> None:
    ledger = StreamLedger(tmp_path)
    chunks = [{"path": "/drop/crawl.warc.gz", "container": "warc", "members": [[0, 10]]},
              {"path": "/drop/crawl.warc.gz", "container": "warc", "members": [[10, 10]]}]
    assert ledger.add_archive("drop:crawl", "/drop/crawl.warc.gz", chunks, NOW) == 2
    assert ledger.known("drop:crawl") and ledger.add_archive("drop:crawl", "/drop/crawl.warc.gz", chunks, NOW) == 0
    assert ledger.pending(10) == [("drop:crawl#0", chunks[0]), ("drop:crawl#1", chunks[1])]  # not the archive itself
    ledger.mark_done(["drop:crawl#0"], NOW)
    assert [key for key, _ in ledger.pending(10)] == ["drop:crawl#1"]
