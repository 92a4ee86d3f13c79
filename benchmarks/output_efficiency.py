"""Output efficiency: bytes per article in our Parquet, and a DuckDB count by date over 1M rows.

    python -m benchmarks.output_efficiency                       # 5,000 items, 1M synthetic rows
    python -m benchmarks.output_efficiency --items 20000 --rows 1000000 --json results.json

1. Bytes per article: a generated corpus (``benchmarks/generate.py``) is ingested by the pipeline (local
   runner, 1 worker) into a temporary directory; the articles dataset's size over its row count, as the
   sink writes it (a file per day and shard) and after ``newsbeam compact`` (one file per day), with the
   compressed bytes of the largest columns and the encodings of the dictionary columns.
2. DuckDB: ``--rows`` synthetic rows in the article schema, made with pyarrow from a pool of generated
   items and written as the sink writes them (``date=D/part-SSSSS.parquet``, same compression, dictionary
   columns and row groups), then ``SELECT date, count(*) ... GROUP BY date`` timed, first run and median
   of the next ``--query-repeat``.
Everything is written under a temporary directory and removed at the end.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import pathlib
import random
import shutil
import statistics
import sys
import tempfile
import time
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from benchmarks.generate import FETCHED_AT, generate_corpus, make_item
from pipeline.atomic_files import write_parquet_atomically
from pipeline.duckdb_paths import duckdb_glob, sql_string
from pipeline.rows import article_row
from schemas.article import ARTICLE_SCHEMA, DICTIONARY_COLUMNS

MIB = 1024 * 1024
POOL_ITEMS = 2_000
SHARDS = 8


# --- Bytes per article --------------------------------------------------------------------------------


def parquet_files(root: pathlib.Path) -> list[pathlib.Path]:
    """The visible Parquet files of the articles dataset under ``root``."""
    return sorted(path for path in (root / "articles").rglob("*.parquet") if not path.name.startswith("."))


def column_report(files: list[pathlib.Path]) -> dict[str, Any]:
    """Compressed bytes per column (summed over files and row groups) and the encodings of the dictionary columns."""
    compressed: collections.Counter[str] = collections.Counter()
    encodings: dict[str, set[str]] = collections.defaultdict(set)
    footer = 0
    for path in files:
        metadata = pq.ParquetFile(path).metadata
        footer += metadata.serialized_size
        for group in range(metadata.num_row_groups):
            row_group = metadata.row_group(group)
            for index in range(row_group.num_columns):
                column = row_group.column(index)
                name = column.path_in_schema.split(".")[0]
                compressed[name] += column.total_compressed_size
                if name in DICTIONARY_COLUMNS:
                    encodings[name].update(column.encodings)
    return {"compressed_bytes_by_column": dict(compressed.most_common()), "footer_bytes": footer,
            "dictionary_column_encodings": {name: sorted(found) for name, found in sorted(encodings.items())}}


def dataset_size(root: pathlib.Path) -> dict[str, Any]:
    """Files, rows, bytes and bytes per row of the articles dataset under ``root``."""
    files = parquet_files(root)
    rows = sum(pq.ParquetFile(path).metadata.num_rows for path in files)
    size = sum(path.stat().st_size for path in files)
    return {"files": len(files), "rows": rows, "bytes": size, "bytes_per_article": round(size / rows, 1) if rows else None}


def bytes_per_article(items: int, seed: int, work: pathlib.Path) -> dict[str, Any]:
    """Ingest a generated corpus with the pipeline; the articles dataset's bytes per row, before and after compaction."""
    from benchmarks.single_run import run_beam
    from pipeline.compaction import compact
    from pipeline.sources import expand_inputs

    corpus = generate_corpus(work / "corpus", items, seed)
    output = work / "out"
    run_beam(expand_inputs([str(work / "corpus")]), str(output), workers=1)
    as_written = {**dataset_size(output), **column_report(parquet_files(output))}
    compact(str(output), datasets=("articles",))
    compacted = dataset_size(output)
    return {"corpus_items": corpus["items"], "corpus_bytes": corpus["bytes"],
            "input_bytes_per_item": round(corpus["bytes"] / corpus["items"], 1),
            "as_written": as_written, "after_compaction": compacted}


# --- DuckDB over synthetic rows ------------------------------------------------------------------------


def row_pool(seed: int) -> pa.Table:
    """``POOL_ITEMS`` article rows with generated text, in the article schema (the synthetic rows' material)."""
    rng = random.Random(f"output-efficiency:{seed}")
    rows = []
    for number in range(POOL_ITEMS):
        item = make_item(rng, number)
        body = "\n\n".join(item.paragraphs)
        rows.append(article_row({
            "article_id": f"{number:032x}", "url": item.url, "canonical_url": item.url.split("?")[0], "guid": item.guid,
            "source_id": item.outlet, "feed_url": f"https://{item.outlet}.example/feed", "document_type": "rss",
            "title": item.title, "summary_text": item.paragraphs[0], "body_text": body,
            "body_html": "".join(f"<p>{paragraph}</p>" for paragraph in item.paragraphs), "authors": [item.author],
            "tags": item.tags, "language": item.language, "published_at": item.published,
            "published_offset_minutes": item.offset_minutes, "time_source": "entry.published", "time_flags": [],
            "fetched_at": FETCHED_AT, "entities": [{"id": "city:587084", "name": "Baku", "type": "city", "mentions": 2}],
            "links": [], "images": [], "quality_flags": [], "content_sha256": f"{number:064x}", "raw_sha256": "f" * 64,
            "uri": f"/archive/{item.outlet}.xml",
        }, "bench"))
    return pa.Table.from_pylist(rows, schema=ARTICLE_SCHEMA)


