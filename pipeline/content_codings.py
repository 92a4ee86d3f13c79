"""Undo an HTTP Content-Encoding (gzip, deflate, br, zstd) with the output of every step bounded.

A body arrives in pieces (a network chunk, a read from a WARC record) and each piece is decoded with a cap on
what it may produce, so a decompression bomb costs at most the cap: 317 bytes of brotli inflate to 200 MB,
6 KB of zstd likewise, a 64 KB piece of gzip to 64 MB. Used by ``pipeline.http_fetch`` for what a server
sends and by ``pipeline.archives`` for response records of WARC files, which keep the body as the server sent
it (crawls made with a browser, such as Browsertrix or Webrecorder captures, hold ``br`` and ``zstd`` bodies).

``decoder_for`` names the decoder of a ``Content-Encoding`` header; a coding it cannot undo, or a body that is
corrupt or cut short, raises ``ContentCodingError``.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from typing import Protocol

import brotli
import zstandard

# A zstd block of 4 bytes (an RLE block) can stand for 128 KiB: the most one input byte can give is 32 KiB.
ZSTD_MAX_RATIO = 32 * 1024
ZSTD_MAX_WINDOW_BYTES = 8 * 1024 * 1024  # the limit RFC 9659 sets for zstd as an HTTP content coding
BROTLI_STEP_BYTES = 256 * 1024  # brotli output asked for at a time (its buffer grows in doubling blocks)


class ContentCodingError(Exception):
    """A body that cannot be decoded: an unsupported coding, corrupt data, or a stream cut short."""


class UnsupportedCodingError(ContentCodingError):
    """A Content-Encoding no decoder here undoes ("none", a charset, two codings): raised before any byte is read."""


class Decoder(Protocol):
    """Decodes a body a piece at a time."""

    def decode(self, data: bytes, max_out_bytes: int) -> bytes:
        """The output of ``data``: at most a block over ``max_out_bytes``, which tells a caller over its limit
        to stop."""
        ...

    def finish(self) -> None:
        """Raise ``ContentCodingError`` when the body ended before its coding did."""
        ...


class IdentityDecoder:
    """No Content-Encoding: bytes pass through."""

    def decode(self, data: bytes, max_out_bytes: int) -> bytes:
        """``data`` as it is."""
        return data

    def finish(self) -> None:
        """Nothing can be cut short."""
        return None


class ZlibDecoder:
    """gzip (one member or several) or deflate (zlib-wrapped as the RFC says, or raw as many servers send)."""

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
        self._inflater = zlib.decompressobj(self._wbits)
        self._started = False  # any output yet; "deflate" may be raw deflate until then

    def decode(self, data: bytes, max_out_bytes: int) -> bytes:
        """Inflate ``data``, stopping once ``max_out_bytes`` are out."""
        out = bytearray()
        while data and len(out) < max_out_bytes:
            out += self._decompress(data, max_out_bytes - len(out))
            if self._inflater.eof:
                data = self._next_member(self._inflater.unused_data)
            else:
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

    def _next_member(self, rest: bytes) -> bytes:
        """After the end of a gzip member, go on with the next one; ignore trailing padding."""
        if self._encoding == "gzip" and rest.startswith(b"\x1f\x8b"):
            self._inflater = zlib.decompressobj(self._wbits)
            return rest
        return b""

    def finish(self) -> None:
        """A stream that started but never reached its end was cut short."""
        if self._started and not self._inflater.eof:
            raise ContentCodingError(f"{self._encoding} body ended early (truncated)")


class BrotliDecoder:
    """br, with brotli's own output limit (brotli >= 1.2)."""

    def __init__(self) -> None:
        self._decompressor = brotli.Decompressor()
        self._started = False  # any input yet: an empty body is no stream cut short

    def decode(self, data: bytes, max_out_bytes: int) -> bytes:
        """Decode ``data``, a step of at most about ``BROTLI_STEP_BYTES`` at a time, until ``max_out_bytes`` are
        out; what is beyond stays inside the decompressor (whose buffer grows in blocks of doubling size: one
        call with the whole budget could give twice it). Output can wait inside with no input left (the last
        piece of a body that inflates much): asked for until none comes."""
        self._started = self._started or bool(data)
        out = bytearray()
        try:
            out += self._decompressor.process(data, output_buffer_limit=min(BROTLI_STEP_BYTES, max(1, max_out_bytes)))
            while len(out) < max_out_bytes:
                more = self._decompressor.process(b"", output_buffer_limit=min(BROTLI_STEP_BYTES,
                                                                               max_out_bytes - len(out)))
                if not more:
                    break
                out += more
        except brotli.error as error:
            raise ContentCodingError(f"corrupt br body: {error}") from error
        return bytes(out)

    def finish(self) -> None:
        """A stream that started but whose end was not read was cut short."""
        if self._started and not self._decompressor.is_finished():
            raise ContentCodingError("br body ended early (truncated)")


