"""pipeline.http_fetch against a real HTTP server on 127.0.0.1: conditional GET, retries, limits."""

from __future__ import annotations

import datetime as dt
import gzip
import ipaddress
import socket
import threading
import time
import zlib
from collections.abc import Iterator

import brotli
import pytest
import zstandard

from pipeline import http_fetch
from pipeline.http_fetch import FetchSettings, backoff_delay_s, fetch, fetch_many, retry_after_s
from tests.http_server import LocalHTTPServer, RecordedRequest, Response, endless, gzip_bomb, sequence, zeros
from tests.peak_memory import measure_call

FAST = FetchSettings(
    timeout_connect_s=1.0, timeout_read_s=0.5, total_deadline_s=5.0, max_retries=2,
    backoff_base_s=0.01, backoff_max_s=2.0,
)
MEBIBYTE = 1024 * 1024


def max_overlap(requests: list[RecordedRequest]) -> int:
    """How many of ``requests`` the server was handling at the same time, at most."""
    events = sorted(
        [(request.received_at, 1) for request in requests]
        + [(request.finished_at or float("inf"), -1) for request in requests]
    )
    current = peak = 0
    for _, change in events:
        current += change
        peak = max(peak, current)
    return peak


# --- conditional GET -------------------------------------------------------------------------------


def test_200_with_etag_then_304_on_second_fetch(http_server: LocalHTTPServer) -> None:
    def handler(request: RecordedRequest) -> Response:
        if request.headers.get("if-none-match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(body=b"<rss/>", headers={"ETag": '"v1"', "Content-Type": "application/rss+xml"})

    http_server.route("/feed", handler)
    first = fetch(http_server.url("/feed"), settings=FAST)
    second = fetch(http_server.url("/feed"), settings=FAST, etag=first.etag)

    assert (first.ok, first.status, first.body, first.etag) == (True, 200, b"<rss/>", '"v1"')
    assert first.content_type == "application/rss+xml" and not first.not_modified
    assert (second.ok, second.status, second.not_modified, second.body) == (True, 304, True, None)
    assert http_server.requests_to("/feed")[1].headers["if-none-match"] == '"v1"'


def test_last_modified_is_sent_as_if_modified_since(http_server: LocalHTTPServer) -> None:
    stamp = "Wed, 21 Oct 2026 07:28:00 GMT"

    def handler(request: RecordedRequest) -> Response:
        if request.headers.get("if-modified-since") == stamp:
            return Response(status=304)
        return Response(body=b"<feed/>", headers={"Last-Modified": stamp})

    http_server.route("/atom", handler)
    first = fetch(http_server.url("/atom"), settings=FAST)
    second = fetch(http_server.url("/atom"), settings=FAST, last_modified=first.last_modified)

    assert first.last_modified == stamp and first.body == b"<feed/>"
    assert second.not_modified and second.body is None


def test_user_agent_and_accepted_encodings_are_sent(http_server: LocalHTTPServer) -> None:
    http_server.route("/feed", Response(body=b"x"))
    fetch(http_server.url("/feed"), settings=FAST)

    headers = http_server.requests_to("/feed")[0].headers
    assert headers["user-agent"].startswith("newsbeam/") and "github.com/newsbeam" in headers["user-agent"]
    assert headers["accept-encoding"] == "gzip, deflate"
    assert "if-none-match" not in headers and "if-modified-since" not in headers


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),  # zlib-wrapped, as the RFC says
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as many servers send
        ("br", brotli.compress),  # not asked for, but some servers send it anyway
        ("zstd", lambda data: zstandard.ZstdCompressor().compress(data)),
    ],
)
def test_compressed_bodies_are_decoded(http_server: LocalHTTPServer, encoding: str, compress) -> None:
    body = b"<rss>" + b"news " * 10_000 + b"</rss>"
    http_server.route("/feed", Response(body=compress(body), headers={"Content-Encoding": encoding}))

    result = fetch(http_server.url("/feed"), settings=FAST)

    assert result.ok and result.body == body


