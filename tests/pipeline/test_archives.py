"""Archives as inputs: listing in the driver without bodies, reading chunks lazily, failures as error records."""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import hashlib
import io
import itertools
import os
import pathlib
import random
import tarfile
import time
import zipfile
import zlib
from typing import Callable, Iterator

import brotli
import pytest
import zstandard

from benchmarks.corpora import corpora_dir
from pipeline.archives import (ERROR_MEMBER, archive_kind, chunk_size_bytes, detect_archive_kind,
                               enumerate_archive_inputs, is_raw_zone, list_archive, list_inputs, list_raw_zone,
                               read_archive_chunk)
from pipeline.gzip_seek import GzipSeeker, GzipStream, TruncatedGzipError
from pipeline.raw_zone import store_raw
from pipeline.sources import read_input
from tests.peak_memory import measure_call
from tests.pipeline.archive_builders import (FIXED_MTIME_S, Item, WarcRecord, big_window_frame, day, html_page,
                                             rss_feed, train_zstd_dictionary, warc_record_bytes, write_file, write_tar,
                                             write_warc, write_warc_zst, write_zip, zstd_dictionary_frame,
                                             zstd_frames_of, zstd_skippable_frame)

MAX_BYTES = 1_000_000
CORPUS = corpora_dir() / "warc"
FEED = rss_feed("wire.example", [Item("a", day(2), "Budget agreed")])
PAGE = b"<!DOCTYPE html><html><head><title>Page</title></head><body><p>Text</p></body></html>"


def read_all(path: pathlib.Path, chunk_records: int = 500) -> list[dict]:
    """Every document or error of an archive, through its chunks."""
    return [document for entry in enumerate_archive_inputs(str(path), chunk_records)
            for document in read_input(entry, MAX_BYTES)]


MIXED_RECORDS = [
    WarcRecord("warcinfo", "", b"software: tests", None, "application/warc-fields"),
    WarcRecord("request", "https://wire.example/news/a"),
    WarcRecord("response", "https://wire.example/news/a", PAGE, warc_date="2024-05-02T08:30:00Z"),
    WarcRecord("metadata", "https://wire.example/news/a", b"via: x", None, "application/warc-fields"),
    WarcRecord("response", "https://wire.example/missing", b"gone", "404 Not Found"),
    WarcRecord("response", "https://wire.example/logo.png", b"\x89PNG\r\n", content_type="image/png"),
    WarcRecord("response", "https://wire.example/feed", FEED, content_type="application/rss+xml"),
    WarcRecord("response", "https://wire.example/blob", PAGE, content_type="application/octet-stream"),
    WarcRecord("resource", "https://wire.example/saved.xml", FEED, None, "application/rss+xml"),
]
MIXED_DOCUMENTS = (2, 6, 7, 8)  # the records of MIXED_RECORDS that are documents


def mixed_warc(path: pathlib.Path, compress: bool = True) -> pathlib.Path:
    return write_warc(path, MIXED_RECORDS, compress)


# Names -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, kind", [
    ("a.warc", "warc"), ("a.warc.gz", "warc"), ("a.warc.zst", "warc"), ("a.arc", "warc"), ("A.ARC.GZ", "warc"),
    ("a.tar", "tar"),
    ("a.tar.gz", "tar"), ("a.tgz", "tar"), ("a.zip", "zip"), ("feed.xml.gz", None), ("a.jsonl", None)])
def test_archive_kind_comes_from_the_file_name(name: str, kind: str | None) -> None:
    assert archive_kind(name) == kind


@pytest.mark.parametrize("name, kind", [
    ("crawl.warc.gz.bad", "warc"), ("crawl.warc.wet.gz", "warc"), ("crawl.bin", "warc"), ("feeds.bin", "tar"),
    ("feeds.gz", "tar"), ("feed.xml.gz", None), ("page.html", None), ("broken.gz", None), ("office.docx", None)])
def test_an_archive_without_an_archive_name_is_known_by_its_first_bytes(tmp_path: pathlib.Path, name: str,
                                                                        kind: str | None) -> None:
    """A WARC, ARC or tar by content (warcio's example-bad.warc.gz.bad, Common Crawl's .warc.wet.gz); a zip
    only by name: an office file or an e-book is a zip too, and one document."""
    path = tmp_path / name
    if name.startswith("crawl"):
        mixed_warc(path, compress=name.endswith(".gz") or name.endswith(".bad"))
    elif name.startswith("feeds"):
        write_tar(path, {"a/feed.xml": FEED}, mode="w:gz" if name.endswith(".gz") else "w")
    elif name == "feed.xml.gz":
        path.write_bytes(gzip.compress(FEED))
    elif name == "broken.gz":
        path.write_bytes(gzip.compress(FEED)[:30])
    elif name == "office.docx":
        write_zip(path, {"word/document.xml": b"<w:document/>"})
    else:
        path.write_bytes(PAGE)
    assert detect_archive_kind(str(path)) == kind


def test_ingest_inputs_list_archives_by_content_and_other_files_as_they_are(tmp_path: pathlib.Path) -> None:
    crawl = mixed_warc(tmp_path / "crawl.warc.gz.bad")
    feed = write_file(tmp_path / "feed.xml", FEED)

    listing = list_inputs([str(crawl), str(feed)], chunk_records=2)

    assert [entry.get("container") or "file" for entry in listing.inputs] == ["warc", "warc", "file"]
    assert listing.members == 5 and sum(listing.skipped.values()) == 5  # 4 documents and the feed file
    documents = [document for entry in listing.inputs for document in read_input(entry, MAX_BYTES)]
    assert [document["uri"] for document in documents] == [
        "https://wire.example/news/a", "https://wire.example/feed", "https://wire.example/blob",
        "https://wire.example/saved.xml", str(feed)]


# WARC --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("compress", [True, False])
def test_warc_response_and_resource_records_with_documents_become_raw_documents(
        tmp_path: pathlib.Path, compress: bool) -> None:
    documents = read_all(mixed_warc(tmp_path / ("a.warc.gz" if compress else "a.warc"), compress))
    assert [document["uri"] for document in documents] == [
        "https://wire.example/news/a", "https://wire.example/feed", "https://wire.example/blob",
        "https://wire.example/saved.xml"]
    page = documents[0]
    assert page["kind"] == "raw" and page["body"] == PAGE and page["http_status"] == 200
    assert page["fetched_at"] == dt.datetime(2024, 5, 2, 8, 30, tzinfo=dt.timezone.utc)
    assert page["content_type"] == "text/html; charset=utf-8"
    assert page["raw_path"].startswith(str(tmp_path / "a.warc")) and "#" in page["raw_path"]
    assert documents[3]["content_type"] == "application/rss+xml" and documents[3]["http_status"] is None


