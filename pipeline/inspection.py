"""``newsbeam inspect OUT``: what a dataset holds, read with DuckDB, as aligned tables.

Partitions (rows, files, size, errors), row counts, the publication date range, top sources and entities,
near-duplicate pairs, error reasons, and the schema versions stamped in the files' key-value metadata.
"""

from __future__ import annotations

import pathlib
import sys
from typing import Any, Sequence

from pipeline.argument_types import non_negative_int
from pipeline.duckdb_paths import duckdb_literal, literal_path_refusal, sql_string
from pipeline.parquet_sink import dataset_files
from schemas.versioning import VERSION_METADATA_KEY
from transforms.near_duplicates import NEAR_DUPLICATE_BITS

DEFAULT_TOP = 10
DEFAULT_PARTITIONS_SHOWN = 30
# The near-duplicate join grows with the square of the rows compared (random fingerprints: 200,000 in about
# 3 s, 500,000 in 20 s): inspect compares the latest this many, the README's query all of them.
NEAR_DUPLICATES_COMPARED = 200_000
# The day of a row: the ``date=`` folder that holds its file (``_files`` lists ``OUT/<dataset>/date=*/*.parquet``),
# never a ``date=`` folder above the output directory.
PARTITION_OF_FILE = r"regexp_extract(filename, '/date=([^/]*)/[^/]*$', 1)"


