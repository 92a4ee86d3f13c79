"""The dead-letter dataset: one row per distinct failure, partitioned by the day it occurred.

Version history
- 1.0: first release.
"""

from __future__ import annotations

import pyarrow as pa

from schemas.article import UTC_TIMESTAMP
from schemas.versioning import with_version

ERROR_SCHEMA_VERSION = "1.0"
DATASET = "errors"

ERROR_SCHEMA = with_version(
    pa.schema(
        [
            pa.field("error_id", pa.string(), nullable=False),
            pa.field("stage", pa.string(), nullable=False),
            pa.field("error_type", pa.string(), nullable=False),
            pa.field("message", pa.string(), nullable=False),
            pa.field("source_id", pa.string()),
            pa.field("uri", pa.string()),
            pa.field("raw_sha256", pa.string()),
            pa.field("raw_path", pa.string()),
            pa.field("occurred_at", UTC_TIMESTAMP, nullable=False),
            pa.field("schema_version", pa.string(), nullable=False),
            pa.field("pipeline_version", pa.string(), nullable=False),
        ]
    ),
    DATASET,
    ERROR_SCHEMA_VERSION,
)

DICTIONARY_COLUMNS = ("stage", "error_type", "source_id", "schema_version", "pipeline_version")
