"""transforms.listing_pages: a home, section, tag or search page of teaser cards is told from an article page."""

from __future__ import annotations

import gzip
import json
import pathlib
import re

import lxml.html
import pytest

from benchmarks.corpora import corpora_dir
from transforms.html_pages import parseable_page
from transforms.listing_pages import (
    MIN_CARDS, MIN_STORY_RUN_CHARS, MIN_TEASER_SHARE, TeaserBlocks, listing_items, listing_reason, teaser_blocks,
)
from transforms.page_metadata import read_page_metadata
from transforms.script_weights import latin_length

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
    # 181 real article pages; 20 hold 4 to 61 outermost <article> elements (related stories, comments), 16
    # have 6 teaser blocks or more holding half their text (up to 87 blocks, 0.81 of it): their runs of story
    # text, 411 characters at the least (a paywalled preview), keep them. None is a directory either (at most 0.71
    # of the text in tables and lists of links, ``directory_pages``); two are Japanese, two Korean, four Russian
    truth = json.loads((CORPORA_AEB.parent / "ground-truth.json").read_text())
    urls = {key: value["url"] for key, value in truth.items()}
    listings = []
    for path in sorted(CORPORA_AEB.glob("*.html.gz")):
        text, _, _ = parseable_page(gzip.decompress(path.read_bytes()), None)
        if listing_reason(lxml.html.document_fromstring(text), False, urls[path.name.split(".")[0]]) is not None:
            listings.append(path.name)
    assert len(urls) == 181 and listings == []


# Index pages of any markup: teaser blocks (``teaser_blocks``)

def blocks_of(html: str, page_url: str | None = None) -> TeaserBlocks | None:
    """``teaser_blocks`` as ``html_pages`` calls it: with what the page declares about itself."""
    return teaser_blocks(lxml.html.document_fromstring(html), read_page_metadata(html, None).declares_article_type,
                         page_url)


@pytest.mark.parametrize(("name", "url", "blocks"), [
    ("home_div_cards", "https://harbourpost.example/", 19),  # <div> cards in rows, a most-read <ol>, no <article>
    ("section_world_list", "https://ledger.example/world/", 14),  # <ul><li>: headline link, one line, a dateline
    ("author_excerpts", "https://fenwickchronicle.example/author/marta-voss/", 11),  # 45-word excerpts
    ("search_div_results", None, 10),  # a saved search page: title link, path, 150-character snippet, date
])
def test_index_pages_without_article_cards_are_listings_by_their_teaser_blocks(name: str, url: str | None,
                                                                                blocks: int) -> None:
    found = blocks_of(fixture(name), url)

    assert found is not None and found.count == blocks
    assert found.share >= MIN_TEASER_SHARE and found.longest_run < MIN_STORY_RUN_CHARS
    assert items_of(fixture(name)) is None  # no <article> cards: the card rule alone let them through
    assert blocks_of(undeclared(fixture(name)), url) == found


@pytest.mark.parametrize("name", ["news_home", "section_business", "tag_flooding", "search_results"])
def test_listings_of_article_cards_have_teaser_blocks_too(name: str) -> None:
    assert blocks_of(fixture(name)) is not None


@pytest.mark.parametrize("name", [
    "story_related_comments",  # a story in <div>s, 8 related headlines with standfirsts, 7 comments, most read
    "news_brief",  # 300 characters of story among 8 promoted cards with standfirsts and a most-read list
    "live_blog_divs",  # 15 short timestamped entries, two with a link to another story in their text
    "photo_gallery",  # ten captioned photographs and six tiles of other galleries
    "story_in_divs",  # paragraphs as <div>s without <p>, previous/next links, related posts, recent posts
    "article_with_related", "article_with_comments", "live_blog",
])
def test_articles_among_teasers_of_any_markup_are_not_listings_even_undeclared(name: str) -> None:
    html = fixture(name)
    for page in (html, undeclared(html)):
        assert listing_reason(lxml.html.document_fromstring(page), False, None) is None


def test_a_300_character_brief_is_kept_by_its_story_and_a_shorter_run_is_not() -> None:
    brief = undeclared(fixture("news_brief"))
    body = re.search(r'<div class="story-body">.*?</div>', brief, re.S).group(0)
    story = " ".join(lxml.html.fragment_fromstring(body).text_content().split())
    one_line = brief.replace(body, '<div class="story-body"><p>The path west of Gull Point is closed.</p></div>')

    assert len(story) == 298 and blocks_of(brief) is None
    assert blocks_of(one_line) is not None  # the same page with a one-line "story": the promotions are all it is


