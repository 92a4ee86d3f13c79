"""Peak memory of ``newsbeam backfill`` against archive size: it should not grow with the item count.

Generates, in a temporary directory (never committed), deterministic ``.tar.gz`` archives of JSON Lines
members holding N items, published at a constant 1,000 items a day (so partitions keep the same size
and only the archive grows), then runs the backfill on each in a child process and reads the child's
peak RSS from ``wait4``. Prints one table row per size.

Usage: ``python -m benchmarks.backfill_memory --items 20000 100000 200000`` (about 10 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import pathlib
import random
import subprocess
import sys
import tarfile
import tempfile
import time

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


def run_child(archive: pathlib.Path, output: pathlib.Path, log: pathlib.Path, extra: list[str]
              ) -> tuple[int, float, float]:
    """Run the backfill in a child process; return (exit code, seconds, peak RSS in MB)."""
    command = [sys.executable, "-m", "benchmarks.backfill_memory", "--child", str(archive), str(output), *extra]
    started = time.monotonic()
    with open(log, "w") as stderr:
        child = subprocess.Popen(command, stdout=stderr, stderr=stderr, cwd=pathlib.Path(__file__).parents[1])
        _, status, usage = os.wait4(child.pid, 0)
    return os.waitstatus_to_exitcode(status), time.monotonic() - started, usage.ru_maxrss / 1024


def child_main(archive: str, output: str, extra: list[str]) -> int:
    """The child: ``newsbeam backfill ARCHIVE --output OUTPUT`` (through the CLI once it has the command)."""
    arguments = ["backfill", archive, "--output", output, *extra]
    from pipeline import cli

    try:
        cli.build_parser().parse_args(arguments)
        return cli.main(arguments)
    except SystemExit:  # not registered in pipeline/cli.py yet: the same functions, without the CLI module
        from pipeline.backfill import add_backfill_parser, command_backfill

        parser = argparse.ArgumentParser(prog="newsbeam")
        add_backfill_parser(parser.add_subparsers(dest="command"))
        args, beam_args = parser.parse_known_args(arguments)
        return command_backfill(args, beam_args)


def main() -> int:
    """Generate each size, run it, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, nargs="+", default=[20_000, 100_000, 200_000])
    parser.add_argument("--child", nargs=2, metavar=("ARCHIVE", "OUTPUT"), help=argparse.SUPPRESS)
    parser.add_argument("--batch-mb", type=float, default=None, help="passed to the backfill")
    args = parser.parse_args()
    extra = ["--batch-mb", str(args.batch_mb)] if args.batch_mb else []
    if args.child:
        return child_main(*args.child, extra)
    header = f"{'items':>8}  {'members':>7}  {'archive MB':>10}  {'seconds':>7}  {'items/s':>7}  {'peak RSS MB':>11}  exit"
    print(header, flush=True)
    with tempfile.TemporaryDirectory(prefix="newsbeam-backfill-memory-") as scratch:
        for items in args.items:
            archive = pathlib.Path(scratch) / f"items-{items}.tar.gz"
            members = write_archive(archive, items)
            code, seconds, peak_mb = run_child(archive, pathlib.Path(scratch) / f"out-{items}",
                                               pathlib.Path(scratch) / f"log-{items}.txt", extra)
            print(f"{items:>8,}  {members:>7,}  {archive.stat().st_size / 1e6:>10.1f}  {seconds:>7.0f}  "
                  f"{items / seconds:>7.0f}  {peak_mb:>11.0f}  {code}", flush=True)
            if code != 0:
                print((pathlib.Path(scratch) / f"log-{items}.txt").read_text()[-3000:], file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