def format_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """An aligned text table: numbers right-aligned with thousands separators, text left-aligned."""
    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:,.2f}"
        return f"{value:,}" if isinstance(value, int) else ("" if value is None else str(value))

    cells = [[cell(value) for value in row] for row in rows]
    numeric = [all(isinstance(row[column], (int, float)) for row in rows) if rows else False
               for column in range(len(header))]
    widths = [max(len(text) for text in [name, *(row[column] for row in cells)]) for column, name in enumerate(header)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(text.rjust(width) if right else text.ljust(width)
                         for text, width, right in zip(values, widths, numeric)).rstrip()

    return "\n".join([line(header), line(["-" * width for width in widths]), *(line(row) for row in cells)])


def format_pairs(pairs: Sequence[tuple[str, Any]]) -> str:
    """``label  value`` lines with the values aligned."""
    width = max(len(label) for label, _ in pairs)
    return "\n".join(f"{label:<{width}}  {value:,}" if isinstance(value, int) else f"{label:<{width}}  {value}"
                     for label, value in pairs)


def _files(output_dir: pathlib.Path, dataset: str) -> str:
    """The dataset's Parquet files as a DuckDB list literal, each path escaped: DuckDB globs a list's elements
    too, so ``out[1]/...`` unescaped would read ``out1``'s files."""
    paths = dataset_files(output_dir, dataset)
    return "[" + ", ".join(sql_string(duckdb_literal(path)) for path in paths) + "]"


def _scan(output_dir: pathlib.Path, dataset: str, with_filename: bool = False) -> str:
    """``read_parquet`` over the dataset's files with DuckDB's hive partitioning off: DuckDB takes ``key=value``
    folders from the whole path, so an output under ``/runs/date=1999-01-01/`` would give every row the date
    1999-01-01 (the outermost ``date=`` wins) and a parent ``source_id=x`` would replace the file's source_id.
    ``with_filename`` adds the ``filename`` column, from which ``PARTITION_OF_FILE`` takes the day."""
    options = "hive_partitioning = false" + (", filename = true" if with_filename else "")
    return f"read_parquet({_files(output_dir, dataset)}, {options})"


def _has_files(output_dir: pathlib.Path, dataset: str) -> bool:
    return bool(dataset_files(output_dir, dataset))


def _connection() -> Any:
    import duckdb

    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    return connection


def schema_versions(connection: Any, output_dir: pathlib.Path, dataset: str) -> list[tuple[str, int]]:
    """(schema version, files carrying it) of one dataset, from the Parquet key-value metadata."""
    if not _has_files(output_dir, dataset):
        return []
    return connection.execute(
        f"SELECT decode(value), count(*) FROM parquet_kv_metadata({_files(output_dir, dataset)}) "
        "WHERE key = ? GROUP BY 1 ORDER BY 1", [VERSION_METADATA_KEY]).fetchall()


def partition_rows(connection: Any, output_dir: pathlib.Path) -> list[tuple]:
    """Per partition day: article rows, files, megabytes on disk, error rows."""
    counts: dict[str, list[Any]] = {}
    for dataset, column in (("articles", 1), ("errors", 4)):
        if not _has_files(output_dir, dataset):
            continue
        query = f"SELECT {PARTITION_OF_FILE}, count(*) FROM {_scan(output_dir, dataset, with_filename=True)} GROUP BY 1"
        for date, rows in connection.execute(query).fetchall():
            counts.setdefault(date, [date, 0, 0, 0.0, 0])[column] = rows
    for date, row in counts.items():
        files = list((output_dir / "articles" / f"date={date}").glob("*.parquet"))
        row[2], row[3] = len(files), sum(path.stat().st_size for path in files) / 1e6
    return [tuple(counts[date]) for date in sorted(counts)]


def overview_rows(connection: Any, output_dir: pathlib.Path) -> list[tuple[str, Any]]:
    """Totals: rows, distinct ids, sources, publication range, schema versions."""
    rows: list[tuple[str, Any]] = [("output", str(output_dir))]
    if _has_files(output_dir, "articles"):
        total, distinct, sources, first, last = connection.execute(
            f"SELECT count(*), count(DISTINCT article_id), count(DISTINCT source_id), min(published_at), "
            f"max(published_at) FROM {_scan(output_dir, 'articles')}"
        ).fetchone()
        rows += [("articles", total), ("distinct article ids", distinct), ("sources", sources),
                 ("published from", f"{first:%Y-%m-%d %H:%M} UTC"), ("published until", f"{last:%Y-%m-%d %H:%M} UTC")]
    else:
        rows.append(("articles", 0))
    if _has_files(output_dir, "errors"):
        (errors,) = connection.execute(
            f"SELECT count(*) FROM {_scan(output_dir, 'errors')}").fetchone()
        rows.append(("error rows", errors))
    for dataset in ("articles", "errors"):
        versions = schema_versions(connection, output_dir, dataset)
        if versions:
            rows.append((f"{dataset} schema version",
                         ", ".join(f"{version} ({files} files)" for version, files in versions)))
    return rows


def near_duplicate_pairs_sql(articles: str, max_bits: int = NEAR_DUPLICATE_BITS) -> str:
    """DuckDB SQL for the pairs of distinct articles whose ``text_simhash`` differ in at most ``max_bits`` bits:
    columns ``bits``, ``first_id``, ``second_id`` (first_id < second_id). ``articles`` is a table expression.

    Fingerprints within ``max_bits`` bits agree on at least one of ``max_bits + 1`` bands of bits, so only rows
    equal on a band are compared: about n * n * bands / 2 ** band_width pairs, not n * n."""
    bands = max_bits + 1
    width = 64 // bands
    return (
        f"WITH fingerprints AS (SELECT DISTINCT article_id, text_simhash AS h FROM {articles} "
        f"WHERE text_simhash IS NOT NULL), "
        f"banded AS (SELECT article_id, h, band, (h >> (band * {width})) & "
        f"((1::BIGINT << CASE WHEN band = {bands - 1} THEN {64 - width * (bands - 1)} ELSE {width} END) - 1) AS part "
        f"FROM fingerprints, range({bands}) AS band_numbers(band)) "
        f"SELECT DISTINCT bit_count(xor(x.h, y.h)) AS bits, x.article_id AS first_id, y.article_id AS second_id "
        f"FROM banded x JOIN banded y ON x.band = y.band AND x.part = y.part AND x.article_id < y.article_id "
        f"WHERE bit_count(xor(x.h, y.h)) <= {int(max_bits)}")


def near_duplicate_rows(connection: Any, articles: str, top: int,
                        latest: int = NEAR_DUPLICATES_COMPARED) -> tuple[int, int, list[tuple]]:
    """Near-duplicate pairs among the ``latest`` fingerprinted articles (by fetch time): how many articles were
    compared, how many pairs they hold, and the ``top`` closest pairs with their sources and titles."""
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE fingerprinted AS SELECT article_id, text_simhash, "
        f"left(source_id, 30) AS source, left(title, 50) AS title FROM {articles} WHERE text_simhash IS NOT NULL "
        f"ORDER BY fetched_at DESC, article_id LIMIT {int(latest)}")
    (compared,) = connection.execute("SELECT count(*) FROM fingerprinted").fetchone()
    connection.execute(f"CREATE OR REPLACE TEMP TABLE near_duplicates AS {near_duplicate_pairs_sql('fingerprinted')}")
    (pairs,) = connection.execute("SELECT count(*) FROM near_duplicates").fetchone()
    closest = connection.execute(
        "SELECT n.bits, a.source, a.title, b.source, b.title FROM near_duplicates n "
        "JOIN fingerprinted a ON a.article_id = n.first_id JOIN fingerprinted b ON b.article_id = n.second_id "
        f"ORDER BY n.bits, a.source, a.title, b.source, b.title LIMIT {int(top)}").fetchall()
    return compared, pairs, closest


