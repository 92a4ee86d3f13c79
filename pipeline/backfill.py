"""``newsbeam backfill SOURCES... --output OUT [--since DATE] [--until DATE]``: rebuild partitions from archives.

Sources: the raw landing zone (``OUT/raw``), files, directories and globs of feeds / HTML / JSON Lines
(gzip too), tar and zip archives, WARC/ARC files. The run has three phases:

1. Plan (driver): list every source; archives become chunks of members (``pipeline.archives``), so no
   body is held here. Inputs are cut into batches bounded in inputs, documents and bytes.
2. Stage: each batch runs the same pipeline as ``ingest`` (``pipeline.execution.run_pipeline``) into
   ``OUT/_staging/<run_id>/``, which has its own articles/, errors/ and article index. One bounded
   pipeline per batch keeps memory flat in archive size (the local runner holds a GroupByKey's data in
   memory). Articles and errors whose partition day is outside [since, until] are counted, not written.
   A ledger (``backfill.json``) records the batches done: a rerun of the same command resumes there.
3. Swap: each staged partition is exchanged with the live one in one ``renameat2`` step
   (``pipeline.directory_swap``); the old one is deleted at the end; the index entries of those days are
   rebuilt. Partitions the backfill did not produce, in or out of the range, are never touched.

Decisions worth knowing:
- A swapped partition holds exactly what the sources gave for that day: pass sources that cover the days
  you rebuild (typically the whole raw zone).
- An article that already lives in a partition the backfill does not replace keeps that row; the copy
  the backfill made is dropped and counted (one row per article_id holds across the dataset).
- What a reader sees: one ``rename`` exchanges the whole directory, so a reader that lists and opens a
  partition's files through one directory handle reads exactly the old or the new version. Readers that
  list by path and open afterwards (DuckDB globs, pyarrow datasets) can straddle the swap; staged files
  are named ``part-SSSSS-<run_id>.parquet``, names no earlier file has, so such a reader never holds rows
  of two versions: DuckDB fails on the missing name (retry), pyarrow skips it (a short read of the old
  version in that instant).
- A kill at any point leaves the live dataset whole; rerunning the same command resumes the batches, or
  finishes a swap that had begun (the ledger and a marker file in each staged partition tell which).
- A raw zone that ``newsbeam prune`` pruned no longer holds the publication days before its cut-off whole: the
  few of their items that later fetches still list would replace the whole partition. With such a raw zone
  among the sources, the range starts at its first whole day at the earliest (``first_whole_publication_day``);
  a range wholly before it rebuilds nothing.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import hashlib
import json
import math
import pathlib
import shutil
import sys
import time
from typing import Any, Callable, Iterator, TextIO

from pipeline.allocator import use_system_allocator_for_arrow
from pipeline.archives import (DEFAULT_CHUNK_RECORDS, ArchiveListing, chunk_size_bytes, is_raw_zone, list_if_archive,
                               list_raw_zone)
from pipeline.argument_types import positive_float, positive_int, utc_day
from pipeline.atomic_files import write_bytes_atomically
from pipeline.date_range import DateRange
from pipeline.options import RunOptions
from pipeline.raw_zone import pruned_before
from pipeline.sources import InputFile, expand_inputs

MEBIBYTE = 1024 * 1024
LEDGER_NAME = "backfill.json"
NO_DAYS = "none"  # the date range of a backfill whose whole range was pruned from its raw zone


@dataclasses.dataclass(frozen=True)
class BackfillSettings:
    """How a backfill cuts its work; the defaults keep a local run under about 1 GB."""

    chunk_records: int = DEFAULT_CHUNK_RECORDS  # archive members per pipeline input
    chunk_max_bytes: int = 2 * MEBIBYTE  # a chunk is never cut by batching: keep it a fraction of a batch
    batch_max_inputs: int = 200  # inputs (files or chunks) per bounded pipeline
    batch_max_documents: int = 10_000
    batch_max_bytes: int = 8 * MEBIBYTE  # the local runner holds about 20 KB per item of a batch


@dataclasses.dataclass
class BackfillPlan:
    """Every input of a backfill, with its size, and what the listing left out."""

    inputs: list[InputFile] = dataclasses.field(default_factory=list)
    documents: list[int] = dataclasses.field(default_factory=list)  # per input
    sizes_bytes: list[int] = dataclasses.field(default_factory=list)  # per input
    skipped: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    sources: list[str] = dataclasses.field(default_factory=list)  # files, archives and raw zones listed

    def add(self, entry: InputFile) -> None:
        """Append one input."""
        self.inputs.append(entry)
        self.documents.append(len(entry.get("members") or []) or 1)
        self.sizes_bytes.append(chunk_size_bytes(entry))


# Phase 1: plan -----------------------------------------------------------------------------------------


def raw_zone_fetched_since(date_range: DateRange, max_future_skew: dt.timedelta) -> dt.date | None:
    """First raw-zone fetch day that can hold items of the range: an item is published at most
    ``max_future_skew`` after its fetch (later times are implausible and fall back to the fetch time)."""
    if date_range.since is None:
        return None
    return date_range.since - dt.timedelta(days=max_future_skew.days + 1)


def first_whole_publication_day(sources: list[str], output_dir: str, max_future_skew: dt.timedelta) -> dt.date | None:
    """The first publication day that the raw zones among ``sources`` still hold whole, when ``newsbeam prune``
    pruned one (None when none was): an item is published at most ``max_future_skew`` after its fetch, so the
    items of day P were all fetched on day P - ceil(skew) or later."""
    roots = [root for root in (_raw_root(source, output_dir) for source in sources) if root is not None]
    cut_offs = [day for day in map(pruned_before, roots) if day is not None]
    if not cut_offs:
        return None
    return max(cut_offs) + dt.timedelta(days=math.ceil(max_future_skew / dt.timedelta(days=1)))


def range_held_whole(date_range: DateRange, first_whole_day: dt.date | None) -> DateRange | None:
    """``date_range`` without the days before ``first_whole_day``; None when nothing of it is left."""
    if first_whole_day is None or (date_range.since is not None and date_range.since >= first_whole_day):
        return date_range
    if date_range.until is not None and date_range.until < first_whole_day:
        return None
    return DateRange(first_whole_day, date_range.until)


def plan_inputs(sources: list[str], output_dir: str, date_range: DateRange, settings: BackfillSettings,
                max_future_skew: dt.timedelta = dt.timedelta(days=1)) -> BackfillPlan:
    """List every source into pipeline inputs (archives chunked, raw zones by fetch day)."""
    plan = BackfillPlan()
    for source in sources:
        raw_root = _raw_root(source, output_dir)
        if raw_root is not None:
            listing = list_raw_zone(raw_root, raw_zone_fetched_since(date_range, max_future_skew),
                                    settings.chunk_records, settings.chunk_max_bytes)
            _add_listing(plan, raw_root, listing)
            continue
        for path in expand_inputs([source]):
            listing = list_if_archive(path, settings.chunk_records, settings.chunk_max_bytes)
            if listing is not None:
                _add_listing(plan, path, listing)
            else:
                plan.add(InputFile(path=path))
                plan.sources.append(path)
    return plan


def _raw_root(source: str, output_dir: str) -> str | None:
    """The raw zone ``source`` names: itself, or OUT/raw when ``source`` is the output directory."""
    path = pathlib.Path(source).resolve()
    if path == pathlib.Path(output_dir).resolve():
        path = path / "raw"
    return str(path) if is_raw_zone(str(path)) else None


def _add_listing(plan: BackfillPlan, source: str, listing: ArchiveListing) -> None:
    for entry in listing.inputs:
        plan.add(entry)
    plan.skipped.update(listing.skipped)
    plan.sources.append(source)


def plan_batches(plan: BackfillPlan, settings: BackfillSettings) -> list[tuple[int, int]]:
    """Cut the inputs into consecutive [start, end) batches bounded in inputs, documents and bytes."""
    batches: list[tuple[int, int]] = []
    start, documents, size_bytes = 0, 0, 0
    for index, (count, size) in enumerate(zip(plan.documents, plan.sizes_bytes)):
        full = (index - start >= settings.batch_max_inputs or documents + count > settings.batch_max_documents
                or size_bytes + size > settings.batch_max_bytes)
        if index > start and full:
            batches.append((start, index))
            start, documents, size_bytes = index, 0, 0
        documents += count
        size_bytes += size
    if start < len(plan.inputs):
        batches.append((start, len(plan.inputs)))
    return batches


def plan_key(plan: BackfillPlan, options: RunOptions, settings: BackfillSettings) -> str:
    """Fingerprint of what a backfill would do: a rerun resumes a staging only when this matches."""
    digest = hashlib.sha256()
    described = {"range": str(options.date_range), "shards": options.num_shards, "settings": dataclasses.asdict(settings),
                 "transforms": dataclasses.asdict(options.transforms), "max_bytes": options.max_document_bytes}
    digest.update(json.dumps(described, sort_keys=True, default=str).encode())
    for source in plan.sources:
        stat = pathlib.Path(source).stat()
        digest.update(f"{source}\x1f{stat.st_size}\x1f{stat.st_mtime_ns}\n".encode())
    for entry in plan.inputs:
        digest.update(json.dumps(entry, sort_keys=True, default=str).encode())
    return digest.hexdigest()


# Progress ----------------------------------------------------------------------------------------------


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m" if seconds >= 3600 else f"{seconds // 60}m{seconds % 60:02d}s"


@dataclasses.dataclass
class Progress:
    """One line per batch on stderr: inputs and documents done, items out, items/s, ETA."""

    total_inputs: int
    total_documents: int
    total_bytes: int
    stream: TextIO | None = sys.stderr
    started: float = dataclasses.field(default_factory=time.monotonic)
    bytes_at_start: int = 0  # already done when resuming: not counted in the rate

    def line(self, batch: int, batches: int, inputs_done: int, documents_done: int, bytes_done: int,
             items_done: int, items_this_run: int) -> str:
        """The progress line after ``batch`` of ``batches``."""
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = items_this_run / elapsed
        bytes_this_run = bytes_done - self.bytes_at_start
        remaining = self.total_bytes - bytes_done
        eta = _duration(elapsed * remaining / bytes_this_run) if bytes_this_run > 0 else "?"
        return (f"backfill: batch {batch}/{batches}  inputs {inputs_done:,}/{self.total_inputs:,}  "
                f"documents {documents_done:,}/{self.total_documents:,}  items {items_done:,}  "
                f"{rate:,.0f} items/s  elapsed {_duration(elapsed)}  ETA {eta}")

    def show(self, text: str) -> None:
        """Print one line, if progress is shown."""
        if self.stream is not None:
            print(text, file=self.stream, flush=True)


def items_out(stats: dict[str, Any]) -> int:
    """Everything that came out of the pipeline: articles (written or merged), errors, out of range."""
    return (stats["articles_new"] + stats["articles_updated"] + stats["articles_unchanged"]
            + stats["articles_stale"] + stats["duplicates_in_run"] + stats["error_rows"]
            + stats["articles_out_of_range"] + stats["errors_out_of_range"])


# The ledger of a staging directory ---------------------------------------------------------------------


def staging_root(output_dir: str) -> pathlib.Path:
    """Where backfills stage their partitions."""
    return pathlib.Path(output_dir) / "_staging"


def read_ledger(staging: pathlib.Path) -> dict[str, Any] | None:
    """The ledger of a staging directory, or None when it has none (killed before its first write)."""
    try:
        return json.loads((staging / LEDGER_NAME).read_text())
    except (OSError, ValueError):
        return None


def write_ledger(staging: pathlib.Path, ledger: dict[str, Any]) -> None:
    """Save the ledger atomically."""
    write_bytes_atomically(staging / LEDGER_NAME, json.dumps(ledger, indent=1, sort_keys=True, default=str).encode())


def pending_stagings(output_dir: str) -> Iterator[tuple[pathlib.Path, dict[str, Any] | None]]:
    """Staging directories left by earlier backfills (killed, or still swapping), oldest first."""
    root = staging_root(output_dir)
    for staging in sorted(root.glob("*")) if root.exists() else []:
        if staging.is_dir() and not staging.name.startswith("compact-"):
            yield staging, read_ledger(staging)


def last_live_run(output_dir: str) -> str | None:
    """The newest run manifest (name and modification time): a staging is resumed only if no run wrote
    the dataset since (a stream rewrites its one manifest, hence the time)."""
    manifests = [(path.stat().st_mtime_ns, path.name) for path in (pathlib.Path(output_dir) / "_runs").glob("*.json")]
    return "{1}@{0}".format(*max(manifests)) if manifests else None


def new_ledger(run_id: str, key: str, output_dir: str, batches: int) -> dict[str, Any]:
    """The ledger of a fresh staging directory."""
    from pipeline.parquet_sink import empty_stats
    from pipeline.run_summary import utc_now

    return {"run_id": run_id, "plan_key": key, "state": "staging", "batches": batches, "batches_done": 0,
            "stats": empty_stats(), "started_at": utc_now().isoformat(), "elapsed_s": 0.0,
            "live_run_at_start": last_live_run(output_dir), "swap": {}}


# Phase 2: stage ----------------------------------------------------------------------------------------


def stage_batches(options: RunOptions, plan: BackfillPlan, batches: list[tuple[int, int]],
                  staging: pathlib.Path, ledger: dict[str, Any], progress: Progress) -> None:
    """Run the pipeline over each batch not yet done into the staging directory, saving the ledger."""
    from pipeline.execution import run_pipeline
    from pipeline.parquet_sink import merge_stats

    done = ledger["batches_done"]
    progress.bytes_at_start = sum(plan.sizes_bytes[:batches[done - 1][1]]) if done else 0
    items_before = items_out(ledger["stats"])
    for number in range(done + 1, len(batches) + 1):
        start, end = batches[number - 1]
        batch_options = dataclasses.replace(options, output_dir=str(staging),
                                            run_id=f"{ledger['run_id']}-batch{number:05d}")
        begun = time.monotonic()
        manifest = run_pipeline(batch_options, plan.inputs[start:end], hold_lock=False, save_manifest=False)
        ledger["stats"] = merge_stats([ledger["stats"], manifest["writer_stats"]])
        ledger["batches_done"] = number
        ledger["elapsed_s"] += time.monotonic() - begun
        write_ledger(staging, ledger)
        progress.show(progress.line(number, len(batches), end, sum(plan.documents[:end]),
                                    sum(plan.sizes_bytes[:end]), items_out(ledger["stats"]),
                                    items_out(ledger["stats"]) - items_before))


# Phase 3: swap -----------------------------------------------------------------------------------------


def prepare_swap(staging: pathlib.Path, output_dir: str, ledger: dict[str, Any], num_shards: int) -> None:
    """Name staged files, drop rows kept elsewhere, mark the partitions; then record the swap as begun."""
    from pipeline.partition_swap import drop_rows_kept_elsewhere, mark_staged, name_staged_files, staged_partitions

    partitions = staged_partitions(staging)
    name_staged_files(staging, partitions, ledger["run_id"])
    dropped = drop_rows_kept_elsewhere(staging, output_dir, partitions["articles"], num_shards)
    partitions = staged_partitions(staging)  # a partition may have lost all its rows
    mark_staged(staging, partitions, ledger["run_id"])
    ledger["swap"] = {"partitions": partitions, "articles_kept_elsewhere": dropped}
    ledger["state"] = "swapping"
    write_ledger(staging, ledger)


def finish_swap(staging: pathlib.Path, output_dir: str, ledger: dict[str, Any], num_shards: int) -> dict[str, Any]:
    """Swap the marked partitions in, rebuild their index entries; return the swap's counts."""
    from pipeline.article_index import rebuild_article_index
    from pipeline.partition_swap import swap_partitions

    partitions = ledger["swap"]["partitions"]
    counts = swap_partitions(staging, output_dir, partitions, ledger["run_id"])
    rebuild_article_index(output_dir, num_shards, partitions["articles"])
    return {**ledger["swap"], **counts}


