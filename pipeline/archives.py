"""Archives as pipeline inputs: WARC/ARC, tar and zip files, and the raw landing zone.

The driver lists an archive without holding a single body (``list_archive``): the offsets of WARC
records, the data offsets of tar members, the local-header offsets of zip members, the paths of raw-zone
bodies. It groups them into chunks of at most ``chunk_records`` members, each one ``InputFile`` with a
``container`` and its ``members``, so that one huge archive becomes many pipeline elements (parallelism,
and batches of bounded size) while staying few enough for ``beam.Create`` to be fast. A worker reads its
chunk with ``read_archive_chunk``, seeking to each member and yielding one RawDocument (or one error
record) at a time.

Member layouts, one list per member:
- ``warc``: ``[record_offset, record_length]`` (``True`` after them when its declared length is short of its
  content: ``warc_walk``); only response/resource records with HTTP 200 (or no
  HTTP status) and a document content type, or a body that sniffs as one. Other records (request,
  metadata, warcinfo, revisit, images, redirects...) are not documents: skipped and counted, not errors.
- ``warc_stream``: the same, for a WARC/ARC gzipped as one stream (``gzip crawl.warc``, which warcio cannot
  seek in): offsets in the inflated stream, read through ``gzip_seek`` as a ``.tar.gz`` is.
- ``warc_zstd``: the same, for a WARC compressed record by record with zstd (``.warc.zst``, the IIPC convention
  ArchiveTeam's Wget-AT writes, with the dictionary frame it may begin with): ``[first_frame_offset,
  frames_length]``, read through ``zstd_frames``.
- ``warc_zstd_stream``: the same, for a WARC compressed whole with zstd (``zstd crawl.warc``): offsets in the
  decompressed stream.
- ``tar``: ``[member_name, data_offset, size_bytes, mtime_s]`` (regular files only).
- ``zip``: ``[member_name, header_offset, compress_type, compress_size, file_size, flag_bits, mtime_s]``.
The member's modification time is its ``fetched_at`` (as a plain file's mtime is), so reruns are identical
(the archive's own when the member's is no time a datetime holds: a zip date of month 0, a tar's past 9999).
- ``raw``: ``[path_relative_to_raw_root, size_bytes]`` (``date=D/source=S/<sha256>.gz``).
- any container: ``["!error", position, message]`` where listing stopped (a truncated archive, bad
  gzip) or, in a WARC/ARC, where a record is damaged (listing goes on after it): the reader turns it into an error
  record, so the failure reaches the dead letter, not a crash; ``["!error", 0, message, error_type]`` for
  another reason than a ``bad_archive`` (an empty archive).

Member names are only names: nothing is ever extracted to disk, so ``../`` in a name is harmless.
"""

from __future__ import annotations

import bz2
import collections
import contextlib
import dataclasses
import datetime as dt
import gzip
import io
import itertools
import json
import lzma
import os
import pathlib
import re
import struct
import tarfile
import zipfile
import zlib
from typing import Any, BinaryIO, Callable, Generator, Iterator

from pipeline.bounded_warc import warc_records
from pipeline.content_codings import (PARTLY_DECODED_FLAG, ContentCodingError, DecodedBody, bounded_pieces,
                                      decode_bounded, decoded_head, transfer_codings)
from pipeline.gzip_seek import GzipStream, TruncatedGzipError, seeker_for
from pipeline.raw_zone import PRUNED_MARKER_NAME, as_fetched_fields
from pipeline.record_starts import ARC_RECORD_LINE, WARC_RECORD_LINE, RecordLine, next_record_start, record_line_for
from pipeline.sources import GZIP_MAGIC, InputFile, gunzip_bounded, input_for_path
from pipeline.warc_walk import Damage, WebArchiveForm, records_past_damage
from pipeline.zstd_frames import (DictionaryError, FrameFile, FramesReader, FrameSpan, ZstdFrameError, ZstdSeeker,
                                  has_dictionary_frame, is_zstd_file)
from pipeline.zstd_frames import seeker_for as zstd_seeker_for
from transforms.records import ErrorRecord, RawDocument, make_error, sha256_hex
from transforms.sniffing import DOCUMENT_KINDS, SNIFF_BYTES, reads_as_document, sniff_document_type

ERROR_MEMBER = "!error"
EMPTY_ARCHIVE_MEMBER = [ERROR_MEMBER, 0, "the archive holds no member: nothing to read", "empty_input"]
DEFAULT_CHUNK_RECORDS = 500
DEFAULT_CHUNK_BYTES = 64 * 1024 * 1024
ARCHIVE_SUFFIXES = {
    ".warc": "warc", ".warc.gz": "warc", ".warc.zst": "warc", ".arc": "warc", ".arc.gz": "warc",
    ".tar": "tar", ".tar.gz": "tar", ".tgz": "tar", ".tar.bz2": "tar", ".tar.xz": "tar", ".zip": "zip",
}
DOCUMENT_SUBTYPES = frozenset({  # of text/* or application/*
    "html", "xhtml+xml", "xml", "rss+xml", "atom+xml", "rdf+xml", "x-rss+xml", "rss", "atom",
    "json", "feed+json", "ld+json", "x-ndjson", "ndjson", "jsonl", "x-jsonlines",
})
SNIFF_CONTENT_TYPES = ("", "application/octet-stream", "binary/octet-stream", "unknown/unknown")
READ_ERRORS = (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError, tarfile.TarError, zipfile.BadZipFile)
ZIP_LOCAL_HEADER = struct.Struct("<4s22xHH")
ZIP_LOCAL_SIGNATURE = b"PK\x03\x04"
GZIP_EXPANSION_ESTIMATE = 4  # gzipped text inflates about this much: sizes of .gz inputs are scaled by it
WEB_ARCHIVE_MAGIC = (b"WARC/", b"filedesc://")  # a WARC record's first line, an ARC file's first header
WEB_ARCHIVE_HEAD_BYTES = 64
WEB_ARCHIVE_PROBE_BYTES = 1024 * 1024  # a file named as a WARC/ARC that holds no record in these is none
NOT_A_WEB_ARCHIVE = "not a WARC or ARC file (no WARC/ or filedesc:// header, no record in its first MiB)"
TAR_HEADER_BYTES = 512
TAR_MAGIC_OFFSET = 257  # "ustar" in a POSIX or GNU tar header


