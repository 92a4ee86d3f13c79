"""Content-Encoding decoders: every coding read a piece at a time, bombs held to the limit, damage named."""

from __future__ import annotations

import gzip
import hashlib
import struct
import zlib
from collections.abc import Callable

import brotli
import pytest
import zstandard

from pipeline.content_codings import ContentCodingError, decode_bounded, decoded_head, decoder_for

BODY = "<rss><channel><title>Caspian Courier</title>".encode() + "<item>Bakı limanı </item>".encode() * 4000
CODINGS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.compress,
    "x-gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotli.compress,
    "zstd": lambda data: zstandard.ZstdCompressor().compress(data),
}


def pieces(data: bytes, size: int) -> list[bytes]:
    return [data[start:start + size] for start in range(0, len(data), size)]


@pytest.mark.parametrize("coding", sorted(CODINGS))
@pytest.mark.parametrize("piece_bytes", [1, 7, 4096, 1 << 20])
def test_each_coding_decodes_whatever_the_pieces(coding: str, piece_bytes: int) -> None:
    encoded = CODINGS[coding](BODY)
    assert decode_bounded(pieces(encoded, piece_bytes), coding.upper(), len(BODY)).body == BODY


def test_a_brotli_body_whose_last_piece_inflates_past_a_step_is_decoded_whole() -> None:
    # brotli keeps output waiting inside when no input is left: a page of 700 KB in one piece was cut short
    page = b"".join(b"<p>%d: %s</p>" % (number, hashlib.sha256(b"%d" % number).hexdigest().encode())
                    for number in range(12_000))
    assert decode_bounded([brotli.compress(page)], "br", len(page)).body == page


def test_no_coding_and_identity_pass_bytes_through() -> None:
    assert decode_bounded([b"ab", b"c"], None, 3).body == decode_bounded([b"abc"], " identity ", 3).body == b"abc"


