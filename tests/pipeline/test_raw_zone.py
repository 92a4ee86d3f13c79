"""pipeline.raw_zone: bodies kept gzipped and content-addressed, and read back for reprocessing."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pytest

from pipeline.raw_zone import (PRUNED_MARKER_NAME, iter_raw, pages_sidecar_path, pruned_before, read_pages_sidecar,
                               record_pruned_before, store_raw)
from transforms.records import sha256_hex

MORNING = dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.timezone.utc)
BODY = b"<rss><channel><title>t</title></channel></rss>"


def store(tmp_path: Path, body: bytes = BODY, source_id: str = "bbc", when: dt.datetime = MORNING) -> tuple[str, str]:
    return store_raw(
        tmp_path, source_id, body, when, uri="https://a.example/rss", feed_url="https://a.example/rss",
        http_status=200, etag='"v1"', last_modified="Sun, 01 Mar 2026 08:00:00 GMT",
        content_type="application/rss+xml", language_hint="en", tags=("world",),
    )


def test_body_is_stored_gzipped_under_date_and_source(tmp_path: Path) -> None:
    raw_sha256, path = store(tmp_path)

    assert raw_sha256 == sha256_hex(BODY)
    assert Path(path) == tmp_path / "raw" / "date=2026-03-01" / "source=bbc" / f"{raw_sha256}.gz"
    assert gzip.decompress(Path(path).read_bytes()) == BODY
    provenance = json.loads(Path(path).with_suffix(".json").read_text())
    assert provenance["source_id"] == "bbc" and provenance["fetched_at"] == "2026-03-01T08:30:00+00:00"
    assert provenance["etag"] == '"v1"' and provenance["http_status"] == 200


def test_the_day_is_the_utc_day_of_the_fetch(tmp_path: Path) -> None:
    late_in_new_york = dt.datetime(2026, 3, 1, 22, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))

    _, path = store(tmp_path, when=late_in_new_york)

    assert "date=2026-03-02" in path


def test_same_body_is_stored_once_and_keeps_its_first_provenance(tmp_path: Path) -> None:
    _, first_path = store(tmp_path)
    first_stat = Path(first_path).stat()

    _, second_path = store(tmp_path, when=MORNING + dt.timedelta(hours=2))

    assert second_path == first_path and Path(second_path).stat().st_mtime_ns == first_stat.st_mtime_ns
    assert [doc["fetched_at"] for doc in iter_raw(tmp_path)] == [MORNING]
    assert [p.name for p in Path(first_path).parent.iterdir() if p.name.startswith(".")] == []  # no temp files


def test_hostile_source_ids_stay_inside_the_output_dir(tmp_path: Path) -> None:
    for hostile in ("../../escape", "/etc/passwd", "a\x00b", "x" * 300, ".."):
        _, path = store(tmp_path / "out", source_id=hostile)
        resolved = Path(path).resolve()
        assert resolved.is_relative_to((tmp_path / "out" / "raw").resolve())
        assert resolved.parent.parent.name == "date=2026-03-01"


def test_iter_raw_gives_back_documents_with_provenance(tmp_path: Path) -> None:
    raw_sha256, path = store(tmp_path)

    (document,) = iter_raw(tmp_path)

    assert document == {
        "kind": "raw", "source_id": "bbc", "uri": "https://a.example/rss", "feed_url": "https://a.example/rss",
        "body": BODY, "fetched_at": MORNING, "http_status": 200, "etag": '"v1"',
        "last_modified": "Sun, 01 Mar 2026 08:00:00 GMT", "content_type": "application/rss+xml",
        "raw_sha256": raw_sha256, "raw_path": path, "language_hint": "en", "tags": ["world"],
        "expected_type": "feed",  # fetched from a configured feed URL: read as a feed, as the run read it
    }


def test_an_index_and_a_sitemap_fetched_for_it_come_back_naming_each_other(tmp_path: Path) -> None:
    index_url, sitemap_url = "https://a.example/sitemap.xml", "https://a.example/news.xml"
    store_raw(tmp_path, "a", b"<sitemapindex/>", MORNING, uri=index_url, feed_url=index_url,
              sitemaps_followed=[sitemap_url])
    store_raw(tmp_path, "a", b"<urlset/>", MORNING, uri=sitemap_url, feed_url=index_url, sitemap_index_url=index_url)

    documents = {document["uri"]: document for document in iter_raw(tmp_path)}

    assert (documents[index_url]["sitemaps_followed"], "sitemap_index_url" in documents[index_url]) == (
        [sitemap_url], False)
    assert (documents[sitemap_url]["sitemap_index_url"], "sitemaps_followed" in documents[sitemap_url]) == (
        index_url, False)


def test_a_bodys_own_quality_flags_are_kept_and_come_back(tmp_path: Path) -> None:
    store_raw(tmp_path, "damaged", BODY, MORNING, quality_flags=["body_partly_decoded"])  # decoded only in part
    store_raw(tmp_path, "whole", BODY, MORNING)

    documents = {document["source_id"]: document for document in iter_raw(tmp_path)}

    assert documents["damaged"]["quality_flags"] == ["body_partly_decoded"]
    assert "quality_flags" not in documents["whole"]


def test_a_feed_body_comes_back_with_the_pages_kept_beside_it(tmp_path: Path) -> None:
    _, path = store(tmp_path)
    pages = {"https://a.example/story": {"status": "fetched", "url": "https://a.example/story", "http_status": 200}}
    pages_sidecar_path(path).write_text(json.dumps(pages))

    (document,) = iter_raw(tmp_path)

    assert document["pages"] == pages and pages_sidecar_path(path).name.endswith(".pages.json")


def test_an_unreadable_page_list_leaves_the_feed_without_pages(tmp_path: Path) -> None:
    _, path = store(tmp_path)
    pages_sidecar_path(path).write_bytes(b"{not json")

    (document,) = iter_raw(tmp_path)

    assert "pages" not in document and read_pages_sidecar(path) == {}


def test_iter_raw_selects_days_inclusively(tmp_path: Path) -> None:
    for day in (1, 2, 3):
        store(tmp_path, body=f"day {day}".encode(), when=MORNING.replace(day=day))

    def bodies(**days: dt.date) -> list[bytes]:
        return [document["body"] for document in iter_raw(tmp_path, **days)]

    assert bodies() == [b"day 1", b"day 2", b"day 3"]
    assert bodies(since=dt.date(2026, 3, 2)) == [b"day 2", b"day 3"]
    assert bodies(since=dt.date(2026, 3, 2), until=dt.date(2026, 3, 2)) == [b"day 2"]
    assert bodies(until=dt.date(2026, 2, 28)) == []


def test_a_body_without_provenance_is_still_read(tmp_path: Path) -> None:
    _, path = store(tmp_path)
    Path(path).with_suffix(".json").unlink()  # as if killed between the two writes

    (document,) = iter_raw(tmp_path)

    assert document["source_id"] == "bbc" and document["body"] == BODY
    assert document["fetched_at"] == dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)


def test_a_damaged_body_is_skipped_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _, path = store(tmp_path)
    Path(path).write_bytes(gzip.compress(b"something else"))

    assert list(iter_raw(tmp_path)) == []
    assert "does not match its sha256" in caplog.text


def test_the_prune_marker_only_moves_forward_and_an_unreadable_one_reads_as_today(tmp_path: Path) -> None:
    raw_root = tmp_path / "raw"
    raw_root.mkdir()
    assert pruned_before(raw_root) is None
    record_pruned_before(raw_root, dt.date(2026, 3, 5))
    record_pruned_before(raw_root, dt.date(2026, 3, 1))
    assert pruned_before(raw_root) == dt.date(2026, 3, 5)

    (raw_root / PRUNED_MARKER_NAME).write_text("{not json")

    assert pruned_before(raw_root) == dt.datetime.now(dt.timezone.utc).date()  # the safe reading for a backfill
