"""The backfill memory benchmark runs end to end on a tiny archive, so that it cannot rot (no figure asserted)."""

from __future__ import annotations

import gzip
import json
import pathlib
import tarfile

import duckdb

from benchmarks import backfill_memory


def test_the_archive_holds_the_items_and_is_the_same_for_the_same_seed(tmp_path: pathlib.Path) -> None:
    members = backfill_memory.write_archive(tmp_path / "a.tar.gz", 120)
    backfill_memory.write_archive(tmp_path / "b.tar.gz", 120)

    # the gzip header names the file: compare what the archives hold
    assert gzip.decompress((tmp_path / "a.tar.gz").read_bytes()) == gzip.decompress((tmp_path / "b.tar.gz").read_bytes())
    with tarfile.open(tmp_path / "a.tar.gz") as tar:
        lines = [line for member in tar.getmembers() for line in tar.extractfile(member).read().splitlines()]
    assert members == 3 and len(lines) == 120
    assert len({json.loads(line)["url"] for line in lines}) == 120


def test_a_measured_backfill_writes_every_item_and_reports_its_memory(tmp_path: pathlib.Path) -> None:
    members, run = backfill_memory.measure(300, tmp_path, ["--batch-mb", "0.1"])

    assert run.exit_code == 0, (tmp_path / "log-300.txt").read_text()[-2000:]
    assert members == 6
    assert len(run.batch_rss_mb) >= 2 and all(size > 0 for size in run.batch_rss_mb)  # one line per batch
    assert run.peak_rss_mb >= max(run.batch_rss_mb)
    pattern = str(tmp_path / "out-300" / "articles" / "**" / "*.parquet")
    assert duckdb.sql(f"SELECT count(DISTINCT article_id) FROM read_parquet('{pattern}')").fetchall() == [(300,)]