@contextlib.contextmanager
def local_time_zone(name: str) -> Iterator[None]:
    """The process's local time zone set to ``name`` (``TZ``), and back afterwards."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        time.tzset()


ARCHIVE_MTIME = dt.datetime.fromtimestamp(FIXED_MTIME_S, dt.timezone.utc)


@pytest.mark.parametrize("warc_date, fetched_at", [
    ("2024-06-01T12:00:00", dt.datetime(2024, 6, 1, 12, tzinfo=dt.timezone.utc)),  # no zone: UTC, as the standard's
    ("9999-12-31T23:59:59-14:00", ARCHIVE_MTIME),  # past the year 9999 in UTC: the archive's own time
    ("0001-01-01T00:00:00+01:00", ARCHIVE_MTIME),  # before the year 1 in UTC
])
def test_a_warc_date_without_a_zone_or_past_the_years_of_a_datetime_still_gives_the_record(
        tmp_path: pathlib.Path, warc_date: str, fetched_at: dt.datetime) -> None:
    path = write_warc(tmp_path / "a.warc.gz", [WarcRecord("response", "https://wire.example/news/a", PAGE,
                                                          warc_date=warc_date)])
    with local_time_zone("America/New_York"):  # a naive date was read in the machine's zone: 16:00 UTC here
        (document,) = read_all(path)  # out of range, the record was a read:too_large row "date value out of range"
    assert (document["kind"], document["body"], document["fetched_at"]) == ("raw", PAGE, fetched_at)


def test_records_that_are_not_documents_are_skipped_and_counted_not_errors(tmp_path: pathlib.Path) -> None:
    listing = list_archive(str(mixed_warc(tmp_path / "a.warc.gz")))
    assert listing.members == 4
    assert listing.skipped == {"warc warcinfo record": 1, "warc request record": 1, "warc metadata record": 1,
                               "http status 404": 1, "content type image/png": 1}


def chunked(data: bytes, size: int = 100) -> bytes:
    """``data`` in HTTP/1.1 chunked transfer coding, as a WARC keeps a response sent so."""
    pieces = [data[start:start + size] for start in range(0, len(data), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces) + b"0\r\n\r\n"


LONG_PAGE = PAGE.replace(b"<p>Text</p>", b"<p>Text of the story.</p>" * 400)
ENCODED = {"gzip": gzip.compress(LONG_PAGE), "deflate": zlib.compress(LONG_PAGE), "br": brotli.compress(LONG_PAGE),
           "zstd": zstandard.ZstdCompressor().compress(LONG_PAGE)}


@pytest.mark.parametrize("coding", sorted(ENCODED))
@pytest.mark.parametrize("transfer_chunked", [False, True])
def test_a_response_kept_with_its_content_encoding_is_decoded(tmp_path: pathlib.Path, coding: str,
                                                              transfer_chunked: bool) -> None:
    # a browser-driven crawl (Browsertrix, Webrecorder) keeps bodies as servers send them: br and zstd too
    fields = (("Content-Encoding", coding),) + ((("Transfer-Encoding", "chunked"),) if transfer_chunked else ())
    payload = chunked(ENCODED[coding]) if transfer_chunked else ENCODED[coding]
    blob = WarcRecord("response", "https://wire.example/blob", payload, content_type="application/octet-stream",
                      http_fields=fields)  # listed by sniffing its decoded start
    page = WarcRecord("response", "https://wire.example/news/a", payload, http_fields=fields)
    documents = read_all(write_warc(tmp_path / "a.warc.gz", [page, blob]))
    assert [(document["kind"], document["body"]) for document in documents] == [("raw", LONG_PAGE)] * 2


def test_a_body_stored_decoded_under_its_content_encoding_header_is_read_as_it_is(tmp_path: pathlib.Path) -> None:
    # some tools keep the header and store the body decoded; a bogus coding ("utf-8") is no coding
    records = [WarcRecord("response", f"https://wire.example/{coding}", LONG_PAGE,
                          http_fields=(("Content-Encoding", coding),)) for coding in ("gzip", "br", "utf-8")]
    documents = read_all(write_warc(tmp_path / "a.warc.gz", records))
    assert [(document["kind"], document["body"]) for document in documents] == [("raw", LONG_PAGE)] * 3


@pytest.mark.parametrize("coding", ["br", "zstd"])
def test_a_corrupt_or_cut_encoded_payload_is_a_decode_error_row(tmp_path: pathlib.Path, coding: str) -> None:
    records = [WarcRecord("response", "https://wire.example/cut", ENCODED[coding][:-40],
                          http_fields=(("Content-Encoding", coding),)),
               WarcRecord("response", "https://wire.example/garbled", b"\x01\x02" * 300,
                          http_fields=(("Content-Encoding", coding),))]
    documents = read_all(write_warc(tmp_path / "a.warc.gz", records))
    assert [(document["kind"], document["error_type"], document["uri"]) for document in documents] == [
        ("error", "decode_error", "https://wire.example/cut"),
        ("error", "decode_error", "https://wire.example/garbled")]
    assert "ended early" in documents[0]["message"] and f"corrupt {coding} body" in documents[1]["message"]


@pytest.mark.parametrize("coding", ["br", "zstd", "gzip"])
def test_a_decompression_bomb_in_a_warc_is_too_large_with_bounded_memory(tmp_path: pathlib.Path,
                                                                         coding: str) -> None:
    zeros = bytes(512 * 1024 * 1024)
    bomb = {"br": lambda: brotli.compress(zeros, quality=1),
            "zstd": lambda: zstandard.ZstdCompressor(level=1).compress(zeros),
            "gzip": lambda: gzip.compress(zeros, compresslevel=1)}[coding]()
    del zeros
    path = write_warc(tmp_path / "bomb.warc.gz", [
        WarcRecord("response", "https://wire.example/bomb", bomb, http_fields=(("Content-Encoding", coding),)),
        WarcRecord("response", "https://wire.example/blob", bomb, content_type="application/octet-stream",
                   http_fields=(("Content-Encoding", coding),)),  # sniffed when listed: zeros, no document
        WarcRecord("response", "https://wire.example/news/a", PAGE)])

    outcome, growth_mb = measure_call(
        "from tests.pipeline.test_archives import read_all; import pathlib",
        f"[(d['kind'], d.get('error_type'), d['uri']) for d in read_all(pathlib.Path({str(path)!r}))]")

    assert [tuple(row) for row in outcome] == [("error", "too_large", "https://wire.example/bomb"),
                                               ("raw", None, "https://wire.example/news/a")]
    assert growth_mb < 10 * MAX_BYTES / 1024 / 1024 + 20  # the 512 MB never existed in memory


@pytest.mark.parametrize("coding", sorted(ENCODED))
@pytest.mark.parametrize("transfer_chunked", [False, True])
def test_bytes_after_an_encoded_payload_are_ignored(tmp_path: pathlib.Path, coding: str,
                                                    transfer_chunked: bool) -> None:
    # a CRLF or padding a server or crawler left after the last gzip member, zstd frame or brotli stream
    fields = (("Content-Encoding", coding),) + ((("Transfer-Encoding", "chunked"),) if transfer_chunked else ())
    sent = ENCODED[coding] + b"\r\n" + bytes(64)
    payload = chunked(sent) if transfer_chunked else sent
    blob = WarcRecord("response", "https://wire.example/blob", payload, content_type="application/octet-stream",
                      http_fields=fields)
    page = WarcRecord("response", "https://wire.example/news/a", payload, http_fields=fields)
    documents = read_all(write_warc(tmp_path / "a.warc.gz", [page, blob]))
    assert [(document["kind"], document["body"], document.get("quality_flags")) for document in documents] == [
        ("raw", LONG_PAGE, None)] * 2


TRANSFER_ENCODERS = {"gzip, chunked": gzip.compress, "x-gzip, chunked": gzip.compress,
                     "deflate, chunked": zlib.compress}


@pytest.mark.parametrize("transfer_encoding", sorted(TRANSFER_ENCODERS))
@pytest.mark.parametrize("content_encoding", [None, "br"])
def test_a_response_with_a_transfer_coding_before_chunked_is_decoded(tmp_path: pathlib.Path, transfer_encoding: str,
                                                                     content_encoding: str | None) -> None:
    # old crawls keep responses sent with "Transfer-Encoding: gzip, chunked": gzipped, then chunked
    encoded = ENCODED[content_encoding] if content_encoding else LONG_PAGE
    fields = (("Transfer-Encoding", transfer_encoding),) + (
        (("Content-Encoding", content_encoding),) if content_encoding else ())
    payload = chunked(TRANSFER_ENCODERS[transfer_encoding](encoded))
    blob = WarcRecord("response", "https://wire.example/blob", payload, content_type="application/octet-stream",
                      http_fields=fields)  # listed by sniffing its decoded start
    page = WarcRecord("response", "https://wire.example/news/a", payload, http_fields=fields)
    # tools that undid the transfer coding (or every coding) and kept the header
    transfer_undone = WarcRecord("response", "https://wire.example/news/b", encoded, http_fields=fields)
    stored_decoded = WarcRecord("response", "https://wire.example/news/c", LONG_PAGE, http_fields=fields)
    documents = read_all(write_warc(tmp_path / "a.warc.gz", [page, blob, transfer_undone, stored_decoded]))
    assert [(document["kind"], document["body"]) for document in documents] == [("raw", LONG_PAGE)] * 4


@pytest.mark.parametrize("transfer_encoding", ["binary", "none, chunked", "compress, chunked"])
def test_a_transfer_coding_that_cannot_be_undone_leaves_the_content_encoding_read_as_before(
        tmp_path: pathlib.Path, transfer_encoding: str) -> None:
    fields = (("Transfer-Encoding", transfer_encoding), ("Content-Encoding", "br"))
    payload = chunked(ENCODED["br"]) if "chunked" in transfer_encoding else ENCODED["br"]
    blob = WarcRecord("response", "https://wire.example/blob", payload, content_type="application/octet-stream",
                      http_fields=fields)
    page = WarcRecord("response", "https://wire.example/news/a", payload, http_fields=fields)
    documents = read_all(write_warc(tmp_path / "a.warc.gz", [page, blob]))
    assert [(document["kind"], document["body"]) for document in documents] == [("raw", LONG_PAGE)] * 2


@pytest.mark.parametrize("coding", ["gzip", "zstd"])
def test_garbage_between_members_gives_the_part_before_flagged(tmp_path: pathlib.Path, coding: str) -> None:
    first, second = LONG_PAGE[:5000], LONG_PAGE[5000:]
    garbage = b"\r\n<!-- cache -->\r\n"
    compress = {"gzip": gzip.compress, "zstd": zstandard.ZstdCompressor().compress}[coding]
    fields = (("Content-Encoding", coding),)
    damaged = WarcRecord("response", "https://wire.example/news/a", compress(first) + garbage + compress(second),
                         http_fields=fields)
    nothing_before = WarcRecord("response", "https://wire.example/news/b",
                                compress(b"") + garbage + compress(LONG_PAGE), http_fields=fields)
    page, error = read_all(write_warc(tmp_path / "a.warc.gz", [damaged, nothing_before]))
    assert (page["kind"], page["body"], page["quality_flags"]) == ("raw", first, ["body_partly_decoded"])
    assert (error["kind"], error["error_type"]) == ("error", "decode_error")
    assert error["uri"] == "https://wire.example/news/b" and "nothing decoded before it" in error["message"]


def test_bombs_beside_trailing_bytes_or_inside_a_transfer_coding_stay_within_bounded_memory(
        tmp_path: pathlib.Path) -> None:
    zeros = bytes(512 * 1024 * 1024)
    gzip_bomb = gzip.compress(zeros[:256 * 1024 * 1024])
    bombs = {  # name: (payload, HTTP fields), each within the limit as stored: decoded to tell
        "br-then-crlf": (brotli.compress(zeros, quality=1) + b"\r\n", (("Content-Encoding", "br"),)),
        "zstd-after-a-frame": (ENCODED["zstd"] + zstandard.ZstdCompressor(level=1).compress(zeros) + b"\r\n",
                               (("Content-Encoding", "zstd"),)),
        "in-a-transfer-coding": (chunked(gzip_bomb, 64 * 1024), (("Transfer-Encoding", "gzip, chunked"),)),
        "after-garbage": (gzip.compress(PAGE) + b"\r\n" + gzip_bomb, (("Content-Encoding", "gzip"),)),
    }
    del zeros
    assert all(len(bomb) < MAX_BYTES for bomb, _ in bombs.values())
    records = [WarcRecord("response", f"https://wire.example/{name}", bomb, http_fields=fields)
               for name, (bomb, fields) in bombs.items()]
    transfer_bomb, transfer_fields = bombs["in-a-transfer-coding"]
    records += [WarcRecord("response", "https://wire.example/blob", transfer_bomb, http_fields=transfer_fields,
                           content_type="application/octet-stream"),  # sniffed when listed: zeros, no document
                WarcRecord("response", "https://wire.example/news/a", PAGE)]
    path = write_warc(tmp_path / "bomb.warc.gz", records)

    outcome, growth_mb = measure_call(
        "from tests.pipeline.test_archives import read_all; import pathlib",
        f"[(d['kind'], d.get('error_type'), d['uri'], d.get('quality_flags')) for d in read_all(pathlib.Path("
        f"{str(path)!r}))]")

    assert [tuple(row) for row in outcome] == [
        ("error", "too_large", f"https://wire.example/{name}", None)
        for name in ("br-then-crlf", "zstd-after-a-frame", "in-a-transfer-coding")] + [
        ("raw", None, "https://wire.example/after-garbage", ["body_partly_decoded"]),  # the bomb is never inflated
        ("raw", None, "https://wire.example/news/a", None)]
    assert growth_mb < 10 * MAX_BYTES / 1024 / 1024 + 20  # the 512 MB never existed in memory


def test_a_large_warc_is_cut_into_chunks_that_read_back_every_record(tmp_path: pathlib.Path) -> None:
    records = [WarcRecord("response", f"https://wire.example/news/{number}", PAGE.replace(b"Text", b"%d" % number))
               for number in range(23)]
    path = write_warc(tmp_path / "big.warc.gz", records)
    chunks = enumerate_archive_inputs(str(path), chunk_records=5)
    assert [len(chunk["members"]) for chunk in chunks] == [5, 5, 5, 5, 3]
    assert all(chunk["container"] == "warc" and "body" not in chunk for chunk in chunks)
    documents = [document for chunk in reversed(chunks) for document in read_archive_chunk(chunk, MAX_BYTES)]
    assert sorted(int(document["uri"].rsplit("/", 1)[1]) for document in documents) == list(range(23))


def test_truncated_warc_gives_error_records_not_a_crash(tmp_path: pathlib.Path) -> None:
    path = mixed_warc(tmp_path / "a.warc.gz")
    data = path.read_bytes()
    truncated = tmp_path / "cut.warc.gz"
    truncated.write_bytes(data[: len(data) * 2 // 3])
    documents = read_all(truncated)
    errors = [document for document in documents if document["kind"] == "error"]
    assert errors and all(error["error_type"] == "bad_archive" and error["stage"] == "read" for error in errors)
    assert any(document["kind"] == "raw" for document in documents)  # what came before the cut is kept


def compressed_whole(plain: pathlib.Path, path: pathlib.Path) -> pathlib.Path:
    """``plain`` compressed as one stream, as ``gzip crawl.warc`` (warcio cannot seek in it) or ``zstd crawl.warc``
    (one frame) write it, by the suffix of ``path``."""
    compress = gzip.compress if path.suffix == ".gz" else zstandard.ZstdCompressor(write_checksum=True).compress
    path.write_bytes(compress(plain.read_bytes()))
    return path


def varied_page(number: int, paragraphs: int = 20) -> bytes:
    """A page that compresses little (hex digests): its compressed bytes grow with it."""
    text = b"".join(b"<p>%s</p>" % hashlib.sha256(b"%d-%d" % (number, paragraph)).hexdigest().encode()
                    for paragraph in range(paragraphs))
    return PAGE.replace(b"<p>Text</p>", text)


WHOLE_STREAMS = [("whole.warc.gz", "warc_stream"), ("whole.warc.zst", "warc_zstd_stream")]


@pytest.mark.parametrize("name, container", WHOLE_STREAMS)
def test_warc_compressed_as_one_stream_gives_the_same_documents_in_any_chunk_order(tmp_path: pathlib.Path, name: str,
                                                                                   container: str) -> None:
    plain = mixed_warc(tmp_path / "a.warc", compress=False)
    whole = compressed_whole(plain, tmp_path / name)
    chunks = enumerate_archive_inputs(str(whole), chunk_records=1)
    assert {chunk["container"] for chunk in chunks} == {container}

    documents = [document for chunk in reversed(chunks) for document in read_archive_chunk(chunk, MAX_BYTES)]

    expected = read_all(plain)
    assert sorted((document["uri"], document["body"], document["fetched_at"]) for document in documents) == sorted(
        (document["uri"], document["body"], document["fetched_at"]) for document in expected)
    offsets = {document["raw_path"].rsplit("#", 1)[1] for document in documents}
    assert offsets == {document["raw_path"].rsplit("#", 1)[1] for document in expected}  # inflated offsets
    assert list_archive(str(whole)).skipped == list_archive(str(plain)).skipped


@pytest.mark.parametrize("name, container", WHOLE_STREAMS)
def test_warc_compressed_as_one_stream_and_cut_short_keeps_what_came_before(tmp_path: pathlib.Path, name: str,
                                                                            container: str) -> None:
    records = [WarcRecord("response", f"https://wire.example/news/{number}", varied_page(number, 150))
               for number in range(40)]  # 400 KB: zstd decodes whole blocks of 128 KiB, none of a block cut short
    whole = compressed_whole(write_warc(tmp_path / "a.warc", records, False), tmp_path / name)
    cut = tmp_path / name.replace("whole", "cut")
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])

    documents = read_all(cut)
    assert {entry["container"] for entry in enumerate_archive_inputs(str(cut))} == {container}

    kept = [document for document in documents if document["kind"] == "raw"]
    errors = [document for document in documents if document["kind"] == "error"]
    assert 5 < len(kept) < 40
    assert [document["uri"] for document in kept] == [
        f"https://wire.example/news/{number}" for number in range(len(kept))]
    assert errors and {error["error_type"] for error in errors} == {"bad_archive"}


def test_a_warc_gzipped_whole_with_garbage_before_its_second_record_keeps_every_record_and_says_where(
        tmp_path: pathlib.Path) -> None:
    records = warc_record_bytes([WarcRecord("response", f"https://wire.example/news/{number}", varied_page(number))
                                 for number in range(3)])
    path = write_file(tmp_path / "a.warc.gz", records[0] + b"\rgarbage\r\n" + records[1] + records[2])  # gzipped whole
    # taken for gzipped record by record, warcio gave a negative record length: the seek to it crashed the listing
    documents = read_all(path)
    assert {entry["container"] for entry in enumerate_archive_inputs(str(path))} == {"warc_stream"}
    assert [(document["kind"], document.get("error_type")) for document in documents] == [
        ("raw", None), ("error", "bad_archive"), ("raw", None), ("raw", None)]  # reading goes on past the garbage
    assert [documents[index]["uri"] for index in (0, 2, 3)] == [f"https://wire.example/news/{n}" for n in range(3)]
    offset = int(documents[1]["raw_path"].rsplit("#", 1)[1])  # in the inflated stream: where the first record ends
    assert len(records[0]) - len(b"\r\n\r\n") <= offset <= len(records[0])


def test_garbage_with_a_warc_name_is_an_error_record(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "junk.warc"
    path.write_bytes(b"this is not a web archive\n" * 10)
    assert [document["error_type"] for document in read_all(path)] == ["bad_archive"]


def test_payload_over_the_limit_is_refused(tmp_path: pathlib.Path) -> None:
    path = write_warc(tmp_path / "a.warc.gz", [WarcRecord("response", "https://x.example/", b"<html>" + b"x" * 5000)])
    (document,) = [document for entry in enumerate_archive_inputs(str(path))
                   for document in read_archive_chunk(entry, 1000)]
    assert document["kind"] == "error" and document["error_type"] == "too_large"
    assert document["uri"] == "https://x.example/"
    assert document["raw_path"] == f"{path}#0"  # where the record is: it was the target URL before


@pytest.mark.skipif(not CORPUS.exists(), reason=f"shared WARC corpus not available ({CORPUS})")
def test_real_web_archives_are_read_without_crashing() -> None:
    paths = sorted(path for path in CORPUS.rglob("*") if archive_kind(str(path)))
    assert len(paths) > 20
    for path in paths:
        for document in read_all(path):
            assert document["kind"] in ("raw", "error")
    iana = CORPUS / "pywb-2.10.0/sample_archive/warcs/iana.warc.gz"
    listing = list_archive(str(iana))
    assert listing.members == 16 and listing.skipped["warc request record"] == 171
    assert listing.skipped["content type image/svg+xml"] == 3
    arc = [document for document in read_all(CORPUS / "warcio-github/example.arc.gz")]
    assert [document["uri"] for document in arc] == ["http://example.com/"]


# WARC compressed with zstd ----------------------------------------------------------------------------

ZSTD_DICTIONARY = train_zstd_dictionary()
DICTIONARY_FORMS = ["compressed dictionary", "dictionary as it is", "no dictionary", "frames streamed"]


def zstd_warc(path: pathlib.Path, records: list[WarcRecord], dictionary: str = DICTIONARY_FORMS[0],
              frames: list[bytes] | None = None) -> tuple[pathlib.Path, list[int]]:
    """``records`` written with warcio and compressed one frame each, after the dictionary frame in the form
    ``dictionary`` names ("frames streamed": compressed dictionary, frames without their content size, as Wget-AT
    writes them), or ``frames`` in place of theirs; the file and where each frame starts."""
    with_dictionary = dictionary != "no dictionary"
    frames = frames or zstd_frames_of(warc_record_bytes(records), ZSTD_DICTIONARY if with_dictionary else None,
                                      streamed=dictionary == "frames streamed")
    dictionary_frame = zstd_dictionary_frame(ZSTD_DICTIONARY, dictionary != "dictionary as it is") \
        if with_dictionary else b""
    offsets = list(itertools.accumulate([len(dictionary_frame), *map(len, frames[:-1])]))
    return write_warc_zst(path, frames, dictionary_frame), offsets


def pages(count: int, paragraphs: int = 20) -> list[WarcRecord]:
    return [WarcRecord("response", f"https://wire.example/news/{number}", varied_page(number, paragraphs))
            for number in range(count)]


Damage = Callable[[bytes], bytes]


def corrupted(frame: bytes) -> bytes:
    """``frame`` with one byte of its compressed data flipped: its checksum no longer matches, if it decodes."""
    middle = len(frame) // 2
    return frame[:middle] + bytes([frame[middle] ^ 0xFF]) + frame[middle + 1:]


def with_reserved_block(frame: bytes) -> bytes:
    """``frame`` with its first block header's type set to 3, which is reserved: its blocks cannot be walked."""
    first_block = zstandard.frame_header_size(frame)
    return frame[:first_block] + bytes([frame[first_block] | 0b110]) + frame[first_block + 1:]


