"""Feed parsing: every RSS/RDF/Atom flavour to article drafts, broken feeds to flagged items and errors."""

from __future__ import annotations

import datetime as dt
import http.server
import pathlib
import threading
from typing import Any, Iterator

import pytest

from transforms.feeds import parse_feed
from transforms.html_cleaning import clean_html
from transforms.identity import (canonicalize_url, compute_article_id, distinguish_shared_links,
                                identify_article)
from transforms.records import RawDocument, sha256_hex
from transforms.settings import TransformSettings

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "feeds"
FETCHED_AT = dt.datetime(2024, 6, 3, 12, 0, tzinfo=dt.timezone.utc)
SETTINGS = TransformSettings()


def make_raw(body: bytes, **provenance: Any) -> RawDocument:
    raw: dict[str, Any] = {"kind": "raw", "uri": "/in/feed.xml", "body": body, "fetched_at": FETCHED_AT,
                           "raw_sha256": sha256_hex(body), "raw_path": "/in/feed.xml", "tags": []}
    return RawDocument(**{**raw, **provenance})


def parse_fixture(name: str, **provenance: Any) -> list[dict[str, Any]]:
    return parse_feed(make_raw((FIXTURES / name).read_bytes(), **provenance))


def articles(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [record for record in records if record["kind"] == "article"]


def errors(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [record for record in records if record["kind"] == "error"]


def rss(items: str, channel_extra: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
            f"<link>https://quay.example.org/</link>{channel_extra}{items}</channel></rss>").encode()


# --- formats ---------------------------------------------------------------------------------------

def test_rss_091_items_have_title_link_description_and_channel_language() -> None:
    records = parse_fixture("rss091.xml")
    assert errors(records) == []
    first, second = records
    assert first["document_type"] == "rss"
    assert first["title"] == "Ferry timetable changes for winter"
    assert first["url"] == "http://gazette.example.org/news/ferry-winter.html"
    assert first["summary_html"] == "The evening crossing moves to 18:30 from November."
    assert first["language_hint"] == "en-gb"
    assert first["source_id"] == "gazette.example.org"
    assert second["title"] == "Lighthouse reopens after repairs"


def test_rss_091_item_without_pubdate_has_no_fake_times() -> None:
    for record in parse_fixture("rss091.xml"):
        assert record["raw_published"] is None
        assert record["raw_updated"] is None


def test_rss_092_keeps_description_only_items_and_categories() -> None:
    records = parse_fixture("rss092.xml")
    assert errors(records) == []
    show, description_only = records
    assert show["tags"] == ["Farming"]
    assert show["url"] is None
    assert description_only["title"] is None
    assert description_only["summary_html"] == "A description-only item, as RSS 0.92 allows."


def test_rss_20_item_has_full_content_creator_categories_and_guid() -> None:
    river = parse_fixture("rss20.xml")[0]
    assert river["document_type"] == "rss"
    assert river["guid"] == "meridian-2024-0311-river"
    assert river["url"] == "https://www.meridian-post.example.com/2024/03/river-levels?utm_source=rss"
    assert river["authors"] == ["Ana Petrović"]
    assert river["tags"] == ["Weather", "Environment", "Regional"]
    assert river["summary_html"] == "Flood warnings were lifted on Monday."
    assert "<b>two metres</b>" in river["content_html"] and "levees" in river["content_html"]
    assert river["raw_published"] == "Mon, 11 Mar 2024 08:15:00 +0100"
    assert river["source_id"] == "meridian-post.example.com"


def test_rss_author_gives_one_name_per_person() -> None:
    items = "".join(f"<item><title>T{number}</title><author>{author}</author></item>" for number, author in enumerate([
        "newsdesk@harbor.industries (Mira Ostrova)",  # feedparser alone cuts this one: "stries (Mira Ostrova"
        "By MARTA VOSS and ELI GRANT, Associated Press",
        "teo@harbor.example",
    ]))
    ostrova, voss_and_grant, address_only = parse_feed(make_raw(rss(items)))
    assert ostrova["authors"] == ["Mira Ostrova"]
    assert voss_and_grant["authors"] == ["Marta Voss", "Eli Grant"]
    assert address_only["authors"] == ["teo@harbor.example"]


def test_atom_authors_with_and_without_names_give_the_names() -> None:
    body = ('<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry><title>E</title><id>urn:e</id>'
            "<author><name>Lena Hartwig, Harbor News</name><email>lena@harbor.example</email></author>"
            "<author><email>desk@harbor.example</email></author></entry></feed>").encode()
    (entry,) = parse_feed(make_raw(body))
    assert entry["authors"] == ["Lena Hartwig"]


def test_rss_item_without_pubdate_has_no_fake_updated_time() -> None:
    cycle_lanes = parse_fixture("rss20.xml")[1]
    assert cycle_lanes["raw_published"] is None
    assert cycle_lanes["raw_updated"] is None


def test_rss_item_with_pubdate_only_is_not_given_an_update_time() -> None:
    river = parse_fixture("rss20.xml")[0]
    assert river["raw_updated"] is None


def test_rdf_item_dc_date_is_its_publication_time() -> None:
    (item,) = parse_fixture("rss10.rdf")
    assert item["document_type"] == "rdf"
    assert item["raw_published"] == "2023-11-05T21:30:00+01:00"
    assert item["raw_updated"] is None
    assert item["authors"] == ["Claire Dubois"]
    assert item["tags"] == ["Instruments"]
    assert item["language_hint"] == "fr"
    assert item["url"] == "http://observatory.example.edu/bulletin/42"
    assert item["title"] == "Nouvelle lunette installée"


def test_rss_20_item_with_only_dc_date_is_published_then() -> None:
    body = rss('<item><title>t</title><link>https://quay.example.org/1</link>'
               '<dc:date xmlns:dc="http://purl.org/dc/elements/1.1/">2024-02-29T23:59:00Z</dc:date></item>')
    (item,) = parse_feed(make_raw(body))
    assert (item["raw_published"], item["raw_updated"]) == ("2024-02-29T23:59:00Z", None)


def test_atom_entry_with_only_updated_keeps_it_as_the_update_time() -> None:
    body = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><title>e</title>'
            b'<id>tag:quay.example.org,2024:1</id><updated>2024-03-01T10:00:00Z</updated></entry></feed>')
    (entry,) = parse_feed(make_raw(body))
    assert (entry["raw_published"], entry["raw_updated"]) == (None, "2024-03-01T10:00:00Z")


def test_rss_090_is_an_rdf_document() -> None:
    (item,) = parse_fixture("rss090.rdf")
    assert item["document_type"] == "rdf"
    assert item["title"] == "Bakery opens on the corner"
    assert item["url"] == "http://millstreet.example.net/notes/bakery"


def test_atom_entry_has_published_updated_all_authors_and_xhtml_content() -> None:
    (entry,) = parse_fixture("atom10.xml")
    assert entry["document_type"] == "atom"
    assert entry["raw_published"] == "2024-06-01T07:00:00+02:00"
    assert entry["raw_updated"] == "2024-06-02T09:30:00+02:00"
    assert entry["authors"] == ["Lucía Romero", "Jordi Vidal"]
    assert entry["guid"] == "tag:diario.example.es,2024:crucero"
    assert entry["url"] == "https://diario.example.es/2024/06/crucero"
    assert "<strong>siete</strong>" in entry["content_html"]
    assert entry["summary_html"] == "<p>El barco atracó a las siete.</p>"  # an Atom summary typed text, escaped
    assert entry["language_hint"] == "es"
    assert entry["tags"] == ["Turismo"]


def test_article_drafts_keep_the_raw_documents_provenance() -> None:
    raw = make_raw((FIXTURES / "rss20.xml").read_bytes(), raw_path="/raw/ab/cd.xml", uri="https://x.example/rss")
    for record in parse_feed(raw):
        assert record["raw_sha256"] == raw["raw_sha256"]
        assert record["raw_path"] == "/raw/ab/cd.xml"
        assert record["uri"] == "https://x.example/rss"
        assert record["fetched_at"] == FETCHED_AT


# --- FeedBurner -------------------------------------------------------------------------------------

def test_feedburner_orig_link_is_the_item_link_and_the_redirect_is_kept_beside_it() -> None:
    cranes, ferry, _ = parse_fixture("feedburner_rss.xml")
    assert cranes["url"] == "https://caspian-courier.example/2009/01/alat-cranes/"
    assert cranes["replaced_link"] == "http://feeds.feedburner.com/~r/CaspianCourier/~3/81234/"
    assert ferry["url"] == "https://caspian-courier.example/2009/01/night-ferry/"
    assert {cranes["source_id"], ferry["source_id"]} == {"caspian-courier.example"}


def test_an_orig_link_that_is_no_web_url_is_ignored() -> None:
    timetable = parse_fixture("feedburner_rss.xml")[2]  # its origLink is "javascript:..."
    assert timetable["url"] == "http://feeds.feedburner.com/~r/CaspianCourier/~3/81236/"
    assert "replaced_link" not in timetable


def test_a_relative_orig_link_is_ignored() -> None:
    body = rss('<item><title>t</title><link>http://feeds.feedburner.com/~r/quay/~3/1/</link>'
               '<feedburner:origLink xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0">/2024/tides'
               '</feedburner:origLink></item>')
    (item,) = parse_feed(make_raw(body))
    assert item["url"] == "http://feeds.feedburner.com/~r/quay/~3/1/"


def test_an_orig_link_equal_to_the_link_replaces_nothing() -> None:
    body = rss('<item><title>t</title><link>https://quay.example.org/1</link>'
               '<feedburner:origLink xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0">'
               'https://quay.example.org/1</feedburner:origLink></item>')
    (item,) = parse_feed(make_raw(body))
    assert item["url"] == "https://quay.example.org/1" and "replaced_link" not in item


def test_a_feed_without_site_link_takes_its_source_from_the_orig_link_or_its_self_link_not_feedburner() -> None:
    with_orig_link, redirect_only = parse_fixture("feedburner_atom_without_site_link.xml")
    assert with_orig_link["url"] == "http://quay-notes.example/view/painting-the-bollards"
    assert redirect_only["url"] == "http://feeds.feedburner.com/~r/quaynotes/~3/2844/new-mooring-lines"
    assert with_orig_link["source_id"] == redirect_only["source_id"] == "quay-notes.example"


def test_feedburner_is_the_source_only_when_nothing_else_names_one() -> None:
    body = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Q</title><entry><id>tag:q,2008:1</id>'
            b'<title>t</title><link href="http://feedproxy.google.com/~r/q/~3/1/t"/></entry></feed>')
    (item,) = parse_feed(make_raw(body, uri="/in/q.atom"))
    assert item["source_id"] == "feedproxy.google.com"


