"""Fetch the linked page of each new or changed feed item, politely, before the pipeline runs (full text).

This runs in the driver of ``newsbeam run``, between the feed fetch and the Beam pipeline, because
politeness needs one place that sees every request, and the pipeline must stay one straight chain (see
DESIGN.md). For each feed fetched in this run whose source wants full text:

1. the feed body is parsed just enough to list its items (``transforms.parsing.parse_document``), and each
   item's ``article_id`` is computed from its link exactly as ``transforms.identity`` does;
2. items whose own content or description is already the whole article
   (``transforms.full_text.feed_item_is_whole``) need no page; items the ledger (``pipeline/page_ledger.py``)
   knows unchanged reuse what an earlier run got (the page stays in the raw zone: no request); the rest are
   fetched;
3. robots.txt is fetched once per origin and obeyed for our User-Agent (``pipeline/robots.py``);
4. the allowed pages are fetched with ``http_fetch.fetch_many`` (same client, limits and retries as the
   feeds) through one ``HostLimiter``: at most ``per_host_concurrency`` requests at once per host, the
   starts of two requests to one host at least ``max(1 / requests_per_second, Crawl-delay)`` apart, and a
   Retry-After pausing the whole host; many hosts are fetched in parallel. Pages a host cannot serve
   within ``time_budget_s`` at its rate are left for the next run (``deferred``);
5. every page body goes to the raw zone (``OUT/raw/pages/``), every outcome to the ledger.

The result is, per feed document (by its raw path), a mapping ``{item link: PageInfo}`` that travels to
the pipeline inside the feed's ``InputFile``; ``transforms/full_text.py`` reads the page from there. The
same mapping is kept next to the feed body in the raw zone (``<sha256>.pages.json``), so that the feed
can be reprocessed with its full text from the raw zone alone.

Links come from strangers' feeds: only http(s) links are fetched, and with
``allow_private_addresses=False`` (the CLI's default) no loopback, private or link-local address either.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import json
import logging
import os
import time
import urllib.parse
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

from pipeline.atomic_files import write_bytes_atomically
from pipeline.http_fetch import FetchResult, FetchSettings, HostLimiter, declares_html, fetch_many, make_client
from pipeline.page_ledger import LedgerEntry, PageLedger
from pipeline.raw_zone import PAGE_ZONE, pages_sidecar_path, read_pages_sidecar, store_raw
from pipeline.robots import RobotsRules, fetch_robots, origin_of, rules_from_text
from pipeline.run_summary import utc_now
from transforms.full_text import feed_item_is_whole
from transforms.identity import compute_article_id, item_id_link
from transforms.parsing import parse_document
from transforms.records import PageInfo, RawDocument, sha256_hex
from transforms.sniffing import sniff_document_type

logger = logging.getLogger(__name__)

PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
STORE_THREADS = 8
# Requests are spaced 5 % wider than asked: the limiter spaces their starts in this process, and thread
# scheduling here delays some sends by a few milliseconds (measured up to 15 % of a 50 ms interval with
# 20 hosts at once), which would let the server see two requests closer than the rate allows.
PACING_MARGIN = 1.05
ROBOTS_CACHE = dt.timedelta(hours=24)  # RFC 9309: a robots.txt may be reused for up to a day
RETRYABLE_ERRORS = frozenset({"timeout", "connection_error", "deadline_exceeded", "internal_error",
                              "robots_unreachable"})
COUNT_NAMES = ("items_considered", "full_body_in_feed", "reused_from_earlier_runs", "robots_txt_fetched",
               "fetched", "not_html", "failed", "blocked_by_robots", "deferred")


@dataclasses.dataclass(frozen=True)
class PageFetchSettings:
    """How pages are fetched: the feeds' fetch settings plus the politeness of page fetching."""

    fetch: FetchSettings
    requests_per_second: float = 1.0  # per host; a slower Crawl-delay / Request-rate wins
    time_budget_s: float = 600.0  # a host's pages beyond what its rate allows in this time wait for the next run
    max_attempts: int = 3  # runs that may try a page that failed in a retryable way (timeouts, 5xx, ...)
    max_threads: int = 64  # fetching threads: enough for every host's slots at once, up to this

    def __post_init__(self) -> None:
        for name in ("requests_per_second", "time_budget_s", "max_attempts", "max_threads"):
            if getattr(self, name) <= 0:
                raise ValueError(f"PageFetchSettings.{name} must be positive, not {getattr(self, name)!r}")


