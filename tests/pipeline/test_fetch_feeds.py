"""pipeline.fetch_feeds: one round of fetching, with failures isolated and state carried over."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest

from pipeline.archives import list_raw_zone
from pipeline.feed_config import FeedConfig
from pipeline.feed_state import MOVED_URL_MAX_FAILURES, FeedStateStore
from pipeline.fetch_feeds import fetch_configured_feeds
from pipeline.http_fetch import FetchSettings
from pipeline.raw_zone import iter_raw
from pipeline.scheduled_run import input_for_raw
from pipeline.sources import read_input
from transforms.parsing import parse_document
from transforms.records import sha256_hex
from tests.http_server import LocalHTTPServer, RecordedRequest, Response, gzip_bomb, zeros
from tests.peak_memory import measure_call

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)
SETTINGS = FetchSettings(
    timeout_read_s=0.3, total_deadline_s=3.0, max_retries=1, backoff_base_s=0.01, max_bytes=1024 * 1024,
)
FEED_BODY = b"<rss><channel><item><title>a</title></item></channel></rss>"


def conditional(body: bytes, etag: str, content_type: str = "application/rss+xml"):
    def handler(request: RecordedRequest) -> Response:
        if request.headers.get("if-none-match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body=body, headers={"ETag": etag, "Content-Type": content_type})

    return handler


@pytest.fixture
def feeds(http_server: LocalHTTPServer) -> list[FeedConfig]:
    """Eight feeds: four good (one moved for good), four failing in different ways."""
    routes = {
        "/ok": conditional(FEED_BODY, '"ok-1"'),
        "/malformed": Response(body=b"<rss><channel><item>", headers={"Content-Type": "application/rss+xml"}),
        "/html": Response(body=b"<html><body>Not a feed</body></html>", headers={"Content-Type": "text/html"}),
        "/moved": Response(status=301, headers={"Location": "/new-home"}),
        "/new-home": conditional(b"<feed xmlns='http://www.w3.org/2005/Atom'/>", '"new-1"'),
        "/broken": Response(status=500, body=b"oops"),
        "/slow": Response(body=FEED_BODY, delay_s=2.0),
        "/huge": Response(body=zeros(200 * 1024 * 1024), headers={"Content-Length": str(200 * 1024 * 1024)}),
    }
    for path, answer in routes.items():
        http_server.route(path, answer)
    names = ("ok", "malformed", "html", "moved", "broken", "slow", "huge")
    configured = [FeedConfig(source_id=name, url=http_server.url(f"/{name}"), language="en", tags=("t",))
                  for name in names]
    return [*configured, FeedConfig(source_id="ftp", url="ftp://example.org/feed.xml")]


def test_one_round_fetches_good_feeds_and_isolates_failures(tmp_path: Path, feeds: list[FeedConfig]) -> None:
    outcome = fetch_configured_feeds(feeds, tmp_path, SETTINGS, NOW)

    assert outcome.counts == {"fetched": 4, "content_failed": 2, "not_modified": 0, "failed": 4,
                              "skipped_backoff": 0, "skipped_not_due": 0}  # html and malformed: no article
    assert [doc["source_id"] for doc in outcome.raw_documents] == ["html", "malformed", "moved", "ok"]
    assert {(error["source_id"], error["error_type"]) for error in outcome.errors} == {
        ("broken", "http_status"), ("slow", "timeout"), ("huge", "too_large"), ("ftp", "unsupported_scheme")}
    assert all(error["stage"] == "fetch" and error["occurred_at"] == NOW for error in outcome.errors)


def test_raw_documents_carry_provenance_and_point_into_the_raw_zone(
    tmp_path: Path, feeds: list[FeedConfig], http_server: LocalHTTPServer
) -> None:
    outcome = fetch_configured_feeds(feeds, tmp_path, SETTINGS, NOW)

    ok = next(doc for doc in outcome.raw_documents if doc["source_id"] == "ok")
    assert ok["body"] == FEED_BODY and ok["raw_sha256"] == sha256_hex(FEED_BODY)
    assert (ok["kind"], ok["http_status"], ok["etag"], ok["fetched_at"]) == ("raw", 200, '"ok-1"', NOW)
    assert (ok["language_hint"], ok["tags"], ok["content_type"]) == ("en", ["t"], "application/rss+xml")
    assert gzip.decompress(Path(ok["raw_path"]).read_bytes()) == FEED_BODY
    assert "raw/date=2026-03-01/source=ok/" in ok["raw_path"]
    moved = next(doc for doc in outcome.raw_documents if doc["source_id"] == "moved")
    assert moved["uri"] == http_server.url("/new-home") and moved["feed_url"] == http_server.url("/moved")


def test_state_is_updated_for_every_fetched_feed(tmp_path: Path, feeds: list[FeedConfig]) -> None:
    fetch_configured_feeds(feeds, tmp_path, SETTINGS, NOW)

    with FeedStateStore(tmp_path) as store:
        states = {state.source_id: state for state in store.all_states()}
    assert len(states) == 8
    assert states["ok"].etag == '"ok-1"' and states["ok"].consecutive_failures == 0
    assert states["moved"].permanent_url.endswith("/new-home")
    assert states["broken"].consecutive_failures == 1 and states["broken"].last_error.startswith("http_status")
    assert states["huge"].next_poll_at == NOW + dt.timedelta(seconds=2 * 900)


def test_next_rounds_skip_what_is_not_due_and_use_conditional_get(
    tmp_path: Path, feeds: list[FeedConfig], http_server: LocalHTTPServer
) -> None:
    fetch_configured_feeds(feeds, tmp_path, SETTINGS, NOW)

    soon = fetch_configured_feeds(feeds, tmp_path, SETTINGS, NOW + dt.timedelta(minutes=10))
    later = fetch_configured_feeds(feeds[:4], tmp_path, SETTINGS, NOW + dt.timedelta(hours=1))

    assert (soon.counts["skipped_not_due"], soon.counts["skipped_backoff"], soon.counts["fetched"]) == (2, 6, 0)
    backing_off = next(skipped for skipped in soon.skipped if skipped.source_id == "broken")
    assert backing_off.reason == "backoff" and backing_off.until == NOW + dt.timedelta(minutes=30)
    assert backing_off.last_error.startswith("http_status")
    assert later.counts["not_modified"] == 2 and later.counts["fetched"] == 2  # ok and moved: 304
    assert len(http_server.requests_to("/moved")) == 1  # the second time, straight to the new home
    assert http_server.requests_to("/new-home")[-1].headers["if-none-match"] == '"new-1"'


def test_force_fetches_feeds_in_backoff(tmp_path: Path, feeds: list[FeedConfig]) -> None:
    fetch_configured_feeds(feeds, tmp_path, SETTINGS, NOW)

    forced = fetch_configured_feeds(feeds[4:5], tmp_path, SETTINGS, NOW + dt.timedelta(minutes=1), force=True)

    assert forced.counts["failed"] == 1 and forced.skipped == []
    with FeedStateStore(tmp_path) as store:
        assert store.get("broken").consecutive_failures == 2


def test_a_200_without_an_article_is_backed_off_like_a_failed_fetch(tmp_path: Path, feeds: list[FeedConfig]) -> None:
    fetch_configured_feeds(feeds, tmp_path, SETTINGS, NOW)

    with FeedStateStore(tmp_path) as store:
        states = {state.source_id: state for state in store.all_states()}
    for name, error in (("html", "parse:not_a_feed: "), ("malformed", "parse:malformed_xml_partial: ")):
        state = states[name]
        assert (state.consecutive_failures, state.failure_kind, state.last_status) == (1, "content", 200)
        assert state.last_error.startswith(error) and state.next_poll_at == NOW + dt.timedelta(seconds=2 * 900)
    assert states["broken"].failure_kind == "fetch"
    assert states["ok"].failure_kind is None and states["moved"].consecutive_failures == 0  # an empty feed is fine


def test_content_failures_grow_the_backoff_until_a_good_body_resets_it(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    http_server.route("/feed", conditional(b"<html><body>Maintenance</body></html>", '"html-1"', "text/html"))
    feed = [FeedConfig(source_id="courier", url=http_server.url("/feed"), poll_interval_s=60)]
    waits = []
    for minutes in (0, 2, 6):  # each round once the backoff of the last has run out
        fetch_configured_feeds(feed, tmp_path, SETTINGS, NOW + dt.timedelta(minutes=minutes))
        with FeedStateStore(tmp_path) as store:
            state = store.get("courier")
        waits.append((state.consecutive_failures, state.next_poll_at - state.last_attempt_at, state.etag))
    assert waits == [(count, dt.timedelta(minutes=2 ** count), None) for count in (1, 2, 3)]
    assert all("if-none-match" not in request.headers for request in http_server.requests_to("/feed"))

    http_server.route("/feed", conditional(FEED_BODY, '"rss-1"'))
    good = fetch_configured_feeds(feed, tmp_path, SETTINGS, NOW + dt.timedelta(minutes=14))

    with FeedStateStore(tmp_path) as store:
        state = store.get("courier")
    assert good.counts["content_failed"] == 0
    assert (state.consecutive_failures, state.failure_kind, state.last_error, state.etag) == (0, None, None, '"rss-1"')


@pytest.mark.parametrize("retry_after", ["99999999999999", "Fri, 31 Dec 9999 23:59:59 GMT"])
def test_a_retry_after_of_centuries_backs_the_feed_off_a_day_and_the_others_still_land(
    tmp_path: Path, http_server: LocalHTTPServer, retry_after: str
) -> None:
    http_server.route("/ok", conditional(FEED_BODY, '"ok-1"'))
    http_server.route("/busy", Response(status=503, headers={"Retry-After": retry_after}))
    feeds = [FeedConfig(source_id="busy", url=http_server.url("/busy", host="localhost")),  # the host waits
             FeedConfig(source_id="ok", url=http_server.url("/ok"))]

    outcome = fetch_configured_feeds(feeds, tmp_path, SETTINGS, NOW)  # the date overflowed: the round crashed

    assert (outcome.counts["fetched"], outcome.counts["failed"]) == (1, 1)
    with FeedStateStore(tmp_path) as store:
        busy = store.get("busy")
    assert (busy.consecutive_failures, busy.next_poll_at) == (1, NOW + dt.timedelta(days=1))


def test_a_feed_whose_new_home_breaks_is_asked_at_its_configured_url_again(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    http_server.route("/old-home", Response(status=301, headers={"Location": "/new-home"}))
    http_server.route("/new-home", Response(body=FEED_BODY, headers={"Content-Type": "application/rss+xml"}))
    feed = FeedConfig(source_id="moved", url=http_server.url("/old-home"))
    first = fetch_configured_feeds([feed], tmp_path, SETTINGS, NOW)
    assert [doc["uri"] for doc in first.raw_documents] == [http_server.url("/new-home")]

    http_server.route("/new-home", Response(status=404, body=b"gone"))  # the new home is gone ...
    http_server.route("/old-home", Response(body=FEED_BODY, headers={"Content-Type": "application/rss+xml"}))
    rounds = [fetch_configured_feeds([feed], tmp_path, SETTINGS, NOW + dt.timedelta(days=2 * number))
              for number in range(1, MOVED_URL_MAX_FAILURES + 2)]  # ... and the feed is back where it was

    assert [len(outcome.errors) for outcome in rounds] == [1] * MOVED_URL_MAX_FAILURES + [0]
    assert [doc["uri"] for doc in rounds[-1].raw_documents] == [feed.url]
    assert len(http_server.requests_to("/new-home")) == 1 + MOVED_URL_MAX_FAILURES
    with FeedStateStore(tmp_path) as store:
        assert (store.get("moved").permanent_url, store.get("moved").consecutive_failures) == (None, 0)


SITEMAP = (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
           b"<url><loc>https://courier.example/a</loc></url></urlset>")


def test_a_gzip_file_served_as_the_body_is_inflated_before_it_is_kept_and_parsed(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    http_server.route("/sitemap.xml.gz", Response(body=gzip.compress(SITEMAP),
                                                  headers={"Content-Type": "application/x-gzip"}))
    feed = FeedConfig(source_id="courier", url=http_server.url("/sitemap.xml.gz"))

    outcome = fetch_configured_feeds([feed], tmp_path, SETTINGS, NOW)

    (document,) = outcome.raw_documents
    assert document["body"] == SITEMAP and document["raw_sha256"] == sha256_hex(SITEMAP)
    assert gzip.decompress(Path(document["raw_path"]).read_bytes()) == SITEMAP  # the raw zone: as readers read it
    assert outcome.counts["fetched"] == 1 and outcome.counts["content_failed"] == 0


def test_a_body_decoded_only_in_part_is_kept_and_its_articles_flagged_wherever_it_is_read(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    first = b"<rss><channel><item><title>Cranes</title><link>https://courier.example/cranes</link></item>"
    rest = b"<item><title>Ferries</title><link>https://courier.example/ferries</link></item></channel></rss>"
    sent = gzip.compress(first) + b"\r\n<!-- cache -->\r\n" + gzip.compress(rest)  # garbage between members
    http_server.route("/feed.xml", Response(body=sent, headers={"Content-Encoding": "gzip"}))
    feed = FeedConfig(source_id="courier", url=http_server.url("/feed.xml"))

    outcome = fetch_configured_feeds([feed], tmp_path, SETTINGS, NOW)

    (fetched,) = outcome.raw_documents
    (read,) = read_input(input_for_raw(fetched), SETTINGS.max_bytes)  # the pipeline input of this run
    (backfilled,) = [document for entry in list_raw_zone(str(tmp_path / "raw")).inputs
                     for document in read_input(entry, SETTINGS.max_bytes)]
    (kept,) = iter_raw(tmp_path)
    for document in (fetched, read, backfilled, kept):
        assert (document["body"], document["quality_flags"]) == (first, ["body_partly_decoded"])
    (article,) = [record for record in parse_document(read) if record["kind"] == "article"]
    assert article["title"] == "Cranes" and "body_partly_decoded" in article["quality_flags"]


def test_a_gzip_bomb_or_a_corrupt_gzip_file_as_the_body_is_a_failed_fetch(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    http_server.route("/bomb.xml.gz", Response(body=gzip_bomb(256 * 1024 * 1024)))  # 256 MB of zeros, 256 KB sent
    http_server.route("/cut.xml.gz", Response(body=gzip.compress(SITEMAP)[:-20]))
    setup = ("from pipeline.feed_config import FeedConfig\nfrom pipeline.fetch_feeds import fetch_configured_feeds\n"
             "from tests.pipeline.test_fetch_feeds import NOW, SETTINGS\n"
             f"feeds = [FeedConfig(source_id=name, url={http_server.url('/')!r} + name + '.xml.gz') "
             "for name in ('bomb', 'cut')]")
    errors = f"fetch_configured_feeds(feeds, {str(tmp_path)!r}, SETTINGS, NOW).errors"

    outcome, growth_mb = measure_call(setup, f"sorted((e['source_id'], e['error_type'], e['message']) for e in {errors})")

    assert [(source, kind) for source, kind, _ in outcome] == [("bomb", "too_large"), ("cut", "decode_error")]
    assert "the gzip body inflates to more than 1048576 bytes" in outcome[0][2]
    assert outcome[1][2].startswith("the gzip body is corrupt")
    assert growth_mb < 64  # inflated up to the 1 MB limit, never the 256 MB


def test_a_sitemap_index_listing_only_another_sites_sitemaps_is_a_content_failure_that_names_them(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    # served by 127.0.0.1: its sitemap on courier.example is not followed (pipeline/sitemap_children.py)
    index = (b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap>'
             b"<loc>https://courier.example/news-sitemap.xml</loc></sitemap></sitemapindex>")
    http_server.route("/sitemap-index.xml", Response(body=index, headers={"Content-Type": "application/xml"}))

    outcome = fetch_configured_feeds([FeedConfig(source_id="courier", url=http_server.url("/sitemap-index.xml"))],
                                     tmp_path, SETTINGS, NOW)

    assert outcome.counts["content_failed"] == 1 and [request.path for request in http_server.requests] == [
        "/sitemap-index.xml"]
    with FeedStateStore(tmp_path) as store:
        state = store.get("courier")
    assert (state.consecutive_failures, state.failure_kind) == (1, "content")
    assert state.last_error.startswith("parse:sitemap_index: a sitemap index: it lists 1 sitemaps and no articles "
                                       "(newest first: https://courier.example/news-sitemap.xml)")
