"""What an article shard's writer does with this run's articles, decided on Arrow columns.

A writer sees every article of its shard in the run: 25,000 of a 200,000-item run with 8 shards. It keeps
the latest copy of each article_id (``rows.copy_rank``), looks the id up in the shard's index and sorts the
copy into unchanged, stale (older than the written version) or to be written. Held as Python dicts, the
stubs of one shard cost about 2.2 KB an article, so the writer's memory grew with the run
(docs/performance.md). Here they are Arrow columns (about 300 bytes an article, built a batch at a time),
the decisions are column operations, made a bucket of ids at a time (the sort and the join cost about 1 KB
a copy while they run; every copy of an id is in the same bucket), and only what writing needs is kept,
in the order of the partition files. The rows stay in their staging files until the writer loads them,
one partition and a chunk at a time (``ShardPlan.records``).
"""

from __future__ import annotations

import collections
import dataclasses
import zlib
from typing import Any, Callable, Iterable, Iterator

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.rows import EPOCH, carries_text, partition_date
from pipeline.staging import STAGED, expand_staged, load_staged

TIMESTAMP = pa.timestamp("us", tz="UTC")
CANDIDATE_SCHEMA = pa.schema([
    pa.field("article_id", pa.string()), pa.field("date", pa.string()),  # date: the partition
    pa.field("has_text", pa.bool_()),  # rows.carries_text: copy_rank's and version_key's first key
    pa.field("edition_at", TIMESTAMP),  # updated_at, else published_at, else the epoch: copy_rank's second key
    pa.field("updated_at", TIMESTAMP), pa.field("fetched_at", TIMESTAMP),  # the epoch when missing
    pa.field("published_at", TIMESTAMP),  # null when missing: the order of rows in a partition file
    pa.field("content_sha256", pa.string()), pa.field("source_id", pa.string()), pa.field("uri", pa.string()),
    pa.field("body_status", pa.string()),
    # where the row is: staging file number, offset and length; file -1 for a record passed whole (offset:
    # its place in ShardPlan.whole)
    pa.field("file", pa.int32()), pa.field("offset", pa.int64()), pa.field("length", pa.int64()),
    pa.field("id_hash", pa.int64()),  # CRC-32 of article_id: every copy of an id is decided in the same bucket
])
# copy_rank as sort keys, latest edition first; the sort is stable, so among equal copies the first one
# seen wins, as in rows.copy_rank's strict comparison
_COPY_ORDER = [("article_id", "ascending"), ("has_text", "descending"), ("edition_at", "descending"),
               ("updated_at", "descending"), ("fetched_at", "descending"), ("content_sha256", "descending"), ("source_id", "descending"),
               ("uri", "descending")]
_KNOWN_COLUMNS = {"date": "known_date", "content_sha256": "known_sha256", "version_at": "known_version_at",
                  "fetched_at": "known_fetched_at", "has_text": "known_has_text"}  # index column -> beside candidates
_KNOWN_TYPES = {"date": pa.string(), "content_sha256": pa.string(), "has_text": pa.bool_()}  # else TIMESTAMP
# what the writer needs once decided: where each row is, its index entry, and the day of its older copy
_WRITTEN_COLUMNS = ["article_id", "date", "published_at", "file", "offset", "length", "content_sha256", "updated_at",
                    "fetched_at", "has_text", "known_date"]
# a partition file's order (parquet_sink sorts rows by published_at, then article_id; nulls last)
_PARTITION_ORDER = [("date", "ascending"), ("published_at", "ascending"), ("article_id", "ascending")]
STUBS_PER_BATCH = 1024
# The entries (index_store.INDEX_SCHEMA) a shard's index holds for the ids given; None when it has no index.
IndexEntries = Callable[[pa.Array], "pa.Table | None"]
# Copies decided at a time: the sort and the join cost about 1 KB a copy while they run, so a shard's copies are
# decided in buckets of ids (a power of two of them) of about this many, and only the slim result is kept.
COPIES_PER_BUCKET = 4096


def _id_hash(article_id: str) -> int:
    return zlib.crc32(article_id.encode("utf-8", "surrogatepass"))


