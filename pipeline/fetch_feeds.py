"""Fetch the configured feeds once: check state, fetch what is due, keep raw bodies, update state.

This runs before the Beam pipeline of ``newsbeam run``; its ``raw_documents`` are the pipeline's input
and its ``errors`` go to the dead letter with the pipeline's own. Every configured feed ends up in exactly
one count: fetched, not_modified, failed, skipped_backoff or skipped_not_due; skipped feeds are also
listed in ``skipped`` with the time they become due, so the caller can report them.

A fetched body is parsed here once, as the pipeline will parse it, to learn whether it gives any article:
one that gives none but an error (an HTML page at the feed URL, broken XML) is a *content failure*, backed
off like a failed fetch (``pipeline/feed_state.py``) and counted in ``content_failed`` (a part of
``fetched``: the body still goes to the pipeline, whose parse error lands in the dead letter). A well-formed
feed with no items is not a failure.

The state of a feed that gave a body (its validators, its next poll time) is the promise that the body's
items are written: with ``hold_body_state`` it is held in ``FetchOutcome.held_state`` until the caller has
made them safe (``save_held_state``: ``run`` after its pipeline, ``stream`` once the body is in its
ledger). Saved at once, a run stopped between the fetch and the write (SIGTERM, a full disk, a refused
``--shards``) left the feed not due, then answered 304: its items were never written.

A feed body that is a sitemap index is followed in the same round: its newest sitemaps are fetched, kept
and read in its place, and judge the feed (``pipeline/sitemap_children.py``); how many of them were fetched,
not modified or failed is counted apart, in ``sitemap_counts`` (they are no feeds).

A body that is itself a gzip file (a ``sitemap.xml.gz``, served as ``application/gzip`` rather than with a
``Content-Encoding``) is inflated here, within the same size limit, before it is kept and parsed: the raw
zone then holds the document as every reader reads it, as for a decoded ``Content-Encoding``.

Trade-off: raw documents carry their body in memory (at most ``max_bytes`` each) although it is also in
the raw zone. That keeps them complete records; a pipeline that reads its inputs on the workers can
drop ``body`` and read ``raw_path`` instead.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from pipeline.content_codings import PARTLY_DECODED_FLAG, ContentCodingError
from pipeline.feed_config import FeedConfig
from pipeline.feed_state import CONTENT_FAILURE, FeedState, FeedStateStore
from pipeline.http_fetch import FetchResult, FetchSettings, fetch_many
from pipeline.raw_zone import store_raw
from pipeline.sitemap_children import MAX_INDEX_DEPTH, SitemapCrawl, start_crawl
from pipeline.sources import GZIP_MAGIC, gunzip_bounded
from transforms.records import ErrorRecord, RawDocument, make_error

logger = logging.getLogger(__name__)

COUNT_NAMES = ("fetched", "content_failed", "not_modified", "failed", "skipped_backoff", "skipped_not_due")
SITEMAP_COUNT_NAMES = ("fetched", "not_modified", "failed")  # the sitemaps fetched for indexes at feed URLs
# Parse errors that do not make a body a content failure: a well-formed feed may have no items for a while.
NOT_CONTENT_FAILURES = frozenset({"empty_feed"})


@dataclasses.dataclass(frozen=True)
class SkippedFeed:
    """A feed not fetched this time, and why: "backoff" after failures, or "not_due" yet."""

    source_id: str
    reason: str
    until: dt.datetime | None
    consecutive_failures: int
    last_error: str | None
    failure_kind: str | None = None  # while backing off: "fetch" (no usable answer) or "content" (no article)


@dataclasses.dataclass
class FetchOutcome:
    """What one round of fetching produced, sorted by source id."""

    raw_documents: list[RawDocument] = dataclasses.field(default_factory=list)
    errors: list[ErrorRecord] = dataclasses.field(default_factory=list)
    counts: dict[str, int] = dataclasses.field(default_factory=lambda: dict.fromkeys(COUNT_NAMES, 0))
    sitemap_counts: dict[str, int] = dataclasses.field(default_factory=lambda: dict.fromkeys(SITEMAP_COUNT_NAMES, 0))
    skipped: list[SkippedFeed] = dataclasses.field(default_factory=list)
    # with ``hold_body_state``: the state updates of the feeds that gave a body, for ``save_held_state``
    held_state: list[Callable[[FeedStateStore], object]] = dataclasses.field(default_factory=list)


def fetch_configured_feeds(
    feeds: Sequence[FeedConfig],
    output_dir: str | Path,
    settings: FetchSettings,
    now: dt.datetime,
    *,
    force: bool = False,
    hold_body_state: bool = False,
) -> FetchOutcome:
    """Fetch every due feed (all of them with ``force``), store bodies and state; see the module doc.

    ``now`` is the run's time: it decides what is due, and it is the ``fetched_at`` of everything
    fetched in this round, so records of one run share one fetch time.
    """
    by_id = {feed.source_id: feed for feed in feeds}
    if len(by_id) != len(feeds):
        raise ValueError("feed source ids must be unique (load_feeds_toml checks this)")
    outcome = FetchOutcome()
    with FeedStateStore(output_dir) as store:
        requests = []
        for feed in feeds:
            state = store.get(feed.source_id)
            if not force and not store.due(feed, now):
                outcome.skipped.append(_skipped(feed, state))
                continue
            requests.append(_request_for(feed, state))
        crawls = []
        for source_id, result in fetch_many(requests, settings):
            crawl = _record_result(by_id[source_id], inflated(result, settings.max_bytes), output_dir, now, store,
                                   outcome)
            crawls += [crawl] if crawl else []
        _follow_sitemap_indexes(crawls, output_dir, settings, now, outcome)
        if not hold_body_state:
            _apply(outcome.held_state, store)
            outcome.held_state = []
    for skipped in outcome.skipped:
        outcome.counts[f"skipped_{skipped.reason}"] += 1
    outcome.raw_documents.sort(key=lambda document: document["source_id"])
    outcome.errors.sort(key=lambda error: error["source_id"] or "")
    return outcome


def save_held_state(outcome: FetchOutcome, output_dir: str | Path) -> None:
    """Save the state of the feeds that gave a body, once their items are safe (see the module doc)."""
    if outcome.held_state:
        with FeedStateStore(output_dir) as store:
            _apply(outcome.held_state, store)
    outcome.held_state = []


def _apply(updates: list[Callable[[FeedStateStore], object]], store: FeedStateStore) -> None:
    for update in updates:
        update(store)


def _request_for(feed: FeedConfig, state: FeedState | None) -> tuple[str, str, str | None, str | None]:
    """(key, url, etag, last_modified): the moved-to URL and validators apply only to the same URL."""
    if state is None or state.url != feed.url:
        return feed.source_id, feed.url, None, None
    return feed.source_id, state.permanent_url or feed.url, state.etag, state.last_modified


def _skipped(feed: FeedConfig, state: FeedState | None) -> SkippedFeed:
    assert state is not None, "a feed without state is always due"
    return SkippedFeed(
        source_id=feed.source_id,
        reason="backoff" if state.consecutive_failures else "not_due",
        until=state.next_poll_at,
        consecutive_failures=state.consecutive_failures,
        last_error=state.last_error,
        failure_kind=state.failure_kind if state.consecutive_failures else None,
    )


def inflated(result: FetchResult, max_bytes: int) -> FetchResult:
    """``result`` with a body that is a gzip file inflated within ``max_bytes`` (see the module doc); a gzip
    bomb is a ``too_large`` failure, a corrupt or cut file a ``decode_error``, as for a Content-Encoding."""
    if not (result.ok and result.body and result.body.startswith(GZIP_MAGIC)):
        return result
    try:
        body, damage = gunzip_bounded(result.body, max_bytes)
        return dataclasses.replace(result, body=body, body_damage=result.body_damage or damage)
    except OverflowError as exc:
        failure = ("too_large", f"the gzip body {exc}")
    except ContentCodingError as exc:
        failure = ("decode_error", f"the gzip body is corrupt: {exc}")
    return dataclasses.replace(result, body=None, error_type=failure[0], error_message=failure[1])


def _record_result(
    feed: FeedConfig,
    result: FetchResult,
    output_dir: str | Path,
    now: dt.datetime,
    store: FeedStateStore,
    outcome: FetchOutcome,
) -> SitemapCrawl | None:
    """Store the body, update the state and the outcome for one finished fetch; a sitemap index to follow is
    returned instead, its state waiting for its sitemaps."""
    if result.not_modified:
        store.record_not_modified(feed.source_id, result, now, feed.poll_interval_s, feed_url=feed.url)
        outcome.counts["not_modified"] += 1
    elif result.ok and result.body is not None:
        crawl = start_crawl(feed, result, functools.partial(store.sitemap_validators, feed.source_id))
        document = _raw_document(feed, result, output_dir, now, sitemaps_followed=crawl.followed if crawl else [])
        outcome.raw_documents.append(document)
        outcome.counts["fetched"] += 1
        if crawl:
            return crawl
        _hold_verdict(feed, result, now, outcome, problem_text(content_failure(document)))
    else:
        error = _error_record(feed, result, now)
        logger.info("feed %s: %s", feed.source_id, error["message"])
        store.record_failure(
            feed.source_id, f"{error['error_type']}: {error['message']}", now, feed.poll_interval_s,
            feed_url=feed.url, status=result.status, retry_after_s=result.retry_after_s,
        )
        outcome.errors.append(error)
        outcome.counts["failed"] += 1
    return None


def _hold_verdict(feed: FeedConfig, result: FetchResult, now: dt.datetime, outcome: FetchOutcome,
                  problem: str | None) -> None:
    """Hold the state update of a feed that gave a body: a success, or a content failure for ``problem``."""
    if problem is None:
        outcome.held_state.append(functools.partial(
            FeedStateStore.record_success, source_id=feed.source_id, result=result, now=now,
            poll_interval_s=feed.poll_interval_s, feed_url=feed.url))
        return
    logger.info("feed %s: a %s without an article: %s", feed.source_id, result.status, problem)
    outcome.held_state.append(functools.partial(
        FeedStateStore.record_failure, source_id=feed.source_id, error=problem, now=now,
        poll_interval_s=feed.poll_interval_s, feed_url=feed.url, status=result.status, kind=CONTENT_FAILURE,
    ))
    outcome.counts["content_failed"] += 1


def _follow_sitemap_indexes(crawls: list[SitemapCrawl], output_dir: str | Path, settings: FetchSettings,
                            now: dt.datetime, outcome: FetchOutcome) -> None:
    """Fetch the sitemaps of the indexes at feed URLs, a level at a time, then hold each feed's state."""
    for level in range(1, MAX_INDEX_DEPTH + 1):
        requests = [crawl.request(url) for crawl in crawls for url, _ in crawl.pending]
        results = dict(fetch_many(requests, settings)) if requests else {}
        for crawl in crawls:
            answers = [(url, index_url, inflated(results[crawl.feed.source_id, url], settings.max_bytes))
                       for url, index_url in crawl.pending]
            crawl.pending = []
            _record_sitemaps(crawl, answers, level == MAX_INDEX_DEPTH, output_dir, now, outcome)
    for crawl in crawls:
        outcome.held_state.append(functools.partial(
            FeedStateStore.record_sitemap_validators, source_id=crawl.feed.source_id, validators=crawl.validators))
        # the index keeps no validators: its 304 would hide its sitemaps' changes
        index = dataclasses.replace(crawl.index, etag=None, last_modified=None)
        _hold_verdict(crawl.feed, index, now, outcome, crawl.failure())


