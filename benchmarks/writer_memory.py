"""Memory of one shard's writer alone: what it adds to a process to decide and write N staged articles.

The throughput benchmark shows a run's peak; this isolates the sink's step that grows with a run's size
(a shard's articles, and each (day, shard) file). Articles are synthetic (about 4 KB of body each, every
column of the schema filled), staged as the pipeline stages them (30 to a staging file), spread over
``--days`` days, and written by ``parquet_sink.write_article_shard`` into an empty output directory. The
figure is the peak resident memory above the level before the write (Linux: VmHWM, reset first). Each size
runs in a fresh process.

    python -m benchmarks.writer_memory --articles 2500 25000 --days 28
    python -m benchmarks.writer_memory --articles 2500 --indexed 0 2000000   # an older, larger dataset

``--indexed N`` gives the shard an index of N older articles first (written before the child starts, so its
memory is not in the figure): what the writer holds of the dataset it merges into. ``--in-file N`` puts N
older articles in the shard's file of the first day, which the write merges into: what a stream window or
a cron run pays to add to a busy day.

    python -m benchmarks.writer_memory --articles 100 --days 1 --in-file 10000 50000 100000
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import hashlib
import itertools
import json
import pathlib
import random
import re
import subprocess
import sys
import tempfile
import time
from typing import Any

from pipeline.allocator import choose_arrow_allocator

choose_arrow_allocator()  # as the newsbeam command does, before the sink loads pyarrow

WORDS = ("harbour", "council", "budget", "Baku", "rail", "Ombudsman", "Garabagh", "report", "minister")
ARTICLES_PER_STAGING_FILE = 30
OLDER_NUMBERS = 10**9  # article numbers of --in-file articles: ids no run article has


def synthetic_article(number: int, days: int, rng: random.Random) -> dict[str, Any]:
    """A finished article as the sink receives it, deterministic by ``number`` and ``rng``."""
    body = " ".join(rng.choice(WORDS) for _ in range(600))
    title = f"Report {number}"
    published = dt.datetime(2024, 1, 1, 12, tzinfo=dt.timezone.utc) + dt.timedelta(days=number % days)
    url = f"https://news.example.org/{number}"
    return {
        "kind": "article", "article_id": hashlib.sha256(str(number).encode()).hexdigest()[:32], "url": url,
        "canonical_url": url, "guid": None, "source_id": "news", "feed_url": "https://news.example.org/rss",
        "document_type": "rss", "title": title, "summary_text": body[:200], "body_text": body,
        "body_html": f"<p>{body}</p>", "body_status": "full", "authors": ["A. Writer"], "tags": ["news"],
        "language": "en", "published_at": published, "published_offset_minutes": 240,
        "time_source": "entry.published", "time_flags": [], "updated_at": None,
        "fetched_at": published + dt.timedelta(hours=1),
        "entities": [{"id": "geo:az", "name": "Azerbaijan", "type": "country", "mentions": 2}],
        "links": [], "images": [], "quality_flags": [], "field_sources": {},
        "content_sha256": hashlib.sha256(f"{title}\x1f{body}".encode()).hexdigest(), "raw_sha256": "0" * 64,
        "raw_path": None, "uri": "https://news.example.org/rss",
    }


def _status_mib(field: str) -> float:
    match = re.search(rf"{field}:\s+(\d+) kB", pathlib.Path("/proc/self/status").read_text())
    return int(match.group(1)) / 1024 if match else float("nan")


def measure_in_this_process(articles: int, days: int, output_dir: str) -> dict[str, Any]:
    """Stage ``articles`` into one shard, write it, and return the growth of peak RSS during the write."""
    from pipeline.parquet_sink import SinkSettings, write_article_shard
    from pipeline.staging import StagingFile, staging_directory

    rng = random.Random(1)
    files: list[StagingFile] = []
    for number in range(articles):
        if number % ARTICLES_PER_STAGING_FILE == 0:
            files.append(StagingFile(staging_directory(output_dir, "writer-memory")))
        files[-1].stage(synthetic_article(number, days, rng))
    for staging in files:
        staging.close()
    markers = [staging.marker() for staging in files]
    gc.collect()
    pathlib.Path("/proc/self/clear_refs").write_text("5")  # peak RSS starts again from the current level
    before = _status_mib("VmRSS")
    started = time.perf_counter()
    stats = write_article_shard(0, markers, SinkSettings(output_dir, 1, "writer-memory"))
    seconds = time.perf_counter() - started
    return {"articles": articles, "days": days, "rss_before_mib": round(before, 1),
            "peak_growth_mib": round(_status_mib("VmHWM") - before, 1), "seconds": round(seconds, 2),
            "articles_written": stats["articles_new"], "files_written": stats["files_written"]}


def write_older_index(output_dir: str, entries: int) -> None:
    """Shard 0's article index holding ``entries`` older articles (none of this run's ids), as the sink
    writes it (sorted by article_id)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipeline.atomic_files import MAX_ROWS_PER_GROUP
    from pipeline.index_store import INDEX_SCHEMA, index_path

    ids = sorted(hashlib.sha256(f"older {number}".encode()).hexdigest()[:32] for number in range(entries))
    day = dt.datetime(2023, 6, 1, tzinfo=dt.timezone.utc)
    table = pa.table({"article_id": ids, "date": pa.array(["2023-06-01"] * entries),
                      "content_sha256": pa.array(["0" * 64] * entries), "has_text": pa.array([True] * entries),
                      "version_at": pa.array([day] * entries, pa.timestamp("us", tz="UTC")),
                      "fetched_at": pa.array([day] * entries, pa.timestamp("us", tz="UTC"))}, schema=INDEX_SCHEMA)
    path = index_path(output_dir, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd", row_group_size=MAX_ROWS_PER_GROUP)  # as the sink writes it


def write_older_day_file(output_dir: str, articles: int) -> None:
    """Shard 0's file of the first day holding ``articles`` older articles, as the sink writes it."""
    from pipeline.parquet_merge import merge_into_file
    from pipeline.parquet_sink import ARTICLES, part_path
    from pipeline.rows import article_row, rows_to_table

    rng = random.Random(2)
    path = part_path(output_dir, "articles", "2024-01-01", 0)
    for start in range(OLDER_NUMBERS, OLDER_NUMBERS + articles, 5000):
        numbers = range(start, min(start + 5000, OLDER_NUMBERS + articles))
        rows = [article_row(synthetic_article(number, 1, rng), "writer-memory") for number in numbers]
        merge_into_file(path, ARTICLES, rows_to_table(rows, ARTICLES.schema).sort_by(ARTICLES.order))


def main(argv: list[str] | None = None) -> int:
    """Run each size in a fresh process and print one JSON line per size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[2500, 25000])
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--indexed", type=int, nargs="+", default=[0],
                        help="older articles the shard's index holds before the write (one run per value)")
    parser.add_argument("--in-file", type=int, nargs="+", default=[0],
                        help="older articles in the shard's file of the first day (one run per value)")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # the child's mode: its output directory
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure_in_this_process(args.articles[0], args.days, args.one)))
        return 0
    for indexed, in_file in itertools.product(args.indexed, args.in_file):
        for articles in args.articles:
            with tempfile.TemporaryDirectory(prefix="newsbeam-writer-") as output_dir:
                if indexed:
                    write_older_index(output_dir, indexed)
                if in_file:
                    write_older_day_file(output_dir, in_file)
                child = subprocess.run([sys.executable, "-m", "benchmarks.writer_memory", "--one", output_dir,
                                        "--articles", str(articles), "--days", str(args.days)],
                                       capture_output=True, text=True, check=True)
            figures = json.loads(child.stdout.strip().splitlines()[-1])
            print(json.dumps({**figures, "indexed": indexed, "in_file": in_file}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