@dataclasses.dataclass
class ArchiveListing:
    """The chunks of one archive, and what was left out of them."""

    inputs: list[InputFile]
    members: int = 0  # documents listed
    skipped: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)


def archive_kind(path: str) -> str | None:
    """``warc``, ``tar`` or ``zip`` from the file name, or None for a plain input file."""
    name = path.lower()
    matches = [suffix for suffix in ARCHIVE_SUFFIXES if name.endswith(suffix)]
    return ARCHIVE_SUFFIXES[max(matches, key=len)] if matches else None


def detect_archive_kind(path: str) -> str | None:
    """``warc`` or ``tar`` by the file's name, else by its first bytes; ``zip`` by name only; None for a
    plain input file.

    Crawls are not always named as archives (warcio's ``example-bad.warc.gz.bad``, Common Crawl's
    ``.warc.wet.gz``, a tar saved as ``feeds.bin``); read as one document their records became a single
    error. Zip is left to its name: office files and e-books are zips too, and are one document each.
    What is no regular file (a FIFO, a link that loops) is no archive, whatever its name: opened here, a FIFO
    held the run for ever; read as a file, it gives its error row.
    """
    if not os.path.isfile(path):
        return None
    kind = archive_kind(path)
    if kind is not None:
        return kind
    if is_zstd_file(path):
        return "warc" if _is_zstd_web_archive(path) else None
    try:
        with _open_decompressed(path) as stream:
            head = stream.read(TAR_HEADER_BYTES)
    except READ_ERRORS:
        return None  # read as one file, whose error record says what is wrong
    if head.lstrip().startswith(WEB_ARCHIVE_MAGIC):
        return "warc"
    return "tar" if head[TAR_MAGIC_OFFSET:TAR_MAGIC_OFFSET + 5] == b"ustar" else None


