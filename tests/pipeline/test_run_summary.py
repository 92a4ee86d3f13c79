"""The summary table accounts for every item parsed: written, unchanged, stale, merged."""

from __future__ import annotations

from pipeline.parquet_sink import empty_stats
from pipeline.run_summary import counts_from, format_summary


def test_stale_copies_are_a_row_of_the_summary() -> None:
    stats = {**empty_stats(), "articles_new": 3, "articles_stale": 2, "articles_unchanged": 1}
    manifest = {"run_id": "r1", "counts": counts_from(stats, inputs_read=2), "elapsed_s": 1.0, "output_dir": "out"}

    rows = {label.strip(): value.strip()
            for label, value in (line.rsplit("  ", 1) for line in format_summary(manifest).splitlines())}

    assert rows["items parsed"] == "6"
    assert (rows["new / updated"], rows["unchanged (already written)"]) == ("3 / 0", "1")
    assert rows["stale (older than written)"] == "2"
