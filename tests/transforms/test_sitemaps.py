"""Sitemaps: each <url> an article draft (Google News and image extensions read), an index one clear error (none
when its sitemaps were fetched), broken and odd sitemaps errors or partial recovery; times, body status and identity
through the article stages."""

from __future__ import annotations

import datetime as dt
import pathlib
from typing import Any

import pytest

from tests.feed_factory import rss
from transforms.full_text import attach_full_text
from transforms.html_cleaning import clean_article
from transforms.identity import identify_article
from transforms.language import annotate_language
from transforms.parsing import parse_document
from transforms.records import RawDocument, sha256_hex
from transforms.settings import TransformSettings
from transforms.sitemaps import read_listing, read_url_entry
from transforms.text import normalize_article_text
from transforms.timestamps import normalize_article_time

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "sitemaps"
FETCHED_AT = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.timezone.utc)
SETTINGS = TransformSettings()
LXML_CHUNK_BYTES = 32_768  # what lxml's iterparse reads at a time: it builds the entries of a chunk ahead
UTC = dt.timezone.utc
NAMESPACES = ('xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
              'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9" '
              'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"')


def make_raw(body: bytes, uri: str = "/in/sitemap.xml", **provenance: Any) -> RawDocument:
    raw: dict[str, Any] = {"kind": "raw", "uri": uri, "body": body, "fetched_at": FETCHED_AT,
                           "raw_sha256": sha256_hex(body), "raw_path": uri, "tags": []}
    return RawDocument(**{**raw, **provenance})


def urlset(entries: str, root: str = f"<urlset {NAMESPACES}>") -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{root}{entries}</urlset>'.encode()


def url(loc: str, inner: str = "") -> str:
    return f"<url><loc>{loc}</loc>{inner}</url>"


def news(title: str, published: str, *, name: str = "Caspian Courier", language: str = "en", extra: str = "") -> str:
    return (f"<news:news><news:publication><news:name>{name}</news:name><news:language>{language}</news:language>"
            f"</news:publication><news:publication_date>{published}</news:publication_date>"
            f"<news:title>{title}</news:title>{extra}</news:news>")


def parsed(body: bytes, **provenance: Any) -> list[dict[str, Any]]:
    return parse_document(make_raw(body, **provenance))


