"""zstd files frame by frame: frames found by their headers, the dictionary frame, bounded reads, damage found where
it is."""

from __future__ import annotations

import contextlib
import pathlib
import random

import pytest
import zstandard

from pipeline.zstd_frames import (MAX_WINDOW_BYTES, DictionaryError, FrameFile, FramesReader, FrameTooLargeError,
                                  ZstdFrameError, ZstdSeeker, frame_spans, read_dictionary, spans_past_damage)
from tests.pipeline.archive_builders import (big_window_frame, train_zstd_dictionary, zstd_dictionary_frame,
                                             zstd_skippable_frame)

DICTIONARY = train_zstd_dictionary()
# contents whose frames hold compressed, raw (random bytes) and RLE (zeros) blocks, over several blocks
CONTENTS = [b"<html>first</html>" * 50, random.Random(1).randbytes(300_000), bytes(400_000), b""]


def with_reserved_block(frame: bytes) -> bytes:
    """``frame`` with its first block header's type set to 3, which is reserved: no decoder can go on."""
    first_block = zstandard.frame_header_size(frame)
    return frame[:first_block] + bytes([frame[first_block] | 0b110]) + frame[first_block + 1:]


def write(path: pathlib.Path, *pieces: bytes) -> pathlib.Path:
    path.write_bytes(b"".join(pieces))
    return path


def spans_of(path: pathlib.Path, offset: int = 0) -> list[tuple[int, int]]:
    with open(path, "rb") as handle:
        return [(span.offset, span.size_bytes) for span in frame_spans(handle, offset)]


def test_frames_are_found_by_their_headers_and_skippable_frames_are_passed_over(tmp_path: pathlib.Path) -> None:
    with_checksum = zstandard.ZstdCompressor(write_checksum=True, dict_data=DICTIONARY)
    streamed = zstandard.ZstdCompressor(level=1).compressobj()  # no content size in its header
    frames = [with_checksum.compress(content) for content in CONTENTS]
    frames.append(streamed.compress(CONTENTS[0]) + streamed.flush())
    path = write(tmp_path / "a.zst", frames[0], zstd_skippable_frame(b"padding"), *frames[1:],
                 zstd_skippable_frame(b"", 0x5F))

    offsets = [0, len(frames[0]) + 15]
    for frame in frames[1:-1]:
        offsets.append(offsets[-1] + len(frame))
    assert spans_of(path) == list(zip(offsets, map(len, frames)))


@pytest.mark.parametrize("damage", ["cut inside the last frame", "cut inside a skippable frame", "reserved block type",
                                    "garbage between frames"])
def test_a_damaged_frame_is_an_error_at_its_offset(tmp_path: pathlib.Path, damage: str) -> None:
    frames = [zstandard.ZstdCompressor().compress(content) for content in CONTENTS[:3]]
    second = len(frames[0])
    whole = b"".join(frames)
    data = {"cut inside the last frame": whole[:-10],
            "cut inside a skippable frame": frames[0] + zstd_skippable_frame(b"x" * 100)[:50],
            "reserved block type": frames[0] + with_reserved_block(frames[1]) + frames[2],
            "garbage between frames": frames[0] + b"garbage" + frames[1]}[damage]
    path = write(tmp_path / "a.zst", data)
    expected_offset = second + len(frames[1]) if damage == "cut inside the last frame" else second

    with pytest.raises(ZstdFrameError) as raised:
        spans_of(path)

    assert raised.value.offset == expected_offset
    assert ("cut short" in str(raised.value)) == damage.startswith("cut")


def test_listing_goes_on_at_the_next_sound_frame_after_damage(tmp_path: pathlib.Path) -> None:
    compressor = zstandard.ZstdCompressor(write_checksum=True)
    frames = [compressor.compress(b"record %d " % number * 200) for number in range(4)]
    broken = with_reserved_block(frames[1])
    path = write(tmp_path / "a.zst", frames[0], broken, frames[2], frames[3])

    with open(path, "rb") as handle:
        found = [(type(span).__name__, span.offset) for span in spans_past_damage(handle, 0)]

    third = len(frames[0]) + len(broken)
    assert found == [("FrameSpan", 0), ("ZstdFrameError", len(frames[0])), ("FrameSpan", third),
                     ("FrameSpan", third + len(frames[2]))]


@pytest.mark.parametrize("compress", [True, False])
def test_the_dictionary_frame_is_read_compressed_or_as_it_is(tmp_path: pathlib.Path, compress: bool) -> None:
    frame = zstandard.ZstdCompressor(dict_data=DICTIONARY).compress(CONTENTS[0])
    path = write(tmp_path / "a.warc.zst", zstd_dictionary_frame(DICTIONARY, compress), frame)

    with open(path, "rb") as handle:
        dictionary, first_frame_offset = read_dictionary(handle)
        frames = FrameFile(handle)
        (span,) = frames.spans()
        assert frames.head(span, 100) == CONTENTS[0][:100]

    assert dictionary is not None and dictionary.dict_id() == DICTIONARY.dict_id()
    assert first_frame_offset == path.stat().st_size - len(frame) == span.offset


