"""zstd files frame by frame: the dictionary a file may begin with, where each frame lies, and the decompressed
bytes of a run of frames or of the whole stream, always read in bounded pieces.

A zstd file is a run of frames, each decompressible alone (with the file's dictionary, when it has one). The IIPC
"WARC zstd" convention, which ArchiveTeam's Wget-AT writes (``.warc.zst``), puts each WARC record in frames of its
own, so that a record is read by seeking to its first frame, and lets the file begin with a skippable frame (magic
0x184D2A5D, a 4-byte little-endian size, then the payload) holding the dictionary every frame was compressed with,
itself possibly zstd-compressed. Other skippable frames ("extension frames") may sit between frames and are passed
over.

``frame_spans`` finds frames by their block headers, without decompressing anything, so a frame cut short or with
a broken block is found where it is, and ``next_frame_offset`` finds the next sound frame after it. ``FrameFile``
decompresses the start of a frame, ``FramesReader`` the frames of one record, and ``ZstdSeeker`` reads at offsets
of the decompressed stream of a file compressed whole (``zstd crawl.warc``). Memory: a frame's window (at most
``MAX_WINDOW_BYTES``, and only as far as its output fills it) and the pieces a caller asks for.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import io
import os
import weakref
from typing import BinaryIO, Iterator

import zstandard

FRAME_MAGIC = b"\x28\xb5\x2f\xfd"
DICTIONARY_FRAME_MAGIC = b"\x5d\x2a\x4d\x18"  # the skippable frame 0x184D2A5D, little-endian
DICTIONARY_MAGIC = b"\x37\xa4\x30\xec"
SKIPPABLE_MAGIC_END = b"\x2a\x4d\x18"  # skippable frames are 0x184D2A50 to 0x184D2A5F
SKIPPABLE_HEADER_BYTES = 8
FRAME_HEADER_MAX_BYTES = 18  # magic, descriptor, window, dictionary ID, content size
BLOCK_HEADER_BYTES = 3
CHECKSUM_BYTES = 4
MAX_BLOCK_BYTES = 128 * 1024
MAX_WINDOW_BYTES = 128 * 1024 * 1024  # what `zstd -d` allows by default: a frame needing more is refused
MAX_DICTIONARY_BYTES = 8 * 1024 * 1024  # what the WARC zstd convention asks readers to support
SCAN_STEP_BYTES = 1024 * 1024
READ_PIECE_BYTES = 64 * 1024
OPEN_SEEKERS = 4  # per process: the streams read last stay where they are
EMPTY_FRAME = zstandard.ZstdCompressor().compress(b"")


class ZstdFrameError(ValueError):
    """A zstd file unreadable at ``offset``: a frame cut short or corrupt, or a missing or bad dictionary."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset


class DictionaryError(ZstdFrameError):
    """A file's dictionary frame is cut short, too large or holds no dictionary, or its frames need another one."""


class FrameTooLargeError(OverflowError):
    """A frame whose window is over ``MAX_WINDOW_BYTES``: refused before any byte is decoded."""


@dataclasses.dataclass(frozen=True)
class FrameSpan:
    """Where one zstd frame lies in its file, and what its header says."""

    offset: int
    size_bytes: int  # compressed: header, blocks and checksum
    window_bytes: int
    dictionary_id: int  # 0: none named


