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
        if not (self.output_offset <= offset < self.output_offset + self.checkpoint_every_bytes):
            starts = [checkpoint.output_offset for checkpoint in self.checkpoints]
            nearest = self.checkpoints[bisect.bisect_right(starts, offset) - 1]
            if not (nearest.output_offset <= self.output_offset <= offset):
                self._restore(nearest)
        self._inflate(offset - self.output_offset, keep=False)
        data = self._inflate(size, keep=True)
        if len(data) < size:
            raise TruncatedGzipError(f"gzip stream ends at {self.output_offset}, before {offset + size}")
        return data

    def read_next(self, size: int) -> bytes:
        """Up to ``size`` bytes from where the last read ended; empty at the end of the stream, also when the
        stream is cut short (``cut_short`` then says so)."""
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
    """A gzip file (of any number of members) as a plain readable stream, read start to end once. Unlike
    ``gzip.open``, a file cut short ends where its data ends, without an error, and ``cut_short`` says so:
    warcio takes an EOFError for the end of the records and would lose the records before the cut unsaid."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.seeker = GzipSeeker(path)

    @property
    def cut_short(self) -> bool:
        """True when the file ended inside a gzip member."""
        return self.seeker.cut_short

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.seeker.read_next(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        self.seeker.close()
        super().close()