@pytest.mark.parametrize("dictionary_frame, message", [
    (zstd_dictionary_frame(b"not a dictionary at all", compress=False), "holds no zstd dictionary"),
    (zstd_dictionary_frame(b"not a dictionary at all", compress=True), "holds no zstd dictionary"),
    (zstd_dictionary_frame(b"\x37\xa4\x30\xec" + b"\x01\x02\x03\x04" + b"junk" * 100, compress=False), "corrupt"),
    (zstd_dictionary_frame(DICTIONARY)[:-20], "cut short"),
    (b"\x5d\x2a\x4d\x18" + (64 * 1024 * 1024).to_bytes(4, "little"), "over the"),
    (zstd_dictionary_frame(bytes(16 * 1024 * 1024), compress=True), "over the"),  # a dictionary bomb
])
def test_a_bad_dictionary_frame_is_a_dictionary_error(tmp_path: pathlib.Path, dictionary_frame: bytes,
                                                      message: str) -> None:
    path = write(tmp_path / "a.warc.zst", dictionary_frame, zstandard.ZstdCompressor().compress(b"WARC/1.1"))
    with open(path, "rb") as handle, pytest.raises(DictionaryError, match=message) as raised:
        read_dictionary(handle)
    assert raised.value.offset == 0


def test_frames_that_need_a_dictionary_the_file_does_not_hold_are_a_dictionary_error(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path / "a.warc.zst", zstandard.ZstdCompressor(dict_data=DICTIONARY).compress(CONTENTS[0]))
    with open(path, "rb") as handle:
        frames = FrameFile(handle)
        (span,) = frames.spans()
        with pytest.raises(DictionaryError, match=f"need dictionary {DICTIONARY.dict_id()}.*no dictionary frame"):
            frames.head(span, 100)


def test_frames_reader_gives_pieces_no_larger_than_asked(tmp_path: pathlib.Path) -> None:
    compressor = zstandard.ZstdCompressor(level=1)
    bomb = compressor.compress(bytes(64 * 1024 * 1024))  # 64 MiB in a few KB
    path = write(tmp_path / "a.zst", bomb, compressor.compress(b"next"))

    with FramesReader(str(path), 0, len(bomb)) as reader:
        pieces = [reader.read(10_000) for _ in range(50)]

    assert [len(piece) for piece in pieces] == [10_000] * 50 and not any(any(piece) for piece in pieces)


def test_frames_reader_says_when_the_file_ends_before_the_frames(tmp_path: pathlib.Path) -> None:
    frame = zstandard.ZstdCompressor(write_checksum=True).compress(random.Random(2).randbytes(200_000))
    path = write(tmp_path / "a.zst", frame[: len(frame) // 2])
    with FramesReader(str(path), 0, len(frame)) as reader, pytest.raises(ZstdFrameError, match="cut short"):
        reader.read()


def test_a_frame_over_the_window_limit_is_refused_before_decoding(tmp_path: pathlib.Path) -> None:
    frame = big_window_frame(b"<html>hi</html>")
    path = write(tmp_path / "a.zst", frame)
    with open(path, "rb") as handle:
        (span,) = frame_spans(handle, 0)
        assert span.window_bytes == 256 * 1024 * 1024 > MAX_WINDOW_BYTES
        assert FrameFile(handle).head(span, 100) is None  # not looked into
    with pytest.raises(FrameTooLargeError, match="window"):
        FramesReader(str(path), 0, len(frame))


def test_seeker_reads_any_range_of_the_stream_forward_and_back(tmp_path: pathlib.Path) -> None:
    data = random.Random(3).randbytes(200_000) * 3
    compressor = zstandard.ZstdCompressor(dict_data=DICTIONARY)
    path = write(tmp_path / "a.zst", zstd_dictionary_frame(DICTIONARY), compressor.compress(data[:250_000]),
                 zstd_skippable_frame(b"between"), compressor.compress(data[250_000:]))
    generator = random.Random(4)
    with contextlib.closing(ZstdSeeker(str(path))) as seeker:
        for _ in range(30):
            offset, size = generator.randrange(len(data)), generator.randrange(5000)
            assert seeker.read_at(offset, size) == data[offset:offset + size]
        with pytest.raises(ZstdFrameError, match="ends at"):
            seeker.read_at(len(data) - 10, 20)
        assert seeker.damage() is None


def test_seeker_says_where_a_stream_cut_short_is_damaged(tmp_path: pathlib.Path) -> None:
    whole = zstandard.ZstdCompressor(write_checksum=True).compress(random.Random(5).randbytes(300_000))
    path = write(tmp_path / "a.zst", whole[:-1000])
    with contextlib.closing(ZstdSeeker(str(path))) as seeker:
        kept = seeker.read_next(10**6)
        damage = seeker.damage()
    assert 0 < len(kept) < 300_000
    assert damage is not None and damage.offset == 0 and "cut short" in str(damage)


def test_a_decompressed_frame_head_never_holds_more_than_asked(tmp_path: pathlib.Path) -> None:
    frame = zstandard.ZstdCompressor(level=1).compress(bytes(32 * 1024 * 1024))
    path = write(tmp_path / "a.zst", frame)
    with open(path, "rb") as handle:
        frames = FrameFile(handle)
        (span,) = frames.spans()
        assert frames.head(span, 1000) == bytes(1000)


def test_an_empty_stream_reads_as_nothing(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path / "a.zst", zstandard.ZstdCompressor().compress(b""))
    with contextlib.closing(ZstdSeeker(str(path))) as seeker:
        assert seeker.read_next(100) == b"" and seeker.damage() is None
