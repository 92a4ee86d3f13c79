"""transforms.directory_pages: a registry's table or a list of links to other pages is told from an article."""

from __future__ import annotations

import pathlib
import re

import lxml.html
import pytest
from warcio.archiveiterator import ArchiveIterator

from benchmarks.corpora import corpora_dir
from transforms.directory_pages import MIN_DIRECTORY_SHARE, directory_page
from transforms.html_pages import parseable_page
from transforms.listing_pages import listing_reason

LISTING = pathlib.Path(__file__).parent.parent / "fixtures" / "listing"
DECLARATIONS = re.compile(r'<script type="application/ld\+json">.*?</script>|<meta property="og:type"[^>]*>', re.S)


def fixture(name: str) -> str:
    return (LISTING / f"{name}.html").read_text(encoding="utf-8")


def directory_of(html: str) -> object:
    return directory_page(lxml.html.document_fromstring(html), False)


def test_a_register_of_moorings_is_a_directory() -> None:
    found = directory_of(fixture("registry_directory"))
    reason = listing_reason(lxml.html.document_fromstring(fixture("registry_directory")), False, None)

    assert found is not None and found.entries == 61 and found.share >= MIN_DIRECTORY_SHARE  # 60 rows and the head
    assert reason.startswith("looks like a directory page: 90% of its text")


def test_a_page_declaring_itself_an_article_is_never_a_directory() -> None:
    assert directory_page(lxml.html.document_fromstring(fixture("registry_directory")), True) is None


def test_an_article_with_a_big_table_of_linked_rows_is_no_directory_and_the_table_alone_is() -> None:
    article = fixture("data_table_article")
    story = re.search(r'<div class="story-body">.*?</div>', article, re.S).group(0)
    results_only = article.replace(story, "<p>Full times from the Kittle Bay regatta.</p>")

    assert directory_of(article) is None  # 60 rows, each linking to its club, beside a story of five paragraphs
    assert directory_of(results_only) is not None


def test_a_table_of_figures_is_no_directory() -> None:
    figures = re.sub(r'<a href="[^"]*">([^<]*)</a>', r"\1", fixture("registry_directory"))

    assert "<a href=\"/moorings/" not in figures and directory_of(figures) is None


def test_a_list_of_tips_each_linking_to_a_page_is_no_directory_and_a_list_of_links_is() -> None:
    tips = [("Check the flood map", "to see whether your street lies in a zone at risk, and how often water has "
             "reached it in the last twenty years."),
            ("Sign up for warnings", "by text message or e-mail; the warnings come up to two days before a high "
             "tide is expected to top the harbour wall."),
            ("Collect sandbags", "from the depot on Mill Lane, which opens from seven in the morning whenever a "
             "warning is in force, and bring your own car.")] * 20
    items = "".join(f'<li><a href="/flooding/{number}">{link}</a> {sentence}</li>'
                    for number, (link, sentence) in enumerate(tips))
    explainer = f"<html><body><h1>Floods: what to do</h1><p>Sixty steps, in order.</p><ol>{items}</ol></body></html>"
    links = re.sub(r"</a> [^<]*</li>", "</a> (leaflet)</li>", explainer)

    assert len(tips) == 60 and directory_of(explainer) is None  # its items are sentences
    assert directory_of(links) is not None  # the same list of bare links


@pytest.mark.parametrize("name", [
    "article_with_related", "article_with_comments", "live_blog", "live_blog_divs", "news_brief", "photo_gallery",
    "story_in_divs", "story_related_comments", "declared_briefing", "zh_article_related", "ja_brief",
    "data_table_article",
])
def test_articles_are_no_directories_even_undeclared(name: str) -> None:
    assert directory_of(DECLARATIONS.sub("", fixture(name))) is None


def test_prose_in_page_furniture_does_not_count_against_a_directory_and_the_same_in_the_page_does() -> None:
    blurb = ("<p>The Harbour Authority looks after the harbours of the Kittle coast: their walls, channels, lights and "
             "moorings, and the safety of everyone who uses them. It is run by a board of twelve, elected by the "
             "harbour users every four years, and pays for itself from dues and mooring fees. Its office on Quay "
             "Street opens every weekday from nine until five, and on Saturdays in the summer season.</p>")
    in_aside = fixture("registry_directory").replace("<footer>", f"<aside>{blurb}</aside><footer>")
    in_page = fixture("registry_directory").replace("<footer>", f"<div>{blurb}</div><footer>")

    assert directory_of(in_aside) is not None
    assert directory_of(in_page) is None  # 0.82 of the text outside links in the register