def test_corrupt_gzip_is_a_decode_error(http_server: LocalHTTPServer) -> None:
    http_server.route("/feed", Response(body=b"\x1f\x8bnot gzip at all", headers={"Content-Encoding": "gzip"}))

    result = fetch(http_server.url("/feed"), settings=FAST)

    assert result.error_type == "decode_error" and result.body is None


@pytest.mark.parametrize("encoding", ["none", "UTF-8", "text/xml", "gzip, gzip"])
def test_a_bogus_content_encoding_on_a_plain_feed_reads_it_as_sent(http_server: LocalHTTPServer, encoding: str) -> None:
    # misconfigured servers name a charset, "none" or a doubled coding over a body they did not encode; browsers
    # read it, and the WARC reader does (archives._warc_payload)
    body = b"<?xml version='1.0'?><rss version='2.0'><channel><title>Courier</title></channel></rss>"
    http_server.route("/feed", Response(body=body, headers={"Content-Encoding": encoding}))
    http_server.route("/blob", Response(body=bytes(range(256)) * 4, headers={"Content-Encoding": encoding}))

    result, blob = fetch(http_server.url("/feed"), settings=FAST), fetch(http_server.url("/blob"), settings=FAST)

    assert result.ok and result.body == body
    assert blob.error_type == "decode_error" and "unsupported Content-Encoding" in blob.error_message


ENCODERS = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress,
            "zstd": lambda data: zstandard.ZstdCompressor().compress(data)}


@pytest.mark.parametrize("encoding", sorted(ENCODERS))
def test_bytes_after_the_encoded_body_are_ignored(http_server: LocalHTTPServer, encoding: str) -> None:
    # a CRLF or padding some servers leave after the last gzip member, zstd frame or brotli stream
    body = b"<rss>" + b"news " * 10_000 + b"</rss>"
    http_server.route("/feed", Response(body=ENCODERS[encoding](body) + b"\r\n" + bytes(64),
                                        headers={"Content-Encoding": encoding}))

    result = fetch(http_server.url("/feed"), settings=FAST)

    assert result.ok and (result.body, result.body_damage) == (body, None)


def test_garbage_between_gzip_members_gives_the_part_before_and_names_the_damage(http_server: LocalHTTPServer) -> None:
    first, second = b"<rss><channel><item><title>a</title></item>", b"<item><title>b</title></item></channel></rss>"
    garbage = b"\r\n<!-- cache -->\r\n"
    http_server.route("/feed", Response(body=gzip.compress(first) + garbage + gzip.compress(second),
                                        headers={"Content-Encoding": "gzip"}))
    http_server.route("/empty", Response(body=gzip.compress(b"") + garbage + gzip.compress(second),
                                         headers={"Content-Encoding": "gzip"}))

    result, empty = fetch(http_server.url("/feed"), settings=FAST), fetch(http_server.url("/empty"), settings=FAST)

    assert result.ok and result.body == first
    assert result.body_damage == "bytes that are no gzip member follow member 1, and another member starts after them"
    assert empty.error_type == "decode_error" and "nothing decoded before it" in empty.error_message


@pytest.mark.parametrize("transfer_encoding", ["gzip, chunked", "deflate, chunked", "gzip"])
def test_a_transfer_coding_besides_chunked_is_a_decode_error_and_not_retried(http_server: LocalHTTPServer,
                                                                             transfer_encoding: str) -> None:
    # httpx's h11 refuses the response before its body: no way to read it, and asking again gives the same
    body = gzip.compress(b"<rss><channel><title>Courier</title></channel></rss>")
    sent = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body) if "chunked" in transfer_encoding else body
    http_server.route("/feed", Response(body=lambda: [sent], headers={"Transfer-Encoding": transfer_encoding}))

    result = fetch(http_server.url("/feed"), settings=FAST)

    assert (result.error_type, result.attempts, len(http_server.requests_to("/feed"))) == ("decode_error", 1, 1)
    assert "Transfer-Encoding" in result.error_message


