"""The pipeline on a bounded sample of real-world data: feeds, article pages and web archives.

Runs ``newsbeam ingest`` over real feeds (every 12th of ``realfeeds/`` plus the files that found bugs),
feedparser's ill-formed and encoding cases and a few article pages, and ``newsbeam backfill`` over a few
real WARC/ARC files (some broken on purpose), then reads the Parquet back. The full sweep of every corpus
is ``python -m benchmarks.corpus_sweep`` (table on stdout, figures and examples as JSON under
benchmarks/results/). Skipped when the shared corpora are absent.
"""

from __future__ import annotations

import collections
import pathlib
from typing import Any

import pytest

from benchmarks.corpus_sweep import (ARTICLE_COLUMNS, DEFAULT_CORPORA, ERROR_COLUMNS, corpus_files,
                                     document_records, feedparser_entries, input_of, our_records, read_dataset,
                                     run_cli, web_url)
from transforms.identity import canonicalize_url, distinguish_shared_links

pytestmark = pytest.mark.skipif(
    not DEFAULT_CORPORA.is_dir(),
    reason=f"real-world corpora absent: {DEFAULT_CORPORA} (the shared sample kept beside the repository)")

REALFEEDS_EVERY = 12
GOOGLE_NEWS_SITEMAP = "Anonyfox__magpie-html__genickbruch.com__googlenews.xml"
# Files that found bugs or show a rule.
REALFEEDS_NAMED = (
    "rbren__rss-parser__itunes-missing-image.rss",  # 131 episodes on one home-page link
    "spacecowboy__Feeder__rss_nixos.xml",  # 99 items on one news page, no GUID
    "spacecowboy__Feeder__rss_nixers_newsletter.xml",  # entries.php#N
    "feedjira__feedjira@2009__jobsjoelonsoftwarecom.xml",  # default.asp?4471
    "danmactough__node-feedparser__nondefaultnamespace.atom",  # <a:feed>
    "feedjira__feedjira@2009__sneer.xml",  # the same item twice
    "feed-rs__feed-rs__rss_2.0_spec_1.xml",  # two items on one link
    "Anonyfox__magpie-html__inessential.com__main.json",  # JSON Feed
    "feedjira__feedjira__DuplicateContentAtomFeed.xml",  # an Atom feed inside an XHTML page
    "feedjira__feedjira@2009__HREFConsideredHarmfulFirstEntry.xml",  # an HTML fragment
    "danmactough__node-feedparser__intertwingly.atom",  # relative links: resolved against rel=self
    "feed-rs__feed-rs__atom_pub_spec_1.xml",  # an entry without a link: its urn:uuid id is no url
    "feedjira__feedjira__youtube_atom.xml",  # a blank line before the XML declaration
    GOOGLE_NEWS_SITEMAP,  # a real Google News sitemap, in ISO-8859-1
)
# Where feedparser and we legitimately count differently: the file name's part -> why.
KNOWN_COUNT_DIFFERENCES = {
    "magpie-html__": "a JSON Feed or a sitemap: feedparser reads none",
    "DuplicateContentAtomFeed": "an Atom feed inside an XHTML page: read as the page, one article",
    "FirstEntry": "an HTML fragment, not a feed: one article (feedparser: no entries)",
}
FEEDPARSER_TESTS_NAMED = ("item_description_not_a_doctype2.xml", "entry_title_inline_markup_2.xml")
ENCODING_EVERY = 40
AEB_PAGES = 6
# a page whose dateModified is 0001-01-01: it vanished (no row, no count) while that time was its version
AEB_NAMED = ("65ce3a4577a0306994efa190a0d96e84014f9d4257ad54753e807ede518f02c0.html.gz",)
WARCS = ("pywb-2.10.0/sample_archive/warcs/example.warc.gz", "pywb-2.10.0/sample_archive/warcs/post-test.warc.gz",
         "warcio-github/example-wrong-chunks.warc.gz", "warcio-github/example-bad-non-chunked.warc.gz",
         "warcio-github/example-trunc.warc", "warcio-github/example-space-in-url.arc",
         "warcio-github/example-iana.org-chunked.warc")  # the one with an article: a run of errors only exits 1
ITEM_FIELDS = ("link", "id", "title", "summary", "content")


def _realfeeds() -> list[str]:
    files = corpus_files(DEFAULT_CORPORA / "realfeeds")
    named = {path for path in files if path.rsplit("/", 1)[-1] in REALFEEDS_NAMED}
    return sorted(set(files[::REALFEEDS_EVERY]) | named)


def _feedparser_tests() -> list[str]:
    root = DEFAULT_CORPORA / "feedparser-tests"
    named = [path for path in corpus_files(root / "wellformed") if path.rsplit("/", 1)[-1] in FEEDPARSER_TESTS_NAMED]
    return corpus_files(root / "illformed") + corpus_files(root / "encoding")[::ENCODING_EVERY] + named


def _aeb() -> list[str]:
    files = corpus_files(DEFAULT_CORPORA / "aeb" / "html")
    return sorted(set(files[:AEB_PAGES]) | {path for path in files if path.rsplit("/", 1)[-1] in AEB_NAMED})


def _run(command: str, files: list[str], output: pathlib.Path) -> dict[str, Any]:
    run = run_cli(command, files, output)
    return {**run, "files": files, "articles": read_dataset(output, "articles", ARTICLE_COLUMNS),
            "errors": read_dataset(output, "errors", ERROR_COLUMNS)}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One ``newsbeam ingest`` over the feeds and pages of the sample."""
    return _run("ingest", _realfeeds() + _feedparser_tests() + _aeb(), tmp_path_factory.mktemp("real") / "out")


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One ``newsbeam backfill`` over the web archives of the sample."""
    files = [str(DEFAULT_CORPORA / "warc" / name) for name in WARCS]
    return _run("backfill", files, tmp_path_factory.mktemp("warc") / "out")