# The run -----------------------------------------------------------------------------------------------


def run_backfill(options: RunOptions, settings: BackfillSettings = BackfillSettings(),
                 progress_stream: TextIO | None = sys.stderr) -> dict[str, Any]:
    """Plan, stage and swap (resuming an interrupted run of the same command); return the run manifest."""
    from pipeline.dataset_layout import ensure_layout
    from pipeline.locking import output_lock

    date_range = options.date_range or DateRange()
    use_system_allocator_for_arrow()
    with output_lock(options.output_dir, options.lock_wait_s):
        ensure_layout(options.output_dir, options.num_shards)  # staged files must land in the live shards
        whole_from = first_whole_publication_day(list(options.inputs), options.output_dir,
                                                 options.transforms.max_future_skew)
        whole_range = range_held_whole(date_range, whole_from)
        if whole_range is None:
            return nothing_to_rebuild(options, whole_from)
        options, date_range = dataclasses.replace(options, date_range=whole_range), whole_range
        listed_at = time.monotonic()
        plan = plan_inputs(list(options.inputs), options.output_dir, date_range, settings,
                           options.transforms.max_future_skew)
        batches = plan_batches(plan, settings)
        progress = Progress(len(plan.inputs), sum(plan.documents), sum(plan.sizes_bytes), progress_stream)
        progress.show(f"backfill: listed {len(plan.sources):,} sources in {time.monotonic() - listed_at:.1f} s: "
                      f"{len(plan.inputs):,} inputs, {sum(plan.documents):,} documents, "
                      f"{sum(plan.skipped.values()):,} records skipped, {len(batches):,} batches")
        key = plan_key(plan, options, settings)
        staging, ledger, finished = _staging_for(options, plan, key, len(batches))
        if finished is not None:
            return finished  # this very backfill had been killed while swapping: it is complete now
        if ledger["state"] == "staging":
            if ledger["batches_done"]:
                progress.show(f"backfill: resuming {ledger['run_id']} after batch {ledger['batches_done']}")
            stage_batches(options, plan, batches, staging, ledger, progress)
            prepare_swap(staging, options.output_dir, ledger, options.num_shards)
        progress.show(f"backfill: swapping {sum(map(len, ledger['swap']['partitions'].values())):,} partitions in")
        return {**_complete(staging, ledger, options), "raw_zone_whole_from": whole_from}