# --- retries ---------------------------------------------------------------------------------------


def test_500_then_success_is_retried(http_server: LocalHTTPServer) -> None:
    http_server.route("/feed", sequence(Response(status=500), Response(body=b"ok")))

    result = fetch(http_server.url("/feed"), settings=FAST)

    assert result.ok and result.body == b"ok" and result.attempts == 2
    assert len(http_server.requests_to("/feed")) == 2


def test_503_forever_gives_up_after_max_retries(http_server: LocalHTTPServer) -> None:
    http_server.route("/feed", Response(status=503, body=b"down"))

    result = fetch(http_server.url("/feed"), settings=FAST)

    assert (result.error_type, result.status, result.attempts) == ("http_status", 503, 3)
    assert "503" in (result.error_message or "")
    assert len(http_server.requests_to("/feed")) == FAST.max_retries + 1


def test_429_waits_as_long_as_retry_after_says(http_server: LocalHTTPServer) -> None:
    http_server.route("/feed", sequence(Response(status=429, headers={"Retry-After": "1"}), Response(body=b"ok")))

    result = fetch(http_server.url("/feed"), settings=FAST)

    first, second = http_server.requests_to("/feed")
    assert result.ok and result.attempts == 2
    assert second.received_at - first.received_at >= 1.0


def test_retry_after_past_the_deadline_gives_up_at_once(http_server: LocalHTTPServer) -> None:
    http_server.route("/feed", Response(status=503, headers={"Retry-After": "30"}))
    settings = FetchSettings(total_deadline_s=2.0, backoff_max_s=60.0, max_retries=3)

    started = time.monotonic()
    result = fetch(http_server.url("/feed"), settings=settings)

    assert result.error_type == "http_status" and result.retry_after_s == 30.0
    # at once: far under the 30 s it was asked to wait (a generous bound: CI machines are shared)
    assert "deadline" in (result.error_message or "") and time.monotonic() - started < 10.0
    assert len(http_server.requests_to("/feed")) == 1


def test_404_is_not_retried(http_server: LocalHTTPServer) -> None:
    result = fetch(http_server.url("/missing"), settings=FAST)

    assert (result.error_type, result.status, result.attempts) == ("http_status", 404, 1)
    assert len(http_server.requests_to("/missing")) == 1


def test_an_error_status_names_the_title_of_its_page(http_server: LocalHTTPServer) -> None:
    http_server.route("/feed", Response(status=403, body=b"<html><head><title>Just a\n moment...</title></head>"
                                                         b"<body>Checking your browser</body></html>",
                                        headers={"Content-Type": "text/html; charset=UTF-8"}))
    result = fetch(http_server.url("/feed"), settings=FAST)
    # it said "HTTP 403 Forbidden from URL": a bot check and a login looked alike
    assert result.error_message == (f'HTTP 403 Forbidden from {http_server.url("/feed")}: '
                                    'a page titled "Just a moment..."')


def test_cloudflare_s_challenge_header_names_the_bot_check(http_server: LocalHTTPServer) -> None:
    http_server.route("/feed", Response(status=403, body=b"<html><title>Attention Required!</title></html>",
                                        headers={"Content-Type": "text/html", "cf-mitigated": "challenge"}))
    result = fetch(http_server.url("/feed"), settings=FAST)
    assert (result.error_message or "").endswith("Cloudflare's bot check (cf-mitigated: challenge): the host refuses "
                                                 "automated clients")


def test_an_error_page_that_is_no_html_page_or_never_ends_leaves_the_status_alone(http_server: LocalHTTPServer) -> None:
    http_server.route("/json", Response(status=404, body=b'{"title": "gone"}',
                                        headers={"Content-Type": "application/json"}))
    http_server.route("/endless", Response(status=404, body=endless(b"<p>" * 1000),
                                           headers={"Content-Type": "text/html"}))
    http_server.route("/bomb", Response(status=404, body=gzip_bomb(1024 * 1024 * 1024),
                                        headers={"Content-Type": "text/html", "Content-Encoding": "gzip"}))
    for path in ("/json", "/endless", "/bomb"):
        result = fetch(http_server.url(path), settings=FAST)
        assert result.error_message == f"HTTP 404 Not Found from {http_server.url(path)}", path


