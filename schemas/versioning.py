"""Schema versions and how they are stamped into every Parquet file."""

from __future__ import annotations

import pyarrow as pa

VERSION_METADATA_KEY = b"newsbeam.schema_version"
NAME_METADATA_KEY = b"newsbeam.dataset"


def with_version(schema: pa.Schema, dataset: str, version: str) -> pa.Schema:
    """Return ``schema`` carrying the dataset name and schema version in its key-value metadata."""
    return schema.with_metadata({NAME_METADATA_KEY: dataset.encode(), VERSION_METADATA_KEY: version.encode()})


def major(version: str) -> int:
    """The major part of a ``MAJOR.MINOR`` version: a change there breaks readers."""
    return int(version.split(".", 1)[0])


def minor(version: str) -> int:
    """The minor part of a ``MAJOR.MINOR`` version: a change there adds nullable columns."""
    return int(version.split(".", 1)[1])