def in_pieces(plain: pathlib.Path, path: pathlib.Path) -> pathlib.Path:
    """``plain`` as ``pzstd`` compresses it: a skippable frame first, then frames of a fixed size, whatever the
    records."""
    data, compressor = plain.read_bytes(), zstandard.ZstdCompressor()
    frames = [compressor.compress(data[start:start + 1000]) for start in range(0, len(data), 1000)]
    return write_warc_zst(path, [zstd_skippable_frame(b"frame sizes"), *frames])


def summary(documents: list[dict]) -> list[tuple]:
    return [(document["kind"], document.get("error_type"), document["uri"]) for document in documents]


@pytest.mark.parametrize("name, kind", [("crawl.bin", "warc"), ("plain-crawl.bin", "warc"), ("whole.bin", "warc"),
                                        ("pieces.bin", "warc"), ("bad-dictionary.bin", "warc"), ("feed.xml.zst", None),
                                        ("junk.zst", None)])
def test_a_zstd_warc_is_known_by_its_first_bytes(tmp_path: pathlib.Path, name: str, kind: str | None) -> None:
    path = tmp_path / name
    if name in ("crawl.bin", "plain-crawl.bin"):
        zstd_warc(path, MIXED_RECORDS, "compressed dictionary" if name == "crawl.bin" else "no dictionary")
    elif name == "whole.bin":
        compressed_whole(mixed_warc(tmp_path / "a.warc", compress=False), path.with_suffix(".zst")).rename(path)
    elif name == "pieces.bin":
        in_pieces(mixed_warc(tmp_path / "a.warc", compress=False), path)
    elif name == "bad-dictionary.bin":  # the dictionary frame says what it is: its error is the listing's to report
        write_warc_zst(path, zstd_frames_of(warc_record_bytes(MIXED_RECORDS)), zstd_dictionary_frame(b"junk"))
    else:
        path.write_bytes(zstandard.ZstdCompressor().compress(FEED if name == "feed.xml.zst" else b"\x00junk" * 9)[:-2])
    assert detect_archive_kind(str(path)) == kind


