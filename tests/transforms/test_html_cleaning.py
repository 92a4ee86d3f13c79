"""Tests of transforms.html_cleaning: sanitizing, text with paragraph breaks, links, images, articles."""

from __future__ import annotations

import pathlib
import time

import lxml.etree
import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transforms import html_cleaning
from transforms.html_cleaning import clean_article, clean_html
from transforms.records import make_error
from transforms.settings import TransformSettings

FIXTURES = pathlib.Path(__file__).parent.parent / "fixtures" / "html"
PAGE_URL = "https://courier.example/news/2024/03/millbrook-footbridge"
ALLOWED_TAGS = html_cleaning.INLINE | html_cleaning.BLOCKS | {"br", "img"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}}


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def written_elements(html: str) -> list[lxml.html.HtmlElement]:
    """The elements of cleaned HTML, as the lxml parser reads them back."""
    if not html:
        return []
    body = lxml.html.document_fromstring(f"<html><body>{html}</body></html>").find("body")
    return list(body.iter(lxml.etree.Element))[1:]


# --- sanitizing -----------------------------------------------------------------------------------


def test_scripts_styles_frames_forms_and_comments_are_removed() -> None:
    cleaned = clean_html(
        "<p>Kept</p><script>alert('x')</script><style>p{color:red}</style><iframe src='https://x.example'>"
        "frame</iframe><form><input name=q><textarea>typed</textarea></form><noscript>enable js</noscript>"
        "<object data='a.swf'>obj</object><embed src='b.swf'><!-- secret comment --><template>tpl</template>"
    )
    assert cleaned.html == "<p>Kept</p>"
    assert cleaned.text == "Kept"


def test_event_handler_and_style_attributes_are_dropped() -> None:
    cleaned = clean_html('<p onclick="steal()" class="lead" style="color:red" id="x">Text</p>'
                         '<img src="https://img.example/a.jpg" onerror="steal()" alt="A" title="t">')
    assert cleaned.html == '<p>Text</p><img src="https://img.example/a.jpg" alt="A"/>'


@pytest.mark.parametrize("href", ["javascript:alert(1)", " JavaScript:alert(1)", "java\nscript:alert(1)",
                                  "&#106;avascript:alert(1)", "\x01javascript:alert(1)", "vbscript:msgbox(1)",
                                  "data:text/html;base64,PHNjcmlwdD4="])
def test_script_urls_lose_the_link_but_keep_its_text(href: str) -> None:
    cleaned = clean_html(f'<p><a href="{href}">Click</a></p>', base_url=PAGE_URL)
    assert cleaned.html == "<p>Click</p>"
    assert cleaned.links == []


def test_only_allowed_tags_and_attributes_are_written_for_a_full_page() -> None:
    cleaned = clean_html(fixture("regional_news_page.html"), base_url=PAGE_URL)
    for element in written_elements(cleaned.html):
        assert element.tag in ALLOWED_TAGS
        assert set(element.attrib) <= ALLOWED_ATTRIBUTES.get(element.tag, set())
    assert "dataLayer" not in cleaned.text and "acceptCookies" not in cleaned.text


def test_sectioning_elements_become_divisions() -> None:
    assert clean_html("<article><section>A</section><aside>B</aside></article>").html == \
        "<div><div>A</div><div>B</div></div>"


def test_unknown_and_presentational_tags_are_unwrapped() -> None:
    cleaned = clean_html('<p><span class="x">Hello</span> <font color="red">world</font></p>')
    assert cleaned.html == "<p>Hello world</p>"


# --- text -----------------------------------------------------------------------------------------


def test_blocks_are_separated_by_blank_lines_and_br_by_a_newline() -> None:
    cleaned = clean_html("<h1>Title</h1><p>First<br>line two</p><div>Second</div><ul><li>One</li><li>Two</li>"
                         "</ul><blockquote>Quote</blockquote>")
    assert cleaned.text == "Title\n\nFirst\nline two\n\nSecond\n\nOne\n\nTwo\n\nQuote"


