"""``newsbeam run --full-text`` end to end: a real server on 127.0.0.1, the real pipeline, Parquet read back."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import pathlib

import duckdb
import pytest

from pipeline.cli import main
from tests.feed_factory import feedburner_rss, feedflare, rss, whole_post
from tests.http_server import LocalHTTPServer, RecordedRequest, Response, sequence

PAGES = pathlib.Path(__file__).parent.parent / "fixtures" / "pages"
HTML = {"Content-Type": "text/html; charset=utf-8"}
GAP_TOLERANCE_S = 0.02


def page(fixture: str) -> Response:
    return Response(body=(PAGES / f"{fixture}.html").read_bytes(), headers=HTML)


def story_page(number: int) -> Response:
    """A generated article page, long enough to be extracted."""
    paragraphs = "".join(f"<p>Paragraph {n} of story {number}: the ferry from Baku to Aktau carried trucks, "
                         f"wagons and passengers across the Caspian Sea again this week.</p>" for n in range(6))
    return Response(body=(f"<html lang='en'><head><title>Story {number}</title></head><body><nav><a href='/'>Home"
                          f"</a></nav><article><h1>Story {number}</h1>{paragraphs}</article></body></html>").encode(),
                    headers=HTML)


def write_config(tmp_path: pathlib.Path, feeds: dict[str, str], full_text: set[str] = frozenset()) -> pathlib.Path:
    config = tmp_path / "feeds.toml"
    config.write_text("".join(
        f'[[feed]]\nid = "{source}"\nurl = "{url}"\npoll_interval_s = 60\n'
        f'full_text = {"true" if source in full_text else "false"}\n\n' for source, url in feeds.items()))
    return config


def serve_teaser_feed(http_server: LocalHTTPServer) -> list[str]:
    """``/feed.xml``: four teasers whose pages are full, paywalled, a generated story and missing; their links."""
    links = [http_server.url(path) for path in ("/articles/full", "/articles/paywalled", "/story/1", "/missing")]
    http_server.route("/feed.xml", Response(body=rss([(f"g{n}", link, f"Story {n}", "A teaser.")
                                                      for n, link in enumerate(links)])))
    http_server.route("/articles/full", page("article_full"))
    http_server.route("/articles/paywalled", page("article_paywalled"))
    http_server.route("/story/1", story_page(1))
    return links


def run_once(config: pathlib.Path, output: pathlib.Path, capsys: pytest.CaptureFixture, *extra: str) -> str:
    assert main(["run", "--config", str(config), "--output", str(output), "--force", "--shards", "2",
                 "--retries", "0", "--timeout", "2", *extra]) == 0
    return capsys.readouterr().out


def rows(output: pathlib.Path) -> dict[str, dict]:
    """Article rows by their URL's path."""
    relation = duckdb.sql(f"SELECT * FROM read_parquet('{output}/articles/**/*.parquet', hive_partitioning=true)")
    records = [dict(zip(relation.columns, values)) for values in relation.fetchall()]
    return {"/" + record["url"].split("/", 3)[3]: record for record in records}


def page_requests(server: LocalHTTPServer) -> list[RecordedRequest]:
    return [request for request in server.requests if not request.path.endswith((".xml", "/robots.txt"))]


@pytest.fixture
def courier(http_server: LocalHTTPServer, tmp_path: pathlib.Path) -> pathlib.Path:
    """A feed of teasers whose pages are full, paywalled, PDF, missing, or disallowed by robots.txt."""
    paths = ["/articles/full", "/articles/paywalled", "/files/report.pdf", "/articles/missing", "/private/secret"]
    http_server.route("/feed.xml", Response(body=rss([(f"g{n}", http_server.url(path), f"Story {n}", "A teaser.")
                                                      for n, path in enumerate(paths)])))
    http_server.route("/robots.txt", Response(body=b"User-agent: *\nDisallow: /private/\n"))
    http_server.route("/articles/full", page("article_full"))
    http_server.route("/articles/paywalled", page("article_paywalled"))
    http_server.route("/files/report.pdf", Response(body=b"%PDF-1.7\n1 0 obj", headers={"Content-Type": "application/pdf"}))
    return write_config(tmp_path, {"courier": http_server.url("/feed.xml")})


