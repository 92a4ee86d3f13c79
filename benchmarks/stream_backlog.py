"""Back-pressure of ``newsbeam stream``: a drop of N files at once, worked off in bounded windows.

    python -m benchmarks.stream_backlog --files 1000 5000

For each N: writes N small feeds (2 items each, generated, in a temp dir), runs the stream in a child
process until the backlog is empty, and prints windows, items/s and the child's peak RSS. Flat memory
means the peak does not grow with N.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

from tests.feed_factory import numbered_items, rss

CHILD = """
import json, sys, threading
from pipeline.allocator import choose_arrow_allocator
choose_arrow_allocator()  # as the newsbeam command does, before pyarrow loads
from pipeline.http_fetch import FetchSettings
from pipeline.options import RunOptions
from pipeline.stream_ledger import StreamLedger
from pipeline.streaming import StreamSettings, run_stream

drop_dir, output, per_window = sys.argv[1], sys.argv[2], int(sys.argv[3])
stop = threading.Event()
original = StreamLedger.mark_done

def stop_when_empty(self, keys, now):
    original(self, keys, now)
    if self.pending_count() == 0:
        stop.set()

StreamLedger.mark_done = stop_when_empty
options = RunOptions(mode="stream", inputs=(), output_dir=output, run_id="backlog", num_shards=4)
settings = StreamSettings(window_s=1, drop_dir=drop_dir, max_inputs_per_window=per_window, settle_s=0)
manifest = run_stream(options, [], FetchSettings(), settings, stop)
print(json.dumps({"windows": len(manifest["windows"]), "articles": manifest["counts"]["articles_written"]}))
"""


def measure(files: int, per_window: int) -> dict[str, float]:
    """Drop ``files`` feeds, run the stream to an empty backlog, return its figures."""
    with tempfile.TemporaryDirectory() as temp:
        drop_dir, output = os.path.join(temp, "drop"), os.path.join(temp, "out")
        os.mkdir(drop_dir)
        for number in range(files):
            with open(os.path.join(drop_dir, f"f{number:05d}.xml"), "wb") as handle:
                handle.write(rss(numbered_items(2, f"f{number}")))
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.monotonic()
        result = subprocess.run([sys.executable, "-c", CHILD, drop_dir, output, str(per_window)],
                                capture_output=True, text=True, check=True)
        elapsed = time.monotonic() - start
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        figures = json.loads(result.stdout.strip().splitlines()[-1])
    return {"files": files, "windows": figures["windows"], "articles": figures["articles"],
            "elapsed_s": round(elapsed, 1), "items_per_s": round(figures["articles"] / elapsed, 1),
            "peak_rss_mib": round(max(peak_kib, before) / 1024, 1)}


def main(argv: list[str] | None = None) -> int:
    """Print one row per drop size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--per-window", type=int, default=500)
    args = parser.parse_args(argv)
    print(f"{'files':>6} {'windows':>7} {'articles':>8} {'elapsed s':>9} {'items/s':>8} {'peak RSS MiB':>12}")
    for files in sorted(args.files):  # ascending, so a child's peak is not hidden by a larger earlier one
        row = measure(files, args.per_window)
        print(f"{row['files']:>6} {row['windows']:>7} {row['articles']:>8} {row['elapsed_s']:>9} "
              f"{row['items_per_s']:>8} {row['peak_rss_mib']:>12}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