def test_two_br_make_a_paragraph_break_and_more_do_not_add_to_it() -> None:
    assert clean_html("a<br><br>b<br><br><br><br>c").text == "a\n\nb\n\nc"


def test_whitespace_inside_text_is_collapsed() -> None:
    cleaned = clean_html("<p>  Several \n\t spaces&nbsp; here  </p>")
    assert cleaned.text == "Several spaces here"


def test_inline_elements_do_not_break_words_or_lose_spaces() -> None:
    cleaned = clean_html("<p>The <strong>Harbour</strong> market<em>'s</em> <a href='/x'>stalls</a>.</p>")
    assert cleaned.text == "The Harbour market's stalls."


def test_preformatted_text_keeps_its_lines() -> None:
    assert clean_html("<pre>line one\n  line two\n\n\n\nline three</pre>").text == \
        "line one\nline two\n\nline three"


def test_table_cells_are_separated_by_spaces_and_rows_by_newlines() -> None:
    cleaned = clean_html("<table><tr><th>Town</th><th>Rain</th></tr><tr><td>Millbrook</td><td>41 mm</td></tr>"
                         "</table>")
    assert cleaned.text == "Town Rain\nMillbrook 41 mm"


def test_block_inside_a_link_becomes_a_line_break() -> None:
    cleaned = clean_html('<a href="https://x.example/story"><div>Headline</div><div>Teaser</div></a>')
    assert cleaned.text == "Headline\nTeaser"
    assert cleaned.html == '<a href="https://x.example/story">Headline<br/>Teaser</a>'


def test_azerbaijani_and_cyrillic_text_survive_intact() -> None:
    azerbaijani = "Bakı şəhərində yeni körpü açıldı: ğ, ş, ı, ə, ö, ü, ç."
    cyrillic = "В Казани открыли новый мост через Казанку."
    cleaned = clean_html(f"<p>{azerbaijani}</p><p>{cyrillic}</p>")
    assert cleaned.text == f"{azerbaijani}\n\n{cyrillic}"


def test_entities_are_decoded_in_text_and_escaped_in_html() -> None:
    cleaned = clean_html("<p>Fish &amp; chips &lt;b&gt; &#8217;s</p>")
    assert cleaned.text == "Fish & chips <b> ’s"
    assert cleaned.html == "<p>Fish &amp; chips &lt;b&gt; ’s</p>"


def test_nul_bytes_and_control_characters_are_removed() -> None:
    cleaned = clean_html("<p>A\x00B\x07C\x1bD\ufeff</p>")
    assert cleaned.text == "ABCD"


# --- links and images -----------------------------------------------------------------------------


def test_relative_links_are_made_absolute_deduplicated_and_http_only() -> None:
    cleaned = clean_html('<a href="/a">A</a><a href="https://other.example/b">B</a><a href="/a">A again</a>'
                         '<a href="mailto:desk@courier.example">Mail</a><a href="ftp://files.example/x">F</a>'
                         '<a href="#top">Top</a>', base_url=PAGE_URL)
    assert cleaned.links == ["https://courier.example/a", "https://other.example/b"]
    assert '<a href="mailto:desk@courier.example">Mail</a>' in cleaned.html


def test_relative_links_without_a_base_stay_relative_and_out_of_the_list() -> None:
    cleaned = clean_html('<a href="/a">A</a>')
    assert cleaned.html == '<a href="/a">A</a>'
    assert cleaned.links == []


def test_base_element_of_the_page_is_applied() -> None:
    cleaned = clean_html('<head><base href="https://mirror.example/news/"></head><a href="story.html">S</a>',
                         base_url=PAGE_URL)
    assert cleaned.links == ["https://mirror.example/news/story.html"]