def test_every_item_gets_a_body_status_and_full_pages_their_body(
        http_server: LocalHTTPServer, courier: pathlib.Path, tmp_path: pathlib.Path,
        capsys: pytest.CaptureFixture) -> None:
    output = tmp_path / "out"
    summary = run_once(courier, output, capsys, "--full-text", "--allow-private-addresses", "--page-rate", "50")

    found = rows(output)
    assert {path: row["body_status"] for path, row in found.items()} == {
        "/articles/full": "full", "/articles/paywalled": "paywalled", "/files/report.pdf": "not_html",
        "/articles/missing": "teaser_only", "/private/secret": "blocked_by_robots"}
    full = found["/articles/full"]
    assert "Middle Corridor" in full["body_text"] and full["summary_text"] == "A teaser."
    assert full["authors"] == ["Leyla Mammadova"] and full["field_sources"]["authors"] == "page.json_ld"
    assert full["images"][0] == http_server.url("/images/cranes-lead.jpg")
    assert "page_http_status" in found["/articles/missing"]["quality_flags"]
    assert http_server.requests_to("/private/secret") == []
    assert "body status" in summary and "blocked_by_robots" in summary and "paywalled" in summary
    (manifest_path,) = (output / "_runs").glob("*.json")
    manifest = json.loads(manifest_path.read_text())
    assert manifest["counts"]["body_status"] == {"blocked_by_robots": 1, "full": 1, "not_html": 1,
                                                 "paywalled": 1, "teaser_only": 1}
    assert manifest["pages"]["fetched"] == 2 and manifest["pages"]["failed"] == 1


def test_page_canonical_refines_canonical_url_but_never_the_article_id(
        http_server: LocalHTTPServer, courier: pathlib.Path, tmp_path: pathlib.Path,
        capsys: pytest.CaptureFixture) -> None:
    run_once(courier, tmp_path / "plain", capsys)
    run_once(courier, tmp_path / "full", capsys, "--full-text", "--allow-private-addresses", "--page-rate", "50")

    plain, full = rows(tmp_path / "plain"), rows(tmp_path / "full")
    assert {path: row["article_id"] for path, row in plain.items()} == {
        path: row["article_id"] for path, row in full.items()}
    assert plain["/articles/full"]["canonical_url"] == http_server.url("/articles/full")
    assert full["/articles/full"]["canonical_url"] == http_server.url("/business/port-of-baku-cranes")
    assert {row["body_status"] for row in plain.values()} == {"teaser_only"}