class _Candidates:
    """Articles (stubs or whole records) turned into Arrow columns a batch at a time."""

    def __init__(self) -> None:
        self.files: list[str] = []
        self.whole: list[dict[str, Any]] = []
        self._file_numbers: dict[str, int] = {}
        self._columns: list[list[Any]] = [[] for _ in CANDIDATE_SCHEMA]
        self._batches: list[pa.RecordBatch] = []

    def add(self, article: dict[str, Any]) -> None:
        staged = article.get(STAGED)
        if staged is None:
            location = (-1, len(self.whole), 0)
            self.whole.append(article)
        else:
            path, offset, length = staged
            number = self._file_numbers.get(path)
            if number is None:
                number = self._file_numbers[path] = len(self.files)
                self.files.append(path)
            location = (number, offset, length)
        updated = article.get("updated_at")
        published = article.get("published_at")
        values = (article["article_id"], partition_date(article), carries_text(article),
                  updated or published or EPOCH, updated or EPOCH, article.get("fetched_at") or EPOCH, published, article.get("content_sha256") or "",
                  article.get("source_id") or "", article.get("uri") or "", article.get("body_status") or "unknown",
                  *location, _id_hash(article["article_id"]))
        for column, value in zip(self._columns, values):
            column.append(value)
        if len(self._columns[0]) >= STUBS_PER_BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._columns[0]:
            self._batches.append(pa.RecordBatch.from_arrays(
                [pa.array(values, field.type) for values, field in zip(self._columns, CANDIDATE_SCHEMA)],
                schema=CANDIDATE_SCHEMA))
            self._columns = [[] for _ in CANDIDATE_SCHEMA]

    def table(self) -> pa.Table:
        """Every article added, as one table (the batches are handed over, not kept)."""
        self._flush()
        batches, self._batches = self._batches, []
        return pa.Table.from_batches(batches, schema=CANDIDATE_SCHEMA)


def count_true(mask: pa.ChunkedArray | pa.Array) -> int:
    """How many values of a boolean mask are true (nulls are not)."""
    return int(pc.sum(mask).as_py() or 0)


def _latest_copies(candidates: pa.Table) -> pa.Table:
    """One row per article_id, the copy ``rows.copy_rank`` ranks highest, sorted by article_id."""
    order = pc.sort_indices(candidates, sort_keys=_COPY_ORDER)
    ids = pc.take(candidates["article_id"], order).combine_chunks()
    if len(ids) > 1:  # only the first row of each id in that order is taken: one copy of the table, not two
        first_of_id = pa.concat_arrays([pa.array([True]), pc.not_equal(ids.slice(1), ids.slice(0, len(ids) - 1))])
        order = order.filter(first_of_id)
    return candidates.take(order)


def entries_in(index: pa.Table | None) -> IndexEntries:
    """An ``IndexEntries`` over an index table held in memory (or none)."""
    def entries_of(ids: pa.Array) -> pa.Table | None:
        return None if index is None else index.filter(pc.is_in(index["article_id"], value_set=ids))
    return entries_of


def _known_entries(index_entries: IndexEntries, ids: pa.ChunkedArray) -> pa.Table | None:
    """The index entries of ``ids``, renamed as they sit beside the candidates, with the ids' hash; None
    when the index has none of them."""
    known = index_entries(ids.combine_chunks())
    if known is None or not known.num_rows:
        return None
    known = known.select(["article_id", *_KNOWN_COLUMNS]).rename_columns(["article_id", *_KNOWN_COLUMNS.values()])
    return known.append_column("id_hash", pa.array([_id_hash(article_id) for article_id
                                                    in known["article_id"].to_pylist()], pa.int64()))


def _with_known(latest: pa.Table, known: pa.Table | None) -> pa.Table:
    """``latest`` with the index entry of each id beside it (null columns for ids the index lacks)."""
    if known is not None and known.num_rows:
        return latest.join(known.drop_columns(["id_hash"]), keys="article_id",
                           join_type="left outer").sort_by("article_id")
    for column, name in _KNOWN_COLUMNS.items():
        latest = latest.append_column(name, pa.nulls(latest.num_rows, _KNOWN_TYPES.get(column, TIMESTAMP)))
    return latest


def _in_bucket(table: pa.Table | None, bucket: int, buckets: int) -> pa.Table | None:
    if table is None or buckets == 1:
        return table
    return table.filter(pc.equal(pc.bit_wise_and(table["id_hash"], buckets - 1), bucket))