@pytest.mark.parametrize("dictionary", DICTIONARY_FORMS)
def test_zstd_warc_records_read_as_the_plain_warc_s_each_at_its_frame(tmp_path: pathlib.Path, dictionary: str) -> None:
    path, offsets = zstd_warc(tmp_path / "a.warc.zst", MIXED_RECORDS, dictionary)
    plain = mixed_warc(tmp_path / "a.warc", compress=False)

    documents = read_all(path)

    fields = ("kind", "uri", "body", "fetched_at", "content_type", "http_status", "raw_sha256")
    assert [[document[field] for field in fields] for document in documents] == [
        [document[field] for field in fields] for document in read_all(plain)]
    assert [document["raw_path"] for document in documents] == [f"{path}#{offsets[index]}" for index in MIXED_DOCUMENTS]
    assert {entry["container"] for entry in enumerate_archive_inputs(str(path))} == {"warc_zstd"}
    assert list_archive(str(path)).skipped == list_archive(str(plain)).skipped


def test_a_zstd_warc_in_frames_that_cut_across_records_reads_as_one_stream(tmp_path: pathlib.Path) -> None:
    path = in_pieces(mixed_warc(tmp_path / "a.warc", compress=False), tmp_path / "pieces.warc.zst")

    documents = read_all(path)

    assert {entry["container"] for entry in enumerate_archive_inputs(str(path))} == {"warc_zstd_stream"}
    assert [(document["uri"], document["body"]) for document in documents] == [
        (document["uri"], document["body"]) for document in read_all(tmp_path / "a.warc")]


