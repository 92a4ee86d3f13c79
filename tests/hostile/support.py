"""Helpers of the hostile-input tests: run the transforms without Beam, run the CLI, read the Parquet back."""

from __future__ import annotations

import datetime as dt
import functools
import pathlib
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import duckdb
import pyarrow as pa

from pipeline.duckdb_paths import duckdb_glob, sql_string
from pipeline.rows import article_row, error_row, rows_to_table
from schemas.article import ARTICLE_SCHEMA
from schemas.error import ERROR_SCHEMA
from transforms.records import RawDocument, sha256_hex
from transforms.settings import TransformSettings

REPOSITORY = pathlib.Path(__file__).resolve().parents[2]
FETCHED_AT = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.timezone.utc)
SETTINGS = TransformSettings()
ERROR_COLUMNS = ("stage", "error_type", "message", "uri", "raw_sha256")


def raw_document(body: bytes, uri: str = "/in/document.xml", **provenance: Any) -> RawDocument:
    """A raw document as the read stage makes it."""
    return RawDocument(kind="raw", source_id=provenance.pop("source_id", None), uri=uri, body=body,
                       fetched_at=FETCHED_AT, raw_sha256=sha256_hex(body), raw_path=uri, tags=[], **provenance)


@functools.lru_cache(maxsize=1)
def entity_matcher() -> Any:
    """The packaged gazetteer's matcher, built once per test process (it takes seconds)."""
    from transforms.entities import EntityMatcher
    from transforms.gazetteer import build_gazetteer

    return EntityMatcher(build_gazetteer(SETTINGS))


def article_stages() -> list[tuple[str, Any]]:
    """The article transforms in pipeline order, as (stage, function(article) -> article)."""
    from transforms.entities import annotate_entities
    from transforms.html_cleaning import clean_article
    from transforms.identity import identify_article
    from transforms.language import annotate_language
    from transforms.text import normalize_article_text
    from transforms.timestamps import normalize_article_time

    return [
        ("clean", lambda article: clean_article(article, SETTINGS)),
        ("normalize_text", lambda article: normalize_article_text(article, SETTINGS)),
        ("language", lambda article: annotate_language(article, SETTINGS)),
        ("normalize_time", lambda article: normalize_article_time(article, SETTINGS)),
        ("identify", lambda article: identify_article(article, SETTINGS)),
        ("entities", lambda article: annotate_entities(article, entity_matcher())),
    ]


def run_chain(raw: RawDocument) -> list[dict[str, Any]]:
    """parse -> clean -> ... -> entities on one document, as the pipeline does, but letting exceptions out
    (the Beam wrapper would turn them into ``internal_error`` records and hide the bug)."""
    from transforms.parsing import parse_document

    records = []
    for record in parse_document(raw):
        for _, stage in article_stages():
            if record["kind"] != "article":
                break
            record = stage(record)
        records.append(record)
    return records


def assert_writable(records: list[dict[str, Any]]) -> None:
    """Every record converts to a row of its versioned schema (what the sink does before writing)."""
    articles = [article_row(record, "test") for record in records if record["kind"] == "article"]
    errors = [error_row(record, "test") for record in records if record["kind"] == "error"]
    assert len(articles) + len(errors) == len(records)
    rows_to_table(articles, ARTICLE_SCHEMA)
    rows_to_table(errors, ERROR_SCHEMA)
    for error in errors:
        assert all(error[column] for column in ("stage", "error_type", "message")), error


def string_values(record: Any) -> Iterator[str]:
    """Every string inside a record (nested lists and dicts included)."""
    if isinstance(record, str):
        yield record
    elif isinstance(record, dict):
        for value in record.values():
            yield from string_values(value)
    elif isinstance(record, (list, tuple)):
        for value in record:
            yield from string_values(value)


def ingest(paths: list[pathlib.Path | str], output: pathlib.Path, *extra: str) -> int:
    """``newsbeam ingest PATHS --output OUTPUT`` in this process; returns the exit code."""
    from pipeline.cli import main

    return main(["ingest", *map(str, paths), "--output", str(output), "--shards", "2", *extra])


def read_dataset(output: pathlib.Path, dataset: str) -> list[dict[str, Any]]:
    """Every row of ``output/dataset`` (hive partitions included), in a stable order; [] when empty."""
    if not any((output / dataset).glob("date=*/*.parquet")):
        return []
    relation = _dataset_relation(output, dataset)
    return [dict(zip(relation.columns, row)) for row in relation.fetchall()]


def read_table(output: pathlib.Path, dataset: str) -> pa.Table:
    """``output/dataset`` as one Arrow table sorted by id (for exact comparisons)."""
    return _dataset_relation(output, dataset).arrow()


def _dataset_relation(output: pathlib.Path, dataset: str) -> duckdb.DuckDBPyRelation:
    key = "error_id" if dataset == "errors" else "article_id"
    pattern = sql_string(duckdb_glob(output / dataset))  # the directory part literal, **/*.parquet a glob
    return duckdb.sql(f"SELECT * FROM read_parquet({pattern}, hive_partitioning = true) ORDER BY {key}")


def run_cli_subprocess(args: list[str], timeout_s: float = 120.0) -> tuple[int, str, float, float]:
    """``newsbeam ARGS`` in a fresh Python process: (exit code, stderr, seconds, peak memory in MB)."""
    # VmHWM, not ru_maxrss: on Linux a child's ru_maxrss keeps the high-water mark of the image it was
    # forked from, so it reported the pytest process's size (889 MB) instead of the run's own (585 MB).
    probe = ("import re, sys\nfrom pipeline.cli import main\ncode = main(sys.argv[1:])\n"
             "status = open('/proc/self/status').read()\n"
             "peak = re.search(r'VmHWM:\\s+(\\d+) kB', status).group(1)\n"
             "print(f'PEAK_KB={peak}', file=sys.stderr)\nsys.exit(code)\n")
    start = time.monotonic()
    completed = subprocess.run([sys.executable, "-c", probe, *args], cwd=REPOSITORY, capture_output=True,
                               text=True, timeout=timeout_s)
    elapsed_s = time.monotonic() - start
    peak_lines = [line for line in completed.stderr.splitlines() if line.startswith("PEAK_KB=")]
    peak_mb = int(peak_lines[-1].removeprefix("PEAK_KB=")) / 1024 if peak_lines else float("nan")
    return completed.returncode, completed.stderr, elapsed_s, peak_mb
