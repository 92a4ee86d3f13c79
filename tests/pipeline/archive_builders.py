"""Small inputs written by the tests themselves: RSS feeds, HTML pages, WARC (gzip, zstd) and ARC files, tar and zip
archives."""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import io
import os
import pathlib
import tarfile
import zipfile
from typing import Iterable, NamedTuple
from xml.sax.saxutils import escape

import zstandard
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

UTC = dt.timezone.utc
FIXED_MTIME_S = 1_717_200_000  # 2024-06-01T00:00:00Z (after the items): reruns give identical rows


class Item(NamedTuple):
    """One feed item: its slug (the URL path), publication time and title."""

    slug: str
    published_at: dt.datetime
    title: str


def rss_feed(site: str, items: Iterable[Item]) -> bytes:
    """An RSS 2.0 feed of ``site`` (a host name) with ``items``."""
    entries = "".join(
        f"<item><title>{escape(item.title)}</title><link>https://{site}/news/{item.slug}</link>"
        f"<guid>https://{site}/news/{item.slug}</guid>"
        f"<pubDate>{email.utils.format_datetime(item.published_at)}</pubDate>"
        f"<description>{escape(item.title)}: the full report from {site}.</description></item>"
        for item in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{site}</title>'
            f"<link>https://{site}/</link><description>news</description>{entries}</channel></rss>").encode()


def html_page(site: str, item: Item) -> bytes:
    """A news page with its title, canonical URL and publication time in the metadata."""
    return (f'<!DOCTYPE html><html lang="en"><head><title>{escape(item.title)}</title>'
            f'<link rel="canonical" href="https://{site}/news/{item.slug}">'
            f'<meta property="article:published_time" content="{item.published_at.isoformat()}"></head>'
            f"<body><article><h1>{escape(item.title)}</h1><p>{escape(item.title)}, reported from {site}. "
            "The council met on Tuesday and agreed the budget after a long debate.</p></article></body></html>"
            ).encode()


def day(number: int, hour: int = 12) -> dt.datetime:
    """Noon UTC (or ``hour``) on 2024-05-``number``."""
    return dt.datetime(2024, 5, number, hour, tzinfo=UTC)