def _magic(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(4)
    except OSError:
        return b""


def is_skippable(head: bytes) -> bool:
    """True when ``head`` begins with the magic of a skippable frame (0x184D2A50 to 0x184D2A5F)."""
    return head[1:4] == SKIPPABLE_MAGIC_END and head[0] & 0xF0 == 0x50


def is_zstd_file(path: str) -> bool:
    """True when the file at ``path`` begins with a zstd frame or a skippable frame: the dictionary frame, or
    another (``pzstd`` begins its files with one)."""
    magic = _magic(path)
    return magic == FRAME_MAGIC or is_skippable(magic)


def has_dictionary_frame(path: str) -> bool:
    """True when the file at ``path`` begins with a dictionary frame (magic 0x184D2A5D)."""
    return _magic(path) == DICTIONARY_FRAME_MAGIC


def read_dictionary(handle: BinaryIO) -> tuple[zstandard.ZstdCompressionDict | None, int]:
    """The dictionary of the file open in ``handle`` (None without a dictionary frame) and the offset of its
    first frame after it; ``DictionaryError`` when the dictionary frame is cut short, too large or holds no
    dictionary."""
    handle.seek(0)
    header = handle.read(SKIPPABLE_HEADER_BYTES)
    if header[:4] != DICTIONARY_FRAME_MAGIC:
        return None, 0
    size = int.from_bytes(header[4:], "little")
    if size > MAX_DICTIONARY_BYTES:
        raise DictionaryError(0, f"the zstd dictionary frame is over the {MAX_DICTIONARY_BYTES}-byte limit")
    data = handle.read(size)
    if len(header) < SKIPPABLE_HEADER_BYTES or len(data) < size:
        raise DictionaryError(0, "the zstd dictionary frame is cut short (truncated file?)")
    if data.startswith(FRAME_MAGIC):
        data = _decompressed_dictionary(data)
    if not data.startswith(DICTIONARY_MAGIC):
        raise DictionaryError(0, "the zstd dictionary frame holds no zstd dictionary")
    dictionary = zstandard.ZstdCompressionDict(data, dict_type=zstandard.DICT_TYPE_FULLDICT)
    try:
        zstandard.ZstdDecompressor(dict_data=dictionary).decompress(EMPTY_FRAME)  # loads it: a bad one fails here
    except zstandard.ZstdError as exc:
        raise DictionaryError(0, f"the zstd dictionary is corrupt: {exc}") from exc
    return dictionary, SKIPPABLE_HEADER_BYTES + size


def _decompressed_dictionary(data: bytes) -> bytes:
    reader = zstandard.ZstdDecompressor(max_window_size=MAX_WINDOW_BYTES).stream_reader(io.BytesIO(data))
    try:
        dictionary = reader.read(MAX_DICTIONARY_BYTES + 1)
    except zstandard.ZstdError as exc:
        raise DictionaryError(0, f"the compressed zstd dictionary is corrupt: {exc}") from exc
    if len(dictionary) > MAX_DICTIONARY_BYTES:
        raise DictionaryError(0, f"the zstd dictionary is over the {MAX_DICTIONARY_BYTES}-byte limit")
    return dictionary


def frame_spans(handle: BinaryIO, offset: int) -> Iterator[FrameSpan]:
    """The zstd frames of ``handle`` from ``offset`` to its end, found by their headers (skippable frames passed
    over); ``ZstdFrameError`` at the first that is cut short or malformed."""
    file_size = os.fstat(handle.fileno()).st_size
    while offset < file_size:
        handle.seek(offset)
        head = handle.read(FRAME_HEADER_MAX_BYTES)
        if is_skippable(head):
            end = offset + SKIPPABLE_HEADER_BYTES + int.from_bytes(head[4:8], "little")
            if len(head) < SKIPPABLE_HEADER_BYTES or end > file_size:
                raise ZstdFrameError(offset, "a skippable zstd frame is cut short (truncated file?)")
            offset = end
            continue
        if not head.startswith(FRAME_MAGIC):
            raise ZstdFrameError(offset, "no zstd frame here (corrupt data)")
        span = frame_span(handle, offset, head, file_size)
        yield span
        offset += span.size_bytes


def frame_span(handle: BinaryIO, offset: int, head: bytes, file_size: int) -> FrameSpan:
    """The span of the zstd frame at ``offset`` whose first bytes are ``head``: its blocks are walked by their
    headers (3 bytes each), nothing is decompressed."""
    try:
        parameters = zstandard.get_frame_parameters(head)
        position = offset + zstandard.frame_header_size(head)
    except zstandard.ZstdError as exc:
        kind = "cut short (truncated file?)" if offset + len(head) >= file_size else f"corrupt: {exc}"
        raise ZstdFrameError(offset, f"zstd frame header {kind}") from exc
    last = False
    while not last and position + BLOCK_HEADER_BYTES <= file_size:
        handle.seek(position)
        header = int.from_bytes(handle.read(BLOCK_HEADER_BYTES), "little")
        block_type, size = (header >> 1) & 3, header >> 3
        if block_type == 3 or size > MAX_BLOCK_BYTES:  # 3 is reserved
            raise ZstdFrameError(offset, f"corrupt zstd frame: bad block header at byte {position}")
        position += BLOCK_HEADER_BYTES + (1 if block_type == 1 else size)  # an RLE block stores one byte
        last = bool(header & 1)
    position += CHECKSUM_BYTES if parameters.has_checksum else 0
    if not last or position > file_size:
        raise ZstdFrameError(offset, "zstd frame cut short (truncated file?)")
    return FrameSpan(offset, position - offset, parameters.window_size, parameters.dict_id)


def spans_past_damage(handle: BinaryIO, offset: int) -> Iterator[FrameSpan | ZstdFrameError]:
    """The frames of ``handle`` from ``offset``; where one is damaged, its error, then the frames from the next
    sound one on (frames are independent: those after the damage still read)."""
    resume_at: int | None = offset
    while resume_at is not None:
        try:
            yield from frame_spans(handle, resume_at)
            return
        except ZstdFrameError as exc:
            yield exc
            resume_at = next_frame_offset(handle, exc.offset)


def next_frame_offset(handle: BinaryIO, after: int) -> int | None:
    """The offset of the first sound zstd frame (its blocks walk to their end) past ``after``, or None: where
    reading goes on after a damaged frame."""
    file_size = os.fstat(handle.fileno()).st_size
    position = after + 1
    while position < file_size:
        handle.seek(position)
        window = handle.read(SCAN_STEP_BYTES + len(FRAME_MAGIC) - 1)
        found = window.find(FRAME_MAGIC)
        if found < 0:
            position += SCAN_STEP_BYTES
            continue
        candidate = position + found
        handle.seek(candidate)
        try:
            frame_span(handle, candidate, handle.read(FRAME_HEADER_MAX_BYTES), file_size)
            return candidate
        except ZstdFrameError:
            position = candidate + 1
    return None


def decompressor_for(dictionary: zstandard.ZstdCompressionDict | None) -> zstandard.ZstdDecompressor:
    """A decompressor with ``dictionary`` and the window limit."""
    if dictionary is None:
        return zstandard.ZstdDecompressor(max_window_size=MAX_WINDOW_BYTES)
    return zstandard.ZstdDecompressor(dict_data=dictionary, max_window_size=MAX_WINDOW_BYTES)


@functools.lru_cache(maxsize=OPEN_SEEKERS)
def _file_dictionary(path: str, modified_ns: int, size_bytes: int) -> zstandard.ZstdCompressionDict | None:
    with open(path, "rb") as handle:
        return read_dictionary(handle)[0]


def file_decompressor(path: str) -> zstandard.ZstdDecompressor:
    """A new decompressor of the file at ``path``, with its dictionary (read once per process for the files read
    last; a decompressor is not shared: one read at a time each)."""
    status = os.stat(path)
    return decompressor_for(_file_dictionary(path, status.st_mtime_ns, status.st_size))


class _Span:
    """``size_bytes`` of a file from its current position, as a source that says when the file ends first."""

    def __init__(self, handle: BinaryIO, size_bytes: int) -> None:
        self.handle = handle
        self.remaining = size_bytes

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(self.remaining if size < 0 else min(size, self.remaining))
        self.remaining -= len(data)
        return data


def frame_head(handle: BinaryIO, span: FrameSpan, decompressor: zstandard.ZstdDecompressor, size: int) -> bytes:
    """The first ``size`` decompressed bytes of the frame ``span`` of ``handle`` (all of them when fewer);
    ``ZstdFrameError`` when they do not decompress."""
    handle.seek(span.offset)
    reader = decompressor.stream_reader(_Span(handle, span.size_bytes), read_size=READ_PIECE_BYTES)
    head = bytearray()
    try:
        while len(head) < size and (piece := reader.read(min(size - len(head), READ_PIECE_BYTES))):
            head += piece
    except zstandard.ZstdError as exc:
        raise ZstdFrameError(span.offset, f"zstd frame unreadable: {exc}") from exc
    return bytes(head)


class FrameFile:
    """A zstd file open in ``handle``, for listing: its dictionary, its frames and their first bytes."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.dictionary, self.first_frame_offset = read_dictionary(handle)
        self.dictionary_id = self.dictionary.dict_id() if self.dictionary is not None else 0
        self.decompressor = decompressor_for(self.dictionary)

    def spans(self) -> Iterator[FrameSpan | ZstdFrameError]:
        """The file's frames, with the error of each damaged one in its place (``spans_past_damage``)."""
        return spans_past_damage(self.handle, self.first_frame_offset)

    def head(self, span: FrameSpan | ZstdFrameError, size: int) -> bytes | None:
        """The first ``size`` decompressed bytes of ``span``; None when its window is over the limit (it cannot be
        looked into). Raises the error ``spans`` gave in place of a frame, ``DictionaryError`` when the frame needs
        another dictionary than the file's, ``ZstdFrameError`` when it does not decompress."""
        if isinstance(span, ZstdFrameError):
            raise span
        if span.dictionary_id not in (0, self.dictionary_id):
            held = f"holds dictionary {self.dictionary_id}" if self.dictionary_id else "has no dictionary frame"
            raise DictionaryError(span.offset, f"zstd frames need dictionary {span.dictionary_id}, and the file {held}")
        if span.window_bytes > MAX_WINDOW_BYTES:
            return None
        return frame_head(self.handle, span, self.decompressor, size)

    def head_of(self, spans: list[FrameSpan], size: int) -> bytes | None:
        """The first ``size`` decompressed bytes of the frames ``spans``, one after another (as ``head`` says: None
        when the first frame cannot be looked into)."""
        head = self.head(spans[0], size)
        for span in spans[1:]:
            if head is None or len(head) >= size:
                break
            head += self.head(span, size - len(head)) or b""
        return head


class FramesReader(io.RawIOBase):
    """The decompressed bytes of the frames in ``size_bytes`` of the file at ``path`` from ``offset`` (one WARC
    record's), with the file's dictionary, read in pieces no larger than asked for. ``ZstdFrameError`` when they
    are corrupt or the file ends first, ``FrameTooLargeError`` when the first frame needs a window over the
    limit."""

    def __init__(self, path: str, offset: int, size_bytes: int) -> None:
        super().__init__()
        self.offset = offset
        self.handle = open(path, "rb")  # noqa: SIM115 - closed with the reader
        try:
            self.handle.seek(offset)
            window_bytes = zstandard.get_frame_parameters(self.handle.read(FRAME_HEADER_MAX_BYTES)).window_size
            if window_bytes > MAX_WINDOW_BYTES:
                raise FrameTooLargeError(f"zstd frame needs a {window_bytes}-byte window, over the "
                                         f"{MAX_WINDOW_BYTES}-byte limit")
            decompressor = file_decompressor(path)
        except zstandard.ZstdError as exc:
            self.handle.close()
            raise ZstdFrameError(offset, f"no zstd frame here: {exc}") from exc
        except BaseException:
            self.handle.close()
            raise
        self.handle.seek(offset)
        self.source = _Span(self.handle, size_bytes)
        self.reader = decompressor.stream_reader(self.source, read_across_frames=True, read_size=READ_PIECE_BYTES)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        try:
            data = self.reader.read(len(buffer))
        except zstandard.ZstdError as exc:
            raise ZstdFrameError(self.offset, f"zstd frame unreadable: {exc}") from exc
        if not data and self.source.remaining:
            raise ZstdFrameError(self.offset, "zstd frames cut short (truncated file?)")
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        self.handle.close()
        super().close()


class ZstdSeeker:
    """Reads at offsets of the decompressed stream of a zstd file, its frames one after another (or its first frame
    only, unless ``across_frames``): forward from where the last read ended, or again from the start for an offset
    before it (a file compressed whole has no other place to start from)."""

    def __init__(self, path: str, across_frames: bool = True) -> None:
        self.path = path
        self.across_frames = across_frames
        self.handle: BinaryIO = open(path, "rb")
        weakref.finalize(self, self.handle.close)
        dictionary, self.first_frame_offset = read_dictionary(self.handle)
        self.decompressor = decompressor_for(dictionary)
        self.handle.seek(self.first_frame_offset)
        while is_skippable(header := self.handle.read(SKIPPABLE_HEADER_BYTES)):  # pzstd begins with one
            self.first_frame_offset += SKIPPABLE_HEADER_BYTES + int.from_bytes(header[4:], "little")
            self.handle.seek(self.first_frame_offset)
        self._restart()

    def _restart(self) -> None:
        self.handle.seek(self.first_frame_offset)
        self.reader = self.decompressor.stream_reader(self.handle, read_across_frames=self.across_frames,
                                                      closefd=False, read_size=READ_PIECE_BYTES)
        self.position = 0
        self.ended = False  # the first frame ended (reading not across frames), or the stream did

    def close(self) -> None:
        """Close the file; the seeker cannot be used afterwards (one dropped unclosed closes it as it goes)."""
        self.handle.close()

    def read_next(self, size: int) -> bytes:
        """Up to ``size`` bytes from where the last read ended, in pieces of bounded size; fewer at the end of the
        stream. ``ZstdFrameError`` on corrupt data."""
        data = bytearray()
        while len(data) < size and not self.ended:
            wanted = min(size - len(data), READ_PIECE_BYTES)
            try:
                piece = self.reader.read(wanted)
            except zstandard.ZstdError as exc:
                raise ZstdFrameError(self.position, f"zstd stream unreadable: {exc}") from exc
            # a read stops short only at the end of the stream or, not across frames, of the frame (the next read
            # would go on with the next frame)
            self.ended = not piece or (len(piece) < wanted and not self.across_frames)
            data += piece
            self.position += len(piece)
        return bytes(data)

    def skip(self, size: int) -> int:
        """Pass over ``size`` bytes without keeping them; returns how many there were."""
        start = self.position
        while self.position - start < size and self.read_next(min(size - (self.position - start), SCAN_STEP_BYTES)):
            pass
        return self.position - start

    def read_at(self, offset: int, size: int) -> bytes:
        """The ``size`` bytes at decompressed ``offset``; ``ZstdFrameError`` when the stream ends first."""
        if offset < self.position or self.ended:
            self._restart()
        try:
            self.skip(offset - self.position)
            data = self.read_next(size)
        except ZstdFrameError:
            self._restart()  # a decompressor that failed is not used again
            raise
        if len(data) < size:
            raise ZstdFrameError(offset, f"the zstd stream ends at {self.position}, before {offset + size}")
        return data

    def damage(self) -> ZstdFrameError | None:
        """Where the file's frames are cut short or malformed, or None when they are whole."""
        with open(self.path, "rb") as handle:  # its own: the stream reads on from self.handle
            try:
                collections.deque(frame_spans(handle, self.first_frame_offset), maxlen=0)
            except ZstdFrameError as exc:
                return exc
        return None


@functools.lru_cache(maxsize=OPEN_SEEKERS)
def seeker_for(path: str) -> ZstdSeeker:
    """A per-process, reused seeker of ``path``: the streams read last stay where they were read to."""
    return ZstdSeeker(path)
