"""Where the next WARC or ARC record starts after a record that does not read, so that one damaged record does not
lose the rest of a crawl.

A WARC record begins with a ``WARC/1.0`` (or ``WARC/1.1``) line; an ARC record (version 1, the only one warcio
reads) with its header line ``URL IP-address YYYYMMDDhhmmss mime length``. In a file gzipped record by record a
record also begins a gzip member; in an uncompressed stream (a plain file, or the inflated stream of a file gzipped
whole) it is looked for anywhere. The stream is read forward in pieces of ``SCAN_BYTES`` (an inflated stream costs a
restart from a checkpoint for each step back), so memory stays at about two pieces whatever lies between records.
"""

from __future__ import annotations

import re
import zlib
from typing import Any, NamedTuple

GZIP_MEMBER_START = b"\x1f\x8b\x08"  # a gzip member's magic and its one compression method, deflate


class RecordLine(NamedTuple):
    """A record's first line: its ``pattern``, and a part of it quick to find that ends it (an ARC line's last fields:
    64 MB of text took 2.8 s to search for the whole line, 0.24 s by its last fields); ``record_name`` says what
    such a record is in an error row."""

    pattern: re.Pattern[bytes]
    tail: re.Pattern[bytes]
    record_name: str


# A record cut short runs straight into the next, so neither line needs a line end before it: a WARC/1.x line (the
# versions warcio reads) followed by a header line; ARC's header line from a line's start when it begins with a URL
# scheme (its URL may then hold spaces: warcio splits the line at its last four), else from a scheme ARC files hold,
# its URL without spaces, quotes or angle brackets (a cut line before it may end in letters and a colon,
# "Content-Tyhttp://", or in a link of the page, "href=http://a.example/</a>http://").
_WARC_LINE = re.compile(rb"WARC/(?:1\.[01]|0\.1[78])\r?\n[A-Za-z][A-Za-z0-9-]*:")
_ARC_LINE_END = rb" \d{14} \S{1,256} \d{1,19}\r?\n"  # date, content type, length
WARC_RECORD_LINE = RecordLine(_WARC_LINE, _WARC_LINE, "WARC record")
ARC_RECORD_LINE = RecordLine(
    re.compile(rb"(?:(?<=\n)[a-z][a-z0-9+.-]{0,31}:[^\r\n]{0,8191}"  # at a line's start
               rb"|(?:https?|ftp|dns|filedesc|whois):[^\s<>\"']{0,8191})"  # anywhere
               rb" \S{1,64}" + _ARC_LINE_END),
    re.compile(_ARC_LINE_END), "ARC record")
MAX_RECORD_LINE_BYTES = 9 * 1024  # more than the longest match of either, line end included
ARC_FILE_START = b"filedesc://"  # an ARC file's first header line
SCAN_BYTES = 1024 * 1024  # read at a time while looking for the next record
FIRST_SCAN_BYTES = 64 * 1024
HEAD_BYTES = 4096  # compressed bytes read at a gzip member to tell whether a record starts there


def record_line_for(head: bytes) -> RecordLine:
    """The first line of a record of the web archive whose (inflated) bytes begin with ``head``: ARC's header line
    for an ARC file, else ``WARC/1.x``."""
    return ARC_RECORD_LINE if head.lstrip().startswith(ARC_FILE_START) else WARC_RECORD_LINE


def next_record_start(handle: Any, after: int, gzipped: bool, record_line: RecordLine) -> int | None:
    """The offset of the first record (its first line ``record_line``) that starts at or after ``after`` (at least
    1) in the web archive open in ``handle`` (``gzipped`` record by record, or an uncompressed stream), None when
    none does."""
    if gzipped:
        return _next_member_start(handle, after, record_line)
    return _next_line_start(handle, after, record_line)


def _next_line_start(handle: Any, after: int, record_line: RecordLine) -> int | None:
    """The offset of the first match of ``record_line`` at or after ``after``, reading forward only."""
    position = after - 1  # of buffer[0], the byte before ``after``: a line end there starts a line at ``after``
    handle.seek(position)
    step = FIRST_SCAN_BYTES  # the next record is most often near: read little first, more as the scan goes on
    buffer = handle.read(step)
    while (start := _first_record_line(buffer, record_line)) is None:
        step = min(2 * step, SCAN_BYTES)
        more = handle.read(step)
        if not more:
            return None
        kept = buffer[-MAX_RECORD_LINE_BYTES:]  # a line the read cut, with the line end before it
        position += len(buffer) - len(kept)
        buffer = kept + more
    return position + start


def _first_record_line(buffer: bytes, record_line: RecordLine) -> int | None:
    """Where the first ``record_line`` in ``buffer`` (from its second byte) starts, found by its tails."""
    for tail in record_line.tail.finditer(buffer, 1):
        line = record_line.pattern.search(buffer, max(1, tail.start() - MAX_RECORD_LINE_BYTES), tail.end())
        if line is not None:
            return line.start()
    return None


def _next_member_start(handle: Any, after: int, record_line: RecordLine) -> int | None:
    """The offset of the first gzip member at or after ``after`` that inflates to a record's first line."""
    position = after
    while True:
        handle.seek(position)
        chunk = handle.read(SCAN_BYTES)
        if len(chunk) < len(GZIP_MEMBER_START):
            return None
        index = chunk.find(GZIP_MEMBER_START)
        while index != -1:
            if _member_starts_record(handle, position + index, record_line):
                return position + index
            index = chunk.find(GZIP_MEMBER_START, index + 1)
        position += len(chunk) - len(GZIP_MEMBER_START) + 1  # a magic cut by the chunk's end is found in the next


def _member_starts_record(handle: Any, offset: int, record_line: RecordLine) -> bool:
    """Whether the gzip member at ``offset`` inflates to a line ``record_line`` matches."""
    handle.seek(offset)
    try:
        head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(handle.read(HEAD_BYTES), MAX_RECORD_LINE_BYTES)
    except zlib.error:
        return False
    return record_line.pattern.match(b"\n" + head, 1) is not None  # at a line's start
