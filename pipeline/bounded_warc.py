"""warcio's record iterator with the headers of a record bounded in size.

warcio reads a record's WARC and HTTP headers a line at a time with no limit on a line or on their number: a
gzip member of 300 MB of zeros (a few hundred KB on disk) held about 5 GB while it looked for the first line's
end, and a member of millions of short header lines builds a header list as large. Real headers are a few
kilobytes; here the lines read since the last body read may add up to ``MAX_HEADER_BYTES`` and no more, so a
hostile record is an error (``HeadersTooLargeError``, which the callers turn into a ``read:bad_archive`` row)
with memory of about one decompressed block.
"""

from __future__ import annotations

import logging
import zlib
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import DecompressingBufferedReader

MAX_HEADER_BYTES = 1024 * 1024  # a record's WARC and HTTP header lines together
# warcio logs a WARC-Target-URI with spaces at WARNING for every such record; it reads it (spaces as %20) and the
# row holds it: on a user's terminal that was noise between the progress lines
logging.getLogger("warcio.recordloader").setLevel(logging.ERROR)


class HeadersTooLargeError(ValueError):
    """A record whose header lines go on past ``MAX_HEADER_BYTES``."""


class _HeaderBoundedReader(DecompressingBufferedReader):
    """warcio's reader, counting the bytes of the lines read since the last body read."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._decoded = False  # gzip data decoded yet (set before warcio's constructor, which may read)
        super().__init__(*args, **kwargs)
        self._line_bytes = 0

    def readline(self, length: int | None = None) -> bytes:
        """A line, of at most what is left of ``MAX_HEADER_BYTES``; ``HeadersTooLargeError`` past it."""
        budget = MAX_HEADER_BYTES - self._line_bytes
        if budget <= 0:
            raise HeadersTooLargeError(f"record headers go on past {MAX_HEADER_BYTES} bytes")
        line = super().readline(budget if length is None else min(length, budget))
        self._line_bytes += len(line)
        return line

    def read(self, length: int | None = None) -> bytes:
        """A body read: the next lines are another record's headers."""
        self._line_bytes = 0
        return super().read(length)

    def _decompress(self, data: bytes) -> bytes:
        """warcio's, except that gzip data that does not decode once a member has is an error: warcio wrote the
        error to stderr and went on with nothing, or read the next members' compressed bytes as text (a member cut
        short made the records after it vanish without a row)."""
        if self.decompressor is None or not data or not self._decoded:
            out = super()._decompress(data)  # the file's first bytes: warcio tells gzip from plain
            self._decoded = self.decompressor is not None and bool(out)
            return out
        try:
            return self.decompressor.decompress(data)
        except zlib.error as error:
            raise ValueError(f"gzip data does not decode: {error}") from error


def warc_records(stream: Any, **options: Any) -> ArchiveIterator:
    """An ``ArchiveIterator`` over ``stream`` (``options`` as warcio takes them) whose records' headers are
    bounded."""
    records = ArchiveIterator(stream, **options)
    records.reader = _HeaderBoundedReader(records.fh, block_size=records.reader.block_size)
    # warcio writes "Record not followed by newline" to stderr itself, three lines a time; the walk past damage
    # (warc_walk) finds the same and says it in a row or a flag: an empty format writes nothing
    records.INC_RECORD = ""
    return records
