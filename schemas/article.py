"""The articles dataset: one row per article_id, partitioned by UTC publication day.

Version history
- 1.0: first release.
- 1.1: ``body_status`` (what ``body_text`` holds: full, teaser_only, paywalled, empty, not_html,
  blocked_by_robots; see docs/full-text.md) and ``field_sources`` (field -> where its value came from, for
  fields filled from the article's page: ``page.json_ld``, ``page.meta``, ...). Both are null in rows
  written before 1.1.
- 1.2: ``publisher`` and ``publisher_url``: the publication an item or page names as its publisher (an
  aggregator's ``<source>``, Atom ``<source>``, a page's JSON-LD publisher or og:site_name, a JSON record's
  source name). Null when none is named, and in rows written before 1.2.
- 1.3: ``text_simhash``: a 64-bit simhash of the article's text (body, else summary) as a signed integer;
  articles whose fingerprints differ in a few bits are near-duplicates (``transforms/near_duplicates.py``).
  Null for texts under 30 words, and in rows written before 1.3.
Bump the major version when a change breaks readers (a column removed, renamed or retyped); adding a
nullable column is a minor bump.
"""

from __future__ import annotations

import pyarrow as pa

from schemas.versioning import with_version

ARTICLE_SCHEMA_VERSION = "1.3"
DATASET = "articles"
PARTITION_COLUMN = "date"  # hive partition; in the path only, not in the files (Spark rejects duplicates)

UTC_TIMESTAMP = pa.timestamp("us", tz="UTC")
ENTITY_TYPE = pa.struct(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("name", pa.string(), nullable=False),
        pa.field("type", pa.string(), nullable=False),
        pa.field("mentions", pa.int32(), nullable=False),
    ]
)

ARTICLE_SCHEMA = with_version(
    pa.schema(
        [
            pa.field("article_id", pa.string(), nullable=False),
            pa.field("url", pa.string()),
            pa.field("canonical_url", pa.string()),
            pa.field("guid", pa.string()),
            pa.field("source_id", pa.string(), nullable=False),
            pa.field("feed_url", pa.string()),
            pa.field("publisher", pa.string()),
            pa.field("publisher_url", pa.string()),
            pa.field("document_type", pa.string(), nullable=False),
            pa.field("title", pa.string()),
            pa.field("summary_text", pa.string()),
            pa.field("body_text", pa.string()),
            pa.field("body_html", pa.string()),
            pa.field("body_status", pa.string()),
            pa.field("authors", pa.list_(pa.string())),
            pa.field("tags", pa.list_(pa.string())),
            pa.field("language", pa.string()),
            pa.field("published_at", UTC_TIMESTAMP, nullable=False),
            pa.field("published_offset_minutes", pa.int16()),
            pa.field("time_source", pa.string(), nullable=False),
            pa.field("time_flags", pa.list_(pa.string())),
            pa.field("updated_at", UTC_TIMESTAMP),
            pa.field("fetched_at", UTC_TIMESTAMP, nullable=False),
            pa.field("entities", pa.list_(ENTITY_TYPE)),
            pa.field("links", pa.list_(pa.string())),
            pa.field("images", pa.list_(pa.string())),
            pa.field("quality_flags", pa.list_(pa.string())),
            pa.field("field_sources", pa.map_(pa.string(), pa.string())),
            pa.field("content_sha256", pa.string(), nullable=False),
            pa.field("text_simhash", pa.int64()),
            pa.field("raw_sha256", pa.string(), nullable=False),
            pa.field("raw_path", pa.string()),
            pa.field("uri", pa.string()),
            pa.field("schema_version", pa.string(), nullable=False),
            pa.field("pipeline_version", pa.string(), nullable=False),
        ]
    ),
    DATASET,
    ARTICLE_SCHEMA_VERSION,
)

# Columns with few distinct values: dictionary-encoded in Parquet.
DICTIONARY_COLUMNS = ("source_id", "feed_url", "document_type", "language", "time_source", "schema_version",
                      "pipeline_version", "body_status")