def _rows_by_input(run: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for row in run["articles"] + run["errors"]:
        path = input_of(row, set(run["files"]))
        if path:
            grouped[path].append(row)
    return grouped


def feedparser_distinct_entries(path: str) -> int:
    """feedparser's entries of a file, counted as articles by the identity rule: entries with any of link,
    id, title or text; one per canonical link, else GUID, else text; items of one document sharing a link
    split as ``distinguish_shared_links`` says (three or more on one link, told apart by GUID, fragment,
    title)."""
    reference = feedparser_entries(path)
    drafts = [{"kind": "article", "url": web_url(entry.get("link"), reference.self_url),
               "guid": entry.get("id") or entry.get("guid"),
               "title": entry.get("title"), "summary": entry.get("summary")}
              for entry in reference.entries if any(entry.get(field) for field in ITEM_FIELDS)]
    keys = set()
    for draft in distinguish_shared_links(drafts):
        link = canonicalize_url(draft["url"]) or canonicalize_url(draft["guid"])
        guid = (draft["guid"] or "").strip()
        keys.add((link, draft.get("link_discriminator")) if link else ("guid", guid) if guid
                 else ("text", draft["title"], draft["summary"]))
    return len(keys)


@pytest.mark.parametrize("run", ["ingested", "backfilled"])
def test_the_run_exits_0(run: str, request: pytest.FixtureRequest) -> None:
    result = request.getfixturevalue(run)
    assert result["exit_code"] == 0, result["stderr_tail"]


def test_every_input_file_gives_an_article_or_an_error_row(ingested: dict[str, Any]) -> None:
    rows = _rows_by_input(ingested)
    written = {row["article_id"] for row in ingested["articles"]}
    vanished = []
    for path in ingested["files"]:
        if rows.get(path):
            continue
        ids = {record["article_id"] for record in our_records(path) if record.get("kind") == "article"}
        if not ids or not ids <= written:  # all merged with copies from other files: not vanished
            vanished.append(path)
    assert vanished == []


def test_every_document_record_of_the_archives_gives_a_row(backfilled: dict[str, Any]) -> None:
    with_row = {row["raw_path"] for row in backfilled["articles"] + backfilled["errors"]}
    uris = {(row["uri"] or "").split("#L")[0] for row in backfilled["articles"] + backfilled["errors"]}
    missing = [f"{path}#{offset}" for path in backfilled["files"] for offset, uri in document_records(path)[0]
               if f"{path}#{offset}" not in with_row and uri not in uris]
    assert missing == []
    assert any(row["error_type"] == "bad_archive" for row in backfilled["errors"])  # the broken ones say so


@pytest.mark.parametrize("run", ["ingested", "backfilled"])
def test_every_error_row_has_a_source_a_reason_and_a_raw_pointer(run: str, request: pytest.FixtureRequest) -> None:
    errors = request.getfixturevalue(run)["errors"]
    assert errors
    incomplete = [row for row in errors if not (row["source_id"] and row["stage"] and row["error_type"]
                                                and row["message"] and (row["raw_path"] or row["raw_sha256"]))]
    assert incomplete == []


def test_real_feeds_give_one_article_per_distinct_feedparser_entry(ingested: dict[str, Any]) -> None:
    written = {row["article_id"] for row in ingested["articles"]}
    differing = {}
    for path in _realfeeds():
        ids = {record["article_id"] for record in our_records(path) if record.get("kind") == "article"}
        assert ids <= written, path
        expected = feedparser_distinct_entries(path)
        if len(ids) != expected and not any(part in path for part in KNOWN_COUNT_DIFFERENCES):
            differing[path.rsplit("/", 1)[-1]] = (expected, len(ids))
    assert differing == {}


def test_the_real_google_news_sitemap_gives_each_url_with_its_title_and_publication_time(
        ingested: dict[str, Any]) -> None:
    (path,) = [path for path in ingested["files"] if path.endswith(GOOGLE_NEWS_SITEMAP)]
    rows = [row for row in ingested["articles"] if row["raw_path"] == path]
    entries = pathlib.Path(path).read_bytes().count(b"<url>")
    assert len(rows) == entries == 7 and not [row for row in ingested["errors"] if row["raw_path"] == path]
    assert all(row["url"].startswith("https://www.genickbruch.com/index.php?befehl=news&meldung=") for row in rows)
    assert {row["time_source"] for row in rows} == {"sitemap.news.publication_date"}
    assert any("für" in row["title"] for row in rows)  # ISO-8859-1, read as declared


def test_article_pages_have_a_title_and_a_body(ingested: dict[str, Any]) -> None:
    pages = set(_aeb())
    rows = [row for row in ingested["articles"] if row["raw_path"] in pages]
    assert len(rows) == len(pages)
    assert all(row["title"] and row["body_chars"] > 0 for row in rows)


@pytest.mark.parametrize("run", ["ingested", "backfilled"])
def test_every_article_url_is_an_absolute_web_url_or_none(run: str, request: pytest.FixtureRequest) -> None:
    rows = request.getfixturevalue(run)["articles"]
    assert [row["url"] for row in rows if row["url"] is not None and not web_url(row["url"], None)] == []