@pytest.mark.parametrize("pixel", [
    '<img src="https://stats.example/p.gif" width="1" height="1">',
    '<img src="https://stats.example/p.gif" width="0" height="0">',
    '<img src="https://stats.example/p.gif" height="1px">',
    '<img src="https://stats.example/p.gif" style="display: none">',
    '<img src="https://feeds.feedburner.com/~r/courier/~4/abc">',
    '<img src="https://pixel.wp.com/g.gif?blog=1">',
    '<img src="https://www.facebook.com/tr?id=1&ev=PageView">',
])
def test_tracking_pixel_is_dropped_from_images(pixel: str) -> None:
    cleaned = clean_html(f'<p>Text<img src="https://img.example/photo.jpg" alt="Photo">{pixel}</p>')
    assert cleaned.images == ["https://img.example/photo.jpg"]
    assert cleaned.html == '<p>Text<img src="https://img.example/photo.jpg" alt="Photo"/></p>'


@pytest.mark.parametrize("furniture", [
    '<a href="http://feeds.feedburner.com/~f/Cc?a=Kp2q"><img src="http://feeds.feedburner.com/~f/Cc?i=Kp2q"></a>',
    '<a href="http://feeds2.feedburner.com/~f/Cc?a=Lm7w"><img src="http://feeds2.feedburner.com/~f/Cc?d=41"></a>',
    '<a href="http://feeds.feedburner.com/~a/Cc?a=Zx81"><img src="http://feeds.feedburner.com/~a/Cc?i=Zx81"></a>',
    '<a href="http://feeds.feedburner.com/~at/Cc?a=Qr5t">Sponsored</a>',
    '<a href="http://feedads.googleadservices.com/~a/Tk9x/a"><img src="http://feedads.googleadservices.com/~a/Tk9x/i">'
    '</a>',
    '<a href="http://feeds.courier.example/~f/Cc?a=Hw3e"><img src="http://feeds.courier.example/~f/Cc?i=Hw3e"></a>',
    '<img src="http://feeds2.feedburner.com/~r/Courier/~4/81234">',
    '<img src="http://feeds.feedburner.com/~ff/Courier?d=abc">',
    '<img src="http://feedproxy.google.com/~r/Courier/~4/81234">',
], ids=["flare", "flare-feeds2", "ad", "ad-text", "feedads", "mybrand-flare", "pixel-feeds2", "ff", "feedproxy"])
def test_feedburner_share_buttons_ads_and_pixels_are_dropped_with_their_content(furniture: str) -> None:
    cleaned = clean_html(f'<p>Cranes arrived. <a href="https://courier.example/cranes">More</a>{furniture}</p>')
    assert cleaned.links == ["https://courier.example/cranes"] and cleaned.images == []
    assert cleaned.text == "Cranes arrived. More"


def test_the_feedflare_block_goes_whole_with_its_add_to_text() -> None:
    cleaned = clean_html('<p>Cranes arrived.</p><div class="feedflare">Add to: <a href="https://share.example/'
                         'add?u=1"><img src="https://share.example/icon.png"></a> | <a href="https://share.example/'
                         'add?u=2">Bookmarks</a></div><p>Next story.</p>')
    assert cleaned.text == "Cranes arrived.\n\nNext story."
    assert cleaned.links == [] and cleaned.images == []


@pytest.mark.parametrize("kept", [
    '<a href="http://feeds.feedburner.com/~r/Courier/~3/81234/">Earlier story</a>',  # a redirect to an article
    '<a href="https://cs.university.example/~a/">A home page</a>',  # a user called "a"
    '<a href="https://cs.university.example/~f/notes.html?a=1">Notes</a>',
    '<a href="http://feeds.feedburner.com/CaspianCourier">The feed</a>',
])
def test_links_that_only_look_like_feedburner_furniture_are_kept(kept: str) -> None:
    assert len(clean_html(f"<p>{kept}</p>").links) == 1


def test_lazy_loaded_image_source_is_used_instead_of_its_placeholder() -> None:
    cleaned = clean_html('<img src="data:image/gif;base64,R0lGOD" data-src="/img/real.jpg">', base_url=PAGE_URL)
    assert cleaned.images == ["https://courier.example/img/real.jpg"]