def write_file(path: pathlib.Path, data: bytes) -> pathlib.Path:
    """Write ``data`` (gzipped when the name ends in .gz) with a fixed mtime; return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data, mtime=0) if path.suffix == ".gz" else data)
    os.utime(path, (FIXED_MTIME_S, FIXED_MTIME_S))
    return path


class WarcRecord(NamedTuple):
    """What to write: record type, URI, payload, HTTP status and content type (None: no HTTP block)."""

    record_type: str
    uri: str
    payload: bytes = b""
    status: str | None = "200 OK"
    content_type: str | None = "text/html; charset=utf-8"
    warc_date: str = "2024-06-01T10:00:00Z"
    http_fields: tuple[tuple[str, str], ...] = ()  # more HTTP headers of a response (Content-Encoding, ...)
    warc_fields: tuple[tuple[str, str], ...] = ()  # more WARC headers (WARC-Truncated, ...)


def numbered_feed_record(number: int, site: str = "wire.example") -> WarcRecord:
    """A response record of a feed of ``site`` with one item, ``story-NUMBER``, under a fixed WARC-Record-ID: warcio
    draws one at random, and the bytes of a damaged record would vary from run to run."""
    feed = rss_feed(site, [Item(f"story-{number}", day(2), f"Harbour story number {number}")])
    record_id = ("WARC-Record-ID", f"<urn:uuid:00000000-0000-4000-8000-{number:012d}>")
    return WarcRecord("response", f"https://{site}/feed-{number}", feed, content_type="application/rss+xml",
                      warc_fields=(record_id,))


def write_warc(path: pathlib.Path, records: Iterable[WarcRecord], compress: bool = True) -> pathlib.Path:
    """A WARC file (one gzip member per record when ``compress``) written with warcio."""
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=compress)
        for spec in records:
            writer.write_record(_warc_record(writer, spec))
    os.utime(path, (FIXED_MTIME_S, FIXED_MTIME_S))
    return path


def _warc_record(writer: WARCWriter, spec: WarcRecord) -> ArcWarcRecord:
    headers = {"WARC-Date": spec.warc_date, **dict(spec.warc_fields)}
    if spec.record_type == "request":
        http = StatusAndHeaders(f"GET {spec.uri} HTTP/1.1", [("Host", "example")], is_http_request=True)
        return writer.create_warc_record(spec.uri, "request", payload=io.BytesIO(b""), http_headers=http,
                                         warc_headers_dict=headers)
    if spec.record_type == "response":
        fields = [("Content-Type", spec.content_type)] if spec.content_type else []
        fields += list(spec.http_fields)
        http = StatusAndHeaders(spec.status, fields, protocol="HTTP/1.1")
        return writer.create_warc_record(spec.uri, "response", payload=io.BytesIO(spec.payload), http_headers=http,
                                         warc_headers_dict=headers)
    return writer.create_warc_record(spec.uri, spec.record_type, payload=io.BytesIO(spec.payload),
                                     warc_content_type=spec.content_type, warc_headers_dict=headers)


def warc_record_bytes(records: Iterable[WarcRecord]) -> list[bytes]:
    """Each record as warcio writes it uncompressed: what a zstd WARC compresses record by record."""
    written = []
    for spec in records:
        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=False)
        writer.write_record(_warc_record(writer, spec))
        written.append(buffer.getvalue())
    return written


ARC_VERSION_BLOCK = b"1 0 newsbeam tests\nURL IP-address Archive-date Content-type Archive-length\n"


def arc_record_bytes(records: Iterable[WarcRecord]) -> list[bytes]:
    """An ARC file (version 1) as its records' bytes: its ``filedesc://`` record, then each response record of
    ``records`` (a header line ``URL IP-address YYYYMMDDhhmmss mime length``, the HTTP response, a line end)."""
    written = [b"filedesc://crawl.arc 0.0.0.0 20240601100000 text/plain %d\n%s\n" % (
        len(ARC_VERSION_BLOCK), ARC_VERSION_BLOCK)]
    for spec in records:
        http = (f"HTTP/1.1 {spec.status}\r\nContent-Type: {spec.content_type}\r\n"
                f"Content-Length: {len(spec.payload)}\r\n\r\n").encode() + spec.payload
        archived_at = dt.datetime.fromisoformat(spec.warc_date.replace("Z", "+00:00")).strftime("%Y%m%d%H%M%S")
        header = f"{spec.uri} 192.0.2.1 {archived_at} {spec.content_type.split(';')[0]} {len(http)}\n".encode()
        written.append(header + http + b"\n")
    return written


def train_zstd_dictionary(size_bytes: int = 8192, dictionary_id: int = 0) -> zstandard.ZstdCompressionDict:
    """A zstd dictionary trained on WARC records of news pages, as a crawler trains one on its first records
    (``dictionary_id``: the ID to give it, 0 for the one training derives)."""
    sites = [f"sample{number % 7}.example" for number in range(300)]
    samples = warc_record_bytes(
        WarcRecord("response", f"https://{site}/news/{number}",
                   html_page(site, Item(f"s{number}", day(1 + number % 28), f"Sample {number}")),
                   warc_date=f"2024-05-{1 + number % 28:02d}T10:00:00Z")
        for number, site in enumerate(sites))
    return zstandard.train_dictionary(size_bytes, samples, dict_id=dictionary_id)


def zstd_frames_of(records: Iterable[bytes], dictionary: zstandard.ZstdCompressionDict | None = None,
                   streamed: bool = False) -> list[bytes]:
    """Each record compressed as its own zstd frame with a checksum, with ``dictionary`` when there is one: with its
    content size in the frame header, as the WARC zstd convention asks, or ``streamed`` without it, as Wget-AT
    writes it (a record at a time through ZSTD_compressStream2)."""
    compressor = zstandard.ZstdCompressor(level=3, dict_data=dictionary, write_checksum=True)
    if not streamed:
        return [compressor.compress(record) for record in records]
    frames = []
    for record in records:
        stream = compressor.compressobj()
        frames.append(stream.compress(record) + stream.flush())
    return frames


def zstd_dictionary_frame(dictionary: zstandard.ZstdCompressionDict | bytes, compress: bool = True) -> bytes:
    """The skippable frame (magic 0x184D2A5D) a WARC zstd file begins with: its dictionary, zstd-compressed when
    ``compress`` (as Wget-AT writes it)."""
    data = dictionary if isinstance(dictionary, bytes) else dictionary.as_bytes()
    if compress:
        data = zstandard.ZstdCompressor(level=9, write_checksum=True).compress(data)
    return b"\x5d\x2a\x4d\x18" + len(data).to_bytes(4, "little") + data


def zstd_skippable_frame(payload: bytes, magic_low_byte: int = 0x50) -> bytes:
    """A skippable frame other than the dictionary's (an "extension frame" of the WARC zstd convention)."""
    return bytes([magic_low_byte]) + b"\x2a\x4d\x18" + len(payload).to_bytes(4, "little") + payload


def big_window_frame(payload: bytes) -> bytes:
    """A zstd frame holding ``payload`` (at most 128 KiB) as a raw block, whose header asks for a 256 MiB window."""
    descriptor, window = b"\x00", bytes([(28 - 10) << 3])  # no content size, no checksum; window log 28
    block_header = (1 | len(payload) << 3).to_bytes(3, "little")  # the last block, raw
    return b"\x28\xb5\x2f\xfd" + descriptor + window + block_header + payload


def write_warc_zst(path: pathlib.Path, frames: Iterable[bytes], dictionary_frame: bytes = b"") -> pathlib.Path:
    """A ``.warc.zst`` file: ``dictionary_frame`` (none by default), then ``frames``, with a fixed mtime."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(dictionary_frame + b"".join(frames))
    os.utime(path, (FIXED_MTIME_S, FIXED_MTIME_S))
    return path


def write_tar(path: pathlib.Path, members: dict[str, bytes], mode: str = "w:gz",
              directories: Iterable[str] = ()) -> pathlib.Path:
    """A tar archive of ``members`` (name -> bytes), plus empty ``directories``."""
    with tarfile.open(path, mode) as tar:
        for name in directories:
            info = tarfile.TarInfo(name)
            info.type, info.mtime = tarfile.DIRTYPE, FIXED_MTIME_S
            tar.addfile(info)
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), FIXED_MTIME_S
            tar.addfile(info, io.BytesIO(data))
    os.utime(path, (FIXED_MTIME_S, FIXED_MTIME_S))
    return path


def write_zip(path: pathlib.Path, members: dict[str, bytes], directories: Iterable[str] = ()) -> pathlib.Path:
    """A deflated zip archive of ``members`` (name -> bytes), plus empty ``directories``."""
    stamp = (2024, 6, 1, 0, 0, 0)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in directories:
            archive.writestr(zipfile.ZipInfo(name.rstrip("/") + "/", stamp), b"")
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, stamp), data, compress_type=zipfile.ZIP_DEFLATED)
    os.utime(path, (FIXED_MTIME_S, FIXED_MTIME_S))
    return path
