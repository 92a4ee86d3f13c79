"""Article identity: canonical URLs and an article_id that stays the same for the same story."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from transforms.identity import (canonicalize_url, compute_article_id, compute_content_sha256,
                                 distinguish_shared_links, fetched_url, identify_article, same_site, web_url)
from transforms.records import Article
from transforms.settings import TransformSettings

SETTINGS = TransformSettings()


def draft(**fields: Any) -> Article:
    base: dict[str, Any] = {"kind": "article", "url": None, "guid": None, "source_id": "quay", "title": "Ferry",
                            "summary_text": "Summary", "body_text": "Body", "raw_sha256": "0" * 64,
                            "fetched_at": dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)}
    return Article(**{**base, **fields})


# --- canonical URLs --------------------------------------------------------------------------------

@pytest.mark.parametrize("parameter", ["utm_source=rss", "utm_medium=email", "UTM_Campaign=x", "fbclid=IwAR0abc",
                                       "gclid=Cj0KCQ", "mc_cid=a1b2c3", "mc_eid=d4e5"])
def test_tracking_parameters_are_removed(parameter: str) -> None:
    assert canonicalize_url(f"https://quay.example.org/story?id=7&{parameter}") == "https://quay.example.org/story?id=7"


def test_fragment_is_removed() -> None:
    assert canonicalize_url("https://quay.example.org/story#comments") == "https://quay.example.org/story"


def test_scheme_and_host_are_lowercased_but_not_the_path() -> None:
    assert canonicalize_url("HTTPS://Quay.EXAMPLE.org/News/Story") == "https://quay.example.org/News/Story"


@pytest.mark.parametrize(("url", "expected"), [
    ("https://quay.example.org:443/a", "https://quay.example.org/a"),
    ("http://quay.example.org:80/a", "http://quay.example.org/a"),
    ("http://quay.example.org:8080/a", "http://quay.example.org:8080/a"),
    ("https://quay.example.org:80/a", "https://quay.example.org:80/a"),
    ("http://quay.example.org:443/a", "http://quay.example.org:443/a"),
])
def test_default_ports_are_dropped_and_others_kept(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected


def test_ipv6_literal_host_stays_bracketed() -> None:
    assert canonicalize_url("http://[2001:DB8::1]/feed/item?b=2&a=1") == "http://[2001:db8::1]/feed/item?a=1&b=2"
    assert canonicalize_url("http://[2001:db8::1]:8080/x") == "http://[2001:db8::1]:8080/x"


def test_query_parameters_are_sorted() -> None:
    sorted_url = "https://quay.example.org/s?id=9&lang=en&page=2"
    assert canonicalize_url("https://quay.example.org/s?page=2&id=9&lang=en") == sorted_url


def test_empty_path_becomes_slash() -> None:
    assert canonicalize_url("https://quay.example.org") == "https://quay.example.org/"


def test_trailing_dot_of_host_is_dropped() -> None:
    assert canonicalize_url("https://quay.example.org./a") == "https://quay.example.org/a"


@pytest.mark.parametrize("url", ["ftp://quay.example.org/a", "mailto:desk@quay.example.org", "javascript:alert(1)",
                                 "file:///etc/passwd", "data:text/html,hi", "/news/relative", "quay.example.org/a",
                                 "", "   ", None, "https://", "http://quay.example.org:99999/a",
                                 "http://quay.example.org:abc/a", "http://[2001:db8::1/a"])
def test_non_http_relative_or_malformed_urls_have_no_canonical_form(url: str | None) -> None:
    assert canonicalize_url(url) is None


# --- article_id ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("uri", "feed_url", "expected"), [
    ("https://b.example/new/rss", "https://a.example/rss", "https://b.example/new/rss"),  # redirected: where it is
    ("/in/feed.xml", "https://a.example/rss", "https://a.example/rss"),  # a local copy of a configured feed
    ("/in/feed.xml", None, None),  # a file: no web address
    ("urn:uuid:1", "ftp://a.example/rss", None),
])
def test_fetched_url_is_the_web_address_the_body_came_from(uri: str, feed_url: str | None,
                                                          expected: str | None) -> None:
    assert fetched_url({"uri": uri, "feed_url": feed_url}) == expected  # type: ignore[typeddict-item]


def test_article_id_is_the_same_across_equivalent_urls() -> None:
    variants = ["https://quay.example.org/story?id=7",
                "HTTPS://QUAY.example.org:443/story?utm_source=rss&id=7#top",
                " https://quay.example.org/story?fbclid=x&id=7 "]
    ids = {identify_article(draft(url=url), SETTINGS)["article_id"] for url in variants}
    assert len(ids) == 1


def test_article_id_differs_for_different_stories() -> None:
    first = identify_article(draft(url="https://quay.example.org/story?id=7"), SETTINGS)
    second = identify_article(draft(url="https://quay.example.org/story?id=8"), SETTINGS)
    assert first["article_id"] != second["article_id"]


def test_article_id_ignores_text_and_source_when_there_is_a_url() -> None:
    first = identify_article(draft(url="https://quay.example.org/a", title="Old", source_id="one"), SETTINGS)
    second = identify_article(draft(url="https://quay.example.org/a", title="New", source_id="two"), SETTINGS)
    assert first["article_id"] == second["article_id"]
    assert first["content_sha256"] != second["content_sha256"]


def test_identify_sets_canonical_url_content_hash_and_a_hex_id() -> None:
    article = identify_article(draft(url="https://quay.example.org/a?utm_medium=x"), SETTINGS)
    assert article["canonical_url"] == "https://quay.example.org/a"
    assert article["content_sha256"] == compute_content_sha256(article)
    assert len(article["article_id"]) == 32
    int(article["article_id"], 16)


def test_article_id_is_not_affected_by_a_refined_canonical_url() -> None:
    plain = identify_article(draft(url="https://m.quay.example.org/a"), SETTINGS)
    refined = identify_article(draft(url="https://m.quay.example.org/a", canonical_url="https://quay.example.org/a"),
                               SETTINGS)
    assert refined["article_id"] == plain["article_id"]


def test_url_shaped_guid_stands_in_for_a_missing_link() -> None:
    by_guid = identify_article(draft(guid="https://quay.example.org/a?utm_source=x"), SETTINGS)
    by_url = identify_article(draft(url="https://quay.example.org/a"), SETTINGS)
    assert by_guid["canonical_url"] == "https://quay.example.org/a"
    assert by_guid["article_id"] == by_url["article_id"]


def test_short_guid_is_scoped_by_source() -> None:
    first = identify_article(draft(guid="1234", source_id="quay"), SETTINGS)
    second = identify_article(draft(guid="1234", source_id="harbour"), SETTINGS)
    again = identify_article(draft(guid=" 1234 ", source_id="quay", title="Edited"), SETTINGS)
    assert first["article_id"] != second["article_id"]
    assert first["article_id"] == again["article_id"]


def test_long_guid_is_global() -> None:
    guid = "tag:quay.example.org,2024:story-778"
    first = identify_article(draft(guid=guid, source_id="quay"), SETTINGS)
    second = identify_article(draft(guid=guid, source_id="mirror", title="Other text"), SETTINGS)
    assert first["article_id"] == second["article_id"]


def test_relative_link_falls_back_to_the_guid() -> None:
    with_relative = identify_article(draft(url="/news/7", guid="quay-0000000000007"), SETTINGS)
    only_guid = identify_article(draft(guid="quay-0000000000007"), SETTINGS)
    assert with_relative["canonical_url"] is None
    assert with_relative["article_id"] == only_guid["article_id"]


def test_without_url_or_guid_the_id_comes_from_content_and_source() -> None:
    same = identify_article(draft(title="A"), SETTINGS)["article_id"]
    assert identify_article(draft(title="A"), SETTINGS)["article_id"] == same
    assert identify_article(draft(title="B"), SETTINGS)["article_id"] != same
    assert identify_article(draft(title="A", source_id="other"), SETTINGS)["article_id"] != same


def test_blank_guid_is_no_guid() -> None:
    first = identify_article(draft(guid="   ", title="First story"), SETTINGS)
    second = identify_article(draft(guid="   ", title="Second story"), SETTINGS)
    assert first["article_id"] != second["article_id"]
    assert first["article_id"] == identify_article(draft(title="First story"), SETTINGS)["article_id"]


def test_compute_article_id_order_is_url_then_guid_then_content() -> None:
    by_url = compute_article_id("https://a.example/1", "guid-guid-guid-guid", "s", "c" * 64)
    by_guid = compute_article_id(None, "guid-guid-guid-guid", "s", "c" * 64)
    by_content = compute_article_id(None, None, "s", "c" * 64)
    assert len({by_url, by_guid, by_content}) == 3
    assert compute_article_id("https://a.example/1", "other-guid-entirely", "t", "d" * 64) == by_url


def test_content_hash_covers_title_summary_and_body() -> None:
    base = compute_content_sha256(draft())
    assert compute_content_sha256(draft(title="Other")) != base
    assert compute_content_sha256(draft(summary_text="Other")) != base
    assert compute_content_sha256(draft(body_text="Other")) != base
    assert compute_content_sha256(draft(url="https://elsewhere.example/")) == base


def test_surrogates_do_not_break_hashing() -> None:
    article = identify_article(draft(title="bad \ud800", guid="\udc00short"), SETTINGS)
    assert len(article["article_id"]) == 32


def test_query_keys_without_a_value_are_kept_bare() -> None:
    assert canonicalize_url("http://jobs.quayside.example/default.asp?4471") == "http://jobs.quayside.example/default.asp?4471"
    assert canonicalize_url("https://quayside.example/?p&utm_source=feed&b=2") == "https://quayside.example/?b=2&p"


def test_links_that_differ_only_in_a_valueless_query_key_are_different_articles() -> None:
    first, second = (canonicalize_url(f"http://jobs.quayside.example/default.asp?{number}") for number in (4470, 4471))
    assert first != second


# --- items of one document sharing a link ----------------------------------------------------------


def _ids(*drafts: Article) -> list[str]:
    return [identify_article(item, SETTINGS)["article_id"] for item in distinguish_shared_links(list(drafts))]


def test_episodes_linking_to_the_show_page_keep_apart_by_guid() -> None:
    show = "https://www.quay-podcast.example/"
    ids = _ids(*(draft(url=show, guid=f"https://www.quay-podcast.example/shows/{n}.mp3", title=f"Episode {n}")
                 for n in range(3)))
    assert len(set(ids)) == 3


def test_items_differing_only_by_fragment_keep_apart() -> None:
    ids = _ids(*(draft(url=f"https://letters.quay.example/entries.php#{n}", title="Newsletter") for n in (1, 2, 3)))
    assert len(set(ids)) == 3


def test_items_on_one_news_page_without_guid_keep_apart_by_title() -> None:
    ids = _ids(*(draft(url="https://quay.example/news.html", title=title)
                 for title in ("Release 2.1", "Mirror moved", "Release 2.0")))
    assert len(set(ids)) == 3


def test_two_editions_of_a_story_under_new_guids_stay_one_article() -> None:
    link = "https://quay.example/2024/embankment"
    ids = _ids(draft(url=f"{link}#comments", guid="quay:91", title="Embankment works"),
               draft(url=f"{link}?utm_campaign=push", guid="quay:92", title="Embankment works (updated)"))
    assert ids[0] == ids[1]


def test_the_same_item_repeated_stays_one_article_with_its_plain_link_id() -> None:
    link = "https://quay.example/2024/ferry"
    ids = _ids(draft(url=link, guid="ferry-1"), draft(url=link, guid="ferry-1"))
    assert ids[0] == ids[1] == identify_article(draft(url=link), SETTINGS)["article_id"]


def test_an_item_with_a_link_of_its_own_keeps_its_plain_link_id() -> None:
    (record,) = distinguish_shared_links([draft(url="https://quay.example/2024/ferry", guid="g1")])
    assert "link_discriminator" not in record


def test_an_item_whose_feedburner_link_was_replaced_keeps_the_id_of_that_link_and_gets_the_new_canonical_url() -> None:
    redirect = "http://feeds.feedburner.com/~r/quay/~3/81234/"
    before = identify_article(draft(url=redirect), SETTINGS)  # as versions without origLink read it
    after = identify_article(draft(url="https://quay.example/2024/ferry", replaced_link=redirect), SETTINGS)

    assert after["article_id"] == before["article_id"]  # an upgrade writes no second row
    assert after["canonical_url"] == "https://quay.example/2024/ferry"


@pytest.mark.parametrize(("url", "base_url", "expected"), [
    ("/n/1", "https://quay.example/feed.xml", "https://quay.example/n/1"),
    (" https://quay.example/n/2\n", None, "https://quay.example/n/2"),
    ("/n/3", None, None),
    ("urn:uuid:6f1c2a9e-0000-4000-8000-000000000001", "https://quay.example/", None),
    ("mailto:desk@quay.example", None, None),
    ("http://[::1", None, None),
    ("", "https://quay.example/", None),
    ("https://quay.example/" + "2019/13/45/" * 500, None, None),  # 5,500 characters: data, not a link
    ("https://quay.example/" + "a" * 4000, None, "https://quay.example/" + "a" * 4000),
])
def test_web_url_is_absolute_http_or_none(url: str, base_url: str | None, expected: str | None) -> None:
    assert web_url(url, base_url) == expected


def test_same_site_means_same_registrable_domain() -> None:
    assert same_site("https://www.example.co.uk/a", "http://news.example.co.uk/b")
    assert not same_site("https://a.github.io/x", "https://b.github.io/x")
    assert not same_site("https://example.com/", "https://example.org/")
    assert same_site("http://127.0.0.1:8000/a", "http://127.0.0.1:9000/b")
    assert not same_site("http://127.0.0.1/a", "http://127.0.0.2/a")