def nothing_to_rebuild(options: RunOptions, whole_from: dt.date | None) -> dict[str, Any]:
    """The manifest of a backfill whose whole range a pruned raw zone no longer holds: nothing listed, nothing
    written (not even the manifest: the dataset is as it was)."""
    from pipeline.parquet_sink import empty_stats
    from pipeline.run_summary import utc_now

    ledger = {"run_id": options.run_id, "stats": empty_stats(), "started_at": utc_now().isoformat(),
              "elapsed_s": 0.0, "batches": 0, **_plan_summary(BackfillPlan(), options), "date_range": NO_DAYS}
    manifest = backfill_manifest(ledger, {"partitions": {"articles": [], "errors": []}}, options.output_dir)
    return {**manifest, "raw_zone_whole_from": whole_from}


def _staging_for(options: RunOptions, plan: BackfillPlan, key: str, batches: int
                 ) -> tuple[pathlib.Path, dict[str, Any], dict[str, Any] | None]:
    """The staging directory to use: an interrupted one of the same backfill, else a new one. Earlier
    stagings are finished (a swap had begun) or deleted (their batches are not worth keeping)."""
    for staging, ledger in pending_stagings(options.output_dir):
        if ledger is not None and ledger["state"] == "swapping":
            manifest = _complete(staging, ledger, options)
            if ledger["plan_key"] == key:
                return staging, ledger, manifest
        elif (ledger is not None and ledger["plan_key"] == key
              and ledger["live_run_at_start"] == last_live_run(options.output_dir)):
            return staging, ledger, None
        else:
            shutil.rmtree(staging)
    staging = staging_root(options.output_dir) / options.run_id
    staging.mkdir(parents=True)
    ledger = new_ledger(options.run_id, key, options.output_dir, batches)
    ledger.update(_plan_summary(plan, options))
    write_ledger(staging, ledger)
    return staging, ledger, None