# --- configuration wins over the feed --------------------------------------------------------------

def test_configured_source_id_tags_and_language_hint_win_over_the_feeds() -> None:
    records = parse_fixture("rss20.xml", source_id="meridian", tags=["configured"], language_hint="hr")
    for record in records:
        assert record["source_id"] == "meridian"
        assert record["language_hint"] == "hr"
        assert "configured" in record["tags"]
    assert records[0]["tags"][:3] == ["Weather", "Environment", "Regional"]


def test_configured_feed_url_is_the_feed_url() -> None:
    records = parse_fixture("atom10.xml", feed_url="https://diario.example.es/atom.xml")
    assert records[0]["feed_url"] == "https://diario.example.es/atom.xml"


def test_relative_item_links_are_resolved_against_the_feed_url() -> None:
    body = rss("<item><title>Relative</title><link>/news/2024/relative-story</link></item>")
    (item,) = parse_feed(make_raw(body, feed_url="https://quay.example.org/feeds/all.rss",
                                  uri="https://quay.example.org/feeds/all.rss"))
    assert item["url"] == "https://quay.example.org/news/2024/relative-story"
    assert item["quality_flags"] == []


def test_a_moved_feeds_relative_links_resolve_where_the_body_came_from() -> None:
    body = rss("<item><title>Relative</title><link>stories/relative-story</link></item>")
    (item,) = parse_feed(make_raw(body, feed_url="https://quay.example.org/old/rss.xml",
                                  uri="https://news.quay.example.org/feeds/rss.xml"))  # after a redirect
    assert item["url"] == "https://news.quay.example.org/feeds/stories/relative-story"
    assert item["feed_url"] == "https://quay.example.org/old/rss.xml"  # the configured feed, as before


