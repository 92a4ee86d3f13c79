"""pipeline.page_ledger: what earlier runs did about each item's page, kept across runs."""

from __future__ import annotations

import datetime as dt
import pathlib

from pipeline.page_ledger import LedgerEntry, PageLedger
from transforms.records import PageInfo

UTC = dt.timezone.utc


def test_entries_survive_a_reopen_with_their_redirects(tmp_path: pathlib.Path) -> None:
    page = PageInfo(status="fetched", url="https://a.example/1", final_url="https://a.example/one",
                    redirects=["https://a.example/one"], http_status=200, content_type="text/html",
                    raw_path="/raw/x.gz", raw_sha256="ab" * 32, fetched_at="2026-03-01T12:00:00+00:00")
    with PageLedger(tmp_path) as ledger:
        ledger.record([LedgerEntry("id-1", "item-hash", 1, page)])

    with PageLedger(tmp_path) as ledger:
        (entry,) = ledger.get(["id-1", "id-unknown"]).values()

    assert (entry.article_id, entry.item_sha256, entry.attempts) == ("id-1", "item-hash", 1)
    assert entry.page == {**page, "error_type": None, "error_message": None, "from_earlier_run": True}


def test_a_later_record_replaces_the_earlier_one(tmp_path: pathlib.Path) -> None:
    with PageLedger(tmp_path) as ledger:
        ledger.record([LedgerEntry("id-1", "v1", 1, PageInfo(status="failed", error_type="timeout"))])
        ledger.record([LedgerEntry("id-1", "v1", 2, PageInfo(status="fetched", raw_path="/raw/x.gz"))])
        (entry,) = ledger.get(["id-1"]).values()

    assert (entry.attempts, entry.page["status"]) == (2, "fetched")


def test_many_ids_are_looked_up_in_batches(tmp_path: pathlib.Path) -> None:
    with PageLedger(tmp_path) as ledger:
        ledger.record(LedgerEntry(f"id-{n}", "h", 1, PageInfo(status="fetched")) for n in range(1200))
        assert len(ledger.get(f"id-{n}" for n in range(0, 2400, 2))) == 600


def test_hosts_and_robots_are_kept(tmp_path: pathlib.Path) -> None:
    when = dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    with PageLedger(tmp_path) as ledger:
        ledger.set_hosts_not_before({"a.example": when})
        ledger.set_robots({"https://a.example": (when, "rules", "User-agent: *\nDisallow: /x\n")})

    with PageLedger(tmp_path) as ledger:
        assert ledger.hosts_not_before() == {"a.example": when}
        assert ledger.robots() == {"https://a.example": (when, "rules", "User-agent: *\nDisallow: /x\n")}
