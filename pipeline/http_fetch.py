"""Fetch URLs politely and defensively: timeouts, a size cap, a deadline, retries, conditional GET.

``fetch`` never raises for what the network or a server does; it returns a ``FetchResult`` whose
``error_type`` says what went wrong:

- ``invalid_url``, ``unsupported_scheme``: refused before any request (only http and https are fetched,
  also as redirect targets);
- ``private_address``: with ``allow_private_addresses=False``, a URL (or redirect target) whose host is
  or resolves to a loopback, private, link-local or otherwise non-public address, or whose connection
  went to one (checked again before the body is read: DNS rebinding);
- ``timeout``, ``connection_error``: after the last retry;
- ``http_status``: a 4xx (never retried) or a 429/5xx after the last retry;
- ``too_large``: the declared or the decoded size passed ``max_bytes`` (counted after decoding the
  Content-Encoding, while reading, so a gzip or brotli bomb costs at most ``max_bytes`` of memory);
- ``deadline_exceeded``: the whole fetch, retries included, took longer than ``total_deadline_s`` (a
  server that trickles bytes forever never trips the read timeout, but trips this);
- ``too_many_redirects``, ``decode_error`` (corrupt or unsupported Content-Encoding, or a Transfer-Encoding
  besides chunked, which httpx's h11 refuses: never retried), and ``internal_error`` (a bug, caught by
  ``fetch_many`` so that one feed cannot stop the others).

A body whose coding is damaged after a whole gzip member or zstd frame is the part decoded before the
damage, named in ``body_damage``: a feed's articles are flagged ``content_codings.PARTLY_DECODED_FLAG``
(``pipeline.fetch_feeds``), a full-text page is a failed one (``pipeline.page_fetch``).

Redirects are followed by hand so that permanent ones (301, 308) can be reported and every hop is
checked. Decompression is done here too (from ``iter_raw``, by ``pipeline.content_codings``) because httpx
inflates a whole network chunk at once, which lets one 64 KB chunk of a gzip bomb become 64 MB. gzip and
deflate are asked for; br and zstd, which some servers send unasked, are read too.

Politeness lives in ``HostLimiter``: at most ``per_host_concurrency`` requests at once per host, and
optionally a minimum interval between the starts of two requests to one host (every hop and retry
counts); a 429/5xx with Retry-After pauses the whole host, not only the request that got it.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import email.utils
import importlib.metadata
import ipaddress
import logging
import random
import socket
import ssl
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any, TypeVar

import httpcore
import httpx

from pipeline.content_codings import (ContentCodingError, DecodedBody, UnsupportedCodingError, bounded_pieces,
                                      decode_bounded, decoded_head)
from transforms.feed_discovery import describe_error_page
from transforms.sniffing import reads_as_document

logger = logging.getLogger(__name__)
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _package_version() -> str:
    try:
        return importlib.metadata.version("newsbeam")
    except importlib.metadata.PackageNotFoundError:
        return "0.0.0"


USER_AGENT = f"newsbeam/{_package_version()} (+https://github.com/newsbeam/newsbeam)"
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.5, */*;q=0.1"
)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECT_STATUSES = frozenset({301, 308})
RETRYABLE_ERROR_TYPES = frozenset({"timeout", "connection_error"})
HTML_CONTENT_TYPES = ("text/html", "application/xhtml+xml")
# Of the page an error status comes with, this much is read for its title (its <head>; a bot check's is small)
ERROR_PAGE_READ_BYTES = 64 * 1024
_DEADLINE_SLACK_S = 0.05  # a timeout this close to the deadline is the deadline's doing

Key = TypeVar("Key", bound=Hashable)


@dataclasses.dataclass(frozen=True)
class FetchSettings:
    """How to fetch: limits, retries and manners. One object, built once from the CLI/config."""

    timeout_connect_s: float = 10.0
    timeout_read_s: float = 30.0  # longest silence between two reads
    total_deadline_s: float = 60.0  # whole fetch: retries, redirects and body included
    max_bytes: int = 20 * 1024 * 1024  # decoded body size
    max_redirects: int = 5
    max_retries: int = 3  # retries after the first try, on timeouts, connection errors, 429 and 5xx
    backoff_base_s: float = 1.0
    backoff_max_s: float = 60.0  # also caps a server's Retry-After
    per_host_concurrency: int = 2
    max_concurrent_requests: int = 16  # threads of fetch_many
    user_agent: str = USER_AGENT
    accept: str = FEED_ACCEPT
    # Configured feeds are trusted; links found in feeds are not (see docs/full-text.md): page fetching
    # turns this off so that a stranger's feed cannot make us fetch from our own network.
    allow_private_addresses: bool = True

    def __post_init__(self) -> None:
        positive = ("timeout_connect_s", "timeout_read_s", "total_deadline_s", "max_bytes",
                    "per_host_concurrency", "max_concurrent_requests")
        for name in positive:
            if getattr(self, name) <= 0:
                raise ValueError(f"FetchSettings.{name} must be positive, not {getattr(self, name)!r}")
        for name in ("max_redirects", "max_retries", "backoff_base_s", "backoff_max_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"FetchSettings.{name} must not be negative, not {getattr(self, name)!r}")


@dataclasses.dataclass
class FetchResult:
    """What came of fetching one URL; ``error_type`` is None on success (including 304)."""

    url: str  # as requested
    final_url: str  # after redirects
    status: int | None = None  # last HTTP status seen
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    body: bytes | None = None  # decoded; None on 304 and on errors
    body_damage: str | None = None  # what ended decoding early: ``body`` is the part decoded before it
    not_modified: bool = False
    permanent_redirect_to: str | None = None  # where a run of 301/308 from ``url`` led
    redirects: list[str] = dataclasses.field(default_factory=list)  # each URL redirected to, in order
    retry_after_s: float | None = None  # what the server asked for on the last 429/503, if anything
    attempts: int = 0
    elapsed_s: float = 0.0
    error_type: str | None = None
    error_message: str | None = None

    @property
    def ok(self) -> bool:
        """True when the fetch succeeded (a body, or 304 not modified)."""
        return self.error_type is None


class _Failure(Exception):
    """A fetch failure inside this module; becomes ``error_type`` / ``error_message``."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message


