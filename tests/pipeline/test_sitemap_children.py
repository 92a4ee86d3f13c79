"""pipeline.sitemap_children: which sitemaps of an index at a feed URL are fetched, and how the feed is judged by
them (one round of ``fetch_configured_feeds`` against a real server on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from pipeline.feed_config import FeedConfig
from pipeline.feed_state import FeedStateStore
from pipeline.fetch_feeds import fetch_configured_feeds, save_held_state
from pipeline.http_fetch import FetchSettings
from pipeline.sitemap_children import choose_sitemaps
from tests.feed_factory import news_sitemap, sitemap_index
from tests.http_server import LocalHTTPServer, Response
from tests.pipeline.test_fetch_feeds import conditional
from transforms.records import RawDocument

NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.timezone.utc)
SETTINGS = FetchSettings(timeout_read_s=2.0, total_deadline_s=5.0, max_retries=0, max_bytes=1024 * 1024)
XML = {"Content-Type": "application/xml"}


def index_draft(url: str, children: list[tuple[str, str | None]]) -> RawDocument:
    return RawDocument(kind="raw", uri=url, feed_url=url, body=sitemap_index(children))


def story_sitemap(*names: str) -> bytes:
    return news_sitemap([(f"https://courier.example/{name}", f"Story {name}", "2026-12-06T09:00:00Z")
                         for name in names])


def test_sitemaps_are_chosen_newest_first_from_each_index_in_turn_up_to_the_limit() -> None:
    first = index_draft("https://courier.example/a/index.xml", [
        ("https://courier.example/a/3.xml", None), ("https://courier.example/a/2.xml", "2026-12-04"),
        ("https://courier.example/a/1.xml", "2026-12-05T10:00:00Z")])
    second = index_draft("https://courier.example/b/index.xml", [
        ("https://courier.example/b/1.xml", "2026-12-01"), ("https://courier.example/b/2.xml", "2026-12-06")])

    (first_fetched, first_followed), (second_fetched, second_followed) = choose_sitemaps([first, second], 3, set())

    assert first_fetched == first_followed == ["https://courier.example/a/1.xml", "https://courier.example/a/2.xml"]
    assert second_fetched == second_followed == ["https://courier.example/b/2.xml"]


def test_only_sitemaps_on_the_index_site_are_chosen_each_once_and_never_the_index_itself() -> None:
    index_url = "https://www.courier.example/sitemap.xml"
    index = index_draft(index_url, [
        ("https://static.courier.example/news.xml", "2026-12-06"), ("https://elsewhere.example/news.xml", "2026-12-06"),
        ("ftp://www.courier.example/old.xml", "2026-12-06"), (index_url, "2026-12-06"),
        ("https://www.courier.example/pages.xml", "2026-12-01"), ("https://www.courier.example/pages.xml", None)])
    seen = {index_url}

    ((fetched, followed),) = choose_sitemaps([index], 50, seen)

    assert fetched == ["https://static.courier.example/news.xml", "https://www.courier.example/pages.xml"]
    assert followed == ["https://static.courier.example/news.xml", index_url, "https://www.courier.example/pages.xml"]
    assert seen == {index_url, *fetched}


def test_sitemaps_with_credentials_or_another_port_are_not_fetched_and_one_spelt_three_ways_is_fetched_once() -> None:
    index = index_draft("https://courier.example/sitemap.xml", [
        ("https://editor:secret@courier.example/drafts.xml", "2026-12-06"),
        ("https://courier.example:8443/admin.xml", "2026-12-06"), ("http://courier.example:6379/x.xml", "2026-12-06"),
        ("https://courier.example:99999/bad-port.xml", "2026-12-06"),
        ("https://courier.example/news.xml#latest", "2026-12-05"), ("HTTPS://Courier.Example/news.xml", "2026-12-05"),
        ("https://courier.example/news.xml", "2026-12-05"), ("https://courier.example:443/pages.xml", "2026-12-04"),
        ("http://courier.example:80/old.xml", "2026-12-03")])

    ((fetched, followed),) = choose_sitemaps([index], 3, set())

    assert fetched == followed == ["https://courier.example/news.xml", "https://courier.example:443/pages.xml",
                                   "http://courier.example:80/old.xml"]


def test_an_index_whose_sitemaps_were_all_read_is_followed_and_one_with_unread_ones_left_over_is_not() -> None:
    read = ["https://courier.example/news.xml", "https://courier.example/sitemap.xml"]
    loop = index_draft("https://courier.example/more.xml", [(read[0], None), (read[1], None)])
    deeper = index_draft("https://courier.example/deeper.xml",
                         [(read[0], None), ("https://courier.example/old.xml", None)])

    assert choose_sitemaps([loop, deeper], 0, set(read)) == [([], read), ([], [])]


def test_an_index_keeps_no_validators_and_its_good_sitemaps_keep_theirs(
        tmp_path: Path, http_server: LocalHTTPServer) -> None:
    http_server.route("/index.xml", conditional(sitemap_index([(http_server.url("/a.xml"), "2026-12-06"),
                                                               (http_server.url("/b.xml"), "2026-12-05")]), '"i1"',
                                                "application/xml"))
    http_server.route("/a.xml", conditional(story_sitemap("one"), '"a1"', "application/xml"))
    feed = FeedConfig(source_id="courier", url=http_server.url("/index.xml"))

    first = fetch_configured_feeds([feed], tmp_path, SETTINGS, NOW)

    assert (first.counts["fetched"], first.counts["content_failed"]) == (1, 0)
    assert first.sitemap_counts == {"fetched": 1, "not_modified": 0, "failed": 1}
    assert [(error["source_id"], error["stage"], error["error_type"], error["uri"]) for error in first.errors] == [
        ("courier", "fetch", "http_status", http_server.url("/b.xml"))]
    with FeedStateStore(tmp_path) as store:
        assert (store.get("courier").etag, store.get("courier").consecutive_failures) == (None, 0)
        assert store.sitemap_validators("courier") == {http_server.url("/a.xml"): ('"a1"', None)}

    second = fetch_configured_feeds([feed], tmp_path, SETTINGS, NOW + dt.timedelta(hours=1))

    assert "if-none-match" not in http_server.requests_to("/index.xml")[-1].headers
    assert http_server.requests_to("/a.xml")[-1].headers["if-none-match"] == '"a1"'
    assert second.sitemap_counts == {"fetched": 0, "not_modified": 1, "failed": 1}
    assert second.counts["content_failed"] == 0  # the 304: its articles were written before
    with FeedStateStore(tmp_path) as store:
        assert store.sitemap_validators("courier") == {http_server.url("/a.xml"): ('"a1"', None)}


def test_an_index_whose_sitemaps_all_fail_is_a_content_failure_that_says_so(
        tmp_path: Path, http_server: LocalHTTPServer) -> None:
    http_server.route("/index.xml", Response(body=sitemap_index([(http_server.url("/gone.xml"), "2026-12-06"),
                                                                 (http_server.url("/page.xml"), "2026-12-05")])))
    http_server.route("/page.xml", Response(body=b"<html><body>Sitemap moved</body></html>",
                                            headers={"Content-Type": "text/html"}))

    outcome = fetch_configured_feeds([FeedConfig(source_id="courier", url=http_server.url("/index.xml"))],
                                     tmp_path, SETTINGS, NOW)

    assert (outcome.counts["fetched"], outcome.counts["content_failed"]) == (1, 1)
    with FeedStateStore(tmp_path) as store:
        state = store.get("courier")
        assert store.sitemap_validators("courier") == {}
    assert (state.consecutive_failures, state.failure_kind) == (1, "content")
    assert state.last_error.startswith("sitemap_index: none of the 2 sitemaps fetched from the index gave an article: "
                                       f"{http_server.url('/gone.xml')}: fetch:http_status: ")
    assert state.last_error.endswith("(and 1 more)")


def test_the_state_of_a_followed_index_waits_until_its_items_are_written(
        tmp_path: Path, http_server: LocalHTTPServer) -> None:
    http_server.route("/index.xml", Response(body=sitemap_index([(http_server.url("/a.xml"), None)])))
    http_server.route("/a.xml", conditional(story_sitemap("one"), '"a1"', "application/xml"))

    outcome = fetch_configured_feeds([FeedConfig(source_id="courier", url=http_server.url("/index.xml"))],
                                     tmp_path, SETTINGS, NOW, hold_body_state=True)

    with FeedStateStore(tmp_path) as store:
        assert (store.get("courier"), store.sitemap_validators("courier")) == (None, {})
    save_held_state(outcome, tmp_path)
    with FeedStateStore(tmp_path) as store:
        assert store.sitemap_validators("courier") == {http_server.url("/a.xml"): ('"a1"', None)}


def test_an_index_and_its_sitemaps_are_kept_in_the_raw_zone_naming_each_other(
        tmp_path: Path, http_server: LocalHTTPServer) -> None:
    http_server.route("/index.xml", Response(body=sitemap_index([(http_server.url("/old-home.xml"), None)])))
    http_server.route("/old-home.xml", Response(status=302, headers={"Location": "/a.xml"}))
    http_server.route("/a.xml", Response(body=story_sitemap("one"), headers=XML))

    outcome = fetch_configured_feeds([FeedConfig(source_id="courier", url=http_server.url("/index.xml"))],
                                     tmp_path, SETTINGS, NOW)

    index, sitemap = outcome.raw_documents
    assert index["sitemaps_followed"] == [http_server.url("/old-home.xml")] and "sitemap_index_url" not in index
    assert (sitemap["source_id"], sitemap["uri"], sitemap["feed_url"], sitemap["sitemap_index_url"]) == (
        "courier", http_server.url("/a.xml"), http_server.url("/index.xml"), http_server.url("/index.xml"))
    provenance = json.loads(Path(sitemap["raw_path"]).with_suffix(".json").read_text())
    assert (provenance["uri"], provenance["feed_url"], provenance["sitemap_index_url"]) == (
        sitemap["uri"], sitemap["feed_url"], sitemap["sitemap_index_url"])
    assert json.loads(Path(index["raw_path"]).with_suffix(".json").read_text())["sitemaps_followed"] == [
        http_server.url("/old-home.xml")]


def test_a_sitemap_redirected_to_a_body_already_read_is_read_once(tmp_path: Path, http_server: LocalHTTPServer) -> None:
    http_server.route("/index.xml", Response(body=sitemap_index([(http_server.url("/a.xml"), "2026-12-06"),
                                                                 (http_server.url("/alias.xml"), "2026-12-05")])))
    http_server.route("/alias.xml", Response(status=301, headers={"Location": "/a.xml"}))
    http_server.route("/a.xml", Response(body=story_sitemap("one"), headers=XML))

    outcome = fetch_configured_feeds([FeedConfig(source_id="courier", url=http_server.url("/index.xml"))],
                                     tmp_path, SETTINGS, NOW)

    assert [document["uri"] for document in outcome.raw_documents] == [http_server.url(path)
                                                                       for path in ("/index.xml", "/a.xml")]
    assert outcome.sitemap_counts["fetched"] == 2 and len(http_server.requests_to("/a.xml")) == 2


def test_an_index_whose_only_sitemap_leads_back_to_it_is_a_content_failure_that_says_so(
        tmp_path: Path, http_server: LocalHTTPServer) -> None:
    http_server.route("/index.xml", Response(body=sitemap_index([(http_server.url("/alias.xml"), None)])))
    http_server.route("/alias.xml", Response(status=301, headers={"Location": "/index.xml"}))

    outcome = fetch_configured_feeds([FeedConfig(source_id="courier", url=http_server.url("/index.xml"))],
                                     tmp_path, SETTINGS, NOW)

    assert [document["uri"] for document in outcome.raw_documents] == [http_server.url("/index.xml")]
    assert outcome.counts["content_failed"] == 1 and len(http_server.requests_to("/index.xml")) == 2
    with FeedStateStore(tmp_path) as store:
        assert store.get("courier").last_error.endswith(
            f"gave an article: {http_server.url('/alias.xml')}: the same body as a sitemap or index already read")


def test_two_indexes_listing_each_other_are_a_content_failure_not_a_crash(
        tmp_path: Path, http_server: LocalHTTPServer) -> None:
    http_server.route("/index.xml", Response(body=sitemap_index([(http_server.url("/more.xml"), None)])))
    http_server.route("/more.xml", Response(body=sitemap_index([(http_server.url("/index.xml"), None)])))

    outcome = fetch_configured_feeds([FeedConfig(source_id="courier", url=http_server.url("/index.xml"))],
                                     tmp_path, SETTINGS, NOW)

    assert (outcome.counts["fetched"], outcome.counts["content_failed"]) == (1, 1)
    assert len(http_server.requests_to("/index.xml")) == 1
    with FeedStateStore(tmp_path) as store:
        assert store.get("courier").last_error.endswith(
            f"gave an article: {http_server.url('/more.xml')}: an index whose sitemaps were all read already")