def test_read_timeout_is_retried_then_reported(http_server: LocalHTTPServer) -> None:
    http_server.route("/slow", Response(body=b"late", delay_s=3.0))
    settings = FetchSettings(timeout_read_s=0.3, max_retries=1, backoff_base_s=0.01, total_deadline_s=5.0)

    result = fetch(http_server.url("/slow"), settings=settings)

    assert result.error_type == "timeout" and result.attempts == 2
    assert len(http_server.requests_to("/slow")) == 2


def test_connection_refused_is_a_connection_error() -> None:
    result = fetch("http://127.0.0.1:1/feed", settings=FAST)

    assert result.error_type == "connection_error" and result.attempts == FAST.max_retries + 1


def test_backoff_is_full_jitter_doubling_and_capped() -> None:
    settings = FetchSettings(backoff_base_s=1.0, backoff_max_s=60.0)

    assert [backoff_delay_s(n, settings, lambda: 1.0) for n in (1, 2, 3, 8)] == [1.0, 2.0, 4.0, 60.0]
    assert backoff_delay_s(3, settings, lambda: 0.0) == 0.0
    assert backoff_delay_s(2, settings, lambda: 0.5) == 1.0


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = dt.datetime(2026, 1, 1, 12, 0, 0, tzinfo=dt.timezone.utc)

    assert retry_after_s("120", now) == 120.0
    assert retry_after_s("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_s("Thu, 01 Jan 2026 11:00:00 GMT", now) == 0.0
    assert retry_after_s("soon", now) is None and retry_after_s(None, now) is None


# --- size limits and deadlines ---------------------------------------------------------------------


def test_trickling_endless_body_is_cut_by_the_deadline(http_server: LocalHTTPServer) -> None:
    http_server.route("/trickle", Response(body=endless(b"<"), chunk_delay_s=0.05))
    settings = FetchSettings(timeout_read_s=0.5, total_deadline_s=1.0, max_retries=0)

    result = fetch(http_server.url("/trickle"), settings=settings)

    assert result.error_type == "deadline_exceeded" and result.body is None
    assert 0.9 <= result.elapsed_s < 10.0  # cut at the 1 s deadline; the body never ends


def test_gzip_bomb_is_cut_at_max_bytes_with_bounded_memory(http_server: LocalHTTPServer) -> None:
    http_server.route("/bomb", Response(body=gzip_bomb(1024 * MEBIBYTE), headers={"Content-Encoding": "gzip"}))
    max_bytes = FetchSettings().max_bytes  # the default

    outcome, growth_mb = measure_call(
        "from pipeline.http_fetch import FetchSettings, fetch",
        f"(lambda result: [result.error_type, result.body is None, result.error_message])(fetch("
        f"{http_server.url('/bomb')!r}, settings=FetchSettings(timeout_read_s=2.0, total_deadline_s=30.0, "
        f"max_retries=0)))",
    )

    error_type, body_is_none, message = outcome
    assert error_type == "too_large" and body_is_none, message  # cut by size, not by the 30 s deadline
    assert growth_mb < 2 * max_bytes / MEBIBYTE  # the 1 GB never existed in memory


@pytest.mark.parametrize("coding", ["br", "zstd"])
@pytest.mark.parametrize("trailing", [b"", b"\r\n"])
def test_brotli_and_zstd_bombs_are_cut_at_max_bytes_with_bounded_memory(http_server: LocalHTTPServer,
                                                                          coding: str, trailing: bytes) -> None:
    zeros_512_mb = bytes(512 * MEBIBYTE)
    bomb = (brotli.compress(zeros_512_mb, quality=1) if coding == "br"
            else zstandard.ZstdCompressor(level=1).compress(zeros_512_mb))
    del zeros_512_mb
    assert len(bomb) < MEBIBYTE
    http_server.route("/bomb", Response(body=bomb + trailing, headers={"Content-Encoding": coding}))
    max_bytes = FetchSettings().max_bytes

    outcome, growth_mb = measure_call(
        "from pipeline.http_fetch import FetchSettings, fetch",
        f"(lambda result: [result.error_type, result.body is None, result.error_message])(fetch("
        f"{http_server.url('/bomb')!r}, settings=FetchSettings(max_retries=0)))",
    )

    error_type, body_is_none, message = outcome
    assert error_type == "too_large" and body_is_none, message
    assert growth_mb < 3 * max_bytes / MEBIBYTE  # the 512 MB never existed in memory


def test_declared_200_mb_body_is_refused_without_downloading(http_server: LocalHTTPServer) -> None:
    http_server.route("/huge", Response(body=zeros(200 * MEBIBYTE), headers={"Content-Length": str(200 * MEBIBYTE)}))

    result = fetch(http_server.url("/huge"), settings=FAST)

    assert result.error_type == "too_large" and "declares" in (result.error_message or "")
    assert result.attempts == 1


def test_undeclared_200_mb_body_is_cut_while_reading(http_server: LocalHTTPServer) -> None:
    http_server.route("/huge", Response(body=zeros(200 * MEBIBYTE)))
    settings = FetchSettings(max_bytes=MEBIBYTE, max_retries=0, total_deadline_s=5.0)

    result = fetch(http_server.url("/huge"), settings=settings)

    assert result.error_type == "too_large" and "cut while reading" in (result.error_message or "")


# --- redirects and schemes -------------------------------------------------------------------------


def test_permanent_redirect_is_followed_and_recorded(http_server: LocalHTTPServer) -> None:
    http_server.route("/old", Response(status=301, headers={"Location": "/new"}))
    http_server.route("/new", Response(body=b"<rss/>"))

    result = fetch(http_server.url("/old"), settings=FAST)

    assert result.ok and result.body == b"<rss/>"
    assert result.final_url == result.permanent_redirect_to == http_server.url("/new")
    assert result.url == http_server.url("/old")


def test_temporary_redirect_is_not_recorded_as_permanent(http_server: LocalHTTPServer) -> None:
    http_server.route("/a", Response(status=308, headers={"Location": http_server.url("/b")}))
    http_server.route("/b", Response(status=302, headers={"Location": "/c"}))
    http_server.route("/c", Response(body=b"ok"))
    http_server.route("/temporary", Response(status=307, headers={"Location": "/c"}))

    chained = fetch(http_server.url("/a"), settings=FAST)
    temporary = fetch(http_server.url("/temporary"), settings=FAST)

    assert chained.final_url == http_server.url("/c")
    assert chained.permanent_redirect_to == http_server.url("/b")  # only the permanent part of the chain
    assert temporary.ok and temporary.permanent_redirect_to is None


def test_redirect_loop_is_too_many_redirects(http_server: LocalHTTPServer) -> None:
    http_server.route("/ping", Response(status=302, headers={"Location": "/pong"}))
    http_server.route("/pong", Response(status=302, headers={"Location": "/ping"}))

    result = fetch(http_server.url("/ping"), settings=FAST)

    assert result.error_type == "too_many_redirects" and result.attempts == 1
    assert len(http_server.requests) == FAST.max_redirects + 1


def test_redirect_to_a_file_url_is_refused(http_server: LocalHTTPServer) -> None:
    http_server.route("/feed", Response(status=301, headers={"Location": "file:///etc/passwd"}))

    result = fetch(http_server.url("/feed"), settings=FAST)

    assert result.error_type == "unsupported_scheme" and result.body is None
    assert "file:///etc/passwd" in (result.error_message or "") and result.permanent_redirect_to is None


def test_redirect_to_a_malformed_url_is_invalid_and_not_retried(http_server: LocalHTTPServer) -> None:
    http_server.route("/feed", Response(status=301, headers={"Location": "http://[::1/feed"}))

    result = fetch(http_server.url("/feed"), settings=FAST)

    assert result.error_type == "invalid_url" and len(http_server.requests_to("/feed")) == 1


def test_nonsense_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="per_host_concurrency must be positive"):
        FetchSettings(per_host_concurrency=0)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/feed.xml", "data:text/xml,<rss/>"])
