"""Undo an HTTP Content-Encoding (gzip, deflate, br, zstd) with the output of every step bounded.

A body arrives in pieces (a network chunk, a read from a WARC record) and each piece is decoded with a cap on
what it may produce, so a decompression bomb costs at most the cap: 317 bytes of brotli inflate to 200 MB,
6 KB of zstd likewise, a 64 KB piece of gzip to 64 MB. Used by ``pipeline.http_fetch`` for what a server
sends and by ``pipeline.archives`` for response records of WARC files, which keep the body as the server sent
it (crawls made with a browser, such as Browsertrix or Webrecorder captures, hold ``br`` and ``zstd`` bodies),
transfer codings before ``chunked`` included (``Transfer-Encoding: gzip, chunked`` in old crawls).

``decoder_for`` names the decoder of a ``Content-Encoding`` header; a coding it cannot undo, or a body that is
corrupt or cut short, raises ``ContentCodingError``. What follows the end of the coded data is read as the
gzip command and browsers read it: another gzip member or zstd frame is decoded too; other bytes (a CRLF,
padding) are ignored. Data after a whole member or frame that does not decode, or that hides a later one, ends
the body there: the ``DecodedBody`` names that ``damage`` (the document is flagged ``PARTLY_DECODED_FLAG``).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple, Protocol

import brotli
import zstandard

# A zstd block of 4 bytes (an RLE block) can stand for 128 KiB: the most one input byte can give is 32 KiB.
ZSTD_MAX_RATIO = 32 * 1024
ZSTD_MAX_WINDOW_BYTES = 8 * 1024 * 1024  # the limit RFC 9659 sets for zstd as an HTTP content coding
BROTLI_STEP_BYTES = 256 * 1024  # brotli output asked for at a time (its buffer grows in doubling blocks)
# brotli input given at a time: at most this much is fed again a byte at a time to find where a stream ends
BROTLI_INPUT_STEP_BYTES = 64 * 1024
GZIP_MAGIC = b"\x1f\x8b"  # a gzip member's first bytes; deflate (8), its only compression method, follows
ZSTD_FRAME_START = b"\x28\xb5\x2f\xfd"
ZSTD_SKIPPABLE_STARTS = tuple(bytes([0x50 + low, 0x2A, 0x4D, 0x18]) for low in range(16))
PARTLY_DECODED_FLAG = "body_partly_decoded"  # a document whose body is only the part before its damage
TRANSFER_CODINGS = ("gzip", "x-gzip", "deflate")  # undone from a Transfer-Encoding, besides chunked
HEAD_TRANSFER_BYTES = 1024 * 1024  # what a transfer coding may give when only the head of a body is read


class ContentCodingError(Exception):
    """A body that cannot be decoded: an unsupported coding, corrupt data, or a stream cut short."""


class UnsupportedCodingError(ContentCodingError):
    """A Content-Encoding no decoder here undoes ("none", a charset, two codings): raised before any byte is read."""


class Decoder(Protocol):
    """Decodes a body a piece at a time."""

    damage: str | None  # set when data after a whole member or frame could not be decoded

    def decode(self, data: bytes, max_out_bytes: int) -> bytes:
        """The output of ``data``: at most a block over ``max_out_bytes``, which tells a caller over its limit
        to stop."""
        ...

    def finish(self) -> None:
        """Raise ``ContentCodingError`` when the body ended before its coding did."""
        ...


class DecodedBody(NamedTuple):
    """A decoded body, and what ended its decoding early if something did (it is then the part before)."""

    body: bytes
    damage: str | None = None


class IdentityDecoder:
    """No Content-Encoding: bytes pass through."""

    damage: str | None = None

    def decode(self, data: bytes, max_out_bytes: int) -> bytes:
        """``data`` as it is."""
        return data

    def finish(self) -> None:
        """Nothing can be cut short."""
        return None


class _Stream(Protocol):
    """One coded stream: a gzip member, a zstd frame, a deflate or brotli stream."""

    ended: bool
    rest: bytes  # the input after its end, once it ended

    def decode(self, data: bytes, max_out_bytes: int) -> bytes: ...

    def finish(self) -> None: ...


class _ZlibStream:
    """One gzip member, or a deflate stream (zlib-wrapped as the RFC says, or raw as many servers send)."""

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
        self._inflater = zlib.decompressobj(self._wbits)
        self._started = False  # any output yet; "deflate" may be raw deflate until then
        self._fed = False  # any input yet: an empty body is no stream cut short, a gzip header alone is one
        self.ended, self.rest = False, b""

    def decode(self, data: bytes, max_out_bytes: int) -> bytes:
        """Inflate ``data``, stopping at the stream's end or once ``max_out_bytes`` are out."""
        out = bytearray()
        self._fed = self._fed or bool(data)
        while data and len(out) < max_out_bytes and not self.ended:
            out += self._decompress(data, max_out_bytes - len(out))
            self.ended, self.rest = self._inflater.eof, self._inflater.unused_data
            data = self._inflater.unconsumed_tail
        return bytes(out)

    def _decompress(self, data: bytes, max_out_bytes: int) -> bytes:
        try:
            piece = self._inflater.decompress(data, max_out_bytes)
        except zlib.error as error:
            if self._encoding == "deflate" and not self._started and self._wbits > 0:
                self._wbits = -zlib.MAX_WBITS  # raw deflate under "deflate"
                self._inflater = zlib.decompressobj(self._wbits)
                return self._decompress(data, max_out_bytes)
            raise ContentCodingError(f"corrupt {self._encoding} body: {error}") from error
        self._started = self._started or bool(piece)
        return piece

    def finish(self) -> None:
        """A stream that was given bytes but never reached its end was cut short."""
        if self._fed and not self.ended:
            raise ContentCodingError(f"{self._encoding} body ended early (truncated)")