def _plan_summary(plan: BackfillPlan, options: RunOptions) -> dict[str, Any]:
    """What the manifest needs from the plan, kept in the ledger so a later run can finish this one."""
    from pipeline.execution import options_record

    return {"sources": plan.sources, "inputs": len(plan.inputs), "documents": sum(plan.documents),
            "skipped": dict(plan.skipped.most_common()), "date_range": (options.date_range or DateRange()).describe(),
            "options": options_record(options), "runner": options.runner}


def _complete(staging: pathlib.Path, ledger: dict[str, Any], options: RunOptions) -> dict[str, Any]:
    """Swap, write the manifest, delete the staging directory (with the displaced old partitions)."""
    from pipeline.run_summary import write_manifest

    begun = time.monotonic()
    swap = finish_swap(staging, options.output_dir, ledger, ledger["options"]["num_shards"])
    ledger["elapsed_s"] += time.monotonic() - begun
    manifest = backfill_manifest(ledger, swap, options.output_dir)
    write_manifest(options.output_dir, manifest)
    shutil.rmtree(staging)
    if not any(staging.parent.iterdir()):
        staging.parent.rmdir()
    return manifest


def backfill_manifest(ledger: dict[str, Any], swap: dict[str, Any], output_dir: str) -> dict[str, Any]:
    """The run manifest of a backfill, from its ledger and what the swap did."""
    from pipeline.execution import pipeline_version
    from pipeline.run_summary import counts_from, utc_now

    stats = ledger["stats"]
    extra = {
        "documents_listed": ledger["documents"], "records_skipped": sum(ledger["skipped"].values()),
        "records_skipped_by_reason": ledger["skipped"], "articles_out_of_range": stats["articles_out_of_range"],
        "errors_out_of_range": stats["errors_out_of_range"],
        "articles_kept_elsewhere": swap.get("articles_kept_elsewhere", 0),
        "partitions_replaced": swap.get("articles_partitions_swapped", 0),
        "error_partitions_replaced": swap.get("errors_partitions_swapped", 0),
        "rows_before": swap.get("articles_rows_before", 0), "rows_after": swap.get("articles_rows_after", 0),
        "batches": ledger["batches"],
    }
    return {
        "run_id": ledger["run_id"], "mode": "backfill", "runner": ledger["runner"],
        "started_at": ledger["started_at"], "finished_at": utc_now().isoformat(),
        "elapsed_s": round(ledger["elapsed_s"], 3), "output_dir": output_dir, "inputs": ledger["sources"],
        "pipeline_version": pipeline_version(), "options": ledger["options"], "date_range": ledger["date_range"],
        "counts": counts_from(stats, len(ledger["sources"]), extra),
        "article_partitions": swap["partitions"]["articles"], "error_partitions": swap["partitions"]["errors"],
        "beam_metrics": None,  # summed from the data: batches run on runners without metrics too
    }