def test_zstd_warc_chunks_read_in_any_order_give_every_record(tmp_path: pathlib.Path) -> None:
    path, _ = zstd_warc(tmp_path / "big.warc.zst", pages(23))
    chunks = enumerate_archive_inputs(str(path), chunk_records=5)
    random.Random(8).shuffle(chunks)

    documents = [document for chunk in chunks for document in read_archive_chunk(chunk, MAX_BYTES)]

    assert sorted(len(chunk["members"]) for chunk in chunks) == [3, 5, 5, 5, 5]
    assert {chunk["container"] for chunk in chunks} == {"warc_zstd"}
    assert sorted((document["uri"], document["body"]) for document in documents) == sorted(
        (record.uri, record.payload) for record in pages(23))


def test_the_raw_path_of_a_zstd_warc_record_leads_to_its_frame(tmp_path: pathlib.Path) -> None:
    written = warc_record_bytes(MIXED_RECORDS)
    path, _ = zstd_warc(tmp_path / "a.warc.zst", [], frames=zstd_frames_of(written, ZSTD_DICTIONARY))
    for document in read_all(path):
        with open(path, "rb") as handle:
            handle.seek(int(document["raw_path"].rsplit("#", 1)[1]))
            record = zstandard.ZstdDecompressor(dict_data=ZSTD_DICTIONARY).stream_reader(handle).read(10**6)
        assert record in written and f"WARC-Target-URI: {document['uri']}".encode() in record


def test_a_record_in_several_frames_is_one_member_and_extension_frames_are_passed_over(tmp_path: pathlib.Path) -> None:
    first, long, last = warc_record_bytes(pages(3, paragraphs=400))  # 26 KB each
    compressor = zstandard.ZstdCompressor(dict_data=ZSTD_DICTIONARY, write_checksum=True)
    frames = [compressor.compress(first), zstd_skippable_frame(b"an index, say"),
              *(compressor.compress(piece) for piece in (long[:300], long[300:9000], long[9000:])),
              compressor.compress(b""), compressor.compress(last)]
    path, offsets = zstd_warc(tmp_path / "a.warc.zst", [], frames=frames)

    documents = read_all(path)

    assert [(document["uri"], document["body"]) for document in documents] == [
        (record.uri, record.payload) for record in pages(3, paragraphs=400)]
    assert [document["raw_path"] for document in documents] == [f"{path}#{offsets[index]}" for index in (0, 2, 6)]
    assert list_archive(str(path)).skipped == {}


@pytest.mark.parametrize("damage", [corrupted, with_reserved_block])
def test_a_damaged_zstd_frame_is_an_error_row_at_its_offset_and_the_records_after_it_flow(tmp_path: pathlib.Path,
                                                                                         damage: Damage) -> None:
    frames = zstd_frames_of(warc_record_bytes(pages(4)), ZSTD_DICTIONARY)
    frames[1] = damage(frames[1])
    path, offsets = zstd_warc(tmp_path / "a.warc.zst", [], frames=frames)

    documents = read_all(path)

    where = f"{path}#{offsets[1]}"
    assert summary(documents) == [("raw", None, "https://wire.example/news/0"), ("error", "bad_archive", where),
                                  ("raw", None, "https://wire.example/news/2"),
                                  ("raw", None, "https://wire.example/news/3")]
    assert documents[1]["raw_path"] == where and "zstd frame" in documents[1]["message"]


OTHER_DICTIONARY = train_zstd_dictionary(4096, dictionary_id=4242)


@pytest.mark.parametrize("dictionary_frame, message", [
    (b"", f"need dictionary {ZSTD_DICTIONARY.dict_id()}, and the file has no dictionary frame"),
    (zstd_dictionary_frame(OTHER_DICTIONARY), f"need dictionary {ZSTD_DICTIONARY.dict_id()}, and the file holds "
                                               "dictionary 4242"),
    (zstd_dictionary_frame(b"raw content, no dictionary header" * 20), "holds no zstd dictionary"),
    (corrupted(zstd_dictionary_frame(ZSTD_DICTIONARY)), "compressed zstd dictionary is corrupt"),
], ids=["missing", "another", "not a dictionary", "corrupt"])
def test_a_zstd_warc_without_its_dictionary_is_one_error_row(tmp_path: pathlib.Path, dictionary_frame: bytes,
                                                             message: str) -> None:
    frames = zstd_frames_of(warc_record_bytes(pages(3)), ZSTD_DICTIONARY)
    path = write_warc_zst(tmp_path / "a.warc.zst", frames, dictionary_frame)

    (error,) = read_all(path)

    where = f"{path}#{len(dictionary_frame) if 'need dictionary' in message else 0}"  # its first frame, or its start
    assert (error["kind"], error["error_type"], error["raw_path"]) == ("error", "bad_archive", where)
    assert message in error["message"]