# --- encodings -------------------------------------------------------------------------------------

def test_cp1251_feed_declared_utf8_is_repaired_and_flagged() -> None:
    title = "Городская дума утвердила бюджет на следующий год и обсудила ремонт дорог"
    text = " ".join(["Депутаты обсудили поправки и приняли решение о втором чтении."] * 8)
    body = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Дума</title>'
            f"<item><title>{title}</title><description>{text}</description>"
            "<link>https://duma.example.ru/1</link></item></channel></rss>").encode("cp1251")
    (item,) = parse_feed(make_raw(body))
    assert item["title"] == title
    assert item["quality_flags"] == ["encoding_repaired:utf-8->cp1251"]


def test_http_charset_is_used_for_a_feed_whose_xml_declaration_lies() -> None:
    title = "Новости дня: правительство приняло бюджет"
    body = ('<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>t</title>'
            f"<item><title>{title}</title><link>https://news.example.ru/1</link></item></channel></rss>"
            ).encode("cp1251")
    (item,) = parse_feed(make_raw(body, content_type="application/rss+xml; charset=windows-1251"))
    assert item["title"] == title


def test_http_charset_is_used_for_a_feed_without_xml_declaration() -> None:
    title = "Новости дня: правительство приняло бюджет"
    body = (f'<rss version="2.0"><channel><title>t</title><item><title>{title}</title>'
            "<link>https://news.example.ru/1</link></item></channel></rss>").encode("cp1251")
    (item,) = parse_feed(make_raw(body, content_type="text/xml; charset=windows-1251"))
    assert item["title"] == title


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_feed_is_parsed_with_or_without_bom(codec: str) -> None:
    body = ('<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><title>t</title>'
            "<item><title>Grüße aus Köln</title><link>https://k.example.de/1</link></item></channel></rss>")
    (item,) = parse_feed(make_raw(body.encode(codec)))
    assert item["title"] == "Grüße aus Köln"
    assert item["quality_flags"] == []