def format_backfill_summary(manifest: dict[str, Any]) -> str:
    """The run summary, then what is particular to a backfill, in one aligned table."""
    from pipeline.run_summary import format_summary, skipped_record_rows

    counts = manifest["counts"]
    date_range = manifest["date_range"]
    if manifest.get("raw_zone_whole_from"):
        date_range += (f" (the raw zone was pruned: days before {manifest['raw_zone_whole_from']} "
                       "are left as they are)")
    rows = [("date range", date_range), ("documents listed", f"{counts['documents_listed']:,}")]
    rows += skipped_record_rows("records skipped (not documents)", counts["records_skipped"],
                                counts["records_skipped_by_reason"])
    rows += [
        ("articles outside the range", f"{counts['articles_out_of_range']:,}"),
        ("errors outside the range", f"{counts['errors_out_of_range']:,}"),
        ("articles kept in other partitions", f"{counts['articles_kept_elsewhere']:,}"),
        ("partitions replaced", f"{counts['partitions_replaced']:,} "
                                f"(rows {counts['rows_before']:,} -> {counts['rows_after']:,})"),
        ("error partitions replaced", f"{counts['error_partitions_replaced']:,}"),
        ("batches", f"{counts['batches']:,}"),
    ]
    width = max(len(label) for label, _ in rows)
    return format_summary(manifest) + "\n" + "\n".join(f"{label:<{width}}  {value}" for label, value in rows)