def page_settings_from(feed_settings: FetchSettings, *, requests_per_second: float = 1.0,
                       allow_private_addresses: bool = False, time_budget_s: float = 600.0) -> PageFetchSettings:
    """Page settings from the run's feed settings: same limits and retries, an HTML Accept header."""
    fetch = dataclasses.replace(feed_settings, accept=PAGE_ACCEPT, allow_private_addresses=allow_private_addresses)
    return PageFetchSettings(fetch=fetch, requests_per_second=requests_per_second, time_budget_s=time_budget_s)


@dataclasses.dataclass(frozen=True)
class PageCandidate:
    """A feed item whose page may be fetched."""

    article_id: str
    link: str
    item_sha256: str  # the item as the feed gives it: a different hash means the item changed
    source_id: str
    feed_url: str | None
    language_hint: str | None
    tags: tuple[str, ...]


@dataclasses.dataclass
class PageFetchOutcome:
    """Per feed document (by raw path), ``{item link: PageInfo}``; and what was done, counted (and timed,
    in ``counts["elapsed_s"]``)."""

    pages: dict[str, dict[str, PageInfo]] = dataclasses.field(default_factory=dict)
    counts: dict[str, Any] = dataclasses.field(default_factory=lambda: dict.fromkeys(COUNT_NAMES, 0))


def fetch_pages(documents: Sequence[RawDocument], wants_full_text: Callable[[str], bool], output_dir: str | Path,
                settings: PageFetchSettings, now: dt.datetime) -> PageFetchOutcome:
    """Fetch the pages the items of ``documents`` need (for sources where ``wants_full_text``); see the
    module docstring. ``now`` is the run's time: the raw-zone day and the pages' ``fetched_at``."""
    started_s = time.monotonic()
    outcome = PageFetchOutcome()
    links_by_document: dict[str, dict[str, str]] = {}  # raw path -> item link -> article_id
    candidates: dict[str, PageCandidate] = {}
    for document in documents:
        if document.get("raw_path") and wants_full_text(document.get("source_id") or ""):
            listed, full_bodies = list_candidates(document)
            outcome.counts["full_body_in_feed"] += full_bodies
            links_by_document[document["raw_path"]] = {candidate.link: candidate.article_id for candidate in listed}
            for candidate in listed:
                candidates.setdefault(candidate.article_id, candidate)
    outcome.counts["items_considered"] = len(candidates)
    if not candidates:
        return outcome
    with PageLedger(output_dir) as ledger:
        known = ledger.get(candidates)
        pages, attempts = _reuse_or_plan(candidates, known, settings.max_attempts, outcome.counts)
        to_fetch = [candidates[article_id] for article_id in attempts]
        fetched = _fetch_planned(to_fetch, output_dir, settings, now, ledger, outcome.counts)
        pages.update(fetched)
        ledger.record(LedgerEntry(article_id, candidates[article_id].item_sha256, attempts[article_id], page)
                      for article_id, page in fetched.items() if page.get("status") != "deferred")
    for raw_path, links in links_by_document.items():
        outcome.pages[raw_path] = {link: pages[article_id] for link, article_id in links.items()}
        _save_pages_sidecar(raw_path, outcome.pages[raw_path])
    for page in pages.values():
        if not page.get("from_earlier_run"):
            outcome.counts[_count_name(page)] += 1
    outcome.counts["elapsed_s"] = round(time.monotonic() - started_s, 1)
    return outcome


def list_candidates(document: RawDocument) -> tuple[list[PageCandidate], int]:
    """The items of a feed document that may need their page, and how many carry their whole body."""
    candidates, full_bodies = [], 0
    try:  # parsed as the pipeline will: a configured feed that is not a feed gives no items
        records = parse_document({**document, "expected_type": "feed"})  # type: ignore[typeddict-item]
    except Exception:  # noqa: BLE001 - a parser bug must not stop the run; the pipeline reports the document
        logger.exception("listing the items of %s failed", document.get("uri"))
        return [], 0
    for record in records:
        link = record.get("url") if record.get("kind") == "article" else None
        if not link:
            continue
        if feed_item_is_whole(record):
            full_bodies += 1
            continue
        article_id = compute_article_id(item_id_link(record), record.get("guid"), record.get("source_id") or "", "")
        candidates.append(PageCandidate(
            article_id=article_id, link=link, item_sha256=_item_sha256(record), source_id=record["source_id"],
            feed_url=document.get("feed_url"), language_hint=document.get("language_hint"),
            tags=tuple(document.get("tags") or ())))
    return candidates, full_bodies