def test_feed_item_content_is_cleaned_end_to_end() -> None:
    cleaned = clean_html(fixture("feed_item_content.html"), base_url="https://courier.example/news/market")
    assert cleaned.text.startswith("The Harbour Street market will move indoors")
    assert "Opening hours stay the same:\nSaturdays 8:00–14:00\nSundays 9:00–13:00" in cleaned.text
    assert "trackRead" not in cleaned.text and "CMS" not in cleaned.text
    assert cleaned.links == ["https://courier.example/markets/harbour-street"]
    assert cleaned.images == ["https://courier.example/img/market-hall.jpg"]


# --- hostile input --------------------------------------------------------------------------------


def test_hundred_thousand_deep_nesting_is_cleaned_in_bounded_time() -> None:
    started = time.perf_counter()
    cleaned = clean_html("<div>" * 100_000 + "deep text" + "</div>" * 100_000)
    assert time.perf_counter() - started < 15
    assert cleaned.text == "deep text"
    assert cleaned.html.count("<div>") == html_cleaning.MAX_DEPTH


def test_unclosed_deep_inline_nesting_is_cleaned() -> None:
    assert clean_html("<span><b>" * 25_000 + "x").text == "x"


def test_five_megabyte_attribute_is_dropped_without_trouble() -> None:
    huge = "x" * 5_000_000
    cleaned = clean_html(f'<p title="{huge}">Short</p><a href="https://a.example/{huge}">Long link</a>'
                         f'<img src="https://img.example/{huge}.jpg">')
    assert cleaned.html == "<p>Short</p>Long link"
    assert cleaned.links == [] and cleaned.images == []


def test_recursion_error_falls_back_to_flat_text(monkeypatch: pytest.MonkeyPatch) -> None:
    def exploding_walk(*args: object) -> None:
        raise RecursionError

    monkeypatch.setattr(html_cleaning, "_walk", exploding_walk)
    cleaned = clean_html("<div><p>One</p><script>x()</script><p>Two &amp; three</p></div>")
    assert cleaned.text == "One Two & three"
    assert cleaned.html == "<p>One Two &amp; three</p>"


def test_empty_and_whitespace_input_give_empty_output() -> None:
    for value in ("", "   \n ", "<p></p>", "<!-- only a comment -->"):
        assert clean_html(value) == html_cleaning.CleanedHtml(text="", html="", links=[], images=[])


# --- properties -----------------------------------------------------------------------------------

TAG_NAMES = ("p div span a b em strong ul ol li dl dt dd table tr td th caption pre br img hr h1 h2 "
             "blockquote section nav script style iframe form noscript figure code q font head body").split()
ATTRIBUTES = st.sampled_from(["", ' href="/x"', ' href="javascript:evil()"', ' src="a.png"',
                              ' src="https://t.example/p.gif" width=1', ' alt="x &amp; y"', ' onclick="evil()"'])
TEXT_PIECES = st.lists(st.sampled_from(
    list("ab &<>;#\n\t\xa0\x00é\u200bş") + ["&amp;", "&nbsp;", "&#0;", "<!--", "-->", "<![CDATA[", "\ufeff"]
), max_size=6).map("".join)


@st.composite
def tag_soup(draw: st.DrawFn) -> str:
    """Random mixes of start tags, end tags and text: unbalanced, misnested, hostile."""
    parts = []
    for _ in range(draw(st.integers(0, 25))):
        kind = draw(st.integers(0, 2))
        if kind == 0:
            parts.append(draw(TEXT_PIECES))
        elif kind == 1:
            parts.append(f"<{draw(st.sampled_from(TAG_NAMES))}{draw(ATTRIBUTES)}>")
        else:
            parts.append(f"</{draw(st.sampled_from(TAG_NAMES))}>")
    return "".join(parts)


def assert_idempotent(value: str) -> None:
    first = clean_html(value, base_url="https://base.example/dir/")
    second = clean_html(first.html)
    assert (second.html, second.text, second.links, second.images) == \
        (first.html, first.text, first.links, first.images)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_text_never_raises_and_cleaning_is_idempotent(value: str) -> None:
    assert_idempotent(value)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tag_soup())
