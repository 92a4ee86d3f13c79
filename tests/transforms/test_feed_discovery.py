"""A page served where a feed was expected: its title and the feeds it advertises, named in the error row."""

from __future__ import annotations

from transforms.feed_discovery import MAX_FEEDS_NAMED, advertised_feeds, describe_page
from transforms.page_metadata import page_tree

HOME_PAGE = (b'<!doctype html><html><head><title>Wren  Weekly\n| Home</title>'
             b'<link rel="stylesheet" href="/site.css">'
             b'<link rel="alternate" type="application/rss+xml" title="All stories" href="/feed/">'
             b'<link rel="Alternate" type="application/atom+xml; charset=utf-8" '
             b'href="https://wren-weekly.example/atom.xml">'
             b'<link rel="alternate" type="application/rss+xml" href="/feed/">'
             b'<link rel="alternate" hreflang="de" href="/de/">'
             b'<link rel="alternate" type="application/rss+xml" href="javascript:void(0)">'
             b"</head><body><p>Welcome.</p></body></html>")


def test_the_feeds_a_page_advertises_are_named_absolute_once_each_in_order() -> None:
    tree = page_tree(HOME_PAGE.decode())
    assert advertised_feeds(tree, "https://wren-weekly.example/rss") == [
        "https://wren-weekly.example/feed/", "https://wren-weekly.example/atom.xml"]


def test_a_page_listing_a_feed_per_category_names_the_first_few() -> None:
    links = "".join(f'<link rel="alternate" type="application/rss+xml" href="/tag/{number}/feed">'
                    for number in range(40))
    tree = page_tree(f"<html><head>{links}</head><body></body></html>")
    assert len(advertised_feeds(tree, "https://wren-weekly.example/")) == MAX_FEEDS_NAMED


def test_the_description_names_the_pages_title_and_its_feeds() -> None:
    assert describe_page(HOME_PAGE, "text/html", "https://wren-weekly.example/rss") == (
        'a page titled "Wren Weekly | Home"; it links to the feeds https://wren-weekly.example/feed/, '
        "https://wren-weekly.example/atom.xml (configure one of them as the feed's url)")
    challenge = (b"<html><head><title>Just a moment...</title></head>"
                 b"<body><noscript>Enable JavaScript</noscript></body></html>")
    assert describe_page(challenge, "text/html", None) == 'a page titled "Just a moment..."'
    assert describe_page(b"<html><body><p>Down.</p></body></html>", "text/html", None) == ""
    assert describe_page(b"", None, None) == ""


def test_control_and_format_characters_of_a_hostile_page_never_reach_the_description() -> None:
    # the description ends up in the run summary's back-off line, on the operator's terminal
    page = ('<html><head><title>\x1b[2J\x1b[31mJust a\u202e moment\x07...</title>'
            '<link rel="alternate" type="application/rss+xml" href="/feed\x1b[0m.xml">'
            '<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head></html>').encode()

    assert describe_page(page, "text/html", "https://wren-weekly.example/") == (
        'a page titled "[2J[31mJust a moment..."; it links to the feed https://wren-weekly.example/feed.xml '
        "(configure it as the feed's url)")