def _item_sha256(record: dict) -> str:
    """Hash of the item as the feed gives it; a change in any of these fields fetches the page again."""
    fields = ("url", "guid", "title", "summary_html", "content_html", "raw_published", "raw_updated")
    return sha256_hex("\x1f".join(str(record.get(field) or "") for field in fields).encode("utf-8", "surrogatepass"))


def _reuse_or_plan(candidates: dict[str, PageCandidate], known: dict[str, LedgerEntry], max_attempts: int,
                   counts: dict[str, int]) -> tuple[dict[str, PageInfo], dict[str, int]]:
    """Pages reused from earlier runs (no request), and the attempt number of each page to fetch now."""
    pages: dict[str, PageInfo] = {}
    attempts: dict[str, int] = {}
    for article_id, candidate in candidates.items():
        entry = known.get(article_id)
        if entry is None or entry.item_sha256 != candidate.item_sha256:
            attempts[article_id] = 1  # new, or the item changed
        elif entry.page.get("raw_path") and not os.path.exists(entry.page["raw_path"] or ""):
            attempts[article_id] = 1  # its stored page is gone from the raw zone
        elif _retryable(entry.page) and entry.attempts < max_attempts:
            attempts[article_id] = entry.attempts + 1
        else:
            pages[article_id] = entry.page
            counts["reused_from_earlier_runs"] += 1
    return pages, attempts


def _retryable(page: PageInfo) -> bool:
    """True for failures a later run may see go away: timeouts, 429 and 5xx, unreachable robots.txt."""
    if page.get("status") not in ("failed", "blocked_by_robots"):
        return False
    status = page.get("http_status") or 0
    return page.get("error_type") in RETRYABLE_ERRORS or (
        page.get("error_type") == "http_status" and (status == 429 or status >= 500))


def _fetch_planned(to_fetch: list[PageCandidate], output_dir: str | Path, settings: PageFetchSettings,
                   now: dt.datetime, ledger: PageLedger, counts: dict[str, Any]) -> dict[str, PageInfo]:
    """Check robots.txt, then fetch the allowed pages politely; every candidate gets a PageInfo."""
    pages, fetchable = _refuse_unfetchable(to_fetch)
    if not fetchable:
        return pages
    per_host = settings.fetch.per_host_concurrency
    hosts = {_host(candidate.link) for candidate in fetchable}
    fetch_settings = dataclasses.replace(settings.fetch, max_concurrent_requests=min(
        settings.max_threads, max(settings.fetch.max_concurrent_requests, len(hosts) * per_host)))
    limiter = HostLimiter(per_host, PACING_MARGIN / settings.requests_per_second)
    waits_s = _seed_waits(limiter, ledger.hosts_not_before(), hosts)
    with make_client(fetch_settings) as client:
        robots, fetched_now = _robots_for(fetchable, fetch_settings, limiter, client, ledger, waits_s,
                                          settings.time_budget_s)
        counts["robots_txt_fetched"] += len(fetched_now)
        allowed = []
        for candidate in fetchable:
            verdict = _robots_verdict(candidate, robots.get(origin_of(candidate.link)), fetch_settings.user_agent)
            if verdict is None:
                allowed.append(candidate)
            else:
                pages[candidate.article_id] = verdict
        _apply_crawl_delays(limiter, robots.values(), fetch_settings.user_agent, settings.requests_per_second)
        allowed, deferred = _within_budget(allowed, limiter, waits_s, fetched_now, settings.time_budget_s)
        pages.update((candidate.article_id, PageInfo(status="deferred", url=candidate.link, error_type="deferred",
                                                     error_message="over this run's time budget for the host"))
                     for candidate in deferred)
        # A fetch's deadline includes its wait for a turn on its host: up to one interval per request
        # at once on the host, so the deadline grows by that much (else a Crawl-delay would time out).
        longest_interval_s = max((limiter.min_interval_s(_host(candidate.link)) for candidate in allowed), default=0.0)
        fetch_settings = dataclasses.replace(fetch_settings, total_deadline_s=fetch_settings.total_deadline_s + min(
            per_host * longest_interval_s, settings.time_budget_s))
        pages.update(_fetch_and_store(allowed, fetch_settings, client, limiter, output_dir, now))
    requested_hosts = {_host(candidate.link) for candidate in allowed} | {_host(origin) for origin in fetched_now}
    finished = utc_now()  # each host's next turn (its interval, or a longer Retry-After) holds for later runs
    ledger.set_hosts_not_before({host: finished + dt.timedelta(seconds=limiter.wait_s(host)) for host in requested_hosts})
    return pages