def test_a_run_with_full_text_after_one_without_updates_the_rows_in_place(
        courier: pathlib.Path, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    output = tmp_path / "out"
    run_once(courier, output, capsys)
    run_once(courier, output, capsys, "--full-text", "--allow-private-addresses", "--page-rate", "50")

    ((rows_total, ids),) = duckdb.sql(f"SELECT count(*), count(DISTINCT article_id) FROM read_parquet("
                                     f"'{output}/articles/**/*.parquet')").fetchall()
    assert rows_total == ids == 5 and rows(output)["/articles/full"]["body_status"] == "full"


def test_a_rerun_reads_unchanged_pages_from_the_raw_zone_without_a_request(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    http_server.route("/feed.xml", Response(body=rss([("g1", http_server.url("/articles/full"), "Cranes", "Teaser.")])))
    http_server.route("/articles/full", page("article_full"))
    config = write_config(tmp_path, {"courier": http_server.url("/feed.xml")}, full_text={"courier"})
    output = tmp_path / "out"

    run_once(config, output, capsys, "--allow-private-addresses")
    first = rows(output)
    summary = run_once(config, output, capsys, "--allow-private-addresses")

    assert len(http_server.requests_to("/articles/full")) == 1 and len(http_server.requests_to("/robots.txt")) == 1
    assert rows(output) == first and first["/articles/full"]["body_status"] == "full"
    assert "reused from earlier runs" in summary and "unchanged (already written)  1" in summary


def test_only_feeds_configured_for_full_text_get_their_pages(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    http_server.route("/one.xml", Response(body=rss([("a", http_server.url("/one/story"), "One", "Teaser.")])))
    http_server.route("/two.xml", Response(body=rss([("b", http_server.url("/two/story"), "Two", "Teaser.")])))
    http_server.route("/one/story", page("article_full"))
    http_server.route("/two/story", page("article_full"))
    config = write_config(tmp_path, {"one": http_server.url("/one.xml"), "two": http_server.url("/two.xml")},
                          full_text={"one"})

    run_once(config, tmp_path / "out", capsys, "--allow-private-addresses")

    assert [request.path for request in page_requests(http_server)] == ["/one/story"]
    statuses = {path: row["body_status"] for path, row in rows(tmp_path / "out").items()}
    assert statuses == {"/one/story": "full", "/two/story": "teaser_only"}


def test_an_item_linking_to_a_section_front_keeps_its_feed_text_and_says_why(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    listing = (pathlib.Path(__file__).parent.parent / "fixtures" / "listing" / "section_world_list.html").read_bytes()
    http_server.route("/feed.xml", Response(body=rss([("a", http_server.url("/world/"), "World", "The day's news."),
                                                      ("b", http_server.url("/story/1"), "One", "Teaser.")])))
    http_server.route("/world/", Response(body=listing, headers=HTML))
    http_server.route("/story/1", story_page(1))
    config = write_config(tmp_path, {"courier": http_server.url("/feed.xml")}, full_text={"courier"})

    summary = run_once(config, tmp_path / "out", capsys, "--allow-private-addresses", "--page-rate", "50")

    found = rows(tmp_path / "out")
    world = found["/world/"]
    assert (world["body_status"], world["summary_text"], world["title"]) == ("empty", "The day's news.", "World")
    assert "page_listing" in world["quality_flags"] and not world["field_sources"]
    assert world["canonical_url"] == http_server.url("/world/")
    assert found["/story/1"]["body_status"] == "full"
    assert "empty" in summary


def test_links_to_private_addresses_are_not_fetched_by_default(
        http_server: LocalHTTPServer, courier: pathlib.Path, tmp_path: pathlib.Path,
        capsys: pytest.CaptureFixture) -> None:
    run_once(courier, tmp_path / "out", capsys, "--full-text")

    assert page_requests(http_server) == [] and http_server.requests_to("/robots.txt") == []
    found = rows(tmp_path / "out")
    assert {row["body_status"] for row in found.values()} == {"teaser_only"}
    assert all("page_private_address" in row["quality_flags"] for row in found.values())


def test_fifty_pages_from_one_host_keep_to_its_rate(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    http_server.route("/feed.xml", Response(body=rss([(f"s{n}", http_server.url(f"/story/{n}"), f"Story {n}", "Teaser.")
                                                      for n in range(50)])))
    for number in range(50):
        http_server.route(f"/story/{number}", story_page(number))
    config = write_config(tmp_path, {"courier": http_server.url("/feed.xml")})

    run_once(config, tmp_path / "out", capsys, "--full-text", "--allow-private-addresses", "--page-rate", "5")

    requests = [request for request in http_server.requests if request.path != "/feed.xml"]  # robots.txt counts
    times = sorted(request.received_at for request in requests)
    assert len(times) == 51
    assert min(later - earlier for earlier, later in zip(times, times[1:])) >= 0.2 - GAP_TOLERANCE_S
    assert {row["body_status"] for row in rows(tmp_path / "out").values()} == {"full"}


def test_retry_after_is_honoured_for_the_page_and_its_host(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    http_server.route("/feed.xml", Response(body=rss([(f"s{n}", http_server.url(f"/story/{n}"), f"Story {n}", "Teaser.")
                                                      for n in range(3)])))
    http_server.route("/story/0", sequence(Response(status=429, headers={"Retry-After": "1"}), story_page(0)))
    for number in (1, 2):
        http_server.route(f"/story/{number}", story_page(number))
    config = write_config(tmp_path, {"courier": http_server.url("/feed.xml")})

    run_once(config, tmp_path / "out", capsys, "--full-text", "--allow-private-addresses", "--page-rate", "20",
             "--retries", "1")

    refused, retried = (request.received_at for request in http_server.requests_to("/story/0"))
    assert retried - refused >= 1.0 - GAP_TOLERANCE_S
    later = [request.received_at for request in page_requests(http_server) if request.received_at > refused]
    assert all(when - refused >= 1.0 - GAP_TOLERANCE_S for when in later)
    assert {row["body_status"] for row in rows(tmp_path / "out").values()} == {"full"}


def test_a_feedburner_feed_gives_article_urls_clean_links_cut_summaries_flagged_and_whole_posts_as_bodies(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    full, whole = http_server.url("/articles/full"), http_server.url("/articles/whole")
    http_server.route("/feed.xml", Response(body=feedburner_rss([
        ("g1", full, "Cranes", "<p>Two cranes arrived at the port [&hellip;]</p>", "<p>Two cranes.</p>" + feedflare()),
        ("g2", whole, "Night ferry", whole_post() + feedflare(token="Zx81"), None),
    ])))
    http_server.route("/articles/full", page("article_full"))
    http_server.route("/articles/whole", story_page(2))
    config = write_config(tmp_path, {"courier": http_server.url("/feed.xml")})

    run_once(config, tmp_path / "out", capsys, "--full-text", "--allow-private-addresses", "--page-rate", "50")

    found = rows(tmp_path / "out")
    assert set(found) == {"/articles/full", "/articles/whole"}  # origLink, not feeds.feedburner.com/~r/
    cranes, ferry = found["/articles/full"], found["/articles/whole"]
    assert cranes["summary_text"] == "Two cranes arrived at the port" and "summary_truncated" in cranes["quality_flags"]
    assert (cranes["body_status"], cranes["field_sources"]["body_text"]) == ("full", "page")
    assert ferry["body_status"] == "full" and "body_from_summary" in ferry["quality_flags"]
    assert ferry["body_text"] == ferry["summary_text"] and ferry["body_text"].startswith("Part 1: the night ferry")
    assert "Add to" not in ferry["body_text"]
    assert not [url for row in found.values() for url in row["links"] + row["images"] if "feedburner" in url]
    assert [request.path for request in page_requests(http_server)] == ["/articles/full"]  # the whole post: no request


def news_sitemap(entries: list[tuple[str, str, str]]) -> bytes:
    """A Google News sitemap of (link, title, publication date) entries, with the publication's name."""
    urls = "".join(f"<url><loc>{link}</loc><lastmod>2026-12-05T16:00:00Z</lastmod><news:news><news:publication>"
                   f"<news:name>Caspian Courier</news:name><news:language>en</news:language></news:publication>"
                   f"<news:publication_date>{published}</news:publication_date><news:title>{title}</news:title>"
                   f"</news:news></url>" for link, title, published in entries)
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>').encode()


@pytest.mark.parametrize("compressed", [False, True], ids=["sitemap.xml", "sitemap.xml.gz"])
def test_a_news_sitemap_as_a_feed_gets_its_pages_fetched_and_their_body_text_written(
        http_server: LocalHTTPServer, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture, compressed: bool) -> None:
    links = [http_server.url(path) for path in ("/articles/full", "/story/1", "/story/2", "/missing")]
    body = news_sitemap([(link, f"Sitemap title {number}", f"2026-12-05T0{number}:00:00+04:00")
                         for number, link in enumerate(links)])
    headers = {"Content-Type": "application/x-gzip"} if compressed else {"Content-Type": "application/xml"}
    http_server.route("/news-sitemap.xml", Response(body=gzip.compress(body) if compressed else body, headers=headers))
    http_server.route("/articles/full", page("article_full"))
    http_server.route("/story/1", story_page(1))
    http_server.route("/story/2", story_page(2))
    config = write_config(tmp_path, {"courier": http_server.url("/news-sitemap.xml")}, full_text={"courier"})
    output = tmp_path / "out"

    summary = run_once(config, output, capsys, "--allow-private-addresses", "--page-rate", "50")

    found = rows(output)
    assert {path: row["body_status"] for path, row in found.items()} == {
        "/articles/full": "full", "/story/1": "full", "/story/2": "full", "/missing": "teaser_only"}
    full, story = found["/articles/full"], found["/story/1"]
    assert "Middle Corridor" in full["body_text"] and "Paragraph 5 of story 1" in story["body_text"]
    assert {row["document_type"] for row in found.values()} == {"sitemap"}
    assert story["title"] == "Sitemap title 1" and story["publisher"] == "Caspian Courier"  # the sitemap's own win
    assert story["time_source"] == "sitemap.news.publication_date"
    assert story["published_at"] == dt.datetime(2026, 12, 4, 21, tzinfo=dt.timezone.utc)
    assert full["authors"] == ["Leyla Mammadova"] and full["field_sources"]["body_text"] == "page"
    assert "page_http_status" in found["/missing"]["quality_flags"] and found["/missing"]["body_text"] is None
    assert "pages (full text)" in summary and len(http_server.requests_to("/story/2")) == 1
