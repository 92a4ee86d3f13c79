"""``newsbeam prune OUT``: raw-zone retention. Delete the whole fetch days of the raw zone before a cut-off.

What goes: the ``date=D`` folders of ``OUT/raw`` (feed bodies, their provenance and page lists) and of
``OUT/raw/pages`` (full-text pages) for days D before the cut-off; nothing else (the datasets, ``_state``,
``_runs`` stay). Two kinds of day are held back past the cut-off, because something still reads them:

- a day holding an input the stream's ledger has queued but not yet processed (a stream stopped with a
  backlog reads it at its next start);
- a pages day holding a page that a kept feed body's page list points to (an item still in its feed reuses the
  page fetched on its first day): a backfill of the kept body reads it.

Each day folder is renamed to a hidden ``OUT/raw/.pruned-*`` name first, and deleted after: a crash leaves whole
days or hidden leftovers, which readers never list (they list ``date=*``) and the next prune deletes. Before the
first rename, ``OUT/raw/_pruned.json`` records the cut-off, so that a backfill from the pruned zone never rebuilds
a publication day from the few items that later fetches still hold (``pipeline.backfill``).

The caller holds the output lock: ``prune`` takes it; ``newsbeam stream --raw-keep-days`` holds it already and
prunes between windows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import pathlib
import shutil
import sys
from collections.abc import Iterable, Iterator
from typing import Any, Callable

from pipeline.atomic_files import fsync_directory
from pipeline.raw_zone import PAGE_ZONE, RAW_DIR_NAME, day_folders, read_pages_sidecar, record_pruned_before
from pipeline.stream_ledger import LEDGER_FILE_NAME, StreamLedger

LEFTOVER_PREFIX = ".pruned-"
FEED_ZONE, PAGES_ZONE = "feeds", "pages"
PENDING_IN_STREAM = "the stream has inputs there it has not read yet"
LISTED_BY_KEPT_FEEDS = "kept feed bodies list pages there"


@dataclasses.dataclass(frozen=True)
class RawDay:
    """One day folder of the raw zone: ``zone`` is ``feeds`` (``OUT/raw``) or ``pages`` (``OUT/raw/pages``)."""

    zone: str
    day: dt.date
    path: pathlib.Path


@dataclasses.dataclass
class PruneResult:
    """What a prune removed (or, dry, would remove), and what it kept."""

    raw_root: pathlib.Path
    pruned_before: dt.date
    dry_run: bool
    removed: list[RawDay] = dataclasses.field(default_factory=list)
    held_back: dict[RawDay, str] = dataclasses.field(default_factory=dict)  # day -> why it stays
    files_removed: int = 0
    bytes_freed: int = 0
    leftovers_removed: int = 0  # hidden folders an interrupted prune left
    oldest_day_kept: dt.date | None = None  # of the feed bodies


def prune_before_day(keep_days: int | None, before: str | None, today: dt.date) -> dt.date:
    """The first day kept, from ``--raw-keep-days N`` (today minus N) or ``--raw-before YYYY-MM-DD``; raises
    ValueError, saying why, for N < 1, a bad date, or a day after yesterday (today's bodies are always kept, and
    yesterday's, which a running stream may still be reading)."""
    if keep_days is not None:
        if keep_days < 1:
            raise ValueError(f"--raw-keep-days must be 1 or more (today and yesterday always stay), not {keep_days}")
        return today - dt.timedelta(days=keep_days)
    try:
        day = dt.date.fromisoformat(before or "")
    except ValueError:
        raise ValueError(f"--raw-before takes a day as YYYY-MM-DD, not {before!r}") from None
    if day > today - dt.timedelta(days=1):
        raise ValueError(f"--raw-before {day} would delete yesterday's bodies or later: give "
                         f"{today - dt.timedelta(days=1)} at the latest (today and yesterday are always kept)")
    return day


def raw_days(output_dir: str | pathlib.Path) -> list[RawDay]:
    """Every day folder of both zones, feeds first, oldest first."""
    output = pathlib.Path(output_dir)
    return ([RawDay(FEED_ZONE, day, path) for day, path in day_folders(output / RAW_DIR_NAME)]
            + [RawDay(PAGES_ZONE, day, path) for day, path in day_folders(output / PAGE_ZONE)])


def pending_stream_paths(output_dir: str | pathlib.Path) -> Iterator[str]:
    """The files the stream's pending inputs will read: bodies, and the pages of their items."""
    if not (pathlib.Path(output_dir) / "_state" / LEDGER_FILE_NAME).exists():
        return
    ledger = StreamLedger(output_dir)
    try:
        pending = ledger.pending(ledger.pending_count())
    finally:
        ledger.close()
    for _, descriptor in pending:
        yield descriptor.get("path") or ""
        yield from (page.get("raw_path") or "" for page in (descriptor.get("pages") or {}).values())


def listed_page_paths(feed_days: Iterable[RawDay]) -> Iterator[str]:
    """The pages the page lists of the feed bodies of ``feed_days`` point to."""
    for feed_day in feed_days:
        for sidecar in sorted(feed_day.path.glob("source=*/*.pages.json")):
            body_path = sidecar.with_name(sidecar.name.removesuffix(".pages.json") + ".gz")
            yield from (page.get("raw_path") or "" for page in read_pages_sidecar(body_path).values())


def days_holding(paths: Iterable[str], days: Iterable[RawDay]) -> set[RawDay]:
    """Those of ``days`` whose folder holds one of ``paths``, raw-zone paths as ``store_raw`` gives them
    (``ZONE/date=D/source=S/<file>``, under the output directory the CLI resolved): read from the path's text,
    as there may be a million of them."""
    by_folder = {day.path: day for day in days}
    found = set()
    for path in paths:
        folder = pathlib.Path(os.path.abspath(path)).parent.parent if path else None
        if folder in by_folder:
            found.add(by_folder[folder])
    return found


def held_back_days(output_dir: pathlib.Path, expired: list[RawDay], kept: list[RawDay]) -> dict[RawDay, str]:
    """The expired days that stay, and why: an input the stream has not read, or a page a kept feed lists."""
    pending = days_holding(pending_stream_paths(output_dir), expired)
    kept_feeds = [day for day in [*kept, *pending] if day.zone == FEED_ZONE]
    expired_pages = [day for day in expired if day.zone == PAGES_ZONE and day not in pending]
    listed = days_holding(listed_page_paths(kept_feeds), expired_pages) if expired_pages else set()
    return {day: PENDING_IN_STREAM if day in pending else LISTED_BY_KEPT_FEEDS
            for day in expired if day in pending or day in listed}


def files_and_bytes(folder: pathlib.Path) -> tuple[int, int]:
    """How many files are under ``folder``, and their bytes."""
    files = size_bytes = 0
    for root, _, names in os.walk(folder):
        for name in names:
            files += 1
            size_bytes += os.lstat(os.path.join(root, name)).st_size
    return files, size_bytes


def remove_leftovers(raw_root: pathlib.Path, result: PruneResult) -> None:
    """Delete the hidden folders an interrupted prune left, counting their files."""
    for leftover in sorted(raw_root.glob(f"{LEFTOVER_PREFIX}*")):
        files, size_bytes = files_and_bytes(leftover)
        shutil.rmtree(leftover)
        result.leftovers_removed += 1
        result.files_removed += files
        result.bytes_freed += size_bytes


def prune_raw_zone(output_dir: str | pathlib.Path, before: dt.date, *, dry_run: bool = False) -> PruneResult:
    """Delete the raw zone's day folders before ``before`` (both zones) but those held back; the caller holds
    the output lock. With ``dry_run``, count what would go and change nothing."""
    output = pathlib.Path(output_dir).resolve()
    raw_root = output / RAW_DIR_NAME
    result = PruneResult(raw_root=raw_root, pruned_before=before, dry_run=dry_run)
    days = raw_days(output)
    expired = [day for day in days if day.day < before]
    result.held_back = held_back_days(output, expired, [day for day in days if day.day >= before])
    result.removed = [day for day in expired if day not in result.held_back]
    result.oldest_day_kept = min((day.day for day in days if day.zone == FEED_ZONE and day not in result.removed),
                                 default=None)
    if dry_run:
        for day in result.removed:
            files, size_bytes = files_and_bytes(day.path)
            result.files_removed += files
            result.bytes_freed += size_bytes
        return result
    remove_leftovers(raw_root, result)
    if not result.removed:
        return result
    record_pruned_before(raw_root, before)  # before any day goes: a backfill must know from now on
    hidden = [raw_root / f"{LEFTOVER_PREFIX}{day.zone}-{day.path.name}" for day in result.removed]
    for day, leftover in zip(result.removed, hidden):
        day.path.rename(leftover)
    for zone_root in {raw_root, *(day.path.parent for day in result.removed)}:
        fsync_directory(zone_root)  # the renames are durable before the first file is deleted
    for leftover in hidden:
        files, size_bytes = files_and_bytes(leftover)
        shutil.rmtree(leftover)
        result.files_removed += files
        result.bytes_freed += size_bytes
    return result


def prune(output_dir: str, before: dt.date, *, dry_run: bool = False, lock_wait_s: float = 0.0) -> PruneResult:
    """``prune_raw_zone`` under the output lock (raises OutputLockedError when another run holds it); a dry run
    deletes nothing and takes no lock."""
    from pipeline.locking import output_lock

    if dry_run:
        return prune_raw_zone(output_dir, before, dry_run=True)
    with output_lock(output_dir, lock_wait_s):
        return prune_raw_zone(output_dir, before)


def _day_span(days: list[dt.date]) -> str:
    if not days:
        return "0"
    span = f"{min(days)}" if min(days) == max(days) else f"{min(days)}..{max(days)}"
    return f"{len(days)} ({span})"


def format_prune(result: PruneResult) -> str:
    """An aligned table: the cut-off, days removed per zone, files and bytes, the oldest day kept, days held back."""
    verb = "to remove" if result.dry_run else "removed"
    rows = [("raw zone", f"{result.raw_root}" + ("  (dry run: nothing deleted)" if result.dry_run else "")),
            ("days before", f"{result.pruned_before}"),
            (f"feed days {verb}", _day_span([day.day for day in result.removed if day.zone == FEED_ZONE])),
            (f"page days {verb}", _day_span([day.day for day in result.removed if day.zone == PAGES_ZONE])),
            (f"files {verb}", f"{result.files_removed:,}"),
            ("bytes freed" if not result.dry_run else "bytes to free",
             f"{result.bytes_freed:,} ({result.bytes_freed / 1e6:.1f} MB)"),
            ("oldest day kept", f"{result.oldest_day_kept or 'none'}")]
    for reason in dict.fromkeys(result.held_back.values()):
        held = [day for day, why in result.held_back.items() if why == reason]
        zones = " and ".join(dict.fromkeys(f"{day.zone[:-1]} days" for day in held))
        rows.append(("held back", f"{zones} {_day_span([day.day for day in held])}: {reason}"))
    if result.leftovers_removed:
        rows.append(("leftovers removed", f"{result.leftovers_removed} (of an interrupted prune)"))
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)


