"""warcio's records with bounded headers, and listing that goes on after a record that does not read."""

from __future__ import annotations

import gzip
import io
import pathlib

import pytest

from pipeline.bounded_warc import MAX_HEADER_BYTES, HeadersTooLargeError, warc_records
from pipeline.archives import enumerate_archive_inputs
from pipeline.sources import read_input
from tests.peak_memory import measure_call
from tests.pipeline.archive_builders import WarcRecord, numbered_feed_record, warc_record_bytes, write_file

MAX_BYTES = 1_000_000


def gzip_members(records: list[WarcRecord]) -> list[bytes]:
    return [gzip.compress(record, mtime=0) for record in warc_record_bytes(records)]


def documents(path: pathlib.Path) -> list[dict]:
    return [document for entry in enumerate_archive_inputs(str(path)) for document in read_input(entry, MAX_BYTES)]


def titles_and_errors(path: pathlib.Path) -> tuple[list[str], list[str]]:
    found = documents(path)
    bodies = [document["body"].decode() for document in found if document["kind"] == "raw"]
    return ([f"story-{number}" for number in range(10) if any(f"story-{number}<" in body for body in bodies)],
            [document["error_type"] for document in found if document["kind"] == "error"])


@pytest.mark.parametrize("damage", ["bytes_zeroed", "garbage_member", "cut_member"])
def test_records_after_a_gzip_member_that_does_not_read_are_still_listed(tmp_path: pathlib.Path, damage: str) -> None:
    members = gzip_members([numbered_feed_record(number) for number in range(6)])
    if damage == "bytes_zeroed":
        members[2] = members[2][:30] + bytes(40) + members[2][70:]
    elif damage == "garbage_member":
        members.insert(2, gzip.compress(bytes(range(256)) * 4))  # a member of binary junk
    else:
        members[2] = members[2][: len(members[2]) // 2]
    path = write_file(tmp_path / "crawl.warc", b"".join(members))  # .warc: written as given, members gzipped
    listed, errors = titles_and_errors(path)
    lost = [] if damage == "garbage_member" else ["story-2"]
    assert listed == [f"story-{number}" for number in range(6) if f"story-{number}" not in lost]
    assert errors == ["bad_archive"]


def test_records_after_garbage_in_an_uncompressed_warc_are_still_listed(tmp_path: pathlib.Path) -> None:
    records = warc_record_bytes([numbered_feed_record(number) for number in range(4)])
    damaged = b"\x00garbage\x00" + records[1][len(b"WARC/1.0"):]  # its first line broken
    path = write_file(tmp_path / "crawl.warc", records[0] + damaged + records[2] + records[3])
    listed, errors = titles_and_errors(path)
    assert listed == ["story-0", "story-2", "story-3"] and errors == ["bad_archive"]


def test_a_gzip_member_of_zeros_where_headers_belong_costs_bounded_memory(tmp_path: pathlib.Path) -> None:
    members = gzip_members([numbered_feed_record(0), numbered_feed_record(1)])
    bomb = gzip.compress(bytes(200_000_000), compresslevel=9)  # 200 MB with no line end, 200 KB on disk
    path = write_file(tmp_path / "bomb.warc", members[0] + bomb + members[1])
    value, growth_mb = measure_call(
        "from pipeline.archives import enumerate_archive_inputs\nfrom pipeline.sources import read_input",
        f"[d.get('error_type') for e in enumerate_archive_inputs({str(path)!r}) for d in read_input(e, 1_000_000)]")
    assert value == [None, "bad_archive", None]  # the record after the bomb is read too
    assert growth_mb < 150  # warcio alone held 1.9 GB for 100 MB of zeros


def test_header_lines_past_the_bound_stop_the_record() -> None:
    lines = b"".join(b"X-Line: " + b"b" * 60 + b"\r\n" for _ in range(MAX_HEADER_BYTES // 60))
    with pytest.raises(HeadersTooLargeError):
        next(iter(warc_records(io.BytesIO(b"WARC/1.0\r\n" + lines + b"\r\n"))))


def test_records_after_one_whose_content_length_runs_past_the_end_of_an_uncompressed_warc_are_still_listed(
        tmp_path: pathlib.Path) -> None:
    records = warc_record_bytes([numbered_feed_record(number) for number in range(4)])
    declared = records[1].split(b"\r\n\r\n", 1)[0].rsplit(b"Content-Length: ", 1)[1]
    lying = records[1].replace(b"Content-Length: " + declared + b"\r\n", b"Content-Length: 99999999\r\n", 1)
    path = write_file(tmp_path / "crawl.warc", records[0] + lying + records[2] + records[3])
    listed, errors = titles_and_errors(path)
    # the record claimed the rest of the file: story-2 and story-3 vanished inside it
    assert listed == ["story-0", "story-2", "story-3"] and errors == ["bad_archive"]
