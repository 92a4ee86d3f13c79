"""XML repairs before parsing: text before the declaration, undeclared prefixes, entity names, stray & and <."""

from __future__ import annotations

import lxml.etree

from transforms.xml_repair import (declare_missing_namespaces, drop_text_after_root, drop_text_before_declaration,
                                  repair_references)


def test_html_entity_names_become_numeric_references_outside_cdata_only() -> None:
    repaired, changes = repair_references(b"<t>Caf&eacute; &amp; &#38; <![CDATA[&eacute;]]></t>")
    assert repaired == b"<t>Caf&#233; &amp; &#38; <![CDATA[&eacute;]]></t>"
    assert changes == ["html_entities_replaced"]


def test_stray_ampersands_and_less_than_signs_are_escaped_and_references_kept() -> None:
    repaired, changes = repair_references(b'<t a="x?p=1&q=2">AT&T &lt; 3 < 4 &quaymark; <b>ok</b></t>')
    assert repaired == b'<t a="x?p=1&amp;q=2">AT&amp;T &lt; 3 &lt; 4 &quaymark; <b>ok</b></t>'
    assert changes == ["stray_markup_escaped"]


def test_an_unterminated_cdata_section_is_left_as_it_is() -> None:
    repaired, _ = repair_references(b"<t>&copy;<![CDATA[ AT&T &copy;")
    assert repaired == b"<t>&#169;<![CDATA[ AT&T &copy;"


def test_a_well_formed_document_is_unchanged() -> None:
    body = b'<?xml version="1.0"?><rss xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>A &amp; B</dc:creator></rss>'
    assert repair_references(body) == (body, [])
    assert declare_missing_namespaces(body) == (body, [])
    assert drop_text_before_declaration(body) == (body, False)


def test_text_before_the_declaration_goes_and_only_more_than_space_counts() -> None:
    assert drop_text_before_declaration(b'\n\n<?xml version="1.0"?><rss/>') == (b'<?xml version="1.0"?><rss/>', False)
    assert drop_text_before_declaration(b'Notice: x<br/>\n<?xml version="1.0"?><rss/>') == (
        b'<?xml version="1.0"?><rss/>', True)


def test_a_declaration_quoted_inside_the_feed_is_not_a_place_to_cut() -> None:
    body = b"<rss><item><description>&lt;?xml version='1.0'?&gt; <?xml-ish ?></description></item></rss>"
    assert drop_text_before_declaration(body) == (body, False)


def test_undeclared_prefixes_are_declared_on_the_root_so_the_document_parses() -> None:
    body = (b'<?xml version="1.0"?><!-- podcast --><rss version="2.0"><channel><item><itunes:duration>7:04'
            b'</itunes:duration><content:encoded>x</content:encoded><enclosure quay:size="1"/></item></channel></rss>')
    repaired, undeclared = declare_missing_namespaces(body)
    assert undeclared == [b"content", b"itunes", b"quay"]
    root = lxml.etree.fromstring(repaired)
    assert root.nsmap["itunes"] == "http://www.itunes.com/dtds/podcast-1.0.dtd"
    assert root.nsmap["content"] == "http://purl.org/rss/1.0/modules/content/"
    assert root.nsmap["quay"] == "urn:newsbeam:undeclared-prefix:quay"


def test_words_with_a_colon_in_text_are_no_prefixes_to_declare() -> None:
    body = b"<rss><item><description>Run rake db:migrate then Tele2:UPS = fast</description></item></rss>"
    assert declare_missing_namespaces(body) == (body, [])


def test_markup_after_the_root_element_is_cut_at_its_end_tag() -> None:
    script = b"\n<script>var s = document.createElement('iframe');</script>\n<div>ad</div>"
    feed = b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id></entry></feed >'
    assert drop_text_after_root(feed + script) == (feed, True)
    sitemap = b"<urlset><url><loc>https://quay.example/a</loc></url></urlset>"
    assert drop_text_after_root(sitemap + b"<br /><b>Warning</b>: quota") == (sitemap, True)
    lxml.etree.fromstring(drop_text_after_root(feed + script)[0])  # parses strictly


def test_what_xml_allows_after_the_root_and_a_root_end_inside_cdata_are_left_as_they_are() -> None:
    allowed = b"<rss><channel/></rss>\n<!-- generated in 0.3 s -->\n<?cache hit?>\n"
    assert drop_text_after_root(allowed) == (allowed, False)
    # a feed cut short inside an item that quotes its own end tag: the tag is no place to cut
    cut_short = b"<rss><channel><item><description><![CDATA[close it with </rss> and <b>then"
    assert drop_text_after_root(cut_short) == (cut_short, False)
    in_comment = b"<rss><channel><!-- the old </rss> was here <p>"
    assert drop_text_after_root(in_comment) == (in_comment, False)
    assert drop_text_after_root(b"<html><body>hi</body></html><script/>") == (b"<html><body>hi</body></html><script/>", False)


def test_megabytes_of_space_comments_and_instructions_after_the_root_are_read_as_xml_allows() -> None:
    # the pattern gives nothing back on failing: megabytes of them before a stray character are read once
    feed = b"<rss><channel/></rss>"
    allowed = b" \n" * 1_000_000 + b"<!-- a -->" * 100_000 + b"<?pi x?>" * 100_000
    assert drop_text_after_root(feed + allowed) == (feed + allowed, False)
    assert drop_text_after_root(feed + allowed + b"<script/>") == (feed, True)
    assert drop_text_after_root(feed + b"<!-- -- x -->\n<!-- never closed") == (feed, True)