def test_a_gallery_whose_captions_are_cut_apart_is_kept_by_its_few_teasers() -> None:
    # share buttons under the byline and under every photograph: no run of text reaches a story's, but the
    # other galleries' tiles hold little of the page's text
    share = ('<div class="share"><a href="https://social.example/share?u=gigs">Share</a> '
             '<a href="mailto:?subject=Gigs">Email</a></div>')
    gallery = undeclared(fixture("photo_gallery")).replace('</div><div class="credit">', f"</div>{share}<div "
                                                                                          'class="credit">')
    gallery = gallery.replace('<div class="gallery-intro">', f'{share}<div class="gallery-intro">')
    tree = lxml.html.document_fromstring(gallery)

    assert len(tree.findall(".//div[@class='share']")) == 11
    assert blocks_of(gallery) is None
    assert listing_reason(tree, False, None) is None


def without_links_out_of_entries(live_blog: str) -> str:
    """The live blog fixture with the two links to other stories in its entries made plain text."""
    plain = re.sub(r'(<div class="entry-text">[^<]*)<a href="/news/[^"]*">([^<]*)</a>', r"\1\2", live_blog)
    assert plain.count('<a href="/news/') == live_blog.count('<a href="/news/') - 2
    return plain


def test_a_live_blog_without_links_out_is_no_listing_undeclared() -> None:
    no_links_out = without_links_out_of_entries(undeclared(fixture("live_blog_divs")))

    assert '<div class="entry-text">' in no_links_out and blocks_of(no_links_out) is None


def test_headline_links_to_another_site_lead_no_teaser_block() -> None:
    elsewhere = fixture("section_world_list").replace('href="/world/20', 'href="https://wire.example/world/20')

    assert blocks_of(elsewhere, "https://ledger.example/world/") is None  # an aggregator's links, not this site's
    assert blocks_of(elsewhere, "https://www.wire.example/world/") is not None  # its site, under another host name
    assert blocks_of(elsewhere, None) is not None  # the page's address unknown: any site counts


def test_entries_that_end_with_a_link_to_a_story_are_no_teasers() -> None:
    # a live blog whose every entry ends "Read more: <headline link>": the link does not lead the entry
    live = without_links_out_of_entries(undeclared(fixture("live_blog_divs")))
    linked = re.sub(r'(<div class="entry-text">[^<]*)</div>', r'\1 Read more: <a href="/news/2024/02/19/storm-petra-'
                    r'latest">Storm Petra: the latest warnings for the coast</a></div>', live)

    assert linked.count("Read more: <a") == 15
    assert blocks_of(linked) is None


def test_headline_links_have_a_few_words_at_least() -> None:
    menu = "".join(f'<li><a href="/{word.lower()}/">{word}</a></li>' for word in
                   ["News", "World", "Business", "Science", "Culture", "Sport", "Travel", "Money", "Cars", "Jobs"])
    page = f'<html><body><ul class="menu">{menu}</ul><ul class="menu">{menu}</ul></body></html>'

    assert blocks_of(page) is None
    assert blocks_of(page.replace("</a>", " news and analysis</a>")) is not None  # four words: headlines


def test_text_in_page_furniture_is_no_story_and_the_same_text_in_the_page_is() -> None:
    imprint = ("The Northern Ledger is published by Northern Ledger Media Ltd, 40 Wool Exchange, Bradfield. "
               "Registered in England and Wales. The Ledger is a member of the press standards body and abides "
               "by its code of practice; complaints about our journalism go to the readers' editor first.")
    in_footer = fixture("section_world_list").replace('<div id="bottom">', f"<footer><p>{imprint}</p></footer>"
                                                                             '<div id="bottom">')
    in_page = fixture("section_world_list").replace('<div id="bottom">', f"<div><p>{imprint}</p></div>"
                                                                           '<div id="bottom">')

    assert len(imprint) >= MIN_STORY_RUN_CHARS
    assert blocks_of(in_footer) is not None
    assert blocks_of(in_page) is None