def test_tag_soup_cleaning_is_idempotent(value: str) -> None:
    assert_idempotent(value)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tag_soup())
def test_tag_soup_output_has_no_dangerous_markup(value: str) -> None:
    cleaned = clean_html(value)
    lowered = cleaned.html.lower()
    for dangerous in ("<script", "<style", "<iframe", "<form", "<!--", "onclick", "javascript:"):
        assert dangerous not in lowered
    for element in written_elements(cleaned.html):
        assert element.tag in ALLOWED_TAGS


# --- clean_article --------------------------------------------------------------------------------


def feed_article(**fields: object) -> dict:
    article = {"kind": "article", "document_type": "rss", "url": "https://courier.example/news/market",
               "title": "Market moves indoors", "summary_html": "Stallholders <b>voted</b> to move.",
               "content_html": fixture("feed_item_content.html"), "uri": "feed.xml", "raw_sha256": "0" * 64}
    return {**article, **fields}


def test_clean_article_fills_text_html_links_and_images_from_feed_content() -> None:
    article = clean_article(feed_article(), TransformSettings())
    assert article["summary_text"] == "Stallholders voted to move."
    assert article["body_text"].startswith("The Harbour Street market")
    assert article["body_html"].startswith("<div><p>The <strong>Harbour Street</strong>")
    assert article["links"] == ["https://courier.example/markets/harbour-street"]
    assert article["images"] == ["https://courier.example/img/market-hall.jpg"]
    assert "quality_flags" not in article


def test_clean_article_returns_a_new_record_and_leaves_the_input_alone() -> None:
    original = feed_article(quality_flags=["encoding_repaired"], content_html="x" * 50)
    snapshot = {key: (list(value) if isinstance(value, list) else value) for key, value in original.items()}
    result = clean_article(original, TransformSettings(max_html_chars=10))
    assert original == snapshot
    assert result is not original
    assert result["quality_flags"] == ["encoding_repaired", "html_truncated"]


def test_long_html_is_cut_and_flagged() -> None:
    article = clean_article(feed_article(content_html="<p>" + "word " * 100 + "</p>", summary_html=None),
                            TransformSettings(max_html_chars=53))
    assert "content_html" not in article  # the source HTML is dropped once cleaned
    assert article["body_text"] == " ".join(["word"] * 10)
    assert article["quality_flags"] == ["html_truncated"]


def test_html_page_body_comes_from_main_content_without_boilerplate() -> None:
    page = feed_article(document_type="html", url=PAGE_URL, content_html=fixture("regional_news_page.html"),
                        summary_html=None, title=None, authors=[])
    article = clean_article(page, TransformSettings())
    assert article["body_text"].startswith("The iron footbridge")  # the headline is the title, not the body
    for boilerplate in ("cookies", "Advertisement", "Related stories", "riverwatcher", "All rights reserved"):
        assert boilerplate not in article["body_text"]
    assert article["links"] == ["https://courier.example/documents/wend-flood-plan.pdf"]


def test_main_content_extraction_can_be_switched_off() -> None:
    page = feed_article(document_type="html", url=PAGE_URL, content_html=fixture("regional_news_page.html"))
    article = clean_article(page, TransformSettings(extract_main_content=False))
    assert "Related stories" in article["body_text"]
    assert "dataLayer" not in article["body_text"]


def test_html_page_without_main_content_falls_back_to_plain_cleaning() -> None:
    page = feed_article(document_type="html", content_html='<html><body><img src="/a.jpg"></body></html>')
    article = clean_article(page, TransformSettings())
    assert article["body_text"] is None
    assert article["images"] == ["https://courier.example/a.jpg"]
    assert article["quality_flags"] == ["main_content_not_found"]