# --- never fetches, never opens --------------------------------------------------------------------

@pytest.fixture
def counting_http_server() -> Iterator[tuple[str, list[str]]]:
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            requests.append(self.path)
            payload = rss("<item><title>FETCHED FROM THE NETWORK</title></item>")
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml", requests
    finally:
        server.shutdown()
        server.server_close()


def test_body_that_is_a_url_is_not_fetched(counting_http_server: tuple[str, list[str]]) -> None:
    url, requests = counting_http_server
    records = parse_feed(make_raw(url.encode()))
    assert requests == []
    assert [record["kind"] for record in records] == ["error"]
    assert "FETCHED" not in repr(records)


def test_body_that_is_an_unreachable_url_is_an_error_record() -> None:
    records = parse_feed(make_raw(b"http://127.0.0.1:1/x"))
    assert [record["kind"] for record in records] == ["error"]


def test_body_that_is_a_local_path_is_not_opened(tmp_path: pathlib.Path) -> None:
    secret = tmp_path / "feed.xml"
    secret.write_bytes(rss("<item><title>CONTENTS OF A LOCAL FILE</title><link>https://a.example/1</link></item>"))
    for body in (str(secret).encode(), b"/etc/passwd"):
        records = parse_feed(make_raw(body))
        assert [record["kind"] for record in records] == ["error"]
        assert "CONTENTS OF A LOCAL FILE" not in repr(records)
        assert "root:" not in repr(records)


def test_external_entities_are_not_expanded(tmp_path: pathlib.Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET CONTENTS")
    body = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY leak SYSTEM "file://{secret}">]>'
            '<rss version="2.0"><channel><title>t</title><item><title>before &leak; after</title>'
            "<link>https://a.example/1</link></item></channel></rss>").encode()
    records = parse_feed(make_raw(body))
    assert "TOP SECRET" not in repr(records)


# --- broken feeds ----------------------------------------------------------------------------------

def test_items_before_a_break_are_kept_flagged_with_a_partial_error() -> None:
    body = rss("<item><title>One</title><link>https://quay.example.org/1</link></item>"
               "<item><title>Two &amp; more</title><link>https://quay.example.org/2</link></item>"
               "<item><title>Broken <b>markup</title></item>")
    records = parse_feed(make_raw(body))
    kept = articles(records)
    assert [item["url"] for item in kept][:2] == ["https://quay.example.org/1", "https://quay.example.org/2"]
    assert kept[1]["title"] == "Two & more"
    assert all("recovered_from_malformed_feed" in item["quality_flags"] for item in kept)
    (error,) = errors(records)
    assert error["error_type"] == "malformed_xml_partial"
    assert error["stage"] == "parse"
    assert "XML not well-formed at line 1, column" in error["message"] and "mismatched tag" in error["message"]
    assert "<unknown>" not in error["message"]
    assert error["raw_sha256"] == sha256_hex(body)


@pytest.mark.parametrize("body", [
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</ti',
    b"<<<>>> &&& </rss>",
], ids=["truncated", "garbage"])
def test_hopeless_xml_gives_one_error(body: bytes) -> None:
    (error,) = parse_feed(make_raw(body))
    assert error["kind"] == "error"
    assert error["error_type"] == "malformed_xml"