def test_a_story_in_a_row_of_a_layout_table_is_prose_not_an_entry() -> None:
    # an old page laid out as one table: a row per menu link, and one row holding the story
    menu = "".join(f'<tr><td><a href="/section/{number}">Section {number}</a></td></tr>' for number in range(40))
    story = "<p>The harbour wall was rebuilt stone by stone over the winter, and the fishing fleet is back. </p>" * 15
    page = f"<html><body><table>{menu}<tr><td><h1>The wall is mended</h1>{story}</td></tr></table></body></html>"

    assert directory_of(page) is None


def test_a_header_holding_most_of_the_page_is_no_furniture() -> None:
    # an unclosed <header> at the top: the parser closes it at the end, round the whole register
    register = fixture("registry_directory").replace("</header>", "", 1)
    tree = lxml.html.document_fromstring(register)

    assert tree.find(".//header//table") is not None
    assert directory_of(register) is not None


def test_a_directory_nested_thousands_deep_is_read_without_recursion() -> None:
    depth = 2_000  # past Python's recursion limit
    body = fixture("registry_directory").split("<body>", 1)[1].split("</body>")[0]
    page = "<html><body>" + "<div>" * depth + body + "</div>" * depth + "</body></html>"
    tree = lxml.html.document_fromstring(page, parser=lxml.html.HTMLParser(huge_tree=True))

    assert len(tree.find(".//table").xpath("ancestor::div")) >= depth
    assert directory_page(tree, False).entries == 61


IANA_WARC = corpora_dir() / "warc" / "pywb-2.10.0" / "sample_archive" / "warcs" / "iana.warc.gz"


@pytest.mark.skipif(not IANA_WARC.is_file(), reason=f"real-world corpora absent: {IANA_WARC}")
def test_the_directories_of_a_crawl_of_iana_org_are_told_from_its_other_pages() -> None:
    # its registries (the protocol registries, the root zone database, the IDN tables) against its pages of prose,
    # some with a table or a list: the .arpa zone, the root servers, the reserved domains, the home page
    found, others = set(), set()
    with IANA_WARC.open("rb") as stream:
        for record in ArchiveIterator(stream):
            content_type = record.http_headers.get_header("Content-Type") if record.http_headers else None
            if record.rec_type != "response" or "html" not in (content_type or ""):
                continue
            body = record.content_stream().read()
            if not body:
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            tree = lxml.html.document_fromstring(parseable_page(body, content_type)[0])
            (found if directory_page(tree, False) else others).add(url)
    assert found == {"http://www.iana.org/protocols", "http://www.iana.org/domains/root/db",
                     "http://www.iana.org/domains/idn-tables"}
    assert len(others) == 15 and "http://www.iana.org/domains/arpa" in others


def without_times(html: str) -> str:
    """``html`` with each ``<time>`` element replaced by its text: the date as words only."""
    return re.sub(r"<time[^>]*>([^<]*)</time>", r"\1", html)


def test_a_dated_roundup_of_links_is_no_directory_and_the_same_undated_is() -> None:
    # a newsletter's weekly issue: an introduction, 20 links each with a line of comment, a sign-off
    roundup = fixture("link_roundup")
    tree = lxml.html.document_fromstring(roundup)

    assert directory_page(tree, False) is None  # its byline's <time>: a piece published on a day
    assert listing_reason(tree, False, "https://tidelines.example/issues/112") is None
    undated = lxml.html.document_fromstring(without_times(roundup))
    assert directory_page(undated, False) is not None  # nothing tells it from a list of links kept up to date
    assert directory_page(undated, False, dated=True) is None  # its metadata or URL dates it
    assert listing_reason(undated, False, "https://tidelines.example/issues/112", dated=True) is None


def test_times_in_the_rows_of_a_register_do_not_date_it() -> None:
    dated_cell = '<td><time datetime="2024-03-01">1 Mar</time></td></tr>'
    dated_rows = fixture("registry_directory").replace("</tr>", dated_cell)

    assert dated_rows.count("<time") >= 60 and directory_of(dated_rows) is not None


def test_the_paragraph_rows_of_a_page_laid_out_in_one_table_are_prose() -> None:
    # an old site's page as one table: a row per menu link, the headline's row, then a row per paragraph
    menu = "".join(f'<tr><td><a href="/section/{number}">Section {number}</a></td></tr>' for number in range(60))
    paragraph = ("<tr><td>The harbour wall was rebuilt stone by stone over the winter, and the fishing fleet that "
                 "sheltered up the estuary is back on its moorings.</td></tr>")
    headline = "<tr><td><h1>The wall is mended</h1></td></tr>"
    page = f"<html><body><table>{menu}{headline}{paragraph * 13}</table></body></html>"

    assert directory_of(page) is None  # the 13 paragraph rows were directory entries beside the 60 menu links