# Command line ------------------------------------------------------------------------------------------


def add_backfill_parser(commands: Any, add_run_arguments: Callable[[Any], None] | None = None) -> Any:
    """Register ``newsbeam backfill`` on the CLI's subcommands (``commands`` from ``add_subparsers``)."""
    if add_run_arguments is None:
        from pipeline.cli import _add_run_arguments as add_run_arguments

    parser = commands.add_parser(
        "backfill", help="reprocess archives for a date range, rewriting those partitions atomically",
        description="Sources: OUT/raw (the raw zone), files, directories or globs of feeds/HTML/JSONL "
                    "(gz too), .tar/.tar.gz/.tgz/.zip archives, .warc/.warc.gz/.warc.zst/.arc/.arc.gz files.")
    parser.add_argument("sources", nargs="+", metavar="SOURCE")
    parser.add_argument("--since", type=utc_day, help="first UTC publication day (YYYY-MM-DD)")
    parser.add_argument("--until", type=utc_day, help="last UTC publication day, included")
    parser.add_argument("--chunk-records", type=positive_int, default=BackfillSettings.chunk_records,
                        help="archive members per pipeline input (default %(default)s)")
    parser.add_argument("--batch-inputs", type=positive_int, default=BackfillSettings.batch_max_inputs,
                        help="inputs per bounded pipeline (default %(default)s)")
    parser.add_argument("--batch-documents", type=positive_int, default=BackfillSettings.batch_max_documents,
                        help="documents per bounded pipeline (default %(default)s)")
    parser.add_argument("--batch-mb", type=positive_float, default=BackfillSettings.batch_max_bytes / MEBIBYTE,
                        help="input megabytes per bounded pipeline (default %(default)s)")
    parser.add_argument("--no-progress", action="store_true", help="no progress lines on stderr")
    add_run_arguments(parser)
    return parser