def test_feed_with_zero_items_is_an_empty_feed_error() -> None:
    for body in (rss(""), b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>'):
        (error,) = parse_feed(make_raw(body))
        assert error["kind"] == "error"
        assert error["error_type"] == "empty_feed"


def test_well_formed_xml_that_is_not_a_feed_is_not_a_feed_error() -> None:
    (error,) = parse_feed(make_raw(b'<?xml version="1.0"?><catalog><book id="1"><title>x</title></book></catalog>'))
    assert error["error_type"] == "not_a_feed"


def test_item_with_nothing_in_it_is_an_empty_item_error_and_others_survive() -> None:
    records = parse_feed(make_raw(rss("<item></item><item><title>Kept</title></item>")))
    empty, kept = records
    assert empty["kind"] == "error" and empty["error_type"] == "empty_item"
    assert "item 1" in empty["message"]
    assert kept["kind"] == "article" and kept["title"] == "Kept"


def test_two_empty_items_give_two_distinct_errors() -> None:
    first, second = parse_feed(make_raw(rss("<item></item><item> </item>")))
    assert first["error_id"] != second["error_id"]


def test_parsing_is_deterministic() -> None:
    body = (FIXTURES / "rss20.xml").read_bytes()
    assert parse_feed(make_raw(body)) == parse_feed(make_raw(body))


def test_atom_titles_typed_html_or_xhtml_become_text_without_tags() -> None:
    body = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Alerts</title>'
            b'<entry><id>tag:quay.example,2024:1</id><link href="https://quay.example/1"/>'
            b'<title type="html">Ferry operator &lt;b&gt;Quayline&lt;/b&gt; orders two vessels</title></entry>'
            b'<entry><id>tag:quay.example,2024:2</id><link href="https://quay.example/2"/>'
            b'<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Sentry collar for <i>dogs</i>'
            b"<script>track();</script></div></title></entry></feed>")
    titles = [article["title"] for article in articles(parse_feed(make_raw(body)))]
    assert titles == ["Ferry operator Quayline orders two vessels", "Sentry collar for dogs"]


def test_plain_text_titles_keep_their_angle_brackets() -> None:
    body = rss("<item><title>Rates: 3 &lt; 4 and rising</title><link>https://quay.example/rates</link></item>")
    (article,) = articles(parse_feed(make_raw(body)))
    assert article["title"] == "Rates: 3 < 4 and rising"


def test_whitespace_before_the_xml_declaration_does_not_break_the_feed() -> None:
    body = b"\n\n" + rss("<item><title>Harbour log</title><link>https://quay.example/log</link>"
                         "<category>Ships &amp; Ports</category></item>")
    records = parse_feed(make_raw(body))
    assert errors(records) == []
    (article,) = articles(records)
    assert article["tags"] == ["Ships & Ports"]  # the tolerant parser left "Ships &amp; Ports"
    assert "recovered_from_malformed_feed" not in article["quality_flags"]


def test_html_named_entities_are_read_as_their_characters_without_an_error() -> None:
    body = rss("<item><title>Caf&eacute; opens&nbsp;&mdash; again</title><link>https://quay.example/cafe</link>"
               "<description><![CDATA[<p>&copy; Quay</p>]]></description></item>")
    records = parse_feed(make_raw(body))
    assert errors(records) == []
    (article,) = articles(records)
    assert article["title"] == "Caf\u00e9 opens\u00a0\u2014 again"
    assert article["summary_html"] == "<p>&copy; Quay</p>"  # CDATA is text: left as written
    assert "html_entities_replaced" in article["quality_flags"]


def test_control_characters_in_a_feed_are_removed_and_flagged() -> None:
    body = rss("<item><title>Tide\x03 table\x1b</title><link>https://quay.example/tide</link></item>")
    records = parse_feed(make_raw(body))
    assert errors(records) == []
    (article,) = articles(records)
    assert article["title"] == "Tide table"
    assert "control_characters_removed" in article["quality_flags"]


def test_relative_links_of_a_feed_read_from_a_file_are_resolved_against_its_self_link() -> None:
    body = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">'
            b'<link rel="self" href="https://quay.example/blog/index.atom"/><link href="/blog/"/><title>Quay</title>'
            b'<entry><id>tag:quay.example,2024:7</id><link href="/blog/2024/06/03/tides"/><title>Tides</title></entry>'
            b'<entry><id>tag:quay.example,2024:8</id><link href="8.html"/><title>Nets</title></entry></feed>')
    first, second = parse_feed(make_raw(body, uri="/in/index.atom"))
    assert first["url"] == "https://quay.example/blog/2024/06/03/tides"
    assert second["url"] == "https://quay.example/blog/8.html"
    assert first["feed_url"] == "https://quay.example/blog/index.atom"
    assert first["source_id"] == "quay.example"