def _record_sitemaps(crawl: SitemapCrawl, answers: list[tuple[str, str, FetchResult]], last_level: bool,
                     output_dir: str | Path, now: dt.datetime, outcome: FetchOutcome) -> None:
    """Count, keep and judge one level of a feed's sitemaps, (URL, index URL, answer) in the order asked; an
    index among them gets its sitemaps chosen for the next level."""
    bodies = []
    for url, index_url, result in answers:
        if result.not_modified:
            outcome.sitemap_counts["not_modified"] += 1
            crawl.judge(url, result, None)
        elif result.ok and result.body is not None:
            outcome.sitemap_counts["fetched"] += 1
            bodies += [(url, index_url, result)] if crawl.is_new_body(url, result.body) else []
        else:
            error = _error_record(crawl.feed, result, now)
            logger.info("feed %s: sitemap %s", crawl.feed.source_id, error["message"])
            outcome.errors.append(error)
            outcome.sitemap_counts["failed"] += 1
            crawl.judge(url, result, problem_text(error))
    followed = crawl.follow([(index_url, result) for _, index_url, result in bodies], last_level)
    for (url, index_url, result), children in zip(bodies, followed):
        document = _raw_document(crawl.feed, result, output_dir, now, sitemap_index_url=index_url,
                                 sitemaps_followed=children)
        outcome.raw_documents.append(document)
        if not children:
            crawl.judge(url, result, problem_text(content_failure(document)))


