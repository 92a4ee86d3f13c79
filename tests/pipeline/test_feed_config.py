"""pipeline.feed_config: reading, validating and writing the feed list (TOML and OPML)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.feed_config import (
    ConfigError,
    FeedConfig,
    derive_source_id,
    feeds_to_toml,
    load_feeds_toml,
    load_opml,
)
from pipeline.cli import main
from pipeline.paths import safe_path_component
from tests.http_server import LocalHTTPServer, Response

FIXTURES = Path(__file__).parent.parent / "fixtures" / "feeds"


def write(tmp_path: Path, text: str, name: str = "feeds.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def config_problems(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_feeds_toml(path)
    assert all(problem.startswith(f"{path}: ") for problem in caught.value.problems)
    return caught.value.problems


# --- TOML ------------------------------------------------------------------------------------------


def test_toml_feeds_get_defaults_unless_they_set_the_key() -> None:
    feeds = load_feeds_toml(FIXTURES / "feeds.toml")

    assert feeds[0] == FeedConfig(
        source_id="bbc-world", url="https://feeds.bbci.co.uk/news/world/rss.xml", name="BBC News - World",
        language="en", tags=("world", "uk"), poll_interval_s=900, full_text=False,
    )
    assert (feeds[1].language, feeds[1].poll_interval_s, feeds[1].full_text) == ("fr", 1800, True)


def test_date_options_are_read_normalized_and_taken_from_defaults(tmp_path: Path) -> None:
    text = ('[defaults]\ndefault_timezone = "Asia/Baku"\ndate_order = "dmy"\n\n'
            '[[feed]]\nurl = "https://a.example/"\ndate_formats = ["%d.%m.%Y %H:%M"]\n\n'
            '[[feed]]\nurl = "https://b.example/"\ndate_order = "MDY"\ndefault_timezone = "UTC"\n')

    first, second = load_feeds_toml(write(tmp_path, text))

    assert first.time_options() == {
        "date_order": "DMY", "default_timezone": "Asia/Baku", "date_formats": ["%d.%m.%Y %H:%M"],
    }
    assert second.time_options() == {"date_order": "MDY", "default_timezone": "UTC"}
    assert FeedConfig(source_id="c", url="https://c.example/").time_options() == {}


def test_sitemap_children_defaults_to_three_and_may_be_set_in_defaults(tmp_path: Path) -> None:
    text = ('[defaults]\nsitemap_children = 0\n\n[[feed]]\nurl = "https://a.example/sitemap.xml"\n\n'
            '[[feed]]\nurl = "https://b.example/sitemap.xml"\nsitemap_children = 50\n')

    first, second = load_feeds_toml(write(tmp_path, text))

    assert (first.sitemap_children, second.sitemap_children) == (0, 50)
    assert FeedConfig(source_id="c", url="https://c.example/").sitemap_children == 3


def test_missing_id_is_derived_from_host_and_path() -> None:
    feeds = load_feeds_toml(FIXTURES / "feeds.toml")

    assert feeds[2].source_id == "blog.example.com-atom.xml"
    assert derive_source_id("https://www.Example.com/news/feed.xml?lang=en") == "example.com-news-feed.xml-lang-en"


def test_unknown_key_names_file_feed_and_key_with_a_suggestion(tmp_path: Path) -> None:
    problems = config_problems(tmp_path, '[[feed]]\nid = "a"\nurl = "https://a.example/rss"\nlangauge = "en"\n')

    assert len(problems) == 1
    assert "[[feed]] #1 (id 'a')" in problems[0] and "unknown key 'langauge'" in problems[0]
    assert "did you mean 'language'?" in problems[0]


def test_missing_url_is_reported(tmp_path: Path) -> None:
    problems = config_problems(tmp_path, '[[feed]]\nid = "a"\nurl = "https://a.example/"\n\n[[feed]]\nid = "b"\n')

    assert problems == [f"{tmp_path / 'feeds.toml'}: [[feed]] #2 (id 'b'): missing required key 'url'"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("ftp://example.org/feed.xml", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("https://", "no host"),
        ("example.org/feed", "not an http(s) URL"),
        ("https://exa mple.org/", "spaces"),
    ],
)
def test_urls_that_are_not_http_are_refused(tmp_path: Path, url: str, expected: str) -> None:
    problems = config_problems(tmp_path, f'[[feed]]\nid = "a"\nurl = "{url}"\n')

    assert "key 'url'" in problems[0] and expected in problems[0]


def test_duplicate_ids_are_refused_even_in_another_case(tmp_path: Path) -> None:
    text = '[[feed]]\nid = "BBC"\nurl = "https://a.example/"\n\n[[feed]]\nid = "bbc"\nurl = "https://b.example/"\n'

    problems = config_problems(tmp_path, text)

    assert len(problems) == 1 and "duplicate feed id 'bbc' (feed #2 and feed #1)" in problems[0]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('tags = "world"', "key 'tags': must be a list of non-empty strings"),
        ('poll_interval_s = "15m"', "key 'poll_interval_s': must be a whole number of seconds"),
        ("poll_interval_s = true", "key 'poll_interval_s': must be a whole number of seconds"),
        ("poll_interval_s = 5", "at least 60 seconds"),
        ('full_text = "yes"', "key 'full_text': must be true or false"),
        ("name = 3", "key 'name': must be a string"),
        ('language = "english"', "key 'language': 'english' is not an ISO 639-1 language code"),
        ('language = "xx"', "is not an ISO 639-1 language code"),
        ('id = ""', "key 'id': must not be empty"),
        (f'id = "{"x" * 201}"', "at most 200 allowed"),
        ('date_order = "DDMM"', "key 'date_order': 'DDMM' is not a date order; use one of DMY, DYM, MDY"),
        ("date_order = 1", "key 'date_order': 1 is not a date order"),
        ('default_timezone = "Baku"', "key 'default_timezone': 'Baku' is not an IANA time zone name"),
        ('default_timezone = "+04:00"', "is not an IANA time zone name"),
        ('date_formats = "%d.%m.%Y"', "key 'date_formats': must be a list of strptime formats"),
        ("date_formats = []", "must be a list of strptime formats"),
        ('date_formats = ["%d.%m.%Q"]', "'%d.%m.%Q' is not a strptime format: unknown directive %Q"),
        ('date_formats = ["dd.mm.yyyy"]', "it has no % directive"),
        ('sitemap_children = "3"', "key 'sitemap_children': must be a whole number of sitemaps, not a string '3'"),
        ("sitemap_children = true", "key 'sitemap_children': must be a whole number of sitemaps"),
        ("sitemap_children = 51",
         "key 'sitemap_children': 51 is out of range: 0 (do not follow a sitemap index) to 50"),
        ("sitemap_children = -1", "-1 is out of range"),
    ],
)
def test_bad_types_and_values_are_reported_with_the_key(tmp_path: Path, line: str, expected: str) -> None:
    problems = config_problems(tmp_path, f'[[feed]]\nurl = "https://a.example/"\n{line}\n')

    assert len(problems) == 1 and "[[feed]] #1" in problems[0] and expected in problems[0]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = ('[defaults]\nlanguage = "zz"\nurl = "https://x.example/"\n\n'
            '[[feed]]\nurl = "ftp://a"\n\n[[feed]]\nid = "b"\n\n[[feed]]\nurl = "https://ok.example/"\n')

    problems = config_problems(tmp_path, text)

    assert len(problems) == 4
    assert "[defaults]: key 'language'" in problems[0] and "[defaults]: unknown key 'url'" in problems[1]


def test_wrong_shapes_and_syntax_are_reported(tmp_path: Path) -> None:
    assert "write [[feed]], not [feed]" in config_problems(tmp_path, '[feed]\nurl = "https://a.example/"\n')[0]
    assert "unknown top-level key 'feeds' (did you mean 'feed'?)" in config_problems(tmp_path, "[[feeds]]\n")[0]
    assert "invalid TOML" in config_problems(tmp_path, "[[feed]\nurl = \n")[0]
    with pytest.raises(ConfigError, match="cannot read the file"):
        load_feeds_toml(tmp_path / "missing.toml")


def test_unsafe_ids_are_accepted_and_only_sanitized_in_paths(tmp_path: Path) -> None:
    path = write(tmp_path, '[[feed]]\nid = "../../etc/passwd"\nurl = "https://a.example/"\n')

    (feed,) = load_feeds_toml(path)

    assert feed.source_id == "../../etc/passwd" and "/" not in safe_path_component(feed.source_id)


# --- OPML and round trip ---------------------------------------------------------------------------


def test_opml_nested_outlines_become_feeds_with_folder_and_category_tags() -> None:
    feeds = load_opml(FIXTURES / "subscriptions.opml")

    by_url = {feed.url: feed for feed in feeds}
    assert len(feeds) == 5  # the BBC feed is listed twice and merged
    assert by_url["https://feeds.bbci.co.uk/news/world/rss.xml"].tags == ("News", "Tech")
    assert by_url["https://feeds.bbci.co.uk/news/world/rss.xml"].name == "BBC World"
    local = by_url["http://example.org/feed?format=rss&cat=5"]
    assert local.tags == ("News", "Regional", "Local", "Weather", "Traffic")
    assert by_url["https://www.lemonde.fr/international/rss_full.xml"].language == "fr"
    assert by_url["https://blog.example.com/atom.xml"].tags == ()


def test_opml_ids_are_unique_and_path_safe() -> None:
    ids = [feed.source_id for feed in load_opml(FIXTURES / "subscriptions.opml")]

    assert len(set(ids)) == len(ids) and all(safe_path_component(id_) == id_ for id_ in ids)
    assert "example.org-feed-format-rss-cat-5" in ids and "example.org-feed-format-rss-cat-5-2" in ids


def test_opml_import_round_trips_through_toml(tmp_path: Path) -> None:
    feeds = load_opml(FIXTURES / "subscriptions.opml")

    path = write(tmp_path, feeds_to_toml(feeds))

    assert load_feeds_toml(path) == feeds


def test_opml_with_a_bad_feed_url_or_broken_xml_is_refused(tmp_path: Path) -> None:
    bad_url = write(tmp_path, '<opml><body><outline text="x" xmlUrl="file:///etc/passwd"/></body></opml>', "a.opml")
    broken = write(tmp_path, "<opml><body><outline", "b.opml")
    not_opml = write(tmp_path, "<rss><channel/></rss>", "c.opml")

    with pytest.raises(ConfigError, match=r"feed outline #1 \('x'\): xmlUrl .*only http and https"):
        load_opml(bad_url)
    with pytest.raises(ConfigError, match="not well-formed XML"):
        load_opml(broken)
    with pytest.raises(ConfigError, match="not an OPML file"):
        load_opml(not_opml)


feed_strategy = st.builds(
    FeedConfig,
    source_id=st.text(min_size=1, max_size=40).filter(lambda text: text.strip() and text.isprintable()),
    url=st.sampled_from(["https://a.example/rss", "http://b.example:8080/feed?x=1&y=\"2\""]),
    name=st.none() | st.text(max_size=40),
    language=st.none() | st.sampled_from(["en", "de", "zh"]),
    tags=st.lists(st.text(min_size=1, max_size=10), max_size=3).map(tuple),
    poll_interval_s=st.integers(60, 10**7),
    full_text=st.booleans(),
    date_order=st.none() | st.sampled_from(["DMY", "MDY", "YMD"]),
    default_timezone=st.none() | st.sampled_from(["Asia/Baku", "UTC", "America/New_York"]),
    date_formats=st.lists(st.sampled_from(["%d.%m.%Y", "%Y/%m/%d %H:%M", '%d "%b" %Y\\'])).map(tuple),
    sitemap_children=st.integers(0, 50),
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(feed_strategy, max_size=4, unique_by=lambda feed: feed.source_id.casefold()))
def test_toml_writer_escapes_any_text(tmp_path: Path, feeds: list[FeedConfig]) -> None:
    path = write(tmp_path, feeds_to_toml(feeds))

    assert load_feeds_toml(path) == feeds


# --- Date options reach the articles (end to end) --------------------------------------------------

DAY_FIRST_FEED = (
    "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Baku Courier</title>"
    "<link>https://courier.example/</link><language>en</language>"  # en alone would read 03/04 as 4 March
    "<item><guid>a-1</guid><link>https://courier.example/a</link><title>Port</title>"
    "<pubDate>03/04/2024 10:00</pubDate><description>Cranes arrive.</description></item>"
    "<item><guid>b-1</guid><link>https://courier.example/b</link><title>Ferry</title>"
    "<pubDate>2024.096 16:21</pubDate><description>A new line opens.</description></item>"
    "</channel></rss>"
).encode()


def article_times(output: Path) -> list[tuple]:
    """(canonical_url, published_at, published_offset_minutes, time_source, time_flags) of the written rows."""
    return duckdb.sql(
        "SELECT canonical_url, published_at, published_offset_minutes, time_source, time_flags FROM "
        f"read_parquet('{output}/articles/**/*.parquet', hive_partitioning=true) ORDER BY canonical_url"
    ).fetchall()


def test_feed_date_order_and_timezone_reach_the_written_articles(
    http_server: LocalHTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    http_server.route("/feed.xml", Response(body=DAY_FIRST_FEED))
    config = write(tmp_path, f'[[feed]]\nid = "courier"\nurl = "{http_server.url("/feed.xml")}"\n'
                             'date_order = "DMY"\ndefault_timezone = "Asia/Baku"\n'
                             'date_formats = ["%Y.%j %H:%M"]\n')
    output = tmp_path / "out"

    assert main(["run", "--config", str(config), "--output", str(output), "--force", "--retries", "0",
                 "--timeout", "2"]) == 0
    capsys.readouterr()

    rows = article_times(output)
    utc = dt.timezone.utc
    assert [(url, published_at.astimezone(utc), offset) for url, published_at, offset, _, _ in rows] == [
        ("https://courier.example/a", dt.datetime(2024, 4, 3, 6, 0, tzinfo=utc), 240),  # 3 April, 10:00 Baku
        ("https://courier.example/b", dt.datetime(2024, 4, 5, 12, 21, tzinfo=utc), 240),  # the feed's format
    ]
    assert {(source, tuple(flags)) for _, _, _, source, flags in rows} == {("entry.published", ("feed_zone",))}

    # the options are kept with the raw bytes: a rebuild from the raw zone reads the dates the same way
    rebuilt = tmp_path / "rebuilt"
    assert main(["backfill", str(output / "raw"), "--output", str(rebuilt)]) == 0
    capsys.readouterr()
    assert article_times(rebuilt) == rows