def _refuse_unfetchable(candidates: list[PageCandidate]) -> tuple[dict[str, PageInfo], list[PageCandidate]]:
    """PageInfos for links that are not absolute http(s) (no request at all), and the other candidates."""
    refused: dict[str, PageInfo] = {}
    fetchable = []
    for candidate in candidates:
        parts = urllib.parse.urlsplit(candidate.link)
        if parts.scheme.lower() in ("http", "https") and parts.hostname:
            fetchable.append(candidate)
        else:
            message = f"only absolute http(s) links are fetched, not {candidate.link[:200]!r}"
            refused[candidate.article_id] = _failed(candidate, "unsupported_scheme", message)
    return refused, fetchable


def _fetch_and_store(candidates: list[PageCandidate], settings: FetchSettings, client: Any, limiter: HostLimiter,
                     output_dir: str | Path, now: dt.datetime) -> dict[str, PageInfo]:
    """Fetch the pages through ``limiter`` and keep each body in the raw zone."""
    by_id = {candidate.article_id: candidate for candidate in candidates}
    requests = [(candidate.article_id, candidate.link, None, None) for candidate in candidates]
    # Bodies are stored by a pool of their own: fetch_many starts the next requests only when asked for
    # the next result, and the raw zone's fsyncs (about 10 ms a page) would otherwise pace the fetching.
    with concurrent.futures.ThreadPoolExecutor(STORE_THREADS, "newsbeam-store") as storing:
        stored = {article_id: storing.submit(_page_from_result, by_id[article_id], result, output_dir, now)
                  for article_id, result in fetch_many(requests, settings, client=client, host_limiter=limiter)}
    return {article_id: future.result() for article_id, future in stored.items()}


def _seed_waits(limiter: HostLimiter, not_before: dict[str, dt.datetime], hosts: Collection[str]) -> dict[str, float]:
    """Hold back hosts an earlier run asked us to leave alone for a while (Crawl-delay across runs)."""
    current = utc_now()
    waits_s = {host: max(0.0, (not_before[host] - current).total_seconds()) for host in hosts if host in not_before}
    for host, wait_s in waits_s.items():
        limiter.defer(host, wait_s)
    return waits_s


def _robots_for(candidates: list[PageCandidate], settings: FetchSettings, limiter: HostLimiter, client: Any,
                ledger: PageLedger, waits_s: dict[str, float], budget_s: float) -> tuple[dict[str, RobotsRules], set[str]]:
    """The robots.txt rules of every origin: kept from an earlier run when under a day old, else fetched.

    Returns the rules and the origins fetched now. Hosts that cannot be asked anything within this run's
    budget get no request at all; their pages are deferred.
    """
    current = utc_now()
    robots: dict[str, RobotsRules] = {}
    for origin, (fetched_at, outcome, body) in ledger.robots().items():
        if current - fetched_at < ROBOTS_CACHE:
            robots[origin] = rules_from_text(origin, body or "") if outcome == "rules" else RobotsRules(origin, outcome)
    origins = {origin_of(candidate.link) for candidate in candidates}
    wanted = {origin for origin in origins - robots.keys() if waits_s.get(_host(origin), 0.0) <= budget_s}
    fetched = fetch_robots(wanted, settings, limiter, client)
    robots.update(fetched)
    ledger.set_robots({origin: (current, rules.outcome, rules.text) for origin, rules in fetched.items()
                       if rules.outcome in ("rules", "unavailable")})  # unreachable: ask again next run
    return robots, set(fetched)


def _robots_verdict(candidate: PageCandidate, rules: RobotsRules | None, user_agent: str) -> PageInfo | None:
    """None when the page may be fetched, else the PageInfo saying why not."""
    if rules is None:
        return PageInfo(status="deferred", url=candidate.link, error_type="deferred",
                        error_message="robots.txt not asked: the host is resting for longer than this run")
    if rules.outcome == "refused":
        return _failed(candidate, "private_address", rules.detail or "non-public address")
    if rules.allows(candidate.link, user_agent):
        return None
    if rules.outcome == "unreachable":
        return PageInfo(status="blocked_by_robots", url=candidate.link, error_type="robots_unreachable",
                        error_message=f"robots.txt of {rules.origin} could not be read ({rules.detail}): "
                                      "nothing is fetched from it this run")
    return PageInfo(status="blocked_by_robots", url=candidate.link, error_type="robots_disallowed",
                    error_message=f"robots.txt of {rules.origin} disallows it")