def test_a_zstd_warc_cut_short_keeps_the_records_before_the_cut(tmp_path: pathlib.Path) -> None:
    path, offsets = zstd_warc(tmp_path / "a.warc.zst", pages(6))
    data = path.read_bytes()
    path.write_bytes(data[: (offsets[4] + offsets[5]) // 2])  # inside the fifth record's frame

    documents = read_all(path)

    assert summary(documents) == [*((("raw", None, f"https://wire.example/news/{number}")) for number in range(4)),
                                  ("error", "bad_archive", f"{path}#{offsets[4]}")]
    assert "cut short" in documents[-1]["message"]


def test_a_zstd_frame_that_holds_less_than_its_record_s_length_gives_an_article_flagged_truncated(
        tmp_path: pathlib.Path) -> None:
    written = warc_record_bytes(pages(3))
    short = written[1][:-500]  # its Content-Length says 500 bytes more than the frame holds
    path, _ = zstd_warc(tmp_path / "a.warc.zst", [], frames=zstd_frames_of([written[0], short, written[2]],
                                                                          ZSTD_DICTIONARY))

    documents = read_all(path)

    assert [(document["kind"], document.get("quality_flags")) for document in documents] == [
        ("raw", None), ("raw", ["warc_record_truncated"]), ("raw", None)]
    assert documents[1]["body"] == pages(3)[1].payload[:-496]  # the 500 bytes cut are the CRLFs after it, and 496


def zstd_stream_frame(head: bytes, filler: bytes, count: int, tail: bytes = b"") -> bytes:
    """One frame of ``head``, ``count`` times ``filler`` and ``tail``, compressed as a stream: what it inflates to
    is never held."""
    compressor = zstandard.ZstdCompressor(level=1, dict_data=ZSTD_DICTIONARY, write_checksum=True).compressobj()
    return b"".join([compressor.compress(head), *(compressor.compress(filler) for _ in range(count)),
                     compressor.compress(tail), compressor.flush()])


def test_zstd_warc_bombs_are_refused_with_bounded_memory(tmp_path: pathlib.Path) -> None:
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
    mebibyte = 1024 * 1024
    bomb_head = (b"WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: https://wire.example/bomb\r\n"
                 b"WARC-Date: 2024-06-01T10:00:00Z\r\n"
                 b"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n"
                 b"Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n"
                 % (len(http) + 512 * mebibyte)) + http
    frames = [zstd_stream_frame(bomb_head, bytes(mebibyte), 512, b"\r\n\r\n"),  # 512 MB of zeros as a page
              zstd_stream_frame(b"WARC/1.1\r\nX-Endless: ", b"x" * mebibyte, 64),  # a header line of 64 MB
              big_window_frame(warc_record_bytes(pages(1))[0]),  # a frame asking for a 256 MiB window
              *zstd_frames_of(warc_record_bytes([WarcRecord("response", "https://wire.example/news/a", PAGE)]),
                              ZSTD_DICTIONARY)]
    path, offsets = zstd_warc(tmp_path / "bomb.warc.zst", [], frames=frames)

    outcome, growth_mb = measure_call(
        "from tests.pipeline.test_archives import read_all; import pathlib",
        f"[(d['kind'], d.get('error_type'), d['uri']) for d in read_all(pathlib.Path({str(path)!r}))]")

    assert [tuple(row) for row in outcome] == [("error", "too_large", "https://wire.example/bomb"),
                                               ("error", "bad_archive", f"{path}#{offsets[1]}"),
                                               ("error", "too_large", f"{path}#{offsets[2]}"),
                                               ("raw", None, "https://wire.example/news/a")]
    assert growth_mb < 10 * MAX_BYTES / 1024 / 1024 + 20  # neither the 512 MB nor the 64 MB line ever existed


def test_newsbeam_ingest_reads_a_zstd_warc_and_points_each_row_at_its_frame(tmp_path: pathlib.Path) -> None:
    import duckdb

    from pipeline.cli import main

    stories = [Item(f"story-{number}", day(number + 1), f"Council story {number}") for number in range(3)]
    records = [WarcRecord("warcinfo", "", b"software: tests", None, "application/warc-fields"),
               *(WarcRecord("response", f"https://wire.example/news/{item.slug}", html_page("wire.example", item))
                 for item in stories),
               WarcRecord("response", "https://wire.example/logo.png", b"\x89PNG\r\n", content_type="image/png")]
    frames = zstd_frames_of(warc_record_bytes(records), ZSTD_DICTIONARY)
    frames[2] = corrupted(frames[2])  # story-1
    path, offsets = zstd_warc(tmp_path / "crawl.warc.zst", [], frames=frames)

    assert main(["ingest", str(path), "--output", str(tmp_path / "out"), "--shards", "1"]) == 0

    articles = duckdb.sql(f"SELECT url, raw_path FROM read_parquet('{tmp_path}/out/articles/**/*.parquet') "
                          "ORDER BY url").fetchall()
    errors = duckdb.sql(f"SELECT stage, error_type, raw_path FROM read_parquet('{tmp_path}/out/errors/**/*.parquet')"
                        ).fetchall()
    assert articles == [("https://wire.example/news/story-0", f"{path}#{offsets[1]}"),
                        ("https://wire.example/news/story-2", f"{path}#{offsets[3]}")]
    assert errors == [("read", "bad_archive", f"{path}#{offsets[2]}")]


# tar ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode, name", [("w", "a.tar"), ("w:gz", "a.tar.gz"), ("w:gz", "a.tgz"),
                                        ("w:bz2", "a.tar.bz2")])
def test_tar_members_are_documents_and_directories_are_skipped(tmp_path: pathlib.Path, mode: str, name: str) -> None:
    path = write_tar(tmp_path / name, {"feeds/a.xml": FEED, "feeds/b.xml.gz": gzip.compress(FEED),
                                       "pages/p.html": PAGE}, mode, directories=["feeds", "pages"])
    listing = list_archive(str(path))
    assert listing.skipped == {"tar directory": 2}
    documents = read_all(path)
    assert [document["uri"] for document in documents] == [f"{path}!feeds/a.xml", f"{path}!feeds/b.xml.gz",
                                                           f"{path}!pages/p.html"]
    assert [document["body"] for document in documents] == [FEED, FEED, PAGE]  # gz members inflated
    assert documents[0]["fetched_at"] == dt.datetime.fromtimestamp(FIXED_MTIME_S, dt.timezone.utc)


@pytest.mark.parametrize("container", ["tar", "zip"])
def test_a_gz_member_with_garbage_after_its_first_member_keeps_that_part_flagged(tmp_path: pathlib.Path,
                                                                                container: str) -> None:
    members = {"feeds/cut.xml.gz": gzip.compress(FEED[:50]) + b"garbage" + gzip.compress(FEED[50:]),
               "feeds/whole.xml.gz": gzip.compress(FEED)}
    path = write_tar(tmp_path / "a.tar", members, "w") if container == "tar" else write_zip(tmp_path / "a.zip", members)
    documents = {document["uri"].rsplit("/", 1)[-1]: document for document in read_all(path)}
    assert (documents["cut.xml.gz"]["body"], documents["cut.xml.gz"]["quality_flags"]) == (
        FEED[:50], ["body_partly_decoded"])
    assert (documents["whole.xml.gz"]["body"], documents["whole.xml.gz"].get("quality_flags")) == (FEED, None)


