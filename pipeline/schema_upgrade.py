"""Bring the files of an output directory to the schemas this version writes, once per schema change.

Readers take a dataset's columns from one of its files: DuckDB's ``read_parquet`` from the first file of
its glob (a column that file lacks is missing from the result; one that it has and a later file lacks is
an error, "schema mismatch in glob"), pyarrow's datasets and pandas likewise (the column silently
missing). A writer conforms only the files it rewrites, so after an upgrade that adds a column the days no
run touched since would hold older files beside newer ones, and every reader would read the dataset
wrong. So before writing, each command rewrites the files of an older minor version in the current schema
(columns they lack as null, rows and their order as they were; ``parquet_merge.conform_file``), and
``dataset_layout`` records the versions so that later runs do not look again. A file of another major
version, of a newer minor version or with columns the schema lacks would lose data if rewritten: refused.
"""

from __future__ import annotations

import pathlib

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.parquet_merge import FileLayout, conform_file
from pipeline.parquet_sink import DATASET_LAYOUTS, dataset_files
from schemas.versioning import VERSION_METADATA_KEY, major, minor


class SchemaMismatchError(ValueError):
    """A file of the output directory cannot be brought to the current schema without losing data."""


def current_versions() -> dict[str, str]:
    """The schema version this code writes, per dataset."""
    return {name: _version_of(layout) for name, layout in DATASET_LAYOUTS.items()}


def _version_of(layout: FileLayout) -> str:
    return (layout.schema.metadata or {})[VERSION_METADATA_KEY].decode()


def file_version(schema: pa.Schema) -> str | None:
    """The schema version a file's (Arrow) schema says it was written with; None when it says none."""
    return (schema.metadata or {}).get(VERSION_METADATA_KEY, b"").decode() or None


def refusal(path: pathlib.Path, schema: pa.Schema, layout: FileLayout) -> str | None:
    """Why the file at ``path`` (of ``schema``) cannot be conformed to ``layout``'s schema without loss, or
    None when it can. A file without a version is conformed when its columns are all in the schema."""
    written, current = file_version(schema), _version_of(layout)
    if written is not None and (major(written) != major(current) or minor(written) > minor(current)):
        return f"{path} was written with schema {written}; this newsbeam writes {current}"
    unknown = sorted(set(schema.names) - set(layout.schema.names))
    if unknown:
        return f"{path} has columns this newsbeam's schema {current} lacks: {', '.join(unknown)}"
    return None


def upgrade_output(output_dir: str | pathlib.Path) -> int:
    """Rewrite every file of the output's datasets that is not in the current schema; return how many were.
    Raises SchemaMismatchError, before rewriting any file, when one cannot be rewritten without loss or
    cannot be read at all.
    Call only while holding the output lock."""
    outdated: list[tuple[pathlib.Path, FileLayout]] = []
    problems: list[str] = []
    for dataset, layout in DATASET_LAYOUTS.items():
        for path in dataset_files(output_dir, dataset):
            try:
                schema = pq.read_schema(path)
            except (pa.ArrowException, OSError) as exc:  # a damaged file: named, never a traceback
                problems.append(f"{path} cannot be read ({exc})")
                continue
            if file_version(schema) != _version_of(layout):
                outdated.append((path, layout))
                problems += [problem] if (problem := refusal(path, schema, layout)) else []
    if problems:
        raise SchemaMismatchError(
            f"{len(problems)} file(s) of {output_dir} cannot be brought to this newsbeam's schemas without losing "
            f"data (first: {problems[0]}). Use the newsbeam that wrote them, move a damaged file away, or write "
            "to a new output directory.")
    for path, layout in outdated:
        conform_file(path, layout)
    return len(outdated)