def test_an_entry_link_that_is_no_web_url_is_no_url_but_stays_the_guid() -> None:
    body = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Quay</title>'
            b"<entry><id>urn:uuid:6f1c2a9e-0000-4000-8000-000000000001</id><title>Robots</title></entry>"
            b'<entry><id>tag:quay.example,2024:9</id><link href="/orphan"/><title>Orphan</title></entry></feed>')
    urn, orphan = parse_feed(make_raw(body, uri="/in/no-base.atom"))
    assert urn["url"] is None and urn["guid"] == "urn:uuid:6f1c2a9e-0000-4000-8000-000000000001"
    assert orphan["url"] is None  # relative, and the feed names no URL of its own to resolve it against


def test_a_script_warning_before_the_xml_declaration_is_dropped_and_flagged() -> None:
    body = (b"<br />\n<b>Warning</b>: Cannot modify header information in <b>/srv/quay/feed.php</b><br />\n"
            + rss("<item><title>Berths</title><link>https://quay.example/berths</link>"
                  "<category>Ships &amp; Ports</category></item>"))
    records = parse_feed(make_raw(body))
    assert errors(records) == []
    (article,) = articles(records)
    assert article["tags"] == ["Ships & Ports"]
    assert "text_before_xml_declaration_removed" in article["quality_flags"]


def test_a_script_after_the_root_element_is_dropped_and_flagged_and_the_feed_is_not_broken() -> None:
    # a hacked blog's feed: every item is whole, the injected script follows </rss>
    body = rss("<item><title>Berths</title><link>https://quay.example/berths</link></item>"
               "<item><title>Cranes</title><link>https://quay.example/cranes</link></item>")
    records = parse_feed(make_raw(body + b"\n<script>document.write(unescape('%3Ciframe%3E'));</script>"))
    assert errors(records) == []
    assert [article["title"] for article in records] == ["Berths", "Cranes"]
    assert all(article["quality_flags"] == ["text_after_root_element_removed"] for article in records)


def test_stray_ampersands_and_less_than_signs_are_text_not_a_broken_feed() -> None:
    body = rss("<item><title>AT&T rates < 4 % <![CDATA[& more]]></title>"
               "<link>https://quay.example/rates?from=1&to=2</link></item>")
    records = parse_feed(make_raw(body))
    assert errors(records) == []
    (article,) = articles(records)
    assert article["title"] == "AT&T rates < 4 % & more"  # feedparser's tolerant parser wrote "AT&T; rates"
    assert article["url"] == "https://quay.example/rates?from=1&to=2"
    assert "stray_markup_escaped" in article["quality_flags"]


def test_entity_names_html_does_not_know_still_make_the_feed_malformed() -> None:
    body = rss("<item><title>Tide &quaymark; table</title><link>https://quay.example/tide</link></item>")
    assert [error["error_type"] for error in errors(parse_feed(make_raw(body)))] == ["malformed_xml_partial"]


def test_a_podcast_feed_using_undeclared_prefixes_keeps_its_full_text_without_an_error() -> None:
    body = rss("<item><title>Episode 1</title><link>https://quay.example/e1</link><itunes:duration>7:04</itunes:duration>"
               "<content:encoded><![CDATA[<p>Show notes</p>]]></content:encoded></item>")
    records = parse_feed(make_raw(body))
    assert errors(records) == []
    (article,) = articles(records)
    assert article["content_html"] == "<p>Show notes</p>"
    assert "missing_namespaces_declared" in article["quality_flags"]


def test_a_utf8_feed_declared_utf16_keeps_its_items() -> None:
    body = rss("<item><title>Caf\u00e9 \u2014 open</title><link>https://quay.example/cafe</link></item>")
    body = body.replace(b'encoding="utf-8"', b'encoding="UTF-16"')
    (article,) = parse_feed(make_raw(body))
    assert article["title"] == "Caf\u00e9 \u2014 open"
    assert article["quality_flags"] == ["encoding_repaired:utf-16->utf-8"]