def content_failure(document: RawDocument) -> ErrorRecord | None:
    """The parse error of a fetched feed body that gives no article (see the module docstring), or None."""
    from transforms.parsing import parse_document

    try:
        records = parse_document({**document, "expected_type": "feed"})  # type: ignore[typeddict-item]
    except Exception:  # noqa: BLE001 - a parser bug is not the feed's fault; the pipeline reports it
        logger.exception("parsing the feed %s failed", document.get("uri"))
        return None
    if any(record.get("kind") == "article" for record in records):
        return None
    errors = [record for record in records if record.get("kind") == "error"
              and record["error_type"] not in NOT_CONTENT_FAILURES]
    return errors[-1] if errors else None  # the document's own error (broken XML, ...) follows its items'


def problem_text(error: ErrorRecord | None) -> str | None:
    """An error in one line, as a feed's state keeps it (``parse:not_a_feed: expected a feed, ...``)."""
    return error and f"{error['stage']}:{error['error_type']}: {error['message']}"


def _raw_document(
    feed: FeedConfig, result: FetchResult, output_dir: str | Path, now: dt.datetime, *,
    sitemap_index_url: str | None = None, sitemaps_followed: Sequence[str] = (),
) -> RawDocument:
    """Keep a fetched body in the raw zone, as the pipeline input of ``feed`` (a sitemap fetched for its index
    names the index; an index names the sitemaps fetched for it)."""
    body = result.body or b""
    followed = {"sitemap_index_url": sitemap_index_url, "sitemaps_followed": list(sitemaps_followed)}
    flags = [PARTLY_DECODED_FLAG] if result.body_damage else []
    if result.body_damage:
        logger.info("feed %s: %s decoded only in part: %s", feed.source_id, result.final_url, result.body_damage)
    raw_sha256, raw_path = store_raw(
        output_dir, feed.source_id, body, now, uri=result.final_url, feed_url=feed.url,
        http_status=result.status, etag=result.etag, last_modified=result.last_modified,
        content_type=result.content_type, language_hint=feed.language, tags=feed.tags,
        time_options=feed.time_options(), sitemap_index_url=sitemap_index_url, sitemaps_followed=sitemaps_followed,
        quality_flags=flags,
    )
    return RawDocument(
        kind="raw", source_id=feed.source_id, uri=result.final_url, feed_url=feed.url, body=body,
        fetched_at=now, http_status=result.status, etag=result.etag,
        last_modified=result.last_modified, content_type=result.content_type, raw_sha256=raw_sha256,
        raw_path=raw_path, language_hint=feed.language, tags=list(feed.tags),
        **({"time_options": feed.time_options()} if feed.time_options() else {}),
        **({"quality_flags": flags} if flags else {}),
        **{key: value for key, value in followed.items() if value},
    )


def _error_record(feed: FeedConfig, result: FetchResult, now: dt.datetime) -> ErrorRecord:
    attempts = f" (after {result.attempts} attempts)" if result.attempts > 1 else ""
    source = {"source_id": feed.source_id, "uri": result.final_url or feed.url, "fetched_at": now}
    return make_error(
        "fetch", result.error_type or "unknown", f"{result.error_message}{attempts}", source=source,
        occurred_at=now,
    )