class _BrotliStream:
    """A br stream, with brotli's own output limit (brotli >= 1.2).

    brotli's decoder refuses a call whose input goes on past the stream's end, and loses that call's output:
    the input is kept, so that a new decoder can be given it again, the refused part a byte at a time, which
    finds the end (the bytes after it are ``rest``). Only the rare body with bytes after its stream pays this.
    """

    def __init__(self) -> None:
        self._decompressor = brotli.Decompressor()
        self._fed: list[memoryview] = []  # the input decoded so far, every piece of it drained
        self.ended, self.rest = False, b""

    def decode(self, data: bytes, max_out_bytes: int) -> bytes:
        """Decode ``data``, ``BROTLI_INPUT_STEP_BYTES`` of it at a time, until ``max_out_bytes`` are out or the
        stream ends."""
        out = bytearray()
        view = memoryview(data)
        while view and len(out) < max_out_bytes and not self.ended:
            piece, view = view[:BROTLI_INPUT_STEP_BYTES], view[BROTLI_INPUT_STEP_BYTES:]
            try:
                out += _brotli_output(self._decompressor, piece, max_out_bytes - len(out))
            except brotli.error:
                out += self._decode_again_to_the_end(piece, max_out_bytes - len(out))
                continue
            self._fed.append(piece)
            self.ended = self._decompressor.is_finished()
        if self.ended:
            self.rest += view.tobytes()
        return bytes(out)

    def _decode_again_to_the_end(self, piece: memoryview, max_out_bytes: int) -> bytes:
        """The output of ``piece``, refused by the decoder, from a new one given the input before it again, then
        ``piece`` a byte at a time up to the stream's end; corrupt data is a ``ContentCodingError``."""
        decompressor = brotli.Decompressor()
        out = bytearray()
        try:
            for fed in self._fed:  # its output was given: dropped a step at a time
                dropped = _brotli_output(decompressor, fed, BROTLI_STEP_BYTES)
                while dropped:
                    dropped = _brotli_output(decompressor, b"", BROTLI_STEP_BYTES)
            for position in range(len(piece)):
                out += _brotli_output(decompressor, piece[position:position + 1], max_out_bytes - len(out))
                if decompressor.is_finished() or len(out) >= max_out_bytes:
                    break
        except brotli.error as error:
            raise ContentCodingError(f"corrupt br body: {error}") from error
        if not decompressor.is_finished() and len(out) < max_out_bytes:
            raise ContentCodingError("corrupt br body: brotli refused the data but no stream ended in it")
        self._decompressor, self.ended = decompressor, decompressor.is_finished()
        self._fed.append(piece[:position + 1])
        self.rest = piece[position + 1:].tobytes() if self.ended else b""
        return bytes(out)

    def finish(self) -> None:
        """A stream that started but whose end was not read was cut short."""
        if self._fed and not self.ended:
            raise ContentCodingError("br body ended early (truncated)")


