"""Datasets written straight through the sink (no Beam): articles and errors built by the tests."""

from __future__ import annotations

import collections
import datetime as dt
import hashlib
import pathlib
from typing import Any, Iterable

import pyarrow.dataset as ds

from pipeline.parquet_sink import SinkSettings, write_article_shard, write_error_shard
from pipeline.rows import shard_of
from transforms.records import make_error

UTC = dt.timezone.utc
SHARDS = 8


def article_id(number: int) -> str:
    """A stable hex id for article ``number``."""
    return hashlib.sha256(f"article {number}".encode()).hexdigest()[:32]


def article(number: int, published_at: dt.datetime, title: str = "", source_id: str = "north",
            updated_at: dt.datetime | None = None, entities: Iterable[tuple[str, str]] = (),
            body_chars: int = 200) -> dict[str, Any]:
    """An article record as the sink receives it."""
    title = title or f"story {number}"
    body = f"{title}. " + "Words of the report. " * (body_chars // 21)
    return {
        "kind": "article", "article_id": article_id(number), "url": f"https://{source_id}.example/{number}",
        "canonical_url": f"https://{source_id}.example/{number}", "guid": None, "source_id": source_id,
        "feed_url": None, "document_type": "rss", "title": title, "summary_text": title, "body_text": body,
        "body_html": f"<p>{body}</p>", "authors": [], "tags": [], "language": "en", "published_at": published_at,
        "published_offset_minutes": 0, "time_source": "entry.published", "time_flags": [], "updated_at": updated_at,
        "fetched_at": published_at + dt.timedelta(hours=1),
        "entities": [{"id": f"geo:{name.lower()}", "name": name, "type": kind, "mentions": 1} for name, kind in entities],
        "links": [], "images": [], "quality_flags": [],
        "content_sha256": hashlib.sha256(body.encode()).hexdigest(), "raw_sha256": "0" * 64, "raw_path": None,
        "uri": f"feeds/{source_id}.xml",
    }


def write_articles(output: pathlib.Path, articles: Iterable[dict[str, Any]], shards: int = SHARDS) -> None:
    """Merge ``articles`` into the dataset, each shard's through its own writer, as a run would."""
    settings = SinkSettings(str(output), shards, "test")
    by_shard: dict[int, list[dict[str, Any]]] = collections.defaultdict(list)
    for record in articles:
        by_shard[shard_of(record["article_id"], shards)].append(record)
    for shard, records in sorted(by_shard.items()):
        write_article_shard(shard, records, settings)


def write_errors(output: pathlib.Path, count: int, when: dt.datetime, error_type: str = "malformed_xml",
                 shards: int = SHARDS) -> None:
    """``count`` dead-letter rows of ``error_type`` that occurred at ``when``."""
    settings = SinkSettings(str(output), shards, "test")
    errors = [make_error("parse", error_type, f"broken {number}", occurred_at=when,
                         source={"uri": f"feeds/broken-{number}.xml"}) for number in range(count)]
    by_shard: dict[int, list[dict[str, Any]]] = collections.defaultdict(list)
    for error in errors:
        by_shard[shard_of(error["error_id"], shards)].append(error)
    for shard, records in sorted(by_shard.items()):
        write_error_shard(shard, records, settings)


def read_dataset(output: pathlib.Path, dataset: str = "articles") -> list[dict[str, Any]]:
    """Every row of ``dataset`` with its partition day."""
    return ds.dataset(output / dataset, format="parquet", partitioning="hive").to_table().to_pylist()