def write_synthetic_rows(root: pathlib.Path, rows: int, days: int, seed: int) -> dict[str, Any]:
    """``rows`` rows spread evenly over ``days`` days and ``SHARDS`` shards, written as the sink writes them."""
    pool = row_pool(seed)
    rng = random.Random(seed)
    first_day = dt.datetime(2023, 1, 1, tzinfo=dt.timezone.utc)
    per_file = rows // (days * SHARDS)
    extra = rows - per_file * days * SHARDS
    written, started = 0, time.perf_counter()
    for day in range(days):
        date = (first_day + dt.timedelta(days=day)).date().isoformat()
        for shard in range(SHARDS):
            count = per_file + (1 if day * SHARDS + shard < extra else 0)
            table = pool.take([rng.randrange(POOL_ITEMS) for _ in range(count)])
            ids = pa.array([f"{shard:08x}{written + index:024x}" for index in range(count)], pa.string())
            times = pa.array([first_day + dt.timedelta(days=day, seconds=rng.randrange(86_400)) for _ in range(count)],
                             ARTICLE_SCHEMA.field("published_at").type)
            table = table.set_column(table.schema.get_field_index("article_id"), "article_id", ids)
            table = table.set_column(table.schema.get_field_index("published_at"), "published_at", times)
            table = table.sort_by([("published_at", "ascending"), ("article_id", "ascending")])
            write_parquet_atomically(table, root / "articles" / f"date={date}" / f"part-{shard:05d}.parquet",
                                     DICTIONARY_COLUMNS)
            written += count
    files = parquet_files(root)
    return {"rows": written, "days": days, "files": len(files), "bytes": sum(path.stat().st_size for path in files),
            "write_s": round(time.perf_counter() - started, 1)}


def group_by_date_query(pattern: str) -> str:
    """The README's DuckDB query: article rows per ``date`` over the files ``pattern`` names."""
    return (f"SELECT date, count(*) FROM read_parquet({sql_string(pattern)}, hive_partitioning = true) "
            "GROUP BY date ORDER BY date")


def time_group_by_date(root: pathlib.Path, repeat: int) -> dict[str, Any]:
    """Seconds of the README's DuckDB query over ``root``: the first run, then the median of ``repeat``."""
    import duckdb

    query = group_by_date_query(duckdb_glob(root / "articles"))
    timings, result = [], []
    for _ in range(repeat + 1):
        connection = duckdb.connect()  # a new connection each time: no cached metadata between runs
        started = time.perf_counter()
        result = connection.execute(query).fetchall()
        timings.append(time.perf_counter() - started)
        connection.close()
    return {"query": group_by_date_query("OUT/articles/**/*.parquet"), "first_s": round(timings[0], 3),
            "median_s": round(statistics.median(timings[1:]), 3) if repeat else None,
            "groups": len(result), "rows_counted": sum(count for _, count in result)}


def main(argv: list[str] | None = None) -> int:
    """Command line: measure both figures and print them (and write JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5_000, help="items of the generated corpus (bytes/article)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="synthetic rows for the DuckDB query")
    parser.add_argument("--days", type=int, default=365, help="days the synthetic rows are spread over")
    parser.add_argument("--query-repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip", choices=("bytes", "duckdb"), help="leave one of the two measurements out")
    parser.add_argument("--json", help="write the figures here too")
    args = parser.parse_args(argv)
    work = pathlib.Path(tempfile.mkdtemp(prefix="newsbeam-output-"))
    results: dict[str, Any] = {"command": " ".join(["python -m benchmarks.output_efficiency", *(argv or sys.argv[1:])])}
    try:
        if args.skip != "bytes":
            results["bytes_per_article"] = figures = bytes_per_article(args.items, args.seed, work / "ingest")
            written, compacted = figures["as_written"], figures["after_compaction"]
            print(f"bytes per article: {written['bytes_per_article']:,.0f} as written ({written['rows']:,} articles in "
                  f"{written['files']:,} files, {written['bytes'] / MIB:.1f} MiB); {compacted['bytes_per_article']:,.0f} "
                  f"after compaction ({compacted['files']:,} files); input {figures['input_bytes_per_item']:,.0f} B/item")
            top = list(written["compressed_bytes_by_column"].items())[:6]
            print("  largest columns (compressed bytes per article): " + ", ".join(
                f"{name} {size / written['rows']:,.0f}" for name, size in top)
                + f"; footers {written['footer_bytes'] / written['rows']:,.0f}")
            print("  dictionary columns: " + ", ".join(
                f"{name} {'/'.join(found)}" for name, found in written["dictionary_column_encodings"].items()))
        if args.skip != "duckdb":
            root = work / "synthetic"
            written = write_synthetic_rows(root, args.rows, args.days, args.seed)
            timing = time_group_by_date(root, args.query_repeat)
            results["duckdb"] = {**written, **timing}
            print(f"DuckDB count(*) GROUP BY date over {written['rows']:,} rows ({written['days']} days, "
                  f"{written['files']:,} files, {written['bytes'] / MIB:,.0f} MiB): first {timing['first_s']:.3f} s, "
                  f"median of {args.query_repeat} {timing['median_s']:.3f} s; {timing['groups']} groups, "
                  f"{timing['rows_counted']:,} rows counted")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