def command_backfill(args: Any, beam_args: list[str]) -> int:
    """``newsbeam backfill SOURCES... --output OUT [--since DATE] [--until DATE]``."""
    from pipeline.cli import exit_code, run_options_from

    try:
        date_range = DateRange(args.since, args.until)
    except ValueError as exc:
        print(f"newsbeam: {exc}", file=sys.stderr)
        return 2
    options = dataclasses.replace(run_options_from(args, "backfill", args.sources, beam_args), date_range=date_range)
    batch_bytes = int(args.batch_mb * MEBIBYTE)
    settings = BackfillSettings(chunk_records=args.chunk_records, batch_max_inputs=args.batch_inputs,
                                batch_max_documents=args.batch_documents, batch_max_bytes=batch_bytes,
                                chunk_max_bytes=max(64 * 1024, min(BackfillSettings.chunk_max_bytes, batch_bytes // 4)))
    missing = [source for source in args.sources if not expand_inputs([source]) and not pathlib.Path(source).is_dir()]
    if missing:
        print(f"newsbeam: no input files found in {' '.join(missing)}", file=sys.stderr)
        return 1
    manifest = run_backfill(options, settings, None if args.no_progress else sys.stderr)
    print(format_backfill_summary(manifest))
    if manifest["date_range"] == NO_DAYS:
        return 0  # nothing to do, by design: no failure
    return exit_code(manifest, options.fail_on_error)