def top_rows(connection: Any, output_dir: pathlib.Path, top: int) -> dict[str, tuple[list[str], list[tuple]]]:
    """The top sources, publishers (when rows name any), entities, near-duplicates (when any) and error reasons,
    each as (header, rows)."""
    tables: dict[str, tuple[list[str], list[tuple]]] = {}
    articles = _scan(output_dir, "articles")
    if _has_files(output_dir, "articles"):
        tables["top sources"] = (["source", "articles", "share %", "first day", "last day"], connection.execute(
            f"SELECT source_id, count(*) AS n, round(100.0 * count(*) / sum(count(*)) OVER (), 1), "
            f"CAST(min(published_at) AS DATE), CAST(max(published_at) AS DATE) FROM {articles} "
            f"GROUP BY 1 ORDER BY n DESC, 1 LIMIT {int(top)}").fetchall())
        columns = connection.sql(f"SELECT * FROM {articles} LIMIT 0").columns
        if "publisher" in columns:  # schema 1.2 on
            publishers = connection.execute(
                f"SELECT publisher, count(*) AS n, count(DISTINCT source_id) FROM {articles} "
                f"WHERE publisher IS NOT NULL GROUP BY 1 ORDER BY n DESC, 1 LIMIT {int(top)}").fetchall()
            if publishers:  # aggregators' items and pages name them; most feeds do not
                tables["top publishers"] = (["publisher", "articles", "sources"], publishers)
        tables["top entities"] = (["entity", "type", "articles", "mentions"], connection.execute(
            f"SELECT entity.name, entity.type, count(DISTINCT article_id) AS n, CAST(sum(entity.mentions) AS BIGINT) "
            f"FROM (SELECT article_id, unnest(entities) AS entity FROM {articles}) "
            f"GROUP BY 1, 2 ORDER BY n DESC, 1 LIMIT {int(top)}").fetchall())
        if "text_simhash" in columns:  # schema 1.3 on
            compared, pairs, closest = near_duplicate_rows(connection, articles, top)
            if pairs:
                among = (f" among the latest {compared:,} articles fetched"
                         if compared == NEAR_DUPLICATES_COMPARED else "")
                tables[f"near-duplicate pairs ({pairs:,}; text_simhash within {NEAR_DUPLICATE_BITS} bits{among})"] = (
                    ["bits", "source 1", "title 1", "source 2", "title 2"], closest)
    if _has_files(output_dir, "errors"):
        tables["error reasons"] = (["stage", "error type", "rows", "last seen"], connection.execute(
            f"SELECT stage, error_type, count(*) AS n, CAST(max(occurred_at) AS DATE) "
            f"FROM {_scan(output_dir, 'errors')} "
            f"GROUP BY 1, 2 ORDER BY n DESC, 1, 2 LIMIT {int(top)}").fetchall())
    return tables


def inspect(output_dir: str, top: int = DEFAULT_TOP, partitions_shown: int = DEFAULT_PARTITIONS_SHOWN) -> str:
    """A readable report of the dataset under ``output_dir`` (ValueError for a path DuckDB cannot read literally)."""
    root = pathlib.Path(output_dir).resolve()
    connection = _connection()
    try:
        sections = [format_pairs(overview_rows(connection, root))]
        partitions = partition_rows(connection, root)
        shown = partitions[-partitions_shown:] if partitions_shown > 0 else partitions
        title = f"partitions ({len(partitions)}" + (
            f", last {len(shown)} shown)" if len(shown) < len(partitions) else ")")
        sections.append(title + "\n" + format_table(["date", "articles", "files", "MB", "errors"], shown))
        for name, (header, rows) in top_rows(connection, root, top).items():
            sections.append(f"{name}\n" + format_table(header, rows))
    finally:
        connection.close()
    return "\n\n".join(sections)


def add_inspect_parser(commands: Any, add_run_arguments: Any = None) -> Any:
    """Register ``newsbeam inspect`` on the CLI's subcommands (``add_run_arguments`` is not needed)."""
    parser = commands.add_parser(
        "inspect", help="partitions, counts, date range, top sources/entities, near-duplicates, errors")
    parser.add_argument("output", metavar="OUT", help="output directory of earlier runs")
    parser.add_argument("--top", type=non_negative_int, default=DEFAULT_TOP, help="rows in the top tables (default %(default)s)")
    parser.add_argument("--partitions", type=non_negative_int, default=DEFAULT_PARTITIONS_SHOWN,
                        help="latest partitions listed; 0 lists all (default %(default)s)")
    return parser


def command_inspect(args: Any, beam_args: list[str]) -> int:
    """``newsbeam inspect OUT``."""
    from pipeline.cli import refuse_output_command

    if (refused := refuse_output_command("inspect", args.output, beam_args)) is not None:
        return refused
    if (refusal := literal_path_refusal(args.output)) is not None:
        print(f"newsbeam inspect: {refusal}", file=sys.stderr)
        return 1
    print(inspect(args.output, args.top, args.partitions))
    return 0
