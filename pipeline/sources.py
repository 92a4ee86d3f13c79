"""Sources: find the input files, and read each one into a RawDocument (or an error record).

The driver only lists file names; the bytes are read inside the pipeline, on the workers (creating
many records in the driver is slow in Beam, see DESIGN.md). Each input is an ``InputFile``: a path plus
the provenance known before reading (for fetched feeds: the URL, HTTP headers and fetch time).
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import pathlib
from stat import S_ISBLK, S_ISCHR, S_ISDIR, S_ISFIFO, S_ISREG, S_ISSOCK
from typing import Iterable, Iterator, TypedDict

from pipeline.content_codings import PARTLY_DECODED_FLAG, ContentCodingError, DecodedBody, decode_bounded
from pipeline.directory_walk import walk_folders
from transforms.records import SITEMAP_INDEX_FIELDS, ErrorRecord, PageInfo, RawDocument, make_error, sha256_hex

GZIP_MAGIC = b"\x1f\x8b"
READ_CHUNK_BYTES = 1024 * 1024
# Files a directory walk leaves alone: our own sidecars and notes, never news documents.
IGNORED_SUFFIXES = (".md", ".toml", ".py", ".sh", ".opml", ".sqlite", ".parquet", ".lock")


class InputFile(TypedDict, total=False):
    """One input to read, with the provenance known before reading it."""

    path: str
    source_id: str | None
    feed_url: str | None
    language_hint: str | None
    tags: list[str]
    fetched_at: str | None  # ISO 8601; None: the file's modification time
    http_status: int | None
    etag: str | None
    last_modified: str | None
    content_type: str | None
    container: str  # "file" (default); archives: "warc", "tar", "zip" (see pipeline/archives.py)
    members: list  # for archives: which members/records of the container this input covers
    expected_type: str | None  # "feed" when the input was fetched from a configured feed URL
    path_bytes_hex: str  # the file name's bytes, when they are not UTF-8 (see ``input_for_path``)
    pages: dict[str, PageInfo]  # item link -> linked page, when full text was fetched (pipeline/page_fetch.py)
    time_options: dict  # the feed's date options (feeds.toml), see transforms.records.RawDocument
    uri: str  # where the body came from, when not ``feed_url``: the end of a redirect, a sitemap an index listed
    sitemap_index_url: str  # that index (transforms.records.RawDocument)
    sitemaps_followed: list[str]  # an index's sitemaps that were fetched (transforms.records.RawDocument)
    quality_flags: list[str]  # the body's own, for its articles (a fetched body decoded only in part)


def _walk(directory: pathlib.Path) -> Iterator[pathlib.Path]:
    for folder, files in walk_folders(directory):
        for name in files:
            if not name.startswith((".", "_")) and not name.lower().endswith(IGNORED_SUFFIXES):
                yield pathlib.Path(folder) / name


def _absolute(path: pathlib.Path) -> str:
    """The path with its symbolic links resolved; a link that loops or leads nowhere keeps its own absolute name
    (pathlib raises ``RuntimeError`` for a loop), so that its error row names it."""
    try:
        return str(path.resolve(strict=True))
    except (OSError, RuntimeError):
        return os.path.abspath(path)


def expand_inputs(patterns: list[str] | tuple[str, ...]) -> list[str]:
    """Absolute paths of every file named by ``patterns`` (files, directories walked, globs), sorted.

    What a directory lists or a pattern names besides regular files (a FIFO, a socket, a link that loops or
    leads nowhere) is an input too: reading it gives an error row, where it would have vanished (or, a FIFO,
    held the run for ever). A folder reached through a link is walked (once: ``pipeline.directory_walk``).
    """
    found: set[str] = set()
    for pattern in patterns:
        # A file that exists under this very name is taken as it is, even with "[", "*" or "?" in it.
        literal = os.path.lexists(pattern) or not glob.has_magic(pattern)
        matches = [pattern] if literal else glob.glob(pattern, recursive=True)
        for match in matches:
            path = pathlib.Path(match)
            if path.is_dir():
                found.update(_absolute(file) for file in _walk(path))
            elif os.path.lexists(path):
                found.add(_absolute(path))
    return sorted(found)


def input_for_path(path: str) -> InputFile:
    """The input of a local file found on disk.

    A name that is not valid UTF-8 (Python keeps its bytes as surrogates) cannot travel through Beam, whose
    coders encode strings as strict UTF-8: it travels as the hex of its bytes, and ``path`` shows it with
    U+FFFD where the bad bytes were.
    """
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return InputFile(path=path.encode("utf-8", "surrogateescape").decode("utf-8", "replace"),
                         path_bytes_hex=os.fsencode(path).hex())
    return InputFile(path=path)


def gunzip_bounded(data: bytes, max_bytes: int) -> DecodedBody:
    """Inflate a gzip file (several members too) but never past ``max_bytes``: a gzip bomb is an
    ``OverflowError``, a corrupt or cut one a ``ContentCodingError``. Bytes after the last member are ignored;
    damage after a whole member ends the body there, named in ``damage`` (as for a Content-Encoding:
    ``pipeline.content_codings``)."""
    try:
        return decode_bounded([data], "gzip", max_bytes)
    except OverflowError:
        raise OverflowError(f"inflates to more than {max_bytes} bytes") from None


def _fetched_at(entry: InputFile, stat: os.stat_result | None) -> dt.datetime:
    if entry.get("fetched_at"):
        return dt.datetime.fromisoformat(entry["fetched_at"]).astimezone(dt.timezone.utc)
    assert stat is not None  # callers pass a stat unless the entry has its own fetched_at
    # The file's mtime, not now: a rerun on the same files then gives identical rows.
    return dt.datetime.fromtimestamp(int(stat.st_mtime), dt.timezone.utc)


def _link_stat(path: str) -> os.stat_result | None:
    """The status of the link itself at ``path``, or None when nothing is there."""
    try:
        return os.lstat(path)
    except OSError:
        return None


def _file_kind(mode: int) -> str:
    """What a path that is no regular file is, in words."""
    kinds = ((S_ISDIR, "a directory"), (S_ISFIFO, "a FIFO"), (S_ISSOCK, "a socket"), (S_ISCHR, "a character device"),
             (S_ISBLK, "a block device"))
    return next((name for test, name in kinds if test(mode)), "a special file")


def _not_a_file(path: str, mode: int) -> str:
    """Why the path, no regular file, gives no document. A folder is an input only when a walk could not list it
    (``pipeline.directory_walk``): listing it again says why (no permission)."""
    if S_ISDIR(mode):
        try:
            with os.scandir(path):
                pass
        except OSError as exc:
            return f"a folder that could not be listed, its files unread: {type(exc).__name__}: {exc.strerror or exc}"
    return f"not a regular file ({_file_kind(mode)})"


def read_input(entry: InputFile, max_bytes: int) -> Iterable[RawDocument | ErrorRecord]:
    """Read one input: a plain file, or a chunk of an archive (read lazily, one document at a time)."""
    container = entry.get("container") or "file"
    if container == "file":
        return read_file(entry, max_bytes)
    if container == "failed_fetch":  # a failure from before the pipeline: straight to the dead letter
        return list(entry["members"])
    from pipeline.archives import read_archive_chunk

    return read_archive_chunk(entry, max_bytes)


def read_file(entry: InputFile, max_bytes: int) -> list[RawDocument | ErrorRecord]:
    """Read one input file, inflating gzip, within ``max_bytes``; failures become error records."""
    path = entry["path"]
    provenance = {"uri": entry.get("uri") or entry.get("feed_url") or path, "source_id": entry.get("source_id"),
                  "raw_path": path}
    disk_path = os.fsdecode(bytes.fromhex(entry["path_bytes_hex"])) if entry.get("path_bytes_hex") else path
    stat = None
    try:
        stat = os.stat(disk_path)
        if not S_ISREG(stat.st_mode):  # opening a FIFO waits for a writer for ever; a device never ends
            return [make_error("read", "unreadable", _not_a_file(disk_path, stat.st_mode),
                               source={**provenance, "fetched_at": _fetched_at(entry, stat)})]
        if stat.st_size > max_bytes:
            return [make_error("read", "too_large", f"{stat.st_size} bytes, over the {max_bytes}-byte limit",
                               source={**provenance, "fetched_at": _fetched_at(entry, stat)})]
        with open(disk_path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        # The path's own time when it has one (a directory, no permission; a link that loops or leads nowhere,
        # the link's): a rerun on another day then replaces this row instead of adding one to that day's
        # partition. A vanished file has none.
        stat = stat or _link_stat(disk_path)
        when = _fetched_at(entry, stat) if stat is not None or entry.get("fetched_at") else None
        return [make_error("read", "unreadable", f"{type(exc).__name__}: {exc.strerror or exc}",
                           source={**provenance, "fetched_at": when} if when else provenance)]
    fetched_at = _fetched_at(entry, stat)
    damage = None
    if data.startswith(GZIP_MAGIC):
        try:
            data, damage = gunzip_bounded(data, max_bytes)
        except OverflowError as exc:
            return [make_error("read", "too_large", f"gzip {exc}", source={**provenance, "fetched_at": fetched_at,
                                                                             "raw_sha256": sha256_hex(data)})]
        except ContentCodingError as exc:
            return [make_error("read", "bad_gzip", f"gzip data is corrupt: {exc}",
                               source={**provenance, "fetched_at": fetched_at, "raw_sha256": sha256_hex(data)})]
    return [RawDocument(
        kind="raw", source_id=entry.get("source_id"), uri=provenance["uri"], feed_url=entry.get("feed_url"),
        body=data, fetched_at=fetched_at, http_status=entry.get("http_status"), etag=entry.get("etag"),
        last_modified=entry.get("last_modified"), content_type=entry.get("content_type"),
        raw_sha256=sha256_hex(data), raw_path=path, language_hint=entry.get("language_hint"),
        tags=list(entry.get("tags") or []), expected_type=entry.get("expected_type"),
        **({"pages": entry["pages"]} if entry.get("pages") else {}),
        **{key: entry[key] for key in ("time_options", *SITEMAP_INDEX_FIELDS) if entry.get(key)},
        **({"quality_flags": flags} if (flags := [*(entry.get("quality_flags") or []),
                                                  *([PARTLY_DECODED_FLAG] if damage else [])]) else {}),
    )]
