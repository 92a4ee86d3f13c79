"""pipeline.page_fetch: item pages fetched politely from a real server on 127.0.0.1, and remembered."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import pathlib
from collections.abc import Iterator
from typing import Any

import pytest

from pipeline.http_fetch import FetchSettings
from pipeline.page_fetch import PageFetchOutcome, PageFetchSettings, fetch_pages, page_settings_from
from pipeline.page_ledger import PageLedger
from pipeline.raw_zone import store_raw
from tests.feed_factory import feedburner_rss, rss, whole_post
from tests.http_server import LocalHTTPServer, RecordedRequest, Response, sequence
from transforms.identity import identify_article
from transforms.parsing import parse_document
from transforms.records import RawDocument
from transforms.settings import TransformSettings

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)
FEED_SETTINGS = FetchSettings(timeout_read_s=1.0, total_deadline_s=5.0, max_retries=1, backoff_base_s=0.01,
                              backoff_max_s=3.0)
FAST = page_settings_from(FEED_SETTINGS, requests_per_second=100.0, allow_private_addresses=True)
PAGE = b"<html><head><title>T</title></head><body><article><p>Body.</p></article></body></html>"
HTML = {"Content-Type": "text/html; charset=utf-8"}
GAP_TOLERANCE_S = 0.02  # the server stamps arrival, the limiter spaces departures


def items(server: LocalHTTPServer, count: int, prefix: str = "/articles/") -> list[tuple[str, str, str, str]]:
    return [(f"g-{number}", server.url(f"{prefix}{number}"), f"Story {number}", "A teaser.") for number in range(count)]


def feed_document(output: pathlib.Path, server: LocalHTTPServer, entries: list[tuple[str, str, str, str]],
                  source_id: str = "courier", body: bytes | None = None) -> RawDocument:
    """A fetched feed as ``fetch_configured_feeds`` leaves it: body in memory and in the raw zone."""
    body = body if body is not None else rss(entries)
    url = server.url("/feed.xml")
    raw_sha256, raw_path = store_raw(output, source_id, body, NOW, uri=url, feed_url=url)
    return RawDocument(kind="raw", source_id=source_id, uri=url, feed_url=url, body=body, fetched_at=NOW,
                       http_status=200, content_type="application/rss+xml", raw_sha256=raw_sha256, raw_path=raw_path)


def run(output: pathlib.Path, *documents: RawDocument, settings: PageFetchSettings = FAST,
        wanted: bool = True) -> PageFetchOutcome:
    return fetch_pages(list(documents), lambda source_id: wanted, output, settings, NOW)


def serve_pages(server: LocalHTTPServer, count: int, prefix: str = "/articles/") -> None:
    for number in range(count):
        server.route(f"{prefix}{number}", Response(body=PAGE, headers=HTML))


def page_requests(server: LocalHTTPServer) -> list[RecordedRequest]:
    return [request for request in server.requests if request.path.startswith("/articles/")]


def gaps_s(requests: list[RecordedRequest]) -> list[float]:
    times = sorted(request.received_at for request in requests)
    return [later - earlier for earlier, later in zip(times, times[1:])]


def _all_ids(output: pathlib.Path) -> list[str]:
    import sqlite3

    with sqlite3.connect(output / "_state" / "full_text.sqlite") as connection:
        return [row[0] for row in connection.execute("SELECT article_id FROM pages")]


@pytest.fixture
def second_host() -> Iterator[LocalHTTPServer]:
    server = LocalHTTPServer("127.0.0.2").start()
    yield server
    server.stop()


def test_pages_of_new_items_are_fetched_and_kept_in_the_raw_zone(http_server: LocalHTTPServer,
                                                                  tmp_path: pathlib.Path) -> None:
    serve_pages(http_server, 2)
    document = feed_document(tmp_path, http_server, items(http_server, 2))

    outcome = run(tmp_path, document)

    pages = outcome.pages[document["raw_path"]]
    assert sorted(pages) == [http_server.url("/articles/0"), http_server.url("/articles/1")]
    page = pages[http_server.url("/articles/0")]
    assert (page["status"], page["http_status"], page.get("from_earlier_run", False)) == ("fetched", 200, False)
    assert "/raw/pages/date=2026-03-01/source=courier/" in page["raw_path"]
    assert gzip.decompress(pathlib.Path(page["raw_path"]).read_bytes()) == PAGE
    assert outcome.counts["fetched"] == 2 and outcome.counts["robots_txt_fetched"] == 1


def test_page_requests_carry_the_user_agent_and_ask_for_html(http_server: LocalHTTPServer,
                                                             tmp_path: pathlib.Path) -> None:
    serve_pages(http_server, 1)
    run(tmp_path, feed_document(tmp_path, http_server, items(http_server, 1)))

    (request,) = page_requests(http_server)
    assert request.headers["user-agent"] == FEED_SETTINGS.user_agent
    assert request.headers["accept"].startswith("text/html")


def test_robots_txt_is_fetched_once_per_host_and_obeyed(http_server: LocalHTTPServer, tmp_path: pathlib.Path) -> None:
    http_server.route("/robots.txt", Response(body=b"User-agent: *\nDisallow: /articles/private-\n"))
    serve_pages(http_server, 3)
    entries = items(http_server, 3) + items(http_server, 2, prefix="/articles/private-")

    outcome = run(tmp_path, feed_document(tmp_path, http_server, entries))

    pages = next(iter(outcome.pages.values()))
    blocked = pages[http_server.url("/articles/private-0")]
    assert (blocked["status"], blocked["error_type"]) == ("blocked_by_robots", "robots_disallowed")
    assert len(http_server.requests_to("/robots.txt")) == 1
    assert {request.path for request in page_requests(http_server)} == {f"/articles/{n}" for n in range(3)}
    assert outcome.counts["blocked_by_robots"] == 2


def test_robots_rules_for_our_user_agent_win_over_the_general_ones(http_server: LocalHTTPServer,
                                                                   tmp_path: pathlib.Path) -> None:
    http_server.route("/robots.txt", Response(body=b"User-agent: *\nDisallow:\n\nUser-agent: newsbeam\nDisallow: /\n"))
    serve_pages(http_server, 1)

    outcome = run(tmp_path, feed_document(tmp_path, http_server, items(http_server, 1)))

    assert [page["status"] for page in next(iter(outcome.pages.values())).values()] == ["blocked_by_robots"]
    assert page_requests(http_server) == []


def test_robots_txt_server_error_blocks_the_host_for_this_run_only(http_server: LocalHTTPServer,
                                                                   tmp_path: pathlib.Path) -> None:
    http_server.route("/robots.txt", Response(status=503))
    serve_pages(http_server, 1)
    document = feed_document(tmp_path, http_server, items(http_server, 1))

    first = run(tmp_path, document)
    (page,) = first.pages[document["raw_path"]].values()
    assert (page["status"], page["error_type"]) == ("blocked_by_robots", "robots_unreachable")
    assert page_requests(http_server) == []

    http_server.route("/robots.txt", Response(status=404))  # gone: everything allowed
    (page,) = run(tmp_path, document).pages[document["raw_path"]].values()
    assert page["status"] == "fetched" and len(page_requests(http_server)) == 1


def test_requests_to_one_host_are_spaced_by_the_rate(http_server: LocalHTTPServer, tmp_path: pathlib.Path) -> None:
    serve_pages(http_server, 8)
    settings = page_settings_from(FEED_SETTINGS, requests_per_second=10.0, allow_private_addresses=True)

    run(tmp_path, feed_document(tmp_path, http_server, items(http_server, 8)), settings=settings)

    requests = [request for request in http_server.requests if request.path != "/feed.xml"]  # robots.txt too
    assert len(requests) == 9
    assert min(gaps_s(requests)) >= 0.1 - GAP_TOLERANCE_S


def test_crawl_delay_slows_a_host_below_the_run_rate(http_server: LocalHTTPServer, tmp_path: pathlib.Path) -> None:
    http_server.route("/robots.txt", Response(body=b"User-agent: *\nCrawl-delay: 0.3\n"))
    serve_pages(http_server, 3)

    run(tmp_path, feed_document(tmp_path, http_server, items(http_server, 3)))

    assert min(gaps_s(page_requests(http_server))) >= 0.3 - GAP_TOLERANCE_S


def test_many_hosts_are_fetched_at_once_each_within_its_rate(http_server: LocalHTTPServer,
                                                             second_host: LocalHTTPServer,
                                                             tmp_path: pathlib.Path) -> None:
    for server in (http_server, second_host):
        serve_pages(server, 4)
    settings = page_settings_from(FEED_SETTINGS, requests_per_second=5.0, allow_private_addresses=True)
    documents = [feed_document(tmp_path, server, items(server, 4), source_id=name)
                 for name, server in (("one", http_server), ("two", second_host))]

    outcome = run(tmp_path, *documents, settings=settings)

    assert outcome.counts["fetched"] == 8
    for server in (http_server, second_host):
        assert min(gaps_s(page_requests(server))) >= 0.2 - GAP_TOLERANCE_S
    # At once, not one host after the other: the second host's first page came before the first's last.
    first_times = sorted(request.received_at for request in page_requests(http_server))
    second_times = sorted(request.received_at for request in page_requests(second_host))
    assert second_times[0] < first_times[-1] and first_times[0] < second_times[-1]


def test_retry_after_pauses_the_whole_host(http_server: LocalHTTPServer, tmp_path: pathlib.Path) -> None:
    serve_pages(http_server, 4)
    http_server.route("/articles/0", sequence(Response(status=429, headers={"Retry-After": "1"}),
                                              Response(body=PAGE, headers=HTML)))
    settings = page_settings_from(FEED_SETTINGS, requests_per_second=20.0, allow_private_addresses=True)

    outcome = run(tmp_path, feed_document(tmp_path, http_server, items(http_server, 4)), settings=settings)

    assert outcome.counts["fetched"] == 4
    (refused,) = [request for request in http_server.requests_to("/articles/0")][:1]
    later = [request for request in page_requests(http_server) if request.received_at > refused.received_at]
    assert later and all(request.received_at - refused.received_at >= 1.0 - GAP_TOLERANCE_S for request in later)


def test_unchanged_items_are_not_fetched_again_and_changed_ones_are(http_server: LocalHTTPServer,
                                                                     tmp_path: pathlib.Path) -> None:
    serve_pages(http_server, 2)
    entries = items(http_server, 2)
    run(tmp_path, feed_document(tmp_path, http_server, entries))
    assert len(page_requests(http_server)) == 2

    document = feed_document(tmp_path, http_server, entries)
    again = run(tmp_path, document)
    assert len(page_requests(http_server)) == 2  # no request at all for unchanged items
    page = again.pages[document["raw_path"]][http_server.url("/articles/0")]
    assert page["status"] == "fetched" and page["from_earlier_run"] and pathlib.Path(page["raw_path"]).exists()
    assert again.counts["reused_from_earlier_runs"] == 2 and again.counts["fetched"] == 0

    edited = [entries[0], (*entries[1][:2], "Story 1, corrected", entries[1][3])]
    run(tmp_path, feed_document(tmp_path, http_server, edited))
    assert [request.path for request in page_requests(http_server)][2:] == ["/articles/1"]


def test_failed_pages_are_tried_again_in_later_runs_up_to_the_limit(http_server: LocalHTTPServer,
                                                                    tmp_path: pathlib.Path) -> None:
    http_server.route("/articles/0", Response(status=503))
    http_server.route("/articles/1", Response(status=404))
    settings = page_settings_from(FEED_SETTINGS, requests_per_second=100.0, allow_private_addresses=True)
    settings = PageFetchSettings(fetch=settings.fetch, requests_per_second=100.0, max_attempts=2)
    document = feed_document(tmp_path, http_server, items(http_server, 2))

    for _ in range(3):
        outcome = run(tmp_path, document, settings=settings)

    tries = 1 + FEED_SETTINGS.max_retries
    assert len(http_server.requests_to("/articles/0")) == 2 * tries  # retryable: two runs, then no more
    assert len(http_server.requests_to("/articles/1")) == 1  # a 404 is final until the item changes
    page = outcome.pages[document["raw_path"]][http_server.url("/articles/1")]
    assert (page["status"], page["error_type"], page["http_status"]) == ("failed", "http_status", 404)


def test_redirects_are_followed_and_recorded(http_server: LocalHTTPServer, tmp_path: pathlib.Path) -> None:
    http_server.route("/articles/0", Response(status=301, headers={"Location": "/story/zero"}))
    http_server.route("/story/zero", Response(status=302, headers={"Location": "/story/zero-final"}))
    http_server.route("/story/zero-final", Response(body=PAGE, headers=HTML))

    outcome = run(tmp_path, feed_document(tmp_path, http_server, items(http_server, 1)))

    (page,) = next(iter(outcome.pages.values())).values()
    assert page["final_url"] == http_server.url("/story/zero-final")
    assert page["redirects"] == [http_server.url("/story/zero"), http_server.url("/story/zero-final")]
    with PageLedger(tmp_path) as ledger:
        (entry,) = ledger.get([entry_id for entry_id in _all_ids(tmp_path)]).values()
    assert entry.page["redirects"] == page["redirects"]


def test_other_content_types_are_kept_but_marked_not_html(http_server: LocalHTTPServer,
                                                          tmp_path: pathlib.Path) -> None:
    http_server.route("/articles/0", Response(body=b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
                                              headers={"Content-Type": "application/pdf"}))
    http_server.route("/articles/1", Response(body=PAGE, headers={"Content-Type": "application/octet-stream"}))

    outcome = run(tmp_path, feed_document(tmp_path, http_server, items(http_server, 2)))

    pages = next(iter(outcome.pages.values()))
    assert pages[http_server.url("/articles/0")]["status"] == "not_html"
    assert pathlib.Path(pages[http_server.url("/articles/0")]["raw_path"]).exists()
    assert pages[http_server.url("/articles/1")]["status"] == "fetched"  # mislabelled HTML is still HTML


def test_a_page_decoded_only_in_part_is_a_failed_page_not_a_short_article(http_server: LocalHTTPServer,
                                                                         tmp_path: pathlib.Path) -> None:
    # garbage between two gzip members: the start of a page would pass for the article's whole body
    sent = gzip.compress(PAGE[:40]) + b"\r\n\r\n" + gzip.compress(PAGE[40:])
    http_server.route("/articles/0", Response(body=sent, headers={**HTML, "Content-Encoding": "gzip"}))

    outcome = run(tmp_path, feed_document(tmp_path, http_server, items(http_server, 1)))

    page = next(iter(outcome.pages.values()))[http_server.url("/articles/0")]
    assert (page["status"], page["error_type"], page.get("raw_path")) == ("failed", "decode_error", None)
    assert page["error_message"].startswith("the body decodes only in part: bytes that are no gzip member")


def test_private_addresses_are_refused_by_default(http_server: LocalHTTPServer, tmp_path: pathlib.Path) -> None:
    serve_pages(http_server, 1)
    settings = page_settings_from(FEED_SETTINGS)  # allow_private_addresses=False

    outcome = run(tmp_path, feed_document(tmp_path, http_server, items(http_server, 1)), settings=settings)

    (page,) = next(iter(outcome.pages.values())).values()
    assert (page["status"], page["error_type"]) == ("failed", "private_address")
    assert [request.path for request in http_server.requests] == []  # not even robots.txt


def test_links_that_are_not_http_are_never_requested(http_server: LocalHTTPServer, tmp_path: pathlib.Path) -> None:
    # An item's url is absolute http(s) or none (transforms/identity.web_url), so an ftp link leaves no page
    # to fetch; the fetcher would refuse it again (unsupported_scheme) if one came through.
    entries = [("g-ftp", "ftp://courier.example/story", "FTP", "A teaser."),
               ("g-http", http_server.url("/articles/0"), "HTTP", "A teaser.")]
    serve_pages(http_server, 1)

    outcome = run(tmp_path, feed_document(tmp_path, http_server, entries))

    (pages,) = outcome.pages.values()
    assert [page["url"] for page in pages.values()] == [http_server.url("/articles/0")]
    assert [request.path for request in http_server.requests] == ["/robots.txt", "/articles/0"]


def test_items_whose_feed_carries_the_whole_article_need_no_page(http_server: LocalHTTPServer,
                                                                 tmp_path: pathlib.Path) -> None:
    article = "<p>" + "The harbour of Baku grew again this year. " * 30 + "</p>"
    body = (f"<rss version='2.0' xmlns:content='http://purl.org/rss/1.0/modules/content/'><channel><title>C</title>"
            f"<item><link>{http_server.url('/articles/0')}</link><title>Full</title>"
            f"<content:encoded><![CDATA[{article}]]></content:encoded></item>"
            f"<item><link>{http_server.url('/articles/1')}</link><title>Teaser</title>"
            f"<content:encoded><![CDATA[<p>Read more.</p>]]></content:encoded></item></channel></rss>").encode()
    serve_pages(http_server, 2)

    outcome = run(tmp_path, feed_document(tmp_path, http_server, [], body=body))

    assert list(next(iter(outcome.pages.values()))) == [http_server.url("/articles/1")]
    assert outcome.counts["full_body_in_feed"] == 1
    assert [request.path for request in page_requests(http_server)] == ["/articles/1"]


def test_pages_a_host_cannot_serve_within_the_budget_wait_for_the_next_run(http_server: LocalHTTPServer,
                                                                           tmp_path: pathlib.Path) -> None:
    serve_pages(http_server, 5)
    settings = PageFetchSettings(fetch=FAST.fetch, requests_per_second=10.0, time_budget_s=0.35)
    document = feed_document(tmp_path, http_server, items(http_server, 5))

    first = run(tmp_path, document, settings=settings)
    # robots.txt at 0 s, then pages at 0.1, 0.2 and 0.3 s: three fit, two wait
    assert (first.counts["fetched"], first.counts["deferred"]) == (3, 2)
    deferred = [page for page in first.pages[document["raw_path"]].values() if page["status"] == "deferred"]
    assert len(deferred) == 2 and all(page["error_type"] == "deferred" for page in deferred)

    second = run(tmp_path, document, settings=settings)
    assert (second.counts["fetched"], second.counts["reused_from_earlier_runs"]) == (2, 3)


def test_crawl_delay_holds_across_runs(http_server: LocalHTTPServer, tmp_path: pathlib.Path) -> None:
    http_server.route("/robots.txt", Response(body=b"User-agent: *\nCrawl-delay: 30\n"))
    serve_pages(http_server, 2)
    settings = PageFetchSettings(fetch=FAST.fetch, requests_per_second=10.0, time_budget_s=5.0)
    document = feed_document(tmp_path, http_server, items(http_server, 2))

    first = run(tmp_path, document, settings=settings)
    second = run(tmp_path, document, settings=settings)

    assert first.counts["deferred"] == 2 and second.counts["deferred"] == 2
    assert [request.path for request in http_server.requests] == ["/robots.txt"]  # kept, not asked again
    (not_before,) = PageLedger(tmp_path).hosts_not_before().values()
    assert not_before > dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=20)


def test_sources_without_full_text_are_left_alone(http_server: LocalHTTPServer, tmp_path: pathlib.Path) -> None:
    outcome = run(tmp_path, feed_document(tmp_path, http_server, items(http_server, 2)), wanted=False)

    assert outcome.pages == {} and http_server.requests == []


def test_the_page_list_is_kept_beside_the_feed_body(http_server: LocalHTTPServer, tmp_path: pathlib.Path) -> None:
    serve_pages(http_server, 1)
    document = feed_document(tmp_path, http_server, items(http_server, 1))

    run(tmp_path, document)

    sidecar = pathlib.Path(document["raw_path"]).with_suffix(".pages.json")
    kept: dict[str, Any] = json.loads(sidecar.read_text())
    assert kept[http_server.url("/articles/0")]["status"] == "fetched"


def test_one_page_for_an_item_found_in_two_feeds(http_server: LocalHTTPServer, tmp_path: pathlib.Path) -> None:
    serve_pages(http_server, 1)
    entries = items(http_server, 1)
    first = feed_document(tmp_path, http_server, entries, source_id="one")
    second = feed_document(tmp_path, http_server, entries, source_id="two")

    outcome = run(tmp_path, first, second)

    assert len(page_requests(http_server)) == 1
    assert outcome.pages[first["raw_path"]] == outcome.pages[second["raw_path"]]


def test_a_description_that_is_the_whole_post_needs_no_page(http_server: LocalHTTPServer,
                                                            tmp_path: pathlib.Path) -> None:
    entries = [("g-0", http_server.url("/articles/0"), "Whole", whole_post()),
               ("g-1", http_server.url("/articles/1"), "Cut", whole_post() + "<p>And so on [&hellip;]</p>"),
               ("g-2", http_server.url("/articles/2"), "Teaser", "A teaser.")]
    serve_pages(http_server, 3)

    outcome = run(tmp_path, feed_document(tmp_path, http_server, entries))

    assert outcome.counts["full_body_in_feed"] == 1
    assert sorted(request.path for request in page_requests(http_server)) == ["/articles/1", "/articles/2"]


def test_feedburner_items_are_fetched_at_their_orig_link_never_through_the_redirect(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path) -> None:
    body = feedburner_rss([("g-0", http_server.url("/articles/0"), "Cranes", "A teaser.", None)])
    serve_pages(http_server, 1)

    outcome = run(tmp_path, feed_document(tmp_path, http_server, [], body=body))

    (pages,) = outcome.pages.values()
    assert list(pages) == [http_server.url("/articles/0")]
    assert pages[http_server.url("/articles/0")]["status"] == "fetched"
    assert [request.path for request in page_requests(http_server)] == ["/articles/0"]


def test_the_ledger_knows_a_feedburner_item_by_the_article_id_the_dataset_gives_it(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path) -> None:
    body = feedburner_rss([("g-0", http_server.url("/articles/0"), "Cranes", "A teaser.", None)])
    serve_pages(http_server, 1)
    document = feed_document(tmp_path, http_server, [], body=body)

    run(tmp_path, document)

    (item,) = [record for record in parse_document(document) if record["kind"] == "article"]
    assert item["replaced_link"]  # the redirect the feed linked
    assert _all_ids(tmp_path) == [identify_article(item, TransformSettings())["article_id"]]