def test_a_page_too_big_to_search_for_its_main_content_is_cleaned_whole_in_seconds() -> None:
    # 118,000 paragraphs (944 KB): trafilatura's search took 37 s
    html = "<html><body><nav>Home</nav><article>" + "<p>Ferry</p>" * 118_000 + "</article></body></html>"
    started = time.process_time()
    article = clean_article(feed_article(document_type="html", content_html=html), TransformSettings())
    assert time.process_time() - started < 10
    assert article["body_text"].count("Ferry") == 118_000 and article["body_text"].startswith("Home")
    assert article["quality_flags"] == ["main_content_not_found"]


def test_article_without_html_keeps_empty_fields_empty() -> None:
    article = clean_article(feed_article(summary_html=None, content_html=None), TransformSettings())
    assert article["summary_text"] is None and "body_text" not in article
    assert article["links"] == [] and article["images"] == []


WHOLE_POST = "".join(f"<p>Part {n}: the night ferry to Aktau left the Alat terminal with forty trucks, two rail "
                     f"wagons and a hundred passengers; the crossing took nineteen hours.</p>" for n in range(1, 9))


@pytest.mark.parametrize(("summary_html", "summary_text"), [
    ("<p>Stallholders voted to move indoors [&hellip;]</p>", "Stallholders voted to move indoors"),
    ("<p>Stallholders voted to move.</p><p><a href='https://courier.example/m'>Read more &raquo;</a></p>",
     "Stallholders voted to move."),
    ("Stallholders voted to move. <a href='https://courier.example/m'>Continue reading <span>Market</span> "
     "&rarr;</a>", "Stallholders voted to move."),
])
def test_a_truncation_marker_leaves_the_summary_and_is_flagged(summary_html: str, summary_text: str) -> None:
    article = clean_article(feed_article(summary_html=summary_html), TransformSettings())
    assert article["summary_text"] == summary_text
    assert article["quality_flags"] == ["summary_truncated"]


def test_a_whole_post_in_the_description_is_also_the_body() -> None:
    article = clean_article(feed_article(summary_html=WHOLE_POST, content_html=None), TransformSettings())
    assert article["body_text"] == article["summary_text"]
    assert article["body_text"].startswith("Part 1: the night ferry") and article["body_text"].endswith("hours.")
    assert article["body_html"].startswith("<p>Part 1:") and article["quality_flags"] == ["body_from_summary"]


@pytest.mark.parametrize("fields", [
    {"summary_html": WHOLE_POST + "<p>And then [&#8230;]</p>"},  # cut: a marker
    {"summary_html": WHOLE_POST + "<p>And then...</p>"},  # cut: an ellipsis
    {"summary_html": WHOLE_POST[:600]},  # a teaser
    {"summary_html": WHOLE_POST, "content_html": "<p>A short teaser in content:encoded.</p>"},
    {"summary_html": WHOLE_POST, "document_type": "json_feed"},
], ids=["marker", "ellipsis", "short", "content", "json_feed"])
def test_other_descriptions_are_not_made_the_body(fields: dict) -> None:
    article = clean_article(feed_article(**{"content_html": None, **fields}), TransformSettings())
    assert "body_from_summary" not in (article.get("quality_flags") or [])
    assert article.get("body_text") != article["summary_text"]


def test_a_description_cut_by_the_html_size_limit_is_not_made_the_body() -> None:
    article = clean_article(feed_article(summary_html=WHOLE_POST, content_html=None),
                            TransformSettings(max_html_chars=len(WHOLE_POST) - 10))
    assert "body_text" not in article and article["quality_flags"] == ["html_truncated"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tag_soup(), tag_soup(), st.sampled_from(["rss", "html"]))
def test_clean_article_never_raises_on_arbitrary_html(content: str, summary: str, document_type: str) -> None:
    article = clean_article(feed_article(content_html=content, summary_html=summary, document_type=document_type),
                            TransformSettings())
    assert all(link.startswith(("http://", "https://")) for link in article["links"] + article["images"])


def test_error_records_pass_through_untouched() -> None:
    error = make_error("parse", "malformed_xml", "bad", source={"uri": "x"})
    assert clean_article(error, TransformSettings()) is error  # type: ignore[arg-type]
