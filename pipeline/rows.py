"""Shape records into rows of the versioned schemas, and decide where each row lives."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pyarrow as pa

from schemas.article import ARTICLE_SCHEMA, ARTICLE_SCHEMA_VERSION
from schemas.error import ERROR_SCHEMA, ERROR_SCHEMA_VERSION
from transforms.records import Article, ErrorRecord

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def record_id(record: dict[str, Any]) -> str:
    """The key a dataset deduplicates on: article_id, or error_id for dead-letter rows."""
    return record["error_id"] if record.get("kind") == "error" else record["article_id"]


def shard_of(identifier: str, num_shards: int) -> int:
    """Stable shard of a hex id: the same article always lands in the same file of its partition."""
    return int(identifier[:8], 16) % num_shards


def partition_date(record: dict[str, Any]) -> str:
    """UTC day of publication for articles (fetched day is already the fallback), of failure for errors."""
    when = record["occurred_at"] if record.get("kind") == "error" else record["published_at"]
    return when.astimezone(dt.timezone.utc).date().isoformat()


TEXT_FLAG = "has_text"  # a staging stub's answer to ``carries_text`` (it holds no text to look at)


def carries_text(article: dict[str, Any]) -> bool:
    """Whether a copy of an article carries text: a body or a summary.

    A copy without any (a sitemap entry or a link-only feed item whose page was not fetched) is a title and a
    link: it never replaces a copy with text, whatever its times. A site read through its feed and its news
    sitemap gives both copies, and the sitemap's ``<lastmod>`` is a later update time than a feed item without
    one: by time alone the row lost its summary and body.
    """
    if TEXT_FLAG in article:
        return bool(article[TEXT_FLAG])
    return bool(article.get("body_text") or article.get("summary_text"))


def version_key(article: dict[str, Any]) -> tuple:
    """Order of versions of one article: a copy with text over one without (``carries_text``), then the
    source's update time, else the later fetch; ties deterministic.

    The publication time is not a version: a source (or a re-parse by a fixed pipeline) may correct it
    either way, and an older fetch must never replace a newer one.
    """
    return (carries_text(article), article.get("updated_at") or EPOCH, article.get("fetched_at") or EPOCH,
            article.get("content_sha256") or "", article.get("source_id") or "", article.get("uri") or "")


def copy_rank(article: dict[str, Any]) -> tuple:
    """Order of the copies of one article seen in the same run: a copy with text first, then the latest edition.

    Copies of one run are all current, so the later source time (update, else publication: a re-published
    item carries a later pubDate) names the newer edition; the fetch time and content break ties. Across
    runs ``version_key`` decides instead, where a later fetch is newer information.
    """
    version = version_key(article)
    return (version[0], article.get("updated_at") or article.get("published_at") or EPOCH) + version[1:]


def storable(value: Any) -> Any:
    """``value`` with every string made valid UTF-8: a lone surrogate becomes U+FFFD, in lists and dicts too.

    Parquet holds UTF-8 only, and one unencodable string fails the write of a whole shard. They come from
    file names that are not UTF-8 (Python keeps their bytes as surrogates), from character references in
    sources, from exception messages; fields that the text stage normalizes are already clean.
    """
    if isinstance(value, str):
        return value if value.isascii() else LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [storable(item) for item in value]
    if isinstance(value, dict):
        return {key: storable(item) for key, item in value.items()}
    return value


def article_row(article: Article, pipeline_version: str) -> dict[str, Any]:
    """The written row of an article: exactly the schema's columns."""
    row = {name: storable(article.get(name)) for name in ARTICLE_SCHEMA.names}
    for name in ("authors", "tags", "time_flags", "entities", "links", "images", "quality_flags"):
        row[name] = list(row[name] or [])
    row["schema_version"] = ARTICLE_SCHEMA_VERSION
    row["pipeline_version"] = pipeline_version
    return row


def error_row(error: ErrorRecord, pipeline_version: str) -> dict[str, Any]:
    """The written row of a dead-letter record."""
    row = {name: storable(error.get(name)) for name in ERROR_SCHEMA.names}
    row["schema_version"] = ERROR_SCHEMA_VERSION
    row["pipeline_version"] = pipeline_version
    return row


def rows_to_table(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """Arrow table of ``rows`` in ``schema`` (one batched conversion, not row by row)."""
    return pa.Table.from_pylist(rows, schema=schema)
