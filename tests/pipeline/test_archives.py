"""Archives as inputs: listing in the driver without bodies, reading chunks lazily, failures as error records."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import pathlib
import random
import zlib

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
from tests.pipeline.archive_builders import (FIXED_MTIME_S, Item, WarcRecord, day, rss_feed, write_file, write_tar,
                                             write_warc, write_zip)

MAX_BYTES = 1_000_000
CORPUS = corpora_dir() / "warc"
FEED = rss_feed("wire.example", [Item("a", day(2), "Budget agreed")])
PAGE = b"<!DOCTYPE html><html><head><title>Page</title></head><body><p>Text</p></body></html>"


def read_all(path: pathlib.Path, chunk_records: int = 500) -> list[dict]:
    """Every document or error of an archive, through its chunks."""
    return [document for entry in enumerate_archive_inputs(str(path), chunk_records)
            for document in read_input(entry, MAX_BYTES)]


def mixed_warc(path: pathlib.Path, compress: bool = True) -> pathlib.Path:
    return write_warc(path, [
        WarcRecord("warcinfo", "", b"software: tests", None, "application/warc-fields"),
        WarcRecord("request", "https://wire.example/news/a"),
        WarcRecord("response", "https://wire.example/news/a", PAGE, warc_date="2024-05-02T08:30:00Z"),
        WarcRecord("metadata", "https://wire.example/news/a", b"via: x", None, "application/warc-fields"),
        WarcRecord("response", "https://wire.example/missing", b"gone", "404 Not Found"),
        WarcRecord("response", "https://wire.example/logo.png", b"\x89PNG\r\n", content_type="image/png"),
        WarcRecord("response", "https://wire.example/feed", FEED, content_type="application/rss+xml"),
        WarcRecord("response", "https://wire.example/blob", PAGE, content_type="application/octet-stream"),
        WarcRecord("resource", "https://wire.example/saved.xml", FEED, None, "application/rss+xml"),
    ], compress)


# Names -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, kind", [
    ("a.warc", "warc"), ("a.warc.gz", "warc"), ("a.arc", "warc"), ("A.ARC.GZ", "warc"), ("a.tar", "tar"),
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


def gzipped_whole(plain: pathlib.Path, path: pathlib.Path) -> pathlib.Path:
    """``plain`` gzipped as one stream, as ``gzip crawl.warc`` writes it (warcio cannot seek in it)."""
    path.write_bytes(gzip.compress(plain.read_bytes()))
    return path


def test_warc_gzipped_as_one_stream_gives_the_same_documents_in_any_chunk_order(tmp_path: pathlib.Path) -> None:
    plain = mixed_warc(tmp_path / "a.warc", compress=False)
    whole = gzipped_whole(plain, tmp_path / "whole.warc.gz")
    chunks = enumerate_archive_inputs(str(whole), chunk_records=1)
    assert {chunk["container"] for chunk in chunks} == {"warc_stream"}

    documents = [document for chunk in reversed(chunks) for document in read_archive_chunk(chunk, MAX_BYTES)]

    expected = read_all(plain)
    assert sorted((document["uri"], document["body"], document["fetched_at"]) for document in documents) == sorted(
        (document["uri"], document["body"], document["fetched_at"]) for document in expected)
    offsets = {document["raw_path"].rsplit("#", 1)[1] for document in documents}
    assert offsets == {document["raw_path"].rsplit("#", 1)[1] for document in expected}  # inflated offsets
    assert list_archive(str(whole)).skipped == list_archive(str(plain)).skipped


def test_warc_gzipped_as_one_stream_and_cut_short_keeps_what_came_before(tmp_path: pathlib.Path) -> None:
    records = [WarcRecord("response", f"https://wire.example/news/{number}", PAGE.replace(b"Text", b"%d" % number))
               for number in range(40)]
    whole = gzipped_whole(write_warc(tmp_path / "a.warc", records, False), tmp_path / "whole.warc.gz")
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])

    documents = read_all(cut)

    kept = [document for document in documents if document["kind"] == "raw"]
    errors = [document for document in documents if document["kind"] == "error"]
    assert 5 < len(kept) < 40
    assert [document["uri"] for document in kept] == [
        f"https://wire.example/news/{number}" for number in range(len(kept))]
    assert [error["error_type"] for error in errors] == ["bad_archive"]


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