def test_an_aggregators_item_keeps_its_publisher_and_loses_the_title_suffix() -> None:
    body = rss('<item><title>Harbour workers end strike - Example Times</title>'
               '<link>https://news.aggregator.example/articles/CBMiA1?oc=5</link>'
               '<source url="https://www.example-times.com">Example Times</source></item>'
               '<item><title>Rain all week - Daily Sample</title><link>https://quay.example.org/rain</link></item>')
    strike, rain = articles(parse_feed(make_raw(body)))
    assert (strike["publisher"], strike["publisher_url"]) == ("Example Times", "https://www.example-times.com")
    assert strike["title"] == "Harbour workers end strike"
    assert strike["source_id"] == "quay.example.org"  # the feed's site: the aggregator
    assert (rain["publisher"], rain["publisher_url"], rain["title"]) == (None, None, "Rain all week - Daily Sample")


def test_bing_news_items_link_the_article_not_the_click_counter_and_name_their_publisher() -> None:
    body = (b'<?xml version="1.0" encoding="utf-8"?><rss xmlns:News="https://www.bing.com:443/news/search?q=port'
            b'&amp;format=rss" version="2.0"><channel><title>port - BingNews</title>'
            b"<link>https://www.bing.com:443/news/search?q=port&amp;format=rss</link>"
            b"<item><title>Harbour workers end strike</title><link>http://www.bing.com/news/apiclick.aspx?ref=FexRss"
            b"&amp;aid=&amp;tid=9F3A&amp;url=https%3a%2f%2fwww.example-times.com%2fstrike&amp;c=81&amp;mkt=en-us"
            b"</link><pubDate>Sun, 06 Dec 2026 12:30:00 GMT</pubDate><News:Source>Example Times</News:Source>"
            b"</item></channel></rss>")
    (item,) = articles(parse_feed(make_raw(body)))
    assert item["url"] == "https://www.example-times.com/strike" and "replaced_link" not in item
    assert (item["publisher"], item["publisher_url"]) == ("Example Times", None)
    assert item["source_id"] == "bing.com"


def test_google_alerts_entries_link_the_article() -> None:
    body = (b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            b"<id>tag:google.com,2005:reader/user/0/state/com.google/alerts/1</id><title>Alert - port</title>"
            b'<link href="https://www.google.com/alerts/feeds/0/1" rel="self"/><updated>2026-12-06T12:00:00Z</updated>'
            b"<entry><id>tag:google.com,2013:googlealerts/feed:1</id><title type=\"html\">Harbour &lt;b&gt;port"
            b"&lt;/b&gt; strike ends</title><link href=\"https://www.google.com/url?rct=j&amp;sa=t&amp;url=https://"
            b'www.example-times.com/strike&amp;ct=ga&amp;cd=CAIy&amp;usg=AOvV"/><published>2026-12-06T11:00:00Z'
            b"</published><updated>2026-12-06T11:00:00Z</updated></entry></feed>")
    (item,) = articles(parse_feed(make_raw(body)))
    assert item["url"] == "https://www.example-times.com/strike"


# --- summary and content ----------------------------------------------------------------------------

def test_an_item_with_content_and_no_description_has_no_summary() -> None:
    # feedparser copies an entry's content into its summary when it has none: that copy is the body again
    body = rss("<item><title>Quay works</title><link>https://quay.example/works</link>"
               "<content:encoded><![CDATA[<p>The east quay closes for works in May.</p>]]></content:encoded></item>"
               "<item><title>Tides</title><link>https://quay.example/tides</link><description>High at noon."
               "</description><content:encoded><![CDATA[<p>High tide at noon, low at six.</p>]]>"
               "</content:encoded></item>")
    body = body.replace(b"<rss ", b"<rss xmlns:content='http://purl.org/rss/1.0/modules/content/' ")
    atom = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Quay</title>'
            b'<entry><id>tag:quay.example,2024:3</id><link href="https://quay.example/3"/><title>Cranes</title>'
            b'<content type="html">&lt;p&gt;Two cranes arrive.&lt;/p&gt;</content></entry></feed>')
    works, tides = articles(parse_feed(make_raw(body)))
    (cranes,) = articles(parse_feed(make_raw(atom)))
    assert (works["summary_html"], works["content_html"]) == (None, "<p>The east quay closes for works in May.</p>")
    assert (tides["summary_html"], tides["content_html"]) == ("High at noon.", "<p>High tide at noon, low at six.</p>")
    assert (cranes["summary_html"], cranes["content_html"]) == (None, "<p>Two cranes arrive.</p>")


