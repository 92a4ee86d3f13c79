"""DOCTYPE defusing: where the declaration is found, once comments of the prolog are skipped."""

from __future__ import annotations

import datetime as dt

from transforms.doctype import defuse_doctype
from transforms.feeds import parse_feed
from transforms.records import RawDocument, sha256_hex

BLOWUP = b'<!DOCTYPE rss [\n<!ENTITY a "xx">\n<!ENTITY b "&a;&a;&a;&a;">\n]>'


def test_a_comment_that_mentions_a_doctype_is_left_whole() -> None:
    body = (b'<!-- a note quoting "<!DOCTYPE" -->\n<rss version="2.0"><channel><item><title>Quay</title>'
            b"<description><![CDATA[ <!DOCTYPE ]]></description></item></channel></rss>")
    assert defuse_doctype(body).body == body


def test_the_feed_behind_such_a_comment_keeps_its_item() -> None:
    body = (b'<!-- a note quoting "<!DOCTYPE" -->\n<rss version="2.0"><channel><item><title>Quay</title>'
            b"<link>https://quay.example/1</link></item></channel></rss>")
    raw = RawDocument(kind="raw", uri="/in/quay.xml", body=body, raw_sha256=sha256_hex(body), raw_path="/in/quay.xml",
                      fetched_at=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc), tags=[])
    assert [record["kind"] for record in parse_feed(raw)] == ["article"]


def test_an_element_like_text_in_a_comment_does_not_hide_the_doctype_after_it() -> None:
    defused = defuse_doctype(b"<!-- <a href=x> -->" + BLOWUP + b"<rss/>")
    assert defused.removed_declarations == 1
    assert b"&a;" not in defused.body


def test_a_doctype_inside_an_unterminated_comment_is_still_defused() -> None:
    defused = defuse_doctype(b"<!-- never closed " + BLOWUP + b"<rss/>")
    assert defused.removed_declarations == 1


def test_many_unterminated_comments_and_instructions_in_the_prolog_are_left_as_they_are() -> None:
    body = b"<!--<?" * 200_000 + b"<rss/>"  # each end marker is searched for once: quadratic would never finish
    assert defuse_doctype(body).body == body
