"""Where the next WARC or ARC record starts: a gzip member that inflates to one, or its first line in an uncompressed
stream, wherever the reads that look for it cut the bytes."""

from __future__ import annotations

import gzip
import io

import pytest

import pipeline.record_starts
from pipeline.record_starts import ARC_RECORD_LINE, WARC_RECORD_LINE, next_record_start, record_line_for
from tests.pipeline.archive_builders import arc_record_bytes, numbered_feed_record, warc_record_bytes

ARC_LINE = b"http://wire.example/news/a 192.0.2.1 20240601100000 text/html 1234\n"


def test_the_next_record_is_found_across_the_scan_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    members = [gzip.compress(record, mtime=0) for record in warc_record_bytes([numbered_feed_record(0),
                                                                               numbered_feed_record(1)])]
    data = members[0] + b"\x1f\x8b\x08 not a member" + b"x" * 50 + members[1]
    for name in ("SCAN_BYTES", "FIRST_SCAN_BYTES"):
        monkeypatch.setattr(pipeline.record_starts, name, 7)  # markers cut by every chunk boundary
    handle = io.BytesIO(data)
    assert next_record_start(handle, 1, True, WARC_RECORD_LINE) == len(data) - len(members[1])
    assert next_record_start(handle, len(data) - len(members[1]) + 1, True, WARC_RECORD_LINE) is None
    plain = b"".join(warc_record_bytes([numbered_feed_record(0), numbered_feed_record(1)]))
    assert next_record_start(io.BytesIO(plain), 1, False, WARC_RECORD_LINE) == plain.index(b"WARC/1.", 1)
    arc = b"".join(arc_record_bytes([numbered_feed_record(0), numbered_feed_record(1)]))
    second = arc.index(b"https://wire.example/feed-1 ")
    assert next_record_start(io.BytesIO(arc), second - 5, False, ARC_RECORD_LINE) == second


@pytest.mark.parametrize("before", [
    b"...</p>\n",  # a line's start
    b"...</p>",  # a record cut short, the next right after it
    b'<a href="http://wire.example/">home</a>',  # a link's URL is not taken for the line's
    b"Content-Ty",  # cut inside a header line
])
def test_an_arc_header_line_is_found_at_a_line_start_or_right_after_a_cut(before: bytes) -> None:
    data = b"x" + before + ARC_LINE
    assert next_record_start(io.BytesIO(data), 1, False, ARC_RECORD_LINE) == len(data) - len(ARC_LINE)


@pytest.mark.parametrize("line", [
    b"\nsome words 192.0.2.1 20240601100000 text/html 1234\n",  # no URL scheme
    b"\nhttp://wire.example/ 192.0.2.1 2024060110 text/html 1234\n",  # a date of 10 digits
    b"\nhttp://wire.example/ 192.0.2.1 20240601100000 text/html -1\n",  # no length
    b"\nWARC/1.0\r\n\r\n",  # no header line after it
])
def test_lines_that_begin_no_record_are_passed_over(line: bytes) -> None:
    record_line = WARC_RECORD_LINE if b"WARC" in line else ARC_RECORD_LINE
    assert next_record_start(io.BytesIO(b"x" + line), 1, False, record_line) is None


def test_a_gzip_member_that_inflates_to_an_arc_header_line_starts_a_record() -> None:
    data = gzip.compress(b"<html>not a record</html>\n") + gzip.compress(ARC_LINE + b"HTTP/1.1 200 OK\r\n")
    assert next_record_start(io.BytesIO(data), 1, True, ARC_RECORD_LINE) == data.index(b"\x1f\x8b", 1)


def test_an_arc_file_s_records_are_arc_lines_and_any_other_s_warc_lines() -> None:
    assert record_line_for(arc_record_bytes([])[0]) is ARC_RECORD_LINE
    assert record_line_for(warc_record_bytes([numbered_feed_record(0)])[0]) is WARC_RECORD_LINE
    assert record_line_for(b"") is WARC_RECORD_LINE