def test_a_header_holding_most_of_the_page_is_no_furniture() -> None:
    # an unclosed <header> at the top: the parser closes it at the end, round the whole brief and its promotions
    brief = undeclared(fixture("news_brief")).replace('<div id="wrapper">', '<div id="wrapper"><header>', 1)
    tree = lxml.html.document_fromstring(brief)

    assert len(tree.find(".//header").text_content()) > len(tree.find("body").text_content()) / 2
    assert blocks_of(brief) is None


def test_a_teaser_block_holding_others_is_counted_once() -> None:
    # rows of three cards: each row is led by its first card's headline, and is no fourth teaser
    card = '<div class="card"><h3><a href="/{0}/{1}">Story number {1} of the {0} pages</a></h3><p>A line.</p></div>'
    rows = "".join(f'<div class="row"><h2><a href="/{section}/">{section}</a></h2>'
                   + "".join(card.format(section, number) for number in range(3)) + "</div>"
                   for section in ("news", "sport", "business"))
    page = f"<html><body><h1>Front page</h1>{rows}</body></html>"

    assert blocks_of(page).count == 9


def test_teaser_blocks_nested_thousands_deep_are_read_without_recursion() -> None:
    depth = 2_000  # past Python's recursion limit; libxml2 keeps about this much nesting, even with huge_tree
    body = fixture("section_world_list").split("<body", 1)[1].split(">", 1)[1].split("</body>")[0]
    page = "<html><body>" + "<div>" * depth + body + "</div>" * depth + "</body></html>"
    tree = lxml.html.document_fromstring(page, parser=lxml.html.HTMLParser(huge_tree=True))

    assert len(tree.find(".//ul[@class='headlines']").xpath("ancestor::div")) >= depth
    assert teaser_blocks(tree, False, None).count == 14


# Pages in scripts written without spaces, or denser than Latin script (``script_weights``)

@pytest.mark.parametrize(("name", "url", "blocks"), [
    ("zh_home", "https://chenjiang.example/", 57),  # Chinese: headline links in rows under section heads, a ranking
    ("ja_section", "https://minato-shimpo.example/economy/", 17),  # Japanese cards: headline, one line, a date
    ("th_home", "https://mueangtha.example/", 12),  # Thai cards: a headline's words without spaces between them
    ("ru_section", "https://severny-vestnik.example/city/", 8),  # spaced scripts were read right before
    ("ar_home", "https://almarfa.example/", 8),
])
def test_index_pages_in_any_script_are_listings_by_their_teaser_blocks(name: str, url: str, blocks: int) -> None:
    found = blocks_of(fixture(name), url)

    assert found is not None and found.count == blocks and found.longest_run < MIN_STORY_RUN_CHARS
    assert listing_reason(lxml.html.document_fromstring(fixture(name)), False, url).startswith("looks like a listing")


def test_a_korean_section_of_article_cards_is_a_listing() -> None:
    assert items_of(fixture("ko_section")) == 10  # Korean is spaced; its syllables count two characters each


def test_chinese_menu_entries_are_no_headlines_and_chinese_headlines_are() -> None:
    menu = "".join(f'<li><a href="/{number}/">{name}</a></li>' for number, name in
                   enumerate(["首页", "本地", "国内新闻", "国际", "财经", "体育", "文化", "视频", "更多", "阅读全文"]))
    page = f'<html><body><ul class="menu">{menu}</ul><ul class="menu">{menu}</ul></body></html>'

    assert blocks_of(page) is None
    assert blocks_of(page.replace("</a>", "频道今日最新消息</a>")) is not None  # "today's news in ...": headlines


@pytest.mark.parametrize("name", ["zh_article_related", "ja_brief"])
def test_chinese_and_japanese_articles_among_teasers_are_not_listings_even_undeclared(name: str) -> None:
    for page in (fixture(name), undeclared(fixture(name))):
        assert listing_reason(lxml.html.document_fromstring(page), False, None) is None


def test_a_japanese_brief_among_promotions_is_kept_by_its_story_counted_as_latin_text() -> None:
    brief = undeclared(fixture("ja_brief"))
    body = re.search(r'<div class="story-body">.*?</div>', brief, re.S).group(0)
    story = " ".join(lxml.html.fragment_fromstring(body).text_content().split())
    one_line = brief.replace(body, '<div class="story-body"><p>深夜便を増やす。</p></div>')

    assert len(story) < MIN_STORY_RUN_CHARS <= latin_length(story)  # 131 characters say what 319 Latin ones do
    assert blocks_of(brief) is None
    assert blocks_of(one_line) is not None  # its promotions are teaser blocks: the story is what keeps it
