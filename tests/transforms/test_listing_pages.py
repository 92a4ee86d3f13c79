"""transforms.listing_pages: a home, section, tag or search page of teaser cards is told from an article page."""

from __future__ import annotations

import gzip
import pathlib
import re

import lxml.html
import pytest

from benchmarks.corpora import corpora_dir
from transforms.html_pages import parseable_page
from transforms.listing_pages import MIN_CARDS, listing_items
from transforms.page_metadata import read_page_metadata

LISTING = pathlib.Path(__file__).parent.parent / "fixtures" / "listing"
DECLARATIONS = re.compile(r'<script type="application/ld\+json">.*?</script>|<meta property="og:type"[^>]*>', re.S)


def fixture(name: str) -> str:
    return (LISTING / f"{name}.html").read_text(encoding="utf-8")


def undeclared(html: str) -> str:
    """The page without its JSON-LD and og:type: what its layout alone says."""
    return DECLARATIONS.sub("", html)


def items_of(html: str) -> int | None:
    """``listing_items`` as ``html_pages`` calls it: with what the page declares about itself."""
    return listing_items(lxml.html.document_fromstring(html), read_page_metadata(html, None).declares_article_type)


@pytest.mark.parametrize(("name", "cards"), [
    ("news_home", 16),  # lead card with standfirst, headline-and-time cards in section blocks, most-read list
    ("section_business", 12),  # CollectionPage: headline, standfirst, byline and time, pagination
    ("tag_flooding", 9),  # WordPress tag archive: <li><article> with a headline link and a date, no metadata
    ("search_results", 10),  # SearchResultsPage: title link, a snippet of about 150 characters, a date
])
def test_listing_pages_are_listings_with_their_teaser_count(name: str, cards: int) -> None:
    assert items_of(fixture(name)) == cards
    assert items_of(undeclared(fixture(name))) == cards  # the layout decides, not og:type website or JSON-LD


def test_a_home_page_whose_web_page_json_ld_has_a_date_is_still_a_listing() -> None:
    metadata = read_page_metadata(fixture("news_home"), None)

    assert metadata.declares_article and not metadata.declares_article_type  # SEO plugins date every WebPage
    assert items_of(fixture("news_home")) == 16


@pytest.mark.parametrize("name", ["article_with_related", "article_with_comments", "live_blog"])
def test_articles_with_other_article_elements_are_not_listings(name: str) -> None:
    assert items_of(fixture(name)) is None
    assert items_of(undeclared(fixture(name))) is None  # their layout alone keeps them


def test_related_cards_beside_a_story_outside_any_article_element_are_no_listing() -> None:
    story_in_a_div = fixture("article_with_related").replace('<article class="story">', '<div class="story">', 1)
    story_in_a_div = story_in_a_div.replace("</article>\n  </main>", "</div>\n  </main>", 1)
    tree = lxml.html.document_fromstring(story_in_a_div)

    assert len(tree.findall(".//article")) == 6 and tree.find(".//div[@class='story']//p") is not None
    assert listing_items(tree, False) is None  # the story's 2,000 characters outside the cards


def test_wordpress_comments_beside_a_short_post_are_no_listing() -> None:
    # Themes that close the post's <article> before the comment list: each comment a card of its own
    post = ('<article class="post"><h1>Bench for the green</h1><div class="entry-content"><p>The parish council '
            "has agreed to pay for a new bench on the green in memory of Arthur Penhale, who looked after the "
            "flower beds there for thirty years. It will be installed in May.</p></div></article>")
    comments = "".join(
        f'<li class="comment"><article class="comment-body"><footer class="comment-meta"><b class="fn">Reader {n}'
        f'</b> <a href="#comment-{n}"><time>May {n}, 2024 at 9:0{n} am</time></a></footer><div class="comment-'
        f'content"><p>A lovely idea. Arthur always had a kind word for everyone who stopped to talk to him about '
        f'the roses, and the green will not be the same without him.</p></div><a class="comment-reply-link" '
        f'href="?replytocom={n}">Reply</a></article></li>' for n in range(1, 7))
    page = f'<html><body><main>{post}<ol class="comment-list">{comments}</ol></main></body></html>'

    assert listing_items(lxml.html.document_fromstring(page), False) is None  # comments are prose, not links


def test_a_live_blog_of_short_posts_is_no_listing_even_undeclared() -> None:
    posts = "".join(
        f'<article class="post"><a href="#p{minute}"><time>{minute}\'</time></a><p>{text}</p></article>'
        for minute, text in [
            (88, "Corner to Millbrook. Headed clear at the near post, and the visitors break but the pass is overhit."),
            (86, "Substitution for Carrow Bridge: Okafor off, Lindqvist on. Fresh legs to hold on to the draw."),
            (81, "Yellow card for Pemberton, who pulled back the winger as he ran through on the left."),
            (77, "Chance! A low shot from the edge of the box is pushed round the post by the goalkeeper."),
            (70, "The rain is coming down hard now and the pitch is cutting up badly in front of the main stand."),
            (64, "GOAL! Millbrook 1-1 Carrow Bridge. Hallam heads in at the far post from a free kick on the right."),
        ])
    page = f"<html><body><h1>Millbrook Town v Carrow Bridge: live</h1>{posts}</body></html>"

    assert listing_items(lxml.html.document_fromstring(page), False) is None


def test_a_page_declaring_itself_an_article_stays_one_whatever_its_layout() -> None:
    # A briefing of six headline-and-one-line items: a listing by its layout, an article by its metadata
    assert items_of(fixture("declared_briefing")) is None
    assert items_of(undeclared(fixture("declared_briefing"))) == 6
    og_only = undeclared(fixture("declared_briefing")).replace("<head>", '<head><meta property="og:type" '
                                                                          'content="Article">')
    assert items_of(og_only) is None


def test_fewer_cards_than_the_minimum_are_no_listing() -> None:
    html = fixture("tag_flooding")
    cards = html.split("<li>\n          <article")
    three = "<li>\n          <article".join(cards[:MIN_CARDS])  # the first MIN_CARDS - 1 items

    assert items_of(three) is None


def test_scripts_and_styles_are_not_text() -> None:
    script = "<script>" + "var teaserConfig = {lazy: true, sizes: [320, 480, 960]};\n" * 200 + "</script>"
    page = fixture("section_business").replace("</main>", f"<style>{'.card{margin:0}' * 300}</style>{script}</main>")

    assert items_of(page) == 12


def test_text_after_an_html_comment_is_counted() -> None:
    story = "<p><!-- body -->" + "The harbour wall was rebuilt stone by stone over the winter. " * 30 + "</p>"
    page = fixture("tag_flooding").replace('<h1 class="page-title">', f"{story}<h1 class=\"page-title\">")

    assert items_of(page) is None  # 1,800 characters outside the cards: a story, not a listing


CORPORA_AEB = corpora_dir() / "aeb" / "html"


@pytest.mark.skipif(not CORPORA_AEB.is_dir(), reason=f"real-world corpora absent: {CORPORA_AEB}")
def test_no_page_of_the_article_extraction_benchmark_is_a_listing_even_by_its_layout_alone() -> None:
    # 181 real article pages; 20 hold 4 to 61 outermost <article> elements (related stories, comments)
    listings = []
    for path in sorted(CORPORA_AEB.glob("*.html.gz")):
        text, _, _ = parseable_page(gzip.decompress(path.read_bytes()), None)
        if listing_items(lxml.html.document_fromstring(text), False) is not None:
            listings.append(path.name)
    assert listings == []