@dataclasses.dataclass
class ShardPlan:
    """The decisions of one shard's writer: what to write where, and what it counted."""

    written: pa.Table  # the copies to write (_WRITTEN_COLUMNS; known_date null when new), in partition order
    counts: dict[str, int]
    body_status: dict[str, int]
    files: list[str]
    whole: list[dict[str, Any]]

    def dates(self) -> list[str]:
        """The partitions that get rows."""
        return sorted(set(self.written["date"].to_pylist()))

    def records(self, date: str, chunk_rows: int) -> Iterator[list[dict[str, Any]]]:
        """The whole records to write in partition ``date``, ``chunk_rows`` at a time, in the partition file's
        order (published_at, then article_id)."""
        located = self.written.filter(pc.equal(self.written["date"], date)).select(["file", "offset", "length"])
        for batch in located.to_batches(max_chunksize=chunk_rows):
            files, offsets, lengths = (column.to_pylist() for column in batch.columns)
            yield load_staged([self.whole[offset] if file < 0
                               else {"kind": "article", STAGED: (self.files[file], offset, length)}
                               for file, offset, length in zip(files, offsets, lengths)])

    def _old_copies(self, mask: pa.ChunkedArray) -> dict[str, set[str]]:
        chosen = self.written.filter(mask)
        by_date: dict[str, set[str]] = collections.defaultdict(set)
        for date, article_id in zip(chosen["known_date"].to_pylist(), chosen["article_id"].to_pylist()):
            by_date[date].add(article_id)
        return dict(by_date)

    def replaced(self) -> dict[str, set[str]]:
        """Ids of written articles that have an older row, by the day that row is in."""
        return self._old_copies(pc.is_valid(self.written["known_date"]))

    def moved(self) -> dict[str, set[str]]:
        """Ids of written articles whose older row is in another day, by that day (it must leave it)."""
        return self._old_copies(pc.fill_null(pc.not_equal(self.written["known_date"], self.written["date"]), False))


def plan_shard(articles: Iterable[dict[str, Any]], index_entries: IndexEntries,
               copies_per_bucket: int = COPIES_PER_BUCKET) -> ShardPlan:
    """Decide a shard's articles (staging markers, stubs or whole records) against the entries its index
    has for them, about ``copies_per_bucket`` copies at a time."""
    candidates = _Candidates()
    for article in expand_staged(articles):
        candidates.add(article)
    table = candidates.table()
    known = _known_entries(index_entries, table["article_id"])
    buckets = 1 << max(0, (table.num_rows - 1) // copies_per_bucket).bit_length()
    counts: collections.Counter[str] = collections.Counter()
    statuses: collections.Counter[str] = collections.Counter()
    parts = [_decide(_with_known(_latest_copies(_in_bucket(table, bucket, buckets)),
                                 _in_bucket(known, bucket, buckets)), counts, statuses)
             for bucket in range(buckets)]
    # every latest copy is new, updated, unchanged or stale: the other copies were duplicates
    counts["duplicates_in_run"] = table.num_rows - sum(counts.values())
    del table  # the copies not kept go before the written part is sorted
    written = pa.concat_tables(parts).sort_by(_PARTITION_ORDER)
    return ShardPlan(written=written, counts=dict(counts), body_status=dict(statuses), files=candidates.files,
                     whole=candidates.whole)


def _decide(latest: pa.Table, counts: collections.Counter[str], statuses: collections.Counter[str]) -> pa.Table:
    """The copies of ``latest`` (with their index entries) to write, slimmed to what writing needs; what was
    decided is added to ``counts`` and ``statuses``."""
    epoch = pa.scalar(EPOCH, TIMESTAMP)
    unchanged = pc.fill_null(pc.and_(pc.equal(latest["known_sha256"], latest["content_sha256"]),
                                     pc.equal(latest["known_date"], latest["date"])), False)
    # an entry written before fetch times were kept compares as the oldest version
    known_updated = pc.if_else(pc.is_null(latest["known_fetched_at"]), epoch, latest["known_version_at"])
    known_fetched = pc.fill_null(latest["known_fetched_at"], epoch)
    # an entry written before the text rank was kept gets it from its row (article_index.with_text_ranks); one
    # whose row was not found counts as text: a copy without text does not replace it
    known_text = pc.fill_null(latest["known_has_text"], True)
    older_in_time = pc.or_(pc.less(latest["updated_at"], known_updated),
                           pc.and_(pc.equal(latest["updated_at"], known_updated),
                                   pc.less(latest["fetched_at"], known_fetched)))
    older = pc.or_(pc.and_(pc.invert(latest["has_text"]), known_text),
                   pc.and_(pc.equal(latest["has_text"], known_text), older_in_time))
    known = pc.is_valid(latest["known_date"])
    # only a written version makes a copy stale: a new id with an update time before the epoch is new
    stale = pc.fill_null(pc.and_(pc.and_(known, pc.invert(unchanged)), older), False)
    write = pc.invert(pc.or_(unchanged, stale))
    counts.update({"articles_new": count_true(pc.and_(write, pc.invert(known))),
                   "articles_updated": count_true(pc.and_(write, known)),
                   "articles_unchanged": count_true(unchanged), "articles_stale": count_true(stale)})
    statuses.update({entry["values"]: entry["counts"]
                     for entry in pc.value_counts(latest["body_status"].combine_chunks()).to_pylist()})
    # only what writing needs is kept (the uri, source and ranking columns go)
    return latest.filter(write).select(_WRITTEN_COLUMNS)
