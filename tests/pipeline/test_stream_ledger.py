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


def test_forget_done_deletes_only_done_inputs_of_the_given_kinds_queued_before_the_time(tmp_path: pathlib.Path
                                                                                        ) -> None:
    ledger = StreamLedger(tmp_path)
    yesterday, today = NOW - dt.timedelta(days=1), NOW
    ledger.add_pending([("raw:old", {"path": "/r1"}), ("error:old", {"path": ""}), ("drop:old", {"path": "/d1"}),
                        ("raw:old-pending", {"path": "/r2"})], yesterday)
    ledger.add_pending([("raw:new", {"path": "/r3"})], today)
    ledger.mark_done(["raw:old", "error:old", "drop:old", "raw:new"], today)

    assert ledger.forget_done(today.replace(hour=0), ("raw:", "error:")) == 2
    assert not ledger.known("raw:old") and not ledger.known("error:old")
    assert ledger.known("drop:old") and ledger.known("raw:new")  # another kind; queued after the time
    assert [key for key, _ in ledger.pending(10)] == ["raw:old-pending"]  # pending is never forgotten
    assert ledger.forget_done(today.replace(hour=0), ()) == 0


def test_forget_past_days_keeps_todays_fetches_and_every_drop(tmp_path: pathlib.Path) -> None:
    ledger = StreamLedger(tmp_path)
    late_yesterday = NOW.replace(hour=0, minute=0) - dt.timedelta(minutes=1)
    ledger.add_pending([("raw:yesterday", {"path": "/r1"}), ("drop:file", {"path": "/d1"})], late_yesterday)
    ledger.add_pending([("raw:today", {"path": "/r2"}), ("error:today", {"path": ""})], NOW)
    ledger.mark_done(["raw:yesterday", "drop:file", "raw:today", "error:today"], NOW)

    assert ledger.forget_past_days(NOW) == 1
    assert [ledger.known(key) for key in ("raw:yesterday", "drop:file", "raw:today", "error:today")] == [
        False, True, True, True]


def test_dropped_files_no_longer_listed_are_forgotten_once_done(tmp_path: pathlib.Path) -> None:
    ledger = StreamLedger(tmp_path)
    ledger.add_pending([("drop:/d/a.xml:10:1", {"path": "/d/a.xml"}), ("drop:/d/b.xml:10:1", {"path": "/d/b.xml"}),
                        ("drop:/d/c.xml:10:1", {"path": "/d/c.xml"}), ("raw:x", {"path": "/r"})], NOW)
    ledger.add_archive("drop:/d/crawl.warc:99:1", "/d/crawl.warc", [{"path": "/d/crawl.warc"}] * 2, NOW)
    ledger.add_archive("drop:/d/old.warc:99:1", "/d/old.warc", [{"path": "/d/old.warc"}] * 2, NOW)
    ledger.mark_done(["drop:/d/a.xml:10:1", "drop:/d/b.xml:10:1", "raw:x", "drop:/d/crawl.warc:99:1#0",
                      "drop:/d/old.warc:99:1#0", "drop:/d/old.warc:99:1#1"], NOW)

    # b.xml and old.warc were moved away, c.xml is still pending, a.xml and the crawl are still listed
    assert ledger.forget_gone_drops({"drop:/d/a.xml:10:1", "drop:/d/crawl.warc:99:1"}) == 4
    assert [ledger.known(key) for key in ("drop:/d/a.xml:10:1", "drop:/d/b.xml:10:1", "drop:/d/c.xml:10:1",
                                          "raw:x", "drop:/d/crawl.warc:99:1", "drop:/d/crawl.warc:99:1#0",
                                          "drop:/d/old.warc:99:1", "drop:/d/old.warc:99:1#1")] == [
        True, False, True, True, True, True, False, False]
    assert [key for key, _ in ledger.pending(10)] == ["drop:/d/c.xml:10:1", "drop:/d/crawl.warc:99:1#1"]


def test_the_pending_queries_read_an_index_of_the_pending_inputs_alone(tmp_path: pathlib.Path) -> None:
    """Each window asks for the pending inputs three times; over the whole table, that read every entry the
    ledger ever held, once per window."""
    ledger = StreamLedger(tmp_path)
    ledger.add_pending([(f"drop:{number}", {"path": f"/d{number}"}) for number in range(50)], NOW)
    ledger.mark_done([f"drop:{number}" for number in range(49)], NOW)
    statements: list[str] = []
    ledger.connection.set_trace_callback(statements.append)
    assert len(ledger.pending(10)) == 1 and ledger.pending_count() == 1 and ledger.oldest_pending_at() == NOW
    ledger.connection.set_trace_callback(None)

    assert len(statements) == 3
    for statement in statements:
        plan = " | ".join(row[-1] for row in ledger.connection.execute(f"EXPLAIN QUERY PLAN {statement}"))
        assert "pending_inputs" in plan, (statement, plan)
