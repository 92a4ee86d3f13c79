"""``newsbeam repair OUT [--dry-run]``: set aside the dataset files that cannot be read, and re-index what is left.

A damaged file (``pipeline.damaged_files``) stops every command that reads it, and DuckDB's reads of the dataset
with it. Repair reads every file of the articles and errors datasets and of the article index to the last page
(a footer alone misses a corrupt page), moves each one that does not read to ``OUT/_damaged/`` under its own
relative path (kept, never deleted: it may be salvaged by hand), and rebuilds the article index entries of the
days that lost a file (all of them when an index file was damaged). The rows of a set-aside file are then gone
from the dataset and from the index, so the next run of the same inputs writes them again instead of counting
them as already written; a run with a raw zone can rebuild those days with ``newsbeam backfill``. Memory is one
row group of one file at a time; time follows the dataset, as it must to read every page.
"""

from __future__ import annotations

import dataclasses
import pathlib
from typing import Any, Callable

import pyarrow.parquet as pq

from pipeline.damaged_files import DamagedFileError, damage_in
from pipeline.index_store import index_files
from pipeline.parquet_sink import dataset_files

DAMAGED_DIR = "_damaged"  # beside the datasets: outside every glob that reads them
DATASETS = ("articles", "errors")
FILES_LISTED = 20  # damaged files named one by one; the rest are counted


@dataclasses.dataclass(frozen=True)
class DamagedFile:
    """A file of the output that does not read, and why."""

    relative_path: str  # under OUT, e.g. articles/date=2024-05-01/part-00003.parquet
    reason: str


@dataclasses.dataclass(frozen=True)
class RepairResult:
    """What ``repair`` found and did."""

    output_dir: str
    files_checked: int
    damaged: list[DamagedFile]
    damaged_days: list[str]  # article days that lost a file
    index_entries: int | None  # the index's size after its rebuild; None when nothing was rebuilt
    whole_index_rebuilt: bool  # an index file was damaged: every day's entries were rebuilt
    dry_run: bool


def read_failure(path: pathlib.Path) -> str | None:
    """Why the Parquet file at ``path`` cannot be read to its last page; None when it can."""
    try:
        with damage_in(path), pq.ParquetFile(path, pre_buffer=False) as parquet:
            for group in range(parquet.num_row_groups):
                parquet.read_row_group(group, use_threads=False)
    except DamagedFileError as exc:
        return exc.reason
    return None


def output_files(output_dir: str) -> list[pathlib.Path]:
    """Every Parquet file repair checks: the datasets' and the article index's."""
    return [path for dataset in DATASETS for path in dataset_files(output_dir, dataset)] + index_files(output_dir)


def set_aside(output_dir: str, path: pathlib.Path) -> pathlib.Path:
    """Move ``path`` to ``OUT/_damaged/`` under its relative path (a number added when that name is taken)."""
    relative = path.relative_to(output_dir)
    target = pathlib.Path(output_dir) / DAMAGED_DIR / relative
    number = 1
    while target.exists():
        target = target.with_name(f"{relative.stem}.{number}{relative.suffix}")
        number += 1
    target.parent.mkdir(parents=True, exist_ok=True)
    path.rename(target)
    return target


def repair(output_dir: str, dry_run: bool = False, lock_wait_s: float = 0.0) -> RepairResult:
    """Find the output's damaged files; unless ``dry_run``, set them aside and rebuild the article index entries
    of the days they held (``pipeline.article_index``), under the output lock."""
    from pipeline.article_index import rebuild_article_index
    from pipeline.dataset_layout import recorded_shards
    from pipeline.locking import output_lock

    with output_lock(output_dir, lock_wait_s):
        files = output_files(output_dir)
        damaged: list[DamagedFile] = []
        for path in files:
            if (reason := read_failure(path)) is not None:
                damaged.append(DamagedFile(str(path.relative_to(output_dir)), reason))
                if not dry_run:
                    set_aside(output_dir, path)
        index_damaged = any(item.relative_path.startswith("_state/") for item in damaged)
        days = sorted({pathlib.Path(item.relative_path).parent.name.removeprefix("date=") for item in damaged
                       if item.relative_path.startswith("articles/")})
        num_shards = recorded_shards(output_dir)
        entries = None
        if (days or index_damaged) and not dry_run and num_shards:
            entries = rebuild_article_index(output_dir, num_shards, None if index_damaged else days)
    return RepairResult(output_dir, len(files), damaged, days, entries, index_damaged, dry_run)


def format_repair(result: RepairResult) -> str:
    """What was checked and set aside, and how the lost rows come back."""
    verb = "found" if result.dry_run else "set aside"
    lines = [f"files checked        {result.files_checked:,}",
             f"damaged files        {len(result.damaged)}" + ("  (dry run: nothing moved)" if result.dry_run else "")]
    lines += [f"  {item.relative_path}: {item.reason}" for item in result.damaged[:FILES_LISTED]]
    if len(result.damaged) > FILES_LISTED:
        lines.append(f"  ... and {len(result.damaged) - FILES_LISTED} more")
    if not result.damaged:
        return "\n".join(lines)
    if not result.dry_run:
        lines.append(f"moved to             {pathlib.Path(result.output_dir) / DAMAGED_DIR}")
    if result.index_entries is not None:
        rebuilt = "every day" if result.whole_index_rebuilt else f"{len(result.damaged_days)} day(s)"
        lines.append(f"index rebuilt        {rebuilt}, {result.index_entries:,} entries")
    days = result.damaged_days
    raw_zone = pathlib.Path(result.output_dir) / "raw"
    backfill = (f"; from the raw zone: newsbeam backfill {raw_zone} --output {result.output_dir} "
                f"--since {days[0]} --until {days[-1]}" if days and raw_zone.is_dir() else "")
    lines.append(f"The rows of the files {verb} are not in the dataset"
                 f"{'' if result.dry_run else ' any more'}: a run of the same inputs writes them again{backfill}.")
    return "\n".join(lines)


def add_repair_parser(commands: Any, add_run_arguments: Callable[[Any], None] | None = None) -> Any:
    """Register ``newsbeam repair`` on the CLI's subcommands (``add_run_arguments`` is not needed)."""
    parser = commands.add_parser("repair", help="set aside dataset files that cannot be read; re-index the rest")
    parser.add_argument("output", metavar="OUT", help="output directory of earlier runs")
    parser.add_argument("--dry-run", action="store_true", help="say which files are damaged, move nothing")
    parser.add_argument("--lock-wait", type=float, default=0.0, metavar="SECONDS",
                        help="wait this long for another run on the same output to finish")
    return parser


def command_repair(args: Any, beam_args: list[str]) -> int:
    """``newsbeam repair OUT [--dry-run]``: exit 0, or 1 for a dry run that found damaged files."""
    from pipeline.cli import refuse_output_command

    if (refused := refuse_output_command("repair", args.output, beam_args)) is not None:
        return refused
    result = repair(str(pathlib.Path(args.output).resolve()), dry_run=args.dry_run, lock_wait_s=args.lock_wait)
    print(format_repair(result))
    return 1 if result.dry_run and result.damaged else 0

