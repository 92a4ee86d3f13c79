"""Random access into a gzip stream, for reading members of a ``.tar.gz`` at their offsets.

gzip has no index: reaching uncompressed offset X means inflating everything before it. Reading the
chunks of a big ``.tar.gz`` one by one would then cost the square of its size. ``GzipSeeker`` keeps
checkpoints while it inflates (the inflater's state, copied with ``zlib.Decompress.copy()``, every
``checkpoint_every_bytes`` of output), so a later read starts from the nearest checkpoint before its
offset: each process inflates a stream about once, whatever order its chunks arrive in. Checkpoints
cost about 45 KB each (the 32 KB window and the inflater state) and are thinned when there are too many.
"""

from __future__ import annotations

import bisect
import collections
import dataclasses
import io
import os
import zlib
from typing import BinaryIO

INPUT_BLOCK_BYTES = 256 * 1024
OUTPUT_STEP_BYTES = 1024 * 1024
GZIP_WBITS = zlib.MAX_WBITS | 16
MAX_CHECKPOINTS = 512
OPEN_SEEKERS = 4  # per process: the streams read last keep their checkpoints
REWIND_BYTES = 2 * 1024 * 1024  # a stream steps back this far without inflating again


class TruncatedGzipError(EOFError):
    """The gzip stream ends before the offset or length asked for."""


@dataclasses.dataclass
class _Checkpoint:
    output_offset: int  # uncompressed offset of the next byte the inflater gives
    input_offset: int  # file offset of the next compressed byte to read
    inflater: zlib._Decompress  # type: ignore[name-defined]
    pending_input: bytes  # compressed bytes read but not yet consumed


class GzipSeeker:
    """Read ``size`` bytes at uncompressed ``offset`` of a (multi-member) gzip file."""

    def __init__(self, path: str, checkpoint_every_bytes: int = 16 * 1024 * 1024) -> None:
        self.path = path
        self.checkpoint_every_bytes = checkpoint_every_bytes
        self.handle: BinaryIO = open(path, "rb")
        self.file_size = os.fstat(self.handle.fileno()).st_size
        self.checkpoints: list[_Checkpoint] = []
        self.inside_member = False  # the inflater has begun a gzip member and not reached its end
        self._restore(_Checkpoint(0, 0, zlib.decompressobj(GZIP_WBITS), b""))
        self._save_checkpoint()

    def close(self) -> None:
        """Close the file; the seeker cannot be used afterwards."""
        self.handle.close()

    def read_at(self, offset: int, size: int) -> bytes:
        """The ``size`` bytes at uncompressed ``offset``; TruncatedGzipError when the stream ends first."""
        data = self.read_from(offset, size)
        if len(data) < size:
            raise TruncatedGzipError(f"gzip stream ends at {self.output_offset}, before {offset + size}")
        return data

    def read_from(self, offset: int, size: int) -> bytes:
        """Up to ``size`` bytes at uncompressed ``offset``: fewer at the end of the stream, also when the stream is
        cut short (``cut_short`` then says so)."""
        if not (self.output_offset <= offset < self.output_offset + self.checkpoint_every_bytes):
            starts = [checkpoint.output_offset for checkpoint in self.checkpoints]
            nearest = self.checkpoints[bisect.bisect_right(starts, offset) - 1]
            if not (nearest.output_offset <= self.output_offset <= offset):
                self._restore(nearest)
        self._inflate(offset - self.output_offset, keep=False)
        return self._inflate(size, keep=True)

    @property
    def cut_short(self) -> bool:
        """True once the file has ended inside a gzip member (a truncated download or copy)."""
        return self.inside_member and not self.pending_input and self.input_offset >= self.file_size

    def _restore(self, checkpoint: _Checkpoint) -> None:
        self.output_offset, self.input_offset = checkpoint.output_offset, checkpoint.input_offset
        self.inflater = checkpoint.inflater.copy()  # copied again: the checkpoint stays reusable
        self.pending_input = checkpoint.pending_input
        self.handle.seek(self.input_offset)

    def _save_checkpoint(self) -> None:
        if self.checkpoints and self.output_offset <= self.checkpoints[-1].output_offset:
            return
        self.checkpoints.append(_Checkpoint(self.output_offset, self.input_offset, self.inflater.copy(),
                                            self.pending_input))
        if len(self.checkpoints) > MAX_CHECKPOINTS:  # keep every other one: memory stays bounded
            self.checkpoints = self.checkpoints[::2]
            self.checkpoint_every_bytes *= 2

    def _inflate(self, count: int, keep: bool) -> bytes:
        """Inflate ``count`` bytes from the current position (kept or dropped), saving checkpoints."""
        kept = bytearray()
        while count > 0:
            step = min(count, OUTPUT_STEP_BYTES)
            output = self._inflate_step(step)
            if not output:
                break
            count -= len(output)
            if keep:
                kept += output
            last = self.checkpoints[-1].output_offset
            if self.output_offset - last >= self.checkpoint_every_bytes:
                self._save_checkpoint()
        return bytes(kept)

    def _inflate_step(self, limit: int) -> bytes:
        """Up to ``limit`` bytes of output; empty at the end of the stream."""
        while True:
            if not self.pending_input:
                self.pending_input = self.handle.read(INPUT_BLOCK_BYTES)
                self.input_offset += len(self.pending_input)
                if not self.pending_input:
                    return b""
            output = self.inflater.decompress(self.pending_input, limit)
            self.inside_member = not self.inflater.eof
            if self.inflater.eof:  # the next gzip member starts in what is left; a finished inflater is
                # never kept (nor copied into a checkpoint)
                self.inflater, self.pending_input = zlib.decompressobj(GZIP_WBITS), self.inflater.unused_data
            else:
                self.pending_input = self.inflater.unconsumed_tail
            self.output_offset += len(output)
            if output:
                return output