def _brotli_output(decompressor: brotli.Decompressor, data: bytes | memoryview, max_out_bytes: int) -> bytes:
    """What ``decompressor`` gives for ``data``, a step of at most about ``BROTLI_STEP_BYTES`` at a time, until
    ``max_out_bytes`` are out; what is beyond stays inside it (its buffer grows in blocks of doubling size: one
    call with the whole budget could give twice it). Output can wait inside with no input left (the last
    piece of a body that inflates much): asked for until none comes."""
    out = bytearray(decompressor.process(data, output_buffer_limit=min(BROTLI_STEP_BYTES, max(1, max_out_bytes))))
    while len(out) < max_out_bytes:
        more = decompressor.process(b"", output_buffer_limit=min(BROTLI_STEP_BYTES, max_out_bytes - len(out)))
        if not more:
            break
        out += more
    return bytes(out)


class _ZstdStream:
    """One zstd frame, fed a slice at a time so that no slice can give more than the budget left."""

    def __init__(self) -> None:
        self._stream = zstandard.ZstdDecompressor(max_window_size=ZSTD_MAX_WINDOW_BYTES).decompressobj()
        self._started = False
        self.ended, self.rest = False, b""

    def decode(self, data: bytes, max_out_bytes: int) -> bytes:
        """Decode ``data``, stopping at the frame's end or about once ``max_out_bytes`` are out."""
        out = bytearray()
        view = memoryview(data)
        while view and len(out) < max_out_bytes and not self.ended:
            step = max(4, (max_out_bytes - len(out)) // ZSTD_MAX_RATIO)
            piece, view = view[:step], view[step:]
            try:
                out += self._stream.decompress(piece.tobytes())
            except zstandard.ZstdError as error:
                raise ContentCodingError(f"corrupt zstd body: {error}") from error
            self._started = True
            self.ended = self._stream.eof
        if self.ended:
            self.rest = self._stream.unused_data + view.tobytes()
        return bytes(out)

    def finish(self) -> None:
        """A frame that started but never ended was cut short."""
        if self._started and not self.ended:
            raise ContentCodingError("zstd body ended early (truncated)")


class _Coding(NamedTuple):
    """How a coding is read: a new stream of it, and what a later stream after one begins with (none: one only)."""

    name: str
    unit: str  # what one stream is called in messages
    new_stream: Callable[[], _Stream]
    later_starts: tuple[bytes, ...] = ()  # what a stream right after another begins with
    later_mark: bytes = b""  # what shows a stream in the bytes after the last one (stricter: fewer false alarms)


CODINGS = {
    "gzip": _Coding("gzip", "member", lambda: _ZlibStream("gzip"), (GZIP_MAGIC,), GZIP_MAGIC + b"\x08"),
    "deflate": _Coding("deflate", "stream", lambda: _ZlibStream("deflate")),
    "br": _Coding("br", "stream", _BrotliStream),
    "zstd": _Coding("zstd", "frame", _ZstdStream, (ZSTD_FRAME_START, *ZSTD_SKIPPABLE_STARTS), ZSTD_FRAME_START),
}


class StreamsDecoder:
    """A coding's streams one after another (gzip members, zstd frames), then the bytes after the last one.

    Bytes after a stream that start no other are ignored (a CRLF, padding), as gzip(1) and browsers ignore them.
    When a stream's start shows up in them, or a later stream is corrupt, the body after the streams before
    is not decoded: ``damage`` says so.
    """

    def __init__(self, coding: _Coding) -> None:
        self._coding = coding
        self._stream: _Stream | None = None
        self._streams_ended = 0
        self._head = b""  # bytes after a stream, too few yet to tell whether another stream starts with them
        self._past_end = False  # the bytes now come after the last stream
        self._tail = b""  # the last bytes past the end: a stream's start may be split between two pieces
        self.damage: str | None = None

    def decode(self, data: bytes, max_out_bytes: int) -> bytes:
        """Decode ``data``, stopping about once ``max_out_bytes`` are out."""
        out = bytearray()
        while data and not self._past_end and len(out) < max_out_bytes:
            if self._stream is None:
                data, self._head = self._head + data, b""
                starts = self._starts_a_stream(data)
                if starts is None:
                    self._head = data
                    return bytes(out)
                self._past_end = not starts
                if self._past_end:
                    break
                self._stream = self._coding.new_stream()
            try:
                out += self._stream.decode(data, max_out_bytes - len(out))
            except ContentCodingError as error:
                if not self._streams_ended:
                    raise
                self._stream, self._past_end = None, True
                coding, unit = self._coding.name, self._coding.unit
                self.damage = f"{coding} {unit} {self._streams_ended + 1} does not decode: {error}"
                return bytes(out)
            data = b""
            if self._stream.ended:
                data, self._stream = self._stream.rest, None
                self._streams_ended += 1
        if self._past_end:
            self._look_for_a_later_stream(data)
        return bytes(out)

    def _starts_a_stream(self, data: bytes) -> bool | None:
        """Whether a stream starts with ``data`` (the first always does: its decoder says if it is none); None
        when ``data`` is too short to tell."""
        starts = self._coding.later_starts
        if not self._streams_ended or any(data.startswith(start) for start in starts):
            return True
        if any(len(data) < len(start) and start.startswith(data) for start in starts):
            return None
        return False

    def _look_for_a_later_stream(self, data: bytes) -> None:
        """Name the damage when a stream starts in ``data``, bytes after the last stream: the body went on."""
        mark = self._coding.later_mark
        if self.damage is not None or not mark or not data:
            return
        window = self._tail + data
        if mark in window:
            self.damage = (f"bytes that are no {self._coding.name} {self._coding.unit} follow {self._coding.unit} "
                           f"{self._streams_ended}, and another {self._coding.unit} starts after them")
        self._tail = window[1 - len(mark):]

    def finish(self) -> None:
        """A stream that started but never ended was cut short; bytes after the last one are no stream."""
        if self._stream is not None:
            self._stream.finish()


def decoder_for(content_encoding: str | None) -> Decoder:
    """The decoder of a ``Content-Encoding`` value (none, or "identity": bytes pass through); one coding only."""
    codings = [coding.strip().lower() for coding in (content_encoding or "").split(",")
               if coding.strip().lower() not in ("", "identity")]
    if not codings:
        return IdentityDecoder()
    coding = {"x-gzip": "gzip"}.get(codings[0], codings[0])
    if len(codings) == 1 and coding in CODINGS:
        return StreamsDecoder(CODINGS[coding])
    raise UnsupportedCodingError(f"unsupported Content-Encoding {content_encoding!r} (gzip, deflate, br and zstd are "
                                 "read)")


def transfer_codings(transfer_encoding: str | None) -> list[str]:
    """The codings of a ``Transfer-Encoding`` value besides ``chunked`` (which the caller undoes first), in the
    order they were applied."""
    return [coding.strip().lower() for coding in (transfer_encoding or "").split(",")
            if coding.strip().lower() not in ("", "identity", "chunked")]


def transfer_decoders(transfer_encoding: str | None) -> list[Decoder]:
    """The decoders of ``transfer_codings``, last applied first: ``UnsupportedCodingError`` for one not in
    ``TRANSFER_CODINGS``."""
    codings = transfer_codings(transfer_encoding)
    if any(coding not in TRANSFER_CODINGS for coding in codings):
        raise UnsupportedCodingError(f"unsupported Transfer-Encoding {transfer_encoding!r} (gzip and deflate are "
                                     "read besides chunked)")
    return [decoder_for(coding) for coding in reversed(codings)]


def bounded_pieces(pieces: Iterable[bytes], max_bytes: int) -> Iterator[bytes]:
    """``pieces``, stopping with ``OverflowError`` once they pass ``max_bytes`` (the bytes as sent or stored, before
    decoding)."""
    total = 0
    for piece in pieces:
        total += len(piece)
        if total > max_bytes:
            raise OverflowError(f"the encoded body is over the {max_bytes}-byte limit")
        yield piece


def _undone(pieces: Iterable[bytes], decoder: Decoder, max_bytes: int, known_cut: bool) -> Iterator[bytes]:
    """``pieces`` with ``decoder``'s coding undone, a piece at a time: ``OverflowError`` once they pass
    ``max_bytes``; unless ``known_cut``, a ``ContentCodingError`` at the end when the coding did not end."""
    total = 0
    for piece in pieces:
        out = decoder.decode(piece, max_bytes - total + 1)
        total += len(out)
        if total > max_bytes:
            raise OverflowError(f"the decoded body is over the {max_bytes}-byte limit")
        yield out
    if not known_cut:
        decoder.finish()


def decode_bounded(pieces: Iterable[bytes], content_encoding: str | None, max_bytes: int,
                   known_cut: bool = False, transfer_encoding: str | None = None) -> DecodedBody:
    """The decoded body of ``pieces``: the codings of ``transfer_encoding`` besides chunked undone, then
    ``content_encoding``'s; ``OverflowError`` once it (or a step before it) passes ``max_bytes``,
    ``ContentCodingError`` when it cannot be decoded, or when nothing decoded before its damage. With
    ``known_cut`` (a body its keeper says it cut short) a body that ends before its coding does is the part
    decoded, not an error; corrupt data still is one."""
    decoders = [*transfer_decoders(transfer_encoding), decoder_for(content_encoding)]
    for decoder in decoders:
        pieces = _undone(pieces, decoder, max_bytes, known_cut)
    body = bytearray()
    for piece in pieces:
        body += piece
    damage = next((decoder.damage for decoder in decoders if decoder.damage), None)
    if damage and not body:
        raise ContentCodingError(f"{damage}; nothing decoded before it")
    return DecodedBody(bytes(body), damage)


def decoded_head(pieces: Iterable[bytes], content_encoding: str | None, head_bytes: int,
                 transfer_encoding: str | None = None) -> bytes:
    """The first ``head_bytes`` of the decoded body of ``pieces`` (fewer when it is shorter); reads no further.
    ``ContentCodingError`` when those bytes cannot be decoded."""
    for decoder in transfer_decoders(transfer_encoding):
        pieces = _undone_up_to(pieces, decoder, HEAD_TRANSFER_BYTES)
    return b"".join(_undone_up_to(pieces, decoder_for(content_encoding), head_bytes))[:head_bytes]


def _undone_up_to(pieces: Iterable[bytes], decoder: Decoder, max_bytes: int) -> Iterator[bytes]:
    """``pieces`` with ``decoder``'s coding undone, a piece at a time, until about ``max_bytes`` are out."""
    total = 0
    for piece in pieces:
        out = decoder.decode(piece, max_bytes - total)
        yield out
        total += len(out)
        if total >= max_bytes:
            return