def test_non_http_urls_are_refused_with_a_clear_message(url: str) -> None:
    result = fetch(url, settings=FAST)

    assert result.error_type == "unsupported_scheme" and result.attempts == 0
    assert "only http and https" in (result.error_message or "")


@pytest.mark.parametrize("url", ["not a url", "http://", "http://[::1/feed"])
def test_malformed_urls_are_invalid_url(url: str) -> None:
    assert fetch(url, settings=FAST).error_type == "invalid_url"


# --- fetch_many ------------------------------------------------------------------------------------


def test_fetch_many_holds_per_host_concurrency(http_server: LocalHTTPServer) -> None:
    http_server.route("/slow", Response(body=b"x", delay_s=0.3))
    settings = FetchSettings(per_host_concurrency=2, max_concurrent_requests=8)
    requests = [(number, http_server.url(f"/slow?n={number}"), None, None) for number in range(6)]

    results = dict(fetch_many(requests, settings))

    assert sorted(results) == list(range(6)) and all(result.ok for result in results.values())
    assert http_server.max_in_flight == 2


def test_fetch_many_limits_each_host_separately(http_server: LocalHTTPServer) -> None:
    http_server.route("/slow", Response(body=b"x", delay_s=0.3))
    settings = FetchSettings(per_host_concurrency=1, max_concurrent_requests=8)
    requests = [(f"{host}{n}", http_server.url("/slow", host=host), None, None)
                for host in ("127.0.0.1", "localhost") for n in range(3)]

    results = dict(fetch_many(requests, settings))

    assert len(results) == 6 and all(result.ok for result in results.values())
    by_host = {host: [r for r in http_server.requests if r.headers["host"].startswith(host)]
               for host in ("127.0.0.1", "localhost")}
    assert [max_overlap(by_host[host]) for host in by_host] == [1, 1]
    assert http_server.max_in_flight == 2  # the two hosts did run side by side