def add_prune_parser(commands: Any, add_run_arguments: Callable[[Any], None] | None = None) -> Any:
    """Register ``newsbeam prune`` on the CLI's subcommands (``add_run_arguments`` is not needed)."""
    parser = commands.add_parser("prune", help="delete the raw zone's fetch days before a cut-off (retention)")
    parser.add_argument("output", metavar="OUT", help="output directory of earlier runs")
    selector = parser.add_mutually_exclusive_group(required=True)
    selector.add_argument("--raw-keep-days", type=int, metavar="N",
                          help="keep today and the N full UTC days before it (N >= 1); delete older days")
    selector.add_argument("--raw-before", metavar="YYYY-MM-DD",
                          help="delete the days strictly before this one (yesterday at the latest)")
    parser.add_argument("--dry-run", action="store_true", help="say what would go, delete nothing")
    parser.add_argument("--lock-wait", type=float, default=0.0, metavar="SECONDS",
                        help="wait this long for another run on the same output to finish")
    return parser


def command_prune(args: Any, beam_args: list[str]) -> int:
    """``newsbeam prune OUT --raw-keep-days N | --raw-before YYYY-MM-DD [--dry-run]``."""
    from pipeline.cli import refuse_output_command
    from pipeline.run_summary import utc_now

    try:
        before = prune_before_day(args.raw_keep_days, args.raw_before, utc_now().date())
    except ValueError as exc:
        print(f"newsbeam prune: {exc}", file=sys.stderr)
        return 2
    if (refused := refuse_output_command("prune", args.output, beam_args)) is not None:
        return refused
    print(format_prune(prune(str(pathlib.Path(args.output).resolve()), before, dry_run=args.dry_run,
                             lock_wait_s=args.lock_wait)))
    return 0