@dataclasses.dataclass
class _Hop:
    """One request's outcome: a result, and where to go next if it was a redirect."""

    result: FetchResult
    location: str | None = None


class HostLimiter:
    """Per-host politeness shared by all threads of a fetch: at most ``per_host`` requests at once, and
    at least ``min_interval_s`` between the starts of two requests to one host (0: no spacing)."""

    def __init__(self, per_host: int, min_interval_s: float = 0.0, *,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self._per_host = per_host
        self._min_interval_s = min_interval_s
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._semaphores: dict[str, threading.BoundedSemaphore] = {}
        self._intervals_s: dict[str, float] = {}
        self._next_start: dict[str, float] = {}  # clock time before which no request to the host starts
        self._last_start: dict[str, float] = {}

    def set_min_interval(self, host: str, interval_s: float) -> None:
        """Space requests to ``host`` by ``interval_s`` instead of the default (e.g. a Crawl-delay), counting
        from the last request already made."""
        with self._lock:
            self._intervals_s[host] = interval_s
            if host in self._last_start:
                self._next_start[host] = max(self._next_start[host], self._last_start[host] + interval_s)

    def min_interval_s(self, host: str) -> float:
        """The spacing of requests to ``host``."""
        return self._intervals_s.get(host, self._min_interval_s)

    def wait_s(self, host: str) -> float:
        """Seconds until ``host``'s next turn: 0 when a request may start now."""
        with self._lock:
            return max(0.0, self._next_start.get(host, 0.0) - self._clock())

    def defer(self, host: str, delay_s: float) -> None:
        """Start no request to ``host`` for ``delay_s`` from now (a server's Retry-After)."""
        with self._lock:
            until = self._clock() + max(delay_s, 0.0)
            self._next_start[host] = max(self._next_start.get(host, until), until)

    def acquire(self, host: str, timeout_s: float) -> bool:
        """Take a slot for ``host`` and wait for its turn, at most ``timeout_s`` in all; False if none came."""
        deadline = self._clock() + max(timeout_s, 0.0)
        with self._lock:
            semaphore = self._semaphores.setdefault(host, threading.BoundedSemaphore(self._per_host))
        if not semaphore.acquire(timeout=max(timeout_s, 0.0)):
            return False
        while True:  # no reservations: a defer() while we sleep is seen when we wake
            with self._lock:
                now = self._clock()
                start = self._next_start.get(host, now)
                if start <= now:
                    self._last_start[host] = now
                    self._next_start[host] = now + self.min_interval_s(host)
                    return True
            if start > deadline:
                semaphore.release()
                return False
            self._sleep(start - now)

    def release(self, host: str) -> None:
        """Give back a slot taken with ``acquire``."""
        self._semaphores[host].release()


# --- the deadline on every read ---------------------------------------------------------------------

_fetch_deadline = threading.local()  # ``monotonic_s``: the deadline of the fetch this thread runs, if any


def _bounded_timeout(timeout_s: float | None, timeout_error: type[Exception]) -> float | None:
    """``timeout_s`` cut to what is left of this thread's fetch deadline; ``timeout_error`` once it passed."""
    deadline_s = getattr(_fetch_deadline, "monotonic_s", None)
    if deadline_s is None:
        return timeout_s
    remaining_s = deadline_s - time.monotonic()
    if remaining_s <= 0:
        raise timeout_error("the fetch's total deadline passed")
    return remaining_s if timeout_s is None else min(timeout_s, remaining_s)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the deadline of the fetch using it.

    httpx's read timeout counts from the last byte: a server sending a header line every second (an HTTP
    tarpit) held a fetch for as long as it liked, past any deadline (the body is checked chunk by chunk
    in ``_read_body``; the headers were not).
    """

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded_timeout(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded_timeout(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        timeout = _bounded_timeout(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's own sockets, each wrapped in a ``_DeadlineStream``."""

    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        timeout = _bounded_timeout(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_tcp(host, port, timeout, local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        timeout = _bounded_timeout(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


# --- public API ------------------------------------------------------------------------------------


def make_client(settings: FetchSettings) -> httpx.Client:
    """An httpx client for ``settings``: no automatic redirects, no proxy settings from the environment,
    every read and write bounded by the deadline of the fetch it serves (``_DeadlineBackend``)."""
    limits = httpx.Limits(max_connections=settings.max_concurrent_requests)
    transport = httpx.HTTPTransport(trust_env=False, limits=limits)
    # httpx takes no network backend: its pool (a private attribute; httpcore pinned in pyproject.toml, and
    # test_headers_trickled_line_by_line_are_cut_by_the_deadline fails if an upgrade moves it) rebuilt with ours
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False), max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections, keepalive_expiry=limits.keepalive_expiry,
        network_backend=_DeadlineBackend(),
    )
    return httpx.Client(
        follow_redirects=False,
        trust_env=False,  # options come from the settings object only
        transport=transport,
        timeout=_timeout(settings, settings.total_deadline_s),
    )


def fetch(
    url: str,
    *,
    settings: FetchSettings = FetchSettings(),
    etag: str | None = None,
    last_modified: str | None = None,
    client: httpx.Client | None = None,
    host_limiter: HostLimiter | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchResult:
    """Fetch ``url`` once (with retries and redirects), conditionally when validators are given."""
    started_s = time.monotonic()
    deadline_s = started_s + settings.total_deadline_s
    headers = _request_headers(settings, etag, last_modified)
    try:
        _refuse_unfetchable(url, f"refusing to fetch {url!r}")
    except _Failure as failure:
        return _failed(FetchResult(url=url, final_url=url), failure)
    own_client = client is None
    client = client or make_client(settings)
    outer_deadline_s = getattr(_fetch_deadline, "monotonic_s", None)
    _fetch_deadline.monotonic_s = deadline_s
    try:
        limiter = host_limiter or HostLimiter(settings.per_host_concurrency)
        result = _fetch_with_retries(client, url, headers, settings, deadline_s, limiter, sleep)
    finally:
        _fetch_deadline.monotonic_s = outer_deadline_s
        if own_client:
            client.close()
    result.elapsed_s = time.monotonic() - started_s
    return result


def fetch_many(
    requests: list[tuple[Key, str, str | None, str | None]],
    settings: FetchSettings = FetchSettings(),
    *,
    client: httpx.Client | None = None,
    host_limiter: HostLimiter | None = None,
) -> Iterator[tuple[Key, FetchResult]]:
    """Fetch (key, url, etag, last_modified) requests concurrently; yield (key, result) as each ends.

    Requests are started only when their host has a free slot (at most ``per_host_concurrency``),
    so a host with many feeds does not tie up every thread while other hosts wait; the same limit is
    applied again to every redirect hop, whichever host it goes to. ``host_limiter`` adds rate limits
    (page fetching shares one across its robots.txt and page requests).
    """
    limiter = host_limiter or HostLimiter(settings.per_host_concurrency)
    queues: dict[str, deque[tuple[Key, str, str | None, str | None]]] = defaultdict(deque)
    for request in requests:
        queues[_host_of(request[1])].append(request)
    in_flight: dict[str, int] = defaultdict(int)
    pending: dict[concurrent.futures.Future[FetchResult], tuple[Key, str]] = {}
    own_client = client is None
    client = client or make_client(settings)
    pool = concurrent.futures.ThreadPoolExecutor(settings.max_concurrent_requests, "newsbeam-fetch")
    try:
        while True:
            for host, queue in queues.items():
                while queue and in_flight[host] < settings.per_host_concurrency and (
                    len(pending) < settings.max_concurrent_requests
                ):
                    key, url, etag, last_modified = queue.popleft()
                    future = pool.submit(
                        _fetch_isolated, url, settings, etag, last_modified, client, limiter
                    )
                    pending[future] = (key, host)
                    in_flight[host] += 1
            if not pending:
                return
            done, _ = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in done:
                key, host = pending.pop(future)
                in_flight[host] -= 1
                yield key, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if own_client:
            client.close()


def backoff_delay_s(
    retry_number: int, settings: FetchSettings, random_fraction: Callable[[], float] = random.random
) -> float:
    """Full-jitter wait before retry ``retry_number`` (1, 2, ...): uniform in [0, base * 2**(n-1)], capped."""
    ceiling_s = min(settings.backoff_max_s, settings.backoff_base_s * 2 ** (retry_number - 1))
    return ceiling_s * random_fraction()


def retry_after_s(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delay in seconds or an HTTP date); None if unusable."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    now = now or dt.datetime.now(dt.timezone.utc)
    return max(0.0, (when - now).total_seconds())


# --- retries and redirects -------------------------------------------------------------------------


def _fetch_isolated(
    url: str,
    settings: FetchSettings,
    etag: str | None,
    last_modified: str | None,
    client: httpx.Client,
    limiter: HostLimiter,
) -> FetchResult:
    """``fetch`` for a worker thread: a bug in one fetch becomes an error result, not a dead run."""
    try:
        return fetch(url, settings=settings, etag=etag, last_modified=last_modified, client=client,
                     host_limiter=limiter)
    except Exception as error:  # noqa: BLE001 - isolation is the point; the traceback is logged
        logger.exception("fetching %s failed unexpectedly", url)
        return FetchResult(url=url, final_url=url, error_type="internal_error",
                           error_message=f"unexpected {type(error).__name__}: {error}")


def _fetch_with_retries(
    client: httpx.Client,
    url: str,
    headers: dict[str, str | bytes],
    settings: FetchSettings,
    deadline_s: float,
    limiter: HostLimiter,
    sleep: Callable[[float], None],
) -> FetchResult:
    """Try, and retry on timeouts, connection errors, 429 and 5xx, while the deadline allows."""
    for attempt in range(1, settings.max_retries + 2):
        result = _follow_redirects(client, url, headers, settings, deadline_s, limiter)
        result.attempts = attempt
        if result.retry_after_s is not None and _is_retryable(result):
            limiter.defer(_host_of(result.final_url), result.retry_after_s)  # the whole host waits
        if not _is_retryable(result) or attempt > settings.max_retries:
            return result
        if result.retry_after_s is not None and result.retry_after_s > settings.backoff_max_s:
            result.error_message = (f"{result.error_message}; not retried: the server asked to wait "
                                    f"{result.retry_after_s:g} s, more than {settings.backoff_max_s:g} s")
            return result
        wait_s = result.retry_after_s if result.retry_after_s is not None else backoff_delay_s(attempt, settings)
        if time.monotonic() + wait_s >= deadline_s:
            result.error_message = (
                f"{result.error_message}; not retried: waiting {wait_s:.1f} s would pass the "
                f"{settings.total_deadline_s:g} s deadline"
            )
            return result
        sleep(wait_s)
    raise AssertionError("unreachable: the last attempt returns")


def _is_retryable(result: FetchResult) -> bool:
    if result.error_type in RETRYABLE_ERROR_TYPES:
        return True
    return result.error_type == "http_status" and (result.status == 429 or 500 <= (result.status or 0) <= 599)


def _follow_redirects(
    client: httpx.Client,
    url: str,
    headers: dict[str, str | bytes],
    settings: FetchSettings,
    deadline_s: float,
    limiter: HostLimiter,
) -> FetchResult:
    """One try: request ``url`` and follow up to ``max_redirects`` redirects, checking each target."""
    current_url, permanent_to, chain_is_permanent = url, None, True
    redirects: list[str] = []
    for _ in range(settings.max_redirects + 1):
        hop = _request_once(client, current_url, headers, settings, deadline_s, limiter)
        hop.result.url = url
        hop.result.redirects = redirects
        if hop.location is None:
            hop.result.permanent_redirect_to = permanent_to
            return hop.result
        try:
            target_url = _redirect_target(current_url, hop.location)
        except _Failure as failure:
            return _failed(hop.result, failure)
        chain_is_permanent = chain_is_permanent and hop.result.status in PERMANENT_REDIRECT_STATUSES
        permanent_to = target_url if chain_is_permanent else permanent_to
        current_url = target_url
        redirects.append(target_url)
    failure = _Failure("too_many_redirects", f"more than {settings.max_redirects} redirects from {url} "
                                             f"(last: {current_url})")
    return _failed(FetchResult(url=url, final_url=current_url, status=hop.result.status), failure)


def _redirect_target(current_url: str, location: str) -> str:
    """The absolute URL a Location header points to, refused unless it is http(s)."""
    context = f"redirect from {current_url} to {location!r} refused"
    try:
        target_url = str(httpx.URL(current_url).join(location))
    except httpx.InvalidURL as error:
        raise _Failure("invalid_url", f"{context}: not a valid URL ({error})") from error
    _refuse_unfetchable(target_url, context)
    return target_url


def _request_once(
    client: httpx.Client,
    url: str,
    headers: dict[str, str | bytes],
    settings: FetchSettings,
    deadline_s: float,
    limiter: HostLimiter,
) -> _Hop:
    """Send one GET and read the response; network trouble becomes an error result."""
    result = FetchResult(url=url, final_url=url)
    host = _host_of(url)
    if not settings.allow_private_addresses:
        try:
            _refuse_private_address(url)
        except _Failure as failure:
            return _Hop(_failed(result, failure))
    if not limiter.acquire(host, deadline_s - time.monotonic()):
        doing = f"waiting for a turn on {host} (requests at once, rate limit or Retry-After)"
        return _Hop(_failed(result, _deadline_failure(settings, doing)))
    try:
        timeout = _timeout(settings, deadline_s - time.monotonic())
        with client.stream("GET", url, headers=headers, timeout=timeout) as response:
            if not settings.allow_private_addresses:
                _refuse_private_peer(response, url)
            return _read_response(response, result, settings, deadline_s)
    except _Failure as failure:
        return _Hop(_failed(result, failure))
    except httpx.TimeoutException as error:
        if time.monotonic() >= deadline_s - _DEADLINE_SLACK_S:
            doing = f"waiting for {url} ({type(error).__name__})"
            return _Hop(_failed(result, _deadline_failure(settings, doing)))
        return _Hop(_failed(result, _Failure("timeout", f"{type(error).__name__} on {url}: {error}")))
    except httpx.InvalidURL as error:
        # httpx parses a redirect's Location while receiving the response: when ``url`` itself is fine,
        # the bad URL is the one it redirects to (``data:text/xml,<rss/>``, say).
        if _is_valid_url(url):
            message = f"redirect from {url} refused: its Location is not a valid http(s) URL ({error})"
        else:
            message = f"{url!r} is not a valid URL: {error}"
        return _Hop(_failed(result, _Failure("invalid_url", message)))
    except httpx.TransportError as error:
        message = f"{type(error).__name__} on {url}: {error or 'connection failed'}"
        return _Hop(_failed(result, _Failure(_transport_error_type(error), message)))
    finally:
        limiter.release(host)


def _transport_error_type(error: httpx.TransportError) -> str:
    """The error type of a failure below HTTP: the server's fault, not worth a retry, when httpx refused what it
    sent (a redirect's bad Location; a Transfer-Encoding besides chunked, ``gzip, chunked`` say, which h11 does
    not read), else ``connection_error``."""
    text = str(error).lower()
    if "location header" in text:
        return "invalid_url"
    if isinstance(error, httpx.RemoteProtocolError) and "transfer-encoding" in text:
        return "decode_error"
    return "connection_error"


# --- one response ----------------------------------------------------------------------------------


def _read_response(
    response: httpx.Response, result: FetchResult, settings: FetchSettings, deadline_s: float
) -> _Hop:
    """Turn a streamed response into a result: redirect, 304, error status, or a capped body."""
    result.status = response.status_code
    result.etag = _received_header(response, "etag")
    result.last_modified = _received_header(response, "last-modified")
    result.content_type = response.headers.get("content-type")
    if response.status_code in REDIRECT_STATUSES and response.headers.get("location"):
        return _Hop(result, location=response.headers["location"])
    if response.status_code == 304 and not _is_conditional(response.request):
        message = (f"HTTP 304 Not Modified from {result.final_url} to a request without validators "
                   "(nothing to compare with: a broken server or cache)")
        return _Hop(_failed(result, _Failure("http_status", message)))
    if response.status_code == 304:
        result.not_modified = True
        return _Hop(result)
    if not 200 <= response.status_code < 300:
        result.retry_after_s = retry_after_s(response.headers.get("retry-after"))
        message = f"HTTP {response.status_code} {response.reason_phrase} from {result.final_url}"
        if said := _error_page_words(response, settings, deadline_s):
            message += f": {said}"
        return _Hop(_failed(result, _Failure("http_status", message)))
    declared_bytes = response.headers.get("content-length", "")
    if declared_bytes.isdigit() and int(declared_bytes) > settings.max_bytes:
        raise _Failure("too_large", f"{result.final_url} declares {int(declared_bytes)} bytes, more "
                                    f"than the limit of {settings.max_bytes}; not downloaded")
    result.body, result.body_damage = _read_body(response, settings, deadline_s)
    return _Hop(result)


def declares_html(content_type: str | None) -> bool:
    """Whether a Content-Type header declares an HTML page (its parameters, such as the charset, aside)."""
    return (content_type or "").split(";")[0].strip().lower() in HTML_CONTENT_TYPES


def _error_page_words(response: httpx.Response, settings: FetchSettings, deadline_s: float) -> str:
    """What the page of an error status says it is: Cloudflare's bot check by its ``cf-mitigated`` header, else the
    page's title (``feed_discovery.describe_error_page``; its first ``ERROR_PAGE_READ_BYTES`` read). A 403 that
    is a bot check and one that is a login tell the operator different things; "HTTP 403" alone told neither.
    Reading it is best effort: a page that does not read leaves the status alone."""
    if (response.headers.get("cf-mitigated") or "").strip().lower() == "challenge":
        return "Cloudflare's bot check (cf-mitigated: challenge): the host refuses automated clients"
    content_type = response.headers.get("content-type")
    if not declares_html(content_type):
        return ""  # a JSON or plain-text error says nothing a title would
    try:
        raw = bounded_pieces(_raw_chunks(response, settings, deadline_s), 4 * ERROR_PAGE_READ_BYTES)
        head = decoded_head(raw, response.headers.get("content-encoding"), ERROR_PAGE_READ_BYTES)
    except (_Failure, httpx.HTTPError, ContentCodingError, UnsupportedCodingError, OverflowError):
        return ""
    return describe_error_page(head, content_type)


def _read_body(response: httpx.Response, settings: FetchSettings, deadline_s: float) -> DecodedBody:
    """Read and decode the body, stopping at ``max_bytes`` (raw or decoded) or at the deadline. A Content-Encoding
    newsbeam cannot undo ("none", a charset: misconfigured servers send them over plain bodies, which browsers
    read) leaves the body as sent, kept when it reads as a document; otherwise it is a ``decode_error``."""
    raw = bounded_pieces(_raw_chunks(response, settings, deadline_s), settings.max_bytes)
    try:
        try:
            return decode_bounded(raw, response.headers.get("content-encoding"), settings.max_bytes)
        except UnsupportedCodingError as unsupported:  # raised before any chunk was read
            sent = decode_bounded(raw, None, settings.max_bytes)
            if reads_as_document(sent.body):
                return sent
            raise unsupported from None
    except OverflowError as error:
        raise _Failure("too_large", f"body of {response.url} is larger than the limit of "
                                    f"{settings.max_bytes} bytes; cut while reading") from error
    except ContentCodingError as error:
        raise _Failure("decode_error", str(error)) from error


def _raw_chunks(response: httpx.Response, settings: FetchSettings, deadline_s: float) -> Iterator[bytes]:
    """The body's chunks as sent; a ``deadline_exceeded`` failure once the fetch's deadline has passed."""
    received = 0
    for chunk in response.iter_raw():
        received += len(chunk)
        yield chunk
        if time.monotonic() > deadline_s:
            raise _deadline_failure(settings, f"reading the body of {response.url} ({received} bytes received so far)")


# --- small helpers ---------------------------------------------------------------------------------


def _refuse_unfetchable(url: str, context: str) -> None:
    """Raise a _Failure unless ``url`` is an absolute http(s) URL with a host; ``context`` opens the message."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as error:
        raise _Failure("invalid_url", f"{context}: not a valid URL ({error})") from error
    if not parsed.scheme:
        raise _Failure("invalid_url", f"{context}: not an absolute URL (no scheme)")
    if parsed.scheme not in ("http", "https"):
        raise _Failure("unsupported_scheme", f"{context}: only http and https URLs are fetched, "
                                             f"not {parsed.scheme}:")
    if not parsed.host:
        raise _Failure("invalid_url", f"{context}: no host name")


def _refuse_private_address(url: str) -> None:
    """Raise a _Failure when ``url``'s host is, or resolves to, an address that is not public.

    Checked before every hop, so that no request is sent; the address actually connected to is checked
    again once the response starts (``_refuse_private_peer``), for a DNS answer that changed in between.
    """
    host = _host_of(url).strip("[]")
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        addresses = _resolve(host)
    for address in addresses:
        if not _is_public(address):
            raise _Failure("private_address", f"refusing to fetch {url}: {host} is a non-public address "
                                              f"({address}); see --allow-private-addresses")


def _resolve(host: str) -> list[IPAddress]:
    """The addresses DNS gives for ``host``; none when it cannot be resolved (the request then fails)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def _is_public(address: IPAddress) -> bool:
    """True for a globally routable address (an IPv4-mapped IPv6 address is judged as its IPv4 one)."""
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_global


def _refuse_private_peer(response: httpx.Response, url: str) -> None:
    """Raise a _Failure, before any of the body is read, when the connection went to a non-public address.

    DNS rebinding: a host can answer the check in ``_refuse_private_address`` with a public address and the
    connection a moment later with a private one (a cloud metadata service, a router). The request has
    gone out by then, but nothing it answers reaches the raw zone or the dataset.
    """
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if not peer:
        return  # a transport that does not say (not httpx's own): the check before the request stands
    address = ipaddress.ip_address(str(peer[0]).split("%")[0])
    if not _is_public(address):
        raise _Failure("private_address", f"refusing the answer of {url}: the connection went to the "
                                          f"non-public address {address} although {_host_of(url)} resolved "
                                          "to a public one just before (DNS rebinding?); "
                                          "see --allow-private-addresses")


def _is_conditional(request: httpx.Request) -> bool:
    """True when ``request`` carried a validator (If-None-Match or If-Modified-Since)."""
    return "if-none-match" in request.headers or "if-modified-since" in request.headers


def _is_valid_url(url: str) -> bool:
    try:
        httpx.URL(url)
    except httpx.InvalidURL:
        return False
    return True


def _request_headers(
    settings: FetchSettings, etag: str | None, last_modified: str | None
) -> dict[str, str | bytes]:
    headers = {"User-Agent": settings.user_agent, "Accept": settings.accept,
               "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = _header_bytes(etag)
    if last_modified:
        headers["If-Modified-Since"] = _header_bytes(last_modified)
    return headers


def _received_header(response: httpx.Response, name: str) -> str | None:
    """The first ``name`` header as the bytes received, one character a byte (Latin-1), or None.

    A validator goes back byte for byte (``_header_bytes``); httpx decodes non-ASCII values as UTF-8, and
    refuses to send them, so a feed with an ETag of ``"café"`` failed every later fetch.
    """
    wanted = name.encode("ascii")
    return next((value.decode("latin-1") for key, value in response.headers.raw if key.lower() == wanted), None)


def _header_bytes(value: str) -> bytes:
    """A stored validator as header bytes: Latin-1 as ``_received_header`` read it (UTF-8 for one stored
    by a version that kept httpx's decoding)."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace")


def _timeout(settings: FetchSettings, remaining_s: float) -> httpx.Timeout:
    """Per-request timeouts, never longer than what is left of the deadline."""
    remaining_s = max(remaining_s, 0.001)
    return httpx.Timeout(
        connect=min(settings.timeout_connect_s, remaining_s),
        read=min(settings.timeout_read_s, remaining_s),
        write=min(settings.timeout_read_s, remaining_s),
        pool=remaining_s,
    )


def _host_of(url: str) -> str:
    try:
        return httpx.URL(url).host.lower()
    except httpx.InvalidURL:
        return ""


def _deadline_failure(settings: FetchSettings, doing: str) -> _Failure:
    return _Failure("deadline_exceeded", f"total deadline of {settings.total_deadline_s:g} s passed while "
                                         f"{doing}")


def _failed(result: FetchResult, failure: _Failure) -> FetchResult:
    result.error_type = failure.error_type
    result.error_message = failure.message
    result.body = None
    return result
