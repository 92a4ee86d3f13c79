"""Peak memory of ``newsbeam backfill`` against archive size: it should not grow with the item count.

Generates, in a temporary directory (never committed), deterministic ``.tar.gz`` archives of JSON Lines
members holding N items, published at a constant 1,000 items a day (so partitions keep the same size
and only the archive grows), then runs ``newsbeam backfill`` on each in a child process and reads the
child's peak RSS from ``wait4``. A first run over a tiny archive (``--base-items``) gives the fixed cost
(imports, models, one batch), so the table shows the growth above it. The child appends its resident
size to each progress line; the table shows it after the first and the last batch.

Usage: ``python -m benchmarks.backfill_memory --items 20000 100000 200000`` (about 15 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import io
import json
import os
import pathlib
import random
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from typing import Any, TextIO

UTC = dt.timezone.utc
FIRST_DAY = dt.datetime(2024, 1, 1, tzinfo=UTC)
ITEMS_PER_DAY = 1_000
ITEMS_PER_MEMBER = 50
SOURCES = ("caspian-courier", "steppe-wire", "volga-dispatch", "baku-ledger", "tbilisi-observer")
PLACES = ("Baku", "Tbilisi", "Aktau", "Astana", "Tashkent", "Yerevan", "Moscow", "Tehran", "Ankara", "Almaty")
WORDS = ("council", "budget", "pipeline", "harbour", "ministry", "election", "drought", "festival", "rail",
         "tariff", "grain", "summit", "court", "bridge", "shipping", "reform", "strike", "museum")


def item_line(number: int, rng: random.Random) -> bytes:
    """One JSON Lines article, about 1.2 KB, published on day ``number // ITEMS_PER_DAY``."""
    source = SOURCES[number % len(SOURCES)]
    published = FIRST_DAY + dt.timedelta(days=number // ITEMS_PER_DAY, seconds=rng.randrange(86_400))
    place = rng.choice(PLACES)
    sentences = [f"The {rng.choice(WORDS)} in {place} met on {published:%A} as {rng.choice(WORDS)} talks went on."
                 for _ in range(8)]
    html = "".join(f"<p>{sentence} {' '.join(rng.choice(WORDS) for _ in range(6))}.</p>" for sentence in sentences)
    return json.dumps({
        "url": f"https://{source}.example/news/{number}", "title": f"{place}: {rng.choice(WORDS)} news {number}",
        "html": html, "published": published.isoformat(), "source": source,
    }).encode() + b"\n"


def write_archive(path: pathlib.Path, items: int, seed: int = 1) -> int:
    """A .tar.gz of JSONL members holding ``items`` items; returns the member count."""
    rng = random.Random(seed)
    fetched_s = int((FIRST_DAY + dt.timedelta(days=items // ITEMS_PER_DAY + 2)).timestamp())  # after every item
    members = 0
    with tarfile.open(path, "w:gz", compresslevel=6) as tar:
        for start in range(0, items, ITEMS_PER_MEMBER):
            data = b"".join(item_line(number, rng) for number in range(start, min(start + ITEMS_PER_MEMBER, items)))
            info = tarfile.TarInfo(f"day-{start // ITEMS_PER_DAY:04d}/items-{start:08d}.jsonl")
            info.size, info.mtime = len(data), fetched_s
            tar.addfile(info, io.BytesIO(data))
            members += 1
    return members


RSS_SUFFIX = re.compile(r"  RSS (\d+) MB$")


def resident_mb() -> int | None:
    """This process's resident set size now, in MB (Linux: /proc/self/statm), or None."""
    try:
        resident_pages = int(pathlib.Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return resident_pages * os.sysconf("SC_PAGE_SIZE") // (1024 * 1024)


class ResidentSizeLines:
    """A text stream that appends the resident size to every ``backfill: batch`` progress line."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        if text.startswith("backfill: batch"):  # print() writes the line and its newline separately
            newline = "\n" if text.endswith("\n") else ""
            text = f"{text.rstrip()}  RSS {resident_mb()} MB{newline}"
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


@dataclasses.dataclass
class ChildRun:
    """What one backfill child did: exit code, time, peak RSS, and RSS after each batch."""

    exit_code: int
    seconds: float
    peak_rss_mb: float
    batch_rss_mb: list[int]


def run_child(archive: pathlib.Path, output: pathlib.Path, log: pathlib.Path, extra: list[str]) -> ChildRun:
    """Run the backfill in a child process and read its peak RSS and its per-batch progress lines."""
    command = [sys.executable, "-m", "benchmarks.backfill_memory", "--child", str(archive), str(output), *extra]
    started = time.monotonic()
    with open(log, "w") as stderr:
        child = subprocess.Popen(command, stdout=stderr, stderr=stderr, cwd=pathlib.Path(__file__).parents[1])
        _, status, usage = os.wait4(child.pid, 0)
    batch_rss_mb = [int(match.group(1)) for line in log.read_text().splitlines() if (match := RSS_SUFFIX.search(line))]
    return ChildRun(os.waitstatus_to_exitcode(status), time.monotonic() - started, usage.ru_maxrss / 1024,
                    batch_rss_mb)


def child_main(archive: str, output: str, extra: list[str]) -> int:
    """The child: ``newsbeam backfill ARCHIVE --output OUTPUT``, with the resident size on each batch line."""
    from pipeline import cli

    sys.stderr = ResidentSizeLines(sys.stderr)  # type: ignore[assignment]
    return cli.main(["backfill", archive, "--output", output, *extra])


def measure(items: int, scratch: pathlib.Path, extra: list[str]) -> tuple[int, ChildRun]:
    """Generate an archive of ``items`` items and backfill it into a fresh output; (members, the run)."""
    archive = scratch / f"items-{items}.tar.gz"
    members = write_archive(archive, items)
    log = scratch / f"log-{items}.txt"
    run = run_child(archive, scratch / f"out-{items}", log, extra)
    if run.exit_code != 0:
        print(log.read_text()[-3000:], file=sys.stderr)
    return members, run


def table_row(items: int, members: int, archive_mb: float, run: ChildRun, base_peak_mb: float) -> str:
    """One line of the table."""
    batches = f"{run.batch_rss_mb[0]} / {run.batch_rss_mb[-1]}" if run.batch_rss_mb else "?"
    return (f"{items:>8,}  {members:>7,}  {archive_mb:>10.1f}  {len(run.batch_rss_mb):>7}  {run.seconds:>7.0f}  "
            f"{items / run.seconds:>7.0f}  {run.peak_rss_mb:>11.0f}  {run.peak_rss_mb - base_peak_mb:>10.0f}  "
            f"{batches:>21}  {run.exit_code}")


def main() -> int:
    """Run the base size, then each size; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, nargs="+", default=[20_000, 100_000, 200_000])
    parser.add_argument("--base-items", type=int, default=1_000, help="the tiny archive that gives the fixed cost")
    parser.add_argument("--child", nargs=2, metavar=("ARCHIVE", "OUTPUT"), help=argparse.SUPPRESS)
    parser.add_argument("--batch-mb", type=float, default=None, help="passed to the backfill")
    args = parser.parse_args()
    extra = ["--batch-mb", str(args.batch_mb)] if args.batch_mb else []
    if args.child:
        return child_main(*args.child, extra)
    print(f"{'items':>8}  {'members':>7}  {'archive MB':>10}  {'batches':>7}  {'seconds':>7}  {'items/s':>7}  "
          f"{'peak RSS MB':>11}  {'above base':>10}  {'RSS MB batch 1 / last':>21}  exit", flush=True)
    with tempfile.TemporaryDirectory(prefix="newsbeam-backfill-memory-") as scratch_name:
        scratch = pathlib.Path(scratch_name)
        base_peak_mb = None
        for items in [args.base_items, *args.items]:
            members, run = measure(items, scratch, extra)
            base_peak_mb = run.peak_rss_mb if base_peak_mb is None else base_peak_mb
            archive_mb = (scratch / f"items-{items}.tar.gz").stat().st_size / 1e6
            print(table_row(items, members, archive_mb, run, base_peak_mb), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