def test_fetch_many_turns_a_bug_in_one_fetch_into_an_error_result(
    http_server: LocalHTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    http_server.route("/good", Response(body=b"ok"))
    real_fetch = http_fetch.fetch

    def buggy_fetch(url: str, **kwargs):
        if url.endswith("/bug"):
            raise KeyError("boom")
        return real_fetch(url, **kwargs)

    monkeypatch.setattr(http_fetch, "fetch", buggy_fetch)
    requests = [("good", http_server.url("/good"), None, None), ("bug", http_server.url("/bug"), None, None)]

    results = dict(fetch_many(requests, FAST))

    assert results["good"].ok and results["bug"].error_type == "internal_error"


# --- politeness: rate per host, Retry-After for the whole host, private addresses --------------------


def test_host_limiter_spaces_the_starts_of_requests_to_one_host(http_server: LocalHTTPServer) -> None:
    for number in range(5):
        http_server.route(f"/page/{number}", Response(body=b"ok"))
    limiter = http_fetch.HostLimiter(per_host=3, min_interval_s=0.15)

    results = list(fetch_many([(n, http_server.url(f"/page/{n}"), None, None) for n in range(5)], FAST,
                              host_limiter=limiter))

    assert all(result.ok for _, result in results)
    times = sorted(request.received_at for request in http_server.requests)
    assert min(later - earlier for earlier, later in zip(times, times[1:])) >= 0.15 - 0.02


def test_host_limiter_defer_holds_back_every_request_to_the_host() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = http_fetch.HostLimiter(per_host=2, min_interval_s=1.0, clock=lambda: now[0], sleep=sleep)
    assert limiter.acquire("a.example", 10.0)
    limiter.release("a.example")
    limiter.defer("a.example", 5.0)
    assert limiter.acquire("b.example", 10.0)  # other hosts are not held back
    assert limiter.acquire("a.example", 10.0)
    assert now[0] == 105.0 and slept == [5.0]
    assert not limiter.acquire("a.example", 0.5)  # its next turn (106.0) is past the timeout


def test_retry_after_on_one_request_pauses_the_others_to_that_host(http_server: LocalHTTPServer) -> None:
    http_server.route("/busy", sequence(Response(status=503, headers={"Retry-After": "1"}), Response(body=b"ok")))
    http_server.route("/other", Response(body=b"ok", delay_s=0.1))
    limiter = http_fetch.HostLimiter(per_host=2)

    results = dict(fetch_many([("busy", http_server.url("/busy"), None, None),
                               ("other", http_server.url("/other"), None, None),
                               ("third", http_server.url("/other"), None, None)], FAST, host_limiter=limiter))

    assert all(result.ok for result in results.values())
    refused = http_server.requests_to("/busy")[0].received_at
    after = [request.received_at for request in http_server.requests if request.received_at > refused + 0.05]
    assert after and min(after) - refused >= 1.0 - 0.02


def test_retry_after_longer_than_the_backoff_cap_is_not_cut_short(http_server: LocalHTTPServer) -> None:
    http_server.route("/feed", Response(status=429, headers={"Retry-After": "30"}))
    settings = FetchSettings(total_deadline_s=60.0, backoff_max_s=1.0, max_retries=3)

    started = time.monotonic()
    result = fetch(http_server.url("/feed"), settings=settings)

    assert result.error_type == "http_status" and "asked to wait 30 s" in (result.error_message or "")
    assert len(http_server.requests_to("/feed")) == 1 and time.monotonic() - started < 10.0  # not 30 s


def test_redirect_hops_are_recorded(http_server: LocalHTTPServer) -> None:
    http_server.route("/a", Response(status=301, headers={"Location": "/b"}))
    http_server.route("/b", Response(status=307, headers={"Location": "/c"}))
    http_server.route("/c", Response(body=b"here"))

    result = fetch(http_server.url("/a"), settings=FAST)

    assert result.redirects == [http_server.url("/b"), http_server.url("/c")] and result.final_url == http_server.url("/c")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_private_addresses_are_refused_when_not_allowed(http_server: LocalHTTPServer, host: str) -> None:
    http_server.route("/page", Response(body=b"secret"))
    settings = FetchSettings(allow_private_addresses=False)

    result = fetch(http_server.url("/page", host=host), settings=settings)

    assert result.error_type == "private_address" and http_server.requests == []


def test_a_redirect_to_a_private_address_is_refused_too(http_server: LocalHTTPServer,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # The first hop stands for a public host: only the redirect target is checked for real here.
    real_check, real_peer_check = http_fetch._refuse_private_address, http_fetch._refuse_private_peer
    monkeypatch.setattr(http_fetch, "_refuse_private_address",
                        lambda url: None if url.endswith("/public") else real_check(url))
    monkeypatch.setattr(http_fetch, "_refuse_private_peer",
                        lambda response, url: None if url.endswith("/public") else real_peer_check(response, url))
    http_server.route("/public", Response(status=302, headers={"Location": http_server.url("/admin")}))
    http_server.route("/admin", Response(body=b"secret"))

    result = fetch(http_server.url("/public"), settings=FetchSettings(allow_private_addresses=False))

    assert result.error_type == "private_address" and "/admin" in (result.error_message or "")
    assert [request.path for request in http_server.requests] == ["/public"]


def test_a_dns_answer_that_turns_private_after_the_check_is_refused_before_the_body(
        http_server: LocalHTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # DNS rebinding: the check sees a public address (documentation range stands in for one), the
    # connection then goes to 127.0.0.1. The request is sent, but its answer must not be kept.
    monkeypatch.setattr(http_fetch, "_resolve", lambda host: [ipaddress.ip_address("93.184.216.34")])
    http_server.route("/metadata", Response(body=b"instance-credentials"))

    result = fetch(http_server.url("/metadata", host="localhost"), settings=FetchSettings(allow_private_addresses=False))

    assert result.error_type == "private_address" and result.body is None
    assert "127.0.0.1" in (result.error_message or "") and "DNS rebinding" in (result.error_message or "")
    assert result.attempts == 1  # a refusal, not a network error worth retrying


def test_a_public_peer_passes_the_connection_check(http_server: LocalHTTPServer,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # The peer check judges the address connected to: here 127.0.0.1 is made to count as public.
    monkeypatch.setattr(http_fetch, "_resolve", lambda host: [ipaddress.ip_address("93.184.216.34")])
    monkeypatch.setattr(http_fetch, "_is_public", lambda address: True)
    http_server.route("/news", Response(body=b"<rss/>"))

    result = fetch(http_server.url("/news", host="localhost"), settings=FetchSettings(allow_private_addresses=False))

    assert result.error_type is None and result.body == b"<rss/>"


@pytest.mark.parametrize("etag, last_modified", [
    ('"caf\u00e9"'.encode().decode("latin-1"), None),  # UTF-8 bytes on the wire
    ('W/"\u00e9t\u00e9"', None),  # Latin-1 bytes on the wire
    (None, "Mon, 06 D\u00e9c 2026 10:00:00 GMT"),
])
def test_validators_with_non_ascii_bytes_are_sent_back_as_received(
    http_server: LocalHTTPServer, etag: str | None, last_modified: str | None
) -> None:
    headers = {"ETag": etag} if etag else {"Last-Modified": last_modified}  # the server writes them as Latin-1
    wire = (etag or last_modified).encode("latin-1")

    def handler(request: RecordedRequest) -> Response:
        sent = request.headers.get("if-none-match") or request.headers.get("if-modified-since")
        if sent is not None and sent.encode("latin-1") == wire:
            return Response(status=304, headers=headers)
        return Response(body=b"<rss/>", headers=headers)

    http_server.route("/feed", handler)
    first = fetch(http_server.url("/feed"), settings=FAST)
    second = fetch(http_server.url("/feed"), settings=FAST, etag=first.etag, last_modified=first.last_modified)

    assert first.ok and second.ok, second.error_message  # UnicodeEncodeError: every later fetch failed
    assert second.not_modified


@pytest.fixture
def header_trickler() -> Iterator[str]:
    """The URL of a raw server that answers with a status line, then one header line every 0.2 s for 30 s
    (an HTTP tarpit): no read ever waits long enough to trip a read timeout."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                connection.recv(65536)
                try:
                    connection.sendall(b"HTTP/1.1 200 OK\r\n")
                    for _ in range(150):
                        if stop.wait(0.2):
                            return
                        connection.sendall(b"X-Wait: a\r\n")
                except OSError:
                    continue  # the client hung up

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/feed.xml"
    stop.set()
    listener.close()


def test_headers_trickled_line_by_line_are_cut_by_the_deadline(header_trickler: str) -> None:
    started = time.monotonic()
    result = fetch(header_trickler, settings=FAST)

    assert time.monotonic() - started < FAST.total_deadline_s + 1.5  # took the tarpit's 30 s before
    assert result.error_type == "deadline_exceeded", result.error_message


def test_a_304_to_a_request_without_validators_is_an_error_not_an_empty_success(http_server: LocalHTTPServer) -> None:
    http_server.route("/feed", Response(status=304))  # a broken cache answering 304 to everyone

    unconditional = fetch(http_server.url("/feed"), settings=FAST)
    conditional = fetch(http_server.url("/feed"), settings=FAST, etag='"v1"')

    assert (unconditional.ok, unconditional.error_type, unconditional.status) == (False, "http_status", 304)
    assert "without validators" in unconditional.error_message  # was "not modified": the feed never gave an item
    assert conditional.ok and conditional.not_modified