def test_atom_text_constructs_are_text_whose_angle_brackets_and_blank_lines_stay_words_and_paragraphs() -> None:
    body = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Quay</title>'
            b'<entry><id>tag:quay.example,2024:4</id><link href="https://quay.example/4"/><title>Markup</title>'
            b"<summary>Why &lt;b&gt; is not &lt;strong&gt;</summary>"
            b'<content type="text">Use the &lt;p&gt; tag for paragraphs &amp; the &lt;br&gt; tag for breaks.\n\n'
            b"Second paragraph.</content></entry></feed>")
    (entry,) = articles(parse_feed(make_raw(body)))
    assert clean_html(entry["summary_html"]).text == "Why <b> is not <strong>"
    assert clean_html(entry["content_html"]).text == ("Use the <p> tag for paragraphs & the <br> tag for breaks.\n\n"
                                                     "Second paragraph.")
    # RSS does not say: feedparser calls "Line<br>line" text, and it is HTML as ever
    (item,) = articles(parse_feed(make_raw(rss("<item><title>Lines</title><link>https://quay.example/l</link>"
                                               "<description>First line&lt;br&gt;second line</description></item>"))))
    assert clean_html(item["summary_html"]).text == "First line\nsecond line"


def test_ids_feedparser_resolves_against_the_feeds_url_are_the_guid_as_written_and_keep_their_article_ids() -> None:
    fetched = {"uri": "https://www.reddit.example/r/harbours.rss"}
    reddit = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>harbours</title>'
              b'<entry><id>t3_1b7xyz</id><title>East quay reopening?</title>'
              b'<link href="https://www.reddit.example/r/harbours/comments/1b7xyz/east_quay/"/></entry>'
              b"<entry><id>t3_1b7xzz</id><title>No link</title></entry></feed>")
    linked, unlinked = articles(parse_feed(make_raw(reddit, **fetched)))
    assert linked["guid"] == "t3_1b7xyz"  # was https://www.reddit.example/r/t3_1b7xyz
    assert linked["url"] == "https://www.reddit.example/r/harbours/comments/1b7xyz/east_quay/"
    assert unlinked["guid"] == "t3_1b7xzz"
    # the article_id is what it was when the guid was the resolved URL: no second row after an upgrade
    assert identify_article(unlinked, SETTINGS)["article_id"] == compute_article_id(
        canonicalize_url("https://www.reddit.example/r/t3_1b7xzz"), None, "", "")


def test_episodes_on_one_link_keep_their_article_ids_when_their_guids_are_read_as_written() -> None:
    episodes = "".join(f"<item><title>Episode {number}</title><link>https://quay.example/show</link>"
                       f"<guid>ep-{number}</guid></item>" for number in range(3))
    drafts = articles(parse_feed(make_raw(rss(episodes), uri="https://quay.example/podcast.rss")))
    assert [draft["guid"] for draft in drafts] == ["ep-0", "ep-1", "ep-2"]
    # as earlier versions read them: the resolved guid (https://quay.example/ep-0) in the guid field
    earlier = [{**{key: value for key, value in draft.items() if key != "resolved_guid"},
                "guid": draft["resolved_guid"]} for draft in drafts]
    ids = [identify_article(draft, SETTINGS)["article_id"] for draft in distinguish_shared_links(drafts)]
    earlier_ids = [identify_article(draft, SETTINGS)["article_id"] for draft in distinguish_shared_links(earlier)]
    assert ids == earlier_ids and len(set(ids)) == 3


def test_a_podcast_episode_described_only_by_its_itunes_subtitle_has_it_as_its_summary() -> None:
    body = ('<?xml version="1.0"?><rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">'
            "<channel><title>Quay talk</title>"
            "<item><title>Episode 1</title><link>https://quay.example/ep1</link>"
            "<itunes:subtitle>The harbour master on winter berths &amp; tides</itunes:subtitle></item>"
            "<item><title>Episode 2</title><link>https://quay.example/ep2</link><description>Ferry &lt;b&gt;fares"
            "&lt;/b&gt;</description><itunes:subtitle>Fares</itunes:subtitle></item></channel></rss>").encode()
    only_subtitle, described = articles(parse_feed(make_raw(body)))
    # the episode had no text at all
    assert clean_html(only_subtitle["summary_html"]).text == "The harbour master on winter berths & tides"
    assert clean_html(described["summary_html"]).text == "Ferry fares"  # a description comes first