def list_if_archive(path: str, chunk_records: int = DEFAULT_CHUNK_RECORDS,
                    chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> ArchiveListing | None:
    """The chunks of ``path`` when it is an archive by name or content (``detect_archive_kind``), else None."""
    kind = detect_archive_kind(path)
    return None if kind is None else list_archive(path, chunk_records, chunk_bytes, kind=kind)


def list_inputs(paths: list[str], chunk_records: int = DEFAULT_CHUNK_RECORDS,
                chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> ArchiveListing:
    """Pipeline inputs for local files: each archive listed in chunks, every other file as it is."""
    listing = ArchiveListing(inputs=[])
    for path in paths:
        archive = list_if_archive(path, chunk_records, chunk_bytes)
        if archive is None:
            listing.inputs.append(input_for_path(path))
            listing.members += 1
            continue
        listing.inputs += archive.inputs
        listing.members += archive.members
        listing.skipped.update(archive.skipped)
    return listing


def enumerate_archive_inputs(path: str, chunk_records: int = DEFAULT_CHUNK_RECORDS) -> list[InputFile]:
    """The chunks of the archive at ``path`` (see ``list_archive``)."""
    return list_archive(path, chunk_records).inputs


def list_archive(path: str, chunk_records: int = DEFAULT_CHUNK_RECORDS,
                 chunk_bytes: int = DEFAULT_CHUNK_BYTES, *, kind: str | None = None) -> ArchiveListing:
    """List ``path`` (a WARC/ARC, tar or zip file; ``kind`` from ``detect_archive_kind``, else from the
    name) as chunks, streaming: no body is held."""
    kind = kind or archive_kind(path)
    if kind is None:
        raise ValueError(f"not an archive name: {path}")
    if kind == "warc" and is_zstd_file(str(path)):
        kind = "warc_zstd_stream" if is_zstd_whole(str(path)) else "warc_zstd"
    if kind == "warc" and is_gzipped_whole(str(path)):
        kind = "warc_stream"  # its records are read from the inflated stream, at their offsets in it
    skipped: collections.Counter[str] = collections.Counter()
    members = MEMBER_LISTERS[kind](path, skipped)
    listing = _chunked(str(path), kind, members, skipped, chunk_records, chunk_bytes)
    if not listing.inputs and not skipped:  # no member at all: one row says so, as for an empty file
        listing.inputs.append(InputFile(path=str(path), container=kind, members=[EMPTY_ARCHIVE_MEMBER]))
    return listing


def list_raw_zone(raw_root: str, fetched_since: dt.date | None = None, chunk_records: int = DEFAULT_CHUNK_RECORDS,
                  chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> ArchiveListing:
    """The raw landing zone (``OUT/raw``) as chunks, from the UTC fetch day ``fetched_since`` on."""
    root = pathlib.Path(raw_root)
    skipped: collections.Counter[str] = collections.Counter()

    def members() -> Iterator[list[Any]]:
        for day_folder in sorted(root.glob("date=*")):
            if fetched_since and day_folder.name.removeprefix("date=") < fetched_since.isoformat():
                skipped["raw zone: fetched before the range"] += sum(1 for _ in day_folder.glob("source=*/*.gz"))
                continue
            for body_path in sorted(day_folder.glob("source=*/*.gz")):
                yield [str(body_path.relative_to(root)), body_path.stat().st_size]

    return _chunked(str(root), "raw", members(), skipped, chunk_records, chunk_bytes)


def is_raw_zone(path: str) -> bool:
    """True when ``path`` is a raw landing zone: ``date=YYYY-MM-DD/source=ID/`` folders, or none left after
    ``newsbeam prune`` (its marker): read as files, its page zone would give article pages as articles."""
    root = pathlib.Path(path)
    return root.is_dir() and (any(root.glob("date=*/source=*")) or (root / PRUNED_MARKER_NAME).is_file())


def member_size_bytes(container: str, member: list[Any]) -> int:
    """The uncompressed size of one member (estimated for raw-zone bodies), for sizing chunks and batches."""
    if member[0] == ERROR_MEMBER:
        return 0
    size = int(member[SIZE_INDEX[container]])
    return size * GZIP_EXPANSION_ESTIMATE if container == "raw" else size


def chunk_size_bytes(entry: InputFile) -> int:
    """Bytes an input covers: its members' sizes for a chunk, the file size for a plain file."""
    container = entry.get("container") or "file"
    if container == "file":
        try:
            size = os.stat(entry["path"]).st_size
        except OSError:
            return 0
        return size * GZIP_EXPANSION_ESTIMATE if entry["path"].endswith(".gz") else size
    return sum(member_size_bytes(container, member) for member in entry.get("members") or [])


def _chunked(path: str, container: str, members: Iterator[list[Any]], skipped: collections.Counter[str],
             chunk_records: int, chunk_bytes: int) -> ArchiveListing:
    listing = ArchiveListing(inputs=[], skipped=skipped)
    current: list[list[Any]] = []
    current_bytes = 0
    for member in members:
        size = member_size_bytes(container, member)
        if current and (len(current) >= chunk_records or current_bytes + size > chunk_bytes):
            listing.inputs.append(InputFile(path=path, container=container, members=current))
            current, current_bytes = [], 0
        current.append(member)
        current_bytes += size
        listing.members += member[0] != ERROR_MEMBER
    if current:
        listing.inputs.append(InputFile(path=path, container=container, members=current))
    return listing


def _one_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:500]


# Listing (driver side) ---------------------------------------------------------------------------------


def _warc_skip_reason(record: Any) -> str | None:
    """Why a WARC record is not a document, or None when it is one."""
    if record.rec_type not in ("response", "resource"):
        return f"warc {record.rec_type} record"
    http = record.http_headers if record.rec_type == "response" else None
    if http is not None and http.get_statuscode() and http.get_statuscode() != "200":
        return f"http status {http.get_statuscode()}"
    content_type = _warc_content_type(record) or ""
    main_type = content_type.split(";", 1)[0].strip().lower()
    top_type, _, subtype = main_type.partition("/")
    if top_type in ("text", "application") and subtype in DOCUMENT_SUBTYPES:
        return None
    if main_type in SNIFF_CONTENT_TYPES:
        kind = sniff_document_type(_warc_payload_head(record))
        return None if kind in DOCUMENT_KINDS else f"content {kind} ({main_type or 'no type'})"
    return f"content type {main_type}"


PAYLOAD_PIECE_BYTES = 64 * 1024
# A record the crawler cut (WARC-Truncated: Common Crawl keeps the first MiB of a page): its articles say so.
RECORD_TRUNCATED_FLAG = "warc_record_truncated"


def _payload_pieces(record: Any) -> Iterator[bytes]:
    """The payload of a WARC record as stored, de-chunked when its HTTP headers say it is chunked (warcio's
    reader passes data that is not really chunked as it is), with its other codings still on."""
    from warcio.bufferedreaders import ChunkedDataReader

    stream = record.raw_stream
    if "chunked" in (_http_header(record, "Transfer-Encoding") or "").lower():
        stream = ChunkedDataReader(stream)
    while piece := stream.read(PAYLOAD_PIECE_BYTES):
        yield piece


def _http_header(record: Any, name: str) -> str | None:
    """A header of a response record's HTTP block (None for other records)."""
    http = record.http_headers if record.rec_type == "response" else None
    return http.get_header(name) if http is not None else None


def _warc_payload(record: Any, max_bytes: int) -> DecodedBody:
    """A record's payload as the server meant it: de-chunked, the transfer codings before chunked (``gzip,
    chunked`` in old crawls) and its Content-Encoding (gzip, deflate, br, zstd) undone, within ``max_bytes``
    (``OverflowError`` beyond: a bomb never fills memory). A payload that does not decode but reads as a
    document as it is, is taken as it is: some tools store the body decoded and keep the header. Otherwise
    ``ContentCodingError``. The payload of a record the crawler cut (``WARC-Truncated``) ends inside its
    coding: the part before the cut is the body."""
    pieces = list(bounded_pieces(_payload_pieces(record), max_bytes))
    cut = bool(record.rec_headers.get_header("WARC-Truncated"))
    errors = []
    for transfer_encoding in _transfer_encodings_to_try(record):
        try:
            return decode_bounded(pieces, _http_header(record, "Content-Encoding"), max_bytes, known_cut=cut,
                                  transfer_encoding=transfer_encoding)
        except ContentCodingError as error:
            errors.append(error)
    if reads_as_document(stored := b"".join(pieces)):
        return DecodedBody(stored)
    raise errors[0]


def _warc_payload_head(record: Any) -> bytes:
    """The first ``SNIFF_BYTES`` of a record's decoded payload (as stored when it does not decode)."""
    pieces = list(itertools.islice(_payload_pieces(record), 1))
    for transfer_encoding in _transfer_encodings_to_try(record):
        try:
            return decoded_head(pieces, _http_header(record, "Content-Encoding"), SNIFF_BYTES,
                                transfer_encoding=transfer_encoding)
        except ContentCodingError:
            continue
    return b"".join(pieces)[:SNIFF_BYTES]


def _transfer_encodings_to_try(record: Any) -> list[str | None]:
    """The record's Transfer-Encoding, then none when it names a coding besides chunked: a tool that undid
    that coding may have kept the header (a payload is then read as it was before transfer codings were)."""
    transfer_encoding = _http_header(record, "Transfer-Encoding")
    return [transfer_encoding, None] if transfer_codings(transfer_encoding) else [transfer_encoding]


def _warc_content_type(record: Any) -> str | None:
    if record.rec_type == "response":
        return record.http_headers.get_header("Content-Type") if record.http_headers else None
    return record.rec_headers.get_header("Content-Type")


def _list_warc(path: str, skipped: collections.Counter[str]) -> Iterator[list[Any]]:
    """The records of a WARC/ARC file, gzipped record by record or not compressed; past a damaged record, listing goes
    on at the next record found."""
    record_line = _web_archive_record_line(path)
    if record_line is None:
        yield [ERROR_MEMBER, 0, NOT_A_WEB_ARCHIVE]
        return
    with open(path, "rb") as handle:
        form = WebArchiveForm(handle.read(len(GZIP_MAGIC)) == GZIP_MAGIC, record_line)
        end = yield from _members_past_damage(handle, form, skipped)
    if end is not None and end < os.path.getsize(path):
        # warcio stops quietly inside a cut gzip member
        yield [ERROR_MEMBER, end, "unreadable data after this offset (truncated file?)"]


def _list_warc_stream(path: str, skipped: collections.Counter[str]) -> Iterator[list[Any]]:
    """The records of a WARC/ARC gzipped whole (``is_gzipped_whole``), at their offsets in the inflated stream; past
    a damaged record, listing goes on at the next record found in it. A stream cut short after its last record is
    reported where it stops (one cut inside a record is that record's error)."""
    record_line = _web_archive_record_line(path)
    if record_line is None:
        yield [ERROR_MEMBER, 0, NOT_A_WEB_ARCHIVE]
        return
    with GzipStream(path) as stream:
        end = yield from _members_past_damage(stream, WebArchiveForm(False, record_line), skipped)
        if end is not None and stream.cut_short:
            yield [ERROR_MEMBER, end, "the gzip stream is cut short after this offset (truncated file?)"]


def _members_past_damage(handle: Any, form: WebArchiveForm, skipped: collections.Counter[str]
                         ) -> Generator[list[Any], None, int | None]:
    """``warc_walk.records_past_damage`` with each damage as an error member."""
    walk = records_past_damage(handle, form, _warc_skip_reason, skipped)
    try:
        while True:
            item = next(walk)
            if isinstance(item, Damage):
                reason = item.reason if isinstance(item.reason, str) else _one_line(item.reason)
                yield [ERROR_MEMBER, item.offset, reason]
            else:
                yield item
    except StopIteration as stop:
        return stop.value


def is_gzipped_whole(path: str) -> bool:
    """True for a WARC/ARC gzipped as one stream (``gzip crawl.warc``) rather than record by record, the form
    that allows seeking: warcio refuses it ("non-chunked gzip file detected") after the first record. When one of
    its first two records is damaged (warcio fails otherwise, or its first record runs to the end), by its first gzip
    member: one that does not end within ``FIRST_RECORD_PROBE_BYTES`` inflated, or that nothing follows, is the whole
    stream."""
    from warcio.exceptions import ArchiveLoadFailed

    try:
        with open(path, "rb") as handle:
            if handle.read(2) != GZIP_MAGIC:
                return False
            handle.seek(0)
            first_two = list(itertools.islice(warc_records(handle, arc2warc=True), 2))
            if len(first_two) == 2 or (first_two and getattr(first_two[0].raw_stream, "limit", 1) == 0):
                return False  # two records, or one that the file holds whole
    except ArchiveLoadFailed as exc:
        if "non-chunked gzip" in str(exc):
            return True
    except Exception:  # noqa: BLE001 - a damaged record: the member tells
        pass
    return not _another_member_follows_the_first(path)


def _another_member_follows_the_first(path: str) -> bool:
    """Whether the gzip file's first member ends within ``FIRST_RECORD_PROBE_BYTES`` inflated (none held) and more
    bytes follow it; also when that member does not inflate (the listing reports it, record by record)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    inflated = 0
    with open(path, "rb") as handle:
        try:
            while not inflater.eof and inflated <= FIRST_RECORD_PROBE_BYTES:
                data = inflater.unconsumed_tail or handle.read(PAYLOAD_PIECE_BYTES)
                if not data:
                    return False  # the file ends inside it
                inflated += len(inflater.decompress(data, PAYLOAD_PIECE_BYTES))
        except zlib.error:
            return True
        return inflater.eof and bool(inflater.unused_data or handle.read(1))


# a zstd WARC record's headers must end within its first bytes: the rest is only ever read in pieces, never as a line
WARC_HEAD_BYTES = 256 * 1024
BLANK_LINE = re.compile(rb"\r?\n\r?\n")
RECORD_SEPARATORS = b"\r\n\t "
FRAME_WITHOUT_RECORD = "zstd frame that begins no WARC record"
WARC_RECORD_START = b"WARC/"
FIRST_RECORD_PROBE_BYTES = 64 * 1024 * 1024


def _record_in_head(head: bytes) -> tuple[Any, int]:
    """The WARC record ``head`` (its first bytes) begins with, and its length: headers and content block.
    ValueError when no WARC record begins there or its headers (with the HTTP headers of a response) do not end
    within ``head``."""
    from warcio.archiveiterator import ArchiveIterator

    warc_headers = BLANK_LINE.search(head) if head.startswith(WARC_RECORD_START) else None
    if warc_headers is None:
        raise ValueError("no WARC record begins here" if not head.startswith(WARC_RECORD_START)
                         else f"WARC headers longer than {len(head)} bytes")
    record = next(iter(ArchiveIterator(io.BytesIO(head))))
    declared = (record.rec_headers.get_header("Content-Length") or "").strip()
    if not declared.isdigit():
        raise ValueError(f"WARC record without a valid Content-Length ({declared!r})")
    length = warc_headers.end() + int(declared)
    if length > len(head) and record.rec_type == "response" and not BLANK_LINE.search(head, warc_headers.end()):
        raise ValueError(f"HTTP headers longer than {len(head)} bytes")
    return record, length


def _list_warc_zstd(path: str, skipped: collections.Counter[str]) -> Iterator[list[Any]]:
    """The records of a WARC compressed record by record with zstd, each at the offset of its first frame, its
    length that of its frames. Frames are found by their headers and only the first ``WARC_HEAD_BYTES`` of a record
    are decompressed; past a damaged frame, listing goes on at the next sound one."""
    with open(path, "rb") as handle:
        try:
            frames = FrameFile(handle)
        except ZstdFrameError as exc:
            yield [ERROR_MEMBER, exc.offset, str(exc)]
            return
        for record_frames in _frames_by_record(frames, skipped):
            if isinstance(record_frames, ZstdFrameError):
                yield [ERROR_MEMBER, record_frames.offset, str(record_frames)]
                if isinstance(record_frames, DictionaryError):
                    return  # every frame would fail alike
            elif (member := _zstd_record_member(frames, record_frames, skipped)) is not None:
                yield member


def _frames_by_record(frames: FrameFile, skipped: collections.Counter[str]) -> Iterator[list[FrameSpan] | ZstdFrameError]:
    """The frames of each record: one that begins with ``WARC/``, and those after it that do not (the rest of the
    record); a damaged frame's error in its place. Frames that continue no record are counted in ``skipped``."""
    record: list[FrameSpan] = []
    for span in frames.spans():
        try:
            start = frames.head(span, len(WARC_RECORD_START))  # None: a window over the limit, not looked into
        except ZstdFrameError as exc:
            start = exc
        if isinstance(start, bytes) and start != WARC_RECORD_START:
            if record:
                record.append(span)  # type: ignore[arg-type]
            elif start:
                skipped[FRAME_WITHOUT_RECORD] += 1
            continue
        if record:
            yield record
        record = [] if isinstance(start, ZstdFrameError) else [span]  # type: ignore[list-item]
        if isinstance(start, ZstdFrameError):
            yield start
    if record:
        yield record


def _zstd_record_member(frames: FrameFile, record_frames: list[FrameSpan],
                        skipped: collections.Counter[str]) -> list[Any] | None:
    """The member of the record in ``record_frames``, from its first ``WARC_HEAD_BYTES``; None when it is no
    document (counted in ``skipped``). A record whose first frame's window is over the limit cannot be looked into:
    it is listed, for the reader to refuse."""
    first = record_frames[0]
    member = [first.offset, sum(span.size_bytes for span in record_frames)]
    try:
        head = frames.head_of(record_frames, WARC_HEAD_BYTES)
        if head is None:
            return member
        record, _ = _record_in_head(head)
        reason = _warc_skip_reason(record)
    except Exception as exc:  # noqa: BLE001 - warcio raises many types on broken records
        return [ERROR_MEMBER, first.offset, f"WARC record unreadable: {_one_line(exc)}"]
    if reason:
        skipped[reason] += 1
        return None
    return member


def _list_warc_zstd_stream(path: str, skipped: collections.Counter[str]) -> Iterator[list[Any]]:
    """The records of a WARC compressed whole with zstd (``zstd crawl.warc``), at their offsets in the decompressed
    stream: walked by their lengths, holding only the first ``WARC_HEAD_BYTES`` of each. Where the stream is corrupt
    or cut short, an error member says so and listing stops (one stream: nothing after it can be found)."""
    offset, head, at_end = 0, b"", False
    try:
        with contextlib.closing(ZstdSeeker(path)) as stream:
            while True:
                wanted = WARC_HEAD_BYTES - len(head)
                more = b"" if at_end else stream.read_next(wanted)
                at_end = at_end or len(more) < wanted
                stripped = (head + more).lstrip(RECORD_SEPARATORS)
                offset, head = offset + len(head) + len(more) - len(stripped), stripped
                if len(head) < WARC_HEAD_BYTES and not at_end:
                    continue
                if not head:
                    break
                record, length = _record_in_head(head)
                reason = _warc_skip_reason(record)
                passed = min(length, len(head)) + (stream.skip(length - len(head)) if length > len(head) else 0)
                if passed < length:
                    yield [ERROR_MEMBER, offset, "WARC record cut short (truncated file?)"]
                    return
                if reason:
                    skipped[reason] += 1
                else:
                    yield [offset, length]
                offset, head = offset + length, head[length:]
            damage = stream.damage()
    except Exception as exc:  # noqa: BLE001 - a corrupt stream, a broken record
        yield [ERROR_MEMBER, offset, _one_line(exc)]
        return
    if damage is not None:
        yield [ERROR_MEMBER, offset, f"the zstd stream is cut short after this offset: {damage}"]


def is_zstd_whole(path: str) -> bool:
    """True for a WARC compressed whole with zstd (``zstd crawl.warc``: its first frame holds more than its first
    record) rather than record by record, the IIPC convention, whose frames read alone. A first record longer than
    ``FIRST_RECORD_PROBE_BYTES`` (a warcinfo record is a few hundred bytes) is not decompressed to its end to find
    out: the file is taken to be written record by record."""
    try:
        with contextlib.closing(ZstdSeeker(path, across_frames=False)) as first_frame:
            head = first_frame.read_next(WARC_HEAD_BYTES)
            _, length = _record_in_head(head)
            if length - len(head) > FIRST_RECORD_PROBE_BYTES:
                return False
            first_frame.skip(length - len(head))
            after = head[length:] + first_frame.read_next(len(RECORD_SEPARATORS) * 4)
    except Exception:  # noqa: BLE001 - any fault is the listing's to report
        return False
    return bool(after.lstrip(RECORD_SEPARATORS))


def _is_zstd_web_archive(path: str) -> bool:
    """True for a zstd file whose decompressed stream begins like a WARC or ARC, or that begins with a dictionary
    frame, the WARC zstd convention's (a bad dictionary is then the listing's to report)."""
    try:
        with contextlib.closing(ZstdSeeker(path)) as stream:
            head = stream.read_next(TAR_HEADER_BYTES)
    except (ZstdFrameError, OverflowError):
        return has_dictionary_frame(path)
    except OSError:
        return False
    return head.lstrip().startswith(WEB_ARCHIVE_MAGIC)


def _web_archive_record_line(path: str) -> RecordLine | None:
    """The first line of the records of the WARC/ARC file at ``path``, by its first bytes (inflated) or, when they
    begin no record (a damaged first record), by the first record found in its first ``WEB_ARCHIVE_PROBE_BYTES``; None
    when none is (not a web archive); a WARC's when the bytes do not read (the listing says what is wrong)."""
    try:
        with _open_decompressed(path) as stream:
            head = stream.read(WEB_ARCHIVE_HEAD_BYTES)
            if head.lstrip().startswith(WEB_ARCHIVE_MAGIC):
                return record_line_for(head)
            head += stream.read(WEB_ARCHIVE_PROBE_BYTES)
    except READ_ERRORS:
        return WARC_RECORD_LINE
    return next((line for line in (WARC_RECORD_LINE, ARC_RECORD_LINE)
                 if next_record_start(io.BytesIO(head), 1, False, line) is not None), None)


def _open_decompressed(path: str) -> Any:
    """The file's bytes, inflated by magic number (gzip, bzip2, xz) or as they are."""
    with open(path, "rb") as handle:
        magic = handle.read(6)
    if magic.startswith(GZIP_MAGIC):
        return gzip.open(path, "rb")
    if magic.startswith(b"BZh"):
        return bz2.open(path, "rb")
    return lzma.open(path, "rb") if magic.startswith(b"\xfd7zXZ") else open(path, "rb")


def _tar_kind(info: tarfile.TarInfo) -> str:
    return "directory" if info.isdir() else "link" if info.issym() or info.islnk() else "special file"


def _list_tar(path: str, skipped: collections.Counter[str]) -> Iterator[list[Any]]:
    position = 0
    try:
        # streaming, one header at a time; our own decompressor, so a cut stream raises EOFError
        with _open_decompressed(path) as stream, tarfile.open(fileobj=stream, mode="r|") as tar:
            while (info := tar.next()) is not None:
                tar.members.clear()  # a TarFile keeps every TarInfo otherwise: memory would grow
                position = info.offset_data + info.size
                if info.isreg() and info.sparse is None:
                    yield [info.name, info.offset_data, info.size, int(info.mtime)]
                else:
                    skipped[f"tar {_tar_kind(info) if not info.isreg() else 'sparse file'}"] += 1
            end_of_members = tar.offset
        if isinstance(stream, io.BufferedReader) and os.path.getsize(path) < end_of_members + 2 * tarfile.BLOCKSIZE:
            yield [ERROR_MEMBER, end_of_members, "no end-of-archive marker (truncated tar?)"]
    except READ_ERRORS as exc:
        yield [ERROR_MEMBER, position, _one_line(exc)]


def _list_zip(path: str, skipped: collections.Counter[str]) -> Iterator[list[Any]]:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (*READ_ERRORS, NotImplementedError) as exc:  # "zip file version 25.5": a version field no tool wrote
        yield [ERROR_MEMBER, 0, _one_line(exc)]
        return
    for info in infos:
        if info.is_dir():
            skipped["zip directory"] += 1
            continue
        yield [info.filename, info.header_offset, info.compress_type, info.compress_size, info.file_size,
               info.flag_bits, _zip_mtime_s(info.date_time)]


def _zip_mtime_s(date_time: tuple[int, ...]) -> int | None:
    """A zip member's time (its local time, taken as UTC), or None for a date that names no day: zip tools write
    the DOS date 0, month 0 day 0 of 1980, for "no time", and damaged headers give hour 31 or minute 63."""
    try:
        return int(dt.datetime(*date_time, tzinfo=dt.timezone.utc).timestamp())
    except ValueError:
        return None


MEMBER_LISTERS: dict[str, Callable[[str, collections.Counter[str]], Iterator[list[Any]]]] = {
    "warc": _list_warc, "warc_stream": _list_warc_stream, "warc_zstd": _list_warc_zstd,
    "warc_zstd_stream": _list_warc_zstd_stream, "tar": _list_tar, "zip": _list_zip,
}
SIZE_INDEX = {"warc": 1, "warc_stream": 1, "warc_zstd": 1, "warc_zstd_stream": 1, "tar": 2, "zip": 4, "raw": 1}


# Reading (worker side) ---------------------------------------------------------------------------------


def read_archive_chunk(entry: InputFile, max_bytes: int) -> Iterator[RawDocument | ErrorRecord]:
    """Yield the documents of one chunk lazily, one RawDocument or error record per member."""
    container = entry.get("container") or "file"
    reader = CHUNK_READERS.get(container)
    if reader is None:
        yield make_error("read", "unknown_container", f"no reader for container {container!r}",
                         source={"uri": entry["path"], "raw_path": entry["path"]})
        return
    fallback_time = _modified_at(entry["path"])
    for member in entry.get("members") or []:
        if member[0] == ERROR_MEMBER:
            where = f"{entry['path']}#{member[1]}"
            error_type, message = (member[3], member[2]) if len(member) > 3 else (
                "bad_archive", f"archive unreadable from offset {member[1]}: {member[2]}")
            yield make_error("read", error_type, message, source={"uri": where, "raw_path": where,
                                                                  "fetched_at": fallback_time,
                                                                  "source_id": entry.get("source_id")})
            continue
        yield from reader(entry, member, max_bytes, fallback_time)


def _modified_at(path: str) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(int(os.stat(path).st_mtime), dt.timezone.utc)
    except OSError:
        return dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def _member_time(mtime_s: int | None, fallback_time: dt.datetime) -> dt.datetime:
    """A tar or zip member's modification time, or the archive's own when it has none a datetime can hold (a
    tar's base-256 mtime reaches far past the year 9999, a zip's date may name no day)."""
    try:
        return dt.datetime.fromtimestamp(mtime_s, dt.timezone.utc) if mtime_s is not None else fallback_time
    except (OverflowError, ValueError, OSError):
        return fallback_time


def _document(entry: InputFile, body: bytes, uri: str, raw_path: str, fetched_at: dt.datetime,
              provenance: dict[str, Any] | None = None) -> RawDocument:
    provenance = provenance or {}
    return RawDocument(
        kind="raw", source_id=provenance.get("source_id", entry.get("source_id")), uri=uri,
        feed_url=provenance.get("feed_url"), body=body, fetched_at=fetched_at,
        http_status=provenance.get("http_status"), etag=provenance.get("etag"),
        last_modified=provenance.get("last_modified"), content_type=provenance.get("content_type"),
        raw_sha256=sha256_hex(body), raw_path=raw_path,
        language_hint=provenance.get("language_hint", entry.get("language_hint")),
        tags=list(provenance.get("tags") or entry.get("tags") or []),
        **({"quality_flags": provenance["quality_flags"]} if provenance.get("quality_flags") else {}),
    )


def _member_error(entry: InputFile, error_type: str, message: str, where: str, fetched_at: dt.datetime,
                  body: bytes | None = None, uri: str | None = None) -> ErrorRecord:
    """The error record of one member: ``where`` is its place in the archive, ``uri`` its URL if it has one."""
    source = {"uri": uri or where, "raw_path": where, "fetched_at": fetched_at, "source_id": entry.get("source_id"),
              "raw_sha256": sha256_hex(body) if body is not None else None}
    return make_error("read", error_type, message, source=source)


def _member_document(entry: InputFile, data: bytes, max_bytes: int, where: str,
                     fetched_at: dt.datetime) -> RawDocument | ErrorRecord:
    """The document of an archive member's bytes: inflated within ``max_bytes`` when stored gzipped
    (``*.xml.gz``; flagged when only a part decodes), else as they are; an error record for a bomb or bad gzip."""
    if not data.startswith(GZIP_MAGIC):
        return _document(entry, data, where, where, fetched_at)
    try:
        body, damage = gunzip_bounded(data, max_bytes)
    except OverflowError as exc:
        return _member_error(entry, "too_large", f"gzip {exc}", where, fetched_at, data)
    except ContentCodingError as exc:
        return _member_error(entry, "bad_gzip", f"gzip data is corrupt: {exc}", where, fetched_at, data)
    return _document(entry, body, where, where, fetched_at, {"quality_flags": [PARTLY_DECODED_FLAG] if damage else []})


def _warc_date(value: str | None) -> dt.datetime | None:
    """A record's ``WARC-Date`` as aware UTC, the standard's zone also when the value names none (taken as the
    machine's own, a rerun elsewhere gave other rows); None when missing or unreadable, or when in UTC it is past
    the years a datetime holds (``9999-12-31T23:59:59-14:00``: the OverflowError made a good record a
    ``too_large`` row)."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment.astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):
        return None


def _read_warc_member(entry: InputFile, member: list[Any], max_bytes: int,
                      fallback_time: dt.datetime) -> Iterator[RawDocument | ErrorRecord]:
    offset, length, *cut_by_length = member
    where = f"{entry['path']}#{offset}"
    if length > max_bytes * 4:  # a record much larger than any document we would keep
        yield _member_error(entry, "too_large", f"WARC record of {length} bytes", where, fallback_time)
        return
    try:
        with _warc_record_stream(entry, offset, length) as handle:
            record = next(iter(warc_records(handle, arc2warc=True)))
            yield _warc_document(entry, record, where, max_bytes, fallback_time, bool(cut_by_length))
    except StopIteration:
        yield _member_error(entry, "bad_archive", "no WARC record at this offset (truncated?)", where,
                            fallback_time)
    except OverflowError as exc:  # a zstd frame whose window is over the limit
        yield _member_error(entry, "too_large", f"WARC record: {exc}", where, fallback_time)
    except Exception as exc:  # noqa: BLE001 - warcio raises many types on broken records
        yield _member_error(entry, "bad_archive", f"WARC record unreadable: {_one_line(exc)}", where,
                            fallback_time)


def _warc_record_stream(entry: InputFile, offset: int, length: int) -> BinaryIO:
    """The file positioned at a record's offset; for a WARC gzipped whole (container ``warc_stream``) the
    record's bytes, inflated from the nearest checkpoint before it (``gzip_seek``); for a WARC compressed with
    zstd, its frames decompressed in pieces (``warc_zstd``) or its bytes in the decompressed stream
    (``warc_zstd_stream``)."""
    container = entry.get("container")
    if container == "warc_stream":
        return io.BytesIO(seeker_for(entry["path"]).read_at(offset, length))
    if container == "warc_zstd":
        return FramesReader(entry["path"], offset, length)
    if container == "warc_zstd_stream":
        return io.BytesIO(zstd_seeker_for(entry["path"]).read_at(offset, length))
    handle = open(entry["path"], "rb")  # noqa: SIM115 - the caller closes it
    handle.seek(offset)
    return handle


def _warc_document(entry: InputFile, record: Any, where: str, max_bytes: int, fallback_time: dt.datetime,
                   cut_by_length: bool = False) -> RawDocument | ErrorRecord:
    """The document of a WARC record, flagged ``RECORD_TRUNCATED_FLAG`` when the crawler cut it (``WARC-Truncated``),
    when its bytes end before its declared length (a zstd frame that holds less), or when listing found bytes after
    its content that belong to no record (``cut_by_length``: its declared length is short of its content)."""
    headers = record.rec_headers
    fetched_at = _warc_date(headers.get_header("WARC-Date")) or fallback_time
    uri = (headers.get_header("WARC-Target-URI") or "").strip("<> ") or where
    try:
        payload = _warc_payload(record, max_bytes)
    except OverflowError:
        return _member_error(entry, "too_large", f"WARC payload over the {max_bytes}-byte limit",
                             where, fetched_at, uri=uri)
    except ContentCodingError as exc:
        return _member_error(entry, "decode_error", f"WARC payload: {exc}", where, fetched_at, uri=uri)
    http = record.http_headers if record.rec_type == "response" else None
    # the crawler kept only the start ("length", "time", ...), or the record's length and bytes disagree
    truncated = headers.get_header("WARC-Truncated") or cut_by_length or _ends_before_its_length(record)
    flags = [flag for flag, applies in ((RECORD_TRUNCATED_FLAG, truncated), (PARTLY_DECODED_FLAG, payload.damage))
             if applies]
    return _document(entry, payload.body, uri, where, fetched_at, {
        **({"quality_flags": flags} if flags else {}),
        "content_type": _warc_content_type(record),
        "http_status": int(http.get_statuscode()) if http is not None and http.get_statuscode() else None,
        "etag": http.get_header("ETag") if http is not None else None,
        "last_modified": http.get_header("Last-Modified") if http is not None else None,
    })


def _ends_before_its_length(record: Any) -> bool:
    """Whether a record's bytes end before its declared length (its payload read, the rest is read to its end)."""
    while record.raw_stream.read(PAYLOAD_PIECE_BYTES):
        pass
    return getattr(record.raw_stream, "limit", 0) > 0


def _tar_reader(path: str) -> Callable[[int, int], bytes]:
    """read(offset, size) on the tar's uncompressed stream, whatever its compression."""
    with open(path, "rb") as handle:
        if handle.read(2) == GZIP_MAGIC:
            return seeker_for(path).read_at  # random access with checkpoints

    def read_at(offset: int, size: int) -> bytes:
        # plain files seek; bz2/xz streams seek by inflating from the start (slow for big archives)
        with _open_decompressed(path) as stream:
            stream.seek(offset)
            data = stream.read(size)
        if len(data) < size:
            raise TruncatedGzipError(f"archive ends before byte {offset + size}")
        return data

    return read_at


def _read_tar_member(entry: InputFile, member: list[Any], max_bytes: int,
                     fallback_time: dt.datetime) -> Iterator[RawDocument | ErrorRecord]:
    name, offset, size, mtime_s = member
    where = f"{entry['path']}!{name}"
    fetched_at = _member_time(mtime_s, fallback_time)
    if size > max_bytes:
        yield _member_error(entry, "too_large", f"{size} bytes, over the {max_bytes}-byte limit", where,
                            fetched_at)
        return
    try:
        data = _tar_reader(entry["path"])(offset, size)
    except READ_ERRORS as exc:
        yield _member_error(entry, "bad_archive", f"tar member unreadable: {_one_line(exc)}", where, fetched_at)
        return
    yield _member_document(entry, data, max_bytes, where, fetched_at)


def _zip_inflate(data: bytes, compress_type: int, max_bytes: int) -> bytes:
    """Inflate one zip member within ``max_bytes`` (a zip bomb stops at the limit)."""
    if compress_type == zipfile.ZIP_STORED:
        return data
    if compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    elif compress_type == zipfile.ZIP_BZIP2:
        inflater = bz2.BZ2Decompressor()
    else:
        raise NotImplementedError(f"zip compression method {compress_type} is not supported")
    output = inflater.decompress(data, max_bytes + 1)
    if len(output) > max_bytes:
        raise OverflowError(f"inflates to more than {max_bytes} bytes")
    return output


def _read_zip_member(entry: InputFile, member: list[Any], max_bytes: int,
                     fallback_time: dt.datetime) -> Iterator[RawDocument | ErrorRecord]:
    name, header_offset, compress_type, compress_size, file_size, flag_bits, mtime_s = member
    where = f"{entry['path']}!{name}"
    fetched_at = _member_time(mtime_s, fallback_time)
    if flag_bits & 0x1:
        yield _member_error(entry, "encrypted", "encrypted zip member", where, fetched_at)
        return
    if max(file_size, compress_size) > max_bytes:
        yield _member_error(entry, "too_large", f"{file_size} bytes, over the {max_bytes}-byte limit", where,
                            fetched_at)
        return
    try:
        with open(entry["path"], "rb") as handle:
            handle.seek(header_offset)
            signature, name_length, extra_length = ZIP_LOCAL_HEADER.unpack(handle.read(ZIP_LOCAL_HEADER.size))
            if signature != ZIP_LOCAL_SIGNATURE:
                raise zipfile.BadZipFile("no local file header at the listed offset")
            handle.seek(name_length + extra_length, os.SEEK_CUR)
            data = _zip_inflate(handle.read(compress_size), compress_type, max_bytes)
        document = _member_document(entry, data, max_bytes, where, fetched_at)
    except OverflowError as exc:
        document = _member_error(entry, "too_large", f"zip member {exc}", where, fetched_at)
    except NotImplementedError as exc:
        document = _member_error(entry, "unsupported_compression", str(exc), where, fetched_at)
    except (*READ_ERRORS, struct.error) as exc:
        document = _member_error(entry, "bad_archive", f"zip member unreadable: {_one_line(exc)}", where, fetched_at)
    yield document


def _raw_provenance(body_path: pathlib.Path) -> dict[str, Any]:
    try:
        return json.loads(body_path.with_suffix(".json").read_bytes())
    except (OSError, ValueError):
        return {}  # a crash between the two writes of the raw zone: the path tells the rest


def _raw_fetched_at(provenance: dict[str, Any], body_path: pathlib.Path) -> dt.datetime:
    if provenance.get("fetched_at"):
        return dt.datetime.fromisoformat(provenance["fetched_at"]).astimezone(dt.timezone.utc)
    day = dt.date.fromisoformat(body_path.parent.parent.name.removeprefix("date="))
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc)


def _read_raw_member(entry: InputFile, member: list[Any], max_bytes: int,
                     fallback_time: dt.datetime) -> Iterator[RawDocument | ErrorRecord]:
    """One raw-zone body with its sidecar provenance, and its items' pages when it was fetched with full
    text (as ``pipeline.raw_zone.iter_raw`` reads it)."""
    body_path = pathlib.Path(entry["path"]) / member[0]
    where = str(body_path)
    provenance = _raw_provenance(body_path)
    fetched_at = _raw_fetched_at(provenance, body_path)
    try:
        body = gunzip_bounded(body_path.read_bytes(), max_bytes).body  # damage: no longer its sha256, refused below
    except OverflowError as exc:
        yield _member_error(entry, "too_large", f"gzip {exc}", where, fetched_at)
        return
    except (OSError, ContentCodingError) as exc:
        yield _member_error(entry, "unreadable", f"raw body unreadable: {_one_line(exc)}", where, fetched_at)
        return
    if sha256_hex(body) != body_path.name.removesuffix(".gz"):
        yield _member_error(entry, "raw_corrupt", "raw body does not match its sha256 name", where, fetched_at, body)
        return
    source_id = provenance.get("source_id") or re.sub(r"^source=", "", body_path.parent.name)
    uri = provenance.get("uri") or provenance.get("feed_url") or where
    document = _document(entry, body, uri, where, fetched_at, {**provenance, "source_id": source_id})
    yield RawDocument(**document, **as_fetched_fields(provenance, body_path))  # type: ignore[typeddict-item]


CHUNK_READERS: dict[str, Callable[[InputFile, list[Any], int, dt.datetime], Iterator[RawDocument | ErrorRecord]]] = {
    "warc": _read_warc_member, "warc_stream": _read_warc_member, "warc_zstd": _read_warc_member,
    "warc_zstd_stream": _read_warc_member, "tar": _read_tar_member, "zip": _read_zip_member, "raw": _read_raw_member,
}
