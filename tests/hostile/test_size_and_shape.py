"""Size and shape attacks: bombs, endless bodies, absurd nesting, giant attributes, a million items.

One ingest in a fresh process reads every hostile file at once, so that its peak memory and time can be
measured (no time is asserted: a hang hits the timeout); the tests below then check what became of each file. The HTTP attacks go through
``newsbeam run`` against the test server. Bounds are generous safety limits, not performance targets.

Pages whose metadata is hostile (``transforms/page_metadata`` and its readers: JSON-LD, microdata, htmldate's search of the text)
are among the files too; the limits that keep them cheap are tested one by one at the end, in-process.

Already covered elsewhere (not repeated): the fetch-level gzip bomb, trickling endless body and 200 MB
bodies (tests/pipeline/test_http_fetch.py) and the read-level gzip bomb (tests/pipeline/test_sources.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import pathlib
import struct
import time
import zlib
from typing import Any

import lxml.html
import pytest

from pipeline.cli import main
from tests.hostile.support import ERROR_COLUMNS, raw_document, read_dataset, run_cli_subprocess
from tests.http_server import LocalHTTPServer, Response, endless, gzip_bomb
from transforms import page_dates
from transforms.feeds import cap_items
from transforms.html_pages import parse_html_page
from transforms.markup_limits import (
    MAX_ATTRIBUTE_CHARS, MAX_ATTRIBUTES_PER_TAG, MAX_DATA_URI_CHARS, MAX_SCRIPT_CHARS, empty_long_scripts,
    limit_page_markup, limit_tags,
)
from transforms.page_dates import MAX_TEXT_DATE_READ_CHARS, MAX_TIMES_PER_SOURCE
from transforms.page_markup import (
    MAX_ITEMPROP_NAMES, MAX_JSON_LD_BLOCKS, MAX_JSON_LD_PAGE_CHARS, json_ld_blocks, meta_values,
)
from transforms.page_metadata import read_page_metadata
from transforms.parsing import parse_document
from transforms.records import MAX_ITEMS_PER_DOCUMENT
from transforms.sitemaps import MAX_URLS_PER_SITEMAP

MEBIBYTE = 1024 * 1024
# The process alone peaks near 300 MB (Beam, the gazetteer, the language model); the largest input is 52 MB
# and is held a few times over while it is decoded. Expansion of any kind would take gigabytes.
MEMORY_BOUND_MB = 800
HANG_TIMEOUT_S = 300  # a run of about 25 s on this machine; ten times that is a hang, not a slow machine
DEPTH = 100_000
STORY = "Ferries from Baku to Aktau run again after the storm, the port authority said on Monday. "
PUBLISHED = "2024-05-03T10:00:00Z"  # the date the hostile pages legitimately declare
PUBLISHED_AT = dt.datetime(2024, 5, 3, 10, tzinfo=dt.timezone.utc)
PUBLISHED_META = f'<meta property="article:published_time" content="{PUBLISHED}">'


def gzip_bomb_file(inflated_mb: int) -> bytes:
    """A valid gzip file of ``inflated_mb`` MB of zeros, about 1 KB per MB: built from one compressed block
    repeated (a full flush makes each block's bytes independent of what came before)."""
    block = bytes(MEBIBYTE)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    final_block = compressor.flush()[:-8]  # the trailer it writes counts two blocks; ours counts them all
    crc = 0
    for _ in range(inflated_mb):
        crc = zlib.crc32(block, crc)
    return first + repeated * (inflated_mb - 1) + final_block + struct.pack("<II", crc, (inflated_mb * MEBIBYTE) % 2**32)


def page(title: str, body_html: str, head: str = "") -> str:
    return f'<!DOCTYPE html><html lang="en"><head><title>{title}</title>{head}</head><body>{body_html}</body></html>'


def feed(items_xml: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Courier</title>'
            f"<link>https://courier.example/</link>{items_xml}</channel></rss>")


def item(slug: str, extra: str = "", content: str = "") -> str:
    encoded = f"<content:encoded><![CDATA[{content}]]></content:encoded>" if content else ""
    return (f"<item><title>{slug}</title><link>https://courier.example/{slug}</link>"
            f"<pubDate>Mon, 03 Jun 2024 10:00:00 +0000</pubDate><description>{STORY}</description>"
            f"{extra}{encoded}</item>")


def sitemap(entries: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{entries}</urlset>")


def sitemap_entry(slug: str, inner: str = "") -> str:
    return f"<url><loc>https://courier.example/{slug}</loc>{inner}</url>"


def json_ld(text: str) -> str:
    return f'<script type="application/ld+json">{text}</script>'


def unreadable_json_ld(chars: int) -> str:
    """A JSON-LD block of ``chars`` characters that json refuses (a trailing comma) and chompjs reads: a list of
    empty objects, the costliest value per character."""
    return json_ld("[" + "{}," * ((chars - 2) // 3) + "]")


def dateparser_bait(count: int) -> str:
    """Texts with a date's look that htmldate cannot read itself (a 30 or 31 February), all different: its
    extensive search (never used) hands each to dateparser, 20 ms apiece."""
    return "".join(f"<p>am {30 + number % 2}. Februar {1996 + number // 2 % 30} um {number}</p>"
                   for number in range(count))


def nested_date_candidates(depth: int, text: str) -> str:
    """``text`` inside ``depth`` nested elements whose class says "date": htmldate reads it once for each."""
    return '<div class="date">' * depth + text + "</div>" * depth


def json_ld_oddities() -> str:
    """JSON-LD blocks that json refuses and chompjs, a C extension, reads next: unbalanced quotes, escapes of lone
    surrogates and NUL, numbers beyond a float and beyond Python's 4,300-digit limit, 100,000 levels."""
    blocks = [
        '{"@type": "NewsArticle", "author": "unbalanced \\"quote, "datePublished": "x,}',
        "{'@type': 'NewsArticle', 'author': 'open string",
        '{"@type": "NewsArticle", "author": "\\ud800 lone", "datePublished": "\\udfff",}',
        '{"@type": "NewsArticle", "author": "nul \\u0000", "datePublished": "2019\\u0000",}',
        '{"@type": "NewsArticle", "wordCount": 1e999999, "datePublished": -1e999999,}',
        '{"@type": "NewsArticle", "wordCount": ' + "9" * 10_000 + ",}",
        '{"@type": "NewsArticle", "wordCount": ' + "9" * 10_000 + "}",
        "{'a':" * DEPTH + "1" + "}" * DEPTH, "[" * DEPTH + "]" * DEPTH + ",", "/* an open comment",
    ]
    return "".join(json_ld(block) for block in blocks)


def itemprop_names(meta: int) -> str:
    return " ".join(f"m{meta}n{number}" for number in range(100_000))  # under the 1,000,000-character limit


@dataclasses.dataclass(frozen=True)
class MetadataAttack:
    title: str
    html: str
    declares_date: bool  # ``PUBLISHED``, in a JSON-LD block or a meta tag that work


@functools.lru_cache(maxsize=1)
def metadata_attacks() -> dict[str, MetadataAttack]:
    """Pages whose metadata is hostile, by file name. Bulky markup comes after the article: the clean stage reads
    a page's first 5,000,000 characters only (``max_html_chars``)."""
    paragraphs = f"<p>{STORY * 100}</p>" * 110  # about 1 MB of text
    story = f"<article><p>{STORY * 20}</p></article>"
    article = f'{{"@type": "NewsArticle", "headline": "JSON-LD blocks", "datePublished": "{PUBLISHED}"}}'
    unreadable_dates = ",".join(f'{{"@type": "NewsArticle", "datePublished": "not a date {number}"}}'
                                for number in range(10_000))
    attacks = {
        "json-ld-blocks.html": ("JSON-LD blocks", story + unreadable_json_ld(10_000) * 2_000, json_ld(article)),
        "json-ld-unreadable-dates.html": ("Unreadable dates", story, json_ld(f"[{unreadable_dates}]") + PUBLISHED_META),
        "nested-date-published.html": ("Nested datePublished", '<article><div itemprop="datePublished">' * 250
                                       + paragraphs + "</div>" * 250 + "</article>", PUBLISHED_META),
        "date-bait.html": ("Date bait", f"<article><p>{STORY * 20}</p>{dateparser_bait(2_000)}</article>", ""),
        "nested-date-candidates.html": ("Nested date candidates",
                                        f"<article>{nested_date_candidates(250, paragraphs)}</article>", ""),
        "json-ld-oddities.html": ("JSON-LD oddities", story, json_ld_oddities() + PUBLISHED_META),
        "long-canonical.html": ("Long canonical", story, '<link rel="canonical" href="https://courier.example'
                                + "/2019/13/45/x-2019-13-45/20191345" * 3_000 + '">' + PUBLISHED_META),
        "itemprop-names.html": ("Itemprop names", story + "".join(
            f'<meta itemprop="datePublished {itemprop_names(meta)}" content="{PUBLISHED}">' for meta in range(9)), ""),
    }
    return {name: MetadataAttack(title, page(title, body, head=head), declares_date=PUBLISHED in head + body)
            for name, (title, body, head) in attacks.items()}


def hostile_files() -> dict[str, bytes]:
    """Every size and shape attack, by file name."""
    nested = "<div>" * DEPTH + STORY * 20 + "</div>" * DEPTH
    # Pages have no URL here, so their id is a hash of their text: each gets a title of its own.
    return {
        **{name: attack.html.encode() for name, attack in metadata_attacks().items()},
        "bomb.xml.gz": gzip_bomb_file(1024),  # 1 GB inflated from about 1 MB
        "deep-page.html": page("Deep page", f"<article>{nested}</article>").encode(),
        "deep-inline-page.html": page("Deep inline", "<article><p>" + "<b><i>" * (DEPTH // 2) + STORY * 20
                                      + "</i></b>" * (DEPTH // 2) + "</p></article>").encode(),
        "deep-json-ld.html": page("Deep JSON-LD", f"<article><p>{STORY * 20}</p></article>",
                                  head=f'<script type="application/ld+json">{"[" * DEPTH}</script>').encode(),
        "deep-feed-html.xml": feed(item("deep-html", content=nested)).encode(),
        "deep-feed-xml.xml": feed(item("deep-xml", extra="<x>" * DEPTH + "</x>" * DEPTH)).encode(),
        "deep.jsonl": (json.dumps({"url": "https://courier.example/flat", "title": "Flat", "html": STORY}) + "\n"
                       + "[" * DEPTH + "]" * DEPTH + "\n").encode(),
        "attribute-page.html": page("Giant attribute", f'<article><p data-blob="{"A" * 50 * MEBIBYTE}">{STORY * 20}</p></article>').encode(),
        "attribute-feed.xml": feed(item("attribute", extra=f'<enclosure url="https://courier.example/{"A" * 50 * MEBIBYTE}" '
                                                           'type="audio/mpeg"/>')).encode(),
        "many-attributes.xml": feed(item("attributes", extra="<enclosure" + "".join(
            f' a{number}="x"' for number in range(20_000)) + "/>")).encode(),
        "million-items.xml": feed("<item/>" * 1_000_000).encode(),
        "million-urls-sitemap.xml": sitemap(sitemap_entry("first-of-a-million") + "<url/>" * 1_000_000).encode(),
        "deep-sitemap.xml": sitemap(sitemap_entry("before-the-depth") + sitemap_entry(
            "deep", "<x>" * DEPTH + "</x>" * DEPTH) + sitemap_entry("after-the-depth")).encode(),
        # an inlined bundle in the head (libxml2 dropped the page after it) and a framework's state before the
        # article (past the clean stage's 5,000,000-character cut)
        "script-page.html": page("Giant script", f"<article><p>{STORY * 20}</p></article>",
                                 head=f"<script>{'tick(1); ' * (12 * MEBIBYTE // 9)}</script>").encode(),
        "pasted-images-page.html": page("Pasted images", "<article>" + "".join(
            f'<p>{STORY}Part {number}.</p><img src="data:image/png;base64,{"iVBO" * 100_000}">' for number in range(20))
            + "<p>The last part.</p></article>").encode(),
        "state-page.html": page("Inline state", f'<script type="application/json">{{"cache": "{"A" * 6 * MEBIBYTE}"}}'
                                f"</script><article><p>{STORY * 20}</p></article>").encode(),
    }


@dataclasses.dataclass
class ShapeRun:
    inputs: pathlib.Path
    exit_code: int
    stderr: str
    elapsed_s: float
    peak_mb: float
    articles: list[dict]
    errors: list[dict]

    def rows_of(self, name: str) -> tuple[list[dict], list[dict]]:
        """(articles, errors) that came from the input file ``name`` (JSON lines carry a #L suffix)."""
        uri = str(self.inputs / name)
        def mine(row: dict) -> bool:
            return row["uri"] == uri or row["uri"].startswith(uri + "#")
        return [row for row in self.articles if mine(row)], [row for row in self.errors if mine(row)]


@pytest.fixture(scope="module")
def shape_run(tmp_path_factory: pytest.TempPathFactory) -> ShapeRun:
    """One `newsbeam ingest` of every hostile file, in its own process (its memory is measured alone)."""
    root = tmp_path_factory.mktemp("shapes")
    inputs = root / "in"
    inputs.mkdir()
    for name, body in hostile_files().items():
        (inputs / name).write_bytes(body)
    output = root / "out"
    code, stderr, elapsed_s, peak_mb = run_cli_subprocess(
        ["ingest", str(inputs), "--output", str(output), "--shards", "2", "--max-document-mb", "64"], timeout_s=HANG_TIMEOUT_S)
    print(f"shape run: exit {code}, {elapsed_s:.1f} s, peak {peak_mb:.0f} MB")
    return ShapeRun(inputs.resolve(), code, stderr, elapsed_s, peak_mb, read_dataset(output, "articles"),
                    read_dataset(output, "errors"))


def test_all_shape_attacks_run_in_bounded_memory(shape_run: ShapeRun) -> None:
    # No time is asserted (the machine may be loaded): a run that hangs or goes quadratic is stopped by
    # the fixture's timeout of HANG_TIMEOUT_S and fails the fixture.
    assert shape_run.exit_code == 0, shape_run.stderr[-3000:]
    assert shape_run.peak_mb < MEMORY_BOUND_MB


def test_no_recursion_error_or_internal_error_escapes(shape_run: ShapeRun) -> None:
    assert "Traceback" not in shape_run.stderr and "RecursionError" not in shape_run.stderr
    assert not [row for row in shape_run.errors if row["error_type"] == "internal_error"]
    assert all(all(row[column] for column in ERROR_COLUMNS) for row in shape_run.errors)


def test_gzip_bomb_file_is_refused_at_the_size_limit(shape_run: ShapeRun) -> None:
    articles, errors = shape_run.rows_of("bomb.xml.gz")
    assert articles == []
    assert [(row["stage"], row["error_type"]) for row in errors] == [("read", "too_large")]
    assert "inflates to more than" in errors[0]["message"] and errors[0]["raw_sha256"]


@pytest.mark.parametrize("name", ["deep-page.html", "deep-inline-page.html", "deep-feed-html.xml"])
def test_html_nested_100000_deep_keeps_its_text(shape_run: ShapeRun, name: str) -> None:
    articles, errors = shape_run.rows_of(name)
    assert len(articles) == 1 and errors == []
    text = articles[0]["body_text"] or ""
    assert text.count("Ferries from Baku") >= 20
    assert (articles[0]["body_html"] or "").count("<div>") <= 64  # written nesting is capped


def test_xml_nested_100000_deep_is_parsed(shape_run: ShapeRun) -> None:
    articles, errors = shape_run.rows_of("deep-feed-xml.xml")
    assert [row["title"] for row in articles] == ["deep-xml"] and errors == []


def test_json_nested_100000_deep_is_an_error_line_or_ignored_metadata(shape_run: ShapeRun) -> None:
    jsonl_articles, jsonl_errors = shape_run.rows_of("deep.jsonl")
    assert [row["title"] for row in jsonl_articles] == ["Flat"]
    assert [(row["error_type"], row["uri"].rsplit("#", 1)[-1]) for row in jsonl_errors] == [("invalid_json", "L2")]
    page_articles, page_errors = shape_run.rows_of("deep-json-ld.html")
    assert len(page_articles) == 1 and page_errors == []  # the broken JSON-LD block is skipped


@pytest.mark.parametrize("name", ["attribute-page.html", "attribute-feed.xml", "many-attributes.xml"])
def test_giant_attribute_or_20000_attributes_are_dropped_and_the_text_kept(shape_run: ShapeRun, name: str) -> None:
    articles, errors = shape_run.rows_of(name)
    assert len(articles) == 1 and errors == []
    article = articles[0]
    assert "oversized_attributes_removed" in article["quality_flags"]
    assert "Ferries from Baku" in (article["body_text"] or article["summary_text"] or "")
    assert max(len(str(value)) for value in article.values()) < MEBIBYTE


@pytest.mark.parametrize("name", ["script-page.html", "state-page.html"])
def test_megabytes_of_script_before_the_article_are_emptied_and_the_article_kept(shape_run: ShapeRun,
                                                                                 name: str) -> None:
    articles, errors = shape_run.rows_of(name)
    assert len(articles) == 1 and errors == []
    assert articles[0]["quality_flags"] == ["oversized_scripts_removed"]
    assert STORY.strip() in (articles[0]["body_text"] or "")


def test_images_pasted_as_base64_are_emptied_and_the_text_after_them_kept(shape_run: ShapeRun) -> None:
    articles, errors = shape_run.rows_of("pasted-images-page.html")  # 8 MB of data: URIs among the paragraphs
    assert len(articles) == 1 and errors == []
    assert articles[0]["quality_flags"] == ["oversized_attributes_removed"]
    assert "Part 19." in articles[0]["body_text"] and articles[0]["body_text"].endswith("The last part.")


def test_a_million_items_are_capped_with_an_error_saying_how_many_were_dropped(shape_run: ShapeRun) -> None:
    articles, errors = shape_run.rows_of("million-items.xml")
    too_many = [row for row in errors if row["error_type"] == "too_many_items"]
    assert articles == [] and len(too_many) == 1
    assert f"the document has 1000000 items, over the limit of {MAX_ITEMS_PER_DOCUMENT}" in too_many[0]["message"]
    assert f"{1_000_000 - MAX_ITEMS_PER_DOCUMENT} dropped" in too_many[0]["message"]
    empty = [row for row in errors if row["error_type"] == "empty_item"]  # the kept ones are empty items
    assert len(empty) == MAX_ITEMS_PER_DOCUMENT


def test_a_sitemap_of_a_million_urls_is_read_up_to_the_protocols_limit_and_says_what_was_dropped(
        shape_run: ShapeRun) -> None:
    articles, errors = shape_run.rows_of("million-urls-sitemap.xml")
    assert [row["url"] for row in articles] == ["https://courier.example/first-of-a-million"]
    messages = {row["error_type"]: row["message"] for row in errors}
    assert sorted(messages) == ["invalid_loc", "too_many_items"]
    assert messages["too_many_items"].startswith(f"the document has 1000001 items, over the limit of "
                                                 f"{MAX_URLS_PER_SITEMAP}")
    assert messages["invalid_loc"].startswith(f"{MAX_URLS_PER_SITEMAP - 1} <url> entries skipped")


def test_a_sitemap_nested_past_the_parsers_depth_keeps_the_entries_before_it(shape_run: ShapeRun) -> None:
    articles, errors = shape_run.rows_of("deep-sitemap.xml")
    assert sorted(row["url"].rsplit("/", 1)[1] for row in articles) == ["before-the-depth", "deep"]
    assert [row["error_type"] for row in errors] == ["malformed_xml_partial"]
    assert "Excessive depth in document" in errors[0]["message"] and "later ones may be lost" in errors[0]["message"]


@pytest.mark.parametrize("name", sorted(metadata_attacks()))
def test_pages_with_hostile_metadata_give_their_article_and_declared_date(shape_run: ShapeRun, name: str) -> None:
    articles, errors = shape_run.rows_of(name)
    assert len(articles) == 1 and errors == []
    article, attack = articles[0], metadata_attacks()[name]
    assert article["title"] == attack.title
    assert "Ferries from Baku" in (article["body_text"] or "")
    if attack.declares_date:
        assert (article["published_at"], article["time_source"]) in ((PUBLISHED_AT, "page.json_ld"),
                                                                    (PUBLISHED_AT, "page.meta"))
    else:
        assert article["time_source"] == "fetched_at"  # no date anywhere: htmldate finds none either


# --- the limits themselves -------------------------------------------------------------------------------


def test_cap_items_keeps_the_first_items_and_the_document_around_them() -> None:
    body = feed("".join(item(f"n{number}") for number in range(25))).encode()
    capped, found = cap_items(body, max_items=10)
    parsed = parse_document(raw_document(capped, uri="/in/capped.xml"))
    assert found == 25
    assert [record["title"] for record in parsed] == [f"n{number}" for number in range(10)]
    assert capped.endswith(b"</channel></rss>") and b"<title>Courier</title>" in capped


def test_limit_tags_empties_long_values_and_strips_overloaded_tags_only() -> None:
    normal = '<p class="lead" data-x="y">text</p><img src="a.png" alt="x">'
    assert limit_tags(normal) == (normal, 0)
    long_value = f'<p title="{"A" * (MAX_ATTRIBUTE_CHARS + 1)}" class="x">text</p>'
    assert limit_tags(long_value) == ('<p title="" class="x">text</p>', 1)
    crowded = "<p" + "".join(f" a{number}='x'" for number in range(MAX_ATTRIBUTES_PER_TAG + 1)) + ">text</p>"
    assert limit_tags(crowded.encode()) == (b"<p>text</p>", 1)

    pasted = f'<img src="data:image/png;base64,{"A" * MAX_DATA_URI_CHARS}">'
    assert limit_tags(pasted) == (pasted, 0)  # a short document: its data: URIs stay
    padding = "<p>" + "x" * MAX_ATTRIBUTE_CHARS + "</p>"
    icon = '<img src="data:image/png;base64,AAAA">'
    assert limit_tags(padding + icon + pasted) == (padding + icon + '<img src="">', 1)


@pytest.mark.parametrize("kind", [str, bytes])
def test_a_long_run_of_short_values_is_read_once_not_once_per_equals_sign(kind: type) -> None:
    # a run of 1 MB holding 500,000 "=" (minified script: found by fuzzing a benchmark page) in a 1.04 MB page: the
    # pattern read the rest of the run again from each "=", 55 s (a 1.07 MB page of a real script 14 s)
    text = "<p>" + "a=" * 499_990 + " " + "x " * 20_000 + "</p>"
    markup = text if kind is str else text.encode()
    started = time.process_time()
    assert limit_tags(markup) == (markup, 0)
    assert time.process_time() - started < 2
    long_value = f'<p title="{"A" * MAX_ATTRIBUTE_CHARS}">x</p>'
    long_after = markup + (long_value if kind is str else long_value.encode())
    assert limit_tags(long_after)[1] == 1  # a long value after them is still emptied


def test_empty_long_scripts_empties_only_scripts_and_styles_over_the_limit() -> None:
    long_text = "x" * (MAX_SCRIPT_CHARS + 1)
    short_json_ld = '<script type="application/ld+json">{"headline": "kept"}</script>'
    markup = (f"{short_json_ld}<SCRIPT src=a.js>{long_text}</script ><p>one</p><style media=all>{long_text}</STYLE>"
              f"<script>var s = '<script>' + '{long_text}';</script><p>two</p>")
    assert empty_long_scripts(markup) == (f"{short_json_ld}<SCRIPT src=a.js></script ><p>one</p><style media=all>"
                                          "</STYLE><script></script><p>two</p>", 3)
    short_page = f"<script>{'x' * 1000}</script><p>{long_text}</p>"  # long text outside a script stays
    assert empty_long_scripts(short_page) == (short_page, 0)
    unclosed = f"<p>one</p><script>{long_text}"
    assert empty_long_scripts(unclosed) == ("<p>one</p><script>", 1)


def test_a_long_string_in_a_script_is_not_taken_for_an_attribute() -> None:
    markup = f"<script>var bundle = '{'x' * (MAX_SCRIPT_CHARS + 1)}';</script><p>text</p>"
    assert limit_page_markup(markup) == ("<script></script><p>text</p>", ["oversized_scripts_removed"])


# --- page metadata: each limit, in-process ------------------------------------------------------------------


def test_json_ld_is_read_up_to_the_page_limits_and_the_first_article_kept() -> None:
    article = f'{{"@type": "NewsArticle", "headline": "Ferries", "datePublished": "{PUBLISHED}"}}'
    many = page("Ferries", f"<article><p>{STORY}</p></article>", head=json_ld(article) + json_ld("{}") * 1_000)
    big = page("Ferries", f"<article><p>{STORY}</p></article>", head=json_ld(article) + unreadable_json_ld(999_999) * 3)

    assert len(list(json_ld_blocks(lxml.html.document_fromstring(many)))) == MAX_JSON_LD_BLOCKS
    assert len(list(json_ld_blocks(lxml.html.document_fromstring(big)))) == 2  # the third is past 2,000,000 characters
    assert MAX_JSON_LD_PAGE_CHARS < 3 * 999_999
    for html in (many, big):
        (record,) = parse_html_page(raw_document(html.encode(), uri="/in/page.html"))
        assert (record["title"], record["page_times"]) == ("Ferries", [("page.json_ld", PUBLISHED)])


@pytest.mark.parametrize("source, marked_element", [
    ("page.json_ld", json_ld('{{"@type": "NewsArticle", "datePublished": "x{number}"}}')),
    ("page.microdata", '<span itemprop="datePublished">x{number}</span>'),
    ("page.time", '<time class="published" datetime="x{number}"></time>'),
], ids=["json_ld", "microdata", "time"])
def test_publication_times_are_read_up_to_a_few_per_source_and_the_declared_one_kept(
    source: str, marked_element: str
) -> None:
    # The time stage tries every time a page gives, and an unreadable one can cost dateparser 20 ms.
    marked = "".join(marked_element.format(number=number) for number in range(1_000))
    html = page("Ferries", f"<article><p>{STORY}</p>{marked}</article>", head=PUBLISHED_META)
    published = read_page_metadata(html, None).published

    assert [value for name, value in published if name == source] == [f"x{n}" for n in range(MAX_TIMES_PER_SOURCE)]
    assert ("page.meta", PUBLISHED) in published


def test_a_meta_is_indexed_under_its_first_itemprop_names_only() -> None:
    html = page("Ferries", f"<article><p>{STORY}</p></article>",
                head=f'<meta itemprop="datePublished {itemprop_names(0)}" content="{PUBLISHED}">')
    metas = meta_values(lxml.html.document_fromstring(html))

    assert len(metas) == MAX_ITEMPROP_NAMES and metas["datepublished"] == [PUBLISHED]
    assert read_page_metadata(html, None).published == (("page.meta", PUBLISHED),)


@pytest.fixture
def htmldate_searches(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Every search htmldate is asked for, by ``extensive_search``."""
    searches: list[bool] = []
    find_date = page_dates.htmldate.find_date

    def recording(tree: Any, extensive_search: bool, **options: Any) -> str | None:
        searches.append(extensive_search)
        return find_date(tree, extensive_search=extensive_search, **options)

    monkeypatch.setattr(page_dates.htmldate, "find_date", recording)
    return searches


def test_a_page_too_costly_for_htmldate_to_read_is_not_searched(htmldate_searches: list[bool]) -> None:
    # 250 nested "date" elements around 40,000 characters: htmldate would read 10 million of them.
    text = f"<p>{STORY * 440}</p>"
    html = page("Ferries", f"<article>{nested_date_candidates(250, text)}<p>Posted 2019-11-18 by Aynur</p></article>")

    assert read_page_metadata(html, None).text_date is None
    assert htmldate_searches == []
    assert read_page_metadata(html.replace(text, STORY), None).text_date == "2019-11-18"  # the same, cheap
    assert 250 * len(text) > MAX_TEXT_DATE_READ_CHARS


def test_htmldate_runs_its_plain_search_only(htmldate_searches: list[bool]) -> None:
    # The extensive search turns "© 2019" into 2019-01-01 and gives dateparser each short text that looks like a
    # date it cannot read (20 ms each: 2,000 of them took minutes); the plain one reads full dates.
    byline = f"<article><p>{STORY}</p><p>Posted 2019-11-18 by Aynur</p>"

    assert read_page_metadata(page("Ferries", f"{byline}{dateparser_bait(500)}</article>"), None).text_date == (
        "2019-11-18")
    copyright_only = page("Ferries", f"<article><p>{STORY}</p><p>© 2019</p></article>")
    assert read_page_metadata(copyright_only, None).text_date is None
    assert htmldate_searches == [False, False]


# --- over HTTP: `newsbeam run` against the test server ------------------------------------------------------


def test_http_gzip_bomb_and_endless_bodies_are_cut_and_the_good_feed_lands(
    http_server: LocalHTTPServer, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture
) -> None:
    http_server.route("/bomb.xml", Response(body=gzip_bomb(1024 * MEBIBYTE), headers={"Content-Encoding": "gzip"}))
    http_server.route("/endless.xml", Response(body=endless(b"<item>" * 1000)))  # no Content-Length, never ends
    http_server.route("/trickle.xml", Response(body=endless(b"<"), chunk_delay_s=0.05))  # under the read timeout
    http_server.route("/good.xml", Response(body=feed(item("good")).encode()))
    config = tmp_path / "feeds.toml"
    config.write_text("".join(f'[[feed]]\nid = "{name}"\nurl = "{http_server.url(f"/{name}.xml")}"\n\n'
                              for name in ("bomb", "endless", "trickle", "good")))
    output = tmp_path / "out"

    code = main(["run", "--config", str(config), "--output", str(output), "--shards", "2", "--force",
                 "--max-feed-mb", "5", "--deadline", "3", "--timeout", "2", "--retries", "0"])

    assert code == 0, capsys.readouterr().err
    errors = {row["source_id"]: row for row in read_dataset(output, "errors")}
    assert {source: (row["stage"], row["error_type"]) for source, row in errors.items()} == {
        "bomb": ("fetch", "too_large"), "endless": ("fetch", "too_large"), "trickle": ("fetch", "deadline_exceeded")}
    assert all(row["uri"] == http_server.url(f"/{source}.xml") for source, row in errors.items())
    assert [row["title"] for row in read_dataset(output, "articles")] == ["good"]
    sent = {request.path: request.bytes_sent for request in http_server.requests}
    assert sent["/bomb.xml"] < 5 * MEBIBYTE and sent["/endless.xml"] < 20 * MEBIBYTE