@pytest.mark.parametrize("coding", ["gzip", "zstd"])
def test_concatenated_members_and_frames_are_one_body(coding: str) -> None:
    encoded = CODINGS[coding](b"first half, ") + CODINGS[coding](b"second half")
    assert decode_bounded(pieces(encoded, 5), coding, 100) == (b"first half, second half", None)


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br", "zstd"])
def test_a_body_cut_short_is_an_error(coding: str) -> None:
    encoded = CODINGS[coding](BODY)
    with pytest.raises(ContentCodingError, match="ended early"):
        decode_bounded([encoded[: len(encoded) // 2]], coding, len(BODY))


@pytest.mark.parametrize("coding", ["gzip", "br", "zstd"])
def test_corrupt_data_is_an_error(coding: str) -> None:
    with pytest.raises(ContentCodingError, match=f"corrupt {coding} body"):
        decode_bounded([b"\x1f\x8b\x08\x00 this is no compressed stream at all" * 3], coding, 10_000)


@pytest.mark.parametrize("coding", ["br", "zstd", "gzip"])
def test_an_empty_body_under_a_coding_is_empty(coding: str) -> None:
    assert decode_bounded([], coding, 10) == (b"", None)


@pytest.mark.parametrize("value", ["compress", "gzip, br", "sdch"])
def test_codings_that_cannot_be_undone_are_named(value: str) -> None:
    with pytest.raises(ContentCodingError, match="unsupported Content-Encoding"):
        decoder_for(value)


@pytest.mark.parametrize("coding", ["gzip", "br", "zstd"])
def test_a_bomb_never_gives_much_more_than_the_limit_in_one_step(coding: str) -> None:
    # 256 MiB of zeros: 260 KB of gzip, a few hundred bytes of brotli, 8 KB of zstd, handed over in one piece
    bomb = CODINGS[coding](bytes(256 * 1024 * 1024))
    decoder = decoder_for(coding)
    out = decoder.decode(bomb, 1024 * 1024)
    assert 1024 * 1024 <= len(out) <= 1024 * 1024 + 256 * 1024  # over the limit, by at most a block
    with pytest.raises(OverflowError, match="over the 1048576-byte limit"):
        decode_bounded([bomb], coding, 1024 * 1024)


# Bytes after the coded data, damage between members and frames --------------------------------------------

TRAILING = {"crlf": b"\r\n", "zero padding": bytes(512), "text": b"<!-- served by cache-7 -->\n"}


@pytest.mark.parametrize("coding", sorted(CODINGS))
@pytest.mark.parametrize("trailing", sorted(TRAILING))
@pytest.mark.parametrize("piece_bytes", [1, 4096, 1 << 20])
def test_bytes_after_the_coded_data_are_ignored(coding: str, trailing: str, piece_bytes: int) -> None:
    # some servers and crawlers leave a CRLF or padding after the last gzip member, zstd frame or brotli stream
    encoded = CODINGS[coding](BODY) + TRAILING[trailing]
    assert decode_bounded(pieces(encoded, piece_bytes), coding, len(BODY)) == (BODY, None)


def skippable_zstd_frame(data: bytes) -> bytes:
    """A zstd frame decoders skip (magic 0x184D2A5?), carrying ``data``."""
    return b"\x5a\x2a\x4d\x18" + struct.pack("<I", len(data)) + data


@pytest.mark.parametrize("piece_bytes", [1, 3, 4096])
def test_members_and_frames_after_one_another_are_all_decoded_whatever_the_pieces(piece_bytes: int) -> None:
    gzipped = gzip.compress(b"first, ") + gzip.compress(b"second, ") + gzip.compress(b"third") + b"\r\n"
    zstd = CODINGS["zstd"]
    framed = zstd(b"first, ") + skippable_zstd_frame(b"crawler note") + zstd(b"second, ") + zstd(b"third") + b"\n"
    assert decode_bounded(pieces(gzipped, piece_bytes), "gzip", 100) == (b"first, second, third", None)
    assert decode_bounded(pieces(framed, piece_bytes), "zstd", 100) == (b"first, second, third", None)


@pytest.mark.parametrize("coding", ["gzip", "zstd"])
@pytest.mark.parametrize("piece_bytes", [1, 5, 1 << 20])
def test_garbage_between_members_or_frames_keeps_the_part_before_and_names_the_damage(coding: str,
                                                                                      piece_bytes: int) -> None:
    encoded = CODINGS[coding](b"first half, ") + b"\r\nX-Cache: HIT\r\n" + CODINGS[coding](b"second half")
    body, damage = decode_bounded(pieces(encoded, piece_bytes), coding, 100)
    unit = {"gzip": "member", "zstd": "frame"}[coding]
    assert body == b"first half, "
    assert damage == f"bytes that are no {coding} {unit} follow {unit} 1, and another {unit} starts after them"


@pytest.mark.parametrize("coding", ["gzip", "zstd"])
def test_a_corrupt_member_or_frame_after_a_whole_one_keeps_the_part_before(coding: str) -> None:
    corrupt = {"gzip": b"\x1f\x8b\x08\x00", "zstd": b"\x28\xb5\x2f\xfd\x20\x05"}[coding] + b"\xff" * 40
    encoded = CODINGS[coding](b"first half, ") + corrupt
    body, damage = decode_bounded([encoded], coding, 100)
    unit = {"gzip": "member", "zstd": "frame"}[coding]
    assert body == b"first half, " and damage.startswith(f"{coding} {unit} 2 does not decode: corrupt {coding} body")


def test_a_bomb_after_garbage_is_never_inflated() -> None:
    encoded = gzip.compress(b"first half, ") + b"\r\n" + gzip.compress(bytes(256 * 1024 * 1024))
    decoder = decoder_for("gzip")
    assert decoder.decode(encoded, 1024 * 1024) == b"first half, " and decoder.damage.startswith("bytes that are no")


def test_damage_with_nothing_decoded_before_it_is_an_error() -> None:
    encoded = gzip.compress(b"") + b"garbage" + gzip.compress(b"the body")
    with pytest.raises(ContentCodingError, match="nothing decoded before it"):
        decode_bounded([encoded], "gzip", 100)


@pytest.mark.parametrize("coding", ["gzip", "br", "zstd"])
def test_a_bomb_followed_by_trailing_bytes_or_after_a_member_is_still_cut_at_the_limit(coding: str) -> None:
    bomb = CODINGS[coding](bytes(64 * 1024 * 1024))
    first = CODINGS[coding](b"first") if coding != "br" else b""  # brotli has no second stream
    with pytest.raises(OverflowError, match="over the 1048576-byte limit"):
        decode_bounded(pieces(first + bomb + b"\r\n", 64 * 1024), coding, 1024 * 1024)


# Transfer codings -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("transfer_encoding, compress", [
    ("gzip, chunked", gzip.compress), ("X-Gzip, chunked", gzip.compress), ("deflate, chunked", zlib.compress),
    ("gzip", gzip.compress), ("gzip, deflate, chunked", lambda data: zlib.compress(gzip.compress(data)))])
@pytest.mark.parametrize("content_encoding", [None, "br"])
def test_transfer_codings_besides_chunked_are_undone_before_the_content_encoding(
        transfer_encoding: str, compress: Callable[[bytes], bytes], content_encoding: str | None) -> None:
    sent = compress(CODINGS["br"](BODY) if content_encoding else BODY)  # what is left once de-chunked
    decoded = decode_bounded(pieces(sent, 4096), content_encoding, len(BODY), transfer_encoding=transfer_encoding)
    assert decoded == (BODY, None)
    assert decoded_head(pieces(sent, 4096), content_encoding, 100, transfer_encoding=transfer_encoding) == BODY[:100]


@pytest.mark.parametrize("transfer_encoding", ["compress, chunked", "br, chunked", "gzip, sdch, chunked"])
def test_transfer_codings_that_cannot_be_undone_are_named(transfer_encoding: str) -> None:
    with pytest.raises(ContentCodingError, match="unsupported Transfer-Encoding"):
        decode_bounded([b"<rss/>"], None, 100, transfer_encoding=transfer_encoding)


def test_a_bomb_inside_a_transfer_coding_is_cut_at_the_limit() -> None:
    bomb = gzip.compress(bytes(256 * 1024 * 1024), compresslevel=1)
    with pytest.raises(OverflowError, match="over the 1048576-byte limit"):
        decode_bounded(pieces(bomb, 64 * 1024), None, 1024 * 1024, transfer_encoding="gzip, chunked")
    assert decoded_head(pieces(bomb, 64 * 1024), None, 100, transfer_encoding="gzip, chunked") == bytes(100)
