"""The run manifest (``OUT/_runs/<run_id>.json``) and the summary table printed at the end of a run."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
from typing import Any

from pipeline.atomic_files import write_bytes_atomically


def manifest_path(output_dir: str, run_id: str) -> pathlib.Path:
    """Where a run's manifest lives."""
    return pathlib.Path(output_dir) / "_runs" / f"{run_id}.json"


def counts_from(stats: dict[str, Any], inputs_read: int, extra: dict[str, int] | None = None) -> dict[str, Any]:
    """The run's counts, from the data the writers saw.

    A backfill's articles outside its date range were parsed too (only not written): they are items, so that a
    backfill whose articles all fall outside the range is not a run where no input gave an item (exit 1).
    """
    written = stats["articles_new"] + stats["articles_updated"]
    items = (written + stats["articles_unchanged"] + stats["articles_stale"] + stats["duplicates_in_run"]
             + stats.get("articles_out_of_range", 0))
    return {
        "inputs_read": inputs_read, "items_parsed": items, "articles_written": written,
        "articles_new": stats["articles_new"], "articles_updated": stats["articles_updated"],
        "articles_unchanged": stats["articles_unchanged"], "articles_stale": stats["articles_stale"],
        "duplicates_merged": stats["duplicates_in_run"], "partitions_written": len(stats["article_partitions"]),
        "errors": stats["error_rows"], "errors_by_reason": stats["errors_by_type"],
        "body_status": stats.get("body_status", {}), **(extra or {}),
    }


def write_manifest(output_dir: str, manifest: dict[str, Any]) -> pathlib.Path:
    """Write the manifest atomically and return its path."""
    path = manifest_path(output_dir, manifest["run_id"])
    write_bytes_atomically(path, json.dumps(manifest, indent=2, sort_keys=True, default=str).encode())
    return path


def format_summary(manifest: dict[str, Any]) -> str:
    """A short, aligned table of what the run did."""
    counts = manifest["counts"]
    elapsed = manifest["elapsed_s"]
    rate = counts["items_parsed"] / elapsed if elapsed > 0 else 0.0
    rows = [
        ("run", manifest["run_id"]), ("inputs read", counts["inputs_read"]),
        ("items parsed", counts["items_parsed"]), ("articles written", counts["articles_written"]),
        ("  new / updated", f"{counts['articles_new']} / {counts['articles_updated']}"),
        ("  unchanged (already written)", counts["articles_unchanged"]),
        ("  stale (older than written)", counts.get("articles_stale", 0)),
        ("  duplicates merged in run", counts["duplicates_merged"]),
        ("partitions written", counts["partitions_written"]),
    ]
    rows += [(f"  {key.replace('_', ' ')}", value) for key, value in manifest.get("fetch", {}).items()]
    # sitemap indexes at feed URLs: what the sitemaps fetched for them gave (no feeds, so not in the counts above)
    rows += [(f"  child sitemaps {key.replace('_', ' ')}", value)
             for key, value in (manifest.get("sitemaps") or {}).items() if value]
    if manifest.get("pages"):  # full text: what the page fetcher did (items considered, then each outcome)
        pages = dict(manifest["pages"])
        rows.append(("pages (full text)", pages.pop("items_considered", "")))
        rows += [(f"  {key.replace('_', ' ')}", value) for key, value in pages.items() if value]
    if counts.get("body_status"):
        rows.append(("body status (articles in run)", sum(counts["body_status"].values())))
        rows += [(f"  {status}", number) for status, number in counts["body_status"].items()]
    if manifest.get("records_skipped"):  # archive records that are not documents (requests, images...)
        rows += skipped_record_rows("archive records skipped (not documents)", manifest["records_skipped"],
                                    manifest["records_skipped_by_reason"])
    rows.append(("errors (dead letter)", counts["errors"]))
    rows += [(f"  {reason}", number) for reason, number in counts["errors_by_reason"].items()]
    rows += [("elapsed", f"{elapsed:.1f} s"), ("items/second", f"{rate:.1f}"), ("output", manifest["output_dir"])]
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)


def skipped_record_rows(label: str, total: int, by_reason: dict[str, int]) -> list[tuple[str, str]]:
    """Summary rows for archive records that are not documents: the total, then the eight commonest reasons."""
    return [(label, f"{total:,}")] + [(f"  {reason}", f"{number:,}") for reason, number in list(by_reason.items())[:8]]


def utc_now() -> dt.datetime:
    """Current time in UTC (one place, so the driver's clock is easy to find)."""
    return dt.datetime.now(dt.timezone.utc)