def test_member_names_with_dot_dot_are_only_names(tmp_path: pathlib.Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    path = write_tar(work / "a.tar", {"../../escape.xml": FEED, "/abs.xml": FEED}, "w")
    documents = read_all(path)
    assert [document["body"] for document in documents] == [FEED, FEED]
    assert sorted(item.name for item in tmp_path.rglob("*")) == ["a.tar", "work"]  # nothing extracted


def test_tar_gz_chunks_read_in_any_order_match_their_members(tmp_path: pathlib.Path) -> None:
    members = {f"items/{number:04d}.json": b'{"title": "item %d"}' % number for number in range(300)}
    path = write_tar(tmp_path / "many.tar.gz", members)
    chunks = enumerate_archive_inputs(str(path), chunk_records=40)
    random.Random(7).shuffle(chunks)
    bodies = {document["uri"].split("!", 1)[1]: document["body"]
              for chunk in chunks for document in read_archive_chunk(chunk, MAX_BYTES)}
    assert bodies == members


def test_truncated_tar_gz_gives_error_records(tmp_path: pathlib.Path) -> None:
    path = write_tar(tmp_path / "a.tar.gz", {f"{number}.xml": FEED * 20 for number in range(10)})
    data = path.read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(data[: len(data) // 2])
    documents = read_all(cut)
    assert documents[-1]["kind"] == "error" and documents[-1]["error_type"] == "bad_archive"


def test_oversized_tar_member_and_gzip_bomb_are_refused(tmp_path: pathlib.Path) -> None:
    path = write_tar(tmp_path / "a.tar", {"big.xml": b"<rss>" + b"x" * 2000, "bomb.xml.gz": gzip.compress(b"0" * 50_000),
                                          "ok.xml": FEED}, "w")
    documents = [document for entry in enumerate_archive_inputs(str(path))
                 for document in read_archive_chunk(entry, 1500)]
    assert [document.get("error_type") for document in documents] == ["too_large", "too_large", None]


@pytest.mark.parametrize("mtime_s", [10**12, -10**12])  # a GNU tar's base-256 mtime: the year 33658, or -29719
def test_a_tar_member_dated_past_what_a_datetime_holds_takes_the_archive_s_time(tmp_path: pathlib.Path,
                                                                                 mtime_s: int) -> None:
    path = tmp_path / "a.tar"
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as tar:
        for name, member_mtime_s in (("before.xml", FIXED_MTIME_S), ("odd.xml", mtime_s), ("after.xml", FIXED_MTIME_S)):
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(FEED), member_mtime_s
            tar.addfile(info, io.BytesIO(FEED))
    os.utime(path, (FIXED_MTIME_S + 60, FIXED_MTIME_S + 60))
    documents = read_all(path)  # the odd member raised ValueError: it and the members after it in its chunk were lost
    assert [(document["kind"], document["uri"].rsplit("!", 1)[1]) for document in documents] == [
        ("raw", "before.xml"), ("raw", "odd.xml"), ("raw", "after.xml")]
    assert documents[1]["fetched_at"] == dt.datetime.fromtimestamp(FIXED_MTIME_S + 60, dt.timezone.utc)


# zip ---------------------------------------------------------------------------------------------------


def test_zip_members_are_documents_read_from_their_local_headers(tmp_path: pathlib.Path) -> None:
    path = write_zip(tmp_path / "a.zip", {"feeds/a.xml": FEED, "p.html": PAGE, "../up.xml": FEED},
                     directories=["feeds"])
    assert list_archive(str(path)).skipped == {"zip directory": 1}
    documents = read_all(path)
    assert [(document["uri"].split("!", 1)[1], document["body"]) for document in documents] == [
        ("feeds/a.xml", FEED), ("p.html", PAGE), ("../up.xml", FEED)]


def test_zip_bomb_stops_at_the_limit(tmp_path: pathlib.Path) -> None:
    path = write_zip(tmp_path / "bomb.zip", {"bomb.xml": b"<rss>" + b"0" * 200_000})
    (entry,) = enumerate_archive_inputs(str(path))
    name, offset, method, compressed, _, flags, mtime = entry["members"][0]
    entry["members"][0] = [name, offset, method, compressed, 100, flags, mtime]  # a header that lies
    (document,) = read_archive_chunk(entry, 10_000)
    assert document["kind"] == "error" and document["error_type"] == "too_large"


@pytest.mark.parametrize("date_time", [(1980, 0, 0, 0, 0, 0), (2024, 6, 1, 31, 63, 62), (2024, 13, 32, 0, 0, 0)])
def test_a_zip_member_whose_date_names_no_day_takes_the_archive_s_time(tmp_path: pathlib.Path,
                                                                        date_time: tuple[int, ...]) -> None:
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w") as archive:  # the DOS date 0 is what zip tools write for "no time"
        archive.writestr(zipfile.ZipInfo("odd.xml", date_time), FEED)
        archive.writestr(zipfile.ZipInfo("good.xml", (2024, 6, 1, 0, 0, 0)), FEED)
    os.utime(path, (FIXED_MTIME_S + 60, FIXED_MTIME_S + 60))
    documents = read_all(path)  # listing raised ValueError before: the whole ingest ended in a traceback
    assert [(document["kind"], document["fetched_at"]) for document in documents] == [
        ("raw", dt.datetime.fromtimestamp(FIXED_MTIME_S + 60, dt.timezone.utc)),
        ("raw", dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc))]


def test_a_zip_whose_directory_asks_for_an_unknown_zip_version_is_an_error_record(tmp_path: pathlib.Path) -> None:
    path = write_zip(tmp_path / "a.zip", {"a.xml": FEED})
    data = bytearray(path.read_bytes())
    directory = data.index(b"PK\x01\x02")
    data[directory + 6] = 255  # "version needed to extract" 25.5: zipfile raised NotImplementedError out of ingest
    path.write_bytes(bytes(data))
    (error,) = read_all(path)
    assert (error["kind"], error["error_type"]) == ("error", "bad_archive")
    assert "zip file version 25.5" in error["message"]


@pytest.mark.parametrize("name", ["empty.tar", "empty.tar.gz", "empty.zip"])
def test_an_archive_without_a_member_is_one_empty_input_row(tmp_path: pathlib.Path, name: str) -> None:
    path = write_zip(tmp_path / name, {}) if name.endswith(".zip") else write_tar(tmp_path / name, {})
    (error,) = read_all(path)  # it gave nothing before: not an article, not a row, as if never given
    assert (error["kind"], error["stage"], error["error_type"]) == ("error", "read", "empty_input")
    assert error["raw_path"] == f"{path}#0"
    assert not read_all(write_tar(tmp_path / "folders.tar", {}, directories=["feeds"]))  # skipped, and counted


def test_file_that_is_not_a_zip_is_an_error_record(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "fake.zip"
    path.write_bytes(b"PK not really")
    assert [document["error_type"] for document in read_all(path)] == ["bad_archive"]


# Raw landing zone --------------------------------------------------------------------------------------


def test_raw_zone_bodies_come_back_with_their_provenance(tmp_path: pathlib.Path) -> None:
    fetched = dt.datetime(2024, 5, 3, 6, 0, tzinfo=dt.timezone.utc)
    store_raw(tmp_path, "wire", FEED, fetched, uri="https://wire.example/feed", feed_url="https://wire.example/feed",
              http_status=200, content_type="application/rss+xml", language_hint="en", tags=["politics"])
    store_raw(tmp_path, "wire", PAGE, fetched - dt.timedelta(days=2), uri="https://wire.example/p")
    assert is_raw_zone(str(tmp_path / "raw")) and not is_raw_zone(str(tmp_path))
    listing = list_raw_zone(str(tmp_path / "raw"))
    documents = [document for entry in listing.inputs for document in read_input(entry, MAX_BYTES)]
    assert [document["uri"] for document in documents] == ["https://wire.example/p", "https://wire.example/feed"]
    feed = documents[1]
    assert (feed["body"], feed["source_id"], feed["feed_url"], feed["fetched_at"], feed["tags"]) == (
        FEED, "wire", "https://wire.example/feed", fetched, ["politics"])
    assert feed["raw_path"].endswith(".gz") and feed["language_hint"] == "en"


def test_raw_zone_days_fetched_before_the_range_are_not_listed(tmp_path: pathlib.Path) -> None:
    for number in (1, 5, 9):
        store_raw(tmp_path, "wire", b"<rss>%d</rss>" % number, day(number))
    listing = list_raw_zone(str(tmp_path / "raw"), fetched_since=dt.date(2024, 5, 5))
    assert listing.members == 2 and listing.skipped == {"raw zone: fetched before the range": 1}


def test_damaged_raw_body_is_an_error_record(tmp_path: pathlib.Path) -> None:
    _, body_path = store_raw(tmp_path, "wire", FEED, day(3))
    pathlib.Path(body_path).write_bytes(gzip.compress(b"something else"))
    (entry,) = list_raw_zone(str(tmp_path / "raw")).inputs
    (document,) = read_input(entry, MAX_BYTES)
    assert document["kind"] == "error" and document["error_type"] == "raw_corrupt"


# Chunks and sizes --------------------------------------------------------------------------------------


def test_chunks_are_bounded_in_bytes_too(tmp_path: pathlib.Path) -> None:
    path = write_tar(tmp_path / "a.tar", {f"{number}.xml": b"x" * 1000 for number in range(10)}, "w")
    listing = list_archive(str(path), chunk_records=100, chunk_bytes=3000)
    assert [len(entry["members"]) for entry in listing.inputs] == [3, 3, 3, 1]
    assert [chunk_size_bytes(entry) for entry in listing.inputs] == [3000, 3000, 3000, 1000]


def test_listing_error_is_carried_as_a_member(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "broken.tar.gz"
    path.write_bytes(gzip.compress(b"not a tar at all" * 100)[:40])
    (entry,) = enumerate_archive_inputs(str(path))
    assert entry["members"][-1][0] == ERROR_MEMBER


# Random access into gzip -------------------------------------------------------------------------------


def test_gzip_seeker_reads_any_range_of_a_multi_member_stream(tmp_path: pathlib.Path) -> None:
    data = random.Random(1).randbytes(300_000) * 4
    path = tmp_path / "data.gz"
    path.write_bytes(gzip.compress(data[:500_000]) + gzip.compress(data[500_000:]))
    seeker = GzipSeeker(str(path), checkpoint_every_bytes=64 * 1024)
    generator = random.Random(2)
    for _ in range(200):
        offset, size = generator.randrange(len(data)), generator.randrange(5000)
        assert seeker.read_at(offset, size) == data[offset:offset + size]
    assert 1 < len(seeker.checkpoints) <= len(data) // (64 * 1024) + 1
    with pytest.raises(TruncatedGzipError):
        seeker.read_at(len(data) - 10, 20)


def test_gzip_stream_reads_every_member_and_says_when_the_file_is_cut_short(tmp_path: pathlib.Path) -> None:
    data = random.Random(3).randbytes(200_000)
    whole = gzip.compress(data[:120_000]) + gzip.compress(data[120_000:])
    path = tmp_path / "data.gz"
    path.write_bytes(whole)
    with GzipStream(str(path)) as stream:
        assert stream.read() == data and not stream.cut_short
    path.write_bytes(whole[:-5000])  # inside the second member
    with GzipStream(str(path)) as stream:
        kept = stream.read()
        assert stream.cut_short
    assert 120_000 < len(kept) < len(data) and data.startswith(kept)


def test_gzip_stream_seeks_back_within_what_it_read_last_and_further_from_a_checkpoint(tmp_path: pathlib.Path) -> None:
    data = random.Random(4).randbytes(600_000)
    path = tmp_path / "data.gz"
    path.write_bytes(gzip.compress(data[:250_000]) + gzip.compress(data[250_000:]))
    generator = random.Random(5)
    with GzipStream(str(path), rewind_bytes=50_000) as stream:
        for _ in range(300):  # steps back of every size, forward skips, reads across the member boundary
            offset = max(0, stream.tell() + generator.randrange(-120_000, 60_000))
            assert stream.seek(offset) == offset
            size = generator.randrange(1, 70_000)
            assert stream.read(size) == data[offset:offset + size]  # whole: warcio loses the bytes of a short read
            assert stream.tell() == offset + len(data[offset:offset + size])


def test_a_crawled_sitemap_without_a_document_type_is_read_as_a_document(tmp_path: pathlib.Path) -> None:
    sitemap = (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
               b"<url><loc>https://wire.example/news/a</loc></url></urlset>")
    crawl = write_warc(tmp_path / "crawl.warc.gz", [
        WarcRecord("response", "https://wire.example/sitemap.xml", sitemap, content_type="application/octet-stream"),
        WarcRecord("response", "https://wire.example/archive.bin", b"\x00\x01\x02" * 100,
                   content_type="application/octet-stream")])

    assert [document["uri"] for document in read_all(crawl)] == ["https://wire.example/sitemap.xml"]


def test_articles_of_a_record_the_crawler_cut_or_decoded_only_in_part_are_flagged(tmp_path: pathlib.Path) -> None:
    import duckdb

    from pipeline.cli import main

    story = b"<html><head><title>Cranes for Baku</title></head><body><article><p>" + b"The port ordered cranes. " * 80
    cut = WarcRecord("response", "https://wire.example/news/cut", story, warc_fields=(("WARC-Truncated", "length"),))
    whole = WarcRecord("response", "https://wire.example/news/whole",
                       story.replace(b"Baku", b"Aktau") + b"</p></article>")
    garbled = gzip.compress(story.replace(b"Baku", b"Poti")) + b"\r\n\r\n" + gzip.compress(b"</p></article>")
    damaged = WarcRecord("response", "https://wire.example/news/damaged", garbled,  # garbage between gzip members
                         http_fields=(("Content-Encoding", "gzip"),))
    path = write_warc(tmp_path / "crawl.warc.gz", [cut, whole, damaged])
    documents = read_all(path)
    assert [document.get("quality_flags") for document in documents] == [
        ["warc_record_truncated"], None, ["body_partly_decoded"]]

    assert main(["ingest", str(path), "--output", str(tmp_path / "out"), "--shards", "1"]) == 0
    rows = duckdb.sql(f"SELECT url, list_contains(quality_flags, 'warc_record_truncated'), "
                      f"list_contains(quality_flags, 'body_partly_decoded') FROM read_parquet("
                      f"'{tmp_path}/out/articles/**/*.parquet') ORDER BY url").fetchall()
    assert rows == [("https://wire.example/news/cut", True, False), ("https://wire.example/news/damaged", False, True),
                    ("https://wire.example/news/whole", False, False)]


# a page that compresses to several blocks of each coding (brotli and zstd give nothing of a block cut short)
VARIED_PAGE = b"<html><body><article>" + b"".join(
    b"<p>Paragraph %d: %s</p>" % (number, hashlib.sha256(b"%d" % number).hexdigest().encode())
    for number in range(8000)) + b"</article></body></html>"
VARIED = {"gzip": gzip.compress(VARIED_PAGE), "deflate": zlib.compress(VARIED_PAGE),
          "br": brotli.compress(VARIED_PAGE), "zstd": zstandard.ZstdCompressor().compress(VARIED_PAGE)}


@pytest.mark.parametrize("coding", sorted(VARIED))
def test_an_encoded_record_the_crawler_cut_gives_the_part_before_the_cut_flagged(tmp_path: pathlib.Path,
                                                                                 coding: str) -> None:
    # a crawler that keeps a page's first bytes as the server sent them cuts inside the coding
    cut = WarcRecord("response", "https://wire.example/news/cut", VARIED[coding][: len(VARIED[coding]) // 2],
                     http_fields=(("Content-Encoding", coding),), warc_fields=(("WARC-Truncated", "length"),))
    garbled = WarcRecord("response", "https://wire.example/news/garbled", b"\x01\x02" * 300,
                         http_fields=(("Content-Encoding", coding),), warc_fields=(("WARC-Truncated", "length"),))
    documents = read_all(write_warc(tmp_path / "a.warc.gz", [cut, garbled]))

    page, error = documents
    assert (page["kind"], page["quality_flags"]) == ("raw", ["warc_record_truncated"])
    assert len(page["body"]) > 30_000 and VARIED_PAGE.startswith(page["body"])
    assert (error["kind"], error["error_type"], error["uri"]) == ("error", "decode_error",
                                                                  "https://wire.example/news/garbled")