_open_seekers: collections.OrderedDict[str, GzipSeeker] = collections.OrderedDict()


def seeker_for(path: str) -> GzipSeeker:
    """A per-process, reused seeker of ``path`` (the last few streams keep their checkpoints)."""
    seeker = _open_seekers.pop(path, None) or GzipSeeker(path)
    _open_seekers[path] = seeker
    while len(_open_seekers) > OPEN_SEEKERS:
        _open_seekers.popitem(last=False)[1].close()
    return seeker


class GzipStream(io.RawIOBase):
    """A gzip file (of any number of members) as a plain readable stream that seeks in the inflated bytes: forward,
    back within the last ``rewind_bytes`` read (kept), or further back from the nearest checkpoint. Unlike
    ``gzip.open``, a file cut short ends where its data ends, without an error, and ``cut_short`` says so: warcio takes
    an EOFError for the end of the records and would lose the records before the cut unsaid."""

    def __init__(self, path: str, rewind_bytes: int = REWIND_BYTES) -> None:
        super().__init__()
        self.seeker = GzipSeeker(path)
        self.position = 0
        self.rewind_bytes = rewind_bytes
        self.recent: collections.deque[bytes] = collections.deque()  # the pieces read last, up to the seeker
        self.recent_bytes = 0

    @property
    def cut_short(self) -> bool:
        """True when the file ended inside a gzip member."""
        return self.seeker.cut_short

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence not in (io.SEEK_SET, io.SEEK_CUR):
            raise io.UnsupportedOperation("a gzip stream's end is not known before it is inflated")
        self.position = offset + (self.position if whence == io.SEEK_CUR else 0)
        return self.position

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Fills ``buffer`` whole unless the stream ends first (warcio takes the first bytes it reads for a gzip
        header, and loses them when they are too few)."""
        filled = 0
        while filled < len(buffer) and (data := self._read_piece(len(buffer) - filled)):
            buffer[filled:filled + len(data)] = data
            filled += len(data)
            self.position += len(data)
        return filled

    def _read_piece(self, size: int) -> bytes:
        """Up to ``size`` bytes at the position: from the pieces read last when they hold it, else inflated."""
        data = self._recent_at(size)
        if data is not None:
            return data
        if self.position != self.seeker.output_offset:
            self.recent.clear()  # what is read next does not follow them
            self.recent_bytes = 0
        data = self.seeker.read_from(self.position, size)
        if data:
            self.recent.append(data)
            self.recent_bytes += len(data)
            while self.recent_bytes - len(self.recent[0]) >= self.rewind_bytes:
                self.recent_bytes -= len(self.recent.popleft())
        return data

    def _recent_at(self, size: int) -> bytes | None:
        """Up to ``size`` bytes at the position from the pieces read last (fewer at a piece's end), None when they do
        not hold it."""
        start = self.seeker.output_offset - self.recent_bytes
        if not start <= self.position < self.seeker.output_offset:
            return None
        for piece in self.recent:
            if self.position < start + len(piece):
                return piece[self.position - start:self.position - start + size]
            start += len(piece)
        return None

    def close(self) -> None:
        self.seeker.close()
        super().close()
