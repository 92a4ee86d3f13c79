"""Cost of date strings that are no date: the time stage against bare dateparser, items per second.

A feed can put a different string that looks like a date and is not (digits among made-up words) in every
item; dateparser then tries all of its ~200 locales on each. This runs ``parse_timestamp`` (what the time
stage calls for each date field) on N such strings, on N well-formed RFC 822 dates for comparison, and
bare ``dateparser.parse`` on the same strings, each kind in a fresh process so that no cache carries over.

    python -m benchmarks.hostile_dates [--items 500]

Prints items per second and the process's peak resident memory for each row.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import string
import subprocess
import sys
import time

KINDS = ("non_date", "rfc822")
READERS = ("newsbeam", "dateparser")


def date_strings(kind: str, count: int) -> list[str]:
    """``count`` different strings of ``kind``: made-up words around a day and a year, or RFC 822 dates."""
    rng = random.Random(7)
    if kind == "rfc822":
        return [f"Tue, {rng.randint(1, 28):02d} Mar {rng.randint(1995, 2025)} {rng.randint(0, 23):02d}:"
                f"{rng.randint(0, 59):02d}:00 +0{rng.randint(0, 9)}00" for _ in range(count)]

    def word() -> str:
        return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9)))
    return [f"{word()} {rng.randint(1, 31)} {word()} {word()} {rng.randint(1900, 2030)}" for _ in range(count)]


def measure(kind: str, reader: str, count: int) -> dict[str, float]:
    """Items per second and peak memory (MiB) of ``reader`` on ``count`` strings of ``kind``, in this process."""
    values = date_strings(kind, count)
    if reader == "newsbeam":
        from transforms.timestamps import parse_timestamp as read
    else:
        import dateparser

        def read(value: str) -> object:
            return dateparser.parse(value)
    read(date_strings("rfc822", 1)[0])  # imports and first-use set-up are not the figure
    started = time.perf_counter()
    read_count = sum(1 for value in values if read(value) is not None)
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"items_per_second": count / seconds, "read": read_count, "peak_mib": peak_mib}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "READER"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child[0], args.child[1], args.items)))
        return 0
    print(f"{'strings':<10} {'reader':<11} {'items/s':>10} {'read':>6} {'peak MiB':>9}")
    for kind in KINDS:
        for reader in READERS:
            command = [sys.executable, "-m", "benchmarks.hostile_dates", "--items", str(args.items),
                       "--child", kind, reader]
            row = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
            print(f"{kind:<10} {reader:<11} {row['items_per_second']:>10.1f} {row['read']:>6} {row['peak_mib']:>9.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
