"""The records of a WARC or ARC file, walked one after another and on past damage: where a record is damaged, one
``Damage`` says where and why, and the walk goes on at the next record that starts after it (``record_starts``).

warcio reads each record where the one before ends by its declared length, and stops at the first that does not
read. A record is damaged here when
- it does not read: its first line is no record's, its headers run past their bound (``bounded_warc``), its gzip
  member does not inflate;
- its declared length is no number (warcio reads it as 0, and its content as the next record);
- the stream ends inside it: the file was cut there, or its declared length is too large;
- in an uncompressed stream (a plain file, or the inflated stream of a file gzipped whole), no blank line follows its
  content and a record starts inside that content: a record cut short runs into the next one, or a length too large
  took in the records after it.
A record that no blank line follows, but inside which no record starts, reads (its declared length is short of its
content, or a writer left out the line end): it is listed, flagged as cut when bytes that are no record's lie
between it and the next record (in its gzip member, or before the next record start), and the walk goes on at that
record; when no record starts after it and more than line ends follow, those bytes are one ``Damage``.
"""

from __future__ import annotations

import collections
import zlib
from typing import Any, Callable, Generator, NamedTuple

from warcio.utils import BUFF_SIZE

from pipeline.bounded_warc import warc_records
from pipeline.record_starts import RecordLine, next_record_start

Member = list[Any]  # [offset, length] of a record that is a document, then True when its length is short
SkipReason = Callable[[Any], str | None]  # why a record is not a document (counted, not listed), None when it is
SCAN_ERRORS = (OSError, EOFError, ValueError, zlib.error)  # the bytes after damage do not read either


class Damage(NamedTuple):
    """Where a record is damaged, and what is wrong: a message, or the error reading it raised."""

    offset: int
    reason: str | BaseException


class WebArchiveForm(NamedTuple):
    """How a file's records are laid out: ``gzipped`` record by record or not, and their first line."""

    gzipped: bool
    record_line: RecordLine


class _Unended(NamedTuple):
    """A record that blank lines do not follow: damaged when a record starts inside its content."""

    offset: int
    content_end: int
    listed: Member | str  # its member, or why it is no document


class _Stop(NamedTuple):
    """How a stretch of records read one after another ended: at the stream's end (the offset after its last record),
    at a damaged record (its ``Damage`` given), or at a record that blank lines do not follow."""

    end: int | None = None
    damaged_at: int | None = None
    unended: _Unended | None = None


def records_past_damage(handle: Any, form: WebArchiveForm, skip_reason: SkipReason,
                        skipped: collections.Counter[str]) -> Generator[Member | Damage, None, int | None]:
    """The members of the document records of the web archive open in ``handle`` (seekable), the others counted in
    ``skipped`` by ``skip_reason``, and a ``Damage`` for each damaged record, the walk going on after it. Returns the
    offset after the last record when the walk reached the stream's end after a record that read, else None."""
    start = 0
    while True:
        handle.seek(start)
        stop = yield from _stretch(handle, start, form, skip_reason, skipped)
        if stop.end is not None:
            return stop.end
        if stop.unended is not None:
            resume_at = yield from _past_unended(handle, stop.unended, form, skipped)
        else:  # after the damage, and after ``start`` (warcio's offsets after damage in a gzip member may be wrong)
            resume_at = _next_start(handle, max(stop.damaged_at or 0, start) + 1, form)
        if resume_at is None:
            return None
        start = resume_at


def _stretch(stream: Any, start: int, form: WebArchiveForm, skip_reason: SkipReason,
             skipped: collections.Counter[str]) -> Generator[Member | Damage, None, _Stop]:
    """The records from ``start`` one after another, up to the end of the stream or the first damaged record."""
    next_offset = start  # of the record read next: where a failure is
    record_name = form.record_line.record_name
    try:
        records = warc_records(stream, arc2warc=True)
        for record in records:
            offset = next_offset = records.offset
            if not _declared_length(record).isdigit():
                yield Damage(offset, f"{record_name} without a valid length ({_declared_length(record)!r})")
                return _Stop(damaged_at=offset)
            reason = skip_reason(record)
            warnings = records.err_count
            content_end = None if form.gzipped else _content_end(records, record)
            length = records.get_record_length()  # reads to the record's end, holding nothing
            # where warcio reads on, after the blank lines (in a gzip member after damage, a wrong offset: move on)
            next_offset = max(records.offset, offset + 1)
            if getattr(record.raw_stream, "limit", 1) != 0:  # not all there
                yield Damage(offset, f"{record_name} cut short (truncated file?)")
                return _Stop(damaged_at=offset)
            unended = records.err_count > warnings  # warcio: "not followed by newline"
            if unended and content_end is not None:
                return _Stop(unended=_Unended(offset, content_end, reason or [offset, length]))
            if reason:
                skipped[reason] += 1
            else:  # in a gzip member, what follows its content in the member is the rest of it
                yield [offset, length, *([True] if unended else [])]
        return _Stop(end=records.offset)
    except Exception as exc:  # noqa: BLE001 - warcio raises many types on broken archives
        yield Damage(next_offset, exc)
        return _Stop(damaged_at=next_offset)


def _declared_length(record: Any) -> str:
    """A record's declared length, as written (an ARC record's too: warcio gives it as a WARC header)."""
    return (record.rec_headers.get_header("Content-Length") or "").strip()


def _content_end(records: Any, record: Any) -> int:
    """The offset after ``record``'s content in an uncompressed stream, read to there."""
    while record.raw_stream.read(BUFF_SIZE):
        pass
    return records.fh.tell() - records.reader.rem_length()


def _past_unended(handle: Any, unended: _Unended, form: WebArchiveForm,
                  skipped: collections.Counter[str]) -> Generator[Member | Damage, None, int | None]:
    """The record ``unended`` as a member (or counted) when no record starts inside its content, else its ``Damage``;
    returns where the walk goes on: the next record start after it (None: none, what follows is no record)."""
    found = _next_start(handle, unended.offset + 1, form)
    if found is not None and found < unended.content_end:
        yield Damage(unended.offset, f"{form.record_line.record_name} runs into the record at offset {found} (cut "
                                     "short, or its declared length is wrong)")
        return found
    if isinstance(unended.listed, str):
        skipped[unended.listed] += 1
    else:  # bytes that are no record's between its content and the next record: the rest of its content?
        yield unended.listed + ([True] if found != unended.content_end else [])
    if found is None and not _only_blank_after(handle, unended.content_end):
        # the rest of the stream holds no record start (junk, records whose lines end in a lone CR): said, not dropped
        yield Damage(unended.content_end, "no WARC/ARC record starts in the bytes after the record before")
    return found


def _only_blank_after(handle: Any, offset: int) -> bool:
    """Whether the stream holds nothing but line ends and spaces from ``offset`` to its end."""
    handle.seek(offset)
    while chunk := handle.read(BUFF_SIZE):
        if chunk.strip(b"\r\n\t "):
            return False
    return True


def _next_start(handle: Any, after: int, form: WebArchiveForm) -> int | None:
    """The next record start at or after ``after``; None also when the bytes before it do not read."""
    try:
        return next_record_start(handle, after, form.gzipped, form.record_line)
    except SCAN_ERRORS:
        return None
