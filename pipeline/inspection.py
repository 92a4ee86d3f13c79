"""``newsbeam inspect OUT``: what a dataset holds, read with DuckDB, as aligned tables.

Partitions (rows, files, size, errors), row counts, the publication date range, top sources and entities,
error reasons, and the schema versions stamped in the files' key-value metadata.
"""

from __future__ import annotations

import pathlib
import sys
from typing import Any, Sequence

from pipeline.duckdb_paths import duckdb_literal, literal_path_refusal, sql_string
from pipeline.parquet_sink import dataset_files
from schemas.versioning import VERSION_METADATA_KEY

DEFAULT_TOP = 10
DEFAULT_PARTITIONS_SHOWN = 30
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


def top_rows(connection: Any, output_dir: pathlib.Path, top: int) -> dict[str, tuple[list[str], list[tuple]]]:
    """The top sources, publishers (when rows name any), entities and error reasons, each as (header, rows)."""
    tables: dict[str, tuple[list[str], list[tuple]]] = {}
    articles = _scan(output_dir, "articles")
    if _has_files(output_dir, "articles"):
        tables["top sources"] = (["source", "articles", "share %", "first day", "last day"], connection.execute(
            f"SELECT source_id, count(*) AS n, round(100.0 * count(*) / sum(count(*)) OVER (), 1), "
            f"CAST(min(published_at) AS DATE), CAST(max(published_at) AS DATE) FROM {articles} "
            f"GROUP BY 1 ORDER BY n DESC, 1 LIMIT {int(top)}").fetchall())
        if "publisher" in connection.sql(f"SELECT * FROM {articles} LIMIT 0").columns:  # schema 1.2 on
            publishers = connection.execute(
                f"SELECT publisher, count(*) AS n, count(DISTINCT source_id) FROM {articles} "
                f"WHERE publisher IS NOT NULL GROUP BY 1 ORDER BY n DESC, 1 LIMIT {int(top)}").fetchall()
            if publishers:  # aggregators' items and pages name them; most feeds do not
                tables["top publishers"] = (["publisher", "articles", "sources"], publishers)
        tables["top entities"] = (["entity", "type", "articles", "mentions"], connection.execute(
            f"SELECT entity.name, entity.type, count(DISTINCT article_id) AS n, CAST(sum(entity.mentions) AS BIGINT) "
            f"FROM (SELECT article_id, unnest(entities) AS entity FROM {articles}) "
            f"GROUP BY 1, 2 ORDER BY n DESC, 1 LIMIT {int(top)}").fetchall())
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
    parser = commands.add_parser("inspect", help="partitions, counts, date range, top sources/entities, errors")
    parser.add_argument("output", metavar="OUT", help="output directory of earlier runs")
    parser.add_argument("--top", type=int, default=DEFAULT_TOP, help="rows in the top tables (default %(default)s)")
    parser.add_argument("--partitions", type=int, default=DEFAULT_PARTITIONS_SHOWN,
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