class ZstdDecoder:
    """zstd (one frame or several), fed a slice at a time so that no slice can give more than the budget left."""

    def __init__(self) -> None:
        self._decompressor = zstandard.ZstdDecompressor(max_window_size=ZSTD_MAX_WINDOW_BYTES)
        self._stream = self._decompressor.decompressobj()
        self._started = False

    def decode(self, data: bytes, max_out_bytes: int) -> bytes:
        """Decode ``data``, stopping about once ``max_out_bytes`` are out."""
        out = bytearray()
        view = memoryview(data)
        while view and len(out) < max_out_bytes:
            step = max(4, (max_out_bytes - len(out)) // ZSTD_MAX_RATIO)
            piece, view = view[:step], view[step:]
            try:
                out += self._stream.decompress(piece.tobytes())
            except zstandard.ZstdError as error:
                raise ContentCodingError(f"corrupt zstd body: {error}") from error
            self._started = True
            if self._stream.eof:  # the end of a frame: another may follow
                rest = self._stream.unused_data + view.tobytes()
                self._stream = self._decompressor.decompressobj()
                self._started = False
                view = memoryview(rest)
        return bytes(out)

    def finish(self) -> None:
        """A frame that started but never ended was cut short."""
        if self._started:
            raise ContentCodingError("zstd body ended early (truncated)")


def decoder_for(content_encoding: str | None) -> Decoder:
    """The decoder of a ``Content-Encoding`` value (none, or "identity": bytes pass through); one coding only."""
    codings = [coding.strip().lower() for coding in (content_encoding or "").split(",")
               if coding.strip().lower() not in ("", "identity")]
    if not codings:
        return IdentityDecoder()
    if len(codings) == 1:
        coding = {"x-gzip": "gzip"}.get(codings[0], codings[0])
        if coding in ("gzip", "deflate"):
            return ZlibDecoder(coding)
        if coding == "br":
            return BrotliDecoder()
        if coding == "zstd":
            return ZstdDecoder()
    raise UnsupportedCodingError(f"unsupported Content-Encoding {content_encoding!r} (gzip, deflate, br and zstd are "
                                 "read)")


def bounded_pieces(pieces: Iterable[bytes], max_bytes: int) -> Iterator[bytes]:
    """``pieces``, stopping with ``OverflowError`` once they pass ``max_bytes`` (the bytes as sent or stored, before
    decoding)."""
    total = 0
    for piece in pieces:
        total += len(piece)
        if total > max_bytes:
            raise OverflowError(f"the encoded body is over the {max_bytes}-byte limit")
        yield piece


def decode_bounded(pieces: Iterable[bytes], content_encoding: str | None, max_bytes: int,
                   known_cut: bool = False) -> bytes:
    """The decoded body of ``pieces``; ``OverflowError`` once it passes ``max_bytes``, ``ContentCodingError``
    when it cannot be decoded. With ``known_cut`` (a body its keeper says it cut short) a body that ends before
    its coding does is the part decoded, not an error; corrupt data still is one."""
    decoder = decoder_for(content_encoding)
    body = bytearray()
    for piece in pieces:
        body += decoder.decode(piece, max_bytes - len(body) + 1)
        if len(body) > max_bytes:
            raise OverflowError(f"the decoded body is over the {max_bytes}-byte limit")
    if not known_cut:
        decoder.finish()
    return bytes(body)


def decoded_head(pieces: Iterable[bytes], content_encoding: str | None, head_bytes: int) -> bytes:
    """The first ``head_bytes`` of the decoded body of ``pieces`` (fewer when it is shorter); reads no further.
    ``ContentCodingError`` when those bytes cannot be decoded."""
    decoder = decoder_for(content_encoding)
    head = bytearray()
    for piece in pieces:
        head += decoder.decode(piece, head_bytes - len(head))
        if len(head) >= head_bytes:
            break
    return bytes(head[:head_bytes])