def _apply_crawl_delays(limiter: HostLimiter, rules: Iterable[RobotsRules], user_agent: str,
                        requests_per_second: float) -> None:
    """Each host's spacing: the run's rate, or the site's Crawl-delay / Request-rate when slower."""
    delays: dict[str, float] = defaultdict(float)
    for rule in rules:
        delays[_host(rule.origin)] = max(delays[_host(rule.origin)], rule.delay_s(user_agent) or 0.0)
    for host, delay_s in delays.items():
        limiter.set_min_interval(host, PACING_MARGIN * max(1.0 / requests_per_second, delay_s))


def _within_budget(candidates: list[PageCandidate], limiter: HostLimiter, waits_s: dict[str, float],
                   robots_fetched: set[str], budget_s: float) -> tuple[list[PageCandidate], list[PageCandidate]]:
    """Split ``candidates`` into those each host can serve within ``budget_s`` at its rate, and the rest."""
    by_host: dict[str, list[PageCandidate]] = defaultdict(list)
    for candidate in candidates:
        by_host[_host(candidate.link)].append(candidate)
    robots_hosts = Counter(_host(origin) for origin in robots_fetched)
    allowed, deferred = [], []
    for host, queue in by_host.items():
        interval_s = limiter.min_interval_s(host)
        first_s = waits_s.get(host, 0.0) + robots_hosts[host] * interval_s  # robots.txt went first
        if interval_s <= 0:
            capacity = len(queue) if first_s <= budget_s else 0
        else:
            capacity = 0 if first_s > budget_s else int((budget_s - first_s) // interval_s) + 1
        allowed += queue[:capacity]
        deferred += queue[capacity:]
    return allowed, deferred


def _page_from_result(candidate: PageCandidate, result: FetchResult, output_dir: str | Path,
                      now: dt.datetime) -> PageInfo:
    """The PageInfo of one fetch; a body (HTML or not) is kept in the raw zone."""
    page = PageInfo(url=candidate.link, final_url=result.final_url, redirects=list(result.redirects),
                    http_status=result.status, content_type=result.content_type, fetched_at=now.isoformat())
    if not result.ok or result.body is None:
        return PageInfo(**page, status="failed", error_type=result.error_type or "unknown",  # type: ignore[typeddict-item]
                        error_message=result.error_message)
    if result.body_damage:  # the start of a page is not its article: the item keeps its feed's text
        return PageInfo(**page, status="failed", error_type="decode_error",  # type: ignore[typeddict-item]
                        error_message=f"the body decodes only in part: {result.body_damage}")
    raw_sha256, raw_path = store_raw(
        output_dir, candidate.source_id, result.body, now, uri=result.final_url, feed_url=candidate.feed_url,
        http_status=result.status, content_type=result.content_type, language_hint=candidate.language_hint,
        tags=candidate.tags, zone=PAGE_ZONE)
    status = "fetched" if _is_html(result.body, result.content_type) else "not_html"
    return PageInfo(**page, status=status, raw_path=raw_path, raw_sha256=raw_sha256)  # type: ignore[typeddict-item]


def _is_html(body: bytes, content_type: str | None) -> bool:
    """HTML by its declared type, else by its bytes (servers mislabel pages, rarely PDFs)."""
    return declares_html(content_type) or sniff_document_type(body) == "html"


def _failed(candidate: PageCandidate, error_type: str, message: str) -> PageInfo:
    return PageInfo(status="failed", url=candidate.link, error_type=error_type, error_message=message)


def _count_name(page: PageInfo) -> str:
    return {"fetched": "fetched", "not_html": "not_html", "blocked_by_robots": "blocked_by_robots",
            "deferred": "deferred"}.get(page.get("status") or "", "failed")


def _host(url: str) -> str:
    """The host a URL's requests are limited under (as ``HostLimiter`` keys them)."""
    return (urllib.parse.urlsplit(url).hostname or "").lower()


def _save_pages_sidecar(raw_path: str, pages: dict[str, PageInfo]) -> None:
    """Keep the feed's ``{link: PageInfo}`` beside its body in the raw zone (``<sha256>.pages.json``),
    merged with what earlier runs of the same day kept for the same body."""
    path = pages_sidecar_path(raw_path)
    kept = read_pages_sidecar(raw_path)
    merged = {**kept, **{link: {key: value for key, value in page.items() if key != "from_earlier_run"}
                         for link, page in pages.items()}}
    try:
        write_bytes_atomically(path, json.dumps(merged, indent=1, sort_keys=True).encode())
    except OSError as error:  # the run goes on: the pipeline gets the mapping in its inputs anyway
        logger.warning("could not keep the page list of %s: %s", raw_path, error)