def articles(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [record for record in records if record["kind"] == "article"]


def errors(records: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(record["error_type"], record["message"]) for record in records if record["kind"] == "error"]


def through_stages(raw: RawDocument) -> list[dict[str, Any]]:
    """parse -> clean -> full text -> text -> language -> time -> identity, as the pipeline runs them."""
    stages = (clean_article, attach_full_text, normalize_article_text, annotate_language, normalize_article_time,
              identify_article)
    records = []
    for record in parse_document(raw):
        for stage in stages if record["kind"] == "article" else ():
            record = stage(record, SETTINGS)
        records.append(record)
    return records


def by_url(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {record["url"]: record for record in articles(records)}


# --- what an entry gives ------------------------------------------------------------------------------------


def test_a_google_news_entry_gives_title_publisher_language_time_tags_and_images() -> None:
    records = parsed((FIXTURES / "news_sitemap.xml").read_bytes())
    assert errors(records) == []
    cranes = articles(records)[0]
    assert cranes["url"] == "https://caspian-courier.example/business/2026/12/05/port-of-baku-cranes"
    assert cranes["document_type"] == "sitemap" and cranes["source_id"] == "caspian-courier.example"
    assert cranes["title"] == "Port of Baku orders four new cranes & a rail spur"
    assert (cranes["publisher"], cranes["publisher_url"]) == ("Caspian Courier", None)
    assert cranes["language_hint"] == "en"
    assert cranes["raw_published"] == "2026-12-05T09:30:00+04:00"
    assert cranes["raw_updated"] == "2026-12-05T16:20:00+04:00"
    assert cranes["tags"] == ["ports", "Baku", "Middle Corridor", "genre:PressRelease", "genre:Blog"]
    assert cranes["images"] == ["https://caspian-courier.example/images/cranes.jpg",
                                "https://caspian-courier.example/images/rail-spur.jpg"]
    assert cranes["summary_html"] is None and cranes["content_html"] is None and cranes["authors"] == []


def test_a_configured_language_and_tags_come_with_the_entries_own() -> None:
    records = parsed((FIXTURES / "news_sitemap.xml").read_bytes(), language_hint="az", tags=["regional"],
                     source_id="courier")
    first = articles(records)[0]
    assert first["language_hint"] == "az" and first["source_id"] == "courier"
    assert first["tags"][-1] == "regional" and "ports" in first["tags"]


def test_every_entry_reaches_the_dataset_with_its_times_named_and_no_body() -> None:
    found = by_url(through_stages(make_raw((FIXTURES / "news_sitemap.xml").read_bytes())))
    cranes = found["https://caspian-courier.example/business/2026/12/05/port-of-baku-cranes"]
    assert cranes["published_at"] == dt.datetime(2026, 12, 5, 5, 30, tzinfo=UTC)
    assert cranes["published_offset_minutes"] == 240
    assert cranes["time_source"] == "sitemap.news.publication_date" and cranes["time_flags"] == []
    assert cranes["updated_at"] == dt.datetime(2026, 12, 5, 12, 20, tzinfo=UTC)
    assert cranes["body_status"] == "empty" and cranes["body_text"] is None and cranes["language"] == "en"
    ferry = found["https://caspian-courier.example/world/2026/12/05/aktau-ferry?utm_source=sitemap"]
    assert ferry["canonical_url"] == "https://caspian-courier.example/world/2026/12/05/aktau-ferry"
    assert ferry["published_at"] == dt.datetime(2026, 12, 5, tzinfo=UTC)
    assert ferry["time_flags"] == ["no_zone", "date_only"]
    assert ferry["updated_at"] is None


def test_lastmod_is_never_a_publication_time_only_a_fallback_flagged_as_such() -> None:
    contact = by_url(through_stages(make_raw((FIXTURES / "news_sitemap.xml").read_bytes())))[
        "https://caspian-courier.example/about/contact"]
    assert contact["title"] is None and contact["publisher"] is None and contact["body_status"] == "empty"
    assert contact["published_at"] == contact["updated_at"] == dt.datetime(2026, 11, 20, tzinfo=UTC)
    assert contact["time_source"] == "sitemap.lastmod"
    assert contact["time_flags"] == ["fallback", "no_zone", "date_only"]


@pytest.mark.parametrize(("entry", "time_source", "flags", "updated_at"), [
    (url("https://quay.example/a"), "fetched_at", ["fallback"], None),
    (url("https://quay.example/a", "<lastmod>last tuesday-ish</lastmod>"), "fetched_at", ["unparseable", "fallback"],
     None),
    (url("https://quay.example/a", "<lastmod>2031-01-01T00:00:00Z</lastmod>"), "fetched_at",
     ["implausible_future", "fallback"], None),
    (url("https://quay.example/a", "<lastmod>2026-12-01T08:00:00Z</lastmod>" + news("T", "2026-13-45T99:00")),
     "sitemap.lastmod", ["unparseable", "fallback"], dt.datetime(2026, 12, 1, 8, tzinfo=UTC)),
], ids=["no-time", "bad-lastmod", "future-lastmod", "bad-publication-date"])
def test_bad_or_missing_times_fall_back_with_their_flags(entry: str, time_source: str, flags: list[str],
                                                         updated_at: dt.datetime | None) -> None:
    (article,) = through_stages(make_raw(urlset(entry)))
    assert (article["time_source"], article["time_flags"], article["updated_at"]) == (time_source, flags, updated_at)
    assert article["published_at"] == (updated_at or FETCHED_AT)


@pytest.mark.parametrize("root", [
    "<urlset>", '<urlset xmlns="http://www.google.com/schemas/sitemap/0.84">',
    '<sm:urlset xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9">',
], ids=["no-namespace", "google-0.84", "prefixed"])
def test_every_namespace_form_of_a_sitemap_is_read(root: str) -> None:
    entry = "<url><loc>https://quay.example/a</loc><lastmod>2026-12-01</lastmod></url>"
    if root.startswith("<sm:"):
        entry = entry.replace("<", "<sm:").replace("<sm:/", "</sm:")
    body = urlset(entry, root).replace(b"</urlset>", b"</sm:urlset>" if root.startswith("<sm:") else b"</urlset>")
    (article,) = parsed(body)
    assert (article["url"], article["raw_updated"]) == ("https://quay.example/a", "2026-12-01")


def test_news_elements_with_an_undeclared_prefix_are_still_read() -> None:
    body = urlset(url("https://quay.example/a", news("Quay reopens", "2026-12-01T10:00:00Z")),
                  root='<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
    (article,) = parsed(body)
    assert (article["title"], article["publisher"]) == ("Quay reopens", "Caspian Courier")
    assert "missing_namespaces_declared" in article["quality_flags"]


def test_a_sitemap_in_latin_1_keeps_its_accents() -> None:
    body = urlset(url("https://quay.example/a", news("Fähre fällt aus", "2026-12-01T10:00:00Z", language="de")))
    (article,) = parsed(body.replace(b"UTF-8", b"ISO-8859-1").decode().encode("latin-1"))
    assert (article["title"], article["language_hint"]) == ("Fähre fällt aus", "de")


def test_a_publication_name_that_is_a_url_or_a_language_that_is_no_code_is_not_used() -> None:
    body = urlset(url("https://quay.example/a", news("T", "2026-12-01T10:00:00Z", name="https://quay.example/",
                                                     language="the language of ports")))
    (article,) = parsed(body)
    assert (article["publisher"], article["language_hint"]) == (None, None)


def test_a_one_line_value_of_megabytes_is_dropped_and_flagged() -> None:
    body = urlset(url("https://quay.example/a", news("T" * 20_000, "2026-12-01T10:00:00Z",
                                                     extra=f"<news:keywords>{'port, ' * 5_000}</news:keywords>")))
    (article,) = parsed(body)
    assert article["title"] is None and "oversized_fields_removed" in article["quality_flags"]
    assert article["raw_published"] == "2026-12-01T10:00:00Z"


def test_keywords_are_capped_and_deduplicated() -> None:
    keywords = ", ".join(f"tag {number % 150}" for number in range(600))
    body = urlset(url("https://quay.example/a", news("T", "2026-12-01T10:00:00Z",
                                                     extra=f"<news:keywords>{keywords}</news:keywords>")))
    (article,) = parsed(body)
    assert article["tags"] == [f"tag {number}" for number in range(100)]


# --- links: relative, refused, repeated --------------------------------------------------------------------


def test_relative_locs_resolve_against_the_sitemaps_own_url() -> None:
    body = urlset(url("/news/a") + url("b"))
    sitemap_url = "https://quay.example/sitemaps/news.xml"
    fetched = parsed(body, uri=sitemap_url, feed_url=sitemap_url)
    assert [article["url"] for article in fetched] == ["https://quay.example/news/a", "https://quay.example/sitemaps/b"]
    assert {article["feed_url"] for article in fetched} == {"https://quay.example/sitemaps/news.xml"}


def test_locs_that_are_no_http_url_give_one_error_naming_them_and_the_others_are_kept() -> None:
    body = urlset(url("https://quay.example/a") + url("ftp://quay.example/b") + url("javascript:alert(1)")
                  + url("/relative/c") + "<url><lastmod>2026-12-01</lastmod></url>" + url("https://quay.example/d"))
    records = parsed(body)
    assert [article["url"] for article in articles(records)] == ["https://quay.example/a", "https://quay.example/d"]
    ((error_type, message),) = errors(records)
    assert error_type == "invalid_loc"
    assert message.startswith("4 <url> entries skipped: their <loc> is missing or not an absolute http(s) URL")
    assert "no sitemap URL to resolve against" in message
    assert "'ftp://quay.example/b', 'javascript:alert(1)', '/relative/c', ..." in message


def test_a_url_listed_twice_is_one_article_the_first_entry() -> None:
    body = urlset(url("https://quay.example/a", news("First", "2026-12-01T10:00:00Z")) + url("https://quay.example/b")
                  + url("https://quay.example/a", news("Second", "2026-12-02T10:00:00Z"))
                  + url("https://quay.example/a", news("Third", "2026-12-03T10:00:00Z")))
    records = parsed(body)
    assert [(article["url"], article["title"]) for article in records] == [
        ("https://quay.example/a", "First"), ("https://quay.example/b", None)]


# --- broken and empty sitemaps, an index -----------------------------------------------------------------


def test_a_truncated_sitemap_keeps_the_whole_entries_and_says_it_was_cut() -> None:
    body = urlset("".join(url(f"https://quay.example/{number}") for number in range(3)))
    cut = body[: body.index(b"/2</loc>")]  # in the middle of the third entry's <loc>
    records = parsed(cut)
    assert [article["url"] for article in articles(records)] == ["https://quay.example/0", "https://quay.example/1"]
    assert all("recovered_from_malformed_feed" in article["quality_flags"] for article in articles(records))
    ((error_type, message),) = errors(records)
    assert error_type == "malformed_xml_partial"
    assert message.startswith("sitemap is malformed (XML not well-formed at line 2") and "2 URLs recovered" in message


def test_a_sitemap_broken_before_its_first_entry_is_a_malformed_xml_error() -> None:
    assert errors(parsed(b'<?xml version="1.0"?><urlset><url><loc>https://quay.example/a')) == [
        ("malformed_xml", "no URLs could be read: XML not well-formed at line 1, column 62: "
                          "Premature end of data in tag loc line 1")]


def test_an_empty_sitemap_says_so() -> None:
    assert errors(parsed(urlset(""))) == [("empty_feed", "the sitemap lists no URLs")]


def test_html_served_where_a_sitemap_was_configured_is_not_a_feed() -> None:
    body = b"<!DOCTYPE html><html><body><h1>Maintenance</h1></body></html>"
    records = parse_document({**make_raw(body, uri="https://quay.example/sitemap.xml"), "expected_type": "feed"})
    assert [record["error_type"] for record in records] == ["not_a_feed"]


def test_a_sitemap_index_is_one_error_naming_its_sitemaps_newest_first() -> None:
    records = parsed((FIXTURES / "sitemap_index.xml").read_bytes())
    ((error_type, message),) = errors(records)
    assert error_type == "sitemap_index"
    assert message == (
        "a sitemap index: it lists 4 sitemaps and no articles (newest first: "
        "https://caspian-courier.example/sitemaps/news.xml, "
        "https://caspian-courier.example/sitemaps/archive-2026.xml.gz, "
        "https://caspian-courier.example/sitemaps/pages.xml, ...). Its sitemaps were not read: newsbeam run reads "
        "the newest of them (sitemap_children in feeds.toml) for an index at a feed URL or listed by one, on the "
        "index's own site; otherwise list them as feeds in feeds.toml or give them to newsbeam ingest")


def test_an_index_without_sitemaps_says_so() -> None:
    body = b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></sitemapindex>'
    assert errors(parsed(body)) == [("sitemap_index", "a sitemap index that lists no sitemaps")]


def test_an_index_whose_sitemaps_were_fetched_gives_nothing_as_they_give_its_articles() -> None:
    followed = ["https://caspian-courier.example/sitemaps/news.xml"]
    body = (FIXTURES / "sitemap_index.xml").read_bytes()

    assert parsed(body, feed_url="https://caspian-courier.example/sitemap.xml", sitemaps_followed=followed) == []
    assert [record["error_type"] for record in parsed(body, sitemaps_followed=[])] == ["sitemap_index"]


def test_a_sitemap_listed_by_an_index_resolves_relative_locs_against_its_own_url() -> None:
    body = urlset(url("../world/ferry") + url("/business/cranes"))
    provenance = {"feed_url": "https://caspian-courier.example/sitemap.xml"}  # the feed's URL is the index's

    own = parsed(body, uri="https://caspian-courier.example/sitemaps/news/today.xml",
                 sitemap_index_url="https://caspian-courier.example/sitemap.xml", **provenance)
    redirected = parsed(body, uri="https://caspian-courier.example/sitemaps/news/today.xml", **provenance)

    assert [record["url"] for record in articles(own)] == [
        "https://caspian-courier.example/sitemaps/world/ferry", "https://caspian-courier.example/business/cranes"]
    assert articles(redirected) == articles(own)  # a redirect's end is where the body came from, too
    assert {record["feed_url"] for record in articles(own)} == {"https://caspian-courier.example/sitemap.xml"}


def test_entity_declarations_in_a_sitemap_expand_nothing_and_read_no_file(tmp_path: pathlib.Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    body = (f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file://{secret}">'
            '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            f"<urlset>{url('https://quay.example/a', news('&xxe; &b;', '2026-12-01T10:00:00Z'))}</urlset>").encode()
    records = parsed(body)
    assert "TOP-SECRET" not in repr(records) and "aaaaaaaaaaaaaaaaaaaa" not in repr(records)
    assert articles(records)[0]["url"] == "https://quay.example/a"


def test_the_tree_holds_only_the_entries_of_one_read_chunk_whatever_the_sitemaps_size() -> None:
    entries = [url(f"https://quay.example/{number:05d}", news("T", "2026-12-01")) for number in range(10_000)]
    siblings_seen: list[int] = []

    def read(element: Any) -> Any:
        siblings_seen.append(len(element.getparent()))  # the root's children still in the tree
        return read_url_entry(element)

    listing = read_listing(make_raw(urlset("".join(entries))), "url", read, 10_000)
    assert len(listing.entries) == listing.found == 10_000
    assert max(siblings_seen) <= 2 * LXML_CHUNK_BYTES // len(entries[0])  # read ahead: a chunk, not the file


# --- identity: a site read through its sitemap and its feed is one article per page ---------------------------


def test_an_entry_and_the_feed_item_of_the_same_page_have_one_article_id() -> None:
    sitemap = through_stages(make_raw((FIXTURES / "news_sitemap.xml").read_bytes()))
    feed = rss([("ferry-1", "https://caspian-courier.example/world/2026/12/05/aktau-ferry?utm_medium=rss",
                 "Night ferry to Aktau returns after the storm", "The crossing took nineteen hours."),
                ("cranes-1", "https://caspian-courier.example/business/2026/12/05/port-of-baku-cranes",
                 "Port of Baku orders cranes", "Four cranes.")], site="https://caspian-courier.example/")
    items = through_stages(make_raw(feed, uri="/in/courier.rss"))
    sitemap_ids = {record["canonical_url"]: record["article_id"] for record in articles(sitemap)}
    feed_ids = {record["canonical_url"]: record["article_id"] for record in articles(items)}
    assert feed_ids.items() <= sitemap_ids.items() and len(feed_ids) == 2

